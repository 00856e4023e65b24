#include "quic/quictransport.h"

#include "quic/quicerrortext.h"
#include "trace/tracestore.h"

#include <QNetworkDatagram>
#include <QUdpSocket>

#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include <linux/errqueue.h>
#include <netinet/in.h>

#include <chrono>
#include <cstring>

namespace hopscope {

namespace {

// The largest UDP payload: what one read can bring.
constexpr qsizetype kMaxDatagram = 65527;

ngtcp2_tstamp timestamp()
{
    return ngtcp2_tstamp(std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::steady_clock::now().time_since_epoch())
                             .count());
}

socklen_t toSockaddr(const QHostAddress &address, quint16 port, sockaddr_storage *out)
{
    std::memset(out, 0, sizeof(*out));
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *a = reinterpret_cast<sockaddr_in6 *>(out);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        const Q_IPV6ADDR ip = address.toIPv6Address();
        std::memcpy(&a->sin6_addr, &ip, sizeof(ip));
        a->sin6_scope_id = address.scopeId().toUInt();
        return sizeof(sockaddr_in6);
    }
    auto *a = reinterpret_cast<sockaddr_in *>(out);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(address.toIPv4Address());
    return sizeof(sockaddr_in);
}

// ICMP errors for a UDP socket: with IP_RECVERR the kernel queues them with their ICMP type
// and code. Qt reads a connected UDP socket's ECONNREFUSED itself and drops it, so the queue is
// where "port unreachable" can still be seen. Returns the errno of the first queued error (0:
// none).
void enableErrorQueue(qintptr fd, bool v6)
{
    const int on = 1;
    if (v6)
        ::setsockopt(int(fd), SOL_IPV6, IPV6_RECVERR, &on, sizeof(on));
    else
        ::setsockopt(int(fd), SOL_IP, IP_RECVERR, &on, sizeof(on));
}

int takeQueuedError(qintptr fd)
{
    char data[64];
    char control[512];
    iovec iov{data, sizeof(data)};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    if (::recvmsg(int(fd), &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
        return 0;
    for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
            (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR))
            return int(reinterpret_cast<const sock_extended_err *>(CMSG_DATA(c))->ee_errno);
    }
    return 0;
}

bool randomBytes(uint8_t *data, size_t length)
{
    return gnutls_rnd(GNUTLS_RND_RANDOM, data, length) == 0;
}

} // namespace

// ngtcp2's callbacks, each forwarding to the transport or its stream handler.
struct QuicCallbacks
{
    static QuicTransport *self(void *user) { return static_cast<QuicTransport *>(user); }

    static int handshakeCompleted(ngtcp2_conn *, void *user)
    {
        self(user)->m_handshakeDone = true;
        return 0;
    }
    static int recvStreamData(ngtcp2_conn *, uint32_t flags, int64_t id, uint64_t,
                              const uint8_t *data, size_t length, void *user, void *)
    {
        QuicTransport *t = self(user);
        if (!t->m_handler) {
            // The server's control and QPACK streams start in the packet that completes the
            // handshake, before HTTP/3 is set up: kept until it is. Flow control bounds them
            // (three unidirectional streams of initial_max_stream_data_uni each).
            t->m_early.append({id,
                               QByteArray(reinterpret_cast<const char *>(data), qsizetype(length)),
                               bool(flags & NGTCP2_STREAM_DATA_FLAG_FIN)});
            return 0;
        }
        return t->m_handler->streamData(
            id, QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(length)),
            flags & NGTCP2_STREAM_DATA_FLAG_FIN);
    }
    static int ackedStreamData(ngtcp2_conn *, int64_t id, uint64_t, uint64_t length, void *user,
                               void *)
    {
        QuicTransport *t = self(user);
        return t->m_handler ? t->m_handler->streamAcked(id, length) : 0;
    }
    static int streamClose(ngtcp2_conn *, uint32_t flags, int64_t id, uint64_t appError, void *user,
                           void *)
    {
        QuicTransport *t = self(user);
        if (!(flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET))
            appError = 0x100; // H3_NO_ERROR
        return t->m_handler ? t->m_handler->streamClosed(id, appError) : 0;
    }
    static int streamReset(ngtcp2_conn *, int64_t id, uint64_t, uint64_t appError, void *user,
                           void *)
    {
        QuicTransport *t = self(user);
        return t->m_handler ? t->m_handler->streamReset(id, appError) : 0;
    }
    static int streamStopSending(ngtcp2_conn *, int64_t id, uint64_t appError, void *user, void *)
    {
        QuicTransport *t = self(user);
        return t->m_handler ? t->m_handler->streamStopSending(id, appError) : 0;
    }
    static int extendMaxStreamData(ngtcp2_conn *, int64_t id, uint64_t, void *user, void *)
    {
        QuicTransport *t = self(user);
        return t->m_handler ? t->m_handler->streamWindowOpened(id) : 0;
    }
    static int extendMaxStreamsBidi(ngtcp2_conn *, uint64_t, void *user)
    {
        QuicTransport *t = self(user);
        if (t->m_handler)
            t->m_handler->streamsAvailable();
        return 0;
    }
    static int recvStatelessReset(ngtcp2_conn *, const ngtcp2_pkt_stateless_reset *, void *user)
    {
        self(user)->m_statelessReset = true;
        return 0;
    }
    // qlog's user data is the connection's: the records go to the tap.
    static void qlogWrite(void *user, uint32_t, const void *data, size_t length)
    {
        if (length > 0)
            self(user)->m_qlog.feed(
                QByteArrayView(static_cast<const char *>(data), qsizetype(length)));
    }
    static void rand(uint8_t *dest, size_t length, const ngtcp2_rand_ctx *)
    {
        randomBytes(dest, length);
    }
    static int newConnectionId(ngtcp2_conn *, ngtcp2_cid *cid, uint8_t *token, size_t length,
                               void *)
    {
        if (!randomBytes(cid->data, length) || !randomBytes(token, NGTCP2_STATELESS_RESET_TOKENLEN))
            return NGTCP2_ERR_CALLBACK_FAILURE;
        cid->datalen = length;
        return 0;
    }
};

