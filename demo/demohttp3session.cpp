#include "demohttp3session.h"

#include "demobody.h"
#include "demoroutes.h"

#include <QTimer>

#include <nghttp3/nghttp3.h>

#include <deque>
#include <vector>

namespace hopscope {

namespace {

// As the HTTP/2 side: a request's header section beyond this is answered with 431.
constexpr qint64 kMaxHeaderListBytes = 64 * 1024;
// Response body bytes handed to nghttp3 and not yet acknowledged, per stream: beyond this the
// stream waits for acknowledgements before reading more from its body.
constexpr qint64 kMaxUnackedBody = 1024 * 1024;
constexpr qint64 kBodyPiece = 64 * 1024;

nghttp3_nv makeNv(const QByteArray &name, const QByteArray &value)
{
    // nghttp3 copies names and values on submit.
    return nghttp3_nv{reinterpret_cast<uint8_t *>(const_cast<char *>(name.constData())),
                      reinterpret_cast<uint8_t *>(const_cast<char *>(value.constData())),
                      size_t(name.size()), size_t(value.size()), NGHTTP3_NV_FLAG_NONE};
}

QByteArrayView view(nghttp3_rcbuf *buf)
{
    const nghttp3_vec v = nghttp3_rcbuf_get_buf(buf);
    return QByteArrayView(reinterpret_cast<const char *>(v.base), qsizetype(v.len));
}

} // namespace

struct DemoHttp3Session::Stream
{
    int64_t id = -1;
    DemoRequest request;
    qint64 headerBytes = 0;
    bool headersTooLarge = false;
    bool answered = false;
    bool waiting = false; // the body reader returned NGHTTP3_ERR_WOULDBLOCK
    DemoBodyPtr body;
    std::deque<QByteArray> unacked; // body pieces nghttp3 may still send again
    qint64 unackedBytes = 0;
    qint64 ackedInFirst = 0;
};

// nghttp3's callbacks, each forwarding to the session.
struct DemoH3Callbacks
{
    static DemoHttp3Session *self(void *user) { return static_cast<DemoHttp3Session *>(user); }

