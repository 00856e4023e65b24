#include "websocket/websocketframe.h"

#include <QCryptographicHash>

#include <cstring>

namespace hopscope::ws {

QByteArray acceptFor(QByteArrayView key)
{
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(key);
    sha1.addData(QByteArrayView("258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
    return sha1.result().toBase64();
}

bool isKnownOpcode(quint8 opcode)
{
    switch (opcode) {
    case Continuation:
    case Text:
    case Binary:
    case Close:
    case Ping:
    case Pong:
        return true;
    default:
        return false;
    }
}

QString opcodeName(quint8 opcode)
{
    switch (opcode) {
    case Continuation:
        return QStringLiteral("continuation");
    case Text:
        return QStringLiteral("text");
    case Binary:
        return QStringLiteral("binary");
    case Close:
        return QStringLiteral("close");
    case Ping:
        return QStringLiteral("ping");
    case Pong:
        return QStringLiteral("pong");
    default:
        return QStringLiteral("reserved(0x%1)").arg(QString::number(opcode, 16).toUpper());
    }
}

bool isValidCloseCode(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

QByteArrayView utf8Prefix(QByteArrayView utf8, qsizetype maxBytes)
{
    if (utf8.size() <= maxBytes)
        return utf8;
    qsizetype end = qMax<qsizetype>(maxBytes, 0);
    // Back up over continuation bytes to the start of the sequence the cut falls into.
    while (end > 0 && (quint8(utf8.at(end)) & 0xC0) == 0x80)
        --end;
    return utf8.first(end);
}

int frameHeaderSize(quint8 secondByte)
{
    const quint8 len7 = secondByte & 0x7F;
    const int lengthBytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    return 2 + lengthBytes + ((secondByte & 0x80) ? 4 : 0);
}

SequenceError frameSequenceError(bool fin, quint8 opcode, quint64 length, quint8 messageOpcode)
{
    if (isControl(opcode)) {
        if (!fin)
            return SequenceError::FragmentedControl;
        if (length > quint64(kMaxControlPayload))
            return SequenceError::ControlTooLong;
        if (opcode == Close && length == 1)
            return SequenceError::CloseCodeCut;
        return SequenceError::None;
    }
    if (opcode == Continuation && messageOpcode == 0)
        return SequenceError::ContinuationWithoutMessage;
    if (opcode != Continuation && messageOpcode != 0)
        return SequenceError::MessageInsideMessage;
    return SequenceError::None;
}

int parseFrameHeader(QByteArrayView data, FrameHeader *out)
{
    if (data.size() < 2)
        return 0;
    const auto *p = reinterpret_cast<const quint8 *>(data.data());
    const quint8 len7 = p[1] & 0x7F;
    const bool masked = (p[1] & 0x80) != 0;
    const int lengthBytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    const int size = frameHeaderSize(p[1]);
    if (data.size() < size)
        return 0;
    FrameHeader h;
    h.fin = (p[0] & 0x80) != 0;
    h.rsv = quint8((p[0] >> 4) & 0x7);
    h.opcode = p[0] & 0x0F;
    h.masked = masked;
    h.length = len7;
    if (lengthBytes > 0) {
        h.length = 0;
        for (int i = 0; i < lengthBytes; ++i)
            h.length = (h.length << 8) | p[2 + i];
    }
    if (masked)
        std::memcpy(h.mask.data(), p + 2 + lengthBytes, 4);
    h.size = size;
    *out = h;
    return size;
}

bool Utf8Validator::feed(QByteArrayView data)
{
    const auto *p = reinterpret_cast<const quint8 *>(data.data());
    const qsizetype n = data.size();
    qsizetype i = 0;
    while (i < n) {
        if (m_need == 0) {
            // ASCII runs are the common case: skip 8 bytes at a time while no high bit is set.
            while (i + 8 <= n) {
                quint64 word;
                std::memcpy(&word, p + i, 8);
                if (word & 0x8080808080808080ULL)
                    break;
                i += 8;
            }
            if (i == n)
                break;
            const quint8 b = p[i];
            if (b < 0x80) {
                ++i;
                continue;
            }
            if (b >= 0xC2 && b <= 0xDF) {
                m_need = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                m_need = 2;
                // E0: no overlongs below U+0800; ED: no surrogates U+D800..DFFF.
                if (b == 0xE0)
                    m_lower = 0xA0;
                else if (b == 0xED)
                    m_upper = 0x9F;
            } else if (b >= 0xF0 && b <= 0xF4) {
                m_need = 3;
                // F0: no overlongs below U+10000; F4: nothing above U+10FFFF.
                if (b == 0xF0)
                    m_lower = 0x90;
                else if (b == 0xF4)
                    m_upper = 0x8F;
            } else {
                m_offset += i; // C0, C1 (overlong ASCII), F5..FF, or a stray continuation byte
                return false;
            }
            ++i;
            continue;
        }
        const quint8 b = p[i];
        if (b < m_lower || b > m_upper) {
            m_offset += i;
            return false;
        }
        m_lower = 0x80;
        m_upper = 0xBF;
        --m_need;
        ++i;
    }
    m_offset += n;
    return true;
}

FrameInspector::Step FrameInspector::fail(int closeCode, const char *code, QString message)
{
    m_violation = Violation{closeCode, code, std::move(message)};
    return Step::Violation;
}

FrameInspector::Step FrameInspector::next(QByteArrayView data, qsizetype *consumed)
{
    *consumed = 0;
    if (m_violation.isValid())
        return Step::Violation;
    if (m_inPayload) {
        if (m_remaining == 0)
            return finishFrame();
        if (data.isEmpty())
            return Step::NeedMore;
        const qsizetype n = qsizetype(qMin<quint64>(m_remaining, quint64(data.size())));
        const QByteArrayView slice = data.first(n);
        if (m_options.validate && checkPayload(slice, quint64(n) == m_remaining) == Step::Violation)
            return Step::Violation;
        if (isControl(m_header.opcode)) {
            // Control payloads are small (checked above when validating); keep them for the
            // close code and reason, and for ping/pong payloads in the trace.
            const int room = kMaxControlPayload - m_controlSize;
            const int take = int(qMin<qsizetype>(room, n));
            std::memcpy(m_control.data() + m_controlSize, slice.data(), size_t(take));
            if (m_header.masked) { // our own frames, observed: show the real code and payload
                for (int i = 0; i < take; ++i)
                    m_control[m_controlSize + i] ^= m_header.mask[(m_controlSize + i) % 4];
            }
            m_controlSize += take;
        }
        m_remaining -= quint64(n);
        *consumed = n;
        return Step::Payload;
    }

    // Collect the header, which may arrive in pieces: 2 bytes tell how long it is.
    qsizetype used = 0;
    for (;;) {
        const int need = m_headerHave >= 2 ? frameHeaderSize(m_headerBuf[1]) : 2;
        if (m_headerHave >= need)
            break;
        if (used == data.size()) {
            *consumed = used;
            return Step::NeedMore;
        }
        const int take = int(qMin<qsizetype>(need - m_headerHave, data.size() - used));
        std::memcpy(m_headerBuf.data() + m_headerHave, data.data() + used, size_t(take));
        m_headerHave += take;
        used += take;
    }
    *consumed = used;
    parseFrameHeader(
        QByteArrayView(reinterpret_cast<const char *>(m_headerBuf.data()), m_headerHave),
        &m_header);
    m_headerHave = 0;
    if (m_options.validate && checkHeader() == Step::Violation) {
        m_violationInHeader = true;
        return Step::Violation;
    }
    m_inPayload = true;
    m_remaining = m_header.length;
    m_controlSize = 0;
    if (m_header.opcode == Text || m_header.opcode == Binary) {
        m_messageOpcode = m_header.opcode;
        m_messageBytes = qint64(m_header.length);
        m_messageFrames = 1;
        m_utf8.reset();
    } else if (m_header.opcode == Continuation) {
        m_messageBytes += qint64(m_header.length);
        ++m_messageFrames;
    }
    return Step::Header;
}

FrameInspector::Step FrameInspector::checkHeader()
{
    const FrameHeader &h = m_header;
    const QString name = opcodeName(h.opcode);
    if (h.length >> 63) {
        return fail(1002, "ws-protocol",
                    QStringLiteral("%1 frame length has the most significant bit set "
                                   "(RFC 6455 §5.2)")
                        .arg(name));
    }
    if (h.masked && !m_options.expectMasked) {
        return fail(1002, "ws-protocol",
                    QStringLiteral("the server sent a masked %1 frame (RFC 6455 §5.1: a server "
                                   "must not mask)")
                        .arg(name));
    }
    if (!h.masked && m_options.expectMasked) {
        return fail(1002, "ws-protocol",
                    QStringLiteral("unmasked %1 frame from a client (RFC 6455 §5.1)").arg(name));
    }
    if (const quint8 bad = h.rsv & ~m_options.allowedRsv; bad != 0) {
        QStringList bits;
        for (int i = 0; i < 3; ++i) {
            if (bad & (kRsv1 >> i))
                bits << QStringLiteral("RSV%1").arg(i + 1);
        }
        return fail(1002, "ws-protocol",
                    QStringLiteral("%1 set on a %2 frame, but no extension was negotiated")
                        .arg(bits.join(QLatin1Char('+')), name));
    }
    if (!isKnownOpcode(h.opcode)) {
        return fail(1002, "ws-protocol",
                    QStringLiteral("frame with reserved opcode 0x%1")
                        .arg(QString::number(h.opcode, 16).toUpper()));
    }
    switch (frameSequenceError(h.fin, h.opcode, h.length, m_messageOpcode)) {
    case SequenceError::None:
        break;
    case SequenceError::FragmentedControl:
        return fail(1002, "ws-protocol",
                    QStringLiteral("fragmented %1 frame (FIN not set): control frames must "
                                   "not be fragmented")
                        .arg(name));
    case SequenceError::ControlTooLong:
        return fail(1002, "ws-protocol",
                    QStringLiteral("%1 frame with a %2-byte payload: control frames carry at "
                                   "most 125 bytes")
                        .arg(name)
                        .arg(h.length));
    case SequenceError::CloseCodeCut:
        return fail(1002, "ws-protocol",
                    QStringLiteral("close frame with a 1-byte payload: a close code takes "
                                   "2 bytes"));
    case SequenceError::ContinuationWithoutMessage:
        return fail(1002, "ws-protocol",
                    QStringLiteral("continuation frame without a message to continue"));
    case SequenceError::MessageInsideMessage:
        return fail(1002, "ws-protocol",
                    QStringLiteral("new %1 frame while a fragmented %2 message is unfinished")
                        .arg(name, opcodeName(m_messageOpcode)));
    }
    if (m_options.maxFrameBytes >= 0 && h.length > quint64(m_options.maxFrameBytes)) {
        return fail(1009, "ws-too-big",
                    QStringLiteral("%1 frame of %2 bytes exceeds maxWebSocketFrameBytes (%3)")
                        .arg(name)
                        .arg(h.length)
                        .arg(m_options.maxFrameBytes));
    }
    if (!isControl(h.opcode)) {
        const quint64 total = (h.opcode == Continuation ? quint64(m_messageBytes) : 0) + h.length;
        if (m_options.maxMessageBytes >= 0 && total > quint64(m_options.maxMessageBytes)) {
            return fail(1009, "ws-too-big",
                        QStringLiteral("%1 message of at least %2 bytes exceeds "
                                       "maxWebSocketMessageBytes (%3)")
                            .arg(opcodeName(h.opcode == Continuation ? m_messageOpcode : h.opcode))
                            .arg(total)
                            .arg(m_options.maxMessageBytes));
        }
        // Empty fragments never reach maxMessageBytes: without a count, a message could go on
        // for ever.
        const qint64 frames = (h.opcode == Continuation ? m_messageFrames : 0) + 1;
        if (m_options.maxMessageFrames >= 0 && frames > m_options.maxMessageFrames) {
            return fail(1009, "ws-too-big",
                        QStringLiteral("%1 message in more than %2 frames (%3 bytes so far) "
                                       "exceeds maxWebSocketFragments (%2)")
                            .arg(opcodeName(h.opcode == Continuation ? m_messageOpcode : h.opcode))
                            .arg(m_options.maxMessageFrames)
                            .arg(m_messageBytes));
        }
        // An empty last fragment ends the text here: no payload step will check it.
        if (h.opcode == Continuation && h.fin && h.length == 0 && m_messageOpcode == Text &&
            !m_utf8.isComplete()) {
            return fail(1007, "ws-utf8",
                        QStringLiteral("text message ends inside a UTF-8 sequence"));
        }
    }
    return Step::Header;
}

FrameInspector::Step FrameInspector::checkPayload(QByteArrayView slice, bool last)
{
    if (isControl(m_header.opcode) || m_messageOpcode != Text)
        return Step::Payload;
    if (!m_utf8.feed(slice)) {
        return fail(
            1007, "ws-utf8",
            QStringLiteral("invalid UTF-8 in a text message at byte %1").arg(m_utf8.offset()));
    }
    if (last && m_header.fin && !m_utf8.isComplete())
        return fail(1007, "ws-utf8", QStringLiteral("text message ends inside a UTF-8 sequence"));
    return Step::Payload;
}

FrameInspector::Step FrameInspector::finishFrame()
{
    m_inPayload = false;
    if (m_header.opcode == Close) {
        m_closeReason.clear();
        if (m_controlSize < 2) {
            m_closeCode = kNoStatusReceived;
        } else {
            m_closeCode = (m_control[0] << 8) | m_control[1];
            const QByteArrayView reason = controlPayload().sliced(2);
            if (m_options.validate && !isValidCloseCode(m_closeCode)) {
                return fail(1002, "ws-protocol",
                            QStringLiteral("close frame with invalid code %1").arg(m_closeCode));
            }
            if (m_options.validate && !Utf8Validator::isValid(reason))
                return fail(1007, "ws-utf8", QStringLiteral("close reason is not valid UTF-8"));
            m_closeReason = reason.toByteArray();
        }
    } else if (!isControl(m_header.opcode) && m_header.fin) {
        m_messageOpcode = 0;
        m_messageBytes = 0;
        m_messageFrames = 0;
    }
    return Step::FrameEnd;
}

} // namespace hopscope::ws
