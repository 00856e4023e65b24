// Routing (issue 13) through hopscope-cli against real peers: Apache as the origin, squid
// (HTTP forwarding and CONNECT) and microsocks (SOCKS5, with and without a password) as the
// proxies, the proxy variables curl honours, --noproxy, --resolve, --connect-to and -4/-6; and
// tests/peers/bad_proxy.py where a proxy must misbehave (a 407, a tunnel that closes right after
// its 200, garbage, a header flood, SOCKS5 refusals). Each run is checked by its trace, its exit
// code (curl's) and its message.

#include "apachefixture.h"
#include "clirunner.h"
#include "proxypeers.h"
#include "scriptpeer.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

const QStringList kProxyVariables{u"http_proxy"_s,  u"HTTP_PROXY"_s, u"https_proxy"_s,
                                  u"HTTPS_PROXY"_s, u"all_proxy"_s,  u"ALL_PROXY"_s,
                                  u"no_proxy"_s,    u"NO_PROXY"_s};

// Sets the variables ("NAME=value") for one run and removes them again.
class ScopedEnvironment
{
public:
    explicit ScopedEnvironment(const QStringList &assignments)
    {
        for (const QString &a : assignments) {
            const qsizetype eq = a.indexOf(u'=');
            m_names << a.left(eq);
            qputenv(a.left(eq).toLocal8Bit().constData(), a.mid(eq + 1).toLocal8Bit());
        }
    }
    ~ScopedEnvironment()
    {
        for (const QString &n : m_names)
            qunsetenv(n.toLocal8Bit().constData());
    }

private:
    QStringList m_names;
};

QString str(const QJsonObject &event, const char *key)
{
    return event.value(QLatin1String(key)).toString();
}

} // namespace

class CliProxyTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void routes_data();
    void routes();
    void forwardedRequestCarriesProxyCredentials();
    void misbehavingProxies_data();
    void misbehavingProxies();

private:
    QStringList expand(const QStringList &items) const;

    ApacheFixture m_apache;
    ProxyPeer m_squid{ProxyPeer::Kind::Squid};
    ProxyPeer m_socks{ProxyPeer::Kind::Microsocks};
    ProxyPeer m_socksAuth{ProxyPeer::Kind::Microsocks};
};

void CliProxyTest::initTestCase()
{
    const QString cli = CliRunner().program();
    QVERIFY2(!cli.isEmpty(), "HOPSCOPE_CLI is not set: run through CTest");
    QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli + u" is not an executable"_s));
    // The runs choose their proxy variables themselves; none leaks in from the caller's shell.
    for (const QString &v : kProxyVariables)
        qunsetenv(v.toLocal8Bit().constData());
    QVERIFY2(m_apache.start(), qPrintable(m_apache.errorString()));
    QVERIFY2(m_squid.start(), qPrintable(m_squid.errorString()));
    QVERIFY2(m_socks.start(), qPrintable(m_socks.errorString()));
    QVERIFY2(m_socksAuth.start(u"hop"_s, u"s3cret"_s), qPrintable(m_socksAuth.errorString()));
}

QStringList CliProxyTest::expand(const QStringList &items) const
{
    QStringList out;
    for (QString s : items) {
        s.replace(u"@SQUIDPORT"_s, QString::number(m_squid.port()));
        s.replace(u"@SQUID"_s, m_squid.url());
        s.replace(u"@SOCKSAUTH"_s, m_socksAuth.url());
        s.replace(u"@SOCKS5LOCAL"_s, m_socks.url(false));
        s.replace(u"@SOCKSPORT"_s, QString::number(m_socks.port()));
        s.replace(u"@SOCKS"_s, m_socks.url());
        s.replace(u"@HTTPPORT"_s, QString::number(m_apache.plainPort()));
        s.replace(u"@TLSPORT"_s, QString::number(m_apache.tlsPort()));
        s.replace(u"@HTTPS"_s, m_apache.baseUrl(true));
        s.replace(u"@HTTP"_s, m_apache.baseUrl(false));
        s.replace(u"@CA"_s, m_apache.caFile());
        out << s;
    }
    return out;
}

