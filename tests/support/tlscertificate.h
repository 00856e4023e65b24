#pragma once

#include <QString>
#include <QTemporaryDir>

namespace hopscope::test {

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
    bool create();

    QString certFile() const { return m_dir.filePath(QStringLiteral("cert.pem")); }
    QString keyFile() const { return m_dir.filePath(QStringLiteral("key.pem")); }
    QString errorString() const { return m_error; }

private:
    QTemporaryDir m_dir;
    QString m_error;
};

} // namespace hopscope::test
