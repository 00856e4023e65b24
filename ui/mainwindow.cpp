#include "mainwindow.h"

#include "format/sizeformat.h"
#include "models/connectiontreemodel.h"
#include "models/timelinemodel.h"
#include "session/harimport.h"
#include "session/sessioncounts.h"
#include "session/sessionhar.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"
#include "trace/tracefile.h"
#include "views/timelineview.h"
#include "widgets/connectionspanel.h"
#include "widgets/exchangedetail.h"
#include "widgets/helpmenu.h"
#include "widgets/requestcomposer.h"
#include "widgets/sessionpanel.h"
#include "widgets/tracelogpanel.h"

#include "demopresets.h"
#include "demotourplan.h"
#include "format/errorhint.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

// The icon lives in hopscope_ui, a static library: its resources need an explicit init.
static void initHopscopeResources()
{
    Q_INIT_RESOURCE(hopscope);
}

namespace hopscope {

MainWindow::MainWindow(Options options, QWidget *parent)
    : QMainWindow(parent), m_options(std::move(options))
{
    initHopscopeResources();
    setObjectName(QStringLiteral("MainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/hopscope/hopscope.svg")));
    m_store = new SessionStore(this);
    m_engine = new EngineHost(this);
    m_counts = new SessionCounts(m_store, this);
    // A saved trace is a record, not a session: decided before anything reads the counts.
    m_readOnly = !m_options.traceFile.isEmpty();
    m_counts->setReadOnly(m_readOnly);
    m_store->setSavedTrace(m_readOnly);
    buildUi();
    buildMenus();
    connectEngine();
    if (m_options.restoreSettings)
        restoreSettings();
    if (!m_options.url.isEmpty())
        m_composer->setUrl(m_options.url);
    if (m_readOnly) {
        // The engine's ids would collide with the record's.
        m_options.startDemo = false;
        m_composer->setEnabled(false);
        m_connections->setSendsElsewhere(true);
        m_composer->setToolTip(
            tr("A saved record is read-only; Re-send and Open in composer (on an exchange's "
               "menu) go to a live window"));
        m_clearAction->setVisible(false); // its shortcut would wipe the record
        m_sendAction->setEnabled(false);
        m_tourAction->setEnabled(false);
        QString error;
        openTrace(m_options.traceFile, &error); // the notice in the window says what failed
    }
    if (m_options.startDemo)
        m_engine->startDemo();
    updateStatus();
    updateTitle();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi()
{
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    layout->setSpacing(4);

    m_composer = new RequestComposer(central);
    layout->addWidget(m_composer);

    // The demo bar says where the embedded server listens and offers the tour, the one click
    // that shows every protocol switch.
    auto *demoBar = new QWidget(central);
    auto *demoLayout = new QHBoxLayout(demoBar);
    demoLayout->setContentsMargins(0, 0, 0, 0);
    m_demoLabel = new QLabel(tr("Starting the embedded demo server…"), demoBar);
    m_demoLabel->setObjectName(QStringLiteral("demoBanner"));
    m_demoLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_demoLabel->setWordWrap(true);
    m_tourButton = new QPushButton(tr("▶ Run the demo tour (F5)"), demoBar);
    m_tourButton->setEnabled(false);
    m_tourButton->setToolTip(tr("Sends the tour's requests: an h2c upgrade with three streams, "
                                "TLS with an “Upgrade: h2” advertisement followed to a new HTTP/2 "
                                "connection, a WebSocket, and an “Upgrade: tcp” tunnel"));
    demoLayout->addWidget(m_demoLabel, 1);
    demoLayout->addWidget(m_tourButton);
    demoBar->setVisible(m_options.startDemo);
    layout->addWidget(demoBar);

    m_traceNotice = new QLabel(central);
    m_traceNotice->setObjectName(QStringLiteral("traceNotice"));
    m_traceNotice->setWordWrap(true);
    m_traceNotice->setTextFormat(Qt::RichText); // escaped text, and spans for problems
    m_traceNotice->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_traceNotice->setVisible(false);
    layout->addWidget(m_traceNotice);

    m_splitter = new QSplitter(Qt::Horizontal, central);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_connections = new ConnectionsPanel(m_store, m_splitter);
    m_detail = new ExchangeDetail(m_store, m_splitter);
    m_splitter->addWidget(m_connections);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 5);
    m_splitter->setStretchFactor(1, 4);
    layout->addWidget(m_splitter, 1);
    setCentralWidget(central);

