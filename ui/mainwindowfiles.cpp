// MainWindow's files: opening a session file or a JSON-lines trace, saving a session,
// exporting the trace and HAR. Kept apart from mainwindow.cpp, which builds and runs the window.

#include "mainwindow.h"

#include "models/timelinemodel.h"
#include "session/harimport.h"
#include "session/sessioncounts.h"
#include "session/sessionhar.h"
#include "session/sessionreader.h"
#include "session/sessionsave.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"
#include "trace/tracefile.h"
#include "trace/traceredaction.h"
#include "views/timelineview.h"
#include "widgets/connectionspanel.h"

#include <QAction>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QStatusBar>
#include <QTimer>

namespace hopscope {

namespace {

// What a window over a file shows: its events, when its t = 0 was, and the bodies a session
// file or a HAR carries.
struct RecordFile
{
    TraceBatch events;
    QDateTime start;
    std::shared_ptr<const SessionBodies> bodies; // a session file's, read on demand
    QList<ExchangeBody> harBodies;               // a HAR's, in memory
    QString notice;                              // what the kind of file cannot show
    QStringList problems;                        // what was skipped, where
    bool emptyIsFine = false;                    // a HAR without entries is not a broken file
};

// Decided by content, whatever the file is called: a session file by its first bytes, a HAR by
// its `log` (ui/session/harimport); anything else is read as JSON lines.
bool readRecordFile(const QString &path, RecordFile *record, QString *error)
{
    QFile file(path);
    if (file.open(QIODevice::ReadOnly) && isSessionFile(file.read(16))) {
        SessionContents session;
        const bool ok = readSessionFile(path, &session, error);
        record->events = std::move(session.events);
        record->start = session.traceStart;
        record->bodies = std::move(session.bodies);
        return ok;
    }
    if (isHarFile(path)) {
        HarWindowInput har;
        const bool ok = readHarForWindow(path, &har, error);
        record->events = std::move(har.events);
        record->harBodies = std::move(har.bodies);
        record->start = har.start;
        record->notice = har.notice;
        record->problems = har.problems;
        record->emptyIsFine = true;
        return ok;
    }
    const bool ok = readTraceFile(path, &record->events, error);
    // A JSON-lines trace has no wall clock: its last event is taken to be when the file was
    // last written (HAR's startedDateTime needs one).
    if (!record->events.isEmpty())
        record->start =
            QFileInfo(path).lastModified().addMSecs(-record->events.last().tNs / 1'000'000);
    return ok;
}

} // namespace

bool MainWindow::openTrace(const QString &path, QString *error)
{
    RecordFile record;
    const QString unreadable = unreadableTrace(path);
    if (!unreadable.isEmpty())
        *error = unreadable;
    const bool ok = unreadable.isEmpty() && readRecordFile(path, &record, error);
    const TraceBatch &events = record.events;
    // Bodies first: the models read them as soon as the events' rows appear.
    if (record.bodies)
        m_store->setFileBodies(record.bodies);
    // One batch: the store takes the compact events over without a copy, and the models insert
    // their rows once (every model handles a batch of any size the same way as many small ones).
    m_store->append(events);
    m_store->addBodies(record.harBodies);
    m_tracePath = QFileInfo(path).absoluteFilePath();
    if (record.start.isValid())
        m_store->setTraceStart(record.start);

    // Said in the window, where the reader looks, not only in the status bar.
    QStringList problems;
    if (!ok)
        problems << *error +
                        (events.isEmpty()
                             ? QString()
                             : SessionCounts::count(int(events.size()),
                                                    QT_TR_NOOP(" — the event before it is shown."),
                                                    QT_TR_NOOP(" — the %1 events before it are "
                                                               "shown.")));
    else if (events.isEmpty() && !record.emptyIsFine)
        problems << tr("The file holds no events.");
    problems << record.problems;
    if (const int n = m_store->unindexedIdEvents())
        problems << SessionCounts::count(
                        n,
                        QT_TR_NOOP("%1 event, at seq %2, names a connection or request id that "
                                   "no trace could have reached yet; it is in the trace log but "
                                   "not in the tree or the timeline."),
                        QT_TR_NOOP("%1 events, the first at seq %2, name a connection or request "
                                   "id that no trace could have reached yet; they are in the "
                                   "trace log but not in the tree or the timeline."))
                        .arg(m_store->firstUnindexedSeq());
    for (QString &problem : problems)
        problem = problem.toHtmlEscaped();
    QString notice = record.notice.toHtmlEscaped();
    if (!problems.isEmpty())
        notice += (notice.isEmpty() ? QString() : QStringLiteral("<br>")) +
                  QStringLiteral("<span style='color:%1'>⚠ %2</span>")
                      .arg(errorColor().name(), problems.join(QStringLiteral("<br>⚠ ")));
    m_traceNotice->setText(notice);
    m_traceNotice->setVisible(!notice.isEmpty());
    m_demoLabel->parentWidget()->setVisible(false);
    updateTitle();
    QTimer::singleShot(0, m_timeline, &TimelineView::fitAll);
    return ok;
}

QString MainWindow::unreadableTrace(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return tr("Cannot open the trace %1: there is no such file.").arg(path);
    if (info.isDir())
        return tr("Cannot open the trace %1: it is a directory.").arg(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return tr("Cannot open the trace %1: %2.").arg(path, file.errorString());
    return {};
}

void MainWindow::chooseTraceToOpen()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open a session or a trace"), QString(),
        tr("Hopscope sessions, traces and HAR files (*.hopscope *.jsonl *.json *.har);;"
           "All files (*)"));
    if (path.isEmpty())
        return;
    // A file that cannot be read at all gets no empty window, only this.
    if (const QString problem = unreadableTrace(path); !problem.isEmpty()) {
        QMessageBox::warning(this, tr("Open a session or a trace"), problem);
        return;
    }
    Options options;
    options.traceFile = path;
    options.startDemo = false;
    options.restoreSettings = false;
    auto *window = new MainWindow(options);
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->resize(size());
    window->show();
}

