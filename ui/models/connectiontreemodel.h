#pragma once

#include <QAbstractItemModel>
#include <QList>
#include <QPointer>

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
    };

    explicit ConnectionTreeModel(SessionStore *store, QObject *parent = nullptr);

    SessionStore *store() const;

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

    // Status column text of an exchange: "200", "101 → websocket", "200 (101 → h2c)" for the
    // request that carried an h2c upgrade, the error code when it failed ("h2-rst:REFUSED_STREAM",
    // "404, truncated-body" when a status had arrived), "…" while waiting.
    static QString exchangeStatusText(const ExchangeInfo &x, const ConnectionInfo *home);

private:
    static constexpr quintptr kUnconnectedId = ~quintptr(0);
    static constexpr quint32 kGroupKey = 0; // parent key of the "Not connected" group

    void onChanged(const SessionDelta &delta);
    void onReset();
    void rebuildFromStore(); // used by the constructor and reset

    int unconnectedRow() const { return int(m_shown.size()); }
    QModelIndex parentIndexForKey(quint32 key) const;
    // The req shown at `row` under connection index `connIndex`, 0 when there is none.
    quint32 childReq(int connIndex, int row) const;
    // Takes the connection's exchanges the model has not announced yet (the caller wraps it in
    // begin/endInsertRows when the connection is already shown); returns the first new row.
    int announce(int connIndex);
    // Brings "Not connected" up to date for this batch; true when only a reset can (rows would
    // have to move).
    bool updateUnconnected(const SessionDelta &delta);
    quint32 homeKey(quint32 req) const;

    QVariant connectionData(int row, int column, int role) const;
    QVariant groupData(int column, int role) const;
    QVariant exchangeData(quint32 parentKey, quint32 req, int column, int role) const;

    QPointer<SessionStore> m_store;
    // Per connection index: how many of its ConnectionInfo::exchanges the model has announced
    // (the store's list only grows, so they are its first rows).
    std::vector<int> m_shown;
    QList<quint32> m_unconnected; // reqs under "Not connected", ascending
    std::vector<int> m_rowOfReq;  // [req]: row under its connection, -1 unknown
};

} // namespace hopscope
