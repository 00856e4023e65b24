// The Client's dispatch rules, checked on its trace against the embedded demo server, both in
// this thread on loopback ports (no external server): sequential mode sends one request at a
// time in enqueue order, across origins and protocols; --parallel HTTP/1.1 spreads over exactly
// max-connections connections, opened side by side; HTTP/2 multiplexes on one connection;
// requests that time out while waiting leave their queue; and finished exchanges are released
// (with their body sinks), so the client holds only what is unfinished.

#include "client.h"
#include "core/exchange.h"
#include "demoserver.h"
#include "net/connectionpool.h"
#include "trace/tracestore.h"
#include "traceevents.h"

#include <QSignalSpy>
#include <QTest>

using namespace hopscope;
using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 30'000;

// Counts the sinks alive: each exchange owns one, so this counts exchanges not yet released.
class CountingSink : public BodySink
{
public:
    explicit CountingSink(int *alive) : m_alive(alive) { ++*m_alive; }
    ~CountingSink() override { --*m_alive; }
    bool write(QByteArrayView) override { return true; }

private:
    int *m_alive;
};

using hopscope::test::eventsOf;

QString describe(const TraceStore &trace)
{
    QString out;
    for (const TraceEvent &e : trace.events()) {
        if (e.is(EventType::H2Frame) || e.is(EventType::NetRead) || e.is(EventType::NetWrite) ||
            e.is(EventType::H1Body))
            continue;
        out += u"  #%1 %2 c%3 r%4\n"_s.arg(e.seq)
                   .arg(QString::fromUtf8(e.typeName()))
                   .arg(e.scope.conn)
                   .arg(e.scope.req);
    }
    return out.right(6000);
}

// The most requests between their first byte out and their end, from the trace.
int maxInFlight(const TraceStore &trace)
{
    int now = 0, most = 0;
    for (const TraceEvent &e : trace.events()) {
        if ((e.is(EventType::H1Request) && e.dir == Direction::Out) ||
            (e.is(EventType::H2Headers) && e.dir == Direction::Out)) {
            most = qMax(most, ++now);
        } else if (e.is(EventType::ResponseComplete) || e.is(EventType::RequestFailed)) {
            --now;
        }
    }
    return most;
}

} // namespace

class ClientDispatchTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void sequentialOneAtATimeInOrder_data();
    void sequentialOneAtATimeInOrder();
    void parallelHttp11UsesMaxConnections_data();
    void parallelHttp11UsesMaxConnections();
    void parallelHttp2UsesOneConnection();
    void timeoutWhileWaitingLeavesTheQueue();
    void finishedExchangesAreReleased_data();
    void finishedExchangesAreReleased();

private:
    RequestSpec request(const QString &kind, const QString &path) const;
    bool run(Client &client, TraceStore &trace);

    DemoServer m_demo;
};

void ClientDispatchTest::initTestCase()
{
    QString error;
    QVERIFY2(m_demo.start(&error), qPrintable(error));
}

void ClientDispatchTest::cleanupTestCase()
{
    m_demo.stop();
}

// kind: "h1" (cleartext HTTP/1.1), "h2c-prior", "h2c" (upgrade), "tls" (ALPN picks h2),
// "tls-h1" (ALPN offers http/1.1 only).
RequestSpec ClientDispatchTest::request(const QString &kind, const QString &path) const
{
    RequestSpec s;
    const bool tls = kind.startsWith(u"tls");
    s.url = QUrl(m_demo.baseUrl(tls) + path);
    s.tls.caFile = m_demo.caFile();
    s.timeouts.totalMs = kTimeoutMs;
    if (kind == u"h1")
        s.protocol = ProtocolPolicy::Http1Only;
    else if (kind == u"h2c-prior")
        s.protocol = ProtocolPolicy::H2cPrior;
    else if (kind == u"h2c")
        s.protocol = ProtocolPolicy::H2cUpgrade;
    else if (kind == u"tls-h1")
        s.tls.alpn = {QByteArrayLiteral("http/1.1")};
    s.followUpgradeH2 = false; // the demo's `Upgrade: h2` would add a connection
    return s;
}

bool ClientDispatchTest::run(Client &client, TraceStore &trace)
{
    QSignalSpy allFinished(&client, &Client::allFinished);
    client.start();
    const bool ok = allFinished.wait(kTimeoutMs + 5000);
    client.shutdown(u"test done"_s);
    trace.flush();
    return ok;
}

