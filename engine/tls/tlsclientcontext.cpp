#include "tls/tlsclientcontext.h"

#include <QFile>

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace hopscope {

void SslCtxFree::operator()(SSL_CTX *ctx) const
{
    SSL_CTX_free(ctx);
}

QString takeOpenSslError(const QString &fallback)
{
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0)
        return fallback;
    const char *reason = ERR_reason_error_string(e);
    if (reason)
        return QString::fromLatin1(reason);
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return QString::fromLatin1(buf);
}

namespace {

int passwordFromUserdata(char *buf, int size, int, void *userdata)
{
    const QByteArray &password = *static_cast<const QByteArray *>(userdata);
    const int n = int(qMin<qsizetype>(password.size(), size));
    memcpy(buf, password.constData(), size_t(n));
    return n;
}

// A PKCS#12 bundle: the certificate, its key and any chain, unlocked with the password.
bool usePkcs12(SSL_CTX *ctx, const QByteArray &der, const QByteArray &password, QString *error)
{
    const auto *p = reinterpret_cast<const unsigned char *>(der.constData());
    PKCS12 *p12 = d2i_PKCS12(nullptr, &p, long(der.size()));
    if (!p12) {
        *error = QStringLiteral("neither PEM nor PKCS#12 (%1)")
                     .arg(takeOpenSslError(QStringLiteral("unreadable")));
        return false;
    }
    EVP_PKEY *key = nullptr;
    X509 *cert = nullptr;
    STACK_OF(X509) *chain = nullptr;
    const bool parsed = PKCS12_parse(p12, password.constData(), &key, &cert, &chain) == 1;
    PKCS12_free(p12);
    bool ok = parsed && cert && key;
    if (!parsed)
        *error = QStringLiteral("PKCS#12 could not be opened (%1; wrong password?)")
                     .arg(takeOpenSslError(QStringLiteral("no reason given")));
    else if (!ok)
        *error = QStringLiteral("the PKCS#12 file holds no certificate with its key");
    if (ok && (SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1)) {
        *error = takeOpenSslError(QStringLiteral("the certificate or key was refused"));
        ok = false;
    }
    for (int i = 0; ok && chain && i < sk_X509_num(chain); ++i) {
        X509 *link = sk_X509_value(chain, i);
        if (SSL_CTX_add1_chain_cert(ctx, link) != 1)
            ok = false;
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    sk_X509_pop_free(chain, X509_free);
    return ok;
}

bool useClientCertificate(SSL_CTX *ctx, const TlsClientSettings &s, QString *error)
{
    QFile file(s.certFile);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("--cert %1: %2").arg(s.certFile, file.errorString());
        return false;
    }
    // A file we only peek into to tell PEM from PKCS#12 (DER); bounded like any file we read.
    constexpr qint64 kMaxCertFile = 1 << 20;
    const QByteArray content = file.read(kMaxCertFile);
    QByteArray password = s.certPassword.toUtf8();
    QString why;
    if (!content.contains("-----BEGIN")) {
        if (!usePkcs12(ctx, content, password, &why)) {
            *error = QStringLiteral("--cert %1: %2").arg(s.certFile, why);
            return false;
        }
        return true;
    }
    const QByteArray certPath = QFile::encodeName(s.certFile);
    const QByteArray keyPath = QFile::encodeName(s.keyFile.isEmpty() ? s.certFile : s.keyFile);
    SSL_CTX_set_default_passwd_cb(ctx, passwordFromUserdata);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, &password);
    bool ok = true;
    if (SSL_CTX_use_certificate_chain_file(ctx, certPath.constData()) != 1) {
        *error = QStringLiteral("--cert %1: no certificate could be read (%2)")
                     .arg(s.certFile, takeOpenSslError(QStringLiteral("no reason given")));
        ok = false;
    } else if (SSL_CTX_use_PrivateKey_file(ctx, keyPath.constData(), SSL_FILETYPE_PEM) != 1 ||
               SSL_CTX_check_private_key(ctx) != 1) {
        const QString keyArg = s.keyFile.isEmpty() ? QStringLiteral("--cert %1").arg(s.certFile)
                                                   : QStringLiteral("--key %1").arg(s.keyFile);
        const QString why = takeOpenSslError(QStringLiteral("wrong password?"));
        // OpenSSL checks that the key fits the certificate loaded before it.
        *error = why.contains(QLatin1String("mismatch"))
                     ? QStringLiteral("%1: the key does not belong to the certificate in %2")
                           .arg(keyArg, s.certFile)
                     : QStringLiteral("%1: no private key could be read (%2)").arg(keyArg, why);
        ok = false;
    }
    // The password was only needed while loading: do not leave a pointer to our stack behind.
    SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
    SSL_CTX_set_default_passwd_cb(ctx, nullptr);
    return ok;
}

QByteArray alpnWire(const QList<QByteArray> &protocols)
{
    QByteArray wire;
    for (const QByteArray &p : protocols) {
        if (p.isEmpty() || p.size() > 255)
            continue; // not expressible in ALPN; the option parsers refuse them earlier
        wire.append(char(p.size()));
        wire.append(p);
    }
    return wire;
}

} // namespace

SslCtxPtr makeClientContext(const TlsClientSettings &s, QString *error)
{
    ERR_clear_error();
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) {
        *error = takeOpenSslError(QStringLiteral("OpenSSL could not make a TLS context"));
        return {};
    }
    // TLS 1.2 and 1.3, as Qt's SecureProtocols and curl's default.
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_AUTO_RETRY);
    if (!s.caFile.isEmpty()) {
        const QByteArray ca = QFile::encodeName(s.caFile);
        if (SSL_CTX_load_verify_locations(ctx.get(), ca.constData(), nullptr) != 1) {
            *error = QStringLiteral("--cacert %1: no CA certificate could be read (%2)")
                         .arg(s.caFile, takeOpenSslError(QStringLiteral("no reason given")));
            return {};
        }
    } else {
        SSL_CTX_set_default_verify_paths(ctx.get());
    }
    if (!s.certFile.isEmpty() && !useClientCertificate(ctx.get(), s, error))
        return {};
    const QByteArray alpn = alpnWire(s.alpn);
    if (!alpn.isEmpty() && SSL_CTX_set_alpn_protos(
                               ctx.get(), reinterpret_cast<const unsigned char *>(alpn.constData()),
                               unsigned(alpn.size())) != 0) {
        *error = takeOpenSslError(QStringLiteral("the ALPN list was refused"));
        return {};
    }
    ERR_clear_error();
    return ctx;
}

} // namespace hopscope
