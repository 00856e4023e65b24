#include "models/connectiontreemodel.h"

#include "format/durationformat.h"
#include "format/sizeformat.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"

#include <QFont>

#include <algorithm>
#include <limits>

namespace hopscope {

namespace {

// Times in tooltips and titles are relative to something the user sees (the connection's
// pool.open, the request's start); trace-absolute times are labelled as such.
QString relMs(qint64 ns, qint64 base)
{
    return formatMilliseconds(double(ns - base) / 1e6);
}

QString exchangeProtocol(const ExchangeInfo &x, const ConnectionInfo *home)
{
    if (x.kind == ExchangeInfo::Kind::WebSocket)
        return QStringLiteral("websocket");
    if (!x.protocol.isEmpty())
        return x.protocol;
    return home ? home->currentProtocol() : QString();
}

// The request whose 101 switched its connection to h2/h2c: it is answered on stream 1 with the
// final status, and the tree should still say that it carried the upgrade.
bool carriedH2Upgrade(const ExchangeInfo &x, const ConnectionInfo *home)
{
    if (!home || x.kind != ExchangeInfo::Kind::Http || home->exchanges.value(0) != x.req)
        return false;
    for (const ProtocolStep &step : home->history)
        if (step.viaUpgrade && step.protocol.startsWith(QLatin1String("h2")))
            return true;
    return false;
}

QFont styledFont(bool bold, bool italic)
{
    QFont f;
    if (bold)
        f.setBold(true);
    if (italic)
        f.setItalic(true);
    return f;
}

} // namespace

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

QString ConnectionTreeModel::exchangeStatusText(const ExchangeInfo &x, const ConnectionInfo *home)
{
    if (x.state == ExchangeInfo::State::Failed) {
        const QString code = x.errorCode.isEmpty() ? QStringLiteral("failed") : x.errorCode;
        return x.status > 0 ? QStringLiteral("%1, %2").arg(x.status).arg(code) : code;
    }
    if (x.status == 0)
        return x.state == ExchangeInfo::State::Running ? QStringLiteral("…") : QString();
    if (x.status == 101) {
        const QString to = x.kind == ExchangeInfo::Kind::WebSocket ? QStringLiteral("websocket")
                           : !x.protocol.isEmpty()                 ? x.protocol
                           : home                                  ? home->currentProtocol()
                                                                   : QString();
        return to.isEmpty() ? QStringLiteral("101") : QStringLiteral("101 → %1").arg(to);
    }
    if (carriedH2Upgrade(x, home))
        return QStringLiteral("%1 (101 → %2)").arg(x.status).arg(x.protocol);
    if (x.redirectTo)
        return QStringLiteral("%1 → req %2").arg(x.status).arg(x.redirectTo); // -L followed it
    return QString::number(x.status);
}

// ---- structure --------------------------------------------------------------------------------
//
// A connection's children are the store's ConnectionInfo::exchanges, which only ever grow (the
// store lists each request once per connection): the model keeps just how many it announced, so
// a batch costs what it added, not what the connection holds. "Not connected" is the one list
// that also shrinks (requests leave it when they get a connection); it is kept sorted by req.

quint32 ConnectionTreeModel::homeKey(quint32 req) const
{
    const ExchangeInfo *x = m_store ? m_store->exchange(req) : nullptr;
    return x ? x->conn : kGroupKey;
}

quint32 ConnectionTreeModel::childReq(int connIndex, int row) const
{
    if (connIndex < 0 || size_t(connIndex) >= m_shown.size() || row < 0 ||
        row >= m_shown[size_t(connIndex)])
        return 0;
    return m_store->connectionAt(connIndex).exchanges.at(row);
}

void ConnectionTreeModel::rebuildFromStore()
{
    m_shown.clear();
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

int ConnectionTreeModel::announce(int connIndex)
{
    const ConnectionInfo &c = m_store->connectionAt(connIndex);
    const quint32 id = quint32(connIndex + 1);
    int &shown = m_shown[size_t(connIndex)];
    const int from = shown;
    for (; shown < c.exchanges.size(); ++shown) {
        const quint32 req = c.exchanges.at(shown);
        if (req < m_rowOfReq.size() && homeKey(req) == id)
            m_rowOfReq[req] = shown;
    }
    return from;
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
        if (i < 0 || i >= known)
            continue;
        const int added = int(m_store->connectionAt(i).exchanges.size()) - m_shown[size_t(i)];
        if (added <= 0)
            continue;
        const int from = m_shown[size_t(i)];
        beginInsertRows(createIndex(i, 0, quintptr(0)), from, from + added - 1);
        announce(i);
        endInsertRows();
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

    QHash<quint32, std::pair<int, int>> ranges; // parent key -> first, last row
    for (quint32 req : delta.changedExchanges) {
        const QModelIndex idx = indexForExchange(req);
        if (!idx.isValid())
            continue;
        const quint32 key = homeKey(req);
        auto it = ranges.find(key);
        if (it == ranges.end())
            ranges.insert(key, {idx.row(), idx.row()});
        else
            *it = {std::min(it->first, idx.row()), std::max(it->second, idx.row())};
    }
    for (auto it = ranges.cbegin(); it != ranges.cend(); ++it) {
        const QModelIndex parent = parentIndexForKey(it.key());
        emit dataChanged(index(it->first, 0, parent), index(it->second, ColumnCount - 1, parent));
    }
}

QModelIndex ConnectionTreeModel::parentIndexForKey(quint32 key) const
{
    if (key == kGroupKey)
        return m_unconnected.isEmpty() ? QModelIndex()
                                       : createIndex(unconnectedRow(), 0, quintptr(0));
    return key <= m_shown.size() ? createIndex(int(key) - 1, 0, quintptr(0)) : QModelIndex();
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
    const int row = req < m_rowOfReq.size() ? m_rowOfReq[req] : -1;
    if (row < 0 || childReq(int(key) - 1, row) != req)
        return {}; // not announced yet
    return createIndex(row, 0, quintptr(key));
}

QModelIndex ConnectionTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || !hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, quintptr(0));
    if (parent.internalId() != 0)
        return {};
    if (isUnconnectedGroup(parent))
        return createIndex(row, column, kUnconnectedId);
    return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex ConnectionTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    if (child.internalId() == kUnconnectedId)
        return createIndex(unconnectedRow(), 0, quintptr(0));
    return createIndex(int(child.internalId()) - 1, 0, quintptr(0));
}

int ConnectionTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_shown.size()) + (m_unconnected.isEmpty() ? 0 : 1);
    if (parent.column() != 0 || parent.internalId() != 0)
        return 0;
    if (isUnconnectedGroup(parent))
        return int(m_unconnected.size());
    return parent.row() < int(m_shown.size()) ? m_shown[size_t(parent.row())] : 0;
}

Qt::ItemFlags ConnectionTreeModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractItemModel::flags(index);
    // Exchange rows are leaves. Saying so spares the view a hasChildren() per row each time it
    // lays out a connection with 100,000 streams.
    if (index.isValid() && index.internalId() != 0)
        f |= Qt::ItemNeverHasChildren;
    return f;
}

bool ConnectionTreeModel::hasChildren(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.internalId() != 0)
        return false; // an exchange row
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
    if (!index.isValid() || index.model() != this || index.internalId() == 0)
        return 0;
    if (index.internalId() == kUnconnectedId)
        return index.row() < m_unconnected.size() ? m_unconnected.at(index.row()) : 0;
    return childReq(int(index.internalId()) - 1, index.row());
}

quint32 ConnectionTreeModel::connectionIdAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.internalId() == kUnconnectedId)
        return 0;
    if (index.internalId() != 0)
        return quint32(index.internalId());
    return index.row() < int(m_shown.size()) ? quint32(index.row() + 1) : 0;
}

QVariant ConnectionTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case StreamColumn:
        return tr("Stream");
    case MethodColumn:
        return tr("Method");
    case PathColumn:
        return tr("Path");
    case StatusColumn:
        return tr("Status");
    case SizeColumn:
        return tr("Size");
    case TimeColumn:
        return tr("Time");
    default:
        return {};
    }
}

