#pragma once

#include "engine/enginehost.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>

class QDockWidget;
class QAction;
class QLabel;
class QPushButton;
class QSplitter;
class QTimer;

namespace hopscope {

class ConnectionsPanel;
class ExchangeDetail;
class RequestComposer;
class SessionCounts;
class SessionStore;
class TimelineModel;
class TimelineView;
class TraceLogPanel;

// The Hopscope window. Composer on top; the connections-and-streams tree next to the selected
// exchange's details; the upgrade timeline and the trace log docked below. One selection runs
// through all of them: picking a stream in the tree, the timeline or the log shows it
// everywhere. The engine runs in its own thread (EngineHost); its trace batches land in the
// SessionStore, which every model views.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    struct Options
    {
        bool startDemo = true; // start the embedded demo server and offer its requests
        bool runTour = false;  // hopscope --demo: run the tour once the server is up
        QString url;           // hopscope URL: fill the composer
        QString traceFile;     // hopscope --trace FILE: a read-only view of a saved trace
        bool restoreSettings = true;
    };

    explicit MainWindow(Options options, QWidget *parent = nullptr);
    ~MainWindow() override;

    SessionStore *store() const { return m_store; }
    EngineHost *engine() const { return m_engine; }
    RequestComposer *composer() const { return m_composer; }
    ConnectionsPanel *connectionsPanel() const { return m_connections; }
    ExchangeDetail *detail() const { return m_detail; }
    TimelineModel *timelineModel() const { return m_timelineModel; }
    TimelineView *timeline() const { return m_timeline; }
    TraceLogPanel *traceLog() const { return m_log; }
    QLabel *statusSummary() const { return m_summary; }
    // The one owner of the counts the status bar, Stop and the trace log show.
    SessionCounts *counts() const { return m_counts; }
    // Request ▸ Abort all (Ctrl+.): enabled exactly when Stop is.
    QAction *abortAction() const { return m_abortAction; }
    QAction *sendAction() const { return m_sendAction; }
    bool isReadOnly() const { return m_readOnly; }
    // What opening a trace file could not take as it was (the line that stopped the reader, an
    // empty file, ids no trace could have reached); hidden when there is nothing to say.
    QLabel *traceNotice() const { return m_traceNotice; }

    quint32 selectedExchange() const { return m_selected; }
    bool isSessionOpen(quint32 req) const { return m_openSessions.contains(req); }

    enum class Ask { Yes, No }; // clearSession(): confirm first?

public slots:
    // Shows request `req` in the tree, the timeline and the detail tabs.
    void selectExchange(quint32 req);
    void runTour();
    void sendFromComposer();
    // Sends through this window's engine (the composer, Re-send); a read-only window never does.
    void sendRequest(const hopscope::RequestSpec &spec, int repeat, int parallel);
    // The first visible live (not read-only) window, or a new one (without the demo server).
    MainWindow *liveWindow();
    // File ▸ Clear session: asks first (when there is anything to lose), then aborts what is in
    // flight and starts the engine over, so request and connection numbers begin at 1 again;
    // the store is cleared when the engine says the old session's last event has arrived.
    // Not offered in a read-only (saved trace) window. Ask::No is for tests and scripts.
    void clearSession(Ask ask = Ask::Yes);
    // File menu (ui/mainwindowfiles.cpp): a session file (hopscope-cli --save, File ▸ Save
    // session) or a JSON-lines trace (hopscope-cli --trace-json) opens in a new read-only
    // window; the session saves as either.
    bool openTrace(const QString &path, QString *error);
    // Every event and body to a session file (docs/session-format.md), secrets included.
    bool saveSession(const QString &path, QString *error);
    void chooseSessionSave();
    // Why `path` cannot be opened as a trace at all (missing, a directory, not readable), or
    // empty. File ▸ Open says it in a dialog; hopscope --trace on stderr, exiting 1.
    static QString unreadableTrace(const QString &path);
    // File ▸ Export trace as JSON lines: the events as hopscope-cli --trace-json writes them,
    // cookie and authorization values redacted unless harSecretsAction() is checked.
    bool exportTrace(const QString &path, QString *error);
    void saveTraceAs();
    void chooseTraceToOpen();
    // File ▸ Export HAR… (the whole session) and Export selection as HAR… (the exchange, the
    // exchanges of the page, or every exchange of the connection, current in the tree): HAR 1.2
    // with the bodies the store kept (docs/har.md). Secrets are redacted unless
    // harSecretsAction() is checked. false with *error when nothing is selected or the file
    // cannot be written.
    bool exportHar(const QString &path, bool selectionOnly, QString *error);
    void chooseHarExport(bool selectionOnly);
    QAction *harSecretsAction() const { return m_harSecrets; }

signals:
    void demoReady();
    void tourFinished();

protected:
    void showEvent(QShowEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void buildUi();
    void buildMenus();
    void connectEngine();
    void onStoreChanged();
    void updateStatus();
    void updateTitle();
    void onDemoReady(const DemoEndpoints &endpoints);
    void reportNewFailures(int firstNewEvent);
    void showTourHighlights();
    // The timeline dock's default share of the window's height.
    void applyTimelineShare();
    void saveSettings() const;
    void restoreSettings();

    Options m_options;
    SessionStore *m_store = nullptr;
    EngineHost *m_engine = nullptr;
    RequestComposer *m_composer = nullptr;
    ConnectionsPanel *m_connections = nullptr;
    ExchangeDetail *m_detail = nullptr;
    TimelineModel *m_timelineModel = nullptr;
    TimelineView *m_timeline = nullptr;
    TraceLogPanel *m_log = nullptr;
    QDockWidget *m_timelineDock = nullptr;
    QDockWidget *m_logDock = nullptr;
    QSplitter *m_splitter = nullptr;
    QLabel *m_demoLabel = nullptr;
    QLabel *m_traceNotice = nullptr;
    QAction *m_clearAction = nullptr;
    QAction *m_sendAction = nullptr;
    QAction *m_abortAction = nullptr;
    QAction *m_tourAction = nullptr;
    QAction *m_compressIdleAction = nullptr;
    SessionCounts *m_counts = nullptr;
    bool m_readOnly = false; // a saved trace
    QAction *m_harSecrets = nullptr;
    QPushButton *m_tourButton = nullptr;
    QLabel *m_summary = nullptr;
    QTimer *m_statusTimer = nullptr;
    quint32 m_selected = 0;
    bool m_selecting = false;            // guards the selection fan-out against echoes
    bool m_selectNextNew = false;        // the user just sent: show the first new exchange
    quint32 m_justSent = 0;              // the first exchange of the user's last send
    bool m_expectSession = false;        // ... which offered a session upgrade (WebSocket, a token)
    QHash<quint32, bool> m_openSessions; // req -> canPing
    QString m_tracePath;                 // the saved trace this window shows, if any
    bool m_layoutRestored = false;
    bool m_defaultLayoutApplied = false;
    bool m_timelineShareAfterTour = false; // given back once after the first tour
};

} // namespace hopscope
