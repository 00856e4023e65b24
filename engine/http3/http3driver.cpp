#include "http3/http3driver.h"

#include "core/exchange.h"
#include "http2/h2requesthead.h"
#include "net/connection.h"
#include "quic/quicerrortext.h"
#include "trace/tracestore.h"

#include <QPointer>

#include <nghttp3/nghttp3.h>

namespace hopscope {

namespace {

constexpr uint64_t kH3NoError = 0x100;

QByteArrayView view(nghttp3_rcbuf *buffer)
{
    const nghttp3_vec v = nghttp3_rcbuf_get_buf(buffer);
    return QByteArrayView(reinterpret_cast<const char *>(v.base), qsizetype(v.len));
}

nghttp3_nv makeNv(const QByteArray &name, const QByteArray &value)
{
    return {reinterpret_cast<uint8_t *>(const_cast<char *>(name.constData())),
            reinterpret_cast<uint8_t *>(const_cast<char *>(value.constData())), size_t(name.size()),
            size_t(value.size()), NGHTTP3_NV_FLAG_NONE};
}

} // namespace

// nghttp3's callbacks, each forwarding to the driver.
struct H3Callbacks
{
    using Stream = Http3Driver::Stream;
    static Http3Driver *self(void *user) { return static_cast<Http3Driver *>(user); }

    static int recvHeader(nghttp3_conn *, int64_t, int32_t, nghttp3_rcbuf *name,
                          nghttp3_rcbuf *value, uint8_t, void *user, void *streamUser)
    {
        if (!streamUser)
            return 0;
        return self(user)->onHeader(static_cast<Stream *>(streamUser), view(name), view(value));
    }
    static int endHeaders(nghttp3_conn *, int64_t, int, void *user, void *streamUser)
    {
        return streamUser ? self(user)->onEndHeaders(static_cast<Stream *>(streamUser)) : 0;
    }
    static int beginTrailers(nghttp3_conn *, int64_t, void *, void *streamUser)
    {
        if (streamUser)
            static_cast<Stream *>(streamUser)->trailers = true;
        return 0;
    }
    static int recvData(nghttp3_conn *, int64_t id, const uint8_t *data, size_t length, void *user,
                        void *streamUser)
    {
        Http3Driver *d = self(user);
        // Flow control: what the body took is consumed at once (the sink keeps up or fails).
        ngtcp2_conn_extend_max_stream_offset(d->m_quic->conn(), id, length);
        ngtcp2_conn_extend_max_offset(d->m_quic->conn(), length);
        if (!streamUser)
            return 0;
        return d->onData(static_cast<Stream *>(streamUser),
                         QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(length)));
    }
    static int deferredConsume(nghttp3_conn *, int64_t id, size_t consumed, void *user, void *)
    {
        Http3Driver *d = self(user);
        ngtcp2_conn_extend_max_stream_offset(d->m_quic->conn(), id, consumed);
        ngtcp2_conn_extend_max_offset(d->m_quic->conn(), consumed);
        return 0;
    }
    static int endStream(nghttp3_conn *, int64_t, void *, void *streamUser)
    {
        if (streamUser)
            static_cast<Stream *>(streamUser)->remoteEnded = true;
        return 0;
    }
    static int streamClose(nghttp3_conn *, int64_t id, uint64_t appError, void *user, void *)
    {
        return self(user)->onStreamClose(id, appError);
    }
    static int stopSending(nghttp3_conn *, int64_t id, uint64_t appError, void *user, void *)
    {
        ngtcp2_conn_shutdown_stream_read(self(user)->m_quic->conn(), id, appError);
        return 0;
    }
    static int resetStream(nghttp3_conn *, int64_t id, uint64_t appError, void *user, void *)
    {
        ngtcp2_conn_shutdown_stream_write(self(user)->m_quic->conn(), id, appError);
        return 0;
    }
    static int shutdown(nghttp3_conn *, int64_t id, void *user)
    {
        self(user)->onGoaway(id);
        return 0;
    }
    static nghttp3_ssize readData(nghttp3_conn *, int64_t, nghttp3_vec *vec, size_t,
                                  uint32_t *flags, void *user, void *streamUser)
    {
        auto *st = static_cast<Stream *>(streamUser);
        bool eof = false;
        qint64 n = 0;
        const char *data = self(user)->readBody(st, &n, &eof);
        if (!data)
            return NGHTTP3_ERR_CALLBACK_FAILURE;
        if (eof)
            *flags |= NGHTTP3_DATA_FLAG_EOF;
        if (n == 0)
            return 0;
        vec[0].base = reinterpret_cast<uint8_t *>(const_cast<char *>(data));
        vec[0].len = size_t(n);
        return 1;
    }
    static int ackedStreamData(nghttp3_conn *, int64_t, uint64_t bytes, void *user,
                               void *streamUser)
    {
        if (streamUser)
            self(user)->streamBodyAcked(static_cast<Stream *>(streamUser), bytes);
        return 0;
    }
};