    m_timelineModel = new TimelineModel(m_store, this);
    m_timeline = new TimelineView(this);
    m_timeline->setModel(m_timelineModel);
    m_timelineDock = new QDockWidget(tr("Upgrade timeline"), this);
    m_timelineDock->setObjectName(QStringLiteral("timelineDock"));
    m_timelineDock->setWidget(m_timeline);
    m_timelineDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                                QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::BottomDockWidgetArea, m_timelineDock);

    m_log = new TraceLogPanel(m_store, this);
    m_logDock = new QDockWidget(tr("Trace log"), this);
    m_logDock->setObjectName(QStringLiteral("traceLogDock"));
    m_logDock->setWidget(m_log);
    m_logDock->setFeatures(m_timelineDock->features());
    addDockWidget(Qt::BottomDockWidgetArea, m_logDock);
    tabifyDockWidget(m_timelineDock, m_logDock);
    m_timelineDock->raise();

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("statusSummary"));
    // Room between a message and the counters, so that the one never runs into the other.
    m_summary->setContentsMargins(16, 0, 4, 0);
    statusBar()->addPermanentWidget(m_summary);
    m_statusTimer = new QTimer(this);
    m_statusTimer->setSingleShot(true);
    m_statusTimer->setInterval(100); // coalesce: batches may come 60 times a second
    connect(m_statusTimer, &QTimer::timeout, this, &MainWindow::updateStatus);
    connect(m_counts, &SessionCounts::changed, this, [this] {
        if (!m_statusTimer->isActive())
            m_statusTimer->start();
    });
    m_log->setCounts(m_counts);

    // One selection everywhere.
    connect(m_connections, &ConnectionsPanel::exchangeSelected, this, &MainWindow::selectExchange);
    connect(m_timeline, &TimelineView::exchangeActivated, this, &MainWindow::selectExchange);
    connect(m_timeline, &TimelineView::connectionActivated, m_connections,
            &ConnectionsPanel::selectConnection);
    connect(m_log, &TraceLogPanel::exchangeActivated, this, &MainWindow::selectExchange);
    connect(m_connections, &ConnectionsPanel::connectionZoomRequested, this, [this](quint32 conn) {
        m_timelineDock->show();
        m_timelineDock->raise();
        m_timeline->zoomToConnection(conn);
    });
    connect(m_timeline, &TimelineView::eventActivated, this, [this](int eventIndex) {
        m_logDock->raise();
        m_log->showTraceEvent(eventIndex);
    });

    connect(m_composer, &RequestComposer::sendRequested, this, &MainWindow::sendRequest);
    // A read-only window's engine sends nothing (its ids would collide with the record's): it
    // hands Re-send and Open in composer to a live window.
    connect(m_connections, &ConnectionsPanel::resendRequested, this,
            [this](const RequestSpec &spec) {
                MainWindow *live = m_readOnly ? liveWindow() : this;
                live->sendRequest(spec, 1, 1);
                live->activateWindow();
            });
    connect(m_connections, &ConnectionsPanel::openInComposerRequested, this,
            [this](const RequestSpec &spec) {
                MainWindow *live = m_readOnly ? liveWindow() : this;
                live->composer()->setSpec(spec);
                live->activateWindow();
            });
    connect(m_composer, &RequestComposer::abortRequested, m_engine, &EngineHost::abortAll);
    connect(m_tourButton, &QPushButton::clicked, this, &MainWindow::runTour);
    connect(m_detail, &ExchangeDetail::sendRequested, m_engine, &EngineHost::sendToSession);
    connect(m_store, &SessionStore::changed, this, [this](const SessionDelta &delta) {
        reportNewFailures(delta.firstNewEvent);
        if (m_selectNextNew && !delta.newExchanges.isEmpty()) {
            m_selectNextNew = false;
            m_justSent = delta.newExchanges.first();
            selectExchange(m_justSent);
            // A WebSocket or tunnel the user just opened: show the conversation (the tab turns
            // on once the 101 arrives).
            if (m_expectSession)
                m_detail->setCurrentTab(ExchangeDetail::SessionTab);
        }
        onStoreChanged();
    });
    connect(m_store, &SessionStore::reset, this, &MainWindow::onStoreChanged);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open…"), this, &MainWindow::chooseTraceToOpen)
        ->setShortcut(QKeySequence::Open);
    QAction *save = file->addAction(tr("&Save session as…"), this, &MainWindow::chooseSessionSave);
    save->setShortcut(QKeySequence::Save);
    save->setObjectName(QStringLiteral("saveSession"));
    save->setToolTip(tr("Every event and body, cookies and authorization included"));
    file->addSeparator();
    file->addAction(tr("Export trace as &JSON lines…"), this, &MainWindow::saveTraceAs)
        ->setObjectName(QStringLiteral("exportTrace"));
    file->addAction(tr("Export &HAR…"), this, [this] { chooseHarExport(false); })
        ->setObjectName(QStringLiteral("exportHar"));
    file->addAction(tr("Export selection as HA&R…"), this, [this] { chooseHarExport(true); })
        ->setObjectName(QStringLiteral("exportHarSelection"));
    m_harSecrets = file->addAction(tr("Include cookies and authorization in exports"));
    m_harSecrets->setCheckable(true);
    m_harSecrets->setToolTip(tr("Off: Authorization, Proxy-Authorization, Cookie and Set-Cookie "
                                "values are replaced by [redacted] in exported HAR files, "
                                "exported JSON-lines traces and copied commands (a saved "
                                "session keeps them)"));
    m_connections->setSecretsAction(m_harSecrets);
    file->addSeparator();
    m_clearAction = file->addAction(tr("&Clear session…"), this, [this] { clearSession(); });
    m_clearAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *request = menuBar()->addMenu(tr("&Request"));
    m_sendAction = request->addAction(tr("&Send"), this, &MainWindow::sendFromComposer);
    m_sendAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_sendAction->setShortcutContext(Qt::ApplicationShortcut);
    m_abortAction = request->addAction(tr("&Abort all"), m_engine, &EngineHost::abortAll);
    m_abortAction->setObjectName(QStringLiteral("abortAll"));
    m_abortAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    m_abortAction->setEnabled(false); // updateStatus(): only while there is something to stop
    request->addSeparator();
    QAction *focusUrl =
        request->addAction(tr("Focus &URL"), m_composer, &RequestComposer::focusUrl);
    focusUrl->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_L), QKeySequence(Qt::Key_F6)});
    m_tourAction = request->addAction(tr("Run the demo &tour"), this, &MainWindow::runTour);
    m_tourAction->setShortcut(QKeySequence(Qt::Key_F5));
    request->addSeparator();
    request->addAction(m_composer->rememberSecretsAction());
    request->setToolTipsVisible(true);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->setToolTipsVisible(true);
    QAction *find = view->addAction(tr("&Find in trace log"), this, [this] {
        m_logDock->show();
        m_logDock->raise();
        m_log->focusFind();
    });
    find->setShortcut(QKeySequence::Find);
    QAction *fit = view->addAction(tr("Fit the &timeline"), this, [this] {
        m_timelineDock->show();
        m_timelineDock->raise();
        m_timeline->fitAll();
    });
    fit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    m_compressIdleAction = view->addAction(tr("&Compress idle time in the timeline"));
    m_compressIdleAction->setObjectName(QStringLiteral("compressIdleAction"));
    m_compressIdleAction->setCheckable(true);
    m_compressIdleAction->setToolTip(tr("Draw stretches where nothing happens short (the ruler "
                                        "marks each one with its real length), so that a "
                                        "1 ms switch and a 2 s transfer are readable together. "
                                        "I in the timeline."));
    connect(m_compressIdleAction, &QAction::toggled, m_timeline, &TimelineView::setIdleCompressed);
    connect(m_timeline, &TimelineView::idleCompressedChanged, m_compressIdleAction,
            &QAction::setChecked);
    view->addSeparator();
    view->addAction(m_timelineDock->toggleViewAction());
    view->addAction(m_logDock->toggleViewAction());

    HelpMenu::addTo(this);
}

