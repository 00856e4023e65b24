#include "widgets/requestcomposer.h"

#include "models/headerstablemodel.h"
#include "style/protocolstyle.h"
#include "widgets/connectionoptionsform.h"
#include "widgets/demopresetbutton.h"
#include "widgets/protocolmodes.h"
#include "widgets/requestoptionsform.h"
#include "widgets/typedurl.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <functional>

namespace hopscope {

namespace {

// The engine's verdict on URL and mode, in the composer's words (its modes, not CLI flags).
QString choiceErrorText(ProtocolChoiceError error, const QString &scheme, const QString &token)
{
    switch (error) {
    case ProtocolChoiceError::None:
        break;
    case ProtocolChoiceError::UnsupportedScheme:
        return RequestComposer::tr(
                   "Unsupported scheme \"%1\": use http://, https://, ws:// or wss://")
            .arg(scheme);
    case ProtocolChoiceError::NoHost:
        return RequestComposer::tr("The URL has no host");
    case ProtocolChoiceError::H2cOverTls:
        return RequestComposer::tr("h2c is cleartext; use HTTP/2 over TLS");
    case ProtocolChoiceError::WebSocketUrlConflict:
        return RequestComposer::tr(
                   "%1:// means WebSocket; choose Auto or WebSocket, or use an http(s):// URL")
            .arg(scheme);
    case ProtocolChoiceError::H2TlsOverCleartext:
        return RequestComposer::tr("HTTP/2 over TLS needs an https:// URL; use h2c for cleartext");
    case ProtocolChoiceError::MissingUpgradeToken:
        return RequestComposer::tr("Enter the Upgrade token to offer (e.g. tcp)");
    case ProtocolChoiceError::InvalidUpgradeToken:
        return RequestComposer::tr("Upgrade token \"%1\": one protocol token expected").arg(token);
    case ProtocolChoiceError::H3OverCleartext:
        return RequestComposer::tr("HTTP/3 runs over QUIC, which is always encrypted: use an "
                                   "https:// URL");
    }
    return {};
}

} // namespace

RequestComposer::RequestComposer(QWidget *parent) : QWidget(parent)
{
    m_headers = new HeadersTableModel(this);
    m_rememberSecrets = new QAction(tr("Remember Secrets Between Sessions"), this);
    m_rememberSecrets->setCheckable(true);
    m_rememberSecrets->setToolTip(
        tr("Also save credential headers (Authorization, Cookie, tokens), the body and "
           "user:password in URLs when the window closes — in plain text, in %1")
            .arg(QSettings().fileName()));
    m_rememberSecrets->setStatusTip(m_rememberSecrets->toolTip());
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
    outer->addLayout(buildTopRow());

    m_error = new QLabel;
    m_error->setObjectName(QStringLiteral("error"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: %1; }").arg(errorColor().name()));
    m_error->setVisible(false);
    // Its own line below the top row: the composer grows by its height (the panes below give
    // it), so the fields keep theirs.
    m_error->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    outer->addWidget(m_error);

    // --- the details ---
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("composerTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(buildHeadersTab(), tr("Headers"));
    m_tabs->addTab(buildBodyTab(), tr("Body"));
    m_options = new RequestOptionsForm;
    connect(m_options, &RequestOptionsForm::edited, this, [this] { showError({}); });
    connect(m_options, &RequestOptionsForm::insecureToggled, this,
            &RequestComposer::updateOptionsTabTitle);
    // The form scrolls rather than cut a field when the window is small; at the usual sizes the
    // tabs are as high as it asks (the headers table and the body editor ignore their own hints,
    // so the Options form sets the height and the table shows five or six rows).
    auto *optionsScroll = new QScrollArea;
    optionsScroll->setObjectName(QStringLiteral("optionsScroll"));
    optionsScroll->setWidget(m_options);
    optionsScroll->setWidgetResizable(true);
    optionsScroll->setFrameShape(QFrame::NoFrame);
    m_tabs->addTab(optionsScroll, tr("Options"));
    auto *connectionScroll = new QScrollArea;
    connectionScroll->setObjectName(QStringLiteral("connectionScroll"));
    connectionScroll->setWidget(m_options->connectionForm());
    m_options->connectionForm()->show();
    connectionScroll->setWidgetResizable(true);
    connectionScroll->setFrameShape(QFrame::NoFrame);
    m_tabs->addTab(connectionScroll, tr("Connection"));
    // Preferred, not Expanding: the panes below take what the window has beyond the hint.
    m_tabs->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);

    // The details take room the response views want; they can fold down to the tab bar.
    auto *collapse = m_fold = new QToolButton;
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
        // 0: back to what the pages need at least (minimumSizeHint).
        m_tabs->setMinimumHeight(collapsed ? bar : 0);
        m_tabs->setMaximumHeight(collapsed ? bar : QWIDGETSIZE_MAX);
        m_tabs->setSizePolicy(QSizePolicy::Preferred,
                              collapsed ? QSizePolicy::Fixed : QSizePolicy::Preferred);
    });
    // Clicking a tab while folded unfolds, and so does choosing one from code (Open in
    // composer, a validation message that points at a page): a chosen page is meant to show.
    const auto unfold = [collapse] {
        if (collapse->isChecked())
            collapse->setChecked(false);
    };
    connect(m_tabs->tabBar(), &QTabBar::tabBarClicked, collapse, unfold);
    connect(m_tabs, &QTabWidget::currentChanged, collapse, unfold);
    outer->addWidget(m_tabs, 1);

