// The HTTP/2 driver on its own, below the Client, against a real nghttpd (Debian's
// nghttp2-server) over cleartext prior knowledge and TLS with ALPN h2: files small and large
// (flow control), parallel streams within the server's limit, HEAD, 404, uploads, request
// headers. tst_http2_scripted covers what a well-behaved server never shows.

#include "h2clientharness.h"
#include "nghttpdpeer.h"
#include "tlscertificate.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace hopscope;
using namespace hopscope::test::h2;
using hopscope::test::eventsOf;

namespace {

constexpr qint64 kLargeSize = 32 * 1024 * 1024;

} // namespace

class TestHttp2Nghttpd : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();

    void getFile_data();
    void getFile();
    void parallel_data();
    void parallel();
    void largeFile();
    void head();
    void notFound();
    void post_data();
    void post();
    void requestHeaders();

private:
    QString baseUrl(bool tls, quint16 port) const
    {
        return QStringLiteral("%1://127.0.0.1:%2").arg(tls ? "https" : "http").arg(port);
    }
    static QByteArray fileBody(int i)
    {
        return QByteArray("file ") + QByteArray::number(i) + '\n' +
               QByteArray(i * 37 % 5000, char('a' + i % 26));
    }

    QTemporaryDir m_dir;
    QString m_docRoot;
    QString m_cert;
    QString m_key;
    QByteArray m_small;
    QByteArray m_largeSha256;
    test::NghttpdPeer m_plain;   // cleartext, prior knowledge; echoes POST and PUT bodies
    test::NghttpdPeer m_tls;     // TLS with ALPN h2
    test::NghttpdPeer m_limited; // cleartext, at most 10 concurrent streams
};

void TestHttp2Nghttpd::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_docRoot = m_dir.filePath(QStringLiteral("htdocs"));
    QVERIFY(QDir().mkpath(m_docRoot + QStringLiteral("/files")));

    m_small = "Hello over HTTP/2.\n";
    QFile small(m_docRoot + QStringLiteral("/small.txt"));
    QVERIFY(small.open(QIODevice::WriteOnly));
    small.write(m_small);
    small.close();

    for (int i = 0; i < 100; ++i) {
        QFile f(m_docRoot + QStringLiteral("/files/%1.txt").arg(i));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(fileBody(i));
    }

    // Deterministic, incompressible, and exactly the stream window: flow control must work.
    QByteArray large(kLargeSize, Qt::Uninitialized);
    QRandomGenerator gen(20260101);
    gen.fillRange(reinterpret_cast<quint32 *>(large.data()), large.size() / 4);
    m_largeSha256 = QCryptographicHash::hash(large, QCryptographicHash::Sha256).toHex();
    QFile lf(m_docRoot + QStringLiteral("/large.bin"));
    QVERIFY(lf.open(QIODevice::WriteOnly));
    QCOMPARE(lf.write(large), kLargeSize);
    lf.close();

    m_cert = m_dir.filePath(QStringLiteral("cert.pem"));
    m_key = m_dir.filePath(QStringLiteral("key.pem"));
    QString error;
    QVERIFY2(test::writeSelfSignedCertificate(m_cert, m_key, &error), qPrintable(error));

    QVERIFY2(
        m_plain.start({.documentRoot = m_docRoot, .extraArgs = {QStringLiteral("--echo-upload")}}),
        qPrintable(m_plain.errorString()));
    QVERIFY2(m_tls.start({.documentRoot = m_docRoot, .keyFile = m_key, .certFile = m_cert}),
             qPrintable(m_tls.errorString()));
    QVERIFY2(m_limited.start({.documentRoot = m_docRoot,
                              .extraArgs = {QStringLiteral("-m"), QStringLiteral("10")}}),
             qPrintable(m_limited.errorString()));
    QVERIFY2(QSslSocket::supportsSsl(), "Qt has no working TLS backend");
}

void TestHttp2Nghttpd::getFile_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("prior knowledge") << false;
    QTest::newRow("TLS, ALPN h2") << true;
}

