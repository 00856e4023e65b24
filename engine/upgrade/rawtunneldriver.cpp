#include "upgrade/rawtunneldriver.h"

#include "core/exchange.h"
#include "net/connection.h"
#include "trace/tracefields.h"
#include "trace/tracestore.h"

#include <QAbstractSocket>

#include <utility>

namespace hopscope {

namespace {

// How many bytes at the end of `data` start a UTF-8 sequence that the data cut off (0-3). Such a
// cut comes from the trace cap or from where the socket split a read, not from binary data.
qsizetype incompleteUtf8Tail(QByteArrayView data)
{
    const qsizetype n = data.size();
    for (qsizetype back = 1; back <= qMin<qsizetype>(3, n); ++back) {
        const auto c = static_cast<uchar>(data[n - back]);
        if ((c & 0xC0) == 0x80)
            continue; // a continuation byte: look further back for the lead byte
        const int need = (c & 0xE0) == 0xC0   ? 2
                         : (c & 0xF0) == 0xE0 ? 3
                         : (c & 0xF8) == 0xF0 ? 4
                                              : 1;
        return back < need ? back : 0;
    }
    return 0;
}

// Control characters other than tab and line ends make a chunk "not text": the trace then adds
// the exact bytes in hex, because the text alone would hide them.
bool hasControlBytes(QByteArrayView data)
{
    for (char ch : data) {
        const auto c = static_cast<uchar>(ch);
        if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F)
            return true;
    }
    return false;
}

} // namespace

RawTunnelDriver::RawTunnelDriver(Connection *connection, Exchange *exchange, QByteArray token,
                                 QObject *parent)
    : SessionDriver(connection, parent), m_trace(connection->trace()), m_exchange(exchange),
      m_token(std::move(token))
{
    m_idleTimer.setSingleShot(true);
    m_idleTimer.setTimerType(Qt::PreciseTimer); // a user-given timeout must not fire early
    connect(&m_idleTimer, &QTimer::timeout, this, &RawTunnelDriver::onIdleTimeout);
    m_closeTimer.setSingleShot(true);
    connect(&m_closeTimer, &QTimer::timeout, this, &RawTunnelDriver::onCloseFlushTimeout);
}

RawTunnelDriver::~RawTunnelDriver() = default;

QCborMap RawTunnelDriver::dataFields(QByteArrayView chunk)
{
    const bool truncated = chunk.size() > kMaxTracedBytes;
    const QByteArrayView shown = truncated ? chunk.first(kMaxTracedBytes) : chunk;
    const QByteArrayView whole = shown.chopped(incompleteUtf8Tail(shown));
    const bool isText = whole.isValidUtf8() && !hasControlBytes(whole);
    QCborMap f{{QStringLiteral("bytes"), chunk.size()},
               {QStringLiteral("text"), QString::fromUtf8(isText ? whole : shown)}};
    if (!isText)
        f.insert(QStringLiteral("hex"), QString::fromLatin1(shown.toByteArray().toHex()));
    if (truncated)
        f.insert(QStringLiteral("truncated"), true);
    return f;
}

void RawTunnelDriver::start(const QByteArray &leftover)
{
    if (m_started || !m_exchange)
        return;
    m_started = true;
    Connection *conn = connection();
    QAbstractSocket *s = conn->socket();
    connect(s, &QAbstractSocket::readyRead, this, &RawTunnelDriver::onReadyRead);
    connect(s, &QAbstractSocket::bytesWritten, this, &RawTunnelDriver::onBytesWritten);
    connect(s, &QAbstractSocket::disconnected, this, &RawTunnelDriver::onDisconnected);
    // The pool or an abort may close the connection under us: the exchange must not hang.
    connect(conn, &Connection::closed, this, &RawTunnelDriver::onConnectionClosed);

    Exchange *ex = m_exchange;
    ex->protocol = m_token;
    ex->setState(Exchange::State::Receiving);
    restartIdle();
    // Order matters: the bytes that came with the 101 were sent before anything still in the
    // socket, so they are delivered (and traced) first.
    if (!leftover.isEmpty())
        deliver(leftover);
    if (m_exchange && s->bytesAvailable() > 0)
        onReadyRead();
    // The peer may have closed right after the 101 (even in the same read): Qt told the old
    // driver, which no longer listens.
    if (m_exchange && s->state() == QAbstractSocket::UnconnectedState)
        onDisconnected();
    runHeldCalls(); // what a front end sent before we ran goes out after the leftover came in
}

