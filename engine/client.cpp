#include "client.h"

#include "core/exchange.h"
#include "http1/http1driver.h"
#include "http2/http2driver.h"
#include "net/connection.h"
#include "net/connectionpool.h"
#include "trace/tracestore.h"
#include "upgrade/h2cupgradehandler.h"
#include "upgrade/rawtunnelhandler.h"
#include "upgrade/upgraderegistry.h"
#include "websocket/websocketupgradehandler.h"

#include <QSslSocket>
#include <QTimer>

namespace hopscope {

Client::Client(TraceStore *trace, QObject *parent)
    : QObject(parent), m_trace(trace), m_pool(new ConnectionPool(trace, this)),
      m_upgrades(std::make_unique<UpgradeRegistry>())
{
    m_upgrades->registerHandler(std::make_shared<H2cUpgradeHandler>());
    m_upgrades->registerHandler(std::make_shared<WebSocketUpgradeHandler>());
    m_upgrades->setFallback(std::make_shared<RawTunnelHandler>()); // any other token
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
        if (!m_parallel && (userRequestsInFlight() > 0 || !m_opening.isEmpty()))
            break;
        if (ex->timings.start < 0) {
            ex->timings.start = m_trace->elapsedNs();
            m_trace->record(
                "request.start", {0, ex->id(), -1},
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

// Internal exchanges (the OPTIONS * probe of --h2c-options, id 0) do not hold back the next
// request: nghttp -u sends the real request as soon as the switch happened, and so do we.
int Client::userRequestsInFlight() const
{
    int n = 0;
    for (auto it = m_running_on.cbegin(); it != m_running_on.cend(); ++it)
        n += it.key()->id() != 0;
    return n;
}

bool Client::checkRequest(Exchange *ex)
{
    const QUrl &url = ex->spec().url;
    const QString scheme = url.scheme().toLower();
    if (scheme != u"http" && scheme != u"https") {
        failRequest(ex, "url",
                    QStringLiteral("unsupported URL scheme \"%1\" in %2 (use http or https)")
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
    // An explicit upgrade (WebSocket, a raw tunnel, a custom token) takes the connection over
    // for good and can only be offered on a connection's first request: always a new one.
    if (!ex->spec().upgrade.isEmpty() && ex->spec().protocol != ProtocolPolicy::Http1Only) {
        openConnection(ex, ConnectionPool::key(ex->spec()));
        return true;
    }
    // The pool may send it elsewhere (following an `Upgrade: h2` advertisement).
    const QString key = m_pool->route(ex->dispatchSpec());
    if (ProtocolDriver *driver = m_pool->findAvailable(key)) {
        m_trace->record(
            "pool.reuse", {driver->connection()->id(), ex->id(), -1},
            QCborMap{{QStringLiteral("origin"), driver->connection()->origin().toString()}});
        m_running_on.insert(ex, driver);
        driver->submit(ex);
        return true;
    }
    // Wait rather than open more connections while the first one may still turn out to
    // multiplex (connecting, or an upgrade offer in flight), or while an HTTP/2 connection has
    // only run out of stream slots.
    if (m_pool->pendingCount(key) > 0 || m_pool->upgradeInFlight(key) ||
        m_pool->hasMultiplexed(key))
        return false;
    if (m_pool->connectionCount(key) >= m_maxConnections)
        return false;
    openConnection(ex, key);
    return true;
}

void Client::openConnection(Exchange *ex, const QString &key)
{
    Connection *conn = m_pool->createConnection(ex->spec(), key, ex->id());
    ex->setState(Exchange::State::Connecting);
    m_opening.insert(conn, ex);
    connect(conn, &Connection::ready, this, [this, conn] { onConnectionReady(conn); });
    connect(conn, &Connection::failed, this,
            [this, conn](const QByteArray &code, const QString &msg) {
                onConnectionFailed(conn, code, msg);
            });
    conn->open(ex->id());
}

// The driver follows from what the connection negotiated and what the request asked for.
ProtocolDriver *Client::createDriver(Connection *conn, const RequestSpec &spec)
{
    const Http2Options h2 = Http2Options::fromLimits(spec.limits, spec.timeouts.idleMs);
    bool http2 = false;
    if (conn->origin().isTls()) {
        // No ALPN answer on a connection that offered only h2 (following `Upgrade: h2`) means a
        // server without ALPN: speak HTTP/2 by prior knowledge over TLS.
        const bool offeredOnlyH2 = spec.tls.alpn == QList<QByteArray>{QByteArrayLiteral("h2")};
        http2 = conn->alpn() == "h2" || (conn->alpn().isEmpty() && offeredOnlyH2);
        if (offeredOnlyH2 && conn->alpn() == "http/1.1") {
            m_trace->record("upgrade.h2.refused", conn->scope(),
                            QCborMap{{QStringLiteral("message"),
                                      QStringLiteral("server chose http/1.1 although only h2 "
                                                     "was offered; going on with HTTP/1.1")}});
        }
    } else {
        http2 = spec.protocol == ProtocolPolicy::H2cPrior;
    }
    if (!http2)
        return new Http1Driver(conn, m_upgrades.get(), conn);
    auto *driver = new Http2Driver(conn, h2, conn);
    driver->setActivation([driver] { driver->startPriorKnowledge(); });
    return driver;
}

void Client::adoptDriver(ProtocolDriver *driver)
{
    m_pool->setDriver(driver->connection(), driver);
    connect(driver, &ProtocolDriver::finished, this, &Client::onDriverFinished);
    connect(driver, &ProtocolDriver::capacityAvailable, this, &Client::schedulePump);
    connect(driver, &ProtocolDriver::closed, this, &Client::schedulePump);
    connect(driver, &ProtocolDriver::switchedTo, this, &Client::onDriverSwitched);
    connect(driver, &ProtocolDriver::upgradeAdvertised, this, &Client::onUpgradeAdvertised);
}

void Client::onDriverSwitched(ProtocolDriver *next)
{
    auto *previous = qobject_cast<ProtocolDriver *>(sender());
    adoptDriver(next);
    QList<Exchange *> moved;
    for (auto it = m_running_on.begin(); it != m_running_on.end(); ++it) {
        if (it.value() == previous) {
            it.value() = next;
            moved.append(it.key());
        }
    }
    for (Exchange *ex : moved)
        emit protocolSwitched(ex, next);
    // Start the new driver and put waiting requests on it right away, so their streams leave
    // together with the connection preface: Apache's event MPM ends an upgraded connection that
    // is idle after stream 1, and a request sent a moment later is refused.
    next->activate();
    pump();
}

void Client::onConnectionReady(Connection *conn)
{
    Exchange *ex = m_opening.take(conn);
    const RequestSpec spec = ex ? ex->spec() : RequestSpec{};
    if (ex)
        ex->timings.setConnectionPhases(conn->timings());
    ProtocolDriver *driver = createDriver(conn, spec);
    adoptDriver(driver);
    driver->activate();
    m_pool->retireReplaced(conn);
    if (ex && !ex->isFinished()) {
        if (spec.h2cViaOptions && spec.upgradeToken() == "h2c" &&
            driver->protocol() == "http/1.1") {
            // nghttp -u style: the upgrade rides a bodiless OPTIONS *, the request then goes out
            // as a stream (or over HTTP/1.1 if the server declines).
            RequestSpec probe = spec;
            probe.method = "OPTIONS";
            probe.targetOverride = "*";
            probe.body.clear();
            probe.bodyFile.clear();
            probe.headers.clear();
            m_internal.push_back(std::make_unique<Exchange>(0, probe, nullptr));
            Exchange *options = m_internal.back().get();
            options->timings.start = m_trace->elapsedNs();
            m_running_on.insert(options, driver);
            driver->submit(options);
            ex->setState(Exchange::State::Queued);
            m_pending.prepend(ex);
        } else {
            m_running_on.insert(ex, driver);
            driver->submit(ex);
        }
    }
    schedulePump(); // waiting requests may multiplex onto it, or open further connections
}

void Client::onUpgradeAdvertised(const QList<QByteArray> &protocols)
{
    // The connection knows its pool key: the pool remembers the advertisement under it.
    if (auto *driver = qobject_cast<ProtocolDriver *>(sender()))
        m_pool->noteUpgradeAdvertised(driver->connection(), protocols);
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
    if (ex->id() == 0) {
        schedulePump(); // an internal OPTIONS * probe: the real request is waiting
        return;
    }
    if (retryable && m_retries.value(ex) == 0 && m_running) {
        m_retries[ex] = 1;
        m_trace->record("pool.retry", {ex->connectionId, ex->id(), -1},
                        QCborMap{{QStringLiteral("reason"), ex->error()}});
        ex->startOver();
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
    t->setTimerType(Qt::PreciseTimer); // a user-given timeout must not fire early
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
