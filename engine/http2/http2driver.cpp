#include "http2/http2driver.h"

#include "core/exchange.h"
#include "http1/http1requestwriter.h"
#include "http2/h2frametrace.h"
#include "net/connection.h"
#include "trace/tracefields.h"
#include "trace/tracestore.h"

#include <QAbstractSocket>
#include <QCborArray>
#include <QFile>
#include <QPointer>

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace hopscope {

namespace {

constexpr qint64 kWriteHighWater = 1024 * 1024; // bounds Qt's write buffer for uploads
constexpr qint32 kMaxWindow = 0x7fffffff;       // RFC 9113 §6.9.1
constexpr quint32 kMinFrameSize = 16384;        // RFC 9113 §6.5.2
constexpr quint32 kMaxFrameSize = 16777215;

std::vector<nghttp2_settings_entry> settingsEntries(const Http2Options &o)
{
    return {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, quint32(qBound(0, o.streamWindow, kMaxWindow))},
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, o.maxConcurrentStreams},
        {NGHTTP2_SETTINGS_MAX_FRAME_SIZE, qBound(kMinFrameSize, o.maxFrameSize, kMaxFrameSize)},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, o.maxHeaderListSize},
    };
}

bool isConnectionSpecific(const QByteArray &name)
{
    // RFC 9113 §8.2.2; Host becomes :authority.
    static const char *const names[] = {"connection",        "keep-alive", "proxy-connection",
                                        "transfer-encoding", "upgrade",    "host"};
    for (const char *n : names) {
        if (name.compare(n, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

nghttp2_nv makeNv(const QByteArray &name, const QByteArray &value)
{
    // nghttp2 copies names and values on submit, so pointing at temporaries is fine.
    return nghttp2_nv{reinterpret_cast<uint8_t *>(const_cast<char *>(name.constData())),
                      reinterpret_cast<uint8_t *>(const_cast<char *>(value.constData())),
                      size_t(name.size()), size_t(value.size()), NGHTTP2_NV_FLAG_NONE};
}

// Per-stream state, found through nghttp2's stream user data.
struct Stream
{
    Exchange *ex = nullptr; // null once finished: the client may delete it from then on
    qint32 id = -1;
    quint32 req = 0; // the exchange id, kept for trace scopes after ex is gone
    qint64 headerBytes = 0;
    HeaderList block; // the header block being received
    bool finalResponse = false;
    bool remoteEnded = false; // END_STREAM received
    bool gotFrame = false;
    // Request body: from memory (implicitly shared, no copy) or a file, read as nghttp2 asks.
    QByteArray body;
    std::unique_ptr<QFile> bodyFile;
    qint64 bodySize = 0;
    qint64 bodySent = 0;
    bool rstReceived = false;
    bool rstSent = false;
    quint32 rstCode = 0;
    QString resetReason; // why we reset it, when nghttp2 or we knew
};

// A frame header as the server sent it.
struct WireFrame
{
    quint8 type = 0;
    quint8 flags = 0;
    quint32 length = 0;
    qint32 stream = 0;
};

class Session
{
public:
    Session(Http2Driver *q, Connection *conn, const Http2Options &opts);
    ~Session();

    void startPriorKnowledge();
    void startAfterUpgrade(Exchange *upgraded, const QByteArray &settings, QByteArrayView leftover);
    bool canSubmit() const;
    bool isReusable() const;
    int inFlight() const { return m_inFlight; }
    void submit(Exchange *ex);
    void abort(const QByteArray &code, const QString &message);
    quint32 peerMaxConcurrentStreams() const;

    // nghttp2 callbacks
    int onBeginFrame(const nghttp2_frame_hd &hd);
    int onBeginHeaders(const nghttp2_frame &frame);
    int onHeader(const nghttp2_frame &frame, QByteArrayView name, QByteArrayView value);
    int onFrameRecv(const nghttp2_frame &frame);
    int onDataChunk(qint32 streamId, const uint8_t *data, size_t len);
    int onStreamClose(qint32 streamId, quint32 errorCode);
    int onFrameSend(const nghttp2_frame &frame);
    int onFrameNotSend(const nghttp2_frame &frame, int libError);
    int onInvalidFrameRecv(const nghttp2_frame &frame, int libError);
    int onError(int libError, QByteArrayView message);
    ssize_t readBody(Stream *st, uint8_t *buf, size_t length, uint32_t *dataFlags);

private:
    Stream *stream(qint32 id) const;
    EventScope scope(const Stream *st, qint32 streamId) const
    {
        return {m_conn->id(), st ? st->req : 0, streamId};
    }
    void attachSocket();
    void sendInitialSettings(bool submitSettings);
    void onReadyRead();
    void readAvailable();
    void onBytesWritten();
    void onDisconnected();
    void onIdleTimeout();
    bool feed(const uint8_t *data, size_t len);
    bool recv(const uint8_t *data, size_t len);
    void wireFrameDone();
    QList<WireFrame> takeWireFrames();
    void traceDiscardedFrames();
    // invalid: nghttp2's reason when it rejected the block, else empty.
    void traceHeaderBlock(const nghttp2_frame &frame, const EventScope &sc, const QString &invalid);
    QString describeInvalid(const nghttp2_frame &frame) const;
    static QString bodyProgress(const Stream *st);
    void pumpSend();
    void afterIo();
    void settle();
    void sessionDone();
    void touchIdle();
    void handleHeaders(Stream *st, const nghttp2_frame &frame);
    void handleGoaway(const nghttp2_frame &frame);
    void completeStream(Stream *st);
    void failStream(Stream *st, const QByteArray &code, const QString &message,
                    bool retryable = false, bool recordError = true);
    void setConnectionError(const QByteArray &code, const QString &message);
    void setPrefaceError();
    void failConnection(const QByteArray &code, const QString &message);
    void closeConnection(const QString &reason);
    void emitPending();
    QString goawaySuffix() const;
    qint64 now() const { return m_trace->elapsedNs(); }

    Http2Driver *q;
    Connection *m_conn;
    TraceStore *m_trace;
    Http2Options m_opts;
    nghttp2_session *m_session = nullptr;
    std::unordered_map<qint32, std::unique_ptr<Stream>> m_streams;
    QByteArray m_outBuffer;
    QTimer m_idleTimer;
    QList<std::pair<Exchange *, bool>> m_finishedQueue;
    int m_inFlight = 0;
    int m_completed = 0;
    bool m_started = false;
    bool m_upgraded = false; // started after a 101 to h2c
    bool m_broken = false;   // nghttp2 returned a fatal error: the session must not be used
    bool m_closed = false;
    bool m_closedEmitted = false;
    bool m_emitting = false;
    bool m_capacityChanged = false;
    bool m_goawayReceived = false;
    bool m_goawaySent = false;
    qint32 m_goawayLastStream = 0;
    quint32 m_goawayError = 0;
    QString m_goawayDebug;
    QByteArray m_connErrorCode; // the first cause of a connection error, kept for every stream
    QString m_connErrorMessage;
    QString m_lastLibError;  // nghttp2's latest explanation (error callback)
    QByteArray m_firstBytes; // start of what the server sent, to recognise an HTTP/1.x answer
    QMetaObject::Connection m_connClosed;
    QString m_lastInvalid; // the latest frame nghttp2 rejected, described for the user

    // Frame boundaries of what the server sends, followed alongside nghttp2: every frame gets
    // its h2.frame event, also the ones nghttp2 drops without a callback (ignored, rejected,
    // the one that ended the session), and header blocks show their CONTINUATIONs.
    uint8_t m_wireHeader[9] = {};
    int m_wireHeaderHave = 0;
    quint32 m_wirePayloadLeft = 0;
    bool m_wireInPayload = false;
    WireFrame m_wire;              // the frame being received
    bool m_wireValid = false;      // its header is complete and it is not traced yet
    bool m_framingTrusted = false; // the server began with SETTINGS: its bytes are frames
    QList<WireFrame> m_wireBlock;  // HEADERS/PUSH_PROMISE and CONTINUATIONs of an open block
};

// --- nghttp2 callbacks: thin trampolines into the Session ----------------------------------

Session *self(void *userData)
{
    return static_cast<Session *>(userData);
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
    return self(u)->readBody(static_cast<Stream *>(source->ptr), buf, length, dataFlags);
}

// --- Session --------------------------------------------------------------------------------

Session::Session(Http2Driver *driver, Connection *conn, const Http2Options &opts)
    : q(driver), m_conn(conn), m_trace(conn->trace()), m_opts(opts)
{
    m_idleTimer.setSingleShot(true);
    QObject::connect(&m_idleTimer, &QTimer::timeout, q, [this] { onIdleTimeout(); });

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

    nghttp2_option *option = nullptr;
    nghttp2_option_new(&option);
    nghttp2_option_set_max_continuations(option, size_t(qMax(0, m_opts.maxContinuations)));
    for (int type = NGHTTP2_CONTINUATION + 1; type <= 0xff; ++type)
        nghttp2_option_set_user_recv_extension_type(option, uint8_t(type));

    const int rv = nghttp2_session_client_new2(&m_session, cbs, this, option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(cbs);
    if (rv != 0) {
        m_session = nullptr;
        m_broken = true;
        setConnectionError("h2-session", QStringLiteral("cannot create the HTTP/2 session: %1")
                                             .arg(QString::fromLatin1(nghttp2_strerror(rv))));
    }
}

Session::~Session()
{
    if (m_session)
        nghttp2_session_del(m_session);
}

Stream *Session::stream(qint32 id) const
{
    if (!m_session || id <= 0)
        return nullptr;
    return static_cast<Stream *>(nghttp2_session_get_stream_user_data(m_session, id));
}

void Session::attachSocket()
{
    // Connected only now: before a switch the socket still belongs to the HTTP/1.1 driver.
    QAbstractSocket *s = m_conn->socket();
    QObject::connect(s, &QAbstractSocket::readyRead, q, [this] { onReadyRead(); });
    QObject::connect(s, &QAbstractSocket::bytesWritten, q, [this] { onBytesWritten(); });
    QObject::connect(s, &QAbstractSocket::disconnected, q, [this] { onDisconnected(); });
    m_connClosed = QObject::connect(m_conn, &Connection::closed, q, [this](const QString &reason) {
        // Closed from outside (the pool, the client's shutdown): nothing more will arrive.
        if (m_closed)
            return;
        if (m_inFlight > 0)
            failConnection("connection-closed",
                           QStringLiteral("connection closed: %1").arg(reason));
        else
            closeConnection(reason);
        emitPending();
    });
}

void Session::sendInitialSettings(bool submitSettings)
{
    if (submitSettings) {
        const auto iv = settingsEntries(m_opts);
        const int rv = nghttp2_submit_settings(m_session, NGHTTP2_FLAG_NONE, iv.data(), iv.size());
        if (rv != 0) {
            setConnectionError("h2-session", QStringLiteral("cannot submit SETTINGS: %1")
                                                 .arg(QString::fromLatin1(nghttp2_strerror(rv))));
            return;
        }
    }
    // The connection window is raised at once; 64 KiB would throttle every download.
    if (m_opts.connectionWindow > NGHTTP2_INITIAL_CONNECTION_WINDOW_SIZE) {
        nghttp2_session_set_local_window_size(m_session, NGHTTP2_FLAG_NONE, 0,
                                              qMin(m_opts.connectionWindow, kMaxWindow));
    }
}

void Session::startPriorKnowledge()
{
    if (m_started)
        return;
    m_started = true;
    if (!m_session || !m_conn->isOpen()) {
        failConnection(m_connErrorCode.isEmpty() ? QByteArray("h2-session") : m_connErrorCode,
                       m_connErrorMessage.isEmpty() ? QStringLiteral("the connection is not open")
                                                    : m_connErrorMessage);
        emitPending();
        return;
    }
    attachSocket();
    sendInitialSettings(true); // nghttp2 puts the client preface in front by itself
    pumpSend();
    // Bytes that arrived before we were attached (a TLS server's SETTINGS right after the
    // handshake) never raise readyRead again. Queued, so the caller can submit first.
    if (m_conn->socket()->bytesAvailable() > 0)
        QMetaObject::invokeMethod(
            q, [this] { onReadyRead(); }, Qt::QueuedConnection);
    afterIo();
}

void Session::startAfterUpgrade(Exchange *upgraded, const QByteArray &settings,
                                QByteArrayView leftover)
{
    if (m_started)
        return;
    m_started = true;
    m_upgraded = true;
    auto st = std::make_unique<Stream>();
    st->ex = upgraded;
    st->id = 1;
    st->req = upgraded->id();
    upgraded->connectionId = m_conn->id();
    upgraded->stream = 1;
    upgraded->protocol = "h2";
    upgraded->setState(Exchange::State::Waiting);
    if (upgraded->timings.sendEnd < 0)
        upgraded->timings.sendEnd = now();
    Stream *raw = st.get();
    m_streams.emplace(1, std::move(st));
    ++m_inFlight;
    if (!m_session || !m_conn->isOpen()) {
        failConnection("h2-session", m_connErrorMessage.isEmpty()
                                         ? QStringLiteral("the connection is not open")
                                         : m_connErrorMessage);
        emitPending();
        return;
    }
    attachSocket();
    const bool head = upgraded->spec().method.compare("HEAD", Qt::CaseInsensitive) == 0;
    // Unlike a server, a client's nghttp2_session_upgrade2 submits the SETTINGS of the payload
    // itself; submitting them again would only send a second, identical SETTINGS frame.
    const int rv =
        nghttp2_session_upgrade2(m_session, reinterpret_cast<const uint8_t *>(settings.constData()),
                                 size_t(settings.size()), head ? 1 : 0, raw);
    if (rv != 0) {
        failConnection("h2-upgrade",
                       QStringLiteral("cannot continue as HTTP/2 after the 101: %1 (settings "
                                      "payload of %2 bytes)")
                           .arg(QString::fromLatin1(nghttp2_strerror(rv)))
                           .arg(settings.size()));
        emitPending();
        return;
    }
    sendInitialSettings(false);
    pumpSend();
    if (!leftover.isEmpty()) {
        m_trace->record(EventType::NetRead, m_conn->scope(), Direction::In)
            .integer(Field::Bytes, leftover.size())
            .boolean(Field::Leftover, true);
        if (feed(reinterpret_cast<const uint8_t *>(leftover.data()), size_t(leftover.size())))
            pumpSend();
    }
    touchIdle();
    // readyRead is not raised again for what Qt already holds: read it now.
    if (!m_closed && !m_broken)
        onReadyRead();
    else
        afterIo();
}

bool Session::isReusable() const
{
    return m_started && !m_closed && !m_broken && m_session && m_conn->isOpen() &&
           !m_goawayReceived && !m_goawaySent && m_connErrorMessage.isEmpty();
}

bool Session::canSubmit() const
{
    return isReusable() && m_streams.size() < size_t(peerMaxConcurrentStreams());
}

quint32 Session::peerMaxConcurrentStreams() const
{
    if (!m_session)
        return 0;
    return nghttp2_session_get_remote_settings(m_session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

void Session::submit(Exchange *ex)
{
    ex->connectionId = m_conn->id();
    ex->protocol = "h2";
    ex->setState(Exchange::State::Sending);
    auto st = std::make_unique<Stream>();
    st->ex = ex;
    st->req = ex->id();
    ++m_inFlight;
    if (!isReusable()) {
        // Nothing was sent: another connection can take it.
        const QString why = m_goawayReceived ? QStringLiteral("the server sent GOAWAY")
                                             : QStringLiteral("the connection is closed");
        failStream(st.get(), "h2-unavailable", QStringLiteral("request not sent: %1").arg(why),
                   true);
        emitPending();
        return;
    }

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
            emitPending();
            return;
        }
        st->bodySize = st->bodyFile->size();
    }

    // The HTTP/1.1 writer's defaults and override rules ("Accept:" removes a default), then
    // HTTP/2's shape: pseudo-headers first, lower-case names, no connection-specific fields.
    const Http1RequestHead head = Http1RequestWriter::build(spec, st->bodySize);
    const QByteArray path = spec.targetOverride.isEmpty()
                                ? Http1RequestWriter::requestTarget(spec.url)
                                : spec.targetOverride;
    const QByteArray scheme = spec.url.scheme().toLower().toLatin1();
    const QByteArray authority = headerValue(head.headers, "Host");
    HeaderList fields{{":method", spec.method}, {":scheme", scheme}};
    if (hasHeader(head.headers, "Host"))
        fields.append({":authority", authority});
    fields.append({":path", path});
    for (const HttpHeader &h : head.headers) {
        if (!isConnectionSpecific(h.name))
            fields.append({h.name.toLower(), h.value});
    }
    std::vector<nghttp2_nv> nva;
    nva.reserve(size_t(fields.size()));
    for (const HttpHeader &h : fields)
        nva.push_back(makeNv(h.name, h.value));

    nghttp2_data_provider provider{};
    provider.source.ptr = st.get();
    provider.read_callback = cbReadBody;
    ex->timings.sendStart = now();
    const int32_t id = nghttp2_submit_request(m_session, nullptr, nva.data(), nva.size(),
                                              st->bodySize > 0 ? &provider : nullptr, st.get());
    if (id < 0) {
        failStream(st.get(), "h2-submit",
                   QStringLiteral("cannot submit the request as an HTTP/2 stream: %1")
                       .arg(QString::fromLatin1(nghttp2_strerror(id))),
                   id == NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE);
        emitPending();
        return;
    }
    st->id = id;
    ex->stream = id;
    m_streams.emplace(id, std::move(st));
    touchIdle();
    pumpSend();
    afterIo();
}

void Session::abort(const QByteArray &code, const QString &message)
{
    if (m_closed)
        return;
    if (m_session && !m_broken) {
        // Tell the server we are going away; closeConnection() flushes it out.
        nghttp2_session_terminate_session(m_session, NGHTTP2_NO_ERROR);
    }
    failConnection(code, message);
    emitPending();
}

// --- I/O --------------------------------------------------------------------------------------

void Session::touchIdle()
{
    if (m_inFlight > 0 && m_opts.idleMs > 0 && !m_closed)
        m_idleTimer.start(m_opts.idleMs);
}

void Session::onReadyRead()
{
    if (m_closed || m_broken)
        return;
    readAvailable();
    afterIo();
}

// Reads and processes what the socket holds; emits nothing.
void Session::readAvailable()
{
    QAbstractSocket *s = m_conn->socket();
    while (!m_closed && !m_broken && s->bytesAvailable() > 0) {
        // readAll() hands over Qt's ring-buffer chunks without copying them (read(char *, n)
        // copies every byte once more); what it returns is only what one notification
        // buffered, so memory stays bounded by the socket's own reads.
        const QByteArray chunk = s->readAll();
        const qint64 n = chunk.size();
        if (n <= 0)
            break;
        m_conn->touch();
        touchIdle();
        m_trace->record(EventType::NetRead, m_conn->scope(), Direction::In)
            .integer(Field::Bytes, n);
        if (!feed(reinterpret_cast<const uint8_t *>(chunk.constData()), size_t(n)))
            break;
        pumpSend();
        // After a connection error nghttp2 reads nothing more; what follows is ignored.
        if (!m_broken && !nghttp2_session_want_read(m_session))
            break;
    }
}

// Hands nghttp2 the bytes frame by frame (one call per completed frame, the rest of a partial
// one at the end), so that after each call it is known whether nghttp2 reported that frame.
bool Session::feed(const uint8_t *data, size_t len)
{
    if (m_firstBytes.isEmpty())
        m_firstBytes = QByteArray(reinterpret_cast<const char *>(data), qMin<qsizetype>(len, 64));
    size_t off = 0;
    size_t segment = 0;
    while (off < len) {
        if (!m_wireInPayload) {
            const size_t take = qMin(size_t(9 - m_wireHeaderHave), len - off);
            std::memcpy(m_wireHeader + m_wireHeaderHave, data + off, take);
            m_wireHeaderHave += int(take);
            off += take;
            if (m_wireHeaderHave < 9)
                break;
            const uint8_t *h = m_wireHeader;
            m_wire.length = (quint32(h[0]) << 16) | (quint32(h[1]) << 8) | h[2];
            m_wire.type = h[3];
            m_wire.flags = h[4];
            m_wire.stream = qint32(
                ((quint32(h[5]) << 24) | (quint32(h[6]) << 16) | (quint32(h[7]) << 8) | h[8]) &
                0x7fffffff);
            m_wireHeaderHave = 0;
            m_wirePayloadLeft = m_wire.length;
            m_wireInPayload = true;
            m_wireValid = true;
        }
        const size_t take = qMin(size_t(m_wirePayloadLeft), len - off);
        off += take;
        m_wirePayloadLeft -= quint32(take);
        if (m_wirePayloadLeft > 0)
            break;
        m_wireInPayload = false;
        if (!recv(data + segment, off - segment))
            return false;
        segment = off;
        wireFrameDone();
        // After a connection error nghttp2 ignores everything; so do we.
        if (!nghttp2_session_want_read(m_session))
            return true;
    }
    return segment < len ? recv(data + segment, len - segment) : true;
}

void Session::wireFrameDone()
{
    if (!m_wireValid)
        return; // traced by nghttp2's callbacks
    const bool block = m_wire.type == NGHTTP2_HEADERS || m_wire.type == NGHTTP2_PUSH_PROMISE ||
                       m_wire.type == NGHTTP2_CONTINUATION;
    if (block && !(m_wire.flags & NGHTTP2_FLAG_END_HEADERS)) {
        m_wireBlock.append(m_wire); // reported, if at all, when the block ends
        m_wireValid = false;
        return;
    }
    traceDiscardedFrames();
}

QList<WireFrame> Session::takeWireFrames()
{
    QList<WireFrame> frames = std::exchange(m_wireBlock, {});
    if (m_wireValid)
        frames.append(m_wire);
    m_wireValid = false;
    return frames;
}

// Frames nghttp2 took in without reporting them: ignored (DATA for a reset stream), rejected, or
// the one that ended the session. Shown with what the frame header says.
void Session::traceDiscardedFrames()
{
    const QList<WireFrame> frames = takeWireFrames();
    if (!m_framingTrusted)
        return; // not HTTP/2 at all: its bytes are no frames
    for (const WireFrame &f : frames) {
        FieldWriter w =
            m_trace->record(EventType::H2Frame, scope(stream(f.stream), f.stream), Direction::In);
        H2FrameTrace::writeFrameAndFlags(w, f.type, f.flags);
        w.integer(Field::Length, qint64(f.length)).boolean(Field::Discarded, true);
    }
}

// A header block's frames as on the wire: nghttp2 reports HEADERS and its CONTINUATIONs as one.
void Session::traceHeaderBlock(const nghttp2_frame &frame, const EventScope &sc,
                               const QString &invalid)
{
    const QList<WireFrame> frames = takeWireFrames();
    const WireFrame first =
        frames.isEmpty()
            ? WireFrame{frame.hd.type, frame.hd.flags, quint32(frame.hd.length), frame.hd.stream_id}
            : frames.first();
    FieldWriter w = m_trace->record(EventType::H2Frame, sc, Direction::In);
    H2FrameTrace::describe(w, frame, first.flags, first.length);
    if (!invalid.isEmpty())
        w.text(Field::Invalid, invalid);
    for (qsizetype i = 1; i < frames.size(); ++i) {
        FieldWriter next = m_trace->record(EventType::H2Frame, sc, Direction::In);
        H2FrameTrace::writeFrameAndFlags(next, frames[i].type, frames[i].flags);
        next.integer(Field::Length, qint64(frames[i].length));
    }
}

bool Session::recv(const uint8_t *data, size_t len)
{
    const ssize_t rv = nghttp2_session_mem_recv(m_session, data, len);
    if (rv >= 0)
        return true;
    m_broken = true;
    traceDiscardedFrames(); // the frame that broke the session
    const QString lib = QString::fromLatin1(nghttp2_strerror(int(rv)));
    if (rv == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS) {
        setConnectionError("limit:maxContinuations",
                           QStringLiteral("the server sent more than %1 CONTINUATION frames for "
                                          "one header block (limit maxContinuations)")
                               .arg(m_opts.maxContinuations));
    } else if (rv == NGHTTP2_ERR_FLOODED) {
        setConnectionError("h2-flood",
                           QStringLiteral("the server flooded the connection with frames that "
                                          "need an answer (SETTINGS or PING): %1")
                               .arg(lib));
    } else {
        QString message = QStringLiteral("HTTP/2 session error: %1").arg(lib);
        if (!m_lastLibError.isEmpty())
            message += QStringLiteral(" (%1)").arg(m_lastLibError);
        setConnectionError("h2-protocol", message);
    }
    return false;
}

void Session::pumpSend()
{
    if (m_closed || m_broken || !m_session)
        return;
    QAbstractSocket *s = m_conn->socket();
    if (!s || m_conn->state() == Connection::State::Closed ||
        s->state() != QAbstractSocket::ConnectedState)
        return; // nowhere to write; nghttp2 keeps what it has
    m_outBuffer.resize(0);
    // Bounded, so that a large upload streams from its file instead of piling up in memory;
    // bytesWritten() brings us back.
    while (s->bytesToWrite() + m_outBuffer.size() < kWriteHighWater) {
        const uint8_t *data = nullptr;
        const ssize_t n = nghttp2_session_mem_send(m_session, &data);
        if (n < 0) {
            m_broken = true;
            setConnectionError("h2-session",
                               QStringLiteral("HTTP/2 session error while sending: %1")
                                   .arg(QString::fromLatin1(nghttp2_strerror(int(n)))));
            break;
        }
        if (n == 0)
            break;
        m_outBuffer.append(reinterpret_cast<const char *>(data), qsizetype(n));
    }
    if (m_outBuffer.isEmpty())
        return;
    s->write(m_outBuffer);
    m_conn->touch();
    touchIdle();
    m_trace->record(EventType::NetWrite, m_conn->scope(), Direction::Out)
        .integer(Field::Bytes, m_outBuffer.size());
}

void Session::onBytesWritten()
{
    if (m_closed)
        return;
    m_conn->touch();
    touchIdle();
    pumpSend();
    afterIo();
}

void Session::onDisconnected()
{
    // Closed by our side (Connection::close aborts the socket): the closed() handler reports it.
    if (m_closed || m_conn->state() == Connection::State::Closed)
        return;
    // What Qt still holds came before the close: a complete response may be in it.
    if (m_conn->socket()->bytesAvailable() > 0 && !m_broken) {
        readAvailable();
        settle();
    }
    if (m_closed) {
        emitPending();
        return;
    }
    if (!m_connErrorMessage.isEmpty()) {
        failConnection(m_connErrorCode, m_connErrorMessage);
    } else if (m_inFlight > 0) {
        QString message = QStringLiteral("connection closed by the server with %1 stream%2 open")
                              .arg(m_inFlight)
                              .arg(m_inFlight == 1 ? "" : "s");
        if (m_goawayReceived)
            message += QStringLiteral(" (after %1)").arg(goawaySuffix());
        else if (!m_lastLibError.isEmpty())
            message += QStringLiteral(" (last HTTP/2 error: %1)").arg(m_lastLibError);
        const QAbstractSocket *s = m_conn->socket();
        if (s->error() != QAbstractSocket::RemoteHostClosedError &&
            s->error() != QAbstractSocket::UnknownSocketError)
            message += QStringLiteral(" (%1)").arg(s->errorString());
        // Like a closed keep-alive connection in HTTP/1.1: a stream that got nothing back on a
        // connection that already served responses may be retried elsewhere.
        const bool reused = m_completed > 0;
        m_trace->record(EventType::Error, {m_conn->id(), 0, 0})
            .value(Field::Message, message)
            .value(Field::Code, QStringLiteral("connection-closed"));
        std::vector<Stream *> open;
        for (const auto &[id, st] : m_streams) {
            if (st->ex)
                open.push_back(st.get());
        }
        for (Stream *st : open)
            failStream(st, "connection-closed", message, reused && !st->gotFrame, false);
        closeConnection(QStringLiteral("closed by peer"));
    } else {
        closeConnection(QStringLiteral("closed by peer"));
    }
    emitPending();
}

void Session::onIdleTimeout()
{
    if (m_closed || m_inFlight == 0)
        return;
    if (m_session && !m_broken)
        nghttp2_session_terminate_session(m_session, NGHTTP2_CANCEL);
    failConnection("timeout", QStringLiteral("idle timeout: no data for %1 s with %2 stream%3 open "
                                             "(--idle-timeout)")
                                  .arg(m_opts.idleMs / 1000.0)
                                  .arg(m_inFlight)
                                  .arg(m_inFlight == 1 ? "" : "s"));
    emitPending();
}

void Session::afterIo()
{
    settle();
    emitPending();
}

// Acts on what the last I/O left: a failed or finished session closes. Emits nothing.
void Session::settle()
{
    if (!m_closed) {
        if (m_broken)
            failConnection(m_connErrorCode.isEmpty() ? QByteArray("h2-session") : m_connErrorCode,
                           m_connErrorMessage.isEmpty() ? QStringLiteral("HTTP/2 session failed")
                                                        : m_connErrorMessage);
        else if (m_session && !nghttp2_session_want_read(m_session) &&
                 !nghttp2_session_want_write(m_session))
            sessionDone();
    }
    if (m_inFlight == 0)
        m_idleTimer.stop();
}

// nghttp2 wants neither to read nor to write: a GOAWAY went out or came in and nothing is left.
void Session::sessionDone()
{
    if (!m_connErrorMessage.isEmpty()) {
        failConnection(m_connErrorCode, m_connErrorMessage);
        return;
    }
    if (m_goawayReceived) {
        if (m_inFlight > 0) {
            failConnection("h2-goaway:" + H2FrameTrace::errorCodeName(m_goawayError).toLatin1(),
                           QStringLiteral("connection ended after %1").arg(goawaySuffix()));
            return;
        }
        closeConnection(QStringLiteral("%1; nothing left in flight").arg(goawaySuffix()));
        return;
    }
    if (m_goawaySent) {
        closeConnection(QStringLiteral("GOAWAY sent"));
        return;
    }
    failConnection("h2-session",
                   m_lastLibError.isEmpty()
                       ? QStringLiteral("HTTP/2 session ended unexpectedly")
                       : QStringLiteral("HTTP/2 session ended: %1").arg(m_lastLibError));
}

QString Session::bodyProgress(const Stream *st)
{
    if (!st->ex || !st->finalResponse)
        return {};
    const Exchange *ex = st->ex;
    bool known = false;
    const qint64 total = headerValue(ex->responseHeaders, "content-length").toLongLong(&known);
    if (known)
        return QStringLiteral(" after %1 of %2 body bytes").arg(ex->wireBodyBytes()).arg(total);
    return QStringLiteral(" after %1 body bytes").arg(ex->wireBodyBytes());
}

QString Session::goawaySuffix() const
{
    QString s = QStringLiteral("GOAWAY %1, last stream %2")
                    .arg(H2FrameTrace::errorCodeName(m_goawayError))
                    .arg(m_goawayLastStream);
    if (!m_goawayDebug.isEmpty())
        s += QStringLiteral(", debug \"%1\"").arg(m_goawayDebug);
    return s;
}

// --- Finishing --------------------------------------------------------------------------------

void Session::completeStream(Stream *st)
{
    Exchange *ex = st->ex;
    ex->timings.end = now();
    // A decode or output error during the body already failed the exchange.
    if (ex->isFinished() || !ex->finishBody()) {
        failStream(st, ex->errorCode(), ex->error());
        return;
    }
    ex->setState(Exchange::State::Complete);
    st->ex = nullptr;
    --m_inFlight;
    ++m_completed;
    recordResponseComplete(m_trace, scope(st, st->id), *ex);
    m_finishedQueue.append({ex, false});
}

void Session::failStream(Stream *st, const QByteArray &code, const QString &message, bool retryable,
                         bool recordError)
{
    Exchange *ex = st->ex;
    if (!ex)
        return;
    st->ex = nullptr;
    --m_inFlight;
    if (ex->timings.end < 0)
        ex->timings.end = now();
    ex->setState(Exchange::State::Queued); // fail() only acts on unfinished exchanges
    ex->fail(code, message);
    // Every failure is an `error` in the trace, also one the client may retry elsewhere.
    if (recordError) {
        m_trace->record(EventType::Error, scope(st, st->id))
            .value(Field::Message, message)
            .atom(Field::Code, code);
    }
    m_finishedQueue.append({ex, retryable});
}

void Session::setConnectionError(const QByteArray &code, const QString &message)
{
    if (m_connErrorMessage.isEmpty()) {
        m_connErrorCode = code;
        m_connErrorMessage = message;
    }
}

void Session::failConnection(const QByteArray &code, const QString &message)
{
    if (m_closed)
        return;
    m_trace->record(EventType::Error, {m_conn->id(), 0, 0})
        .value(Field::Message, message)
        .atom(Field::Code, code);
    std::vector<Stream *> open;
    for (const auto &[id, st] : m_streams) {
        if (st->ex)
            open.push_back(st.get());
    }
    std::sort(open.begin(), open.end(), [](Stream *a, Stream *b) { return a->id < b->id; });
    for (Stream *st : open)
        failStream(st, code, message, false, false);
    closeConnection(message);
}

void Session::closeConnection(const QString &reason)
{
    if (m_closed)
        return;
    traceDiscardedFrames(); // a frame cut short, or the one that ended the session
    // Let a pending GOAWAY (ours, with the reason) leave before the socket goes.
    pumpSend();
    m_closed = true;
    m_idleTimer.stop();
    QAbstractSocket *s = m_conn->socket();
    if (s) {
        s->flush();
        s->disconnect(q);
    }
    QObject::disconnect(m_connClosed);
    if (m_conn->state() != Connection::State::Closed)
        m_conn->close(reason);
}

// Signals go out only from here, never from inside nghttp2: a slot may submit, abort or delete.
void Session::emitPending()
{
    if (m_emitting)
        return;
    m_emitting = true;
    const QPointer<Http2Driver> guard(q);
    while (!m_finishedQueue.isEmpty()) {
        const auto [ex, retryable] = m_finishedQueue.takeFirst();
        emit q->finished(ex, retryable);
        if (!guard)
            return;
    }
    if (m_capacityChanged && !m_closed) {
        m_capacityChanged = false;
        if (isReusable()) {
            emit q->capacityAvailable();
            if (!guard)
                return;
        }
    }
    if (m_closed && !m_closedEmitted) {
        m_closedEmitted = true;
        emit q->closed();
        if (!guard)
            return;
    }
    m_emitting = false;
}

// --- Frames -----------------------------------------------------------------------------------

int Session::onBeginFrame(const nghttp2_frame_hd &hd)
{
    if (hd.type == NGHTTP2_PUSH_PROMISE) {
        // nghttp2 only rejects it once the server acknowledged ENABLE_PUSH=0; we never accept it.
        setConnectionError("h2-push",
                           QStringLiteral("server sent PUSH_PROMISE although push is disabled "
                                          "(SETTINGS_ENABLE_PUSH=0)"));
        nghttp2_session_terminate_session(m_session, NGHTTP2_PROTOCOL_ERROR);
    }
    if (Stream *st = stream(hd.stream_id); st && !st->gotFrame) {
        st->gotFrame = true;
        if (st->ex && st->ex->timings.firstByte < 0)
            st->ex->timings.firstByte = now();
    }
    return 0;
}

int Session::onBeginHeaders(const nghttp2_frame &frame)
{
    if (frame.hd.type != NGHTTP2_HEADERS)
        return 0;
    if (Stream *st = stream(frame.hd.stream_id))
        st->block.clear();
    return 0;
}

int Session::onHeader(const nghttp2_frame &frame, QByteArrayView name, QByteArrayView value)
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

int Session::onFrameRecv(const nghttp2_frame &frame)
{
    const qint32 sid = frame.hd.stream_id;
    Stream *st = stream(sid);
    const quint8 type = frame.hd.type;
    const bool headerBlock = type == NGHTTP2_HEADERS || type == NGHTTP2_PUSH_PROMISE;
    const EventScope sc = scope(st, sid);
    if (headerBlock) {
        traceHeaderBlock(frame, sc, {});
    } else {
        m_wireValid = false;
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
        break;
    case NGHTTP2_RST_STREAM:
        if (st) {
            st->rstReceived = true;
            st->rstCode = frame.rst_stream.error_code;
        }
        break;
    case NGHTTP2_SETTINGS:
        if (!(frame.hd.flags & NGHTTP2_FLAG_ACK))
            m_capacityChanged = true; // MAX_CONCURRENT_STREAMS may have grown
        break;
    case NGHTTP2_GOAWAY:
        handleGoaway(frame);
        break;
    default:
        break;
    }
    return 0;
}

void Session::handleHeaders(Stream *st, const nghttp2_frame &frame)
{
    if (!st)
        return;
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

void Session::handleGoaway(const nghttp2_frame &frame)
{
    m_goawayReceived = true;
    m_goawayLastStream = frame.goaway.last_stream_id;
    m_goawayError = frame.goaway.error_code;
    m_goawayDebug = H2FrameTrace::printable(
        QByteArrayView(reinterpret_cast<const char *>(frame.goaway.opaque_data),
                       qsizetype(frame.goaway.opaque_data_len)));
    const QByteArray code = "h2-goaway:" + H2FrameTrace::errorCodeName(m_goawayError).toLatin1();
    if (m_goawayError != NGHTTP2_NO_ERROR) {
        m_trace->record(EventType::Error, {m_conn->id(), 0, 0})
            .value(Field::Message, QStringLiteral("server sent %1").arg(goawaySuffix()))
            .atom(Field::Code, code);
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

int Session::onDataChunk(qint32 streamId, const uint8_t *data, size_t len)
{
    Stream *st = stream(streamId);
    if (!st || !st->ex)
        return 0;
    Exchange *ex = st->ex;
    if (!ex->deliverBody(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(len)))) {
        // A decompression bomb or a full disk: stop this stream, not the connection.
        st->resetReason = ex->error();
        nghttp2_submit_rst_stream(m_session, NGHTTP2_FLAG_NONE, streamId, NGHTTP2_CANCEL);
        failStream(st, ex->errorCode(), ex->error());
    }
    return 0;
}

int Session::onStreamClose(qint32 streamId, quint32 errorCode)
{
    const auto it = m_streams.find(streamId);
    if (it == m_streams.end())
        return 0;
    Stream *st = it->second.get();
    if (st->ex) {
        const QString name = H2FrameTrace::errorCodeName(errorCode);
        if (st->finalResponse && st->remoteEnded) {
            // Complete even if the server then reset the stream (NO_ERROR: "stop sending").
            completeStream(st);
        } else if (st->rstReceived) {
            const bool refused = st->rstCode == NGHTTP2_REFUSED_STREAM && !st->finalResponse;
            failStream(st, "h2-rst:" + name.toLatin1(),
                       QStringLiteral("stream %1 reset by the server: %2%3")
                           .arg(streamId)
                           .arg(name, bodyProgress(st)),
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

int Session::onFrameSend(const nghttp2_frame &frame)
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
            QString message = QStringLiteral("HTTP/2 connection error %1")
                                  .arg(H2FrameTrace::errorCodeName(frame.goaway.error_code));
            if (!m_lastInvalid.isEmpty()) {
                message += QStringLiteral(": ") + m_lastInvalid;
                if (!debug.isEmpty())
                    message += QStringLiteral(" (nghttp2: %1)").arg(debug);
            } else if (!debug.isEmpty()) {
                message += QStringLiteral(": ") + debug;
            } else if (!m_lastLibError.isEmpty()) {
                message += QStringLiteral(": ") + m_lastLibError;
            } else {
                message += QStringLiteral(": the server broke the protocol");
            }
            if (frame.goaway.error_code == NGHTTP2_FRAME_SIZE_ERROR &&
                debug.contains(QLatin1StringView("too large"))) {
                message += QStringLiteral(", over the SETTINGS_MAX_FRAME_SIZE of %1 we announced")
                               .arg(qBound(kMinFrameSize, m_opts.maxFrameSize, kMaxFrameSize));
            }
            setConnectionError("h2-protocol", message + QStringLiteral(" (hopscope sent GOAWAY)"));
        }
        break;
    default:
        break;
    }
    return 0;
}

int Session::onFrameNotSend(const nghttp2_frame &frame, int libError)
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

int Session::onInvalidFrameRecv(const nghttp2_frame &frame, int libError)
{
    const QString lib = QString::fromLatin1(nghttp2_strerror(libError));
    Stream *st = stream(frame.hd.stream_id);
    // nghttp2 does not report these through on_frame_recv; an inspector must still show them.
    const EventScope sc = scope(st, frame.hd.stream_id);
    if (frame.hd.type == NGHTTP2_HEADERS || frame.hd.type == NGHTTP2_PUSH_PROMISE) {
        traceHeaderBlock(frame, sc, lib);
    } else {
        m_wireValid = false;
        FieldWriter w = m_trace->record(EventType::H2Frame, sc, Direction::In);
        H2FrameTrace::describe(w, frame);
        w.text(Field::Invalid, lib);
    }
    if (st && st->resetReason.isEmpty()) {
        st->resetReason = QStringLiteral("invalid %1 frame: %2")
                              .arg(H2FrameTrace::frameTypeName(frame.hd.type), lib);
    }
    // Used if nghttp2 now ends the connection (it then sends GOAWAY).
    m_lastInvalid = describeInvalid(frame);
    return 0;
}

// Which frame broke the rules, in the user's terms: nghttp2's own words describe its state
// machine ("request HEADERS: client received request"), not the server's fault.
QString Session::describeInvalid(const nghttp2_frame &frame) const
{
    const qint32 id = frame.hd.stream_id;
    const QString type = H2FrameTrace::frameTypeName(frame.hd.type);
    if (id == 0 || stream(id))
        return QStringLiteral("%1 frame on stream %2").arg(type).arg(id);
    if (id % 2 == 0) {
        return QStringLiteral("%1 frame on stream %2, an even stream id: only the server opens "
                              "those, by push, which is disabled")
            .arg(type)
            .arg(id);
    }
    if (quint32(id) >= nghttp2_session_get_next_stream_id(m_session)) {
        return QStringLiteral("%1 frame on stream %2, which hopscope never opened (an idle "
                              "stream)")
            .arg(type)
            .arg(id);
    }
    return QStringLiteral("%1 frame on stream %2, which is already closed").arg(type).arg(id);
}

int Session::onError(int libError, QByteArrayView message)
{
    m_lastLibError = QString::fromLatin1(message);
    if (libError == NGHTTP2_ERR_SETTINGS_EXPECTED)
        setPrefaceError();
    return 0;
}

// The server's first frame must be SETTINGS (RFC 9113 §3.4); say what came instead.
void Session::setPrefaceError()
{
    const bool http1 = m_firstBytes.startsWith("HTTP/");
    const QString sent = H2FrameTrace::printable(
        http1 ? m_firstBytes.left(m_firstBytes.indexOf('\r')) : m_firstBytes.left(32));
    if (m_upgraded) {
        setConnectionError(http1 ? "h2-not-spoken" : "h2-preface",
                           QStringLiteral("after the 101 to h2c the server sent %1 (\"%2\") "
                                          "instead of its HTTP/2 SETTINGS")
                               .arg(http1 ? QStringLiteral("an HTTP/1.x response")
                                          : QStringLiteral("bytes that are not HTTP/2"),
                                    sent));
    } else if (http1) {
        setConnectionError("h2-not-spoken",
                           QStringLiteral("the server answered in HTTP/1.x (\"%1\"), not HTTP/2: "
                                          "it does not speak HTTP/2 with prior knowledge here")
                               .arg(sent));
    } else {
        setConnectionError("h2-preface",
                           QStringLiteral("the server did not start with a SETTINGS frame (no "
                                          "HTTP/2 connection preface); it sent \"%1\"")
                               .arg(sent));
    }
}

ssize_t Session::readBody(Stream *st, uint8_t *buf, size_t length, uint32_t *dataFlags)
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

} // namespace

// --- Http2Driver ------------------------------------------------------------------------------

Http2Options Http2Options::fromLimits(const Limits &limits, int idleMs)
{
    Http2Options o;
    o.maxHeaderListSize = quint32(std::clamp<qsizetype>(limits.maxHeaderBytes, 0, 0x7fffffff));
    o.idleMs = idleMs;
    return o;
}

struct Http2Driver::Private
{
    Private(Http2Driver *q, Connection *conn, const Http2Options &opts) : session(q, conn, opts) {}
    Session session;
};

Http2Driver::Http2Driver(Connection *connection, const Http2Options &options, QObject *parent)
    : ProtocolDriver(connection, parent), d(std::make_unique<Private>(this, connection, options))
{
}

Http2Driver::~Http2Driver() = default;

QByteArray Http2Driver::settingsPayload(const Http2Options &options)
{
    const auto iv = settingsEntries(options);
    QByteArray out(qsizetype(iv.size() * 6), Qt::Uninitialized);
    const ssize_t n = nghttp2_pack_settings_payload(reinterpret_cast<uint8_t *>(out.data()),
                                                    size_t(out.size()), iv.data(), iv.size());
    out.resize(n < 0 ? 0 : qsizetype(n));
    return out;
}

void Http2Driver::startPriorKnowledge()
{
    d->session.startPriorKnowledge();
}

void Http2Driver::startAfterUpgrade(Exchange *upgraded, const QByteArray &settings,
                                    QByteArrayView leftover)
{
    d->session.startAfterUpgrade(upgraded, settings, leftover);
}

bool Http2Driver::canSubmit() const
{
    return d->session.canSubmit();
}

bool Http2Driver::isReusable() const
{
    return d->session.isReusable();
}

int Http2Driver::inFlight() const
{
    return d->session.inFlight();
}

void Http2Driver::submit(Exchange *exchange)
{
    d->session.submit(exchange);
}

void Http2Driver::abort(const QByteArray &code, const QString &message)
{
    d->session.abort(code, message);
}

quint32 Http2Driver::peerMaxConcurrentStreams() const
{
    return d->session.peerMaxConcurrentStreams();
}

} // namespace hopscope
