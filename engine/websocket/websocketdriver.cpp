#include "websocket/websocketdriver.h"

#include "core/exchange.h"
#include "net/connection.h"
#include "trace/tracefields.h"
#include "trace/tracestore.h"

#include <QAbstractSocket>
#include <QRandomGenerator>

#include <wslay/wslay.h>

#include <cstring>
#include <limits>

namespace hopscope {

namespace {

// A first reassembly reservation: enough for typical messages in one allocation, small enough
// that a header announcing a huge frame costs nothing until its bytes arrive.
constexpr qsizetype kInitialMessageReserve = 64 * 1024;

} // namespace

WebSocketDriver::WebSocketDriver(Connection *connection, Exchange *exchange, QObject *parent)
    : SessionDriver(connection, parent), m_conn(connection), m_trace(connection->trace()),
      m_exchange(exchange), m_exchangeId(exchange->id()), m_limits(exchange->spec().limits),
      m_in(ws::FrameInspector::Options{.validate = true,
                                       .expectMasked = false,
                                       .allowedRsv = 0,
                                       .maxFrameBytes = m_limits.maxWebSocketFrameBytes,
                                       .maxMessageBytes = m_limits.maxWebSocketMessageBytes,
                                       .maxMessageFrames = m_limits.maxWebSocketFragments}),
      m_out(ws::FrameInspector::Options{.validate = false})
{
    wslay_event_callbacks callbacks{};
    callbacks.recv_callback = &WebSocketDriver::recvCallback;
    callbacks.send_callback = &WebSocketDriver::sendCallback;
    callbacks.genmask_callback = &WebSocketDriver::genmaskCallback;
    callbacks.on_msg_recv_callback = &WebSocketDriver::onMessageCallback;
    if (wslay_event_context_client_init(&m_ctx, &callbacks, this) != 0)
        qFatal("hopscope: out of memory creating a WebSocket context");
    // Data frames are reassembled here from the inspector's payload slices (one copy, into the
    // buffer the message is then delivered in); wslay only buffers control frames, to pong.
    wslay_event_config_set_no_buffering(m_ctx, 1);
    // Sizes are enforced by the inspector, with a message naming the limit; wslay must not
    // trip first with its silent 1009.
    wslay_event_config_set_max_recv_msg_length(m_ctx, std::numeric_limits<uint64_t>::max() / 2);
    m_closeTimer.setSingleShot(true);
    m_closeTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_closeTimer, &QTimer::timeout, this, [this] {
        if (m_transportClosing)
            closeNow(); // our last bytes did not leave in time
        else
            onCloseWaitTimeout();
    });
}

WebSocketDriver::~WebSocketDriver()
{
    wslay_event_context_free(m_ctx);
}

EventScope WebSocketDriver::scope() const
{
    return m_conn->scope(m_exchangeId);
}

void WebSocketDriver::start(const QByteArray &leftover)
{
    QAbstractSocket *s = m_conn->socket();
    connect(s, &QAbstractSocket::readyRead, this, &WebSocketDriver::onReadyRead);
    connect(s, &QAbstractSocket::disconnected, this, &WebSocketDriver::onDisconnected);
    connect(s, &QAbstractSocket::bytesWritten, this, &WebSocketDriver::onBytesWritten);
    connect(m_conn, &Connection::closed, this, &WebSocketDriver::onConnectionClosed);
    // The exchange holds the 101 head (the HTTP/1.1 driver put it there); the session is its
    // response from here on.
    if (m_exchange)
        m_exchange->setState(Exchange::State::Receiving);
    if (!leftover.isEmpty())
        processIncoming(leftover);
    // readyRead is not emitted again for bytes Qt already holds.
    if (m_reading && s->bytesAvailable() > 0)
        onReadyRead();
    if (m_exchange && s->state() == QAbstractSocket::UnconnectedState)
        onDisconnected();
    runHeldCalls(); // what a front end sent before we ran goes out after the leftover came in
}

void WebSocketDriver::submit(Exchange *exchange)
{
    // canSubmit() is false: nothing may be sent as a request over a WebSocket.
    failExchange(exchange, "internal", QStringLiteral("a WebSocket connection takes no requests"));
}

void WebSocketDriver::onReadyRead()
{
    QAbstractSocket *s = m_conn->socket();
    while (s->bytesAvailable() > 0 && m_conn->isOpen()) {
        // The inspector and wslay work on views into the connection's read buffer.
        const QByteArrayView chunk = m_conn->readChunk();
        if (chunk.isEmpty())
            break;
        m_conn->touch();
        m_conn->countRead(chunk.size());
        m_trace->record(EventType::NetRead, scope(), Direction::In)
            .integer(Field::Bytes, chunk.size());
        if (m_reading)
            processIncoming(chunk);
    }
}

