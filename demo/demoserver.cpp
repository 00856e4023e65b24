#include "demoserver.h"

#include "democonnection.h"
#include "demolistener.h"
#include "demoquicserver.h"
#include "demoroutes.h"

#include <QDir>
#include <QFile>
#include <QSslSocket>
#include <QTemporaryDir>

namespace hopscope {

namespace {

// Bursts of connections (a browser, `curl --parallel`, load tools) must not be refused.
constexpr int kListenBacklog = 512;

bool listen(DemoListener *listener, quint16 port, const char *which, QString *error)
{
    listener->setListenBacklogSize(kListenBacklog);
    if (listener->listen(QHostAddress::LocalHost, port))
        return true;
    if (error) {
        *error = QStringLiteral("demo server: cannot listen on 127.0.0.1 port %1 (%2): %3")
                     .arg(port)
                     .arg(QLatin1String(which), listener->errorString());
    }
    return false;
}

} // namespace

DemoServer::DemoServer(QObject *parent) : QObject(parent) {}

DemoServer::~DemoServer()
{
    stop();
}

void DemoServer::setPorts(quint16 plainPort, quint16 tlsPort)
{
    m_wantedPlainPort = plainPort;
    m_wantedTlsPort = tlsPort;
}

bool DemoServer::start(QString *error)
{
    stop();
    if (!QSslSocket::supportsSsl()) {
        if (error) {
            *error = QStringLiteral("demo server: TLS is not available (Qt's OpenSSL backend "
                                    "did not load)");
        }
        return false;
    }
    if (!DemoCertificate::generate(&m_certificate, error))
        return false;
    m_dir =
        std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/hopscope-demo-XXXXXX"));
    m_caFile = m_dir->filePath(QStringLiteral("hopscope-demo-ca.pem"));
    QFile ca(m_caFile);
    if (!m_dir->isValid() || !ca.open(QIODevice::WriteOnly) ||
        ca.write(m_certificate.certificate.toPem()) < 0 || !ca.flush()) {
        if (error) {
            *error = QStringLiteral("demo server: cannot write the CA file %1: %2")
                         .arg(m_caFile, m_dir->isValid() ? ca.errorString() : m_dir->errorString());
        }
        m_caFile.clear();
        return false;
    }
    ca.close();

    m_tlsConfiguration = QSslConfiguration::defaultConfiguration();
    m_tlsConfiguration.setLocalCertificate(m_certificate.certificate);
    m_tlsConfiguration.setPrivateKey(m_certificate.key);
    m_tlsConfiguration.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_tlsConfiguration.setProtocol(QSsl::TlsV1_2OrLater);
    // Server side, Qt answers ALPN from this list: h2 when the client offers it.
    m_tlsConfiguration.setAllowedNextProtocols(
        {QByteArrayLiteral("h2"), QByteArrayLiteral("http/1.1")});

    m_plain = new DemoListener(this);
    m_tls = new DemoListener(this);
    connect(m_plain, &DemoListener::accepted, this, [this](qintptr d) { accept(d, false); });
    connect(m_tls, &DemoListener::accepted, this, [this](qintptr d) { accept(d, true); });
    if (!listen(m_plain, m_wantedPlainPort, "cleartext", error) ||
        !listen(m_tls, m_wantedTlsPort, "TLS", error)) {
        stop();
        return false;
    }
    m_plainPort = m_plain->serverPort();
    m_tlsPort = m_tls->serverPort();
    startHttp3();
    m_running = true;
    return true;
}

void DemoServer::stop()
{
    for (DemoListener *l : {m_plain, m_tls}) {
        if (l) {
            l->close();
            l->deleteLater();
        }
    }
    m_plain = m_tls = nullptr;
    if (m_quic) {
        m_quic->stop();
        m_quic->deleteLater();
        m_quic = nullptr;
    }
    const QSet<DemoConnection *> connections = std::exchange(m_connections, {});
    for (DemoConnection *c : connections) {
        c->disconnect(this);
        c->abort();
    }
    m_running = false;
    m_plainPort = m_tlsPort = 0;
}

void DemoServer::startHttp3()
{
    // The TLS port's number on UDP, as servers usually pair them (Alt-Svc: h3=":443"); any
    // free port when something else holds it, since Alt-Svc names the port anyway.
    m_quic = new DemoQuicServer(this);
    m_h3Error.clear();
    if (m_quic->start(m_tlsPort, m_certificate, &m_h3Error) ||
        m_quic->start(0, m_certificate, &m_h3Error)) {
        m_h3Error.clear();
        return;
    }
    delete m_quic;
    m_quic = nullptr;
}

quint16 DemoServer::h3Port() const
{
    return m_quic ? m_quic->port() : 0;
}

void DemoServer::accept(qintptr descriptor, bool tls)
{
    auto *connection = new DemoConnection(descriptor, tls ? &m_tlsConfiguration : nullptr,
                                          tls ? h3Port() : 0, this);
    m_connections.insert(connection);
    connect(connection, &DemoConnection::closed, this,
            [this, connection] { m_connections.remove(connection); });
}

QString DemoServer::baseUrl(bool tls) const
{
    return QStringLiteral("%1://127.0.0.1:%2")
        .arg(tls ? QStringLiteral("https") : QStringLiteral("http"))
        .arg(tls ? m_tlsPort : m_plainPort);
}

QStringList DemoServer::describe() const
{
    if (!m_running)
        return {QStringLiteral("demo server: not running")};
    const QString plain = baseUrl(false);
    const QString secure = baseUrl(true);
    QStringList lines;
    lines
        << QStringLiteral("Hopscope demo server (%1)").arg(QLatin1String(DemoRoutes::serverName()))
        << QStringLiteral("  %1/  cleartext: HTTP/1.1 keep-alive (advertises Upgrade: h2c), "
                          "h2c upgrade, HTTP/2 prior knowledge, Upgrade: websocket, Upgrade: tcp")
               .arg(plain)
        << QStringLiteral("  %1/  TLS: ALPN h2 or http/1.1 (HTTP/1.1 advertises Upgrade: h2), "
                          "HTTP/2 prior knowledge without ALPN")
               .arg(secure)
        << (h3Port() ? QStringLiteral("  https://127.0.0.1:%1/  HTTP/3 over QUIC (UDP), "
                                      "advertised by %2/alt-svc")
                           .arg(h3Port())
                           .arg(secure)
                     : QStringLiteral("  HTTP/3: not running (%1)").arg(m_h3Error))
        << QStringLiteral("  CA certificate: %1 (self-signed for localhost and 127.0.0.1, valid "
                          "2 days; sha256 %2)")
               .arg(m_caFile,
                    QString::fromLatin1(
                        m_certificate.certificate.digest(QCryptographicHash::Sha256).toHex(':')))
        << QString()
        << QStringLiteral("Endpoints (both ports, HTTP/1.1 and HTTP/2; HTTP/3 on UDP):");
    for (const DemoRoutes::Endpoint &e : DemoRoutes::endpoints()) {
        lines << QStringLiteral("  %1 %2").arg(e.path.leftJustified(10), e.description);
        lines << QStringLiteral("  %1 e.g. %2%3").arg(QString(10, u' '), plain, e.example);
    }
    lines
        << QString() << QStringLiteral("Try:")
        << QStringLiteral("  curl -v %1/headers %1/status/418").arg(plain)
        << QStringLiteral("  curl -v --http2 %1/stream/5").arg(plain)
        << QStringLiteral("  curl -v --http2-prior-knowledge %1/bytes/1024 -o /dev/null").arg(plain)
        << QStringLiteral("  curl -v --cacert %1 %2/").arg(m_caFile, secure)
        << QStringLiteral("  curl -v --http1.1 --cacert %1 %2/").arg(m_caFile, secure)
        << QStringLiteral("  nghttp -nv %1/ ; nghttp -nvu %1/ ; nghttp -nv %2/").arg(plain, secure)
        << QStringLiteral("  hopscope-cli -v --h2c --parallel %1/ %1/headers %1/stream/3")
               .arg(plain)
        << QStringLiteral("  hopscope-cli -v -L %1/redirect/3").arg(plain)
        << QStringLiteral("  hopscope-cli -v --cacert %1 --alpn http/1.1 %2/ %2/headers")
               .arg(m_caFile, secure);
    if (h3Port()) {
        lines << QStringLiteral("  hopscope-cli -v --cacert %1 %2/alt-svc %2/headers   (the "
                                "Alt-Svc follow to HTTP/3)")
                     .arg(m_caFile, secure)
              << QStringLiteral("  hopscope-cli -v --http3-only --cacert %1 "
                                "https://127.0.0.1:%2/stream/3")
                     .arg(m_caFile)
                     .arg(h3Port());
    }
    return lines;
}

} // namespace hopscope
