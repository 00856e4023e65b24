#include "widgets/exchangedetail.h"

#include "format/durationformat.h"
#include "format/errorhint.h"
#include "models/framesmodel.h"
#include "models/headersmodel.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"
#include "widgets/bodyviewer.h"
#include "widgets/sessionpanel.h"
#include "widgets/timingsview.h"
#include "widgets/tlsview.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QMenu>
#include <QScrollArea>
#include <QStackedWidget>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace hopscope {

namespace {

// Names and block titles are words: cut at the end ("101 Switching Protocols (HTTP/1.1 int…"),
// never in the middle of one. Values keep the view's middle elision, which shows both ends of a
// long token or URL.
class NameElidesAtEndDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        if (index.column() == HeadersModel::NameColumn)
            option->textElideMode = Qt::ElideRight;
    }
};

} // namespace

// ---------------------------------------------------------------------------------------------
// HeadersView

HeadersView::HeadersView(HeadersModel *model, QWidget *parent) : QTreeView(parent), m_model(model)
{
    setModel(model);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setAlternatingRowColors(true);
    setUniformRowHeights(true);
    setTextElideMode(Qt::ElideMiddle);
    setItemDelegate(new NameElidesAtEndDelegate(this));
    header()->setStretchLastSection(true);
    // Blocks open as they arrive: the fields are the point.
    connect(model, &QAbstractItemModel::modelReset, this, [this] {
        expandAll();
        fitNameColumn();
    });
    connect(model, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &parent, int first, int last) {
                if (parent.isValid())
                    return;
                for (int row = first; row <= last; ++row) {
                    const QModelIndex block = m_model->index(row, 0);
                    expand(block);
                    for (int i = 0; i < m_model->rowCount(block); ++i)
                        expand(m_model->index(i, 0, block));
                }
                fitNameColumn();
            });
}

// Block titles ("HTTP/2 response, stream 1 (conn #1)") should read in full, but a long header
// name must not squeeze the values off screen.
void HeadersView::fitNameColumn()
{
    // At most a little over half the width: in a narrow pane the values keep the rest.
    const int cap = qMax(120, viewport()->width() * 11 / 20);
    header()->resizeSection(
        HeadersModel::NameColumn,
        qBound(qMin(160, cap), sizeHintForColumn(HeadersModel::NameColumn), cap));
}

void HeadersView::resizeEvent(QResizeEvent *event)
{
    QTreeView::resizeEvent(event);
    fitNameColumn();
}

QString HeadersView::selectionText() const
{
    QModelIndexList rows = selectionModel() ? selectionModel()->selectedRows() : QModelIndexList();
    if (rows.isEmpty() && currentIndex().isValid())
        rows.append(currentIndex());
    return m_model->textForRows(rows);
}

void HeadersView::copySelection()
{
    const QString text = selectionText();
    if (!text.isEmpty())
        QApplication::clipboard()->setText(text);
}

void HeadersView::copyValue()
{
    const QModelIndex current = currentIndex();
    if (current.isValid())
        QApplication::clipboard()->setText(current.data(HeadersModel::ValueRole).toString());
}

void HeadersView::copyBlockOfKind(int kind)
{
    const QModelIndex block = m_model->firstBlock(HeadersModel::BlockKind(kind));
    if (block.isValid())
        QApplication::clipboard()->setText(m_model->blockText(block.row()));
}

void HeadersView::copyAllRequestHeaders()
{
    copyBlockOfKind(int(HeadersModel::BlockKind::Request));
}

void HeadersView::copyAllResponseHeaders()
{
    copyBlockOfKind(int(HeadersModel::BlockKind::Response));
}

bool HeadersView::event(QEvent *event)
{
    // Ctrl+C belongs to this view while it has focus, not to a window-wide Copy action.
    if (event->type() == QEvent::ShortcutOverride &&
        static_cast<QKeyEvent *>(event)->matches(QKeySequence::Copy)) {
        event->accept();
        return true;
    }
    return QTreeView::event(event);
}

void HeadersView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Copy)) {
        copySelection();
        event->accept();
        return;
    }
    QTreeView::keyPressEvent(event);
}

