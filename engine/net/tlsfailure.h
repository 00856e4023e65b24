#pragma once

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QSslError>
#include <QString>

namespace hopscope {

// What went wrong in a TLS handshake, in words that name the cause, and the error code that says
// which kind it was. Qt's own strings mislead for the cases people hit most: an expired
// certificate that --cacert names still reads "self-signed, and untrusted" (Qt lists every
// complaint OpenSSL had), a name mismatch does not say which names the certificate holds, and a
// cleartext server on the port gives OpenSSL's "wrong version number".
//
// Codes (docs/trace-format.md): the most decisive reason first, because trusting a CA does not
// help a certificate that is expired or made out for another host:
//   tls-verify:hostname       the certificate is not made out for the host we asked for
//   tls-verify:expired        its validity ended
//   tls-verify:not-yet-valid  its validity has not begun
//   tls-verify:revoked        revoked
//   tls-verify:untrusted      no trusted CA signed it (self-signed, unknown issuer)
//   tls-verify:other          any other verification error (Qt's words)
// and `tls` for a handshake that failed before any certificate could be judged.
struct TlsFailure
{
    QByteArray code;
    QString message;

    // Verification errors Qt reported for the certificate `host` presented; `trusted` are the
    // CA certificates the connection trusted (a self-signed certificate among them is not
    // "untrusted", whatever else is wrong with it).
    static TlsFailure fromVerifyErrors(const QList<QSslError> &errors, const QString &host,
                                       const QList<QSslCertificate> &trusted);
    // A handshake that failed without a verification verdict; `socketError` is Qt's text.
    static TlsFailure fromHandshakeError(const QString &socketError, const QString &host);
};

} // namespace hopscope
