#include "http2/h2session.h"

#include "http2/h2errortext.h"
#include "http2/h2frametrace.h"
#include "net/connection.h"
#include "trace/tracefields.h"

#include <QAbstractSocket>

// The session's socket I/O: reading and handing nghttp2 the server's bytes one frame at a time
// (so that frames nghttp2 drops still reach the trace), writing what nghttp2 has to send within a
// bound, and what a closed socket, an idle timeout or a finished session mean for the streams.

namespace hopscope {

void H2Session::touchIdle()
{
    if (m_inFlight > 0 && m_opts.idleMs > 0 && !m_closed)
        m_idleTimer.start(m_opts.idleMs);
}

void H2Session::onReadyRead()
{
    if (m_closed || m_broken)
        return;
    readAvailable();
    afterIo();
}

// Reads and processes what the socket holds; emits nothing.
void H2Session::readAvailable()
{
    QAbstractSocket *s = m_conn->socket();
    while (!m_closed && !m_broken && s->bytesAvailable() > 0) {
        const QByteArrayView chunk = m_conn->readChunk();
        const qint64 n = chunk.size();
        if (n <= 0)
            break;
        m_conn->touch();
        m_conn->countRead(n);
        touchIdle();
        m_trace->record(EventType::NetRead, m_conn->scope(), Direction::In)
            .integer(Field::Bytes, n);
        if (!feed(chunk))
            break;
        pumpSend();
        // After a connection error nghttp2 reads nothing more; what follows is ignored.
        if (!m_broken && !nghttp2_session_want_read(m_session))
            break;
    }
}

// Hands nghttp2 the bytes frame by frame (one call per completed frame, the rest of a partial
// one at the end), so that after each call it is known whether nghttp2 reported that frame.
bool H2Session::feed(QByteArrayView data)
{
    if (m_firstBytes.isEmpty())
        m_firstBytes = data.first(qMin<qsizetype>(data.size(), 64)).toByteArray();
    QByteArrayView rest = data;
    while (!rest.isEmpty()) {
        const qsizetype n = m_splitter.advance(rest);
        noteHeadersStart(rest, n);
        checkClosedStream(n);
        if (!m_splitter.frameEnded())
            return recv(rest); // a frame's start: nghttp2 keeps it until the rest comes
        if (!recv(rest.first(n)))
            return false;
        rest = rest.sliced(n);
        traceDiscarded(m_splitter.finishFrame());
        // After a connection error nghttp2 ignores everything; so do we.
        if (!nghttp2_session_want_read(m_session))
            return true;
    }
    return true;
}

// RFC 9113 §5.1: after the server's own END_STREAM no DATA or header block may come on a stream
// (frames crossing our RST_STREAM are not this case: such streams are not in m_serverEnded).
// nghttp2 has forgotten the stream and would drop the frame without a word. PRIORITY is always
// allowed, and RST_STREAM and WINDOW_UPDATE may cross our own END_STREAM (a RST_STREAM(NO_ERROR)
// after a complete response is even recommended, §8.1), so those stay ignored. `taken`: bytes
// the splitter just took; a frame header completed among them if they outnumber the payload.
void H2Session::checkClosedStream(qsizetype taken)
{
    const H2FrameHeader &f = m_splitter.frame();
    if (m_splitter.headerBytes() > 0 || taken <= qsizetype(f.length - m_splitter.payloadLeft()))
        return;
    const bool content = f.type == NGHTTP2_DATA || f.type == NGHTTP2_HEADERS ||
                         f.type == NGHTTP2_CONTINUATION || f.type == NGHTTP2_PUSH_PROMISE;
    if (!content || !m_serverEnded.contains(f.stream) || !m_connErrorMessage.isEmpty() ||
        m_goawaySent)
        return;
    m_lastInvalid = QStringLiteral("%1 frame on stream %2, which the server had already ended "
                                   "with END_STREAM")
                        .arg(H2FrameTrace::frameTypeName(f.type))
                        .arg(f.stream);
    nghttp2_session_terminate_session(m_session, NGHTTP2_STREAM_CLOSED);
}

// Keeps the first bytes of each HEADERS payload (which the splitter skips): `taken` bytes of
// `data` just went through the splitter.
void H2Session::noteHeadersStart(QByteArrayView data, qsizetype taken)
{
    constexpr qsizetype kKeep = 16; // pad length, priority, and a table size update
    const H2FrameHeader &f = m_splitter.frame();
    if (m_splitter.headerBytes() > 0 || f.type != NGHTTP2_HEADERS)
        return; // inside a frame header, or not in a HEADERS payload
    const qsizetype payloadSoFar = qsizetype(f.length - m_splitter.payloadLeft());
    const qsizetype inThisCall = qMin(taken, payloadSoFar);
    const qsizetype offset = payloadSoFar - inThisCall;
    if (offset == 0) {
        m_headersStart.clear();
        m_headersFlags = f.flags;
        m_headersStream = f.stream;
    }
    if (offset >= kKeep || offset != m_headersStart.size())
        return;
    m_headersStart += data.sliced(taken - inThisCall, qMin(inThisCall, kKeep - offset));
}

// Frames nghttp2 took in without reporting them: ignored (DATA for a reset stream), rejected, or
// the one that ended the session. Shown with what the frame header says.
void H2Session::traceDiscardedFrames()
{
    traceDiscarded(m_splitter.takeUnreported());
}

void H2Session::traceDiscarded(const QList<H2FrameHeader> &frames)
{
    if (!m_framingTrusted)
        return; // not HTTP/2 at all: its bytes are no frames
    for (const H2FrameHeader &f : frames) {
        FieldWriter w =
            m_trace->record(EventType::H2Frame, scope(stream(f.stream), f.stream), Direction::In);
        H2FrameTrace::writeFrameAndFlags(w, f.type, f.flags);
        w.integer(Field::Length, qint64(f.length)).boolean(Field::Discarded, true);
    }
}

// A header block's frames as on the wire: nghttp2 reports HEADERS and its CONTINUATIONs as one.
void H2Session::traceHeaderBlock(const nghttp2_frame &frame, const EventScope &sc,
                                 const QString &invalid)
{
    const QList<H2FrameHeader> frames = m_splitter.takeUnreported();
    const H2FrameHeader first = frames.isEmpty()
                                    ? H2FrameHeader{frame.hd.type, frame.hd.flags,
                                                    quint32(frame.hd.length), frame.hd.stream_id}
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

bool H2Session::recv(QByteArrayView data)
{
    const ssize_t rv = nghttp2_session_mem_recv(
        m_session, reinterpret_cast<const uint8_t *>(data.data()), size_t(data.size()));
    if (rv >= 0)
        return true;
    m_broken = true;
    traceDiscardedFrames(); // the frame that broke the session
    const H2ErrorText::Error error = H2ErrorText::receiveFailed(
        int(rv), m_opts.maxContinuations, m_lastLibError, m_pingsReceived, m_settingsReceived);
    setConnectionError(error.code, error.message);
    return false;
}

void H2Session::pumpSend()
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
    m_conn->countWritten(m_outBuffer.size());
    touchIdle();
    m_trace->record(EventType::NetWrite, m_conn->scope(), Direction::Out)
        .integer(Field::Bytes, m_outBuffer.size());
}

void H2Session::onBytesWritten()
{
    if (m_closed)
        return;
    m_conn->touch();
    touchIdle();
    pumpSend();
    afterIo();
}

void H2Session::onDisconnected()
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
        recordError(m_trace, {m_conn->id(), 0, 0}, "connection-closed", message);
        std::vector<Stream *> open;
        for (const auto &[id, st] : m_streams) {
            if (st->ex)
                open.push_back(st.get());
        }
        for (Stream *st : open)
            failStream(st, "connection-closed", message, reused && !st->gotFrame, ErrorEvent::Omit);
        closeConnection(QStringLiteral("closed by peer"));
    } else {
        closeConnection(QStringLiteral("closed by peer"));
    }
    emitPending();
}

