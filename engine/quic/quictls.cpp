#include "quic/quictls.h"

#include "tls/keylogfile.h"

#include <QFile>
#include <QHostAddress>

#include <gnutls/x509.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

namespace hopscope {

namespace {

// QUIC is TLS 1.3 only; the groups and ciphers are GnuTLS's defaults for it (ngtcp2's examples
// use the same). The middlebox compatibility mode has no place in QUIC (RFC 9001 §8.4).
constexpr char kPriority[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:%DISABLE_TLS13_COMPAT_MODE";

// The session's pointer is this: ngtcp2's helper reads its first member (the conn_ref it needs
// to find the connection), our hooks the rest.
struct SessionRef
{
    ngtcp2_crypto_conn_ref connRef;
    QuicTls *tls;
};

QuicTls *tlsOf(gnutls_session_t session)
{
    return static_cast<SessionRef *>(gnutls_session_get_ptr(session))->tls;
}

QString gnutlsError(int rv)
{
    return QString::fromLatin1(gnutls_strerror(rv));
}

} // namespace

QuicTls::~QuicTls()
{
    if (m_session) {
        delete static_cast<SessionRef *>(gnutls_session_get_ptr(m_session));
        gnutls_deinit(m_session);
    }
    if (m_credentials)
        gnutls_certificate_free_credentials(m_credentials);
}

bool QuicTls::setUp(const QuicTlsSettings &settings, ngtcp2_crypto_conn_ref *connRef,
                    QString *error)
{
    m_settings = settings;
    int rv = gnutls_certificate_allocate_credentials(&m_credentials);
    if (rv == 0) {
        if (settings.caFile.isEmpty()) {
            rv = gnutls_certificate_set_x509_system_trust(m_credentials);
        } else {
            rv = gnutls_certificate_set_x509_trust_file(
                m_credentials, QFile::encodeName(settings.caFile).constData(), GNUTLS_X509_FMT_PEM);
            if (rv == 0) {
                *error = QStringLiteral("the CA file %1 holds no certificate").arg(settings.caFile);
                return false;
            }
        }
    }
    if (rv < 0) {
        *error = settings.caFile.isEmpty()
                     ? QStringLiteral("cannot load the system's trusted certificates: %1")
                           .arg(gnutlsError(rv))
                     : QStringLiteral("cannot read the CA file %1: %2")
                           .arg(settings.caFile, gnutlsError(rv));
        return false;
    }
    rv = gnutls_init(&m_session,
                     GNUTLS_CLIENT | GNUTLS_ENABLE_EARLY_DATA | GNUTLS_NO_END_OF_EARLY_DATA);
    if (rv == 0 && ngtcp2_crypto_gnutls_configure_client_session(m_session) != 0)
        rv = GNUTLS_E_INTERNAL_ERROR;
    if (rv == 0)
        rv = gnutls_priority_set_direct(m_session, kPriority, nullptr);
    if (rv == 0)
        rv = gnutls_credentials_set(m_session, GNUTLS_CRD_CERTIFICATE, m_credentials);
    if (rv != 0) {
        *error = QStringLiteral("cannot set up TLS for QUIC: %1").arg(gnutlsError(rv));
        return false;
    }
    gnutls_session_set_ptr(m_session, new SessionRef{*connRef, this});
    gnutls_handshake_set_hook_function(m_session, GNUTLS_HANDSHAKE_ANY, GNUTLS_HOOK_POST,
                                       &QuicTls::handshakeHook);
    if (!settings.keyLogPath.isEmpty())
        gnutls_session_set_keylog_function(m_session, &QuicTls::keyLogHook);

    QList<gnutls_datum_t> protocols;
    for (const QByteArray &p : settings.alpn)
        protocols.append({reinterpret_cast<unsigned char *>(const_cast<char *>(p.constData())),
                          unsigned(p.size())});
    gnutls_alpn_set_protocols(m_session, protocols.constData(), unsigned(protocols.size()),
                              GNUTLS_ALPN_MANDATORY);
    // SNI carries names only (RFC 6066 §3); an IP literal is verified without it.
    QHostAddress literal;
    const QByteArray name = settings.serverName.toUtf8();
    if (!literal.setAddress(settings.serverName))
        gnutls_server_name_set(m_session, GNUTLS_NAME_DNS, name.constData(), size_t(name.size()));
    return true;
}

int QuicTls::handshakeHook(gnutls_session_t session, unsigned int type, unsigned when,
                           unsigned int incoming, const gnutls_datum_t *message)
{
    Q_UNUSED(when);
    QuicTls *self = tlsOf(session);
    // GnuTLS reports ChangeCipherSpec as a handshake type of its own (1024); QUIC has none.
    if (!self->onMessage || type > 255)
        return 0;
    TlsMessage m;
    m.kind = TlsMessage::Kind::Handshake;
    m.outgoing = !incoming;
    m.type = int(type);
    // The hook's datum is the body; the 4-byte handshake header counts, as in the TCP trace.
    m.size = qint64(message ? message->size : 0) + 4;
    m.name = tlsHandshakeTypeName(int(type));
    self->onMessage(m);
    return 0;
}

int QuicTls::keyLogHook(gnutls_session_t session, const char *label, const gnutls_datum_t *secret)
{
    QuicTls *self = tlsOf(session);
    gnutls_datum_t clientRandom{};
    gnutls_datum_t serverRandom{};
    gnutls_session_get_random(session, &clientRandom, &serverRandom);
    const QByteArray line =
        QByteArray(label) + ' ' +
        QByteArray(reinterpret_cast<const char *>(clientRandom.data), int(clientRandom.size))
            .toHex() +
        ' ' + QByteArray(reinterpret_cast<const char *>(secret->data), int(secret->size)).toHex();
    if (!KeyLogFile::append(self->m_settings.keyLogPath, line.constData()))
        self->m_keyLogFailed = true;
    return 0;
}

QByteArray QuicTls::negotiatedAlpn() const
{
    gnutls_datum_t p{};
    if (gnutls_alpn_get_selected_protocol(m_session, &p) != 0)
        return {};
    return QByteArray(reinterpret_cast<const char *>(p.data), int(p.size));
}

QString QuicTls::protocolName() const
{
    return gnutls_protocol_get_version(m_session) == GNUTLS_TLS1_3 ? QStringLiteral("TLSv1.3")
                                                                   : QStringLiteral("unknown");
}

QString QuicTls::cipherName() const
{
    // The IANA name, as OpenSSL reports TLS 1.3 suites on the TCP side.
    const gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(m_session);
    switch (cipher) {
    case GNUTLS_CIPHER_AES_128_GCM:
        return QStringLiteral("TLS_AES_128_GCM_SHA256");
    case GNUTLS_CIPHER_AES_256_GCM:
        return QStringLiteral("TLS_AES_256_GCM_SHA384");
    case GNUTLS_CIPHER_CHACHA20_POLY1305:
        return QStringLiteral("TLS_CHACHA20_POLY1305_SHA256");
    case GNUTLS_CIPHER_AES_128_CCM:
        return QStringLiteral("TLS_AES_128_CCM_SHA256");
    default:
        return QString::fromLatin1(gnutls_cipher_get_name(cipher));
    }
}

QString QuicTls::groupName() const
{
    const char *name = gnutls_group_get_name(gnutls_group_get(m_session));
    return name ? QString::fromLatin1(name) : QString();
}

QList<QSslCertificate> QuicTls::peerChain() const
{
    unsigned int count = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(m_session, &count);
    QList<QSslCertificate> chain;
    for (unsigned int i = 0; certs && i < count; ++i)
        chain.append(QSslCertificate(
            QByteArray(reinterpret_cast<const char *>(certs[i].data), int(certs[i].size)),
            QSsl::Der));
    return chain;
}

QList<QSslError> QuicTls::verify() const
{
    if (m_settings.insecure)
        return {};
    unsigned int status = 0;
    const QByteArray host = m_settings.serverName.toUtf8();
    const QList<QSslCertificate> chain = peerChain();
    const QSslCertificate leaf = chain.value(0);
    if (gnutls_certificate_verify_peers3(m_session, host.constData(), &status) != 0 ||
        chain.isEmpty())
        return {QSslError(QSslError::NoPeerCertificate)};
    QList<QSslError> errors;
    const auto add = [&](unsigned int bit, QSslError::SslError error) {
        if (status & bit)
            errors.append(QSslError(error, leaf));
    };
    if (status & GNUTLS_CERT_SIGNER_NOT_FOUND) {
        const bool selfSigned = chain.size() == 1 && leaf.isSelfSigned();
        errors.append(QSslError(selfSigned ? QSslError::SelfSignedCertificate
                                           : QSslError::UnableToGetLocalIssuerCertificate,
                                leaf));
    }
    add(GNUTLS_CERT_SIGNER_NOT_CA, QSslError::InvalidCaCertificate);
    add(GNUTLS_CERT_EXPIRED, QSslError::CertificateExpired);
    add(GNUTLS_CERT_NOT_ACTIVATED, QSslError::CertificateNotYetValid);
    add(GNUTLS_CERT_UNEXPECTED_OWNER, QSslError::HostNameMismatch);
    add(GNUTLS_CERT_REVOKED, QSslError::CertificateRevoked);
    add(GNUTLS_CERT_SIGNATURE_FAILURE, QSslError::CertificateSignatureFailed);
    add(GNUTLS_CERT_INSECURE_ALGORITHM, QSslError::CertificateRejected);
    if (errors.isEmpty() && (status & GNUTLS_CERT_INVALID))
        errors.append(QSslError(QSslError::UnspecifiedError, leaf));
    return errors;
}

} // namespace hopscope
