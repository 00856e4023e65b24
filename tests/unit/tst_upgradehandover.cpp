// The hand-over after a 101, over an in-memory socket (tests/support/upgradeharness.h): the 101
// and what the server sends next in its new protocol arrive split at every byte offset. The
// next driver must see those bytes exactly once, the exchange must end as the protocol says,
// and the trace's `net.read` events must add up to what the socket delivered (issue 16: the
// bytes that came with the 101 were counted twice).

#include "core/httpheader.h"
#include "http2/http2driver.h"
#include "net/protocoldriver.h"
#include "traceevents.h"
#include "upgrade/rawtunneldriver.h"
#include "upgradeharness.h"
#include "upgradepeerbytes.h"
#include "websocket/websocketdriver.h"
#include "websocket/websocketframe.h"

#include <QSignalSpy>
#include <QTest>

using namespace hopscope;
using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

enum class Protocol { H2c, WebSocket, RawTunnel };

const QByteArray kTunnelBytes = "220 tunnel ready\r\nmore after that\n"_ba;

RequestSpec specFor(Protocol p)
{
    RequestSpec spec;
    spec.url = QUrl(u"http://peer.test/chat"_s);
    switch (p) {
    case Protocol::H2c:
        spec.protocol = ProtocolPolicy::H2cUpgrade;
        break;
    case Protocol::WebSocket:
        spec.upgrade = "websocket";
        break;
    case Protocol::RawTunnel:
        spec.upgrade = "tcp";
        break;
    }
    spec.timeouts.idleMs = 0; // nothing may depend on time here
    return spec;
}

QByteArray switchHead(Protocol p, const QByteArray &request)
{
    switch (p) {
    case Protocol::H2c:
        return h2cSwitchHead();
    case Protocol::WebSocket:
        return webSocketSwitchHead(request);
    case Protocol::RawTunnel:
        return tunnelSwitchHead();
    }
    return {};
}

QByteArray nextProtocolBytes(Protocol p)
{
    switch (p) {
    case Protocol::H2c:
        return h2cServerBytes();
    case Protocol::WebSocket:
        return webSocketServerBytes();
    case Protocol::RawTunnel:
        return kTunnelBytes;
    }
    return {};
}

// Incoming h2.frame events of this frame type (ACKs of SETTINGS left out).
int incomingFrames(const TraceStore &trace, const QString &type)
{
    int n = 0;
    for (const TraceEvent &e : eventsOf(trace, EventType::H2Frame)) {
        if (e.dir != Direction::In || e.field(Field::Frame).toString() != type)
            continue;
        if (e.field(Field::Flags).toArray().contains(u"ACK"_s))
            continue;
        ++n;
    }
    return n;
}

} // namespace

class UpgradeHandoverTest : public QObject
{
    Q_OBJECT
private slots:
    void bytesAfterThe101_data();
    void bytesAfterThe101();
    void the101IsTheExchangesHeadForEveryHandler_data();
    void the101IsTheExchangesHeadForEveryHandler();
    void sendsBeforeActivationFollowTheLeftover_data();
    void sendsBeforeActivationFollowTheLeftover();
};

void UpgradeHandoverTest::bytesAfterThe101_data()
{
    QTest::addColumn<int>("protocol");
    QTest::addColumn<int>("split"); // the first read ends here (in 101 + next protocol's bytes)

    // The request (and so a WebSocket key) does not change a byte count: measure on one.
    const struct
    {
        Protocol p;
        const char *name;
    } protocols[] = {{Protocol::H2c, "h2c"},
                     {Protocol::WebSocket, "websocket"},
                     {Protocol::RawTunnel, "raw tunnel"}};
    for (const auto &[p, name] : protocols) {
        UpgradeHarness probe(specFor(p));
        const qsizetype total = switchHead(p, probe.submit()).size() + nextProtocolBytes(p).size();
        for (qsizetype split = 0; split < total; ++split)
            QTest::addRow("%s, split at %d", name, int(split)) << int(p) << int(split);
    }
}

