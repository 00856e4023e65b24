#include "demotour.h"

#include "client.h"
#include "demotourplan.h"
#include "sessionrunner.h"
#include "trace/tracestore.h"

namespace hopscope {

DemoTour::DemoTour(Client *client, SessionRunner *sessions, TraceStore *trace, Urls urls,
                   QObject *parent)
    : QObject(parent), m_client(client), m_sessions(sessions), m_trace(trace),
      m_urls(std::move(urls))
{
    m_phases = demoTourPlan(m_urls);
    connect(m_client, &Client::allFinished, this, &DemoTour::runNext, Qt::QueuedConnection);
}

void DemoTour::start()
{
    m_next = 0;
    runNext();
}

void DemoTour::runNext()
{
    if (m_stopped || m_next >= m_phases.size()) {
        emit finished();
        return;
    }
    const DemoTourPhase &phase = m_phases.at(m_next++);
    m_trace->record(EventType::DemoPhase, {})
        .value(Field::Phase, m_next)
        .value(Field::Title, phase.title);
    m_client->setParallel(phase.parallel);
    for (const RequestSpec &s : phase.requests) {
        const quint32 req = m_client->enqueue(s);
        if (!phase.sends.isEmpty())
            m_sessions->setSendsFor(req, phase.sends);
    }
    m_client->start();
}

} // namespace hopscope