Http3Driver::Http3Driver(Connection *connection, QuicTransport *quic, const Limits &limits,
                         QObject *parent)
    : ProtocolDriver(connection, parent), m_quic(quic), m_trace(connection->trace()),
      m_limits(limits)
{
    m_quic->setStreamHandler(this);
    connect(m_quic, &QuicTransport::failed, this, &Http3Driver::onTransportFailed);
}

Http3Driver::~Http3Driver()
{
    if (m_quic)
        m_quic->setStreamHandler(nullptr);
    if (m_h3)
        nghttp3_conn_del(m_h3);
}

void Http3Driver::start()
{
    nghttp3_callbacks callbacks{};
    callbacks.acked_stream_data = H3Callbacks::ackedStreamData;
    callbacks.stream_close = H3Callbacks::streamClose;
    callbacks.recv_data = H3Callbacks::recvData;
    callbacks.deferred_consume = H3Callbacks::deferredConsume;
    callbacks.recv_header = H3Callbacks::recvHeader;
    callbacks.end_headers = H3Callbacks::endHeaders;
    callbacks.begin_trailers = H3Callbacks::beginTrailers;
    callbacks.recv_trailer = H3Callbacks::recvHeader;
    callbacks.end_trailers = H3Callbacks::endHeaders;
    callbacks.stop_sending = H3Callbacks::stopSending;
    callbacks.end_stream = H3Callbacks::endStream;
    callbacks.reset_stream = H3Callbacks::resetStream;
    callbacks.shutdown = H3Callbacks::shutdown;
    nghttp3_settings settings;
    nghttp3_settings_default(&settings);
    // SETTINGS_MAX_FIELD_SECTION_SIZE: the server learns our header limit (RFC 9114 §4.2.2).
    settings.max_field_section_size = uint64_t(m_limits.maxHeaderBytes);
    settings.qpack_max_dtable_capacity = 4096;
    settings.qpack_blocked_streams = 100;
    ngtcp2_conn *conn = m_quic->conn();
    int64_t control = -1;
    int64_t encoder = -1;
    int64_t decoder = -1;
    int rv = nghttp3_conn_client_new(&m_h3, &callbacks, &settings, nghttp3_mem_default(), this);
    if (rv == 0 && ngtcp2_conn_get_max_local_streams_uni(conn) < 3)
        rv = NGHTTP3_ERR_H3_STREAM_CREATION_ERROR;
    if (rv == 0)
        rv = ngtcp2_conn_open_uni_stream(conn, &control, nullptr);
    if (rv == 0)
        rv = nghttp3_conn_bind_control_stream(m_h3, control);
    if (rv == 0)
        rv = ngtcp2_conn_open_uni_stream(conn, &encoder, nullptr);
    if (rv == 0)
        rv = ngtcp2_conn_open_uni_stream(conn, &decoder, nullptr);
    if (rv == 0)
        rv = nghttp3_conn_bind_qpack_streams(m_h3, encoder, decoder);
    if (rv != 0) {
        const QString message =
            QStringLiteral("cannot start HTTP/3 on the QUIC connection: %1")
                .arg(ngtcp2_conn_get_max_local_streams_uni(conn) < 3
                         ? QStringLiteral("the server allows fewer than the 3 unidirectional "
                                          "streams HTTP/3 needs (control, QPACK encoder, decoder)")
                         : QString::fromLatin1(nghttp3_strerror(rv)));
        setConnectionError("h3", message);
        recordError(m_trace, connection()->scope(), "h3", message);
        closeConnection(message);
        emitPending();
        return;
    }
    m_started = true;
    m_quic->deliverEarlyStreamData();
    m_quic->flush();
}