void UpgradeHandoverTest::bytesAfterThe101()
{
    QFETCH(int, protocol);
    QFETCH(int, split);
    const auto p = Protocol(protocol);

    UpgradeHarness h(specFor(p));
    const QByteArray request = h.submit();
    QVERIFY(request.contains("\r\nUpgrade: "));
    const QByteArray head = switchHead(p, request);
    const QByteArray next = nextProtocolBytes(p);
    const QByteArray wire = head + next;

    // Split 0: all in one read (the 101 and everything after it come together).
    if (split > 0)
        h.socket->peerWrite(QByteArrayView(wire).first(split));
    h.socket->peerWrite(QByteArrayView(wire).sliced(split));
    if (p == Protocol::RawTunnel)
        h.socket->peerClose(); // a tunnel ends when a side closes

    QCOMPARE(h.switches, 1);
    QVERIFY(h.next);
    const TraceBatch sw = eventsOf(h.trace, EventType::UpgradeSwitch);
    QCOMPARE(sw.size(), 1);
    // What came in the read that completed the 101 head went along as leftover.
    const qint64 leftover = split >= head.size() ? split - head.size() : next.size();
    QCOMPARE(sw.first().field(Field::LeftoverBytes).toInteger(), leftover);

    // The exchange ended once, as its new protocol says.
    QCOMPARE(h.finished.size(), 1);
    QCOMPARE(h.finished.first(), h.exchange.get());
    QCOMPARE(h.retryable.first(), false);
    const Exchange &ex = *h.exchange;
    QVERIFY2(ex.state() == Exchange::State::Complete, qPrintable(ex.error()));
    QVERIFY(eventsOf(h.trace, EventType::Error).isEmpty());
    QCOMPARE(eventsOf(h.trace, EventType::ResponseComplete).size(), 1);

    // The next driver saw the bytes after the 101 exactly once.
    switch (p) {
    case Protocol::H2c:
        QCOMPARE(h.next->protocol(), "h2"_ba);
        QCOMPARE(ex.status, 200);
        QCOMPARE(ex.stream, 1);
        QCOMPARE(ex.protocol, "h2"_ba);
        QCOMPARE(h.body, "hello"_ba);
        QCOMPARE(incomingFrames(h.trace, u"SETTINGS"_s), 1);
        QCOMPARE(incomingFrames(h.trace, u"HEADERS"_s), 1);
        QCOMPARE(incomingFrames(h.trace, u"DATA"_s), 1);
        break;
    case Protocol::WebSocket: {
        QVERIFY(qobject_cast<WebSocketDriver *>(h.next));
        QCOMPARE(ex.status, 101);
        QCOMPARE(ex.protocol, "websocket"_ba);
        const TraceBatch messages = eventsOf(h.trace, EventType::WsMessage);
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages.first().dir, Direction::In);
        QCOMPARE(messages.first().field(Field::Text).toString(), u"hi"_s);
        QCOMPARE(eventsOf(h.trace, EventType::WsClose).size(), 2); // the peer's and our answer
        break;
    }
    case Protocol::RawTunnel: {
        QVERIFY(qobject_cast<RawTunnelDriver *>(h.next));
        QCOMPARE(ex.status, 101);
        QCOMPARE(ex.protocol, "tcp"_ba);
        QCOMPARE(h.body, kTunnelBytes);
        qint64 traced = 0;
        for (const TraceEvent &e : eventsOf(h.trace, EventType::RawData))
            traced += e.dir == Direction::In ? e.field(Field::Bytes).toInteger() : 0;
        QCOMPARE(traced, qint64(kTunnelBytes.size()));
        break;
    }
    }

    // Handing buffered bytes to the next driver is no read from the socket.
    QCOMPARE(h.socket->bytesDelivered(), qint64(wire.size()));
    QCOMPARE(h.netReadBytes(), h.socket->bytesDelivered());
    QCOMPARE(eventsOf(h.trace, EventType::NetRead).size(), split > 0 ? 2 : 1);
}

