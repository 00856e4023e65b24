// The HTTP/2 driver on its own, below the Client, against a scripted in-process peer for the
// errors a well-behaved server never shows (GOAWAY, RST_STREAM, PUSH_PROMISE, an oversized
// header list, an HTTP/1.1 answer, a silent or vanishing server), and for the start after an
// h2c upgrade. tst_http2_nghttpd covers a real server.

#include "h2clientharness.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace hopscope;
using namespace hopscope::test::h2;
using hopscope::test::eventsOf;

namespace {

// --- Frames for the scripted peer ------------------------------------------------------------

QByteArray be32(quint32 v)
{
    QByteArray b(4, '\0');
    b[0] = char(v >> 24);
    b[1] = char(v >> 16);
    b[2] = char(v >> 8);
    b[3] = char(v);
    return b;
}

QByteArray frame(quint8 type, quint8 flags, quint32 stream, const QByteArray &payload = {})
{
    QByteArray f;
    const auto n = quint32(payload.size());
    f.append(char(n >> 16)).append(char(n >> 8)).append(char(n));
    f.append(char(type)).append(char(flags));
    f.append(be32(stream & 0x7fffffff));
    return f + payload;
}

QByteArray serverPreface()
{
    return frame(0x4, 0, 0) + frame(0x4, 0x1, 0); // SETTINGS, and the ACK of ours
}

QByteArray hpackInteger(quint32 value, quint8 prefixBits, quint8 firstByteFlags)
{
    const quint32 max = (1u << prefixBits) - 1;
    QByteArray out;
    if (value < max) {
        out.append(char(firstByteFlags | value));
        return out;
    }
    out.append(char(firstByteFlags | max));
    value -= max;
    while (value >= 128) {
        out.append(char((value & 0x7f) | 0x80));
        value >>= 7;
    }
    out.append(char(value));
    return out;
}

// Literal header field without indexing, new name (RFC 7541 §6.2.2), no Huffman.
QByteArray hpackLiteral(const QByteArray &name, const QByteArray &value)
{
    return QByteArray(1, '\0') + hpackInteger(quint32(name.size()), 7, 0) + name +
           hpackInteger(quint32(value.size()), 7, 0) + value;
}

const QByteArray kStatus200("\x88"); // HPACK static table index 8

// Answers the first bytes of each connection with a fixed script.
class ScriptedPeer
{
public:
    bool start(QByteArray script, bool closeAfter)
    {
        m_script = std::move(script);
        m_closeAfter = closeAfter;
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                QObject::connect(s, &QTcpSocket::readyRead, s, [this, s] {
                    received += s->readAll();
                    if (s->property("answered").toBool())
                        return;
                    s->setProperty("answered", true);
                    s->write(m_script);
                    if (m_closeAfter)
                        s->disconnectFromHost();
                });
            }
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString baseUrl() const
    {
        return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort());
    }
    QByteArray received;

private:
    QTcpServer m_server;
    QByteArray m_script;
    bool m_closeAfter = false;
};

} // namespace

class TestHttp2Scripted : public QObject
{
    Q_OBJECT
private slots:
    void scriptedError_data();
    void scriptedError();
    void scriptedGoawayAfterResponse();
    void scriptedHeaderLimitKeepsConnection();
    void afterUpgrade_data();
    void afterUpgrade();
};