bool Http3Driver::canSubmit() const
{
    return isReusable() && ngtcp2_conn_get_streams_bidi_left(m_quic->conn()) > 0;
}

bool Http3Driver::isReusable() const
{
    return m_started && !m_closed && !m_goaway;
}

EventScope Http3Driver::streamScope(const Stream *st) const
{
    return {connection()->id(), st && st->ex ? st->ex->id() : 0, st ? qint32(st->id) : -1};
}

Http3Driver::Stream *Http3Driver::stream(int64_t id)
{
    const auto it = m_streams.find(id);
    return it == m_streams.end() ? nullptr : it->second.get();
}

void Http3Driver::submit(Exchange *ex)
{
    ex->connectionId = connection()->id();
    ex->protocol = "h3";
    ex->setState(Exchange::State::Sending);
    auto st = std::make_unique<Stream>();
    st->ex = ex;
    ++m_inFlight;
    int64_t id = -1;
    const int opened = isReusable() ? ngtcp2_conn_open_bidi_stream(m_quic->conn(), &id, nullptr)
                                    : NGTCP2_ERR_STREAM_ID_BLOCKED;
    if (opened != 0) {
        failStream(st.get(), "h3-unavailable",
                   QStringLiteral("request not sent: %1")
                       .arg(m_goaway   ? QStringLiteral("the server sent GOAWAY")
                            : m_closed ? QStringLiteral("the connection is closed")
                                       : QStringLiteral("no stream is free")),
                   true);
        emitPending();
        return;
    }
    st->id = id;
    ex->stream = qint32(id);
    const RequestSpec &spec = ex->spec();
    st->body = spec.body;
    st->bodySize = spec.body.size();
    if (!spec.bodyFile.isEmpty()) {
        st->body.clear();
        st->bodyFile = std::make_unique<QFile>(spec.bodyFile);
        if (!st->bodyFile->open(QIODevice::ReadOnly)) {
            failStream(st.get(), "request-body",
                       QStringLiteral("cannot read request body %1: %2")
                           .arg(spec.bodyFile, st->bodyFile->errorString()));
            ngtcp2_conn_shutdown_stream(m_quic->conn(), id, 0x10c /* H3_REQUEST_CANCELLED */);
            emitPending();
            return;
        }
        st->bodySize = st->bodyFile->size();
    }
    // The same request as over HTTP/2 (RFC 9114 §4.3 has HTTP/2's pseudo-headers and rules).
    const HeaderList fields = H2RequestHead::build(spec, st->bodySize);
    std::vector<nghttp3_nv> nva;
    nva.reserve(size_t(fields.size()));
    for (const HttpHeader &h : fields)
        nva.push_back(makeNv(h.name, h.value));
    nghttp3_data_reader reader{H3Callbacks::readData};
    ex->timings.sendStart = m_trace->elapsedNs();
    Stream *raw = st.get();
    m_streams.emplace(id, std::move(st));
    const int rv = nghttp3_conn_submit_request(m_h3, id, nva.data(), nva.size(),
                                               raw->bodySize > 0 ? &reader : nullptr, raw);
    if (rv != 0) {
        failStream(raw, "h3",
                   QStringLiteral("cannot submit the request as an HTTP/3 stream: %1")
                       .arg(QString::fromLatin1(nghttp3_strerror(rv))));
        emitPending();
        return;
    }
    m_trace->record(EventType::H3Headers, streamScope(raw), Direction::Out)
        .headers(Field::Headers, fields)
        .atom(Field::Kind, "request");
    if (raw->bodySize == 0) {
        ex->timings.sendEnd = m_trace->elapsedNs();
        ex->setState(Exchange::State::Waiting);
    }
    m_quic->flush();
}

