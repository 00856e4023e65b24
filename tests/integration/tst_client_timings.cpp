// Every timing a response reports (response.complete's `timings`) is -1 (did not happen) or a
// duration >= 0, however the request got its response: retried on a new connection after a
// GOAWAY (with prior knowledge and through an h2c upgrade, against the hostile peer's
// h2-goaway-first-connection), upgraded to h2c, or following an `Upgrade: h2` advertisement to
// a new HTTP/2 connection (the embedded demo server). A retried request once reported a
// negative `send`: the first attempt's sendEnd outlived the retry.
//
// The Client runs in the test's thread, as in hopscope-cli, with the trace kept in memory.

#include "hostilepeer.h"
#include "traceevents.h"

#include "client.h"
#include "core/exchange.h"
#include "demoserver.h"
#include "trace/tracestore.h"

#include <QSignalSpy>
#include <QTest>

using namespace hopscope;
using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

using hopscope::test::eventsOf;

// "send=-0.2" for every timing that is neither -1 nor >= 0; empty when all are fine.
QString badTimings(const TraceEvent &complete)
{
    QStringList bad;
    const QCborMap timings = complete.field(Field::Timings).toMap();
    for (auto it = timings.cbegin(); it != timings.cend(); ++it) {
        const double v = it.value().toDouble();
        if (v != -1.0 && !(v >= 0.0))
            bad << u"%1=%2"_s.arg(it.key().toString()).arg(v);
    }
    if (timings.isEmpty())
        bad << u"no timings"_s;
    return bad.join(u", "_s);
}

QString describe(const TraceStore &trace)
{
    QString out;
    for (const TraceEvent &e : trace.events()) {
        if (e.is(EventType::H2Frame) || e.is(EventType::NetRead) || e.is(EventType::NetWrite))
            continue;
        out += u"  %1 c%2 r%3 %4\n"_s.arg(QString::fromUtf8(e.typeName()))
                   .arg(e.scope.conn)
                   .arg(e.scope.req)
                   .arg(QCborValue(e.toCborMap()).toDiagnosticNotation().left(300));
    }
    return out;
}

} // namespace

class ClientTimingsTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void timingsAreNeverNegative_data();
    void timingsAreNeverNegative();

private:
    DemoServer m_demo;
};

void ClientTimingsTest::initTestCase()
{
    QString error;
    QVERIFY2(m_demo.start(&error), qPrintable(error));
}

void ClientTimingsTest::cleanupTestCase()
{
    m_demo.stop();
}

void ClientTimingsTest::timingsAreNeverNegative_data()
{
    // "hostile-prior", "hostile-h2c" (the peer's --mode), "demo" or "demo-tls".
    QTest::addColumn<QString>("peer");
    QTest::addColumn<int>("policy"); // ProtocolPolicy
    QTest::addColumn<QByteArrayList>("alpn");
    QTest::addColumn<QStringList>("paths");
    QTest::addColumn<bool>("parallel");
    QTest::addColumn<QString>("mustSee"); // the event that shows the path was taken

    QTest::newRow("retried after GOAWAY, prior knowledge")
        << u"hostile-prior"_s << int(ProtocolPolicy::H2cPrior) << QByteArrayList()
        << QStringList{u"/"_s} << false << u"pool.retry"_s;
    QTest::newRow("retried after GOAWAY, h2c upgrade")
        << u"hostile-h2c"_s << int(ProtocolPolicy::H2cUpgrade) << QByteArrayList()
        << QStringList{u"/"_s} << false << u"pool.retry"_s;
    QTest::newRow("h2c upgrade, then streams")
        << u"demo"_s << int(ProtocolPolicy::H2cUpgrade) << QByteArrayList()
        << QStringList{u"/"_s, u"/bytes/1000"_s, u"/stream/3"_s} << false << u"upgrade.switch"_s;
    QTest::newRow("h2c upgrade, parallel")
        << u"demo"_s << int(ProtocolPolicy::H2cUpgrade) << QByteArrayList()
        << QStringList{u"/"_s, u"/bytes/1000"_s, u"/stream/3"_s} << true << u"upgrade.switch"_s;
    QTest::newRow("Upgrade: h2 followed")
        << u"demo-tls"_s << int(ProtocolPolicy::Auto) << QByteArrayList{"http/1.1"}
        << QStringList{u"/"_s, u"/bytes/1000"_s, u"/stream/3"_s} << false << u"upgrade.follow"_s;
}

void ClientTimingsTest::timingsAreNeverNegative()
{
    QFETCH(QString, peer);
    QFETCH(int, policy);
    QFETCH(QByteArrayList, alpn);
    QFETCH(QStringList, paths);
    QFETCH(bool, parallel);
    QFETCH(QString, mustSee);

    HostilePeer hostile;
    QString base;
    if (peer.startsWith(u"hostile")) {
        const QString mode = peer.endsWith(u"h2c") ? u"h2c"_s : u"prior"_s;
        QVERIFY2(hostile.start(u"h2-goaway-first-connection"_s, {}, {u"--mode"_s, mode}),
                 qPrintable(hostile.errorString()));
        base = hostile.url(QString());
    } else {
        base = m_demo.baseUrl(peer == u"demo-tls");
    }

    TraceStore trace;
    Client client(&trace);
    client.setParallel(parallel);
    QSignalSpy allFinished(&client, &Client::allFinished);
    for (const QString &path : paths) {
        RequestSpec spec;
        spec.url = QUrl(base + path);
        spec.protocol = ProtocolPolicy(policy);
        spec.tls.alpn = alpn;
        spec.tls.caFile = m_demo.caFile();
        spec.timeouts.totalMs = 20'000;
        client.enqueue(spec);
    }
    client.start();
    QVERIFY2(allFinished.wait(30'000), qPrintable(describe(trace)));
    client.shutdown(u"test done"_s);
    trace.flush();

    QVERIFY2(!eventsOf(trace, eventTypeFromName(mustSee.toLatin1())).isEmpty(),
             qPrintable(u"no %1 in the trace:\n"_s.arg(mustSee) + describe(trace)));
    QVERIFY2(eventsOf(trace, EventType::RequestFailed).isEmpty(), qPrintable(describe(trace)));
    const TraceBatch complete = eventsOf(trace, EventType::ResponseComplete);
    QCOMPARE(complete.size(), paths.size());
    for (const TraceEvent &c : complete) {
        const QString bad = badTimings(c);
        QVERIFY2(
            bad.isEmpty(),
            qPrintable(
                u"request %1 on connection %2: %3\n"_s.arg(c.scope.req).arg(c.scope.conn).arg(bad) +
                describe(trace)));
    }
    if (mustSee == u"pool.retry") {
        // The retry went to a new connection, which it opened: its connect time is its own.
        QCOMPARE(complete.first().scope.conn, 2u);
        const QCborMap t = complete.first().field(Field::Timings).toMap();
        QVERIFY(t.value(u"connect"_s).toDouble() >= 0);
        QVERIFY(t.value(u"send"_s).toDouble() >= 0);
    }
}

QTEST_GUILESS_MAIN(ClientTimingsTest)
#include "tst_client_timings.moc"
