#include "widgets/connectionspanel.h"

#include "models/connectionfilterproxy.h"
#include "models/connectiontreemodel.h"
#include "session/sessionreplay.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QScopedValueRollback>
#include <QSortFilterProxyModel>
#include <QStyle>
#include <QTreeView>
#include <QVBoxLayout>

#include <memory>

namespace hopscope {

ConnectionsPanel::ConnectionsPanel(SessionStore *store, QWidget *parent) : QWidget(parent)
{
    m_model = new ConnectionTreeModel(store, this);

    // Rows leave the model when a pending request gets its connection (it moves from "Not
    // connected" to its connection) or when the filter hides them; the selection model then moves
    // the current row to a neighbour. That is not the user choosing another exchange: stay quiet
    // and put the selection back once the row is there again. Connected before the proxy so that
    // the flag is up before the proxy forwards the removal.
    connect(m_model, &QAbstractItemModel::rowsAboutToBeRemoved, this, [this] { ++m_quiet; });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, [this] { --m_quiet; });

    m_proxy = new ConnectionFilterProxy(this);
    m_proxy->setTreeModel(m_model);

    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("connectionFilter"));
    m_filter->setPlaceholderText(tr("Filter: text, status:404, path:/x, proto:h2c, conn:3, "
                                    "method:POST"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setToolTip(filterHelp());
    connect(m_filter, &QLineEdit::textChanged, this, &ConnectionsPanel::setFilterText);

    m_view = new QTreeView(this);
    m_view->setModel(m_proxy);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAllColumnsShowFocus(true);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setTextElideMode(Qt::ElideRight); // the tooltips carry the full texts
    // Unsorted (the order things happened) until the user clicks a header.
    m_view->header()->setSortIndicator(-1, Qt::AscendingOrder);
    m_view->setSortingEnabled(true);

    // The Name column gives way (its long connection lines elide, the tooltips and the timeline
    // carry them whole); the short columns keep the width their texts need, so that Status,
    // Size and Time stay in view at 1024 px instead of behind a horizontal scroll bar.
    QHeaderView *header = m_view->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(ConnectionTreeModel::NameColumn, QHeaderView::Stretch);
    const QFontMetrics fm(m_view->font());
    // The delegate's text margins and a little air; the title's own width, not the header's
    // size hint, which keeps room for a sort arrow most columns never show.
    const int padding = 2 * (m_view->style()->pixelMetric(QStyle::PM_FocusFrameHMargin) + 1) + 6;
    auto widthFor = [&](const QString &sample, int column) {
        const QString title = m_proxy->headerData(column, Qt::Horizontal).toString();
        return qMax(fm.horizontalAdvance(sample), fm.horizontalAdvance(title)) + padding;
    };
    auto fixed = [&](int column, const QString &sample) {
        header->setSectionResizeMode(column, QHeaderView::Fixed);
        header->resizeSection(column, widthFor(sample, column));
    };
    fixed(ConnectionTreeModel::StreamColumn, QStringLiteral("99999"));
    fixed(ConnectionTreeModel::MethodColumn, QStringLiteral("OPTIONS"));
    fixed(ConnectionTreeModel::SizeColumn, QStringLiteral("1023.9 KiB"));
    fixed(ConnectionTreeModel::TimeColumn, QStringLiteral("10000.0 ms"));
    // Path and Status hold free text: the user may widen them; they start wide enough for the
    // usual texts ("/headers", "200 (101 → h2c)", "101 → websocket"); longer ones elide,
    // tooltips show all. Any wider and a 1024 px window's Name column keeps no connection id.
    header->resizeSection(ConnectionTreeModel::PathColumn,
                          widthFor(QStringLiteral("/headers"), ConnectionTreeModel::PathColumn));
    header->resizeSection(
        ConnectionTreeModel::StatusColumn,
        qMax(widthFor(QStringLiteral("200 (101 → h2c)"), ConnectionTreeModel::StatusColumn),
             widthFor(QStringLiteral("101 → websocket"), ConnectionTreeModel::StatusColumn)));
    // Two levels (connection, exchange): a narrower step leaves the Name column more text.
    m_view->setIndentation(fm.height());
    header->setMinimumSectionSize(fm.horizontalAdvance(QStringLiteral("Stream")));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_filter);
    layout->addWidget(m_view);

    // New connections open expanded, so their streams show up as they arrive; a connection the
    // user collapsed stays collapsed.
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &parent, int first, int last) {
                if (!parent.isValid())
                    expandTopLevel(first, last);
                else if (!parent.parent().isValid() && m_proxy->isFiltering())
                    expandMatchingPages(parent, first, last); // new pages with matches
                restoreCurrent();
            });
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, [this] { restoreCurrent(); });
    connect(m_proxy, &QAbstractItemModel::modelReset, this,
            [this] { expandTopLevel(0, m_proxy->rowCount() - 1); });
    expandTopLevel(0, m_proxy->rowCount() - 1);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { onCurrentRowChanged(current); });
    connect(m_view, &QWidget::customContextMenuRequested, this, &ConnectionsPanel::showContextMenu);
    // Double-click zooms the timeline to the row's connection; expanding stays on the arrow and
    // the keyboard (a connection row would otherwise collapse as the timeline zooms).
    m_view->setExpandsOnDoubleClick(false);
    connect(m_view, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex &index) {
        const QModelIndex source = m_proxy->mapToSource(index);
        if (m_model->isPage(source) || m_model->isUnconnectedGroup(source)) {
            m_view->setExpanded(index.siblingAtColumn(0),
                                !m_view->isExpanded(index.siblingAtColumn(0)));
            return;
        }
        if (const quint32 conn = source.data(ConnectionTreeModel::ConnIdRole).toUInt())
            emit connectionZoomRequested(conn);
    });
}

