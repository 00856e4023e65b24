#pragma once

#include "democertificate.h"

#include <QObject>
#include <QSet>
#include <QSslConfiguration>
#include <QString>
#include <QStringList>

#include <memory>

class QTemporaryDir;

namespace hopscope {

class DemoConnection;
class DemoListener;
class DemoQuicServer;

// The embedded demo server: two loopback ports that show every protocol path Hopscope
// inspects. Cleartext: HTTP/1.1 with keep-alive (advertising `Upgrade: h2c`), the h2c upgrade,
// HTTP/2 by prior knowledge, WebSocket and `tcp` upgrades. TLS (a certificate generated at
// start): ALPN h2 or http/1.1, `Upgrade: h2` advertised on HTTP/1.1, and HTTP/2 by prior
// knowledge without ALPN. UDP (the TLS port's number when it is free): HTTP/3 over QUIC, which
// the TLS port's /alt-svc advertises. Endpoints: see DemoRoutes.
//
// Lives in the thread that calls start() (create it there or move it there first) and needs
// that thread's event loop running; nothing blocks. Clients in the same thread work too.
class DemoServer : public QObject
{
    Q_OBJECT
public:
    explicit DemoServer(QObject *parent = nullptr);
    ~DemoServer() override;

    // Fixed ports; 0 (the default) picks a free one. Takes effect at the next start().
    void setPorts(quint16 plainPort, quint16 tlsPort);

    // Generates the certificate, writes the CA file and listens on 127.0.0.1. False with
    // *error (the port that could not be bound, OpenSSL's complaint, ...) on failure.
    Q_INVOKABLE bool start(QString *error = nullptr);
    // Stops listening and drops every connection. The CA file stays until the next start or
    // destruction.
    Q_INVOKABLE void stop();

    bool isRunning() const { return m_running; }
    quint16 plainPort() const { return m_plainPort; }
    quint16 tlsPort() const { return m_tlsPort; }
    // The HTTP/3 (QUIC) UDP port; 0 when HTTP/3 could not start (h3Error() says why): the
    // rest of the server runs without it.
    quint16 h3Port() const;
    QString h3Error() const { return m_h3Error; }
    // The QUIC side, for the hostile QUIC peer of the tests (DemoQuicServer::setMisbehaviour).
    DemoQuicServer *quicServer() const { return m_quic; }
    // "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT", no trailing slash.
    QString baseUrl(bool tls) const;
    QSslCertificate certificate() const { return m_certificate.certificate; }
    // The certificate as a PEM file a client trusts for the demo (curl --cacert FILE).
    QString caFile() const { return m_caFile; }
    // Human-readable lines: both URLs, the CA file, every endpoint with a full example URL and
    // a few commands to try (for `hopscope-cli --serve-demo`).
    QStringList describe() const;
    int connectionCount() const { return int(m_connections.size()); }

private:
    void accept(qintptr descriptor, bool tls);
    void startHttp3();

    quint16 m_wantedPlainPort = 0;
    quint16 m_wantedTlsPort = 0;
    quint16 m_plainPort = 0;
    quint16 m_tlsPort = 0;
    bool m_running = false;
    DemoListener *m_plain = nullptr;
    DemoListener *m_tls = nullptr;
    DemoQuicServer *m_quic = nullptr;
    QString m_h3Error;
    DemoCertificate m_certificate;
    QSslConfiguration m_tlsConfiguration;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_caFile;
    QSet<DemoConnection *> m_connections;
};

} // namespace hopscope
