#include "http1/http1driver.h"

#include "core/exchange.h"
#include "net/connection.h"
#include "trace/tracefields.h"
#include "trace/tracestore.h"
#include "upgrade/upgraderegistry.h"

#include <QAbstractSocket>
#include <QCborArray>

namespace hopscope {

namespace {

constexpr qint64 kWriteHighWater = 256 * 1024; // keep Qt's write buffer bounded for file bodies

} // namespace

Http1Driver::Http1Driver(Connection *connection, const UpgradeRegistry *upgrades, QObject *parent)
    : ProtocolDriver(connection, parent), m_conn(connection), m_trace(connection->trace()),
      m_upgrades(upgrades)
{
    QAbstractSocket *s = m_conn->socket();
    connect(s, &QAbstractSocket::readyRead, this, &Http1Driver::onReadyRead);
    connect(s, &QAbstractSocket::bytesWritten, this, &Http1Driver::onBytesWritten);
    connect(s, &QAbstractSocket::disconnected, this, &Http1Driver::onDisconnected);
    m_idleTimer.setSingleShot(true);
    m_idleTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_idleTimer, &QTimer::timeout, this, &Http1Driver::onIdleTimeout);
}

Http1Driver::~Http1Driver() = default;

bool Http1Driver::isReusable() const
{
    return !m_exchange && !m_switched && m_keepAlive && m_conn->isOpen();
}

void Http1Driver::submit(Exchange *exchange)
{
    Q_ASSERT(!m_exchange);
    m_exchange = exchange;
    m_gotResponseByte = false;
    m_messageDone = false;
    m_bodySent = 0;
    m_pendingBodyEventBytes = 0;
    exchange->connectionId = m_conn->id();
    exchange->protocol = "http/1.1";
    exchange->setState(Exchange::State::Sending);
    const RequestSpec &spec = exchange->spec();
    m_parser = std::make_unique<Http1ResponseParser>(
        spec.limits, static_cast<Http1ResponseParser::Listener *>(this));
    m_parser->startResponse(spec.method);

    m_bodyFile.reset();
    m_bodyToSend = spec.body.size();
    if (!spec.bodyFile.isEmpty()) {
        m_bodyFile = std::make_unique<QFile>(spec.bodyFile);
        if (!m_bodyFile->open(QIODevice::ReadOnly)) {
            failInFlight("request-body", QStringLiteral("cannot read request body %1: %2")
                                             .arg(spec.bodyFile, m_bodyFile->errorString()));
            return;
        }
        m_bodyToSend = m_bodyFile->size();
    }

    const HeaderList offer = upgradeOfferHeaders(exchange);
    const Http1RequestHead head = Http1RequestWriter::build(spec, m_bodyToSend, offer);
    const EventScope sc = m_conn->scope(exchange->id());
    m_trace->record(EventType::H1Request, sc, Direction::Out)
        .atom(Field::Method, head.method)
        .text(Field::Target, QLatin1StringView(head.target))
        .text(Field::Version, QLatin1StringView(head.version))
        .headers(Field::Headers, head.headers);
    if (!m_offeredToken.isEmpty()) {
        m_trace->record(EventType::UpgradeOffer, sc)
            .text(Field::Protocol, QLatin1StringView(m_offeredToken))
            .value(Field::WithBody, m_bodyToSend > 0);
    }
    exchange->timings.sendStart = m_trace->elapsedNs();
    QAbstractSocket *s = m_conn->socket();
    s->write(head.bytes);
    m_conn->countWritten(head.bytes.size());
    m_trace->record(EventType::NetWrite, sc, Direction::Out)
        .integer(Field::Bytes, head.bytes.size());
    if (m_bodyToSend > 0)
        writeMoreBody();
    if (m_bodySent >= m_bodyToSend && m_exchange) {
        m_exchange->setState(Exchange::State::Waiting);
    }
    if (spec.timeouts.idleMs > 0)
        m_idleTimer.start(spec.timeouts.idleMs);
    m_conn->touch();
    // Bytes may already be buffered (a server that answers before reading everything).
    if (s->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &Http1Driver::onReadyRead, Qt::QueuedConnection);
}

