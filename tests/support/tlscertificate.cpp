#include "tlscertificate.h"

#include "processutil.h"

#include <QFile>
#include <QProcess>

namespace hopscope::test {

namespace {

bool runOpenssl(const QString &openssl, const QStringList &arguments, const QString &directory,
                QString *error)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    if (!directory.isEmpty())
        process.setWorkingDirectory(directory);
    process.start(openssl, arguments);
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        if (error) {
            *error = QStringLiteral("openssl %1 failed: %2")
                         .arg(arguments.value(0), QString::fromLocal8Bit(process.readAll()));
        }
        return false;
    }
    return true;
}

// `openssl req -x509` (OpenSSL 3.0) sets only a length of validity from now; `openssl ca`
// takes both dates. It wants a small database of its own, kept in a scratch directory.
bool writeDatedCertificate(const QString &openssl, const CertificateSpec &spec,
                           const QString &certFile, const QString &keyFile, QString *error)
{
    QTemporaryDir scratch;
    if (!scratch.isValid()) {
        if (error)
            *error = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    const auto write = [&](const char *name, const QByteArray &text) {
        QFile f(scratch.filePath(QLatin1String(name)));
        return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
    };
    if (!write("ca.cnf", "[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\n"
                         "new_certs_dir = .\nserial = serial\ndefault_md = sha256\n"
                         "policy = any\ncopy_extensions = copy\nunique_subject = no\n"
                         "[any]\ncommonName = supplied\n") ||
        !write("index.txt", "") || !write("serial", "01\n")) {
        if (error)
            *error = QStringLiteral("cannot write openssl ca's files");
        return false;
    }
    const QString csr = scratch.filePath(QStringLiteral("request.csr"));
    const auto asn1 = [](const QDateTime &t) {
        return t.toUTC().toString(QStringLiteral("yyyyMMddHHmmss")) + QLatin1Char('Z');
    };
    return runOpenssl(openssl,
                      {QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-newkey"),
                       QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                       QStringLiteral("-subj"), QStringLiteral("/CN=") + spec.commonName,
                       QStringLiteral("-addext"),
                       QStringLiteral("subjectAltName=") + spec.subjectAltName,
                       QStringLiteral("-keyout"), keyFile, QStringLiteral("-out"), csr},
                      scratch.path(), error) &&
           runOpenssl(openssl,
                      {QStringLiteral("ca"), QStringLiteral("-batch"), QStringLiteral("-config"),
                       QStringLiteral("ca.cnf"), QStringLiteral("-selfsign"),
                       QStringLiteral("-keyfile"), keyFile, QStringLiteral("-in"), csr,
                       QStringLiteral("-out"), certFile, QStringLiteral("-notext"),
                       QStringLiteral("-startdate"), asn1(spec.notBefore),
                       QStringLiteral("-enddate"), asn1(spec.notAfter)},
                      scratch.path(), error);
}

} // namespace

bool writeCertificate(const CertificateSpec &spec, const QString &certFile, const QString &keyFile,
                      QString *error)
{
    const QString openssl = findProgram(QStringLiteral("openssl"));
    if (openssl.isEmpty()) {
        if (error)
            *error = QStringLiteral("openssl not found on PATH");
        return false;
    }
    if (!spec.notBefore.isNull() || !spec.notAfter.isNull())
        return writeDatedCertificate(openssl, spec, certFile, keyFile, error);
    // The IP SAN matters: the tests connect to 127.0.0.1 and verify the name.
    return runOpenssl(
        openssl,
        {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
         QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-subj"),
         QStringLiteral("/CN=") + spec.commonName, QStringLiteral("-addext"),
         QStringLiteral("subjectAltName=") + spec.subjectAltName, QStringLiteral("-days"),
         QStringLiteral("2"), QStringLiteral("-keyout"), keyFile, QStringLiteral("-out"), certFile},
        {}, error);
}

bool writeSelfSignedCertificate(const QString &certFile, const QString &keyFile, QString *error)
{
    return writeCertificate(CertificateSpec{}, certFile, keyFile, error);
}

bool SelfSignedCertificate::create(const CertificateSpec &spec)
{
    m_error.clear();
    if (!m_dir.isValid()) {
        m_error =
            QStringLiteral("cannot create a temporary directory: %1").arg(m_dir.errorString());
        return false;
    }
    return writeCertificate(spec, certFile(), keyFile(), &m_error);
}

} // namespace hopscope::test
