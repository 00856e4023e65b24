#pragma once

// What a server sends in a protocol switch, byte for byte, for tests that play the server over
// an in-memory socket (tests/support/upgradeharness.h).

#include "websocket/websocketframe.h"

#include <QByteArray>

namespace hopscope::test {

// An HTTP/2 frame: 9 bytes of header, then the payload.
inline QByteArray h2Frame(quint8 type, quint8 flags, quint32 stream, const QByteArray &payload)
{
    QByteArray f;
    const auto n = quint32(payload.size());
    f.append(char(n >> 16)).append(char(n >> 8)).append(char(n));
    f.append(char(type)).append(char(flags));
    f.append(char(stream >> 24)).append(char(stream >> 16)).append(char(stream >> 8));
    f.append(char(stream));
    return f + payload;
}

// The server's side after `101` to h2c: its SETTINGS (the server preface), then the response
// to the upgrading request as stream 1: HEADERS (`:status: 200`, HPACK static index 8) and
// DATA "hello" ending the stream.
inline QByteArray h2cServerBytes()
{
    return h2Frame(0x4, 0x0, 0, {}) + h2Frame(0x1, 0x4, 1, QByteArray("\x88")) +
           h2Frame(0x0, 0x1, 1, QByteArray("hello"));
}

// Unmasked server frames: a text message "hi", then a close with code 1000.
inline QByteArray webSocketServerBytes()
{
    return QByteArray("\x81\x02hi") + QByteArray("\x88\x02\x03\xe8", 4);
}

inline QByteArray h2cSwitchHead()
{
    return "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
}

inline QByteArray tunnelSwitchHead(const QByteArray &token = "tcp")
{
    return "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: " + token +
           "\r\n\r\n";
}

// The 101 that accepts the WebSocket offer in `request` (its Sec-WebSocket-Key).
inline QByteArray webSocketSwitchHead(const QByteArray &request)
{
    const qsizetype at = request.indexOf("Sec-WebSocket-Key: ") + 19;
    const QByteArray key = request.mid(at, request.indexOf("\r\n", at) - at);
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " +
           ws::acceptFor(key) + "\r\n\r\n";
}

} // namespace hopscope::test