void TestHttp2Nghttpd::getFile()
{
    QFETCH(bool, tls);
    const quint16 port = tls ? m_tls.port() : m_plain.port();
    H2Client c(baseUrl(tls, port), tls ? m_cert : QString());
    Exchange *ex = c.add("GET", QStringLiteral("/small.txt"));
    c.start();
    QTRY_VERIFY_WITH_TIMEOUT(c.allFinished() || !c.connectError.isEmpty(), kTimeoutMs);
    QVERIFY2(c.connectError.isEmpty(), qPrintable(c.connectError));
    if (tls)
        QCOMPARE(c.conn->alpn(), QByteArray("h2"));

    QCOMPARE(c.finished.first().first, ex);
    QCOMPARE(c.finished.first().second, false);
    QVERIFY2(ex->state() == Exchange::State::Complete, qPrintable(ex->error()));
    QCOMPARE(ex->status, 200);
    QCOMPARE(ex->protocol, QByteArray("h2"));
    QCOMPARE(ex->stream, 1);
    QCOMPARE(c.body(ex), m_small);
    QCOMPARE(headerValue(ex->responseHeaders, "content-length"),
             QByteArray::number(m_small.size()));
    QVERIFY(ex->timings.sendStart >= 0 && ex->timings.sendEnd >= ex->timings.sendStart);
    QVERIFY(ex->timings.firstByte >= ex->timings.sendEnd &&
            ex->timings.end >= ex->timings.firstByte);

    const TraceStore &t = c.trace;
    // Our SETTINGS, with the windows we need for speed and push off.
    const auto settingsOut = frames(t, Direction::Out, QStringLiteral("SETTINGS"), 0);
    QVERIFY(!settingsOut.isEmpty());
    const TraceEvent &ours = settingsOut.first();
    QCOMPARE(flagsOf(ours), QStringList{});
    QCOMPARE(ours.scope.req, 0u);
    QCOMPARE(ours.toCborMap().keys().mid(0, 3), (QList<QCborValue>{"frame", "flags", "length"}));
    QCOMPARE(settingValue(ours, QStringLiteral("ENABLE_PUSH")), 0);
    QCOMPARE(settingValue(ours, QStringLiteral("INITIAL_WINDOW_SIZE")), 33554432);
    QCOMPARE(settingValue(ours, QStringLiteral("MAX_FRAME_SIZE")), 16384);
    // The server's SETTINGS, its ACK of ours and our ACK of its.
    bool serverSettings = false, serverAck = false, ourAck = false;
    for (const TraceEvent &e : frames(t, Direction::In, QStringLiteral("SETTINGS"), 0)) {
        (flagsOf(e).contains(QStringLiteral("ACK")) ? serverAck : serverSettings) = true;
    }
    for (const TraceEvent &e : settingsOut)
        ourAck = ourAck || flagsOf(e).contains(QStringLiteral("ACK"));
    QVERIFY(serverSettings);
    QVERIFY(serverAck);
    QVERIFY(ourAck);
    // The connection window goes up at once.
    const auto wuOut = frames(t, Direction::Out, QStringLiteral("WINDOW_UPDATE"), 0);
    QVERIFY(!wuOut.isEmpty());
    QCOMPARE(wuOut.first().field(Field::Increment).toInteger(), 1024 * 1024 * 1024 - 65535);

    const auto headersOut = frames(t, Direction::Out, QStringLiteral("HEADERS"), 1);
    QCOMPARE(headersOut.size(), 1);
    QCOMPARE(flagsOf(headersOut.first()),
             (QStringList{QStringLiteral("END_STREAM"), QStringLiteral("END_HEADERS")}));
    QCOMPARE(headersOut.first().scope.req, ex->id());
    QCOMPARE(frames(t, Direction::In, QStringLiteral("HEADERS"), 1).size(), 1);
    const auto dataIn = frames(t, Direction::In, QStringLiteral("DATA"), 1);
    QVERIFY(!dataIn.isEmpty());
    QVERIFY(flagsOf(dataIn.last()).contains(QStringLiteral("END_STREAM")));
    qint64 dataBytes = 0;
    for (const TraceEvent &e : dataIn)
        dataBytes += e.field(Field::Length).toInteger();
    QCOMPARE(dataBytes, m_small.size());

    bool request = false, response = false;
    for (const TraceEvent &e : eventsOf(t, EventType::H2Headers)) {
        const QCborArray h = e.field(Field::Headers).toArray();
        const QString kind = e.field(Field::Kind).toString();
        QCOMPARE(e.scope.stream, 1);
        if (e.dir == Direction::Out) {
            request = true;
            QCOMPARE(kind, QStringLiteral("request"));
            QCOMPARE(h.at(0).toArray().at(0).toString(), QStringLiteral(":method"));
            QCOMPARE(headerIn(h, ":method"), QByteArray("GET"));
            QCOMPARE(headerIn(h, ":scheme"), tls ? QByteArray("https") : QByteArray("http"));
            QCOMPARE(headerIn(h, ":authority"), "127.0.0.1:" + QByteArray::number(port));
            QCOMPARE(headerIn(h, ":path"), QByteArray("/small.txt"));
            QCOMPARE(headerIn(h, "user-agent"), "hopscope/" + QByteArray(HOPSCOPE_VERSION));
            QCOMPARE(headerIn(h, "accept"), QByteArray("*/*"));
            QVERIFY(!hasHeaderNamed(h, "host"));
        } else {
            response = true;
            QCOMPARE(kind, QStringLiteral("response"));
            QCOMPARE(headerIn(h, ":status"), QByteArray("200"));
        }
    }
    QVERIFY(request);
    QVERIFY(response);

    const auto complete = eventsOf(t, EventType::ResponseComplete);
    QCOMPARE(complete.size(), 1);
    const TraceEvent &rc = complete.first();
    QCOMPARE(rc.scope.conn, 1u);
    QCOMPARE(rc.scope.req, ex->id());
    QCOMPARE(rc.scope.stream, 1);
    QCOMPARE(rc.field(Field::Status).toInteger(), 200);
    QCOMPARE(rc.field(Field::Protocol).toString(), QStringLiteral("h2"));
    QCOMPARE(rc.field(Field::Bytes).toInteger(), m_small.size());
    const QCborMap timings = rc.field(Field::Timings).toMap();
    QCOMPARE(timings.keys(),
             (QList<QCborValue>{"dns", "connect", "tls", "send", "wait", "receive", "total"}));
    QVERIFY(timings.value(QLatin1StringView("total")).toDouble() > 0);
    QCOMPARE(timings.value(QLatin1StringView("tls")).toDouble() >= 0, tls);
    QVERIFY(eventsOf(t, EventType::Error).isEmpty());

    // Still usable: one more request rides the same connection as stream 3.
    QVERIFY(c.driver->isReusable());
    Exchange *second = c.add("GET", QStringLiteral("/small.txt"));
    c.pump();
    QTRY_VERIFY_WITH_TIMEOUT(c.allFinished(), kTimeoutMs);
    QCOMPARE(second->state(), Exchange::State::Complete);
    QCOMPARE(second->stream, 3);
    QCOMPARE(c.body(second), m_small);
}