void Http1Driver::writeMoreBody()
{
    if (!m_exchange)
        return;
    QAbstractSocket *s = m_conn->socket();
    const EventScope sc = m_conn->scope(m_exchange->id());
    while (m_bodySent < m_bodyToSend && s->bytesToWrite() < kWriteHighWater) {
        qint64 n = 0;
        if (m_bodyFile) {
            QByteArray chunk = m_bodyFile->read(qMin<qint64>(64 * 1024, m_bodyToSend - m_bodySent));
            if (chunk.isEmpty()) {
                failInFlight("request-body",
                             QStringLiteral("request body file %1 ended early or could not be read")
                                 .arg(m_bodyFile->fileName()));
                return;
            }
            n = s->write(chunk);
        } else {
            const QByteArray &body = m_exchange->spec().body;
            n = s->write(body.constData() + m_bodySent, m_bodyToSend - m_bodySent);
        }
        if (n <= 0)
            break;
        m_bodySent += n;
        m_trace->record(EventType::H1Body, sc, Direction::Out).integer(Field::Bytes, n);
        // The body is written to the socket like the head: `net.write` counts every byte sent.
        m_trace->record(EventType::NetWrite, sc, Direction::Out).integer(Field::Bytes, n);
        m_conn->countWritten(n);
    }
}

void Http1Driver::onBytesWritten(qint64 bytes)
{
    m_conn->touch();
    if (m_exchange && m_idleTimer.isActive())
        m_idleTimer.start();
    if (!m_exchange)
        return;
    if (m_bodySent < m_bodyToSend) {
        writeMoreBody();
        return;
    }
    if (m_exchange->timings.sendEnd < 0 && m_conn->socket()->bytesToWrite() == 0) {
        m_exchange->timings.sendEnd = m_trace->elapsedNs();
        if (m_exchange->state() == Exchange::State::Sending)
            m_exchange->setState(Exchange::State::Waiting);
    }
}

void Http1Driver::onReadyRead()
{
    QAbstractSocket *s = m_conn->socket();
    while (s->bytesAvailable() > 0 && m_conn->isOpen()) {
        // The parser works on views into the connection's read buffer, valid for this turn.
        const QByteArrayView chunk = m_conn->readChunk();
        const qint64 n = chunk.size();
        if (n <= 0)
            break;
        m_conn->touch();
        m_conn->countRead(n);
        const EventScope sc = m_conn->scope(m_exchange ? m_exchange->id() : 0);
        m_trace->record(EventType::NetRead, sc, Direction::In).integer(Field::Bytes, n);
        if (!m_exchange) {
            // Nothing was asked: a server talking out of turn on an idle keep-alive connection.
            recordError(m_trace, sc, "unsolicited-data",
                        QStringLiteral("%1 unexpected bytes on an idle connection").arg(n));
            closeConnection(QStringLiteral("unsolicited data from the server"));
            return;
        }
        if (m_idleTimer.isActive())
            m_idleTimer.start();
        if (!m_gotResponseByte) {
            m_gotResponseByte = true;
            m_exchange->timings.firstByte = m_trace->elapsedNs();
            if (m_exchange->timings.sendEnd < 0)
                m_exchange->timings.sendEnd = m_exchange->timings.firstByte;
        }
        qsizetype offset = 0;
        while (offset < n && m_exchange && !m_messageDone) {
            qsizetype consumed = 0;
            const auto result =
                m_parser->feed(QByteArrayView(chunk.constData() + offset, n - offset), &consumed);
            offset += consumed;
            processResult(result, offset, n);
            if (m_switched) {
                switchProtocol(QByteArrayView(chunk.constData() + offset, n - offset));
                return;
            }
            if (result == Http1ResponseParser::Result::NeedMore && consumed == 0)
                break;
        }
        flushBodyEvent();
        if (m_exchange && m_exchange->state() == Exchange::State::Failed) {
            // Decoding or writing the body failed (a decompression bomb, a full disk): stop
            // reading now instead of draining a body nobody can use.
            failInFlight(m_exchange->errorCode(), m_exchange->error());
            closeConnection(QStringLiteral("response body could not be processed"));
            return;
        }
        if (m_messageDone)
            complete();
        if (offset < n && m_conn->isOpen()) {
            // HTTP/1.1 without pipelining: nothing may follow a complete response.
            m_trace->record(EventType::H1Violation, m_conn->scope())
                .value(Field::Code, QStringLiteral("extra-data"))
                .value(Field::Message,
                       QStringLiteral("%1 bytes after the end of the response").arg(n - offset));
            closeConnection(QStringLiteral("unexpected bytes after a response"));
            return;
        }
    }
}