void UpgradeHandoverTest::the101IsTheExchangesHeadForEveryHandler_data()
{
    QTest::addColumn<int>("protocol");
    QTest::newRow("websocket") << int(Protocol::WebSocket);
    QTest::newRow("raw tunnel") << int(Protocol::RawTunnel);
}

// The HTTP/1.1 driver records the 101 in the exchange before the handler runs: a session's
// exchange shows it while the session is open, whichever handler took over.
void UpgradeHandoverTest::the101IsTheExchangesHeadForEveryHandler()
{
    QFETCH(int, protocol);
    const auto p = Protocol(protocol);
    UpgradeHarness h(specFor(p));
    const QByteArray head = switchHead(p, h.submit());
    h.socket->peerWrite(head);

    QCOMPARE(h.switches, 1);
    QVERIFY(h.finished.isEmpty()); // the session is open
    const Exchange &ex = *h.exchange;
    QCOMPARE(ex.status, 101);
    QCOMPARE(ex.reason, "Switching Protocols"_ba);
    QCOMPARE(ex.version, "HTTP/1.1"_ba);
    QCOMPARE(headerValue(ex.responseHeaders, "Connection"), "Upgrade"_ba);
    QCOMPARE(ex.state(), Exchange::State::Receiving);
    auto *session = qobject_cast<SessionDriver *>(h.next);
    QVERIFY(session);
    QVERIFY(session->isSessionOpen());
}

void UpgradeHandoverTest::sendsBeforeActivationFollowTheLeftover_data()
{
    QTest::addColumn<int>("protocol");
    QTest::newRow("websocket") << int(Protocol::WebSocket);
    QTest::newRow("raw tunnel") << int(Protocol::RawTunnel);
}

// Front ends send from Client::protocolSwitched(), which comes before activation (so that they
// are wired before the first bytes): the session holds what they send until it has taken the
// bytes that came with the 101, and sends it then, once.
void UpgradeHandoverTest::sendsBeforeActivationFollowTheLeftover()
{
    QFETCH(int, protocol);
    const auto p = Protocol(protocol);
    UpgradeHarness h(specFor(p));
    const QByteArray head = switchHead(p, h.submit());
    bool openBeforeActivation = false;
    h.beforeActivation = [&](ProtocolDriver *driver) {
        auto *session = qobject_cast<SessionDriver *>(driver);
        QVERIFY(session);
        openBeforeActivation = session->isSessionOpen();
        session->sendText("ping");
    };
    // The server's first bytes come with the 101 (no close: the session stays open).
    const QByteArray leftover = p == Protocol::WebSocket ? "\x81\x02hi"_ba : kTunnelBytes;
    h.socket->peerWrite(head + leftover);

    QCOMPARE(h.switches, 1);
    QVERIFY(openBeforeActivation);
    QVERIFY(h.finished.isEmpty());
    const EventType type = p == Protocol::WebSocket ? EventType::WsMessage : EventType::RawData;
    int in = -1;
    int out = -1;
    int outs = 0;
    const TraceBatch all = h.trace.events();
    for (int i = 0; i < all.size(); ++i) {
        const TraceEvent e = all.at(i);
        if (!e.is(type))
            continue;
        if (e.dir == Direction::In && in < 0)
            in = i;
        if (e.dir == Direction::Out) {
            out = i;
            ++outs;
        }
    }
    QVERIFY(in >= 0);
    QCOMPARE(outs, 1);
    QVERIFY2(in < out, "what was sent overtook the server's first bytes");
    const QByteArray written = h.socket->takeWritten();
    if (p == Protocol::RawTunnel) {
        QCOMPARE(written, "ping"_ba);
    } else {
        // A masked text frame: FIN|text, MASK|4, the key, then 4 masked payload bytes.
        QCOMPARE(written.size(), 2 + 4 + 4);
        QCOMPARE(quint8(written.at(0)), quint8(0x81));
        QCOMPARE(quint8(written.at(1)), quint8(0x84));
    }
}

QTEST_GUILESS_MAIN(UpgradeHandoverTest)
#include "tst_upgradehandover.moc"
