#include "session/sessionreader.h"

#include "session/sessionformat.h"
#include "trace/tracestrings.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <vector>

namespace hopscope {

using namespace sessionformat;
using Kind = FieldValue::Kind;

namespace {

// As deep as the JSON-lines reader lets values nest (engine/trace/tracefile.cpp).
constexpr int kMaxDepth = 64;
constexpr qsizetype kMaxMetaBytes = 1 << 20;

// A chunk tag for a message: its letters when they are printable, else its bytes in hex.
QString tagName(const char *tag)
{
    const QByteArrayView t(tag, 4);
    for (char c : t)
        if (c < 0x20 || c > 0x7e)
            return QStringLiteral("0x") + QString::fromLatin1(t.toByteArray().toHex());
    return QString::fromLatin1(t.toByteArray().trimmed());
}

} // namespace

// Walks a session file's chunks once. Events are re-encoded as they are checked: the file's
// string ids (field names, atoms) become this process's, and every tag, length and id is
// checked against the bytes that are really there, so what reaches the store is as sound as
// what the engine records itself.
class SessionReader
{
public:
    SessionReader(QByteArrayView bytes, const QString &name, SessionContents *out)
        : m_bytes(bytes), m_name(name), m_out(out)
    {
    }

    bool read(SessionBodies *bodies, QString *error);

    static bool readData(const QByteArray &data, const QString &name, SessionContents *out,
                         QString *error);
    static bool readFile(const QString &path, SessionContents *out, QString *error);

private:
    static bool readBytes(QByteArrayView bytes, const QString &name, SessionContents *out,
                          std::unique_ptr<SessionBodies> bodies, QString *error);

    bool header();
    void reserveForEvents(qsizetype pos);
    bool types(qsizetype at, QByteArrayView payload);
    bool meta(qsizetype at, QByteArrayView payload);
    bool strings(qsizetype at, QByteArrayView payload);
    // cut: the chunk's end is missing; read the events that are whole, then stop quietly.
    bool events(qsizetype at, QByteArrayView payload, bool cut = false);
    bool body(qsizetype at, QByteArrayView payload, SessionBodies *bodies);
    bool end(qsizetype at, QByteArrayView payload);

    // Copies one value from [p, end) to m_scratch with ids mapped; advances p.
    bool copyValue(const char *&p, const char *end, int depth);
    bool copyFields(const char *p, const char *end, int depth); // key, value pairs
    bool varint(const char *&p, const char *end, quint64 *v);
    void putVarint(quint64 v);
    bool localString(quint64 fileId, const char *at, quint32 *local);

    bool fail(qsizetype at, const QString &what);
    qsizetype offsetOf(const char *p) const { return p - m_bytes.data(); }

