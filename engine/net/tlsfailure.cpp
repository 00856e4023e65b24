#include "net/tlsfailure.h"

#include <QDateTime>
#include <QSslCertificate>
#include <QStringList>

#include <algorithm>

namespace hopscope {

namespace {

QString utc(const QDateTime &t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
}

QString subjectName(const QSslCertificate &c)
{
    const QStringList cn = c.subjectInfo(QSslCertificate::CommonName);
    return cn.isEmpty() ? QStringLiteral("(no common name)") : cn.join(QStringLiteral(", "));
}

QString issuerName(const QSslCertificate &c)
{
    const QStringList cn = c.issuerInfo(QSslCertificate::CommonName);
    return cn.isEmpty() ? QStringLiteral("(no common name)") : cn.join(QStringLiteral(", "));
}

// The names a certificate is made out for: its subjectAltName DNS and IP entries, or (without
// any) its common name, as a client that still honours CN would read it. At most a few: a CDN
// certificate can hold hundreds.
QString certificateNames(const QSslCertificate &c)
{
    constexpr int kShown = 5;
    QStringList names;
    const auto alt = c.subjectAlternativeNames();
    for (QSsl::AlternativeNameEntryType type : {QSsl::DnsEntry, QSsl::IpAddressEntry}) {
        QStringList ofType = alt.values(type);
        std::reverse(ofType.begin(), ofType.end()); // QMultiMap: the last inserted comes first
        names << ofType;
    }
    if (names.isEmpty())
        names = c.subjectInfo(QSslCertificate::CommonName);
    if (names.isEmpty())
        return QStringLiteral("no name at all");
    const qsizetype total = names.size();
    if (total > kShown) {
        names.resize(kShown);
        names << QStringLiteral("and %1 more").arg(total - kShown);
    }
    return names.join(QStringLiteral(", "));
}

enum class Reason { Hostname, Expired, NotYetValid, Revoked, Untrusted, Other };

Reason reasonOf(QSslError::SslError e)
{
    switch (e) {
    case QSslError::HostNameMismatch:
        return Reason::Hostname;
    case QSslError::CertificateExpired:
        return Reason::Expired;
    case QSslError::CertificateNotYetValid:
        return Reason::NotYetValid;
    case QSslError::CertificateRevoked:
        return Reason::Revoked;
    case QSslError::SelfSignedCertificate:
    case QSslError::SelfSignedCertificateInChain:
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToGetIssuerCertificate:
    case QSslError::UnableToVerifyFirstCertificate:
    case QSslError::CertificateUntrusted:
    case QSslError::CertificateRejected:
        return Reason::Untrusted;
    default:
        return Reason::Other;
    }
}

// The codes, documented in docs/trace-format.md (scripts/check-error-codes.py finds them here).
constexpr char kHostnameCode[] = "tls-verify:hostname";
constexpr char kExpiredCode[] = "tls-verify:expired";
constexpr char kNotYetValidCode[] = "tls-verify:not-yet-valid";
constexpr char kRevokedCode[] = "tls-verify:revoked";
constexpr char kUntrustedCode[] = "tls-verify:untrusted";
constexpr char kOtherCode[] = "tls-verify:other";

const char *codeOf(Reason r)
{
    switch (r) {
    case Reason::Hostname:
        return kHostnameCode;
    case Reason::Expired:
        return kExpiredCode;
    case Reason::NotYetValid:
        return kNotYetValidCode;
    case Reason::Revoked:
        return kRevokedCode;
    case Reason::Untrusted:
        return kUntrustedCode;
    case Reason::Other:
        break;
    }
    return kOtherCode;
}

QString sentence(Reason r, const QSslError &e, const QString &host)
{
    const QSslCertificate c = e.certificate();
    switch (r) {
    case Reason::Hostname:
        return QStringLiteral("the certificate is made out for %1, not for %2")
            .arg(certificateNames(c), host);
    case Reason::Expired:
        return QStringLiteral("the certificate of %1 expired on %2 (valid from %3)")
            .arg(subjectName(c), utc(c.expiryDate()), utc(c.effectiveDate()));
    case Reason::NotYetValid:
        return QStringLiteral("the certificate of %1 is not valid before %2")
            .arg(subjectName(c), utc(c.effectiveDate()));
    case Reason::Revoked:
        return QStringLiteral("the certificate of %1 was revoked").arg(subjectName(c));
    case Reason::Untrusted:
        if (c.isNull())
            return QStringLiteral("no trusted CA signed the certificate (%1)").arg(e.errorString());
        return c.isSelfSigned()
                   ? QStringLiteral("the certificate of %1 is self-signed and not among the "
                                    "trusted certificates")
                         .arg(subjectName(c))
                   : QStringLiteral("the certificate of %1 was issued by %2, which is not a "
                                    "trusted CA")
                         .arg(subjectName(c), issuerName(c));
    case Reason::Other:
        break;
    }
    return e.errorString();
}

} // namespace

TlsFailure TlsFailure::fromVerifyErrors(const QList<QSslError> &errors, const QString &host,
                                        const QList<QSslCertificate> &trusted)
{
    // Qt reports every complaint, in OpenSSL's order, some of them twice (per certificate in
    // the chain). Say each kind once, the most decisive first; "untrusted" after "expired"
    // because a CA that is trusted does not make an expired certificate good.
    constexpr Reason kOrder[] = {Reason::Hostname, Reason::Expired,   Reason::NotYetValid,
                                 Reason::Revoked,  Reason::Untrusted, Reason::Other};
    TlsFailure out;
    QStringList parts;
    for (Reason wanted : kOrder) {
        for (const QSslError &e : errors) {
            if (reasonOf(e.error()) != wanted)
                continue;
            // OpenSSL calls an expired self-signed certificate "self-signed" even when the CA
            // file holds that very certificate: it is trusted, only expired.
            if (wanted == Reason::Untrusted && !e.certificate().isNull() &&
                trusted.contains(e.certificate()))
                continue;
            const QString text = sentence(wanted, e, host);
            if (parts.contains(text))
                continue;
            if (out.code.isEmpty())
                out.code = codeOf(wanted);
            parts << text;
            if (wanted != Reason::Other)
                break; // one sentence per kind
        }
    }
    if (out.code.isEmpty())
        out.code = kOtherCode;
    out.message = QStringLiteral("TLS certificate verification failed for %1: %2")
                      .arg(host, parts.isEmpty() ? QStringLiteral("no reason given")
                                                 : parts.join(QStringLiteral("; ")));
    return out;
}

TlsFailure TlsFailure::fromHandshakeError(const QString &socketError, const QString &host)
{
    TlsFailure out{"tls", {}};
    // OpenSSL's words for a first reply that is not a TLS record: typically a cleartext server
    // answering the ClientHello with "HTTP/1.1 400 Bad Request".
    if (socketError.contains(QLatin1String("wrong version number")) ||
        socketError.contains(QLatin1String("packet length too long")) ||
        socketError.contains(QLatin1String("record layer failure"))) {
        out.message = QStringLiteral("the server at %1 did not answer in TLS (a cleartext port? "
                                     "then the URL wants http://); OpenSSL said: %2")
                          .arg(host, socketError);
        return out;
    }
    if (socketError.contains(QLatin1String("closed"), Qt::CaseInsensitive) ||
        socketError.contains(QLatin1String("unexpected eof"), Qt::CaseInsensitive)) {
        out.message = QStringLiteral("%1 closed the connection during the TLS handshake (%2)")
                          .arg(host, socketError);
        return out;
    }
    out.message = QStringLiteral("TLS handshake with %1 failed: %2").arg(host, socketError);
    return out;
}

} // namespace hopscope
