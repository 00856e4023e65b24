#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include <sys/socket.h>

class QUdpSocket;

namespace hopscope {

class DemoHttp3Session;
class DemoQuicServer;

// What the QUIC side of the demo server does wrong on purpose. Only the hostile QUIC peer of
// the tests (tests/support/hostilequicpeer.h) switches it from None: a real server cannot be
// made to misbehave on demand, and this one shares every byte of its honest path.
enum class DemoQuicMisbehaviour {
    None,
    StallHandshake,   // sends its first datagram (the ServerHello's), then nothing
    GarbageDatagrams, // answers every datagram with random bytes, never a QUIC packet
    CloseMidStream,   // a CONNECTION_CLOSE (H3_INTERNAL_ERROR) once a response body is underway
    StatelessResetMidStream, // forgets the connection there and sends a stateless reset
};

// One client's QUIC connection to the demo server (RFC 9000, server side, by ngtcp2 with
// GnuTLS), carrying HTTP/3 (DemoHttp3Session). Its datagrams go out through the server's
// socket; ngtcp2's timers run on a QTimer. Deletes itself (deleteLater) when the connection
// ends: closed by either side, idle, or broken.
class DemoQuicConnection : public QObject
{
    Q_OBJECT
public:
    DemoQuicConnection(DemoQuicServer *server, QUdpSocket *socket, const QHostAddress &peer,
                       quint16 peerPort, DemoQuicMisbehaviour misbehaviour);
    ~DemoQuicConnection() override;

    // Sets the connection up from the client's first Initial (`header`, from ngtcp2_accept).
    // False when ngtcp2 or GnuTLS refuse; the connection is then unusable.
    bool accept(const ngtcp2_pkt_hd &header, gnutls_certificate_credentials_t credentials);
    // One datagram from this client.
    void receive(const uint8_t *data, size_t length);
    // Ends at once (server shutdown), with a CONNECTION_CLOSE the client can read.
    void close();

signals:
    void finished();

private:
    friend struct DemoQuicCallbacks;
    static ngtcp2_conn *connOf(ngtcp2_crypto_conn_ref *ref);
    bool setUpTls(gnutls_certificate_credentials_t credentials);
    void writePackets();
    void sendDatagram(const uint8_t *data, size_t length);
    void armTimer();
    void onTimer();
    void misbehaveIfDue();
    // Sends a CONNECTION_CLOSE with `error` (unless the client already closed) and finishes.
    void closeWith(const ngtcp2_connection_close_error &error);
    void finish();
    ngtcp2_path path();

    DemoQuicServer *m_server;
    QUdpSocket *m_socket;
    QHostAddress m_peer;
    quint16 m_peerPort;
    DemoQuicMisbehaviour m_misbehaviour;
    sockaddr_storage m_local{};
    socklen_t m_localLength = 0;
    sockaddr_storage m_remote{};
    socklen_t m_remoteLength = 0;
    ngtcp2_crypto_conn_ref m_connRef{};
    ngtcp2_conn *m_conn = nullptr;
    gnutls_session_t m_tls = nullptr;
    DemoHttp3Session *m_http = nullptr;
    uint8_t m_resetToken[NGTCP2_STATELESS_RESET_TOKENLEN]{};
    QTimer m_timer;
    int m_datagramsSent = 0; // counted for StallHandshake only
    bool m_inRead = false;
    bool m_finished = false;
};

} // namespace hopscope