QVariant ConnectionTreeModel::data(const QModelIndex &index, int role) const
{
    if (!m_store || !index.isValid() || index.model() != this)
        return {};
    const quintptr id = index.internalId();
    if (id == 0) {
        if (isUnconnectedGroup(index))
            return groupData(index.column(), role);
        return index.row() < int(m_shown.size()) ? connectionData(index.row(), index.column(), role)
                                                 : QVariant();
    }
    const quint32 req = reqAt(index);
    return req ? exchangeData(id == kUnconnectedId ? kGroupKey : quint32(id), req, index.column(),
                              role)
               : QVariant();
}

// ---- per-row data -----------------------------------------------------------------------------

QVariant ConnectionTreeModel::connectionData(int row, int column, int role) const
{
    const ConnectionInfo &c = m_store->connectionAt(row);
    const bool isError = !c.error.isEmpty();
    const bool open = c.closeNs < 0;
    const qint64 lifetimeNs = c.openNs >= 0 && c.closeNs >= 0 ? c.closeNs - c.openNs : -1;

    auto statusText = [&] {
        if (isError)
            return c.error;
        if (!open)
            return c.closeReason.isEmpty() ? tr("closed") : tr("closed: %1").arg(c.closeReason);
        return tr("open");
    };

    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return c.title();
        case StatusColumn:
            return statusText();
        case SizeColumn:
            return formatByteSize(c.bytes);
        case TimeColumn:
            return open ? QStringLiteral("…") : formatMilliseconds(double(lifetimeNs) / 1e6);
        default:
            return {};
        }
    case Qt::DecorationRole:
        return column == NameColumn ? QVariant(protocolIcon(c.currentProtocol())) : QVariant();
    case Qt::ForegroundRole:
        return isError ? QVariant(errorColor()) : QVariant();
    case Qt::FontRole:
        return isError ? QVariant(styledFont(true, false)) : QVariant();
    case Qt::TextAlignmentRole:
        return column == SizeColumn || column == TimeColumn
                   ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    case Qt::ToolTipRole: {
        QStringList lines;
        lines << tr("Connection #%1").arg(c.id);
        if (!c.origin.isEmpty())
            lines << tr("Origin: %1").arg(c.origin);
        if (!c.address.isEmpty())
            lines << tr("Address: %1").arg(c.address);
        if (c.tls)
            lines << tr("TLS, ALPN: %1").arg(c.alpn.isEmpty() ? tr("none") : c.alpn);
        const qint64 base = c.openNs >= 0 ? c.openNs : 0;
        if (!c.history.isEmpty()) {
            QStringList steps;
            for (const ProtocolStep &s : c.history)
                steps << (s.viaUpgrade ? tr("%1 via 101 at %2") : tr("%1 from %2"))
                             .arg(protocolLabel(s.protocol), relMs(s.atNs, base));
            lines << tr("Protocols: %1").arg(steps.join(QLatin1String(" → ")));
        }
        if (c.followedFrom)
            lines << tr("Followed from #%1 (Upgrade: h2)").arg(c.followedFrom);
        if (!c.advertised.isEmpty())
            lines << tr("Advertised: Upgrade: %1 at %2")
                         .arg(c.advertised.join(QLatin1String(", ")), relMs(c.advertisedNs, base));
        if (c.connectEndNs >= 0)
            lines << tr("Connected at %1").arg(relMs(c.connectEndNs, base));
        if (c.tlsEndNs >= 0)
            lines << tr("TLS handshake done at %1").arg(relMs(c.tlsEndNs, base));
        if (!open)
            lines << tr("Closed at %1: %2")
                         .arg(relMs(c.closeNs, base),
                              c.closeReason.isEmpty() ? tr("(no reason)") : c.closeReason);
        lines << tr("Requests: %1, received body bytes: %2").arg(m_shown[size_t(row)]).arg(c.bytes);
        if (isError)
            lines << tr("Error: %1").arg(c.error);
        lines << tr("(times relative to the connection's opening at %1 in the trace)")
                     .arg(formatMilliseconds(double(base) / 1e6));
        return lines.join(QLatin1Char('\n'));
    }
    case ConnIdRole:
        return c.id;
    case ReqRole:
        return quint32(0);
    case ProtocolRole:
        return c.currentProtocol();
    case IsErrorRole:
        return isError;
    case SortKeyRole:
        switch (column) {
        case NameColumn:
            return qlonglong(c.id);
        case StatusColumn:
            return statusText();
        case SizeColumn:
            return qlonglong(c.bytes);
        case TimeColumn:
            return open ? std::numeric_limits<qlonglong>::max() : qlonglong(lifetimeNs);
        default:
            return QString();
        }
    case FilterTextRole:
        return QStringList{c.title(), c.origin, statusText(), c.alpn,
                           c.advertised.join(QLatin1Char(' '))}
            .join(QLatin1Char(' '));
    default:
        return {};
    }
}

