#include "models/connectiontreemodel.h"

#include "session/sessionstore.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace hopscope {

ConnectionTreeModel::ConnectionTreeModel(SessionStore *store, QObject *parent)
    : QAbstractItemModel(parent), m_store(store)
{
    if (!store)
        return;
    connect(store, &SessionStore::changed, this, &ConnectionTreeModel::onChanged);
    connect(store, &SessionStore::reset, this, &ConnectionTreeModel::onReset);
    rebuildFromStore();
}

SessionStore *ConnectionTreeModel::store() const
{
    return m_store.data();
}

void ConnectionTreeModel::setPageSize(int size)
{
    if (size < 1 || size == m_paging.pageSize)
        return;
    beginResetModel();
    m_paging.pageSize = size;
    rebuildFromStore();
    endResetModel();
}

// ---- structure --------------------------------------------------------------------------------
//
// A connection's children are the store's ConnectionInfo::exchanges, which only ever grow (the
// store lists each request once per connection): the model keeps just how many it announced, so
// a batch costs what it added, not what the connection holds. "Not connected" is the one list
// that also shrinks (requests leave it when they get a connection); it is kept sorted by req.
// Past StreamPaging's threshold a connection's children are pages; the positions stay the same
// (m_rowOfReq holds a request's position on its home connection), only their parent changes.

quint32 ConnectionTreeModel::homeKey(quint32 req) const
{
    const ExchangeInfo *x = m_store ? m_store->exchange(req) : nullptr;
    return x ? x->conn : kGroupKey;
}

quint32 ConnectionTreeModel::childReq(int connIndex, int pos) const
{
    if (connIndex < 0 || size_t(connIndex) >= m_shown.size() || pos < 0 ||
        pos >= m_shown[size_t(connIndex)])
        return 0;
    return m_store->connectionAt(connIndex).exchanges.at(pos);
}

ConnectionTreeModel::Kind ConnectionTreeModel::kindOf(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return Kind::None;
    const quintptr id = index.internalId();
    if (id == 0)
        return isUnconnectedGroup(index) ? Kind::Group : Kind::Connection;
    if (id == kUnconnectedId || (id >> 32) != 0)
        return Kind::Exchange;
    return connPaged(int(id) - 1) ? Kind::Page : Kind::Exchange;
}

int ConnectionTreeModel::positionOf(const QModelIndex &row) const
{
    const quintptr id = row.internalId();
    const int page = int(id >> 32) - 1;
    return page < 0 ? row.row() : m_paging.firstOfPage(page) + row.row();
}

bool ConnectionTreeModel::isPage(const QModelIndex &index) const
{
    return kindOf(index) == Kind::Page;
}

QList<quint32> ConnectionTreeModel::pageExchanges(const QModelIndex &index) const
{
    if (kindOf(index) != Kind::Page)
        return {};
    const int connIndex = int(index.internalId()) - 1;
    const int first = m_paging.firstOfPage(index.row());
    const int n = m_paging.pageRowCount(m_shown[size_t(connIndex)], index.row());
    return m_store->connectionAt(connIndex).exchanges.mid(first, n);
}

void ConnectionTreeModel::rebuildFromStore()
{
    m_shown.clear();
    m_pageSummaries.clear();
    m_unconnected.clear();
    m_rowOfReq.assign(size_t(m_store ? m_store->exchangeCount() + 1 : 1), -1);
    if (!m_store)
        return;
    for (int i = 0; i < m_store->connectionCount(); ++i) {
        m_shown.push_back(0);
        announce(i);
    }
    for (int i = 0; i < m_store->exchangeCount(); ++i)
        if (m_store->exchangeAt(i).conn == 0)
            m_unconnected.append(m_store->exchangeAt(i).req);
}

void ConnectionTreeModel::onReset()
{
    beginResetModel();
    rebuildFromStore();
    endResetModel();
}

int ConnectionTreeModel::announce(int connIndex, int upTo)
{
    const ConnectionInfo &c = m_store->connectionAt(connIndex);
    const quint32 id = quint32(connIndex + 1);
    int &shown = m_shown[size_t(connIndex)];
    const int from = shown;
    const int end = upTo < 0 ? int(c.exchanges.size()) : std::min(upTo, int(c.exchanges.size()));
    for (; shown < end; ++shown) {
        const quint32 req = c.exchanges.at(shown);
        if (req < m_rowOfReq.size() && homeKey(req) == id) {
            // Announced before under another connection: a retry. Its row there now reads
            // "retried on #N", and page summaries count it there as retried.
            m_pagesStale |= m_rowOfReq[req] >= 0;
            m_rowOfReq[req] = shown;
        }
    }
    return from;
}