void WebSocketDriver::processIncoming(QByteArrayView data)
{
    while (m_reading) {
        qsizetype used = 0;
        const ws::FrameInspector::Step step = m_in.next(data, &used);
        const QByteArrayView part = data.first(used);
        data = data.sliced(used);
        const ws::FrameHeader &h = m_in.header();
        switch (step) {
        case ws::FrameInspector::Step::NeedMore:
            return;
        case ws::FrameInspector::Step::Header:
            traceFrame(Direction::In, h);
            // Keep-alive pings and pongs are not the peer speaking: a server that pings every
            // few seconds must not keep a lingering front end from ever closing.
            if (h.opcode != ws::Ping && h.opcode != ws::Pong)
                emit peerActivity();
            // Every ping is answered, and a pong the peer does not read stays in our memory:
            // a peer that pings without reading would grow it without bound.
            if (h.opcode == ws::Ping && pendingWrite() > 0 && ++m_pongsUnsent > kMaxUnsentPongs) {
                failSession(ws::Violation{
                    1008, "ws-flood",
                    QStringLiteral("the server sent more than %1 pings without reading our "
                                   "pongs (a ping flood; %2 bytes wait unsent)")
                        .arg(kMaxUnsentPongs)
                        .arg(pendingWrite())});
                return;
            }
            if (h.opcode == ws::Text || h.opcode == ws::Binary) {
                m_message = QByteArray();
                m_message.reserve(qsizetype(qMin<quint64>(h.length, kInitialMessageReserve)));
            }
            // Close frames stay with the inspector (see FrameInspector for why).
            if (h.opcode != ws::Close)
                feedWslay(m_in.headerBytes());
            break;
        case ws::FrameInspector::Step::Payload:
            // Into the message before wslay sees the last byte: it reports the message then.
            if (m_in.messageOpcode() != 0)
                m_message.append(part);
            if (h.opcode != ws::Close)
                feedWslay(part);
            break;
        case ws::FrameInspector::Step::FrameEnd:
            onFrameEnd();
            break;
        case ws::FrameInspector::Step::Violation:
            if (m_in.violationInHeader()) {
                // Show the frame that broke the rule too: the trace tells what arrived.
                traceFrame(Direction::In, h);
            }
            failSession(m_in.violation());
            return;
        }
    }
}

void WebSocketDriver::feedWslay(QByteArrayView bytes)
{
    m_feed = bytes;
    m_inRecv = true;
    const int rv = wslay_event_recv(m_ctx);
    m_inRecv = false;
    m_feed = {};
    if (m_state == State::Closed)
        return; // a callback ended the session
    if (rv != 0 || !wslay_event_get_read_enabled(m_ctx)) {
        // The inspector passes only what RFC 6455 allows, so wslay should never refuse it; if it
        // does, say so rather than let its silent close go out unexplained.
        failSession(ws::Violation{1002, "ws-protocol",
                                  QStringLiteral("libwslay rejected a frame the inspector "
                                                 "accepted (wslay error %1)")
                                      .arg(rv)});
        return;
    }
    flushWslay(); // automatic pongs
}

void WebSocketDriver::flushWslay()
{
    // A slot of messageReceived() may send while wslay is still inside wslay_event_recv():
    // what it queued goes out right after (feedWslay flushes), not from within wslay.
    if (m_inRecv || !m_conn->isOpen() || !wslay_event_want_write(m_ctx))
        return;
    m_writtenSinceFlush = 0;
    const int rv = wslay_event_send(m_ctx);
    if (m_writtenSinceFlush > 0) {
        m_trace->record(EventType::NetWrite, scope(), Direction::Out)
            .integer(Field::Bytes, m_writtenSinceFlush);
        m_conn->touch();
        m_conn->countWritten(m_writtenSinceFlush);
    }
    if (rv != 0) {
        recordError(m_trace, scope(), "ws-write",
                    QStringLiteral("WebSocket write failed (wslay error %1)").arg(rv));
    }
}

ssize_t WebSocketDriver::recvCallback(wslay_event_context *ctx, uint8_t *buf, size_t len, int,
                                      void *user)
{
    auto *self = static_cast<WebSocketDriver *>(user);
    if (self->m_feed.isEmpty()) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    const qsizetype n = qMin(qsizetype(len), self->m_feed.size());
    std::memcpy(buf, self->m_feed.data(), size_t(n));
    self->m_feed = self->m_feed.sliced(n);
    return n;
}

