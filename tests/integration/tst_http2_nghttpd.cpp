// The HTTP/2 driver on its own, below the Client: against a real nghttpd (Debian's
// nghttp2-server) over cleartext prior knowledge and TLS with ALPN h2, and against a scripted
// in-process peer for the errors a well-behaved server never shows (GOAWAY, RST_STREAM,
// PUSH_PROMISE, an oversized header list, an HTTP/1.1 answer, a silent or vanishing server).

#include "processutil.h"
#include "traceevents.h"

#include "core/bodysink.h"
#include "core/exchange.h"
#include "core/origin.h"
#include "http2/http2driver.h"
#include "net/connection.h"
#include "trace/tracestore.h"

#include <QCborArray>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>
#include <optional>
#include <vector>

using namespace hopscope;

namespace {

constexpr int kTimeoutMs = 30000;
constexpr qint64 kLargeSize = 32 * 1024 * 1024;

class CollectSink : public BodySink
{
public:
    explicit CollectSink(QByteArray *out) : m_out(out) {}
    bool write(QByteArrayView data) override
    {
        m_out->append(data);
        return true;
    }

private:
    QByteArray *m_out;
};

quint16 freePort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    return s.serverPort();
}

// One nghttpd child on a free 127.0.0.1 port.
class Nghttpd
{
public:
    ~Nghttpd() { test::stopProcess(m_process); }

    bool start(const QString &docRoot, const QStringList &extraArgs, const QString &key = {},
               const QString &cert = {})
    {
        const QString program = test::findProgram(
            QStringLiteral("nghttpd"), {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")});
        if (program.isEmpty()) {
            m_error = QStringLiteral("nghttpd not found (apt-get install nghttp2-server)");
            return false;
        }
        m_port = freePort();
        QStringList args{QStringLiteral("-a"), QStringLiteral("127.0.0.1"), QStringLiteral("-d"),
                         docRoot};
        args += extraArgs;
        if (key.isEmpty())
            args << QStringLiteral("--no-tls") << QString::number(m_port);
        else
            args << QString::number(m_port) << key << cert;
        test::dieWithParent(m_process, SIGKILL);
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(program, args);
        if (!m_process.waitForStarted(5000)) {
            m_error = m_process.errorString();
            return false;
        }
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 10000) {
            if (m_process.state() != QProcess::Running) {
                m_error = QStringLiteral("nghttpd exited: %1")
                              .arg(QString::fromLocal8Bit(m_process.readAll()));
                return false;
            }
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            if (probe.waitForConnected(200))
                return true;
            QTest::qWait(50);
        }
        m_error = QStringLiteral("nghttpd did not listen on port %1").arg(m_port);
        return false;
    }

    quint16 port() const { return m_port; }
    QString errorString() const { return m_error; }

private:
    QProcess m_process;
    quint16 m_port = 0;
    QString m_error;
};

// The driver as the Client uses it, with nothing of the Client: one Connection, one
// Http2Driver, requests submitted as soon as canSubmit() allows and the rest on
// capacityAvailable().
class H2Client
{
public:
    explicit H2Client(QString baseUrl, QString caFile = {}, Http2Options options = {})
        : m_baseUrl(std::move(baseUrl)), m_caFile(std::move(caFile)), m_options(options)
    {
    }

    Exchange *add(const QByteArray &method, const QString &path, const QByteArray &body = {},
                  const QString &bodyFile = {}, const HeaderList &headers = {})
    {
        RequestSpec spec;
        spec.method = method;
        spec.url = QUrl(m_baseUrl + path);
        spec.body = body;
        spec.bodyFile = bodyFile;
        spec.headers = headers;
        spec.tls.caFile = m_caFile;
        spec.tls.alpn = {QByteArrayLiteral("h2")};
        bodies.push_back(std::make_unique<QByteArray>());
        exchanges.push_back(
            std::make_unique<Exchange>(quint32(exchanges.size() + 1), spec,
                                       std::make_unique<CollectSink>(bodies.back().get())));
        Exchange *ex = exchanges.back().get();
        pending.append(ex);
        return ex;
    }

    QByteArray &body(const Exchange *ex) { return *bodies.at(ex->id() - 1); }

    // waitForSettings: submit nothing before the server's SETTINGS arrived, so that its
    // MAX_CONCURRENT_STREAMS decides how many go at once. upgradeLeftover: start as after a 101
    // to h2c instead, the first exchange being stream 1 and these bytes having come with the 101.
    void start(bool waitForSettings = false, std::optional<QByteArray> upgradeLeftover = {})
    {
        Exchange *first = exchanges.front().get();
        conn = std::make_unique<Connection>(1, Origin::fromUrl(first->spec().url), first->spec(),
                                            &trace);
        QObject::connect(
            conn.get(), &Connection::ready, conn.get(), [this, waitForSettings, upgradeLeftover] {
                // As the Client does: the opening request gets the connection's phases.
                exchanges.front()->timings.setConnectionPhases(conn->timings());
                driver = new Http2Driver(conn.get(), m_options, conn.get());
                QObject::connect(driver, &ProtocolDriver::finished, conn.get(),
                                 [this](Exchange *ex, bool retryable) {
                                     finished.append({ex, retryable});
                                 });
                QObject::connect(driver, &ProtocolDriver::capacityAvailable, conn.get(),
                                 [this] { pump(); });
                QObject::connect(driver, &ProtocolDriver::closed, conn.get(),
                                 [this] { closedCount++; });
                if (upgradeLeftover) {
                    Exchange *upgraded = pending.takeFirst();
                    upgraded->timings.sendStart = upgraded->timings.sendEnd = trace.elapsedNs();
                    driver->startAfterUpgrade(upgraded, Http2Driver::settingsPayload(m_options),
                                              *upgradeLeftover);
                } else {
                    driver->startPriorKnowledge();
                }
                if (!waitForSettings)
                    pump();
            });
        QObject::connect(
            conn.get(), &Connection::failed, conn.get(),
            [this](const QByteArray &, const QString &message) { connectError = message; });
        for (const auto &ex : exchanges)
            ex->timings.start = trace.elapsedNs();
        conn->open(first->id());
    }

