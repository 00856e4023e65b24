#include "client.h"

#include "core/exchange.h"
#include "core/origin.h"
#include "http1/http1driver.h"
#include "net/connection.h"
#include "net/connectionpool.h"
#include "trace/tracestore.h"

#include <QSslSocket>

namespace hopscope {

Client::Client(TraceStore *trace, QObject *parent)
    : QObject(parent), m_trace(trace), m_pool(new ConnectionPool(trace, this))
{
    m_requestTimer.setSingleShot(true);
    connect(&m_requestTimer, &QTimer::timeout, this, &Client::onRequestTimeout);
}

Client::~Client() = default;

Exchange *Client::enqueue(RequestSpec spec, std::unique_ptr<BodySink> sink)
{
    const auto id = quint32(m_exchanges.size() + 1);
    m_exchanges.push_back(std::make_unique<Exchange>(id, std::move(spec), std::move(sink)));
    return m_exchanges.back().get();
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
    startNext();
}

void Client::startNext()
{
    if (m_current)
        return;
    if (m_next >= qsizetype(m_exchanges.size())) {
        m_running = false;
        emit allFinished();
        return;
    }
    Exchange *ex = m_exchanges[m_next++].get();
    m_current = ex;
    m_retried = false;
    ex->timings.start = m_trace->elapsedNs();
    m_trace->record("request.start", {0, ex->id(), -1},
                    QCborMap{{QStringLiteral("method"), QString::fromLatin1(ex->spec().method)},
                             {QStringLiteral("url"), ex->spec().url.toString()}});
    if (ex->spec().timeouts.totalMs > 0)
        m_requestTimer.start(ex->spec().timeouts.totalMs);
    dispatch(ex);
}

void Client::dispatch(Exchange *ex)
{
    const QUrl &url = ex->spec().url;
    const QString scheme = url.scheme().toLower();
    if (scheme != u"http" && scheme != u"https") {
        failRequest(ex, "url", QStringLiteral("unsupported URL scheme \"%1\" in %2 (use http or https)")
                                   .arg(url.scheme(), url.toString()));
        return;
    }
    if (url.host().isEmpty()) {
        failRequest(ex, "url", QStringLiteral("no host in URL %1").arg(url.toString()));
        return;
    }
    if (scheme == u"https" && !QSslSocket::supportsSsl()) {
        failRequest(ex, "tls-unavailable",
                    QStringLiteral("TLS is unavailable: Qt has no working TLS backend (%1); "
                                   "install the OpenSSL 3 library (libssl3)")
                        .arg(QSslSocket::activeBackend().isEmpty() ? QStringLiteral("none loaded")
                                                                   : QSslSocket::activeBackend()));
        return;
    }
    if (Http1Driver *driver = m_pool->findIdle(ex->spec())) {
        m_trace->record("pool.reuse", driver->connection()->scope(ex->id()),
                        QCborMap{{QStringLiteral("origin"), Origin::fromUrl(url).toString()}});
        m_activeDriver = driver;
        driver->send(ex);
        return;
    }
    openConnection(ex);
}

void Client::openConnection(Exchange *ex)
{
    Connection *conn = m_pool->createConnection(ex->spec());
    m_trace->record("pool.open", conn->scope(ex->id()),
                    QCborMap{{QStringLiteral("origin"), conn->origin().toString()}});
    ex->setState(Exchange::State::Connecting);
    m_connecting = conn;
    connect(conn, &Connection::ready, this, [this, conn, ex] {
        m_connecting = nullptr;
        auto *driver = new Http1Driver(conn, conn);
        m_pool->adopt(ex->spec(), driver);
        connect(driver, &Http1Driver::finished, this, &Client::onDriverFinished);
        m_activeDriver = driver;
        driver->send(ex);
    });
    connect(conn, &Connection::failed, this, [this, ex](const QByteArray &code, const QString &msg) {
        m_connecting = nullptr;
        if (m_current == ex)
            failRequest(ex, code, msg);
    });
    conn->open(ex);
}

void Client::onDriverFinished(Exchange *ex, bool retryable)
{
    if (ex != m_current)
        return;
    m_activeDriver = nullptr;
    if (retryable && !m_retried) {
        m_retried = true;
        m_trace->record("pool.retry", {ex->connectionId, ex->id(), -1},
                        QCborMap{{QStringLiteral("reason"),
                                  QStringLiteral("the reused connection closed before answering: %1")
                                      .arg(ex->error())}});
        ex->setState(Exchange::State::Queued);
        ex->status = 0;
        openConnection(ex);
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
    finish(ex);
}

void Client::finish(Exchange *ex)
{
    m_requestTimer.stop();
    if (m_current == ex)
        m_current = nullptr;
    emit exchangeFinished(ex);
    // Let the driver and connection settle (close, pool bookkeeping) before the next request.
    QMetaObject::invokeMethod(this, &Client::startNext, Qt::QueuedConnection);
}

void Client::onRequestTimeout()
{
    if (!m_current)
        return;
    const int ms = m_current->spec().timeouts.totalMs;
    const QString msg = QStringLiteral("request timed out after %1 s").arg(ms / 1000.0);
    Exchange *ex = m_current;
    if (m_activeDriver) {
        m_activeDriver->abort("timeout", msg); // finishes through onDriverFinished
        return;
    }
    if (m_connecting) {
        Connection *c = m_connecting.data();
        m_connecting = nullptr;
        c->close(msg);
    }
    m_trace->record("error", {ex->connectionId, ex->id(), -1},
                    QCborMap{{QStringLiteral("message"), msg}, {QStringLiteral("code"), QStringLiteral("timeout")}});
    failRequest(ex, "timeout", msg);
}

void Client::abortAll(const QByteArray &code, const QString &message)
{
    // Queued requests are failed first so that the running one's completion does not start them.
    while (m_next < qsizetype(m_exchanges.size())) {
        Exchange *ex = m_exchanges[m_next++].get();
        ex->fail(code, QStringLiteral("not sent: %1").arg(message));
        m_trace->record("request.failed", {0, ex->id(), -1},
                        QCborMap{{QStringLiteral("error"), ex->error()},
                                 {QStringLiteral("code"), QString::fromLatin1(code)}});
        emit exchangeFinished(ex);
    }
    if (m_current) {
        Exchange *ex = m_current;
        if (m_activeDriver) {
            m_activeDriver->abort(code, message);
        } else {
            if (m_connecting) {
                Connection *c = m_connecting.data();
                m_connecting = nullptr;
                c->close(message);
            }
            m_trace->record("error", {ex->connectionId, ex->id(), -1},
                            QCborMap{{QStringLiteral("message"), message},
                                     {QStringLiteral("code"), QString::fromLatin1(code)}});
            failRequest(ex, code, message);
        }
    }
    m_pool->closeAll(message);
}

void Client::shutdown(const QString &reason)
{
    m_pool->closeAll(reason);
}

} // namespace hopscope
