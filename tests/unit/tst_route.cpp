// engine/core/route: parsing --resolve, --connect-to and proxy URLs, curl's --noproxy list,
// which proxy a request uses (curl's precedence), where its connection goes, and the pool key
// that keeps connections routed differently apart. The CLI's routing options on top
// (app/cli/routingoptions) are checked in tst_clioptions' style at the end.

#include "clioptions.h"
#include "core/requestspec.h"
#include "core/route.h"
#include "net/connectionpool.h"

#include <QTest>

using namespace hopscope;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(hopscope::IpFamily)

class RouteTest : public QObject
{
    Q_OBJECT

private slots:
    void resolveParsing_data();
    void resolveParsing();
    void connectToParsing_data();
    void connectToParsing();
    void proxyUrlParsing_data();
    void proxyUrlParsing();
    void noProxy_data();
    void noProxy();
    void proxyChoice_data();
    void proxyChoice();
    void connectToPlan_data();
    void connectToPlan();
    void resolveOverrideFamily();
    void poolKeySeparatesRoutes();
    void cliRoutingOptions_data();
    void cliRoutingOptions();
};

void RouteTest::resolveParsing_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("host"); // "" = a usage error expected
    QTest::addColumn<int>("port");
    QTest::addColumn<QStringList>("addresses");

    QTest::newRow("one v4") << u"example.com:443:127.0.0.1"_s << u"example.com"_s << 443
                            << QStringList{u"127.0.0.1"_s};
    QTest::newRow("upper-case host")
        << u"Example.COM:80:10.0.0.1"_s << u"example.com"_s << 80 << QStringList{u"10.0.0.1"_s};
    QTest::newRow("two, v6 bracketed") << u"a.test:8443:[::1],127.0.0.2"_s << u"a.test"_s << 8443
                                       << QStringList{u"::1"_s, u"127.0.0.2"_s};
    QTest::newRow("v6 unbracketed")
        << u"a.test:80:::1"_s << u"a.test"_s << 80 << QStringList{u"::1"_s};
    QTest::newRow("no address") << u"a.test:80:"_s << QString() << 0 << QStringList{};
    QTest::newRow("not an address") << u"a.test:80:nohost"_s << QString() << 0 << QStringList{};
    QTest::newRow("port 0") << u"a.test:0:127.0.0.1"_s << QString() << 0 << QStringList{};
    QTest::newRow("port too big") << u"a.test:70000:127.0.0.1"_s << QString() << 0 << QStringList{};
    QTest::newRow("two parts") << u"a.test:80"_s << QString() << 0 << QStringList{};
}

void RouteTest::resolveParsing()
{
    QFETCH(QString, text);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QStringList, addresses);
    ResolveOverride r;
    const QString error = parseResolve(text, &r);
    if (host.isEmpty()) {
        QVERIFY2(error.startsWith(u"--resolve"_s), qPrintable(error));
        return;
    }
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(r.host, host);
    QCOMPARE(int(r.port), port);
    QStringList got;
    for (const QHostAddress &a : r.addresses)
        got << a.toString();
    QCOMPARE(got, addresses);
}

void RouteTest::connectToParsing_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("toHost");
    QTest::addColumn<int>("toPort");

    QTest::newRow("all four") << u"example.com:443:127.0.0.1:8443"_s << true << u"example.com"_s
                              << 443 << u"127.0.0.1"_s << 8443;
    QTest::newRow("any host, any port")
        << u"::backend:9000"_s << true << QString() << 0 << u"backend"_s << 9000;
    QTest::newRow("same host, other port")
        << u"a.test:80::8080"_s << true << u"a.test"_s << 80 << QString() << 8080;
    QTest::newRow("v6 target") << u"a.test:443:[::1]:8443"_s << true << u"a.test"_s << 443
                               << u"::1"_s << 8443;
    QTest::newRow("three parts") << u"a.test:443:b.test"_s << false << QString() << 0 << QString()
                                 << 0;
    QTest::newRow("bad port") << u"a.test:x:b.test:1"_s << false << QString() << 0 << QString()
                              << 0;
}

