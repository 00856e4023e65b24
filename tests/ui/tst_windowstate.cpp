// Issue 14, "state that never lies", points 8, 9 and 10: the window against the embedded demo
// server (through the real engine thread) and against saved traces. One owner computes the
// counts and every place that shows them agrees; Send and Stop are on exactly when they can do
// something; stopping an open WebSocket or tunnel is not a failure; a saved trace says it holds
// no bodies, an unreadable one says so, and opening one announces no old failures.

#include "engine/enginehost.h"
#include "inview.h"
#include "mainwindow.h"
#include "session/sessioncounts.h"
#include "session/sessionstore.h"
#include "widgets/bodyviewer.h"
#include "widgets/exchangedetail.h"
#include "widgets/requestcomposer.h"
#include "widgets/sessionpanel.h"
#include "widgets/tracelogpanel.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace hopscope;

class TestWindowState : public QObject
{
    Q_OBJECT

    std::unique_ptr<MainWindow> m_window;

    MainWindow *openOnDemo()
    {
        MainWindow::Options options;
        options.restoreSettings = false;
        m_window = std::make_unique<MainWindow>(options);
        m_window->resize(1600, 1000);
        m_window->show();
        QSignalSpy ready(m_window.get(), &MainWindow::demoReady);
        if (!m_window->engine()->demo().isValid())
            ready.wait(10000);
        return m_window.get();
    }

    static QPushButton *stopButton(MainWindow *w)
    {
        return w->composer()->findChild<QPushButton *>(QStringLiteral("stop"));
    }

    static QPushButton *sessionSendButton(MainWindow *w)
    {
        return w->detail()->sessionPanel()->findChild<QPushButton *>(QStringLiteral("send"));
    }

    // The status bar's words without the markup that colours failures.
    static QString summary(MainWindow *w)
    {
        QString text = w->statusSummary()->text();
        text.remove(QRegularExpression(QStringLiteral("<[^>]*>")));
        return text;
    }

    static QString writeTrace(const QTemporaryDir &dir, const QByteArray &content)
    {
        const QString path = dir.filePath(QStringLiteral("t.jsonl"));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(content);
        return path;
    }

