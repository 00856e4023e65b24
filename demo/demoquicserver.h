#pragma once

#include "democertificate.h"
#include "demoquicconnection.h"

#include <QHash>
#include <QObject>
#include <QSet>

#include <gnutls/gnutls.h>

class QUdpSocket;

namespace hopscope {

// The demo server's HTTP/3 endpoint: one UDP socket on loopback, QUIC connections told apart
// by their connection ids (a new one begins with a client's Initial), each serving the demo
// endpoints over HTTP/3 with the demo certificate. The TLS port advertises it with `Alt-Svc`.
class DemoQuicServer : public QObject
{
    Q_OBJECT
public:
    explicit DemoQuicServer(QObject *parent = nullptr);
    ~DemoQuicServer() override;

    // Listens on 127.0.0.1:port (0: any free port). False with *error on failure.
    bool start(quint16 port, const DemoCertificate &certificate, QString *error);
    // Closes every connection (each with a CONNECTION_CLOSE) and the socket.
    void stop();
    quint16 port() const { return m_port; }
    int connectionCount() const { return int(m_connections.size()); }
    // For the hostile QUIC peer of the tests only; applies to connections accepted afterwards.
    void setMisbehaviour(DemoQuicMisbehaviour m) { m_misbehaviour = m; }

    // For DemoQuicConnection: the connection ids it answers to, and its end.
    void associate(const QByteArray &cid, DemoQuicConnection *connection);
    void dissociate(const QByteArray &cid);
    void forget(DemoQuicConnection *connection);

private:
    void onReadyRead();
    void dispatch(const QByteArray &datagram, const QHostAddress &peer, quint16 peerPort);
    void answerWithGarbage(qsizetype size, const QHostAddress &peer, quint16 peerPort);

    QUdpSocket *m_socket = nullptr;
    quint16 m_port = 0;
    gnutls_certificate_credentials_t m_credentials = nullptr;
    QHash<QByteArray, DemoQuicConnection *> m_byCid;
    QSet<DemoQuicConnection *> m_connections;
    DemoQuicMisbehaviour m_misbehaviour = DemoQuicMisbehaviour::None;
};

} // namespace hopscope