QuicTransport::QuicTransport(TraceStore *trace, EventScope scope, QObject *parent)
    : QObject(parent), m_trace(trace), m_scope(scope), m_qlog(trace, scope)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &QuicTransport::onTimer);
    ngtcp2_connection_close_error_default(&m_lastError);
}

QuicTransport::~QuicTransport()
{
    if (m_conn)
        ngtcp2_conn_del(m_conn);
}

ngtcp2_conn *QuicTransport::connOf(ngtcp2_crypto_conn_ref *ref)
{
    return static_cast<QuicTransport *>(ref->user_data)->m_conn;
}

void QuicTransport::installCallbacks(ngtcp2_callbacks *cb)
{
    std::memset(cb, 0, sizeof(*cb));
    // ngtcp2's crypto helper does the TLS and packet protection.
    cb->client_initial = ngtcp2_crypto_client_initial_cb;
    cb->recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
    cb->encrypt = ngtcp2_crypto_encrypt_cb;
    cb->decrypt = ngtcp2_crypto_decrypt_cb;
    cb->hp_mask = ngtcp2_crypto_hp_mask_cb;
    cb->recv_retry = ngtcp2_crypto_recv_retry_cb;
    cb->update_key = ngtcp2_crypto_update_key_cb;
    cb->delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
    cb->delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
    cb->get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
    cb->version_negotiation = ngtcp2_crypto_version_negotiation_cb;
    cb->rand = QuicCallbacks::rand;
    cb->get_new_connection_id = QuicCallbacks::newConnectionId;
    cb->handshake_completed = QuicCallbacks::handshakeCompleted;
    cb->recv_stream_data = QuicCallbacks::recvStreamData;
    cb->acked_stream_data_offset = QuicCallbacks::ackedStreamData;
    cb->stream_close = QuicCallbacks::streamClose;
    cb->stream_reset = QuicCallbacks::streamReset;
    cb->stream_stop_sending = QuicCallbacks::streamStopSending;
    cb->extend_max_stream_data = QuicCallbacks::extendMaxStreamData;
    cb->extend_max_local_streams_bidi = QuicCallbacks::extendMaxStreamsBidi;
    cb->recv_stateless_reset = QuicCallbacks::recvStatelessReset;
}

