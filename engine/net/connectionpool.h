#pragma once

#include "core/origin.h"
#include "core/requestspec.h"
#include "net/altprotocols.h"

#include <QHash>
#include <QList>
#include <QObject>

namespace hopscope {

class Connection;
class ProtocolDriver;
class TraceStore;

// Keeps the connections per key (origin, protocol policy and TLS settings: a connection verified
// against one CA file must not serve a request that asked for another), with the driver that
// speaks on each once it is open, and what origins advertised (AltProtocols). Every query is by
// key and looks only at that key's connections. Connection ids are 1-based in order of creation.
// A connection leaves the pool (and is deleted) as soon as it is closed.
class ConnectionPool : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionPool(TraceStore *trace, QObject *parent = nullptr);
    ~ConnectionPool() override;

    static QString key(const RequestSpec &spec);
    // The key a request goes under now: key(spec), unless an advertisement is to be followed,
    // which rewrites `spec` (see AltProtocols::follow).
    QString route(RequestSpec &spec);

    // A driver of this key that can take a request now, or nullptr.
    ProtocolDriver *findAvailable(const QString &key) const;
    // Connections of this key that are still connecting (no driver yet).
    int pendingCount(const QString &key) const;
    // All connections of this key, connecting or open (but not closing for good).
    int connectionCount(const QString &key) const;
    // A driver of this key has an upgrade offer in flight.
    bool upgradeInFlight(const QString &key) const;
    // A multiplexing (HTTP/2) driver of this key can still take requests later: wait for it.
    bool hasMultiplexed(const QString &key) const;
    // Requests of this key should wait instead of opening another connection: one still
    // connecting may turn out to multiplex (ALPN h2 offered, h2c, prior knowledge), an upgrade
    // offer is in flight, or an HTTP/2 connection has only run out of stream slots.
    bool shouldWait(const QString &key) const;
    // Open drivers of this key with nothing in flight.
    QList<ProtocolDriver *> idleDrivers(const QString &key) const;
    // Keys with at least one connection.
    qsizetype keyCount() const { return m_byKey.size(); }

    // A new, not yet opened connection for request `req` under `key` (from route()). Records
    // `pool.open`, and `upgrade.follow` when an advertisement led to it.
    Connection *createConnection(const RequestSpec &spec, const QString &key, quint32 req);
    // The connection is open and this driver speaks on it.
    void setDriver(Connection *connection, ProtocolDriver *driver);
    // The connection is open and speaking: if it followed an advertisement, it now replaces the
    // idle connections of the key the advertisement came from.
    void retireReplaced(Connection *connection);
    // A response on the connection advertised protocols through `Upgrade`. True when requests
    // waiting under its key may now go elsewhere (route() them again).
    bool noteUpgradeAdvertised(Connection *connection, const QList<QByteArray> &protocols);
    const AltProtocols &altProtocols() const { return m_alt; }
    AltProtocols &altProtocols() { return m_alt; }
    // A response from `origin` advertised Alt-Svc (AltProtocols::noteAltSvc).
    std::optional<AltService> noteAltSvc(const QString &origin, quint32 connection,
                                         const AltSvcHeader &header)
    {
        return m_alt.noteAltSvc(origin, connection, header);
    }
    // QUIC to this (h3) key failed: --http3 requests route to TCP from now on (route()).
    void noteQuicFailed(const QString &key, const QString &why) { m_alt.noteQuicFailed(key, why); }

    void closeAll(const QString &reason);
    void closeIdle(const QString &reason);

signals:
    // A connection of this key closed and left the pool: requests waiting under the key may
    // open another.
    void connectionRemoved(const QString &key);

private:
    struct Entry
    {
        Connection *connection = nullptr;
        ProtocolDriver *driver = nullptr;
    };

    void remove(Connection *connection);
    QList<Entry> allEntries() const;

    TraceStore *m_trace;
    quint32 m_nextId = 1;
    QHash<QString, QList<Entry>> m_byKey; // a key's connections, in order of creation
    AltProtocols m_alt;
};

} // namespace hopscope