void RouteTest::connectToParsing()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    ConnectToRule c;
    const QString error = parseConnectTo(text, &c);
    QCOMPARE(error.isEmpty(), ok);
    if (!ok)
        return;
    QTEST(c.host, "host");
    QTEST(int(c.port), "port");
    QTEST(c.toHost, "toHost");
    QTEST(int(c.toPort), "toPort");
}

void RouteTest::proxyUrlParsing_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("canonical"); // "" = an error expected
    QTest::addColumn<QString>("user");

    QTest::newRow("no scheme, no port: http, 1080")
        << u"proxy.test"_s << u"http://proxy.test:1080"_s << QString();
    QTest::newRow("http with port")
        << u"http://127.0.0.1:3128"_s << u"http://127.0.0.1:3128"_s << QString();
    QTest::newRow("socks5h with user")
        << u"socks5h://u%40x:p@127.0.0.1:1081"_s << u"socks5h://127.0.0.1:1081"_s << u"u@x"_s;
    QTest::newRow("socks5") << u"SOCKS5://[::1]:9050"_s << u"socks5://[::1]:9050"_s << QString();
    QTest::newRow("https proxy unsupported") << u"https://p.test"_s << QString() << QString();
    QTest::newRow("socks4 unsupported") << u"socks4://p.test"_s << QString() << QString();
}

void RouteTest::proxyUrlParsing()
{
    QFETCH(QString, text);
    QFETCH(QString, canonical);
    QFETCH(QString, user);
    ProxyEndpoint p;
    const QString error = parseProxyUrl(text, &p);
    if (canonical.isEmpty()) {
        QVERIFY(!error.isEmpty());
        return;
    }
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(p.toString(), canonical);
    QCOMPARE(p.user, user);
    QCOMPARE(p.hasCredentials, !user.isEmpty());
}

void RouteTest::noProxy_data()
{
    QTest::addColumn<QString>("list");
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("matches");

    QTest::newRow("star") << u"*"_s << u"anything.test"_s << true;
    QTest::newRow("star among others is a name") << u"a.test,*"_s << u"b.test"_s << true;
    QTest::newRow("exact") << u"example.com"_s << u"example.com"_s << true;
    QTest::newRow("subdomain") << u"example.com"_s << u"www.example.com"_s << true;
    QTest::newRow("leading dot") << u".example.com"_s << u"www.example.com"_s << true;
    QTest::newRow("leading dot, the domain itself")
        << u".example.com"_s << u"example.com"_s << true;
    QTest::newRow("suffix is not a subdomain") << u"example.com"_s << u"badexample.com"_s << false;
    QTest::newRow("case") << u"EXAMPLE.com"_s << u"example.COM"_s << true;
    QTest::newRow("spaces and commas") << u" a.test , b.test"_s << u"b.test"_s << true;
    QTest::newRow("ip exact") << u"127.0.0.1"_s << u"127.0.0.1"_s << true;
    QTest::newRow("ip other") << u"127.0.0.1"_s << u"127.0.0.2"_s << false;
    QTest::newRow("cidr") << u"10.0.0.0/8"_s << u"10.1.2.3"_s << true;
    QTest::newRow("cidr outside") << u"10.0.0.0/8"_s << u"11.1.2.3"_s << false;
    QTest::newRow("v6 bracketed") << u"[::1]"_s << u"::1"_s << true;
    QTest::newRow("a name does not match an address") << u"localhost"_s << u"127.0.0.1"_s << false;
    QTest::newRow("empty list") << QString() << u"a.test"_s << false;
}

void RouteTest::noProxy()
{
    QFETCH(QString, list);
    QFETCH(QString, host);
    QTEST(noProxyMatches(list, host), "matches");
}

