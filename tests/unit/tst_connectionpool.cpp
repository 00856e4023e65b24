// ConnectionPool and AltProtocols without a network: pool keys, the keyed queries (each looks
// only at its key's connections), when requests should wait instead of opening a connection,
// connections leaving their key when they close, and the `Upgrade: h2` follow rule with its
// trace (pool.open, upgrade.follow, the replaced connection's close). Connections are created
// and never opened; fake drivers stand for the protocols.

#include "core/exchange.h"
#include "net/altprotocols.h"
#include "net/connection.h"
#include "net/connectionpool.h"
#include "net/protocoldriver.h"
#include "trace/tracestore.h"
#include "traceevents.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTest>

using namespace hopscope;
using namespace Qt::StringLiterals;

namespace {

// A driver whose answers the test sets.
class FakeDriver : public ProtocolDriver
{
    Q_OBJECT
public:
    FakeDriver(Connection *connection, QByteArray protocol, int capacity = 1)
        : ProtocolDriver(connection, connection), m_protocol(std::move(protocol)), m_slots(capacity)
    {
    }

    QByteArray protocol() const override { return m_protocol; }
    bool canSubmit() const override { return reusable && inFlightCount < m_slots; }
    bool isReusable() const override { return reusable; }
    int inFlight() const override { return inFlightCount; }
    void submit(Exchange *) override { ++inFlightCount; }
    void abort(const QByteArray &, const QString &) override {}
    bool upgradeInFlight() const override { return upgrading; }

    bool reusable = true;
    bool upgrading = false;
    int inFlightCount = 0;

private:
    QByteArray m_protocol;
    int m_slots;
};

RequestSpec spec(const QString &url, ProtocolPolicy policy = ProtocolPolicy::Auto,
                 const QByteArrayList &alpn = {})
{
    RequestSpec s;
    s.url = QUrl(url);
    s.protocol = policy;
    s.tls.alpn = alpn;
    return s;
}

using hopscope::test::eventsOf;

} // namespace

Q_DECLARE_METATYPE(RequestSpec)

class ConnectionPoolTest : public QObject
{
    Q_OBJECT

private slots:
    void keys_data();
    void keys();
    void queriesLookOnlyAtTheirKey();
    void shouldWait_data();
    void shouldWait();
    void closedConnectionLeavesItsKey();
    void followRule_data();
    void followRule();
    void advertisementIsNewOnce();
    void followIsTracedAndReplacesIdleConnections();
};

void ConnectionPoolTest::keys_data()
{
    QTest::addColumn<RequestSpec>("a");
    QTest::addColumn<RequestSpec>("b");
    QTest::addColumn<bool>("same");

    QTest::newRow("same origin, other path")
        << spec(u"http://a.test/x"_s) << spec(u"http://a.test/y?z"_s) << true;
    QTest::newRow("default port spelled out")
        << spec(u"http://a.test/"_s) << spec(u"http://a.test:80/"_s) << true;
    QTest::newRow("host case") << spec(u"http://A.Test/"_s) << spec(u"http://a.test/"_s) << true;
    QTest::newRow("other port") << spec(u"http://a.test/"_s) << spec(u"http://a.test:81/"_s)
                                << false;
    QTest::newRow("other scheme") << spec(u"http://a.test/"_s) << spec(u"https://a.test/"_s)
                                  << false;
    QTest::newRow("other policy") << spec(u"http://a.test/"_s)
                                  << spec(u"http://a.test/"_s, ProtocolPolicy::Http1Only) << false;
    QTest::newRow("prior knowledge vs h2c")
        << spec(u"http://a.test/"_s, ProtocolPolicy::H2cPrior)
        << spec(u"http://a.test/"_s, ProtocolPolicy::H2cUpgrade) << false;
    QTest::newRow("TLS, other ALPN")
        << spec(u"https://a.test/"_s) << spec(u"https://a.test/"_s, ProtocolPolicy::Auto, {"h2"})
        << false;
    QTest::newRow("cleartext ignores ALPN")
        << spec(u"http://a.test/"_s) << spec(u"http://a.test/"_s, ProtocolPolicy::Auto, {"h2"})
        << true;
    RequestSpec withCa = spec(u"https://a.test/"_s);
    withCa.tls.caFile = u"/tmp/ca.pem"_s;
    QTest::newRow("TLS, other CA file") << spec(u"https://a.test/"_s) << withCa << false;
    RequestSpec insecure = spec(u"https://a.test/"_s);
    insecure.tls.insecure = true;
    QTest::newRow("TLS, insecure") << spec(u"https://a.test/"_s) << insecure << false;
}

