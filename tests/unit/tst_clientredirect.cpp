// The Client following redirects (RequestSpec::redirects, curl's -L) against the embedded demo
// server's /redirect/N (a chain of relative 302s ending at /headers), over HTTP/1.1, HTTP/2 by
// prior knowledge and TLS: each hop a new exchange with the next request number, finished in
// order and linked by nextHop and the trace's `redirect` events; the body sink moves along, so
// it sees every hop's head but only the final body; --max-redirs fails the request after the
// last allowed hop; and a user request enqueued behind a chain waits for its end.

#include "client.h"
#include "core/exchange.h"
#include "core/redirectpolicy.h"
#include "demoserver.h"
#include "trace/tracestore.h"
#include "traceevents.h"

#include <QSignalSpy>
#include <QTest>

using namespace hopscope;
using namespace Qt::StringLiterals;
using hopscope::test::eventsOf;

namespace {

constexpr int kTimeoutMs = 30'000;

// What a sink saw: the status of each begin() and the body bytes.
struct SinkLog
{
    QList<int> heads;
    QByteArray body;
    int finishes = 0;
};

class RecordingSink : public BodySink
{
public:
    explicit RecordingSink(SinkLog *log) : m_log(log) {}
    bool begin(const Exchange &exchange) override
    {
        m_log->heads << exchange.status;
        return true;
    }
    bool write(QByteArrayView data) override
    {
        m_log->body += data.toByteArray();
        return true;
    }
    bool finish() override
    {
        ++m_log->finishes;
        return true;
    }

private:
    SinkLog *m_log;
};

struct Finished
{
    quint32 id;
    quint32 nextHop;
    int hop;
    quint32 firstId;
    int status;
    bool failed;
    QByteArray errorCode;
};

} // namespace

class ClientRedirectTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void chain_data();
    void chain();
    void notFollowedWithoutTheOption();
    void maxRedirects();
    void nextRequestWaitsForTheChain();

private:
    RequestSpec request(const QString &kind, const QString &path) const;
    QList<Finished> run(Client &client, TraceStore &trace);

    DemoServer m_demo;
};

void ClientRedirectTest::initTestCase()
{
    QString error;
    QVERIFY2(m_demo.start(&error), qPrintable(error));
}

void ClientRedirectTest::cleanupTestCase()
{
    m_demo.stop();
}

RequestSpec ClientRedirectTest::request(const QString &kind, const QString &path) const
{
    RequestSpec s;
    const bool tls = kind == u"tls";
    s.url = QUrl(m_demo.baseUrl(tls) + path);
    s.tls.caFile = m_demo.caFile();
    s.timeouts.totalMs = kTimeoutMs;
    if (kind == u"h1")
        s.protocol = ProtocolPolicy::Http1Only;
    else if (kind == u"h2c-prior")
        s.protocol = ProtocolPolicy::H2cPrior;
    s.followUpgradeH2 = false;
    s.redirects.follow = true;
    return s;
}

QList<Finished> ClientRedirectTest::run(Client &client, TraceStore &trace)
{
    QList<Finished> finished;
    connect(&client, &Client::exchangeFinished, this, [&](Exchange *ex) {
        finished.append({ex->id(), ex->nextHop, ex->chain.hop, ex->firstId(), ex->status,
                         ex->state() == Exchange::State::Failed, ex->errorCode()});
    });
    QSignalSpy allFinished(&client, &Client::allFinished);
    client.start();
    if (!allFinished.wait(kTimeoutMs + 5000))
        qWarning("the run did not finish");
    client.shutdown(u"test done"_s);
    trace.flush();
    return finished;
}

void ClientRedirectTest::chain_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("HTTP/1.1") << u"h1"_s;
    QTest::newRow("HTTP/2 prior knowledge") << u"h2c-prior"_s;
    QTest::newRow("TLS") << u"tls"_s;
}

