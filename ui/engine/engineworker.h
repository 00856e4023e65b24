#pragma once

#include "core/requestspec.h"
#include "demoserverthread.h"
#include "demotourplan.h"
#include "engine/enginehost.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>

#include <memory>

class QTimer;

namespace hopscope {

class Client;
class Exchange;
class ProtocolDriver;
class SessionDriver;
class TraceStore;

// Lives in the engine thread (EngineHost moves it there): owns the TraceStore, the Client and
// the demo server, and is only ever called through queued invocations. Everything it reports
// leaves as values through queued signals.
class EngineWorker : public QObject
{
    Q_OBJECT
public:
    EngineWorker();
    ~EngineWorker() override;

    // All called in the engine thread (QMetaObject::invokeMethod from the host).
    void setUp();
    void tearDown();
    void startDemo();
    void send(const hopscope::RequestSpec &spec, int repeat, int parallel);
    void runTour(const hopscope::DemoTourUrls &urls);
    void sendToSession(quint32 req, hopscope::SessionSendKind kind, const QByteArray &data);
    void abortAll();
    // Aborts everything, drops the client (and its connections) and starts a fresh one whose
    // ids and trace clock start over; sessionRestarted() follows every event of the old one.
    void startNewSession();

signals:
    void demoReady(const hopscope::DemoEndpoints &endpoints);
    void demoFailed(const QString &message);
    void eventsAppended(const hopscope::TraceBatch &batch);
    // Once per trace batch, after it: the bodies of the exchanges it finished, and how many
    // requests finished. Per batch, not per request, so 100,000 requests are not 200,000 queued
    // signals for the GUI thread.
    void bodiesReady(const QList<hopscope::ExchangeBody> &bodies);
    void sessionOpened(quint32 req, bool canPing);
    void sessionClosed(quint32 req);
    void requestsFinished(int count);
    void requestsDropped(int count); // queued requests abortAll() never sent
    void tourFinished();
    void sessionRestarted();

private:
    // One send from the composer (or a tour phase): its requests go out at most `parallel` at
    // once; the rest wait here, not in the Client, so that a later send is not stuck behind
    // 100,000 repeats.
    struct Job
    {
        QList<RequestSpec> specs; // sent in order, each `repeat` times
        int repeat = 1;
        int parallel = 1;
        qint64 next = 0; // index of the next request to enqueue, 0 .. specs*repeat
        int inFlight = 0;
        QList<SessionMessage> sends; // for sessions the job's requests open
        bool tourPhase = false;
        qint64 total() const { return qint64(specs.size()) * repeat; }
        bool done() const { return next >= total() && inFlight == 0; }
    };

    void createClient();
    void pump(Job *job);
    void onExchangeFinished(Exchange *ex);
    void onProtocolSwitched(Exchange *ex, ProtocolDriver *driver);
    void onBatch(const hopscope::TraceBatch &batch);
    void runNextTourPhase();
    void lingerThenClose(quint32 req);

    TraceStore *m_trace = nullptr;
    Client *m_client = nullptr;
    DemoServerThread m_demo; // the embedded demo server, in a thread of its own
    std::vector<std::unique_ptr<Job>> m_jobs;
    QHash<quint32, Job *> m_jobOf; // request number -> its job, until it finished
    QHash<quint32, QPointer<SessionDriver>> m_sessions;
    QHash<quint32, QTimer *> m_lingers;  // tour sessions close after a quiet second
    QList<ExchangeBody> m_pendingBodies; // sent right after the batch that finished them
    int m_finishedSinceBatch = 0;
    QList<DemoTourPhase> m_tour;
    int m_tourNext = 0;
    Job *m_tourJob = nullptr;
};

} // namespace hopscope