QSortFilterProxyModel *ConnectionsPanel::proxyModel() const
{
    return m_proxy;
}

void ConnectionsPanel::expandTopLevel(int first, int last)
{
    for (int row = first; row <= last; ++row)
        m_view->expand(m_proxy->index(row, 0));
}

void ConnectionsPanel::expandMatchingPages(const QModelIndex &connection, int first, int last)
{
    for (int row = first; row <= last && m_filterExpandedRows < kFilterExpandRows; ++row) {
        const QModelIndex page = m_proxy->index(row, 0, connection);
        if (!page.data(ConnectionTreeModel::IsPageRole).toBool() || m_view->isExpanded(page))
            continue;
        const int rows = m_proxy->rowCount(page);
        if (rows == 0 || m_filterExpandedRows + rows > kFilterExpandRows)
            continue;
        m_filterExpandedRows += rows;
        m_view->expand(page);
    }
}

void ConnectionsPanel::collapsePages()
{
    const QModelIndex current = m_view->currentIndex();
    for (int c = 0; c < m_proxy->rowCount(); ++c) {
        const QModelIndex connection = m_proxy->index(c, 0);
        for (int row = 0; row < m_proxy->rowCount(connection); ++row) {
            const QModelIndex page = m_proxy->index(row, 0, connection);
            if (!page.data(ConnectionTreeModel::IsPageRole).toBool())
                break; // a connection's children are all pages or none
            if (page != current.parent() && m_view->isExpanded(page))
                m_view->collapse(page);
        }
    }
}

QList<quint32> ConnectionsPanel::currentPageExchanges() const
{
    return m_model->pageExchanges(m_proxy->mapToSource(m_view->currentIndex()));
}

quint32 ConnectionsPanel::currentExchange() const
{
    return m_model->reqAt(m_proxy->mapToSource(m_view->currentIndex()));
}

quint32 ConnectionsPanel::currentConnection() const
{
    const QModelIndex source = m_proxy->mapToSource(m_view->currentIndex());
    return source.parent().isValid() ? 0 : m_model->connectionIdAt(source);
}

void ConnectionsPanel::onCurrentRowChanged(const QModelIndex &current)
{
    if (m_syncing || m_quiet > 0)
        return;
    // The user's choice, also when it is nothing (or the "Not connected" group row).
    const QModelIndex source = m_proxy->mapToSource(current);
    m_wantedReq = m_model->reqAt(source);
    m_wantedConn = m_wantedReq ? 0 : m_model->connectionIdAt(source);
    // A page row: kept as such (page k of a connection always holds the same exchanges); it
    // is not the connection, so nothing is emitted for it.
    m_wantedPage = m_model->isPage(source) ? source.row() : -1;
    if (m_wantedPage >= 0)
        return;
    if (m_wantedReq)
        emit exchangeSelected(m_wantedReq);
    else if (m_wantedConn)
        emit connectionSelected(m_wantedConn);
}