void TestHttp2Scripted::scriptedError_data()
{
    QTest::addColumn<QByteArray>("script");
    QTest::addColumn<bool>("closeAfter");
    QTest::addColumn<int>("idleMs");
    QTest::addColumn<QByteArray>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("retryable");
    QTest::addColumn<QString>("frameOut"); // a frame we must have sent in answer, or empty

    const QByteArray pre = serverPreface();
    QTest::newRow("GOAWAY before processing")
        << pre + frame(0x7, 0, 0, be32(0) + be32(0xb) + "bye") << false << 0
        << QByteArray("h2-goaway:ENHANCE_YOUR_CALM")
        << QStringLiteral("stream 1 not processed: server sent GOAWAY (ENHANCE_YOUR_CALM, last "
                          "stream 0): \"bye\"")
        << true << QString();
    QTest::newRow("RST_STREAM REFUSED_STREAM")
        << pre + frame(0x3, 0, 1, be32(0x7)) << false << 0 << QByteArray("h2-rst:REFUSED_STREAM")
        << QStringLiteral("stream 1 reset by the server: REFUSED_STREAM") << true << QString();
    QTest::newRow("RST_STREAM mid-body")
        << pre + frame(0x1, 0x4, 1, kStatus200) + frame(0x0, 0, 1, "partial") +
               frame(0x3, 0, 1, be32(0x2))
        << false << 0 << QByteArray("h2-rst:INTERNAL_ERROR")
        << QStringLiteral("stream 1 reset by the server: INTERNAL_ERROR after 7 body bytes")
        << false << QString();
    QTest::newRow("PUSH_PROMISE")
        << pre + frame(0x5, 0x4, 1, be32(2) + "\x82\x84\x86" + hpackLiteral(":authority", "x"))
        << false << 0 << QByteArray("h2-push")
        << QStringLiteral("server sent PUSH_PROMISE although push is disabled") << false
        << QStringLiteral("GOAWAY");
    QTest::newRow("HTTP/1.1 answer to prior knowledge")
        << QByteArray("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        << true << 0 << QByteArray("h2-not-spoken")
        << QStringLiteral("the server answered in HTTP/1.x (\"HTTP/1.1 400 Bad Request\")") << false
        << QStringLiteral("GOAWAY");
    QTest::newRow("content-length without the body")
        << pre + frame(0x1, 0x5, 1, kStatus200 + hpackLiteral("content-length", "5")) << false << 0
        << QByteArray("h2-stream:PROTOCOL_ERROR")
        << QStringLiteral("stream 1 reset by hopscope (PROTOCOL_ERROR): invalid HEADERS frame")
        << false << QStringLiteral("RST_STREAM");
    QTest::newRow("no SETTINGS first (missing preface)")
        << frame(0x8, 0, 0, be32(100)) + frame(0x4, 0, 0) << false << 0 << QByteArray("h2-preface")
        << QStringLiteral("the server did not start with a SETTINGS frame") << false
        << QStringLiteral("GOAWAY");
    QTest::newRow("server goes silent") << pre << false << 300 << QByteArray("timeout")
                                        << QStringLiteral("idle timeout: no data for 0.3 s with "
                                                          "1 stream open")
                                        << false << QStringLiteral("GOAWAY");
    QTest::newRow("server closes with a stream open")
        << pre << true << 0 << QByteArray("connection-closed")
        << QStringLiteral("connection closed by the server with 1 stream open") << false
        << QString();
    QTest::newRow("too many CONTINUATIONs")
        << pre + frame(0x1, 0, 1, kStatus200) + frame(0x9, 0, 1, "") + frame(0x9, 0, 1, "") +
               frame(0x9, 0, 1, "") + frame(0x9, 0x4, 1, "")
        << false << 0 << QByteArray("limit:maxContinuations")
        << QStringLiteral("more than 2 CONTINUATION frames") << false << QString();
}

void TestHttp2Scripted::scriptedError()
{
    QFETCH(QByteArray, script);
    QFETCH(bool, closeAfter);
    QFETCH(int, idleMs);
    QFETCH(QByteArray, code);
    QFETCH(QString, message);
    QFETCH(bool, retryable);
    QFETCH(QString, frameOut);

    ScriptedPeer peer;
    QVERIFY(peer.start(script, closeAfter));
    Http2Options options;
    options.idleMs = idleMs;
    options.maxContinuations = 2;
    H2Client c(peer.baseUrl(), {}, options);
    Exchange *ex = c.add("GET", QStringLiteral("/"));
    c.start();
    QTRY_VERIFY_WITH_TIMEOUT(c.allFinished() || !c.connectError.isEmpty(), kTimeoutMs);
    QVERIFY2(c.connectError.isEmpty(), qPrintable(c.connectError));
    QCOMPARE(ex->state(), Exchange::State::Failed);
    QCOMPARE(ex->errorCode(), code);
    QVERIFY2(ex->error().contains(message), qPrintable(ex->error()));
    QCOMPARE(c.finished.first().second, retryable);
    QCOMPARE(ex->stream, 1);
    if (!frameOut.isEmpty())
        QVERIFY(!frames(c.trace, Direction::Out, frameOut).isEmpty());
    // Each ends with an `error` that says it, also when the client may retry it elsewhere.
    bool errorTraced = false;
    for (const TraceEvent &e : eventsOf(c.trace, EventType::Error))
        errorTraced = errorTraced || e.field(Field::Message).toString().contains(message);
    QVERIFY(errorTraced);
    // Stream errors leave the connection usable; connection errors close it.
    if (code.startsWith("h2-rst:") || code.startsWith("h2-stream:")) {
        QVERIFY(c.driver->isReusable());
        QCOMPARE(c.closedCount, 0);
    } else {
        QTRY_COMPARE_WITH_TIMEOUT(c.closedCount, 1, kTimeoutMs);
        QCOMPARE(c.conn->state(), Connection::State::Closed);
        QVERIFY(!c.driver->isReusable());
    }
    if (code.startsWith("h2-stream:")) {
        // The frame nghttp2 rejected is in the trace all the same, marked invalid.
        bool invalidTraced = false;
        for (const TraceEvent &e : frames(c.trace, Direction::In, QStringLiteral("HEADERS"), 1))
            invalidTraced = invalidTraced || e.field(Field::Invalid).isValid();
        QVERIFY(invalidTraced);
    }
    if (code == "h2-rst:INTERNAL_ERROR")
        QCOMPARE(ex->bodyPreview, QByteArray("partial"));
}

void TestHttp2Scripted::scriptedGoawayAfterResponse()
{
    // A graceful GOAWAY keeps what completed and closes once nothing is left.
    ScriptedPeer peer;
    QVERIFY(peer.start(serverPreface() + frame(0x1, 0x4, 1, kStatus200) + frame(0x0, 0x1, 1, "ok") +
                           frame(0x7, 0, 0, be32(1) + be32(0) + "maintenance"),
                       false));
    H2Client c(peer.baseUrl());
    Exchange *ex = c.add("GET", QStringLiteral("/"));
    c.start();
    QTRY_VERIFY_WITH_TIMEOUT(c.allFinished(), kTimeoutMs);
    QVERIFY2(ex->state() == Exchange::State::Complete, qPrintable(ex->error()));
    QCOMPARE(c.body(ex), QByteArray("ok"));
    QTRY_COMPARE_WITH_TIMEOUT(c.closedCount, 1, kTimeoutMs);
    QVERIFY(!c.driver->isReusable());
    QVERIFY(!c.driver->canSubmit());
    QVERIFY(eventsOf(c.trace, EventType::Error).isEmpty());
    const auto goaway = frames(c.trace, Direction::In, QStringLiteral("GOAWAY"), 0);
    QCOMPARE(goaway.size(), 1);
    QCOMPARE(goaway.first().field(Field::Debug).toString(), QStringLiteral("maintenance"));
    QCOMPARE(goaway.first().field(Field::LastStreamId).toInteger(), 1);
    const auto close = eventsOf(c.trace, EventType::Close);
    QCOMPARE(close.size(), 1);
    QVERIFY(
        close.first().field(Field::Reason).toString().contains(QStringLiteral("GOAWAY NO_ERROR")));
}

void TestHttp2Scripted::scriptedHeaderLimitKeepsConnection()
{
    // An oversized header list resets that stream only.
    ScriptedPeer peer;
    QVERIFY(peer.start(
        serverPreface() +
            frame(0x1, 0x5, 1, kStatus200 + hpackLiteral("x-big", QByteArray(2000, 'a'))),
        false));
    Http2Options options;
    options.maxHeaderListSize = 1000;
    H2Client c(peer.baseUrl(), {}, options);
    Exchange *ex = c.add("GET", QStringLiteral("/"));
    c.start();
    QTRY_VERIFY_WITH_TIMEOUT(c.allFinished(), kTimeoutMs);
    QCOMPARE(ex->state(), Exchange::State::Failed);
    QCOMPARE(ex->errorCode(), QByteArray("limit:maxHeaderBytes"));
    QVERIFY2(ex->error().contains(QStringLiteral("stream 1 exceed 1000 bytes")),
             qPrintable(ex->error()));
    QCOMPARE(c.finished.first().second, false);
    QTRY_VERIFY_WITH_TIMEOUT(
        !frames(c.trace, Direction::Out, QStringLiteral("RST_STREAM"), 1).isEmpty(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(c.driver->inFlight(), 0, kTimeoutMs);
    QVERIFY(c.driver->isReusable());
    QCOMPARE(c.closedCount, 0);
}

void TestHttp2Scripted::afterUpgrade_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("GET") << QByteArray("GET")
                         << frame(0x1, 0x4, 1, kStatus200) + frame(0x0, 0x1, 1, "hello")
                         << QByteArray("hello");
    // nghttp2 must know stream 1 was a HEAD, or content-length without a body is an error.
    QTest::newRow("HEAD") << QByteArray("HEAD")
                          << frame(0x1, 0x5, 1, kStatus200 + hpackLiteral("content-length", "5"))
                          << QByteArray();
}

void TestHttp2Scripted::afterUpgrade()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, response);
    QFETCH(QByteArray, body);
    // The server's SETTINGS came in the same read as the 101 (the leftover); the response to
    // the upgraded request follows once our preface arrives.
    ScriptedPeer peer;
    QVERIFY(peer.start(frame(0x4, 0x1, 0) + response, false));
    H2Client c(peer.baseUrl());
    Exchange *upgraded = c.add(method, QStringLiteral("/"));
    Exchange *next = c.add("GET", QStringLiteral("/next"));
    c.start(false, frame(0x4, 0, 0, QByteArray("\x00\x03\x00\x00\x00\x40", 6)));
    QTRY_VERIFY_WITH_TIMEOUT(c.finished.size() >= 1 || !c.connectError.isEmpty(), kTimeoutMs);
    QCOMPARE(c.finished.first().first, upgraded);
    QVERIFY2(upgraded->state() == Exchange::State::Complete, qPrintable(upgraded->error()));
    QCOMPARE(upgraded->stream, 1);
    QCOMPARE(upgraded->protocol, QByteArray("h2"));
    QCOMPARE(c.body(upgraded), body);
    QVERIFY(peer.received.startsWith("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
    // The SETTINGS of the offer go out once (nghttp2_session_upgrade2 submits them), and the
    // server's SETTINGS from the leftover were applied before anything else.
    int ourSettings = 0;
    for (const TraceEvent &e : frames(c.trace, Direction::Out, QStringLiteral("SETTINGS"), 0))
        ourSettings += flagsOf(e).isEmpty() ? 1 : 0;
    QCOMPARE(ourSettings, 1);
    QCOMPARE(c.driver->peerMaxConcurrentStreams(), 64u);
    const auto rc = eventsOf(c.trace, EventType::ResponseComplete);
    QCOMPARE(rc.size(), 1);
    QCOMPARE(rc.first().scope.stream, 1);
    QCOMPARE(rc.first().field(Field::Protocol).toString(), QStringLiteral("h2"));
    // Later requests ride the connection as stream 3.
    QTRY_VERIFY_WITH_TIMEOUT(
        !frames(c.trace, Direction::Out, QStringLiteral("HEADERS"), 3).isEmpty(), kTimeoutMs);
    QCOMPARE(next->stream, 3);
}

QTEST_GUILESS_MAIN(TestHttp2Scripted)
#include "tst_http2_scripted.moc"
