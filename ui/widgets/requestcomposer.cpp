#include "widgets/requestcomposer.h"

#include "models/headerstablemodel.h"
#include "style/protocolstyle.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <functional>

namespace hopscope {

namespace {

struct ModeInfo
{
    RequestComposer::ProtocolMode mode;
    const char *key;
    const char *label;
    const char *tip;
};

// Order = combo order.
const ModeInfo kModes[] = {
    {RequestComposer::ProtocolMode::Auto, "auto", QT_TRANSLATE_NOOP("RequestComposer", "Auto"),
     QT_TRANSLATE_NOOP("RequestComposer",
                       "HTTP/1.1 on http://, ALPN h2 or http/1.1 on https://; follows a TLS "
                       "server's Upgrade: h2 advertisement")},
    {RequestComposer::ProtocolMode::Http1Only, "http1",
     QT_TRANSLATE_NOOP("RequestComposer", "HTTP/1.1 only"),
     QT_TRANSLATE_NOOP("RequestComposer",
                       "Never HTTP/2: no upgrade offer, ALPN offers only http/1.1 (curl "
                       "--http1.1)")},
    {RequestComposer::ProtocolMode::H2cUpgrade, "h2c-upgrade",
     QT_TRANSLATE_NOOP("RequestComposer", "h2c upgrade"),
     QT_TRANSLATE_NOOP("RequestComposer",
                       "Cleartext: offer Upgrade: h2c on the first request of a connection "
                       "(curl --http2)")},
    {RequestComposer::ProtocolMode::H2cPrior, "h2c-prior",
     QT_TRANSLATE_NOOP("RequestComposer", "h2c prior knowledge"),
     QT_TRANSLATE_NOOP("RequestComposer", "Cleartext: speak HTTP/2 from the first byte (curl "
                                          "--http2-prior-knowledge)")},
    {RequestComposer::ProtocolMode::H2Tls, "h2-tls",
     QT_TRANSLATE_NOOP("RequestComposer", "HTTP/2 over TLS"),
     QT_TRANSLATE_NOOP("RequestComposer",
                       "https:// with ALPN offering only h2: fails if the server will not "
                       "speak HTTP/2")},
    {RequestComposer::ProtocolMode::WebSocket, "websocket",
     QT_TRANSLATE_NOOP("RequestComposer", "WebSocket"),
     QT_TRANSLATE_NOOP("RequestComposer",
                       "Offer Upgrade: websocket and open a session; ws:// and wss:// URLs "
                       "choose this")},
    {RequestComposer::ProtocolMode::CustomUpgrade, "upgrade",
     QT_TRANSLATE_NOOP("RequestComposer", "Custom Upgrade"),
     QT_TRANSLATE_NOOP("RequestComposer",
                       "Offer Upgrade: <token>; a token without a handler (e.g. tcp) becomes "
                       "a raw byte tunnel")},
};

bool isToken(const QString &s)
{
    if (s.isEmpty())
        return false;
    for (const QChar c : s) {
        const ushort u = c.unicode();
        const bool ok = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
                        (u >= '0' && u <= '9') ||
                        (u < 0x7f && QByteArrayView("!#$%&'*+-.^_`|~").contains(char(u)));
        if (!ok)
            return false;
    }
    return true;
}

bool isWebSocketScheme(const QString &scheme)
{
    return scheme == QLatin1String("ws") || scheme == QLatin1String("wss");
}

bool isTlsScheme(const QString &scheme)
{
    return scheme == QLatin1String("https") || scheme == QLatin1String("wss");
}

QString joinAlpn(const QList<QByteArray> &alpn)
{
    QStringList parts;
    for (const QByteArray &a : alpn)
        parts << QString::fromLatin1(a);
    return parts.join(QStringLiteral(", "));
}

QList<QByteArray> parseAlpn(const QString &text)
{
    QList<QByteArray> out;
    for (const QString &a : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString t = a.trimmed();
        if (!t.isEmpty())
            out << t.toLatin1();
    }
    return out;
}

QSpinBox *secondsSpin(const QString &prefix, int max, const QString &tip)
{
    auto *s = new QSpinBox;
    s->setRange(0, max);
    s->setPrefix(prefix);
    s->setSuffix(QStringLiteral(" s"));
    s->setSpecialValueText(prefix + QStringLiteral("none"));
    s->setToolTip(tip);
    return s;
}

} // namespace

RequestComposer::RequestComposer(QWidget *parent) : QWidget(parent)
{
    m_headers = new HeadersTableModel(this);
    buildUi();
    setSpec(RequestSpec());
    setUrl(QString());
}

RequestComposer::~RequestComposer() = default;

void RequestComposer::buildUi()
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(2);