void TestHttp2Nghttpd::parallel_data()
{
    QTest::addColumn<bool>("limited");
    QTest::newRow("server allows 100 streams") << false;
    QTest::newRow("server allows 10 streams, the rest queue") << true;
}

void TestHttp2Nghttpd::parallel()
{
    QFETCH(bool, limited);
    H2Client c(baseUrl(false, limited ? m_limited.port() : m_plain.port()));
    for (int i = 0; i < 100; ++i)
        c.add("GET", QStringLiteral("/files/%1.txt").arg(i));
    c.start(true);
    QTRY_VERIFY_WITH_TIMEOUT(c.allFinished() || !c.connectError.isEmpty(), kTimeoutMs);
    QVERIFY2(c.connectError.isEmpty(), qPrintable(c.connectError));

    QCOMPARE(c.driver->peerMaxConcurrentStreams(), limited ? 10u : 100u);
    QCOMPARE(c.maxInFlight, limited ? 10 : 100);
    QList<qint32> streams;
    for (const auto &ex : c.exchanges) {
        QVERIFY2(ex->state() == Exchange::State::Complete, qPrintable(ex->error()));
        QCOMPARE(ex->status, 200);
        QCOMPARE(ex->connectionId, 1u);
        const int i = int(ex->id()) - 1;
        QCOMPARE(c.body(ex.get()), fileBody(i));
        streams.append(ex->stream);
    }
    std::sort(streams.begin(), streams.end());
    QList<qint32> expected;
    for (int i = 0; i < 100; ++i)
        expected.append(2 * i + 1);
    QCOMPARE(streams, expected);
    QCOMPARE(eventsOf(c.trace, EventType::ResponseComplete).size(), 100);
    QVERIFY(eventsOf(c.trace, EventType::Close).isEmpty()); // one connection, never closed
    QVERIFY(c.driver->canSubmit());
    QCOMPARE(c.driver->inFlight(), 0);
}

