#include "tls/tlsverifyerror.h"

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

namespace hopscope {

QSslCertificate toQSslCertificate(X509 *cert)
{
    if (!cert)
        return QSslCertificate();
    unsigned char *der = nullptr;
    const int n = i2d_X509(cert, &der);
    if (n <= 0)
        return QSslCertificate();
    QSslCertificate out(QByteArray(reinterpret_cast<const char *>(der), n), QSsl::Der);
    OPENSSL_free(der);
    return out;
}

QSslError tlsVerifyError(int e, X509 *cert)
{
    QSslError::SslError q = QSslError::UnspecifiedError;
    switch (e) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        q = QSslError::UnableToGetIssuerCertificate;
        break;
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
        q = QSslError::UnableToDecryptCertificateSignature;
        break;
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
        q = QSslError::UnableToDecodeIssuerPublicKey;
        break;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        q = QSslError::CertificateSignatureFailed;
        break;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        q = QSslError::CertificateNotYetValid;
        break;
    case X509_V_ERR_CERT_HAS_EXPIRED:
        q = QSslError::CertificateExpired;
        break;
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
        q = QSslError::InvalidNotBeforeField;
        break;
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
        q = QSslError::InvalidNotAfterField;
        break;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        q = QSslError::SelfSignedCertificate;
        break;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        q = QSslError::SelfSignedCertificateInChain;
        break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        q = QSslError::UnableToGetLocalIssuerCertificate;
        break;
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        q = QSslError::UnableToVerifyFirstCertificate;
        break;
    case X509_V_ERR_CERT_REVOKED:
        q = QSslError::CertificateRevoked;
        break;
    case X509_V_ERR_INVALID_CA:
        q = QSslError::InvalidCaCertificate;
        break;
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        q = QSslError::PathLengthExceeded;
        break;
    case X509_V_ERR_INVALID_PURPOSE:
        q = QSslError::InvalidPurpose;
        break;
    case X509_V_ERR_CERT_UNTRUSTED:
        q = QSslError::CertificateUntrusted;
        break;
    case X509_V_ERR_CERT_REJECTED:
        q = QSslError::CertificateRejected;
        break;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        q = QSslError::HostNameMismatch;
        break;
    default:
        break;
    }
    return QSslError(q, toQSslCertificate(cert));
}

} // namespace hopscope