    // --- the top row ---
    auto *row = new QHBoxLayout;
    row->setSpacing(4);
    m_method = new QComboBox;
    m_method->setObjectName(QStringLiteral("method"));
    m_method->setEditable(true);
    m_method->setInsertPolicy(QComboBox::NoInsert);
    m_method->addItems({QStringLiteral("GET"), QStringLiteral("HEAD"), QStringLiteral("POST"),
                        QStringLiteral("PUT"), QStringLiteral("PATCH"), QStringLiteral("DELETE"),
                        QStringLiteral("OPTIONS")});
    m_method->setToolTip(tr("Request method; type any other token for a custom method"));
    m_method->setMinimumContentsLength(7);
    m_method->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);

    m_url = new QComboBox;
    m_url->setObjectName(QStringLiteral("url"));
    m_url->setEditable(true);
    m_url->setInsertPolicy(QComboBox::NoInsert);
    m_url->setMaxCount(maxHistory);
    m_url->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_url->setMinimumContentsLength(30);
    m_url->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_url->lineEdit()->setPlaceholderText(tr("http://, https://, ws:// or wss:// URL"));
    m_url->lineEdit()->setClearButtonEnabled(true);
    m_url->setToolTip(
        tr("URL (Enter sends). The list holds the last %1 URLs sent.").arg(maxHistory));
    connect(m_url->lineEdit(), &QLineEdit::returnPressed, this, &RequestComposer::send);
    connect(m_url, &QComboBox::editTextChanged, this, [this] { showError({}); });

    m_mode = new QComboBox;
    m_mode->setObjectName(QStringLiteral("mode"));
    for (const ModeInfo &m : kModes) {
        m_mode->addItem(tr(m.label), int(m.mode));
        m_mode->setItemData(m_mode->count() - 1, tr(m.tip), Qt::ToolTipRole);
    }
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] {
        updateModeUi();
        showError({});
    });

    m_token = new QLineEdit;
    m_token->setObjectName(QStringLiteral("upgradeToken"));
    m_token->setPlaceholderText(tr("token, e.g. tcp"));
    m_token->setToolTip(tr("The Upgrade token to offer (one RFC 9110 token)"));
    m_token->setMaximumWidth(fontMetrics().horizontalAdvance(QLatin1Char('m')) * 10);
    connect(m_token, &QLineEdit::textChanged, this, [this] { showError({}); });
    connect(m_token, &QLineEdit::returnPressed, this, &RequestComposer::send);

    m_send = new QPushButton(tr("Send"));
    m_send->setObjectName(QStringLiteral("send"));
    m_send->setDefault(true);
    m_send->setToolTip(tr("Send the request (Ctrl+Return)"));
    connect(m_send, &QPushButton::clicked, this, &RequestComposer::send);

    m_stop = new QPushButton(tr("Stop"));
    m_stop->setObjectName(QStringLiteral("stop"));
    m_stop->setToolTip(tr("Abort every request in flight and close their connections"));
    connect(m_stop, &QPushButton::clicked, this, &RequestComposer::abortRequested);

    m_presets = new QToolButton;
    m_presets->setObjectName(QStringLiteral("presets"));
    m_presets->setText(tr("Demo requests"));
    m_presets->setToolTip(tr("Fill the composer with one of the demo tour's requests"));
    m_presets->setPopupMode(QToolButton::InstantPopup);
    m_presets->setMenu(new QMenu(m_presets));
    m_presets->setVisible(false);

    row->addWidget(m_method);
    row->addWidget(m_url, 1);
    row->addWidget(m_mode);
    row->addWidget(m_token);
    row->addWidget(m_send);
    row->addWidget(m_stop);
    row->addWidget(m_presets);
    outer->addLayout(row);

    m_error = new QLabel;
    m_error->setObjectName(QStringLiteral("error"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: %1; }").arg(errorColor().name()));
    m_error->setVisible(false);
    outer->addWidget(m_error);

    // --- the details ---
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("composerTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(buildHeadersTab(), tr("Headers"));
    m_tabs->addTab(buildBodyTab(), tr("Body"));
    m_tabs->addTab(buildOptionsTab(), tr("Options"));
    m_tabs->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Ignored);
    m_tabs->setMinimumHeight(m_tabs->tabBar()->sizeHint().height() + fontMetrics().height() * 4);

    // The details take room the response views want; they can fold down to the tab bar.
    auto *collapse = new QToolButton;
    collapse->setObjectName(QStringLiteral("collapseDetails"));
    collapse->setCheckable(true);
    collapse->setAutoRaise(true);
    collapse->setArrowType(Qt::UpArrow);
    collapse->setToolTip(tr("Hide or show the headers, body and options"));
    m_tabs->setCornerWidget(collapse, Qt::TopRightCorner);
    connect(collapse, &QToolButton::toggled, this, [this, collapse](bool collapsed) {
        collapse->setArrowType(collapsed ? Qt::DownArrow : Qt::UpArrow);
        for (int i = 0; i < m_tabs->count(); ++i)
            m_tabs->widget(i)->setVisible(!collapsed && i == m_tabs->currentIndex());
        const int bar = m_tabs->tabBar()->sizeHint().height();
        m_tabs->setMinimumHeight(collapsed ? bar : bar + fontMetrics().height() * 4);
        m_tabs->setMaximumHeight(collapsed ? bar : QWIDGETSIZE_MAX);
        m_tabs->setSizePolicy(QSizePolicy::Preferred,
                              collapsed ? QSizePolicy::Fixed : QSizePolicy::Ignored);
    });
    // Clicking a tab while folded unfolds.
    connect(m_tabs->tabBar(), &QTabBar::tabBarClicked, collapse, [collapse] {
        if (collapse->isChecked())
            collapse->setChecked(false);
    });
    outer->addWidget(m_tabs, 1);

    // Ctrl+Return is not bound here: the main window's Request ▸ Send action owns it (an
    // application shortcut) and calls send(); a second binding would make both ambiguous.

    connect(m_headers, &HeadersTableModel::headersEdited, this, [this] {
        const int n = int(m_headers->headers().size());
        m_tabs->setTabText(0, n ? tr("Headers (%1)").arg(n) : tr("Headers"));
        showError({});
    });
    updateModeUi();
    updateInsecureLook();
}

