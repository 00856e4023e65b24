#pragma once

#include "trace/traceevent.h"

#include <QObject>

class QIODevice;

namespace hopscope {

class JsonOut;
class TraceStore;

// Writes the trace as JSON lines (docs/trace-format.md): the common fields first in a fixed
// order, then the event's own fields in the order the engine recorded them.
class JsonLinesWriter : public QObject
{
    Q_OBJECT
public:
    JsonLinesWriter(QIODevice *out, QObject *parent = nullptr);
    void attach(TraceStore *store);
    void write(const TraceBatch &batch);

    // One event as one JSON object, without the newline. Exposed for tests and other writers.
    static QByteArray toJson(const TraceEvent &ev);
    // The same, appended to out: the writer formats a whole batch into one buffer this way.
    static void appendJson(QByteArray &out, const TraceEvent &ev);
    static void appendJson(JsonOut &out, const TraceEvent &ev);

private:
    QIODevice *m_out;
    QByteArray m_buffer;
};

} // namespace hopscope
