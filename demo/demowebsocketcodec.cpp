#include "demowebsocketcodec.h"

#include <QtEndian>

namespace hopscope {

namespace {

bool isControl(quint8 opcode)
{
    return opcode & 0x8;
}

} // namespace

DemoWebSocketCodec::Result DemoWebSocketCodec::fail(quint16 code, const QByteArray &reason)
{
    m_state = State::Failed;
    m_errorCode = code;
    m_errorReason = reason;
    return Result::Error;
}

bool DemoWebSocketCodec::isValidCloseCode(quint16 code)
{
    if (code >= 3000 && code <= 4999)
        return true; // registered (3xxx) and private (4xxx) codes
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}

bool DemoWebSocketCodec::isValidUtf8(QByteArrayView data)
{
    // RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
    const auto *p = reinterpret_cast<const uchar *>(data.data());
    const qsizetype n = data.size();
    qsizetype i = 0;
    while (i < n) {
        const uchar c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        int extra = 0;
        uint cp = 0;
        uint min = 0;
        if ((c & 0xE0) == 0xC0) {
            extra = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (i + extra >= n)
            return false; // truncated sequence
        for (int k = 1; k <= extra; ++k) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += extra + 1;
    }
    return true;
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
    p.append(reason.first(qMin<qsizetype>(reason.size(), 123))); // control payload <= 125
    return p;
}

bool DemoWebSocketCodec::headerComplete()
{
    if (m_headHave < 2)
        return false;
    const quint8 len7 = m_head[1] & 0x7F;
    const int extLength = len7 == 126 ? 2 : (len7 == 127 ? 8 : 0);
    const bool masked = m_head[1] & 0x80;
    return m_headHave >= 2 + extLength + (masked ? 4 : 0);
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
                if (m_headHave != 2)
                    continue;
                m_fin = m_head[0] & 0x80;
                m_opcode = m_head[0] & 0x0F;
                if (m_head[0] & 0x70)
                    return done(fail(1002, "RSV bits set, but no extension was negotiated"));
                if (m_opcode != Continuation && m_opcode != Text && m_opcode != Binary &&
                    m_opcode != Close && m_opcode != Ping && m_opcode != Pong) {
                    return done(
                        fail(1002, "reserved opcode 0x" + QByteArray::number(m_opcode, 16)));
                }
                if (!(m_head[1] & 0x80))
                    return done(fail(1002, "client frames must be masked"));
                if (isControl(m_opcode) && !m_fin)
                    return done(fail(1002, "fragmented control frame"));
                if (isControl(m_opcode) && (m_head[1] & 0x7F) > 125)
                    return done(fail(1002, "control frame payload over 125 bytes"));
                if (m_opcode == Continuation && !m_messageOpcode)
                    return done(fail(1002, "continuation frame without a message to continue"));
                if ((m_opcode == Text || m_opcode == Binary) && m_messageOpcode)
                    return done(fail(1002, "new data frame inside a fragmented message"));
            }
            if (!headerComplete())
                return done(Result::NeedMore);
            const quint8 len7 = m_head[1] & 0x7F;
            int maskAt = 2;
            qint64 length = len7;
            if (len7 == 126) {
                length = qFromBigEndian<quint16>(m_head + 2);
                maskAt = 4;
            } else if (len7 == 127) {
                const quint64 l = qFromBigEndian<quint64>(m_head + 2);
                if (l >> 63)
                    return done(fail(1002, "frame length with the most significant bit set"));
                length = qint64(l);
                maskAt = 10;
            }
            std::copy(m_head + maskAt, m_head + maskAt + 4, m_mask);
            const qint64 held = isControl(m_opcode) ? 0 : m_message.size();
            if (length > maxMessageBytes - held) {
                return done(fail(1009, "message larger than " +
                                           QByteArray::number(maxMessageBytes) + " bytes"));
            }
            m_remaining = length;
            m_maskOffset = 0;
            m_headHave = 0;
            m_control.clear();
            if (!isControl(m_opcode) && m_opcode != Continuation)
                m_messageOpcode = m_opcode;
            m_state = State::Payload;
        }
        // Payload: unmask into the message (data) or the control buffer.
        QByteArray &target = isControl(m_opcode) ? m_control : m_message;
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
    if (isControl(m_opcode)) {
        if (m_opcode == Close) {
            if (m_control.size() == 1)
                return fail(1002, "close frame with a 1-byte payload");
            if (m_control.size() >= 2) {
                const quint16 code = qFromBigEndian<quint16>(m_control.constData());
                if (!isValidCloseCode(code))
                    return fail(1002, "invalid close code " + QByteArray::number(code));
                if (!isValidUtf8(QByteArrayView(m_control).sliced(2)))
                    return fail(1007, "close reason is not valid UTF-8");
            }
        }
        out->opcode = m_opcode;
        out->payload = std::exchange(m_control, {});
        return Result::Message;
    }
    if (!m_fin)
        return Result::NeedMore; // more fragments follow
    if (m_messageOpcode == Text && !isValidUtf8(m_message))
        return fail(1007, "text message is not valid UTF-8");
    out->opcode = m_messageOpcode;
    out->payload = std::exchange(m_message, {});
    m_messageOpcode = 0;
    return Result::Message;
}

} // namespace hopscope