void ConnectionsPanel::restoreCurrent()
{
    if (m_wantedReq == 0 && m_wantedConn == 0)
        return;
    const QModelIndex source = m_proxy->mapToSource(m_view->currentIndex());
    QModelIndex wanted;
    if (m_wantedReq) {
        if (m_model->reqAt(source) == m_wantedReq)
            return;
        wanted = m_model->indexForExchange(m_wantedReq);
    } else if (m_wantedPage >= 0) {
        wanted = m_model->index(m_wantedPage, 0, m_model->indexForConnection(m_wantedConn));
        if (wanted.isValid() && source.siblingAtColumn(0) == wanted)
            return;
    } else {
        if (!source.parent().isValid() && m_model->connectionIdAt(source) == m_wantedConn)
            return;
        wanted = m_model->indexForConnection(m_wantedConn);
    }
    // Hidden (filtered, or not in the model yet): show no selection rather than a neighbour the
    // selection model picked, which the detail views would not be showing.
    selectSourceIndex(m_proxy->mapFromSource(wanted).isValid() ? wanted : QModelIndex());
}

void ConnectionsPanel::selectSourceIndex(const QModelIndex &source)
{
    const QScopedValueRollback<bool> guard(m_syncing, true);
    const QModelIndex index = m_proxy->mapFromSource(source);
    QItemSelectionModel *selection = m_view->selectionModel();
    if (!index.isValid()) {
        selection->clearSelection();
        selection->setCurrentIndex(QModelIndex(), QItemSelectionModel::NoUpdate);
        return;
    }
    // The page opened for the previous selection closes again (unless this one is in it): a
    // view following new exchanges would otherwise leave every page it passed open, and each
    // open page costs its rows in every relayout.
    if (m_revealedPage.isValid() && m_revealedPage != index.parent()) {
        if (m_view->isExpanded(m_revealedPage))
            m_view->collapse(m_revealedPage);
        m_revealedPage = QPersistentModelIndex();
    }
    for (QModelIndex up = index.parent(); up.isValid(); up = up.parent()) {
        if (!m_view->isExpanded(up) && up.data(ConnectionTreeModel::IsPageRole).toBool())
            m_revealedPage = up;
        m_view->expand(up); // its connection, and its page
    }
    selection->setCurrentIndex(index,
                               QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(index);
}

void ConnectionsPanel::selectExchange(quint32 req)
{
    m_wantedReq = req;
    m_wantedConn = 0;
    m_wantedPage = -1;
    selectSourceIndex(m_model->indexForExchange(req));
}

void ConnectionsPanel::selectConnection(quint32 id)
{
    m_wantedReq = 0;
    m_wantedConn = id;
    m_wantedPage = -1;
    selectSourceIndex(m_model->indexForConnection(id));
}

QString ConnectionsPanel::filterHelp()
{
    return tr("<p>Shows the rows whose name, URL, status, error code or message, or protocol "
              "contain the text, with their connection. A number matches whole numbers only, "
              "never a row's own request or connection number.</p>"
              "<p>Fields, combined with the text (the same field twice: either):<br>"
              "<b>status:404</b>, <b>status:4xx</b> — the response status<br>"
              "<b>path:/delay</b> — the path contains it<br>"
              "<b>proto:h2c</b> — the exchange's protocol (http/1.1, h2, h2c, websocket, tcp)<br>"
              "<b>conn:3</b> — connection #3 and its exchanges<br>"
              "<b>method:POST</b>, <b>req:12</b></p>");
}

void ConnectionsPanel::setFilterText(const QString &text)
{
    if (m_filter->text() != text) {
        m_filter->setText(text); // comes back here through textChanged
        return;
    }
    {
        const QScopedValueRollback<int> quiet(m_quiet, m_quiet + 1);
        const ConnectionFilter &filter = m_proxy->setFilterQuery(text);
        // A term that cannot hold says why, where the user is looking.
        m_filter->setToolTip(
            filter.error.isEmpty()
                ? filterHelp()
                : tr("<b>%1</b><br>%2").arg(filter.error.toHtmlEscaped(), filterHelp()));
        QPalette pal = m_filter->palette();
        pal.setColor(QPalette::Text,
                     filter.error.isEmpty() ? palette().color(QPalette::Text) : errorColor());
        m_filter->setPalette(pal);
    }
    restoreCurrent();
    // A match inside a collapsed page would not show: open the pages with matches (while they
    // are few enough to lay out at once); back to collapsed pages without a filter.
    m_filterExpandedRows = 0;
    if (text.trimmed().isEmpty()) {
        collapsePages();
    } else {
        for (int c = 0; c < m_proxy->rowCount(); ++c)
            expandMatchingPages(m_proxy->index(c, 0), 0,
                                m_proxy->rowCount(m_proxy->index(c, 0)) - 1);
    }
}

void ConnectionsPanel::showContextMenu(const QPoint &pos)
{
    std::unique_ptr<QMenu> menu(createContextMenu(m_view->indexAt(pos)));
    menu->exec(m_view->viewport()->mapToGlobal(pos));
}

QMenu *ConnectionsPanel::createContextMenu(const QModelIndex &proxyIndex)
{
    const QModelIndex source = m_proxy->mapToSource(proxyIndex);
    const quint32 req = m_model->reqAt(source);
    const SessionStore *store = m_model->store();
    const ExchangeInfo *x = req && store ? store->exchange(req) : nullptr;
    const quint32 connId = source.parent().isValid() ? 0 : m_model->connectionIdAt(source);
    const ConnectionInfo *c = connId && store ? store->connection(connId) : nullptr;

    auto *menu = new QMenu(this);
    auto copy = [](const QString &text) { QGuiApplication::clipboard()->setText(text); };
    if (x) {
        const QString url = x->url;
        menu->addAction(tr("Copy URL"), this, [copy, url] { copy(url); })
            ->setEnabled(!url.isEmpty());
        const std::pair<CopyTool, QString> tools[] = {
            {CopyTool::Curl, tr("Copy as curl")},
            {CopyTool::Nghttp, tr("Copy as nghttp")},
            {CopyTool::HopscopeCli, tr("Copy as hopscope-cli")},
        };
        for (const auto &[tool, label] : tools) {
            QAction *a = menu->addAction(
                label, this, [this, copy, req, tool = tool] { copy(copyCommandFor(req, tool)); });
            a->setObjectName(QStringLiteral("copyAs-") + copyToolName(tool));
        }
        if (m_secretsAction)
            menu->addAction(m_secretsAction);
        menu->addSeparator();
        QAction *resend = menu->addAction(
            m_sendsElsewhere ? tr("Re-send in a live window") : tr("Re-send"), this,
            [this, store, req] {
                if (const std::optional<ReplayRequest> r = replayRequestOf(*store, req))
                    emit resendRequested(replaySpec(*r));
            });
        resend->setObjectName(QStringLiteral("resend"));
        resend->setToolTip(tr("Sends the same request again, with the same protocol mode"));
        QAction *open = menu->addAction(
            m_sendsElsewhere ? tr("Open in a live window's composer") : tr("Open in composer"),
            this, [this, store, req] {
                if (const std::optional<ReplayRequest> r = replayRequestOf(*store, req))
                    emit openInComposerRequested(replaySpec(*r));
            });
        open->setObjectName(QStringLiteral("openInComposer"));
        resend->setEnabled(m_sendEnabled && !url.isEmpty());
        open->setEnabled(m_sendEnabled && !url.isEmpty());
    }
    if (c) {
        const QString title = c->title();
        const QString address = c->address.isEmpty() ? c->origin : c->address;
        menu->addAction(tr("Copy connection summary"), this, [copy, title] { copy(title); });
        menu->addAction(tr("Copy address"), this, [copy, address] { copy(address); })
            ->setEnabled(!address.isEmpty());
    }
    if (!menu->isEmpty())
        menu->addSeparator();
    menu->addAction(tr("Expand all"), m_view, &QTreeView::expandAll);
    menu->addAction(tr("Collapse all"), m_view, &QTreeView::collapseAll);
    return menu;
}

QString ConnectionsPanel::copyCommandFor(quint32 req, CopyTool tool) const
{
    const SessionStore *store = m_model->store();
    const std::optional<ReplayRequest> r = store ? replayRequestOf(*store, req) : std::nullopt;
    if (!r)
        return {};
    CopyCommandOptions options;
    options.includeSecrets = m_secretsAction && m_secretsAction->isChecked();
    return copyCommand(*r, tool, options);
}

} // namespace hopscope
