#pragma once

#include "trace/traceevent.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace hopscope {

// Append-only record of every event of a run. The engine appends; observers (writers, GUI models)
// receive events in batches through eventsAppended(), coalesced for ~16 ms or a few thousand
// events so that a flood of frames never floods an event queue.
class TraceStore : public QObject
{
    Q_OBJECT
public:
    explicit TraceStore(QObject *parent = nullptr);

    // Records an event now and returns the writer for its fields, which the caller fills right
    // away (before recording anything else):
    //     trace->record(EventType::NetRead, scope, Direction::In).integer(Field::Bytes, n);
    // Cheap: no allocation but the arena's growth, no signal per event.
    FieldWriter record(EventType type, EventScope scope, Direction dir = Direction::None);
    // The generic path: a type by name (an unknown one becomes EventType::Other) and fields from
    // a CBOR map, keys by name. For events outside the hot paths only.
    void recordGeneric(QByteArrayView type, EventScope scope, Direction dir,
                       const QCborMap &fields);

    // A command-line run streams events to its writers and need not keep them; the GUI keeps all.
    void setRetainEvents(bool retain) { m_retain = retain; }
    // Every event so far, those not yet delivered in a batch included.
    TraceBatch events() const;
    quint64 count() const { return m_nextSeq - 1; }
    qint64 elapsedNs() const { return m_clock.nsecsElapsed(); }
    // The wall-clock time of the trace's t = 0 (HAR's startedDateTime is this plus an event's t).
    QDateTime wallClockStart() const { return m_wallClockStart; }

    // Delivers the pending batch right away (end of run, before exit).
    void flush();

signals:
    void eventsAppended(const hopscope::TraceBatch &batch);

private:
    static constexpr int kMaxBatch = 4096;
    static constexpr int kBatchIntervalMs = 16;

    QElapsedTimer m_clock;
    QDateTime m_wallClockStart;
    QTimer m_batchTimer;
    TraceBatch m_events;
    TraceBatch m_pending;
    quint64 m_nextSeq = 1;
    bool m_retain = true;
};

} // namespace hopscope