    static int ackedStreamData(nghttp3_conn *, int64_t id, uint64_t length, void *user, void *)
    {
        DemoHttp3Session *s = self(user);
        DemoHttp3Session::Stream *st = s->stream(id);
        if (!st)
            return 0;
        qint64 left = qint64(length);
        while (left > 0 && !st->unacked.empty()) {
            const qint64 inFirst = st->unacked.front().size() - st->ackedInFirst;
            const qint64 take = qMin(left, inFirst);
            st->ackedInFirst += take;
            st->unackedBytes -= take;
            left -= take;
            if (st->ackedInFirst == st->unacked.front().size()) {
                st->unacked.pop_front();
                st->ackedInFirst = 0;
            }
        }
        if (st->waiting && st->body && st->unackedBytes < kMaxUnackedBody) {
            st->waiting = false;
            nghttp3_conn_resume_stream(s->m_h3, id);
        }
        return 0;
    }
    static int streamClose(nghttp3_conn *, int64_t id, uint64_t, void *user, void *)
    {
        DemoHttp3Session *s = self(user);
        s->m_streams.erase(id);
        // A finished request stream makes room for the next (MAX_STREAMS).
        if (ngtcp2_is_bidi_stream(id))
            ngtcp2_conn_extend_max_streams_bidi(s->m_conn, 1);
        return 0;
    }
    static int recvData(nghttp3_conn *, int64_t id, const uint8_t *, size_t length, void *user,
                        void *)
    {
        DemoHttp3Session *s = self(user);
        if (DemoHttp3Session::Stream *st = s->stream(id))
            st->request.bodyBytes += qint64(length);
        s->consumed(id, length); // the body is counted and dropped
        return 0;
    }
    static int deferredConsume(nghttp3_conn *, int64_t id, size_t length, void *user, void *)
    {
        self(user)->consumed(id, length);
        return 0;
    }
    static int beginHeaders(nghttp3_conn *, int64_t id, void *user, void *)
    {
        DemoHttp3Session *s = self(user);
        if (s->m_streams.count(id))
            return 0;
        auto st = std::make_unique<DemoHttp3Session::Stream>();
        st->id = id;
        st->request.version = "HTTP/3";
        st->request.tls = true;
        s->m_streams[id] = std::move(st);
        return 0;
    }
    static int recvHeader(nghttp3_conn *, int64_t id, int32_t, nghttp3_rcbuf *name,
                          nghttp3_rcbuf *value, uint8_t, void *user, void *)
    {
        DemoHttp3Session *s = self(user);
        if (DemoHttp3Session::Stream *st = s->stream(id))
            s->onHeader(st, view(name), view(value));
        return 0;
    }
    static int endStream(nghttp3_conn *, int64_t id, void *user, void *)
    {
        DemoHttp3Session *s = self(user);
        if (DemoHttp3Session::Stream *st = s->stream(id))
            s->requestComplete(st);
        return 0;
    }
    static int stopSending(nghttp3_conn *, int64_t id, uint64_t appError, void *user, void *)
    {
        ngtcp2_conn_shutdown_stream_read(self(user)->m_conn, id, appError);
        return 0;
    }
    static int resetStream(nghttp3_conn *, int64_t id, uint64_t appError, void *user, void *)
    {
        ngtcp2_conn_shutdown_stream_write(self(user)->m_conn, id, appError);
        return 0;
    }
    static nghttp3_ssize readData(nghttp3_conn *, int64_t id, nghttp3_vec *vec, size_t count,
                                  uint32_t *flags, void *user, void *)
    {
        DemoHttp3Session *s = self(user);
        DemoHttp3Session::Stream *st = s->stream(id);
        if (!st || !st->body) {
            *flags |= NGHTTP3_DATA_FLAG_EOF;
            return 0;
        }
        return nghttp3_ssize(s->readBody(st, reinterpret_cast<ngtcp2_vec *>(vec), count, flags));
    }
};

DemoHttp3Session::DemoHttp3Session(ngtcp2_conn *conn, QObject *parent)
    : QObject(parent), m_conn(conn)
{
}

DemoHttp3Session::~DemoHttp3Session()
{
    m_streams.clear();
    if (m_h3)
        nghttp3_conn_del(m_h3);
}

bool DemoHttp3Session::start()
{
    nghttp3_callbacks cb{};
    cb.acked_stream_data = DemoH3Callbacks::ackedStreamData;
    cb.stream_close = DemoH3Callbacks::streamClose;
    cb.recv_data = DemoH3Callbacks::recvData;
    cb.deferred_consume = DemoH3Callbacks::deferredConsume;
    cb.begin_headers = DemoH3Callbacks::beginHeaders;
    cb.recv_header = DemoH3Callbacks::recvHeader;
    cb.end_stream = DemoH3Callbacks::endStream;
    cb.stop_sending = DemoH3Callbacks::stopSending;
    cb.reset_stream = DemoH3Callbacks::resetStream;
    nghttp3_settings settings;
    nghttp3_settings_default(&settings);
    settings.max_field_section_size = 2 * kMaxHeaderListBytes;
    settings.qpack_max_dtable_capacity = 4096;
    settings.qpack_blocked_streams = 100;
    if (nghttp3_conn_server_new(&m_h3, &cb, &settings, nghttp3_mem_default(), this) != 0)
        return false;
    const ngtcp2_transport_params *params = ngtcp2_conn_get_local_transport_params(m_conn);
    nghttp3_conn_set_max_client_streams_bidi(m_h3, params->initial_max_streams_bidi);
    int64_t control = -1;
    int64_t encoder = -1;
    int64_t decoder = -1;
    return ngtcp2_conn_open_uni_stream(m_conn, &control, nullptr) == 0 &&
           nghttp3_conn_bind_control_stream(m_h3, control) == 0 &&
           ngtcp2_conn_open_uni_stream(m_conn, &encoder, nullptr) == 0 &&
           ngtcp2_conn_open_uni_stream(m_conn, &decoder, nullptr) == 0 &&
           nghttp3_conn_bind_qpack_streams(m_h3, encoder, decoder) == 0;
}

void DemoHttp3Session::setMaxClientStreams(uint64_t count)
{
    if (m_h3)
        nghttp3_conn_set_max_client_streams_bidi(m_h3, count);
}

DemoHttp3Session::Stream *DemoHttp3Session::stream(int64_t id)
{
    const auto it = m_streams.find(id);
    return it == m_streams.end() ? nullptr : it->second.get();
}

void DemoHttp3Session::consumed(int64_t id, size_t bytes)
{
    ngtcp2_conn_extend_max_stream_offset(m_conn, id, bytes);
    ngtcp2_conn_extend_max_offset(m_conn, bytes);
}

void DemoHttp3Session::onHeader(Stream *st, QByteArrayView name, QByteArrayView value)
{
    if (st->headersTooLarge)
        return;
    // RFC 9114 §4.2.2 counts 32 bytes of overhead per field, as HTTP/2 does.
    st->headerBytes += name.size() + value.size() + 32;
    if (st->headerBytes > kMaxHeaderListBytes) {
        st->headersTooLarge = true; // answered with 431 once the request is complete
        return;
    }
    DemoRequest &r = st->request;
    r.headers.append(HttpHeader{name.toByteArray(), value.toByteArray()});
    if (name == ":method") {
        r.method = value.toByteArray();
    } else if (name == ":path") {
        r.target = value.toByteArray();
        const qsizetype q = r.target.indexOf('?');
        r.path = q < 0 ? r.target : r.target.left(q);
    } else if (name == ":authority") {
        r.authority = value.toByteArray();
    }
}

void DemoHttp3Session::requestComplete(Stream *st)
{
    if (st->answered)
        return;
    st->answered = true;
    if (st->headersTooLarge) {
        respond(st->id,
                DemoRoutes::error(431, "request header list larger than " +
                                           QByteArray::number(kMaxHeaderListBytes) + " bytes"));
        return;
    }
    DemoResponse response = DemoRoutes::respond(st->request);
    if (response.delayMs > 0) {
        // The stream id, not the Stream, is kept: a reset stream is gone when the timer fires.
        const int64_t id = st->id;
        auto held = std::make_shared<DemoResponse>(std::move(response));
        QTimer::singleShot(held->delayMs, Qt::PreciseTimer, this, [this, id, held] {
            respond(id, std::move(*held));
            if (wantsToWrite)
                wantsToWrite();
        });
        return;
    }
    respond(st->id, std::move(response));
}

void DemoHttp3Session::respond(int64_t id, DemoResponse response)
{
    Stream *st = stream(id);
    if (!st)
        return;
    const bool noContent = DemoRoutes::forbidsBody(response.status) || !response.body;
    // Owns the bytes the nghttp3_nv entries point at until submit.
    const HeaderList fields = DemoRoutes::multiplexedFields(response);
    std::vector<nghttp3_nv> nva;
    nva.reserve(size_t(fields.size()));
    for (const HttpHeader &f : fields)
        nva.push_back(makeNv(f.name, f.value));

    nghttp3_data_reader reader{DemoH3Callbacks::readData};
    const bool withBody = !noContent && !st->request.isHead();
    if (withBody) {
        st->body.reset(response.body.release());
        st->body->setParent(this);
        connect(st->body.get(), &DemoBody::ready, this, [this, id] { onBodyReady(id); });
        st->body->start();
    }
    if (nghttp3_conn_submit_response(m_h3, id, nva.data(), nva.size(),
                                     withBody ? &reader : nullptr) != 0)
        ngtcp2_conn_shutdown_stream(m_conn, id, NGHTTP3_H3_INTERNAL_ERROR);
}

qint64 DemoHttp3Session::readBody(Stream *st, ngtcp2_vec *vec, size_t count, uint32_t *flags)
{
    if (count == 0)
        return 0;
    if (st->unackedBytes >= kMaxUnackedBody) {
        st->waiting = true;
        return NGHTTP3_ERR_WOULDBLOCK;
    }
    QByteArray piece(kBodyPiece, Qt::Uninitialized);
    const qint64 n = st->body->read(piece.data(), piece.size());
    const bool end = st->body->atEnd();
    if (n <= 0 && !end) {
        st->waiting = true; // a paced body: resumed by its ready()
        return NGHTTP3_ERR_WOULDBLOCK;
    }
    if (end)
        *flags |= NGHTTP3_DATA_FLAG_EOF;
    if (n <= 0)
        return 0;
    piece.truncate(n);
    st->unacked.push_back(std::move(piece));
    st->unackedBytes += n;
    m_bodyBytesSent += n;
    vec[0].base = reinterpret_cast<uint8_t *>(st->unacked.back().data());
    vec[0].len = size_t(n);
    return 1;
}

void DemoHttp3Session::onBodyReady(int64_t id)
{
    Stream *st = stream(id);
    if (!st || !st->waiting || st->unackedBytes >= kMaxUnackedBody)
        return;
    st->waiting = false;
    nghttp3_conn_resume_stream(m_h3, id);
    if (wantsToWrite)
        wantsToWrite();
}

int DemoHttp3Session::streamData(int64_t id, QByteArrayView data, bool fin)
{
    const nghttp3_ssize n = nghttp3_conn_read_stream(
        m_h3, id, reinterpret_cast<const uint8_t *>(data.data()), size_t(data.size()), fin ? 1 : 0);
    if (n < 0)
        return int(n);
    consumed(id, size_t(n));
    return 0;
}

int DemoHttp3Session::streamAcked(int64_t id, uint64_t bytes)
{
    return nghttp3_conn_add_ack_offset(m_h3, id, bytes);
}

int DemoHttp3Session::streamClosed(int64_t id, uint64_t appError)
{
    const int rv = nghttp3_conn_close_stream(m_h3, id, appError);
    if (rv == NGHTTP3_ERR_STREAM_NOT_FOUND) {
        if (ngtcp2_is_bidi_stream(id))
            ngtcp2_conn_extend_max_streams_bidi(m_conn, 1);
        return 0;
    }
    return rv;
}

int DemoHttp3Session::streamReset(int64_t id, uint64_t)
{
    return nghttp3_conn_shutdown_stream_read(m_h3, id);
}

int DemoHttp3Session::streamStopSending(int64_t id, uint64_t appError)
{
    // The client no longer wants the response: stop sending it.
    ngtcp2_conn_shutdown_stream_write(m_conn, id, appError);
    return 0;
}

int DemoHttp3Session::streamWindowOpened(int64_t id)
{
    return nghttp3_conn_unblock_stream(m_h3, id);
}

qint64 DemoHttp3Session::nextToSend(int64_t *id, int *fin, ngtcp2_vec *vectors, size_t count)
{
    return nghttp3_conn_writev_stream(m_h3, id, fin, reinterpret_cast<nghttp3_vec *>(vectors),
                                      count);
}

void DemoHttp3Session::sendBlocked(int64_t id)
{
    nghttp3_conn_block_stream(m_h3, id);
}

void DemoHttp3Session::sendShutDown(int64_t id)
{
    nghttp3_conn_shutdown_stream_write(m_h3, id);
}

int DemoHttp3Session::sent(int64_t id, size_t bytes)
{
    return nghttp3_conn_add_write_offset(m_h3, id, bytes);
}

} // namespace hopscope
