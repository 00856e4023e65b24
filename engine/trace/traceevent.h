#pragma once

#include "core/httpheader.h"
#include "trace/traceschema.h"

#include <QByteArray>
#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QVarLengthArray>

#include <cmath>
#include <iterator>
#include <limits>

namespace hopscope {

class JsonOut;

// A double as the nearest qint64 (NaN as 0): a trace file may hold any number where an integer
// belongs, and a plain cast of one out of range is undefined behaviour.
inline qint64 saturatingInt64(double d)
{
    if (std::isnan(d))
        return 0;
    if (d >= 9223372036854775807.0)
        return std::numeric_limits<qint64>::max();
    if (d <= -9223372036854775808.0)
        return std::numeric_limits<qint64>::min();
    return qint64(d);
}

enum class Direction : quint8 { None, Out, In };

// Which connection / request / HTTP/2 stream an event belongs to. 0 (or -1 for stream) = none.
struct EventScope
{
    quint32 conn = 0;
    quint32 req = 0;
    qint32 stream = -1;
};

// The compact trace (docs/trace-format.md, "In memory").
//
// An event is a fixed-size record (TraceRecord: ids, time, type, direction and where its fields
// are) plus its fields, encoded back to back in the arena of the batch or store that holds it:
//
//   fields := (varint fieldId, value)*
//   value  := tag data   Null | False | True | Int (zigzag varint) | Double (8 bytes)
//                        | Text (varint length, UTF-8) | Bytes (varint length, wire bytes)
//                        | Atom (varint TraceStrings id)
//                        | Array (u32 byte length, value*) | Map (u32 byte length, fields)
//
// Field order is the order the producer wrote them, which the writers keep. Nothing a peer or
// file chooses sizes an allocation here: lengths only ever describe bytes already in the arena.

struct TraceRecord
{
    quint64 seq = 0;
    qint64 tNs = 0; // since the trace started
    EventScope scope;
    EventType type = EventType::Other;
    Direction dir = Direction::None;
    // Where its fields start in the arena. Records lie in the arena in order, so an event's
    // fields end where the next one's start.
    quint64 offset = 0;
};
static_assert(sizeof(TraceRecord) <= 40, "keep an event record small");

// A read-only view of one encoded value. Cheap to copy; valid while the arena it points into is.
class FieldValue
{
public:
    enum class Kind : quint8 {
        Invalid,
        Null,
        False,
        True,
        Int,
        Double,
        Text,
        Bytes,
        Atom,
        Array,
        Map,
        // A duration measured in nanoseconds and read as milliseconds (a double): the exchange
        // timings, in 2-4 bytes each instead of 9. See FieldWriter::millis.
        Millis
    };

    FieldValue() = default;
    FieldValue(const char *data, const char *end) : m_data(data), m_end(end) {}

    Kind kind() const;
    bool isValid() const { return kind() != Kind::Invalid; } // false when the field is absent
    bool isNull() const { return kind() == Kind::Null; }
    bool isString() const; // Text, Bytes or Atom
    bool isInteger() const { return kind() == Kind::Int; }
    bool isDouble() const { return kind() == Kind::Double || kind() == Kind::Millis; }
    bool isBool() const { return kind() == Kind::True || kind() == Kind::False; }
    bool isArray() const { return kind() == Kind::Array; }
    bool isMap() const { return kind() == Kind::Map; }

    qint64 toInteger(qint64 fallback = 0) const; // a Double converts
    double toDouble(double fallback = 0) const;  // an Int converts
    bool toBool(bool fallback = false) const;
    QString toString(const QString &fallback = {}) const; // Bytes as wireText
    // Text and Atom as stored (UTF-8); Bytes as the raw wire bytes.
    QByteArray toUtf8() const;

    // Arrays: elements in order.
    qsizetype size() const; // counts (arrays and maps)
    FieldValue at(qsizetype i) const;
    // Maps: the value under a key, or an invalid value.
    FieldValue value(Field key) const;

    // Iteration over an array's elements or a map's entries.
    class Iterator
    {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = FieldValue;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = FieldValue;

