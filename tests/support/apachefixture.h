#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace hopscope::test {

// A real Apache httpd (Debian's apache2 with mod_http2 and mod_ssl) run from a generated config
// in a private temporary directory: one cleartext vhost (h2c upgrade on) and one TLS vhost with a
// fresh self-signed certificate, both on free 127.0.0.1 ports. Apache runs in the foreground as
// a child process so it cannot outlive the test. Start it once per test class.
//
// Document root:
//   /small.txt            smallBody()
//   /large.bin            64 MiB of deterministic pseudo-random bytes, largeSha256()
//   /etag.txt             a static file for conditional requests (ETag and Last-Modified)
//   /compress/text.txt    compressibleText(); br or gzip, whichever the client accepts
//   /compress/gzip/...    the same file, only ever gzip-encoded (mod_deflate)
//   /compress/br/...      the same file, only ever br-encoded (mod_brotli)
//   /cgi/chunked          chunkedBody(), written in pieces without Content-Length
//   /cgi/status?NNN       answers with status NNN (204 has no body)
//   /cgi/headers          echoes method, request headers (CGI variables, Authorization
//                         included) and the body
//   /altsvc/PORT/FILE     (TLS vhost) FILE, with Alt-Svc: h3=":PORT"; ma=60 (mod_headers)
//   /altsvc/clear/FILE    (TLS vhost) FILE, with Alt-Svc: clear
//   /cgi/setcookie        Set-Cookie: session=abc123 (Path=/), pref=dark (Max-Age, HttpOnly, no
//                         Path: /cgi by default), scoped=1 (Path=/cgi/status)
class ApacheFixture
{
public:
    // Debian's default is the event MPM. Its mod_http2 hands an idle upgraded (h2c) connection
    // back to the MPM, which ends it at once with GOAWAY "timeout" after the first stream; the
    // worker MPM keeps the session (and sends its SETTINGS in the same write as the 101). Both
    // are real deployments worth testing against.
    enum class Mpm { Event, Worker };
    explicit ApacheFixture(Mpm mpm = Mpm::Event);
    ~ApacheFixture();
    ApacheFixture(const ApacheFixture &) = delete;
    ApacheFixture &operator=(const ApacheFixture &) = delete;

    // Generates everything and starts Apache; false with errorString() on failure (which then
    // holds Apache's own error log, because that is where the reason is).
    bool start();
    // More configuration appended to the generated one (set before start()): Listen lines and
    // vhosts a test needs for itself, such as OCSP stapling (tst_cli_ocsp). @ROOT@ is the
    // fixture's directory, @MODULES@ Apache's modules directory.
    void setExtraConfig(const QString &config) { m_extraConfig = config; }
    // Terminates Apache and waits for it; safe to call twice.
    void stop();
    bool isRunning() const;
    QString errorString() const { return m_error; }

    quint16 plainPort() const { return m_plainPort; }
    quint16 tlsPort() const { return m_tlsPort; }
    // A TLS vhost that requires a client certificate signed by clientCertFile() (self-signed,
    // CN "hopscope test client") and names the one it got in X-Client-Subject.
    quint16 mtlsPort() const { return m_mtlsPort; }
    QString clientCertFile() const { return path(QStringLiteral("tls/client-cert.pem")); }
    QString clientKeyFile() const { return path(QStringLiteral("tls/client-key.pem")); }
    // The self-signed server certificate, usable as the CA file for --cacert.
    QString caFile() const;
    // Its private key (PEM), for other peers that should present the same certificate.
    QString keyFile() const;
    QString docRoot() const;
    QString errorLog() const;
    QByteArray errorLogContents() const;
    // "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT", without a trailing slash.
    QString baseUrl(bool tls) const;
    QString url(bool tls, const QString &path) const { return baseUrl(tls) + path; }

    static QByteArray smallBody();
    static QByteArray chunkedBody();
    static QByteArray compressibleText();
    static QByteArray etagBody();
    static constexpr qint64 largeSize = 64 * 1024 * 1024;
    // Hex SHA-256 of /large.bin.
    QByteArray largeSha256() const { return m_largeSha256; }

private:
    bool writeContent();
    bool writeCertificate();
    bool writeConfig();
    bool launch();
    bool waitUntilListening(int timeoutMs);
    QString path(const QString &relative) const;
    bool fail(const QString &message);

    Mpm m_mpm = Mpm::Event;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_plainPort = 0;
    quint16 m_tlsPort = 0;
    quint16 m_mtlsPort = 0;
    QByteArray m_largeSha256;
    QString m_error;
    QString m_extraConfig;
};

} // namespace hopscope::test