void MainWindow::connectEngine()
{
    connect(m_engine, &EngineHost::eventsAppended, m_store, &SessionStore::append);
    connect(m_engine, &EngineHost::bodiesReady, m_store, &SessionStore::addBodies);
    connect(m_engine, &EngineHost::demoReady, this, &MainWindow::onDemoReady);
    connect(m_engine, &EngineHost::demoFailed, this, [this](const QString &message) {
        m_demoLabel->setText(tr("<span style='color:%1'>The embedded demo server did not start: "
                                "%2</span>")
                                 .arg(errorColor().name(), message.toHtmlEscaped()));
    });
    connect(m_engine, &EngineHost::sessionOpened, this, [this](quint32 req, bool canPing) {
        m_openSessions.insert(req, canPing);
        if (req == m_selected)
            m_detail->sessionPanel()->setSessionOpen(true, canPing);
    });
    connect(m_engine, &EngineHost::sessionClosed, this, [this](quint32 req) {
        m_openSessions.remove(req);
        if (req == m_selected)
            m_detail->sessionPanel()->setSessionOpen(false, false);
    });
    connect(m_engine, &EngineHost::inFlightChanged, m_counts, &SessionCounts::setEngineInFlight);
    connect(m_engine, &EngineHost::sessionRestarted, this, [this] {
        selectExchange(0);
        m_store->clear();
        m_openSessions.clear();
        m_tourButton->setEnabled(m_engine->demo().isValid());
        updateStatus();
    });
    connect(m_engine, &EngineHost::tourFinished, this, [this] {
        m_tourButton->setEnabled(true);
        updateStatus();
        // The last batch may still be on its way; show the highlights once it landed.
        QTimer::singleShot(100, this, [this] {
            // While the tour's WebSocket was open its send box raised the detail pane's
            // minimum, and the timeline gave way (at 1024x700 down to one lane); the session
            // is over now. Once, on a layout the user has not restored, the timeline gets its
            // share back, so that the tour ends on its lanes.
            if (m_defaultLayoutApplied && !m_timelineShareAfterTour) {
                m_timelineShareAfterTour = true;
                applyTimelineShare();
            }
            showTourHighlights();
            emit tourFinished();
        });
    });
}