void RouteTest::proxyChoice_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("dashX");   // "-" = -x not given
    QTest::addColumn<QString>("noproxy"); // "-" = --noproxy not given
    QTest::addColumn<QString>("envHttp");
    QTest::addColumn<QString>("envHttps");
    QTest::addColumn<QString>("envAll");
    QTest::addColumn<QString>("envNo");
    QTest::addColumn<QString>("proxy"); // "" = direct
    QTest::addColumn<bool>("tunnel");

    const QString dash = u"-"_s;
    QTest::newRow("direct") << u"http://a.test/"_s << dash << dash << QString() << QString()
                            << QString() << QString() << QString() << false;
    QTest::newRow("-x http for http: forwarded")
        << u"http://a.test/"_s << u"127.0.0.1:3128"_s << dash << QString() << QString() << QString()
        << QString() << u"http://127.0.0.1:3128"_s << false;
    QTest::newRow("-x http for https: tunnel")
        << u"https://a.test/"_s << u"127.0.0.1:3128"_s << dash << QString() << QString()
        << QString() << QString() << u"http://127.0.0.1:3128"_s << true;
    QTest::newRow("-x wins over the environment")
        << u"http://a.test/"_s << u"http://x.test:1"_s << dash << u"http://env.test:2"_s
        << QString() << u"http://all.test:3"_s << QString() << u"http://x.test:1"_s << false;
    QTest::newRow("-x \"\" disables the environment")
        << u"http://a.test/"_s << QString() << dash << u"http://env.test:2"_s << QString()
        << u"http://all.test:3"_s << QString() << QString() << false;
    QTest::newRow("http_proxy for http")
        << u"http://a.test/"_s << dash << dash << u"http://env.test:2"_s << u"http://s.test:4"_s
        << u"http://all.test:3"_s << QString() << u"http://env.test:2"_s << false;
    QTest::newRow("https_proxy for https")
        << u"https://a.test/"_s << dash << dash << u"http://env.test:2"_s << u"http://s.test:4"_s
        << u"http://all.test:3"_s << QString() << u"http://s.test:4"_s << true;
    QTest::newRow("all_proxy when the scheme's is unset")
        << u"https://a.test/"_s << dash << dash << u"http://env.test:2"_s << QString()
        << u"socks5h://all.test:3"_s << QString() << u"socks5h://all.test:3"_s << true;
    QTest::newRow("NO_PROXY exempts, even from -x")
        << u"http://a.test/"_s << u"http://x.test:1"_s << dash << QString() << QString()
        << QString() << u"a.test"_s << QString() << false;
    QTest::newRow("--noproxy wins over NO_PROXY")
        << u"http://a.test/"_s << u"http://x.test:1"_s << u"other.test"_s << QString() << QString()
        << QString() << u"*"_s << u"http://x.test:1"_s << false;
    QTest::newRow("--noproxy *") << u"https://a.test/"_s << u"http://x.test:1"_s << u"*"_s
                                 << QString() << QString() << QString() << QString() << QString()
                                 << false;
    QTest::newRow("socks5 for http: a tunnel, never absolute-form")
        << u"http://a.test/"_s << u"socks5://127.0.0.1:1080"_s << dash << QString() << QString()
        << QString() << QString() << u"socks5://127.0.0.1:1080"_s << true;
    QTest::newRow("ws:// through an HTTP proxy: a tunnel (Upgrade is hop-by-hop)")
        << u"ws://a.test/"_s << u"127.0.0.1:3128"_s << dash << QString() << QString() << QString()
        << QString() << u"http://127.0.0.1:3128"_s << true;
}