void ConnectionTreeModel::growConnection(int i)
{
    const int from = m_shown[size_t(i)];
    const int to = int(m_store->connectionAt(i).exchanges.size());
    if (to <= from)
        return;
    const quint32 id = quint32(i + 1);
    const QModelIndex conn = createIndex(i, 0, quintptr(0));
    if (!m_paging.paged(to)) { // flat, and stays so
        beginInsertRows(conn, from, to - 1);
        announce(i);
        endInsertRows();
        return;
    }
    if (!m_paging.paged(from)) {
        // Passing the threshold: the flat rows go, the pages (with every row so far) come.
        if (from > 0) {
            beginRemoveRows(conn, 0, from - 1);
            m_shown[size_t(i)] = 0;
            endRemoveRows();
        }
        beginInsertRows(conn, 0, m_paging.pageCount(to) - 1);
        m_shown[size_t(i)] = from; // those positions were announced already
        announce(i);
        endInsertRows();
        return;
    }
    // Paged: fill the last page, then add pages (each with its rows). The last page's row
    // (its range, count and summary) is repainted with the batch's other changes.
    const int lastPage = m_paging.pageCount(from) - 1;
    const int lastPageEnd = m_paging.firstOfPage(lastPage + 1);
    m_pageSummaries.remove((quint64(id) << 32) | quint32(lastPage));
    m_grownPages.append({id, lastPage});
    if (from < lastPageEnd) {
        const int upTo = std::min(to, lastPageEnd);
        beginInsertRows(createIndex(lastPage, 0, quintptr(id)), m_paging.rowInPage(from),
                        m_paging.rowInPage(upTo - 1));
        announce(i, upTo);
        endInsertRows();
    }
    if (to > lastPageEnd) {
        beginInsertRows(conn, lastPage + 1, m_paging.pageCount(to) - 1);
        announce(i);
        endInsertRows();
    }
}

bool ConnectionTreeModel::updateUnconnected(const SessionDelta &delta)
{
    // Who left: only a request this batch touched can have got a connection.
    QList<quint32> leaving;
    for (quint32 req : delta.changedExchanges)
        if (homeKey(req) != kGroupKey &&
            std::binary_search(m_unconnected.cbegin(), m_unconnected.cend(), req))
            leaving.append(req);
    // Who joined: new requests without a connection (reqs grow, so they sort after the rest).
    QList<quint32> joining;
    for (quint32 req : delta.newExchanges)
        if (m_store->exchange(req) && homeKey(req) == kGroupKey)
            joining.append(req);
    if (leaving.isEmpty() && joining.isEmpty())
        return false;
    std::sort(leaving.begin(), leaving.end());
    std::sort(joining.begin(), joining.end());

    const bool hadRow = !m_unconnected.isEmpty();
    const bool keepsRow = m_unconnected.size() - leaving.size() + joining.size() > 0;
    if (hadRow && !keepsRow) {
        beginRemoveRows({}, unconnectedRow(), unconnectedRow());
        m_unconnected.clear();
        endRemoveRows();
        return false;
    }
    if (!hadRow) {
        beginInsertRows({}, unconnectedRow(), unconnectedRow());
        m_unconnected = joining;
        endInsertRows();
        return false; // a fresh row needs no dataChanged
    }
    const QModelIndex parent = createIndex(unconnectedRow(), 0, quintptr(0));
    // Remove from the back so earlier rows keep their numbers; each contiguous run at once.
    for (qsizetype k = leaving.size() - 1; k >= 0;) {
        const auto it = std::lower_bound(m_unconnected.cbegin(), m_unconnected.cend(), leaving[k]);
        const int last = int(it - m_unconnected.cbegin());
        int first = last;
        --k;
        while (k >= 0 && first > 0 && m_unconnected.at(first - 1) == leaving[k]) {
            --first;
            --k;
        }
        beginRemoveRows(parent, first, last);
        m_unconnected.remove(first, last - first + 1);
        endRemoveRows();
    }
    if (!joining.isEmpty()) {
        if (!m_unconnected.isEmpty() && joining.first() < m_unconnected.last())
            return true; // out of order (never expected): the caller resets
        const int from = int(m_unconnected.size());
        beginInsertRows(parent, from, from + int(joining.size()) - 1);
        m_unconnected.append(joining);
        endInsertRows();
    }
    return false;
}

