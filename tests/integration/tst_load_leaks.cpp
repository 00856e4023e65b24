// Load and leaks (issue 11), with the engine in process: the Client (engine/client.h) against
// the embedded demo server, both in the test's thread, so that what is measured covers both ends
// of every exchange. The cases are the issue's: 10,000 requests in one run (h2c multiplexed,
// HTTP/1.1 keep-alive), 100 connections at once to one server, 10,000 WebSocket messages over
// one connection, echoed, and a long h2c session with streams opened and closed continuously.
//
// Each case runs a warm-up round, then repeats of the same size, and reads the live heap (bytes
// allocated and not freed, tests/support/liveheap.h; not the RSS) once everything has settled
// after each round. It must stay flat: within kFlatBytes of where it was after repeat 1, its
// floor rising by less than kBytesPerExchange for each exchange finished. The trace is consumed
// as a front end consumes it (each batch looked at once, nothing kept) and must show every
// exchange complete.
// In the sanitizer tree (scripts/sanitize.sh) LeakSanitizer checks at exit that nothing leaked
// outright; this test adds what it cannot see: memory still referenced but growing with use.

#include "liveheap.h"

#include "client.h"
#include "core/exchange.h"
#include "core/protocolchoice.h"
#include "demoserver.h"
#include "trace/tracestore.h"
#include "websocket/websocketdriver.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <deque>
#include <memory>

using namespace hopscope;
using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

// What the live heap may do after repeat 1 (figures in docs/testing.md, "Load and leaks").
// Settled, it still moves between rounds by what buffers happen to hold when a round ends
// (which ones is not pinned down: ASan's memory profile shows 16 arrays grown by realloc whose
// sizes vary, inside Qt). Measured: within 310 KiB either way in the normal tree; under ASan up to
// +343 KiB in the WebSocket case (+710 KiB once, before the demo server's buffers were fixed),
// 65 KiB elsewhere. Those are spikes around a floor, not a climb, so two bounds:
//  - every repeat within kFlatBytes of repeat 1 (500 B of headers kept per request, as tried
//    below, made 1.1-1.9 MiB a round);
//  - the floor (the lowest figure) of the later half of the repeats above that of the earlier
//    half by less than kBytesPerExchange for each exchange finished in between. Measured: at
//    most 10 B in the normal tree, 27 B under ASan (its WebSocket case), 0.0-1.3 B with 100
//    connections. Tried: keeping each response's headers in the test (some 500 B) fails every
//    request case in both trees, keeping a 16-byte QByteArray (about 65 B) three of five.
constexpr qint64 kFlatBytes = 1024 * 1024;
constexpr double kBytesPerExchange = 64;

enum class Load {
    H2cMultiplexed,  // one run, one connection, every request of a round in flight at once
    Http1KeepAlive,  // one run, one connection, one request after the other
    ManyConnections, // a new run each round: 100 requests, each on its own connection, at once
    WebSocketEcho,   // one session: messages sent and echoed, 16 in flight
    H2cSession,      // one connection for the whole case: 8 streams open at any time, replaced
                     // as they close, mixing bodies both ways
};

// How many exchanges (requests, or WebSocket messages) of a round are in flight at once.
constexpr int kManyConnections = 100;
constexpr int kWebSocketWindow = 16;
constexpr int kSessionStreams = 8;
// A round takes about a second under ASan; this only ends a hung one.
constexpr int kRoundTimeoutMs = 120'000;

// The trace as a front end reads it: every batch looked at once, then dropped (the store retains
// nothing), counting what the checks need.
struct TraceTally
{
    qint64 events = 0;
    qint64 complete = 0;
    qint64 failed = 0;
    qint64 errors = 0;
    qint64 connects = 0;
    qint64 wsIn = 0;
    qint64 wsOut = 0;
    // Connections opened in a round before its first response completed (ManyConnections).
    qint64 connectsBeforeFirstComplete = 0;
    bool roundCompleted = false;
    QString firstProblem;