QWidget *RequestComposer::buildHeadersTab()
{
    m_headersView = new QTableView;
    m_headersView->setObjectName(QStringLiteral("headers"));
    m_headersView->setModel(m_headers);
    m_headersView->verticalHeader()->setVisible(false);
    m_headersView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_headersView->horizontalHeader()->setSectionResizeMode(HeadersTableModel::EnabledColumn,
                                                            QHeaderView::ResizeToContents);
    m_headersView->horizontalHeader()->setSectionResizeMode(HeadersTableModel::NameColumn,
                                                            QHeaderView::Interactive);
    m_headersView->horizontalHeader()->resizeSection(
        HeadersTableModel::NameColumn, fontMetrics().horizontalAdvance(QLatin1Char('m')) * 14);
    m_headersView->horizontalHeader()->setStretchLastSection(true);
    m_headersView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_headersView->setEditTriggers(
        QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
        QAbstractItemView::AnyKeyPressed | QAbstractItemView::SelectedClicked);
    m_headersView->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Ignored);
    m_headersView->setToolTip(tr("Extra headers, sent in this order after the ones Hopscope "
                                 "writes (a header of the same name replaces Hopscope's). "
                                 "Type in the last row to add; Delete removes."));

    auto *remove = new QAction(tr("Remove header"), m_headersView);
    remove->setShortcuts({QKeySequence::Delete, QKeySequence(Qt::Key_Backspace)});
    remove->setShortcutContext(Qt::WidgetShortcut);
    connect(remove, &QAction::triggered, this, &RequestComposer::removeSelectedHeaders);
    auto moveBy = [this](int delta) {
        const QModelIndex cur = m_headersView->currentIndex();
        const int row = cur.row();
        const int n = int(m_headers->rows().size());
        if (!cur.isValid() || row >= n || row + delta < 0 || row + delta >= n)
            return;
        m_headers->moveRows({}, row, 1, {}, delta > 0 ? row + 2 : row - 1);
        m_headersView->setCurrentIndex(m_headers->index(row + delta, cur.column()));
    };
    auto *up = new QAction(tr("Move up"), m_headersView);
    up->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Up));
    up->setShortcutContext(Qt::WidgetShortcut);
    connect(up, &QAction::triggered, this, [moveBy] { moveBy(-1); });
    auto *down = new QAction(tr("Move down"), m_headersView);
    down->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Down));
    down->setShortcutContext(Qt::WidgetShortcut);
    connect(down, &QAction::triggered, this, [moveBy] { moveBy(1); });
    m_headersView->addActions({remove, up, down});
    m_headersView->setContextMenuPolicy(Qt::ActionsContextMenu);
    return m_headersView;
}

QWidget *RequestComposer::buildBodyTab()
{
    auto *w = new QWidget;
    auto *v = new QVBoxLayout(w);
    v->setContentsMargins(2, 2, 2, 2);
    v->setSpacing(2);
    auto *fileRow = new QHBoxLayout;
    auto *fromFile = new QPushButton(tr("From file…"));
    fromFile->setObjectName(QStringLiteral("bodyFromFile"));
    fromFile->setToolTip(tr("Stream the body from a file instead of the text below"));
    connect(fromFile, &QPushButton::clicked, this, &RequestComposer::chooseBodyFile);
    m_bodyFile = new QLineEdit;
    m_bodyFile->setObjectName(QStringLiteral("bodyFile"));
    m_bodyFile->setPlaceholderText(tr("no file: the text below is the body"));
    connect(m_bodyFile, &QLineEdit::textChanged, this, [this] {
        updateBodyFileUi();
        showError({});
    });
    m_bodyFileClear = new QToolButton;
    m_bodyFileClear->setObjectName(QStringLiteral("bodyClear"));
    m_bodyFileClear->setText(tr("Clear"));
    m_bodyFileClear->setToolTip(tr("Clear the body (file and text)"));
    connect(m_bodyFileClear, &QToolButton::clicked, this, [this] {
        m_bodyFile->clear();
        m_body->clear();
    });
    fileRow->addWidget(fromFile);
    fileRow->addWidget(m_bodyFile, 1);
    fileRow->addWidget(m_bodyFileClear);
    v->addLayout(fileRow);

    m_body = new QPlainTextEdit;
    m_body->setObjectName(QStringLiteral("body"));
    m_body->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_body->setPlaceholderText(tr("Request body (UTF-8). Empty: no body."));
    m_body->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Ignored);
    connect(m_body, &QPlainTextEdit::textChanged, this, &RequestComposer::updateBodyFileUi);
    v->addWidget(m_body, 1);
    return w;
}

