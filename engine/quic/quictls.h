#pragma once

#include "tls/tlsmessage.h"

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QSslError>
#include <QString>

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include <functional>

namespace hopscope {

// What a QUIC connection's TLS is asked to do (RFC 9001: TLS 1.3 only, inside QUIC's CRYPTO
// frames; the QUIC transport parameters ride a TLS extension that ngtcp2's crypto helper adds).
struct QuicTlsSettings
{
    QString serverName;     // SNI and the name verified
    QList<QByteArray> alpn; // "h3"
    QString caFile;         // empty: the system's trust store
    bool insecure = false;  // skip verification (-k)
    QString keyLogPath;     // NSS key-log file, empty: none
};

// The TLS half of a QUIC client connection, done by GnuTLS (the crypto backend Debian builds
// ngtcp2's helper for; the TCP side uses OpenSSL, engine/tls). It owns the GnuTLS session and
// its credentials, reports each handshake message as a TlsMessage (GnuTLS's handshake hook: the
// QUIC CRYPTO stream carries no record layer, so the hook is the only place to see them), writes
// key-log lines, and after the handshake answers what the `tls` event records and what
// verification found, as QSslErrors so that TlsFailure words them as for TCP.
class QuicTls
{
public:
    QuicTls() = default;
    ~QuicTls();
    QuicTls(const QuicTls &) = delete;
    QuicTls &operator=(const QuicTls &) = delete;

    // Creates the session for `connRef` (ngtcp2 finds its connection through the session's
    // pointer). false with *error when the trust store or a setting cannot be used.
    bool setUp(const QuicTlsSettings &settings, ngtcp2_crypto_conn_ref *connRef, QString *error);
    gnutls_session_t session() const { return m_session; }

    // Called for each handshake message, in order, sent and received.
    std::function<void(const TlsMessage &)> onMessage;
    // The key-log file could not be written (said once).
    bool keyLogFailed() const { return m_keyLogFailed; }

    // After the handshake.
    QByteArray negotiatedAlpn() const;
    QString protocolName() const; // "TLSv1.3"
    QString cipherName() const;   // "TLS_AES_128_GCM_SHA256"
    QString groupName() const;    // "X25519"
    QList<QSslCertificate> peerChain() const;
    // What is wrong with the server's certificate for serverName (empty: trusted); nothing is
    // checked with `insecure`.
    QList<QSslError> verify() const;

private:
    static int handshakeHook(gnutls_session_t session, unsigned int type, unsigned when,
                             unsigned int incoming, const gnutls_datum_t *message);
    static int keyLogHook(gnutls_session_t session, const char *label,
                          const gnutls_datum_t *secret);

    gnutls_certificate_credentials_t m_credentials = nullptr;
    gnutls_session_t m_session = nullptr;
    QuicTlsSettings m_settings;
    bool m_keyLogFailed = false;
};

} // namespace hopscope
