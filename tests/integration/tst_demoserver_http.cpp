// The embedded demo server (demo/) over HTTP, checked with real, independent clients: curl
// (HTTP/1.1 keep-alive, the h2c upgrade, prior knowledge, TLS with ALPN h2 and with http/1.1)
// on every endpoint, the Upgrade advertisement and declined offers, precise 400s from the
// request parser, and nghttp (nghttp2's own client). The server runs in its own thread
// (DemoServerTestBase, tests/support/demoservertest.h).

#include "demoservertest.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslSocket>
#include <QTest>

using namespace hopscope;
using namespace hopscope::test;
using namespace Qt::StringLiterals;

class DemoServerHttpTest : public DemoServerTestBase
{
    Q_OBJECT

private slots:
    void initTestCase() { startServer(); }
    void cleanupTestCase() { stopServer(); }

    void describeListsEverything();
    void curlEndpoints_data();
    void curlEndpoints();
    void curlLarge_data();
    void curlLarge();
    void curlKeepAlive_data();
    void curlKeepAlive();
    void upgradeAdvertisement_data();
    void upgradeAdvertisement();
    void badRequests_data();
    void badRequests();
    void nghttp_data();
    void nghttp();
};

void DemoServerHttpTest::describeListsEverything()
{
    const QString text = m_server->describe().join(u'\n');
    QVERIFY2(text.contains(m_base[0] + u'/') && text.contains(m_base[1] + u'/'), qPrintable(text));
    QVERIFY2(text.contains(m_caFile), qPrintable(text));
    for (const char *path :
         {"/delay/MS", "/status/N", "/bytes/N", "/stream/N", "/headers", "/large", "/ws", "/tcp"}) {
        QVERIFY2(text.contains(QLatin1String(path)), path);
    }
    const QSslCertificate cert = m_server->certificate();
    QCOMPARE(cert.subjectInfo(QSslCertificate::CommonName), QStringList{u"localhost"_s});
    QVERIFY(cert.expiryDate() > QDateTime::currentDateTimeUtc().addDays(1));
    QVERIFY(cert.expiryDate() < QDateTime::currentDateTimeUtc().addDays(3));
    const auto names = cert.subjectAlternativeNames();
    QVERIFY(names.values(QSsl::DnsEntry).contains(u"localhost"_s));
    QVERIFY(names.values(QSsl::IpAddressEntry).contains(u"127.0.0.1"_s));
}

// --- curl: every endpoint over every way to the server ---------------------------------------

void DemoServerHttpTest::curlEndpoints_data()
{
    QTest::addColumn<QStringList>("modeArgs");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("httpVersion");
    QTest::addColumn<QString>("protocol"); // what /headers reports
    QTest::addColumn<QString>("endpoint");

    struct Mode
    {
        const char *name;
        QStringList args;
        bool tls;
        QString version;
        QString protocol;
    };
    const QList<Mode> modes{
        {"http/1.1", {u"--http1.1"_s}, false, u"1.1"_s, u"HTTP/1.1"_s},
        {"h2c upgrade", {u"--http2"_s}, false, u"2"_s, u"HTTP/2"_s},
        {"h2c prior knowledge", {u"--http2-prior-knowledge"_s}, false, u"2"_s, u"HTTP/2"_s},
        {"tls alpn h2", {u"--http2"_s}, true, u"2"_s, u"HTTP/2"_s},
        {"tls http/1.1", {u"--http1.1"_s}, true, u"1.1"_s, u"HTTP/1.1"_s},
    };
    const QStringList endpoints{
        u"index"_s,      u"status 418"_s, u"status 204"_s,        u"status 304"_s,   u"bytes"_s,
        u"bytes HEAD"_s, u"stream"_s,     u"headers"_s,           u"headers POST"_s, u"delay"_s,
        u"not found"_s,  u"bad number"_s, u"method not allowed"_s};
    for (const Mode &m : modes) {
        for (const QString &e : endpoints) {
            QTest::addRow("%s: %s", m.name, qPrintable(e))
                << m.args << m.tls << m.version << m.protocol << e;
        }
    }
}