void Http1Driver::processResult(Http1ResponseParser::Result result, qsizetype, qsizetype)
{
    using R = Http1ResponseParser::Result;
    switch (result) {
    case R::NeedMore:
    case R::MessageComplete: // onMessageComplete already set m_messageDone
        break;
    case R::Upgrade:
        flushBodyEvent();
        m_switched = true; // the caller hands the rest of the buffer over
        break;
    case R::Error:
        flushBodyEvent();
        failInFlight(m_parser->errorCode(), m_parser->errorString());
        closeConnection(QStringLiteral("protocol error: %1").arg(m_parser->errorString()));
        break;
    }
}

void Http1Driver::onResponseHead(const ResponseHead &head)
{
    const EventScope sc = m_conn->scope(m_exchange->id());
    m_trace->record(EventType::H1Response, sc, Direction::In)
        .integer(Field::Status, head.status)
        .value(Field::Reason, wireText(head.reason))
        .value(Field::Version, wireText(head.version))
        .headers(Field::Headers, head.headers)
        .integer(Field::Bytes, head.raw.size());
    if (head.status == 101) {
        m_switchHead = head;
        return; // the parser stops; processResult() sees Result::Upgrade
    }
    if (head.status >= 100 && head.status < 200)
        return; // interim; the final response follows
    if (!m_offeredToken.isEmpty()) {
        // Declined: the response is an ordinary HTTP/1.1 one and the connection stays HTTP/1.1.
        m_trace->record(EventType::UpgradeDeclined, sc)
            .text(Field::Protocol, QLatin1StringView(m_offeredToken))
            .integer(Field::Status, head.status)
            .value(Field::WithBody, m_bodyToSend > 0);
        m_offeredToken.clear();
    } else if (const QList<QByteArray> advertised = headerTokens(head.headers, "Upgrade");
               !advertised.isEmpty()) {
        QCborArray protocols;
        for (const QByteArray &p : advertised)
            protocols.append(QString::fromLatin1(p));
        m_trace->record(EventType::UpgradeAdvertised, sc).value(Field::Protocols, protocols);
        emit upgradeAdvertised(advertised);
    }
    m_exchange->status = head.status;
    m_exchange->reason = head.reason;
    m_exchange->version = head.version;
    m_exchange->responseHeaders = head.headers;
    m_exchange->setState(Exchange::State::Receiving);
    if (!m_exchange->prepareBody())
        recordError(m_trace, sc, m_exchange->errorCode(), m_exchange->error());
}

