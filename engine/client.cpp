#include "client.h"

#include "core/altsvc.h"
#include "core/exchange.h"
#include "core/redirectpolicy.h"
#include "core/routewords.h"
#include "http1/http1driver.h"
#include "http2/http2driver.h"
#include "http3/http3driver.h"
#include "net/connection.h"
#include "net/connectionpool.h"
#include "net/exchangeoutcome.h"
#include "trace/tracestore.h"
#include "upgrade/h2cupgradehandler.h"
#include "upgrade/rawtunnelhandler.h"
#include "upgrade/upgraderegistry.h"
#include "websocket/websocketupgradehandler.h"

#include <QPointer>
#include <QTimer>

#include <deque>
#include <optional>
#include <utility>

namespace hopscope {

// Everything the client keeps for one request until it finishes; released with it.
struct Client::Request
{
    std::unique_ptr<Exchange> exchange;
    QString key; // the pool key, computed when the request is routed (again only on a retry)
    std::optional<DispatchQueues::Handle> waiting; // its place in its key's queue
    QTimer *timer = nullptr;                       // the request's total timeout
    QTimer *speedTimer = nullptr; // the low-speed check (Limits::lowSpeedLimit), once a second
    // (trace time, bytes the connection moved) once a second, back to the start of the window.
    std::deque<std::pair<qint64, qint64>> speedSamples;
    QPointer<ProtocolDriver> driver; // in flight on
    Connection *opening = nullptr;   // the connection it opened, until ready
    int retries = 0;

