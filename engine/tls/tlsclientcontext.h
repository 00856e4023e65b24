#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>

typedef struct ssl_ctx_st SSL_CTX;

namespace hopscope {

// What a client handshake is configured with: TlsOptions of the request, resolved for one
// connection (the name it verifies and sends as SNI, the key-log file in effect).
struct TlsClientSettings
{
    QString serverName;     // verified against the certificate; SNI unless an IP address
    QList<QByteArray> alpn; // offered in this order
    QString caFile;         // replaces the system CAs when set
    bool insecure = false;  // verify anyway (the trace shows what was wrong) but never fail
    QString certFile;       // client certificate: PEM (with its chain) or PKCS#12
    QString certPassword;   // for an encrypted key or a PKCS#12 file
    QString keyFile;        // PEM private key, when not in certFile
    QString keyLogPath;     // NSS key-log lines go here when set
};

struct SslCtxFree
{
    void operator()(SSL_CTX *ctx) const;
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// Builds the OpenSSL context for one client connection: the trust store, the verification
// callback's mode, the client certificate, and ALPN. A context per connection keeps every
// connection's settings its own (they are cheap: the system CAs load lazily from the hashed
// directory). Returns null with `error` set when a file named in the settings cannot be used.
SslCtxPtr makeClientContext(const TlsClientSettings &settings, QString *error);

// The first OpenSSL error in the thread's queue, as its reason text ("wrong version number"),
// with the queue cleared; `fallback` when the queue is empty.
QString takeOpenSslError(const QString &fallback);

} // namespace hopscope
