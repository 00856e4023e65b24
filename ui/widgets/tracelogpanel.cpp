#include "widgets/tracelogpanel.h"

#include "session/sessioncounts.h"

#include "models/tracelogmodel.h"
#include "session/sessionstore.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QScrollBar>
#include <QShortcut>
#include <QSpinBox>
#include <QTableView>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>

namespace hopscope {

namespace {

constexpr int kFindDelayMs = 150; // typing waits this long before a (possibly 1M-event) rescan

} // namespace

TraceLogPanel::TraceLogPanel(SessionStore *store, QWidget *parent)
    : QWidget(parent), m_store(store), m_model(new TraceLogModel(store, this)),
      m_view(new QTableView(this)), m_findDelay(new QTimer(this)), m_followTimer(new QTimer(this))
{
    buildFilterBar();

    m_view->setModel(m_model);
    m_view->setObjectName(QStringLiteral("traceLogView"));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->setShowGrid(false);
    m_view->setAlternatingRowColors(true);
    m_view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_emptyLabel = new QLabel(m_view->viewport());
    m_emptyLabel->setObjectName(QStringLiteral("traceLogEmpty"));
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setForegroundRole(QPalette::PlaceholderText);
    auto *emptyLayout = new QVBoxLayout(m_view->viewport());
    emptyLayout->addWidget(m_emptyLabel, 0, Qt::AlignCenter);

    // Uniform rows: a fixed height means the view never measures a row, so a million rows cost
    // nothing until they are painted.
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const int rowHeight = std::max(QFontMetrics(font()).height(), QFontMetrics(mono).height()) + 4;
    QHeaderView *rows = m_view->verticalHeader();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setMinimumSectionSize(rowHeight);
    rows->setDefaultSectionSize(rowHeight);
    rows->hide(); // the # column says the same

    // Fixed starting widths from the font (never ResizeToContents: that measures every row).
    QHeaderView *columns = m_view->horizontalHeader();
    columns->setSectionResizeMode(QHeaderView::Interactive);
    columns->setStretchLastSection(true);
    columns->setHighlightSections(false);
    const QFontMetrics fm(font());
    auto width = [&](const QString &sample) { return fm.horizontalAdvance(sample) + 16; };
    m_view->setColumnWidth(TraceLogModel::SeqColumn, width(QStringLiteral("99999999")));
    m_view->setColumnWidth(TraceLogModel::TimeColumn, width(QStringLiteral("999999.999")));
    m_view->setColumnWidth(TraceLogModel::ConnColumn, width(QStringLiteral("Conn99")));
    m_view->setColumnWidth(TraceLogModel::ReqColumn, width(QStringLiteral("999999")));
    m_view->setColumnWidth(TraceLogModel::StreamColumn, width(QStringLiteral("Stream9")));
    m_view->setColumnWidth(TraceLogModel::DirColumn, width(QStringLiteral("Dir")));
    m_view->setColumnWidth(TraceLogModel::TypeColumn, width(QStringLiteral("response.complete")));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 0);
    bar->addWidget(m_connCombo, 2);
    bar->addWidget(m_streamSpin);
    bar->addWidget(m_kindCombo);
    bar->addWidget(m_findEdit, 3);
    bar->addWidget(m_followCheck);
    bar->addWidget(m_countLabel);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    m_findDelay->setSingleShot(true);
    m_findDelay->setInterval(kFindDelayMs);
    connect(m_findDelay, &QTimer::timeout, this, &TraceLogPanel::applyFilter);

    // Rows arrive once per store batch; scrolling and the count catch up once per loop turn.
    m_followTimer->setSingleShot(true);
    m_followTimer->setInterval(0);
    connect(m_followTimer, &QTimer::timeout, this, [this] {
        updateCount();
        if (follows())
            m_view->scrollToBottom();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &TraceLogPanel::onRowsInserted);
    connect(m_model, &QAbstractItemModel::modelReset, this, &TraceLogPanel::onRowsInserted);
    connect(m_view->verticalScrollBar(), &QAbstractSlider::actionTriggered, this, [this] {
        // The slider moves after this signal; look once it has.
        QTimer::singleShot(0, this, &TraceLogPanel::onUserScrolled);
    });

    connect(m_view, &QAbstractItemView::doubleClicked, this, &TraceLogPanel::activateRow);
    for (const int key : {int(Qt::Key_Return), int(Qt::Key_Enter)}) {
        auto *enter = new QShortcut(QKeySequence(key), m_view);
        enter->setContext(Qt::WidgetShortcut);
        connect(enter, &QShortcut::activated, this,
                [this] { activateRow(m_view->currentIndex()); });
    }
    auto *copy = new QShortcut(QKeySequence::Copy, m_view);
    copy->setContext(Qt::WidgetShortcut);
    connect(copy, &QShortcut::activated, this, &TraceLogPanel::copySelection);
    connect(m_view, &QWidget::customContextMenuRequested, this, &TraceLogPanel::showContextMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                emit currentEventChanged(
                    m_model->eventIndex(current.isValid() ? current.row() : -1));
            });