    bool isUser() const { return exchange->id() != 0; }
    bool isStarted() const { return exchange->timings.start >= 0; }
};

namespace {

// An explicit upgrade (WebSocket, a raw tunnel, a custom token) takes the connection over for
// good and can only be offered on a connection's first request: it always gets a new one.
bool needsOwnConnection(const RequestSpec &spec)
{
    return !spec.upgrade.isEmpty() && spec.protocol != ProtocolPolicy::Http1Only;
}

} // namespace

Client::Client(TraceStore *trace, QObject *parent)
    : QObject(parent), m_trace(trace), m_pool(new ConnectionPool(trace, this)),
      m_upgrades(std::make_unique<UpgradeRegistry>())
{
    m_upgrades->registerHandler(std::make_shared<H2cUpgradeHandler>());
    m_upgrades->registerHandler(std::make_shared<WebSocketUpgradeHandler>());
    m_upgrades->setFallback(std::make_shared<RawTunnelHandler>()); // any other token
    connect(m_pool, &ConnectionPool::connectionRemoved, this, &Client::keyChanged);
}

Client::~Client() = default;

Client::Request *Client::requestOf(const Exchange *ex) const
{
    const auto it = m_requests.find(ex);
    return it == m_requests.end() ? nullptr : it->second.get();
}

quint32 Client::enqueue(RequestSpec spec, std::unique_ptr<BodySink> sink)
{
    const quint32 id = m_nextId++;
    auto r = std::make_unique<Request>();
    r->exchange = std::make_unique<Exchange>(id, std::move(spec), std::move(sink));
    m_unstarted.push_back(r.get());
    m_requests.emplace(r->exchange.get(), std::move(r));
    ++m_unfinished;
    if (m_running)
        schedulePump();
    return id;
}

QList<const Exchange *> Client::unfinished() const
{
    QList<const Exchange *> out;
    for (const auto &[ex, r] : m_requests) {
        if (r->isUser())
            out.append(ex);
    }
    std::sort(out.begin(), out.end(),
              [](const Exchange *a, const Exchange *b) { return a->id() < b->id(); });
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

// Something changed for the connections of this key (one opened, freed a slot, closed, failed):
// its waiting requests are looked at on the next pump, and only theirs.
void Client::keyChanged(const QString &key)
{
    m_queues.markReady(key);
    schedulePump();
}

// Starts what may start and dispatches, per key, what can go now. Sequential mode keeps one
// user request in flight (counting one whose connection is still opening); parallel mode
// starts everything and dispatches what the pool allows.
void Client::pump()
{
    if (!m_running)
        return;
    if (m_pumping) {
        m_pumpAgain = true; // a slot called back into us: finish this pass first
        return;
    }
    m_pumping = true;
    dispatchReadyKeys();
    startWaitingRequests();
    dispatchReadyKeys();
    m_pumping = false;
    if (std::exchange(m_pumpAgain, false))
        schedulePump();
    if (m_unfinished == 0 && m_running) {
        m_running = false;
        emit allFinished();
    }
}

void Client::startWaitingRequests()
{
    while (!m_unstarted.empty() && m_running) {
        if (!m_parallel && (m_userActive > 0 || !m_opening.isEmpty()))
            break;
        Request *r = m_unstarted.front();
        m_unstarted.pop_front();
        if (!startRequest(r))
            continue; // failed and released
        route(r, false);
        // Alone in its queue: try it now, so that a request's start and its dispatch stay
        // together in the trace. Behind others it waits its turn.
        if (r->waiting && m_queues.front(r->key) == r->exchange.get())
            dispatchKey(r->key);
    }
}

// false: the request failed its checks and is gone.
bool Client::startRequest(Request *r)
{
    Exchange *ex = r->exchange.get();
    ex->timings.start = m_trace->elapsedNs();
    ++m_userActive;
    FieldWriter start = m_trace->record(EventType::RequestStart, {0, ex->id(), -1});
    start.atom(Field::Method, ex->spec().method).text(Field::Url, ex->spec().url.toString());
    // How it was routed, so that a copy of it (even from a saved trace) goes the same way.
    if (const QStringList words = routeWords(ex->spec()); !words.isEmpty()) {
        start.beginArray(Field::Route);
        for (const QString &w : words)
            start.text(w);
        start.end();
    }
    startRequestTimer(r);
    return checkRequest(r);
}

bool Client::checkRequest(Request *r)
{
    const QUrl &url = r->exchange->spec().url;
    const QString scheme = url.scheme().toLower();
    if (scheme != u"http" && scheme != u"https") {
        failRequest(r, "url",
                    QStringLiteral("unsupported URL scheme \"%1\" in %2 (use http or https)")
                        .arg(url.scheme(), url.toString()));
        return false;
    }
    if (url.host().isEmpty()) {
        failRequest(r, "url", QStringLiteral("no host in URL %1").arg(url.toString()));
        return false;
    }
    return true;
}

// Computes the request's pool key (following an advertisement if one applies) and puts it in
// that key's queue, at the back or, for a retry, at the front. An explicit upgrade opens its
// own connection at once instead.
void Client::route(Request *r, bool first)
{
    Exchange *ex = r->exchange.get();
    if (needsOwnConnection(ex->spec())) {
        r->key = ConnectionPool::key(ex->spec());
        openConnection(r);
        return;
    }
    const bool triesQuic = ex->spec().http3 == Http3Mode::Try;
    const QString quicKey = triesQuic ? ConnectionPool::key(ex->spec()) : QString();
    r->key = m_pool->route(ex->dispatchSpec());
    noteAltSvcExpired(ex);
    if (triesQuic && ex->spec().http3 == Http3Mode::Off) {
        // --http3 where QUIC failed: the trace says why this request goes over TCP.
        m_trace->record(EventType::QuicFallback, {0, ex->id(), -1})
            .text(Field::Reason, m_pool->altProtocols().quicFailure(quicKey))
            .atom(Field::To, "tcp");
    }
    r->waiting = first ? m_queues.pushFront(r->key, ex) : m_queues.pushBack(r->key, ex);
    m_queues.markReady(r->key);
}

void Client::unqueue(Request *r)
{
    if (r->waiting)
        m_queues.remove(r->key, *std::exchange(r->waiting, std::nullopt));
}

void Client::dispatchReadyKeys()
{
    for (const QString &key : m_queues.takeReady())
        dispatchKey(key);
}

// Dispatches this key's waiting requests in order until one has to wait (then all behind it
// wait too: they would meet the same connections).
void Client::dispatchKey(const QString &key)
{
    while (m_running) {
        // Looked up again each time: a submit may finish (or retry) a request synchronously.
        Exchange *ex = m_queues.front(key);
        if (!ex || !dispatch(requestOf(ex)))
            break;
    }
}

// Puts the request on a connection that can take it now, or opens one. false: it must wait (a
// connection of its key may still turn out to multiplex, or the per-key limit is reached).
bool Client::dispatch(Request *r)
{
    const QString key = r->key;
    if (ProtocolDriver *driver = m_pool->findAvailable(key)) {
        Exchange *ex = r->exchange.get();
        unqueue(r);
        m_trace->record(EventType::PoolReuse, {driver->connection()->id(), ex->id(), -1})
            .atom(Field::Origin, driver->connection()->origin().toString().toUtf8());
        submitTo(r, driver);
        return true;
    }
    if (m_pool->shouldWait(key) || m_pool->connectionCount(key) >= m_maxConnections)
        return false;
    unqueue(r);
    openConnection(r);
    return true;
}

void Client::openConnection(Request *r)
{
    Exchange *ex = r->exchange.get();
    Connection *conn = m_pool->createConnection(ex->spec(), r->key, ex->id());
    ex->setState(Exchange::State::Connecting);
    r->opening = conn;
    m_opening.insert(conn, r);
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
    if (QuicTransport *quic = conn->quic()) {
        auto *driver = new Http3Driver(conn, quic, spec.limits, conn);
        driver->setActivation([driver] { driver->start(); });
        return driver;
    }
    const Http2Options h2 = Http2Options::fromLimits(spec.limits, spec.timeouts.idleMs);
    bool http2 = false;
    if (conn->origin().isTls()) {
        // No ALPN answer on a connection that offered only h2 (following `Upgrade: h2`) means a
        // server without ALPN: speak HTTP/2 by prior knowledge over TLS.
        const bool offeredOnlyH2 = spec.tls.alpn == QList<QByteArray>{QByteArrayLiteral("h2")};
        http2 = conn->alpn() == "h2" || (conn->alpn().isEmpty() && offeredOnlyH2);
        if (offeredOnlyH2 && conn->alpn() == "http/1.1") {
            m_trace->record(EventType::UpgradeH2Refused, conn->scope())
                .value(Field::Message, QStringLiteral("server chose http/1.1 although only h2 "
                                                      "was offered; going on with HTTP/1.1"));
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
    const QString key = driver->connection()->poolKey();
    connect(driver, &ProtocolDriver::finished, this, &Client::onDriverFinished);
    connect(driver, &ProtocolDriver::capacityAvailable, this, [this, key] { keyChanged(key); });
    connect(driver, &ProtocolDriver::closed, this, [this, key] { keyChanged(key); });
    connect(driver, &ProtocolDriver::switchedTo, this, &Client::onDriverSwitched);
    connect(driver, &ProtocolDriver::upgradeAdvertised, this, &Client::onUpgradeAdvertised);
}

void Client::onDriverSwitched(ProtocolDriver *next)
{
    auto *previous = qobject_cast<ProtocolDriver *>(sender());
    adoptDriver(next);
    // At most a few requests ride the old driver (HTTP/1.1: the one that got the 101).
    QList<Exchange *> moved;
    for (const auto &[ex, r] : m_requests) {
        if (r->driver && r->driver == previous) {
            r->driver = next;
            moved.append(r->exchange.get());
        }
    }
    std::sort(moved.begin(), moved.end(),
              [](const Exchange *a, const Exchange *b) { return a->id() < b->id(); });
    for (Exchange *ex : moved)
        emit protocolSwitched(ex, next);
    // The client is the one owner of activation: the driver starts once everyone is wired to it
    // (its first bytes may end the exchange at once). Requests waiting for the switch go on it
    // right away, so their streams leave together with the connection preface: Apache's event
    // MPM ends an upgraded connection that is idle after stream 1, and a request sent a moment
    // later is refused.
    next->activate();
    m_queues.markReady(next->connection()->poolKey());
    pump();
}

void Client::onConnectionReady(Connection *conn)
{
    Request *r = m_opening.take(conn);
    if (r)
        r->opening = nullptr;
    Exchange *ex = r ? r->exchange.get() : nullptr;
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
            auto internal = std::make_unique<Request>();
            internal->exchange = std::make_unique<Exchange>(0, probe, nullptr);
            internal->key = r->key;
            internal->driver = driver;
            Exchange *options = internal->exchange.get();
            options->timings.start = m_trace->elapsedNs();
            m_requests.emplace(options, std::move(internal));
            driver->submit(options);
            ex->setState(Exchange::State::Queued);
            route(r, true);
        } else {
            submitTo(r, driver);
        }
    }
    // Waiting requests may multiplex onto it, or open further connections.
    keyChanged(conn->poolKey());
}

void Client::onUpgradeAdvertised(const QList<QByteArray> &protocols)
{
    auto *driver = qobject_cast<ProtocolDriver *>(sender());
    if (!driver || !m_pool->noteUpgradeAdvertised(driver->connection(), protocols))
        return;
    // Requests already waiting under that key follow too, in their order.
    const QString key = driver->connection()->poolKey();
    for (Exchange *ex : m_queues.waiting(key)) {
        Request *r = requestOf(ex);
        const QString newKey = m_pool->route(ex->dispatchSpec());
        noteAltSvcExpired(ex);
        if (newKey == key)
            continue;
        unqueue(r);
        r->key = newKey;
        r->waiting = m_queues.pushBack(newKey, ex);
        keyChanged(newKey);
    }
}

void Client::onConnectionFailed(Connection *conn, const QByteArray &code, const QString &message)
{
    if (Request *r = m_opening.take(conn)) {
        r->opening = nullptr;
        if (r->exchange->spec().http3 == Http3Mode::Try && code.startsWith("quic") &&
            !r->exchange->isFinished()) {
            fallBackFromQuic(r, conn->poolKey(), message);
            return;
        }
        if (!r->exchange->isFinished())
            failRequest(r, code, message);
    }
    keyChanged(conn->poolKey());
}

// --http3 and QUIC failed (no answer over UDP, a handshake error): the request, and every
// request waiting for that connection, goes over TCP instead, as curl and browsers do.
void Client::fallBackFromQuic(Request *r, const QString &quicKey, const QString &why)
{
    m_pool->noteQuicFailed(quicKey, why);
    r->exchange->setState(Exchange::State::Queued);
    route(r, true);
    for (Exchange *ex : m_queues.waiting(quicKey)) {
        Request *waiting = requestOf(ex);
        unqueue(waiting);
        route(waiting, false);
    }
    keyChanged(quicKey);
    keyChanged(r->key);
}

void Client::onDriverFinished(Exchange *ex, bool retryable)
{
    Request *r = requestOf(ex);
    if (!r || !r->driver)
        return;
    r->driver = nullptr;
    keyChanged(r->key); // its connection may take the next request now
    if (!r->isUser()) {
        release(r); // an internal OPTIONS * probe: the real request is waiting
        return;
    }
    if (retryable && r->retries == 0 && m_running) {
        r->retries = 1;
        stopSpeedCheck(r); // the retry measures its own connection once it is on one
        m_trace->record(EventType::PoolRetry, {ex->connectionId, ex->id(), -1})
            .value(Field::Reason, ex->error());
        ex->startOver();
        route(r, true);
        return;
    }
    noteAltSvc(ex);
    if (ex->state() == Exchange::State::Failed) {
        m_trace->record(EventType::RequestFailed, {ex->connectionId, ex->id(), -1})
            .value(Field::Error, ex->error())
            .atom(Field::Code, ex->errorCode());
    } else if (ex->isRedirecting()) {
        followRedirect(r);
    }
    finish(r);
}

// The request would have followed an Alt-Svc alternative whose `ma` ran out: it goes to the
// origin over TCP, and the trace says why.
void Client::noteAltSvcExpired(const Exchange *ex)
{
    const std::optional<AltProtocols::Expired> expired = m_pool->altProtocols().takeExpired();
    if (!expired)
        return;
    m_trace->record(EventType::AltSvc, {0, ex->id(), -1})
        .atom(Field::Action, "expired")
        .atom(Field::Protocol, expired->service.protocol)
        .text(Field::Authority, expired->service.authority())
        .integer(Field::MaxAge, expired->service.maxAgeSeconds)
        .integer(Field::From, expired->from);
}

// An `Alt-Svc` header on a response over TLS (RFC 7838): the pool remembers its h3 alternative
// for the origin (AltProtocols), and the trace says what was advertised and what was kept.
void Client::noteAltSvc(const Exchange *ex)
{
    if (ex->status < 200 || ex->spec().url.scheme().compare(u"https", Qt::CaseInsensitive) != 0)
        return;
    for (const HttpHeader &h : ex->responseHeaders) {
        if (h.name.compare("alt-svc", Qt::CaseInsensitive) != 0)
            continue;
        const AltSvcHeader header = AltSvcHeader::parse(h.value);
        const bool follows = ex->spec().followAltSvc;
        const std::optional<AltService> kept =
            follows ? m_pool->noteAltSvc(Origin::fromUrl(ex->spec().url).toString(),
                                         ex->connectionId, header)
                    : std::nullopt;
        FieldWriter w = m_trace->record(EventType::AltSvc, {ex->connectionId, ex->id(), -1});
        w.atom(Field::Action, header.clear ? QByteArrayView("clear")
                              : kept       ? QByteArrayView("remembered")
                                           : QByteArrayView("ignored"));
        w.beginArray(Field::Protocols);
        for (const AltService &s : header.services)
            w.text(QString::fromLatin1(s.protocol) + u'=' + s.authority());
        w.end();
        if (kept)
            w.atom(Field::Protocol, kept->protocol)
                .text(Field::Authority, kept->authority())
                .integer(Field::MaxAge, kept->maxAgeSeconds);
        QStringList why = header.skipped;
        if (!follows)
            why << QStringLiteral("following Alt-Svc is off (--no-alt-svc)");
        else if (!kept && !header.clear)
            why << QStringLiteral("no h3 alternative (only the final HTTP/3 is followed)");
        if (!why.isEmpty())
            w.text(Field::Reason, why.join(QStringLiteral("; ")));
    }
}

// The exchange's response is a redirect its spec follows (-L): the next hop is a new exchange
// with the next request number, started before anything else (it carries the user's request
// on), and the body sink moves to it. Or the redirect cannot be followed, and the request
// fails after its complete response. The rules are redirectpolicy.h's.
void Client::followRedirect(Request *r)
{
    Exchange *ex = r->exchange.get();
    const bool first = ex->chain.firstId == 0;
    const QUrl firstUrl = first ? ex->spec().url : ex->chain.firstUrl;
    const HeaderList userHeaders = first ? ex->spec().headers : ex->chain.headers;
    RedirectStep step = nextRedirect(ex->spec(), ex->chain.hop, firstUrl, userHeaders, ex->status,
                                     headerValue(ex->responseHeaders, "Location"));
    ex->redirectUrl = step.to;
    const EventScope scope{ex->connectionId, ex->id(), ex->stream};
    if (!step.errorCode.isEmpty()) {
        recordError(m_trace, scope, step.errorCode, step.error);
        ex->failAfterResponse(step.errorCode, step.error);
        m_trace->record(EventType::RequestFailed, {ex->connectionId, ex->id(), -1})
            .value(Field::Error, step.error)
            .atom(Field::Code, step.errorCode);
        return;
    }
    if (!m_running)
        return; // tearing down: the redirect stays unfollowed
    const quint32 id = m_nextId++;
    auto hop = std::make_unique<Request>();
    hop->exchange = std::make_unique<Exchange>(id, std::move(step.spec), ex->takeSink());
    hop->exchange->chain = {ex->firstId(), ex->chain.hop + 1, firstUrl,
                            first ? ex->timings.start : ex->chain.firstStartNs, userHeaders};
    if (m_redirectHook)
        m_redirectHook(*ex, hop->exchange->dispatchSpec());
    ex->nextHop = id;
    FieldWriter w = m_trace->record(EventType::Redirect, scope);
    w.text(Field::From, ex->spec().url.toString())
        .text(Field::To, step.to.toString())
        .integer(Field::Status, ex->status)
        .integer(Field::Hop, ex->chain.hop + 1)
        .atom(Field::Method, hop->exchange->spec().method)
        .integer(Field::Next, id)
        .integer(Field::First, ex->firstId());
    if (step.downgrade)
        w.boolean(Field::Downgrade, true);
    if (!step.dropped.isEmpty())
        w.atoms(Field::Dropped, step.dropped);
    m_unstarted.push_front(hop.get());
    m_requests.emplace(hop->exchange.get(), std::move(hop));
    ++m_unfinished;
}

void Client::failRequest(Request *r, const QByteArray &code, const QString &message)
{
    Exchange *ex = r->exchange.get();
    ex->fail(code, message);
    if (ex->timings.end < 0)
        ex->timings.end = m_trace->elapsedNs();
    m_trace->record(EventType::RequestFailed, {ex->connectionId, ex->id(), -1})
        .value(Field::Error, message)
        .atom(Field::Code, code);
    finish(r);
}

// Takes the request out of every structure of the client and hands back its exchange. The
// connection it was opening may still serve others once open.
std::unique_ptr<Exchange> Client::release(Request *r)
{
    unqueue(r);
    if (r->opening)
        m_opening[r->opening] = nullptr;
    if (r->timer) {
        r->timer->stop();
        r->timer->deleteLater(); // it may be the timer whose timeout got us here
    }
    stopSpeedCheck(r);
    std::unique_ptr<Exchange> ex = std::move(r->exchange);
    m_requests.erase(ex.get()); // deletes r
    return ex;
}

void Client::finish(Request *r)
{
    const bool started = r->isStarted();
    Exchange *ex = r->exchange.get();
    m_finished.push_back(release(r));
    if (!m_releaseScheduled) {
        m_releaseScheduled = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_releaseScheduled = false;
                m_finished.clear();
            },
            Qt::QueuedConnection);
    }
    --m_unfinished;
    if (started)
        --m_userActive;
    emit exchangeFinished(ex);
    // Let the driver and connection settle (close, pool bookkeeping) before dispatching more.
    schedulePump();
}

