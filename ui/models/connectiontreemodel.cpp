#include "models/connectiontreemodel.h"

#include "format/durationformat.h"
#include "format/sizeformat.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"

#include <QFont>
#include <QSet>

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
    return QString::number(x.status);
}

// ---- structure --------------------------------------------------------------------------------

quint32 ConnectionTreeModel::homeKey(quint32 req) const
{
    const ExchangeInfo *x = m_store ? m_store->exchange(req) : nullptr;
    return x ? x->conn : kGroupKey;
}

QList<quint32> ConnectionTreeModel::wantedChildren(const ConnectionInfo &c) const
{
    // The store lists a request once per connection; guard anyway (a duplicate would break the
    // row bookkeeping), and skip numbers that are not exchanges (the internal probe, req 0).
    // O(n) with a generation-stamped mark per request, as a busy HTTP/2 connection can carry
    // thousands of streams and this runs for every connection a batch touches.
    m_mark.resize(size_t(m_store->exchangeCount() + 1), 0);
    ++m_markGeneration;
    QList<quint32> out;
    out.reserve(c.exchanges.size());
    for (quint32 req : c.exchanges) {
        if (!m_store->exchange(req) || m_mark[req] == m_markGeneration)
            continue;
        m_mark[req] = m_markGeneration;
        out.append(req);
    }
    return out;
}

void ConnectionTreeModel::rebuildFromStore()
{
    m_children.clear();
    m_connBytes.clear();
    m_unconnected.clear();
    m_rowOfReq.assign(size_t(m_store ? m_store->exchangeCount() + 1 : 1), -1);
    if (!m_store)
        return;
    for (int i = 0; i < m_store->connectionCount(); ++i) {
        m_children.push_back(wantedChildren(m_store->connectionAt(i)));
        m_connBytes.push_back(0);
        recomputeBytes(i);
        renumber(quint32(i + 1), m_children.back(), 0);
    }
    for (int i = 0; i < m_store->exchangeCount(); ++i)
        if (m_store->exchangeAt(i).conn == 0)
            m_unconnected.append(m_store->exchangeAt(i).req);
    renumber(kGroupKey, m_unconnected, 0);
}

void ConnectionTreeModel::onReset()
{
    beginResetModel();
    rebuildFromStore();
    endResetModel();
}

void ConnectionTreeModel::renumber(quint32 key, const QList<quint32> &rows, int from)
{
    for (int i = from; i < rows.size(); ++i) {
        const quint32 req = rows.at(i);
        if (req < m_rowOfReq.size() && homeKey(req) == key)
            m_rowOfReq[req] = i;
    }
}

void ConnectionTreeModel::recomputeBytes(int connIndex)
{
    qint64 sum = 0;
    const quint32 id = quint32(connIndex + 1);
    for (quint32 req : m_children[size_t(connIndex)]) {
        const ExchangeInfo *x = m_store->exchange(req);
        if (x && x->conn == id && x->bytes > 0) // a retried request counts where it ended
            sum += x->bytes;
    }
    m_connBytes[size_t(connIndex)] = sum;
}

bool ConnectionTreeModel::syncChildren(const QModelIndex &parent, QList<quint32> &mine,
                                       const QList<quint32> &wanted, quint32 key)
{
    if (mine == wanted)
        return true;
    // The common case: new requests or streams at the end.
    if (wanted.size() > mine.size() && std::equal(mine.begin(), mine.end(), wanted.begin())) {
        const int from = int(mine.size());
        beginInsertRows(parent, from, int(wanted.size()) - 1);
        mine = wanted;
        endInsertRows();
        renumber(key, mine, from);
        return true;
    }

    int firstTouched = int(mine.size());
    const QSet<quint32> keep(wanted.begin(), wanted.end());
    for (int i = 0; i < mine.size();) {
        if (keep.contains(mine.at(i))) {
            ++i;
            continue;
        }
        int end = i;
        while (end < mine.size() && !keep.contains(mine.at(end)))
            ++end;
        beginRemoveRows(parent, i, end - 1);
        mine.remove(i, end - i);
        endRemoveRows();
        firstTouched = std::min(firstTouched, i);
    }

    // What is left must be in the wanted order, or rows moved: the caller resets.
    {
        int p = 0;
        for (int k = 0; k < wanted.size() && p < mine.size(); ++k)
            if (wanted.at(k) == mine.at(p))
                ++p;
        if (p != mine.size())
            return false;
    }

    // Invariant: mine[0, k) == wanted[0, k); insert each run of new rows where it belongs.
    for (int k = 0; k < wanted.size();) {
        if (k < mine.size() && mine.at(k) == wanted.at(k)) {
            ++k;
            continue;
        }
        int end = k;
        while (end < wanted.size() && (k >= mine.size() || wanted.at(end) != mine.at(k)))
            ++end;
        beginInsertRows(parent, k, end - 1);
        for (int j = k; j < end; ++j)
            mine.insert(j, wanted.at(j));
        endInsertRows();
        firstTouched = std::min(firstTouched, k);
        k = end;
    }
    renumber(key, mine, firstTouched);
    return true;
}

