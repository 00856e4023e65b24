#include "widgets/connectionspanel.h"

#include "models/connectiontreemodel.h"
#include "session/sessionstore.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QRegularExpression>
#include <QScopedValueRollback>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

namespace hopscope {

namespace {

QString shellQuote(const QString &s)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./:=@%+,-]+$"));
    if (plain.match(s).hasMatch())
        return s;
    QString out = s;
    out.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + out + QLatin1Char('\'');
}

// Bytes that are not printable text go into bash's $'…' quoting, byte by byte.
QString shellQuoteBytes(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    bool printable = text.toUtf8() == bytes;
    for (QChar ch : text)
        if (ch.unicode() < 0x20 && ch != QLatin1Char('\n') && ch != QLatin1Char('\t') &&
            ch != QLatin1Char('\r'))
            printable = false;
    if (printable)
        return shellQuote(text);
    QString out = QStringLiteral("$'");
    for (char c : bytes) {
        const uchar u = uchar(c);
        if (u >= 0x20 && u < 0x7f && c != '\'' && c != '\\')
            out += QLatin1Char(c);
        else
            out += QStringLiteral("\\x%1").arg(u, 2, 16, QLatin1Char('0'));
    }
    return out + QLatin1Char('\'');
}

// The header list of the request head we sent (h1.request, or h2.headers kind=request).
FieldValue sentHeaders(const SessionStore &store, const ExchangeInfo &x)
{
    for (int i : x.events) {
        const TraceEvent &ev = store.event(i);
        if (ev.is(EventType::H1Request) ||
            (ev.is(EventType::H2Headers) && ev.field(Field::Kind).toUtf8() == "request"))
            return ev.field(Field::Headers);
    }
    return {};
}