const char *Http3Driver::readBody(Stream *st, qint64 *length, bool *eof)
{
    // nghttp3 holds on to what it was given until the server acknowledges it (it may have to
    // send it again): a body in memory stays where it is for the stream's life; a file is read
    // a chunk at a time, kept until streamBodyAcked() says the server has it.
    constexpr qint64 kChunk = 64 * 1024;
    const qint64 n = qMin(kChunk, st->bodySize - st->bodySent);
    const char *data = nullptr;
    if (st->bodyFile) {
        QByteArray chunk = st->bodyFile->read(n);
        if (chunk.size() != n) {
            failStream(st, "request-body",
                       QStringLiteral("request body file %1 ended early or could not be read")
                           .arg(st->bodyFile->fileName()));
            return nullptr;
        }
        st->unacked.push_back(std::move(chunk));
        data = st->unacked.back().constData();
    } else {
        data = st->body.constData() + st->bodySent;
    }
    st->bodySent += n;
    if (n > 0)
        m_trace->record(EventType::H3Data, streamScope(st), Direction::Out)
            .integer(Field::Bytes, n);
    if (st->bodySent >= st->bodySize) {
        *eof = true;
        if (st->ex) {
            st->ex->timings.sendEnd = m_trace->elapsedNs();
            st->ex->setState(Exchange::State::Waiting);
        }
    }
    *length = n;
    return data;
}

void Http3Driver::streamBodyAcked(Stream *st, uint64_t bytes)
{
    st->ackedInChunk += qint64(bytes);
    while (!st->unacked.empty() && st->ackedInChunk >= st->unacked.front().size()) {
        st->ackedInChunk -= st->unacked.front().size();
        st->unacked.pop_front();
    }
}

// --- What nghttp3 reports ---------------------------------------------------------------------

int Http3Driver::onHeader(Stream *st, QByteArrayView name, QByteArrayView value)
{
    if (!st->ex)
        return 0;
    st->blockBytes += name.size() + value.size() + 32; // RFC 9114 §4.2.2's accounting
    if (st->block.size() >= m_limits.maxHeaderCount || st->blockBytes > m_limits.maxHeaderBytes) {
        const bool count = st->block.size() >= m_limits.maxHeaderCount;
        failStream(st, count ? "limit:maxHeaderCount" : "limit:maxHeaderBytes",
                   count ? QStringLiteral("the response on stream %1 has more than %2 header "
                                          "fields (limit maxHeaderCount)")
                               .arg(st->id)
                               .arg(m_limits.maxHeaderCount)
                         : QStringLiteral("the response headers on stream %1 exceed %2 bytes "
                                          "(limit maxHeaderBytes)")
                               .arg(st->id)
                               .arg(m_limits.maxHeaderBytes));
        ngtcp2_conn_shutdown_stream(m_quic->conn(), st->id, 0x10c /* H3_REQUEST_CANCELLED */);
        return 0;
    }
    st->block.append({name.toByteArray(), value.toByteArray()});
    return 0;
}