    QByteArrayView m_bytes;
    const QString &m_name;
    SessionContents *m_out;
    QString m_error;
    std::vector<quint32> m_strings; // file string id -> TraceStrings id
    struct TypeEntry
    {
        EventType type = EventType::Other;
        quint32 unknownName = 0; // TraceStrings id of a name this build does not know, else 0
        bool unknown = false;
    };
    std::vector<TypeEntry> m_types;
    bool m_haveTypes = false;
    bool m_ended = false;
    quint64 m_events = 0;
    quint64 m_bodyChunks = 0;
    QByteArray m_scratch; // one event's fields, re-encoded
};

bool SessionReader::fail(qsizetype at, const QString &what)
{
    m_error = QStringLiteral("%1: byte %2: %3").arg(m_name).arg(at).arg(what);
    return false;
}

bool SessionReader::read(SessionBodies *bodies, QString *error)
{
    const bool ok = [&] {
        if (!header())
            return false;
        qsizetype pos = load<quint32>(m_bytes.data() + 20);
        reserveForEvents(pos);
        while (pos < m_bytes.size()) {
            if (m_ended)
                return fail(pos, QStringLiteral("%1 bytes follow the end chunk; nothing may")
                                     .arg(m_bytes.size() - pos));
            const qsizetype left = m_bytes.size() - pos;
            if (left < qsizetype(kChunkHeadBytes))
                return fail(pos, QStringLiteral("expected a chunk head of 16 bytes, the file "
                                                "ends after %1: it was cut short")
                                     .arg(left));
            const char *head = m_bytes.data() + pos;
            const quint32 tag = load<quint32>(head);
            const quint64 length = load<quint64>(head + 8);
            if (length > quint64(left - kChunkHeadBytes)) {
                // Cut short: the events whose records and fields are all there are kept.
                if (tag == kEvents && m_haveTypes)
                    events(pos + kChunkHeadBytes, m_bytes.sliced(pos + kChunkHeadBytes), true);
                return fail(pos, QStringLiteral("the %1 chunk says it holds %2 bytes, only %3 "
                                                "follow: the file was cut short")
                                     .arg(tagName(head))
                                     .arg(length)
                                     .arg(left - kChunkHeadBytes));
            }
            const qsizetype at = pos + kChunkHeadBytes;
            const QByteArrayView payload = m_bytes.sliced(at, qsizetype(length));
            bool chunkOk = true;
            if (tag == kTypes)
                chunkOk = types(at, payload);
            else if (tag == kMeta)
                chunkOk = meta(at, payload);
            else if (tag == kStrings)
                chunkOk = strings(at, payload);
            else if (tag == kEvents)
                chunkOk = events(at, payload);
            else if (tag == kBody)
                chunkOk = body(at, payload, bodies);
            else if (tag == kEnd)
                chunkOk = end(at, payload);
            // Any other tag: a chunk a newer minor version added; its length lets us skip it.
            if (!chunkOk)
                return false;
            pos = at + qsizetype(length);
        }
        if (!m_ended)
            return fail(m_bytes.size(), QStringLiteral("the file ends without its end chunk: it "
                                                       "was cut short (a run that did not "
                                                       "finish, or a partial copy)"));
        return true;
    }();
    if (!ok && error)
        *error = m_error;
    return ok;
}

bool SessionReader::header()
{
    if (m_bytes.size() < qsizetype(kHeaderBytes) || !m_bytes.startsWith(QByteArrayView(kMagic, 16)))
        return fail(0, QStringLiteral("not a Hopscope session file (it does not begin with "
                                      "\"HOPSCOPE-SESSION\")"));
    const char *h = m_bytes.data();
    const quint16 major = load<quint16>(h + 16), minor = load<quint16>(h + 18);
    if (major != kMajor)
        return fail(16, QStringLiteral("format version %1.%2; this build reads %3.x%4")
                            .arg(major)
                            .arg(minor)
                            .arg(kMajor)
                            .arg(major > kMajor ? QStringLiteral(": a newer Hopscope wrote it")
                                                : QString()));
    const quint32 headerBytes = load<quint32>(h + 20);
    if (headerBytes < kHeaderBytes || headerBytes > quint64(m_bytes.size()))
        return fail(20, QStringLiteral("the header says it is %1 bytes long; expected at least "
                                       "%2 and at most the file's %3")
                            .arg(headerBytes)
                            .arg(kHeaderBytes)
                            .arg(m_bytes.size()));
    const qint64 startMs = load<qint64>(h + 24);
    if (startMs != kNoTraceStart)
        m_out->traceStart = QDateTime::fromMSecsSinceEpoch(startMs, Qt::UTC);
    return true;
}

// One pass over the chunk heads (a few thousand for a million events) sizes the batch once:
// growing it chunk by chunk would copy it again and again. Only bytes that are in the file are
// counted, so a hostile head can make this reserve at most about the file's size.
void SessionReader::reserveForEvents(qsizetype pos)
{
    quint64 records = 0, fieldBytes = 0;
    while (m_bytes.size() - pos >= qsizetype(kChunkHeadBytes)) {
        const char *head = m_bytes.data() + pos;
        const quint64 length = load<quint64>(head + 8);
        if (length > quint64(m_bytes.size() - pos - kChunkHeadBytes))
            break;
        if (load<quint32>(head) == kEvents && length >= 8) {
            const quint64 count = load<quint32>(head + kChunkHeadBytes);
            if (count * kRecordBytes <= length - 8) {
                records += count;
                fieldBytes += length - 8 - count * kRecordBytes;
            }
        }
        pos += qsizetype(kChunkHeadBytes + length);
    }
    m_out->events.reserve(m_out->events.size() + qsizetype(records),
                          m_out->events.arena().size() + qsizetype(fieldBytes));
}

bool SessionReader::types(qsizetype at, QByteArrayView payload)
{
    if (m_haveTypes)
        return fail(at, QStringLiteral("a second event type table; a file has one"));
    if (payload.size() < 4)
        return fail(at, QStringLiteral("expected the event type count (4 bytes)"));
    const quint32 count = load<quint32>(payload.data());
    qsizetype p = 4;
    for (quint32 i = 0; i < count; ++i) {
        if (p >= payload.size())
            return fail(at + p, QStringLiteral("expected event type name %1 of %2, the chunk "
                                               "ends")
                                    .arg(i + 1)
                                    .arg(count));
        const auto n = qsizetype(quint8(payload[p]));
        if (n > payload.size() - p - 1)
            return fail(at + p, QStringLiteral("event type name %1 says it is %2 bytes, the "
                                               "chunk has %3 left")
                                    .arg(i + 1)
                                    .arg(n)
                                    .arg(payload.size() - p - 1));
        const QByteArrayView name = payload.sliced(p + 1, n);
        TypeEntry entry;
        entry.type = eventTypeFromName(name);
        if (!name.isValidUtf8())
            return fail(at + p, QStringLiteral("event type name %1 is not valid UTF-8").arg(i + 1));
        if (entry.type == EventType::Other && !name.isEmpty()) {
            // A type a newer build records: kept as Other, its name as the first field (as the
            // JSON-lines reader does).
            entry.unknown = true;
            if (!TraceStrings::instance().intern(name, &entry.unknownName))
                return fail(at + p, QStringLiteral("the string table is full"));
        }
        m_types.push_back(entry);
        p += 1 + n;
    }
    m_haveTypes = true;
    return true;
}

bool SessionReader::meta(qsizetype at, QByteArrayView payload)
{
    if (payload.size() > kMaxMetaBytes)
        return fail(at, QStringLiteral("the metadata is %1 bytes; at most %2 are read")
                            .arg(payload.size())
                            .arg(kMaxMetaBytes));
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(payload.toByteArray(), &parse);
    if (parse.error != QJsonParseError::NoError || !doc.isObject())
        return fail(at + (doc.isNull() ? parse.offset : 0),
                    QStringLiteral("the metadata is not a JSON object (%1)")
                        .arg(doc.isNull() ? parse.errorString() : QStringLiteral("not an object")));
    m_out->meta = doc.object();
    return true;
}

bool SessionReader::strings(qsizetype at, QByteArrayView payload)
{
    if (payload.size() < 4)
        return fail(at, QStringLiteral("expected the string count (4 bytes)"));
    const quint32 count = load<quint32>(payload.data());
    qsizetype p = 4;
    for (quint32 i = 0; i < count; ++i) {
        if (payload.size() - p < 2)
            return fail(
                at + p,
                QStringLiteral("expected string %1 of %2, the chunk ends").arg(i + 1).arg(count));
        const auto n = qsizetype(load<quint16>(payload.data() + p));
        if (n > payload.size() - p - 2)
            return fail(at + p, QStringLiteral("string %1 says it is %2 bytes, the chunk has "
                                               "%3 left")
                                    .arg(i + 1)
                                    .arg(n)
                                    .arg(payload.size() - p - 2));
        const QByteArrayView s = payload.sliced(p + 2, n);
        quint32 local = 0;
        if (n > TraceStrings::kMaxInternedLength || !s.isValidUtf8())
            return fail(at + p, QStringLiteral("string %1 is %2; a table string is valid UTF-8 "
                                               "of at most %3 bytes")
                                    .arg(m_strings.size())
                                    .arg(n > TraceStrings::kMaxInternedLength
                                             ? QStringLiteral("%1 bytes long").arg(n)
                                             : QStringLiteral("not valid UTF-8"))
                                    .arg(TraceStrings::kMaxInternedLength));
        if (!TraceStrings::instance().intern(s, &local))
            return fail(at + p, QStringLiteral("the string table is full (%1 strings)")
                                    .arg(TraceStrings::kMaxStrings));
        m_strings.push_back(local);
        p += 2 + n;
    }
    return true;
}

bool SessionReader::events(qsizetype at, QByteArrayView payload, bool cut)
{
    if (!m_haveTypes)
        return fail(at, QStringLiteral("events before the event type table"));
    if (payload.size() < 8)
        return fail(at, QStringLiteral("expected the event count (8 bytes)"));
    const quint32 count = load<quint32>(payload.data());
    if (cut && quint64(count) * kRecordBytes > quint64(payload.size() - 8))
        return true; // the fields come after all records: none is whole
    if (quint64(count) * kRecordBytes > quint64(payload.size() - 8))
        return fail(at, QStringLiteral("%1 event records need %2 bytes, the chunk has %3")
                            .arg(count)
                            .arg(quint64(count) * kRecordBytes)
                            .arg(payload.size() - 8));
    const char *records = payload.data() + 8;
    const char *fields = records + qsizetype(count) * kRecordBytes;
    const char *fieldsEnd = payload.data() + payload.size();
    // No reserve() per chunk: it would grow to exactly this chunk's need, copying the whole
    // batch once per chunk (quadratic over a CLI file's thousands of chunks); appends grow
    // geometrically.
    TraceBatch &batch = m_out->events;
    for (quint32 i = 0; i < count; ++i) {
        const char *r = records + qsizetype(i) * kRecordBytes;
        const qsizetype where = offsetOf(r);
        TraceRecord rec;
        rec.seq = load<quint64>(r);
        rec.tNs = load<qint64>(r + 8);
        rec.scope.conn = load<quint32>(r + 16);
        rec.scope.req = load<quint32>(r + 20);
        rec.scope.stream = load<qint32>(r + 24);
        const quint16 type = load<quint16>(r + 28);
        const auto dir = quint8(r[30]);
        const quint32 size = load<quint32>(r + 32);
        if (rec.seq > quint64(std::numeric_limits<qint64>::max()))
            return fail(where, QStringLiteral("event seq %1 is out of range").arg(rec.seq));
        if (type >= m_types.size())
            return fail(where + 28, QStringLiteral("event type %1; the type table has %2")
                                        .arg(type)
                                        .arg(m_types.size()));
        if (dir > quint8(Direction::In))
            return fail(where + 30, QStringLiteral("direction %1; expected 0, 1 or 2").arg(dir));
        if (cut && size > quint64(fieldsEnd - fields))
            return true; // this event's fields, and the rest of the chunk, are missing
        if (size > quint64(fieldsEnd - fields))
            return fail(where + 32, QStringLiteral("the event's fields are %1 bytes, the chunk "
                                                   "has %2 left")
                                        .arg(size)
                                        .arg(fieldsEnd - fields));
        const TypeEntry &t = m_types[type];
        rec.type = t.type;
        rec.dir = Direction(dir);
        m_scratch.clear();
        if (t.unknown) {
            putVarint(quint64(Field::TypeName));
            m_scratch.append(char(Kind::Atom));
            putVarint(t.unknownName);
        }
        if (!copyFields(fields, fields + size, 0))
            return false;
        fields += size;
        batch.appendEncoded(rec, m_scratch);
        ++m_events;
    }
    if (fields != fieldsEnd && !cut)
        return fail(
            offsetOf(fields),
            QStringLiteral("%1 bytes after the last event's fields").arg(fieldsEnd - fields));
    return true;
}

bool SessionReader::copyFields(const char *p, const char *end, int depth)
{
    while (p < end) {
        quint64 key = 0;
        const char *at = p;
        if (!varint(p, end, &key))
            return false;
        quint32 local = 0;
        if (!localString(key, at, &local))
            return false;
        putVarint(local);
        if (p == end)
            return fail(offsetOf(p), QStringLiteral("expected a value after field %1")
                                         .arg(TraceStrings::instance().entry(local).text));
        if (!copyValue(p, end, depth))
            return false;
    }
    return true;
}

bool SessionReader::copyValue(const char *&p, const char *end, int depth)
{
    const char *at = p;
    const auto tag = quint8(*p++);
    if (tag == 0 || tag > quint8(Kind::Millis))
        return fail(
            offsetOf(at),
            QStringLiteral("value tag %1; expected 1 to %2").arg(tag).arg(quint8(Kind::Millis)));
    m_scratch.append(char(tag));
    switch (Kind(tag)) {
    case Kind::Null:
    case Kind::False:
    case Kind::True:
        return true;
    case Kind::Int:
    case Kind::Millis: {
        quint64 v = 0;
        if (!varint(p, end, &v))
            return false;
        putVarint(v);
        return true;
    }
    case Kind::Double:
        if (end - p < 8)
            return fail(offsetOf(p),
                        QStringLiteral("expected 8 bytes of a double, %1 left").arg(end - p));
        m_scratch.append(p, 8);
        p += 8;
        return true;
    case Kind::Text:
    case Kind::Bytes: {
        quint64 n = 0;
        if (!varint(p, end, &n))
            return false;
        if (n > quint64(end - p))
            return fail(offsetOf(at),
                        QStringLiteral("a string of %1 bytes, %2 left").arg(n).arg(end - p));
        const QByteArrayView s(p, qsizetype(n));
        if (Kind(tag) == Kind::Text && !s.isValidUtf8())
            return fail(offsetOf(at), QStringLiteral("text that is not valid UTF-8"));
        putVarint(n);
        m_scratch.append(s.data(), s.size());
        p += n;
        return true;
    }
    case Kind::Atom: {
        quint64 id = 0;
        if (!varint(p, end, &id))
            return false;
        quint32 local = 0;
        if (!localString(id, at + 1, &local))
            return false;
        putVarint(local);
        return true;
    }
    case Kind::Array:
    case Kind::Map: {
        if (depth >= kMaxDepth)
            return fail(offsetOf(at),
                        QStringLiteral("values nested deeper than %1").arg(kMaxDepth));
        if (end - p < 4)
            return fail(offsetOf(p), QStringLiteral("expected a 4-byte length"));
        const quint32 n = load<quint32>(p);
        p += 4;
        if (n > quint64(end - p))
            return fail(offsetOf(at),
                        QStringLiteral("a container of %1 bytes, %2 left").arg(n).arg(end - p));
        const qsizetype lengthAt = m_scratch.size();
        m_scratch.append("\0\0\0\0", 4);
        const char *contentEnd = p + n;
        if (Kind(tag) == Kind::Map) {
            if (!copyFields(p, contentEnd, depth + 1))
                return false;
        } else {
            while (p < contentEnd)
                if (!copyValue(p, contentEnd, depth + 1))
                    return false;
        }
        p = contentEnd;
        // Lengths change when ids are remapped: say what this process's bytes hold.
        store(m_scratch.data() + lengthAt, quint32(m_scratch.size() - lengthAt - 4));
        return true;
    }
    case Kind::Invalid:
        break;
    }
    return fail(offsetOf(at), QStringLiteral("an invalid value"));
}

bool SessionReader::varint(const char *&p, const char *end, quint64 *v)
{
    const char *at = p;
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (p == end)
            return fail(offsetOf(at), QStringLiteral("a number that runs past its value"));
        const auto b = quint8(*p++);
        *v |= quint64(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return fail(offsetOf(at), QStringLiteral("a number longer than 10 bytes"));
}

void SessionReader::putVarint(quint64 v)
{
    char buf[10];
    int n = 0;
    do {
        buf[n] = char(v & 0x7f);
        v >>= 7;
        if (v)
            buf[n] = char(buf[n] | 0x80);
        ++n;
    } while (v);
    m_scratch.append(buf, n);
}

bool SessionReader::localString(quint64 fileId, const char *at, quint32 *local)
{
    if (fileId >= m_strings.size())
        return fail(offsetOf(at), QStringLiteral("string %1 is named, the file has defined %2 "
                                                 "strings before it")
                                      .arg(fileId)
                                      .arg(m_strings.size()));
    *local = m_strings[fileId];
    return true;
}

bool SessionReader::body(qsizetype at, QByteArrayView payload, SessionBodies *bodies)
{
    if (payload.size() < qsizetype(kBodyHeadBytes))
        return fail(at, QStringLiteral("a body chunk of %1 bytes; its head alone is %2")
                            .arg(payload.size())
                            .arg(kBodyHeadBytes));
    quint64 total = kBodyHeadBytes;
    for (int i = 0; i < 5; ++i)
        total += load<quint32>(payload.data() + 8 + 4 * i);
    if (total != quint64(payload.size()))
        return fail(at, QStringLiteral("the body's parts add up to %1 bytes, the chunk holds %2")
                            .arg(total)
                            .arg(payload.size()));
    const quint32 req = load<quint32>(payload.data());
    if (!bodies->m_chunks.contains(req))
        bodies->m_order.append(req);
    bodies->m_chunks.insert(req, at); // a later body for the same request replaces it
    ++m_bodyChunks;
    return true;
}

bool SessionReader::end(qsizetype at, QByteArrayView payload)
{
    if (payload.size() != 16)
        return fail(at,
                    QStringLiteral("an end chunk of %1 bytes; expected 16").arg(payload.size()));
    const quint64 events = load<quint64>(payload.data());
    const quint64 bodies = load<quint64>(payload.data() + 8);
    if (events != m_events || bodies != m_bodyChunks)
        return fail(at, QStringLiteral("the end chunk counts %1 events and %2 bodies, the file "
                                       "holds %3 and %4")
                            .arg(events)
                            .arg(bodies)
                            .arg(m_events)
                            .arg(m_bodyChunks));
    m_ended = true;
    return true;
}

std::optional<ExchangeBody> SessionBodies::body(quint32 req) const
{
    const auto it = m_chunks.constFind(req);
    if (it == m_chunks.cend())
        return std::nullopt;
    // The head was checked when the file was opened: the parts fit the chunk.
    const char *p = m_bytes.data() + *it;
    ExchangeBody b;
    b.req = req;
    const quint32 flags = load<quint32>(p + 4);
    quint32 sizes[5];
    for (int i = 0; i < 5; ++i)
        sizes[i] = load<quint32>(p + 8 + 4 * i);
    const char *data = p + kBodyHeadBytes;
    QByteArray *parts[5] = {&b.contentType, &b.contentEncoding, &b.wire, &b.decoded,
                            &b.requestBody};
    for (int i = 0; i < 5; ++i) {
        *parts[i] = QByteArray(data, sizes[i]);
        data += sizes[i];
    }
    if (flags & DecodedIsWire)
        b.decoded = b.wire;
    b.wireTruncated = flags & WireTruncated;
    b.decodedTruncated = flags & DecodedTruncated;
    return b;
}

bool isSessionFile(QByteArrayView start)
{
    return start.startsWith(QByteArrayView(kMagic, 16));
}

bool SessionReader::readBytes(QByteArrayView bytes, const QString &name, SessionContents *out,
                              std::unique_ptr<SessionBodies> bodies, QString *error)
{
    bodies->m_bytes = bytes;
    SessionReader reader(bytes, name, out);
    const bool ok = reader.read(bodies.get(), error);
    out->bodies = std::move(bodies);
    return ok;
}

bool SessionReader::readData(const QByteArray &data, const QString &name, SessionContents *out,
                             QString *error)
{
    auto bodies = std::make_unique<SessionBodies>();
    bodies->m_data = data;
    const QByteArrayView bytes(bodies->m_data);
    return readBytes(bytes, name, out, std::move(bodies), error);
}

bool SessionReader::readFile(const QString &path, SessionContents *out, QString *error)
{
    auto bodies = std::make_unique<SessionBodies>();
    bodies->m_file = std::make_unique<QFile>(path);
    QFile &file = *bodies->m_file;
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    const qint64 size = file.size();
    // Mapped, not read: bodies stay on disk until one is shown.
    const uchar *mapped = size > 0 ? file.map(0, size) : nullptr;
    if (size > 0 && !mapped) {
        *error = QStringLiteral("%1: cannot map the file: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArrayView bytes(reinterpret_cast<const char *>(mapped), qsizetype(size));
    return readBytes(bytes, path, out, std::move(bodies), error);
}

bool readSessionData(const QByteArray &data, const QString &name, SessionContents *out,
                     QString *error)
{
    return SessionReader::readData(data, name, out, error);
}

bool readSessionFile(const QString &path, SessionContents *out, QString *error)
{
    return SessionReader::readFile(path, out, error);
}

} // namespace hopscope
