#pragma once

#include "core/exchangebody.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

class QIODevice;

namespace hopscope {

class TraceBatch;
class TraceLog;
struct TraceEvent;

// Writes a session file (docs/session-format.md): every event, compact as the trace holds it,
// and every kept body. Streaming: hopscope-cli --save writes each batch as the run makes it, and
// the window writes a million events in chunks without building the file in memory.
//
//     SessionWriter w(&file);
//     w.begin(start, meta); w.writeEvents(batch); w.writeBody(body); …; w.finish();
//
// A write error sticks: later calls do nothing and finish() returns false with errorString().
class SessionWriter
{
public:
    explicit SessionWriter(QIODevice *out);

    bool begin(const QDateTime &traceStart, const QJsonObject &meta);
    void writeEvents(const TraceBatch &batch);
    void writeEvents(const TraceLog &log);
    void writeBody(const ExchangeBody &body);
    // Writes the end chunk, which marks the file complete. Does not close the device.
    bool finish();

    QString errorString() const { return m_error; }
    quint64 eventCount() const { return m_events; }
    quint64 bodyCount() const { return m_bodies; }

private:
    static constexpr qsizetype kEventsPerChunk = 65536;

    void add(const TraceEvent &ev);
    void flushEvents();
    void writeNewStrings();
    void writeChunk(quint32 tag, QByteArrayView payload, QByteArrayView more = {});
    void write(QByteArrayView bytes);

    QIODevice *m_out;
    QString m_error;
    QByteArray m_records; // the pending EVTS chunk's records
    QByteArray m_fields;  // ... and their fields
    quint32 m_pending = 0;
    quint32 m_stringsWritten = 0; // TraceStrings ids 0 .. m_stringsWritten - 1 are in the file
    quint64 m_events = 0;
    quint64 m_bodies = 0;
};

} // namespace hopscope