HeaderList Http1Driver::upgradeOfferHeaders(Exchange *exchange)
{
    m_offeredToken.clear();
    m_offer = {};
    const QByteArray token = exchange->spec().upgradeToken();
    if (token.isEmpty() || m_offerMade || m_completed > 0)
        return {};
    m_offerMade = true;
    const EventScope sc = m_conn->scope(exchange->id());
    if (headerHasToken(exchange->spec().headers, "Expect", "100-continue")) {
        // curl learned this: a server may answer 100 then 101 and the body never goes out.
        m_trace->record(EventType::UpgradeSkipped, sc)
            .text(Field::Protocol, QLatin1StringView(token))
            .value(Field::Reason, QStringLiteral("an upgrade is never offered together with "
                                                 "Expect: 100-continue"));
        return {};
    }
    QByteArray connectionValue = "Upgrade";
    HeaderList extra;
    if (UpgradeHandler *handler = m_upgrades ? m_upgrades->handler(token) : nullptr) {
        m_offer = handler->offer(*exchange);
        for (const QByteArray &opt : m_offer.connectionOptions)
            connectionValue += ", " + opt;
        extra = m_offer.headers;
    }
    m_offeredToken = token;
    HeaderList headers{{"Connection", connectionValue}, {"Upgrade", token}};
    headers.append(extra);
    return headers;
}

// The server sent 101. Accept it only when it names what was offered, then hand the socket and
// every byte read past the 101 head to the handler's driver.
void Http1Driver::switchProtocol(QByteArrayView leftover)
{
    Exchange *ex = m_exchange;
    const EventScope sc = m_conn->scope(ex->id());
    const QList<QByteArray> tokens = headerTokens(m_switchHead.headers, "Upgrade");
    QString problem;
    if (m_offeredToken.isEmpty()) {
        problem = QStringLiteral("server switched protocols (101) although no upgrade was offered");
    } else if (tokens.isEmpty()) {
        problem = QStringLiteral("101 without an Upgrade header (offered %1)")
                      .arg(QString::fromLatin1(m_offeredToken));
    } else if (tokens.first().compare(m_offeredToken, Qt::CaseInsensitive) != 0) {
        problem =
            QStringLiteral("101 switched to %1, but %2 was offered")
                .arg(QString::fromLatin1(tokens.first()), QString::fromLatin1(m_offeredToken));
    }
    UpgradeHandler *handler = m_upgrades ? m_upgrades->handler(m_offeredToken) : nullptr;
    if (problem.isEmpty() && !handler) {
        problem = QStringLiteral("server switched to %1, but no handler is registered for it")
                      .arg(QString::fromLatin1(m_offeredToken));
    }
    ProtocolDriver *next = nullptr;
    if (problem.isEmpty()) {
        m_trace->record(EventType::UpgradeSwitch, sc)
            .text(Field::Protocol, QLatin1StringView(m_offeredToken))
            .integer(Field::LeftoverBytes, leftover.size());
        // The 101 is the exchange's response head until the next protocol says otherwise (h2c's
        // stream 1 does; a session's exchange completes with it): every handler finds it there.
        ex->status = m_switchHead.status;
        ex->reason = m_switchHead.reason;
        ex->version = m_switchHead.version;
        ex->responseHeaders = m_switchHead.headers;
        UpgradeContext ctx{m_conn, ex, m_switchHead, leftover.toByteArray(), m_offer};
        next = handler->takeOver(ctx, &problem);
    }
    if (!next) {
        failInFlight("upgrade", problem);
        closeConnection(QStringLiteral("bad protocol switch: %1").arg(problem));
        return;
    }
    // From here on the socket belongs to the next driver; this one stays silent. The client
    // wires the next driver up and activates it (ProtocolDriver::activate()).
    m_conn->socket()->disconnect(this);
    m_idleTimer.stop();
    m_exchange = nullptr;
    m_keepAlive = false;
    emit switchedTo(next);
}

void Http1Driver::onBodyData(QByteArrayView data)
{
    if (!m_exchange || m_exchange->isFinished())
        return;
    m_pendingBodyEventBytes += data.size();
    m_exchange->deliverBody(data);
}