    // Opens a WebSocket (mode WebSocket, /ws) or a raw tunnel (Upgrade: tcp, /tcp) from the
    // composer and waits until it is open; returns its request number.
    quint32 openSession(MainWindow *w, bool webSocket)
    {
        QString url = w->engine()->demo().plainUrl;
        if (webSocket) {
            url.replace(QStringLiteral("http://"), QStringLiteral("ws://"));
            w->composer()->setUrl(url + QStringLiteral("/ws"));
            w->composer()->setProtocolMode(RequestComposer::ProtocolMode::WebSocket);
        } else {
            w->composer()->setUrl(url + QStringLiteral("/tcp"));
            w->composer()->setProtocolMode(RequestComposer::ProtocolMode::CustomUpgrade);
            w->composer()->setUpgradeToken(QStringLiteral("tcp"));
        }
        QSignalSpy opened(w->engine(), &EngineHost::sessionOpened);
        w->composer()->send();
        if (!w->composer()->errorText().isEmpty() || !opened.wait(10000))
            return 0;
        return opened.first().at(0).value<quint32>();
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void cleanup() { m_window.reset(); }

    // --- 6: a first window (no saved geometry) fits the screen it opens on ---
    void firstWindowFitsTheScreen()
    {
        QSettings().clear();
        MainWindow::Options options;
        options.startDemo = false;
        m_window = std::make_unique<MainWindow>(options);
        m_window->show();
        const QSize available = m_window->screen()->availableGeometry().size();
        const QSize least = m_window->minimumSizeHint();
        // As small as the screen, unless the layout cannot shrink that far.
        QVERIFY2(m_window->width() <= qMax(available.width(), least.width()) &&
                     m_window->height() <= qMax(available.height(), least.height()),
                 qPrintable(QStringLiteral("%1x%2 on a %3x%4 screen")
                                .arg(m_window->width())
                                .arg(m_window->height())
                                .arg(available.width())
                                .arg(available.height())));
        QVERIFY(m_window->width() < 1500);
    }

    // --- 6: at 1024x700, after the real tour, the timeline shows several lanes (it showed
    // about one) and the WebSocket's message list a useful number of rows (it showed 3) ---
    void tourAt1024x700LeavesLanesAndMessagesInView()
    {
        MainWindow::Options options;
        options.restoreSettings = false;
        m_window = std::make_unique<MainWindow>(options);
        MainWindow *w = m_window.get();
        w->resize(1024, 700);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        QSignalSpy ready(w, &MainWindow::demoReady);
        if (!w->engine()->demo().isValid())
            QVERIFY(ready.wait(10000));
        QSignalSpy finished(w, &MainWindow::tourFinished);
        w->runTour();
        QVERIFY(finished.wait(30000));
        QCoreApplication::processEvents();
        QCOMPARE(w->size(), QSize(1024, 700));
        QVERIFY(w->composer()->detailsFolded());
        const int lanes = testing::lanesInView(w->timeline(), w->timelineModel());
        QVERIFY2(w->timelineModel()->laneCount() >= 5 && lanes >= 3,
                 qPrintable(QStringLiteral("%1 of %2 lanes in view")
                                .arg(lanes)
                                .arg(w->timelineModel()->laneCount())));

        quint32 webSocket = 0;
        for (quint32 req = 1; req <= quint32(w->store()->exchangeCount()) && !webSocket; ++req)
            if (w->store()->exchange(req)->kind == ExchangeInfo::Kind::WebSocket)
                webSocket = req;
        QVERIFY(webSocket);
        w->selectExchange(webSocket);
        w->detail()->setCurrentTab(ExchangeDetail::SessionTab);
        QCoreApplication::processEvents();
        auto *list =
            w->detail()->sessionPanel()->findChild<QTableView *>(QStringLiteral("messages"));
        QVERIFY(list && list->isVisible());
        const int rows = testing::rowsInView(list);
        QVERIFY2(rows >= 5, qPrintable(QStringLiteral("%1 rows").arg(rows))); // was 3
    }

    // --- 9: one owner of the counts ---

    void countsAgreeEverywhere()
    {
        MainWindow *w = openOnDemo();
        RequestSpec slow;
        slow.url = QUrl(w->engine()->demo().plainUrl + QStringLiteral("/delay/3000"));
        w->engine()->send(slow, 6, 2); // 2 running, 4 waiting in the engine
        QTRY_COMPARE_WITH_TIMEOUT(w->store()->exchangeCount(), 2, 5000);
        // Whatever moment: the status bar, Stop and the snapshot say the same.
        QTRY_COMPARE_WITH_TIMEOUT(w->counts()->snapshot().active(), 6, 5000);
        const SessionCountsSnapshot s = w->counts()->snapshot();
        QCOMPARE(s.running, 2);
        QCOMPARE(s.queued, 4);
        QTRY_COMPARE(stopButton(w)->text(), QStringLiteral("Stop (6)"));
        QVERIFY2(summary(w).startsWith(
                     QStringLiteral("2 requests · 2 in flight · 4 queued · 0 complete")),
                 qPrintable(summary(w)));
        QVERIFY(stopButton(w)->isEnabled());
        QVERIFY(w->abortAction()->isEnabled());

        emit w->composer()->abortRequested(); // Stop
        QTRY_COMPARE_WITH_TIMEOUT(w->counts()->snapshot().active(), 0, 5000);
        QTRY_COMPARE(stopButton(w)->text(), QStringLiteral("Stop"));
        QTRY_VERIFY2(summary(w).startsWith(QStringLiteral("2 requests · 0 complete · 2 failed · ")),
                     qPrintable(summary(w)));
        QVERIFY(!summary(w).contains(QStringLiteral("queued")));
        QVERIFY(!summary(w).contains(QStringLiteral("in flight")));
    }

    // Not only once things settle: at every turn of the event loop while 40 requests come and
    // go, Stop's number is the status bar's in flight plus queued.
    void stopAndStatusBarNeverDisagree()
    {
        MainWindow *w = openOnDemo();
        RequestSpec quick;
        quick.url = QUrl(w->engine()->demo().plainUrl + QStringLiteral("/delay/20"));
        static const QRegularExpression inFlight(QStringLiteral("(\\d+) in flight"));
        static const QRegularExpression queued(QStringLiteral("(\\d+) queued"));
        int samples = 0, busy = 0;
        QStringList disagreements;
        QTimer sampler;
        sampler.setInterval(1);
        connect(&sampler, &QTimer::timeout, this, [&] {
            const QString text = summary(w);
            const int active =
                inFlight.match(text).captured(1).toInt() + queued.match(text).captured(1).toInt();
            const QString stop = stopButton(w)->text();
            const QString expected =
                active ? QStringLiteral("Stop (%1)").arg(active) : QStringLiteral("Stop");
            ++samples;
            busy += active > 0;
            if (stop != expected || stopButton(w)->isEnabled() != (active > 0))
                disagreements << stop + QStringLiteral(" | ") + text;
        });
        sampler.start();
        w->engine()->send(quick, 40, 4);
        QTRY_COMPARE_WITH_TIMEOUT(w->store()->completeCount(), 40, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(w->counts()->snapshot().active(), 0, 5000);
        QTest::qWait(200);
        sampler.stop();
        QVERIFY2(disagreements.isEmpty(), qPrintable(disagreements.join(QLatin1Char('\n'))));
        QVERIFY(busy > 5); // it did look while requests were running
        QVERIFY(samples > busy);
    }

    // "1 connections": one of a thing is singular, everywhere the counts are written.
    void countsAreSingularForOne()
    {
        MainWindow *w = openOnDemo();
        RequestSpec one;
        one.url = QUrl(w->engine()->demo().plainUrl + QStringLiteral("/"));
        w->engine()->send(one);
        QTRY_COMPARE_WITH_TIMEOUT(w->store()->completeCount(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(w->counts()->snapshot().active(), 0, 5000);
        QTRY_VERIFY2(
            summary(w).startsWith(QStringLiteral("1 request · 1 complete · 0 failed · ↑ ")),
            qPrintable(summary(w)));
        QVERIFY2(summary(w).contains(QStringLiteral(" · 1 connection · ")), qPrintable(summary(w)));
        QVERIFY(!summary(w).contains(QStringLiteral("error")));
        QCOMPARE(SessionCounts::count(1, "%1 event", "%1 events"), QStringLiteral("1 event"));
        QCOMPARE(SessionCounts::count(1100, "%1 event", "%1 events"),
                 QStringLiteral("%1 events").arg(QLocale().toString(1100)));
    }

    // "0 of 132 events" beside a status bar saying 215: a filter that hides every new event
    // still has its total follow the trace.
    void traceLogTotalFollowsTheTrace()
    {
        MainWindow *w = openOnDemo();
        w->traceLog()->setFindText(QStringLiteral("no event says this"));
        RequestSpec one;
        one.url = QUrl(w->engine()->demo().plainUrl + QStringLiteral("/"));
        w->engine()->send(one);
        QTRY_COMPARE_WITH_TIMEOUT(w->store()->completeCount(), 1, 5000);
        const QString events = QLocale().toString(w->counts()->snapshot().events);
        QVERIFY(w->counts()->snapshot().events > 0);
        QTRY_COMPARE(w->traceLog()->countText(), QStringLiteral("0 of %1 events").arg(events));
        QTRY_VERIFY2(summary(w).endsWith(QStringLiteral(" · %1 events").arg(events)),
                     qPrintable(summary(w)));
    }

    // --- 10: controls in the state they can act in ---

    void stopIsOnOnlyWithSomethingToStop()
    {
        MainWindow *w = openOnDemo();
        QVERIFY(!stopButton(w)->isEnabled());
        QVERIFY(!w->abortAction()->isEnabled());
        QVERIFY(w->sendAction()->isEnabled());
        RequestSpec slow;
        slow.url = QUrl(w->engine()->demo().plainUrl + QStringLiteral("/delay/300"));
        w->engine()->send(slow);
        QTRY_VERIFY(stopButton(w)->isEnabled());
        QVERIFY(w->abortAction()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(w->store()->completeCount(), 1, 5000);
        QTRY_VERIFY(!stopButton(w)->isEnabled());
        QVERIFY(!w->abortAction()->isEnabled());
    }

    void savedTraceOffersNothingToSendOrStop()
    {
        MainWindow::Options options;
        options.traceFile = QStringLiteral(HOPSCOPE_UI_TEST_DATA "/tour.jsonl");
        options.restoreSettings = false;
        MainWindow w(options);
        QVERIFY(w.isReadOnly());
        QVERIFY(!stopButton(&w)->isEnabled());
        QVERIFY(!w.abortAction()->isEnabled());
        QVERIFY(!w.sendAction()->isEnabled());
        QCOMPARE(w.counts()->snapshot().queued, 0);
    }

    void sessionSendIsOffOnceClosed_data()
    {
        QTest::addColumn<bool>("webSocket");
        QTest::newRow("WebSocket") << true;
        QTest::newRow("tunnel") << false;
    }

    void sessionSendIsOffOnceClosed()
    {
        QFETCH(bool, webSocket);
        MainWindow *w = openOnDemo();
        const quint32 req = openSession(w, webSocket);
        QVERIFY(req);
        QTRY_COMPARE(w->selectedExchange(), req);
        SessionPanel *session = w->detail()->sessionPanel();
        QTRY_VERIFY(session->isSessionOpen());
        QVERIFY(sessionSendButton(w)->isEnabled());
        session->sendClose();
        QTRY_VERIFY_WITH_TIMEOUT(!session->isSessionOpen(), 5000);
        QVERIFY(!sessionSendButton(w)->isEnabled());
        QTRY_VERIFY(!stopButton(w)->isEnabled()); // nothing left to stop either
    }

    // Stop with a session open: the session ends, and it did not fail.
    void stoppingAnOpenSessionIsNotAFailure_data()
    {
        QTest::addColumn<bool>("webSocket");
        QTest::newRow("WebSocket") << true;
        QTest::newRow("tunnel") << false;
    }

    void stoppingAnOpenSessionIsNotAFailure()
    {
        QFETCH(bool, webSocket);
        MainWindow *w = openOnDemo();
        const quint32 req = openSession(w, webSocket);
        QVERIFY(req);
        QTRY_VERIFY(stopButton(w)->isEnabled()); // the session's exchange is still running
        QSignalSpy closed(w->engine(), &EngineHost::sessionClosed);
        stopButton(w)->click();
        QVERIFY(closed.wait(5000));
        QTRY_COMPARE_WITH_TIMEOUT(int(w->store()->exchange(req)->state),
                                  int(ExchangeInfo::State::Complete), 5000);
        QCOMPARE(w->store()->failedCount(), 0);
        QCOMPARE(w->store()->errorEventCount(), 0);
        QTRY_VERIFY(!stopButton(w)->isEnabled());
        QTRY_VERIFY2(
            summary(w).startsWith(QStringLiteral("1 request · 1 complete · 0 failed · ↑ ")),
            qPrintable(summary(w)));
        QVERIFY(!w->statusBar()->currentMessage().contains(QStringLiteral("failed")));
    }

    // --- 8: saved traces ---

    void savedTraceSaysItHoldsNoBody()
    {
        MainWindow::Options options;
        options.traceFile = QStringLiteral(HOPSCOPE_UI_TEST_DATA "/tour.jsonl");
        options.restoreSettings = false;
        MainWindow w(options);
        QCOMPARE(int(w.store()->exchange(2)->state), int(ExchangeInfo::State::Complete));
        w.selectExchange(2);
        BodyViewer *body = w.detail()->bodyViewer();
        QVERIFY2(body->messageText().contains(QStringLiteral("saved trace holds the events only")),
                 qPrintable(body->messageText()));
        QVERIFY(!body->messageText().contains(QStringLiteral("Waiting")));
        w.resize(1024, 700);
        w.show();
        w.detail()->setCurrentTab(ExchangeDetail::BodyTab);
        QVERIFY(w.grab().save(
            QDir(QCoreApplication::applicationDirPath()).filePath("windowstate-saved-body.png")));
    }

    void unreadableTraceIsRefused_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("says");
        QTest::newRow("missing") << "missing.jsonl"
                                 << "there is no such file";
        QTest::newRow("directory") << ""
                                   << "it is a directory";
    }

    void unreadableTraceIsRefused()
    {
        QFETCH(QString, name);
        QFETCH(QString, says);
        QTemporaryDir dir;
        const QString path = name.isEmpty() ? dir.path() : dir.filePath(name);
        const QString problem = MainWindow::unreadableTrace(path);
        QVERIFY2(problem.contains(says), qPrintable(problem));
        QVERIFY(problem.contains(path));
        QCOMPARE(MainWindow::unreadableTrace(QStringLiteral(HOPSCOPE_UI_TEST_DATA "/tour.jsonl")),
                 QString());

        // A window asked to show it anyway says so in the window, not only in the status bar.
        MainWindow::Options options;
        options.traceFile = path;
        options.restoreSettings = false;
        MainWindow w(options);
        QVERIFY(w.traceNotice()->isVisibleTo(&w));
        QVERIFY2(w.traceNotice()->text().contains(says), qPrintable(w.traceNotice()->text()));
        QCOMPARE(w.store()->exchangeCount(), 0);
    }

    // The failures a trace records are counted, not announced as news.
    void openingAnnouncesNoOldFailures()
    {
        QTemporaryDir dir;
        // Plain strings: moc misreads raw string literals that hold "//".
        const QString path = writeTrace(
            dir, "{\"seq\":1,\"t\":0.001,\"type\":\"request.start\",\"req\":1,"
                 "\"method\":\"GET\",\"url\":\"http://127.0.0.1:1/\"}\n"
                 "{\"seq\":2,\"t\":0.002,\"type\":\"error\",\"req\":1,\"code\":\"connect\","
                 "\"message\":\"Connection refused\"}\n"
                 "{\"seq\":3,\"t\":0.003,\"type\":\"request.failed\",\"req\":1,"
                 "\"code\":\"connect\",\"error\":\"Connection refused\"}\n");
        QVERIFY(!path.isEmpty());
        MainWindow::Options options;
        options.traceFile = path;
        options.restoreSettings = false;
        MainWindow w(options);
        QSignalSpy messages(w.statusBar(), &QStatusBar::messageChanged);
        QCOMPARE(w.store()->failedCount(), 1);
        QCOMPARE(w.statusBar()->currentMessage(), QString());
        QTest::qWait(200); // the coalesced status update has run
        QCOMPARE(messages.count(), 0);
        QVERIFY2(summary(&w).startsWith(
                     QStringLiteral("1 request · 0 complete · 1 failed · 1 error · ")),
                 qPrintable(summary(&w)));
    }
};

QTEST_MAIN(TestWindowState)
#include "tst_windowstate.moc"