void DemoServerHttpTest::curlEndpoints()
{
    QFETCH(QStringList, modeArgs);
    QFETCH(bool, tls);
    QFETCH(QString, httpVersion);
    QFETCH(QString, protocol);
    QFETCH(QString, endpoint);

    const QString body = m_dir.filePath(u"body"_s);
    const QString head = m_dir.filePath(u"head"_s);
    QFile::remove(body);
    QFile::remove(head);
    QStringList args{u"-sS"_s,
                     u"-o"_s,
                     body,
                     u"-D"_s,
                     head,
                     u"-w"_s,
                     u"%{http_code} %{http_version} %{time_total}"_s};
    args += modeArgs;
    if (tls)
        args << u"--cacert"_s << m_caFile;

    // Each row: the path, and what curl adds to the request.
    static const QHash<QString, std::pair<QString, QStringList>> requests{
        {u"index"_s, {u"/"_s, {}}},
        {u"status 418"_s, {u"/status/418"_s, {}}},
        {u"status 204"_s, {u"/status/204"_s, {}}},
        {u"status 304"_s, {u"/status/304"_s, {}}},
        {u"bytes"_s, {u"/bytes/1000003"_s, {}}},
        {u"bytes HEAD"_s, {u"/bytes/5000"_s, {u"-I"_s}}},
        {u"stream"_s, {u"/stream/5"_s, {}}},
        {u"headers"_s, {u"/headers"_s, {u"-H"_s, u"X-Hopscope-Test: Mixed Case \u2713"_s}}},
        {u"headers POST"_s, {u"/headers"_s, {u"--data-binary"_s, u"0123456789"_s}}},
        {u"delay"_s, {u"/delay/300"_s, {}}},
        {u"not found"_s, {u"/no/such/thing"_s, {}}},
        {u"bad number"_s, {u"/bytes/12x"_s, {}}},
        {u"method not allowed"_s, {u"/bytes/10"_s, {u"-X"_s, u"DELETE"_s}}},
    };
    QVERIFY(requests.contains(endpoint));
    const auto &[path, extra] = requests.value(endpoint);
    args += extra;
    args << url(tls, path);

    const ToolResult r = runTool(m_curl, args);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const QList<QByteArray> w = r.out.split(' ');
    QCOMPARE(w.size(), 3);
    const int status = w.at(0).toInt();
    QCOMPARE(QString::fromLatin1(w.at(1)), httpVersion);
    const double seconds = w.at(2).toDouble();
    const QByteArray content = readFile(body);
    const QByteArray headers = readFile(head);
    const QString why = r.describe() + u"\n  head: "_s + QString::fromUtf8(headers) +
                        u"\n  body: "_s + QString::fromUtf8(content.left(500));
    QByteArray serverName = dumpedHeader(headers, "Server");
    QVERIFY2(serverName.startsWith("hopscope-demo/"), qPrintable(why));

    if (endpoint == u"index") {
        QCOMPARE(status, 200);
        QVERIFY2(content.contains("Hopscope demo server") && content.contains("/stream/N"),
                 qPrintable(why));
    } else if (endpoint == u"status 418") {
        QCOMPARE(status, 418);
        QCOMPARE(content, QByteArray("418 I'm a teapot\n"));
    } else if (endpoint.startsWith(u"status 3") || endpoint == u"status 204") {
        QCOMPARE(status, endpoint.mid(7).toInt());
        QVERIFY2(content.isEmpty(), qPrintable(why));
        QVERIFY2(dumpedHeader(headers, "Content-Length").isEmpty(), qPrintable(why));
        QVERIFY2(dumpedHeader(headers, "Transfer-Encoding").isEmpty(), qPrintable(why));
    } else if (endpoint == u"bytes") {
        QCOMPARE(status, 200);
        QCOMPARE(content.size(), 1000003);
        QCOMPARE(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex(),
                 patternSha256(1000003));
        QCOMPARE(dumpedHeader(headers, "Content-Length"), QByteArray("1000003"));
    } else if (endpoint == u"bytes HEAD") {
        QCOMPARE(status, 200);
        QCOMPARE(dumpedHeader(headers, "Content-Length"), QByteArray("5000"));
        // With -I curl writes the head where the body would go: no pattern bytes may follow.
        QVERIFY2(!content.contains(QByteArray("\x00\x01\x02", 3)), qPrintable(why));
    } else if (endpoint == u"stream") {
        QCOMPARE(status, 200);
        // Paced: the last line leaves about 400 ms after the first.
        QVERIFY2(seconds >= 0.38, qPrintable(why));
        const QList<QByteArray> lines = content.trimmed().split('\n');
        QCOMPARE(lines.size(), 5);
        for (int i = 0; i < lines.size(); ++i) {
            const QJsonObject o = QJsonDocument::fromJson(lines.at(i)).object();
            QCOMPARE(num(o, "line"), i + 1);
            QCOMPARE(num(o, "of"), 5);
        }
        // Chunked on HTTP/1.1 (length unknown up front), DATA frames on HTTP/2.
        if (httpVersion == u"1.1")
            QCOMPARE(dumpedHeader(headers, "Transfer-Encoding"), QByteArray("chunked"));
        QVERIFY2(dumpedHeader(headers, "Content-Length").isEmpty(), qPrintable(why));
    } else if (endpoint.startsWith(u"headers")) {
        QCOMPARE(status, 200);
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(content, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(why));
        // The h2c upgrade's request arrived as HTTP/1.1 and was answered on stream 1.
        const QString expected = modeArgs.contains(u"--http2"_s) && !tls
                                     ? u"HTTP/1.1 (answered as HTTP/2 stream 1 after the h2c "
                                       u"upgrade)"_s
                                     : protocol;
        QCOMPARE(str(o, "protocol"), expected);
        QCOMPARE(o.value(u"tls"_s).toBool(), tls);
        QStringList names;
        QString custom;
        for (const QJsonValue &pair : o.value(u"headers"_s).toArray()) {
            names << pair.toArray().at(0).toString();
            if (names.last().compare(u"X-Hopscope-Test"_s, Qt::CaseInsensitive) == 0)
                custom = pair.toArray().at(1).toString();
        }
        const bool h2Wire = expected == u"HTTP/2";
        if (h2Wire) {
            QCOMPARE(names.mid(0, 4),
                     (QStringList{u":method"_s, u":path"_s, u":scheme"_s, u":authority"_s}));
        } else {
            QCOMPARE(names.value(0), u"Host"_s);
        }
        if (endpoint == u"headers") {
            QCOMPARE(custom, u"Mixed Case \u2713"_s);
            // Wire order and case: curl sends its own headers before -H ones.
            const QString customName = h2Wire ? u"x-hopscope-test"_s : u"X-Hopscope-Test"_s;
            const QString accept = h2Wire ? u"accept"_s : u"Accept"_s;
            QVERIFY2(names.contains(customName), qPrintable(why));
            QVERIFY2(names.indexOf(accept) < names.indexOf(customName), qPrintable(why));
            QCOMPARE(str(o, "method"), u"GET"_s);
            QCOMPARE(num(o, "bodyBytes"), 0);
        } else {
            QCOMPARE(str(o, "method"), u"POST"_s);
            QCOMPARE(num(o, "bodyBytes"), 10);
        }
    } else if (endpoint == u"delay") {
        QCOMPARE(status, 200);
        QVERIFY2(seconds >= 0.3, qPrintable(why));
        QCOMPARE(content, QByteArray("answered after 300 ms\n"));
    } else if (endpoint == u"not found") {
        QCOMPARE(status, 404);
        QVERIFY2(content.contains("no endpoint at /no/such/thing"), qPrintable(why));
    } else if (endpoint == u"bad number") {
        QCOMPARE(status, 400);
        QVERIFY2(content.contains("/bytes/N needs a whole number of bytes"), qPrintable(why));
    } else if (endpoint == u"method not allowed") {
        QCOMPARE(status, 405);
        QCOMPARE(dumpedHeader(headers, "Allow"), QByteArray("GET, HEAD, OPTIONS"));
    } else {
        QFAIL("unknown endpoint row");
    }
}