QWidget *RequestComposer::buildOptionsTab()
{
    auto *w = new QWidget;
    auto *h = new QHBoxLayout(w);
    h->setContentsMargins(4, 2, 4, 2);

    // TLS
    auto *tls = new QFormLayout;
    tls->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto *caRow = new QHBoxLayout;
    m_caFile = new QLineEdit;
    m_caFile->setObjectName(QStringLiteral("caFile"));
    m_caFile->setPlaceholderText(tr("system CAs"));
    m_caFile->setToolTip(tr("PEM file of CA certificates that replaces the system ones "
                            "(curl --cacert)"));
    connect(m_caFile, &QLineEdit::textChanged, this, [this] { showError({}); });
    auto *browse = new QToolButton;
    browse->setText(tr("…"));
    browse->setToolTip(tr("Choose a CA file"));
    connect(browse, &QToolButton::clicked, this, &RequestComposer::chooseCaFile);
    caRow->addWidget(m_caFile, 1);
    caRow->addWidget(browse);
    tls->addRow(tr("CA file"), caRow);

    auto *insecureRow = new QHBoxLayout;
    m_insecure = new QCheckBox(tr("Insecure (-k)"));
    m_insecure->setObjectName(QStringLiteral("insecure"));
    m_insecure->setToolTip(tr("Skip certificate verification; the trace says so on every "
                              "connection. Not remembered between runs."));
    connect(m_insecure, &QCheckBox::toggled, this, &RequestComposer::updateInsecureLook);
    m_insecureWarning = new QLabel(tr("certificate verification is OFF"));
    m_insecureWarning->setObjectName(QStringLiteral("insecureWarning"));
    insecureRow->addWidget(m_insecure);
    insecureRow->addWidget(m_insecureWarning, 1);
    tls->addRow(insecureRow);

    m_alpn = new QLineEdit;
    m_alpn->setObjectName(QStringLiteral("alpn"));
    m_alpn->setPlaceholderText(tr("by mode"));
    m_alpn->setToolTip(tr("ALPN protocols to offer, comma separated (e.g. h2, http/1.1); "
                          "empty: what the protocol mode offers"));
    tls->addRow(tr("ALPN"), m_alpn);
    h->addLayout(tls, 3);

    // Protocol
    auto *proto = new QFormLayout;
    m_decode = new QCheckBox(tr("Decode content (--compressed)"));
    m_decode->setObjectName(QStringLiteral("decode"));
    m_decode->setToolTip(tr("Send Accept-Encoding and decode gzip, deflate, br and zstd "
                            "bodies"));
    m_followH2 = new QCheckBox(tr("Follow Upgrade: h2"));
    m_followH2->setObjectName(QStringLiteral("followUpgradeH2"));
    m_followH2->setToolTip(tr("When a TLS server's HTTP/1.1 response advertises Upgrade: h2, "
                              "reach it over a new HTTP/2 connection next time"));
    m_h2cViaOptions = new QCheckBox(tr("h2c via OPTIONS *"));
    m_h2cViaOptions->setObjectName(QStringLiteral("h2cViaOptions"));
    m_h2cViaOptions->setToolTip(tr("h2c upgrade: upgrade on a bodiless OPTIONS * first, then "
                                   "send this request as a stream (nghttp -u)"));
    m_target = new QLineEdit;
    m_target->setObjectName(QStringLiteral("target"));
    m_target->setPlaceholderText(tr("from the URL"));
    m_target->setToolTip(tr("Request target instead of the URL's path, e.g. * for OPTIONS *"));
    proto->addRow(m_decode);
    proto->addRow(m_followH2);
    proto->addRow(m_h2cViaOptions);
    proto->addRow(tr("Target"), m_target);
    h->addLayout(proto, 2);

    // Run
    auto *run = new QFormLayout;
    m_repeat = new QSpinBox;
    m_repeat->setObjectName(QStringLiteral("repeat"));
    m_repeat->setRange(1, 100000);
    m_repeat->setToolTip(tr("Send this many copies of the request"));
    m_parallel = new QSpinBox;
    m_parallel->setObjectName(QStringLiteral("parallel"));
    m_parallel->setRange(1, 1000);
    m_parallel->setToolTip(tr("At most this many copies in flight at once"));
    auto *runRow = new QHBoxLayout;
    runRow->addWidget(m_repeat);
    runRow->addWidget(new QLabel(tr("Parallel")));
    runRow->addWidget(m_parallel);
    run->addRow(tr("Repeat"), runRow);
    m_connectTimeout = secondsSpin(tr("connect "), 3600, tr("TCP (and TLS) connect timeout"));
    m_idleTimeout = secondsSpin(tr("idle "), 86400,
                                tr("Fail a request after this long without a byte either way"));
    m_totalTimeout = secondsSpin(tr("total "), 86400, tr("Per request; none by default"));
    auto *timeouts = new QHBoxLayout;
    timeouts->addWidget(m_connectTimeout);
    timeouts->addWidget(m_idleTimeout);
    timeouts->addWidget(m_totalTimeout);
    run->addRow(tr("Timeouts"), timeouts);
    h->addLayout(run, 3);
    return w;
}