    void pump()
    {
        while (!pending.isEmpty() && driver->canSubmit()) {
            driver->submit(pending.takeFirst());
            maxInFlight = qMax(maxInFlight, driver->inFlight());
        }
    }

    bool allFinished() const { return finished.size() == qsizetype(exchanges.size()); }

    TraceStore trace;
    std::vector<std::unique_ptr<QByteArray>> bodies;
    std::vector<std::unique_ptr<Exchange>> exchanges;
    std::unique_ptr<Connection> conn; // declared last: goes first, with the driver it owns
    Http2Driver *driver = nullptr;
    QList<Exchange *> pending;
    QList<std::pair<Exchange *, bool>> finished;
    int maxInFlight = 0;
    int closedCount = 0;
    QString connectError;

private:
    QString m_baseUrl;
    QString m_caFile;
    Http2Options m_options;
};

using hopscope::test::eventsOf;

QStringList flagsOf(const TraceEvent &ev)
{
    QStringList out;
    for (const QCborValue &v : ev.field(Field::Flags).toArray())
        out << v.toString();
    return out;
}

TraceBatch frames(const TraceStore &trace, Direction dir, const QString &type, qint32 stream = -1)
{
    TraceBatch out;
    for (const TraceEvent &ev : eventsOf(trace, EventType::H2Frame)) {
        if (ev.dir == dir && ev.field(Field::Frame).toString() == type &&
            (stream < 0 || ev.scope.stream == stream))
            out.append(ev);
    }
    return out;
}

qint64 settingValue(const TraceEvent &ev, const QString &name)
{
    for (const QCborValue &s : ev.field(Field::Settings).toArray()) {
        if (s.toArray().at(0).toString() == name)
            return s.toArray().at(1).toInteger();
    }
    return -1;
}

// Header fields are traced as text (wireText); these tests compare bytes.
QByteArray headerIn(const QCborArray &headers, const QByteArray &name)
{
    for (const QCborValue &h : headers) {
        if (h.toArray().at(0).toString().toUtf8() == name)
            return h.toArray().at(1).toString().toUtf8();
    }
    return {};
}

bool hasHeaderNamed(const QCborArray &headers, const QByteArray &name)
{
    for (const QCborValue &h : headers) {
        if (h.toArray().at(0).toString().toUtf8() == name)
            return true;
    }
    return false;
}

// --- Frames for the scripted peer --------------------------------------------------------------

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

    void scriptedError_data();
    void scriptedError();
    void scriptedGoawayAfterResponse();
    void scriptedHeaderLimitKeepsConnection();
    void afterUpgrade_data();
    void afterUpgrade();

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
    Nghttpd m_plain;   // cleartext, prior knowledge; echoes POST and PUT bodies
    Nghttpd m_tls;     // TLS with ALPN h2
    Nghttpd m_limited; // cleartext, at most 10 concurrent streams
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
    QProcess openssl;
    openssl.setProcessChannelMode(QProcess::MergedChannels);
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-subj"),
                   QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1"),
                   QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-keyout"), m_key,
                   QStringLiteral("-out"), m_cert});
    QVERIFY2(openssl.waitForFinished(60000), "openssl did not finish");
    QVERIFY2(openssl.exitCode() == 0, openssl.readAll().constData());

    QVERIFY2(m_plain.start(m_docRoot, {QStringLiteral("--echo-upload")}),
             qPrintable(m_plain.errorString()));
    QVERIFY2(m_tls.start(m_docRoot, {}, m_key, m_cert), qPrintable(m_tls.errorString()));
    QVERIFY2(m_limited.start(m_docRoot, {QStringLiteral("-m"), QStringLiteral("10")}),
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
    H2Client c(baseUrl(false, m_plain.port()));
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

void TestHttp2Nghttpd::scriptedError_data()
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

void TestHttp2Nghttpd::scriptedError()
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

void TestHttp2Nghttpd::scriptedGoawayAfterResponse()
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

void TestHttp2Nghttpd::scriptedHeaderLimitKeepsConnection()
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

void TestHttp2Nghttpd::afterUpgrade_data()
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

void TestHttp2Nghttpd::afterUpgrade()
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

QTEST_GUILESS_MAIN(TestHttp2Nghttpd)
#include "tst_http2_nghttpd.moc"