void ConnectionTreeModel::onChanged(const SessionDelta &delta)
{
    if (!m_store)
        return;
    if (m_store->connectionCount() < int(m_shown.size())) { // cleared without reset()
        onReset();
        return;
    }
    m_rowOfReq.resize(size_t(m_store->exchangeCount() + 1), -1);

    // 1. "Not connected": drop requests that got a connection, add new ones that have none.
    const bool hadGroup = !m_unconnected.isEmpty();
    if (updateUnconnected(delta)) {
        onReset();
        return;
    }
    const bool groupTouched = hadGroup && !m_unconnected.isEmpty();

    // 2. Existing connections: new requests/streams on them (appended), changed rows.
    const int known = int(m_shown.size());
    QList<quint32> touched = delta.changedConnections;
    for (const QList<quint32> *list : {&delta.newExchanges, &delta.changedExchanges})
        for (quint32 req : *list)
            if (const quint32 home = homeKey(req); home != kGroupKey)
                touched.append(home);
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (quint32 id : touched) {
        const int i = int(id) - 1;
        if (i >= 0 && i < known)
            growConnection(i);
    }

    // 3. New connections, with their children, in one insertion before "Not connected".
    if (m_store->connectionCount() > known) {
        beginInsertRows({}, known, m_store->connectionCount() - 1);
        for (int i = known; i < m_store->connectionCount(); ++i) {
            m_shown.push_back(0);
            announce(i);
        }
        endInsertRows();
    }

    // 4. Repaints: one range over the top level, one range per parent for exchanges.
    int topFirst = std::numeric_limits<int>::max(), topLast = -1;
    for (quint32 id : touched) {
        const int i = int(id) - 1;
        if (i >= 0 && i < known) {
            topFirst = std::min(topFirst, i);
            topLast = std::max(topLast, i);
        }
    }
    if (groupTouched) {
        topFirst = std::min(topFirst, unconnectedRow());
        topLast = std::max(topLast, unconnectedRow());
    }
    if (topLast >= 0)
        emit dataChanged(index(topFirst, 0), index(topLast, ColumnCount - 1));

    // Exchange rows: one range per parent, keyed by the rows' internal id (which names the
    // parent). Page rows: the pages whose summaries the batch changed, one range per connection;
    // the last page of a changed connection too (a request retried elsewhere is listed there).
    QHash<quintptr, std::pair<int, int>> ranges;
    QHash<quint32, std::pair<int, int>> pageRanges;
    auto widen = [](auto &hash, auto key, int row) {
        auto it = hash.find(key);
        if (it == hash.end())
            hash.insert(key, {row, row});
        else
            *it = {std::min(it->first, row), std::max(it->second, row)};
    };
    auto pageTouched = [&](quint32 conn, int page) {
        m_pageSummaries.remove((quint64(conn) << 32) | quint32(page));
        widen(pageRanges, conn, page);
    };
    for (quint32 req : delta.changedExchanges) {
        const QModelIndex idx = indexForExchange(req);
        if (!idx.isValid())
            continue;
        widen(ranges, idx.internalId(), idx.row());
        if (const int page = int(idx.internalId() >> 32) - 1; page >= 0)
            pageTouched(connKeyOf(idx.internalId()), page);
    }
    for (const auto &[conn, page] : std::exchange(m_grownPages, {}))
        pageTouched(conn, page);
    for (quint32 id : delta.changedConnections)
        if (connPaged(int(id) - 1))
            pageTouched(id, m_paging.pageCount(m_shown[size_t(id - 1)]) - 1);
    if (m_pagesStale) { // a retry (rare): any page may list the request
        m_pagesStale = false;
        for (int i = 0; i < int(m_shown.size()); ++i)
            if (connPaged(i))
                for (int page : {0, m_paging.pageCount(m_shown[size_t(i)]) - 1})
                    pageTouched(quint32(i + 1), page);
        m_pageSummaries.clear();
    }
    for (auto it = ranges.cbegin(); it != ranges.cend(); ++it) {
        const QModelIndex parent = this->parent(createIndex(0, 0, it.key()));
        emit dataChanged(index(it->first, 0, parent), index(it->second, ColumnCount - 1, parent));
    }
    for (auto it = pageRanges.cbegin(); it != pageRanges.cend(); ++it) {
        const QModelIndex conn = indexForConnection(it.key());
        emit dataChanged(index(it->first, 0, conn), index(it->second, ColumnCount - 1, conn));
    }
}

