// The pieces behind hopscope-cli's curl habits, on values: -w/--write-out's expansion (curl's
// number formats, escapes, %{json}), the cookie engine (Netscape files, Set-Cookie, matching,
// the jar written back), the exit-code table, and the -i/-f response sink.

#include "cookiejar.h"
#include "exitcodes.h"
#include "responsesink.h"
#include "writeout.h"

#include "core/exchange.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace hopscope;
using namespace Qt::StringLiterals;

namespace {

class MemorySink : public BodySink
{
public:
    explicit MemorySink(QByteArray *out) : m_out(out) {}
    bool write(QByteArrayView data) override
    {
        m_out->append(data);
        return true;
    }
    bool finish() override
    {
        m_out->append("<finished>");
        return true;
    }

private:
    QByteArray *m_out;
};

TransferInfo sampleInfo()
{
    TransferInfo t;
    t.url = u"https://a.test/x"_s;
    t.method = "GET";
    t.httpCode = 200;
    t.httpVersion = "2";
    t.timeConnect = 0.0012345;
    t.timeAppconnect = 0.5;
    t.timeStarttransfer = 1.25;
    t.timeTotal = 2;
    t.sizeDownload = 1234;
    t.numConnects = 1;
    t.remoteIp = u"127.0.0.1"_s;
    t.remotePort = 8443;
    t.upgrade = "h2c";
    t.streamId = 3;
    return t;
}

constexpr qint64 kNow = 1'800'000'000; // a fixed "now" in Unix seconds

} // namespace

class TestCliCurlHabits : public QObject
{
    Q_OBJECT
private slots:
    void writeOut_data();
    void writeOut();
    void writeOutJson();
    void writeOutFromExchange();
    void exitCodes_data();
    void exitCodes();
    void errorHints_data();
    void errorHints();
    void netscapeParse();
    void setCookie_data();
    void setCookie();
    void cookieHeaderMatching_data();
    void cookieHeaderMatching();
    void jarRoundTrip();
    void responseSink_data();
    void responseSink();
};

void TestCliCurlHabits::writeOut_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("http_code") << u"%{http_code}"_s << QByteArray("200");
    QTest::newRow("seconds with six decimals")
        << u"%{time_connect} %{time_appconnect} %{time_starttransfer} %{time_total}"_s
        << QByteArray("0.001234 0.500000 1.250000 2.000000");
    QTest::newRow("escapes and %%")
        << u"a\\tb\\nc\\\\d 100%% \\x"_s << QByteArray("a\tb\nc\\d 100% \\x");
    QTest::newRow("ours") << u"%{upgrade}/%{stream_id}"_s << QByteArray("h2c/3");
    QTest::newRow("the rest")
        << u"%{http_version} %{size_download} %{num_connects} %{remote_ip}:%{remote_port}"_s
        << QByteArray("2 1234 1 127.0.0.1:8443");
    QTest::newRow("no variables") << u"plain"_s << QByteArray("plain");
}

void TestCliCurlHabits::writeOut()
{
    QFETCH(QString, format);
    QFETCH(QByteArray, expected);
    QString error;
    QVERIFY2(WriteOut::validate(format, &error), qPrintable(error));
    QCOMPARE(WriteOut::expand(format, sampleInfo()), expected);
}

void TestCliCurlHabits::writeOutJson()
{
    TransferInfo t = sampleInfo();
    t.streamId = -1;
    const QJsonObject o = QJsonDocument::fromJson(WriteOut::expand(u"%{json}"_s, t)).object();
    QCOMPARE(o.value(u"http_code"_s).toInt(), 200);
    QCOMPARE(o.value(u"time_total"_s).toDouble(), 2.0);
    QCOMPARE(o.value(u"http_version"_s).toString(), u"2"_s);
    QCOMPARE(o.value(u"stream_id"_s).toString(), QString());     // none on HTTP/1.1
    QCOMPARE(o.keys().size(), WriteOut::variables().size() - 1); // all but json itself
}

