#pragma once

#include <QSslCertificate>
#include <QSslKey>
#include <QString>

namespace hopscope {

// A fresh self-signed certificate for the demo server, made with OpenSSL's libcrypto in
// process (no `openssl` program needed): EC P-256, CN=localhost, SAN DNS:localhost and
// IP:127.0.0.1, valid from an hour ago (clock skew) for two days. It is its own CA, so a client
// trusts exactly this server by passing it as the CA file (curl --cacert).
struct DemoCertificate
{
    QSslCertificate certificate;
    QSslKey key;

    // False with *error when OpenSSL or Qt's TLS backend refuses.
    static bool generate(DemoCertificate *out, QString *error);
};

} // namespace hopscope