// --- mode and looks ---

RequestComposer::ProtocolMode RequestComposer::protocolMode() const
{
    return ProtocolMode(m_mode->currentData().toInt());
}

void RequestComposer::setProtocolMode(ProtocolMode mode)
{
    m_mode->setCurrentIndex(m_mode->findData(int(mode)));
}

QString RequestComposer::upgradeToken() const
{
    return m_token->text().trimmed();
}

void RequestComposer::setUpgradeToken(const QString &token)
{
    m_token->setText(token);
}

void RequestComposer::updateModeUi()
{
    const ProtocolMode mode = protocolMode();
    m_token->setVisible(mode == ProtocolMode::CustomUpgrade);
    m_h2cViaOptions->setEnabled(mode == ProtocolMode::H2cUpgrade);
    m_mode->setToolTip(m_mode->itemData(m_mode->currentIndex(), Qt::ToolTipRole).toString());
}

void RequestComposer::updateInsecureLook()
{
    const bool on = m_insecure->isChecked();
    const QString red = errorColor().name();
    // A style sheet, not the palette: styles such as Fusion and Breeze draw check box text
    // from different palette roles, a sheet colours it everywhere.
    m_insecure->setStyleSheet(on ? QStringLiteral("QCheckBox { color: %1; }").arg(red) : QString());
    m_insecureWarning->setStyleSheet(QStringLiteral("QLabel { color: %1; }").arg(red));
    m_insecureWarning->setVisible(on);
    // The Options tab may be hidden behind another one: its title carries the warning too.
    const int options = 2;
    if (m_tabs) {
        m_tabs->setTabText(options, on ? tr("Options (-k)") : tr("Options"));
        m_tabs->tabBar()->setTabTextColor(options, on ? errorColor() : QColor());
    }
}

void RequestComposer::updateBodyFileUi()
{
    const bool fromFile = !m_bodyFile->text().trimmed().isEmpty();
    m_body->setEnabled(!fromFile);
    if (m_tabs) {
        const bool has = fromFile || !m_body->document()->isEmpty();
        m_tabs->setTabText(1, has ? tr("Body •") : tr("Body"));
    }
}

