// File ▸ Save session and opening the file again: the demo tour saved from a live window opens
// in a read-only window with the same events, connections, exchanges and bodies; a file cut
// short opens with what it holds and says so; `hopscope FILE`'s sniffing opens a session whatever
// its name.

#include "mainwindow.h"
#include "session/sessionreplay.h"
#include "session/sessionstore.h"
#include "widgets/connectionspanel.h"
#include "widgets/requestcomposer.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QMenuBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace hopscope;
using namespace Qt::StringLiterals;

namespace {

QAction *fileAction(MainWindow *w, const QString &objectName)
{
    for (QAction *menu : w->menuBar()->actions())
        if (menu->menu())
            for (QAction *a : menu->menu()->actions())
                if (a->objectName() == objectName)
                    return a;
    return nullptr;
}

std::unique_ptr<MainWindow> openWindow(const QString &path)
{
    MainWindow::Options options;
    options.traceFile = path;
    options.startDemo = false;
    options.restoreSettings = false;
    return std::make_unique<MainWindow>(options);
}

} // namespace

class TestSessionSave : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void reopenedSessionIsTheSame();
    void cutFileShowsWhatItHolds();
    void savedAgainFromAReopenedWindow();
    // Last: it sends through the live window.
    void resendFromAReopenedSessionGoesToALiveWindow();

private:
    QTemporaryDir m_dir;
    QString m_session; // the tour, saved by initTestCase
    std::unique_ptr<MainWindow> m_live;
};

void TestSessionSave::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    MainWindow::Options options;
    options.runTour = true;
    options.restoreSettings = false;
    m_live = std::make_unique<MainWindow>(options);
    m_live->show();
    QVERIFY(fileAction(m_live.get(), u"saveSession"_s));
    QSignalSpy finished(m_live.get(), &MainWindow::tourFinished);
    QVERIFY(finished.wait(30000));
    QTRY_COMPARE_WITH_TIMEOUT(m_live->store()->completeCount(), 9, 5000);
    QTRY_VERIFY(m_live->store()->body(1) && m_live->store()->body(5));
    // No name that says what it is: opening goes by the file's first bytes.
    m_session = m_dir.filePath(u"tour.bin"_s);
    QString error;
    QVERIFY2(m_live->saveSession(m_session, &error), qPrintable(error));
}

void TestSessionSave::reopenedSessionIsTheSame()
{
    const SessionStore &a = *m_live->store();
    const auto window = openWindow(m_session);
    const SessionStore &b = *window->store();
    QVERIFY(window->isReadOnly());
    QVERIFY2(!window->traceNotice()->isVisibleTo(window.get()),
             qPrintable(window->traceNotice()->text()));
    QVERIFY(window->windowTitle().contains(u"(saved session)"_s));
    QCOMPARE(b.traceStart(), a.traceStart());

    QCOMPARE(b.events().size(), a.events().size());
    for (qsizetype i = 0; i < a.events().size(); ++i) {
        const TraceEvent x = a.events().at(i), y = b.events().at(i);
        QCOMPARE(y.seq, x.seq);
        QCOMPARE(y.typeName(), x.typeName());
        QCOMPARE(y.toCborMap(), x.toCborMap());
    }
    QCOMPARE(b.connectionCount(), a.connectionCount());
    for (int i = 0; i < a.connectionCount(); ++i)
        QCOMPARE(b.connectionAt(i).title(), a.connectionAt(i).title());
    QCOMPARE(b.exchangeCount(), a.exchangeCount());
    for (int i = 0; i < a.exchangeCount(); ++i) {
        const ExchangeInfo &x = a.exchangeAt(i), &y = b.exchangeAt(i);
        QCOMPARE(y.url, x.url);
        QCOMPARE(y.status, x.status);
        QCOMPARE(y.protocol, x.protocol);
        QCOMPARE(int(y.state), int(x.state));
        QCOMPARE(y.stream, x.stream);
    }
    QCOMPARE(b.bodyRequests(), a.bodyRequests());
    QVERIFY(!a.bodyRequests().isEmpty());
    for (quint32 req : a.bodyRequests()) {
        const std::optional<ExchangeBody> x = a.body(req), y = b.body(req);
        QVERIFY(x && y);
        QCOMPARE(y->wire, x->wire);
        QCOMPARE(y->decoded, x->decoded);
        QCOMPARE(y->contentType, x->contentType);
        QCOMPARE(y->requestBody, x->requestBody);
        QCOMPARE(b.bodyInfo(req)->decodedSize, a.bodyInfo(req)->decodedSize);
    }
}

