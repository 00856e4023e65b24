// One accounting for every driver, over an in-memory socket (tests/support/memorysocket.h): the
// trace's `net.write` events add up to exactly the bytes that reached the peer, and its
// `net.read` events to the bytes the peer sent, whatever the connection ended up speaking
// (issue 16: a raw tunnel's sends and an HTTP/1.1 request body were missing from `net.write`).
// A close drops nothing silently: what a driver wrote and the socket could not send any more is
// the `close` event's `unsent` (issue 16: a SETTINGS ACK traced, then dropped by the close).

#include "http1/http1driver.h"
#include "net/sessiondriver.h"
#include "traceevents.h"
#include "upgradeharness.h"
#include "upgradepeerbytes.h"

#include <QCoreApplication>
#include <QTest>

using namespace hopscope;
using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

enum class Run { Http1Body, H2c, WebSocket, RawTunnel };

RequestSpec specFor(Run run)
{
    RequestSpec spec;
    spec.url = QUrl(u"http://peer.test/chat"_s);
    spec.timeouts.idleMs = 0; // nothing may depend on time here
    switch (run) {
    case Run::Http1Body:
        spec.method = "POST";
        spec.body = QByteArray(5000, 'b');
        break;
    case Run::H2c:
        spec.protocol = ProtocolPolicy::H2cUpgrade;
        break;
    case Run::WebSocket:
        spec.upgrade = "websocket";
        break;
    case Run::RawTunnel:
        spec.upgrade = "tcp";
        break;
    }
    return spec;
}

// Lets the socket's queued work run: bytes left waiting go out, bytesWritten() is said.
void turnEventLoop()
{
    for (int i = 0; i < 3; ++i)
        QCoreApplication::sendPostedEvents();
}

SessionDriver *session(const UpgradeHarness &h)
{
    return qobject_cast<SessionDriver *>(h.next.data());
}

// Plays the server's side of a whole run after the request went out; the client writes in
// between (its preface and SETTINGS, an ACK, a message, the answer to a close).
void playServer(Run run, UpgradeHarness &h, const QByteArray &request)
{
    switch (run) {
    case Run::Http1Body:
        h.socket->peerWrite("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        break;
    case Run::H2c:
        h.socket->peerWrite(h2cSwitchHead() + h2cServerBytes());
        break;
    case Run::WebSocket:
        h.socket->peerWrite(webSocketSwitchHead(request));
        QVERIFY(session(h));
        session(h)->sendText("ping");
        turnEventLoop();
        h.socket->peerWrite(webSocketServerBytes()); // "hi", then the server's close
        break;
    case Run::RawTunnel:
        h.socket->peerWrite(tunnelSwitchHead() + "greeting\n");
        QVERIFY(session(h));
        session(h)->sendText("ping");
        session(h)->sendBinary("\x00\x01"_ba);
        turnEventLoop();
        session(h)->closeSession();
        break;
    }
    turnEventLoop();
}

qint64 closeUnsent(const TraceStore &trace)
{
    const TraceBatch closes = eventsOf(trace, EventType::Close);
    return closes.isEmpty() ? -1 : closes.last().field(Field::Unsent).toInteger(0);
}

} // namespace

class WireAccountingTest : public QObject
{
    Q_OBJECT
private slots:
    void netEventsAddUpToTheWire_data();
    void netEventsAddUpToTheWire();
    void closeReportsWhatNeverLeft_data();
    void closeReportsWhatNeverLeft();
};

void WireAccountingTest::netEventsAddUpToTheWire_data()
{
    QTest::addColumn<int>("run");
    QTest::newRow("HTTP/1.1 request body") << int(Run::Http1Body);
    QTest::newRow("h2c upgrade") << int(Run::H2c);
    QTest::newRow("websocket") << int(Run::WebSocket);
    QTest::newRow("raw tunnel") << int(Run::RawTunnel);
}

void WireAccountingTest::netEventsAddUpToTheWire()
{
    QFETCH(int, run);
    UpgradeHarness h(specFor(Run(run)));
    const QByteArray request = h.submit();
    playServer(Run(run), h, request);
    if (QTest::currentTestFailed())
        return;

    QCOMPARE(h.finished.size(), 1);
    QVERIFY2(h.exchange->state() == Exchange::State::Complete, qPrintable(h.exchange->error()));
    // The client wrote more than the request: its body, or whatever the new protocol sent.
    QVERIFY(h.socket->bytesSent() > request.size() ||
            (Run(run) == Run::Http1Body && request.size() > 5000));
    QCOMPARE(h.netWriteBytes(), h.socket->bytesSent());
    QCOMPARE(h.netReadBytes(), h.socket->bytesDelivered());

    // The run ends (a keep-alive or HTTP/2 connection is still open): nothing was left behind.
    h.connection->close(u"run finished"_s);
    QCOMPARE(closeUnsent(h.trace), qint64(0));
    QCOMPARE(h.netWriteBytes(), h.socket->bytesSent());
}

void WireAccountingTest::closeReportsWhatNeverLeft_data()
{
    QTest::addColumn<int>("run");
    QTest::newRow("h2c upgrade: SETTINGS ACK") << int(Run::H2c);
    QTest::newRow("raw tunnel: a send") << int(Run::RawTunnel);
}

// The run ends (the CLI's "run finished") while the last writes still wait in the socket. A real
// socket gets them out first (Connection::close flushes); this one cannot, so the close must say
// how many bytes never left instead of a trace that claims them.
void WireAccountingTest::closeReportsWhatNeverLeft()
{
    QFETCH(int, run);
    UpgradeHarness h(specFor(Run(run)));
    h.socket->setWritesWaitForEventLoop(true);
    h.submit();
    turnEventLoop(); // the request leaves
    QVERIFY(h.socket->bytesSent() > 0);
    if (Run(run) == Run::H2c) {
        h.socket->peerWrite(h2cSwitchHead() + h2cServerBytes());
    } else {
        h.socket->peerWrite(tunnelSwitchHead());
        QVERIFY(session(h));
        session(h)->sendText("ping");
    }
    QVERIFY(h.socket->bytesToWrite() > 0);
    h.connection->close(u"run finished"_s);

    QVERIFY(h.socket->isClosedLocally());
    QVERIFY(h.socket->bytesDropped() > 0);
    QCOMPARE(closeUnsent(h.trace), h.socket->bytesDropped());
    QCOMPARE(h.netWriteBytes() - closeUnsent(h.trace), h.socket->bytesSent());
    // Nothing is written, and so nothing traced, after the close.
    const TraceBatch all = h.trace.events();
    qsizetype closeAt = -1;
    for (qsizetype i = 0; i < all.size(); ++i) {
        if (all.at(i).is(EventType::Close))
            closeAt = i;
        else if (closeAt >= 0)
            QVERIFY2(!all.at(i).is(EventType::NetWrite) && !all.at(i).is(EventType::H2Frame),
                     "a write traced after the close");
    }
}

QTEST_GUILESS_MAIN(WireAccountingTest)
#include "tst_wireaccounting.moc"