void MainWindow::onDemoReady(const DemoEndpoints &endpoints)
{
    m_demoLabel->setText(
        tr("<b>Embedded demo server</b> on %1 and %2 (its own "
           "certificate, trusted for these requests). Pick a request under <i>Demo requests</i> "
           "or run the tour and watch HTTP/1.1 become HTTP/2 in the timeline below.")
            .arg(endpoints.plainUrl, endpoints.tlsUrl));
    m_tourButton->setEnabled(true);
    updateStatus(); // Request ▸ Run the demo tour turns on

    // The tour's requests, ready to send one by one from the composer.
    const DemoTourUrls urls{endpoints.plainUrl, endpoints.tlsUrl, endpoints.caFile};
    QList<QPair<QString, RequestSpec>> presets;
    for (const DemoPreset &preset : demoPresets(urls))
        presets.append({preset.label, preset.spec});
    m_composer->setPresets(presets);
    if (m_options.url.isEmpty() && !presets.isEmpty())
        m_composer->setSpec(presets.first().second);
    updateTitle();
    emit demoReady();
    if (m_options.runTour) {
        m_options.runTour = false;
        runTour();
    }
}

// After the tour the whole trace spans seconds (the WebSocket lingers), which squeezes the
// h2c upgrade into a few pixels. Zoom the timeline to the first two phases, the HTTP/1.1 -> h2c
// switch and the `Upgrade: h2` follow, and show the upgraded request: that is the story.
void MainWindow::showTourHighlights()
{
    // The last tour: from its first phase to its third (the WebSocket), and its first request.
    qint64 from = -1, to = -1;
    quint32 upgraded = 0;
    for (const TraceEvent &ev : m_store->events()) {
        if (ev.is(EventType::DemoPhase)) {
            const qint64 phase = ev.field(Field::Phase).toInteger();
            if (phase == 1) {
                from = ev.tNs;
                to = -1;
                upgraded = 0;
            } else if (phase == 3) {
                to = ev.tNs;
            }
        } else if (from >= 0 && !upgraded && ev.is(EventType::RequestStart)) {
            upgraded = ev.scope.req;
        }
    }
    if (from < 0 || to <= from)
        return;
    // Name the tour's own connections (the user may have sent requests before it).
    quint32 upgradedConn = 0, followed = 0, advertiser = 0;
    if (const ExchangeInfo *x = m_store->exchange(upgraded))
        upgradedConn = x->conn;
    // The switch takes a millisecond of a connection that lives seconds: only with idle time
    // compressed are both readable at once.
    m_compressIdleAction->setChecked(true);
    const TimelineLane *lane = upgradedConn ? m_timelineModel->lane(upgradedConn) : nullptr;
    if (lane) {
        // From the connect to the upgraded response (the preface and SETTINGS included).
        qint64 end = lane->startNs;
        for (const TimelinePhase &ph : lane->phases)
            if (ph.kind == TimelinePhase::Kind::Preface)
                end = qMax(end, m_timelineModel->effectiveEnd(ph.endNs));
        if (const TimelineBar *bar = m_timelineModel->bar(upgraded); bar && bar->isValid())
            end = qMax(end, m_timelineModel->effectiveEnd(bar->endNs));
        const qint64 margin = qMax<qint64>((end - lane->startNs) / 12, 1000);
        m_timeline->setVisibleRange(lane->startNs - margin, end + margin);
    } else {
        const qint64 margin = (to - from) / 30;
        m_timeline->setVisibleRange(from - margin, to + 4 * margin);
    }
    // The tour's two follows in order: `Upgrade: h2` to HTTP/2, then `Alt-Svc: h3` to QUIC.
    quint32 quicConn = 0, altSvcAdvertiser = 0;
    for (int i = 0; i < m_store->connectionCount(); ++i) {
        const ConnectionInfo &c = m_store->connectionAt(i);
        if (!c.followedFrom || c.openNs < from)
            continue;
        if (!followed) {
            followed = c.id;
            advertiser = c.followedFrom;
        } else if (!quicConn) {
            quicConn = c.id;
            altSvcAdvertiser = c.followedFrom;
        }
    }
    // Short enough for two lines at 1024 pixels: the panes below need the height.
    QString story = tr("<b>Demo tour finished.</b> In the timeline: #%1 switched from HTTP/1.1 "
                       "to h2c; #%2 advertised “Upgrade: h2” and #%3 followed it")
                        .arg(upgradedConn)
                        .arg(advertiser)
                        .arg(followed);
    if (quicConn)
        story += tr("; #%1 advertised “Alt-Svc: h3” and #%2 followed it over QUIC")
                     .arg(altSvcAdvertiser)
                     .arg(quicConn);
    m_demoLabel->setText(story + tr(". Click a bar or row for its headers and frames."));
    if (upgraded)
        selectExchange(upgraded);
    // Short: the demo bar above tells the story, and a 1024-pixel window must show it whole.
    statusBar()->showMessage(tr("Tour finished: the h2c switch, idle time compressed (I); F "
                                "fits all."),
                             20000);
}