void TestCliCurlHabits::writeOutFromExchange()
{
    RequestSpec spec;
    spec.url = QUrl(u"http://a.test:8080/"_s);
    Exchange ex(1, spec, nullptr);
    ex.timings.start = 1'000'000'000;
    ex.timings.connectStart = 1'000'500'000;
    ex.timings.connectEnd = 1'002'000'000;
    ex.timings.sendStart = 1'002'100'000;
    ex.timings.firstByte = 1'010'000'000;
    ex.timings.end = 1'020'000'000;
    ex.status = 204;
    ex.version = "HTTP/1.1";
    ex.remoteAddress = u"::1"_s;
    const TransferInfo t = TransferInfo::of(ex);
    QCOMPARE(t.timeConnect, 0.002);
    QCOMPARE(t.timeAppconnect, 0.0); // no TLS
    QCOMPARE(t.timeNamelookup, 0.0); // no DNS
    QCOMPARE(t.timeStarttransfer, 0.010);
    QCOMPARE(t.timeTotal, 0.020);
    QCOMPARE(t.numConnects, 1);
    QCOMPARE(t.httpVersion, QByteArray("1.1"));
    QCOMPARE(t.remotePort, 8080);
    QVERIFY(t.timeTotal >= t.timeStarttransfer && t.timeStarttransfer >= t.timeConnect);

    Exchange reused(2, spec, nullptr); // no connection phases: it rode an open connection
    reused.timings.start = 5;
    reused.timings.end = 10;
    QCOMPARE(TransferInfo::of(reused).numConnects, 0);
    QCOMPARE(TransferInfo::of(reused).httpVersion, QByteArray("0")); // no response
    QCOMPARE(WriteOut::expand(u"%{http_code}"_s, TransferInfo::of(reused)), QByteArray("000"));
}

void TestCliCurlHabits::exitCodes_data()
{
    QTest::addColumn<QByteArray>("code");
    QTest::addColumn<int>("exit");
    QTest::newRow("dns") << QByteArray("dns") << 6;
    QTest::newRow("connect") << QByteArray("connect") << 7;
    QTest::newRow("timeout") << QByteArray("timeout") << 28;
    QTest::newRow("low speed") << QByteArray("limit:lowSpeedLimit") << 28;
    QTest::newRow("other limit") << QByteArray("limit:maxHeaderBytes") << 1;
    QTest::newRow("tls") << QByteArray("tls") << 35;
    QTest::newRow("tls-verify untrusted") << QByteArray("tls-verify:untrusted") << 60;
    QTest::newRow("tls-verify expired") << QByteArray("tls-verify:expired") << 60;
    QTest::newRow("tls-verify hostname") << QByteArray("tls-verify:hostname") << 60;
    QTest::newRow("no-response") << QByteArray("no-response") << 52;
    QTest::newRow("connection-closed") << QByteArray("connection-closed") << 56;
    QTest::newRow("truncated-body") << QByteArray("truncated-body") << 18;
    QTest::newRow("content-length prefix") << QByteArray("content-length-conflict") << 8;
    QTest::newRow("h2 rst") << QByteArray("h2-rst:PROTOCOL_ERROR") << 92;
    QTest::newRow("h2 goaway") << QByteArray("h2-goaway:INTERNAL_ERROR") << 16;
    QTest::newRow("h2 protocol") << QByteArray("h2-protocol") << 16;
    QTest::newRow("output") << QByteArray("output") << 23;
    QTest::newRow("decode") << QByteArray("decode-error") << 61;
    QTest::newRow("unknown") << QByteArray("ws-protocol") << 1;
    QTest::newRow("empty") << QByteArray() << 1;
    QTest::newRow("tls is not a prefix") << QByteArray("tls-setup") << 58;
}

void TestCliCurlHabits::exitCodes()
{
    QFETCH(QByteArray, code);
    QFETCH(int, exit);
    QCOMPARE(exitCodeForError(code), exit);
}

// What the CLI appends to an error: --cacert only where trusting a CA can help, and not as if
// it had not been given when it was.
void TestCliCurlHabits::errorHints_data()
{
    QTest::addColumn<QByteArray>("code");
    QTest::addColumn<bool>("caFileGiven");
    QTest::addColumn<QString>("expected");
    QTest::newRow("untrusted")
        << QByteArray("tls-verify:untrusted") << false
        << u"use --cacert FILE to trust its CA, or -k to skip verification"_s;
    QTest::newRow("untrusted, --cacert given")
        << QByteArray("tls-verify:untrusted") << true
        << u"the --cacert file does not vouch for it; -k skips verification"_s;
    QTest::newRow("expired, --cacert given") << QByteArray("tls-verify:expired") << true
                                             << u"no CA file changes this; -k skips verification"_s;
    QTest::newRow("hostname") << QByteArray("tls-verify:hostname") << false
                              << u"no CA file changes this; -k skips verification"_s;
    QTest::newRow("handshake") << QByteArray("tls") << false << QString();
    QTest::newRow("connect") << QByteArray("connect") << false << QString();
}