QModelIndex ConnectionTreeModel::indexForConnection(quint32 id) const
{
    if (id == 0 || id > m_shown.size())
        return {};
    return createIndex(int(id) - 1, 0, quintptr(0));
}

QModelIndex ConnectionTreeModel::indexForExchange(quint32 req) const
{
    if (!m_store || !m_store->exchange(req))
        return {};
    const quint32 key = homeKey(req);
    if (key == kGroupKey) {
        const auto it = std::lower_bound(m_unconnected.cbegin(), m_unconnected.cend(), req);
        if (it == m_unconnected.cend() || *it != req)
            return {};
        return createIndex(int(it - m_unconnected.cbegin()), 0, kUnconnectedId);
    }
    if (key > m_shown.size())
        return {};
    const int pos = req < m_rowOfReq.size() ? m_rowOfReq[req] : -1;
    if (pos < 0 || childReq(int(key) - 1, pos) != req)
        return {}; // not announced yet
    if (connPaged(int(key) - 1))
        return createIndex(m_paging.rowInPage(pos), 0, pageRowId(m_paging.pageOf(pos), key));
    return createIndex(pos, 0, quintptr(key));
}

QModelIndex ConnectionTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || !hasIndex(row, column, parent))
        return {};
    switch (kindOf(parent)) {
    case Kind::None:
        return createIndex(row, column, quintptr(0));
    case Kind::Group:
        return createIndex(row, column, kUnconnectedId);
    case Kind::Connection:
        return createIndex(row, column, quintptr(parent.row() + 1));
    case Kind::Page:
        return createIndex(row, column, pageRowId(parent.row(), connKeyOf(parent.internalId())));
    case Kind::Exchange:
        break;
    }
    return {};
}

QModelIndex ConnectionTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    const quintptr id = child.internalId();
    if (id == kUnconnectedId)
        return createIndex(unconnectedRow(), 0, quintptr(0));
    if (const int page = int(id >> 32) - 1; page >= 0)
        return createIndex(page, 0, quintptr(connKeyOf(id)));
    return createIndex(int(id) - 1, 0, quintptr(0));
}

int ConnectionTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_shown.size()) + (m_unconnected.isEmpty() ? 0 : 1);
    if (parent.column() != 0)
        return 0;
    switch (kindOf(parent)) {
    case Kind::Group:
        return int(m_unconnected.size());
    case Kind::Connection:
        return parent.row() < int(m_shown.size())
                   ? m_paging.childCount(m_shown[size_t(parent.row())])
                   : 0;
    case Kind::Page:
        return m_paging.pageRowCount(m_shown[size_t(parent.internalId() - 1)], parent.row());
    default:
        return 0;
    }
}

Qt::ItemFlags ConnectionTreeModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractItemModel::flags(index);
    // Exchange rows are leaves. Saying so spares the view a hasChildren() per row each time it
    // lays out a page (or a connection) of exchanges.
    if (kindOf(index) == Kind::Exchange)
        f |= Qt::ItemNeverHasChildren;
    return f;
}

bool ConnectionTreeModel::hasChildren(const QModelIndex &parent) const
{
    if (kindOf(parent) == Kind::Exchange)
        return false;
    return rowCount(parent) > 0;
}

int ConnectionTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

bool ConnectionTreeModel::isUnconnectedGroup(const QModelIndex &index) const
{
    return index.isValid() && index.model() == this && index.internalId() == 0 &&
           index.row() == unconnectedRow() && !m_unconnected.isEmpty();
}

quint32 ConnectionTreeModel::reqAt(const QModelIndex &index) const
{
    if (kindOf(index) != Kind::Exchange)
        return 0;
    if (index.internalId() == kUnconnectedId)
        return index.row() < m_unconnected.size() ? m_unconnected.at(index.row()) : 0;
    return childReq(int(connKeyOf(index.internalId())) - 1, positionOf(index));
}

quint32 ConnectionTreeModel::connectionIdAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.internalId() == kUnconnectedId)
        return 0;
    if (index.internalId() != 0)
        return connKeyOf(index.internalId());
    return index.row() < int(m_shown.size()) ? quint32(index.row() + 1) : 0;
}

} // namespace hopscope