void Client::startRequestTimer(Request *r)
{
    const int ms = r->exchange->spec().timeouts.totalMs;
    if (ms <= 0)
        return;
    auto *t = new QTimer(this);
    t->setSingleShot(true);
    t->setTimerType(Qt::PreciseTimer); // a user-given timeout must not fire early
    const Exchange *ex = r->exchange.get();
    connect(t, &QTimer::timeout, this, [this, ex, ms] {
        Request *r = requestOf(ex); // stopped when the request goes: it is still here
        if (!r)
            return;
        const QString msg = QStringLiteral("request timed out after %1 s").arg(ms / 1000.0);
        if (r->driver) {
            r->driver->abort("timeout", msg); // ends in onDriverFinished
            return;
        }
        failRequest(r, "timeout", msg);
    });
    r->timer = t;
    t->start(ms);
}

// The request goes out on this driver: from here its connection's rate counts (the low-speed
// check), and its address is the one the request was sent to.
void Client::submitTo(Request *r, ProtocolDriver *driver)
{
    Exchange *ex = r->exchange.get();
    r->driver = driver;
    ex->remoteAddress = driver->connection()->peerAddress().toString();
    startSpeedCheck(r);
    driver->submit(ex); // may finish (and release) the request at once
}

void Client::startSpeedCheck(Request *r)
{
    const Limits &limits = r->exchange->spec().limits;
    if (limits.lowSpeedLimit <= 0 || limits.lowSpeedTime <= 0 || !r->driver)
        return;
    r->speedSamples.clear();
    r->speedSamples.emplace_back(m_trace->elapsedNs(), r->driver->connection()->bytesMoved());
    if (!r->speedTimer) {
        r->speedTimer = new QTimer(this);
        r->speedTimer->setTimerType(Qt::PreciseTimer); // the window must not be cut short
        const Exchange *ex = r->exchange.get();
        connect(r->speedTimer, &QTimer::timeout, this, [this, ex] {
            if (Request *req = requestOf(ex))
                checkSpeed(req);
        });
    }
    r->speedTimer->start(1000);
}

