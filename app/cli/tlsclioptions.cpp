#include "tlsclioptions.h"

#include "core/requestspec.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>

namespace hopscope {

TlsCliOptions::TlsCliOptions(QCommandLineParser &parser)
{
    parser.addOptions({cert, key, pass, keylog, certStatus});
}

void TlsCliOptions::splitCertArgument(const QString &arg, QString *file, QString *password)
{
    file->clear();
    password->clear();
    for (qsizetype i = 0; i < arg.size(); ++i) {
        const QChar c = arg.at(i);
        if (c == QLatin1Char('\\') && i + 1 < arg.size() && arg.at(i + 1) == QLatin1Char(':')) {
            file->append(QLatin1Char(':'));
            ++i;
        } else if (c == QLatin1Char(':')) {
            *password = arg.mid(i + 1);
            return;
        } else {
            file->append(c);
        }
    }
}

QString TlsCliOptions::apply(const QCommandLineParser &p, TlsOptions &tls) const
{
    if (p.isSet(cert)) {
        splitCertArgument(p.value(cert), &tls.certFile, &tls.certPassword);
        if (tls.certFile.isEmpty())
            return QStringLiteral("--cert: a file name expected");
        if (!QFileInfo(tls.certFile).isFile())
            return QStringLiteral("--cert %1: no such file").arg(tls.certFile);
    }
    if (p.isSet(key)) {
        if (!p.isSet(cert))
            return QStringLiteral("--key needs --cert");
        tls.keyFile = p.value(key);
        if (!QFileInfo(tls.keyFile).isFile())
            return QStringLiteral("--key %1: no such file").arg(tls.keyFile);
    }
    if (p.isSet(pass)) {
        if (!p.isSet(cert))
            return QStringLiteral("--pass needs --cert");
        tls.certPassword = p.value(pass);
    }
    if (p.isSet(keylog)) {
        tls.keyLogFile = p.value(keylog);
        if (tls.keyLogFile.isEmpty())
            return QStringLiteral("--keylog: a file name expected");
    }
    tls.certStatus = p.isSet(certStatus);
    return {};
}

} // namespace hopscope
