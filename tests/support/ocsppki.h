#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace hopscope::test {

// A small PKI with an OCSP responder, for OCSP stapling tests: a CA, two server certificates it
// issued for localhost and 127.0.0.1 (one good, one revoked for keyCompromise an hour ago),
// both naming the responder in their Authority Information Access (so Apache knows where to
// fetch the staple), and `openssl ocsp -index` answering for them, signed by the CA. Everything
// lives in a private temporary directory; the responder is a child that dies with the test.
// (OpenSSL 3.0's responder takes only a port, so it listens on every interface.)
class OcspPki
{
public:
    OcspPki() = default;
    ~OcspPki();
    OcspPki(const OcspPki &) = delete;
    OcspPki &operator=(const OcspPki &) = delete;

    // Writes the PKI and starts the responder; false with errorString() on failure.
    bool start();
    void stop();
    QString errorString() const { return m_error; }

    quint16 responderPort() const { return m_port; }
    QString caFile() const { return path(QStringLiteral("ca.crt")); }
    QString certFile(bool revoked) const
    {
        return path(revoked ? QStringLiteral("revoked.crt") : QStringLiteral("good.crt"));
    }
    QString keyFile(bool revoked) const
    {
        return path(revoked ? QStringLiteral("revoked.key") : QStringLiteral("good.key"));
    }

private:
    bool openssl(const QStringList &arguments);
    bool issue(const QString &name);
    bool writeIndex();
    bool waitUntilListening(int timeoutMs);
    QString path(const QString &name) const { return m_dir.filePath(name); }
    bool fail(const QString &message);

    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_responder;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace hopscope::test
