#pragma once

#include "core/origin.h"
#include "core/requestspec.h"

#include <QHash>
#include <QList>
#include <QObject>

namespace hopscope {

class Connection;
class ProtocolDriver;
class TraceStore;

// Keeps the connections per origin (and per TLS settings: a connection verified against one CA
// file must not serve a request that asked for another), with the driver that speaks on each
// once it is open. Connection ids are 1-based in order of creation.
class ConnectionPool : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionPool(TraceStore *trace, QObject *parent = nullptr);
    ~ConnectionPool() override;

    static QString key(const RequestSpec &spec);

    // A driver that can take this request now, or nullptr.
    ProtocolDriver *findAvailable(const RequestSpec &spec) const;
    // Connections of this key that are still connecting (no driver yet).
    int pendingCount(const QString &key) const;
    // All connections of this key, connecting or open (but not closing for good).
    int connectionCount(const QString &key) const;
    // A driver of this key has an upgrade offer in flight.
    bool upgradeInFlight(const QString &key) const;
    // A multiplexing (HTTP/2) driver of this key can still take requests later: wait for it.
    bool hasMultiplexed(const QString &key) const;
    // Open HTTP/1.1 drivers of this key with nothing in flight.
    QList<ProtocolDriver *> idleDrivers(const QString &key) const;
    // A new, not yet opened connection for this request.
    Connection *createConnection(const RequestSpec &spec);
    // The connection is open and this driver speaks on it.
    void setDriver(Connection *connection, ProtocolDriver *driver);
    void closeAll(const QString &reason);
    void closeIdle(const QString &reason);

private:
    struct Entry
    {
        QString key;
        Connection *connection = nullptr;
        ProtocolDriver *driver = nullptr;
    };

    TraceStore *m_trace;
    quint32 m_nextId = 1;
    QList<Entry> m_entries;
};

} // namespace hopscope