void CliProxyTest::routes_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QStringList>("events");       // types the trace must hold
    QTest::addColumn<QStringList>("absentEvents"); // types it must not hold
    QTest::addColumn<QString>("connectPort");      // what TCP connected to
    QTest::addColumn<QString>("via");              // regex on connect.attempt's via ("": none)
    QTest::addColumn<QString>("target");           // regex on h1.request's target ("": unchecked)

    const QStringList tunnel{u"proxy.connect"_s, u"proxy.response"_s, u"proxy.established"_s};
    const QStringList socks{u"socks.greeting"_s, u"socks.method"_s, u"socks.request"_s,
                            u"socks.reply"_s, u"proxy.established"_s};
    const QStringList none;

    QTest::newRow("squid forwards http:// (absolute-form)")
        << QStringList{u"-x"_s, u"@SQUID"_s, u"@HTTP/small.txt"_s} << none
        << QStringList{u"h1.request"_s} << tunnel << u"@SQUIDPORT"_s << u"^proxy http://"_s
        << u"^http://127\\.0\\.0\\.1:\\d+/small\\.txt$"_s;
    QTest::newRow("squid tunnels https:// (CONNECT, then TLS with the origin)")
        << QStringList{u"-x"_s,  u"@SQUID"_s,    u"--cacert"_s,
                       u"@CA"_s, u"--http1.1"_s, u"@HTTPS/small.txt"_s}
        << none << tunnel + QStringList{u"tls"_s} << none << u"@SQUIDPORT"_s
        << u"tunnel to 127\\.0\\.0\\.1:\\d+"_s << u"^/small\\.txt$"_s;
    QTest::newRow("squid tunnels h2c prior knowledge")
        << QStringList{u"-x"_s, u"@SQUID"_s, u"--http2-prior-knowledge"_s, u"@HTTP/small.txt"_s}
        << none << tunnel + QStringList{u"h2.frame"_s} << QStringList{u"h1.request"_s}
        << u"@SQUIDPORT"_s << u"tunnel to"_s << QString();
    QTest::newRow("HTTPS_PROXY from the environment")
        << QStringList{u"--cacert"_s, u"@CA"_s, u"@HTTPS/small.txt"_s}
        << QStringList{u"HTTPS_PROXY=@SQUID"_s} << tunnel << none << u"@SQUIDPORT"_s
        << u"from https_proxy"_s << QString();
    QTest::newRow("http_proxy from the environment")
        << QStringList{u"@HTTP/small.txt"_s} << QStringList{u"http_proxy=@SQUID"_s}
        << QStringList{u"h1.request"_s} << tunnel << u"@SQUIDPORT"_s << u"from http_proxy"_s
        << u"^http://"_s;
    QTest::newRow("HTTP_PROXY (upper case) is ignored, as by curl")
        << QStringList{u"@HTTP/small.txt"_s} << QStringList{u"HTTP_PROXY=@SQUID"_s}
        << QStringList{u"h1.request"_s} << tunnel << u"@HTTPPORT"_s << QString()
        << u"^/small\\.txt$"_s;
    QTest::newRow("-x wins over ALL_PROXY")
        << QStringList{u"-x"_s, u"@SQUID"_s, u"@HTTP/small.txt"_s}
        << QStringList{u"ALL_PROXY=http://127.0.0.1:1"_s} << QStringList{u"h1.request"_s} << none
        << u"@SQUIDPORT"_s << u"from -x"_s << u"^http://"_s;
    QTest::newRow("NO_PROXY exempts the host from -x")
        << QStringList{u"-x"_s, u"http://127.0.0.1:1"_s, u"@HTTP/small.txt"_s}
        << QStringList{u"NO_PROXY=127.0.0.1"_s} << QStringList{u"h1.request"_s} << tunnel
        << u"@HTTPPORT"_s << QString() << u"^/small\\.txt$"_s;
    QTest::newRow("--noproxy * wins over the environment")
        << QStringList{u"--noproxy"_s, u"*"_s, u"@HTTP/small.txt"_s}
        << QStringList{u"http_proxy=http://127.0.0.1:1"_s} << QStringList{u"h1.request"_s} << tunnel
        << u"@HTTPPORT"_s << QString() << u"^/small\\.txt$"_s;
    QTest::newRow("socks5h: the proxy resolves (https)")
        << QStringList{u"-x"_s, u"@SOCKS"_s, u"--cacert"_s, u"@CA"_s, u"@HTTPS/small.txt"_s} << none
        << socks + QStringList{u"tls"_s} << QStringList{u"socks.auth"_s} << u"@SOCKSPORT"_s
        << u"^proxy socks5h://"_s << QString();
    QTest::newRow("socks5: resolved here, with --resolve")
        << QStringList{u"-x"_s, u"@SOCKS5LOCAL"_s, u"--resolve"_s,
                       u"origin.test:@HTTPPORT:127.0.0.1"_s,
                       u"http://origin.test:@HTTPPORT/small.txt"_s}
        << none << socks + QStringList{u"dns"_s} << none << u"@SOCKSPORT"_s << u"^proxy socks5://"_s
        << u"^/small\\.txt$"_s;
    QTest::newRow("socks5h with a user and password (RFC 1929)")
        << QStringList{u"-x"_s, u"@SOCKSAUTH"_s, u"--proxy-user"_s, u"hop:s3cret"_s,
                       u"@HTTP/small.txt"_s}
        << none << socks + QStringList{u"socks.auth"_s, u"socks.auth.reply"_s} << none << QString()
        << u"^proxy socks5h://"_s << u"^/small\\.txt$"_s;
    QTest::newRow("ALL_PROXY=socks5h:// for http://")
        << QStringList{u"@HTTP/small.txt"_s} << QStringList{u"ALL_PROXY=@SOCKS"_s} << socks << none
        << u"@SOCKSPORT"_s << u"from all_proxy"_s << u"^/small\\.txt$"_s;
    QTest::newRow("--resolve: the name's address given")
        << QStringList{u"--resolve"_s, u"origin.test:@HTTPPORT:127.0.0.1"_s,
                       u"http://origin.test:@HTTPPORT/small.txt"_s}
        << none << QStringList{u"dns"_s} << tunnel << u"@HTTPPORT"_s << u"address from --resolve"_s
        << u"^/small\\.txt$"_s;
    QTest::newRow("--connect-to: another host and port")
        << QStringList{u"--connect-to"_s, u"origin.test:80:127.0.0.1:@HTTPPORT"_s,
                       u"http://origin.test/small.txt"_s}
        << none << QStringList{u"h1.request"_s} << tunnel << u"@HTTPPORT"_s
        << u"--connect-to origin\\.test:80 → 127\\.0\\.0\\.1:\\d+"_s << u"^/small\\.txt$"_s;
    QTest::newRow("--connect-to through squid: the CONNECT asks for the new target")
        << QStringList{u"-x"_s,
                       u"@SQUID"_s,
                       u"--connect-to"_s,
                       u"localhost:@TLSPORT:127.0.0.1:@TLSPORT"_s,
                       u"--cacert"_s,
                       u"@CA"_s,
                       u"https://localhost:@TLSPORT/small.txt"_s}
        << none << tunnel + QStringList{u"tls"_s} << none << u"@SQUIDPORT"_s
        << u"tunnel to 127\\.0\\.0\\.1:\\d+, --connect-to localhost"_s << QString();
    QTest::newRow("-4 with a name that has both families")
        << QStringList{u"-4"_s, u"--resolve"_s, u"origin.test:@HTTPPORT:::1,127.0.0.1"_s,
                       u"http://origin.test:@HTTPPORT/small.txt"_s}
        << none << QStringList{u"h1.request"_s} << none << u"@HTTPPORT"_s
        << u"address from --resolve"_s << QString();
}