bool MainWindow::saveSession(const QString &path, QString *error)
{
    SessionSaveCounts counts;
    if (!saveSessionFile(*m_store, path, error, &counts))
        return false;
    statusBar()->showMessage(tr("Saved %1 events and %2 bodies to %3 — every header and body, "
                                "cookies and authorization included")
                                 .arg(counts.events)
                                 .arg(counts.bodies)
                                 .arg(path),
                             15000);
    return true;
}

void MainWindow::chooseSessionSave()
{
    // Said before the file is chosen: a session file is a full record, secrets and all (the
    // exports redact them; this does not).
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save the session — every header and body, cookies and authorization included"),
        QStringLiteral("hopscope.hopscope"), tr("Hopscope sessions (*.hopscope)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!saveSession(path, &error))
        QMessageBox::warning(this, tr("Save the session"), error);
}

bool MainWindow::exportTrace(const QString &path, QString *error)
{
    const bool secrets = m_harSecrets->isChecked();
    int redacted = 0;
    const bool ok =
        secrets ? writeTraceFile(path, m_store->events(), error)
                : writeTraceFile(path, withSecretsRedacted(m_store->events(), &redacted), error);
    if (!ok)
        return false;
    QString message = tr("Exported %1 events to %2").arg(m_store->events().size()).arg(path);
    if (redacted > 0)
        message += tr(" — %n cookie or authorization value(s) redacted", nullptr, redacted);
    statusBar()->showMessage(message, 10000);
    return true;
}

void MainWindow::saveTraceAs()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the trace as JSON lines"),
                                                      QStringLiteral("hopscope-trace.jsonl"),
                                                      tr("JSON lines (*.jsonl)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportTrace(path, &error))
        QMessageBox::warning(this, tr("Export the trace as JSON lines"), error);
}

bool MainWindow::exportHar(const QString &path, bool selectionOnly, QString *error)
{
    SessionHarOptions options;
    options.includeSecrets = m_harSecrets->isChecked();
    if (selectionOnly) {
        // A page row of a connection's exchanges exports those exchanges.
        const QList<quint32> page = m_connections->currentPageExchanges();
        options.only = page.isEmpty()
                           ? selectionRequests(*m_store, m_connections->currentExchange(),
                                               m_connections->currentConnection())
                           : QSet<quint32>(page.cbegin(), page.cend());
        if (options.only.isEmpty()) {
            *error = tr("Select an exchange or a connection in the tree first.");
            return false;
        }
    }
    int entries = 0;
    if (!writeSessionHar(*m_store, path, options, error, &entries))
        return false;
    statusBar()->showMessage(tr("Exported %n HAR entries to %1", nullptr, entries).arg(path),
                             10000);
    return true;
}

void MainWindow::chooseHarExport(bool selectionOnly)
{
    const QString title = selectionOnly ? tr("Export the selection as HAR") : tr("Export HAR");
    const QString path = QFileDialog::getSaveFileName(this, title, QStringLiteral("hopscope.har"),
                                                      tr("HTTP Archive (*.har)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportHar(path, selectionOnly, &error))
        QMessageBox::warning(this, title, error);
}

} // namespace hopscope
