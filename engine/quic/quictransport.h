#pragma once

#include "quic/quicqlogtap.h"
#include "quic/quictls.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include <sys/socket.h>

class QUdpSocket;

namespace hopscope {

class TraceStore;

// What speaks on a QUIC connection's streams (Http3Driver): the transport hands it every stream
// event from ngtcp2's callbacks and asks it for the next stream data to send. The int results
// are 0, or an ngtcp2 error code that ends the connection.
class QuicStreamHandler
{
public:
    virtual ~QuicStreamHandler() = default;
    virtual int streamData(int64_t id, QByteArrayView data, bool fin) = 0;
    virtual int streamAcked(int64_t id, uint64_t bytes) = 0;
    virtual int streamClosed(int64_t id, uint64_t appError) = 0;
    virtual int streamReset(int64_t id, uint64_t appError) = 0;       // RESET_STREAM received
    virtual int streamStopSending(int64_t id, uint64_t appError) = 0; // STOP_SENDING received
    virtual int streamWindowOpened(int64_t id) = 0;
    virtual void streamsAvailable() = 0; // the server allows more bidirectional streams
    // The next stream data to send: fills id, fin and up to `count` vectors; returns how many
    // (0: nothing), or a negative nghttp3 error.
    virtual qint64 nextToSend(int64_t *id, int *fin, ngtcp2_vec *vectors, size_t count) = 0;
    virtual void sendBlocked(int64_t id) = 0;  // flow control: wait for streamWindowOpened
    virtual void sendShutDown(int64_t id) = 0; // the stream's sending side is closed
    virtual int sent(int64_t id, size_t bytes) = 0;
    // Called after each round of reading, writing or a timer, outside every library call: the
    // handler reports what ended (exchanges finish, requests may be submitted again).
    virtual void afterIo() = 0;
};

// Where a QUIC connection goes and how.
struct QuicDial
{
    QHostAddress address;
    quint16 port = 443;
    QuicTlsSettings tls;
    qint64 idleTimeoutMs = 60'000;              // max_idle_timeout we announce
    qint64 streamWindow = 16 * 1024 * 1024;     // initial_max_stream_data_bidi_local
    qint64 connectionWindow = 64 * 1024 * 1024; // initial_max_data
};

// A QUIC client connection (RFC 9000) over its own UDP socket, by ngtcp2 with GnuTLS: the
// handshake, packets in and out, ngtcp2's timers, and a CONNECTION_CLOSE at the end. Owned by a
// Connection like a TCP socket; what runs on its streams is a QuicStreamHandler. Each packet is
// traced (QuicQlogTap), each TLS handshake message reported (tlsMessage).
class QuicTransport : public QObject
{
    Q_OBJECT
public:
    QuicTransport(TraceStore *trace, EventScope scope, QObject *parent = nullptr);
    ~QuicTransport() override;

    // Opens the socket and sends the first Initial. false with *error when it cannot begin.
    bool start(const QuicDial &dial, QString *error);
    void setStreamHandler(QuicStreamHandler *handler) { m_handler = handler; }
    // Hands the handler what arrived on streams before it was set (the server's control and
    // QPACK streams come with the end of the handshake). Not from inside a handler call.
    void deliverEarlyStreamData();

    ngtcp2_conn *conn() const { return m_conn; }
    const QuicTls &tls() const { return m_tls; }
    quint16 localPort() const;
    bool isHandshakeComplete() const { return m_handshakeDone; }
    quint32 negotiatedVersion() const;
    // UDP payload bytes (whole datagrams) read and written: what a capture's UDP payload adds
    // up to.
    qint64 datagramBytesRead() const { return m_bytesRead; }
    qint64 datagramBytesWritten() const { return m_bytesWritten; }
    // Why a handshake that has not finished is stuck, in words for an error: nothing came back
    // over UDP, only datagrams that were not QUIC, or the last handshake message the server
    // sent before it stalled.
    QString describeStall() const;

    // Sends what is pending now (after a request was submitted). Not from inside a handler call.
    void flush();
    // Ends the connection: a CONNECTION_CLOSE with this HTTP/3 error code (H3_NO_ERROR for a
    // polite end), traced as `quic.close`. Nothing is reported afterwards.
    void closeWithApplicationError(uint64_t code, const QByteArray &reason);

signals:
    void handshakeCompleted();
    void tlsMessage(const hopscope::TlsMessage &message);
    // The connection is gone (a CONNECTION_CLOSE or stateless reset from the server, the idle
    // timeout, a protocol error, ICMP unreachable): code and words, once.
    void failed(const QByteArray &code, const QString &message);

private:
    static ngtcp2_conn *connOf(ngtcp2_crypto_conn_ref *ref);
    void onReadyRead();
    void onTimer();
    void onSocketError();
    void reportIcmpError(int error);
    bool writePackets();
    void armTimer();
    void sendDatagram(const uint8_t *data, size_t length);
    // Ends the connection because of a library error `rv` in what `doing` (sends our
    // CONNECTION_CLOSE unless the peer ended it) and reports failed().
    void failWithLibError(int rv, const char *doing);
    void reportPeerClose();
    void fail(const QByteArray &code, const QString &message);
    void afterIo();
    void installCallbacks(ngtcp2_callbacks *cb);

    TraceStore *m_trace;
    EventScope m_scope;
    QUdpSocket *m_socket = nullptr;
    QTimer m_timer;
    QuicTls m_tls;
    QuicQlogTap m_qlog;
    ngtcp2_crypto_conn_ref m_connRef{};
    ngtcp2_conn *m_conn = nullptr;
    QuicStreamHandler *m_handler = nullptr;
    sockaddr_storage m_local{};
    socklen_t m_localLength = 0;
    sockaddr_storage m_remote{};
    socklen_t m_remoteLength = 0;
    ngtcp2_connection_close_error m_lastError{};
    bool m_handshakeDone = false;
    bool m_done = false;
    bool m_statelessReset = false;
    bool m_inIo = false;
    qint64 m_bytesRead = 0;
    qint64 m_bytesWritten = 0;
    qint64 m_datagramsRead = 0;
    QString m_lastServerMessage; // the server's last TLS handshake message, for describeStall()
    QByteArray m_receiveBuffer;
    struct EarlyData
    {
        int64_t id;
        QByteArray data;
        bool fin;
    };
    QList<EarlyData> m_early;

    friend struct QuicCallbacks;
};

} // namespace hopscope
