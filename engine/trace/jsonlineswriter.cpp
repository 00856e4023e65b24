#include "trace/jsonlineswriter.h"

#include "trace/tracestore.h"
#include "trace/tracestrings.h"

#include <QFileDevice>
#include <QIODevice>

#include <cstring>

namespace hopscope {

namespace {

// Decimal digits without QByteArray::number's temporary.
void appendNumber(JsonOut &out, quint64 v)
{
    char buf[24];
    char *p = buf + sizeof buf;
    do {
        *--p = char('0' + v % 10);
        v /= 10;
    } while (v);
    out.put(p, buf + sizeof buf - p);
}

// Seconds with exactly six decimals, as QByteArray::number(s, 'f', 6) writes them, from the
// integer nanoseconds (rounded half away from zero, like printf).
void appendSeconds(JsonOut &out, qint64 ns)
{
    if (ns < 0) {
        out.put('-');
        ns = -ns;
    }
    const quint64 us = (quint64(ns) + 500) / 1000;
    appendNumber(out, us / 1000000);
    char frac[7];
    quint64 f = us % 1000000;
    for (int i = 5; i >= 0; --i) {
        frac[i] = char('0' + f % 10);
        f /= 10;
    }
    frac[6] = '\0';
    out.put('.');
    out.put(frac, 6);
}

} // namespace

JsonLinesWriter::JsonLinesWriter(QIODevice *out, QObject *parent) : QObject(parent), m_out(out) {}

void JsonLinesWriter::attach(TraceStore *store)
{
    connect(store, &TraceStore::eventsAppended, this, &JsonLinesWriter::write);
}

QByteArray JsonLinesWriter::toJson(const TraceEvent &ev)
{
    QByteArray out;
    out.reserve(128);
    appendJson(out, ev);
    return out;
}

// Straight from the compact record into the buffer: no map, no QString per field.
void JsonLinesWriter::appendJson(QByteArray &out, const TraceEvent &ev)
{
    JsonOut o(out);
    appendJson(o, ev);
}

void JsonLinesWriter::appendJson(JsonOut &out, const TraceEvent &ev)
{
    out.put("{\"seq\":");
    appendNumber(out, ev.seq);
    out.put(",\"t\":");
    appendSeconds(out, ev.tNs);
    out.put(",\"type\":");
    if (ev.type == EventType::Other)
        appendJsonString(out, ev.typeName());
    else {
        const char *name = eventTypeName(ev.type);
        out.put('"');
        out.put(name, qsizetype(std::strlen(name)));
        out.put('"');
    }
    if (ev.scope.conn) {
        out.put(",\"conn\":");
        appendNumber(out, ev.scope.conn);
    }
    if (ev.scope.req) {
        out.put(",\"req\":");
        appendNumber(out, ev.scope.req);
    }
    if (ev.scope.stream >= 0) {
        out.put(",\"stream\":");
        appendNumber(out, quint64(ev.scope.stream));
    }
    if (ev.dir != Direction::None)
        out.put(ev.dir == Direction::Out ? ",\"dir\":\"out\"" : ",\"dir\":\"in\"");
    const TraceStrings &strings = TraceStrings::instance();
    for (auto it = ev.begin(); it != ev.end(); ++it) {
        if (it.key() == Field::TypeName && ev.type == EventType::Other)
            continue; // written above as "type"
        out.put(',');
        out.put(strings.entry(quint32(it.key())).json);
        out.put(':');
        (*it).appendJson(out);
    }
    out.put('}');
}

void JsonLinesWriter::write(const TraceBatch &batch)
{
    m_buffer.truncate(0); // keeps the capacity for the next batch
    {
        JsonOut out(m_buffer);
        for (const TraceEvent ev : batch) {
            appendJson(out, ev);
            out.put('\n');
        }
    }
    m_out->write(m_buffer);
    if (auto *f = qobject_cast<QFileDevice *>(m_out))
        f->flush();
}

} // namespace hopscope
