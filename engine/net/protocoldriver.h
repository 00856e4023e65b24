#pragma once

#include "net/exchangeoutcome.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>
#include <utility>

namespace hopscope {

class Connection;
class Exchange;

// What speaks a protocol on a Connection: HTTP/1.1 (one exchange at a time), HTTP/2 (many
// streams), or a two-way session after an upgrade (SessionDriver: WebSocket, raw tunnels, a
// custom handler's protocol). A connection has one driver at a time; on a protocol
// switch the old driver hands the socket and every byte it read past the switch to the new one
// and emits switchedTo().
class ProtocolDriver : public QObject
{
    Q_OBJECT
public:
    explicit ProtocolDriver(Connection *connection, QObject *parent = nullptr)
        : QObject(parent), m_conn(connection)
    {
    }

    Connection *connection() const { return m_conn; }
    virtual QByteArray protocol() const = 0; // "http/1.1", "h2"
    // Whether submit() may be called now (a free HTTP/1.1 connection, a free HTTP/2 stream slot).
    virtual bool canSubmit() const = 0;
    // Whether the connection may take more requests at all (open, keep-alive, no GOAWAY).
    virtual bool isReusable() const = 0;
    virtual int inFlight() const = 0;
    virtual void submit(Exchange *exchange) = 0;
    // Fails every exchange in flight with this reason and closes the connection.
    virtual void abort(const QByteArray &code, const QString &message) = 0;

    // A driver starts only after whoever uses it has connected to its signals: its first bytes
    // (those that came with a 101) may complete a response at once. Whoever creates it stores the
    // start here (an upgrade handler, the client for HTTP/2 by prior knowledge); the one owner of
    // activation is the Client, which calls activate() once it is wired (a test harness driving
    // a driver alone does the same). A second activate() does nothing.
    void setActivation(std::function<void()> start) { m_activation = std::move(start); }
    void activate()
    {
        if (auto start = std::exchange(m_activation, {}))
            start();
    }
    // An upgrade offer is in flight: requests to the same origin wait for its outcome instead of
    // opening more connections (they may ride the upgraded connection as streams).
    virtual bool upgradeInFlight() const { return false; }

signals:
    // An exchange ended (complete or failed). retryable: it failed on a reused connection before
    // any response byte arrived (the server closed an idle keep-alive connection), or was refused
    // by the server before processing (GOAWAY above its last stream, REFUSED_STREAM).
    void finished(hopscope::Exchange *exchange, bool retryable);
    // canSubmit() may have become true (a stream closed, SETTINGS raised the limit).
    void capacityAvailable();
    // The connection now belongs to another driver (after an upgrade).
    void switchedTo(hopscope::ProtocolDriver *next);
    // The connection closed; the driver is done.
    void closed();
    // A response advertised protocols through `Upgrade` without an offer (Apache: `h2,h2c`).
    void upgradeAdvertised(const QList<QByteArray> &protocols);

protected:
    // The one way a driver ends an exchange and tells the client (net/exchangeoutcome.h):
    // failed with this code and message (its `error` event recorded unless `event` says
    // otherwise), or complete (its `response.complete` recorded); then finished().
    void failExchange(Exchange *exchange, const QByteArray &code, const QString &message,
                      bool retryable = false, ErrorEvent event = ErrorEvent::Record);
    void completeExchange(Exchange *exchange);
    // The scope of the exchange's events on this connection.
    EventScope exchangeScope(const Exchange *exchange) const;

private:
    Connection *m_conn;
    std::function<void()> m_activation;
};

} // namespace hopscope