void ConnectionTreeModel::onChanged(const SessionDelta &delta)
{
    if (!m_store)
        return;
    if (m_store->connectionCount() < int(m_children.size())) { // cleared without reset()
        onReset();
        return;
    }
    m_rowOfReq.resize(size_t(m_store->exchangeCount() + 1), -1);

    auto fullReset = [this] {
        beginResetModel();
        rebuildFromStore();
        endResetModel();
    };

    // 1. "Not connected": drop requests that got a connection, add new ones that have none.
    QList<quint32> group;
    group.reserve(m_unconnected.size() + delta.newExchanges.size());
    for (quint32 req : m_unconnected)
        if (homeKey(req) == kGroupKey)
            group.append(req);
    for (const QList<quint32> *list : {&delta.newExchanges, &delta.changedExchanges})
        for (quint32 req : *list)
            if (m_store->exchange(req) && homeKey(req) == kGroupKey)
                group.append(req);
    std::sort(group.begin(), group.end());
    group.erase(std::unique(group.begin(), group.end()), group.end());
    bool groupTouched = group != m_unconnected;
    if (m_unconnected.isEmpty() && !group.isEmpty()) {
        beginInsertRows({}, unconnectedRow(), unconnectedRow());
        m_unconnected = group;
        endInsertRows();
        renumber(kGroupKey, m_unconnected, 0);
        groupTouched = false; // a fresh row needs no dataChanged
    } else if (!m_unconnected.isEmpty() && group.isEmpty()) {
        beginRemoveRows({}, unconnectedRow(), unconnectedRow());
        m_unconnected.clear();
        endRemoveRows();
        groupTouched = false;
    } else if (!syncChildren(createIndex(unconnectedRow(), 0, quintptr(0)), m_unconnected, group,
                             kGroupKey)) {
        fullReset();
        return;
    }

    // 2. Existing connections: new requests/streams on them, changed rows.
    const int known = int(m_children.size());
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
        if (!syncChildren(createIndex(i, 0, quintptr(0)), m_children[size_t(i)],
                          wantedChildren(m_store->connectionAt(i)), id)) {
            fullReset();
            return;
        }
        recomputeBytes(i);
    }

    // 3. New connections, with their children, in one insertion before "Not connected".
    if (m_store->connectionCount() > known) {
        beginInsertRows({}, known, m_store->connectionCount() - 1);
        for (int i = known; i < m_store->connectionCount(); ++i) {
            m_children.push_back(wantedChildren(m_store->connectionAt(i)));
            m_connBytes.push_back(0);
            recomputeBytes(i);
        }
        endInsertRows();
        for (int i = known; i < int(m_children.size()); ++i)
            renumber(quint32(i + 1), m_children[size_t(i)], 0);
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
    if (groupTouched && !m_unconnected.isEmpty()) {
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
    return key <= m_children.size() ? createIndex(int(key) - 1, 0, quintptr(0)) : QModelIndex();
}

QModelIndex ConnectionTreeModel::indexForConnection(quint32 id) const
{
    if (id == 0 || id > m_children.size())
        return {};
    return createIndex(int(id) - 1, 0, quintptr(0));
}

QModelIndex ConnectionTreeModel::indexForExchange(quint32 req) const
{
    if (!m_store || !m_store->exchange(req))
        return {};
    const quint32 key = homeKey(req);
    const QList<quint32> *rows = nullptr;
    quintptr id = 0;
    if (key == kGroupKey) {
        rows = &m_unconnected;
        id = kUnconnectedId;
    } else if (key <= m_children.size()) {
        rows = &m_children[key - 1];
        id = quintptr(key);
    } else {
        return {};
    }
    int row = req < m_rowOfReq.size() ? m_rowOfReq[req] : -1;
    if (row < 0 || row >= rows->size() || rows->at(row) != req)
        row = int(rows->indexOf(req)); // not announced yet, or bookkeeping lagging: look it up
    return row < 0 ? QModelIndex() : createIndex(row, 0, id);
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
        return int(m_children.size()) + (m_unconnected.isEmpty() ? 0 : 1);
    if (parent.column() != 0 || parent.internalId() != 0)
        return 0;
    if (isUnconnectedGroup(parent))
        return int(m_unconnected.size());
    return parent.row() < int(m_children.size()) ? int(m_children[size_t(parent.row())].size()) : 0;
}

bool ConnectionTreeModel::hasChildren(const QModelIndex &parent) const
{
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
    if (index.internalId() != kUnconnectedId && index.internalId() > m_children.size())
        return 0;
    const QList<quint32> &rows = index.internalId() == kUnconnectedId
                                     ? m_unconnected
                                     : m_children[size_t(index.internalId() - 1)];
    return index.row() < rows.size() ? rows.at(index.row()) : 0;
}

quint32 ConnectionTreeModel::connectionIdAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.internalId() == kUnconnectedId)
        return 0;
    if (index.internalId() != 0)
        return quint32(index.internalId());
    return index.row() < int(m_children.size()) ? quint32(index.row() + 1) : 0;
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
        return index.row() < int(m_children.size())
                   ? connectionData(index.row(), index.column(), role)
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
            return formatByteSize(m_connBytes[size_t(row)]);
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
        lines << tr("Requests: %1, received body bytes: %2")
                     .arg(m_children[size_t(row)].size())
                     .arg(m_connBytes[size_t(row)]);
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
            return qlonglong(m_connBytes[size_t(row)]);
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