void ConnectionPoolTest::keys()
{
    QFETCH(RequestSpec, a);
    QFETCH(RequestSpec, b);
    QFETCH(bool, same);
    QCOMPARE(ConnectionPool::key(a) == ConnectionPool::key(b), same);
}

void ConnectionPoolTest::queriesLookOnlyAtTheirKey()
{
    TraceStore trace;
    ConnectionPool pool(&trace);
    RequestSpec h1 = spec(u"http://a.test/"_s);
    RequestSpec h2 = spec(u"http://a.test/"_s, ProtocolPolicy::H2cPrior);
    const QString k1 = pool.route(h1);
    const QString k2 = pool.route(h2);
    QVERIFY(k1 != k2);
    QCOMPARE(pool.keyCount(), 0);
    QCOMPARE(pool.findAvailable(k1), nullptr);

    Connection *a1 = pool.createConnection(h1, k1, 1);
    Connection *a2 = pool.createConnection(h1, k1, 2);
    Connection *b1 = pool.createConnection(h2, k2, 3);
    QCOMPARE(a1->poolKey(), k1);
    QCOMPARE(b1->poolKey(), k2);
    QCOMPARE(pool.keyCount(), 2);
    QCOMPARE(pool.pendingCount(k1), 2);
    QCOMPARE(pool.pendingCount(k2), 1);
    QCOMPARE(pool.connectionCount(k1), 2);
    QCOMPARE(pool.connectionCount(k2), 1);
    QCOMPARE(pool.findAvailable(k1), nullptr); // nothing is open yet

    auto *d1 = new FakeDriver(a1, "http/1.1");
    pool.setDriver(a1, d1);
    QCOMPARE(pool.pendingCount(k1), 1);
    QCOMPARE(pool.connectionCount(k1), 2);
    QCOMPARE(pool.findAvailable(k1), d1);
    QCOMPARE(pool.findAvailable(k2), nullptr);
    QCOMPARE(pool.idleDrivers(k1), QList<ProtocolDriver *>{d1});
    QVERIFY(pool.idleDrivers(k2).isEmpty());
    QVERIFY(!pool.hasMultiplexed(k1));

    auto *d2 = new FakeDriver(a2, "http/1.1");
    pool.setDriver(a2, d2);
    d1->submit(nullptr); // busy now
    QCOMPARE(pool.findAvailable(k1), d2);
    QCOMPARE(pool.idleDrivers(k1), QList<ProtocolDriver *>{d2});
    d2->submit(nullptr);
    QCOMPARE(pool.findAvailable(k1), nullptr);
    QCOMPARE(pool.connectionCount(k1), 2);
    // A busy connection that will close after its response still counts until it is done.
    d1->reusable = false;
    QCOMPARE(pool.connectionCount(k1), 2);
    d1->inFlightCount = 0;
    QCOMPARE(pool.connectionCount(k1), 1);

    auto *h2d = new FakeDriver(b1, "h2", 100);
    pool.setDriver(b1, h2d);
    QVERIFY(pool.hasMultiplexed(k2));
    QVERIFY(!pool.hasMultiplexed(k1));
    QCOMPARE(pool.findAvailable(k2), h2d);
    QVERIFY(!pool.upgradeInFlight(k1));
    d2->upgrading = true;
    QVERIFY(pool.upgradeInFlight(k1));
    QVERIFY(!pool.upgradeInFlight(k2));

    // pool.open for each, with the request that opened it and the origin.
    const TraceBatch opens = eventsOf(trace, EventType::PoolOpen);
    QCOMPARE(opens.size(), 3);
    QCOMPARE(opens.at(2).scope.conn, 3u);
    QCOMPARE(opens.at(2).scope.req, 3u);
    QCOMPARE(opens.at(2).field(Field::Origin).toString(), u"http://a.test:80"_s);
    pool.closeAll(u"test done"_s);
}

