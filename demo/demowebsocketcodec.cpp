#include "demowebsocketcodec.h"

#include "websocket/websocketframe.h"

#include <QtEndian>

namespace hopscope {

DemoWebSocketCodec::Result DemoWebSocketCodec::fail(quint16 code, const QByteArray &reason)
{
    m_state = State::Failed;
    m_errorCode = code;
    m_errorReason = reason;
    return Result::Error;
}

QByteArray DemoWebSocketCodec::encode(quint8 opcode, QByteArrayView payload)
{
    QByteArray frame;
    const qint64 len = payload.size();
    frame.reserve(len + 10);
    frame.append(char(0x80 | opcode));
    if (len < 126) {
        frame.append(char(len));
    } else if (len <= 0xFFFF) {
        frame.append(char(126));
        quint8 ext[2];
        qToBigEndian(quint16(len), ext);
        frame.append(reinterpret_cast<const char *>(ext), 2);
    } else {
        frame.append(char(127));
        quint8 ext[8];
        qToBigEndian(quint64(len), ext);
        frame.append(reinterpret_cast<const char *>(ext), 8);
    }
    frame.append(payload);
    return frame;
}

QByteArray DemoWebSocketCodec::closePayload(quint16 code, QByteArrayView reason)
{
    quint8 be[2];
    qToBigEndian(code, be);
    QByteArray p(reinterpret_cast<const char *>(be), 2);
    p.append(ws::utf8Prefix(reason, ws::kMaxCloseReasonBytes));
    return p;
}

bool DemoWebSocketCodec::headerComplete() const
{
    return m_headHave >= 2 && m_headHave >= ws::frameHeaderSize(m_head[1]);
}

DemoWebSocketCodec::Result DemoWebSocketCodec::checkFrameStart()
{
    m_fin = m_head[0] & 0x80;
    m_opcode = m_head[0] & 0x0F;
    if (m_head[0] & 0x70)
        return fail(1002, "RSV bits set, but no extension was negotiated");
    if (!ws::isKnownOpcode(m_opcode))
        return fail(1002, "reserved opcode 0x" + QByteArray::number(m_opcode, 16));
    if (!(m_head[1] & 0x80))
        return fail(1002, "client frames must be masked");
    // The 7-bit length is enough here: a control frame that needs a longer form is too long.
    switch (ws::frameSequenceError(m_fin, m_opcode, m_head[1] & 0x7F, m_messageOpcode)) {
    case ws::SequenceError::None:
        return Result::NeedMore;
    case ws::SequenceError::FragmentedControl:
        return fail(1002, "fragmented control frame");
    case ws::SequenceError::ControlTooLong:
        return fail(1002, "control frame payload over 125 bytes");
    case ws::SequenceError::CloseCodeCut:
        return fail(1002, "close frame with a 1-byte payload");
    case ws::SequenceError::ContinuationWithoutMessage:
        return fail(1002, "continuation frame without a message to continue");
    case ws::SequenceError::MessageInsideMessage:
        return fail(1002, "new data frame inside a fragmented message");
    }
    return Result::NeedMore;
}

DemoWebSocketCodec::Result DemoWebSocketCodec::feed(QByteArrayView data, qsizetype *consumed,
                                                    Message *out)
{
    qsizetype pos = 0;
    auto done = [&](Result r) {
        *consumed = pos;
        return r;
    };
    while (true) {
        if (m_state == State::Failed)
            return done(Result::Error);
        if (m_state == State::Header) {
            // Take header bytes one at a time up to the size the first two bytes announce.
            while (!headerComplete() && pos < data.size()) {
                m_head[m_headHave++] = quint8(data[pos++]);
                if (m_headHave == 2 && checkFrameStart() == Result::Error)
                    return done(Result::Error);
            }
            if (!headerComplete())
                return done(Result::NeedMore);
            ws::FrameHeader header;
            ws::parseFrameHeader(QByteArrayView(reinterpret_cast<const char *>(m_head), m_headHave),
                                 &header);
            if (header.length >> 63)
                return done(fail(1002, "frame length with the most significant bit set"));
            const qint64 length = qint64(header.length);
            std::copy(header.mask.begin(), header.mask.end(), m_mask);
            const qint64 held = ws::isControl(m_opcode) ? 0 : m_message.size();
            if (length > maxMessageBytes - held) {
                return done(fail(1009, "message larger than " +
                                           QByteArray::number(maxMessageBytes) + " bytes"));
            }
            m_remaining = length;
            m_maskOffset = 0;
            m_headHave = 0;
            m_control.clear();
            if (!ws::isControl(m_opcode) && m_opcode != ws::Continuation)
                m_messageOpcode = m_opcode;
            m_state = State::Payload;
        }
        // Payload: unmask into the message (data) or the control buffer.
        QByteArray &target = ws::isControl(m_opcode) ? m_control : m_message;
        const qint64 take = qMin<qint64>(m_remaining, data.size() - pos);
        const qsizetype start = target.size();
        target.append(data.sliced(pos, take));
        char *p = target.data() + start;
        for (qint64 i = 0; i < take; ++i)
            p[i] ^= char(m_mask[(m_maskOffset + i) & 3]);
        m_maskOffset += take;
        m_remaining -= take;
        pos += take;
        if (m_remaining > 0)
            return done(Result::NeedMore);
        m_state = State::Header;
        const Result r = finishFrame(out);
        if (r != Result::NeedMore)
            return done(r);
        if (pos >= data.size())
            return done(Result::NeedMore);
    }
}

DemoWebSocketCodec::Result DemoWebSocketCodec::finishFrame(Message *out)
{
    if (ws::isControl(m_opcode)) {
        // A 1-byte close payload was refused with the header (ws::SequenceError::CloseCodeCut).
        if (m_opcode == ws::Close && m_control.size() >= 2) {
            const quint16 code = qFromBigEndian<quint16>(m_control.constData());
            if (!ws::isValidCloseCode(code))
                return fail(1002, "invalid close code " + QByteArray::number(code));
            if (!ws::Utf8Validator::isValid(QByteArrayView(m_control).sliced(2)))
                return fail(1007, "close reason is not valid UTF-8");
        }
        out->opcode = m_opcode;
        out->payload = std::exchange(m_control, {});
        return Result::Message;
    }
    if (!m_fin)
        return Result::NeedMore; // more fragments follow
    if (m_messageOpcode == ws::Text && !ws::Utf8Validator::isValid(m_message))
        return fail(1007, "text message is not valid UTF-8");
    out->opcode = m_messageOpcode;
    out->payload = std::exchange(m_message, {});
    m_messageOpcode = 0;
    return Result::Message;
}

} // namespace hopscope
