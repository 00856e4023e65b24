#pragma once

#include "quic/qlogjson.h"
#include "trace/traceevent.h"

#include <QByteArrayView>
#include <QString>

namespace hopscope {

class TraceStore;

// Every QUIC packet as the trace's `quic.packet` (direction, packet type, packet number, size,
// its frames) and every packet ngtcp2 declares lost as `quic.lost`. ngtcp2 0.12 reports frames
// nowhere but in its qlog (draft-ietf-quic-qlog), so this reads that: one JSON-SEQ record per
// write, for packet_sent, packet_received and packet_lost; the rest of qlog is left out. Frames
// become short texts in the words of RFC 9000 ("STREAM 0 off 0 len 52 FIN", "ACK 0-3").
class QuicQlogTap
{
public:
    QuicQlogTap(TraceStore *trace, EventScope scope) : m_trace(trace), m_scope(scope) {}

    // One record ("\x1e{...}\n"); what is not a packet event is ignored.
    void feed(QByteArrayView record);

    qint64 packetsLost() const { return m_lost; }
    // Packets ngtcp2 could read (decrypted): a datagram that was not one never gets here.
    qint64 packetsReceived() const { return m_received; }
    // A frame of qlog's as one line of text.
    static QString describeFrame(const QlogJson &frame);
    static QString describeFrame(const QlogJson &frame, const QString &frameType);

private:
    TraceStore *m_trace;
    EventScope m_scope;
    qint64 m_lost = 0;
    qint64 m_received = 0;
};

} // namespace hopscope