void MainWindow::runTour()
{
    if (!m_engine->demo().isValid() || m_engine->isTourRunning())
        return;
    m_tourButton->setEnabled(false);
    m_engine->runTour();
}

void MainWindow::sendFromComposer()
{
    m_composer->send();
}

void MainWindow::sendRequest(const RequestSpec &spec, int repeat, int parallel)
{
    m_selectNextNew = true;
    const QByteArray token = spec.upgradeToken();
    m_expectSession = !token.isEmpty() && token != "h2c" && token != "h2";
    m_engine->send(spec, repeat, parallel);
    updateTitle();
}

MainWindow *MainWindow::liveWindow()
{
    for (QWidget *w : QApplication::topLevelWidgets())
        if (auto *window = qobject_cast<MainWindow *>(w);
            window && !window->isReadOnly() && window->isVisible())
            return window;
    Options options;
    options.startDemo = false; // the record's requests go where they went, not to a demo
    options.restoreSettings = false;
    auto *window = new MainWindow(options);
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->resize(size());
    window->show();
    return window;
}

void MainWindow::clearSession(Ask ask)
{
    if (!m_tracePath.isEmpty())
        return; // a saved trace is a record: nothing to clear
    const SessionCountsSnapshot counts = m_counts->snapshot();
    const int inFlight = counts.active();
    if (ask == Ask::Yes && (counts.requests > 0 || inFlight > 0)) {
        QString text = tr("Clear the session? %1, their connections and events leave the window.")
                           .arg(SessionCounts::count(counts.requests, QT_TR_NOOP("Its request"),
                                                     QT_TR_NOOP("Its %1 requests")));
        if (inFlight > 0)
            text += QLatin1Char(' ') +
                    SessionCounts::count(inFlight,
                                         QT_TR_NOOP("%1 request still in flight or queued will "
                                                    "be aborted."),
                                         QT_TR_NOOP("%1 requests still in flight or queued will "
                                                    "be aborted."));
        if (QMessageBox::question(this, tr("Clear session"), text,
                                  QMessageBox::Yes | QMessageBox::Cancel,
                                  QMessageBox::Cancel) != QMessageBox::Yes)
            return;
    }
    m_engine->startNewSession();
}