void RequestComposer::showError(const QString &message)
{
    if (m_error->text() == message)
        return;
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

QString RequestComposer::errorText() const
{
    return m_error->isVisibleTo(this) ? m_error->text() : QString();
}

void RequestComposer::removeSelectedHeaders()
{
    QList<int> rows;
    for (const QModelIndex &i : m_headersView->selectionModel()->selectedRows())
        rows << i.row();
    if (rows.isEmpty() && m_headersView->currentIndex().isValid())
        rows << m_headersView->currentIndex().row();
    std::sort(rows.begin(), rows.end(), std::greater<int>());
    for (int r : rows)
        m_headers->removeRows(r, 1);
}

void RequestComposer::chooseBodyFile()
{
    const QString f =
        QFileDialog::getOpenFileName(this, tr("Request body from file"), m_bodyFile->text());
    if (!f.isEmpty())
        m_bodyFile->setText(f);
}

void RequestComposer::chooseCaFile()
{
    const QString f =
        QFileDialog::getOpenFileName(this, tr("CA certificates"), m_caFile->text(),
                                     tr("PEM certificates (*.pem *.crt *.cer);;All files (*)"));
    if (!f.isEmpty())
        m_caFile->setText(f);
}

// --- URL and history ---

QString RequestComposer::url() const
{
    return m_url->currentText().trimmed();
}

void RequestComposer::setUrl(const QString &url)
{
    m_url->setEditText(url);
}

void RequestComposer::focusUrl()
{
    m_url->setFocus(Qt::ShortcutFocusReason);
    m_url->lineEdit()->selectAll();
}

void RequestComposer::setHistory(const QStringList &history)
{
    m_history.clear();
    for (const QString &u : history) {
        const QString t = u.trimmed();
        if (!t.isEmpty() && !m_history.contains(t))
            m_history << t;
        if (m_history.size() == maxHistory)
            break;
    }
    // Replacing the items must not replace what the user is typing.
    const QString text = m_url->currentText();
    const QSignalBlocker block(m_url);
    m_url->clear();
    m_url->addItems(m_history);
    m_url->setCurrentIndex(-1);
    m_url->setEditText(text);
}

void RequestComposer::addToHistory(const QString &url)
{
    QStringList h = m_history;
    h.removeAll(url.trimmed());
    h.prepend(url.trimmed());
    setHistory(h);
}

QUrl RequestComposer::typedUrl() const
{
    QString text = url();
    if (!text.isEmpty() && !text.contains(QLatin1String("://")))
        text.prepend(QLatin1String("http://"));
    return QUrl(text, QUrl::StrictMode).isValid() ? QUrl(text, QUrl::StrictMode)
                                                  : QUrl(text, QUrl::TolerantMode);
}

// --- repeat, parallel, in flight ---

int RequestComposer::repeat() const
{
    return m_repeat->value();
}

void RequestComposer::setRepeat(int repeat)
{
    m_repeat->setValue(repeat);
}

int RequestComposer::parallel() const
{
    return m_parallel->value();
}

void RequestComposer::setParallel(int parallel)
{
    m_parallel->setValue(parallel);
}

void RequestComposer::setInFlight(int inFlight)
{
    m_stop->setEnabled(inFlight > 0);
    m_stop->setText(inFlight > 0 ? tr("Stop (%1)").arg(inFlight) : tr("Stop"));
}

// --- presets ---

void RequestComposer::setPresets(const QList<QPair<QString, RequestSpec>> &presets)
{
    m_presetList = presets;
    QMenu *menu = m_presets->menu();
    menu->clear();
    for (int i = 0; i < presets.size(); ++i) {
        const RequestSpec &s = presets.at(i).second;
        QAction *a = menu->addAction(presets.at(i).first);
        a->setToolTip(QStringLiteral("%1 %2").arg(QString::fromLatin1(s.method), s.url.toString()));
        connect(a, &QAction::triggered, this, [this, i] {
            if (i >= m_presetList.size())
                return;
            setSpec(m_presetList.at(i).second);
            emit presetApplied(m_presetList.at(i).first);
        });
    }
    menu->setToolTipsVisible(true);
    m_presets->setVisible(!presets.isEmpty());
}

// --- the spec ---

RequestSpec RequestComposer::spec() const
{
    RequestSpec s;
    s.method = m_method->currentText().trimmed().toLatin1();
    QUrl u = typedUrl();
    const QString scheme = u.scheme().toLower();
    const bool ws = isWebSocketScheme(scheme);
    if (ws) // as the CLI: ws:// and wss:// are HTTP(S) requests that offer Upgrade: websocket
        u.setScheme(scheme == QLatin1String("ws") ? QStringLiteral("http")
                                                  : QStringLiteral("https"));
    s.url = u;
    s.headers = m_headers->headers();
    const QString bodyFile = m_bodyFile->text().trimmed();
    if (!bodyFile.isEmpty())
        s.bodyFile = bodyFile;
    else
        s.body = m_body->toPlainText().toUtf8();
    s.tls.caFile = m_caFile->text().trimmed();
    s.tls.insecure = m_insecure->isChecked();
    s.decodeContent = m_decode->isChecked();
    s.followUpgradeH2 = m_followH2->isChecked();
    s.targetOverride = m_target->text().trimmed().toLatin1();
    s.timeouts.connectMs = m_connectTimeout->value() * 1000;
    s.timeouts.idleMs = m_idleTimeout->value() * 1000;
    s.timeouts.totalMs = m_totalTimeout->value() * 1000;
    s.limits = m_limits;

    switch (protocolMode()) {
    case ProtocolMode::Auto:
        if (ws)
            s.upgrade = "websocket";
        break;
    case ProtocolMode::Http1Only:
        s.protocol = ProtocolPolicy::Http1Only;
        s.tls.alpn = {QByteArrayLiteral("http/1.1")}; // as the CLI's --http1.1
        break;
    case ProtocolMode::H2cUpgrade:
        s.protocol = ProtocolPolicy::H2cUpgrade;
        s.h2cViaOptions = m_h2cViaOptions->isChecked();
        break;
    case ProtocolMode::H2cPrior:
        s.protocol = ProtocolPolicy::H2cPrior;
        break;
    case ProtocolMode::H2Tls:
        s.tls.alpn = {QByteArrayLiteral("h2")};
        break;
    case ProtocolMode::WebSocket:
        s.upgrade = "websocket";
        break;
    case ProtocolMode::CustomUpgrade:
        s.upgrade = upgradeToken().toLatin1();
        break;
    }
    const QList<QByteArray> alpn = parseAlpn(m_alpn->text());
    if (!alpn.isEmpty())
        s.tls.alpn = alpn;
    return s;
}

QString RequestComposer::validationError() const
{
    const QString text = url();
    if (text.isEmpty())
        return tr("Enter a URL");
    const QUrl u = typedUrl();
    if (!u.isValid())
        return tr("Invalid URL: %1").arg(u.errorString());
    const QString scheme = u.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https") &&
        !isWebSocketScheme(scheme))
        return tr("Unsupported scheme \"%1\": use http://, https://, ws:// or wss://").arg(scheme);
    if (u.host().isEmpty())
        return tr("The URL has no host");
    const QString method = m_method->currentText().trimmed();
    if (!isToken(method))
        return method.isEmpty() ? tr("Enter a method")
                                : tr("\"%1\" is not a valid method token").arg(method);

    const ProtocolMode mode = protocolMode();
    const bool tls = isTlsScheme(scheme);
    if ((mode == ProtocolMode::H2cUpgrade || mode == ProtocolMode::H2cPrior) && tls)
        return tr("h2c is cleartext; use HTTP/2 over TLS");
    if (isWebSocketScheme(scheme) && mode != ProtocolMode::Auto &&
        mode != ProtocolMode::WebSocket &&
        !(mode == ProtocolMode::CustomUpgrade &&
          upgradeToken().compare(QLatin1String("websocket"), Qt::CaseInsensitive) == 0))
        return tr("%1:// means WebSocket; choose Auto or WebSocket, or use an http(s):// URL")
            .arg(scheme);
    if (mode == ProtocolMode::H2Tls && !tls)
        return tr("HTTP/2 over TLS needs an https:// URL; use h2c for cleartext");
    if (mode == ProtocolMode::CustomUpgrade) {
        const QString token = upgradeToken();
        if (token.isEmpty())
            return tr("Enter the Upgrade token to offer (e.g. tcp)");
        if (!isToken(token))
            return tr("Upgrade token \"%1\": one protocol token expected").arg(token);
    }
    const QString headerError = m_headers->firstError();
    if (!headerError.isEmpty())
        return headerError;
    const QString bodyFile = m_bodyFile->text().trimmed();
    if (!bodyFile.isEmpty() && !QFileInfo(bodyFile).isFile())
        return tr("Body file %1: no such file").arg(bodyFile);
    const QString ca = m_caFile->text().trimmed();
    if (!ca.isEmpty() && !QFileInfo(ca).isFile())
        return tr("CA file %1: no such file").arg(ca);
    return {};
}

