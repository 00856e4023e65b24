#include "tls/tlssocket.h"

#include "tls/keylogfile.h"
#include "tls/tlsverifyerror.h"

#include <QHostAddress>
#include <QPointer>
#include <QTcpSocket>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstring>

namespace hopscope {

namespace {

// Ciphertext moves from the TCP socket into OpenSSL this much at a time, and no more waits in
// OpenSSL's input than that: the rest stays in the socket's buffer, which Connection caps.
constexpr qint64 kFeedChunk = 64 * 1024;
// Plaintext decrypted ahead of the reader when the socket's readBufferSize() does not say.
constexpr qint64 kDefaultPlainCap = 256 * 1024;

TlsSocket *owner(const SSL *ssl)
{
    return static_cast<TlsSocket *>(SSL_get_app_data(ssl));
}

} // namespace

TlsSocket::TlsSocket(QObject *parent) : QAbstractSocket(QAbstractSocket::TcpSocket, parent)
{
    // Unbuffered: reads come straight from the decrypted buffer, so bytesAvailable() is exact.
    QIODevice::open(QIODevice::ReadWrite | QIODevice::Unbuffered);
    setSocketState(ConnectedState);
}

TlsSocket::~TlsSocket()
{
    if (m_tcp)
        m_tcp->disconnect(this);
    SSL_free(m_ssl);
    // QAbstractSocket's destructor would abort() through an engine of its own, which we have
    // none of: the TCP socket below is a child and goes with us.
    setSocketState(UnconnectedState);
}

bool TlsSocket::startClient(QTcpSocket *tcp, const TlsClientSettings &s, QString *error)
{
    Q_ASSERT(m_phase == Phase::Idle);
    m_ctx = makeClientContext(s, error);
    if (!m_ctx)
        return false;
    m_ssl = SSL_new(m_ctx.get());
    if (!m_ssl) {
        *error = takeOpenSslError(QStringLiteral("OpenSSL could not start a connection"));
        return false;
    }
    SSL_set_app_data(m_ssl, this);
    m_rbio = BIO_new(BIO_s_mem());
    m_wbio = BIO_new(BIO_s_mem());
    SSL_set_bio(m_ssl, m_rbio, m_wbio);
    SSL_set_connect_state(m_ssl);
    // Verification runs with a callback that notes every complaint and lets the handshake go
    // on, as Qt's backend did: the whole chain is then known, and TlsFailure names the most
    // decisive reason. Connection fails the connection after the handshake unless --insecure.
    SSL_set_verify(m_ssl, SSL_VERIFY_PEER, &TlsSocket::onVerify);
    m_insecure = s.insecure;
    const QByteArray name = s.serverName.toUtf8();
    if (QHostAddress(s.serverName).isNull()) {
        SSL_set_tlsext_host_name(m_ssl, name.constData());
        SSL_set1_host(m_ssl, name.constData());
    } else {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(m_ssl), name.constData());
    }
    SSL_set_msg_callback(m_ssl, &TlsSocket::onMessage);
    // Ask for a stapled OCSP response, as browsers do: the trace reports what came, and only
    // --cert-status makes its absence or its verdict fail the connection (Connection decides).
    SSL_set_tlsext_status_type(m_ssl, TLSEXT_STATUSTYPE_ocsp);
    m_keyLogPath = s.keyLogPath;
    if (!m_keyLogPath.isEmpty())
        SSL_CTX_set_keylog_callback(m_ctx.get(), &TlsSocket::onKeyLog);

    tcp->setParent(this);
    m_tcp = tcp;
    connect(tcp, &QIODevice::readyRead, this, &TlsSocket::pump);
    connect(tcp, &QIODevice::bytesWritten, this, &TlsSocket::bytesWritten);
    connect(tcp, &QAbstractSocket::errorOccurred, this, &TlsSocket::onTransportError);
    connect(tcp, &QAbstractSocket::disconnected, this, &TlsSocket::onTransportDisconnected);
    setLocalAddress(tcp->localAddress());
    setLocalPort(tcp->localPort());
    setPeerAddress(tcp->peerAddress());
    setPeerPort(tcp->peerPort());
    setPeerName(s.serverName);
    m_phase = Phase::Handshaking;
    advanceHandshake(); // the ClientHello
    return true;
}

