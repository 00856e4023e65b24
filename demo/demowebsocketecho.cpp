#include "demowebsocketecho.h"

#include "demorequest.h"
#include "demosocket.h"
#include "websocket/websocketframe.h"

#include <QAbstractSocket>

namespace hopscope {

namespace {

constexpr qint64 kReadPiece = 256 * 1024;

} // namespace

DemoWebSocketEcho::DemoWebSocketEcho(QAbstractSocket *socket, QObject *parent)
    : QObject(parent), m_socket(socket)
{
}

bool DemoWebSocketEcho::handshake(const DemoRequest &request, HeaderList *accept,
                                  DemoResponse *refusal)
{
    auto refuse = [&](const QByteArray &why) {
        *refusal = DemoRoutes::error(400, "WebSocket handshake: " + why);
        return false;
    };
    if (request.method != "GET")
        return refuse("the method must be GET, not " + request.method);
    const QList<QByteArray> versions = headerTokens(request.headers, "Sec-WebSocket-Version");
    if (!versions.contains("13")) {
        *refusal = DemoRoutes::error(
            426, "WebSocket handshake: only Sec-WebSocket-Version 13 is spoken here");
        refusal->headers.append(HttpHeader{"Sec-WebSocket-Version", "13"});
        return false;
    }
    const QList<QByteArray> keys = headerValues(request.headers, "Sec-WebSocket-Key");
    if (keys.size() != 1)
        return refuse("exactly one Sec-WebSocket-Key header is required");
    const QByteArray key = keys.first().trimmed();
    const auto decoded =
        QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != 16)
        return refuse("Sec-WebSocket-Key must be 16 bytes in base64");

    accept->append(HttpHeader{"Upgrade", "websocket"});
    accept->append(HttpHeader{"Connection", "Upgrade"});
    accept->append(HttpHeader{"Sec-WebSocket-Accept", ws::acceptFor(key)});
    // An echo speaks any subprotocol: the client's first choice is taken, so a client can check
    // that it gets one of those it offered. Extensions are never selected.
    const QList<QByteArray> protocols = headerTokens(request.headers, "Sec-WebSocket-Protocol");
    if (!protocols.isEmpty())
        accept->append(HttpHeader{"Sec-WebSocket-Protocol", protocols.first()});
    return true;
}

void DemoWebSocketEcho::start(const QByteArray &leftover)
{
    m_in = leftover;
    connect(m_socket, &QAbstractSocket::readyRead, this, &DemoWebSocketEcho::onReadyRead);
    DemoSocket::onWritten(m_socket, this, &DemoWebSocketEcho::onReadyRead);
    onReadyRead();
}

void DemoWebSocketEcho::onReadyRead()
{
    // Reading stops while echoes wait to be written: a client that sends without reading is
    // held back by TCP, not by this process's memory.
    while (!m_closeSent && DemoSocket::canWrite(m_socket)) {
        if (m_inPos >= m_in.size()) {
            if (m_socket->bytesAvailable() <= 0)
                return;
            m_in = DemoSocket::readAvailable(m_socket, kReadPiece);
            m_inPos = 0;
        }
        process();
    }
}

void DemoWebSocketEcho::process()
{
    while (m_inPos < m_in.size() && !m_closeSent && DemoSocket::canWrite(m_socket)) {
        qsizetype used = 0;
        DemoWebSocketCodec::Message message;
        const auto r = m_codec.feed(QByteArrayView(m_in).sliced(m_inPos), &used, &message);
        m_inPos += used;
        if (r == DemoWebSocketCodec::Result::Error) {
            closeWith(m_codec.errorCode(), m_codec.errorReason());
            return;
        }
        if (r == DemoWebSocketCodec::Result::NeedMore)
            return;
        switch (message.opcode) {
        case ws::Text:
        case ws::Binary:
            m_socket->write(DemoWebSocketCodec::encode(message.opcode, message.payload));
            break;
        case ws::Ping:
            m_socket->write(DemoWebSocketCodec::encode(ws::Pong, message.payload));
            break;
        case ws::Pong:
            break; // unsolicited pongs are allowed and need no answer
        case ws::Close:
            // Echo the status code (not the reason) and end the TCP connection.
            m_socket->write(DemoWebSocketCodec::encode(ws::Close, message.payload.left(2)));
            m_closeSent = true;
            m_socket->disconnectFromHost();
            return;
        }
    }
}

void DemoWebSocketEcho::closeWith(quint16 code, const QByteArray &reason)
{
    m_socket->write(
        DemoWebSocketCodec::encode(ws::Close, DemoWebSocketCodec::closePayload(code, reason)));
    m_closeSent = true;
    m_socket->disconnectFromHost();
}

} // namespace hopscope
