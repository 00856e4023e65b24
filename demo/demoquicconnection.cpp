#include "demoquicconnection.h"

#include "demohttp3session.h"
#include "demoquicserver.h"

#include <QUdpSocket>

#include <gnutls/crypto.h>
#include <nghttp3/nghttp3.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include <netinet/in.h>

#include <chrono>
#include <cstring>

namespace hopscope {

namespace {

constexpr char kPriority[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:%DISABLE_TLS13_COMPAT_MODE";
constexpr size_t kConnectionIdLength = 18;
// Response body bytes after which a mid-stream misbehaviour strikes: the client has the
// headers and part of the body.
constexpr qint64 kMisbehaveAfterBody = 64 * 1024;

ngtcp2_tstamp timestamp()
{
    return ngtcp2_tstamp(std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::steady_clock::now().time_since_epoch())
                             .count());
}

bool randomBytes(uint8_t *data, size_t length)
{
    return gnutls_rnd(GNUTLS_RND_RANDOM, data, length) == 0;
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
        return sizeof(sockaddr_in6);
    }
    auto *a = reinterpret_cast<sockaddr_in *>(out);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(address.toIPv4Address());
    return sizeof(sockaddr_in);
}

QByteArray cidKey(const ngtcp2_cid *cid)
{
    return QByteArray(reinterpret_cast<const char *>(cid->data), qsizetype(cid->datalen));
}

} // namespace

// ngtcp2's callbacks, each forwarding to the connection or its HTTP/3 session.
struct DemoQuicCallbacks
{
    static DemoQuicConnection *self(void *user) { return static_cast<DemoQuicConnection *>(user); }

    static void rand(uint8_t *dest, size_t length, const ngtcp2_rand_ctx *)
    {
        randomBytes(dest, length);
    }
    static int newConnectionId(ngtcp2_conn *, ngtcp2_cid *cid, uint8_t *token, size_t length,
                               void *user)
    {
        if (!randomBytes(cid->data, length) || !randomBytes(token, NGTCP2_STATELESS_RESET_TOKENLEN))
            return NGTCP2_ERR_CALLBACK_FAILURE;
        cid->datalen = length;
        self(user)->m_server->associate(cidKey(cid), self(user));
        return 0;
    }
    static int removeConnectionId(ngtcp2_conn *, const ngtcp2_cid *cid, void *user)
    {
        self(user)->m_server->dissociate(cidKey(cid));
        return 0;
    }
    // HTTP/3 starts with the application keys, before the handshake is confirmed: the
    // client's first request may share a datagram with its Finished.
    static int recvTxKey(ngtcp2_conn *, ngtcp2_crypto_level level, void *user)
    {
        DemoQuicConnection *c = self(user);
        if (level != NGTCP2_CRYPTO_LEVEL_APPLICATION || c->m_http)
            return 0;
        c->m_http = new DemoHttp3Session(c->m_conn, c);
        c->m_http->wantsToWrite = [c] {
            if (!c->m_inRead)
                c->writePackets();
        };
        return c->m_http->start() ? 0 : NGTCP2_ERR_CALLBACK_FAILURE;
    }
    static int recvStreamData(ngtcp2_conn *, uint32_t flags, int64_t id, uint64_t,
                              const uint8_t *data, size_t length, void *user, void *)
    {
        DemoHttp3Session *h = self(user)->m_http;
        if (!h)
            return 0;
        return h->streamData(
                   id, QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(length)),
                   flags & NGTCP2_STREAM_DATA_FLAG_FIN) == 0
                   ? 0
                   : NGTCP2_ERR_CALLBACK_FAILURE;
    }
    static int ackedStreamData(ngtcp2_conn *, int64_t id, uint64_t, uint64_t length, void *user,
                               void *)
    {
        DemoHttp3Session *h = self(user)->m_http;
        return h && h->streamAcked(id, length) != 0 ? NGTCP2_ERR_CALLBACK_FAILURE : 0;
    }
    static int streamClose(ngtcp2_conn *, uint32_t flags, int64_t id, uint64_t appError, void *user,
                           void *)
    {
        DemoHttp3Session *h = self(user)->m_http;
        if (!(flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET))
            appError = NGHTTP3_H3_NO_ERROR;
        return h && h->streamClosed(id, appError) != 0 ? NGTCP2_ERR_CALLBACK_FAILURE : 0;
    }
    static int streamReset(ngtcp2_conn *, int64_t id, uint64_t, uint64_t appError, void *user,
                           void *)
    {
        DemoHttp3Session *h = self(user)->m_http;
        return h && h->streamReset(id, appError) != 0 ? NGTCP2_ERR_CALLBACK_FAILURE : 0;
    }
    static int streamStopSending(ngtcp2_conn *, int64_t id, uint64_t appError, void *user, void *)
    {
        DemoHttp3Session *h = self(user)->m_http;
        return h && h->streamStopSending(id, appError) != 0 ? NGTCP2_ERR_CALLBACK_FAILURE : 0;
    }
    static int extendMaxStreamData(ngtcp2_conn *, int64_t id, uint64_t, void *user, void *)
    {
        DemoHttp3Session *h = self(user)->m_http;
        return h && h->streamWindowOpened(id) != 0 ? NGTCP2_ERR_CALLBACK_FAILURE : 0;
    }
    static int extendMaxRemoteStreamsBidi(ngtcp2_conn *, uint64_t count, void *user)
    {
        if (DemoHttp3Session *h = self(user)->m_http)
            h->setMaxClientStreams(count);
        return 0;
    }
};

