// The upgrade registry is generic: a handler for a made-up token ("x-reverse"), written here
// against the public engine API only, is registered on a Client and takes a connection over
// after the 101. The peer is an in-test QTcpServer that answers the offer with 101 (optionally
// with a banner in the same write) and then reverses every line it gets. The registry's
// resolution (dedicated handler, raw-tunnel fallback, protocols the fallback must not capture)
// is checked too, and so is what happens without the fallback.

#include "client.h"
#include "core/exchange.h"
#include "net/connection.h"
#include "net/sessiondriver.h"
#include "trace/tracestore.h"
#include "traceevents.h"
#include "upgrade/rawtunnelhandler.h"
#include "upgrade/upgraderegistry.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <algorithm>
#include <memory>
#include <utility>

using namespace hopscope;
using namespace Qt::StringLiterals;

namespace {

// A line protocol: the client sends lines, the server answers each with the line reversed.
class ReverseDriver : public SessionDriver
{
    Q_OBJECT
public:
    ReverseDriver(Connection *connection, Exchange *exchange, QObject *parent)
        : SessionDriver(connection, parent), m_exchange(exchange)
    {
    }

    void start(const QByteArray &leftover)
    {
        QAbstractSocket *s = connection()->socket();
        connect(s, &QAbstractSocket::readyRead, this, &ReverseDriver::onReadyRead);
        connect(s, &QAbstractSocket::disconnected, this,
                [this] { finish("connection-closed", u"peer closed the session"_s); });
        m_exchange->protocol = "x-reverse";
        m_exchange->setState(Exchange::State::Receiving);
        // What arrived with the 101 is the start of the stream.
        m_buffer = leftover;
        takeLines();
        if (s->bytesAvailable() > 0)
            onReadyRead();
        runHeldCalls(); // what was sent from protocolSwitched() goes out now
    }

    QByteArray protocol() const override { return "x-reverse"; }
    int inFlight() const override { return m_exchange ? 1 : 0; }
    void submit(Exchange *exchange) override
    {
        failExchange(exchange, "upgrade", u"x-reverse takes no requests"_s);
    }
    void abort(const QByteArray &code, const QString &message) override { finish(code, message); }

    void sendText(const QByteArray &line) override
    {
        if (!holdUntilRunning([this, line] { sendText(line); }))
            connection()->socket()->write(line + '\n');
    }
    void sendBinary(const QByteArray &data) override { sendText(data); }
    void closeSession(int, const QString &) override { finish({}, {}); }
    bool isSessionOpen() const override { return m_exchange && connection()->isOpen(); }

signals:
    void lineReceived(const QByteArray &line);

private:
    void onReadyRead()
    {
        m_buffer += connection()->socket()->readAll();
        takeLines();
    }

    void takeLines()
    {
        qsizetype end;
        while (m_exchange && (end = m_buffer.indexOf('\n')) >= 0) {
            const QByteArray line = m_buffer.left(end);
            m_buffer.remove(0, end + 1);
            emit lineReceived(line);
            emit peerActivity();
        }
    }

    // Ends the exchange (complete when code is empty) and the connection, as a driver must.
    void finish(const QByteArray &code, const QString &message)
    {
        Exchange *ex = std::exchange(m_exchange, nullptr);
        if (!ex)
            return;
        // The base records response.complete or the error and emits finished().
        if (code.isEmpty())
            completeExchange(ex);
        else
            failExchange(ex, code, message);
        connection()->close(u"x-reverse session ended"_s);
        emit closed();
    }

    Exchange *m_exchange;
    QByteArray m_buffer;
};

// Offers `Upgrade: x-reverse` with a header of its own and records what the engine handed it.
class ReverseHandler : public UpgradeHandler
{
public:
    QByteArray token() const override { return "x-reverse"; }
    UpgradeOffer offer(const Exchange &) override
    {
        ++offers;
        UpgradeOffer o;
        o.headers.append(HttpHeader{"X-Reverse-Mode", "lines"});
        o.connectionOptions.append("X-Reverse-Mode");
        return o;
    }
    ProtocolDriver *takeOver(UpgradeContext &ctx, QString *) override
    {
        ++takeOvers;
        head = ctx.response;
        leftover = ctx.leftover;
        auto *driver = new ReverseDriver(ctx.connection, ctx.exchange, ctx.connection);
        driver->setActivation([driver, l = ctx.leftover] { driver->start(l); });
        return driver;
    }