void RouteTest::proxyChoice()
{
    QFETCH(QString, url);
    QFETCH(QString, dashX);
    QFETCH(QString, noproxy);
    QFETCH(QString, proxy);
    QFETCH(bool, tunnel);
    RequestSpec spec;
    spec.url = QUrl(url);
    if (spec.url.scheme() == u"ws") {
        spec.url.setScheme(u"http"_s);
        spec.upgrade = "websocket";
    }
    if (dashX != u"-") {
        spec.route.proxySet = true;
        spec.route.proxy = dashX;
    }
    if (noproxy != u"-") {
        spec.route.noProxySet = true;
        spec.route.noProxy = noproxy;
    }
    QFETCH(QString, envHttp);
    QFETCH(QString, envHttps);
    QFETCH(QString, envAll);
    QFETCH(QString, envNo);
    spec.route.environment = {envHttp, envHttps, envAll, envNo};
    QString error;
    const RoutePlan plan = planRoute(spec, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(plan.proxy ? plan.proxy->toString() : QString(), proxy);
    QCOMPARE(plan.tunnel, tunnel);
    QCOMPARE(plan.httpForward, !proxy.isEmpty() && !tunnel);
    QCOMPARE(forwardsThroughHttpProxy(spec), plan.httpForward);
    if (plan.proxy) {
        QCOMPARE(plan.dialHost, plan.proxy->host);
        QVERIFY(plan.via().contains(plan.proxy->toString()));
    } else {
        QCOMPARE(plan.dialHost, u"a.test"_s);
        QVERIFY(plan.via().isEmpty());
    }
}

void RouteTest::connectToPlan_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QStringList>("rules");
    QTest::addColumn<QString>("dial"); // host:port TCP connects to

    QTest::newRow("no rule") << u"https://a.test/"_s << QStringList{} << u"a.test:443"_s;
    QTest::newRow("exact rule") << u"https://a.test/"_s << QStringList{u"a.test:443:b.test:8443"_s}
                                << u"b.test:8443"_s;
    QTest::newRow("other port does not match")
        << u"https://a.test:444/"_s << QStringList{u"a.test:443:b.test:8443"_s} << u"a.test:444"_s;
    QTest::newRow("first match wins")
        << u"http://a.test/"_s << QStringList{u"a.test::one.test:1"_s, u"::two.test:2"_s}
        << u"one.test:1"_s;
    QTest::newRow("wildcards, keep the port")
        << u"http://a.test:8080/"_s << QStringList{u"::b.test:"_s} << u"b.test:8080"_s;
}

void RouteTest::connectToPlan()
{
    QFETCH(QString, url);
    QFETCH(QStringList, rules);
    QFETCH(QString, dial);
    RequestSpec spec;
    spec.url = QUrl(url);
    for (const QString &r : rules) {
        ConnectToRule rule;
        QVERIFY(parseConnectTo(r, &rule).isEmpty());
        spec.route.connectTo.append(rule);
    }
    const RoutePlan plan = planRoute(spec);
    QCOMPARE(u"%1:%2"_s.arg(plan.dialHost).arg(plan.dialPort), dial);
    QCOMPARE(plan.connectToApplied, dial != u"%1:%2"_s.arg(plan.originHost).arg(plan.originPort));
    QCOMPARE(plan.via().contains(u"--connect-to"_s), plan.connectToApplied);
}

void RouteTest::resolveOverrideFamily()
{
    RouteOptions route;
    ResolveOverride r;
    QVERIFY(parseResolve(u"a.test:443:127.0.0.1,::1"_s, &r).isEmpty());
    route.resolve.append(r);
    QCOMPARE(resolveOverride(route, u"a.test"_s, 443)->size(), 2);
    QVERIFY(!resolveOverride(route, u"a.test"_s, 80).has_value());
    QVERIFY(!resolveOverride(route, u"b.test"_s, 443).has_value());
    route.family = IpFamily::V6;
    QCOMPARE(*resolveOverride(route, u"A.test"_s, 443),
             QList<QHostAddress>{QHostAddress::LocalHostIPv6});
    route.family = IpFamily::V4;
    QCOMPARE(*resolveOverride(route, u"a.test"_s, 443),
             QList<QHostAddress>{QHostAddress::LocalHost});
}