QVariant ConnectionTreeModel::groupData(int column, int role) const
{
    int failed = 0, waiting = 0;
    for (quint32 req : m_unconnected) {
        const ExchangeInfo *x = m_store->exchange(req);
        if (x && x->state == ExchangeInfo::State::Failed)
            ++failed;
        else if (x && x->state == ExchangeInfo::State::Running)
            ++waiting;
    }
    const bool isError = failed > 0;
    auto statusText = [&] {
        QStringList parts;
        if (failed)
            parts << tr("%n failed", nullptr, failed);
        if (waiting)
            parts << tr("%n waiting", nullptr, waiting);
        return parts.join(QLatin1String(", "));
    };
    switch (role) {
    case Qt::DisplayRole:
        if (column == NameColumn)
            return tr("Not connected");
        if (column == StatusColumn)
            return statusText();
        return {};
    case Qt::DecorationRole:
        return column == NameColumn ? QVariant(protocolIcon(QString())) : QVariant();
    case Qt::ForegroundRole:
        return isError ? QVariant(errorColor()) : QVariant();
    case Qt::FontRole:
        return isError ? QVariant(styledFont(true, false)) : QVariant();
    case Qt::ToolTipRole:
        return tr("Requests without a connection: still waiting for one, or failed before one "
                  "was made (DNS, connect, URL errors).\n%1")
            .arg(statusText());
    case ConnIdRole:
    case ReqRole:
        return quint32(0);
    case ProtocolRole:
        return QString();
    case IsErrorRole:
        return isError;
    case SortKeyRole: // the same types as the connection rows' keys, so they compare
        return column == NameColumn || column == SizeColumn || column == TimeColumn
                   ? QVariant(std::numeric_limits<qlonglong>::max())
                   : QVariant(QString());
    case FilterTextRole:
        return tr("Not connected");
    default:
        return {};
    }
}