QByteArray TlsSocket::negotiatedAlpn() const
{
    const unsigned char *p = nullptr;
    unsigned int n = 0;
    if (m_ssl)
        SSL_get0_alpn_selected(m_ssl, &p, &n);
    return n ? QByteArray(reinterpret_cast<const char *>(p), int(n)) : QByteArray();
}

QString TlsSocket::protocolName() const
{
    return m_ssl ? QString::fromLatin1(SSL_get_version(m_ssl)) : QString();
}

QString TlsSocket::cipherName() const
{
    return m_ssl ? QString::fromLatin1(SSL_get_cipher_name(m_ssl)) : QString();
}

QString TlsSocket::groupName() const
{
    if (!m_ssl)
        return {};
    const int group = SSL_get_negotiated_group(m_ssl);
    if (group <= 0)
        return {};
    const char *name = SSL_group_to_name(m_ssl, group);
    return name ? QString::fromLatin1(name) : QString();
}

QList<QSslCertificate> TlsSocket::peerChain() const
{
    QList<QSslCertificate> chain;
    // On a client, the chain as sent starts with the server's own certificate.
    STACK_OF(X509) *sent = m_ssl ? SSL_get_peer_cert_chain(m_ssl) : nullptr;
    for (int i = 0; sent && i < sk_X509_num(sent); ++i)
        chain << toQSslCertificate(sk_X509_value(sent, i));
    return chain;
}

QSslCertificate TlsSocket::clientCertificateSent() const
{
    if (!m_ssl || !m_certificateRequested)
        return QSslCertificate();
    return toQSslCertificate(SSL_get_certificate(m_ssl));
}

qint64 TlsSocket::plainCap() const
{
    const qint64 cap = readBufferSize();
    return cap > 0 ? cap : kDefaultPlainCap;
}

qint64 TlsSocket::bytesAvailable() const
{
    return plainPending();
}

qint64 TlsSocket::bytesToWrite() const
{
    return m_early.size() + (m_tcp ? m_tcp->bytesToWrite() : 0);
}

bool TlsSocket::canReadLine() const
{
    return plainPending() > 0 &&
           std::memchr(m_plain.constData() + m_plainBegin, '\n', size_t(plainPending()));
}

qint64 TlsSocket::readData(char *data, qint64 maxSize)
{
    const qint64 n = qMin(maxSize, plainPending());
    if (n <= 0)
        return state() == ConnectedState ? 0 : -1;
    std::memcpy(data, m_plain.constData() + m_plainBegin, size_t(n));
    m_plainBegin += n;
    if (m_plainBegin == m_plainEnd)
        m_plainBegin = m_plainEnd = 0;
    // The reader made room: what waits in OpenSSL or the socket may come through now.
    if (m_phase == Phase::Open && (BIO_ctrl_pending(m_rbio) > 0 || SSL_pending(m_ssl) > 0 ||
                                   (m_tcp && m_tcp->bytesAvailable() > 0)))
        schedulePump();
    return n;
}

qint64 TlsSocket::readLineData(char *data, qint64 maxSize)
{
    const char *begin = m_plain.constData() + m_plainBegin;
    const void *eol =
        plainPending() > 0 ? std::memchr(begin, '\n', size_t(plainPending())) : nullptr;
    const qint64 want = eol ? static_cast<const char *>(eol) - begin + 1 : plainPending();
    return readData(data, qMin(want, maxSize));
}

qint64 TlsSocket::writeData(const char *data, qint64 size)
{
    if (m_phase == Phase::Handshaking) {
        m_early.append(data, size);
        return size;
    }
    if (m_phase != Phase::Open || state() != ConnectedState)
        return -1;
    qint64 done = 0;
    while (done < size) {
        // A memory BIO takes everything: SSL_write only fails on a broken connection.
        const int chunk = int(qMin<qint64>(size - done, 1 << 30));
        const int n = SSL_write(m_ssl, data + done, chunk);
        if (n <= 0) {
            failWith(SslInternalError, takeOpenSslError(QStringLiteral("TLS write failed")));
            return done > 0 ? done : -1;
        }
        done += n;
    }
    flushCiphertext();
    return size;
}

void TlsSocket::schedulePump()
{
    if (m_pumpQueued)
        return;
    m_pumpQueued = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_pumpQueued = false;
            pump();
        },
        Qt::QueuedConnection);
}

