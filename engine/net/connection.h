#pragma once

#include "core/exchange.h"
#include "core/origin.h"
#include "core/requestspec.h"
#include "core/route.h"
#include "trace/traceevent.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSslError>
#include <QTimer>

class QAbstractSocket;
class QHostInfo;
class QTcpSocket;

namespace hopscope {

class TlsSocket;
class ProxyTunnel;
class QuicTransport;
class TraceStore;
struct TlsMessage;
struct OcspStaple;

// One transport connection to an origin. It owns its QTcpSocket, and over TLS the TlsSocket on
// top of it, for its whole life, across any change of protocol on top; drivers borrow the
// socket (any connected QAbstractSocket: openOn() takes one that a test made). It resolves the
// host itself (so DNS is timed and traced apart from connect), tries each address in turn, and
// records the address actually connected to and the TLS outcome, message by message.
class Connection : public QObject
{
    Q_OBJECT
public:
    // Tunneling: TCP is connected to a proxy, which is asked for the tunnel (ProxyTunnel).
    enum class State { Idle, Resolving, Connecting, Tunneling, Handshaking, Open, Closed };

    Connection(quint32 id, Origin origin, const RequestSpec &spec, TraceStore *trace,
               QObject *parent = nullptr);
    ~Connection() override;

    quint32 id() const { return m_id; }
    const Origin &origin() const { return m_origin; }
    State state() const { return m_state; }
    bool isOpen() const { return m_state == State::Open; }
    QAbstractSocket *socket() const { return m_socket; }
    // HTTP/3: the QUIC connection instead of a socket (socket() is null then).
    QuicTransport *quic() const { return m_quic; }
    // Whether this connection goes over QUIC (the request asked for HTTP/3 on an https origin).
    bool usesQuic() const;
    QHostAddress peerAddress() const { return m_address; }
    QByteArray alpn() const { return m_alpn; } // negotiated ALPN protocol, empty if none
    EventScope scope(quint32 req = 0) const { return {m_id, req, -1}; }
    TraceStore *trace() const { return m_trace; }
    // The ConnectionPool key this connection serves (origin, policy, TLS settings).
    const QString &poolKey() const { return m_poolKey; }
    void setPoolKey(const QString &key) { m_poolKey = key; }
    // Whether what this connection ends up speaking may carry many requests at once: ALPN offers
    // h2, or cleartext HTTP/2 by prior knowledge or through an h2c upgrade. When false it will
    // speak HTTP/1.1, and requests need not wait for it to open before opening others.
    bool mayMultiplex() const;
    // DNS, connect and TLS on the trace clock.
    const ConnectionTimings &timings() const { return m_timings; }

    // Starts DNS, connect and TLS for request `firstRequest` (the id its events carry). Emits
    // ready() or failed().
    void open(quint32 firstRequest);
    // Opens on a socket that is already connected, without DNS, connect or TLS, and emits
    // ready(): how tests run drivers over an in-memory socket (tests/support/memorysocket.h).
    // The connection owns the socket from here on.
    void openOn(QAbstractSocket *connected);
    // Closes the socket now, recording why. Emits closed() once.
    void close(const QString &reason);
    // Records that bytes were read/written (for idle tracking by the pool).
    qint64 lastActivityNs() const { return m_lastActivityNs; }
    void touch();
    // Reads what the socket holds, up to kReadChunk bytes, into this connection's one read
    // buffer and returns a view of it, valid until the next call. readAll() would copy Qt's
    // buffer into a fresh array on every notification (a large allocation whose pages fault in
    // each time: a tenth of a bulk download's time); this copies into memory that stays warm.
    QByteArrayView readChunk();
    static constexpr qsizetype kReadChunk = 256 * 1024;
    // Bytes the drivers read from and wrote to the socket, counted where they trace `net.read`
    // and `net.write` (so they add up to the trace): what the low-speed abort measures.
    void countRead(qint64 bytes) { m_bytesMoved += bytes; }
    void countWritten(qint64 bytes) { m_bytesMoved += bytes; }
    qint64 bytesMoved() const { return m_bytesMoved; }
    // Hands what was written to the kernel now (QAbstractSocket::flush() is not virtual: over
    // TLS it would not reach the TCP socket underneath).
    void flushWrites();

signals:
    void ready();
    void failed(const QByteArray &code, const QString &message);
    void closed(const QString &reason);

private:
    void onLookedUp(const QHostInfo &info);
    void tryNextAddress();
    void onConnected();
    void startTls();
    // HTTP/3: a QUIC connection to the address instead of TCP (handshake included).
    void startQuic();
    void onQuicReady();
    // -k: a `tls.insecure` event before the handshake (TCP and QUIC alike).
    void recordInsecureIfSo();
    // The handshake's verification complaints fail the connection (unless -k): true then.
    bool failedVerification(const QList<QSslError> &complaints);
    // After TCP (and the proxy hop, if any): TLS, or ready.
    void continueAfterTransport();
    void startTunnel();
    QByteArray dialFailureCode(const char *direct) const;
    void onEncrypted();
    static void recordOcsp(FieldWriter &w, const OcspStaple &ocsp);
    void onTlsMessage(const TlsMessage &message);
    void onSocketError();
    void onDisconnected();
    void onConnectTimeout();
    void fail(const QByteArray &code, const QString &message);
    void setupSocket();
    qint64 flushBeforeAbort();
    QList<QByteArray> alpnOffer() const;

    quint32 m_id;
    Origin m_origin;
    RequestSpec m_spec;
    TraceStore *m_trace;
    State m_state = State::Idle;
    QAbstractSocket *m_socket = nullptr; // what drivers use: m_tcp, or m_tls on top of it
    QTcpSocket *m_tcp = nullptr;
    TlsSocket *m_tls = nullptr;
    QString m_poolKey;
    // The request that opened this connection may finish (time out) before it is open: the
    // connection keeps only its id and measures its phases itself.
    quint32 m_firstRequest = 0;
    ConnectionTimings m_timings;
    QList<QHostAddress> m_addresses;
    int m_nextAddress = 0;
    QHostAddress m_address;
    QByteArray m_alpn;
    QString m_keyLogError; // why the key-log file could not be written, if it could not
    QTimer m_connectTimer;
    int m_lookupId = -1;
    qint64 m_lastActivityNs = 0;
    qint64 m_bytesMoved = 0;
    bool m_closedEmitted = false;
    QByteArray m_readBuffer;
    // Where TCP goes (a proxy, a --connect-to target, the origin) and why: core/route.h.
    RoutePlan m_plan;
    QString m_addressVia; // "--resolve" when the addresses came from it
    ProxyTunnel *m_tunnel = nullptr;
    QuicTransport *m_quic = nullptr;
};

} // namespace hopscope
