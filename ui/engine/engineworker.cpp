#include "engine/engineworker.h"

#include "client.h"
#include "core/exchange.h"
#include "core/exchangebody.h"
#include "demoserver.h"
#include "net/sessiondriver.h"
#include "trace/tracestore.h"
#include "websocket/websocketdriver.h"

#include <QTimer>

#include <algorithm>

namespace hopscope {

namespace {
constexpr int kTourLingerMs = 1000; // like hopscope-cli --linger: close after a quiet second
}

EngineWorker::EngineWorker() = default;

EngineWorker::~EngineWorker() = default;

void EngineWorker::setUp()
{
    createClient();
}

void EngineWorker::createClient()
{
    m_trace = new TraceStore(this);
    // The GUI's SessionStore keeps the one copy of the events; the engine only streams them.
    m_trace->setRetainEvents(false);
    connect(m_trace, &TraceStore::eventsAppended, this, &EngineWorker::onBatch);
    m_client = new Client(m_trace, this);
    // Concurrency is decided per job here; the client dispatches whatever it is given.
    m_client->setParallel(true);
    connect(m_client, &Client::exchangeFinished, this, &EngineWorker::onExchangeFinished);
    connect(m_client, &Client::protocolSwitched, this, &EngineWorker::onProtocolSwitched);
}

void EngineWorker::startNewSession()
{
    for (auto &job : m_jobs)
        job->next = job->total();
    m_tour.clear();
    const QString reason = QStringLiteral("session cleared");
    m_client->abortAll("aborted", reason);
    m_client->shutdown(reason);
    m_trace->flush();
    // What the old client numbered goes with it: the next request is req 1 on connection #1
    // again, on a trace clock that starts at 0, so the cleared window shows no ghosts of ids it
    // forgot. Whatever the closing connections still record goes to the old trace, which no one
    // hears any more.
    m_client->disconnect(this);
    m_trace->disconnect(this);
    m_client->deleteLater();
    m_trace->deleteLater();
    qDeleteAll(m_lingers);
    m_lingers.clear();
    m_sessions.clear();
    m_jobOf.clear();
    m_jobs.clear();
    m_pendingBodies.clear();
    m_finishedSinceBatch = 0;
    m_tourNext = 0;
    m_tourJob = nullptr;
    createClient();
    emit sessionRestarted();
}

void EngineWorker::tearDown()
{
    // Queued jobs first, so that finishing requests do not pull the next ones in.
    for (auto &job : m_jobs)
        job->next = job->total();
    m_tour.clear();
    m_client->abortAll("aborted", QStringLiteral("Hopscope is closing"));
    m_client->shutdown(QStringLiteral("Hopscope is closing"));
    m_trace->flush();
    m_demo.stop();
    delete m_client;
    m_client = nullptr;
}

void EngineWorker::startDemo()
{
    QString error;
    if (!m_demo.start(&error)) {
        emit demoFailed(error);
        return;
    }
    const DemoServer *server = m_demo.server();
    emit demoReady({server->baseUrl(false), server->baseUrl(true), server->caFile()});
}

void EngineWorker::send(const RequestSpec &spec, int repeat, int parallel)
{
    auto job = std::make_unique<Job>();
    job->specs = {spec};
    job->repeat = qMax(1, repeat);
    job->parallel = qMax(1, parallel);
    Job *raw = job.get();
    m_jobs.push_back(std::move(job));
    pump(raw);
}

void EngineWorker::pump(Job *job)
{
    bool enqueued = false;
    while (job->inFlight < job->parallel && job->next < job->total()) {
        const RequestSpec &spec = job->specs.at(int(job->next / job->repeat));
        ++job->next;
        ++job->inFlight;
        m_jobOf.insert(m_client->enqueue(spec), job);
        enqueued = true;
    }
    if (enqueued)
        m_client->start();
    if (job->done()) {
        const bool tour = job->tourPhase;
        std::erase_if(m_jobs, [job](const auto &j) { return j.get() == job; });
        if (tour) {
            m_tourJob = nullptr;
            runNextTourPhase();
        }
    }
}

void EngineWorker::onExchangeFinished(Exchange *ex)
{
    m_pendingBodies.append(bodyOfExchange(*ex));
    ++m_finishedSinceBatch;
    if (m_sessions.remove(ex->id()))
        emit sessionClosed(ex->id());
    if (QTimer *t = m_lingers.take(ex->id()))
        t->deleteLater();
    if (Job *job = m_jobOf.take(ex->id())) {
        if (ex->nextHop) {
            m_jobOf.insert(ex->nextHop, job); // -L: the request goes on as the next hop
            return;
        }
        --job->inFlight;
        pump(job);
    }
}

// Bodies follow the batch that carries their response.complete, so the GUI always knows the
// exchange before its body arrives.
void EngineWorker::onBatch(const TraceBatch &batch)
{
    emit eventsAppended(batch);
    if (!m_pendingBodies.isEmpty()) {
        emit bodiesReady(m_pendingBodies);
        m_pendingBodies.clear();
    }
    if (m_finishedSinceBatch) {
        emit requestsFinished(m_finishedSinceBatch);
        m_finishedSinceBatch = 0;
    }
}

void EngineWorker::onProtocolSwitched(Exchange *ex, ProtocolDriver *driver)
{
    auto *session = qobject_cast<SessionDriver *>(driver);
    if (!session)
        return;
    const quint32 req = ex->id();
    m_sessions.insert(req, session);
    emit sessionOpened(req, qobject_cast<WebSocketDriver *>(driver) != nullptr);
    const Job *job = m_jobOf.value(req);
    if (!job || job->sends.isEmpty())
        return;
    // Sent now: the driver holds them until it runs (SessionDriver), after the leftover.
    for (const SessionMessage &m : job->sends) {
        if (m.kind == SessionMessage::Kind::Binary)
            session->sendBinary(m.data);
        else
            session->sendText(m.data);
    }
    if (job->tourPhase)
        lingerThenClose(req);
}

// A tour session ends once the peer has been quiet for a second, as the CLI's --linger does,
// so that the tour shows the close handshake and moves on.
void EngineWorker::lingerThenClose(quint32 req)
{
    auto *timer = new QTimer(this);
    timer->setSingleShot(true);
    timer->setInterval(kTourLingerMs);
    m_lingers.insert(req, timer);
    connect(timer, &QTimer::timeout, this, [this, req] {
        if (QTimer *t = m_lingers.take(req))
            t->deleteLater();
        if (SessionDriver *s = m_sessions.value(req))
            s->closeSession(1000, QString());
    });
    if (SessionDriver *s = m_sessions.value(req))
        connect(s, &SessionDriver::peerActivity, timer, qOverload<>(&QTimer::start));
    timer->start();
}

void EngineWorker::runTour(const DemoTourUrls &urls)
{
    if (m_tourJob)
        return; // one tour at a time
    m_tour = demoTourPlan(urls);
    m_tourNext = 0;
    runNextTourPhase();
}

void EngineWorker::runNextTourPhase()
{
    if (m_tourNext >= m_tour.size()) {
        m_tour.clear();
        emit tourFinished();
        return;
    }
    const DemoTourPhase &phase = m_tour.at(m_tourNext++);
    m_trace->record(EventType::DemoPhase, {})
        .integer(Field::Phase, m_tourNext)
        .text(Field::Title, phase.title);
    auto job = std::make_unique<Job>();
    job->specs = phase.requests;
    job->parallel = phase.parallel ? int(phase.requests.size()) : 1;
    job->sends = phase.sends;
    job->tourPhase = true;
    m_tourJob = job.get();
    m_jobs.push_back(std::move(job));
    pump(m_tourJob);
}

void EngineWorker::sendToSession(quint32 req, SessionSendKind kind, const QByteArray &data)
{
    SessionDriver *session = m_sessions.value(req);
    if (!session || !session->isSessionOpen())
        return; // the trace already tells how the session ended
    switch (kind) {
    case SessionSendKind::Text:
        session->sendText(data);
        break;
    case SessionSendKind::Binary:
        session->sendBinary(data);
        break;
    case SessionSendKind::Ping:
        session->sendPing(data);
        break;
    case SessionSendKind::Close:
        session->closeSession(1000, QString());
        break;
    }
}

void EngineWorker::abortAll()
{
    int dropped = 0;
    QList<Job *> jobs;
    for (auto &job : m_jobs) {
        dropped += int(job->total() - job->next);
        job->next = job->total(); // nothing more from the queued jobs
        jobs.append(job.get());
    }
    m_tour.clear();
    if (dropped)
        emit requestsDropped(dropped);
    // An open WebSocket or tunnel did what it was asked: stopping it ends it, it did not fail
    // (issue 14). What is still on its way to a session is aborted below like any request.
    const QList<QPointer<SessionDriver>> sessions = m_sessions.values();
    for (const QPointer<SessionDriver> &session : sessions)
        if (session)
            session->endSessionNow(QStringLiteral("stopped by the user"));
    m_client->abortAll("aborted", QStringLiteral("aborted by the user"));
    // Jobs with nothing in flight are finished now; the others finish with their requests.
    // abortAll() finished requests synchronously, and the last one of a job already let pump()
    // drop that job: only look at jobs still held (ASan, issue 11: a heap-use-after-free here).
    for (Job *job : jobs) {
        const bool held = std::any_of(m_jobs.begin(), m_jobs.end(),
                                      [job](const auto &j) { return j.get() == job; });
        if (held && job->done())
            pump(job);
    }
}

} // namespace hopscope