bool QuicTransport::start(const QuicDial &dial, QString *error)
{
    m_socket = new QUdpSocket(this);
    const bool v6 = dial.address.protocol() == QAbstractSocket::IPv6Protocol;
    if (!m_socket->bind(v6 ? QHostAddress::AnyIPv6 : QHostAddress::AnyIPv4, 0)) {
        *error = QStringLiteral("cannot open a UDP socket: %1").arg(m_socket->errorString());
        return false;
    }
    // A connected UDP socket: the kernel filters what other hosts send, and an ICMP "port
    // unreachable" becomes an error we can report instead of silence until the timeout.
    m_socket->connectToHost(dial.address, dial.port);
    if (!m_socket->waitForConnected(0) && m_socket->state() != QAbstractSocket::ConnectedState) {
        *error = QStringLiteral("cannot open a UDP socket to %1 port %2: %3")
                     .arg(dial.address.toString())
                     .arg(dial.port)
                     .arg(m_socket->errorString());
        return false;
    }
    enableErrorQueue(m_socket->socketDescriptor(), v6);
    connect(m_socket, &QUdpSocket::readyRead, this, &QuicTransport::onReadyRead);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, &QuicTransport::onSocketError);
    m_remoteLength = toSockaddr(dial.address, dial.port, &m_remote);
    m_localLength =
        toSockaddr(m_socket->localAddress().isNull() ? dial.address : m_socket->localAddress(),
                   m_socket->localPort(), &m_local);

    m_connRef.get_conn = &QuicTransport::connOf;
    m_connRef.user_data = this;
    if (!m_tls.setUp(dial.tls, &m_connRef, error))
        return false;
    m_tls.onMessage = [this](const TlsMessage &m) {
        if (!m.outgoing)
            m_lastServerMessage = m.name;
        emit tlsMessage(m);
    };

    ngtcp2_cid dcid;
    ngtcp2_cid scid;
    dcid.datalen = NGTCP2_MIN_INITIAL_DCIDLEN;
    scid.datalen = 8;
    if (!randomBytes(dcid.data, dcid.datalen) || !randomBytes(scid.data, scid.datalen)) {
        *error = QStringLiteral("no random numbers for the QUIC connection ids");
        return false;
    }
    ngtcp2_settings settings;
    ngtcp2_settings_default(&settings);
    settings.initial_ts = timestamp();
    settings.qlog.odcid = dcid;
    settings.qlog.write = QuicCallbacks::qlogWrite;
    // The connection's connect timeout bounds the handshake (as for TCP and TLS).
    settings.handshake_timeout = UINT64_MAX;
    ngtcp2_transport_params params;
    ngtcp2_transport_params_default(&params);
    // HTTP/3: the server opens three unidirectional streams (control, QPACK encoder and
    // decoder; no push, which we never allow) and no bidirectional ones.
    params.initial_max_streams_uni = 3;
    params.initial_max_streams_bidi = 0;
    params.initial_max_stream_data_bidi_local = uint64_t(dial.streamWindow);
    params.initial_max_stream_data_uni = 256 * 1024;
    params.initial_max_data = uint64_t(dial.connectionWindow);
    params.max_idle_timeout = uint64_t(dial.idleTimeoutMs) * NGTCP2_MILLISECONDS;
    ngtcp2_path path{{reinterpret_cast<sockaddr *>(&m_local), m_localLength},
                     {reinterpret_cast<sockaddr *>(&m_remote), m_remoteLength},
                     nullptr};
    ngtcp2_callbacks callbacks;
    installCallbacks(&callbacks);
    const int rv = ngtcp2_conn_client_new(&m_conn, &dcid, &scid, &path, NGTCP2_PROTO_VER_V1,
                                          &callbacks, &settings, &params, nullptr, this);
    if (rv != 0) {
        *error = QStringLiteral("cannot create the QUIC connection: %1")
                     .arg(QString::fromLatin1(ngtcp2_strerror(rv)));
        return false;
    }
    ngtcp2_conn_set_tls_native_handle(m_conn, m_tls.session());
    // At its size: resize() would take twice that (Qt rounds a growing array up).
    m_receiveBuffer = QByteArray(kMaxDatagram, Qt::Uninitialized);
    flush();
    return true;
}

void QuicTransport::deliverEarlyStreamData()
{
    const QList<EarlyData> early = std::exchange(m_early, {});
    for (const EarlyData &e : early) {
        if (m_done || !m_handler)
            return;
        if (m_handler->streamData(e.id, e.data, e.fin) != 0) {
            failWithLibError(NGTCP2_ERR_CALLBACK_FAILURE, "reading HTTP/3 data");
            return;
        }
    }
}

quint16 QuicTransport::localPort() const
{
    return m_socket ? m_socket->localPort() : 0;
}

quint32 QuicTransport::negotiatedVersion() const
{
    return m_conn ? ngtcp2_conn_get_negotiated_version(m_conn) : 0;
}