DemoQuicConnection::DemoQuicConnection(DemoQuicServer *server, QUdpSocket *socket,
                                       const QHostAddress &peer, quint16 peerPort,
                                       DemoQuicMisbehaviour misbehaviour)
    : QObject(server), m_server(server), m_socket(socket), m_peer(peer), m_peerPort(peerPort),
      m_misbehaviour(misbehaviour)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &DemoQuicConnection::onTimer);
    m_remoteLength = toSockaddr(peer, peerPort, &m_remote);
    m_localLength = toSockaddr(socket->localAddress(), socket->localPort(), &m_local);
}

DemoQuicConnection::~DemoQuicConnection()
{
    delete m_http; // before the ngtcp2 connection it points at
    m_http = nullptr;
    if (m_conn)
        ngtcp2_conn_del(m_conn);
    if (m_tls)
        gnutls_deinit(m_tls);
}

ngtcp2_conn *DemoQuicConnection::connOf(ngtcp2_crypto_conn_ref *ref)
{
    return static_cast<DemoQuicConnection *>(ref->user_data)->m_conn;
}

ngtcp2_path DemoQuicConnection::path()
{
    return ngtcp2_path{{reinterpret_cast<sockaddr *>(&m_local), m_localLength},
                       {reinterpret_cast<sockaddr *>(&m_remote), m_remoteLength},
                       nullptr};
}

bool DemoQuicConnection::accept(const ngtcp2_pkt_hd &header,
                                gnutls_certificate_credentials_t credentials)
{
    ngtcp2_callbacks cb{};
    // ngtcp2's crypto helper does the TLS and packet protection.
    cb.recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
    cb.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
    cb.encrypt = ngtcp2_crypto_encrypt_cb;
    cb.decrypt = ngtcp2_crypto_decrypt_cb;
    cb.hp_mask = ngtcp2_crypto_hp_mask_cb;
    cb.update_key = ngtcp2_crypto_update_key_cb;
    cb.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
    cb.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
    cb.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
    cb.version_negotiation = ngtcp2_crypto_version_negotiation_cb;
    cb.rand = DemoQuicCallbacks::rand;
    cb.get_new_connection_id = DemoQuicCallbacks::newConnectionId;
    cb.remove_connection_id = DemoQuicCallbacks::removeConnectionId;
    cb.recv_tx_key = DemoQuicCallbacks::recvTxKey;
    cb.recv_stream_data = DemoQuicCallbacks::recvStreamData;
    cb.acked_stream_data_offset = DemoQuicCallbacks::ackedStreamData;
    cb.stream_close = DemoQuicCallbacks::streamClose;
    cb.stream_reset = DemoQuicCallbacks::streamReset;
    cb.stream_stop_sending = DemoQuicCallbacks::streamStopSending;
    cb.extend_max_stream_data = DemoQuicCallbacks::extendMaxStreamData;
    cb.extend_max_remote_streams_bidi = DemoQuicCallbacks::extendMaxRemoteStreamsBidi;

    ngtcp2_settings settings;
    ngtcp2_settings_default(&settings);
    settings.initial_ts = timestamp();
    ngtcp2_transport_params params;
    ngtcp2_transport_params_default(&params);
    params.initial_max_streams_bidi = 100;
    params.initial_max_streams_uni = 3;
    params.initial_max_stream_data_bidi_local = 256 * 1024;
    params.initial_max_stream_data_bidi_remote = 256 * 1024;
    params.initial_max_stream_data_uni = 256 * 1024;
    params.initial_max_data = 1024 * 1024;
    params.max_idle_timeout = 30 * NGTCP2_SECONDS;
    params.original_dcid = header.dcid;
    params.stateless_reset_token_present = 1;
    ngtcp2_cid scid;
    scid.datalen = kConnectionIdLength;
    if (!randomBytes(scid.data, scid.datalen) ||
        !randomBytes(params.stateless_reset_token, sizeof(params.stateless_reset_token)))
        return false;
    std::memcpy(m_resetToken, params.stateless_reset_token, sizeof(m_resetToken));

    ngtcp2_path p = path();
    if (ngtcp2_conn_server_new(&m_conn, &header.scid, &scid, &p, header.version, &cb, &settings,
                               &params, nullptr, this) != 0) {
        m_conn = nullptr;
        return false;
    }
    m_server->associate(cidKey(&scid), this);
    m_server->associate(cidKey(&header.dcid), this);
    return setUpTls(credentials);
}

