#include "session/sessionwriter.h"

#include "session/sessionformat.h"
#include "trace/traceevent.h"
#include "trace/tracelog.h"
#include "trace/tracestrings.h"

#include <QIODevice>
#include <QJsonDocument>

namespace hopscope {

using namespace sessionformat;

namespace {

void putU16(QByteArray &out, quint16 v)
{
    char b[2];
    store(b, v);
    out.append(b, 2);
}

void putU32(QByteArray &out, quint32 v)
{
    char b[4];
    store(b, v);
    out.append(b, 4);
}

void putU64(QByteArray &out, quint64 v)
{
    char b[8];
    store(b, v);
    out.append(b, 8);
}

} // namespace

SessionWriter::SessionWriter(QIODevice *out) : m_out(out) {}

bool SessionWriter::begin(const QDateTime &traceStart, const QJsonObject &meta)
{
    QByteArray header(kMagic, 16);
    putU16(header, kMajor);
    putU16(header, kMinor);
    putU32(header, kHeaderBytes);
    putU64(header, quint64(traceStart.isValid() ? traceStart.toMSecsSinceEpoch() : kNoTraceStart));
    write(header);

    // The type numbers records use are this build's; the names let any build map them.
    QByteArray types;
    putU32(types, quint32(EventType::Other) + 1);
    for (int t = 0; t <= int(EventType::Other); ++t) {
        const QByteArray name(eventTypeName(EventType(t)));
        types.append(char(name.size()));
        types.append(name);
    }
    writeChunk(kTypes, types);
    writeChunk(kMeta, QJsonDocument(meta).toJson(QJsonDocument::Compact));
    return m_error.isEmpty();
}

void SessionWriter::writeEvents(const TraceBatch &batch)
{
    for (const TraceEvent ev : batch)
        add(ev);
    flushEvents(); // a batch at a time: a run cut short keeps what it wrote
}

void SessionWriter::writeEvents(const TraceLog &log)
{
    for (const TraceEvent ev : log)
        add(ev);
    flushEvents();
}

void SessionWriter::add(const TraceEvent &ev)
{
    char r[kRecordBytes];
    store(r, ev.seq);
    store(r + 8, ev.tNs);
    store(r + 16, ev.scope.conn);
    store(r + 20, ev.scope.req);
    store(r + 24, ev.scope.stream);
    store(r + 28, quint16(ev.type));
    r[30] = char(ev.dir);
    r[31] = 0;
    store(r + 32, ev.fieldSize);
    m_records.append(r, kRecordBytes);
    m_fields.append(ev.fieldData, qsizetype(ev.fieldSize));
    if (++m_pending == kEventsPerChunk)
        flushEvents();
}

void SessionWriter::flushEvents()
{
    if (!m_pending)
        return;
    // Every string an event names was interned before the event was recorded, so the table's
    // size now covers them all.
    writeNewStrings();
    QByteArray head;
    putU32(head, m_pending);
    putU32(head, 0);
    writeChunk(kEvents, head + m_records, m_fields);
    m_events += m_pending;
    m_pending = 0;
    m_records.clear();
    m_fields.clear();
}

void SessionWriter::writeNewStrings()
{
    const TraceStrings &strings = TraceStrings::instance();
    const quint32 size = strings.size();
    if (size == m_stringsWritten)
        return;
    QByteArray payload;
    putU32(payload, size - m_stringsWritten);
    for (quint32 id = m_stringsWritten; id < size; ++id) {
        const QByteArray &utf8 = strings.entry(id).utf8; // at most kMaxInternedLength bytes
        putU16(payload, quint16(utf8.size()));
        payload.append(utf8);
    }
    writeChunk(kStrings, payload);
    m_stringsWritten = size;
}

void SessionWriter::writeBody(const ExchangeBody &body)
{
    const bool same = body.decoded == body.wire;
    quint32 flags = 0;
    if (body.wireTruncated)
        flags |= WireTruncated;
    if (body.decodedTruncated)
        flags |= DecodedTruncated;
    if (same)
        flags |= DecodedIsWire;
    QByteArray head;
    putU32(head, body.req);
    putU32(head, flags);
    for (const QByteArray *part : {&body.contentType, &body.contentEncoding, &body.wire,
                                   same ? nullptr : &body.decoded, &body.requestBody})
        putU32(head, part ? quint32(part->size()) : 0);
    QByteArray payload = head + body.contentType + body.contentEncoding + body.wire +
                         (same ? QByteArray() : body.decoded) + body.requestBody;
    writeChunk(kBody, payload);
    ++m_bodies;
}

bool SessionWriter::finish()
{
    flushEvents();
    QByteArray end;
    putU64(end, m_events);
    putU64(end, m_bodies);
    writeChunk(kEnd, end);
    return m_error.isEmpty();
}

void SessionWriter::writeChunk(quint32 tag, QByteArrayView payload, QByteArrayView more)
{
    QByteArray head;
    putU32(head, tag);
    putU32(head, 0);
    putU64(head, quint64(payload.size() + more.size()));
    write(head);
    write(payload);
    write(more);
}

void SessionWriter::write(QByteArrayView bytes)
{
    if (!m_error.isEmpty() || bytes.isEmpty())
        return;
    if (m_out->write(bytes.data(), bytes.size()) != bytes.size())
        m_error = m_out->errorString();
}

} // namespace hopscope
