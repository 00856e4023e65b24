#pragma once

// Test helpers for the GUI models: trace events built by hand, or loaded from a JSON-lines trace
// that hopscope-cli --trace-json wrote (tests/ui/data/tour.jsonl is the demo tour).

#include "trace/traceevent.h"
#include "trace/tracefile.h"

#include <QByteArray>
#include <QCborMap>
#include <QCborValue>
#include <QString>

namespace hopscope::testing {

// fields({{"status", 200}, {"reason", "OK"}}): an event's fields, in the order given.
inline QCborMap fields(std::initializer_list<std::pair<const char *, QCborValue>> list)
{
    QCborMap m;
    for (const auto &[key, value] : list)
        m.insert(QString::fromLatin1(key), value);
    return m;
}

// Appends one event to `batch`. A type this build does not know becomes EventType::Other with
// its name as Field::TypeName, as a file would have it.
inline void addEvent(TraceBatch &batch, quint64 seq, double ms, const char *type, EventScope scope,
                     Direction dir = Direction::None, const QCborMap &fields = {})
{
    TraceRecord head;
    head.seq = seq;
    head.tNs = qint64(ms * 1e6);
    head.type = eventTypeFromName(type);
    head.scope = scope;
    head.dir = dir;
    if (head.type == EventType::Other)
        batch.append(head).atom(Field::TypeName, type).fieldsFrom(fields);
    else
        batch.append(head, fields);
}

// A one-event batch (append it to a TraceBatch, or hand it to SessionStore::append). Loops that
// build thousands of events use addEvent(): TraceBatch::append(const TraceBatch &) reserves
// exactly what it needs, so appending one-event batches one by one copies every record each time.
inline TraceBatch makeEvent(quint64 seq, double ms, const char *type, EventScope scope,
                            Direction dir = Direction::None, const QCborMap &fields = {})
{
    TraceBatch batch;
    addEvent(batch, seq, ms, type, scope, dir, fields);
    return batch;
}

// Several events as one batch: batchOf({makeEvent(…), makeEvent(…)}).
inline TraceBatch batchOf(std::initializer_list<TraceBatch> events)
{
    TraceBatch out;
    for (const TraceBatch &b : events)
        out.append(b);
    return out;
}

// Reads a --trace-json file (the library's reader, which File > Open uses too).
inline TraceBatch loadJsonLines(const QString &path)
{
    TraceBatch out;
    QString error;
    if (!readTraceFile(path, &out, &error))
        qWarning("%s", qPrintable(error));
    return out;
}

inline QString tourTracePath()
{
    return QStringLiteral(HOPSCOPE_UI_TEST_DATA "/tour.jsonl");
}

} // namespace hopscope::testing