void TestHttp2Nghttpd::largeFile()
{
    H2Client c(baseUrl(false, m_plain.port()));
    Exchange *ex = c.add("GET", QStringLiteral("/large.bin"));
    c.start();
    QTRY_VERIFY_WITH_TIMEOUT(c.allFinished() || !c.connectError.isEmpty(), kTimeoutMs);
    QVERIFY2(ex->state() == Exchange::State::Complete, qPrintable(ex->error()));
    QCOMPARE(c.body(ex).size(), kLargeSize);
    QCOMPARE(QCryptographicHash::hash(c.body(ex), QCryptographicHash::Sha256).toHex(),
             m_largeSha256);
    QCOMPARE(ex->wireBodyBytes(), kLargeSize);

    const TraceStore &t = c.trace;
    QCOMPARE(settingValue(frames(t, Direction::Out, QStringLiteral("SETTINGS"), 0).first(),
                          QStringLiteral("INITIAL_WINDOW_SIZE")),
             33554432);
    QVERIFY(!frames(t, Direction::Out, QStringLiteral("WINDOW_UPDATE")).isEmpty());
    // The stream window is refilled as the body arrives (nghttp2 does it at half the window).
    QVERIFY(!frames(t, Direction::Out, QStringLiteral("WINDOW_UPDATE"), 1).isEmpty());
    qint64 dataBytes = 0;
    const auto dataIn = frames(t, Direction::In, QStringLiteral("DATA"), 1);
    for (const TraceEvent &e : dataIn)
        dataBytes += e.field(Field::Length).toInteger();
    QCOMPARE(dataBytes, kLargeSize);
    QVERIFY(flagsOf(dataIn.last()).contains(QStringLiteral("END_STREAM")));
    // One event per frame, not per read or chunk.
    QCOMPARE(dataIn.size(), qsizetype((kLargeSize + 16383) / 16384));
    QCOMPARE(eventsOf(t, EventType::ResponseComplete).first().field(Field::Bytes).toInteger(),
             kLargeSize);
}

void TestHttp2Nghttpd::head()
{
    H2Client c(baseUrl(false, m_plain.port()));
    Exchange *ex = c.add("HEAD", QStringLiteral("/small.txt"));
    c.start();
    QTRY_VERIFY_WITH_TIMEOUT(c.allFinished() || !c.connectError.isEmpty(), kTimeoutMs);
    QVERIFY2(ex->state() == Exchange::State::Complete, qPrintable(ex->error()));
    QCOMPARE(ex->status, 200);
    // The length of the body a GET would get, and no body.
    QCOMPARE(headerValue(ex->responseHeaders, "content-length"),
             QByteArray::number(m_small.size()));
    QVERIFY(c.body(ex).isEmpty());
    QCOMPARE(ex->wireBodyBytes(), 0);
    const auto headersIn = frames(c.trace, Direction::In, QStringLiteral("HEADERS"), 1);
    QCOMPARE(headersIn.size(), 1);
    QVERIFY(flagsOf(headersIn.first()).contains(QStringLiteral("END_STREAM")));
    QVERIFY(frames(c.trace, Direction::In, QStringLiteral("DATA"), 1).isEmpty());
}

void TestHttp2Nghttpd::notFound()
{
    H2Client c(baseUrl(false, m_plain.port()));
    Exchange *ex = c.add("GET", QStringLiteral("/no/such/file"));
    c.start();
    QTRY_VERIFY_WITH_TIMEOUT(c.allFinished() || !c.connectError.isEmpty(), kTimeoutMs);
    // A 404 is a complete response, not a failure.
    QVERIFY2(ex->state() == Exchange::State::Complete, qPrintable(ex->error()));
    QCOMPARE(ex->status, 404);
    QCOMPARE(c.finished.first().second, false);
    QCOMPARE(
        eventsOf(c.trace, EventType::ResponseComplete).first().field(Field::Status).toInteger(),
        404);
    QVERIFY(eventsOf(c.trace, EventType::Error).isEmpty());
    QVERIFY(c.driver->isReusable());
}

void TestHttp2Nghttpd::post_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<bool>("fromFile");
    QTest::newRow("small, from memory") << qint64(1000) << false;
    QTest::newRow("5 MiB, from memory") << qint64(5 * 1024 * 1024) << false;
    QTest::newRow("5 MiB, streamed from a file") << qint64(5 * 1024 * 1024) << true;
}