void DemoServerHttpTest::curlLarge_data()
{
    QTest::addColumn<QStringList>("modeArgs");
    QTest::addColumn<bool>("tls");
    QTest::newRow("http/1.1") << QStringList{u"--http1.1"_s} << false;
    QTest::newRow("h2c prior knowledge") << QStringList{u"--http2-prior-knowledge"_s} << false;
    QTest::newRow("tls alpn h2") << QStringList{} << true;
}

// 256 MiB streamed from a reusable buffer, checked byte for byte.
void DemoServerHttpTest::curlLarge()
{
    QFETCH(QStringList, modeArgs);
    QFETCH(bool, tls);
    const QString body = m_dir.filePath(u"large"_s);
    QFile::remove(body);
    QStringList args{u"-sS"_s, u"-o"_s, body, u"-w"_s, u"%{http_code} %{speed_download}"_s};
    args += modeArgs;
    if (tls)
        args << u"--cacert"_s << m_caFile;
    args << url(tls, u"/large"_s);
    const ToolResult r = runTool(m_curl, args, 120000);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QVERIFY2(r.out.startsWith("200 "), qPrintable(r.describe()));
    qint64 size = 0;
    const QByteArray hash = fileSha256(body, &size);
    QFile::remove(body);
    QCOMPARE(size, kLargeBytes);
    QCOMPARE(hash, patternSha256(kLargeBytes));
    qInfo("%s: %.0f MB/s", QTest::currentDataTag(), r.out.split(' ').value(1).toDouble() / 1e6);
}

