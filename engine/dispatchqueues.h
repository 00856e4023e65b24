#pragma once

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <list>
#include <memory>

namespace hopscope {

class Exchange;

// The requests waiting for a connection, one FIFO per ConnectionPool key, and the keys where
// something changed (a connection opened, freed a slot or closed) so that their first request
// may go now. The client looks only at those keys, never at every waiting request: dispatch
// stays linear however many requests wait.
class DispatchQueues
{
public:
    // Where a request sits in its queue; removing it by handle is O(1) (a request that timed
    // out while waiting, an aborted run).
    using Handle = std::list<Exchange *>::iterator;

    Handle pushBack(const QString &key, Exchange *exchange);
    // A retry, or a request that gave its connection to an upgrade probe: it goes first.
    Handle pushFront(const QString &key, Exchange *exchange);
    void remove(const QString &key, Handle handle);
    // The first request waiting under `key`, or nullptr.
    Exchange *front(const QString &key) const;
    qsizetype size(const QString &key) const;
    // The requests waiting under `key`, first first.
    QList<Exchange *> waiting(const QString &key) const;
    // Every waiting request, of every key.
    QList<Exchange *> all() const;
    bool isEmpty() const { return m_queues.isEmpty(); }

    // Something changed for `key`: look at its queue on the next dispatch.
    void markReady(const QString &key);
    // The keys marked since the last call, in the order they were marked.
    QList<QString> takeReady();

private:
    std::list<Exchange *> *queue(const QString &key) const;

    // Behind a pointer: handles must stay valid when the hash grows.
    QHash<QString, std::shared_ptr<std::list<Exchange *>>> m_queues;
    QList<QString> m_ready;
    QSet<QString> m_readySet;
};

} // namespace hopscope