bool TlsSocket::feedFromTransport()
{
    if (!m_tcp || BIO_ctrl_pending(m_rbio) >= size_t(kFeedChunk))
        return false;
    if (m_feed.size() < kFeedChunk)
        m_feed = QByteArray(kFeedChunk, Qt::Uninitialized); // resize() would take twice that
    const qint64 n = m_tcp->read(m_feed.data(), kFeedChunk);
    if (n <= 0)
        return false;
    m_wireIn += n;
    BIO_write(m_rbio, m_feed.constData(), int(n));
    return true;
}

void TlsSocket::flushCiphertext()
{
    char *p = nullptr;
    const long n = BIO_get_mem_data(m_wbio, &p);
    if (n <= 0 || !m_tcp)
        return;
    if (m_tcp->state() == ConnectedState)
        m_tcp->write(p, n);
    m_wireOut += n;
    (void)BIO_reset(m_wbio);
}

// One step of the handshake with what OpenSSL has; true when it finished (encrypted() went out).
bool TlsSocket::advanceHandshake()
{
    ERR_clear_error();
    const int r = SSL_do_handshake(m_ssl);
    flushCiphertext();
    if (r == 1) {
        m_phase = Phase::Open;
        const QPointer<TlsSocket> guard(this);
        emit encrypted();
        if (!guard || m_phase != Phase::Open)
            return true;
        if (!m_early.isEmpty())
            writeData(m_early.constData(), std::exchange(m_early, {}).size());
        return true;
    }
    const int why = SSL_get_error(m_ssl, r);
    if (why == SSL_ERROR_WANT_READ || why == SSL_ERROR_WANT_WRITE)
        return false;
    failWith(SslHandshakeFailedError,
             takeOpenSslError(QStringLiteral("the TLS handshake failed (OpenSSL gave no reason)")));
    return false;
}

// Decrypts what OpenSSL holds into the plaintext buffer, up to the cap. True if any came out.
bool TlsSocket::decryptAvailable()
{
    bool any = false;
    const qint64 cap = plainCap();
    while (m_phase == Phase::Open && plainPending() < cap) {
        if (m_plainBegin > 0 && m_plainEnd == m_plain.size()) {
            // Move what is unread to the front rather than grow.
            std::memmove(m_plain.data(), m_plain.constData() + m_plainBegin,
                         size_t(plainPending()));
            m_plainEnd -= m_plainBegin;
            m_plainBegin = 0;
        }
        const qint64 room = qMax<qint64>(16 * 1024 + 256, cap - plainPending());
        if (m_plain.size() < m_plainEnd + room)
            m_plain.resize(m_plainEnd + room);
        ERR_clear_error();
        const int n = SSL_read(m_ssl, m_plain.data() + m_plainEnd, int(room));
        flushCiphertext(); // a KeyUpdate answer or an alert
        if (n > 0) {
            m_plainEnd += n;
            any = true;
            continue;
        }
        const int why = SSL_get_error(m_ssl, n);
        if (why == SSL_ERROR_WANT_READ || why == SSL_ERROR_WANT_WRITE)
            break;
        if (why == SSL_ERROR_ZERO_RETURN) {
            // close_notify: the server ends the TLS session; the TCP close that follows
            // (onTransportDisconnected) ends the socket.
            break;
        }
        const QString openssl = takeOpenSslError(QStringLiteral("a TLS record could not be read"));
        // A fatal alert from the server says it in its own words; OpenSSL's ("tlsv13 alert
        // certificate required") only repeats them.
        failWith(SslInternalError,
                 m_fatalAlertIn.isEmpty()
                     ? openssl
                     : QStringLiteral("the server ended TLS with the fatal alert \"%1\"")
                           .arg(m_fatalAlertIn));
        break;
    }
    return any;
}

void TlsSocket::pump()
{
    if (m_pumping || !m_ssl)
        return;
    const QPointer<TlsSocket> guard(this);
    m_pumping = true;
    bool gotPlain = false;
    while (m_phase == Phase::Handshaking || m_phase == Phase::Open) {
        const bool fed = feedFromTransport();
        if (m_phase == Phase::Handshaking) {
            m_pumping = false;
            const bool done = advanceHandshake();
            if (!guard)
                return;
            m_pumping = true;
            if (!done && !fed)
                break;
            continue;
        }
        const bool decrypted = decryptAvailable();
        gotPlain = gotPlain || decrypted;
        if (plainPending() >= plainCap() || (!fed && !decrypted))
            break;
    }
    m_pumping = false;
    if (gotPlain && plainPending() > 0)
        emit readyRead();
}

