#pragma once

#include <QByteArrayView>
#include <QList>
#include <QtGlobal>

namespace hopscope {

// An HTTP/2 frame header (RFC 9113 §4.1) as the peer sent it.
struct H2FrameHeader
{
    quint8 type = 0;
    quint8 flags = 0;
    quint32 length = 0; // the declared payload length
    qint32 stream = 0;  // the reserved bit cleared
    friend bool operator==(const H2FrameHeader &, const H2FrameHeader &) = default;
};

// Follows the frame boundaries of what the server sends, alongside nghttp2. nghttp2 reports a
// frame only when it accepts it; an inspector must also show the frames it ignores, rejects or
// ends the session on, and the CONTINUATIONs it folds into one HEADERS. So the session feeds the
// bytes through this first and hands nghttp2 one frame at a time, and after each frame knows
// whether nghttp2 said anything about it.
//
// Pure bytes in, frame headers out: no nghttp2, no sockets. Payloads are skipped, never copied,
// so a declared length costs nothing until its bytes arrive.
class H2FrameSplitter
{
public:
    static constexpr int kHeaderSize = 9;

    // Takes bytes from `data` up to the end of the next frame, or all of them when no frame ends
    // within them, and returns how many it took. A frame header cut between two calls is kept
    // until the rest comes.
    qsizetype advance(QByteArrayView data);
    // Whether the bytes the last advance() took ended a frame (then frame() is that frame).
    bool frameEnded() const { return m_frameEnded; }
    // The header of the frame being received, or the one that just ended.
    const H2FrameHeader &frame() const { return m_frame; }
    // Payload bytes of frame() still to come.
    quint32 payloadLeft() const { return m_payloadLeft; }
    // Bytes of the next frame header taken so far (0 while inside a payload).
    int headerBytes() const { return m_headerHave; }

    // --- Which frames the parser behind did not report ---------------------------------------
    // Every frame counts as unreported from the moment its header is complete: nghttp2 may end
    // the session on a header alone (a declared length over our limit).

    // The parser reported frame() (a callback came for it): nothing to show for it here.
    void markReported() { m_unreported = false; }
    // Call once the bytes of a frame that ended went to the parser. Returns the frames it took
    // in without a word, complete: the frame, after the open header block it ends. A HEADERS,
    // PUSH_PROMISE or CONTINUATION without END_HEADERS is held back (the block is reported, if
    // at all, as one when it ends), so this returns nothing for it.
    QList<H2FrameHeader> finishFrame();
    // Everything unreported so far, held-back header block first: for a parser that reported a
    // header block as one frame, or stopped (a frame cut short, the one that ended the session).
    QList<H2FrameHeader> takeUnreported();

private:
    quint8 m_header[kHeaderSize] = {};
    int m_headerHave = 0;
    quint32 m_payloadLeft = 0;
    bool m_inPayload = false;
    bool m_frameEnded = false;
    H2FrameHeader m_frame;
    bool m_unreported = false;    // m_frame's header is complete and nobody reported it yet
    QList<H2FrameHeader> m_block; // HEADERS/PUSH_PROMISE and CONTINUATIONs of an open block
};

} // namespace hopscope