void DemoServerHttpTest::curlKeepAlive_data()
{
    QTest::addColumn<QStringList>("modeArgs");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("httpVersion");
    QTest::newRow("http/1.1") << QStringList{u"--http1.1"_s} << false << u"1.1"_s;
    // curl 7.88 upgrades the first request, the second rides the HTTP/2 connection.
    QTest::newRow("h2c upgrade") << QStringList{u"--http2"_s} << false << u"2"_s;
    QTest::newRow("tls alpn h2") << QStringList{} << true << u"2"_s;
    QTest::newRow("tls http/1.1") << QStringList{u"--http1.1"_s} << true << u"1.1"_s;
}

void DemoServerHttpTest::curlKeepAlive()
{
    QFETCH(QStringList, modeArgs);
    QFETCH(bool, tls);
    QFETCH(QString, httpVersion);
    QStringList args{u"-sv"_s,
                     u"-o"_s,
                     u"/dev/null"_s,
                     u"-o"_s,
                     u"/dev/null"_s,
                     u"-w"_s,
                     u"%{http_code} %{http_version} %{num_connects}\\n"_s};
    args += modeArgs;
    if (tls)
        args << u"--cacert"_s << m_caFile;
    args << url(tls, u"/headers"_s) << url(tls, u"/bytes/100"_s);
    const ToolResult r = runTool(m_curl, args);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const QString expected = u"200 %1 1\n200 %1 0\n"_s.arg(httpVersion);
    QCOMPARE(QString::fromLatin1(r.out), expected);
    QVERIFY2(r.err.contains("Re-using existing connection"), qPrintable(r.describe()));
}

// --- the Upgrade advertisement, and declined offers ------------------------------------------