bool DemoQuicConnection::setUpTls(gnutls_certificate_credentials_t credentials)
{
    if (gnutls_init(&m_tls, GNUTLS_SERVER | GNUTLS_NO_AUTO_SEND_TICKET) != 0) {
        m_tls = nullptr;
        return false;
    }
    m_connRef.get_conn = &DemoQuicConnection::connOf;
    m_connRef.user_data = this;
    // ngtcp2's helper reads the session's pointer as its conn_ref.
    gnutls_session_set_ptr(m_tls, &m_connRef);
    static const unsigned char h3[] = "h3";
    const gnutls_datum_t alpn{const_cast<unsigned char *>(h3), 2};
    if (ngtcp2_crypto_gnutls_configure_server_session(m_tls) != 0 ||
        gnutls_priority_set_direct(m_tls, kPriority, nullptr) != 0 ||
        gnutls_credentials_set(m_tls, GNUTLS_CRD_CERTIFICATE, credentials) != 0 ||
        gnutls_alpn_set_protocols(m_tls, &alpn, 1,
                                  GNUTLS_ALPN_MANDATORY | GNUTLS_ALPN_SERVER_PRECEDENCE) != 0)
        return false;
    ngtcp2_conn_set_tls_native_handle(m_conn, m_tls);
    return true;
}

void DemoQuicConnection::receive(const uint8_t *data, size_t length)
{
    if (m_finished)
        return;
    ngtcp2_path p = path();
    ngtcp2_pkt_info info{};
    m_inRead = true;
    const int rv = ngtcp2_conn_read_pkt(m_conn, &p, &info, data, length, timestamp());
    m_inRead = false;
    if (rv == NGTCP2_ERR_DRAINING || rv == NGTCP2_ERR_CLOSING || rv == NGTCP2_ERR_DROP_CONN) {
        finish(); // the client closed (or ngtcp2 gave up on it): nothing to answer
        return;
    }
    if (rv != 0) {
        ngtcp2_connection_close_error error;
        ngtcp2_connection_close_error_default(&error);
        if (rv == NGTCP2_ERR_CRYPTO)
            ngtcp2_connection_close_error_set_transport_error_tls_alert(
                &error, ngtcp2_conn_get_tls_alert(m_conn), nullptr, 0);
        else
            ngtcp2_connection_close_error_set_transport_error_liberr(&error, rv, nullptr, 0);
        closeWith(error);
        return;
    }
    writePackets();
}

void DemoQuicConnection::onTimer()
{
    if (m_finished)
        return;
    if (ngtcp2_conn_handle_expiry(m_conn, timestamp()) != 0) {
        finish(); // idle, or the handshake never finished: gone without a word, as RFC 9000
        return;
    }
    writePackets();
}