    void take(const TraceBatch &batch)
    {
        for (const TraceEvent &e : batch) {
            ++events;
            switch (e.type) {
            case EventType::ResponseComplete:
                ++complete;
                roundCompleted = true;
                break;
            case EventType::RequestFailed:
                ++failed;
                break;
            case EventType::Error:
                ++errors;
                if (firstProblem.isEmpty())
                    firstProblem = QString::fromUtf8(e.field(Field::Code).toUtf8()) + u": "_s +
                                   e.field(Field::Message).toString();
                break;
            case EventType::Connect:
                ++connects;
                if (!roundCompleted)
                    ++connectsBeforeFirstComplete;
                break;
            case EventType::WsMessage:
                ++(e.dir == Direction::In ? wsIn : wsOut);
                break;
            default:
                break;
            }
        }
    }
};

// The request `i` of a round sends: light requests with a body now and then, so that DATA
// frames, flow control and the body path are part of every case.
RequestSpec requestFor(const QString &base, Load load, qint64 i)
{
    RequestSpec spec;
    spec.protocol = load == Load::H2cMultiplexed || load == Load::H2cSession
                        ? ProtocolPolicy::H2cPrior
                        : ProtocolPolicy::Http1Only;
    spec.timeouts.totalMs = 60'000;
    if (load == Load::ManyConnections) {
        // Long enough for all 100 to be open before the first answer.
        spec.url = QUrl(base + u"/delay/300"_s);
    } else if (i % 4 == 0) {
        spec.url = QUrl(base + u"/bytes/%1"_s.arg(1000 + i % 3000));
    } else if (load == Load::H2cSession && i % 4 == 1) {
        spec.method = "POST";
        spec.url = QUrl(base + u"/headers"_s);
        spec.body = QByteArray(500 + i % 1500, 'p');
    } else {
        spec.url = QUrl(base + u"/status/204"_s);
    }
    return spec;
}

// The message `i` of the WebSocket case: text of varying length, every fifth binary.
QByteArray messageFor(qint64 i)
{
    if (i % 5 == 4)
        return QByteArray(2000 + i % 2000, char(i % 256));
    return "message " + QByteArray::number(i) + ' ' + QByteArray(i % 200, 'm');
}

// One case from its first round to its end: the client (kept for the whole case, or made anew
// each round for ManyConnections), its trace and what the rounds counted.
class LoadSession
{
public:
    LoadSession(Load load, DemoServer *demo) : m_load(load), m_demo(demo)
    {
        m_trace.setRetainEvents(false);
        QObject::connect(&m_trace, &TraceStore::eventsAppended, &m_trace,
                         [this](const TraceBatch &batch) { m_tally.take(batch); });
    }
    ~LoadSession() { end(); }

    // Runs `count` exchanges and waits for all of them; false with *why when one did not
    // complete, or the round did not look like its case.
    bool runRound(int count, QString *why);
    // Ends the session (the WebSocket close handshake, the connections closed).
    bool end(QString *why = nullptr);

    const TraceTally &tally() const { return m_tally; }
    qint64 exchanges() const { return m_exchanges; }
    // ManyConnections: the live heap with the last round's 100 connections open (-1: none).
    qint64 heapInFlight() const { return m_heapInFlight; }

private:
    bool runRequests(int count, QString *why);
    bool runMessages(int count, QString *why);
    bool openWebSocket(QString *why);
    void sendMessage();
    Client *client();

    Load m_load;
    DemoServer *m_demo;
    TraceStore m_trace;
    TraceTally m_tally;
    std::unique_ptr<Client> m_client;
    qint64 m_exchanges = 0;
    qint64 m_nextRequest = 0;
    qint64 m_heapInFlight = -1;
    // The WebSocket case.
    QPointer<WebSocketDriver> m_ws;
    std::deque<QByteArray> m_awaitedEchoes;
    qint64 m_nextMessage = 0;
    qint64 m_messagesLeft = 0;
    QString m_wsProblem;
};

Client *LoadSession::client()
{
    if (!m_client) {
        m_client = std::make_unique<Client>(&m_trace);
        m_client->setParallel(m_load != Load::Http1KeepAlive);
        m_client->setMaxConnectionsPerOrigin(m_load == Load::ManyConnections ? kManyConnections
                                                                             : 1);
    }
    return m_client.get();
}

