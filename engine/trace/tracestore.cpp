#include "trace/tracestore.h"

namespace hopscope {

TraceStore::TraceStore(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<hopscope::TraceBatch>();
    m_clock.start();
    m_batchTimer.setSingleShot(true);
    m_batchTimer.setInterval(kBatchIntervalMs);
    connect(&m_batchTimer, &QTimer::timeout, this, &TraceStore::flush);
}

void TraceStore::record(const char *type, EventScope scope, Direction dir, QCborMap fields)
{
    TraceEvent ev;
    ev.seq = m_nextSeq++;
    ev.tNs = m_clock.nsecsElapsed();
    ev.type = type;
    ev.scope = scope;
    ev.dir = dir;
    ev.fields = std::move(fields);
    if (m_retain)
        m_events.append(ev);
    m_pending.append(std::move(ev));
    if (m_pending.size() >= kMaxBatch)
        flush();
    else if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

void TraceStore::flush()
{
    m_batchTimer.stop();
    if (m_pending.isEmpty())
        return;
    TraceBatch batch;
    batch.swap(m_pending);
    emit eventsAppended(batch);
}

} // namespace hopscope
