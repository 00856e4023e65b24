#pragma once

#include "core/bodysink.h"
#include "core/requestspec.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <memory>
#include <vector>

class QTimer;

namespace hopscope {

class Connection;
class ConnectionPool;
class Exchange;
class ProtocolDriver;
class TraceStore;
class UpgradeRegistry;

// Runs requests through the connection pool and records every step in the trace. Request
// numbers (the trace's `req`) are 1-based in the order the requests were enqueued. By default
// requests run one after the other; in parallel mode all are dispatched at once, within
// maxConnectionsPerOrigin HTTP/1.1 connections per origin.
class Client : public QObject
{
    Q_OBJECT
public:
    explicit Client(TraceStore *trace, QObject *parent = nullptr);
    ~Client() override;

    void setParallel(bool parallel) { m_parallel = parallel; }
    void setMaxConnectionsPerOrigin(int n) { m_maxConnections = qMax(1, n); }

    Exchange *enqueue(RequestSpec spec, std::unique_ptr<BodySink> sink = {});
    void start();
    // Fails every running and queued request with this reason and closes all connections.
    void abortAll(const QByteArray &code, const QString &message);
    // Closes connections (end of a run).
    void shutdown(const QString &reason);

    // Token -> handler for `Upgrade` offers; h2c is registered. Add your own before start().
    UpgradeRegistry *upgradeRegistry() const { return m_upgrades.get(); }

    QList<Exchange *> exchanges() const;
    bool isRunning() const { return m_running; }
    TraceStore *trace() const { return m_trace; }

signals:
    void exchangeFinished(hopscope::Exchange *exchange);
    // A 101 handed the exchange's connection to another driver (h2c, WebSocket, a raw tunnel).
    // Front ends that drive sessions (qobject_cast to SessionDriver) start here.
    void protocolSwitched(hopscope::Exchange *exchange, hopscope::ProtocolDriver *driver);
    void allFinished();

private:
    void pump();
    bool tryDispatch(Exchange *ex);
    bool checkRequest(Exchange *ex);
    void openConnection(Exchange *ex, const QString &key);
    void onConnectionReady(Connection *conn);
    void onConnectionFailed(Connection *conn, const QByteArray &code, const QString &message);
    ProtocolDriver *createDriver(Connection *conn, const RequestSpec &spec);
    void adoptDriver(ProtocolDriver *driver);
    void onDriverFinished(Exchange *ex, bool retryable);
    void finish(Exchange *ex);
    void failRequest(Exchange *ex, const QByteArray &code, const QString &message);
    void startRequestTimer(Exchange *ex);
    void schedulePump();
    int userRequestsInFlight() const;
    void onDriverSwitched(ProtocolDriver *next);
    void onUpgradeAdvertised(const QList<QByteArray> &protocols);

    TraceStore *m_trace;
    ConnectionPool *m_pool;
    std::vector<std::unique_ptr<Exchange>> m_exchanges;
    QList<Exchange *> m_pending;                              // in order, not yet on a connection
    QHash<Exchange *, QPointer<ProtocolDriver>> m_running_on; // in flight
    QHash<Connection *, Exchange *>
        m_opening; // connection being opened -> the request that opened it
    QHash<Exchange *, QTimer *> m_timers;
    QHash<Exchange *, int> m_retries;
    std::unique_ptr<UpgradeRegistry> m_upgrades;
    std::vector<std::unique_ptr<Exchange>> m_internal; // OPTIONS * upgrade probes (h2c-options)
    qsizetype m_unfinished = 0;
    int m_maxConnections = 6;
    bool m_parallel = false;
    bool m_running = false;
    bool m_pumpScheduled = false;
};

} // namespace hopscope