void TestCliCurlHabits::errorHints()
{
    QFETCH(QByteArray, code);
    QFETCH(bool, caFileGiven);
    QFETCH(QString, expected);
    QCOMPARE(cliErrorHint(code, caFileGiven), expected);
}

void TestCliCurlHabits::netscapeParse()
{
    const QList<Cookie> cookies =
        CookieJar::parseNetscape("# Netscape HTTP Cookie File\r\n"
                                 "a.test\tFALSE\t/\tFALSE\t0\tsid\tabc\r\n"
                                 "#HttpOnly_.b.test\tTRUE\t/api\tTRUE\t1900000000\ttok\tx=y\n"
                                 "c.test\tFALSE\t/\tFALSE\t0\tempty\n"
                                 "too\tfew\tfields\n"
                                 "d.test\tFALSE\t/\tFALSE\tnotanumber\tn\tv\n");
    QCOMPARE(cookies.size(), 3);
    QCOMPARE(cookies.at(0).domain, QByteArray("a.test"));
    QVERIFY(cookies.at(0).hostOnly);
    QCOMPARE(cookies.at(0).value, QByteArray("abc"));
    QCOMPARE(cookies.at(1).domain, QByteArray("b.test"));
    QVERIFY(!cookies.at(1).hostOnly);
    QVERIFY(cookies.at(1).httpOnly);
    QVERIFY(cookies.at(1).secure);
    QCOMPARE(cookies.at(1).path, QByteArray("/api"));
    QCOMPARE(cookies.at(1).expires, 1900000000);
    QCOMPARE(cookies.at(1).value, QByteArray("x=y"));
    QCOMPARE(cookies.at(2).value, QByteArray());
}

void TestCliCurlHabits::setCookie_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QByteArray>("domain");
    QTest::addColumn<bool>("hostOnly");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<qint64>("expires");
    QTest::newRow("plain") << QByteArray("a=1") << u"http://www.a.test/dir/page"_s << true
                           << QByteArray("www.a.test") << true << QByteArray("/dir") << qint64(0);
    QTest::newRow("domain and path")
        << QByteArray("a=1; Domain=.a.test; Path=/; Secure; HttpOnly") << u"https://www.a.test/x"_s
        << true << QByteArray("a.test") << false << QByteArray("/") << qint64(0);
    QTest::newRow("foreign domain refused")
        << QByteArray("a=1; Domain=b.test") << u"http://a.test/"_s << false << QByteArray() << false
        << QByteArray() << qint64(0);
    QTest::newRow("max-age") << QByteArray("a=1; Max-Age=60") << u"http://a.test/"_s << true
                             << QByteArray("a.test") << true << QByteArray("/")
                             << qint64(kNow + 60);
    QTest::newRow("max-age beats expires")
        << QByteArray("a=1; Max-Age=60; Expires=Wed, 21 Oct 2015 07:28:00 GMT")
        << u"http://a.test/"_s << true << QByteArray("a.test") << true << QByteArray("/")
        << qint64(kNow + 60);
    QTest::newRow("expires") << QByteArray("a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT")
                             << u"http://a.test/"_s << true << QByteArray("a.test") << true
                             << QByteArray("/") << qint64(1445412480);
    QTest::newRow("no name") << QByteArray("=1") << u"http://a.test/"_s << false << QByteArray()
                             << false << QByteArray() << qint64(0);
}

void TestCliCurlHabits::setCookie()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, url);
    QFETCH(bool, accepted);
    QFETCH(QByteArray, domain);
    QFETCH(bool, hostOnly);
    QFETCH(QByteArray, path);
    QFETCH(qint64, expires);
    const auto c = CookieJar::parseSetCookie(header, QUrl(url), kNow);
    QCOMPARE(c.has_value(), accepted);
    if (!accepted)
        return;
    QCOMPARE(c->name, QByteArray("a"));
    QCOMPARE(c->value, QByteArray("1"));
    QCOMPARE(c->domain, domain);
    QCOMPARE(c->hostOnly, hostOnly);
    QCOMPARE(c->path, path);
    QCOMPARE(c->expires, expires);
}