void TlsSocket::failWith(SocketError error, const QString &message)
{
    if (m_phase == Phase::Closed)
        return;
    m_phase = Phase::Closed;
    setSocketError(error);
    setErrorString(message);
    const QPointer<TlsSocket> guard(this);
    emit errorOccurred(error);
    if (!guard)
        return;
    if (m_tcp) {
        // Not heard any more: its disconnected() would overwrite the reason with "closed".
        m_tcp->disconnect(this);
        m_tcp->abort();
    }
    goUnconnected();
}

void TlsSocket::onTransportError(SocketError error)
{
    if (error == RemoteHostClosedError)
        return; // disconnected() follows; the last bytes are read there
    if (m_phase == Phase::Closed)
        return;
    pump();
    setSocketError(error);
    setErrorString(m_tcp->errorString());
    emit errorOccurred(error);
}

void TlsSocket::onTransportDisconnected()
{
    const QPointer<TlsSocket> guard(this);
    pump(); // what came with the close is still the server's
    if (!guard || state() == UnconnectedState)
        return;
    if (state() == ClosingState || m_phase == Phase::Closed) {
        goUnconnected(); // our own disconnectFromHost(), or a failure already reported
        return;
    }
    if (m_phase == Phase::Handshaking) {
        failWith(RemoteHostClosedError,
                 QStringLiteral("the server closed the connection (unexpected eof during the "
                                "TLS handshake)"));
        return;
    }
    m_phase = Phase::Closed;
    setSocketError(RemoteHostClosedError);
    setErrorString(QStringLiteral("The remote host closed the connection"));
    emit errorOccurred(RemoteHostClosedError);
    if (guard)
        goUnconnected();
}

void TlsSocket::goUnconnected()
{
    if (state() == UnconnectedState)
        return;
    setSocketState(ClosingState);
    emit stateChanged(ClosingState);
    setSocketState(UnconnectedState);
    emit stateChanged(UnconnectedState);
    emit disconnected();
}

void TlsSocket::close()
{
    m_phase = Phase::Closed;
    m_plainBegin = m_plainEnd = 0;
    m_early.clear();
    if (m_tcp) {
        m_tcp->disconnect(this);
        m_tcp->abort();
    }
    goUnconnected();
    QIODevice::close();
}

void TlsSocket::disconnectFromHost()
{
    if (m_phase == Phase::Open && m_ssl) {
        SSL_shutdown(m_ssl); // close_notify
        flushCiphertext();
    }
    m_phase = Phase::Closed;
    if (m_tcp && m_tcp->state() == ConnectedState) {
        setSocketState(ClosingState);
        emit stateChanged(ClosingState);
        m_tcp->disconnectFromHost(); // disconnected() follows when the bytes are out
        return;
    }
    goUnconnected();
}

void TlsSocket::onMessage(int writeP, int, int contentType, const void *buf, size_t len, SSL *ssl,
                          void *)
{
    TlsMessage m;
    if (!TlsMessage::fromCallback(writeP, contentType, buf, len, &m))
        return;
    TlsSocket *self = owner(ssl);
    if (!self)
        return;
    if (m.kind == TlsMessage::Kind::Handshake && !m.outgoing && m.type == 13)
        self->m_certificateRequested = true; // CertificateRequest
    if (m.kind == TlsMessage::Kind::Alert && !m.outgoing && m.alertLevel == 2)
        self->m_fatalAlertIn = m.name;
    emit self->tlsMessage(m);
}

void TlsSocket::onKeyLog(const SSL *ssl, const char *line)
{
    TlsSocket *self = owner(ssl);
    if (!self || self->m_keyLogFailed)
        return;
    if (!KeyLogFile::append(self->m_keyLogPath, line)) {
        self->m_keyLogFailed = true;
        emit self->keyLogFailed(self->m_keyLogPath);
    }
}

int TlsSocket::onVerify(int ok, X509_STORE_CTX *store)
{
    if (ok)
        return 1;
    auto *ssl =
        static_cast<SSL *>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    TlsSocket *self = ssl ? owner(ssl) : nullptr;
    if (self) {
        // Bounded: OpenSSL's chain depth limit (100) bounds the calls, and each kind is kept
        // once per certificate.
        const QSslError e =
            tlsVerifyError(X509_STORE_CTX_get_error(store), X509_STORE_CTX_get_current_cert(store));
        if (!self->m_verifyErrors.contains(e))
            self->m_verifyErrors << e;
    }
    return 1;
}

} // namespace hopscope