void HeadersView::contextMenuEvent(QContextMenuEvent *event)
{
    const QModelIndex at = indexAt(event->pos());
    QMenu menu(this);
    QAction *copy = menu.addAction(tr("Copy"), this, &HeadersView::copySelection);
    copy->setShortcut(QKeySequence::Copy);
    copy->setEnabled(!selectionText().isEmpty());
    QAction *value = menu.addAction(tr("Copy value"), this, [at] {
        QApplication::clipboard()->setText(at.data(HeadersModel::ValueRole).toString());
    });
    value->setEnabled(at.isValid());
    if (at.isValid()) {
        const int block =
            at.parent().isValid()
                ? (at.parent().parent().isValid() ? at.parent().parent().row() : at.parent().row())
                : at.row();
        menu.addAction(tr("Copy this block as text"), this, [this, block] {
            QApplication::clipboard()->setText(m_model->blockText(block));
        });
    }
    menu.addSeparator();
    menu.addAction(tr("Copy all request headers as text"), this,
                   &HeadersView::copyAllRequestHeaders)
        ->setEnabled(m_model->firstBlock(HeadersModel::BlockKind::Request).isValid());
    menu.addAction(tr("Copy all response headers as text"), this,
                   &HeadersView::copyAllResponseHeaders)
        ->setEnabled(m_model->firstBlock(HeadersModel::BlockKind::Response).isValid());
    menu.addSeparator();
    menu.addAction(tr("Expand all"), this, &QTreeView::expandAll);
    menu.exec(event->globalPos());
}

// ---------------------------------------------------------------------------------------------
// ExchangeDetail

