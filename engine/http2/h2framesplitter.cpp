#include "http2/h2framesplitter.h"

#include <cstring>
#include <utility>

namespace hopscope {

namespace {

// RFC 9113 §6; spelled out here so that this class needs no nghttp2.
constexpr quint8 kHeaders = 0x1;
constexpr quint8 kPushPromise = 0x5;
constexpr quint8 kContinuation = 0x9;
constexpr quint8 kEndHeaders = 0x4;

} // namespace

qsizetype H2FrameSplitter::advance(QByteArrayView data)
{
    m_frameEnded = false;
    qsizetype off = 0;
    if (!m_inPayload) {
        const qsizetype take = qMin(qsizetype(kHeaderSize - m_headerHave), data.size());
        if (take > 0)
            std::memcpy(m_header + m_headerHave, data.data(), size_t(take));
        m_headerHave += int(take);
        off += take;
        if (m_headerHave < kHeaderSize)
            return off;
        const quint8 *h = m_header;
        m_frame.length = (quint32(h[0]) << 16) | (quint32(h[1]) << 8) | h[2];
        m_frame.type = h[3];
        m_frame.flags = h[4];
        m_frame.stream =
            qint32(((quint32(h[5]) << 24) | (quint32(h[6]) << 16) | (quint32(h[7]) << 8) | h[8]) &
                   0x7fffffff);
        m_headerHave = 0;
        m_payloadLeft = m_frame.length;
        m_inPayload = true;
        m_unreported = true;
    }
    const qsizetype take = qMin(qsizetype(m_payloadLeft), data.size() - off);
    off += take;
    m_payloadLeft -= quint32(take);
    if (m_payloadLeft > 0)
        return off;
    m_inPayload = false;
    m_frameEnded = true;
    return off;
}

QList<H2FrameHeader> H2FrameSplitter::finishFrame()
{
    if (!m_unreported)
        return {}; // the parser reported it
    const bool block =
        m_frame.type == kHeaders || m_frame.type == kPushPromise || m_frame.type == kContinuation;
    if (block && !(m_frame.flags & kEndHeaders)) {
        m_block.append(m_frame);
        m_unreported = false;
        return {};
    }
    return takeUnreported();
}

QList<H2FrameHeader> H2FrameSplitter::takeUnreported()
{
    QList<H2FrameHeader> frames = std::exchange(m_block, {});
    if (m_unreported)
        frames.append(m_frame);
    m_unreported = false;
    return frames;
}

} // namespace hopscope