void DemoQuicConnection::writePackets()
{
    if (m_finished)
        return;
    const size_t maxPayload = ngtcp2_conn_get_max_tx_udp_payload_size(m_conn);
    QByteArray buffer(qsizetype(maxPayload), Qt::Uninitialized);
    auto *out = reinterpret_cast<uint8_t *>(buffer.data());
    ngtcp2_path_storage ps;
    ngtcp2_path_storage_zero(&ps);
    const ngtcp2_tstamp ts = timestamp();
    for (int guard = 0; guard < 4096 && !m_finished; ++guard) {
        int64_t id = -1;
        int fin = 0;
        ngtcp2_vec vectors[16];
        qint64 count = 0;
        if (m_http && ngtcp2_conn_get_max_data_left(m_conn)) {
            count = m_http->nextToSend(&id, &fin, vectors, std::size(vectors));
            if (count < 0) {
                ngtcp2_connection_close_error error;
                ngtcp2_connection_close_error_set_application_error(
                    &error, nghttp3_err_infer_quic_app_error_code(int(count)), nullptr, 0);
                closeWith(error);
                return;
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
        if (n == NGTCP2_ERR_STREAM_DATA_BLOCKED) {
            m_http->sendBlocked(id);
            continue;
        }
        if (n == NGTCP2_ERR_STREAM_SHUT_WR) {
            m_http->sendShutDown(id);
            continue;
        }
        if (written >= 0 && m_http && m_http->sent(id, size_t(written)) != 0) {
            ngtcp2_connection_close_error error;
            ngtcp2_connection_close_error_set_application_error(&error, NGHTTP3_H3_INTERNAL_ERROR,
                                                                nullptr, 0);
            closeWith(error);
            return;
        }
        if (n == NGTCP2_ERR_WRITE_MORE)
            continue;
        if (n < 0) {
            ngtcp2_connection_close_error error;
            ngtcp2_connection_close_error_set_transport_error_liberr(&error, int(n), nullptr, 0);
            closeWith(error);
            return;
        }
        if (n == 0) {
            ngtcp2_conn_update_pkt_tx_time(m_conn, ts);
            break; // nothing more, or congestion control says wait
        }
        sendDatagram(out, size_t(n));
    }
    misbehaveIfDue();
    armTimer();
}

void DemoQuicConnection::sendDatagram(const uint8_t *data, size_t length)
{
    if (m_misbehaviour == DemoQuicMisbehaviour::StallHandshake) {
        // The hostile peer's stall: the Initial packet (the ServerHello) of the first datagram,
        // without the Handshake packet coalesced after it, then silence.
        if (m_datagramsSent++ > 0)
            return;
        ngtcp2_pkt_hd header;
        const ngtcp2_ssize headerLength = ngtcp2_pkt_decode_hd_long(&header, data, length);
        if (headerLength > 0 && size_t(headerLength) + header.len < length)
            length = size_t(headerLength) + header.len;
    }
    // A datagram the kernel refuses (a full buffer) is lost as on the network: QUIC's loss
    // recovery sends it again.
    m_socket->writeDatagram(reinterpret_cast<const char *>(data), qint64(length), m_peer,
                            m_peerPort);
}

void DemoQuicConnection::misbehaveIfDue()
{
    if (!m_http || m_http->bodyBytesSent() < kMisbehaveAfterBody || m_finished)
        return;
    if (m_misbehaviour == DemoQuicMisbehaviour::CloseMidStream) {
        static const char reason[] = "hostile peer: closing in the middle of a response";
        ngtcp2_connection_close_error error;
        ngtcp2_connection_close_error_set_application_error(
            &error, NGHTTP3_H3_INTERNAL_ERROR, reinterpret_cast<const uint8_t *>(reason),
            sizeof(reason) - 1);
        closeWith(error);
    } else if (m_misbehaviour == DemoQuicMisbehaviour::StatelessResetMidStream) {
        // As a server that lost the connection's state (a restart) answers: a datagram that
        // ends in the reset token, which only the client can recognise (RFC 9000 §10.3).
        uint8_t random[40];
        uint8_t packet[64];
        randomBytes(random, sizeof(random));
        const ngtcp2_ssize n = ngtcp2_pkt_write_stateless_reset(
            packet, sizeof(packet), m_resetToken, random, sizeof(random));
        if (n > 0)
            m_socket->writeDatagram(reinterpret_cast<const char *>(packet), qint64(n), m_peer,
                                    m_peerPort);
        finish();
    }
}

void DemoQuicConnection::armTimer()
{
    if (m_finished)
        return;
    const ngtcp2_tstamp expiry = ngtcp2_conn_get_expiry(m_conn);
    const ngtcp2_tstamp now = timestamp();
    if (expiry == UINT64_MAX) {
        m_timer.stop();
        return;
    }
    const qint64 ms = expiry <= now ? 0 : qint64((expiry - now + 999'999) / 1'000'000);
    m_timer.start(int(qMin<qint64>(ms, 24 * 3600 * 1000)));
}

void DemoQuicConnection::close()
{
    ngtcp2_connection_close_error error;
    ngtcp2_connection_close_error_default(&error);
    if (m_http)
        ngtcp2_connection_close_error_set_application_error(&error, NGHTTP3_H3_NO_ERROR, nullptr,
                                                            0);
    closeWith(error);
}

void DemoQuicConnection::closeWith(const ngtcp2_connection_close_error &error)
{
    if (m_finished)
        return;
    if (m_conn && !ngtcp2_conn_is_in_closing_period(m_conn) &&
        !ngtcp2_conn_is_in_draining_period(m_conn)) {
        uint8_t buffer[1500];
        ngtcp2_path_storage ps;
        ngtcp2_path_storage_zero(&ps);
        ngtcp2_pkt_info info;
        const ngtcp2_ssize n = ngtcp2_conn_write_connection_close(
            m_conn, &ps.path, &info, buffer, sizeof(buffer), &error, timestamp());
        if (n > 0)
            m_socket->writeDatagram(reinterpret_cast<const char *>(buffer), qint64(n), m_peer,
                                    m_peerPort);
    }
    finish();
}

void DemoQuicConnection::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_timer.stop();
    m_server->forget(this);
    emit finished();
    deleteLater();
}

} // namespace hopscope