    connect(store, &SessionStore::changed, this, &TraceLogPanel::onStoreChanged);
    connect(store, &SessionStore::reset, this, &TraceLogPanel::resetConnections);
    resetConnections();
    updateCount();
}

void TraceLogPanel::buildFilterBar()
{
    m_connCombo = new QComboBox(this);
    m_connCombo->setObjectName(QStringLiteral("connectionFilter"));
    m_connCombo->setToolTip(tr("Show the events of one connection"));
    m_connCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_connCombo->setMinimumContentsLength(16);
    connect(m_connCombo, &QComboBox::currentIndexChanged, this, &TraceLogPanel::applyFilter);

    m_streamSpin = new QSpinBox(this);
    m_streamSpin->setObjectName(QStringLiteral("streamFilter"));
    m_streamSpin->setRange(-1, INT_MAX);
    m_streamSpin->setValue(-1);
    m_streamSpin->setSpecialValueText(tr("Any stream"));
    m_streamSpin->setPrefix(tr("stream "));
    m_streamSpin->setToolTip(
        tr("Show one HTTP/2 stream (0: the connection's own frames: SETTINGS, PING, …)"));
    connect(m_streamSpin, &QSpinBox::valueChanged, this, &TraceLogPanel::applyFilter);

    m_kindCombo = new QComboBox(this);
    m_kindCombo->setObjectName(QStringLiteral("kindFilter"));
    m_kindCombo->addItem(tr("All events"), int(Kind::All));
    m_kindCombo->addItem(tr("HTTP/1.1"), int(Kind::Http1));
    m_kindCombo->addItem(tr("HTTP/2 frames"), int(Kind::Http2));
    m_kindCombo->addItem(tr("Upgrades"), int(Kind::Upgrades));
    m_kindCombo->addItem(tr("WebSocket"), int(Kind::WebSocket));
    m_kindCombo->addItem(tr("Raw tunnel"), int(Kind::RawTunnel));
    m_kindCombo->addItem(tr("Net I/O"), int(Kind::NetIo));
    m_kindCombo->addItem(tr("Connections"), int(Kind::Connections));
    m_kindCombo->addItem(tr("Requests"), int(Kind::Requests));
    m_kindCombo->addItem(tr("Errors"), int(Kind::Errors));
    m_kindCombo->setItemData(m_kindCombo->count() - 1,
                             tr("Errors, failed requests, HTTP/2 resets with an error code, and "
                                "warnings (declined upgrades, tolerated violations, -k)"),
                             Qt::ToolTipRole);
    connect(m_kindCombo, &QComboBox::currentIndexChanged, this, &TraceLogPanel::applyFilter);

    m_findEdit = new QLineEdit(this);
    m_findEdit->setObjectName(QStringLiteral("findField"));
    m_findEdit->setPlaceholderText(tr("Find"));
    m_findEdit->setClearButtonEnabled(true);
    m_findEdit->setToolTip(
        tr("Show events whose type or summary contains this text (case-insensitive)"));
    connect(m_findEdit, &QLineEdit::textChanged, this, [this] { m_findDelay->start(); });
    connect(m_findEdit, &QLineEdit::returnPressed, this, &TraceLogPanel::applyFilter);

    m_followCheck = new QCheckBox(tr("Follow"), this);
    m_followCheck->setObjectName(QStringLiteral("follow"));
    m_followCheck->setChecked(true);
    m_followCheck->setToolTip(tr("Keep the newest event in view"));
    connect(m_followCheck, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            m_followTimer->start();
    });

    m_countLabel = new QLabel(this);
    m_countLabel->setObjectName(QStringLiteral("eventCount"));
    m_countLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_countLabel->setMinimumWidth(
        QFontMetrics(font()).horizontalAdvance(QStringLiteral("9,999,999 of 9,999,999 events")));
}

