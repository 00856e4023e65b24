#pragma once

#include "core/limits.h"
#include "net/sessiondriver.h"
#include "trace/traceevent.h"
#include "websocket/websocketframe.h"

#include <QByteArray>
#include <QTimer>

#include <sys/types.h>

#include <cstdint>

struct wslay_event_context;
struct wslay_event_on_msg_recv_arg;

namespace hopscope {

class Exchange;
class TraceStore;

// A WebSocket session (RFC 6455) on a connection that a 101 switched: framing, masking,
// reassembly, automatic pongs and the close handshake through libwslay; every inbound byte is
// first checked by ws::FrameInspector, which traces each frame and catches every violation with
// a precise message (see there for why wslay alone is not enough).
//
// The upgrade exchange stays in flight for the session's whole life. A close handshake (either
// side first) completes it with status 101; a violation fails it with ws-protocol, ws-utf8 or
// ws-too-big after sending the close code RFC 6455 prescribes (1002, 1007, 1009); a connection
// cut while the session is open fails it with ws-closed. Messages received before an error stay
// delivered and traced. peerActivity() is emitted per data or close frame, not for pings and
// pongs (keep-alives would otherwise hold a lingering front end open forever).
class WebSocketDriver : public SessionDriver
{
    Q_OBJECT
public:
    // How long to wait for the peer's close frame after ours, and for our last bytes to leave.
    static constexpr int kCloseWaitMs = 2000;
    // Pings whose pongs wait unsent (the peer does not read them) before it counts as a flood:
    // nghttp2's limit on unsent PING and SETTINGS acknowledgements (max_outbound_ack).
    static constexpr int kMaxUnsentPongs = 1000;

    WebSocketDriver(Connection *connection, Exchange *exchange, QObject *parent = nullptr);
    ~WebSocketDriver() override;

    // The activation: feeds the bytes that came with the 101, then whatever the socket holds.
    void start(const QByteArray &leftover);
    void setSubprotocol(const QByteArray &protocol) { m_subprotocol = protocol; }
    QByteArray subprotocol() const { return m_subprotocol; }

    QByteArray protocol() const override { return QByteArrayLiteral("websocket"); }
    int inFlight() const override { return m_exchange ? 1 : 0; }
    void submit(Exchange *exchange) override;
    void abort(const QByteArray &code, const QString &message) override;

    void sendText(const QByteArray &utf8) override;
    void sendBinary(const QByteArray &data) override;
    bool sendPing(const QByteArray &payload) override;
    void closeSession(int code = 1000, const QString &reason = {}) override;
    bool endSessionNow(const QString &reason) override;
    bool isSessionOpen() const override { return m_state == State::Open; }

signals:
    // A complete text (UTF-8) or binary message from the peer; opcode is ws::Text or ws::Binary.
    void messageReceived(int opcode, const QByteArray &data);
    // The session ended: the peer's close code and reason after a close handshake, our code
    // (1002, 1007, 1009) after a violation, 1006 when the connection was cut. (Not named
    // closed(): ProtocolDriver::closed() already means "the connection closed".)
    void sessionClosed(int code, const QString &reason);

private:
    enum class State { Open, Closing, Closed };

    // libwslay's callbacks; `user` is the driver.
    static ssize_t recvCallback(wslay_event_context *ctx, uint8_t *buf, size_t len, int flags,
                                void *user);
    static ssize_t sendCallback(wslay_event_context *ctx, const uint8_t *data, size_t len,
                                int flags, void *user);
    static int genmaskCallback(wslay_event_context *ctx, uint8_t *buf, size_t len, void *user);
    static void onMessageCallback(wslay_event_context *ctx, const wslay_event_on_msg_recv_arg *arg,
                                  void *user);

    void onReadyRead();
    void onDisconnected();
    void onConnectionClosed(const QString &reason);
    void onBytesWritten();
    void processIncoming(QByteArrayView data);
    void feedWslay(QByteArrayView bytes);
    void flushWslay();
    void onFrameEnd();
    void onMessage(quint8 opcode);
    void queueMessage(quint8 opcode, const QByteArray &data);
    void queueClose(int code, const QByteArray &reason);
    void traceFrame(Direction dir, const ws::FrameHeader &header);
    void traceMessage(Direction dir, quint8 opcode, QByteArrayView data);
    void traceClose(Direction dir, int code, QByteArrayView reason);
    void failSession(const ws::Violation &violation);
    void finishComplete(int code, const QString &reason);
    void finishFailed(const QByteArray &code, const QString &message, int closeCode);
    void onCloseWaitTimeout();
    void closeTransport(const QString &reason);
    void closeNow();
    qint64 pendingWrite() const;
    void emitClosedOnce();
    EventScope scope() const;

    Connection *m_conn;
    TraceStore *m_trace;
    Exchange *m_exchange;
    quint32 m_exchangeId;
    Limits m_limits;
    QByteArray m_subprotocol;
    wslay_event_context *m_ctx = nullptr;
    ws::FrameInspector m_in;
    ws::FrameInspector m_out; // observes what wslay writes, so every frame out is traced
    QByteArrayView m_feed;    // bytes wslay's recv callback hands over, not yet taken
    QByteArray m_message;     // the inbound data message being reassembled
    State m_state = State::Open;
    bool m_reading = true; // false after the peer's close or a violation: ignore what follows
    bool m_closeSent = false;
    bool m_inRecv = false; // inside wslay_event_recv()
    bool m_closedEmitted = false;
    bool m_transportClosing = false;
    int m_pongsUnsent = 0;          // pings since our write buffer was last empty
    qint64 m_writtenSinceFlush = 0; // bytes wslay wrote in the current flush, for net.write
    QString m_transportReason;
    QTimer m_closeTimer; // the peer's close after ours, then our last bytes leaving
};

} // namespace hopscope
