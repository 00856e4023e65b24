#pragma once

#include "models/connectionfilter.h"

#include <QSortFilterProxyModel>

namespace hopscope {

class ConnectionTreeModel;

// The connection tree behind its filter box: a ConnectionFilter (field terms and plain text)
// applied to each row of a ConnectionTreeModel, recursively (a matching exchange keeps its
// connection; a matching connection shows its exchanges). Sorting stays the base class's.
class ConnectionFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit ConnectionFilterProxy(QObject *parent = nullptr);

    void setTreeModel(ConnectionTreeModel *model);
    // Parses and applies the typed text; returns the parse (error() says what did not parse).
    const ConnectionFilter &setFilterQuery(const QString &text);
    const ConnectionFilter &filter() const { return m_filter; }
    bool isFiltering() const { return !m_filter.isEmpty(); }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    ConnectionTreeModel *m_tree = nullptr;
    ConnectionFilter m_filter;
};

} // namespace hopscope