void ClientDispatchTest::sequentialOneAtATimeInOrder_data()
{
    QTest::addColumn<QStringList>("kinds"); // one per request, in enqueue order
    QTest::addColumn<int>("connections");

    const QStringList h1(12, u"h1"_s);
    QTest::newRow("HTTP/1.1, one keep-alive connection") << h1 << 1;
    QTest::newRow("HTTP/2 prior knowledge") << QStringList(12, u"h2c-prior"_s) << 1;
    QTest::newRow("h2c upgrade, then streams") << QStringList(6, u"h2c"_s) << 1;
    QTest::newRow("across origins and protocols")
        << QStringList{u"h1"_s,  u"tls"_s,    u"h2c-prior"_s, u"h1"_s,
                       u"tls"_s, u"tls-h1"_s, u"h2c-prior"_s, u"h1"_s}
        << 4;
}

void ClientDispatchTest::sequentialOneAtATimeInOrder()
{
    QFETCH(QStringList, kinds);
    QFETCH(int, connections);
    TraceStore trace;
    Client client(&trace);
    for (const QString &kind : kinds)
        client.enqueue(request(kind, u"/bytes/100"_s));
    QVERIFY2(run(client, trace), qPrintable(describe(trace)));

    // request.start 1, its end, request.start 2, its end, ...: never two at once.
    QList<quint32> order;
    for (const TraceEvent &e : trace.events()) {
        if (e.is(EventType::RequestStart))
            order << e.scope.req;
        else if (e.is(EventType::ResponseComplete) || e.is(EventType::RequestFailed))
            order << e.scope.req + 1000;
    }
    QList<quint32> expected;
    for (quint32 req = 1; req <= quint32(kinds.size()); ++req)
        expected << req << req + 1000;
    QVERIFY2(order == expected, qPrintable(describe(trace)));
    QCOMPARE(maxInFlight(trace), 1);
    QCOMPARE(eventsOf(trace, EventType::ResponseComplete).size(), kinds.size());
    QCOMPARE(eventsOf(trace, EventType::PoolOpen).size(), connections);
}

void ClientDispatchTest::parallelHttp11UsesMaxConnections_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("maxConnections"); // 0: the default
    QTest::addColumn<int>("requests");
    QTest::addColumn<int>("expectedConnections");

    QTest::newRow("one connection") << u"h1"_s << 1 << 5 << 1;
    QTest::newRow("three connections") << u"h1"_s << 3 << 12 << 3;
    QTest::newRow("default, six connections") << u"h1"_s << 0 << 24 << 6;
    QTest::newRow("fewer requests than connections") << u"h1"_s << 6 << 4 << 4;
    QTest::newRow("TLS, ALPN http/1.1 only") << u"tls-h1"_s << 4 << 12 << 4;
}

void ClientDispatchTest::parallelHttp11UsesMaxConnections()
{
    QFETCH(QString, kind);
    QFETCH(int, maxConnections);
    QFETCH(int, requests);
    QFETCH(int, expectedConnections);
    TraceStore trace;
    Client client(&trace);
    client.setParallel(true);
    if (maxConnections > 0)
        client.setMaxConnectionsPerOrigin(maxConnections);
    // Slow enough that requests overlap: every connection gets used.
    for (int i = 0; i < requests; ++i)
        client.enqueue(request(kind, u"/delay/100"_s));
    QVERIFY2(run(client, trace), qPrintable(describe(trace)));

    QCOMPARE(eventsOf(trace, EventType::PoolOpen).size(), expectedConnections);
    QCOMPARE(eventsOf(trace, EventType::Connect).size(), expectedConnections);
    QCOMPARE(eventsOf(trace, EventType::PoolReuse).size(), requests - expectedConnections);
    QCOMPARE(maxInFlight(trace), expectedConnections);
    const TraceBatch complete = eventsOf(trace, EventType::ResponseComplete);
    QCOMPARE(complete.size(), requests);
    for (const TraceEvent &c : complete)
        QCOMPARE(c.field(Field::Protocol).toString(), u"http/1.1"_s);
    // HTTP/1.1 cannot multiplex: the connections open side by side, none waits for another.
    const TraceBatch opens = eventsOf(trace, EventType::PoolOpen);
    QVERIFY2(opens.last().seq < eventsOf(trace, EventType::Connect).first().seq,
             qPrintable(describe(trace)));
}

