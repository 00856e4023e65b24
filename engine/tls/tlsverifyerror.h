#pragma once

#include <QSslError>

typedef struct x509_st X509;

namespace hopscope {

// OpenSSL's verification result (X509_V_ERR_*) for `cert` as the QSslError that TlsFailure words,
// with the certificate it concerns. The same mapping Qt's own OpenSSL backend makes.
QSslError tlsVerifyError(int opensslError, X509 *cert);
// A certificate OpenSSL holds, as Qt's value type (through its DER encoding).
QSslCertificate toQSslCertificate(X509 *cert);

} // namespace hopscope
