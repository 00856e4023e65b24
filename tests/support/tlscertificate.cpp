#include "tlscertificate.h"

#include "processutil.h"

#include <QProcess>

namespace hopscope::test {

bool writeSelfSignedCertificate(const QString &certFile, const QString &keyFile, QString *error)
{
    const QString openssl = findProgram(QStringLiteral("openssl"));
    if (openssl.isEmpty()) {
        if (error)
            *error = QStringLiteral("openssl not found on PATH");
        return false;
    }
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    // The IP SAN matters: the tests connect to 127.0.0.1 and verify the name.
    process.start(openssl,
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-subj"),
                   QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1"),
                   QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-keyout"), keyFile,
                   QStringLiteral("-out"), certFile});
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        if (error) {
            *error = QStringLiteral("openssl req failed: %1")
                         .arg(QString::fromLocal8Bit(process.readAll()));
        }
        return false;
    }
    return true;
}

bool SelfSignedCertificate::create()
{
    m_error.clear();
    if (!m_dir.isValid()) {
        m_error =
            QStringLiteral("cannot create a temporary directory: %1").arg(m_dir.errorString());
        return false;
    }
    return writeSelfSignedCertificate(certFile(), keyFile(), &m_error);
}

} // namespace hopscope::test