    int offers = 0;
    int takeOvers = 0;
    ResponseHead head;
    QByteArray leftover;
};

// The peer: reads one request head, answers 101 naming the offered token (plus a banner in the
// same write), then reverses every line.
class ReversePeer : public QObject
{
    Q_OBJECT
public:
    explicit ReversePeer(QByteArray banner) : m_banner(std::move(banner))
    {
        connect(&m_server, &QTcpServer::newConnection, this, &ReversePeer::accept);
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    QString url() const { return u"http://127.0.0.1:%1/reverse"_s.arg(m_server.serverPort()); }
    static QByteArray switchHead(const QByteArray &token)
    {
        return "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: " + token +
               "\r\n\r\n";
    }

    QByteArray requestHead;

private:
    void accept()
    {
        QTcpSocket *s = m_server.nextPendingConnection();
        connect(s, &QTcpSocket::readyRead, this, [this, s] { onData(s); });
        connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
    }

    void onData(QTcpSocket *s)
    {
        m_buffer += s->readAll();
        if (requestHead.isEmpty()) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            requestHead = m_buffer.left(end + 4);
            m_buffer.remove(0, end + 4);
            QByteArray token = "x-reverse";
            for (const QByteArray &line : requestHead.split('\n')) {
                if (line.toLower().startsWith("upgrade:"))
                    token = line.mid(8).trimmed();
            }
            s->write(switchHead(token) + m_banner); // one write: the banner is leftover
        }
        qsizetype end;
        while ((end = m_buffer.indexOf('\n')) >= 0) {
            QByteArray line = m_buffer.left(end);
            m_buffer.remove(0, end + 1);
            std::reverse(line.begin(), line.end());
            s->write(line + '\n');
        }
    }

    QTcpServer m_server;
    QByteArray m_banner;
    QByteArray m_buffer;
};

using hopscope::test::eventsOf;

// What the client reported for an exchange when it finished: the client deletes the exchange
// right after, so the test keeps these values, not the pointer.
struct Outcome
{
    Exchange::State state = Exchange::State::Queued;
    int status = 0;
    QByteArray protocol;
    QByteArray errorCode;
    QString error;

    static Outcome of(const Exchange &ex)
    {
        return {ex.state(), ex.status, ex.protocol, ex.errorCode(), ex.error()};
    }
};

} // namespace

class CustomUpgradeHandlerTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void registryResolution_data();
    void registryResolution();
    void fallbackExclusions_data();
    void fallbackExclusions();
    void customHandlerTakesOver_data();
    void customHandlerTakesOver();
    void withoutFallbackTcpFails();
};

void CustomUpgradeHandlerTest::initTestCase()
{
    qRegisterMetaType<hopscope::Exchange *>();
    qRegisterMetaType<hopscope::ProtocolDriver *>();
}

void CustomUpgradeHandlerTest::registryResolution_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("expected"); // custom, fallback, dedicated (not the fallback), none

    QTest::newRow("custom") << "x-reverse"_ba << u"custom"_s;
    QTest::newRow("custom, other case") << "X-Reverse"_ba << u"custom"_s;
    QTest::newRow("tcp") << "tcp"_ba << u"fallback"_s;
    QTest::newRow("any other token") << "my-proto/2"_ba << u"fallback"_s;
    QTest::newRow("h2c is never the fallback") << "h2c"_ba << u"dedicated"_s;
    QTest::newRow("websocket is never the fallback") << "WebSocket"_ba << u"not-fallback"_s;
    QTest::newRow("h2 is never the fallback") << "h2"_ba << u"none"_s;
    QTest::newRow("empty") << QByteArray() << u"none"_s;
}

