#include "http2/h2frametrace.h"

#include "trace/tracefields.h"

#include <iterator>

namespace hopscope {

namespace {

QString hexByte(quint8 value)
{
    return QStringLiteral("0x%1").arg(value, 2, 16, QLatin1Char('0'));
}

// Calls f(name, bit) for each flag set, in bit order; name is null for a bit without a
// meaning for this frame type (shown as hex).
template<typename F> void forEachFlagName(quint8 type, quint8 flags, F f)
{
    if (flags == 0)
        return;
    // Flag bits mean different things per frame type (0x1 is END_STREAM or ACK).
    const bool endStream = type == NGHTTP2_DATA || type == NGHTTP2_HEADERS;
    const bool ack = type == NGHTTP2_SETTINGS || type == NGHTTP2_PING;
    const bool endHeaders =
        type == NGHTTP2_HEADERS || type == NGHTTP2_PUSH_PROMISE || type == NGHTTP2_CONTINUATION;
    const bool padded =
        type == NGHTTP2_DATA || type == NGHTTP2_HEADERS || type == NGHTTP2_PUSH_PROMISE;
    const bool priority = type == NGHTTP2_HEADERS;
    for (int bit = 0; bit < 8; ++bit) {
        const quint8 b = quint8(1u << bit);
        if (!(flags & b))
            continue;
        if (b == NGHTTP2_FLAG_END_STREAM && endStream)
            f("END_STREAM", b);
        else if (b == NGHTTP2_FLAG_ACK && ack)
            f("ACK", b);
        else if (b == NGHTTP2_FLAG_END_HEADERS && endHeaders)
            f("END_HEADERS", b);
        else if (b == NGHTTP2_FLAG_PADDED && padded)
            f("PADDED", b);
        else if (b == NGHTTP2_FLAG_PRIORITY && priority)
            f("PRIORITY", b);
        else
            f(nullptr, b);
    }
}

const char *knownFrameTypeName(quint8 type)
{
    static const char *const names[] = {"DATA",          "HEADERS",      "PRIORITY", "RST_STREAM",
                                        "SETTINGS",      "PUSH_PROMISE", "PING",     "GOAWAY",
                                        "WINDOW_UPDATE", "CONTINUATION"};
    return type < std::size(names) ? names[type] : nullptr;
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
    forEachFlagName(type, flags, [&](const char *name, quint8 bit) {
        names.append(name ? QString::fromLatin1(name) : hexByte(bit));
    });
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

void H2FrameTrace::writeFrameAndFlags(FieldWriter &w, quint8 type, quint8 flags)
{
    if (const char *name = knownFrameTypeName(type))
        w.atom(Field::Frame, name);
    else
        w.atom(Field::Frame, frameTypeName(type).toLatin1());
    w.beginArray(Field::Flags);
    forEachFlagName(type, flags, [&](const char *name, quint8 bit) {
        if (name)
            w.atom(name);
        else
            w.atom(hexByte(bit).toLatin1());
    });
    w.end();
}

void H2FrameTrace::describe(FieldWriter &w, const nghttp2_frame &frame, quint8 wireFlags,
                            size_t wireLength)
{
    const quint8 type = frame.hd.type;
    writeFrameAndFlags(w, type, wireFlags);
    w.integer(Field::Length, qint64(wireLength));
    auto priority = [&w](const nghttp2_priority_spec &spec) {
        w.beginMap(Field::Priority)
            .integer(Field::Dependency, spec.stream_id)
            .integer(Field::Weight, spec.weight)
            .boolean(Field::Exclusive, spec.exclusive != 0)
            .end();
    };
    auto errorName = [&w](Field key, quint32 code) { w.atom(key, errorCodeName(code).toLatin1()); };
    switch (type) {
    case NGHTTP2_DATA:
        if (wireFlags & NGHTTP2_FLAG_PADDED)
            w.integer(Field::Padding, padding(frame.data.padlen));
        break;
    case NGHTTP2_HEADERS:
        if (wireFlags & NGHTTP2_FLAG_PADDED)
            w.integer(Field::Padding, padding(frame.headers.padlen));
        if (wireFlags & NGHTTP2_FLAG_PRIORITY)
            priority(frame.headers.pri_spec);
        break;
    case NGHTTP2_PRIORITY:
        priority(frame.priority.pri_spec);
        break;
    case NGHTTP2_RST_STREAM:
        errorName(Field::Error, frame.rst_stream.error_code);
        break;
    case NGHTTP2_SETTINGS: {
        w.beginArray(Field::Settings);
        for (size_t i = 0; i < frame.settings.niv; ++i) {
            const nghttp2_settings_entry &e = frame.settings.iv[i];
            w.beginArray()
                .atom(settingName(e.settings_id).toLatin1())
                .integer(qint64(e.value))
                .end();
        }
        w.end();
        break;
    }
    case NGHTTP2_PUSH_PROMISE:
        w.integer(Field::PromisedStream, frame.push_promise.promised_stream_id);
        if (wireFlags & NGHTTP2_FLAG_PADDED)
            w.integer(Field::Padding, padding(frame.push_promise.padlen));
        break;
    case NGHTTP2_PING:
        w.utf8(Field::Opaque,
               QByteArray(reinterpret_cast<const char *>(frame.ping.opaque_data), 8).toHex());
        break;
    case NGHTTP2_GOAWAY:
        w.integer(Field::LastStreamId, frame.goaway.last_stream_id);
        errorName(Field::Error, frame.goaway.error_code);
        w.text(Field::Debug,
               printable(QByteArrayView(reinterpret_cast<const char *>(frame.goaway.opaque_data),
                                        qsizetype(frame.goaway.opaque_data_len))));
        break;
    case NGHTTP2_WINDOW_UPDATE:
        w.integer(Field::Increment, frame.window_update.window_size_increment);
        break;
    default:
        break;
    }
}

void H2FrameTrace::writeHeaderList(FieldWriter &w, Field key, const nghttp2_nv *nva, size_t count)
{
    w.beginArray(key);
    for (size_t i = 0; i < count; ++i) {
        const nghttp2_nv &nv = nva[i];
        w.beginArray()
            .atom(QByteArrayView(reinterpret_cast<const char *>(nv.name), qsizetype(nv.namelen)))
            .bytes(QByteArrayView(reinterpret_cast<const char *>(nv.value), qsizetype(nv.valuelen)))
            .end();
    }
    w.end();
}

// The CBOR forms go through the same writers, so tests check what the trace holds.
QCborMap H2FrameTrace::describe(const nghttp2_frame &frame, quint8 wireFlags, size_t wireLength)
{
    TraceBatch batch;
    FieldWriter w = batch.append(TraceRecord{});
    describe(w, frame, wireFlags, wireLength);
    return batch.first().toCborMap();
}

QCborArray H2FrameTrace::headerList(const nghttp2_nv *nva, size_t count)
{
    TraceBatch batch;
    FieldWriter w = batch.append(TraceRecord{});
    writeHeaderList(w, Field::Headers, nva, count);
    return batch.first().field(Field::Headers).toCbor().toArray();
}

} // namespace hopscope