void CliProxyTest::routes()
{
    QFETCH(QStringList, args);
    QFETCH(QStringList, env);
    QFETCH(QStringList, events);
    QFETCH(QStringList, absentEvents);
    QFETCH(QString, connectPort);
    QFETCH(QString, via);
    QFETCH(QString, target);

    const ScopedEnvironment scoped(expand(env));
    CliRunner runner;
    const QString out = runner.scratchPath(u"body"_s);
    const CliResult r = runner.run(QStringList{u"-o"_s, out} + expand(args));
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QFile body(out);
    QVERIFY(body.open(QIODevice::ReadOnly));
    QCOMPARE(body.readAll(), ApacheFixture::smallBody());
    for (const QString &type : events)
        QVERIFY2(r.has(type), qPrintable(u"no %1 event\n"_s.arg(type) + r.describe()));
    for (const QString &type : absentEvents)
        QVERIFY2(!r.has(type), qPrintable(u"a %1 event\n"_s.arg(type) + r.describe()));
    if (!connectPort.isEmpty())
        QCOMPARE(r.first(u"connect").value(u"port"_s).toInt(),
                 expand({connectPort}).first().toInt());
    const QString gotVia = str(r.first(u"connect.attempt"), "via");
    if (via.isEmpty())
        QVERIFY2(gotVia.isEmpty(), qPrintable(gotVia));
    else
        QVERIFY2(QRegularExpression(via).match(gotVia).hasMatch(),
                 qPrintable(u"via \"%1\" does not match /%2/"_s.arg(gotVia, via)));
    if (!target.isEmpty()) {
        const QString got = str(r.first(u"h1.request"), "target");
        QVERIFY2(QRegularExpression(target).match(got).hasMatch(), qPrintable(got));
    }
    // The proxy hop comes before the origin's protocol, and a CONNECT asks for the target.
    if (r.has(u"proxy.connect")) {
        const QJsonObject connect = r.first(u"proxy.connect");
        QVERIFY(str(connect, "target").contains(u':'));
        QCOMPARE(r.first(u"proxy.response").value(u"status"_s).toInt(), 200);
        if (r.has(u"tls"))
            QVERIFY(r.first(u"proxy.established").value(u"t"_s).toDouble() <=
                    r.first(u"tls").value(u"t"_s).toDouble());
    }
    if (r.has(u"socks.reply")) {
        QCOMPARE(r.first(u"socks.reply").value(u"code"_s).toInt(), 0);
        const bool local = args.contains(u"@SOCKS5LOCAL"_s);
        QCOMPARE(str(r.first(u"socks.request"), "kind"), local ? u"ipv4"_s : u"domain"_s);
    }
}

