#pragma once

#include <QCommandLineOption>
#include <QString>

class QCommandLineParser;

namespace hopscope {

struct TlsOptions;

// The TLS options beyond --cacert and -k, as curl spells them: a client certificate
// (--cert FILE[:PASSWORD], --key, --pass) and where the secrets go for Wireshark (--keylog,
// or SSLKEYLOGFILE, which the engine reads itself), and --cert-status (OCSP stapling).
class TlsCliOptions
{
public:
    // Adds the options to the parser (before it parses).
    explicit TlsCliOptions(QCommandLineParser &parser);

    // After parsing: the settings on the request every URL starts from. Returns a usage
    // error, or an empty string.
    QString apply(const QCommandLineParser &parser, TlsOptions &tls) const;

    // curl's --cert argument: FILE or FILE:PASSWORD, with "\:" for a colon in the file name.
    static void splitCertArgument(const QString &arg, QString *file, QString *password);

    const QCommandLineOption cert{
        {QStringLiteral("E"), QStringLiteral("cert")},
        QStringLiteral("Client certificate: a PEM file (with the key, unless --key) or a "
                       "PKCS#12 file; :PASSWORD unlocks it (\\: for a colon in the name)."),
        QStringLiteral("FILE[:PASSWORD]")};
    const QCommandLineOption key{QStringLiteral("key"),
                                 QStringLiteral("Private key (PEM) for --cert."),
                                 QStringLiteral("FILE")};
    const QCommandLineOption pass{QStringLiteral("pass"),
                                  QStringLiteral("Password for the key or the PKCS#12 file."),
                                  QStringLiteral("PASSWORD")};
    const QCommandLineOption keylog{
        QStringLiteral("keylog"),
        QStringLiteral("Append the TLS secrets to FILE (NSS key log, as SSLKEYLOGFILE) so that "
                       "Wireshark decrypts the connections."),
        QStringLiteral("FILE")};
    const QCommandLineOption certStatus{
        QStringLiteral("cert-status"),
        QStringLiteral("Fail (exit 91) unless the server staples a good, verified OCSP response "
                       "for its certificate. Without it the status is only reported.")};
};

} // namespace hopscope