void RawTunnelDriver::submit(Exchange *exchange)
{
    // canSubmit() is false: a tunnel carries no requests. Refuse loudly rather than hang one.
    failExchange(exchange, "upgrade",
                 QStringLiteral("connection %1 is a %2 tunnel and takes no requests")
                     .arg(connection()->id())
                     .arg(QString::fromLatin1(m_token)));
}

bool RawTunnelDriver::isSessionOpen() const
{
    // Open from the 101 on; what is sent before start() is held (SessionDriver).
    return m_exchange && !m_closing && connection()->isOpen();
}

void RawTunnelDriver::sendText(const QByteArray &utf8)
{
    write(utf8);
}

void RawTunnelDriver::sendBinary(const QByteArray &data)
{
    write(data);
}

void RawTunnelDriver::write(const QByteArray &data)
{
    if (!isSessionOpen() || data.isEmpty())
        return;
    if (holdUntilRunning([this, data] { write(data); }))
        return;
    const EventScope sc = connection()->scope(m_exchange->id());
    m_trace->record(EventType::RawData, sc, Direction::Out).fieldsFrom(dataFields(data));
    const qint64 n = connection()->socket()->write(data);
    if (n < 0) {
        fail("connection-closed",
             QStringLiteral("writing to the %1 tunnel failed: %2")
                 .arg(QString::fromLatin1(m_token), connection()->socket()->errorString()));
        closeConnection(QStringLiteral("tunnel write failed"));
        return;
    }
    // A write to the socket, like every driver's: `net.write` counts the tunnel's bytes too, so
    // a connection's bytes add up the same whatever protocol it ended up speaking.
    m_trace->record(EventType::NetWrite, sc, Direction::Out).integer(Field::Bytes, n);
    connection()->countWritten(n);
    m_sent += n;
    connection()->touch();
    restartIdle();
}

void RawTunnelDriver::onReadyRead()
{
    QAbstractSocket *s = connection()->socket();
    while (m_exchange && s->bytesAvailable() > 0) {
        const QByteArray chunk = s->readAll();
        if (chunk.isEmpty())
            break;
        // A read from the socket, like every driver's; the leftover was not one (the HTTP/1.1
        // driver read it) and goes to deliver() alone.
        m_trace->record(EventType::NetRead, connection()->scope(m_exchange->id()), Direction::In)
            .integer(Field::Bytes, chunk.size());
        connection()->countRead(chunk.size());
        deliver(chunk);
    }
}

void RawTunnelDriver::deliver(const QByteArray &chunk)
{
    Exchange *ex = m_exchange;
    m_trace->record(EventType::RawData, connection()->scope(ex->id()), Direction::In)
        .fieldsFrom(dataFields(chunk));
    m_received += chunk.size();
    connection()->touch();
    restartIdle();
    // The exchange's sink (stdout or -o FILE in the CLI) gets the stream, as netcat would print
    // it; its byte count becomes response.complete's `bytes`.
    if (!ex->deliverBody(chunk)) {
        fail(ex->errorCode(), ex->error());
        closeConnection(QStringLiteral("tunnel data could not be written: %1").arg(ex->error()));
        return;
    }
    emit bytesReceived(chunk);
    emit peerActivity();
}

void RawTunnelDriver::onBytesWritten()
{
    connection()->touch();
    restartIdle();
    if (m_closing && m_exchange && connection()->socket()->bytesToWrite() == 0)
        finishClose();
}

void RawTunnelDriver::closeSession(int, const QString &)
{
    if (!m_exchange || m_closing)
        return;
    if (holdUntilRunning([this] { closeSession(); }))
        return;
    m_closing = true;
    // QTcpSocket cannot shut down only its sending side, so "our side is done" means: let the
    // bytes already written leave, then close. Bytes the peer sends meanwhile are still read.
    if (connection()->socket()->bytesToWrite() == 0) {
        finishClose();
        return;
    }
    m_closeTimer.start(kCloseFlushMs);
}

