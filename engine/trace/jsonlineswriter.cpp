#include "trace/jsonlineswriter.h"

#include "trace/tracefields.h"

#include "trace/tracestore.h"

#include <QCborArray>
#include <QCborValue>
#include <QFileDevice>
#include <QIODevice>
#include <QStringDecoder>

#include <cmath>

namespace hopscope {

namespace {

// QJsonDocument would sort keys and build a tree per event; this writes straight into one buffer.
void appendString(QByteArray &out, QStringView s)
{
    out.append('"');
    const QByteArray utf8 = s.toUtf8();
    for (char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out.append(buf);
            } else {
                out.append(ch);
            }
        }
    }
    out.append('"');
}

void appendValue(QByteArray &out, const QCborValue &v)
{
    switch (v.type()) {
    case QCborValue::Integer:
        out.append(QByteArray::number(v.toInteger()));
        break;
    case QCborValue::Double: {
        const double d = v.toDouble();
        if (std::isfinite(d))
            out.append(QByteArray::number(d, 'g', 12));
        else
            out.append("null");
        break;
    }
    case QCborValue::True:
        out.append("true");
        break;
    case QCborValue::False:
        out.append("false");
        break;
    case QCborValue::String:
        appendString(out, v.toString());
        break;
    case QCborValue::ByteArray:
        appendString(out, wireText(v.toByteArray()));
        break;
    case QCborValue::Array: {
        out.append('[');
        bool first = true;
        for (const QCborValue &e : v.toArray()) {
            if (!first)
                out.append(',');
            first = false;
            appendValue(out, e);
        }
        out.append(']');
        break;
    }
    case QCborValue::Map: {
        out.append('{');
        bool first = true;
        const QCborMap m = v.toMap();
        for (auto it = m.cbegin(); it != m.cend(); ++it) {
            if (!first)
                out.append(',');
            first = false;
            appendString(out, it.key().toString());
            out.append(':');
            appendValue(out, it.value());
        }
        out.append('}');
        break;
    }
    default:
        out.append("null");
    }
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
    out.append("{\"seq\":").append(QByteArray::number(ev.seq));
    out.append(",\"t\":").append(QByteArray::number(ev.seconds(), 'f', 6));
    out.append(",\"type\":\"").append(ev.type).append('"');
    if (ev.scope.conn)
        out.append(",\"conn\":").append(QByteArray::number(ev.scope.conn));
    if (ev.scope.req)
        out.append(",\"req\":").append(QByteArray::number(ev.scope.req));
    if (ev.scope.stream >= 0)
        out.append(",\"stream\":").append(QByteArray::number(ev.scope.stream));
    if (ev.dir != Direction::None)
        out.append(",\"dir\":\"").append(directionName(ev.dir)).append('"');
    for (auto it = ev.fields.cbegin(); it != ev.fields.cend(); ++it) {
        out.append(',');
        appendString(out, it.key().toString());
        out.append(':');
        appendValue(out, it.value());
    }
    out.append('}');
    return out;
}

void JsonLinesWriter::write(const TraceBatch &batch)
{
    m_buffer.clear();
    for (const TraceEvent &ev : batch) {
        m_buffer.append(toJson(ev));
        m_buffer.append('\n');
    }
    m_out->write(m_buffer);
    if (auto *f = qobject_cast<QFileDevice *>(m_out))
        f->flush();
}

} // namespace hopscope
