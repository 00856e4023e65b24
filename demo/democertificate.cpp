#include "democertificate.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace hopscope {

namespace {

constexpr long kValiditySeconds = 2 * 24 * 3600;
constexpr long kBackdateSeconds = 3600;

template<typename T, void (*Free)(T *)> struct Deleter
{
    void operator()(T *p) const { Free(p); }
};
using PKeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

QString opensslError(const char *step)
{
    const unsigned long code = ERR_get_error();
    char text[256] = {};
    if (code)
        ERR_error_string_n(code, text, sizeof text);
    ERR_clear_error();
    return QStringLiteral("certificate generation failed at %1: %2")
        .arg(QLatin1String(step), code ? QString::fromLatin1(text) : QStringLiteral("unknown"));
}

bool addExtension(X509 *cert, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    // Self-signed: the issuer is the certificate itself (for the authority key identifier).
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

QByteArray bioBytes(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, qsizetype(size));
}

} // namespace

bool DemoCertificate::generate(DemoCertificate *out, QString *error)
{
    auto failed = [error](const char *step) {
        if (error)
            *error = opensslError(step);
        return false;
    };
    PKeyPtr key(EVP_EC_gen("P-256"));
    if (!key)
        return failed("EC key generation");
    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1) // v3, for extensions
        return failed("X509_new");

    BnPtr serial(BN_new());
    if (!serial || BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) {
        return failed("serial number");
    }
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds)) {
        return failed("validity");
    }
    X509_NAME *name = X509_get_subject_name(cert.get());
    const auto text = [](const char *s) { return reinterpret_cast<const unsigned char *>(s); };
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, text("Hopscope demo server"), -1, -1,
                                   0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, text("localhost"), -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert.get(), name) != 1 ||
        X509_set_pubkey(cert.get(), key.get()) != 1) {
        return failed("names");
    }
    // What `openssl req -x509` writes (a CA certificate that is its own trust anchor), plus the
    // names clients verify: localhost and 127.0.0.1.
    if (!addExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
        !addExtension(cert.get(), NID_subject_key_identifier, "hash") ||
        !addExtension(cert.get(), NID_authority_key_identifier, "keyid:always") ||
        !addExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
        !addExtension(cert.get(), NID_ext_key_usage, "serverAuth") ||
        !addExtension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1")) {
        return failed("extensions");
    }
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
        return failed("signing");

    BioPtr certBio(BIO_new(BIO_s_mem()));
    BioPtr keyBio(BIO_new(BIO_s_mem()));
    if (!certBio || !keyBio || PEM_write_bio_X509(certBio.get(), cert.get()) != 1 ||
        PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
            1) {
        return failed("PEM encoding");
    }
    out->certificate = QSslCertificate(bioBytes(certBio.get()), QSsl::Pem);
    out->key = QSslKey(bioBytes(keyBio.get()), QSsl::Ec, QSsl::Pem);
    if (out->certificate.isNull() || out->key.isNull()) {
        if (error) {
            *error = QStringLiteral("Qt's TLS backend did not accept the generated %1")
                         .arg(out->certificate.isNull() ? QStringLiteral("certificate")
                                                        : QStringLiteral("key"));
        }
        return false;
    }
    return true;
}

} // namespace hopscope