// What the server left us waiting for, when the idle timeout ends it: " after …" or empty.
QString H2Session::idleTimeoutCause() const
{
    if (!m_session)
        return {};
    // A request body that could not leave: the server never opened its flow-control window.
    for (const auto &[id, st] : m_streams) {
        if (!st->ex || st->bodySent >= st->bodySize)
            continue;
        const qint32 streamWindow = nghttp2_session_get_stream_remote_window_size(m_session, id);
        const qint32 connWindow = nghttp2_session_get_remote_window_size(m_session);
        if (streamWindow > 0 && connWindow > 0)
            continue;
        return QStringLiteral(": the server's flow-control window stayed closed (%1 window %2 "
                              "bytes), %3 of %4 request body bytes on stream %5 could not be "
                              "sent")
            .arg(streamWindow <= 0 ? QStringLiteral("stream") : QStringLiteral("connection"))
            .arg(streamWindow <= 0 ? streamWindow : connWindow)
            .arg(st->bodySize - st->bodySent)
            .arg(st->bodySize)
            .arg(id);
    }
    if (m_goawayReceived) {
        return QStringLiteral(": the server sent %1 and then nothing more, the connection left "
                              "open")
            .arg(goawaySuffix());
    }
    return {};
}

void H2Session::onIdleTimeout()
{
    if (m_closed || m_inFlight == 0)
        return;
    const QString cause = idleTimeoutCause();
    if (m_session && !m_broken)
        nghttp2_session_terminate_session(m_session, NGHTTP2_CANCEL);
    failConnection("timeout", QStringLiteral("idle timeout: no data for %1 s with %2 stream%3 open "
                                             "(--idle-timeout)%4")
                                  .arg(m_opts.idleMs / 1000.0)
                                  .arg(m_inFlight)
                                  .arg(m_inFlight == 1 ? "" : "s", cause));
    emitPending();
}

void H2Session::afterIo()
{
    settle();
    emitPending();
}

// Acts on what the last I/O left: a failed or finished session closes. Emits nothing.
void H2Session::settle()
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
void H2Session::sessionDone()
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

} // namespace hopscope
