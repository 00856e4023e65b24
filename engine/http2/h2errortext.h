#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace hopscope {

class Exchange;

// The words the HTTP/2 client uses for what went wrong, kept together so they read as one voice.
// They name the server's fault in the user's terms (the frame, the stream, the limit and its
// option) rather than in nghttp2's, whose messages describe its own state machine.
class H2ErrorText
{
public:
    // An error code for the trace and the message for the user.
    struct Error
    {
        QByteArray code;
        QString message;
    };

    // A frame nghttp2 rejected. open: the stream is 0 or one of ours; nextStreamId: the id our
    // next request would get, so lower odd ids were ours and are closed now.
    static QString invalidFrame(quint8 type, qint32 streamId, bool open, quint32 nextStreamId);
    // The server's first frame was not SETTINGS (RFC 9113 §3.4): what came instead.
    // firstBytes: the start of what it sent; upgraded: HTTP/2 followed a 101 to h2c.
    static Error preface(const QByteArray &firstBytes, bool upgraded);
    // nghttp2_session_mem_recv failed with libError; lastLibError: its error callback's text;
    // pings, settings: PING and SETTINGS frames (not ACKs) received, to say which one flooded.
    static Error receiveFailed(int libError, int maxContinuations, const QString &lastLibError,
                               qint64 pings = 0, qint64 settings = 0);
    // The GOAWAY nghttp2 sent for a connection error. debug: its debug data (nghttp2's reason);
    // lastInvalid: invalidFrame() of the latest rejected frame; maxFrameSize: what we announced.
    static QString goawaySent(quint32 errorCode, const QString &debug, const QString &lastInvalid,
                              const QString &lastLibError, quint32 maxFrameSize);
    // "GOAWAY PROTOCOL_ERROR, last stream 1, debug "…"": a received GOAWAY, to end messages with.
    static QString goaway(quint32 errorCode, qint32 lastStream, const QString &debug);
    // A WINDOW_UPDATE whose increment takes the send window (`window` before it) past 2^31-1.
    static QString windowOverflow(qint32 streamId, qint32 increment, qint32 window);
    // Why the header block whose HEADERS payload begins with `payloadStart` (flags: that
    // frame's) did not decode, as far as its first bytes tell; tableSize: the
    // SETTINGS_HEADER_TABLE_SIZE we announced.
    static QString hpackError(QByteArrayView payloadStart, quint8 flags, qint32 streamId,
                              quint32 tableSize);
    // " after 10000 of 100000 body bytes": how much of a final response's body had come.
    static QString bodyProgress(const Exchange &ex);
};

} // namespace hopscope
