#include "quic/quicqlogtap.h"

#include "trace/tracestore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace hopscope {

namespace {

QString number(const QJsonValue &v)
{
    return QString::number(qint64(v.toDouble()));
}

// qlog's acked_ranges: [[first, last], [single], ...], newest first.
QString ackRanges(const QJsonArray &ranges)
{
    QStringList parts;
    for (const QJsonValue &r : ranges) {
        const QJsonArray range = r.toArray();
        if (range.size() == 2 && range.at(0) != range.at(1))
            parts << number(range.at(0)) + u'-' + number(range.at(1));
        else if (!range.isEmpty())
            parts << number(range.at(0));
    }
    return parts.join(u',');
}

} // namespace

QString QuicQlogTap::describeFrame(const QJsonObject &f)
{
    const QString type = f.value(u"frame_type").toString();
    if (type == u"stream") {
        QString s = QStringLiteral("STREAM %1 off %2 len %3")
                        .arg(number(f.value(u"stream_id")), number(f.value(u"offset")),
                             number(f.value(u"length")));
        if (f.value(u"fin").toBool())
            s += u" FIN";
        return s;
    }
    if (type == u"ack")
        return QStringLiteral("ACK %1").arg(ackRanges(f.value(u"acked_ranges").toArray()));
    if (type == u"crypto")
        return QStringLiteral("CRYPTO off %1 len %2")
            .arg(number(f.value(u"offset")), number(f.value(u"length")));
    if (type == u"connection_close") {
        QString s = QStringLiteral("CONNECTION_CLOSE %1 error %2")
                        .arg(f.value(u"error_space").toString(), number(f.value(u"error_code")));
        const QString reason = f.value(u"reason").toString();
        if (!reason.isEmpty())
            s += QStringLiteral(" \"%1\"").arg(reason);
        return s;
    }
    // The rest: the name, then its numbers in qlog's order (MAX_DATA 1048576, RESET_STREAM
    // stream_id 0 error_code 268 final_size 0, ...).
    QString s = type.toUpper();
    for (auto it = f.begin(); it != f.end(); ++it) {
        if (it.key() == u"frame_type" || !it.value().isDouble())
            continue;
        s += u' ' + it.key() + u' ' + number(it.value());
    }
    const QString streamType = f.value(u"stream_type").toString();
    if (!streamType.isEmpty())
        s += u' ' + streamType;
    return s;
}

void QuicQlogTap::feed(QByteArrayView record)
{
    // Cheap test first: most of a connection's qlog is metrics.
    const bool sent = record.contains("transport:packet_sent");
    const bool received = !sent && record.contains("transport:packet_received");
    const bool lost = !sent && !received && record.contains("recovery:packet_lost");
    if (!sent && !received && !lost)
        return;
    while (!record.isEmpty() && (record.front() == '\x1e'))
        record = record.sliced(1);
    const QJsonObject data =
        QJsonDocument::fromJson(record.toByteArray()).object().value(u"data").toObject();
    const QJsonObject header = data.value(u"header").toObject();
    const QByteArray type = header.value(u"packet_type").toString().toLatin1();
    const qint64 pn = qint64(header.value(u"packet_number").toDouble());
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
        .integer(Field::Bytes, qint64(data.value(u"raw").toObject().value(u"length").toDouble()));
    w.beginArray(Field::Frames);
    int padding = 0;
    for (const QJsonValue &f : data.value(u"frames").toArray()) {
        const QJsonObject frame = f.toObject();
        // ngtcp2 reports each PADDING byte run as one frame; one entry says it.
        if (frame.value(u"frame_type").toString() == u"padding") {
            if (padding++ == 0)
                w.text(QStringLiteral("PADDING"));
            continue;
        }
        w.text(describeFrame(frame));
    }
    w.end();
}

} // namespace hopscope
