#pragma once

#include "demohttp1session.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>

class QAbstractSocket;
class QSslSocket;

namespace hopscope {

// One accepted connection: owns its socket for its whole life and decides who speaks on it.
// TLS first (ALPN h2 -> HTTP/2, http/1.1 -> HTTP/1.1). Without ALPN, and always on cleartext,
// the first bytes decide: the 24-byte HTTP/2 client preface means prior knowledge, anything
// else is HTTP/1.1. An HTTP/1.1 session may then hand the socket over after a 101 (h2c,
// websocket, tcp). Deletes itself once the socket is closed.
class DemoConnection : public QObject
{
    Q_OBJECT
public:
    // tls: null for the cleartext port.
    // h3Port: the demo's HTTP/3 port that /alt-svc advertises (0: none).
    DemoConnection(qintptr descriptor, const QSslConfiguration *tls, quint16 h3Port,
                   QObject *parent = nullptr);
    ~DemoConnection() override;

    // Ends the connection at once (server shutdown).
    void abort();

signals:
    void closed();

private:
    void onEncrypted();
    void onReadyRead();
    void startHttp1(const QByteArray &initial);
    void startHttp2(const QByteArray &initial);
    void onUpgraded(const DemoUpgrade &upgrade);
    void replaceSession(QObject *next);
    void finish();

    QAbstractSocket *m_socket = nullptr;
    QSslSocket *m_ssl = nullptr;
    QPointer<QObject> m_session;
    QByteArray m_sniffed;
    bool m_sniffing = false;
    bool m_finished = false;
    quint16 m_h3Port = 0;
};

} // namespace hopscope
