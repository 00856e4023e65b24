// engine/core/redirectpolicy: curl's -L rules on values. Location resolution (RFC 3986 §5.4's
// examples and what servers send), the method after each status, which headers a hop keeps,
// --max-redirs and what is not a URL we follow.

#include "core/redirectpolicy.h"

#include <QTest>

using namespace hopscope;
using namespace Qt::StringLiterals;

class TestRedirectPolicy : public QObject
{
    Q_OBJECT
private slots:
    void followedStatuses();
    void resolve_data();
    void resolve();
    void method_data();
    void method();
    void headers_data();
    void headers();
    void maxRedirects_data();
    void maxRedirects();
    void schemeChange();
};

void TestRedirectPolicy::followedStatuses()
{
    for (int status = 100; status < 600; ++status) {
        const bool followed =
            status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
        QCOMPARE(isFollowedRedirect(status), followed);
    }
}

void TestRedirectPolicy::resolve_data()
{
    QTest::addColumn<QString>("location");
    QTest::addColumn<QString>("expected"); // empty: an error
    QTest::addColumn<QByteArray>("errorCode");
    // RFC 3986 §5.4.1 against its base "http://a/b/c/d;p?q".
    const QList<std::pair<const char *, const char *>> rfc{
        {"g", "http://a/b/c/g"},
        {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"},
        {"/g", "http://a/g"},
        {"//g", "http://g"},
        {"?y", "http://a/b/c/d;p?y"},
        {"g?y", "http://a/b/c/g?y"},
        {"#s", "http://a/b/c/d;p?q"},
        {"../g", "http://a/b/g"},
        {"../..", "http://a/"},
        {"../../g", "http://a/g"},
        {"../../../g", "http://a/g"},
        {"g;x=1/../y", "http://a/b/c/y"},
        {"https://x:8443/p", "https://x:8443/p"},
    };
    for (const auto &[loc, want] : rfc)
        QTest::newRow(loc) << QString::fromLatin1(loc) << QString::fromLatin1(want) << QByteArray();
    QTest::newRow("spaces are trimmed") << u"  /g  "_s << u"http://a/g"_s << QByteArray();
    QTest::newRow("ftp") << u"ftp://a/x"_s << QString() << QByteArray(redirect::kBadScheme);
    QTest::newRow("mailto") << u"mailto:x@a"_s << QString() << QByteArray(redirect::kBadScheme);
    QTest::newRow("bad port") << u"http://a:99999/"_s << QString() << QByteArray(redirect::kBadUrl);
    QTest::newRow("broken IPv6") << u"http://[::1/"_s << QString() << QByteArray(redirect::kBadUrl);
    QTest::newRow("no host") << u"http:///x"_s << QString() << QByteArray(redirect::kBadUrl);
    QTest::newRow("empty") << QString() << QString() << QByteArray(redirect::kBadUrl);
}

void TestRedirectPolicy::resolve()
{
    QFETCH(QString, location);
    QFETCH(QString, expected);
    QFETCH(QByteArray, errorCode);
    const ResolvedLocation r = resolveLocation(QUrl(u"http://a/b/c/d;p?q"_s), location.toUtf8());
    QCOMPARE(r.errorCode, errorCode);
    if (errorCode.isEmpty())
        QCOMPARE(r.url.toString(), expected);
    else
        QVERIFY(!r.error.isEmpty());
}

void TestRedirectPolicy::method_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("next");
    QTest::addColumn<bool>("bodyKept");
    const struct
    {
        const char *method;
        int status;
        const char *next;
    } rows[] = {
        {"GET", 301, "GET"},     {"POST", 301, "GET"},      {"PUT", 301, "PUT"},
        {"POST", 302, "GET"},    {"DELETE", 302, "DELETE"}, {"POST", 303, "GET"},
        {"PUT", 303, "GET"},     {"HEAD", 303, "HEAD"},     {"GET", 303, "GET"},
        {"POST", 307, "POST"},   {"PUT", 307, "PUT"},       {"POST", 308, "POST"},
        {"PATCH", 308, "PATCH"},
    };
    for (const auto &row : rows) {
        QTest::addRow("%s %d", row.method, row.status)
            << QByteArray(row.method) << row.status << QByteArray(row.next)
            << (QByteArray(row.method) == row.next && row.status != 303);
    }
}

void TestRedirectPolicy::method()
{
    QFETCH(QByteArray, method);
    QFETCH(int, status);
    QFETCH(QByteArray, next);
    QFETCH(bool, bodyKept);
    QCOMPARE(redirectMethod(method, status), next);

    RequestSpec spec;
    spec.method = method;
    spec.url = QUrl(u"http://a/form"_s);
    spec.body = "a=1";
    spec.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Keep", "1"}};
    spec.redirects.follow = true;
    const RedirectStep step = nextRedirect(spec, 0, spec.url, spec.headers, status, "/done");
    QVERIFY(step.errorCode.isEmpty());
    QCOMPARE(step.spec.method, next);
    QCOMPARE(step.spec.url, QUrl(u"http://a/done"_s));
    QCOMPARE(step.spec.body, bodyKept ? QByteArray("a=1") : QByteArray());
    QCOMPARE(hasHeader(step.spec.headers, "Content-Type"), bodyKept);
    QCOMPARE(hasHeader(step.spec.headers, "X-Keep"), true);
}