void MainWindow::selectExchange(quint32 req)
{
    if (m_selecting)
        return;
    m_selecting = true;
    m_selected = req;
    m_connections->selectExchange(req);
    m_timeline->setSelectedExchange(req);
    m_detail->setExchange(req);
    if (SessionPanel *session = m_detail->sessionPanel()) {
        const auto it = m_openSessions.constFind(req);
        session->setSessionOpen(it != m_openSessions.cend(), it != m_openSessions.cend() && *it);
    }
    m_selecting = false;
    updateTitle();
}

void MainWindow::onStoreChanged()
{
    if (!m_statusTimer->isActive())
        m_statusTimer->start();
}

// No error is silent: every failed request and every error event is announced in the status bar
// (the tree and timeline mark them too).
void MainWindow::reportNewFailures(int firstNewEvent)
{
    // A saved trace's failures are history, not news: its status bar and notice count them.
    if (m_readOnly)
        return;
    const TraceLog &events = m_store->events();
    for (int i = firstNewEvent; i < events.size(); ++i) {
        const TraceEvent &ev = events.at(i);
        if (ev.is(EventType::DemoPhase)) {
            m_demoLabel->setText(tr("<b>Demo tour %1/4:</b> %2")
                                     .arg(ev.field(Field::Phase).toInteger())
                                     .arg(ev.field(Field::Title).toString().toHtmlEscaped()));
            continue;
        }
        if (!ev.is(EventType::RequestFailed) && !(ev.is(EventType::Error) && ev.scope.req == 0))
            continue;
        const QString code = ev.field(Field::Code).toString();
        const QString message =
            ev.field(ev.is(EventType::Error) ? Field::Message : Field::Error).toString();
        const QString where = ev.scope.req ? tr("request %1").arg(ev.scope.req)
                                           : tr("connection #%1").arg(ev.scope.conn);
        QString text = tr("✖ %1 failed (%2): %3").arg(where, code, message);
        if (const QString hint = errorHint(code); !hint.isEmpty())
            text += QLatin1Char(' ') + hint;
        statusBar()->showMessage(text, 15000);
    }
}