    // Ctrl+Return is not bound here: the main window's Request ▸ Send action owns it (an
    // application shortcut) and calls send(); a second binding would make both ambiguous.

    connect(m_headers, &HeadersTableModel::headersEdited, this, [this] {
        const int n = int(m_headers->headers().size());
        m_tabs->setTabText(0, n ? tr("Headers (%1)").arg(n) : tr("Headers"));
        showError({});
    });
    updateModeUi();
}

bool RequestComposer::detailsFolded() const
{
    return m_fold->isChecked();
}

void RequestComposer::setDetailsFolded(bool folded)
{
    m_fold->setChecked(folded);
}

QLayout *RequestComposer::buildTopRow()
{
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
    for (const ProtocolModeEntry &m : protocolModes()) {
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
    m_stop->setToolTip(tr("Abort every request in flight or queued and close their "
                          "connections; open WebSockets and tunnels are closed, not failed"));
    m_stop->setEnabled(false); // setInFlight(): only while there is something to stop
    connect(m_stop, &QPushButton::clicked, this, &RequestComposer::abortRequested);

    m_presets = new DemoPresetButton;
    connect(m_presets, &DemoPresetButton::presetChosen, this,
            [this](const QString &name, const RequestSpec &preset) {
                // A preset is a request: it replaces what is sent and how it is negotiated,
                // and leaves the user's options (timeouts, CA file, verification) alone.
                RequestSpec s = spec();
                s.url = preset.url;
                s.method = preset.method;
                s.headers = preset.headers;
                s.body = preset.body;
                s.bodyFile = preset.bodyFile;
                s.protocol = preset.protocol;
                s.upgrade = preset.upgrade;
                s.tls.alpn = preset.tls.alpn;
                s.http3 = preset.http3;
                // A preset made to show redirects needs them followed; the others leave the
                // user's choice as it was.
                if (preset.redirects.follow)
                    s.redirects.follow = true;
                setSpec(s);
                emit presetApplied(name);
            });

    row->addWidget(m_method);
    row->addWidget(m_url, 1);
    row->addWidget(m_mode);
    row->addWidget(m_token);
    row->addWidget(m_send);
    row->addWidget(m_stop);
    row->addWidget(m_presets);
    return row;
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
    // Three rows below the column titles at least, whatever the window's height.
    m_headersView->setMinimumHeight(m_headersView->horizontalHeader()->sizeHint().height() +
                                    m_headersView->verticalHeader()->defaultSectionSize() * 3 +
                                    2 * m_headersView->frameWidth());
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
    // Ignored: the editor takes the room the tabs have, but never less than a few lines.
    m_body->setMinimumHeight(QFontMetrics(m_body->font()).lineSpacing() * bodyMinimumLines +
                             2 * m_body->frameWidth() +
                             2 * int(m_body->document()->documentMargin()));
    connect(m_body, &QPlainTextEdit::textChanged, this, &RequestComposer::updateBodyFileUi);
    v->addWidget(m_body, 1);
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
    m_options->setH2cViaOptionsEnabled(mode == ProtocolMode::H2cUpgrade);
    m_mode->setToolTip(m_mode->itemData(m_mode->currentIndex(), Qt::ToolTipRole).toString());
}

void RequestComposer::updateOptionsTabTitle(bool insecure)
{
    const int options = 2;
    m_tabs->setTabText(options, insecure ? tr("Options (-k)") : tr("Options"));
    m_tabs->tabBar()->setTabTextColor(options, insecure ? errorColor() : QColor());
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
    return TypedUrl::parse(url()).url;
}

// --- repeat, parallel, in flight ---

int RequestComposer::repeat() const
{
    return m_options->repeat();
}

void RequestComposer::setRepeat(int repeat)
{
    m_options->setRepeat(repeat);
}

int RequestComposer::parallel() const
{
    return m_options->parallel();
}

void RequestComposer::setParallel(int parallel)
{
    m_options->setParallel(parallel);
}

void RequestComposer::setInFlight(int inFlight)
{
    m_stop->setEnabled(inFlight > 0);
    // Grouped like the status bar's counts ("1,100"), which it always agrees with.
    m_stop->setText(inFlight > 0 ? tr("Stop (%1)").arg(QLocale().toString(inFlight)) : tr("Stop"));
}

// --- presets ---

void RequestComposer::setPresets(const QList<QPair<QString, RequestSpec>> &presets)
{
    m_presets->setPresets(presets);
}

// --- the spec ---

RequestSpec RequestComposer::spec() const
{
    RequestSpec s;
    s.method = m_method->currentText().trimmed().toLatin1();
    s.headers = m_headers->headers();
    const QString bodyFile = m_bodyFile->text().trimmed();
    if (!bodyFile.isEmpty())
        s.bodyFile = bodyFile;
    else
        s.body = m_body->toPlainText().toUtf8();
    m_options->writeTo(s);
    s.limits = m_limits;
    // URL, policy, upgrade and the mode's ALPN: the rules hopscope-cli follows too. A mode that
    // does not fit the URL leaves them unset (validationError() says why).
    const QUrl u = typedUrl();
    if (applyProtocolChoice(s, u, protocolMode(), upgradeToken().toLatin1()) !=
        ProtocolChoiceError::None)
        s.url = u;
    return s;
}

QString RequestComposer::validationError() const
{
    // The URL as typed: refused with its fault, never guessed at (TypedUrl).
    const TypedUrl typed = TypedUrl::parse(url());
    if (!typed.error.isEmpty())
        return typed.error;
    const QUrl u = typed.url;
    RequestSpec scratch;
    const ProtocolChoiceError choice =
        applyProtocolChoice(scratch, u, protocolMode(), upgradeToken().toLatin1());
    const QString choiceError = choiceErrorText(choice, u.scheme().toLower(), upgradeToken());
    // The URL's own faults first, then the method, then whether the mode fits the URL.
    if (choice == ProtocolChoiceError::UnsupportedScheme || choice == ProtocolChoiceError::NoHost)
        return choiceError;
    const QString method = m_method->currentText().trimmed();
    if (!isHttpToken(method.toLatin1()))
        return method.isEmpty() ? tr("Enter a method")
                                : tr("\"%1\" is not a valid method token").arg(method);
    if (!choiceError.isEmpty())
        return choiceError;
    const QString headerError = m_headers->firstError();
    if (!headerError.isEmpty())
        return headerError;
    const QString bodyFile = m_bodyFile->text().trimmed();
    if (!bodyFile.isEmpty() && !QFileInfo(bodyFile).isFile())
        return tr("Body file %1: no such file").arg(bodyFile);
    return m_options->validationError();
}

void RequestComposer::setSpec(const RequestSpec &spec)
{
    m_method->setEditText(QString::fromLatin1(spec.method));
    setUrl(spec.url.toString());
    m_headers->setHeaders(spec.headers);
    m_body->setPlainText(QString::fromUtf8(spec.body));
    m_bodyFile->setText(spec.bodyFile);
    m_limits = spec.limits;

    // The mode that reproduces the spec; an ALPN list the mode would not offer itself goes to
    // the ALPN field, so nothing is lost.
    const ProtocolMode mode = protocolChoiceOf(spec);
    if (mode == ProtocolMode::CustomUpgrade)
        m_token->setText(QString::fromLatin1(spec.upgrade));
    setProtocolMode(mode);
    m_options->readFrom(spec, alpnOfChoice(mode));
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

} // namespace hopscope
