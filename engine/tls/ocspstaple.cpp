#include "tls/ocspstaple.h"

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace hopscope {

namespace {

// thisUpdate/nextUpdate may be this far off our clock (curl and OpenSSL's s_client use 5 min).
constexpr long kClockLeewaySeconds = 300;

struct OcspResponseFree
{
    void operator()(OCSP_RESPONSE *r) const { OCSP_RESPONSE_free(r); }
};
struct OcspBasicFree
{
    void operator()(OCSP_BASICRESP *b) const { OCSP_BASICRESP_free(b); }
};
struct OcspCertIdFree
{
    void operator()(OCSP_CERTID *id) const { OCSP_CERTID_free(id); }
};

QDateTime toDateTime(const ASN1_GENERALIZEDTIME *t)
{
    struct tm tm = {};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return {};
    return QDateTime(QDate(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday),
                     QTime(tm.tm_hour, tm.tm_min, tm.tm_sec), Qt::UTC);
}

QString openSslReason()
{
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    const char *reason = e ? ERR_reason_error_string(e) : nullptr;
    return reason ? QString::fromLatin1(reason) : QStringLiteral("no reason given");
}

OcspStaple invalid(const QString &why)
{
    OcspStaple s;
    s.status = OcspStaple::Status::Invalid;
    s.detail = why;
    return s;
}

// The certificate that issued `leaf`: from the chain verification built, else the one sent.
X509 *issuerOf(SSL *ssl, X509 *leaf)
{
    for (STACK_OF(X509) * chain : {SSL_get0_verified_chain(ssl), SSL_get_peer_cert_chain(ssl)}) {
        for (int i = 0; chain && i < sk_X509_num(chain); ++i) {
            X509 *candidate = sk_X509_value(chain, i);
            if (candidate != leaf && X509_check_issued(candidate, leaf) == X509_V_OK)
                return candidate;
        }
    }
    return nullptr;
}

QString reasonName(int reason)
{
    if (reason < 0)
        return {};
    return QString::fromLatin1(OCSP_crl_reason_str(reason));
}

} // namespace

const char *OcspStaple::statusName(Status status)
{
    switch (status) {
    case Status::None:
        return "none";
    case Status::Good:
        return "good";
    case Status::Revoked:
        return "revoked";
    case Status::Unknown:
        return "unknown";
    case Status::Invalid:
        return "invalid";
    }
    return "none";
}

OcspStaple readOcspStaple(SSL *ssl)
{
    OcspStaple none;
    none.detail = QStringLiteral("the server stapled no OCSP response");
    const unsigned char *der = nullptr;
    const long length = ssl ? SSL_get_tlsext_status_ocsp_resp(ssl, &der) : 0;
    if (!der || length <= 0)
        return none;

    ERR_clear_error();
    std::unique_ptr<OCSP_RESPONSE, OcspResponseFree> response(
        d2i_OCSP_RESPONSE(nullptr, &der, length));
    if (!response)
        return invalid(
            QStringLiteral("the stapled OCSP response cannot be parsed (%1)").arg(openSslReason()));
    const int responseStatus = OCSP_response_status(response.get());
    if (responseStatus != OCSP_RESPONSE_STATUS_SUCCESSFUL)
        return invalid(QStringLiteral("the stapled OCSP response has error status: %1")
                           .arg(QString::fromLatin1(OCSP_response_status_str(responseStatus))));
    std::unique_ptr<OCSP_BASICRESP, OcspBasicFree> basic(OCSP_response_get1_basic(response.get()));
    if (!basic)
        return invalid(QStringLiteral("the stapled OCSP response has no basic response"));

    X509 *leaf = SSL_get0_peer_certificate(ssl);
    X509 *issuer = leaf ? issuerOf(ssl, leaf) : nullptr;
    if (!issuer)
        return invalid(QStringLiteral("the stapled OCSP response cannot be matched: the "
                                      "certificate's issuer is not in the chain"));

    // The signer must chain to what this connection trusts; the sent chain helps find it.
    STACK_OF(X509) *sent = SSL_get_peer_cert_chain(ssl);
    X509_STORE *trust = SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl));
    if (OCSP_basic_verify(basic.get(), sent, trust, 0) <= 0)
        return invalid(QStringLiteral("the stapled OCSP response's signature does not verify "
                                      "(%1)")
                           .arg(openSslReason()));

    std::unique_ptr<OCSP_CERTID, OcspCertIdFree> id(OCSP_cert_to_id(nullptr, leaf, issuer));
    int certStatus = -1;
    int reason = -1;
    ASN1_GENERALIZEDTIME *revokedAt = nullptr;
    ASN1_GENERALIZEDTIME *thisUpdate = nullptr;
    ASN1_GENERALIZEDTIME *nextUpdate = nullptr;
    if (!id || OCSP_resp_find_status(basic.get(), id.get(), &certStatus, &reason, &revokedAt,
                                     &thisUpdate, &nextUpdate) != 1)
        return invalid(QStringLiteral("the stapled OCSP response is not about the server's "
                                      "certificate"));

    OcspStaple s;
    s.thisUpdate = toDateTime(thisUpdate);
    s.nextUpdate = toDateTime(nextUpdate);
    if (OCSP_check_validity(thisUpdate, nextUpdate, kClockLeewaySeconds, -1) != 1) {
        ERR_clear_error();
        OcspStaple stale = invalid(
            QStringLiteral("the stapled OCSP response is outside its validity (this update %1, "
                           "next update %2)")
                .arg(s.thisUpdate.toString(Qt::ISODate), s.nextUpdate.isValid()
                                                             ? s.nextUpdate.toString(Qt::ISODate)
                                                             : QStringLiteral("none")));
        stale.thisUpdate = s.thisUpdate;
        stale.nextUpdate = s.nextUpdate;
        return stale;
    }
    switch (certStatus) {
    case V_OCSP_CERTSTATUS_GOOD:
        s.status = OcspStaple::Status::Good;
        s.detail = QStringLiteral("the responder says the certificate is good");
        break;
    case V_OCSP_CERTSTATUS_REVOKED:
        s.status = OcspStaple::Status::Revoked;
        s.revokedAt = toDateTime(revokedAt);
        s.revocationReason = reasonName(reason);
        s.detail = QStringLiteral("the certificate was revoked on %1%2")
                       .arg(s.revokedAt.toString(Qt::ISODate),
                            s.revocationReason.isEmpty()
                                ? QString()
                                : QStringLiteral(" (reason: %1)").arg(s.revocationReason));
        break;
    default:
        s.status = OcspStaple::Status::Unknown;
        s.detail = QStringLiteral("the responder does not know the certificate");
        break;
    }
    return s;
}

} // namespace hopscope