void DemoServerHttpTest::upgradeAdvertisement_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QStringList>("extraArgs");
    QTest::addColumn<QString>("upgrade");    // the Upgrade header of the response
    QTest::addColumn<QString>("connection"); // its Connection header
    QTest::addColumn<QString>("declined");   // a fragment of Hopscope-Upgrade-Declined

    QTest::newRow("cleartext advertises h2c")
        << false << QStringList{u"--http1.1"_s} << u"h2c"_s << u"Upgrade"_s << QString();
    QTest::newRow("tls http/1.1 advertises h2")
        << true << QStringList{u"--http1.1"_s} << u"h2"_s << u"Upgrade"_s << QString();
    QTest::newRow("http/1.0 gets no advertisement")
        << false << QStringList{u"--http1.0"_s} << QString() << u"close"_s << QString();
    QTest::newRow("h2 over ALPN has no Upgrade")
        << true << QStringList{u"--http2"_s} << QString() << QString() << QString();
    QTest::newRow("unknown token declined")
        << false
        << QStringList{u"--http1.1"_s, u"-H"_s, u"Connection: Upgrade"_s, u"-H"_s,
                       u"Upgrade: foo/1, bar"_s}
        << QString() << QString() << u"no protocol offered in Upgrade is spoken here"_s;
    QTest::newRow("h2c over tls declined")
        << true << QStringList{u"--http1.1"_s,
                               u"-H"_s,
                               u"Connection: Upgrade, HTTP2-Settings"_s,
                               u"-H"_s,
                               u"Upgrade: h2c"_s,
                               u"-H"_s,
                               u"HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA"_s}
        << QString() << QString() << u"h2c is cleartext HTTP/2"_s;
    QTest::newRow("h2c without HTTP2-Settings declined")
        << false
        << QStringList{u"--http1.1"_s, u"-H"_s, u"Connection: Upgrade"_s, u"-H"_s,
                       u"Upgrade: h2c"_s}
        << QString() << QString() << u"exactly one HTTP2-Settings header"_s;
    QTest::newRow("Upgrade without Connection: Upgrade declined")
        << false << QStringList{u"--http1.1"_s, u"-H"_s, u"Upgrade: tcp"_s} << QString()
        << QString() << u"without “Connection: Upgrade”"_s;
}

void DemoServerHttpTest::upgradeAdvertisement()
{
    QFETCH(bool, tls);
    QFETCH(QStringList, extraArgs);
    QFETCH(QString, upgrade);
    QFETCH(QString, connection);
    QFETCH(QString, declined);
    QStringList args{u"-sS"_s, u"-D"_s, u"-"_s, u"-o"_s, u"/dev/null"_s};
    args += extraArgs;
    if (tls)
        args << u"--cacert"_s << m_caFile;
    args << url(tls, u"/status/200"_s);
    const ToolResult r = runTool(m_curl, args);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QVERIFY2(r.out.startsWith("HTTP/") && r.out.contains(" 200"), qPrintable(r.describe()));
    QCOMPARE(QString::fromLatin1(dumpedHeader(r.out, "Upgrade")), upgrade);
    QCOMPARE(QString::fromLatin1(dumpedHeader(r.out, "Connection")), connection);
    const QString reason = QString::fromUtf8(dumpedHeader(r.out, "Hopscope-Upgrade-Declined"));
    if (declined.isEmpty())
        QVERIFY2(reason.isEmpty(), qPrintable(r.describe()));
    else
        QVERIFY2(reason.contains(declined), qPrintable(r.describe()));
}

// --- precise errors from the request parser --------------------------------------------------