void Http1Driver::flushBodyEvent()
{
    if (m_pendingBodyEventBytes == 0 || !m_exchange)
        return;
    m_trace->record(EventType::H1Body, m_conn->scope(m_exchange->id()), Direction::In)
        .integer(Field::Bytes, m_pendingBodyEventBytes);
    m_pendingBodyEventBytes = 0;
}

void Http1Driver::onTrailers(const HeaderList &trailers)
{
    m_exchange->trailers = trailers;
    m_trace->record(EventType::H1Trailers, m_conn->scope(m_exchange->id()), Direction::In)
        .headers(Field::Headers, trailers);
}

void Http1Driver::onMessageComplete()
{
    m_messageDone = true;
}

void Http1Driver::onViolation(const QByteArray &code, const QString &message)
{
    m_trace->record(EventType::H1Violation, m_conn->scope(m_exchange ? m_exchange->id() : 0))
        .atom(Field::Code, code)
        .value(Field::Message, message);
}

void Http1Driver::complete()
{
    Exchange *ex = m_exchange;
    if (!ex)
        return;
    m_keepAlive = m_parser->keepAlive();
    ex->timings.end = m_trace->elapsedNs();
    // A decode or output error during the body already failed the exchange.
    if (ex->isFinished() || !ex->finishBody()) {
        failInFlight(ex->errorCode(), ex->error());
        closeConnection(QStringLiteral("response body could not be processed"));
        return;
    }
    ++m_completed;
    m_idleTimer.stop();
    m_exchange = nullptr;
    const bool keep = m_keepAlive;
    completeExchange(ex);
    if (!keep)
        closeConnection(QStringLiteral("the response ended the connection (no keep-alive)"));
}

void Http1Driver::failInFlight(const QByteArray &code, const QString &message, bool retryable)
{
    Exchange *ex = m_exchange;
    if (!ex)
        return;
    m_exchange = nullptr;
    m_idleTimer.stop();
    m_keepAlive = false;
    // A retryable failure (a reused connection closed before any response byte) is not an
    // error yet: the client's pool.retry, or its request.failed, tells what became of it.
    failExchange(ex, code, message, retryable, retryable ? ErrorEvent::Omit : ErrorEvent::Record);
}

void Http1Driver::onDisconnected()
{
    // Drain what Qt still holds: a close-delimited body ends exactly at the close.
    if (m_conn->socket()->bytesAvailable() > 0)
        onReadyRead();
    if (m_exchange) {
        const bool reused = m_completed > 0;
        const auto result = m_parser->finish();
        flushBodyEvent();
        if (result == Http1ResponseParser::Result::MessageComplete) {
            m_messageDone = true;
            complete();
        } else {
            const bool retryable = reused && !m_gotResponseByte;
            QString message = m_parser->errorString();
            const QString why =
                m_conn->socket()->error() == QAbstractSocket::RemoteHostClosedError ||
                        m_conn->socket()->error() == QAbstractSocket::UnknownSocketError
                    ? QString()
                    : m_conn->socket()->errorString();
            if (!why.isEmpty())
                message += QStringLiteral(" (%1)").arg(why);
            failInFlight(m_parser->errorCode(), message, retryable);
        }
    }
    closeConnection(QStringLiteral("closed by peer"));
}

void Http1Driver::onIdleTimeout()
{
    if (!m_exchange)
        return;
    const int ms = m_exchange->spec().timeouts.idleMs;
    failInFlight(
        "timeout",
        QStringLiteral("idle timeout: no data for %1 s (--idle-timeout)").arg(ms / 1000.0));
    closeConnection(QStringLiteral("idle timeout"));
}

void Http1Driver::abort(const QByteArray &code, const QString &message)
{
    failInFlight(code, message);
    closeConnection(message);
}

void Http1Driver::closeConnection(const QString &reason)
{
    m_keepAlive = false;
    m_idleTimer.stop();
    if (m_conn->state() != Connection::State::Closed)
        m_conn->close(reason);
    emit closed();
}

} // namespace hopscope