QString QuicTransport::describeStall() const
{
    if (m_datagramsRead == 0)
        return QStringLiteral("nothing came back over UDP to port %1 (a firewall, or no HTTP/3 "
                              "there)")
            .arg(m_socket ? m_socket->peerPort() : 0);
    if (m_qlog.packetsReceived() == 0)
        return QStringLiteral("%1 datagram%2 from the server, none of them a QUIC packet it "
                              "could read (%3 bytes dropped)")
            .arg(m_datagramsRead)
            .arg(m_datagramsRead == 1 ? QString() : QStringLiteral("s"))
            .arg(m_bytesRead);
    if (!m_lastServerMessage.isEmpty())
        return QStringLiteral("it stalled after the server's %1").arg(m_lastServerMessage);
    return QStringLiteral("the server answered, then stalled before any handshake message");
}

void QuicTransport::onReadyRead()
{
    if (m_done)
        return;
    m_inIo = true;
    ngtcp2_path path{{reinterpret_cast<sockaddr *>(&m_local), m_localLength},
                     {reinterpret_cast<sockaddr *>(&m_remote), m_remoteLength},
                     nullptr};
    if (const int error = takeQueuedError(m_socket->socketDescriptor()); error != 0) {
        m_inIo = false;
        reportIcmpError(error);
        return;
    }
    while (!m_done && m_socket->hasPendingDatagrams()) {
        const qint64 n = m_socket->readDatagram(m_receiveBuffer.data(), kMaxDatagram);
        if (n < 0)
            break;
        m_bytesRead += n;
        ++m_datagramsRead;
        ngtcp2_pkt_info info{};
        const bool wasDone = m_handshakeDone;
        const int rv = ngtcp2_conn_read_pkt(
            m_conn, &path, &info, reinterpret_cast<const uint8_t *>(m_receiveBuffer.constData()),
            size_t(n), timestamp());
        if (rv != 0) {
            m_inIo = false;
            failWithLibError(rv, "reading a packet");
            return;
        }
        if (!wasDone && m_handshakeDone)
            emit handshakeCompleted();
    }
    m_inIo = false;
    if (!m_done)
        writePackets();
    afterIo();
}

void QuicTransport::onTimer()
{
    if (m_done)
        return;
    const int rv = ngtcp2_conn_handle_expiry(m_conn, timestamp());
    if (rv != 0) {
        failWithLibError(rv, "a timer");
        return;
    }
    writePackets();
    afterIo();
}

void QuicTransport::afterIo()
{
    if (m_handler && !m_done)
        m_handler->afterIo();
}

void QuicTransport::flush()
{
    if (m_done || m_inIo || !m_conn)
        return;
    writePackets();
}

bool QuicTransport::writePackets()
{
    // One datagram at a time, as large as the path allows; stream data from the handler rides
    // in them until the handler has nothing more or flow/congestion control says stop.
    const size_t maxPayload = ngtcp2_conn_get_max_tx_udp_payload_size(m_conn);
    QByteArray buffer(qsizetype(maxPayload), Qt::Uninitialized);
    auto *out = reinterpret_cast<uint8_t *>(buffer.data());
    ngtcp2_path_storage ps;
    ngtcp2_path_storage_zero(&ps);
    const ngtcp2_tstamp ts = timestamp();
    for (int guard = 0; guard < 4096 && !m_done; ++guard) {
        int64_t id = -1;
        int fin = 0;
        ngtcp2_vec vectors[16];
        qint64 count = 0;
        if (m_handler && m_handshakeDone && ngtcp2_conn_get_max_data_left(m_conn)) {
            count = m_handler->nextToSend(&id, &fin, vectors, std::size(vectors));
            if (count < 0) {
                failWithLibError(NGTCP2_ERR_CALLBACK_FAILURE, "preparing HTTP/3 data");
                return false;
            }
        }
        uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
        if (fin)
            flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
        ngtcp2_ssize written = -1;
        ngtcp2_pkt_info info;
        const ngtcp2_ssize n =
            ngtcp2_conn_writev_stream(m_conn, &ps.path, &info, out, maxPayload, &written, flags, id,
                                      vectors, size_t(count), ts);
        if (n < 0) {
            if (n == NGTCP2_ERR_STREAM_DATA_BLOCKED) {
                m_handler->sendBlocked(id);
                continue;
            }
            if (n == NGTCP2_ERR_STREAM_SHUT_WR) {
                m_handler->sendShutDown(id);
                continue;
            }
            if (n == NGTCP2_ERR_WRITE_MORE) {
                if (m_handler->sent(id, size_t(written)) != 0) {
                    failWithLibError(NGTCP2_ERR_CALLBACK_FAILURE, "sending HTTP/3 data");
                    return false;
                }
                continue;
            }
            failWithLibError(int(n), "writing a packet");
            return false;
        }
        if (written >= 0 && m_handler && m_handler->sent(id, size_t(written)) != 0) {
            failWithLibError(NGTCP2_ERR_CALLBACK_FAILURE, "sending HTTP/3 data");
            return false;
        }
        if (n == 0) {
            ngtcp2_conn_update_pkt_tx_time(m_conn, ts);
            break; // nothing more, or congestion control says wait
        }
        sendDatagram(out, size_t(n));
    }
    armTimer();
    return true;
}

