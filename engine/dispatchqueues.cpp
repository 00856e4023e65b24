#include "dispatchqueues.h"

namespace hopscope {

std::list<Exchange *> *DispatchQueues::queue(const QString &key) const
{
    const auto it = m_queues.constFind(key);
    return it == m_queues.cend() ? nullptr : it->get();
}

DispatchQueues::Handle DispatchQueues::pushBack(const QString &key, Exchange *exchange)
{
    auto &q = m_queues[key];
    if (!q)
        q = std::make_shared<std::list<Exchange *>>();
    return q->insert(q->end(), exchange);
}

DispatchQueues::Handle DispatchQueues::pushFront(const QString &key, Exchange *exchange)
{
    auto &q = m_queues[key];
    if (!q)
        q = std::make_shared<std::list<Exchange *>>();
    return q->insert(q->begin(), exchange);
}

void DispatchQueues::remove(const QString &key, Handle handle)
{
    const auto it = m_queues.find(key);
    if (it == m_queues.end())
        return;
    (*it)->erase(handle);
    if ((*it)->empty())
        m_queues.erase(it); // many origins over a long session: keep only keys with waiters
}

Exchange *DispatchQueues::front(const QString &key) const
{
    const std::list<Exchange *> *q = queue(key);
    return q && !q->empty() ? q->front() : nullptr;
}

qsizetype DispatchQueues::size(const QString &key) const
{
    const std::list<Exchange *> *q = queue(key);
    return q ? qsizetype(q->size()) : 0;
}

QList<Exchange *> DispatchQueues::waiting(const QString &key) const
{
    const std::list<Exchange *> *q = queue(key);
    return q ? QList<Exchange *>(q->begin(), q->end()) : QList<Exchange *>();
}

QList<Exchange *> DispatchQueues::all() const
{
    QList<Exchange *> out;
    for (const auto &q : m_queues)
        out.append(QList<Exchange *>(q->begin(), q->end()));
    return out;
}

void DispatchQueues::markReady(const QString &key)
{
    if (!m_readySet.contains(key)) {
        m_readySet.insert(key);
        m_ready.append(key);
    }
}

QList<QString> DispatchQueues::takeReady()
{
    m_readySet.clear();
    return std::exchange(m_ready, {});
}

} // namespace hopscope