        Iterator() = default;
        Iterator(const char *p, const char *end, bool map) : m_p(p), m_end(end), m_map(map) {}
        FieldValue operator*() const; // for a map: the value
        Field key() const;            // for a map
        Iterator &operator++();
        bool operator==(const Iterator &o) const { return m_p == o.m_p; }
        bool operator!=(const Iterator &o) const { return m_p != o.m_p; }

    private:
        const char *valueStart() const;
        const char *m_p = nullptr;
        const char *m_end = nullptr;
        bool m_map = false;
    };
    Iterator begin() const;
    Iterator end() const;

    // The value as CBOR (generic consumers, tests; allocates, so not for hot paths).
    QCborValue toCbor() const;
    QCborArray toArray() const { return toCbor().toArray(); }
    QCborMap toMap() const { return toCbor().toMap(); }
    // Appends the value as JSON (docs/trace-format.md).
    void appendJson(QByteArray &out) const;
    void appendJson(JsonOut &out) const;

    const char *data() const { return m_data; }
    const char *endOfValue() const; // where the next value starts

private:
    const char *contentBegin() const; // containers: first element
    const char *contentEnd() const;
    const char *m_data = nullptr;
    const char *m_end = nullptr;
};

// A view of one event: its record's values, and its fields in the arena. Valid while the batch
// or store it came from is unchanged; copy what you keep.
struct TraceEvent
{
    quint64 seq = 0;
    qint64 tNs = 0;
    EventType type = EventType::Other;
    EventScope scope;
    Direction dir = Direction::None;
    const char *fieldData = nullptr;
    quint32 fieldSize = 0;

    double seconds() const { return double(tNs) / 1e9; }
    // Its head (ids, time, type, direction) for a batch that copies or rewrites it.
    TraceRecord record() const
    {
        TraceRecord r;
        r.seq = seq;
        r.tNs = tNs;
        r.scope = scope;
        r.type = type;
        r.dir = dir;
        return r;
    }
    bool is(EventType t) const { return type == t; }
    // "request.start" …; for EventType::Other, the name it was read with.
    QByteArray typeName() const;

    // The field under this key, or an invalid value when the event has none.
    FieldValue field(Field key) const;
    // All fields, in the order they were written (it.key(), *it).
    FieldValue::Iterator begin() const;
    FieldValue::Iterator end() const;
    // The fields as a CBOR map, keys by name (generic consumers and tests; not for hot paths).
    QCborMap toCborMap() const;
};

// Encodes an event's fields into an arena. Producers say each field once, in the order the
// writers should print it.
class FieldWriter
{
public:
    explicit FieldWriter(QByteArray *arena) : m_arena(arena) {}

    FieldWriter &integer(Field f, qint64 v);
    FieldWriter &real(Field f, double v);
    // The time from fromNs to toNs, read back as milliseconds (-1 when either is unknown, < 0),
    // exactly as real(f, (toNs - fromNs) / 1e6) would, in a varint.
    FieldWriter &millis(Field f, qint64 fromNs, qint64 toNs);
    FieldWriter &boolean(Field f, bool v);
    FieldWriter &null(Field f);
    FieldWriter &text(Field f, QStringView v);
    FieldWriter &text(Field f, QLatin1StringView v);
    FieldWriter &utf8(Field f, QByteArrayView v);  // text already in UTF-8
    FieldWriter &bytes(Field f, QByteArrayView v); // wire bytes, read back as wireText
    // A string that repeats (a name, a code): kept once in TraceStrings. Valid UTF-8 expected;
    // anything else, or too long, is stored as Bytes.
    FieldWriter &atom(Field f, QByteArrayView v);
    FieldWriter &atoms(Field f, const QList<QByteArray> &v); // an array of atoms
    // [[name, value], …]: names as atoms, values as wire bytes.
    FieldWriter &headers(Field f, const HeaderList &headers);
    // The generic path (file reader, tests, rare events): any CBOR value.
    FieldWriter &value(Field f, const QCborValue &v);
    // A nested array or map: open, write the elements (array elements with the Field-less
    // overloads below), close.
    FieldWriter &beginArray(Field f);
    FieldWriter &beginMap(Field f);
    FieldWriter &end();

