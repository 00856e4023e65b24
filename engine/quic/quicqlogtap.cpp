#include "quic/quicqlogtap.h"

#include "trace/tracestore.h"

namespace hopscope {

namespace {

QString number(const QlogJson &v)
{
    return QString::number(v.toInteger());
}

// qlog's acked_ranges: [[first, last], [single], ...], newest first.
QString ackRanges(const QlogJson &ranges)
{
    QStringList parts;
    ranges.forEachElement([&](const QlogJson &range) {
        QList<qint64> ends;
        range.forEachElement([&](const QlogJson &n) { ends.append(n.toInteger()); });
        if (ends.size() == 2 && ends[0] != ends[1])
            parts << QString::number(ends[0]) + u'-' + QString::number(ends[1]);
        else if (!ends.isEmpty())
            parts << QString::number(ends[0]);
    });
    return parts.join(u',');
}

// ngtcp2 writes each event as "\x1e{"time":T,"name":"NAME","data":{...}}": the name is read
// near the start instead of searching the whole record for each name we want (a packet's
// record runs to hundreds of bytes, and every packet has one).
QByteArrayView eventName(QByteArrayView record)
{
    static constexpr QByteArrayView key = "\"name\":\"";
    const qsizetype at = record.first(qMin<qsizetype>(record.size(), 96)).indexOf(key);
    if (at < 0)
        return {};
    const QByteArrayView rest = record.sliced(at + key.size());
    const qsizetype end = rest.indexOf('"');
    return end < 0 ? QByteArrayView() : rest.first(end);
}

} // namespace

QString QuicQlogTap::describeFrame(const QlogJson &f)
{
    return describeFrame(f, f["frame_type"].toString());
}

QString QuicQlogTap::describeFrame(const QlogJson &f, const QString &type)
{
    if (type == u"stream") {
        QString s = QStringLiteral("STREAM %1 off %2 len %3")
                        .arg(number(f["stream_id"]), number(f["offset"]), number(f["length"]));
        if (f["fin"].toBool())
            s += u" FIN";
        return s;
    }
    if (type == u"ack")
        return QStringLiteral("ACK %1").arg(ackRanges(f["acked_ranges"]));
    if (type == u"crypto")
        return QStringLiteral("CRYPTO off %1 len %2").arg(number(f["offset"]), number(f["length"]));
    if (type == u"connection_close") {
        QString s = QStringLiteral("CONNECTION_CLOSE %1 error %2")
                        .arg(f["error_space"].toString(), number(f["error_code"]));
        const QString reason = f["reason"].toString();
        if (!reason.isEmpty())
            s += QStringLiteral(" \"%1\"").arg(reason);
        return s;
    }
    // The rest: the name, then its numbers in qlog's order (MAX_DATA 1048576, RESET_STREAM
    // stream_id 0 error_code 268 final_size 0, ...).
    QString s = type.toUpper();
    f.forEachMember([&](QByteArrayView key, const QlogJson &value) {
        if (key != "frame_type" && value.isNumber())
            s += u' ' + QString::fromLatin1(key) + u' ' + number(value);
    });
    const QString streamType = f["stream_type"].toString();
    if (!streamType.isEmpty())
        s += u' ' + streamType;
    return s;
}

void QuicQlogTap::feed(QByteArrayView record)
{
    // Cheap test first: most of a connection's qlog is metrics.
    const QByteArrayView name = eventName(record);
    const bool sent = name == "transport:packet_sent";
    const bool received = name == "transport:packet_received";
    const bool lost = name == "recovery:packet_lost";
    if (!sent && !received && !lost)
        return;
    while (!record.isEmpty() && (record.front() == '\x1e'))
        record = record.sliced(1);
    // One pass over the record's data: its members are found in the order they come.
    QlogJson header, raw, frames;
    QlogJson(record)["data"].forEachMember([&](QByteArrayView key, const QlogJson &value) {
        if (key == "header")
            header = value;
        else if (key == "raw")
            raw = value;
        else if (key == "frames")
            frames = value;
    });
    const QByteArray type = header["packet_type"].toString().toLatin1();
    const qint64 pn = header["packet_number"].toInteger(-1);
    if (lost) {
        ++m_lost;
        m_trace->record(EventType::QuicLost, m_scope, Direction::Out)
            .atom(Field::Kind, type)
            .integer(Field::PacketNumber, pn);
        return;
    }
    m_received += received;
    FieldWriter w =
        m_trace->record(EventType::QuicPacket, m_scope, sent ? Direction::Out : Direction::In);
    w.atom(Field::Kind, type)
        .integer(Field::PacketNumber, pn)
        .integer(Field::Bytes, raw["length"].toInteger());
    w.beginArray(Field::Frames);
    int padding = 0;
    frames.forEachElement([&](const QlogJson &frame) {
        const QString frameType = frame["frame_type"].toString();
        // ngtcp2 reports each PADDING byte run as one frame; one entry says it.
        if (frameType == u"padding") {
            if (padding++ == 0)
                w.text(QStringLiteral("PADDING"));
            return;
        }
        w.text(describeFrame(frame, frameType));
    });
    w.end();
}

} // namespace hopscope