void ClientRedirectTest::chain()
{
    QFETCH(QString, kind);
    TraceStore trace;
    Client client(&trace);
    SinkLog log;
    client.enqueue(request(kind, u"/redirect/3"_s), std::make_unique<RecordingSink>(&log));
    const QList<Finished> finished = run(client, trace);

    QCOMPARE(finished.size(), 4);
    for (int i = 0; i < 4; ++i) {
        const Finished &f = finished.at(i);
        QCOMPARE(f.id, quint32(i + 1));
        QCOMPARE(f.hop, i);
        QCOMPARE(f.firstId, 1u);
        QCOMPARE(f.nextHop, i < 3 ? quint32(i + 2) : 0u);
        QCOMPARE(f.status, i < 3 ? 302 : 200);
        QVERIFY(!f.failed);
    }
    // One sink for the user's request: every hop's head, the final body only, finished once.
    QCOMPARE(log.heads, (QList<int>{302, 302, 302, 200}));
    QVERIFY2(log.body.contains("\"target\": \"/headers\""), log.body.constData());
    QVERIFY(!log.body.contains("to go"));
    QCOMPARE(log.finishes, 1);

    const TraceBatch redirects = eventsOf(trace, EventType::Redirect);
    QCOMPARE(redirects.size(), 3);
    const QStringList targets{u"/redirect/2"_s, u"/redirect/1"_s, u"/headers"_s};
    for (int i = 0; i < 3; ++i) {
        const TraceEvent ev = redirects.at(i);
        QCOMPARE(ev.scope.req, quint32(i + 1));
        QCOMPARE(ev.field(Field::Next).toInteger(), i + 2);
        QCOMPARE(ev.field(Field::Hop).toInteger(), i + 1);
        QCOMPARE(ev.field(Field::Status).toInteger(), 302);
        QCOMPARE(ev.field(Field::To).toString(), QUrl(request(kind, targets.at(i)).url).toString());
    }
    QCOMPARE(eventsOf(trace, EventType::RequestStart).size(), 4);
    QCOMPARE(eventsOf(trace, EventType::PoolOpen).size(), 1); // one origin, one connection
    QVERIFY(client.unfinished().isEmpty());
}

void ClientRedirectTest::notFollowedWithoutTheOption()
{
    TraceStore trace;
    Client client(&trace);
    SinkLog log;
    RequestSpec spec = request(u"h1"_s, u"/redirect/2"_s);
    spec.redirects.follow = false;
    client.enqueue(spec, std::make_unique<RecordingSink>(&log));
    const QList<Finished> finished = run(client, trace);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().status, 302);
    QCOMPARE(finished.first().nextHop, 0u);
    QCOMPARE(log.body, QByteArray("302 Found: 2 redirects to go\n"));
    QVERIFY(eventsOf(trace, EventType::Redirect).isEmpty());
}

void ClientRedirectTest::maxRedirects()
{
    TraceStore trace;
    Client client(&trace);
    SinkLog log;
    RequestSpec spec = request(u"h2c-prior"_s, u"/redirect/5"_s);
    spec.redirects.maxRedirects = 2;
    client.enqueue(spec, std::make_unique<RecordingSink>(&log));
    const QList<Finished> finished = run(client, trace);
    QCOMPARE(finished.size(), 3);
    const Finished &last = finished.last();
    QCOMPARE(last.id, 3u);
    QVERIFY(last.failed);
    QCOMPARE(last.errorCode, QByteArray(redirect::kTooMany));
    QCOMPARE(last.status, 302);
    QVERIFY(log.body.isEmpty());
    // The complete response, then why the request failed.
    const TraceBatch errors = eventsOf(trace, EventType::Error);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).scope.req, 3u);
    QVERIFY(errors.at(0)
                .field(Field::Message)
                .toString()
                .startsWith(u"maximum (2) redirects followed"_s));
    QCOMPARE(eventsOf(trace, EventType::ResponseComplete).size(), 3);
    QCOMPARE(eventsOf(trace, EventType::RequestFailed).size(), 1);
}

void ClientRedirectTest::nextRequestWaitsForTheChain()
{
    TraceStore trace;
    Client client(&trace);
    client.enqueue(request(u"h1"_s, u"/redirect/2"_s));
    client.enqueue(request(u"h1"_s, u"/headers"_s));
    const QList<Finished> finished = run(client, trace);
    // The user's second request (2) was numbered first, but its start waits for the chain's
    // hops (3, 4): sequential mode carries a request on until its final answer.
    QList<quint32> starts;
    for (const TraceEvent &e : trace.events()) {
        if (e.is(EventType::RequestStart))
            starts << e.scope.req;
    }
    QCOMPARE(starts, (QList<quint32>{1, 3, 4, 2}));
    QCOMPARE(finished.size(), 4);
    QCOMPARE(finished.at(2).id, 4u);
    QCOMPARE(finished.at(2).firstId, 1u);
    QCOMPARE(finished.at(3).id, 2u);
}

QTEST_GUILESS_MAIN(ClientRedirectTest)
#include "tst_clientredirect.moc"
