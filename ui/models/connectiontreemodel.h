#pragma once

#include "models/streampaging.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QList>
#include <QPointer>

#include <utility>
#include <vector>

namespace hopscope {

class SessionStore;
struct ConnectionInfo;
struct ExchangeInfo;
struct SessionDelta;

// The "connections and streams" tree: one top-level row per connection (in id order), its
// exchanges (HTTP/1.1 requests, HTTP/2 streams, WebSocket and tunnel sessions) as children in
// the order they appeared on it. Requests that have no connection (yet, or never: DNS and
// connect errors) sit under a last top-level row "Not connected", which exists only while there
// are such requests, so that no failure is invisible.
//
// A view over the SessionStore: the model keeps only request numbers per parent (the rows it has
// announced, which can lag behind the store until the changed() signal is handled) and builds
// every text in data(). Internal ids, no allocations per row: a top-level index has internalId 0,
// a child of connection row i has i + 1, a child of the "Not connected" row has kUnconnectedId.
// A request retried on a second connection (pool.retry) is listed under both; its "home" row is
// the one under ExchangeInfo::conn, the earlier one reads "retried on #N".
//
// A connection with more than pageSize() exchanges (StreamPaging, 1,000 by default) lists them in
// pages: its children are page rows ("req 1–1000 (1000)", with the page's status counts, summed
// size and time span), each holding up to pageSize() exchange rows; only the last page grows.
// The switch happens once, when the connection passes the threshold (its flat rows are removed
// and the pages inserted). Internal ids of the third level: a row in page p of connection id c
// has ((p + 1) << 32) | c; a page row, like a flat exchange row, has c.
class ConnectionTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        StreamColumn,
        MethodColumn,
        PathColumn,
        StatusColumn,
        SizeColumn,
        TimeColumn,
        ColumnCount
    };

    enum Role {
        ConnIdRole = Qt::UserRole + 1, // quint32: the row's connection (an exchange's parent; 0
                                       // under "Not connected")
        ReqRole,                       // quint32: the exchange, 0 on connection/group rows
        SortKeyRole,                   // number (qlonglong) or string to sort the column by
        ProtocolRole,                  // QString: the row's protocol ("h2c", "websocket", ...)
        FilterTextRole,                // QString: everything a filter should match on the row
        IsErrorRole,                   // bool: drawn as an error
        IsPageRole,                    // bool: a page of a connection's exchanges
    };

    explicit ConnectionTreeModel(SessionStore *store, QObject *parent = nullptr);

    SessionStore *store() const;

    // Exchanges per page, and the most a connection lists without pages. Changing it resets
    // the model (tests use small pages).
    int pageSize() const { return m_paging.pageSize; }
    void setPageSize(int size);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    // Column 0 index of the exchange's home row (under its connection, or under "Not
    // connected"); invalid when the model does not show it (yet).
    QModelIndex indexForExchange(quint32 req) const;
    // Column 0 index of the connection's row; invalid when not shown (yet).
    QModelIndex indexForConnection(quint32 id) const;
    // The request / connection a row stands for (0 when none).
    quint32 reqAt(const QModelIndex &index) const;
    quint32 connectionIdAt(const QModelIndex &index) const;
    bool isUnconnectedGroup(const QModelIndex &index) const;
    bool isPage(const QModelIndex &index) const;
    // The requests a page row holds, in row order (empty for other rows).
    QList<quint32> pageExchanges(const QModelIndex &index) const;

    // Status column text of an exchange: "200", "101 → websocket", "200 (101 → h2c)" for the
    // request that carried an h2c upgrade, the error code when it failed ("h2-rst:REFUSED_STREAM",
    // "404, truncated-body" when a status had arrived), "…" while waiting.
    static QString exchangeStatusText(const ExchangeInfo &x, const ConnectionInfo *home);

private:
    static constexpr quintptr kUnconnectedId = ~quintptr(0);
    static constexpr quint32 kGroupKey = 0; // parent key of the "Not connected" group
    static_assert(sizeof(quintptr) >= 8, "page rows need 64-bit internal ids");

    enum class Kind { None, Connection, Group, Page, Exchange };
    Kind kindOf(const QModelIndex &index) const;
    bool connPaged(int connIndex) const
    {
        return connIndex >= 0 && size_t(connIndex) < m_shown.size() &&
               m_paging.paged(m_shown[size_t(connIndex)]);
    }
    static quint32 connKeyOf(quintptr id) { return quint32(id & 0xffffffffu); }
    static quintptr pageRowId(int page, quint32 conn)
    {
        return (quintptr(page + 1) << 32) | quintptr(conn);
    }
    // The position (in ConnectionInfo::exchanges) an exchange row under a connection shows.
    int positionOf(const QModelIndex &exchangeRow) const;

    // What a page row shows, summed over its exchanges; cached until a batch touches the page.
    struct PageSummary
    {
        int ok = 0, failed = 0, running = 0, retried = 0;
        qint64 bytes = 0;
        qint64 firstStartNs = -1, lastEndNs = -1;
        quint32 firstReq = 0, lastReq = 0;
        int firstStream = -1, lastStream = -1;
    };
    const PageSummary &pageSummary(int connIndex, int page) const;

    void onChanged(const SessionDelta &delta);
    void onReset();
    void rebuildFromStore(); // used by the constructor and reset

    int unconnectedRow() const { return int(m_shown.size()); }
    // The req at position `pos` of connection index `connIndex`, 0 when not shown.
    quint32 childReq(int connIndex, int pos) const;
    // Takes the connection's exchanges the model has not announced yet, up to `upTo` (all when
    // -1; the caller wraps it in begin/endInsertRows when the connection is already shown);
    // returns the first new position.
    int announce(int connIndex, int upTo = -1);
    // Announces what a batch added to a connection already shown: rows in its last page, new
    // pages, or (once, passing the threshold) its flat rows replaced by pages.
    void growConnection(int connIndex);
    // Brings "Not connected" up to date for this batch; true when only a reset can (rows would
    // have to move).
    bool updateUnconnected(const SessionDelta &delta);
    quint32 homeKey(quint32 req) const;

    QVariant connectionData(int row, int column, int role) const;
    QVariant groupData(int column, int role) const;
    QVariant exchangeData(quint32 parentKey, quint32 req, int column, int role) const;
    QVariant pageData(int connIndex, int page, int column, int role) const;

    QPointer<SessionStore> m_store;
    // Per connection index: how many of its ConnectionInfo::exchanges the model has announced
    // (the store's list only grows, so they are its first rows).
    std::vector<int> m_shown;
    QList<quint32> m_unconnected; // reqs under "Not connected", ascending
    std::vector<int> m_rowOfReq;  // [req]: position under its home connection, -1 unknown
    StreamPaging m_paging;
    mutable QHash<quint64, PageSummary> m_pageSummaries; // (conn id << 32 | page) -> summary
    bool m_pagesStale = false;                           // a request moved connection in this batch
    QList<std::pair<quint32, int>> m_grownPages;         // (conn id, page) that got rows this batch
};

} // namespace hopscope
