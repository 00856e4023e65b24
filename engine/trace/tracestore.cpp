#include "trace/tracestore.h"

#include <QCborMap>

namespace hopscope {

TraceStore::TraceStore(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<hopscope::TraceBatch>();
    m_clock.start();
    m_wallClockStart = QDateTime::currentDateTime();
    m_batchTimer.setSingleShot(true);
    m_batchTimer.setInterval(kBatchIntervalMs);
    connect(&m_batchTimer, &QTimer::timeout, this, &TraceStore::flush);
}

FieldWriter TraceStore::record(EventType type, EventScope scope, Direction dir)
{
    // A full batch goes out before the next event starts, never while a caller is still writing
    // the fields of the last one.
    if (m_pending.size() >= kMaxBatch)
        flush();
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
    TraceRecord r;
    r.seq = m_nextSeq++;
    r.tNs = m_clock.nsecsElapsed();
    r.type = type;
    r.scope = scope;
    r.dir = dir;
    return m_pending.append(r);
}

void TraceStore::recordGeneric(QByteArrayView type, EventScope scope, Direction dir,
                               const QCborMap &fields)
{
    if (m_pending.size() >= kMaxBatch)
        flush();
    TraceRecord r;
    r.seq = m_nextSeq++;
    r.tNs = m_clock.nsecsElapsed();
    r.scope = scope;
    r.dir = dir;
    m_pending.append(r, type, fields);
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

TraceBatch TraceStore::events() const
{
    if (!m_retain)
        return {};
    TraceBatch all = m_events;
    all.append(m_pending);
    return all;
}

void TraceStore::flush()
{
    m_batchTimer.stop();
    if (m_pending.isEmpty())
        return;
    // The window keeps each full batch as it is (TraceLog adopts it): the spare capacity its
    // arrays grew into would stay with it for the whole session. Shrinking in place is cheap.
    m_pending.squeeze();
    if (m_retain)
        m_events.append(m_pending);
    emit eventsAppended(m_pending);
    // A consumer on this thread (the CLI's writers) is done with the batch now: its memory is
    // reused for the next one instead of being faulted in anew. One on another thread still
    // holds it; clearing then only drops our reference.
    m_pending.clear();
}

} // namespace hopscope