void CliProxyTest::forwardedRequestCarriesProxyCredentials()
{
    // squid here asks for none, but what the proxy would get must be what curl sends: Basic
    // credentials in Proxy-Authorization on the forwarded request, never on a tunnelled one.
    CliRunner runner;
    const CliResult r = runner.run(expand({u"-x"_s, u"@SQUID"_s, u"-U"_s, u"hop:s3cret"_s, u"-o"_s,
                                           runner.scratchPath(u"b"_s), u"@HTTP/small.txt"_s}));
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    bool found = false;
    for (const QJsonValue h : r.first(u"h1.request").value(u"headers"_s).toArray()) {
        const QJsonArray pair = h.toArray();
        if (pair.at(0).toString().compare(u"Proxy-Authorization"_s, Qt::CaseInsensitive) == 0) {
            QCOMPARE(pair.at(1).toString(),
                     u"Basic "_s + QString::fromLatin1(QByteArray("hop:s3cret").toBase64()));
            found = true;
        }
    }
    QVERIFY2(found, qPrintable(r.describe()));
    QVERIFY2(m_squid.accessLog().contains("/small.txt"), m_squid.accessLog().constData());
}

void CliProxyTest::misbehavingProxies_data()
{
    QTest::addColumn<QString>("scenario"); // bad_proxy.py's, or "" for none
    QTest::addColumn<QStringList>("args"); // "@BAD" stands for the bad proxy's URL
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("code");             // regex on request.failed's code
    QTest::addColumn<QStringList>("messageParts"); // regexes on the error message
    QTest::addColumn<QStringList>("events");

    QTest::newRow("407 to CONNECT")
        << u"407"_s << QStringList{u"-x"_s, u"@BAD"_s, u"@HTTPS/small.txt"_s} << 56
        << u"^proxy-status$"_s
        << QStringList{u"CONNECT tunnel failed, response 407"_s, u"wants credentials"_s}
        << QStringList{u"proxy.connect"_s, u"proxy.response"_s};
    QTest::newRow("407 with credentials")
        << u"407"_s << QStringList{u"-x"_s, u"@BAD"_s, u"-U"_s, u"a:b"_s, u"@HTTPS/small.txt"_s}
        << 56 << u"^proxy-status$"_s << QStringList{u"refused the credentials"_s}
        << QStringList{u"proxy.response"_s};
    QTest::newRow("200, then closed: the TLS handshake fails")
        << u"200-close"_s << QStringList{u"-x"_s, u"@BAD"_s, u"@HTTPS/small.txt"_s} << 35
        << u"^tls$"_s << QStringList{} << QStringList{u"proxy.established"_s};
    QTest::newRow("garbage instead of a status line")
        << u"garbage"_s << QStringList{u"-x"_s, u"@BAD"_s, u"@HTTPS/small.txt"_s} << 97
        << u"^proxy-handshake$"_s << QStringList{u"not an HTTP response"_s}
        << QStringList{u"proxy.connect"_s};
    QTest::newRow("an endless CONNECT response head: maxHeaderBytes")
        << u"head-flood"_s << QStringList{u"-x"_s, u"@BAD"_s, u"@HTTPS/small.txt"_s} << 1
        << u"^limit:maxHeader(Line)?Bytes$"_s << QStringList{u"maxHeader"_s}
        << QStringList{u"proxy.connect"_s};
    QTest::newRow("closed without an answer")
        << u"close"_s << QStringList{u"-x"_s, u"@BAD"_s, u"@HTTPS/small.txt"_s} << 56
        << u"^proxy-closed$"_s << QStringList{u"closed the connection before answering"_s}
        << QStringList{u"proxy.connect"_s};
    QTest::newRow("a proxy that never answers: the connect timeout names the hop")
        << u"silent"_s
        << QStringList{u"-x"_s, u"@BAD"_s, u"--connect-timeout"_s, u"1"_s, u"@HTTPS/small.txt"_s}
        << 28 << u"^timeout$"_s
        << QStringList{u"the proxy http://127\\.0\\.0\\.1:\\d+ did not set up the tunnel"_s}
        << QStringList{u"proxy.connect"_s};
    QTest::newRow("SOCKS5: connection refused (reply 5)")
        << u"socks-refused"_s << QStringList{u"-x"_s, u"socks5h://@BADHOST"_s, u"@HTTP/"_s} << 97
        << u"^proxy-handshake$"_s << QStringList{u"connection refused \\(reply code 5\\)"_s}
        << QStringList{u"socks.reply"_s};
    QTest::newRow("SOCKS5: no acceptable method")
        << u"socks-no-method"_s << QStringList{u"-x"_s, u"socks5h://@BADHOST"_s, u"@HTTP/"_s} << 97
        << u"^proxy-handshake$"_s << QStringList{u"accepts none of the offered methods"_s}
        << QStringList{u"socks.method"_s};
    QTest::newRow("SOCKS5: an HTTP server instead")
        << u"socks-garbage"_s << QStringList{u"-x"_s, u"socks5h://@BADHOST"_s, u"@HTTP/"_s} << 97
        << u"^proxy-handshake$"_s << QStringList{u"does not speak SOCKS5"_s}
        << QStringList{u"socks.greeting"_s};
    QTest::newRow("microsocks: wrong password")
        << QString() << QStringList{u"-x"_s, u"@SOCKSAUTH"_s, u"-U"_s, u"hop:wrong"_s, u"@HTTP/"_s}
        << 97 << u"^proxy-handshake$"_s << QStringList{u"refused the user name and password"_s}
        << QStringList{u"socks.auth.reply"_s};
    QTest::newRow("a proxy nobody listens on")
        << QString() << QStringList{u"-x"_s, u"http://127.0.0.1:1"_s, u"@HTTP/"_s} << 7
        << u"^proxy-connect$"_s << QStringList{u"could not connect to proxy"_s}
        << QStringList{u"connect.attempt"_s};
    QTest::newRow("a proxy name that does not resolve")
        << QString() << QStringList{u"-x"_s, u"http://proxy.invalid:3128"_s, u"@HTTP/"_s} << 5
        << u"^proxy-dns$"_s << QStringList{u"could not resolve proxy proxy\\.invalid"_s}
        << QStringList{};
    QTest::newRow("-6 and only an IPv4 address")
        << QString()
        << QStringList{u"-6"_s, u"--resolve"_s, u"origin.test:@HTTPPORT:127.0.0.1"_s,
                       u"http://origin.test:@HTTPPORT/"_s}
        << 6 << u"^dns$"_s << QStringList{u"no address of the wanted family"_s}
        << QStringList{u"dns"_s};
}