void ConnectionPoolTest::shouldWait_data()
{
    QTest::addColumn<RequestSpec>("request");
    // "connecting", or the driver on the open connection: "h1", "h1 busy", "h1 upgrading",
    // "h2", "h2 full" (no stream slot left), "h2 goaway" (no longer reusable).
    QTest::addColumn<QString>("state");
    QTest::addColumn<bool>("wait");

    QTest::newRow("cleartext HTTP/1.1, connecting")
        << spec(u"http://a.test/"_s) << u"connecting"_s << false;
    QTest::newRow("--http1.1, connecting")
        << spec(u"http://a.test/"_s, ProtocolPolicy::Http1Only) << u"connecting"_s << false;
    QTest::newRow("h2c upgrade, connecting")
        << spec(u"http://a.test/"_s, ProtocolPolicy::H2cUpgrade) << u"connecting"_s << true;
    QTest::newRow("prior knowledge, connecting")
        << spec(u"http://a.test/"_s, ProtocolPolicy::H2cPrior) << u"connecting"_s << true;
    QTest::newRow("TLS offering h2, connecting")
        << spec(u"https://a.test/"_s) << u"connecting"_s << true;
    QTest::newRow("TLS offering http/1.1 only, connecting")
        << spec(u"https://a.test/"_s, ProtocolPolicy::Auto, {"http/1.1"}) << u"connecting"_s
        << false;
    QTest::newRow("TLS, --http1.1, connecting")
        << spec(u"https://a.test/"_s, ProtocolPolicy::Http1Only) << u"connecting"_s << false;
    QTest::newRow("HTTP/1.1 idle") << spec(u"http://a.test/"_s) << u"h1"_s << false;
    QTest::newRow("HTTP/1.1 busy") << spec(u"http://a.test/"_s) << u"h1 busy"_s << false;
    QTest::newRow("HTTP/1.1 with an upgrade offer in flight")
        << spec(u"http://a.test/"_s, ProtocolPolicy::H2cUpgrade) << u"h1 upgrading"_s << true;
    QTest::newRow("HTTP/2 with slots")
        << spec(u"http://a.test/"_s, ProtocolPolicy::H2cPrior) << u"h2"_s << true;
    QTest::newRow("HTTP/2 out of stream slots")
        << spec(u"http://a.test/"_s, ProtocolPolicy::H2cPrior) << u"h2 full"_s << true;
    QTest::newRow("HTTP/2 after GOAWAY")
        << spec(u"http://a.test/"_s, ProtocolPolicy::H2cPrior) << u"h2 goaway"_s << false;
}

void ConnectionPoolTest::shouldWait()
{
    QFETCH(RequestSpec, request);
    QFETCH(QString, state);
    QFETCH(bool, wait);
    TraceStore trace;
    ConnectionPool pool(&trace);
    const QString key = pool.route(request);
    QVERIFY(!pool.shouldWait(key)); // no connection at all: open one
    Connection *conn = pool.createConnection(request, key, 1);
    if (state != u"connecting") {
        auto *d = new FakeDriver(conn, state.startsWith(u"h2") ? "h2" : "http/1.1",
                                 state.startsWith(u"h2") ? 100 : 1);
        d->inFlightCount = state == u"h1 busy" || state == u"h1 upgrading" ? 1
                           : state == u"h2 full"                           ? 100
                                                                           : 0;
        d->upgrading = state == u"h1 upgrading";
        d->reusable = state != u"h2 goaway" && state != u"h1 busy" && state != u"h1 upgrading";
        pool.setDriver(conn, d);
    }
    QCOMPARE(pool.shouldWait(key), wait);
    // Other keys never wait for this one.
    RequestSpec other = request;
    other.url = QUrl(u"http://b.test/"_s);
    QVERIFY(!pool.shouldWait(pool.route(other)));
    pool.closeAll(u"test done"_s);
}