QStringList TraceLogPanel::typesOf(Kind kind)
{
    switch (kind) {
    case Kind::Http1:
        return {QStringLiteral("h1.")};
    case Kind::Http2:
        return {QStringLiteral("h2.")};
    case Kind::Upgrades:
        return {QStringLiteral("upgrade.")};
    case Kind::WebSocket:
        return {QStringLiteral("ws.")};
    case Kind::RawTunnel:
        return {QStringLiteral("raw.")};
    case Kind::NetIo:
        return {QStringLiteral("net.")};
    case Kind::Connections:
        return {QStringLiteral("pool."),    QStringLiteral("dns"), QStringLiteral("connect"),
                QStringLiteral("connect."), QStringLiteral("tls"), QStringLiteral("tls."),
                QStringLiteral("close")};
    case Kind::Requests:
        return {QStringLiteral("request."), QStringLiteral("response.")};
    case Kind::All:
    case Kind::Errors:
        break;
    }
    return {};
}

TraceFilter TraceLogPanel::currentFilter() const
{
    TraceFilter filter;
    if (const quint32 conn = m_connCombo->currentData().toUInt(); conn != 0)
        filter.connections = {conn};
    filter.stream = m_streamSpin->value();
    const auto kind = Kind(m_kindCombo->currentData().toInt());
    filter.types = typesOf(kind);
    filter.errorsOnly = kind == Kind::Errors;
    filter.text = m_findEdit->text().trimmed();
    return filter;
}

void TraceLogPanel::applyFilter()
{
    if (m_applying)
        return;
    m_findDelay->stop();
    const TraceFilter filter = currentFilter();
    if (filter == m_model->filter())
        return;
    // Keep the user's place: the selected event (or the next one shown) stays selected.
    const int selected = m_model->eventIndex(m_view->currentIndex().row());
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    m_model->setFilter(filter);
    QGuiApplication::restoreOverrideCursor();
    if (selected >= 0 && !follows()) {
        const int row = m_model->nearestRowForEvent(selected);
        if (row >= 0) {
            const QModelIndex index = m_model->index(row, 0);
            m_view->setCurrentIndex(index);
            m_view->scrollTo(index, QAbstractItemView::PositionAtCenter);
        }
    }
    updateCount();
}

void TraceLogPanel::setConnectionFilter(quint32 conn)
{
    const int i = m_connCombo->findData(conn);
    m_connCombo->setCurrentIndex(i >= 0 ? i : 0);
}

void TraceLogPanel::setStreamFilter(qint32 stream)
{
    m_streamSpin->setValue(std::max(stream, -1));
}

void TraceLogPanel::setKindFilter(Kind kind)
{
    const int i = m_kindCombo->findData(int(kind));
    m_kindCombo->setCurrentIndex(i >= 0 ? i : 0);
}

void TraceLogPanel::setFindText(const QString &text)
{
    m_findEdit->setText(text);
    applyFilter();
}

void TraceLogPanel::setFollow(bool follow)
{
    m_followCheck->setChecked(follow);
}

bool TraceLogPanel::follows() const
{
    return m_followCheck->isChecked();
}

void TraceLogPanel::focusFind()
{
    m_findEdit->setFocus(Qt::ShortcutFocusReason);
    m_findEdit->selectAll();
}

void TraceLogPanel::showExchange(quint32 req)
{
    const ExchangeInfo *exchange = m_store->exchange(req);
    if (!exchange || exchange->events.isEmpty())
        return;
    showTraceEvent(exchange->events.first());
}

void TraceLogPanel::showTraceEvent(int eventIndex)
{
    const int row = m_model->nearestRowForEvent(eventIndex);
    if (row < 0)
        return;
    setFollow(false);
    const QModelIndex index = m_model->index(row, 0);
    m_view->setCurrentIndex(index);
    m_view->scrollTo(index, QAbstractItemView::PositionAtCenter);
}

void TraceLogPanel::onStoreChanged(const SessionDelta &delta)
{
    if (!delta.newConnections.isEmpty())
        addConnections(m_connCombo->count() - 1);
}

void TraceLogPanel::resetConnections()
{
    m_applying = true; // rebuilding the combo must not refilter at every step
    const quint32 current = m_connCombo->currentData().toUInt();
    m_connCombo->clear();
    m_connCombo->addItem(tr("All connections"), 0u);
    m_applying = false;
    addConnections(0);
    setConnectionFilter(current);
}

