#pragma once

#include <QDateTime>
#include <QString>
#include <QTemporaryDir>

namespace hopscope::test {

// What a test certificate says about itself. The default is what every TLS test wants: made out
// for localhost and 127.0.0.1, valid from now for two days. The hostile TLS tests change the
// names (a certificate for another host) or the dates (expired, not yet valid).
struct CertificateSpec
{
    QString commonName = QStringLiteral("localhost");
    QString subjectAltName = QStringLiteral("DNS:localhost,IP:127.0.0.1");
    // Both null: from now for two days. Otherwise exactly these dates (UTC, whole seconds).
    QDateTime notBefore;
    QDateTime notAfter;
};

// Writes a self-signed certificate as the spec says, and its unencrypted key, both PEM. The
// certificate doubles as the CA file for --cacert. False with *error (openssl's output) on
// failure.
bool writeCertificate(const CertificateSpec &spec, const QString &certFile, const QString &keyFile,
                      QString *error);

// Writes a fresh self-signed certificate for localhost and 127.0.0.1 (RSA 2048, valid for two
// days) and its unencrypted private key, both PEM, with `openssl req`. The certificate doubles
// as the CA file for --cacert. False with *error (openssl's output) on failure.
bool writeSelfSignedCertificate(const QString &certFile, const QString &keyFile, QString *error);

// A self-signed certificate in a private temporary directory, for peers that need one and
// nothing else (the Apache fixture writes its own next to its configuration).
class SelfSignedCertificate
{
public:
    // Generates the certificate; false with errorString() on failure.
    bool create(const CertificateSpec &spec = {});

    QString certFile() const { return m_dir.filePath(QStringLiteral("cert.pem")); }
    QString keyFile() const { return m_dir.filePath(QStringLiteral("key.pem")); }
    QString errorString() const { return m_error; }

private:
    QTemporaryDir m_dir;
    QString m_error;
};

} // namespace hopscope::test
