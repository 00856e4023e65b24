#include "http2/h2session.h"

#include "core/exchange.h"
#include "http2/h2errortext.h"
#include "http2/h2frametrace.h"
#include "http2/h2requesthead.h"
#include "net/connection.h"
#include "trace/tracefields.h"

#include <QAbstractSocket>
#include <QPointer>

#include <algorithm>

// The session's life: creating the nghttp2 session, starting it (prior knowledge or after a 101),
// submitting requests, and how streams and the connection fail or finish, with the signals that
// tell the driver's owner. Socket I/O is in h2sessionio.cpp, what nghttp2 reports back in
// h2sessioncallbacks.cpp.

namespace hopscope {

namespace {

nghttp2_nv makeNv(const QByteArray &name, const QByteArray &value)
{
    // nghttp2 copies names and values on submit, so pointing at temporaries is fine.
    return nghttp2_nv{reinterpret_cast<uint8_t *>(const_cast<char *>(name.constData())),
                      reinterpret_cast<uint8_t *>(const_cast<char *>(value.constData())),
                      size_t(name.size()), size_t(value.size()), NGHTTP2_NV_FLAG_NONE};
}

} // namespace

std::vector<nghttp2_settings_entry> H2Session::settingsEntries(const Http2Options &o)
{
    return {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, quint32(qBound(0, o.streamWindow, kMaxWindow))},
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, o.maxConcurrentStreams},
        {NGHTTP2_SETTINGS_MAX_FRAME_SIZE, qBound(kMinFrameSize, o.maxFrameSize, kMaxFrameSize)},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, o.maxHeaderListSize},
    };
}

H2Session::H2Session(Http2Driver *driver, Connection *conn, const Http2Options &opts)
    : q(driver), m_conn(conn), m_trace(conn->trace()), m_opts(opts)
{
    m_idleTimer.setSingleShot(true);
    QObject::connect(&m_idleTimer, &QTimer::timeout, q, [this] { onIdleTimeout(); });

    nghttp2_session_callbacks *cbs = newCallbacks();

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

H2Session::~H2Session()
{
    if (m_session)
        nghttp2_session_del(m_session);
}

H2Session::Stream *H2Session::stream(qint32 id) const
{
    if (!m_session || id <= 0)
        return nullptr;
    return static_cast<Stream *>(nghttp2_session_get_stream_user_data(m_session, id));
}

void H2Session::attachSocket()
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

void H2Session::sendInitialSettings(bool submitSettings)
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

void H2Session::startPriorKnowledge()
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

void H2Session::startAfterUpgrade(Exchange *upgraded, const QByteArray &settings,
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
    // The bytes that came with the 101 were read (and traced as `net.read`) by the HTTP/1.1
    // driver; `upgrade.switch` counts them. Handing them over is no read from the socket.
    if (!leftover.isEmpty() && feed(leftover))
        pumpSend();
    touchIdle();
    // readyRead is not raised again for what Qt already holds: read it now.
    if (!m_closed && !m_broken)
        onReadyRead();
    else
        afterIo();
}

bool H2Session::isReusable() const
{
    return m_started && !m_closed && !m_broken && m_session && m_conn->isOpen() &&
           !m_goawayReceived && !m_goawaySent && m_connErrorMessage.isEmpty();
}

bool H2Session::canSubmit() const
{
    return isReusable() && m_streams.size() < size_t(peerMaxConcurrentStreams());
}

quint32 H2Session::peerMaxConcurrentStreams() const
{
    if (!m_session)
        return 0;
    return nghttp2_session_get_remote_settings(m_session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

void H2Session::submit(Exchange *ex)
{
    ex->connectionId = m_conn->id();
    ex->protocol = "h2";
    ex->setState(Exchange::State::Sending);
    auto st = std::make_unique<Stream>();
    st->ex = ex;
    st->req = ex->id();
    ++m_inFlight;
    m_idleControl.progress(); // a new stream: what came before was for the streams that ended
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

    const HeaderList fields = H2RequestHead::build(spec, st->bodySize);
    std::vector<nghttp2_nv> nva;
    nva.reserve(size_t(fields.size()));
    for (const HttpHeader &h : fields)
        nva.push_back(makeNv(h.name, h.value));

    nghttp2_data_provider provider = bodyProvider(st.get());
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

void H2Session::abort(const QByteArray &code, const QString &message)
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

QString H2Session::goawaySuffix() const
{
    return H2ErrorText::goaway(m_goawayError, m_goawayLastStream, m_goawayDebug);
}

// --- Finishing --------------------------------------------------------------------------------

void H2Session::completeStream(Stream *st)
{
    Exchange *ex = st->ex;
    ex->timings.end = now();
    // A decode or output error during the body already failed the exchange.
    if (ex->isFinished() || !ex->finishBody()) {
        failStream(st, ex->errorCode(), ex->error());
        return;
    }
    st->ex = nullptr;
    --m_inFlight;
    ++m_completed;
    markExchangeComplete(m_trace, scope(st, st->id), ex);
    m_finishedQueue.append({ex, false});
}

void H2Session::failStream(Stream *st, const QByteArray &code, const QString &message,
                           bool retryable, ErrorEvent event)
{
    Exchange *ex = st->ex;
    if (!ex)
        return;
    st->ex = nullptr;
    --m_inFlight;
    // Every failure is an `error` in the trace, also one the client may retry elsewhere (a
    // refused stream is news about the server), unless the connection's error said it already.
    markExchangeFailed(m_trace, scope(st, st->id), ex, code, message, event);
    m_finishedQueue.append({ex, retryable});
}

void H2Session::setConnectionError(const QByteArray &code, const QString &message)
{
    if (m_connErrorMessage.isEmpty()) {
        m_connErrorCode = code;
        m_connErrorMessage = message;
    }
}

void H2Session::failConnection(const QByteArray &code, const QString &message)
{
    if (m_closed)
        return;
    recordError(m_trace, {m_conn->id(), 0, 0}, code, message);
    std::vector<Stream *> open;
    for (const auto &[id, st] : m_streams) {
        if (st->ex)
            open.push_back(st.get());
    }
    std::sort(open.begin(), open.end(), [](Stream *a, Stream *b) { return a->id < b->id; });
    for (Stream *st : open)
        failStream(st, code, message, false, ErrorEvent::Omit);
    closeConnection(message);
}

void H2Session::closeConnection(const QString &reason)
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
        m_conn->flushWrites();
        s->disconnect(q);
    }
    QObject::disconnect(m_connClosed);
    if (m_conn->state() != Connection::State::Closed)
        m_conn->close(reason);
}

// Signals go out only from here, never from inside nghttp2: a slot may submit, abort or delete.
void H2Session::emitPending()
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

} // namespace hopscope
