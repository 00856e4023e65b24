#pragma once

#include <QString>
#include <QtGlobal>

namespace hopscope {

// Counts the server's HTTP/2 frames that do nothing for any open request since the last
// progress (limit maxIdleControlFrames): RST_STREAM on streams without a request, every
// WINDOW_UPDATE and every PRIORITY. Each resets the idle timer and costs a frame's work and a
// trace event, so an endless run of them keeps a request alive for ever; nghttp2 1.52 bounds
// none of them on a client (its stream reset rate limit came in 1.57, for servers only).
// Progress is a response header block or body bytes on an open stream, a new stream, or request
// body bytes we send: a WINDOW_UPDATE that lets an upload go on is followed by our DATA.
class H2IdleControlCounter
{
public:
    enum class Kind { RstClosed, WindowConnection, WindowStream, Priority, Count };

    // hasRequest: the frame's stream carries a request still in flight. Returns false for a
    // frame that is not an idle control frame (other types, RST_STREAM ending a request).
    bool count(quint8 frameType, qint32 streamId, bool hasRequest);
    void progress() { *this = {}; }
    qint64 total() const { return m_total; }
    // "12000 RST_STREAM on streams without a request, 3 WINDOW_UPDATE on stream 0": what flooded.
    QString breakdown() const;

private:
    qint64 m_total = 0;
    qint64 m_byKind[int(Kind::Count)] = {};
};

} // namespace hopscope