void TestHttp2Nghttpd::post()
{
    QFETCH(qint64, size);
    QFETCH(bool, fromFile);
    QByteArray payload(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        payload[i] = char('A' + (i * 7 + i / 1000) % 26);
    QString path;
    if (fromFile) {
        path = m_dir.filePath(QStringLiteral("upload.bin"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(payload);
    }
    // The WINDOW_UPDATEs nghttpd sends as it reads the upload (up to 4 in a row in a 20 MB
    // upload) are each followed by more of our DATA: with a limit far below the default 10000
    // they are still no flood (maxIdleControlFrames).
    Http2Options options;
    options.maxIdleControlFrames = 16;
    H2Client c(baseUrl(false, m_plain.port()), {}, options);
    // nghttpd --echo-upload answers a POST with the body it received.
    Exchange *ex = c.add("POST", QStringLiteral("/small.txt"), fromFile ? QByteArray() : payload,
                         path, {{"Content-Type", "application/octet-stream"}});
    c.start();
    QTRY_VERIFY_WITH_TIMEOUT(c.allFinished() || !c.connectError.isEmpty(), kTimeoutMs);
    QVERIFY2(ex->state() == Exchange::State::Complete, qPrintable(ex->error()));
    QCOMPARE(ex->status, 200);
    QCOMPARE(c.body(ex).size(), payload.size());
    QVERIFY(c.body(ex) == payload);

    const TraceStore &t = c.trace;
    const auto headersOut = frames(t, Direction::Out, QStringLiteral("HEADERS"), 1);
    QCOMPARE(headersOut.size(), 1);
    QCOMPARE(flagsOf(headersOut.first()), QStringList{QStringLiteral("END_HEADERS")});
    const auto dataOut = frames(t, Direction::Out, QStringLiteral("DATA"), 1);
    QVERIFY(!dataOut.isEmpty());
    qint64 sent = 0;
    for (const TraceEvent &e : dataOut) {
        sent += e.field(Field::Length).toInteger();
        QCOMPARE(flagsOf(e).contains(QStringLiteral("END_STREAM")), e.seq == dataOut.last().seq);
    }
    QCOMPARE(sent, size);
    for (const TraceEvent &e : eventsOf(t, EventType::H2Headers)) {
        if (e.dir != Direction::Out)
            continue;
        const QCborArray h = e.field(Field::Headers).toArray();
        QCOMPARE(headerIn(h, ":method"), QByteArray("POST"));
        QCOMPARE(headerIn(h, "content-length"), QByteArray::number(size));
        QCOMPARE(headerIn(h, "content-type"), QByteArray("application/octet-stream"));
    }
}

void TestHttp2Nghttpd::requestHeaders()
{
    H2Client c(baseUrl(false, m_plain.port()));
    // User headers are lower-cased, connection-specific ones dropped, Host becomes :authority,
    // an empty value removes a default.
    Exchange *ex = c.add("GET", QStringLiteral("/small.txt?x=1&y=%20"), {}, {},
                         {{"X-Trace-Me", "yes"},
                          {"Connection", "keep-alive"},
                          {"Keep-Alive", "timeout=5"},
                          {"Transfer-Encoding", "chunked"},
                          {"Upgrade", "h2c"},
                          {"Proxy-Connection", "close"},
                          {"Host", "example.test"},
                          {"Accept", ""},
                          {"User-Agent", "probe/1"}});
    c.start();
    QTRY_VERIFY_WITH_TIMEOUT(c.allFinished() || !c.connectError.isEmpty(), kTimeoutMs);
    QVERIFY2(ex->state() == Exchange::State::Complete, qPrintable(ex->error()));
    QCborArray sent;
    for (const TraceEvent &e : eventsOf(c.trace, EventType::H2Headers)) {
        if (e.dir == Direction::Out)
            sent = e.field(Field::Headers).toArray();
    }
    QStringList names;
    for (const QCborValue &h : sent)
        names << h.toArray().at(0).toString();
    QCOMPARE(names, (QStringList{":method", ":scheme", ":authority", ":path", "user-agent",
                                 "x-trace-me"}));
    QCOMPARE(headerIn(sent, ":authority"), QByteArray("example.test"));
    QCOMPARE(headerIn(sent, ":path"), QByteArray("/small.txt?x=1&y=%20"));
    QCOMPARE(headerIn(sent, "user-agent"), QByteArray("probe/1"));
    QCOMPARE(headerIn(sent, "x-trace-me"), QByteArray("yes"));
}

QTEST_GUILESS_MAIN(TestHttp2Nghttpd)
#include "tst_http2_nghttpd.moc"