// Connections are dense and 1-based, so the combo holds "All" plus ids 1..n in order.
void TraceLogPanel::addConnections(int from)
{
    m_applying = true;
    for (int i = from; i < m_store->connectionCount(); ++i) {
        const ConnectionInfo &c = m_store->connectionAt(i);
        // One style for every entry, "#3 127.0.0.1:8443": the address, else the origin's
        // host:port (not yet connected, or a file that has no address), never a bare URL.
        const QString where = !c.address.isEmpty() ? c.address : QUrl(c.origin).authority();
        m_connCombo->addItem(where.isEmpty() ? QStringLiteral("#%1").arg(c.id)
                                             : QStringLiteral("#%1 %2").arg(c.id).arg(where),
                             c.id);
    }
    m_applying = false;
}

void TraceLogPanel::onRowsInserted()
{
    if (!m_followTimer->isActive())
        m_followTimer->start();
}

void TraceLogPanel::onUserScrolled()
{
    const QScrollBar *bar = m_view->verticalScrollBar();
    setFollow(bar->value() >= bar->maximum());
}

void TraceLogPanel::activateRow(const QModelIndex &index)
{
    if (!index.isValid())
        return;
    const int eventIndex = m_model->eventIndex(index.row());
    if (eventIndex < 0)
        return;
    emit eventActivated(eventIndex);
    if (const quint32 req = m_store->event(eventIndex).scope.req; req != 0)
        emit exchangeActivated(req);
}

void TraceLogPanel::setCounts(const SessionCounts *counts)
{
    m_counts = counts;
    connect(counts, &SessionCounts::changed, this, &TraceLogPanel::onRowsInserted);
    updateCount();
}

QString TraceLogPanel::countText() const
{
    return m_countLabel->text();
}

void TraceLogPanel::updateCount()
{
    const QLocale locale;
    const int total = m_counts ? m_counts->snapshot().events : int(m_store->events().size());
    const int shown = m_model->rowCount();
    m_countLabel->setText(
        m_model->isFiltered()
            ? tr("%1 of %2 events").arg(locale.toString(shown), locale.toString(total))
            : SessionCounts::count(total, QT_TR_NOOP("%1 event"), QT_TR_NOOP("%1 events")));
    // An empty table says why it is empty.
    m_emptyLabel->setText(
        shown > 0 ? QString()
        : m_model->isFiltered() && total > 0
            ? tr("No events match the filter (%1 hidden).").arg(locale.toString(total))
            : tr("No events yet: send a request and each step it takes "
                 "appears here."));
    m_emptyLabel->setVisible(shown == 0);
}

QString TraceLogPanel::emptyText() const
{
    return m_emptyLabel->isVisibleTo(m_view) ? m_emptyLabel->text() : QString();
}

void TraceLogPanel::copySelection()
{
    QModelIndexList rows = m_view->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList lines;
    for (const QModelIndex &row : std::as_const(rows)) {
        QStringList cells;
        for (int c = 0; c < TraceLogModel::ColumnCount; ++c)
            cells << m_model->index(row.row(), c).data().toString();
        lines << cells.join(QLatin1Char('\t'));
    }
    if (!lines.isEmpty())
        QApplication::clipboard()->setText(lines.join(QLatin1Char('\n')) + QLatin1Char('\n'));
}

void TraceLogPanel::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    QMenu menu(this);
    QAction *copy = menu.addAction(tr("Copy"), this, &TraceLogPanel::copySelection);
    copy->setShortcut(QKeySequence::Copy);
    copy->setEnabled(m_view->selectionModel()->hasSelection());
    if (index.isValid()) {
        const quint32 conn = index.data(TraceLogModel::ConnectionRole).toUInt();
        const int stream = index.data(TraceLogModel::StreamRole).toInt();
        const quint32 req = index.data(TraceLogModel::RequestRole).toUInt();
        menu.addSeparator();
        if (conn != 0)
            menu.addAction(tr("Only connection #%1").arg(conn), this,
                           [this, conn] { setConnectionFilter(conn); });
        if (stream >= 0)
            menu.addAction(tr("Only stream %1").arg(stream), this, [this, conn, stream] {
                if (conn != 0)
                    setConnectionFilter(conn); // stream ids repeat across connections
                setStreamFilter(stream);
            });
        if (req != 0)
            menu.addAction(tr("Open request %1").arg(req), this,
                           [this, req] { emit exchangeActivated(req); });
    }
    menu.addSeparator();
    menu.addAction(tr("Show all events"), this, [this] {
        m_applying = true;
        m_connCombo->setCurrentIndex(0);
        m_streamSpin->setValue(-1);
        m_kindCombo->setCurrentIndex(0);
        m_findEdit->clear();
        m_applying = false;
        applyFilter();
    });
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

} // namespace hopscope