void ConnectionPoolTest::closedConnectionLeavesItsKey()
{
    TraceStore trace;
    ConnectionPool pool(&trace);
    RequestSpec a = spec(u"http://a.test/"_s);
    RequestSpec b = spec(u"http://b.test/"_s);
    const QString ka = pool.route(a);
    const QString kb = pool.route(b);
    QPointer<Connection> a1 = pool.createConnection(a, ka, 1);
    QPointer<Connection> a2 = pool.createConnection(a, ka, 2);
    QPointer<Connection> b1 = pool.createConnection(b, kb, 3);
    auto *driver = new FakeDriver(a1, "http/1.1");
    pool.setDriver(a1, driver);
    QPointer<FakeDriver> watchDriver = driver;
    QSignalSpy removed(&pool, &ConnectionPool::connectionRemoved);

    a1->close(u"done"_s);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.first().first().toString(), ka);
    QCOMPARE(pool.connectionCount(ka), 1);
    QCOMPARE(pool.findAvailable(ka), nullptr);
    QCOMPARE(pool.connectionCount(kb), 1);
    QCOMPARE(pool.keyCount(), 2);
    a2->close(u"done"_s);
    QCOMPARE(pool.keyCount(), 1);
    QCOMPARE(pool.connectionCount(ka), 0);

    // Closed connections and their drivers are freed (once the closing signal returned).
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QVERIFY(!a1);
    QVERIFY(!a2);
    QVERIFY(!watchDriver);
    QVERIFY(b1);
    pool.closeAll(u"test done"_s);
    QCOMPARE(pool.keyCount(), 0);
}

void ConnectionPoolTest::followRule_data()
{
    QTest::addColumn<RequestSpec>("request");
    QTest::addColumn<QByteArrayList>("advertised");
    QTest::addColumn<bool>("followed");

    const RequestSpec tls = spec(u"https://a.test/"_s, ProtocolPolicy::Auto, {"http/1.1"});
    QTest::newRow("h2 over TLS") << tls << QByteArrayList{"h2", "h2c"} << true;
    QTest::newRow("H2, other case") << tls << QByteArrayList{"H2"} << true;
    QTest::newRow("h2c only") << tls << QByteArrayList{"h2c"} << false;
    QTest::newRow("websocket") << tls << QByteArrayList{"websocket"} << false;
    RequestSpec noFollow = tls;
    noFollow.followUpgradeH2 = false;
    QTest::newRow("--no-upgrade-h2") << noFollow << QByteArrayList{"h2"} << false;
    QTest::newRow("--http1.1") << spec(u"https://a.test/"_s, ProtocolPolicy::Http1Only,
                                       {"http/1.1"})
                               << QByteArrayList{"h2"} << false;
    QTest::newRow("cleartext") << spec(u"http://a.test/"_s) << QByteArrayList{"h2", "h2c"} << false;
}

void ConnectionPoolTest::followRule()
{
    QFETCH(RequestSpec, request);
    QFETCH(QByteArrayList, advertised);
    QFETCH(bool, followed);
    AltProtocols alt;
    const QString key = ConnectionPool::key(request);
    const bool tls = request.url.scheme() == u"https";
    auto none = [](const QString &) { return false; };

    // Nothing advertised yet: the request goes as it is.
    RequestSpec before = request;
    QCOMPARE(alt.follow(before, key, none), key);
    QCOMPARE(before.tls.alpn, request.tls.alpn);

    alt.noteUpgradeAdvertised(key, tls, 4, advertised);
    RequestSpec after = request;
    const QString newKey = alt.follow(after, key, none);
    QCOMPARE(newKey != key, followed);
    if (!followed) {
        QCOMPARE(after.tls.alpn, request.tls.alpn);
        QVERIFY(!alt.takeFollow(newKey, 5));
        return;
    }
    QCOMPARE(after.tls.alpn, QByteArrayList{"h2"});
    QCOMPARE(newKey, ConnectionPool::key(after));
    // Following again changes nothing: the request already offers h2 only.
    RequestSpec again = after;
    QCOMPARE(alt.follow(again, newKey, none), newKey);
    // The first connection to the new key is the one the advertisement led to.
    const auto f = alt.takeFollow(newKey, 5);
    QVERIFY(f);
    QCOMPARE(f->oldKey, key);
    QCOMPARE(f->from, 4u);
    QVERIFY(!alt.takeFollow(newKey, 6));
    QCOMPARE(alt.takeReplaced(5), key);
    QCOMPARE(alt.takeReplaced(5), QString());
    // Once the new key has connections, a later follow leads to no new arrow.
    RequestSpec later = request;
    alt.follow(later, key, [](const QString &) { return true; });
    QVERIFY(!alt.takeFollow(newKey, 7));
}