void TestCliCurlHabits::cookieHeaderMatching_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("host, root") << u"http://a.test/"_s << QByteArray("host=1; dom=1");
    QTest::newRow("longer path first")
        << u"http://a.test/api/v1"_s << QByteArray("api=1; host=1; dom=1");
    QTest::newRow("path prefix is not a directory")
        << u"http://a.test/apix"_s << QByteArray("host=1; dom=1");
    QTest::newRow("subdomain: domain cookie only") << u"http://x.a.test/"_s << QByteArray("dom=1");
    QTest::newRow("https adds the secure one")
        << u"https://a.test/"_s << QByteArray("host=1; dom=1; sec=1");
    QTest::newRow("other site") << u"http://b.test/"_s << QByteArray();
}

void TestCliCurlHabits::cookieHeaderMatching()
{
    QFETCH(QString, url);
    QFETCH(QByteArray, expected);
    CookieJar jar;
    const QUrl origin(u"https://a.test/"_s);
    HeaderList headers{{"Set-Cookie", "host=1"},
                       {"Set-Cookie", "dom=1; Domain=a.test"},
                       {"set-cookie", "api=1; Path=/api"},
                       {"Set-Cookie", "sec=1; Secure"},
                       {"Set-Cookie", "old=1; Max-Age=10"}};
    jar.takeFromResponse(origin, headers, kNow);
    // Expired by the time of the request; a later Max-Age=0 would remove it as well.
    QCOMPARE(jar.cookieHeader(QUrl(url), kNow + 20), expected);
    jar.takeFromResponse(origin, {{"Set-Cookie", "host=gone; Max-Age=0"}}, kNow);
    QVERIFY(!jar.cookieHeader(QUrl(u"http://a.test/"_s), kNow).contains("host="));
}

void TestCliCurlHabits::jarRoundTrip()
{
    CookieJar jar;
    jar.takeFromResponse(QUrl(u"https://a.test/x/y"_s),
                         {{"Set-Cookie", "s=1; HttpOnly"},
                          {"Set-Cookie", "d=2; Domain=a.test; Path=/; Secure; Max-Age=100"}},
                         kNow);
    const QByteArray text = jar.toNetscape();
    QVERIFY(text.startsWith("# Netscape HTTP Cookie File\n"));
    QVERIFY2(text.contains("#HttpOnly_a.test\tFALSE\t/x\tFALSE\t0\ts\t1\n"), text.constData());
    QVERIFY2(
        text.contains(".a.test\tTRUE\t/\tTRUE\t" + QByteArray::number(kNow + 100) + "\td\t2\n"),
        text.constData());
    QCOMPARE(CookieJar::parseNetscape(text), jar.cookies());
}

void TestCliCurlHabits::responseSink_data()
{
    QTest::addColumn<bool>("include");
    QTest::addColumn<bool>("fail");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("expected");
    const QByteArray head = "HTTP/1.1 %1 Reason\r\nContent-Type: text/plain\r\nX-A: b\r\n\r\n";
    QTest::newRow("body only") << false << false << 200 << QByteArray("body<finished>");
    QTest::newRow("-i") << true << false << 200
                        << QByteArray(head).replace("%1", "200") + "body<finished>";
    QTest::newRow("-f 200") << false << true << 200 << QByteArray("body<finished>");
    QTest::newRow("-f 404 writes nothing") << false << true << 404 << QByteArray();
    QTest::newRow("-i -f 500 writes nothing") << true << true << 500 << QByteArray();
    QTest::newRow("-i 404 without -f")
        << true << false << 404 << QByteArray(head).replace("%1", "404") + "body<finished>";
}

void TestCliCurlHabits::responseSink()
{
    QFETCH(bool, include);
    QFETCH(bool, fail);
    QFETCH(int, status);
    QFETCH(QByteArray, expected);
    QByteArray out;
    auto sink = std::make_unique<ResponseSink>(std::make_unique<MemorySink>(&out), include, fail);
    Exchange ex(1, RequestSpec{}, std::move(sink));
    ex.status = status;
    ex.version = "HTTP/1.1";
    ex.reason = "Reason";
    ex.responseHeaders = {{"Content-Type", "text/plain"}, {"X-A", "b"}};
    QVERIFY(ex.prepareBody()); // calls the sink's begin()
    QVERIFY(ex.deliverBody("body"));
    QVERIFY(ex.finishBody());
    QCOMPARE(out, expected);
    QCOMPARE(ResponseSink::headText("HTTP/2", 200, {}, {{"server", "x"}}),
             QByteArray("HTTP/2 200\r\nserver: x\r\n\r\n"));
}

QTEST_GUILESS_MAIN(TestCliCurlHabits)
#include "tst_clicurlhabits.moc"
