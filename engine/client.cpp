#include "client.h"

#include "core/exchange.h"
#include "core/origin.h"
#include "http1/http1driver.h"
#include "net/connection.h"
#include "net/connectionpool.h"
#include "trace/tracestore.h"

#include <QSslSocket>
#include <QTimer>

namespace hopscope {

Client::Client(TraceStore *trace, QObject *parent)
    : QObject(parent), m_trace(trace), m_pool(new ConnectionPool(trace, this))
{
}

Client::~Client()
{
    qDeleteAll(m_timers);
}

Exchange *Client::enqueue(RequestSpec spec, std::unique_ptr<BodySink> sink)
{
    const auto id = quint32(m_exchanges.size() + 1);
    m_exchanges.push_back(std::make_unique<Exchange>(id, std::move(spec), std::move(sink)));
    Exchange *ex = m_exchanges.back().get();
    m_pending.append(ex);
    ++m_unfinished;
    if (m_running)
        schedulePump();
    return ex;
}

QList<Exchange *> Client::exchanges() const
{
    QList<Exchange *> out;
    for (const auto &e : m_exchanges)
        out.append(e.get());
    return out;
}

void Client::start()
{
    if (m_running)
        return;
    m_running = true;
    pump();
}

void Client::schedulePump()
{
    if (m_pumpScheduled)
        return;
    m_pumpScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_pumpScheduled = false;
            pump();
        },
        Qt::QueuedConnection);
}

// Dispatches what can go now, in order. Sequential mode keeps one request in flight (counting
// one whose connection is still opening); parallel mode dispatches everything the pool allows.
void Client::pump()
{
    if (!m_running)
        return;
    for (qsizetype i = 0; i < m_pending.size();) {
        Exchange *ex = m_pending.at(i);
        if (!m_parallel && (!m_running_on.isEmpty() || !m_opening.isEmpty()))
            break;
        if (ex->timings.start < 0) {
            ex->timings.start = m_trace->elapsedNs();
            m_trace->record("request.start", {0, ex->id(), -1},
                            QCborMap{{QStringLiteral("method"), QString::fromLatin1(ex->spec().method)},
                                     {QStringLiteral("url"), ex->spec().url.toString()}});
            startRequestTimer(ex);
            if (!checkRequest(ex))
                continue; // failed and removed from m_pending
        }
        if (tryDispatch(ex)) {
            m_pending.removeAt(i);
            continue;
        }
        ++i;
    }
    if (m_unfinished == 0 && m_running) {
        m_running = false;
        emit allFinished();
    }
}

bool Client::checkRequest(Exchange *ex)
{
    const QUrl &url = ex->spec().url;
    const QString scheme = url.scheme().toLower();
    if (scheme != u"http" && scheme != u"https") {
        failRequest(ex, "url", QStringLiteral("unsupported URL scheme \"%1\" in %2 (use http or https)")
                                   .arg(url.scheme(), url.toString()));
        return false;
    }
    if (url.host().isEmpty()) {
        failRequest(ex, "url", QStringLiteral("no host in URL %1").arg(url.toString()));
        return false;
    }
    if (scheme == u"https" && !QSslSocket::supportsSsl()) {
        failRequest(ex, "tls-unavailable",
                    QStringLiteral("TLS is unavailable: Qt has no working TLS backend (%1); "
                                   "install the OpenSSL 3 library (libssl3)")
                        .arg(QSslSocket::activeBackend().isEmpty() ? QStringLiteral("none loaded")
                                                                   : QSslSocket::activeBackend()));
        return false;
    }
    return true;
}

// Puts the exchange on a connection that can take it now, or opens one. false: it must wait
// (the first connection to this origin is still opening and may turn out to multiplex, or the
// per-origin connection limit is reached).
bool Client::tryDispatch(Exchange *ex)
{
    if (ProtocolDriver *driver = m_pool->findAvailable(ex->spec())) {
        m_trace->record("pool.reuse", {driver->connection()->id(), ex->id(), -1},
                        QCborMap{{QStringLiteral("origin"), Origin::fromUrl(ex->spec().url).toString()}});
        m_running_on.insert(ex, driver);
        driver->submit(ex);
        return true;
    }
    const QString key = ConnectionPool::key(ex->spec());
    if (m_pool->pendingCount(key) > 0)
        return false;
    if (m_pool->connectionCount(key) >= m_maxConnections)
        return false;
    openConnection(ex);
    return true;
}

void Client::openConnection(Exchange *ex)
{
    Connection *conn = m_pool->createConnection(ex->spec());
    m_trace->record("pool.open", conn->scope(ex->id()),
                    QCborMap{{QStringLiteral("origin"), conn->origin().toString()}});
    ex->setState(Exchange::State::Connecting);
    m_opening.insert(conn, ex);
    connect(conn, &Connection::ready, this, [this, conn] { onConnectionReady(conn); });
    connect(conn, &Connection::failed, this,
            [this, conn](const QByteArray &code, const QString &msg) {
                onConnectionFailed(conn, code, msg);
            });
    conn->open(ex);
}

ProtocolDriver *Client::createDriver(Connection *conn)
{
    return new Http1Driver(conn, conn);
}

