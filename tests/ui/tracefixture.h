#pragma once

// Test helpers for the GUI models: trace events built by hand, or loaded from a JSON-lines trace
// that hopscope-cli --trace-json wrote (tests/ui/data/tour.jsonl is the demo tour).

#include "session/tracefile.h"
#include "trace/traceevent.h"

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

inline TraceEvent makeEvent(quint64 seq, double ms, const char *type, EventScope scope,
                            Direction dir = Direction::None, QCborMap fields = {})
{
    TraceEvent ev;
    ev.seq = seq;
    ev.tNs = qint64(ms * 1e6);
    ev.type = internTraceType(type);
    ev.scope = scope;
    ev.dir = dir;
    ev.fields = std::move(fields);
    return ev;
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