void QuicTransport::sendDatagram(const uint8_t *data, size_t length)
{
    const qint64 n = m_socket->write(reinterpret_cast<const char *>(data), qint64(length));
    // A datagram the kernel refuses (a full buffer) is lost as on the network: QUIC's loss
    // recovery sends it again.
    if (n > 0)
        m_bytesWritten += n;
}

void QuicTransport::armTimer()
{
    const ngtcp2_tstamp expiry = ngtcp2_conn_get_expiry(m_conn);
    const ngtcp2_tstamp now = timestamp();
    if (expiry == UINT64_MAX) {
        m_timer.stop();
        return;
    }
    const qint64 ms = expiry <= now ? 0 : qint64((expiry - now + 999'999) / 1'000'000);
    m_timer.start(int(qMin<qint64>(ms, 24 * 3600 * 1000)));
}

void QuicTransport::onSocketError()
{
    if (m_done)
        return;
    fail(m_handshakeDone ? "quic" : "quic-connect",
         QStringLiteral("QUIC to %1: %2")
             .arg(m_socket->peerAddress().toString(), m_socket->errorString()));
}

void QuicTransport::reportIcmpError(int error)
{
    const QString why = error == ECONNREFUSED
                            ? QStringLiteral("nothing listens on UDP port %1 (ICMP port "
                                             "unreachable)")
                                  .arg(m_socket->peerPort())
                            : QStringLiteral("%1 (an ICMP error)")
                                  .arg(QString::fromLocal8Bit(std::strerror(error)));
    fail(m_handshakeDone ? "quic" : "quic-connect",
         QStringLiteral("QUIC to %1: %2").arg(m_socket->peerAddress().toString(), why));
}

void QuicTransport::failWithLibError(int rv, const char *doing)
{
    if (rv == NGTCP2_ERR_DRAINING || rv == NGTCP2_ERR_CLOSING) {
        reportPeerClose();
        return;
    }
    QByteArray code = m_handshakeDone ? "quic" : "quic-connect";
    QString message;
    if (rv == NGTCP2_ERR_IDLE_CLOSE) {
        code = "quic-idle";
        message = QStringLiteral("the QUIC connection was idle for its whole idle timeout "
                                 "(no packet from the server)");
    } else if (rv == NGTCP2_ERR_RECV_VERSION_NEGOTIATION) {
        message = QStringLiteral("the server does not speak QUIC version 1 (it answered with "
                                 "Version Negotiation)");
    } else if (rv == NGTCP2_ERR_CRYPTO) {
        const uint8_t alert = ngtcp2_conn_get_tls_alert(m_conn);
        ngtcp2_connection_close_error_set_transport_error_tls_alert(&m_lastError, alert, nullptr,
                                                                    0);
        message = QStringLiteral("the QUIC handshake failed: TLS alert %1 (%2)")
                      .arg(alert)
                      .arg(QString::fromLatin1(
                          gnutls_alert_get_strname(gnutls_alert_description_t(alert))));
    } else {
        ngtcp2_connection_close_error_set_transport_error_liberr(&m_lastError, rv, nullptr, 0);
        message = QStringLiteral("QUIC error while %1: %2")
                      .arg(QLatin1StringView(doing), QString::fromLatin1(ngtcp2_strerror(rv)));
    }
    if (rv != NGTCP2_ERR_IDLE_CLOSE && rv != NGTCP2_ERR_DROP_CONN) {
        const QByteArray reason = message.toUtf8().left(64);
        m_lastError.reason = reinterpret_cast<uint8_t *>(const_cast<char *>(reason.constData()));
        m_lastError.reasonlen = size_t(reason.size());
        uint8_t buffer[1500];
        ngtcp2_path_storage ps;
        ngtcp2_path_storage_zero(&ps);
        ngtcp2_pkt_info info;
        const ngtcp2_ssize n = ngtcp2_conn_write_connection_close(
            m_conn, &ps.path, &info, buffer, sizeof(buffer), &m_lastError, timestamp());
        if (n > 0)
            sendDatagram(buffer, size_t(n));
        m_lastError.reason = nullptr;
        m_lastError.reasonlen = 0;
        m_trace->record(EventType::QuicClose, m_scope, Direction::Out)
            .text(Field::Code, QuicErrorText::transportErrorName(m_lastError.error_code))
            .integer(Field::Error, qint64(m_lastError.error_code))
            .text(Field::Reason, message);
    }
    fail(code, message);
}

void QuicTransport::reportPeerClose()
{
    if (m_statelessReset) {
        m_trace->record(EventType::QuicClose, m_scope, Direction::In)
            .atom(Field::Kind, "stateless_reset");
        fail(m_handshakeDone ? "quic" : "quic-connect",
             QStringLiteral("the server reset the QUIC connection (stateless reset: it no "
                            "longer knows this connection)"));
        return;
    }
    ngtcp2_connection_close_error peer;
    ngtcp2_conn_get_connection_close_error(m_conn, &peer);
    const bool application = peer.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION;
    const QString name = application ? QuicErrorText::applicationErrorName(peer.error_code)
                                     : QuicErrorText::transportErrorName(peer.error_code);
    const QString reason =
        QString::fromUtf8(reinterpret_cast<const char *>(peer.reason), qsizetype(peer.reasonlen))
            .left(256);
    m_trace->record(EventType::QuicClose, m_scope, Direction::In)
        .atom(Field::Kind, application ? "application" : "transport")
        .text(Field::Code, name)
        .integer(Field::Error, qint64(peer.error_code))
        .text(Field::Reason, reason);
    const bool polite = peer.error_code == (application ? 0x100 : 0);
    QString message =
        QStringLiteral("the server closed the QUIC connection (%1%2)")
            .arg(name, reason.isEmpty() ? QString() : QStringLiteral(": \"%1\"").arg(reason));
    fail(polite ? QByteArray("quic-closed") : QByteArray(m_handshakeDone ? "quic" : "quic-connect"),
         message);
}

void QuicTransport::fail(const QByteArray &code, const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    m_timer.stop();
    if (m_socket)
        m_socket->disconnect(this);
    emit failed(code, message);
}

void QuicTransport::closeWithApplicationError(uint64_t code, const QByteArray &reason)
{
    if (m_done || !m_conn)
        return;
    m_done = true;
    m_timer.stop();
    if (ngtcp2_conn_is_in_closing_period(m_conn) || ngtcp2_conn_is_in_draining_period(m_conn))
        return;
    ngtcp2_connection_close_error error;
    ngtcp2_connection_close_error_default(&error);
    const QByteArray r = reason.left(64);
    if (m_handshakeDone)
        ngtcp2_connection_close_error_set_application_error(
            &error, code, reinterpret_cast<const uint8_t *>(r.constData()), size_t(r.size()));
    else
        ngtcp2_connection_close_error_set_transport_error(
            &error, 0 /* NO_ERROR */, reinterpret_cast<const uint8_t *>(r.constData()),
            size_t(r.size()));
    uint8_t buffer[1500];
    ngtcp2_path_storage ps;
    ngtcp2_path_storage_zero(&ps);
    ngtcp2_pkt_info info;
    const ngtcp2_ssize n = ngtcp2_conn_write_connection_close(m_conn, &ps.path, &info, buffer,
                                                              sizeof(buffer), &error, timestamp());
    if (n > 0)
        sendDatagram(buffer, size_t(n));
    m_trace->record(EventType::QuicClose, m_scope, Direction::Out)
        .atom(Field::Kind, m_handshakeDone ? "application" : "transport")
        .text(Field::Code, m_handshakeDone ? QuicErrorText::applicationErrorName(code)
                                           : QuicErrorText::transportErrorName(0))
        .integer(Field::Error, qint64(m_handshakeDone ? code : 0))
        .text(Field::Reason, QString::fromUtf8(r));
    if (m_socket)
        m_socket->disconnect(this);
}

} // namespace hopscope