int Http3Driver::onEndHeaders(Stream *st)
{
    HeaderList block = std::exchange(st->block, {});
    st->blockBytes = 0;
    Exchange *ex = st->ex;
    if (!ex)
        return 0;
    if (ex->timings.firstByte < 0)
        ex->timings.firstByte = m_trace->elapsedNs();
    QByteArray kind = "trailers";
    int status = 0;
    if (!st->trailers) {
        for (const HttpHeader &h : block) {
            if (h.name == ":status") {
                status = h.value.toInt();
                break;
            }
        }
        kind = status >= 100 && status < 200 ? "interim" : "response";
    }
    m_trace->record(EventType::H3Headers, streamScope(st), Direction::In)
        .headers(Field::Headers, block)
        .atom(Field::Kind, kind);
    if (kind == "interim") {
        if (++st->interim > m_limits.maxInterimResponses) {
            failStream(st, "limit:maxInterimResponses",
                       QStringLiteral("the server sent more than %1 interim (1xx) responses on "
                                      "stream %2 (limit maxInterimResponses)")
                           .arg(m_limits.maxInterimResponses)
                           .arg(st->id));
            ngtcp2_conn_shutdown_stream(m_quic->conn(), st->id, 0x10c);
        }
        return 0;
    }
    HeaderList regular;
    regular.reserve(block.size());
    for (HttpHeader &h : block) {
        if (!h.name.startsWith(':'))
            regular.append(std::move(h));
    }
    if (kind == "trailers") {
        ex->trailers = std::move(regular);
        return 0;
    }
    st->finalResponse = true;
    ex->status = status;
    ex->version = "HTTP/3";
    ex->reason.clear();
    ex->responseHeaders = std::move(regular);
    ex->setState(Exchange::State::Receiving);
    if (!ex->prepareBody()) {
        failStream(st, ex->errorCode(), ex->error());
        ngtcp2_conn_shutdown_stream(m_quic->conn(), st->id, 0x10c);
    }
    return 0;
}

int Http3Driver::onData(Stream *st, QByteArrayView data)
{
    m_trace->record(EventType::H3Data, streamScope(st), Direction::In)
        .integer(Field::Bytes, data.size());
    Exchange *ex = st->ex;
    if (!ex)
        return 0;
    if (!ex->deliverBody(data)) {
        // A decompression bomb or a full disk: stop this stream, not the connection.
        failStream(st, ex->errorCode(), ex->error());
        ngtcp2_conn_shutdown_stream(m_quic->conn(), st->id, 0x10c);
    }
    return 0;
}

int Http3Driver::onStreamClose(int64_t id, uint64_t appError)
{
    const auto it = m_streams.find(id);
    if (it == m_streams.end())
        return 0;
    Stream *st = it->second.get();
    const QString name = QuicErrorText::applicationErrorName(st->reset ? st->resetCode : appError);
    m_trace->record(EventType::H3StreamEnd, streamScope(st))
        .text(Field::Code, name)
        .boolean(Field::Reason, st->reset);
    if (st->ex) {
        if (st->finalResponse && st->remoteEnded) {
            completeStream(st);
        } else {
            const bool rejected =
                !st->finalResponse && (st->resetCode == 0x10b /* H3_REQUEST_REJECTED */);
            failStream(st, "h3-stream:" + name.toLatin1(),
                       st->reset
                           ? QStringLiteral("stream %1 reset by the server: %2").arg(id).arg(name)
                           : QStringLiteral("stream %1 ended before the response was "
                                            "complete (%2)")
                                 .arg(id)
                                 .arg(name),
                       rejected);
        }
    }
    m_streams.erase(it);
    m_capacityChanged = true;
    return 0;
}

void Http3Driver::onGoaway(int64_t id)
{
    m_goaway = true;
    m_goawayId = id;
    m_trace->record(EventType::H3Goaway, connection()->scope()).integer(Field::LastStreamId, id);
    // Requests at or above the GOAWAY's id were not processed: safe to send elsewhere.
    for (const auto &[sid, st] : m_streams) {
        if (st->ex && sid >= id) {
            failStream(st.get(), "h3-goaway",
                       QStringLiteral("stream %1 not processed: the server sent GOAWAY (first "
                                      "unprocessed stream %2)")
                           .arg(sid)
                           .arg(id),
                       true);
        }
    }
}

// --- The transport's side ---------------------------------------------------------------------