void DemoServerHttpTest::badRequests_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("message");

    const QByteArray big(70 * 1024, 'a');
    QTest::newRow("not a request line") << false << QByteArray("GARBAGE\r\n\r\n") << 400
                                        << QByteArray("malformed request line \"GARBAGE\"");
    QTest::newRow("double space") << false << QByteArray("GET  / HTTP/1.1\r\nHost: x\r\n\r\n")
                                  << 400 << QByteArray("malformed request line");
    QTest::newRow("missing host") << false << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400
                                  << QByteArray("missing Host header field");
    QTest::newRow("two hosts") << true << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
                               << 400 << QByteArray("2 Host header fields");
    QTest::newRow("HTTP/2.0 request line")
        << false << QByteArray("GET / HTTP/2.0\r\nHost: x\r\n\r\n") << 505
        << QByteArray("HTTP/2.0 is not an HTTP/1.x request line");
    QTest::newRow("bad version") << false << QByteArray("GET / HTTP/1.x\r\nHost: x\r\n\r\n") << 400
                                 << QByteArray("malformed HTTP version \"HTTP/1.x\"");
    QTest::newRow("space before colon")
        << false << QByteArray("GET / HTTP/1.1\r\nHost : x\r\n\r\n") << 400
        << QByteArray("whitespace between header field name \"Host\" and the colon");
    QTest::newRow("obs-fold") << true
                              << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n")
                              << 400 << QByteArray("obsolete line folding");
    QTest::newRow("no colon") << false << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nJunk\r\n\r\n")
                              << 400 << QByteArray("header line without a colon: \"Junk\"");
    QTest::newRow("control character")
        << false << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nA: b\x01\r\n\r\n") << 400
        << QByteArray("invalid character 0x01 in the value of header field A");
    QTest::newRow("content-length and chunked")
        << false
        << QByteArray("POST /headers HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n")
        << 400 << QByteArray("both Content-Length and Transfer-Encoding");
    QTest::newRow("conflicting lengths")
        << false
        << QByteArray("POST /headers HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                      "Content-Length: 4\r\n\r\n")
        << 400 << QByteArray("conflicting Content-Length values 3 and 4");
    QTest::newRow("bad content-length")
        << false << QByteArray("POST /headers HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
        << 400 << QByteArray("invalid Content-Length \"-1\"");
    QTest::newRow("unknown coding")
        << false
        << QByteArray(
               "POST /headers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
        << 501 << QByteArray("transfer coding \"gzip\" is not implemented");
    QTest::newRow("bad chunk size")
        << false
        << QByteArray("POST /headers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "zz\r\n")
        << 400 << QByteArray("invalid chunk size line \"zz\"");
    QTest::newRow("chunk longer than its size")
        << false
        << QByteArray("POST /headers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "2\r\nabc\r\n")
        << 400 << QByteArray("chunk data longer than its chunk size");
    QTest::newRow("asterisk without OPTIONS")
        << false << QByteArray("GET * HTTP/1.1\r\nHost: x\r\n\r\n") << 400
        << QByteArray("only for OPTIONS");
    QTest::newRow("relative target") << false << QByteArray("GET foo HTTP/1.1\r\nHost: x\r\n\r\n")
                                     << 400 << QByteArray("request target \"foo\" is neither");
    QTest::newRow("request line too long")
        << false << QByteArray("GET /" + big + " HTTP/1.1\r\nHost: x\r\n\r\n") << 414
        << QByteArray("request line longer than 8192 bytes");
    QTest::newRow("headers too large")
        << false << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nBig: " + big + "\r\n\r\n") << 431
        << QByteArray("request header section larger than 65536 bytes");
    QTest::newRow("CONNECT") << false << QByteArray("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n")
                             << 405 << QByteArray("not a proxy");
    // Well-formed requests, for contrast: the status comes from the route.
    QTest::newRow("chunked body with trailers")
        << false
        << QByteArray("POST /status/201 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                      "Connection: close\r\n\r\n5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nT: 1\r\n\r\n")
        << 201 << QByteArray("201 Created");
    QTest::newRow("absolute-form target")
        << false
        << QByteArray("GET http://example.test/status/202 HTTP/1.1\r\nHost: x\r\nConnection: "
                      "close\r\n\r\n")
        << 202 << QByteArray("202 Accepted");
    QTest::newRow("pipelined requests answered in order")
        << false
        << QByteArray("GET /status/201 HTTP/1.1\r\nHost: x\r\n\r\nGET /status/202 HTTP/1.1\r\n"
                      "Host: x\r\nConnection: close\r\n\r\n")
        << 201 << QByteArray("201 Created\nHTTP/1.1 202 Accepted\r\n");
    QTest::newRow("Expect: 100-continue")
        << false
        << QByteArray("POST /headers HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                      "Content-Length: 4\r\nConnection: close\r\n\r\nbody")
        << 100 << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n");
    QTest::newRow("OPTIONS *") << false
                               << QByteArray("OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: "
                                             "close\r\n\r\n")
                               << 200 << QByteArray("Allow: GET, HEAD, OPTIONS");
}

void DemoServerHttpTest::badRequests()
{
    QFETCH(bool, tls);
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QByteArray, message);
    QSslSocket socket;
    if (tls) {
        QSslConfiguration conf = socket.sslConfiguration();
        conf.setCaCertificates(QSslCertificate::fromPath(m_caFile));
        conf.setAllowedNextProtocols({QByteArrayLiteral("http/1.1")});
        socket.setSslConfiguration(conf);
        socket.connectToHostEncrypted(u"127.0.0.1"_s, m_server->tlsPort(), u"localhost"_s);
        QVERIFY2(socket.waitForEncrypted(10000), qPrintable(socket.errorString()));
    } else {
        socket.connectToHost(u"127.0.0.1"_s, m_server->plainPort());
        QVERIFY2(socket.waitForConnected(10000), qPrintable(socket.errorString()));
    }
    socket.write(request);
    QByteArray response;
    QElapsedTimer clock;
    clock.start();
    // Every case ends with the server closing: an error closes the connection, and the good
    // requests asked for it.
    while (socket.state() == QAbstractSocket::ConnectedState && clock.elapsed() < 10000) {
        socket.waitForReadyRead(200);
        response += socket.readAll();
    }
    response += socket.readAll();
    QVERIFY2(socket.state() != QAbstractSocket::ConnectedState,
             qPrintable(u"server kept the connection open:\n"_s + QString::fromUtf8(response)));
    QVERIFY2(response.startsWith("HTTP/1.1 " + QByteArray::number(status) + ' '),
             response.constData());
    QVERIFY2(response.contains(message), response.constData());
    if (status >= 400) {
        const QByteArray connection =
            dumpedHeader(response.left(response.indexOf("\r\n\r\n")), "Connection");
        QVERIFY2(connection.split(',').last().trimmed() == "close", connection.constData());
    }
}

// --- nghttp: prior knowledge, -u upgrade, TLS, multiplexing ----------------------------------

void DemoServerHttpTest::nghttp_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QStringList>("paths");
    QTest::addColumn<QString>("expect"); // a line fragment the verbose output must show

    QTest::newRow("prior knowledge")
        << QStringList{u"-nv"_s} << false << QStringList{u"/headers"_s} << u"recv SETTINGS frame"_s;
    QTest::newRow("-u upgrade") << QStringList{u"-nvu"_s} << false << QStringList{u"/stream/3"_s}
                                << u"HTTP Upgrade success"_s;
    QTest::newRow("tls alpn h2") << QStringList{u"-nv"_s} << true << QStringList{u"/headers"_s}
                                 << u"The negotiated protocol: h2"_s;
    QTest::newRow("multiplexed") << QStringList{u"-nv"_s} << false
                                 << QStringList{u"/stream/3"_s, u"/delay/200"_s, u"/bytes/300000"_s,
                                                u"/status/404"_s}
                                 << u"recv DATA frame"_s;
    QTest::newRow("-u upgrade, multiplexed")
        << QStringList{u"-nvu"_s} << false
        << QStringList{u"/headers"_s, u"/stream/2"_s, u"/bytes/70000"_s}
        << u"HTTP Upgrade success"_s;
}

void DemoServerHttpTest::nghttp()
{
    QFETCH(QStringList, args);
    QFETCH(bool, tls);
    QFETCH(QStringList, paths);
    QFETCH(QString, expect);
    for (const QString &p : paths)
        args << url(tls, p);
    const ToolResult r = runTool(m_nghttp, args);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains(expect), qPrintable(r.describe()));
    // One response per path, each with the status its route gives.
    int statuses = 0;
    for (const QString &line : out.split(u'\n')) {
        if (line.contains(u":status: "_s))
            ++statuses;
    }
    QVERIFY2(statuses == paths.size(), qPrintable(r.describe()));
    QVERIFY2(!out.contains(u"recv RST_STREAM"_s), qPrintable(r.describe()));
    QVERIFY2(out.contains(u"send GOAWAY frame"_s), qPrintable(r.describe()));
}

QTEST_GUILESS_MAIN(DemoServerHttpTest)
#include "tst_demoserver_http.moc"