void Client::stopSpeedCheck(Request *r)
{
    if (!r->speedTimer)
        return;
    r->speedTimer->stop();
    r->speedTimer->deleteLater(); // it may be the timer whose timeout got us here
    r->speedTimer = nullptr;
}

// curl's rule (lib/speedcheck.c) on a sliding window: once the request has been on its
// connection for lowSpeedTime seconds, the bytes moved over the last lowSpeedTime seconds must
// average at least lowSpeedLimit per second.
void Client::checkSpeed(Request *r)
{
    if (!r->driver || r->speedSamples.empty())
        return;
    const Limits &limits = r->exchange->spec().limits;
    const qint64 now = m_trace->elapsedNs();
    const qint64 bytes = r->driver->connection()->bytesMoved();
    const qint64 windowNs = qint64(limits.lowSpeedTime) * 1'000'000'000;
    r->speedSamples.emplace_back(now, bytes);
    // Keep the newest sample at or before the window's start, and everything after it.
    while (r->speedSamples.size() > 1 && r->speedSamples[1].first <= now - windowNs)
        r->speedSamples.pop_front();
    const auto [since, bytesThen] = r->speedSamples.front();
    if (now - since < windowNs)
        return; // not on the connection for a whole window yet
    const double seconds = double(now - since) / 1e9;
    const qint64 moved = bytes - bytesThen;
    if (double(moved) / seconds >= double(limits.lowSpeedLimit))
        return;
    const QString msg =
        QStringLiteral("transfer slower than %1 bytes/s for %2 s: %3 bytes moved in the last %4 s "
                       "(limit lowSpeedLimit: -Y/--speed-limit, -y/--speed-time)")
            .arg(limits.lowSpeedLimit)
            .arg(limits.lowSpeedTime)
            .arg(moved)
            .arg(seconds, 0, 'f', 1);
    stopSpeedCheck(r);
    r->driver->abort("limit:lowSpeedLimit", msg); // ends in onDriverFinished
}

