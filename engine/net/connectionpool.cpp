#include "net/connectionpool.h"

#include "core/route.h"

#include "net/connection.h"
#include "net/protocoldriver.h"
#include "trace/tracestore.h"

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
        // Who we are to the server: a connection made with one client certificate must not
        // carry a request meant to go with another (or with none).
        if (!spec.tls.certFile.isEmpty())
            k += QStringLiteral("|cert=%1|key=%2").arg(spec.tls.certFile, spec.tls.keyFile);
        // A connection that skipped the OCSP check must not carry a request that demands it.
        if (spec.tls.certStatus)
            k += QStringLiteral("|certStatus");
    }
    // HTTP/3 goes over its own (QUIC) connections.
    if (o.isTls() && spec.http3 != Http3Mode::Off)
        k += QStringLiteral("|h3");
    // Connections that route differently (another proxy, --connect-to target, --resolve
    // address, -4/-6) never share, even for the same origin.
    k += routeKey(spec);
    return k;
}

QString ConnectionPool::route(RequestSpec &spec)
{
    const auto hasConnections = [this](const QString &k) { return connectionCount(k) > 0; };
    m_alt.followAltSvc(spec, hasConnections);
    // --http3 (or an Alt-Svc follow) falls back to TCP, to the origin itself, where QUIC
    // failed before.
    if (spec.http3 == Http3Mode::Try && !m_alt.quicFailure(key(spec)).isEmpty()) {
        spec.http3 = Http3Mode::Off;
        spec.route.altSvcHost.clear();
        spec.route.altSvcPort = 0;
    }
    return m_alt.follow(spec, key(spec),
                        [this](const QString &k) { return connectionCount(k) > 0; });
}

ProtocolDriver *ConnectionPool::findAvailable(const QString &k) const
{
    for (const Entry &e : m_byKey.value(k)) {
        if (e.driver && e.driver->canSubmit())
            return e.driver;
    }
    return nullptr;
}

int ConnectionPool::pendingCount(const QString &k) const
{
    int n = 0;
    for (const Entry &e : m_byKey.value(k))
        n += !e.driver;
    return n;
}

int ConnectionPool::connectionCount(const QString &k) const
{
    int n = 0;
    for (const Entry &e : m_byKey.value(k))
        n += !e.driver || e.driver->isReusable() || e.driver->inFlight() > 0;
    return n;
}

bool ConnectionPool::upgradeInFlight(const QString &k) const
{
    for (const Entry &e : m_byKey.value(k)) {
        if (e.driver && e.driver->upgradeInFlight())
            return true;
    }
    return false;
}

bool ConnectionPool::hasMultiplexed(const QString &k) const
{
    for (const Entry &e : m_byKey.value(k)) {
        if (e.driver && e.driver->protocol() == "h2" && e.driver->isReusable())
            return true;
    }
    return false;
}

bool ConnectionPool::shouldWait(const QString &k) const
{
    for (const Entry &e : m_byKey.value(k)) {
        if (!e.driver) {
            // Connecting. Only one that may end up multiplexing is worth waiting for: a
            // cleartext HTTP/1.1 connection never will, so more open side by side at once.
            if (e.connection->mayMultiplex())
                return true;
        } else if (e.driver->upgradeInFlight() ||
                   (e.driver->protocol() == "h2" && e.driver->isReusable())) {
            return true;
        }
    }
    return false;
}

QList<ProtocolDriver *> ConnectionPool::idleDrivers(const QString &k) const
{
    QList<ProtocolDriver *> out;
    for (const Entry &e : m_byKey.value(k)) {
        if (e.driver && e.driver->inFlight() == 0)
            out.append(e.driver);
    }
    return out;
}

Connection *ConnectionPool::createConnection(const RequestSpec &spec, const QString &key,
                                             quint32 req)
{
    auto *conn = new Connection(m_nextId++, Origin::fromUrl(spec.url), spec, m_trace, this);
    conn->setPoolKey(key);
    m_byKey[key].append({conn, nullptr});
    connect(conn, &Connection::closed, this, [this, conn] { remove(conn); });
    m_trace->record(EventType::PoolOpen, conn->scope(req))
        .value(Field::Origin, conn->origin().toString());
    if (const auto f = m_alt.takeFollow(key, conn->id())) {
        // The arrow from the advertising connection to the HTTP/2 (Upgrade: h2) or HTTP/3
        // (Alt-Svc) one it led to.
        FieldWriter w = m_trace->record(EventType::UpgradeFollow, conn->scope(req));
        w.value(Field::Protocol, QString::fromLatin1(f->protocol))
            .value(Field::From, qint64(f->from))
            .value(Field::Alpn, QString::fromLatin1(f->protocol));
        if (f->protocol == "h3")
            w.text(Field::Via, QStringLiteral("Alt-Svc"));
    }
    return conn;
}

void ConnectionPool::remove(Connection *conn)
{
    const QString k = conn->poolKey();
    const auto it = m_byKey.find(k);
    if (it != m_byKey.end()) {
        it->removeIf([conn](const Entry &e) { return e.connection == conn; });
        if (it->isEmpty())
            m_byKey.erase(it);
    }
    m_alt.forget(conn->id());
    // Drivers are children of their connection; both go once the current signal returns.
    conn->deleteLater();
    emit connectionRemoved(k);
}

void ConnectionPool::setDriver(Connection *connection, ProtocolDriver *driver)
{
    const auto it = m_byKey.find(connection->poolKey());
    if (it == m_byKey.end())
        return;
    for (Entry &e : *it) {
        if (e.connection == connection)
            e.driver = driver;
    }
}

void ConnectionPool::retireReplaced(Connection *connection)
{
    const QString oldKey = m_alt.takeReplaced(connection->id());
    if (oldKey.isEmpty())
        return;
    for (ProtocolDriver *d : idleDrivers(oldKey)) {
        d->connection()->close(
            connection->usesQuic()
                ? QStringLiteral("replaced by HTTP/3 connection %1 (Alt-Svc)").arg(connection->id())
                : QStringLiteral("replaced by HTTP/2 connection %1 (Upgrade: h2)")
                      .arg(connection->id()));
    }
}

bool ConnectionPool::noteUpgradeAdvertised(Connection *connection,
                                           const QList<QByteArray> &protocols)
{
    return m_alt.noteUpgradeAdvertised(connection->poolKey(), connection->origin().isTls(),
                                       connection->id(), protocols);
}

QList<ConnectionPool::Entry> ConnectionPool::allEntries() const
{
    QList<Entry> out;
    for (const QList<Entry> &entries : m_byKey)
        out.append(entries);
    // In order of creation, as the connections were opened.
    std::sort(out.begin(), out.end(), [](const Entry &a, const Entry &b) {
        return a.connection->id() < b.connection->id();
    });
    return out;
}

void ConnectionPool::closeAll(const QString &reason)
{
    for (const Entry &e : allEntries())
        e.connection->close(reason);
}

void ConnectionPool::closeIdle(const QString &reason)
{
    for (const Entry &e : allEntries()) {
        if (e.driver && e.driver->inFlight() == 0)
            e.connection->close(reason);
    }
}

} // namespace hopscope
