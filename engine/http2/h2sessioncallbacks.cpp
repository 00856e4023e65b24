#include "http2/h2session.h"

#include "core/exchange.h"
#include "http2/h2errortext.h"
#include "http2/h2frametrace.h"
#include "net/connection.h"
#include "trace/tracefields.h"

#include <algorithm>
#include <cstring>

// What nghttp2 tells the session, from inside nghttp2_session_mem_recv and _mem_send: frames
// received and sent (each traced as `h2.frame`, header blocks also as `h2.headers`), streams
// closed, request body bytes asked for. Nothing here emits a signal; emitPending() does, once
// nghttp2 has returned.

namespace hopscope {

namespace {

// --- C trampolines into the session ---------------------------------------------------------

H2Session *self(void *userData)
{
    return static_cast<H2Session *>(userData);
}

int cbBeginFrame(nghttp2_session *, const nghttp2_frame_hd *hd, void *u)
{
    return self(u)->onBeginFrame(*hd);
}

int cbBeginHeaders(nghttp2_session *, const nghttp2_frame *frame, void *u)
{
    return self(u)->onBeginHeaders(*frame);
}

int cbHeader(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
             const uint8_t *value, size_t valuelen, uint8_t, void *u)
{
    return self(u)->onHeader(
        *frame, QByteArrayView(reinterpret_cast<const char *>(name), qsizetype(namelen)),
        QByteArrayView(reinterpret_cast<const char *>(value), qsizetype(valuelen)));
}

int cbFrameRecv(nghttp2_session *, const nghttp2_frame *frame, void *u)
{
    return self(u)->onFrameRecv(*frame);
}

int cbDataChunk(nghttp2_session *, uint8_t, int32_t streamId, const uint8_t *data, size_t len,
                void *u)
{
    return self(u)->onDataChunk(streamId, data, len);
}

int cbStreamClose(nghttp2_session *, int32_t streamId, uint32_t errorCode, void *u)
{
    return self(u)->onStreamClose(streamId, errorCode);
}

int cbFrameSend(nghttp2_session *, const nghttp2_frame *frame, void *u)
{
    return self(u)->onFrameSend(*frame);
}

int cbFrameNotSend(nghttp2_session *, const nghttp2_frame *frame, int libError, void *u)
{
    return self(u)->onFrameNotSend(*frame, libError);
}

int cbInvalidFrameRecv(nghttp2_session *, const nghttp2_frame *frame, int libError, void *u)
{
    return self(u)->onInvalidFrameRecv(*frame, libError);
}

int cbError(nghttp2_session *, int libError, const char *msg, size_t len, void *u)
{
    return self(u)->onError(libError, QByteArrayView(msg, qsizetype(len)));
}

// Unknown frame types are accepted as "extensions" only so that they reach on_frame_recv and
// show up in the trace; their payload is ignored.
int cbUnpackExtension(nghttp2_session *, void **payload, const nghttp2_frame_hd *, void *)
{
    *payload = nullptr;
    return 0;
}

int cbExtensionChunk(nghttp2_session *, const nghttp2_frame_hd *, const uint8_t *, size_t, void *)
{
    return 0;
}

ssize_t cbReadBody(nghttp2_session *, int32_t, uint8_t *buf, size_t length, uint32_t *dataFlags,
                   nghttp2_data_source *source, void *u)
{
    return self(u)->readBody(static_cast<H2Session::Stream *>(source->ptr), buf, length, dataFlags);
}

} // namespace

nghttp2_session_callbacks *H2Session::newCallbacks()
{
    nghttp2_session_callbacks *cbs = nullptr;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_begin_frame_callback(cbs, cbBeginFrame);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, cbBeginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(cbs, cbHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, cbFrameRecv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, cbDataChunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, cbStreamClose);
    nghttp2_session_callbacks_set_on_frame_send_callback(cbs, cbFrameSend);
    nghttp2_session_callbacks_set_on_frame_not_send_callback(cbs, cbFrameNotSend);
    nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(cbs, cbInvalidFrameRecv);
    nghttp2_session_callbacks_set_error_callback2(cbs, cbError);
    nghttp2_session_callbacks_set_unpack_extension_callback(cbs, cbUnpackExtension);
    nghttp2_session_callbacks_set_on_extension_chunk_recv_callback(cbs, cbExtensionChunk);
    return cbs;
}

nghttp2_data_provider H2Session::bodyProvider(Stream *st)
{
    nghttp2_data_provider provider{};
    provider.source.ptr = st;
    provider.read_callback = cbReadBody;
    return provider;
}

// --- Frames received and sent ---------------------------------------------------------------

int H2Session::onBeginFrame(const nghttp2_frame_hd &hd)
{
    if (hd.type == NGHTTP2_PUSH_PROMISE) {
        // nghttp2 only rejects it once the server acknowledged ENABLE_PUSH=0; we never accept it.
        setConnectionError("h2-push",
                           QStringLiteral("server sent PUSH_PROMISE although push is disabled "
                                          "(SETTINGS_ENABLE_PUSH=0)"));
        nghttp2_session_terminate_session(m_session, NGHTTP2_PROTOCOL_ERROR);
    }
    countIdleControl(hd);
    if (Stream *st = stream(hd.stream_id); st && !st->gotFrame) {
        st->gotFrame = true;
        if (st->ex && st->ex->timings.firstByte < 0)
            st->ex->timings.firstByte = now();
    }
    return 0;
}

int H2Session::onBeginHeaders(const nghttp2_frame &frame)
{
    if (frame.hd.type != NGHTTP2_HEADERS)
        return 0;
    if (Stream *st = stream(frame.hd.stream_id))
        st->block.clear();
    return 0;
}

int H2Session::onHeader(const nghttp2_frame &frame, QByteArrayView name, QByteArrayView value)
{
    if (frame.hd.type != NGHTTP2_HEADERS)
        return 0;
    Stream *st = stream(frame.hd.stream_id);
    if (!st)
        return 0;
    // RFC 9113 §6.5.2 counts name + value + 32 per field; counted over all blocks of the stream
    // so that endless 1xx responses cannot grow it either.
    st->headerBytes += name.size() + value.size() + 32;
    if (st->headerBytes > qint64(m_opts.maxHeaderListSize)) {
        st->resetReason = QStringLiteral("response header list over the limit");
        failStream(st, "limit:maxHeaderBytes",
                   QStringLiteral("response headers on stream %1 exceed %2 bytes (limit "
                                  "maxHeaderBytes; counted as RFC 9113 §6.5.2: name + value + "
                                  "32 per field)")
                       .arg(st->id)
                       .arg(m_opts.maxHeaderListSize));
        st->block.clear();
        // nghttp2 resets the stream and decodes the rest of the block without calling us.
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    st->block.append(HttpHeader{name.toByteArray(), value.toByteArray()});
    return 0;
}

int H2Session::onFrameRecv(const nghttp2_frame &frame)
{
    const qint32 sid = frame.hd.stream_id;
    Stream *st = stream(sid);
    const quint8 type = frame.hd.type;
    const bool headerBlock = type == NGHTTP2_HEADERS || type == NGHTTP2_PUSH_PROMISE;
    const EventScope sc = scope(st, sid);
    if (headerBlock) {
        traceHeaderBlock(frame, sc, {});
    } else {
        m_splitter.markReported();
        FieldWriter w = m_trace->record(EventType::H2Frame, sc, Direction::In);
        H2FrameTrace::describe(w, frame);
    }
    if (type == NGHTTP2_SETTINGS)
        m_framingTrusted = true;
    m_lastInvalid.clear(); // a frame after it went through: that one did not end the session
    switch (type) {
    case NGHTTP2_HEADERS:
        handleHeaders(st, frame);
        break;
    case NGHTTP2_DATA:
        if (st && (frame.hd.flags & NGHTTP2_FLAG_END_STREAM))
            st->remoteEnded = true;
        countEmptyData(frame);
        break;
    case NGHTTP2_RST_STREAM:
        if (st) {
            st->rstReceived = true;
            st->rstCode = frame.rst_stream.error_code;
        }
        break;
    case NGHTTP2_SETTINGS:
        if (!(frame.hd.flags & NGHTTP2_FLAG_ACK)) {
            m_capacityChanged = true; // MAX_CONCURRENT_STREAMS may have grown
            ++m_settingsReceived;
        }
        break;
    case NGHTTP2_PING:
        if (!(frame.hd.flags & NGHTTP2_FLAG_ACK))
            ++m_pingsReceived;
        break;
    case NGHTTP2_GOAWAY:
        handleGoaway(frame);
        break;
    default:
        break;
    }
    return 0;
}

void H2Session::handleHeaders(Stream *st, const nghttp2_frame &frame)
{
    if (!st)
        return;
    if (st->ex)
        m_idleControl.progress();
    if (frame.hd.flags & NGHTTP2_FLAG_END_STREAM)
        st->remoteEnded = true;
    HeaderList block = std::move(st->block);
    st->block = {};
    int status = 0;
    QLatin1StringView kind;
    if (!st->finalResponse) {
        status = headerValue(block, ":status").toInt();
        kind = status >= 100 && status < 200 ? QLatin1StringView("interim")
                                             : QLatin1StringView("response");
    } else {
        kind = QLatin1StringView("trailers");
    }
    m_trace->record(EventType::H2Headers, scope(st, st->id), Direction::In)
        .headers(Field::Headers, block)
        .atom(Field::Kind, QByteArrayView(kind.data(), kind.size()));
    if (kind == u"interim")
        return; // the final response follows on the same stream
    HeaderList regular;
    regular.reserve(block.size());
    for (HttpHeader &h : block) {
        if (!h.name.startsWith(':'))
            regular.append(std::move(h));
    }
    if (kind == u"trailers") {
        if (st->ex)
            st->ex->trailers = std::move(regular);
        return;
    }
    st->finalResponse = true;
    Exchange *ex = st->ex;
    if (!ex)
        return;
    ex->status = status;
    ex->version = "HTTP/2";
    ex->reason.clear();
    ex->responseHeaders = std::move(regular);
    ex->setState(Exchange::State::Receiving);
    if (!ex->prepareBody()) {
        st->resetReason = ex->error();
        nghttp2_submit_rst_stream(m_session, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_CANCEL);
        failStream(st, ex->errorCode(), ex->error());
    }
}

void H2Session::handleGoaway(const nghttp2_frame &frame)
{
    m_goawayReceived = true;
    m_goawayLastStream = frame.goaway.last_stream_id;
    m_goawayError = frame.goaway.error_code;
    m_goawayDebug = H2FrameTrace::printable(
        QByteArrayView(reinterpret_cast<const char *>(frame.goaway.opaque_data),
                       qsizetype(frame.goaway.opaque_data_len)));
    const QByteArray code = "h2-goaway:" + H2FrameTrace::errorCodeName(m_goawayError).toLatin1();
    if (m_goawayError != NGHTTP2_NO_ERROR) {
        recordError(m_trace, {m_conn->id(), 0, 0}, code,
                    QStringLiteral("server sent %1").arg(goawaySuffix()));
    }
    // Streams above last_stream_id were never processed: safe to retry elsewhere. The rest
    // may still complete.
    std::vector<Stream *> refused;
    for (const auto &[id, st] : m_streams) {
        if (st->ex && id > m_goawayLastStream)
            refused.push_back(st.get());
    }
    std::sort(refused.begin(), refused.end(), [](Stream *a, Stream *b) { return a->id < b->id; });
    for (Stream *st : refused) {
        failStream(st, code,
                   QStringLiteral("stream %1 not processed: server sent GOAWAY (%2, last stream "
                                  "%3)%4")
                       .arg(st->id)
                       .arg(H2FrameTrace::errorCodeName(m_goawayError))
                       .arg(m_goawayLastStream)
                       .arg(m_goawayDebug.isEmpty()
                                ? QString()
                                : QStringLiteral(": \"%1\"").arg(m_goawayDebug)),
                   true);
    }
}

void H2Session::countEmptyData(const nghttp2_frame &frame)
{
    const bool empty =
        frame.hd.length - frame.data.padlen == 0 && !(frame.hd.flags & NGHTTP2_FLAG_END_STREAM);
    if (!empty) {
        m_emptyDataFrames = 0;
        return;
    }
    if (++m_emptyDataFrames <= m_opts.maxEmptyDataFrames || !m_connErrorMessage.isEmpty())
        return;
    setConnectionError("limit:maxEmptyDataFrames",
                       QStringLiteral("the server sent more than %1 empty DATA frames in a row "
                                      "on stream %2 (no payload, no END_STREAM: a flood; limit "
                                      "maxEmptyDataFrames)")
                           .arg(m_opts.maxEmptyDataFrames)
                           .arg(frame.hd.stream_id));
    nghttp2_session_terminate_session(m_session, NGHTTP2_ENHANCE_YOUR_CALM);
}

// Counted when the frame begins, as nghttp2 drops some of them (a WINDOW_UPDATE for a closed
// stream) without on_frame_recv; a frame it then rejects ends the connection anyway.
void H2Session::countIdleControl(const nghttp2_frame_hd &hd)
{
    const Stream *st = stream(hd.stream_id);
    if (!m_idleControl.count(hd.type, hd.stream_id, st && st->ex))
        return;
    if (m_idleControl.total() <= m_opts.maxIdleControlFrames || !m_connErrorMessage.isEmpty())
        return;
    setConnectionError("limit:maxIdleControlFrames",
                       QStringLiteral("the server sent more than %1 RST_STREAM, WINDOW_UPDATE and "
                                      "PRIORITY frames without progress on any request (%2): a "
                                      "flood; limit maxIdleControlFrames")
                           .arg(m_opts.maxIdleControlFrames)
                           .arg(m_idleControl.breakdown()));
    nghttp2_session_terminate_session(m_session, NGHTTP2_ENHANCE_YOUR_CALM);
}

int H2Session::onDataChunk(qint32 streamId, const uint8_t *data, size_t len)
{
    Stream *st = stream(streamId);
    if (!st || !st->ex)
        return 0;
    if (len > 0)
        m_idleControl.progress();
    Exchange *ex = st->ex;
    if (!ex->deliverBody(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(len)))) {
        // A decompression bomb or a full disk: stop this stream, not the connection.
        st->resetReason = ex->error();
        nghttp2_submit_rst_stream(m_session, NGHTTP2_FLAG_NONE, streamId, NGHTTP2_CANCEL);
        failStream(st, ex->errorCode(), ex->error());
    }
    return 0;
}

int H2Session::onStreamClose(qint32 streamId, quint32 errorCode)
{
    const auto it = m_streams.find(streamId);
    if (it == m_streams.end())
        return 0;
    Stream *st = it->second.get();
    if (st->ex) {
        const QString name = H2FrameTrace::errorCodeName(errorCode);
        if (st->finalResponse && st->remoteEnded) {
            // Complete even if the server then reset the stream (NO_ERROR: "stop sending").
            if (!st->rstSent && !st->rstReceived) {
                m_serverEnded.insert(streamId);
                if (m_serverEnded.size() > kRememberEnded)
                    m_serverEnded.erase(m_serverEnded.begin());
            }
            completeStream(st);
        } else if (st->rstReceived) {
            const bool refused = st->rstCode == NGHTTP2_REFUSED_STREAM && !st->finalResponse;
            failStream(
                st, "h2-rst:" + name.toLatin1(),
                QStringLiteral("stream %1 reset by the server: %2%3")
                    .arg(streamId)
                    .arg(name, st->finalResponse ? H2ErrorText::bodyProgress(*st->ex) : QString()),
                refused);
        } else if (st->rstSent) {
            QString message =
                QStringLiteral("stream %1 reset by hopscope (%2)").arg(streamId).arg(name);
            message += st->resetReason.isEmpty()
                           ? QStringLiteral(": the response broke HTTP/2 message rules "
                                            "(RFC 9113 §8.1, e.g. a body that does not match "
                                            "content-length)")
                           : QStringLiteral(": %1").arg(st->resetReason);
            failStream(st, "h2-stream:" + name.toLatin1(), message);
        } else if (errorCode == NGHTTP2_NO_ERROR) {
            failStream(
                st, "h2-incomplete",
                QStringLiteral("stream %1 closed without a complete response").arg(streamId));
        } else {
            failStream(st, "h2-stream:" + name.toLatin1(),
                       QStringLiteral("stream %1 closed: %2").arg(streamId).arg(name));
        }
    }
    m_streams.erase(it);
    m_capacityChanged = true;
    return 0;
}

int H2Session::onFrameSend(const nghttp2_frame &frame)
{
    const qint32 sid = frame.hd.stream_id;
    Stream *st = stream(sid);
    const EventScope sc = scope(st, sid);
    FieldWriter w = m_trace->record(EventType::H2Frame, sc, Direction::Out);
    H2FrameTrace::describe(w, frame);
    switch (frame.hd.type) {
    case NGHTTP2_HEADERS: {
        FieldWriter h = m_trace->record(EventType::H2Headers, sc, Direction::Out);
        H2FrameTrace::writeHeaderList(h, Field::Headers, frame.headers.nva, frame.headers.nvlen);
        h.atom(Field::Kind, "request");
    }
        [[fallthrough]];
    case NGHTTP2_DATA:
        if (frame.hd.type == NGHTTP2_DATA && frame.hd.length > 0)
            m_idleControl.progress(); // an upload goes on: WINDOW_UPDATEs were not idle
        if (st && st->ex && (frame.hd.flags & NGHTTP2_FLAG_END_STREAM)) {
            st->ex->timings.sendEnd = now();
            if (st->ex->state() == Exchange::State::Sending)
                st->ex->setState(Exchange::State::Waiting);
        }
        break;
    case NGHTTP2_RST_STREAM:
        if (st) {
            st->rstSent = true;
            st->rstCode = frame.rst_stream.error_code;
            if (st->resetReason.isEmpty() &&
                frame.rst_stream.error_code == NGHTTP2_FLOW_CONTROL_ERROR) {
                // nghttp2 resets without a word when DATA overran the stream's window.
                st->resetReason =
                    QStringLiteral("the server sent more DATA than the stream window of %1 "
                                   "bytes we announced allows (SETTINGS_INITIAL_WINDOW_SIZE, "
                                   "limit h2StreamWindow)")
                        .arg(m_opts.streamWindow);
            }
            if (st->resetReason.isEmpty())
                st->resetReason = std::exchange(m_lastLibError, QString());
        }
        break;
    case NGHTTP2_GOAWAY:
        m_goawaySent = true;
        if (frame.goaway.error_code != NGHTTP2_NO_ERROR) {
            // nghttp2 detected a connection error; its reason travels as debug data.
            const QString debug = H2FrameTrace::printable(
                QByteArrayView(reinterpret_cast<const char *>(frame.goaway.opaque_data),
                               qsizetype(frame.goaway.opaque_data_len)));
            QString invalid = m_lastInvalid;
            if (invalid.isEmpty() && frame.goaway.error_code == NGHTTP2_COMPRESSION_ERROR) {
                invalid =
                    H2ErrorText::hpackError(m_headersStart, m_headersFlags, m_headersStream,
                                            nghttp2_session_get_local_settings(
                                                m_session, NGHTTP2_SETTINGS_HEADER_TABLE_SIZE));
            }
            setConnectionError(
                "h2-protocol",
                H2ErrorText::goawaySent(frame.goaway.error_code, debug, invalid, m_lastLibError,
                                        qBound(kMinFrameSize, m_opts.maxFrameSize, kMaxFrameSize)));
        }
        break;
    default:
        break;
    }
    return 0;
}

int H2Session::onFrameNotSend(const nghttp2_frame &frame, int libError)
{
    if (frame.hd.type != NGHTTP2_HEADERS)
        return 0;
    const auto it = m_streams.find(frame.hd.stream_id);
    if (it == m_streams.end())
        return 0;
    Stream *st = it->second.get();
    // The request never left: after a GOAWAY another connection can take it.
    const bool retryable =
        libError == NGHTTP2_ERR_START_STREAM_NOT_ALLOWED || libError == NGHTTP2_ERR_STREAM_CLOSING;
    failStream(st, "h2-not-sent",
               QStringLiteral("request on stream %1 not sent: %2")
                   .arg(frame.hd.stream_id)
                   .arg(QString::fromLatin1(nghttp2_strerror(libError))),
               retryable);
    // A stream that never opened gets no close callback.
    if (!nghttp2_session_find_stream(m_session, frame.hd.stream_id)) {
        m_streams.erase(it);
        m_capacityChanged = true;
    }
    return 0;
}

int H2Session::onInvalidFrameRecv(const nghttp2_frame &frame, int libError)
{
    const QString lib = QString::fromLatin1(nghttp2_strerror(libError));
    Stream *st = stream(frame.hd.stream_id);
    // nghttp2 does not report these through on_frame_recv; an inspector must still show them.
    const EventScope sc = scope(st, frame.hd.stream_id);
    if (frame.hd.type == NGHTTP2_HEADERS || frame.hd.type == NGHTTP2_PUSH_PROMISE) {
        traceHeaderBlock(frame, sc, lib);
    } else {
        m_splitter.markReported();
        FieldWriter w = m_trace->record(EventType::H2Frame, sc, Direction::In);
        H2FrameTrace::describe(w, frame);
        w.text(Field::Invalid, lib);
    }
    if (st && st->resetReason.isEmpty()) {
        st->resetReason = QStringLiteral("invalid %1 frame: %2")
                              .arg(H2FrameTrace::frameTypeName(frame.hd.type), lib);
    }
    // Used if nghttp2 now ends the connection (it then sends GOAWAY).
    m_lastInvalid = H2ErrorText::invalidFrame(frame.hd.type, frame.hd.stream_id, st != nullptr,
                                              nghttp2_session_get_next_stream_id(m_session));
    if (frame.hd.type == NGHTTP2_WINDOW_UPDATE && libError == NGHTTP2_ERR_FLOW_CONTROL) {
        // nghttp2 says only "Flow control error": the increment is what broke it.
        const QString overflow = H2ErrorText::windowOverflow(
            frame.hd.stream_id, frame.window_update.window_size_increment,
            frame.hd.stream_id == 0
                ? nghttp2_session_get_remote_window_size(m_session)
                : nghttp2_session_get_stream_remote_window_size(m_session, frame.hd.stream_id));
        m_lastInvalid = overflow;
        if (st)
            st->resetReason = overflow;
    }
    return 0;
}

int H2Session::onError(int libError, QByteArrayView message)
{
    m_lastLibError = QString::fromLatin1(message);
    if (libError == NGHTTP2_ERR_SETTINGS_EXPECTED) {
        // The server's first frame must be SETTINGS (RFC 9113 §3.4); say what came instead.
        const H2ErrorText::Error error = H2ErrorText::preface(m_firstBytes, m_upgraded);
        setConnectionError(error.code, error.message);
    }
    return 0;
}

ssize_t H2Session::readBody(Stream *st, uint8_t *buf, size_t length, uint32_t *dataFlags)
{
    const qint64 n = qMin<qint64>(qint64(length), st->bodySize - st->bodySent);
    if (st->bodyFile) {
        if (n > 0 && st->bodyFile->read(reinterpret_cast<char *>(buf), n) != n) {
            const QString message =
                QStringLiteral("request body file %1 ended early or could not be read")
                    .arg(st->bodyFile->fileName());
            st->resetReason = message;
            failStream(st, "request-body", message);
            // nghttp2 resets the stream (INTERNAL_ERROR).
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        }
    } else if (n > 0) {
        std::memcpy(buf, st->body.constData() + st->bodySent, size_t(n));
    }
    st->bodySent += n;
    if (st->bodySent >= st->bodySize) {
        *dataFlags |= NGHTTP2_DATA_FLAG_EOF;
        st->bodyFile.reset();
    }
    return ssize_t(n);
}

} // namespace hopscope