void ConnectionPoolTest::advertisementIsNewOnce()
{
    AltProtocols alt;
    const QString key = ConnectionPool::key(spec(u"https://a.test/"_s));
    QVERIFY(!alt.noteUpgradeAdvertised(key, false, 1, {"h2"})); // cleartext: shown only
    QVERIFY(!alt.isH2Advertised(key));
    QVERIFY(alt.noteUpgradeAdvertised(key, true, 1, {"h2c", "h2"}));
    QVERIFY(alt.isH2Advertised(key));
    // Every HTTP/1.1 response repeats it (Apache): only the first one changes where requests go.
    QVERIFY(!alt.noteUpgradeAdvertised(key, true, 2, {"h2"}));
    // A follow that never opened replaces nothing.
    RequestSpec s = spec(u"https://a.test/"_s);
    const QString newKey = alt.follow(s, key, [](const QString &) { return false; });
    const auto f = alt.takeFollow(newKey, 9);
    QVERIFY(f);
    QCOMPARE(f->from, 2u); // the latest advertiser
    alt.forget(9);
    QCOMPARE(alt.takeReplaced(9), QString());
}

void ConnectionPoolTest::followIsTracedAndReplacesIdleConnections()
{
    TraceStore trace;
    ConnectionPool pool(&trace);
    RequestSpec first = spec(u"https://a.test/"_s, ProtocolPolicy::Auto, {"http/1.1"});
    const QString oldKey = pool.route(first);
    Connection *idle = pool.createConnection(first, oldKey, 1);
    Connection *busy = pool.createConnection(first, oldKey, 2);
    auto *idleDriver = new FakeDriver(idle, "http/1.1");
    auto *busyDriver = new FakeDriver(busy, "http/1.1");
    busyDriver->inFlightCount = 1;
    pool.setDriver(idle, idleDriver);
    pool.setDriver(busy, busyDriver);

    QVERIFY(pool.noteUpgradeAdvertised(idle, {"h2", "h2c"}));
    QVERIFY(pool.altProtocols().isH2Advertised(oldKey));
    RequestSpec next = first;
    const QString newKey = pool.route(next);
    QVERIFY(newKey != oldKey);
    QCOMPARE(next.tls.alpn, QByteArrayList{"h2"});
    Connection *h2 = pool.createConnection(next, newKey, 3);
    RequestSpec third = first;
    QCOMPARE(pool.route(third), newKey);
    Connection *another = pool.createConnection(third, newKey, 4);

    const TraceBatch follows = eventsOf(trace, EventType::UpgradeFollow);
    QCOMPARE(follows.size(), 1); // the arrow goes to the first connection only
    QCOMPARE(follows.first().scope.conn, h2->id());
    QCOMPARE(follows.first().scope.req, 3u);
    QCOMPARE(follows.first().field(Field::Protocol).toString(), u"h2"_s);
    QCOMPARE(follows.first().field(Field::From).toInteger(), qint64(idle->id()));
    QCOMPARE(follows.first().field(Field::Alpn).toString(), u"h2"_s);
    // pool.open comes first, as for every connection.
    const TraceBatch opens = eventsOf(trace, EventType::PoolOpen);
    QCOMPARE(opens.at(2).scope.conn, h2->id());
    QVERIFY(opens.at(2).seq < follows.first().seq);

    // Open: the idle HTTP/1.1 connection of the old key goes, the busy one finishes its request.
    pool.retireReplaced(another); // not the follow: replaces nothing
    QCOMPARE(pool.connectionCount(oldKey), 2);
    pool.retireReplaced(h2);
    QCOMPARE(pool.connectionCount(oldKey), 1);
    QCOMPARE(pool.findAvailable(oldKey), nullptr);
    const TraceBatch closes = eventsOf(trace, EventType::Close);
    QCOMPARE(closes.size(), 1);
    QCOMPARE(closes.first().scope.conn, idle->id());
    QCOMPARE(closes.first().field(Field::Reason).toString(),
             u"replaced by HTTP/2 connection %1 (Upgrade: h2)"_s.arg(h2->id()));
    pool.closeAll(u"test done"_s);
}

QTEST_GUILESS_MAIN(ConnectionPoolTest)
#include "tst_connectionpool.moc"