void TestRedirectPolicy::headers_data()
{
    QTest::addColumn<QString>("to");
    QTest::addColumn<bool>("trusted");
    QTest::addColumn<bool>("kept");
    QTest::newRow("same origin") << u"http://127.0.0.1:8080/x"_s << false << true;
    QTest::newRow("other host") << u"http://localhost:8080/x"_s << false << false;
    QTest::newRow("other port") << u"http://127.0.0.1:8081/x"_s << false << false;
    QTest::newRow("other scheme") << u"https://127.0.0.1:8080/x"_s << false << false;
    QTest::newRow("other host, trusted") << u"http://localhost:8080/x"_s << true << true;
}

void TestRedirectPolicy::headers()
{
    QFETCH(QString, to);
    QFETCH(bool, trusted);
    QFETCH(bool, kept);
    RequestSpec spec;
    spec.url = QUrl(u"http://127.0.0.1:8080/start"_s);
    spec.headers = {
        {"authorization", "Basic eA=="}, {"Cookie", "c=1"}, {"Host", "custom"}, {"X-Other", "1"}};
    spec.redirects.follow = true;
    spec.redirects.trusted = trusted;
    const RedirectStep step = nextRedirect(spec, 0, spec.url, spec.headers, 302, to.toUtf8());
    QVERIFY(step.errorCode.isEmpty());
    QCOMPARE(hasHeader(step.spec.headers, "Authorization"), kept);
    QCOMPARE(hasHeader(step.spec.headers, "Cookie"), kept);
    QCOMPARE(hasHeader(step.spec.headers, "Host"), kept);
    QVERIFY(hasHeader(step.spec.headers, "X-Other"));
    QCOMPARE(step.dropped.size(), kept ? 0 : 3);
    // Back to the first origin on a later hop: they are sent again (curl compares with the
    // user's URL, not the previous hop's).
    if (!kept) {
        const RedirectStep back =
            nextRedirect(step.spec, 1, spec.url, spec.headers, 302, "http://127.0.0.1:8080/b");
        QVERIFY(hasHeader(back.spec.headers, "Authorization"));
        QVERIFY(hasHeader(back.spec.headers, "Cookie"));
    }
}

void TestRedirectPolicy::maxRedirects_data()
{
    QTest::addColumn<int>("max");
    QTest::addColumn<int>("hop");
    QTest::addColumn<bool>("followed");
    QTest::newRow("0 of 0") << 0 << 0 << false;
    QTest::newRow("1 of 2") << 2 << 1 << true;
    QTest::newRow("2 of 2") << 2 << 2 << false;
    QTest::newRow("49 of 50") << 50 << 49 << true;
    QTest::newRow("50 of 50") << 50 << 50 << false;
    QTest::newRow("unlimited") << -1 << 100000 << true;
}

void TestRedirectPolicy::maxRedirects()
{
    QFETCH(int, max);
    QFETCH(int, hop);
    QFETCH(bool, followed);
    RequestSpec spec;
    spec.url = QUrl(u"http://a/x"_s);
    spec.redirects.follow = true;
    spec.redirects.maxRedirects = max;
    const RedirectStep step = nextRedirect(spec, hop, spec.url, {}, 302, "/y");
    QCOMPARE(step.errorCode.isEmpty(), followed);
    if (!followed) {
        QCOMPARE(step.errorCode, QByteArray(redirect::kTooMany));
        QVERIFY(step.error.startsWith(u"maximum (%1) redirects followed"_s.arg(max)));
        QCOMPARE(step.to, QUrl(u"http://a/y"_s)); // still resolved, for %{redirect_url}
    }
}

void TestRedirectPolicy::schemeChange()
{
    RequestSpec spec;
    spec.url = QUrl(u"http://a/x"_s);
    spec.protocol = ProtocolPolicy::H2cUpgrade;
    RedirectStep up = nextRedirect(spec, 0, spec.url, {}, 301, "https://a/x");
    QCOMPARE(up.spec.protocol, ProtocolPolicy::Auto); // h2c means nothing over TLS
    QVERIFY(!up.downgrade);
    spec.url = QUrl(u"https://a/x"_s);
    spec.protocol = ProtocolPolicy::Auto;
    spec.tls.alpn = {"h2"};
    RedirectStep down = nextRedirect(spec, 0, spec.url, {}, 302, "http://a/x");
    QVERIFY(down.downgrade);
    QVERIFY(down.spec.tls.alpn.isEmpty());
}

QTEST_GUILESS_MAIN(TestRedirectPolicy)
#include "tst_redirectpolicy.moc"
