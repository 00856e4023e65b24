#pragma once

#include "core/bodysink.h"
#include "core/requestspec.h"
#include "dispatchqueues.h"

#include <QHash>
#include <QObject>

#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

namespace hopscope {

class Connection;
class ConnectionPool;
class Exchange;
class ProtocolDriver;
class TraceStore;
class UpgradeRegistry;

// Runs requests through the connection pool and records every step in the trace. Request
// numbers (the trace's `req`) are 1-based in the order the requests were enqueued; a followed
// redirect (RequestSpec::redirects) is a new exchange that gets the next number when the
// redirect arrives, and its exchangeFinished comes after the one of the exchange it follows
// (whose nextHop names it). By default
// requests run one after the other; in parallel mode all are dispatched at once, within
// maxConnectionsPerOrigin HTTP/1.1 connections per origin.
//
// The client holds only what is unfinished: an Exchange is deleted once exchangeFinished() for
// it has been delivered (on the next turn of the event loop), and a closed connection leaves
// the pool, so memory follows what is in flight, not how many requests ran before.
class Client : public QObject
{
    Q_OBJECT
public:
    explicit Client(TraceStore *trace, QObject *parent = nullptr);
    ~Client() override;

    void setParallel(bool parallel) { m_parallel = parallel; }
    void setMaxConnectionsPerOrigin(int n) { m_maxConnections = qMax(1, n); }

    // Queues a request and returns its number (the trace's `req`).
    quint32 enqueue(RequestSpec spec, std::unique_ptr<BodySink> sink = {});
    void start();
    // Fails every running and queued request with this reason and closes all connections.
    void abortAll(const QByteArray &code, const QString &message);
    // Closes connections (end of a run).
    void shutdown(const QString &reason);

    // Called as a redirect is followed, with the exchange that got it and the next hop's
    // request (redirectpolicy.h already applied): a front end adds what only it knows, e.g. the
    // cookies its cookie engine holds for the new URL.
    using RedirectHook = std::function<void(const Exchange &from, RequestSpec &next)>;
    void setRedirectHook(RedirectHook hook) { m_redirectHook = std::move(hook); }

    // Token -> handler for `Upgrade` offers; h2c is registered. Add your own before start().
    UpgradeRegistry *upgradeRegistry() const { return m_upgrades.get(); }

    // The requests not finished yet (waiting, connecting or in flight), by request number.
    QList<const Exchange *> unfinished() const;
    bool isRunning() const { return m_running; }
    TraceStore *trace() const { return m_trace; }
    const ConnectionPool *pool() const { return m_pool; }

signals:
    // The exchange completed or failed. It is deleted on the next turn of the event loop: read
    // what you need in a directly connected slot and keep no pointer (key by id() instead).
    void exchangeFinished(hopscope::Exchange *exchange);
    // A 101 handed the exchange's connection to another driver (h2c, WebSocket, a raw tunnel).
    // Front ends that drive sessions (qobject_cast to SessionDriver) connect to the driver here,
    // before the client activates it, and may send right away: a session driver holds what is
    // sent until it has taken the bytes that came with the 101.
    void protocolSwitched(hopscope::Exchange *exchange, hopscope::ProtocolDriver *driver);
    void allFinished();

private:
    struct Request; // the dispatch record of one exchange (client.cpp)

    Request *requestOf(const Exchange *ex) const;
    void pump();
    void schedulePump();
    void startWaitingRequests();
    bool startRequest(Request *r);
    bool checkRequest(Request *r);
    void route(Request *r, bool first);
    void dispatchReadyKeys();
    void dispatchKey(const QString &key);
    bool dispatch(Request *r);
    void unqueue(Request *r);
    void openConnection(Request *r);
    void onConnectionReady(Connection *conn);
    void onConnectionFailed(Connection *conn, const QByteArray &code, const QString &message);
    void fallBackFromQuic(Request *r, const QString &quicKey, const QString &why);
    ProtocolDriver *createDriver(Connection *conn, const RequestSpec &spec);
    void adoptDriver(ProtocolDriver *driver);
    void keyChanged(const QString &key);
    void onDriverFinished(Exchange *ex, bool retryable);
    void followRedirect(Request *r);
    void noteAltSvcExpired(const Exchange *ex);
    void noteAltSvc(const Exchange *ex);
    void finish(Request *r);
    void failRequest(Request *r, const QByteArray &code, const QString &message);
    std::unique_ptr<Exchange> release(Request *r);
    void startRequestTimer(Request *r);
    void submitTo(Request *r, ProtocolDriver *driver);
    void startSpeedCheck(Request *r);
    void stopSpeedCheck(Request *r);
    void checkSpeed(Request *r);
    void onDriverSwitched(ProtocolDriver *next);
    void onUpgradeAdvertised(const QList<QByteArray> &protocols);

    TraceStore *m_trace;
    ConnectionPool *m_pool;
    std::unique_ptr<UpgradeRegistry> m_upgrades;
    // Every unfinished request (and internal OPTIONS * probes), by its exchange.
    std::unordered_map<const Exchange *, std::unique_ptr<Request>> m_requests;
    std::deque<Request *> m_unstarted; // enqueued, not started yet, in order
    DispatchQueues m_queues;           // started, waiting for a connection, per pool key
    // Connection being opened -> the request that opened it (nullptr once that one finished).
    QHash<Connection *, Request *> m_opening;
    // Finished exchanges, deleted on the next turn of the event loop (after every slot of
    // exchangeFinished ran and every driver let go of them).
    std::vector<std::unique_ptr<Exchange>> m_finished;
    RedirectHook m_redirectHook;
    quint32 m_nextId = 1;
    qsizetype m_unfinished = 0; // user requests enqueued and not finished
    int m_userActive = 0;       // user requests started and not finished
    int m_maxConnections = 6;
    bool m_parallel = false;
    bool m_running = false;
    bool m_pumpScheduled = false;
    bool m_pumping = false;
    bool m_pumpAgain = false;
    bool m_releaseScheduled = false;
};

} // namespace hopscope