// The status bar, Stop and Request ▸ Abort all read the same snapshot, in the same turn.
void MainWindow::updateStatus()
{
    const SessionCountsSnapshot counts = m_counts->snapshot();
    m_summary->setText(m_counts->summaryText());
    const int stoppable = m_readOnly ? 0 : counts.active();
    m_composer->setInFlight(stoppable);
    m_abortAction->setEnabled(stoppable > 0);
    m_tourAction->setEnabled(!m_readOnly && m_engine->demo().isValid() &&
                             !m_engine->isTourRunning());
}

void MainWindow::updateTitle()
{
    if (!m_tracePath.isEmpty()) {
        setWindowTitle((m_store->hasFileBodies() ? tr("%1 (saved session) — Hopscope")
                                                 : tr("%1 (saved trace) — Hopscope"))
                           .arg(m_tracePath));
        return;
    }
    QString what;
    if (const ExchangeInfo *x = m_store->exchange(m_selected))
        what = x->url;
    if (what.isEmpty())
        what = m_composer->spec().url.toString();
    const DemoEndpoints demo = m_engine->demo();
    const bool onDemo =
        demo.isValid() && (what.startsWith(demo.plainUrl) || what.startsWith(demo.tlsUrl));
    setWindowTitle(what.isEmpty() ? tr("Hopscope")
                   : onDemo       ? tr("%1 (embedded demo) — Hopscope").arg(what)
                                  : tr("%1 — Hopscope").arg(what));
}

// A first start (no saved layout) gives the timeline, the window's story, a good share of the
// height, and the tree room for its status, size and time columns.
void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (m_layoutRestored || m_defaultLayoutApplied)
        return;
    m_defaultLayoutApplied = true;
    // A short window (700 px) folds the composer's Headers | Body | Options | Connection pages
    // to their tab bar: an empty headers table took ~95 px there, which the timeline (one lane
    // after the tour, now three) and the detail pane (three WebSocket messages) need more; a
    // click on a tab unfolds them. A narrow window (1024 px) gives the tree more, or its
    // Status, Size and Time columns do not fit beside the connection names.
    m_composer->setDetailsFolded(height() < 900);
    applyTimelineShare();
    const int width = m_splitter->width();
    const int tree = width < 1400 ? width * 64 / 100 : width / 2;
    m_splitter->setSizes({tree, width - tree});
}

// 45% at any height: at 700 px that is three lanes after the tour with the composer folded
// (36% was, with the Timings page's minimum, about one).
void MainWindow::applyTimelineShare()
{
    resizeDocks({m_timelineDock}, {height() * 45 / 100}, Qt::Vertical);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_options.restoreSettings)
        saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
    m_composer->saveSettings(settings);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1500, 950);
    // A first window, or one saved on a larger screen, must fit the screen it opens on (issue
    // 14: at 1024×700 Send, Stop, the detail tabs and the status bar were off-screen).
    if (const QScreen *s = screen()) {
        const QSize available = s->availableGeometry().size();
        if (width() > available.width() || height() > available.height())
            resize(size().boundedTo(available));
    }
    m_layoutRestored =
        restoreState(settings.value(QStringLiteral("window/state")).toByteArray()) &&
        m_splitter->restoreState(settings.value(QStringLiteral("window/splitter")).toByteArray());
    m_composer->restoreSettings(settings);
}

} // namespace hopscope