void CustomUpgradeHandlerTest::registryResolution()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, expected);
    TraceStore trace;
    Client client(&trace);
    UpgradeRegistry *registry = client.upgradeRegistry();
    QVERIFY2(registry->fallback(), "the client installs the raw tunnel as the fallback");
    auto custom = std::make_shared<ReverseHandler>();
    registry->registerHandler(custom);
    QVERIFY(registry->tokens().contains("x-reverse"));
    UpgradeHandler *h = registry->handler(token);
    if (expected == u"custom")
        QCOMPARE(h, custom.get());
    else if (expected == u"fallback")
        QCOMPARE(h, registry->fallback());
    else if (expected == u"dedicated")
        QVERIFY(h && h != registry->fallback() && h != custom.get());
    else if (expected == u"not-fallback") // websocket: its own handler, or none yet
        QVERIFY(h != registry->fallback());
    else
        QCOMPARE(h, nullptr);
}

void CustomUpgradeHandlerTest::fallbackExclusions_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<bool>("fallback"); // served by the fallback of a registry with nothing else

    QTest::newRow("tcp") << "tcp"_ba << true;
    QTest::newRow("TCP") << "TCP"_ba << true;
    QTest::newRow("websocket") << "websocket"_ba << false;
    QTest::newRow("WebSocket") << "WebSocket"_ba << false;
    QTest::newRow("h2c") << "h2c"_ba << false;
    QTest::newRow("H2C") << "H2C"_ba << false;
    QTest::newRow("h2") << "h2"_ba << false;
    QTest::newRow("h2c-like but other") << "h2c2"_ba << true;
}

void CustomUpgradeHandlerTest::fallbackExclusions()
{
    // A bare registry, so the dedicated handlers of Client cannot hide what the fallback takes.
    QFETCH(QByteArray, token);
    QFETCH(bool, fallback);
    UpgradeRegistry registry;
    QCOMPARE(registry.handler(token), nullptr);
    auto tunnel = std::make_shared<RawTunnelHandler>();
    registry.setFallback(tunnel);
    QCOMPARE(registry.handler(token), fallback ? tunnel.get() : nullptr);
    QVERIFY(registry.tokens().isEmpty()); // the fallback has no token of its own
    // A dedicated handler always wins, excluded token or not.
    auto dedicated = std::make_shared<RawTunnelHandler>(token);
    registry.registerHandler(dedicated);
    QCOMPARE(registry.handler(token.toUpper()), dedicated.get());
    registry.setFallback(nullptr);
    QCOMPARE(registry.handler("anything-else"), nullptr);
}

void CustomUpgradeHandlerTest::customHandlerTakesOver_data()
{
    QTest::addColumn<QByteArray>("banner"); // sent in the same write as the 101
    QTest::addColumn<QByteArrayList>("sends");

    QTest::newRow("no leftover, one line") << QByteArray() << QByteArrayList{"hello"};
    QTest::newRow("banner as leftover") << "ydaer\n"_ba << QByteArrayList{"hello", "world"};
    QTest::newRow("two banner lines") << "eno\nowt\n"_ba << QByteArrayList{"abc", "", "xyz"};
}

