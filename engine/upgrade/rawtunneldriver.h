#pragma once

#include "net/sessiondriver.h"

#include <QByteArray>
#include <QCborMap>
#include <QTimer>

namespace hopscope {

class TraceStore;

// A connection that a 101 turned into a plain byte stream (`Upgrade: tcp`, or any token without
// a dedicated handler): what the user sends goes out as is, what arrives is delivered and traced
// as `raw.data`, chunk by chunk as the socket hands it over. The offering exchange stays in
// flight for the tunnel's life and completes (status 101) when either side ends it: a tunnel
// that ends is the normal case, not an error.
class RawTunnelDriver : public SessionDriver
{
    Q_OBJECT
public:
    // A `raw.data` event shows at most this many bytes of a chunk as text or hex (and says
    // `truncated: true`), so a bulk transfer through the tunnel cannot bloat the trace.
    static constexpr qsizetype kMaxTracedBytes = 4096;
    // After closeSession(), how long unwritten bytes may take to leave before we give up.
    static constexpr int kCloseFlushMs = 5000;

    // token: the protocol as offered (`response.complete`'s protocol).
    RawTunnelDriver(Connection *connection, Exchange *exchange, QByteArray token,
                    QObject *parent = nullptr);
    ~RawTunnelDriver() override;

    // Starts reading: the leftover (bytes that came in the same read as the 101) first, then
    // whatever the socket already holds, then every readyRead. Called through activate().
    void start(const QByteArray &leftover);

    // ProtocolDriver
    QByteArray protocol() const override { return m_token; }
    int inFlight() const override { return m_exchange ? 1 : 0; }
    void submit(Exchange *exchange) override;
    void abort(const QByteArray &code, const QString &message) override;

    // SessionDriver: both send these bytes unchanged (a tunnel has no message types).
    void sendText(const QByteArray &utf8) override;
    void sendBinary(const QByteArray &data) override;
    // Writes out what is buffered, then closes (QTcpSocket has no half-close) and completes the
    // exchange. code and reason mean nothing to a tunnel.
    void closeSession(int code = 1000, const QString &reason = {}) override;
    bool endSessionNow(const QString &reason) override;
    bool isSessionOpen() const override;

    qint64 bytesReceivedTotal() const { return m_received; }
    qint64 bytesSentTotal() const { return m_sent; }

    // The fields of a `raw.data` event for one chunk: bytes, text (lossy UTF-8), hex when the
    // chunk is not text, truncated beyond kMaxTracedBytes (docs/trace-format.md).
    static QCborMap dataFields(QByteArrayView chunk);

signals:
    // Every chunk that arrived, in order (for a GUI's live view).
    void bytesReceived(const QByteArray &data);

private:
    void write(const QByteArray &data);
    void onReadyRead();
    void deliver(const QByteArray &chunk);
    void onBytesWritten();
    void onDisconnected();
    void onConnectionClosed(const QString &reason);
    void onIdleTimeout();
    void onCloseFlushTimeout();
    void finishClose();
    void restartIdle();
    void complete(const QString &closeReason);
    void fail(const QByteArray &code, const QString &message);
    void closeConnection(const QString &reason);

    TraceStore *m_trace;
    Exchange *m_exchange;
    QByteArray m_token;
    QTimer m_idleTimer;
    QTimer m_closeTimer;
    qint64 m_received = 0;
    qint64 m_sent = 0;
    bool m_started = false;
    bool m_closing = false; // closeSession() was called: no more sends
    bool m_done = false;    // the connection is closed (closed() emitted)
};

} // namespace hopscope