void RouteTest::poolKeySeparatesRoutes()
{
    RequestSpec direct;
    direct.url = QUrl(u"https://a.test/"_s);
    RequestSpec viaProxy = direct;
    viaProxy.route.proxySet = true;
    viaProxy.route.proxy = u"127.0.0.1:3128"_s;
    RequestSpec otherUser = viaProxy;
    otherUser.route.proxyUser = u"u:p"_s;
    RequestSpec connectTo = direct;
    ConnectToRule rule;
    QVERIFY(parseConnectTo(u"a.test:443:b.test:443"_s, &rule).isEmpty());
    connectTo.route.connectTo.append(rule);
    RequestSpec resolved = direct;
    ResolveOverride r;
    QVERIFY(parseResolve(u"a.test:443:127.0.0.1"_s, &r).isEmpty());
    resolved.route.resolve.append(r);
    RequestSpec v4 = direct;
    v4.route.family = IpFamily::V4;
    // A --resolve for a host this request does not use changes nothing.
    RequestSpec unrelated = direct;
    QVERIFY(parseResolve(u"other.test:443:127.0.0.1"_s, &r).isEmpty());
    unrelated.route.resolve.append(r);

    const QStringList keys{ConnectionPool::key(direct),    ConnectionPool::key(viaProxy),
                           ConnectionPool::key(otherUser), ConnectionPool::key(connectTo),
                           ConnectionPool::key(resolved),  ConnectionPool::key(v4)};
    QCOMPARE(QSet<QString>(keys.begin(), keys.end()).size(), keys.size());
    QCOMPARE(ConnectionPool::key(unrelated), ConnectionPool::key(direct));
}

void RouteTest::cliRoutingOptions_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("error"); // a part of the usage error; "" = parses
    QTest::addColumn<QString>("proxy");
    QTest::addColumn<int>("resolves");
    QTest::addColumn<int>("connectTos");
    QTest::addColumn<IpFamily>("family");

    QTest::newRow("-x and the rest")
        << QStringList{u"-x"_s,           u"socks5h://127.0.0.1:1080"_s,
                       u"--proxy-user"_s, u"u:p"_s,
                       u"--noproxy"_s,    u"localhost"_s,
                       u"--resolve"_s,    u"a.test:80:127.0.0.1"_s,
                       u"--resolve"_s,    u"b.test:80:::1"_s,
                       u"--connect-to"_s, u"::c.test:81"_s,
                       u"-4"_s,           u"http://a.test/"_s}
        << QString() << u"socks5h://127.0.0.1:1080"_s << 2 << 1 << IpFamily::V4;
    QTest::newRow("--ipv6") << QStringList{u"--ipv6"_s, u"http://a.test/"_s} << QString()
                            << QString() << 0 << 0 << IpFamily::V6;
    QTest::newRow("-4 with -6") << QStringList{u"-4"_s, u"-6"_s, u"http://a.test/"_s}
                                << u"exclude each other"_s << QString() << 0 << 0 << IpFamily::Any;
    QTest::newRow("bad proxy scheme")
        << QStringList{u"-x"_s, u"ftp://p.test"_s, u"http://a/"_s} << u"unsupported scheme"_s
        << QString() << 0 << 0 << IpFamily::Any;
    QTest::newRow("--proxy-user without a password")
        << QStringList{u"-U"_s, u"user"_s, u"http://a/"_s} << u"USER:PASSWORD"_s << QString() << 0
        << 0 << IpFamily::Any;
    QTest::newRow("bad --resolve")
        << QStringList{u"--resolve"_s, u"a:80"_s, u"http://a/"_s} << u"HOST:PORT:ADDRESS"_s
        << QString() << 0 << 0 << IpFamily::Any;
    QTest::newRow("bad --connect-to")
        << QStringList{u"--connect-to"_s, u"a:80"_s, u"http://a/"_s} << u"HOST1:PORT1:HOST2:PORT2"_s
        << QString() << 0 << 0 << IpFamily::Any;
}

void RouteTest::cliRoutingOptions()
{
    QFETCH(QStringList, args);
    QFETCH(QString, error);
    const CliOptions o = CliOptions::parse(QStringList{u"hopscope-cli"_s} + args);
    if (!error.isEmpty()) {
        QCOMPARE(o.action, CliOptions::Action::UsageError);
        QVERIFY2(o.message.contains(error), qPrintable(o.message));
        return;
    }
    QVERIFY2(o.action == CliOptions::Action::Run, qPrintable(o.message));
    const RouteOptions &r = o.urls.first().route;
    QTEST(r.proxy, "proxy");
    QTEST(int(r.resolve.size()), "resolves");
    QTEST(int(r.connectTo.size()), "connectTos");
    QTEST(r.family, "family");
}

QTEST_GUILESS_MAIN(RouteTest)
#include "tst_route.moc"
