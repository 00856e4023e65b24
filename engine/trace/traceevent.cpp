#include "trace/traceevent.h"

#include "trace/tracefields.h"
#include "trace/tracestrings.h"

#include <QCborArray>
#include <QCborMap>

#include <charconv>
#include <cmath>
#include <cstring>

namespace hopscope {

using Kind = FieldValue::Kind;

namespace {

// Decoding reads only what our own FieldWriter wrote, but never past the end it is given, so a
// bug cannot turn into a read outside the arena.
quint64 readVarint(const char *&p, const char *end)
{
    quint64 v = 0;
    int shift = 0;
    while (p < end && shift < 64) {
        const auto b = static_cast<unsigned char>(*p++);
        v |= quint64(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
        shift += 7;
    }
    return v;
}

const char *skipVarint(const char *p, const char *end)
{
    while (p < end && (static_cast<unsigned char>(*p) & 0x80))
        ++p;
    return p < end ? p + 1 : end;
}

quint32 readU32(const char *p)
{
    quint32 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

qint64 unzigzag(quint64 v)
{
    return qint64(v >> 1) ^ -qint64(v & 1);
}

quint64 zigzag(qint64 v)
{
    return (quint64(v) << 1) ^ quint64(v >> 63);
}

} // namespace

// --- FieldValue -------------------------------------------------------------------------------

Kind FieldValue::kind() const
{
    if (!m_data || m_data >= m_end)
        return Kind::Invalid;
    const auto k = static_cast<unsigned char>(*m_data);
    return k <= quint8(Kind::Millis) ? Kind(k) : Kind::Invalid;
}

bool FieldValue::isString() const
{
    const Kind k = kind();
    return k == Kind::Text || k == Kind::Bytes || k == Kind::Atom;
}

const char *FieldValue::endOfValue() const
{
    const char *p = m_data ? m_data + 1 : nullptr; // an absent field has no data
    switch (kind()) {
    case Kind::Invalid:
        return m_end;
    case Kind::Null:
    case Kind::False:
    case Kind::True:
        return p;
    case Kind::Int:
    case Kind::Atom:
    case Kind::Millis:
        return skipVarint(p, m_end);
    case Kind::Double:
        return qMin(p + 8, m_end);
    case Kind::Text:
    case Kind::Bytes: {
        const quint64 n = readVarint(p, m_end);
        return n > quint64(m_end - p) ? m_end : p + n;
    }
    case Kind::Array:
    case Kind::Map:
        return contentEnd();
    }
    return m_end;
}

const char *FieldValue::contentBegin() const
{
    return qMin(m_data + 5, m_end);
}

const char *FieldValue::contentEnd() const
{
    if (m_end - m_data < 5)
        return m_end;
    const quint32 n = readU32(m_data + 1);
    return n > quint64(m_end - m_data - 5) ? m_end : m_data + 5 + n;
}

qint64 FieldValue::toInteger(qint64 fallback) const
{
    switch (kind()) {
    case Kind::Int: {
        const char *p = m_data + 1;
        return unzigzag(readVarint(p, m_end));
    }
    case Kind::Double:
    case Kind::Millis:
        return saturatingInt64(toDouble()); // a file may hold 1e300 where a count belongs
    default:
        return fallback;
    }
}

double FieldValue::toDouble(double fallback) const
{
    switch (kind()) {
    case Kind::Double: {
        if (m_end - m_data < 9)
            return fallback;
        double d;
        std::memcpy(&d, m_data + 1, sizeof d);
        return d;
    }
    case Kind::Int:
        return double(toInteger());
    case Kind::Millis: {
        // Stored: 0 for unknown, ns + 1 for ns >= 0, ns itself below (see millis()).
        const char *p = m_data + 1;
        const qint64 v = unzigzag(readVarint(p, m_end));
        return v == 0 ? -1.0 : double(v > 0 ? v - 1 : v) / 1e6;
    }
    default:
        return fallback;
    }
}

bool FieldValue::toBool(bool fallback) const
{
    switch (kind()) {
    case Kind::True:
        return true;
    case Kind::False:
        return false;
    default:
        return fallback;
    }
}

QByteArray FieldValue::toUtf8() const
{
    const char *p = m_data ? m_data + 1 : nullptr; // an absent field has no data
    switch (kind()) {
    case Kind::Text:
    case Kind::Bytes: {
        const quint64 n = readVarint(p, m_end);
        return QByteArray(p, qsizetype(qMin<quint64>(n, quint64(m_end - p))));
    }
    case Kind::Atom:
        return TraceStrings::instance().entry(quint32(readVarint(p, m_end))).utf8;
    default:
        return {};
    }
}

QString FieldValue::toString(const QString &fallback) const
{
    const char *p = m_data ? m_data + 1 : nullptr; // an absent field has no data
    switch (kind()) {
    case Kind::Text: {
        const quint64 n = readVarint(p, m_end);
        return QString::fromUtf8(p, qsizetype(qMin<quint64>(n, quint64(m_end - p))));
    }
    case Kind::Bytes:
        return wireText(toUtf8());
    case Kind::Atom:
        return TraceStrings::instance().entry(quint32(readVarint(p, m_end))).text;
    default:
        return fallback;
    }
}

qsizetype FieldValue::size() const
{
    qsizetype n = 0;
    for (auto it = begin(); it != end(); ++it)
        ++n;
    return n;
}

FieldValue FieldValue::at(qsizetype i) const
{
    for (auto it = begin(); it != end(); ++it) {
        if (i-- == 0)
            return *it;
    }
    return {};
}

FieldValue FieldValue::value(Field key) const
{
    if (!isMap())
        return {};
    for (auto it = begin(); it != end(); ++it) {
        if (it.key() == key)
            return *it;
    }
    return {};
}

FieldValue::Iterator FieldValue::begin() const
{
    const Kind k = kind();
    if (k != Kind::Array && k != Kind::Map)
        return end();
    return Iterator(contentBegin(), contentEnd(), k == Kind::Map);
}

FieldValue::Iterator FieldValue::end() const
{
    const Kind k = kind();
    const char *e = (k == Kind::Array || k == Kind::Map) ? contentEnd() : nullptr;
    return Iterator(e, e, k == Kind::Map);
}

const char *FieldValue::Iterator::valueStart() const
{
    return m_map ? skipVarint(m_p, m_end) : m_p;
}

FieldValue FieldValue::Iterator::operator*() const
{
    return FieldValue(valueStart(), m_end);
}

Field FieldValue::Iterator::key() const
{
    const char *p = m_p;
    return m_map ? Field(readVarint(p, m_end)) : Field::KnownCount;
}

FieldValue::Iterator &FieldValue::Iterator::operator++()
{
    m_p = FieldValue(valueStart(), m_end).endOfValue();
    return *this;
}

QCborValue FieldValue::toCbor() const
{
    switch (kind()) {
    case Kind::Invalid:
        return QCborValue(QCborValue::Undefined);
    case Kind::Null:
        return QCborValue(nullptr);
    case Kind::False:
        return false;
    case Kind::True:
        return true;
    case Kind::Int:
        return toInteger();
    case Kind::Double:
    case Kind::Millis:
        return toDouble();
    case Kind::Text:
    case Kind::Bytes:
    case Kind::Atom:
        return toString();
    case Kind::Array: {
        QCborArray a;
        for (const FieldValue v : *this)
            a.append(v.toCbor());
        return a;
    }
    case Kind::Map: {
        QCborMap m;
        for (auto it = begin(); it != end(); ++it)
            m.insert(TraceStrings::instance().entry(quint32(it.key())).text, (*it).toCbor());
        return m;
    }
    }
    return {};
}

void FieldValue::appendJson(QByteArray &out) const
{
    JsonOut o(out);
    appendJson(o);
}

void FieldValue::appendJson(JsonOut &out) const
{
    switch (kind()) {
    case Kind::Invalid:
    case Kind::Null:
        out.put("null");
        return;
    case Kind::False:
        out.put("false");
        return;
    case Kind::True:
        out.put("true");
        return;
    case Kind::Int: {
        char buf[24];
        const auto r = std::to_chars(buf, buf + sizeof buf, toInteger());
        out.put(buf, r.ptr - buf);
    }
        return;
    case Kind::Double:
    case Kind::Millis: {
        const double d = toDouble();
        if (!std::isfinite(d)) {
            out.put("null");
            return;
        }
        // What QByteArray::number(d, 'g', 12) writes, without its locale machinery: timings
        // make this the most frequent number in a trace. Below 1e9 the two agree digit for
        // digit (checked on millions of values); above, and for -0, Qt's rounding is kept.
        if (d != 0 && std::abs(d) < 1e9) {
            char buf[32];
            const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::general, 12);
            out.put(buf, r.ptr - buf);
        } else {
            out.put(QByteArray::number(d, 'g', 12));
        }
        return;
    }
    case Kind::Text: {
        const char *p = m_data + 1;
        const quint64 n = readVarint(p, m_end);
        appendJsonString(out, QByteArrayView(p, qsizetype(qMin<quint64>(n, quint64(m_end - p)))));
        return;
    }
    case Kind::Bytes: {
        const char *p = m_data + 1;
        const quint64 n = readVarint(p, m_end);
        const QByteArrayView raw(p, qsizetype(qMin<quint64>(n, quint64(m_end - p))));
        // The common case, valid UTF-8, goes straight out; anything else is shown as wireText
        // shows it (Latin-1), like every other consumer.
        if (raw.isValidUtf8() && !raw.startsWith("\xEF\xBB\xBF"))
            appendJsonString(out, raw);
        else
            appendJsonString(out, wireText(raw.toByteArray()).toUtf8());
        return;
    }
    case Kind::Atom: {
        const char *p = m_data + 1;
        out.put(TraceStrings::instance().entry(quint32(readVarint(p, m_end))).json);
        return;
    }
    case Kind::Array: {
        out.put('[');
        bool first = true;
        for (const FieldValue v : *this) {
            if (!first)
                out.put(',');
            first = false;
            v.appendJson(out);
        }
        out.put(']');
        return;
    }
    case Kind::Map: {
        out.put('{');
        bool first = true;
        for (auto it = begin(); it != end(); ++it) {
            if (!first)
                out.put(',');
            first = false;
            out.put(TraceStrings::instance().entry(quint32(it.key())).json);
            out.put(':');
            (*it).appendJson(out);
        }
        out.put('}');
        return;
    }
    }
}

// --- TraceEvent -------------------------------------------------------------------------------

QByteArray TraceEvent::typeName() const
{
    if (type != EventType::Other)
        return QByteArray::fromRawData(eventTypeName(type), qsizetype(strlen(eventTypeName(type))));
    return field(Field::TypeName).toUtf8();
}

FieldValue TraceEvent::field(Field key) const
{
    for (auto it = begin(); it != end(); ++it) {
        if (it.key() == key)
            return *it;
    }
    return {};
}

QCborMap TraceEvent::toCborMap() const
{
    QCborMap m;
    for (auto it = begin(); it != end(); ++it)
        m.insert(TraceStrings::instance().entry(quint32(it.key())).text, (*it).toCbor());
    return m;
}

FieldValue::Iterator TraceEvent::begin() const
{
    return FieldValue::Iterator(fieldData, fieldData + fieldSize, true);
}

FieldValue::Iterator TraceEvent::end() const
{
    return FieldValue::Iterator(fieldData + fieldSize, fieldData + fieldSize, true);
}

// --- FieldWriter ------------------------------------------------------------------------------

void FieldWriter::key(Field f)
{
    varint(quint64(f));
}

void FieldWriter::tag(Kind k)
{
    appendRaw(*m_arena, char(k));
}

void FieldWriter::varint(quint64 v)
{
    char buf[10];
    int n = 0;
    do {
        char b = char(v & 0x7f);
        v >>= 7;
        if (v)
            b = char(b | 0x80);
        buf[n++] = b;
    } while (v);
    appendRaw(*m_arena, buf, n);
}

void FieldWriter::beginContainer(Kind k)
{
    tag(k);
    m_open.append(m_arena->size());
    appendRaw(*m_arena, "\0\0\0\0", 4); // the byte length, filled in by end()
}

FieldWriter &FieldWriter::copy(Field f, FieldValue v)
{
    key(f);
    if (v.isValid())
        appendRaw(*m_arena, v.data(), v.endOfValue() - v.data());
    else
        tag(Kind::Null);
    return *this;
}

FieldWriter &FieldWriter::end()
{
    if (m_open.isEmpty())
        return *this;
    const qsizetype at = m_open.last();
    m_open.removeLast();
    const auto n = quint32(m_arena->size() - at - 4);
    std::memcpy(m_arena->data() + at, &n, sizeof n);
    return *this;
}

FieldWriter &FieldWriter::integer(qint64 v)
{
    tag(Kind::Int);
    varint(zigzag(v));
    return *this;
}

FieldWriter &FieldWriter::text(QStringView v)
{
    const QByteArray utf8 = v.toUtf8();
    tag(Kind::Text);
    varint(quint64(utf8.size()));
    appendRaw(*m_arena, utf8);
    return *this;
}

FieldWriter &FieldWriter::utf8(QByteArrayView v)
{
    tag(Kind::Text);
    varint(quint64(v.size()));
    appendRaw(*m_arena, v.data(), v.size());
    return *this;
}

FieldWriter &FieldWriter::bytes(QByteArrayView v)
{
    tag(Kind::Bytes);
    varint(quint64(v.size()));
    appendRaw(*m_arena, v.data(), v.size());
    return *this;
}

FieldWriter &FieldWriter::atom(QByteArrayView v)
{
    quint32 id = 0;
    if (!v.isValidUtf8() || !TraceStrings::instance().intern(v, &id))
        return bytes(v);
    tag(Kind::Atom);
    varint(id);
    return *this;
}

FieldWriter &FieldWriter::beginArray()
{
    beginContainer(Kind::Array);
    return *this;
}

FieldWriter &FieldWriter::beginMap()
{
    beginContainer(Kind::Map);
    return *this;
}

FieldWriter &FieldWriter::value(const QCborValue &v)
{
    switch (v.type()) {
    case QCborValue::Integer:
        return integer(v.toInteger());
    case QCborValue::Double: {
        tag(Kind::Double);
        const double d = v.toDouble();
        appendRaw(*m_arena, reinterpret_cast<const char *>(&d), sizeof d);
        return *this;
    }
    case QCborValue::True:
        tag(Kind::True);
        return *this;
    case QCborValue::False:
        tag(Kind::False);
        return *this;
    case QCborValue::String:
        return text(v.toString());
    case QCborValue::ByteArray:
        return bytes(v.toByteArray());
    case QCborValue::Array:
        beginArray();
        for (const QCborValue &e : v.toArray())
            value(e);
        return end();
    case QCborValue::Map:
        beginMap();
        fieldsFrom(v.toMap());
        return end();
    default:
        tag(Kind::Null);
        return *this;
    }
}

FieldWriter &FieldWriter::fieldsFrom(const QCborMap &map)
{
    for (auto it = map.cbegin(); it != map.cend(); ++it) {
        Field f;
        if (!fieldFromName(it.key().toString().toUtf8(), &f))
            continue; // the string table is full: a hostile file's thousandth invented key
        value(f, it.value());
    }
    return *this;
}

FieldWriter &FieldWriter::integer(Field f, qint64 v)
{
    key(f);
    return integer(v);
}

FieldWriter &FieldWriter::real(Field f, double v)
{
    key(f);
    tag(Kind::Double);
    appendRaw(*m_arena, reinterpret_cast<const char *>(&v), sizeof v);
    return *this;
}

FieldWriter &FieldWriter::millis(Field f, qint64 fromNs, qint64 toNs)
{
    key(f);
    tag(Kind::Millis);
    const qint64 ns = toNs - fromNs;
    varint(zigzag(fromNs < 0 || toNs < 0 ? 0 : ns >= 0 ? ns + 1 : ns));
    return *this;
}

FieldWriter &FieldWriter::boolean(Field f, bool v)
{
    key(f);
    tag(v ? Kind::True : Kind::False);
    return *this;
}

FieldWriter &FieldWriter::null(Field f)
{
    key(f);
    tag(Kind::Null);
    return *this;
}

FieldWriter &FieldWriter::text(Field f, QStringView v)
{
    key(f);
    return text(v);
}

FieldWriter &FieldWriter::text(Field f, QLatin1StringView v)
{
    key(f);
    return text(QString(v));
}

FieldWriter &FieldWriter::utf8(Field f, QByteArrayView v)
{
    key(f);
    return utf8(v);
}

FieldWriter &FieldWriter::bytes(Field f, QByteArrayView v)
{
    key(f);
    return bytes(v);
}

FieldWriter &FieldWriter::atom(Field f, QByteArrayView v)
{
    key(f);
    return atom(v);
}

FieldWriter &FieldWriter::atoms(Field f, const QList<QByteArray> &v)
{
    beginArray(f);
    for (const QByteArray &a : v)
        atom(a);
    return end();
}

FieldWriter &FieldWriter::headers(Field f, const HeaderList &headers)
{
    beginArray(f);
    for (const HttpHeader &h : headers) {
        beginArray();
        atom(h.name);
        bytes(h.value);
        end();
    }
    return end();
}

FieldWriter &FieldWriter::value(Field f, const QCborValue &v)
{
    key(f);
    return value(v);
}

FieldWriter &FieldWriter::beginArray(Field f)
{
    key(f);
    return beginArray();
}

FieldWriter &FieldWriter::beginMap(Field f)
{
    key(f);
    return beginMap();
}

// --- TraceBatch -------------------------------------------------------------------------------

TraceEvent TraceBatch::at(qsizetype i) const
{
    const TraceRecord &r = m_records.at(i);
    const quint64 next =
        i + 1 < m_records.size() ? m_records.at(i + 1).offset : quint64(m_arena.size());
    TraceEvent ev;
    ev.seq = r.seq;
    ev.tNs = r.tNs;
    ev.type = r.type;
    ev.scope = r.scope;
    ev.dir = r.dir;
    ev.fieldData = m_arena.constData() + r.offset;
    ev.fieldSize = quint32(next - r.offset);
    return ev;
}

FieldWriter TraceBatch::append(const TraceRecord &head)
{
    TraceRecord r = head;
    r.offset = quint64(m_arena.size());
    m_records.append(r);
    return FieldWriter(&m_arena);
}

void TraceBatch::append(const TraceRecord &head, const QCborMap &fields)
{
    append(head).fieldsFrom(fields);
}

void TraceBatch::append(const TraceRecord &head, QByteArrayView typeName, const QCborMap &fields)
{
    TraceRecord r = head;
    r.type = eventTypeFromName(typeName);
    FieldWriter w = append(r);
    if (r.type == EventType::Other)
        w.atom(Field::TypeName, typeName);
    w.fieldsFrom(fields);
}

void TraceBatch::append(const TraceBatch &other)
{
    if (other.isEmpty())
        return;
    if (isEmpty()) {
        *this = other; // shares, no copy
        return;
    }
    const auto base = quint64(m_arena.size());
    m_arena.append(other.m_arena);
    // Geometric growth: a store that receives a million small batches must not reallocate
    // for each one.
    const qsizetype needed = m_records.size() + other.m_records.size();
    if (m_records.capacity() < needed)
        m_records.reserve(qMax(needed, 2 * m_records.capacity()));
    for (TraceRecord r : other.m_records) {
        r.offset += base;
        m_records.append(r);
    }
}

void TraceBatch::append(const TraceEvent &ev)
{
    appendEncoded(ev.record(), QByteArrayView(ev.fieldData, qsizetype(ev.fieldSize)));
}

void TraceBatch::appendEncoded(const TraceRecord &head, QByteArrayView fields)
{
    TraceRecord r = head;
    r.offset = quint64(m_arena.size());
    m_arena.append(fields.data(), fields.size());
    m_records.append(r);
}

TraceBatch TraceBatch::mid(qsizetype pos, qsizetype len) const
{
    TraceBatch out;
    pos = qBound(qsizetype(0), pos, size());
    const qsizetype end = len < 0 ? size() : qMin(size(), pos + len);
    if (pos >= end)
        return out;
    const quint64 from = m_records.at(pos).offset;
    const quint64 to = end < size() ? m_records.at(end).offset : quint64(m_arena.size());
    out.m_arena = m_arena.mid(qsizetype(from), qsizetype(to - from));
    out.m_records = m_records.mid(pos, end - pos);
    for (TraceRecord &r : out.m_records)
        r.offset -= from;
    return out;
}

// Keeps the capacity when nobody else shares the data (QList::clear and truncate do).
void TraceBatch::clear()
{
    m_records.clear();
    m_arena.truncate(0);
}

void TraceBatch::reserve(qsizetype events, qsizetype arenaBytes)
{
    m_records.reserve(events);
    m_arena.reserve(arenaBytes);
}

void TraceBatch::squeeze()
{
    m_records.squeeze();
    m_arena.squeeze();
}

void TraceBatch::swap(TraceBatch &other) noexcept
{
    m_records.swap(other.m_records);
    m_arena.swap(other.m_arena);
}

const char *directionName(Direction dir)
{
    switch (dir) {
    case Direction::Out:
        return "out";
    case Direction::In:
        return "in";
    case Direction::None:
        break;
    }
    return "";
}

} // namespace hopscope