void ClientDispatchTest::parallelHttp2UsesOneConnection()
{
    TraceStore trace;
    Client client(&trace);
    client.setParallel(true);
    constexpr int kRequests = 150; // beyond the demo's 100 concurrent streams
    for (int i = 0; i < kRequests; ++i)
        client.enqueue(request(u"h2c-prior"_s, u"/bytes/10"_s));
    QVERIFY2(run(client, trace), qPrintable(describe(trace)));
    QCOMPARE(eventsOf(trace, EventType::PoolOpen).size(), 1);
    QCOMPARE(eventsOf(trace, EventType::ResponseComplete).size(), kRequests);
    QVERIFY(maxInFlight(trace) > 1);
    QVERIFY(maxInFlight(trace) <= 100);
}

void ClientDispatchTest::timeoutWhileWaitingLeavesTheQueue()
{
    TraceStore trace;
    Client client(&trace);
    client.setParallel(true);
    client.setMaxConnectionsPerOrigin(1);
    QList<quint32> failed;
    connect(&client, &Client::exchangeFinished, this, [&](Exchange *ex) {
        if (ex->state() == Exchange::State::Failed && ex->errorCode() == "timeout")
            failed << ex->id();
    });
    // One connection, held by the first request past its timeout: the third times out first,
    // from the middle of the queue; the others time out in flight or waiting, each by its own
    // clock.
    const QList<int> timeoutsMs{300, 400, 200, 500};
    for (int ms : timeoutsMs) {
        RequestSpec s = request(u"h1"_s, u"/delay/2000"_s);
        s.timeouts.totalMs = ms;
        client.enqueue(s);
    }
    QVERIFY2(run(client, trace), qPrintable(describe(trace)));
    QCOMPARE(failed, (QList<quint32>{3, 1, 2, 4}));
    QVERIFY(client.unfinished().isEmpty());
    QCOMPARE(eventsOf(trace, EventType::RequestFailed).size(), 4);
}

void ClientDispatchTest::finishedExchangesAreReleased_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<bool>("parallel");
    QTest::newRow("HTTP/1.1, sequential") << u"h1"_s << false;
    QTest::newRow("HTTP/1.1, parallel") << u"h1"_s << true;
    QTest::newRow("HTTP/2, parallel") << u"h2c-prior"_s << true;
    QTest::newRow("h2c upgrade, parallel") << u"h2c"_s << true;
}

void ClientDispatchTest::finishedExchangesAreReleased()
{
    QFETCH(QString, kind);
    QFETCH(bool, parallel);
    constexpr int kRequests = 40;
    int alive = 0;
    TraceStore trace;
    Client client(&trace);
    client.setParallel(parallel);
    int finished = 0;
    int mostAliveAfterFinishing = 0;
    connect(&client, &Client::exchangeFinished, this, [&](Exchange *ex) {
        ++finished;
        QCOMPARE(ex->state(), Exchange::State::Complete); // still readable in the slot
        QCOMPARE(client.unfinished().size(), kRequests - finished);
        // Those finished on earlier turns of the event loop are gone already.
        mostAliveAfterFinishing = qMax(mostAliveAfterFinishing, alive - (kRequests - finished));
    });
    for (int i = 0; i < kRequests; ++i)
        client.enqueue(request(kind, u"/bytes/100"_s), std::make_unique<CountingSink>(&alive));
    QCOMPARE(alive, kRequests);
    QVERIFY2(run(client, trace), qPrintable(describe(trace)));
    QCOMPARE(finished, kRequests);
    if (!parallel) // one finishes per turn of the event loop
        QVERIFY2(mostAliveAfterFinishing <= 1,
                 qPrintable(QString::number(mostAliveAfterFinishing)));
    QTRY_COMPARE(alive, 0);
    QVERIFY(client.unfinished().isEmpty());
    // Closed connections leave the pool.
    QTRY_COMPARE(client.pool()->keyCount(), 0);
}

QTEST_GUILESS_MAIN(ClientDispatchTest)
#include "tst_clientdispatch.moc"