bool RawTunnelDriver::endSessionNow(const QString &reason)
{
    // A tunnel already closing (closeSession() waits for its writes) ends now too.
    if (!m_exchange || !isRunning() || !connection()->isOpen())
        return false;
    // What Qt already read belongs to the tunnel, as in finishClose().
    if (connection()->socket()->bytesAvailable() > 0)
        onReadyRead();
    complete(reason);
    return true;
}

void RawTunnelDriver::finishClose()
{
    // What Qt already read belongs to the tunnel: deliver it before the exchange ends.
    if (connection()->socket()->bytesAvailable() > 0)
        onReadyRead();
    complete(QStringLiteral("tunnel closed by us"));
}

void RawTunnelDriver::onCloseFlushTimeout()
{
    if (!m_exchange)
        return;
    const qint64 left = connection()->socket()->bytesToWrite();
    fail("timeout", QStringLiteral("closing the %1 tunnel: %2 bytes still unsent after %3 s")
                        .arg(QString::fromLatin1(m_token))
                        .arg(left)
                        .arg(kCloseFlushMs / 1000.0));
    closeConnection(QStringLiteral("tunnel close timed out"));
}

void RawTunnelDriver::onDisconnected()
{
    if (!m_exchange || !connection()->isOpen())
        return; // we closed it (or the pool did, see onConnectionClosed)
    QAbstractSocket *s = connection()->socket();
    // What Qt read before the close is the end of the stream: deliver it first.
    if (s->bytesAvailable() > 0)
        onReadyRead();
    if (!m_exchange)
        return;
    const auto error = s->error();
    if (error != QAbstractSocket::RemoteHostClosedError &&
        error != QAbstractSocket::UnknownSocketError) {
        fail("connection-closed", QStringLiteral("the %1 tunnel broke: %2")
                                      .arg(QString::fromLatin1(m_token), s->errorString()));
        closeConnection(QStringLiteral("tunnel broken"));
        return;
    }
    complete(QStringLiteral("tunnel closed by peer"));
}

void RawTunnelDriver::onConnectionClosed(const QString &reason)
{
    if (!m_exchange)
        return;
    fail("connection-closed", QStringLiteral("the connection of the %1 tunnel was closed: %2")
                                  .arg(QString::fromLatin1(m_token), reason));
    if (!m_done) {
        m_done = true;
        emit closed();
    }
}

void RawTunnelDriver::onIdleTimeout()
{
    if (!m_exchange)
        return;
    const int ms = m_exchange->spec().timeouts.idleMs;
    fail("timeout", QStringLiteral("idle timeout: no byte moved through the %1 tunnel for %2 s "
                                   "(--idle-timeout)")
                        .arg(QString::fromLatin1(m_token))
                        .arg(ms / 1000.0));
    closeConnection(QStringLiteral("idle timeout"));
}

void RawTunnelDriver::restartIdle()
{
    if (!m_exchange)
        return;
    if (const int ms = m_exchange->spec().timeouts.idleMs; ms > 0)
        m_idleTimer.start(ms);
}

void RawTunnelDriver::abort(const QByteArray &code, const QString &message)
{
    fail(code, message);
    closeConnection(message);
}

// The tunnel ended as tunnels do: the exchange completes with the 101 as its status and the
// bytes received as its body, then the connection closes.
void RawTunnelDriver::complete(const QString &closeReason)
{
    Exchange *ex = std::exchange(m_exchange, nullptr);
    if (!ex)
        return;
    m_idleTimer.stop();
    m_closeTimer.stop();
    ex->timings.end = m_trace->elapsedNs();
    if (ex->isFinished() || !ex->finishBody()) {
        m_exchange = ex;
        fail(ex->errorCode(), ex->error());
        closeConnection(QStringLiteral("tunnel data could not be written: %1").arg(ex->error()));
        return;
    }
    completeExchange(ex);
    closeConnection(closeReason);
}

void RawTunnelDriver::fail(const QByteArray &code, const QString &message)
{
    Exchange *ex = std::exchange(m_exchange, nullptr);
    if (!ex)
        return;
    m_idleTimer.stop();
    m_closeTimer.stop();
    failExchange(ex, code, message);
}

void RawTunnelDriver::closeConnection(const QString &reason)
{
    if (m_done)
        return;
    m_done = true;
    m_idleTimer.stop();
    m_closeTimer.stop();
    if (connection()->state() != Connection::State::Closed)
        connection()->close(reason);
    emit closed();
}

} // namespace hopscope
