#include "net/connectionpool.h"

#include "http1/http1driver.h"
#include "net/connection.h"

namespace hopscope {

ConnectionPool::ConnectionPool(TraceStore *trace, QObject *parent)
    : QObject(parent), m_trace(trace)
{
}

ConnectionPool::~ConnectionPool() = default;

QString ConnectionPool::key(const RequestSpec &spec)
{
    const Origin o = Origin::fromUrl(spec.url);
    QString k = o.toString();
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

Http1Driver *ConnectionPool::findIdle(const RequestSpec &spec) const
{
    for (Http1Driver *d : m_drivers.value(key(spec))) {
        if (d->isReusable())
            return d;
    }
    return nullptr;
}

Connection *ConnectionPool::createConnection(const RequestSpec &spec)
{
    auto *conn = new Connection(m_nextId++, Origin::fromUrl(spec.url), spec, m_trace, this);
    m_connections.append(conn);
    connect(conn, &Connection::closed, this, [this, conn] {
        m_connections.removeOne(conn);
        for (auto &list : m_drivers) {
            for (Http1Driver *d : list) {
                if (d->connection() == conn)
                    d->deleteLater();
            }
            list.removeIf([conn](Http1Driver *d) { return d->connection() == conn; });
        }
        conn->deleteLater();
    });
    return conn;
}

void ConnectionPool::adopt(const RequestSpec &spec, Http1Driver *driver)
{
    m_drivers[key(spec)].append(driver);
}

void ConnectionPool::closeAll(const QString &reason)
{
    const QList<Connection *> conns = m_connections;
    for (Connection *c : conns)
        c->close(reason);
}

int ConnectionPool::openCount() const
{
    return int(m_connections.size());
}

} // namespace hopscope