void Client::adoptDriver(ProtocolDriver *driver)
{
    m_pool->setDriver(driver->connection(), driver);
    connect(driver, &ProtocolDriver::finished, this, &Client::onDriverFinished);
    connect(driver, &ProtocolDriver::capacityAvailable, this, &Client::schedulePump);
    connect(driver, &ProtocolDriver::closed, this, &Client::schedulePump);
    connect(driver, &ProtocolDriver::switchedTo, this, &Client::adoptDriver);
}

void Client::onConnectionReady(Connection *conn)
{
    Exchange *ex = m_opening.take(conn);
    ProtocolDriver *driver = createDriver(conn);
    adoptDriver(driver);
    if (ex && !ex->isFinished()) {
        m_running_on.insert(ex, driver);
        driver->submit(ex);
    }
    schedulePump(); // waiting requests may multiplex onto it, or open further connections
}

void Client::onConnectionFailed(Connection *conn, const QByteArray &code, const QString &message)
{
    Exchange *ex = m_opening.take(conn);
    if (ex && !ex->isFinished())
        failRequest(ex, code, message);
    schedulePump();
}

void Client::onDriverFinished(Exchange *ex, bool retryable)
{
    if (!m_running_on.contains(ex))
        return;
    m_running_on.remove(ex);
    if (retryable && m_retries.value(ex) == 0 && m_running) {
        m_retries[ex] = 1;
        m_trace->record("pool.retry", {ex->connectionId, ex->id(), -1},
                        QCborMap{{QStringLiteral("reason"), ex->error()}});
        ex->setState(Exchange::State::Queued);
        ex->status = 0;
        m_pending.prepend(ex);
        schedulePump();
        return;
    }
    if (ex->state() == Exchange::State::Failed) {
        m_trace->record("request.failed", {ex->connectionId, ex->id(), -1},
                        QCborMap{{QStringLiteral("error"), ex->error()},
                                 {QStringLiteral("code"), QString::fromLatin1(ex->errorCode())}});
    }
    finish(ex);
}

void Client::failRequest(Exchange *ex, const QByteArray &code, const QString &message)
{
    ex->fail(code, message);
    if (ex->timings.end < 0)
        ex->timings.end = m_trace->elapsedNs();
    m_trace->record("request.failed", {ex->connectionId, ex->id(), -1},
                    QCborMap{{QStringLiteral("error"), message},
                             {QStringLiteral("code"), QString::fromLatin1(code)}});
    m_pending.removeOne(ex);
    for (auto it = m_opening.begin(); it != m_opening.end(); ++it) {
        if (it.value() == ex)
            it.value() = nullptr; // the connection may still serve others once open
    }
    finish(ex);
}

void Client::finish(Exchange *ex)
{
    if (QTimer *t = m_timers.take(ex))
        t->deleteLater();
    --m_unfinished;
    emit exchangeFinished(ex);
    // Let the driver and connection settle (close, pool bookkeeping) before dispatching more.
    schedulePump();
}

void Client::startRequestTimer(Exchange *ex)
{
    const int ms = ex->spec().timeouts.totalMs;
    if (ms <= 0)
        return;
    auto *t = new QTimer(this);
    t->setSingleShot(true);
    connect(t, &QTimer::timeout, this, [this, ex, ms] {
        const QString msg = QStringLiteral("request timed out after %1 s").arg(ms / 1000.0);
        if (QPointer<ProtocolDriver> d = m_running_on.value(ex)) {
            d->abort("timeout", msg); // ends in onDriverFinished
            return;
        }
        failRequest(ex, "timeout", msg);
    });
    m_timers.insert(ex, t);
    t->start(ms);
}

void Client::abortAll(const QByteArray &code, const QString &message)
{
    const bool wasRunning = m_running;
    m_running = false; // no retries, no new dispatches while tearing down
    const QList<Exchange *> pending = m_pending;
    for (Exchange *ex : pending) {
        const bool started = ex->timings.start >= 0;
        if (started) {
            m_trace->record("error", {0, ex->id(), -1},
                            QCborMap{{QStringLiteral("message"), message},
                                     {QStringLiteral("code"), QString::fromLatin1(code)}});
        }
        failRequest(ex, code, started ? message : QStringLiteral("not sent: %1").arg(message));
    }
    const auto running = m_running_on;
    for (auto it = running.cbegin(); it != running.cend(); ++it) {
        if (it.value())
            it.value()->abort(code, message);
    }
    // Requests still waiting for their connection.
    const auto opening = m_opening;
    for (auto it = opening.cbegin(); it != opening.cend(); ++it) {
        if (Exchange *ex = it.value(); ex && !ex->isFinished()) {
            m_trace->record("error", {it.key()->id(), ex->id(), -1},
                            QCborMap{{QStringLiteral("message"), message},
                                     {QStringLiteral("code"), QString::fromLatin1(code)}});
            failRequest(ex, code, message);
        }
    }
    m_opening.clear();
    m_pool->closeAll(message);
    if (wasRunning && m_unfinished == 0)
        emit allFinished();
}

void Client::shutdown(const QString &reason)
{
    m_pool->closeAll(reason);
}

} // namespace hopscope