int Http3Driver::streamData(int64_t id, QByteArrayView data, bool fin)
{
    if (!m_h3)
        return NGTCP2_ERR_CALLBACK_FAILURE;
    const nghttp3_ssize consumed = nghttp3_conn_read_stream(
        m_h3, id, reinterpret_cast<const uint8_t *>(data.data()), size_t(data.size()), fin ? 1 : 0);
    if (consumed < 0) {
        const uint64_t code = nghttp3_err_infer_quic_app_error_code(int(consumed));
        setConnectionError("h3:" + QuicErrorText::applicationErrorName(code).toLatin1(),
                           QStringLiteral("the server broke HTTP/3 on stream %1: %2 (%3)")
                               .arg(id)
                               .arg(QString::fromLatin1(nghttp3_strerror(int(consumed))),
                                    QuicErrorText::applicationErrorName(code)));
        return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    ngtcp2_conn_extend_max_stream_offset(m_quic->conn(), id, uint64_t(consumed));
    ngtcp2_conn_extend_max_offset(m_quic->conn(), uint64_t(consumed));
    return 0;
}

int Http3Driver::streamAcked(int64_t id, uint64_t bytes)
{
    return m_h3 && nghttp3_conn_add_ack_offset(m_h3, id, bytes) != 0 ? NGTCP2_ERR_CALLBACK_FAILURE
                                                                     : 0;
}

int Http3Driver::streamClosed(int64_t id, uint64_t appError)
{
    if (!m_h3)
        return 0;
    const int rv = nghttp3_conn_close_stream(m_h3, id, appError);
    if (rv == NGHTTP3_ERR_STREAM_NOT_FOUND) {
        // A stream that carried nothing nghttp3 saw; a server's unidirectional one frees a slot.
        if (!ngtcp2_is_bidi_stream(id))
            ngtcp2_conn_extend_max_streams_uni(m_quic->conn(), 1);
        return onStreamClose(id, appError);
    }
    if (rv != 0) {
        setConnectionError("h3", QStringLiteral("HTTP/3 could not close stream %1: %2")
                                     .arg(id)
                                     .arg(QString::fromLatin1(nghttp3_strerror(rv))));
        return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
}

int Http3Driver::streamReset(int64_t id, uint64_t appError)
{
    if (Stream *st = stream(id)) {
        st->reset = true;
        st->resetCode = appError;
    }
    return m_h3 && nghttp3_conn_shutdown_stream_read(m_h3, id) != 0 ? NGTCP2_ERR_CALLBACK_FAILURE
                                                                    : 0;
}

int Http3Driver::streamStopSending(int64_t id, uint64_t appError)
{
    Q_UNUSED(appError);
    return m_h3 && nghttp3_conn_shutdown_stream_read(m_h3, id) != 0 ? NGTCP2_ERR_CALLBACK_FAILURE
                                                                    : 0;
}

int Http3Driver::streamWindowOpened(int64_t id)
{
    return m_h3 && nghttp3_conn_unblock_stream(m_h3, id) != 0 ? NGTCP2_ERR_CALLBACK_FAILURE : 0;
}

void Http3Driver::streamsAvailable()
{
    m_capacityChanged = true;
}

qint64 Http3Driver::nextToSend(int64_t *id, int *fin, ngtcp2_vec *vectors, size_t count)
{
    if (!m_h3)
        return 0;
    static_assert(sizeof(ngtcp2_vec) == sizeof(nghttp3_vec));
    return nghttp3_conn_writev_stream(m_h3, id, fin, reinterpret_cast<nghttp3_vec *>(vectors),
                                      count);
}

void Http3Driver::sendBlocked(int64_t id)
{
    nghttp3_conn_block_stream(m_h3, id);
}

void Http3Driver::sendShutDown(int64_t id)
{
    nghttp3_conn_shutdown_stream_write(m_h3, id);
}

int Http3Driver::sent(int64_t id, size_t bytes)
{
    if (!m_h3 || id < 0)
        return 0;
    return nghttp3_conn_add_write_offset(m_h3, id, bytes) != 0 ? -1 : 0;
}

void Http3Driver::afterIo()
{
    emitPending();
}

// --- Finishing ----------------------------------------------------------------------------------

void Http3Driver::completeStream(Stream *st)
{
    Exchange *ex = st->ex;
    ex->timings.end = m_trace->elapsedNs();
    if (ex->isFinished() || !ex->finishBody()) {
        failStream(st, ex->errorCode(), ex->error());
        return;
    }
    const EventScope scope = streamScope(st);
    st->ex = nullptr;
    --m_inFlight;
    markExchangeComplete(m_trace, scope, ex);
    m_finishedQueue.append({ex, false});
}

void Http3Driver::failStream(Stream *st, const QByteArray &code, const QString &message,
                             bool retryable, ErrorEvent event)
{
    Exchange *ex = st->ex;
    if (!ex)
        return;
    const EventScope scope = streamScope(st);
    st->ex = nullptr;
    --m_inFlight;
    markExchangeFailed(m_trace, scope, ex, code, message, event);
    m_finishedQueue.append({ex, retryable});
}

void Http3Driver::setConnectionError(const QByteArray &code, const QString &message)
{
    if (m_connErrorMessage.isEmpty()) {
        m_connErrorCode = code;
        m_connErrorMessage = message;
    }
}

void Http3Driver::onTransportFailed(const QByteArray &code, const QString &message)
{
    // What the HTTP/3 layer found (a broken frame) says more than the transport's "callback
    // failure" it caused.
    const QByteArray c = m_connErrorCode.isEmpty() ? code : m_connErrorCode;
    const QString m = m_connErrorMessage.isEmpty() ? message : m_connErrorMessage;
    const bool quietEnd = c == "quic-closed" && m_inFlight == 0;
    if (!quietEnd) {
        recordError(m_trace, connection()->scope(), c, m);
        std::vector<Stream *> open;
        for (const auto &[id, st] : m_streams) {
            if (st->ex)
                open.push_back(st.get());
        }
        for (Stream *st : open)
            failStream(st, c, m, false, ErrorEvent::Omit);
    }
    closeConnection(m);
    emitPending();
}

void Http3Driver::abort(const QByteArray &code, const QString &message)
{
    if (m_closed)
        return;
    std::vector<Stream *> open;
    for (const auto &[id, st] : m_streams) {
        if (st->ex)
            open.push_back(st.get());
    }
    if (!open.empty())
        recordError(m_trace, connection()->scope(), code, message);
    for (Stream *st : open)
        failStream(st, code, message, false, ErrorEvent::Omit);
    m_quic->closeWithApplicationError(kH3NoError, message.toUtf8());
    closeConnection(message);
    emitPending();
}

void Http3Driver::closeConnection(const QString &reason)
{
    if (m_closed)
        return;
    m_closed = true;
    m_quic->closeWithApplicationError(kH3NoError, QByteArray());
    if (connection()->state() != Connection::State::Closed)
        connection()->close(reason);
}

// Signals go out only from here, never from inside ngtcp2 or nghttp3: a slot may submit, abort
// or delete.
void Http3Driver::emitPending()
{
    if (m_emitting)
        return;
    m_emitting = true;
    const QPointer<Http3Driver> guard(this);
    while (!m_finishedQueue.isEmpty()) {
        const auto [ex, retryable] = m_finishedQueue.takeFirst();
        emit finished(ex, retryable);
        if (!guard)
            return;
    }
    if (m_capacityChanged && !m_closed) {
        m_capacityChanged = false;
        if (canSubmit()) {
            emit capacityAvailable();
            if (!guard)
                return;
        }
    }
    if (m_closed && !m_closedEmitted) {
        m_closedEmitted = true;
        emit closed();
        if (!guard)
            return;
    }
    m_emitting = false;
    // What a slot submitted goes out now.
    if (!m_closed)
        m_quic->flush();
}

} // namespace hopscope
