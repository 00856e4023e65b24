#pragma once

#include "core/httpheader.h"
#include "demoroutes.h"
#include "demowebsocketcodec.h"

#include <QByteArray>
#include <QObject>

class QAbstractSocket;

namespace hopscope {

struct DemoRequest;

// The WebSocket echo behind the demo server's `Upgrade: websocket`: each text or binary
// message comes back whole with the same opcode, pings get pongs, a close is answered with the
// same code before the server ends the TCP connection (RFC 6455 §7.1.1: the server closes
// first). A client that breaks the framing rules gets a close frame saying which (1002, 1007,
// 1009), then the connection ends.
class DemoWebSocketEcho : public QObject
{
    Q_OBJECT
public:
    DemoWebSocketEcho(QAbstractSocket *socket, QObject *parent = nullptr);

    // Checks an opening handshake (RFC 6455 §4.2.1). On success fills the 101's headers
    // (Sec-WebSocket-Accept, and the first subprotocol offered, if any); else *refusal is the
    // answer: 400 with the reason, or 426 with `Sec-WebSocket-Version: 13`.
    static bool handshake(const DemoRequest &request, HeaderList *accept, DemoResponse *refusal);

    void start(const QByteArray &leftover);

private:
    void onReadyRead();
    void process();
    void closeWith(quint16 code, const QByteArray &reason);

    QAbstractSocket *m_socket;
    DemoWebSocketCodec m_codec;
    QByteArray m_in;
    qsizetype m_inPos = 0;
    bool m_closeSent = false;
};

} // namespace hopscope
