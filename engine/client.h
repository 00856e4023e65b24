#pragma once

#include "core/bodysink.h"
#include "core/requestspec.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <vector>

namespace hopscope {

class ConnectionPool;
class Connection;
class Exchange;
class Http1Driver;
class TraceStore;

// Runs requests through the connection pool, in the order given, one after the other, and
// records every step in the trace. Request numbers (the trace's `req`) are 1-based in the order
// the requests were enqueued.
class Client : public QObject
{
    Q_OBJECT
public:
    explicit Client(TraceStore *trace, QObject *parent = nullptr);
    ~Client() override;

    Exchange *enqueue(RequestSpec spec, std::unique_ptr<BodySink> sink = {});
    void start();
    // Fails the running request and every queued one with this reason, and closes connections.
    void abortAll(const QByteArray &code, const QString &message);
    // Closes idle connections (end of a run).
    void shutdown(const QString &reason);

    QList<Exchange *> exchanges() const;
    bool isRunning() const { return m_running; }
    TraceStore *trace() const { return m_trace; }

signals:
    void exchangeFinished(hopscope::Exchange *exchange);
    void allFinished();

private:
    void startNext();
    void dispatch(Exchange *ex);
    void openConnection(Exchange *ex);
    void onDriverFinished(Exchange *ex, bool retryable);
    void finish(Exchange *ex);
    void failRequest(Exchange *ex, const QByteArray &code, const QString &message);
    void onRequestTimeout();

    TraceStore *m_trace;
    ConnectionPool *m_pool;
    std::vector<std::unique_ptr<Exchange>> m_exchanges;
    qsizetype m_next = 0;
    Exchange *m_current = nullptr;
    QPointer<Connection> m_connecting;
    QPointer<Http1Driver> m_activeDriver;
    bool m_retried = false;
    bool m_running = false;
    QTimer m_requestTimer;
};

} // namespace hopscope