void CliProxyTest::misbehavingProxies()
{
    QFETCH(QString, scenario);
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, code);
    QFETCH(QStringList, messageParts);
    QFETCH(QStringList, events);

    ScriptPeer bad;
    if (!scenario.isEmpty())
        QVERIFY2(bad.launch(u"bad_proxy.py"_s, {scenario}), qPrintable(bad.errorString()));
    QStringList expanded = expand(args);
    for (QString &a : expanded) {
        a.replace(u"@BADHOST"_s, u"127.0.0.1:%1"_s.arg(bad.port()));
        a.replace(u"@BAD"_s, u"http://127.0.0.1:%1"_s.arg(bad.port()));
    }
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(30));
    const CliResult r = runner.run(QStringList{u"--connect-timeout"_s, u"10"_s} + expanded);
    HOPSCOPE_VERIFY_RAN(r);
    const QString context = r.describe() + u"\nproxy log:\n"_s + QString::fromUtf8(bad.log());
    QVERIFY2(r.exitCode == exitCode,
             qPrintable(u"exit %1, expected %2\n"_s.arg(r.exitCode).arg(exitCode) + context));
    const QJsonObject failed = r.first(u"request.failed");
    QVERIFY2(QRegularExpression(code).match(str(failed, "code")).hasMatch(),
             qPrintable(u"code \"%1\"\n"_s.arg(str(failed, "code")) + context));
    for (const QString &part : messageParts) {
        QVERIFY2(QRegularExpression(part).match(r.errorMessage()).hasMatch(),
                 qPrintable(u"/%1/ not in \"%2\"\n"_s.arg(part, r.errorMessage()) + context));
    }
    for (const QString &type : events)
        QVERIFY2(r.has(type), qPrintable(u"no %1 event\n"_s.arg(type) + context));
    QVERIFY2(r.elapsedMs < 10000, qPrintable(context));
}

QTEST_GUILESS_MAIN(CliProxyTest)
#include "tst_cli_proxy.moc"