ssize_t WebSocketDriver::sendCallback(wslay_event_context *ctx, const uint8_t *data, size_t len,
                                      int, void *user)
{
    auto *self = static_cast<WebSocketDriver *>(user);
    if (!self->m_conn->isOpen()) {
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    const qint64 n =
        self->m_conn->socket()->write(reinterpret_cast<const char *>(data), qint64(len));
    if (n <= 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    self->m_writtenSinceFlush += n;
    // Trace each frame as it leaves: this also shows the pongs wslay answers pings with.
    QByteArrayView rest(reinterpret_cast<const char *>(data), qsizetype(n));
    for (;;) {
        qsizetype used = 0;
        const auto step = self->m_out.next(rest, &used);
        rest = rest.sliced(used);
        if (step == ws::FrameInspector::Step::Header)
            self->traceFrame(Direction::Out, self->m_out.header());
        else if (step == ws::FrameInspector::Step::NeedMore)
            break;
    }
    return ssize_t(n);
}

int WebSocketDriver::genmaskCallback(wslay_event_context *, uint8_t *buf, size_t len, void *)
{
    // RFC 6455 §5.3: masking keys must be unpredictable, hence the system generator.
    while (len > 0) {
        const quint32 r = QRandomGenerator::system()->generate();
        const size_t n = qMin(len, sizeof(r));
        std::memcpy(buf, &r, n);
        buf += n;
        len -= n;
    }
    return 0;
}

void WebSocketDriver::onMessageCallback(wslay_event_context *,
                                        const wslay_event_on_msg_recv_arg *arg, void *user)
{
    // Pings are answered by wslay itself, pongs need nothing; both are traced as frames.
    if (arg->opcode == ws::Text || arg->opcode == ws::Binary)
        static_cast<WebSocketDriver *>(user)->onMessage(arg->opcode);
}

void WebSocketDriver::onMessage(quint8 opcode)
{
    const QByteArray data = std::exchange(m_message, QByteArray());
    traceMessage(Direction::In, opcode, data);
    emit messageReceived(opcode, data);
}

void WebSocketDriver::onFrameEnd()
{
    if (m_in.header().opcode != ws::Close)
        return;
    // The peer's close: nothing after it counts (RFC 6455 §5.5.1).
    m_reading = false;
    wslay_event_shutdown_read(m_ctx);
    const int code = m_in.closeCode();
    const QByteArray reason = m_in.closeReason();
    traceClose(Direction::In, code, reason);
    if (!m_closeSent) {
        // Answer with the same code (an empty close for an empty one), as RFC 6455 §5.5.1 says
        // endpoints typically do.
        queueClose(code == ws::kNoStatusReceived ? 0 : code, {});
        flushWslay();
    }
    finishComplete(code, QString::fromUtf8(reason));
}

void WebSocketDriver::traceFrame(Direction dir, const ws::FrameHeader &h)
{
    m_trace->record(EventType::WsFrame, scope(), dir)
        .value(Field::Opcode, ws::opcodeName(h.opcode))
        .value(Field::Fin, h.fin)
        .value(Field::Rsv, h.rsv)
        .value(Field::Masked, h.masked)
        .integer(Field::Length, qint64(h.length));
}

void WebSocketDriver::traceMessage(Direction dir, quint8 opcode, QByteArrayView data)
{
    // The trace keeps at most maxBodyInMemory bytes of a message (as an exchange keeps of a
    // body); `bytes` is always the full size.
    const qsizetype cap = qMax<qsizetype>(m_limits.maxBodyInMemory, 0);
    QCborMap f{{QStringLiteral("opcode"), ws::opcodeName(opcode)}};
    if (opcode == ws::Text)
        f.insert(QStringLiteral("text"), QString::fromUtf8(ws::utf8Prefix(data, cap)));
    else
        f.insert(QStringLiteral("data"),
                 QString::fromLatin1(data.first(qMin(cap, data.size())).toByteArray().toBase64()));
    f.insert(QStringLiteral("bytes"), data.size());
    if (data.size() > cap)
        f.insert(QStringLiteral("truncated"), true);
    m_trace->record(EventType::WsMessage, scope(), dir).fieldsFrom(f);
}

void WebSocketDriver::traceClose(Direction dir, int code, QByteArrayView reason)
{
    m_trace->record(EventType::WsClose, scope(), dir)
        .value(Field::Code, code)
        .value(Field::Reason, QString::fromUtf8(reason));
}

void WebSocketDriver::sendText(const QByteArray &utf8)
{
    if (m_state != State::Open || holdUntilRunning([this, utf8] { sendText(utf8); }))
        return;
    if (!ws::Utf8Validator::isValid(utf8)) {
        recordError(m_trace, scope(), "ws-utf8",
                    QStringLiteral("text message not sent: it is not valid UTF-8"));
        return;
    }
    queueMessage(ws::Text, utf8);
}

void WebSocketDriver::sendBinary(const QByteArray &data)
{
    if (m_state != State::Open || holdUntilRunning([this, data] { sendBinary(data); }))
        return;
    queueMessage(ws::Binary, data);
}

bool WebSocketDriver::sendPing(const QByteArray &payload)
{
    if (m_state != State::Open || payload.size() > ws::kMaxControlPayload)
        return false;
    if (holdUntilRunning([this, payload] { sendPing(payload); }))
        return true;
    const wslay_event_msg msg{ws::Ping, reinterpret_cast<const uint8_t *>(payload.constData()),
                              size_t(payload.size())};
    if (wslay_event_queue_msg(m_ctx, &msg) != 0)
        return false;
    flushWslay();
    return true;
}

void WebSocketDriver::queueMessage(quint8 opcode, const QByteArray &data)
{
    // One frame per message, as given: an inspector shows the framing it chose, and unfragmented
    // is what a reader expects (wslay's fragmented API would cut it into 4 KiB frames).
    const wslay_event_msg msg{opcode, reinterpret_cast<const uint8_t *>(data.constData()),
                              size_t(data.size())};
    if (const int rv = wslay_event_queue_msg(m_ctx, &msg); rv != 0) {
        recordError(m_trace, scope(), "ws-write",
                    QStringLiteral("%1 message not sent (wslay error %2)")
                        .arg(ws::opcodeName(opcode))
                        .arg(rv));
        return;
    }
    traceMessage(Direction::Out, opcode, data);
    flushWslay();
}

void WebSocketDriver::queueClose(int code, const QByteArray &reason)
{
    // A close frame is a control frame: 2 bytes of code leave 123 for the reason, cut on a
    // character boundary.
    const QByteArrayView r =
        code == 0 ? QByteArrayView() : ws::utf8Prefix(reason, ws::kMaxCloseReasonBytes);
    m_closeSent = true;
    if (wslay_event_queue_close(m_ctx, quint16(code), reinterpret_cast<const uint8_t *>(r.data()),
                                size_t(r.size())) != 0)
        return; // wslay has already queued or sent one
    traceClose(Direction::Out, code == 0 ? ws::kNoStatusReceived : code, r);
}

void WebSocketDriver::closeSession(int code, const QString &reason)
{
    if (m_state != State::Open ||
        holdUntilRunning([this, code, reason] { closeSession(code, reason); }))
        return;
    m_state = State::Closing;
    queueClose(code == ws::kNoStatusReceived ? 0 : code, reason.toUtf8());
    flushWslay();
    // The peer should answer with its close; the exchange completes then (onFrameEnd).
    m_closeTimer.start(kCloseWaitMs);
}

bool WebSocketDriver::endSessionNow(const QString &reason)
{
    // Closing: our close already went out and the answer is only waited for.
    if (!m_exchange || (m_state != State::Open && m_state != State::Closing) || !isRunning())
        return false;
    if (!m_closeSent && m_conn->isOpen()) {
        queueClose(1000, reason.toUtf8());
        flushWslay();
    }
    finishComplete(1000, reason);
    return true;
}

void WebSocketDriver::onCloseWaitTimeout()
{
    if (!m_exchange || m_state != State::Closing)
        return;
    m_trace->record(EventType::WsCloseUnanswered, scope())
        .value(
            Field::Reason,
            QStringLiteral("no close frame from the peer within %1 s").arg(kCloseWaitMs / 1000.0));
    finishComplete(1006, QStringLiteral("the peer did not answer the close"));
}

void WebSocketDriver::failSession(const ws::Violation &v)
{
    m_reading = false;
    wslay_event_shutdown_read(m_ctx);
    recordError(m_trace, scope(), v.code, v.message);
    if (!m_closeSent && m_conn->isOpen()) {
        queueClose(v.closeCode, v.message.toUtf8());
        flushWslay();
    }
    // RFC 6455 §7.1.7: after failing, do not wait for the peer's close.
    finishFailed(v.code, v.message, v.closeCode);
}

void WebSocketDriver::abort(const QByteArray &code, const QString &message)
{
    if (m_exchange) {
        recordError(m_trace, scope(), code, message);
        if (!m_closeSent && m_conn->isOpen()) {
            queueClose(1001, message.toUtf8()); // going away
            flushWslay();
        }
    }
    finishFailed(code, message, 1001);
}

void WebSocketDriver::finishComplete(int code, const QString &reason)
{
    m_state = State::Closed;
    m_reading = false;
    m_closeTimer.stop();
    Exchange *ex = std::exchange(m_exchange, nullptr);
    if (ex) {
        ex->timings.end = m_trace->elapsedNs();
        // The session ended over WebSocket; messages are not body bytes (wireBodyBytes() is 0).
        ex->protocol = QByteArrayLiteral("websocket");
        // finished() waits until our close left and sessionClosed() went out.
        markExchangeComplete(m_trace, scope(), ex);
    }
    // Our close (or echo) leaves before the client may shut everything down on finished().
    closeTransport(QStringLiteral("WebSocket closed (%1)").arg(code));
    emit sessionClosed(code, reason);
    if (ex)
        emit finished(ex, false);
}

void WebSocketDriver::finishFailed(const QByteArray &code, const QString &message, int closeCode)
{
    m_state = State::Closed;
    m_reading = false;
    m_closeTimer.stop();
    Exchange *ex = std::exchange(m_exchange, nullptr);
    // The error event is already recorded: before the close frame that carries it went out.
    if (ex)
        markExchangeFailed(m_trace, scope(), ex, code, message, ErrorEvent::Omit);
    closeTransport(QStringLiteral("WebSocket failed: %1").arg(message));
    emit sessionClosed(closeCode, message);
    if (ex)
        emit finished(ex, false);
}

void WebSocketDriver::onDisconnected()
{
    // Frames Qt still holds come first: the peer may have sent its close and then closed.
    if (m_reading && m_conn->socket()->bytesAvailable() > 0)
        onReadyRead();
    if (!m_exchange) {
        if (!m_transportClosing)
            m_transportReason = QStringLiteral("closed by peer");
        m_transportClosing = true;
        closeNow();
        return;
    }
    if (m_state == State::Closing) {
        // We asked to close and the peer hung up without its close frame: the session still
        // ended as asked, so the exchange completes, with a note.
        m_trace->record(EventType::WsCloseUnanswered, scope())
            .value(Field::Reason, QStringLiteral("the peer closed the connection without "
                                                 "answering our close frame"));
        finishComplete(1006, QStringLiteral("the peer closed the connection"));
        return;
    }
    const QString message = QStringLiteral("connection closed without a close handshake");
    recordError(m_trace, scope(), "ws-closed", message);
    finishFailed("ws-closed", message, 1006);
}

void WebSocketDriver::onConnectionClosed(const QString &reason)
{
    // Someone else closed the connection (the end of a run, an abort of all requests).
    m_closeTimer.stop();
    m_transportClosing = true;
    if (m_exchange) {
        const QString message = QStringLiteral("connection closed: %1").arg(reason);
        recordError(m_trace, scope(), "ws-closed", message);
        finishFailed("ws-closed", message, 1006);
    }
    emitClosedOnce();
}

qint64 WebSocketDriver::pendingWrite() const
{
    // Over TLS this counts ciphertext still in the TCP socket too (TlsSocket::bytesToWrite).
    return m_conn->socket()->bytesToWrite();
}

void WebSocketDriver::closeTransport(const QString &reason)
{
    if (m_transportClosing)
        return;
    m_transportClosing = true;
    m_transportReason = reason;
    QAbstractSocket *s = m_conn->socket();
    if (m_conn->state() == Connection::State::Closed) {
        emitClosedOnce();
        return;
    }
    // Connection::close() aborts the socket, dropping unwritten bytes: our close frame must be
    // out first.
    m_conn->flushWrites();
    if (pendingWrite() == 0 || s->state() != QAbstractSocket::ConnectedState) {
        closeNow();
        return;
    }
    m_closeTimer.start(kCloseWaitMs);
}

void WebSocketDriver::onBytesWritten()
{
    m_conn->touch();
    if (pendingWrite() == 0)
        m_pongsUnsent = 0; // the peer reads what we write: its pings are answered
    if (m_transportClosing && m_conn->state() != Connection::State::Closed && pendingWrite() == 0)
        closeNow();
}

void WebSocketDriver::closeNow()
{
    m_closeTimer.stop();
    if (m_conn->state() != Connection::State::Closed)
        m_conn->close(m_transportReason); // emits Connection::closed -> onConnectionClosed
    emitClosedOnce();
}

void WebSocketDriver::emitClosedOnce()
{
    if (m_closedEmitted)
        return;
    m_closedEmitted = true;
    emit closed();
}

} // namespace hopscope
