#include "http2/h2frametrace.h"

#include "trace/tracefields.h"

namespace hopscope {

namespace {

QString hexByte(quint8 value)
{
    return QStringLiteral("0x%1").arg(value, 2, 16, QLatin1Char('0'));
}

QCborMap priorityToCbor(const nghttp2_priority_spec &spec)
{
    return QCborMap{{QStringLiteral("dependency"), spec.stream_id},
                    {QStringLiteral("weight"), spec.weight},
                    {QStringLiteral("exclusive"), spec.exclusive != 0}};
}

// The Pad Length field's value; nghttp2's padlen also counts the field itself.
qint64 padding(size_t padlen)
{
    return padlen > 0 ? qint64(padlen) - 1 : 0;
}

} // namespace

QString H2FrameTrace::frameTypeName(quint8 type)
{
    switch (type) {
    case NGHTTP2_DATA:
        return QStringLiteral("DATA");
    case NGHTTP2_HEADERS:
        return QStringLiteral("HEADERS");
    case NGHTTP2_PRIORITY:
        return QStringLiteral("PRIORITY");
    case NGHTTP2_RST_STREAM:
        return QStringLiteral("RST_STREAM");
    case NGHTTP2_SETTINGS:
        return QStringLiteral("SETTINGS");
    case NGHTTP2_PUSH_PROMISE:
        return QStringLiteral("PUSH_PROMISE");
    case NGHTTP2_PING:
        return QStringLiteral("PING");
    case NGHTTP2_GOAWAY:
        return QStringLiteral("GOAWAY");
    case NGHTTP2_WINDOW_UPDATE:
        return QStringLiteral("WINDOW_UPDATE");
    case NGHTTP2_CONTINUATION:
        return QStringLiteral("CONTINUATION");
    default:
        return QStringLiteral("UNKNOWN(%1)").arg(hexByte(type));
    }
}

QCborArray H2FrameTrace::flagNames(quint8 type, quint8 flags)
{
    QCborArray names;
    if (flags == 0)
        return names;
    // Flag bits mean different things per frame type (0x1 is END_STREAM or ACK).
    const bool endStream = type == NGHTTP2_DATA || type == NGHTTP2_HEADERS;
    const bool ack = type == NGHTTP2_SETTINGS || type == NGHTTP2_PING;
    const bool endHeaders =
        type == NGHTTP2_HEADERS || type == NGHTTP2_PUSH_PROMISE || type == NGHTTP2_CONTINUATION;
    const bool padded =
        type == NGHTTP2_DATA || type == NGHTTP2_HEADERS || type == NGHTTP2_PUSH_PROMISE;
    const bool priority = type == NGHTTP2_HEADERS;
    for (int bit = 0; bit < 8; ++bit) {
        const quint8 f = quint8(1u << bit);
        if (!(flags & f))
            continue;
        if (f == NGHTTP2_FLAG_END_STREAM && endStream)
            names.append(QStringLiteral("END_STREAM"));
        else if (f == NGHTTP2_FLAG_ACK && ack)
            names.append(QStringLiteral("ACK"));
        else if (f == NGHTTP2_FLAG_END_HEADERS && endHeaders)
            names.append(QStringLiteral("END_HEADERS"));
        else if (f == NGHTTP2_FLAG_PADDED && padded)
            names.append(QStringLiteral("PADDED"));
        else if (f == NGHTTP2_FLAG_PRIORITY && priority)
            names.append(QStringLiteral("PRIORITY"));
        else
            names.append(hexByte(f));
    }
    return names;
}

QString H2FrameTrace::errorCodeName(quint32 code)
{
    switch (code) {
    case NGHTTP2_NO_ERROR:
        return QStringLiteral("NO_ERROR");
    case NGHTTP2_PROTOCOL_ERROR:
        return QStringLiteral("PROTOCOL_ERROR");
    case NGHTTP2_INTERNAL_ERROR:
        return QStringLiteral("INTERNAL_ERROR");
    case NGHTTP2_FLOW_CONTROL_ERROR:
        return QStringLiteral("FLOW_CONTROL_ERROR");
    case NGHTTP2_SETTINGS_TIMEOUT:
        return QStringLiteral("SETTINGS_TIMEOUT");
    case NGHTTP2_STREAM_CLOSED:
        return QStringLiteral("STREAM_CLOSED");
    case NGHTTP2_FRAME_SIZE_ERROR:
        return QStringLiteral("FRAME_SIZE_ERROR");
    case NGHTTP2_REFUSED_STREAM:
        return QStringLiteral("REFUSED_STREAM");
    case NGHTTP2_CANCEL:
        return QStringLiteral("CANCEL");
    case NGHTTP2_COMPRESSION_ERROR:
        return QStringLiteral("COMPRESSION_ERROR");
    case NGHTTP2_CONNECT_ERROR:
        return QStringLiteral("CONNECT_ERROR");
    case NGHTTP2_ENHANCE_YOUR_CALM:
        return QStringLiteral("ENHANCE_YOUR_CALM");
    case NGHTTP2_INADEQUATE_SECURITY:
        return QStringLiteral("INADEQUATE_SECURITY");
    case NGHTTP2_HTTP_1_1_REQUIRED:
        return QStringLiteral("HTTP_1_1_REQUIRED");
    default:
        return QStringLiteral("UNKNOWN(0x%1)").arg(code, 0, 16);
    }
}

QString H2FrameTrace::settingName(qint32 id)
{
    switch (id) {
    case NGHTTP2_SETTINGS_HEADER_TABLE_SIZE:
        return QStringLiteral("HEADER_TABLE_SIZE");
    case NGHTTP2_SETTINGS_ENABLE_PUSH:
        return QStringLiteral("ENABLE_PUSH");
    case NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS:
        return QStringLiteral("MAX_CONCURRENT_STREAMS");
    case NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE:
        return QStringLiteral("INITIAL_WINDOW_SIZE");
    case NGHTTP2_SETTINGS_MAX_FRAME_SIZE:
        return QStringLiteral("MAX_FRAME_SIZE");
    case NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE:
        return QStringLiteral("MAX_HEADER_LIST_SIZE");
    case NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL:
        return QStringLiteral("ENABLE_CONNECT_PROTOCOL");
    case NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES:
        return QStringLiteral("NO_RFC7540_PRIORITIES");
    default:
        return QStringLiteral("UNKNOWN(0x%1)").arg(quint32(id), 0, 16);
    }
}

QString H2FrameTrace::printable(QByteArrayView data)
{
    QString out;
    out.reserve(data.size());
    for (const char c : data) {
        const auto u = static_cast<unsigned char>(c);
        if (u == '\\')
            out += QStringLiteral("\\\\");
        else if (u >= 0x20 && u < 0x7f)
            out += QLatin1Char(c);
        else
            out += QStringLiteral("\\x%1").arg(u, 2, 16, QLatin1Char('0'));
    }
    return out;
}

QCborMap H2FrameTrace::describe(const nghttp2_frame &frame, quint8 wireFlags, size_t wireLength)
{
    const quint8 type = frame.hd.type;
    QCborMap m;
    m.insert(QStringLiteral("frame"), frameTypeName(type));
    m.insert(QStringLiteral("flags"), flagNames(type, wireFlags));
    m.insert(QStringLiteral("length"), qint64(wireLength));
    switch (type) {
    case NGHTTP2_DATA:
        if (wireFlags & NGHTTP2_FLAG_PADDED)
            m.insert(QStringLiteral("padding"), padding(frame.data.padlen));
        break;
    case NGHTTP2_HEADERS:
        if (wireFlags & NGHTTP2_FLAG_PADDED)
            m.insert(QStringLiteral("padding"), padding(frame.headers.padlen));
        if (wireFlags & NGHTTP2_FLAG_PRIORITY)
            m.insert(QStringLiteral("priority"), priorityToCbor(frame.headers.pri_spec));
        break;
    case NGHTTP2_PRIORITY:
        m.insert(QStringLiteral("priority"), priorityToCbor(frame.priority.pri_spec));
        break;
    case NGHTTP2_RST_STREAM:
        m.insert(QStringLiteral("error"), errorCodeName(frame.rst_stream.error_code));
        break;
    case NGHTTP2_SETTINGS: {
        QCborArray settings;
        for (size_t i = 0; i < frame.settings.niv; ++i) {
            const nghttp2_settings_entry &e = frame.settings.iv[i];
            settings.append(QCborArray{settingName(e.settings_id), qint64(e.value)});
        }
        m.insert(QStringLiteral("settings"), settings);
        break;
    }
    case NGHTTP2_PUSH_PROMISE:
        m.insert(QStringLiteral("promisedStream"), frame.push_promise.promised_stream_id);
        if (wireFlags & NGHTTP2_FLAG_PADDED)
            m.insert(QStringLiteral("padding"), padding(frame.push_promise.padlen));
        break;
    case NGHTTP2_PING:
        m.insert(
            QStringLiteral("opaque"),
            QString::fromLatin1(
                QByteArray(reinterpret_cast<const char *>(frame.ping.opaque_data), 8).toHex()));
        break;
    case NGHTTP2_GOAWAY:
        m.insert(QStringLiteral("lastStreamId"), frame.goaway.last_stream_id);
        m.insert(QStringLiteral("error"), errorCodeName(frame.goaway.error_code));
        m.insert(QStringLiteral("debug"),
                 printable(QByteArrayView(reinterpret_cast<const char *>(frame.goaway.opaque_data),
                                          qsizetype(frame.goaway.opaque_data_len))));
        break;
    case NGHTTP2_WINDOW_UPDATE:
        m.insert(QStringLiteral("increment"), frame.window_update.window_size_increment);
        break;
    default:
        break;
    }
    return m;
}

QCborArray H2FrameTrace::headerList(const nghttp2_nv *nva, size_t count)
{
    // Text as the HTTP/1.1 trace has it (wireText: UTF-8, else Latin-1, no byte lost).
    QCborArray out;
    for (size_t i = 0; i < count; ++i) {
        const nghttp2_nv &nv = nva[i];
        out.append(
            QCborArray{wireText(QByteArray::fromRawData(reinterpret_cast<const char *>(nv.name),
                                                        qsizetype(nv.namelen))),
                       wireText(QByteArray::fromRawData(reinterpret_cast<const char *>(nv.value),
                                                        qsizetype(nv.valuelen)))});
    }
    return out;
}

} // namespace hopscope