void RequestComposer::setSpec(const RequestSpec &spec)
{
    m_method->setEditText(QString::fromLatin1(spec.method));
    setUrl(spec.url.toString());
    m_headers->setHeaders(spec.headers);
    m_body->setPlainText(QString::fromUtf8(spec.body));
    m_bodyFile->setText(spec.bodyFile);
    m_caFile->setText(spec.tls.caFile);
    m_insecure->setChecked(spec.tls.insecure);
    m_decode->setChecked(spec.decodeContent);
    m_followH2->setChecked(spec.followUpgradeH2);
    m_h2cViaOptions->setChecked(spec.h2cViaOptions);
    m_target->setText(QString::fromLatin1(spec.targetOverride));
    m_connectTimeout->setValue(spec.timeouts.connectMs / 1000);
    m_idleTimeout->setValue(spec.timeouts.idleMs / 1000);
    m_totalTimeout->setValue(spec.timeouts.totalMs / 1000);
    m_limits = spec.limits;

    // The mode that reproduces the spec; an ALPN list the mode would not offer itself goes to
    // the ALPN field, so nothing is lost.
    ProtocolMode mode = ProtocolMode::Auto;
    QList<QByteArray> modeAlpn;
    switch (spec.protocol) {
    case ProtocolPolicy::Http1Only:
        mode = ProtocolMode::Http1Only;
        modeAlpn = {QByteArrayLiteral("http/1.1")};
        break;
    case ProtocolPolicy::H2cUpgrade:
        mode = ProtocolMode::H2cUpgrade;
        break;
    case ProtocolPolicy::H2cPrior:
        mode = ProtocolMode::H2cPrior;
        break;
    case ProtocolPolicy::Auto:
        if (spec.upgrade.compare("websocket", Qt::CaseInsensitive) == 0) {
            mode = ProtocolMode::WebSocket;
        } else if (!spec.upgrade.isEmpty()) {
            mode = ProtocolMode::CustomUpgrade;
            m_token->setText(QString::fromLatin1(spec.upgrade));
        } else if (spec.tls.alpn == QList<QByteArray>{QByteArrayLiteral("h2")}) {
            mode = ProtocolMode::H2Tls;
            modeAlpn = spec.tls.alpn;
        }
        break;
    }
    setProtocolMode(mode);
    m_alpn->setText(spec.tls.alpn.isEmpty() || spec.tls.alpn == modeAlpn ? QString()
                                                                         : joinAlpn(spec.tls.alpn));
    updateModeUi();
    updateBodyFileUi();
    showError({});
}

void RequestComposer::send()
{
    const QString error = validationError();
    showError(error);
    if (!error.isEmpty()) {
        m_url->setFocus(Qt::OtherFocusReason);
        return;
    }
    const RequestSpec s = spec();
    const QString typed = url();
    addToHistory(typed);
    emit sendRequested(s, repeat(), parallel());
}

// --- settings ---

QString RequestComposer::modeKey(ProtocolMode mode)
{
    for (const ModeInfo &m : kModes) {
        if (m.mode == mode)
            return QString::fromLatin1(m.key);
    }
    return QStringLiteral("auto");
}

