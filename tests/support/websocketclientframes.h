// WebSocket frames as a client sends them (RFC 6455 §5.2), built byte by byte so a test can also
// build the ones a well-behaved client never would (unmasked, reserved bits, bad lengths).
#pragma once

#include <QByteArray>
#include <QtEndian>

namespace hopscope::test {

// A client frame with first byte `first` (FIN, RSV, opcode), masked unless told otherwise.
// Payloads up to 65535 bytes (the 16-bit length form).
inline QByteArray clientFrame(quint8 first, const QByteArray &payload, bool mask = true)
{
    QByteArray f;
    f.append(char(first));
    const quint8 maskBit = mask ? 0x80 : 0;
    if (payload.size() < 126) {
        f.append(char(maskBit | payload.size()));
    } else {
        f.append(char(maskBit | 126));
        f.append(char(payload.size() >> 8));
        f.append(char(payload.size() & 0xff));
    }
    if (!mask)
        return f + payload;
    const char key[4] = {0x12, 0x34, 0x56, 0x78};
    f.append(key, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        f.append(char(payload.at(i) ^ key[i % 4]));
    return f;
}

// A close frame's body: the code in network order, then the reason.
inline QByteArray closeBody(quint16 code, const QByteArray &reason = {})
{
    QByteArray b(2, Qt::Uninitialized);
    qToBigEndian(code, b.data());
    return b + reason;
}

} // namespace hopscope::test