ExchangeDetail::ExchangeDetail(SessionStore *store, QWidget *parent)
    : QWidget(parent), m_store(store)
{
    m_icon = new QLabel(this);
    m_header = new QLabel(this);
    m_header->setTextFormat(Qt::RichText);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long URL must not make the whole window wider; in a narrow pane (a 1024 px screen) the
    // line wraps rather than losing its status and protocol off the edge.
    m_header->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_header->setWordWrap(true);
    m_header->setObjectName(QStringLiteral("exchangeHeader"));
    auto *headerRow = new QHBoxLayout;
    headerRow->setContentsMargins(4, 2, 4, 2);
    headerRow->addWidget(m_icon);
    headerRow->addWidget(m_header, 1);

    m_headersModel = new HeadersModel(store, this);
    m_headersView = new HeadersView(m_headersModel, this);

    m_body = new BodyViewer(store, this);

    m_framesModel = new FramesModel(store, this);
    m_framesView = new QTableView(this);
    m_framesView->setModel(m_framesModel);
    m_framesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_framesView->setAlternatingRowColors(true);
    m_framesView->setShowGrid(false);
    m_framesView->setWordWrap(false);
    m_framesView->verticalHeader()->hide();
    m_framesView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_framesView->horizontalHeader()->setStretchLastSection(true);
    m_framesView->setColumnWidth(FramesModel::TimeColumn, 80);
    m_framesView->setColumnWidth(FramesModel::DirColumn, 36);
    m_framesView->setColumnWidth(FramesModel::StreamColumn, 56);
    m_framesView->setColumnWidth(FramesModel::FrameColumn, 120);
    m_framesView->setColumnWidth(FramesModel::FlagsColumn, 200);
    m_framesView->setColumnWidth(FramesModel::LengthColumn, 64);
    m_connectionFrames = new QCheckBox(tr("Include the connection's frames (stream 0)"), this);
    m_connectionFrames->setToolTip(
        tr("Interleave SETTINGS, WINDOW_UPDATE, PING and GOAWAY frames of the connection"));
    m_notHttp2 = new QLabel(tr("Not an HTTP/2 stream"), this);
    m_notHttp2->setAlignment(Qt::AlignCenter);
    m_notHttp2->setForegroundRole(QPalette::PlaceholderText);
    auto *framesPage = new QWidget(this);
    auto *framesTable = new QWidget(framesPage);
    auto *framesTableLayout = new QVBoxLayout(framesTable);
    framesTableLayout->setContentsMargins(0, 0, 0, 0);
    framesTableLayout->addWidget(m_connectionFrames);
    framesTableLayout->addWidget(m_framesView, 1);
    m_framesStack = new QStackedWidget(framesPage);
    m_framesStack->addWidget(m_notHttp2);
    m_framesStack->addWidget(framesTable);
    auto *framesLayout = new QVBoxLayout(framesPage);
    framesLayout->setContentsMargins(4, 4, 4, 4);
    framesLayout->addWidget(m_framesStack);
    connect(m_connectionFrames, &QCheckBox::toggled, m_framesModel,
            &FramesModel::setIncludeConnectionFrames);
    connect(m_framesModel, &QAbstractItemModel::rowsInserted, m_framesView,
            [this] { m_framesView->scrollToBottom(); });

    m_session = new SessionPanel(store, this);
    connect(m_session, &SessionPanel::sendRequested, this, &ExchangeDetail::sendRequested);

    m_timings = new TimingsView(store, this);
    m_tls = new TlsView(store, this);
    // The waterfall is as tall as its phases and does not shrink; in a scroll area a short
    // pane scrolls it instead of taking its ~270 px as the whole window's minimum (which at
    // 1024x700 pushed the timeline down to one lane).
    auto *timingsScroll = new QScrollArea(this);
    timingsScroll->setObjectName(QStringLiteral("timingsScroll"));
    timingsScroll->setWidget(m_timings);
    timingsScroll->setWidgetResizable(true);
    timingsScroll->setFrameShape(QFrame::NoFrame);

    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    m_tabs->insertTab(HeadersTab, m_headersView, tr("Headers"));
    m_tabs->insertTab(BodyTab, m_body, tr("Body"));
    m_tabs->insertTab(FramesTab, framesPage, tr("Frames"));
    m_tabs->insertTab(SessionTab, m_session, tr("Session"));
    m_tabs->insertTab(TimingsTab, timingsScroll, tr("Timings"));
    m_tabs->insertTab(TlsTab, m_tls, tr("TLS"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (!m_applyingTabs)
            m_preferredTab = index;
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(headerRow);
    layout->addWidget(m_tabs, 1);

    connect(store, &SessionStore::changed, this, &ExchangeDetail::onChanged);
    connect(store, &SessionStore::reset, this, [this] { setExchange(0); });

    setExchange(0);
}

void ExchangeDetail::setExchange(quint32 req)
{
    m_req = req;
    m_scanned = 0;
    m_sentHttp1 = m_switched = false;
    m_headersModel->setExchange(req);
    m_body->setExchange(req);
    m_framesModel->setExchange(req);
    m_session->setExchange(req);
    m_timings->setExchange(req);
    m_tls->setExchange(req);
    updateHeader();
    updateTabs();
}

ExchangeDetail::Tab ExchangeDetail::currentTab() const
{
    return Tab(m_tabs->currentIndex());
}

void ExchangeDetail::setCurrentTab(Tab tab)
{
    m_preferredTab = tab;
    if (m_tabs->isTabEnabled(tab))
        m_tabs->setCurrentIndex(tab);
}

bool ExchangeDetail::isTabEnabled(Tab tab) const
{
    return m_tabs->isTabEnabled(tab);
}

void ExchangeDetail::onChanged(const SessionDelta &delta)
{
    if (m_req && (delta.changedExchanges.contains(m_req) || delta.newExchanges.contains(m_req))) {
        updateHeader();
        updateTabs();
    }
}

void ExchangeDetail::updateHeader()
{
    const ExchangeInfo *ex = m_req ? m_store->exchange(m_req) : nullptr;
    if (!ex) {
        m_headerPlain.clear();
        m_header->setText(tr("<i>No exchange selected</i>"));
        m_icon->clear();
        return;
    }

    // What the exchange spoke: an upgrade shows where it started and what it became.
    for (; m_scanned < ex->events.size(); ++m_scanned) {
        const TraceEvent &ev = m_store->event(ex->events.at(m_scanned));
        if (ev.is(EventType::H1Request))
            m_sentHttp1 = true;
        else if (ev.is(EventType::UpgradeSwitch))
            m_switched = true;
    }
    QString protocol = protocolLabel(ex->protocol);
    if (m_sentHttp1 && m_switched && !ex->protocol.isEmpty())
        protocol = QStringLiteral("HTTP/1.1 → ") + protocol;

    struct Part
    {
        QString text;
        bool error = false;
        bool bold = false;
    };
    QList<Part> parts;
    parts.append({QStringLiteral("req %1").arg(ex->req)});
    if (ex->stream >= 0)
        parts.append({QStringLiteral("stream %1").arg(ex->stream)});
    parts.append({QStringLiteral("%1 %2").arg(ex->method, ex->url), false, true});
    if (ex->state == ExchangeInfo::State::Failed) {
        QString failure =
            tr("failed: %1").arg(ex->errorCode.isEmpty() ? tr("error") : ex->errorCode);
        if (!ex->error.isEmpty())
            failure += QStringLiteral(" — ") + ex->error;
        if (const QString hint = errorHint(ex->errorCode); !hint.isEmpty())
            failure += QLatin1Char(' ') + hint;
        if (ex->status > 0)
            parts.append({QString::number(ex->status)});
        parts.append({failure, true});
    } else if (ex->status > 0) {
        parts.append({QString::number(ex->status), ex->status >= 400});
    } else {
        parts.append({tr("waiting…")});
    }
    if (!protocol.isEmpty())
        parts.append({protocol});
    if (ex->conn)
        parts.append({QStringLiteral("conn #%1").arg(ex->conn)});
    if (ex->durationMs() >= 0)
        parts.append({formatMillisecondsPrecise(ex->durationMs())});
    if (ex->state == ExchangeInfo::State::Running)
        parts.append({tr("running")});

    QStringList plain;
    QStringList rich;
    const QString red = errorColor().name();
    for (const Part &p : parts) {
        plain.append(p.text);
        QString html = p.text.toHtmlEscaped();
        if (p.bold)
            html = QStringLiteral("<b>%1</b>").arg(html);
        if (p.error)
            html = QStringLiteral("<span style=\"color:%1\">%2</span>").arg(red, html);
        rich.append(html);
    }
    m_headerPlain = plain.join(QStringLiteral(" · "));
    m_header->setText(rich.join(QStringLiteral(" · ")));
    m_header->setToolTip(m_headerPlain);
    const QIcon icon = protocolIcon(ex->protocol);
    m_icon->setPixmap(icon.pixmap(QSize(32, 16)));
}

void ExchangeDetail::updateTabs()
{
    const ExchangeInfo *ex = m_req ? m_store->exchange(m_req) : nullptr;
    const bool http2 = m_framesModel->isHttp2();
    const bool session = ex && ex->kind != ExchangeInfo::Kind::Http;

    m_applyingTabs = true;
    m_tabs->setTabEnabled(FramesTab, http2);
    m_tabs->setTabToolTip(FramesTab, http2 ? tr("The HTTP/2 frames of stream %1").arg(ex->stream)
                                           : tr("Not an HTTP/2 stream"));
    m_framesStack->setCurrentIndex(http2 ? 1 : 0);
    m_tabs->setTabEnabled(SessionTab, session);
    m_tabs->setTabText(SessionTab, !session ? tr("Session")
                                   : ex->kind == ExchangeInfo::Kind::WebSocket
                                       ? tr("Session (WebSocket)")
                                       : tr("Session (tunnel)"));
    m_tabs->setTabToolTip(SessionTab, session ? tr("The messages after the 101")
                                              : tr("Only WebSocket and raw tunnel exchanges "
                                                   "have a session"));
    const bool tls = m_tls->hasTls();
    m_tabs->setTabEnabled(TlsTab, tls);
    m_tabs->setTabToolTip(TlsTab, tls ? tr("The connection's TLS handshake, certificates and "
                                           "OCSP staple")
                                      : tr("Not a TLS connection"));
    // The user's tab when this exchange has it, else Headers (not whichever tab QTabBar moved
    // to when the current one was disabled).
    m_tabs->setCurrentIndex(m_tabs->isTabEnabled(m_preferredTab) ? m_preferredTab : HeadersTab);
    m_applyingTabs = false;
}

} // namespace hopscope