    // Array elements.
    FieldWriter &integer(qint64 v);
    FieldWriter &text(QStringView v);
    FieldWriter &utf8(QByteArrayView v); // text already in UTF-8 (the file reader)
    FieldWriter &atom(QByteArrayView v);
    FieldWriter &bytes(QByteArrayView v);
    FieldWriter &value(const QCborValue &v);
    FieldWriter &beginArray();
    FieldWriter &beginMap();

    // A value already encoded, copied as it is (a filter that rewrites some fields of an event
    // and keeps the others, kinds and all).
    FieldWriter &copy(Field f, FieldValue v);

    // Every field of a CBOR map, keys by name (the generic path).
    FieldWriter &fieldsFrom(const QCborMap &map);

private:
    void key(Field f);
    void tag(FieldValue::Kind k);
    void varint(quint64 v);
    void beginContainer(FieldValue::Kind k);

    QByteArray *m_arena;
    QVarLengthArray<qsizetype, 4> m_open; // offsets of open containers' length words
};

// A run of events: fixed-size records and one arena for their fields. Implicitly shared, so it
// crosses threads by value without copying events. Iterating yields TraceEvent views.
class TraceBatch
{
public:
    qsizetype size() const { return m_records.size(); }
    qsizetype count() const { return m_records.size(); }
    bool isEmpty() const { return m_records.isEmpty(); }
    TraceEvent at(qsizetype i) const;
    TraceEvent operator[](qsizetype i) const { return at(i); }
    TraceEvent first() const { return at(0); }
    TraceEvent last() const { return at(size() - 1); }
    const TraceRecord &record(qsizetype i) const { return m_records.at(i); }
    const QByteArray &arena() const { return m_arena; }

    // Starts an event; write its fields through the returned writer before the next append().
    FieldWriter append(const TraceRecord &head);
    // The generic path: fields from a CBOR map (keys by name).
    void append(const TraceRecord &head, const QCborMap &fields);
    // The same with the type by name (head.type is ignored): an unknown name becomes
    // EventType::Other and is kept as the event's first field, Field::TypeName.
    void append(const TraceRecord &head, QByteArrayView typeName, const QCborMap &fields);
    // Copies another batch's events (records rebased onto this arena).
    void append(const TraceBatch &other);
    // Events [pos, pos + len) (len -1: to the end) as a batch of their own (a copy).
    TraceBatch mid(qsizetype pos, qsizetype len = -1) const;
    // Copies one event (a filter's result that must outlive its source).
    void append(const TraceEvent &ev);
    // An event whose fields are already encoded (and checked: the session file reader).
    void appendEncoded(const TraceRecord &head, QByteArrayView fields);
    void clear();
    void reserve(qsizetype events, qsizetype arenaBytes);
    void squeeze();
    // Bytes held, capacity included.
    qsizetype bytesUsed() const
    {
        return m_records.capacity() * qsizetype(sizeof(TraceRecord)) + m_arena.capacity();
    }
    void swap(TraceBatch &other) noexcept;

    class Iterator
    {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = TraceEvent;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = TraceEvent;
        Iterator(const TraceBatch *b, qsizetype i) : m_b(b), m_i(i) {}
        TraceEvent operator*() const { return m_b->at(m_i); }
        Iterator &operator++()
        {
            ++m_i;
            return *this;
        }
        bool operator!=(const Iterator &o) const { return m_i != o.m_i; }
        bool operator==(const Iterator &o) const { return m_i == o.m_i; }

    private:
        const TraceBatch *m_b;
        qsizetype m_i;
    };
    Iterator begin() const { return {this, 0}; }
    Iterator end() const { return {this, size()}; }

private:
    QList<TraceRecord> m_records;
    QByteArray m_arena;
};

const char *directionName(Direction dir); // "out", "in" or ""

} // namespace hopscope

Q_DECLARE_TYPEINFO(hopscope::TraceRecord, Q_PRIMITIVE_TYPE);
Q_DECLARE_METATYPE(hopscope::TraceBatch)
