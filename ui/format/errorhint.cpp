#include "format/errorhint.h"

#include <QCoreApplication>

namespace hopscope {

QString errorHint(const QString &code)
{
    if (code == QLatin1String("tls-verify:untrusted"))
        return QCoreApplication::translate(
            "ErrorHint", "To trust its CA, choose a CA file under Options; to skip "
                         "verification, tick \"Insecure (-k)\" there.");
    if (code.startsWith(QLatin1String("tls-verify:")))
        return QCoreApplication::translate(
            "ErrorHint", "No CA file changes this: the certificate itself is wrong for this "
                         "request. To look anyway, tick \"Insecure (-k)\" under Options.");
    if (code == QLatin1String("tls-cert-status"))
        return QCoreApplication::translate(
            "ErrorHint", "To connect without a good OCSP staple, untick \"Require a good OCSP "
                         "staple\" under Options.");
    // Only "HTTP/3 only" fails a request on it: "HTTP/3 (QUIC)" goes over TCP instead.
    if (code == QLatin1String("quic-connect"))
        return QCoreApplication::translate(
            "ErrorHint", "To go over TCP when QUIC cannot connect, choose \"HTTP/3 (QUIC)\" "
                         "instead of \"HTTP/3 only\".");
    return {};
}

} // namespace hopscope