QVariant ConnectionTreeModel::exchangeData(quint32 parentKey, quint32 req, int column,
                                           int role) const
{
    const ExchangeInfo &x = *m_store->exchange(req);
    const ConnectionInfo *home = x.conn ? m_store->connection(x.conn) : nullptr;
    // Listed under a connection it left (pool.retry): an earlier attempt, not the exchange.
    const bool movedAway = parentKey != kGroupKey && parentKey != x.conn;
    const bool failed = x.state == ExchangeInfo::State::Failed && !movedAway;
    const bool running = x.state == ExchangeInfo::State::Running && !movedAway;

    auto nameText = [&] {
        QString name = tr("req %1").arg(x.req);
        if (x.kind == ExchangeInfo::Kind::WebSocket)
            name += tr(" · WebSocket");
        else if (x.kind == ExchangeInfo::Kind::RawTunnel)
            name += tr(" · tunnel (%1)").arg(x.protocol);
        return name;
    };
    auto statusText = [&] {
        return movedAway ? tr("retried on #%1").arg(x.conn) : exchangeStatusText(x, home);
    };
    auto timeText = [&] {
        if (running)
            return QStringLiteral("…");
        return formatMilliseconds(x.durationMs());
    };

    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return nameText();
        case StreamColumn:
            return x.stream >= 0 ? QString::number(x.stream) : QString();
        case MethodColumn:
            return x.method;
        case PathColumn:
            return x.path;
        case StatusColumn:
            return statusText();
        case SizeColumn:
            return formatByteSize(x.bytes);
        case TimeColumn:
            return timeText();
        default:
            return {};
        }
    case Qt::DecorationRole:
        return column == NameColumn ? QVariant(protocolIcon(exchangeProtocol(x, home)))
                                    : QVariant();
    case Qt::ForegroundRole:
        if (failed)
            return errorColor();
        return {};
    case Qt::FontRole:
        if (failed || running)
            return styledFont(failed, running);
        return {};
    case Qt::TextAlignmentRole:
        return column == SizeColumn || column == TimeColumn || column == StreamColumn
                   ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    case Qt::ToolTipRole: {
        QStringList lines;
        lines << QStringLiteral("%1 %2").arg(x.method, x.url);
        QString where = nameText();
        if (x.stream >= 0)
            where += tr(", stream %1").arg(x.stream);
        if (x.conn)
            where += tr(" on connection #%1").arg(x.conn);
        else
            where += tr(", no connection");
        const QString protocol = exchangeProtocol(x, home);
        if (!protocol.isEmpty())
            where += QStringLiteral(" (%1)").arg(protocolLabel(protocol));
        lines << where;
        if (movedAway)
            lines << tr("This connection closed before answering; the request was retried on "
                        "#%1.")
                         .arg(x.conn);
        lines << tr("Status: %1").arg(exchangeStatusText(x, home));
        if (x.redirectFrom)
            lines << tr("Redirected here from request %1").arg(x.redirectFrom);
        if (x.redirectTo)
            lines << tr("Redirect followed as request %1").arg(x.redirectTo);
        if (x.state == ExchangeInfo::State::Failed || !x.error.isEmpty())
            lines << tr("Error%1: %2")
                         .arg(x.errorCode.isEmpty() ? QString()
                                                    : QStringLiteral(" (%1)").arg(x.errorCode),
                              x.error.isEmpty() ? tr("(no message)") : x.error);
        if (x.bytes >= 0)
            lines
                << tr("Body: %1 (%2 bytes on the wire)").arg(formatByteSize(x.bytes)).arg(x.bytes);
        if (x.startNs >= 0) {
            QStringList t;
            if (x.requestSentNs >= 0)
                t << tr("sent at %1").arg(relMs(x.requestSentNs, x.startNs));
            if (x.responseHeadNs >= 0)
                t << tr("response head at %1").arg(relMs(x.responseHeadNs, x.startNs));
            if (x.endNs >= 0)
                t << tr("done at %1").arg(relMs(x.endNs, x.startNs));
            else
                t << tr("still running");
            lines << tr("Started at %1 in the trace; %2")
                         .arg(formatMilliseconds(double(x.startNs) / 1e6),
                              t.join(QLatin1String(", ")));
        }
        return lines.join(QLatin1Char('\n'));
    }
    case ConnIdRole:
        return parentKey;
    case ReqRole:
        return x.req;
    case ProtocolRole:
        return exchangeProtocol(x, home);
    case IsErrorRole:
        return failed;
    case SortKeyRole:
        switch (column) {
        case NameColumn:
            return qlonglong(x.req);
        case StreamColumn:
            return qlonglong(x.stream);
        case MethodColumn:
            return x.method;
        case PathColumn:
            return x.path;
        case StatusColumn:
            return failed ? qlonglong(-1) : qlonglong(x.status);
        case SizeColumn:
            return qlonglong(x.bytes);
        case TimeColumn:
            return running ? std::numeric_limits<qlonglong>::max()
                           : qlonglong(x.endNs >= 0 && x.startNs >= 0 ? x.endNs - x.startNs : -1);
        default:
            return {};
        }
    case FilterTextRole:
        return QStringList{nameText(),
                           x.method,
                           x.url,
                           statusText(),
                           x.errorCode,
                           x.error,
                           exchangeProtocol(x, home)}
            .join(QLatin1Char(' '));
    default:
        return {};
    }
}

} // namespace hopscope