void CustomUpgradeHandlerTest::customHandlerTakesOver()
{
    QFETCH(QByteArray, banner);
    QFETCH(QByteArrayList, sends);
    ReversePeer peer(banner);
    QVERIFY(peer.listen());

    TraceStore trace;
    Client client(&trace);
    auto handler = std::make_shared<ReverseHandler>();
    client.upgradeRegistry()->registerHandler(handler); // the public engine API

    // The banner's lines first (they came with the 101), then each sent line reversed.
    QByteArrayList expected = banner.split('\n');
    expected.removeLast(); // after the last '\n' (or the whole of an empty banner)
    for (QByteArray s : sends) {
        std::reverse(s.begin(), s.end());
        expected.append(s);
    }

    QByteArrayList received;
    QPointer<ReverseDriver> session; // the connection owns the driver and may delete it
    bool sawReverseDriver = false;
    connect(&client, &Client::protocolSwitched, this, [&](Exchange *, ProtocolDriver *driver) {
        session = qobject_cast<ReverseDriver *>(driver);
        if (!session)
            return;
        sawReverseDriver = true;
        connect(session, &ReverseDriver::lineReceived, this, [&](const QByteArray &line) {
            received.append(line);
            if (received.size() == expected.size())
                session->closeSession(1000, {});
        });
        // Like the CLI: send from here; the driver holds it until it runs.
        for (const QByteArray &s : sends)
            session->sendText(s);
    });
    QSignalSpy switched(&client, &Client::protocolSwitched);
    QSignalSpy finished(&client, &Client::exchangeFinished);
    QSignalSpy allFinished(&client, &Client::allFinished);
    Outcome outcome;
    connect(&client, &Client::exchangeFinished, this,
            [&](Exchange *ex) { outcome = Outcome::of(*ex); });

    RequestSpec spec;
    spec.url = QUrl(peer.url());
    spec.upgrade = "x-reverse";
    spec.timeouts.idleMs = 10'000;
    client.enqueue(spec);
    client.start();
    QVERIFY2(allFinished.wait(15'000),
             qPrintable(u"state %1, error %2, received %3"_s.arg(int(outcome.state))
                            .arg(outcome.error, received.join(' '))));
    trace.flush();

    // The offer: the token, the handler's header and its Connection option reached the server.
    QCOMPARE(handler->offers, 1);
    QVERIFY2(peer.requestHead.contains("\r\nUpgrade: x-reverse\r\n"), peer.requestHead);
    QVERIFY2(peer.requestHead.contains("\r\nConnection: Upgrade, X-Reverse-Mode\r\n"),
             peer.requestHead);
    QVERIFY2(peer.requestHead.contains("\r\nX-Reverse-Mode: lines\r\n"), peer.requestHead);

    // The take-over: the exact 101 head and exactly the bytes that came with it.
    QCOMPARE(handler->takeOvers, 1);
    QCOMPARE(handler->head.status, 101);
    QCOMPARE(handler->head.raw, ReversePeer::switchHead("x-reverse"));
    QCOMPARE(headerValue(handler->head.headers, "upgrade"), "x-reverse"_ba);
    QCOMPARE(handler->leftover, banner);
    QCOMPARE(switched.size(), 1);
    QVERIFY2(sawReverseDriver, "protocolSwitched did not carry the handler's driver");

    // The session: every reply, in order, and the exchange finished as the driver said.
    QCOMPARE(received, expected);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(outcome.state, Exchange::State::Complete);
    QCOMPARE(outcome.status, 101);
    QCOMPARE(outcome.protocol, "x-reverse"_ba);

    const TraceBatch sw = eventsOf(trace, EventType::UpgradeSwitch);
    QCOMPARE(sw.size(), 1);
    QCOMPARE(sw.first().field(Field::Protocol).toString(), u"x-reverse"_s);
    QCOMPARE(sw.first().field(Field::LeftoverBytes).toInteger(), banner.size());
    const TraceBatch done = eventsOf(trace, EventType::ResponseComplete);
    QCOMPARE(done.size(), 1);
    QCOMPARE(done.first().field(Field::Protocol).toString(), u"x-reverse"_s);
    QCOMPARE(done.first().field(Field::Status).toInteger(), 101);
    // The dedicated handler won: the raw-tunnel fallback never saw the connection.
    QVERIFY(eventsOf(trace, EventType::RawData).isEmpty());
    QVERIFY(eventsOf(trace, EventType::Error).isEmpty());
}

void CustomUpgradeHandlerTest::withoutFallbackTcpFails()
{
    // Without the fallback, a switch to a token nobody handles is a failed upgrade: the fallback
    // is what makes `tcp` work, not some special case.
    ReversePeer peer("greeting\n"_ba);
    QVERIFY(peer.listen());
    TraceStore trace;
    Client client(&trace);
    client.upgradeRegistry()->setFallback(nullptr);
    QSignalSpy allFinished(&client, &Client::allFinished);
    Outcome outcome;
    connect(&client, &Client::exchangeFinished, this,
            [&](Exchange *ex) { outcome = Outcome::of(*ex); });
    RequestSpec spec;
    spec.url = QUrl(peer.url());
    spec.upgrade = "tcp";
    client.enqueue(spec);
    client.start();
    QVERIFY(allFinished.wait(15'000));
    QVERIFY2(peer.requestHead.contains("\r\nUpgrade: tcp\r\n"), peer.requestHead);
    QCOMPARE(outcome.state, Exchange::State::Failed);
    QCOMPARE(outcome.errorCode, "upgrade"_ba);
    QVERIFY2(outcome.error.contains(u"no handler"_s), qPrintable(outcome.error));
}

QTEST_GUILESS_MAIN(CustomUpgradeHandlerTest)
#include "tst_custom_upgrade_handler.moc"
