#pragma once

#include <QCborMap>
#include <QList>
#include <QMetaType>

namespace hopscope {

enum class Direction : quint8 { None, Out, In };

// Which connection / request / HTTP/2 stream an event belongs to. 0 (or -1 for stream) = none.
struct EventScope
{
    quint32 conn = 0;
    quint32 req = 0;
    qint32 stream = -1;
};

// One step of what the engine did. Compact: the type is a pointer to a string literal (no
// allocation, comparable by content), the type-specific data a QCborMap that keeps insertion
// order, so writers print fields in the order the engine chose.
struct TraceEvent
{
    quint64 seq = 0;
    qint64 tNs = 0; // since the trace started
    const char *type = "";
    EventScope scope;
    Direction dir = Direction::None;
    QCborMap fields;

    double seconds() const { return double(tNs) / 1e9; }
    bool is(const char *name) const;
};

// Every member moves as raw bytes (QCborMap is one d-pointer): a growing list of a million
// events is then grown with realloc instead of moving events one by one.
} // namespace hopscope
Q_DECLARE_TYPEINFO(hopscope::TraceEvent, Q_RELOCATABLE_TYPE);
namespace hopscope {

using TraceBatch = QList<TraceEvent>;

const char *directionName(Direction dir); // "out", "in" or ""

} // namespace hopscope

Q_DECLARE_METATYPE(hopscope::TraceEvent)
Q_DECLARE_METATYPE(hopscope::TraceBatch)