RequestComposer::ProtocolMode RequestComposer::modeFromKey(const QString &key)
{
    for (const ModeInfo &m : kModes) {
        if (key == QLatin1String(m.key))
            return m.mode;
    }
    return ProtocolMode::Auto;
}

void RequestComposer::saveSettings(QSettings &settings) const
{
    settings.beginGroup(QStringLiteral("composer"));
    settings.setValue(QStringLiteral("method"), m_method->currentText().trimmed());
    settings.setValue(QStringLiteral("url"), url());
    settings.setValue(QStringLiteral("history"), m_history);
    settings.setValue(QStringLiteral("mode"), modeKey(protocolMode()));
    settings.setValue(QStringLiteral("token"), upgradeToken());
    settings.beginWriteArray(QStringLiteral("headers"), int(m_headers->rows().size()));
    const QList<HeadersTableModel::Row> rows = m_headers->rows();
    for (int i = 0; i < rows.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("enabled"), rows.at(i).enabled);
        settings.setValue(QStringLiteral("name"), rows.at(i).name);
        settings.setValue(QStringLiteral("value"), rows.at(i).value);
    }
    settings.endArray();
    // A pasted multi-megabyte body does not belong in a settings file.
    const QString body = m_body->toPlainText();
    settings.setValue(QStringLiteral("body"), body.size() <= 64 * 1024 ? body : QString());
    settings.setValue(QStringLiteral("bodyFile"), m_bodyFile->text().trimmed());
    settings.setValue(QStringLiteral("caFile"), m_caFile->text().trimmed());
    // "insecure" is deliberately not saved (see the header).
    settings.setValue(QStringLiteral("decode"), m_decode->isChecked());
    settings.setValue(QStringLiteral("followUpgradeH2"), m_followH2->isChecked());
    settings.setValue(QStringLiteral("h2cViaOptions"), m_h2cViaOptions->isChecked());
    settings.setValue(QStringLiteral("alpn"), m_alpn->text().trimmed());
    settings.setValue(QStringLiteral("target"), m_target->text().trimmed());
    settings.setValue(QStringLiteral("connectTimeout"), m_connectTimeout->value());
    settings.setValue(QStringLiteral("idleTimeout"), m_idleTimeout->value());
    settings.setValue(QStringLiteral("totalTimeout"), m_totalTimeout->value());
    settings.setValue(QStringLiteral("repeat"), repeat());
    settings.setValue(QStringLiteral("parallel"), parallel());
    settings.setValue(QStringLiteral("tab"), m_tabs->currentIndex());
    settings.endGroup();
}

void RequestComposer::restoreSettings(QSettings &settings)
{
    settings.beginGroup(QStringLiteral("composer"));
    auto value = [&settings](const char *key, const QVariant &fallback) {
        return settings.value(QLatin1String(key), fallback);
    };
    m_method->setEditText(value("method", m_method->currentText()).toString());
    setHistory(value("history", m_history).toStringList());
    setUrl(value("url", url()).toString());
    m_token->setText(value("token", upgradeToken()).toString());
    setProtocolMode(modeFromKey(value("mode", modeKey(protocolMode())).toString()));
    if (settings.childGroups().contains(QLatin1String("headers"))) {
        QList<HeadersTableModel::Row> rows;
        const int n = settings.beginReadArray(QStringLiteral("headers"));
        for (int i = 0; i < n; ++i) {
            settings.setArrayIndex(i);
            rows.append({settings.value(QStringLiteral("enabled"), true).toBool(),
                         settings.value(QStringLiteral("name")).toString(),
                         settings.value(QStringLiteral("value")).toString()});
        }
        settings.endArray();
        m_headers->setRows(rows);
    }
    m_body->setPlainText(value("body", m_body->toPlainText()).toString());
    m_bodyFile->setText(value("bodyFile", m_bodyFile->text()).toString());
    m_caFile->setText(value("caFile", m_caFile->text()).toString());
    m_insecure->setChecked(false); // never restored: verification is on after every start
    m_decode->setChecked(value("decode", m_decode->isChecked()).toBool());
    m_followH2->setChecked(value("followUpgradeH2", m_followH2->isChecked()).toBool());
    m_h2cViaOptions->setChecked(value("h2cViaOptions", m_h2cViaOptions->isChecked()).toBool());
    m_alpn->setText(value("alpn", m_alpn->text()).toString());
    m_target->setText(value("target", m_target->text()).toString());
    m_connectTimeout->setValue(value("connectTimeout", m_connectTimeout->value()).toInt());
    m_idleTimeout->setValue(value("idleTimeout", m_idleTimeout->value()).toInt());
    m_totalTimeout->setValue(value("totalTimeout", m_totalTimeout->value()).toInt());
    setRepeat(value("repeat", repeat()).toInt());
    setParallel(value("parallel", parallel()).toInt());
    m_tabs->setCurrentIndex(value("tab", m_tabs->currentIndex()).toInt());
    settings.endGroup();
    updateModeUi();
    updateBodyFileUi();
    showError({});
}

} // namespace hopscope