void Client::abortAll(const QByteArray &code, const QString &message)
{
    const bool wasRunning = m_running;
    m_running = false; // no retries, no new dispatches while tearing down
    // Waiting requests first, in order: those not started yet and those waiting for a
    // connection.
    QList<Exchange *> waiting = m_queues.all();
    for (Request *r : m_unstarted)
        waiting.append(r->exchange.get());
    m_unstarted.clear();
    std::sort(waiting.begin(), waiting.end(),
              [](const Exchange *a, const Exchange *b) { return a->id() < b->id(); });
    for (Exchange *ex : waiting) {
        Request *r = requestOf(ex);
        const bool started = r->isStarted();
        if (started) {
            recordError(m_trace, {0, ex->id(), -1}, code, message);
        }
        failRequest(r, code, started ? message : QStringLiteral("not sent: %1").arg(message));
    }
    // Requests in flight: their drivers fail them.
    QList<Exchange *> running;
    for (const auto &[ex, r] : m_requests) {
        if (r->driver)
            running.append(r->exchange.get());
    }
    std::sort(running.begin(), running.end(),
              [](const Exchange *a, const Exchange *b) { return a->id() < b->id(); });
    for (Exchange *ex : running) {
        Request *r = requestOf(ex); // an abort before may have finished it already
        if (r && r->driver)
            r->driver->abort(code, message);
    }
    // Requests still waiting for their connection.
    const auto opening = m_opening;
    for (auto it = opening.cbegin(); it != opening.cend(); ++it) {
        Request *r = m_opening.value(it.key());
        if (r && !r->exchange->isFinished()) {
            recordError(m_trace, {it.key()->id(), r->exchange->id(), -1}, code, message);
            failRequest(r, code, message);
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