bool LoadSession::runRound(int count, QString *why)
{
    const TraceTally before = m_tally;
    m_heapInFlight = -1;
    m_tally.roundCompleted = false;
    m_tally.connectsBeforeFirstComplete = 0;
    const bool ran =
        m_load == Load::WebSocketEcho ? runMessages(count, why) : runRequests(count, why);
    if (!ran)
        return false;
    // The store keeps the capacity of the last batch it delivered for the next one (up to
    // 4,096 events, some 100 KiB): how full that batch was depends on where the 16 ms timer
    // fell. A one-event batch last makes every round end alike (measured: from +-130 KiB
    // between rounds to under 1 KiB).
    m_trace.recordGeneric("load.round", {}, Direction::None, {});
    m_trace.flush();
    m_exchanges += count;
    const qint64 complete = m_tally.complete - before.complete;
    if (m_load != Load::WebSocketEcho && complete != count) {
        *why = u"%1 of %2 requests completed; %3 failed; first error: %4"_s.arg(complete)
                   .arg(count)
                   .arg(m_tally.failed - before.failed)
                   .arg(m_tally.firstProblem);
        return false;
    }
    if (m_load == Load::WebSocketEcho &&
        (m_tally.wsOut - before.wsOut != count || m_tally.wsIn - before.wsIn != count)) {
        *why = u"%1 messages out and %2 in traced, %3 each expected"_s
                   .arg(m_tally.wsOut - before.wsOut)
                   .arg(m_tally.wsIn - before.wsIn)
                   .arg(count);
        return false;
    }
    if (m_tally.errors != 0 || m_tally.failed != 0) {
        *why = u"errors in the trace: %1"_s.arg(m_tally.firstProblem);
        return false;
    }
    // Keep-alive and multiplexing: one connection for the whole case; or 100 a round, all of
    // them open before the first response came back.
    const qint64 connects = m_tally.connects - before.connects;
    const qint64 expected = m_load == Load::ManyConnections ? kManyConnections
                            : before.events == 0            ? 1
                                                            : 0;
    if (connects != expected || (m_load == Load::ManyConnections &&
                                 m_tally.connectsBeforeFirstComplete != kManyConnections)) {
        *why = u"%1 connections opened in the round (%2 before the first response), %3 expected"_s
                   .arg(connects)
                   .arg(m_tally.connectsBeforeFirstComplete)
                   .arg(expected);
        return false;
    }
    if (m_load == Load::ManyConnections)
        return end(why); // the next round opens its own
    return true;
}

bool LoadSession::runRequests(int count, QString *why)
{
    Client *c = client();
    const QString base = m_demo->baseUrl(false);
    QSignalSpy allFinished(c, &Client::allFinished);
    QMetaObject::Connection refill;
    if (m_load == Load::H2cSession) {
        // A stream closes, the next one opens: kSessionStreams in flight until the round's
        // last ones drain.
        auto issued = std::make_shared<int>(kSessionStreams);
        refill = QObject::connect(c, &Client::exchangeFinished, c, [=, this] {
            if (*issued < count) {
                ++*issued;
                c->enqueue(requestFor(base, m_load, m_nextRequest++));
            }
        });
        for (int i = 0; i < qMin(count, kSessionStreams); ++i)
            c->enqueue(requestFor(base, m_load, m_nextRequest++));
    } else {
        for (int i = 0; i < count; ++i)
            c->enqueue(requestFor(base, m_load, m_nextRequest++));
    }
    if (m_load == Load::ManyConnections) {
        // What 100 open connections cost, both ends, when the first answer comes back.
        refill = QObject::connect(c, &Client::exchangeFinished, c, [this] {
            if (m_heapInFlight < 0)
                m_heapInFlight = liveHeapBytes();
        });
    }
    c->start();
    const bool finished = allFinished.wait(kRoundTimeoutMs);
    QObject::disconnect(refill);
    if (!finished)
        *why = u"the round did not finish in %1 s"_s.arg(kRoundTimeoutMs / 1000);
    return finished;
}