void TestSessionSave::cutFileShowsWhatItHolds()
{
    QFile whole(m_session);
    QVERIFY(whole.open(QIODevice::ReadOnly));
    const QByteArray bytes = whole.readAll();
    const QString cut = m_dir.filePath(u"cut.hopscope"_s);
    QFile part(cut);
    QVERIFY(part.open(QIODevice::WriteOnly));
    part.write(bytes.left(bytes.size() * 2 / 3));
    part.close();

    const auto window = openWindow(cut);
    QVERIFY(window->traceNotice()->isVisibleTo(window.get()));
    const QString notice = window->traceNotice()->text();
    QVERIFY2(notice.contains(u"cut short"_s), qPrintable(notice));
    QVERIFY2(notice.contains(u"events before it are shown"_s), qPrintable(notice));
    QVERIFY(window->store()->events().size() > 0);
    QVERIFY(window->store()->events().size() < m_live->store()->events().size());
}

void TestSessionSave::savedAgainFromAReopenedWindow()
{
    // A reopened session saves with its bodies (read from its own file) to a new one.
    const auto window = openWindow(m_session);
    const QString again = m_dir.filePath(u"again.hopscope"_s);
    QString error;
    QVERIFY2(window->saveSession(again, &error), qPrintable(error));
    const auto reopened = openWindow(again);
    QCOMPARE(reopened->store()->events().size(), m_live->store()->events().size());
    QCOMPARE(reopened->store()->bodyRequests(), m_live->store()->bodyRequests());
    QCOMPARE(reopened->store()->body(1)->decoded, m_live->store()->body(1)->decoded);

    // Saving over a file that cannot be written says so and leaves nothing behind.
    QVERIFY(!window->saveSession(u"/nonexistent-dir/x.hopscope"_s, &error));
    QVERIFY2(error.startsWith(u"/nonexistent-dir/x.hopscope: "_s), qPrintable(error));
}

void TestSessionSave::resendFromAReopenedSessionGoesToALiveWindow()
{
    const auto window = openWindow(m_session);
    window->show();
    const std::optional<ReplayRequest> replay = replayRequestOf(*window->store(), 1);
    QVERIFY(replay);
    const RequestSpec spec = replaySpec(*replay);

    // With a live window open, it is sent there; the record is unchanged.
    const int before = m_live->store()->exchangeCount();
    const int recorded = window->store()->exchangeCount();
    emit window->connectionsPanel()->resendRequested(spec);
    QTRY_COMPARE_WITH_TIMEOUT(m_live->store()->exchangeCount(), before + 1, 10000);
    const ExchangeInfo &sent = m_live->store()->exchangeAt(before);
    QCOMPARE(sent.url, window->store()->exchange(1)->url);
    QTRY_COMPARE_WITH_TIMEOUT(int(m_live->store()->exchangeAt(before).state),
                              int(ExchangeInfo::State::Complete), 10000);
    QCOMPARE(m_live->store()->exchangeAt(before).status, window->store()->exchange(1)->status);
    QCOMPARE(window->store()->exchangeCount(), recorded);

    // Without one, a new live window opens and sends it (the demo server it went to still runs).
    m_live->hide();
    const QList<QWidget *> windowsBefore = QApplication::topLevelWidgets();
    emit window->connectionsPanel()->openInComposerRequested(spec);
    MainWindow *opened = nullptr;
    for (QWidget *w : QApplication::topLevelWidgets())
        if (auto *mw = qobject_cast<MainWindow *>(w); mw && !windowsBefore.contains(w))
            opened = mw;
    QVERIFY(opened);
    QVERIFY(!opened->isReadOnly());
    QCOMPARE(opened->composer()->spec().url, spec.url);
    emit window->connectionsPanel()->resendRequested(spec);
    QTRY_COMPARE_WITH_TIMEOUT(opened->store()->completeCount(), 1, 10000);
    opened->close(); // deletes itself
}

QTEST_MAIN(TestSessionSave)
#include "tst_sessionsave.moc"
