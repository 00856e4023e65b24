#pragma once

#include "core/origin.h"
#include "core/requestspec.h"

#include <QHash>
#include <QList>
#include <QObject>

namespace hopscope {

class Connection;
class Http1Driver;
class TraceStore;

// Keeps open connections per origin (and per TLS settings, since a connection verified against
// one CA file must not serve a request that asked for another) and hands out idle keep-alive
// ones for reuse. Connection ids are 1-based in order of creation.
class ConnectionPool : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionPool(TraceStore *trace, QObject *parent = nullptr);
    ~ConnectionPool() override;

    // An idle driver whose connection can carry this request, or nullptr.
    Http1Driver *findIdle(const RequestSpec &spec) const;
    // A new, not yet opened connection for this request.
    Connection *createConnection(const RequestSpec &spec);
    // Registers the driver running on an open connection; the pool forgets it when it closes.
    void adopt(const RequestSpec &spec, Http1Driver *driver);
    void closeAll(const QString &reason);
    int openCount() const;

private:
    static QString key(const RequestSpec &spec);

    TraceStore *m_trace;
    quint32 m_nextId = 1;
    QHash<QString, QList<Http1Driver *>> m_drivers;
    QList<Connection *> m_connections;
};

} // namespace hopscope
