#include "models/connectionfilterproxy.h"

#include "models/connectiontreemodel.h"
#include "session/sessionstore.h"

namespace hopscope {

ConnectionFilterProxy::ConnectionFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setRecursiveFilteringEnabled(true); // a matching stream keeps its connection
    setAutoAcceptChildRows(true);       // a matching connection shows its streams
    setSortRole(ConnectionTreeModel::SortKeyRole);
}

void ConnectionFilterProxy::setTreeModel(ConnectionTreeModel *model)
{
    m_tree = model;
    setSourceModel(model);
}

const ConnectionFilter &ConnectionFilterProxy::setFilterQuery(const QString &text)
{
    m_filter = ConnectionFilter::parse(text);
    invalidateFilter();
    return m_filter;
}

bool ConnectionFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_filter.isEmpty() || !m_tree)
        return true;
    const QModelIndex index =
        m_tree->index(sourceRow, ConnectionTreeModel::NameColumn, sourceParent);
    ConnectionFilter::Row row;
    row.filterText = index.data(ConnectionTreeModel::FilterTextRole).toString();
    // A page matches through its exchanges or its connection, never by itself: "req 1" would
    // otherwise keep a whole page.
    if (m_tree->isPage(index))
        return false;
    row.req = m_tree->reqAt(index);
    row.conn = index.data(ConnectionTreeModel::ConnIdRole).toUInt();
    const SessionStore *store = m_tree->store();
    if (const ExchangeInfo *x = row.req && store ? store->exchange(row.req) : nullptr) {
        row.isExchange = true;
        row.status = x->state == ExchangeInfo::State::Failed && x->status == 0 ? 0 : x->status;
        row.path = x->path;
        row.method = x->method;
        row.protocol = index.data(ConnectionTreeModel::ProtocolRole).toString();
        row.ownNumber = index.data(Qt::DisplayRole).toString().section(QLatin1Char(' '), 0, 1);
    } else if (row.conn) {
        row.ownNumber = QStringLiteral("#%1").arg(row.conn);
    }
    return m_filter.matches(row);
}

} // namespace hopscope