// Certificate checks were off (-k) when the connection says so before its first request ends.
bool verificationOff(const SessionStore &store, const ConnectionInfo &c)
{
    for (int i : c.events) {
        const TraceEvent &ev = store.event(i);
        if (ev.is(EventType::TlsInsecure))
            return true;
        if (ev.is(EventType::Tls))
            return !ev.field(Field::Verified).toBool(true);
    }
    return false;
}

} // namespace

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

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setRecursiveFilteringEnabled(true); // a matching stream keeps its connection
    m_proxy->setAutoAcceptChildRows(true);       // a matching connection shows its streams
    m_proxy->setFilterRole(ConnectionTreeModel::FilterTextRole);
    m_proxy->setFilterKeyColumn(ConnectionTreeModel::NameColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortRole(ConnectionTreeModel::SortKeyRole);

    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter by path, status, error…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setToolTip(tr("Shows the rows whose name, URL, status, error code or message, or "
                            "protocol contain this text, with their connection."));
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

    QHeaderView *header = m_view->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(ConnectionTreeModel::PathColumn, QHeaderView::Stretch);
    const QFontMetrics fm(m_view->font());
    auto widthFor = [&fm](const QString &sample) { return fm.horizontalAdvance(sample) + 24; };
    header->resizeSection(
        ConnectionTreeModel::NameColumn,
        widthFor(QStringLiteral("#10 127.0.0.1:44444 HTTP/1.1 → WebSocket at 0.0 ms (TLS)")) +
            m_view->indentation() + 20);
    header->resizeSection(ConnectionTreeModel::StreamColumn, widthFor(QStringLiteral("Stream")));
    header->resizeSection(ConnectionTreeModel::MethodColumn, widthFor(QStringLiteral("OPTIONS")));
    header->resizeSection(ConnectionTreeModel::StatusColumn,
                          widthFor(QStringLiteral("closed: run finished")));
    header->resizeSection(ConnectionTreeModel::SizeColumn, widthFor(QStringLiteral("1023.9 KiB")));
    header->resizeSection(ConnectionTreeModel::TimeColumn, widthFor(QStringLiteral("10000.0 ms")));
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
                else if (!parent.parent().isValid() &&
                         !m_proxy->filterRegularExpression().pattern().isEmpty())
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

void ConnectionsPanel::setFilterText(const QString &text)
{
    if (m_filter->text() != text) {
        m_filter->setText(text); // comes back here through textChanged
        return;
    }
    {
        const QScopedValueRollback<int> quiet(m_quiet, m_quiet + 1);
        m_proxy->setFilterFixedString(text.trimmed());
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
    const QModelIndex source = m_proxy->mapToSource(m_view->indexAt(pos));
    const quint32 req = m_model->reqAt(source);
    const SessionStore *store = m_model->store();
    const ExchangeInfo *x = req && store ? store->exchange(req) : nullptr;
    const quint32 connId = source.parent().isValid() ? 0 : m_model->connectionIdAt(source);
    const ConnectionInfo *c = connId && store ? store->connection(connId) : nullptr;

    QMenu menu(this);
    auto copy = [](const QString &text) { QGuiApplication::clipboard()->setText(text); };
    if (x) {
        const QString url = x->url;
        menu.addAction(tr("Copy URL"), this, [copy, url] { copy(url); })
            ->setEnabled(!url.isEmpty());
        menu.addAction(tr("Copy as curl command"), this,
                       [copy, store, req] { copy(curlCommand(*store, req)); });
    }
    if (c) {
        const QString title = c->title();
        const QString address = c->address.isEmpty() ? c->origin : c->address;
        menu.addAction(tr("Copy connection summary"), this, [copy, title] { copy(title); });
        menu.addAction(tr("Copy address"), this, [copy, address] { copy(address); })
            ->setEnabled(!address.isEmpty());
    }
    if (!menu.isEmpty())
        menu.addSeparator();
    menu.addAction(tr("Expand all"), m_view, &QTreeView::expandAll);
    menu.addAction(tr("Collapse all"), m_view, &QTreeView::collapseAll);
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

QString ConnectionsPanel::curlCommand(const SessionStore &store, quint32 req)
{
    const ExchangeInfo *x = store.exchange(req);
    if (!x)
        return {};
    const ConnectionInfo *c = x->conn ? store.connection(x->conn) : nullptr;
    QStringList args{QStringLiteral("curl")};

    // Protocol: only what the connection's history proves.
    bool h2cUpgrade = false;
    if (c && !c->history.isEmpty()) {
        const QString first = c->history.first().protocol.toLower();
        bool upgradedToH2c = false;
        for (const ProtocolStep &s : c->history)
            upgradedToH2c |= s.viaUpgrade && s.protocol == QLatin1String("h2c");
        if (first == QLatin1String("h2c"))
            args << QStringLiteral("--http2-prior-knowledge");
        else if (first == QLatin1String("h2") || c->followedFrom)
            args << QStringLiteral("--http2");
        else if (upgradedToH2c)
            args << QStringLiteral("--http2"); // curl offers Upgrade: h2c on http:// URLs
        else if (c->tls)
            args << QStringLiteral("--http1.1");
        h2cUpgrade = upgradedToH2c && first != QLatin1String("h2c");
        if (c->tls && verificationOff(store, *c))
            args << QStringLiteral("-k");
    }
    if (x->kind != ExchangeInfo::Kind::Http)
        args << QStringLiteral("--include") << QStringLiteral("--no-buffer");

    const std::optional<ExchangeBody> body = store.body(req);
    const bool hasBody = body && !body->requestBody.isEmpty();
    const QString method = x->method.isEmpty() ? QStringLiteral("GET") : x->method;
    if (method == QLatin1String("HEAD"))
        args << QStringLiteral("--head");
    else if (method != (hasBody ? QLatin1String("POST") : QLatin1String("GET")))
        args << QStringLiteral("-X") << shellQuote(method);

    QUrl url(x->url);
    if (url.scheme() == QLatin1String("ws"))
        url.setScheme(QStringLiteral("http"));
    else if (url.scheme() == QLatin1String("wss"))
        url.setScheme(QStringLiteral("https"));

    // The headers we sent, minus what curl sends by itself (or, for an h2c upgrade, what its
    // --http2 adds).
    for (const FieldValue h : sentHeaders(store, *x)) {
        const QString name = h.at(0).toString();
        const QString value = h.at(1).toString();
        const QString lower = name.toLower();
        if (name.startsWith(QLatin1Char(':')) || lower == QLatin1String("content-length") ||
            lower == QLatin1String("user-agent"))
            continue;
        if (lower == QLatin1String("host") && value == url.authority())
            continue;
        if (lower == QLatin1String("accept") && value == QLatin1String("*/*"))
            continue;
        if (h2cUpgrade &&
            (lower == QLatin1String("connection") || lower == QLatin1String("upgrade") ||
             lower == QLatin1String("http2-settings")))
            continue;
        args << QStringLiteral("-H") << shellQuote(name + QLatin1String(": ") + value);
    }
    if (hasBody)
        args << QStringLiteral("--data-binary") << shellQuoteBytes(body->requestBody);
    args << shellQuote(url.toString(QUrl::FullyEncoded));
    return args.join(QLatin1Char(' '));
}

} // namespace hopscope
