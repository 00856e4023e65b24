#include "net/connectionpool.h"

#include "net/connection.h"
#include "net/protocoldriver.h"

namespace hopscope {

ConnectionPool::ConnectionPool(TraceStore *trace, QObject *parent) : QObject(parent), m_trace(trace)
{
}

ConnectionPool::~ConnectionPool() = default;

QString ConnectionPool::key(const RequestSpec &spec)
{
    const Origin o = Origin::fromUrl(spec.url);
    QString k = o.toString();
    // The policy is part of the key: a request the user wants on HTTP/1.1 only must never ride
    // an HTTP/2 connection that an h2c or prior-knowledge request opened to the same origin
    // (and the other way round), which the GUI's mixed sends would otherwise do.
    k += QStringLiteral("|policy=%1").arg(int(spec.protocol));
    if (o.isTls()) {
        QStringList alpn;
        for (const QByteArray &p : spec.tls.alpn)
            alpn << QString::fromLatin1(p);
        k += QStringLiteral("|ca=%1|insecure=%2|alpn=%3")
                 .arg(spec.tls.caFile)
                 .arg(spec.tls.insecure)
                 .arg(alpn.join(QLatin1Char(',')));
    }
    return k;
}

ProtocolDriver *ConnectionPool::findAvailable(const RequestSpec &spec) const
{
    const QString k = key(spec);
    for (const Entry &e : m_entries) {
        if (e.key == k && e.driver && e.driver->canSubmit())
            return e.driver;
    }
    return nullptr;
}

int ConnectionPool::pendingCount(const QString &k) const
{
    int n = 0;
    for (const Entry &e : m_entries)
        n += e.key == k && !e.driver;
    return n;
}

int ConnectionPool::connectionCount(const QString &k) const
{
    int n = 0;
    for (const Entry &e : m_entries)
        n += e.key == k && (!e.driver || e.driver->isReusable() || e.driver->inFlight() > 0);
    return n;
}

bool ConnectionPool::upgradeInFlight(const QString &k) const
{
    for (const Entry &e : m_entries) {
        if (e.key == k && e.driver && e.driver->upgradeInFlight())
            return true;
    }
    return false;
}

bool ConnectionPool::hasMultiplexed(const QString &k) const
{
    for (const Entry &e : m_entries) {
        if (e.key == k && e.driver && e.driver->protocol() == "h2" && e.driver->isReusable())
            return true;
    }
    return false;
}

QList<ProtocolDriver *> ConnectionPool::idleDrivers(const QString &k) const
{
    QList<ProtocolDriver *> out;
    for (const Entry &e : m_entries) {
        if (e.key == k && e.driver && e.driver->inFlight() == 0)
            out.append(e.driver);
    }
    return out;
}

Connection *ConnectionPool::createConnection(const RequestSpec &spec)
{
    auto *conn = new Connection(m_nextId++, Origin::fromUrl(spec.url), spec, m_trace, this);
    m_entries.append({key(spec), conn, nullptr});
    connect(conn, &Connection::closed, this, [this, conn] {
        m_entries.removeIf([conn](const Entry &e) { return e.connection == conn; });
        // Drivers are children of their connection; both go once the current signal returns.
        conn->deleteLater();
    });
    return conn;
}

void ConnectionPool::setDriver(Connection *connection, ProtocolDriver *driver)
{
    for (Entry &e : m_entries) {
        if (e.connection == connection)
            e.driver = driver;
    }
}

void ConnectionPool::closeAll(const QString &reason)
{
    const QList<Entry> entries = m_entries;
    for (const Entry &e : entries)
        e.connection->close(reason);
}

void ConnectionPool::closeIdle(const QString &reason)
{
    const QList<Entry> entries = m_entries;
    for (const Entry &e : entries) {
        if (e.driver && e.driver->inFlight() == 0)
            e.connection->close(reason);
    }
}

} // namespace hopscope
