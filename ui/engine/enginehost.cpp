#include "engine/enginehost.h"

#include "demopresets.h"
#include "engine/engineworker.h"

namespace hopscope {

EngineHost::EngineHost(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<hopscope::TraceBatch>();
    qRegisterMetaType<hopscope::ExchangeBody>();
    qRegisterMetaType<QList<hopscope::ExchangeBody>>();
    qRegisterMetaType<hopscope::DemoEndpoints>();

    m_thread.setObjectName(QStringLiteral("hopscope-engine"));
    m_worker = new EngineWorker;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);

    // Queued: the worker emits in the engine thread, these arrive in ours.
    connect(m_worker, &EngineWorker::eventsAppended, this, &EngineHost::eventsAppended,
            Qt::QueuedConnection);
    connect(m_worker, &EngineWorker::bodiesReady, this, &EngineHost::bodiesReady,
            Qt::QueuedConnection);
    connect(m_worker, &EngineWorker::sessionOpened, this, &EngineHost::sessionOpened,
            Qt::QueuedConnection);
    connect(m_worker, &EngineWorker::sessionClosed, this, &EngineHost::sessionClosed,
            Qt::QueuedConnection);
    connect(
        m_worker, &EngineWorker::tourFinished, this,
        [this] {
            m_tourRunning = false;
            emit tourFinished();
        },
        Qt::QueuedConnection);
    connect(
        m_worker, &EngineWorker::requestsDropped, this,
        [this](int n) {
            m_inFlight = qMax(0, m_inFlight - n);
            emit inFlightChanged(m_inFlight);
        },
        Qt::QueuedConnection);
    connect(m_worker, &EngineWorker::demoFailed, this, &EngineHost::demoFailed,
            Qt::QueuedConnection);
    connect(
        m_worker, &EngineWorker::demoReady, this,
        [this](const DemoEndpoints &endpoints) {
            m_demo = endpoints;
            emit demoReady(endpoints);
        },
        Qt::QueuedConnection);
    connect(
        m_worker, &EngineWorker::requestsFinished, this,
        [this](int count) {
            m_inFlight = qMax(0, m_inFlight - count);
            emit inFlightChanged(m_inFlight);
        },
        Qt::QueuedConnection);

    connect(
        m_worker, &EngineWorker::sessionRestarted, this,
        [this] {
            m_inFlight = 0;
            m_tourRunning = false;
            emit inFlightChanged(0);
            emit sessionRestarted();
        },
        Qt::QueuedConnection);

    m_thread.start();
    QMetaObject::invokeMethod(m_worker, &EngineWorker::setUp, Qt::QueuedConnection);
}

EngineHost::~EngineHost()
{
    // Close connections in their own thread, then let the thread finish (deleting the worker).
    QMetaObject::invokeMethod(m_worker, &EngineWorker::tearDown, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void EngineHost::startDemo()
{
    QMetaObject::invokeMethod(m_worker, &EngineWorker::startDemo, Qt::QueuedConnection);
}

void EngineHost::send(const RequestSpec &typed, int repeat, int parallel)
{
    // The banner says the demo's certificate is trusted: so it is, for the demo's own origin,
    // whether the URL was typed or picked (nothing in the composer changes).
    const RequestSpec spec =
        m_demo.isValid()
            ? trustDemoOrigin(typed, DemoTourUrls{m_demo.plainUrl, m_demo.tlsUrl, m_demo.caFile})
            : typed;
    m_inFlight += qMax(1, repeat);
    emit inFlightChanged(m_inFlight);
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, spec, repeat, parallel] { w->send(spec, repeat, parallel); },
        Qt::QueuedConnection);
}

void EngineHost::runTour()
{
    if (!m_demo.isValid() || m_tourRunning)
        return;
    m_tourRunning = true;
    const DemoTourUrls urls{m_demo.plainUrl, m_demo.tlsUrl, m_demo.caFile};
    int requests = 0;
    for (const DemoTourPhase &phase : demoTourPlan(urls))
        requests += int(phase.requests.size());
    m_inFlight += requests;
    emit inFlightChanged(m_inFlight);
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, urls] { w->runTour(urls); }, Qt::QueuedConnection);
}

void EngineHost::sendToSession(quint32 req, SessionSendKind kind, const QByteArray &data)
{
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, req, kind, data] { w->sendToSession(req, kind, data); },
        Qt::QueuedConnection);
}

void EngineHost::abortAll()
{
    QMetaObject::invokeMethod(m_worker, &EngineWorker::abortAll, Qt::QueuedConnection);
}

void EngineHost::startNewSession()
{
    QMetaObject::invokeMethod(m_worker, &EngineWorker::startNewSession, Qt::QueuedConnection);
}

} // namespace hopscope