bool LoadSession::openWebSocket(QString *why)
{
    Client *c = client();
    QObject::connect(c, &Client::protocolSwitched, c, [this](Exchange *, ProtocolDriver *driver) {
        m_ws = qobject_cast<WebSocketDriver *>(driver);
        if (!m_ws)
            return;
        QObject::connect(
            m_ws, &WebSocketDriver::messageReceived, m_ws, [this](int, const QByteArray &data) {
                if (m_awaitedEchoes.empty() || data != m_awaitedEchoes.front()) {
                    if (m_wsProblem.isEmpty())
                        m_wsProblem =
                            u"unexpected echo: %1"_s.arg(QString::fromUtf8(data.left(60)));
                    return;
                }
                m_awaitedEchoes.pop_front();
                if (m_messagesLeft > 0)
                    sendMessage();
            });
    });
    RequestSpec spec;
    QUrl url(m_demo->baseUrl(false) + u"/ws"_s);
    url.setScheme(u"ws"_s);
    if (applyProtocolChoice(spec, url, ProtocolChoice::WebSocket) != ProtocolChoiceError::None) {
        *why = u"cannot make a WebSocket request of "_s + url.toString();
        return false;
    }
    c->enqueue(spec);
    c->start();
    QElapsedTimer clock;
    clock.start();
    while (!(m_ws && m_ws->isSessionOpen()) && clock.elapsed() < 10'000)
        QTest::qWait(5);
    if (!m_ws || !m_ws->isSessionOpen()) {
        *why = u"no WebSocket session (%1 responses complete): %2"_s.arg(m_tally.complete)
                   .arg(m_tally.firstProblem);
        return false;
    }
    return true;
}

void LoadSession::sendMessage()
{
    const QByteArray message = messageFor(m_nextMessage);
    m_awaitedEchoes.push_back(message);
    if (m_nextMessage++ % 5 == 4)
        m_ws->sendBinary(message);
    else
        m_ws->sendText(message);
    --m_messagesLeft;
}

bool LoadSession::runMessages(int count, QString *why)
{
    if (!m_ws && !openWebSocket(why))
        return false;
    m_messagesLeft = count;
    for (int i = 0; i < qMin(count, kWebSocketWindow); ++i)
        sendMessage();
    QElapsedTimer clock;
    clock.start();
    while ((m_messagesLeft > 0 || !m_awaitedEchoes.empty()) && m_wsProblem.isEmpty() && m_ws &&
           clock.elapsed() < kRoundTimeoutMs)
        QTest::qWait(1);
    if (!m_wsProblem.isEmpty() || m_messagesLeft > 0 || !m_awaitedEchoes.empty()) {
        *why = u"%1 messages not sent, %2 not echoed; %3 %4"_s.arg(m_messagesLeft)
                   .arg(m_awaitedEchoes.size())
                   .arg(m_wsProblem, m_tally.firstProblem);
        return false;
    }
    return true;
}

bool LoadSession::end(QString *why)
{
    if (!m_client)
        return true;
    bool ok = true;
    if (m_ws) {
        // The close handshake completes the upgrade exchange.
        QSignalSpy allFinished(m_client.get(), &Client::allFinished);
        m_ws->closeSession(1000);
        ok = allFinished.wait(10'000);
        m_trace.flush();
        if (ok && m_tally.complete != 1 && why)
            *why = u"the WebSocket exchange did not complete: %1"_s.arg(m_tally.firstProblem);
        ok = ok && m_tally.complete == 1;
    }
    m_client->shutdown(u"load test done"_s);
    m_client.reset();
    m_trace.flush();
    // The server lets go of its side too before anything is measured.
    QElapsedTimer clock;
    clock.start();
    while (m_demo->connectionCount() > 0 && clock.elapsed() < 10'000)
        QTest::qWait(5);
    if (m_demo->connectionCount() > 0) {
        if (why)
            *why = u"%1 server connections still open"_s.arg(m_demo->connectionCount());
        return false;
    }
    return ok;
}

// The live heap once the event loop is idle: the finished exchanges and closed connections the
// client and the server delete on a later turn (deleteLater, queued calls) are gone first.
qint64 settledLiveHeap()
{
    for (int i = 0; i < 3; ++i) {
        QTest::qWait(10);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
    return liveHeapBytes();
}

QString kib(qint64 bytes)
{
    return QString::number(double(bytes) / 1024.0, 'f', 1);
}

} // namespace

class LoadLeaksTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void liveHeapStaysFlat_data();
    void liveHeapStaysFlat();

private:
    DemoServer m_demo;
};

void LoadLeaksTest::initTestCase()
{
    QString error;
    QVERIFY2(m_demo.start(&error), qPrintable(error));
    QVERIFY(liveHeapBytes() > 0);
}

void LoadLeaksTest::cleanupTestCase()
{
    m_demo.stop();
}

void LoadLeaksTest::liveHeapStaysFlat_data()
{
    QTest::addColumn<int>("load");     // Load
    QTest::addColumn<int>("perRound"); // exchanges: requests, or WebSocket messages
    QTest::addColumn<int>("repeats");  // after the warm-up round
    // Rounds of 2,500 (500 for 100 connections): the warm-up and 4 repeats make the issue's
    // 10,000 requests or messages after the warm-up, in one run (one Client, one connection).
    QTest::newRow("10,000 requests, h2c multiplexed") << int(Load::H2cMultiplexed) << 2500 << 4;
    QTest::newRow("10,000 requests, http/1.1 keep-alive") << int(Load::Http1KeepAlive) << 2500 << 4;
    QTest::newRow("100 connections at once, 5 times")
        << int(Load::ManyConnections) << kManyConnections << 4;
    QTest::newRow("10,000 WebSocket messages, echoed") << int(Load::WebSocketEcho) << 2500 << 4;
    QTest::newRow("long h2c session, streams opened and closed")
        << int(Load::H2cSession) << 2500 << 4;
}

void LoadLeaksTest::liveHeapStaysFlat()
{
    QFETCH(int, load);
    QFETCH(int, perRound);
    QFETCH(int, repeats);

    QElapsedTimer clock;
    clock.start();
    LoadSession session(Load(load), &m_demo);
    QList<qint64> heap;          // after the warm-up, then after each repeat
    QList<qint64> exchangesDone; // at the same points
    heap.reserve(repeats + 1);   // (the test's own lists do not grow between measurements)
    exchangesDone.reserve(repeats + 1);
    for (int round = 0; round <= repeats; ++round) {
        QString why;
        QVERIFY2(session.runRound(perRound, &why),
                 qPrintable(u"round %1: %2"_s.arg(round).arg(why)));
        heap << settledLiveHeap();
        exchangesDone << session.exchanges();
    }
    QString why;
    QVERIFY2(session.end(&why), qPrintable(why));

    // Repeat i is heap[i]; the warm-up (heap[0]) only fills caches.
    QStringList growth;
    for (int i = 2; i < heap.size(); ++i)
        growth << (heap[i] >= heap[1] ? u"+"_s : QString()) + kib(heap[i] - heap[1]);
    const int half = (repeats + 1) / 2; // repeats 1..half, then half+1..repeats
    const qint64 earlyFloor = *std::min_element(heap.begin() + 1, heap.begin() + 1 + half);
    const qint64 lateFloor = *std::min_element(heap.begin() + 1 + half, heap.end());
    const qint64 exchangesBetween = exchangesDone.last() - exchangesDone[half];
    const double perExchange = double(lateFloor - earlyFloor) / double(exchangesBetween);
    const QString figures =
        u"%1: %2 exchanges in %3 ms; live heap (%4) after warm-up %5 KiB, repeat 1 %6 KiB, "
        u"then %7 KiB; floor %8 B per exchange; %9 trace events consumed"_s
            .arg(QString::fromLatin1(QTest::currentDataTag()))
            .arg(session.exchanges())
            .arg(clock.elapsed())
            .arg(QString::fromLatin1(liveHeapSource()), kib(heap[0]), kib(heap[1]),
                 growth.join(u", "_s))
            .arg(perExchange, 0, 'f', 2)
            .arg(session.tally().events);
    qInfo().noquote() << figures;
    if (session.heapInFlight() >= 0)
        qInfo("live heap with %d connections open: %s KiB (%s KiB more than settled)",
              kManyConnections, qPrintable(kib(session.heapInFlight())),
              qPrintable(kib(session.heapInFlight() - heap.last())));

    for (int i = 2; i < heap.size(); ++i) {
        QVERIFY2(heap[i] - heap[1] < kFlatBytes,
                 qPrintable(u"the live heap grew by %1 KiB from repeat 1 to repeat %2 (at most %3 "
                            u"KiB): %4"_s.arg(kib(heap[i] - heap[1]))
                                .arg(i)
                                .arg(kib(kFlatBytes), figures)));
    }
    QVERIFY2(perExchange < kBytesPerExchange,
             qPrintable(u"the live heap's floor rose by %1 bytes per finished exchange (at most "
                        u"%2): %3"_s.arg(perExchange, 0, 'f', 2)
                            .arg(kBytesPerExchange)
                            .arg(figures)));
}

int main(int argc, char **argv)
{
    runWithoutMallocCache(argv); // exact figures from glibc (liveheap.h)
    QCoreApplication app(argc, argv);
    LoadLeaksTest test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_load_leaks.moc"
