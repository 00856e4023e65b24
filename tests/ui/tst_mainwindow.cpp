// The whole window against the embedded demo server, through the real engine thread: the tour's
// connections in the tree and the timeline, per-stream headers, the `Upgrade: h2` arrow, a
// WebSocket driven from the session tab, and a screenshot after the tour.

#include "engine/enginehost.h"
#include "mainwindow.h"
#include "models/connectiontreemodel.h"
#include "models/framesmodel.h"
#include "models/headersmodel.h"
#include "models/sessionmessagesmodel.h"
#include "models/timelinemodel.h"
#include "session/sessionstore.h"
#include "views/timelineview.h"
#include "widgets/connectionspanel.h"
#include "widgets/exchangedetail.h"
#include "widgets/requestcomposer.h"
#include "widgets/sessionpanel.h"
#include "widgets/tracelogpanel.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeView>
#include <QUrl>

using namespace hopscope;

namespace {

// Every (name, value) row of a tree model, depth first.
void collectRows(const QAbstractItemModel *model, const QModelIndex &parent,
                 QList<QPair<QString, QString>> *out)
{
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex name = model->index(r, 0, parent);
        out->append({name.data().toString(), model->index(r, 1, parent).data().toString()});
        collectRows(model, name, out);
    }
}

bool hasRow(const QList<QPair<QString, QString>> &rows, const QString &name,
            const QString &valuePart)
{
    for (const auto &row : rows)
        if (row.first == name && row.second.contains(valuePart))
            return true;
    return false;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

    std::unique_ptr<MainWindow> m_window;

    MainWindow *openOnDemo(bool runTour)
    {
        MainWindow::Options options;
        options.runTour = runTour;
        options.restoreSettings = false;
        m_window = std::make_unique<MainWindow>(options);
        m_window->resize(1600, 1000);
        m_window->show();
        QSignalSpy ready(m_window.get(), &MainWindow::demoReady);
        if (!m_window->engine()->demo().isValid())
            ready.wait(10000);
        return m_window.get();
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void cleanup() { m_window.reset(); }

    void tourShowsEverySwitch()
    {
        MainWindow *w = openOnDemo(true);
        QSignalSpy finished(w, &MainWindow::tourFinished);
        QVERIFY(finished.wait(30000));
        QTRY_COMPARE_WITH_TIMEOUT(w->store()->completeCount(), 9, 5000);
        SessionStore *store = w->store();
        QCOMPARE(w->selectedExchange(), 1u); // the tour ends on the upgraded request

        // The timeline ends fitted to #1, idle time compressed: connect → Upgrade → 101 →
        // preface is wide enough to read, not a sliver of a 2 s span.
        {
            TimelineView *tv = w->timeline();
            QVERIFY(tv->isIdleCompressed());
            QVERIFY(!tv->isAutoFit());
            const TimelineLane *lane = w->timelineModel()->lane(1);
            qint64 prefaceEnd = -1;
            for (const TimelinePhase &ph : lane->phases)
                if (ph.kind == TimelinePhase::Kind::Preface)
                    prefaceEnd = w->timelineModel()->effectiveEnd(ph.endNs);
            QVERIFY(prefaceEnd > lane->startNs);
            QVERIFY(tv->visibleStartNs() <= lane->startNs);
            QVERIFY(tv->visibleEndNs() >= prefaceEnd);
            const QRect area = tv->timeArea();
            const int y = tv->laneRect(1).top() + tv->laneRect(1).height() / 3;
            int first = -1, last = -1;
            for (int x = area.left(); x <= area.right(); ++x) {
                const qint64 ns = tv->hitTest(QPoint(x, y)).ns;
                if (ns >= lane->startNs && ns <= prefaceEnd) {
                    last = x;
                    if (first < 0)
                        first = x;
                }
            }
            QVERIFY2(last - first >= 100, qPrintable(QString::number(last - first)));
        }
        // At 1024 px the status bar's message still ends before its counters begin.
        {
            const QSize before = w->size();
            w->resize(1024, 700);
            QApplication::processEvents();
            QLabel *summary = w->statusSummary();
            const int messageEnd =
                w->statusBar()->fontMetrics().horizontalAdvance(w->statusBar()->currentMessage()) +
                8;
            QVERIFY2(!w->statusBar()->currentMessage().isEmpty() &&
                         messageEnd <= summary->x() + summary->contentsMargins().left(),
                     qPrintable(QStringLiteral("message to %1, counters from %2")
                                    .arg(messageEnd)
                                    .arg(summary->x())));
            w->resize(before);
            QApplication::processEvents();
        }
        // Texts a person reads carry no Markdown backticks, and the banner one font.
        for (const TimelineChapter &chapter : w->timelineModel()->chapters())
            QVERIFY2(!chapter.title.contains(QLatin1Char('`')), qPrintable(chapter.title));
        QVERIFY(!w->statusBar()->currentMessage().contains(QLatin1Char('`')));
        auto *banner = w->findChild<QLabel *>(QStringLiteral("demoBanner"));
        QVERIFY(banner);
        QVERIFY2(!banner->text().contains(QLatin1Char('`')) &&
                     !banner->text().contains(QLatin1String("<code>")),
                 qPrintable(banner->text()));
        // It tells both follows with their connections.
        QVERIFY2(banner->text().contains(QStringLiteral("#2 advertised “Upgrade: h2” and #3")) &&
                     banner->text().contains(QStringLiteral(
                         "#6 advertised “Alt-Svc: h3” and #7 followed it over QUIC")),
                 qPrintable(banner->text()));
        // Double-clicking connection #3's row in the tree zooms the timeline to #3.
        {
            QTreeView *tree = w->connectionsPanel()->view();
            const QModelIndex row3 = tree->model()->index(2, 0);
            QCOMPARE(row3.data(ConnectionTreeModel::ConnIdRole).toUInt(), 3u);
            QTRY_VERIFY(tree->visualRect(row3).isValid());
            QTest::mouseClick(tree->viewport(), Qt::LeftButton, {},
                              tree->visualRect(row3).center());
            QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {},
                               tree->visualRect(row3).center());
            const TimelineLane *lane3 = w->timelineModel()->lane(3);
            QVERIFY(w->timeline()->visibleStartNs() <= lane3->startNs);
            QVERIFY(w->timeline()->visibleEndNs() >=
                    w->timelineModel()->effectiveEnd(lane3->endNs));
            QVERIFY(w->timeline()->visibleStartNs() >= w->timelineModel()->lane(1)->startNs);
        }

        // The tree: seven connections, each titled with its protocol history; streams under #1.
        ConnectionTreeModel *tree = w->connectionsPanel()->model();
        QCOMPARE(tree->rowCount(), 7);
        const QString first = tree->index(0, 0).data().toString();
        QVERIFY2(first.startsWith(QStringLiteral("#1 127.0.0.1:")), qPrintable(first));
        QVERIFY2(first.contains(QStringLiteral("HTTP/1.1 → h2c at ")), qPrintable(first));
        QVERIFY(tree->index(3, 0).data().toString().contains(QStringLiteral("→ websocket")) ||
                tree->index(3, 0).data().toString().contains(QStringLiteral("→ WebSocket")));
        // The last chapter: #6 advertised Alt-Svc h3, #7 followed it over QUIC.
        const QString sixth = tree->index(5, 0).data().toString();
        const QString seventh = tree->index(6, 0).data().toString();
        QVERIFY2(sixth.contains(QStringLiteral("advertised Alt-Svc h3")), qPrintable(sixth));
        QVERIFY2(seventh.contains(QStringLiteral("h3 (QUIC, from #6)")), qPrintable(seventh));
        const QModelIndex c1 = tree->index(0, 0);
        QCOMPARE(tree->rowCount(c1), 3);
        QStringList streams;
        for (int r = 0; r < 3; ++r)
            streams << tree->index(r, 1, c1).data().toString();
        QCOMPARE(streams, (QStringList{"1", "3", "5"}));

        // Selecting a stream in the tree shows it everywhere.
        QTreeView *view = w->connectionsPanel()->view();
        const QModelIndex stream3 =
            w->connectionsPanel()->proxyModel()->mapFromSource(tree->indexForExchange(2));
        view->setCurrentIndex(stream3);
        QCOMPARE(w->selectedExchange(), 2u);
        QCOMPARE(w->detail()->exchange(), 2u);

        // Per-stream headers: the h2c upgrade's HTTP/1.1 request, the 101 and the HTTP/2
        // response with its pseudo-header.
        w->selectExchange(1);
        QList<QPair<QString, QString>> rows;
        collectRows(w->detail()->headersModel(), {}, &rows);
        QVERIFY(hasRow(rows, QStringLiteral("Upgrade"), QStringLiteral("h2c")));
        QVERIFY(hasRow(rows, QStringLiteral("HTTP2-Settings"), QString()));
        QVERIFY(hasRow(rows, QStringLiteral(":status"), QStringLiteral("200")));
        w->selectExchange(2);
        rows.clear();
        collectRows(w->detail()->headersModel(), {}, &rows);
        QVERIFY(hasRow(rows, QStringLiteral(":path"), QStringLiteral("/delay/300")));
        QVERIFY(hasRow(rows, QStringLiteral(":method"), QStringLiteral("GET")));

        // The timeline: a lane per connection, the h2c offer and switch on lane 1, three
        // overlapping stream bars there, the advertisement on lane 2 and the arrow 2 -> 3, the
        // Alt-Svc advertisement on lane 6 and its arrow to the QUIC lane 7.
        TimelineModel *timeline = w->timelineModel();
        QCOMPARE(timeline->laneCount(), 7);
        const TimelineLane *lane1 = timeline->lane(1);
        QCOMPARE(lane1->protocols, (QStringList{"HTTP/1.1", "h2c"}));
        QVERIFY(lane1->rowCount() >= 2); // /delay/300 overlaps the others
        bool offer = false, switched = false;
        for (int m : lane1->markers) {
            const TimelineMarker &marker = timeline->markerAt(m);
            offer |= marker.kind == TimelineMarker::Kind::UpgradeOffer;
            switched |= marker.kind == TimelineMarker::Kind::UpgradeSwitch &&
                        marker.protocol == QLatin1String("h2c");
        }
        QVERIFY(offer && switched);
        bool advertised = false;
        for (int m : timeline->lane(2)->markers)
            advertised |= timeline->markerAt(m).kind == TimelineMarker::Kind::Advertised;
        QVERIFY(advertised);
        QCOMPARE(timeline->arrows().size(), 2);
        QCOMPARE(timeline->arrows().first().fromConn, 2u);
        QCOMPARE(timeline->arrows().first().toConn, 3u);
        QCOMPARE(store->connection(3)->followedFrom, 2u);
        QCOMPARE(timeline->arrows().last().fromConn, 6u);
        QCOMPARE(timeline->arrows().last().toConn, 7u);
        QCOMPARE(timeline->lane(7)->protocols.last(), QStringLiteral("h3"));

        // Clicking stream 3's bar in the timeline selects it in the tree and the details.
        w->timeline()->fitAll();
        QApplication::processEvents();
        const QRect bar = w->timeline()->barRect(2);
        QVERIFY(bar.isValid());
        QTest::mouseClick(w->timeline()->viewport(), Qt::LeftButton, {}, bar.center());
        QCOMPARE(w->selectedExchange(), 2u);
        QCOMPARE(w->connectionsPanel()->currentExchange(), 2u);

        // The tour's sessions carried their messages both ways: two WebSocket messages echoed,
        // the tunnel's greeting and the echo of what was sent.
        int wsIn = 0, wsOut = 0, rawIn = 0, rawOut = 0;
        for (const TraceEvent &ev : store->events()) {
            const bool in = ev.dir == Direction::In;
            if (ev.is(EventType::WsMessage) && ev.scope.req == 6)
                (in ? wsIn : wsOut)++;
            if (ev.is(EventType::RawData) && ev.scope.req == 7)
                (in ? rawIn : rawOut)++;
        }
        QCOMPARE(wsOut, 2);
        QCOMPARE(wsIn, 2);
        QCOMPARE(rawOut, 1);
        QVERIFY(rawIn >= 2);

        // Bodies came over from the engine thread: /bytes/4096 on the followed HTTP/2 connection.
        QTRY_VERIFY(store->body(5));
        QCOMPARE(store->body(5)->wire.size(), 4096);
        QVERIFY(store->body(1) && !store->body(1)->decoded.isEmpty());

        // The status bar counts it all, with no error.
        QTRY_VERIFY(w->statusSummary()->text().contains(QStringLiteral("9 requests")));
        QVERIFY(w->statusSummary()->text().contains(QStringLiteral("0 failed")));

        // A screenshot of the window after the tour (kept next to the test binary).
        w->selectExchange(1);
        QApplication::processEvents();
        const QImage shot = w->grab().toImage();
        QVERIFY(!shot.isNull());
        QCOMPARE(shot.size(), w->size());
        const QString path =
            QDir(QCoreApplication::applicationDirPath()).filePath("mainwindow-after-tour.png");
        QVERIFY(shot.save(path));
        qInfo("screenshot: %s", qPrintable(path));

        // The other views a reader of the screenshot would open: stream 3's frames and the log.
        w->selectExchange(2);
        w->detail()->setCurrentTab(ExchangeDetail::FramesTab);
        QCOMPARE(w->detail()->currentTab(), ExchangeDetail::FramesTab);
        QVERIFY(w->detail()->framesModel()->rowCount() >= 3);
        w->traceLog()->parentWidget()->raise(); // its dock's tab, next to the timeline's
        QApplication::processEvents();
        QVERIFY(w->grab().save(QDir(QCoreApplication::applicationDirPath())
                                   .filePath("mainwindow-frames-and-log.png")));
    }

    void webSocketFromTheGui()
    {
        MainWindow *w = openOnDemo(false);
        const QString plain = w->engine()->demo().plainUrl;
        QVERIFY(!plain.isEmpty());
        QString wsUrl = plain;
        wsUrl.replace(QStringLiteral("http://"), QStringLiteral("ws://"));
        w->composer()->setUrl(wsUrl + QStringLiteral("/ws"));
        w->composer()->setProtocolMode(RequestComposer::ProtocolMode::WebSocket);
        QSignalSpy opened(w->engine(), &EngineHost::sessionOpened);
        w->composer()->send();
        QCOMPARE(w->composer()->errorText(), QString());
        QVERIFY(opened.wait(10000));
        const quint32 req = opened.first().at(0).value<quint32>();
        QVERIFY(opened.first().at(1).toBool());   // a WebSocket can ping
        QTRY_COMPARE(w->selectedExchange(), req); // the window shows what was just sent
        QVERIFY(w->detail()->isTabEnabled(ExchangeDetail::SessionTab));
        QTRY_COMPARE(w->detail()->currentTab(), ExchangeDetail::SessionTab);

        SessionPanel *session = w->detail()->sessionPanel();
        QTRY_VERIFY(session->isSessionOpen());
        session->setInputMode(SessionPanel::InputMode::Text);
        session->setInputText(QStringLiteral("hello from the window"));
        session->sendInput();
        SessionMessagesModel *messages = session->model();
        auto received = [messages](const QString &text) {
            for (int r = 0; r < messages->rowCount(); ++r) {
                const QModelIndex i = messages->index(r, SessionMessagesModel::ContentColumn);
                if (i.data(SessionMessagesModel::DirectionRole).toInt() == int(Direction::In) &&
                    i.data().toString().contains(text))
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(received(QStringLiteral("hello from the window")), 5000);

        session->setInputMode(SessionPanel::InputMode::Binary);
        session->setInputText(QStringLiteral("de ad be ef"));
        session->sendInput();
        QTRY_VERIFY_WITH_TIMEOUT(received(QStringLiteral("de ad be ef")), 5000);
        QVERIFY(w->grab().save(
            QDir(QCoreApplication::applicationDirPath()).filePath("mainwindow-websocket.png")));

        session->sendClose();
        QTRY_VERIFY_WITH_TIMEOUT(!session->isSessionOpen(), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(int(w->store()->exchange(req)->state),
                                  int(ExchangeInfo::State::Complete), 5000);
    }

    void failuresAreNeverSilent()
    {
        MainWindow *w = openOnDemo(false);
        // A port nobody listens on: the connect fails at once.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 closedPort = probe.serverPort();
        probe.close();
        w->composer()->setProtocolMode(RequestComposer::ProtocolMode::Auto);
        w->composer()->setUrl(QStringLiteral("http://127.0.0.1:%1/nothing").arg(closedPort));
        w->composer()->send();
        QTRY_COMPARE_WITH_TIMEOUT(w->store()->failedCount(), 1, 10000);
        const ExchangeInfo *x = w->store()->exchange(1);
        QCOMPARE(x->errorCode, QStringLiteral("connect"));

        // The tree draws it as an error, the status bar says what happened and counts it.
        ConnectionTreeModel *tree = w->connectionsPanel()->model();
        const QModelIndex row = tree->indexForExchange(1);
        QVERIFY(row.isValid());
        QVERIFY(row.data(ConnectionTreeModel::IsErrorRole).toBool());
        QTRY_VERIFY(tree->indexForConnection(1).data(ConnectionTreeModel::IsErrorRole).toBool());
        QVERIFY(!w->store()->connection(1)->error.isEmpty());
        QTRY_VERIFY(w->statusBar()->currentMessage().contains(QStringLiteral("failed (connect)")));
        QTRY_VERIFY(w->statusSummary()->text().contains(QStringLiteral("1 failed")));
        QCOMPARE(w->detail()->exchange(), 1u); // the window shows what was just sent
        QVERIFY(w->detail()->headerText().contains(QStringLiteral("connect")));
        QVERIFY(w->timelineModel()->bar(1) == nullptr || w->timelineModel()->bar(1)->failed);
        const QString path =
            QDir(QCoreApplication::applicationDirPath()).filePath("mainwindow-failure.png");
        QVERIFY(w->grab().save(path));
    }

    void stopAbortsQueuedAndRunningRequests()
    {
        MainWindow *w = openOnDemo(false);
        RequestSpec slow;
        slow.url = QUrl(w->engine()->demo().plainUrl + QStringLiteral("/delay/2000"));
        w->engine()->send(slow, 20, 2); // 2 in flight, 18 waiting
        QCOMPARE(w->engine()->inFlight(), 20);
        QTRY_COMPARE_WITH_TIMEOUT(w->store()->exchangeCount(), 2, 5000);
        emit w->composer()->abortRequested(); // the Stop button
        QTRY_COMPARE_WITH_TIMEOUT(w->engine()->inFlight(), 0, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(w->store()->failedCount(), 2, 5000);
        QCOMPARE(w->store()->exchange(1)->errorCode, QStringLiteral("aborted"));
        QTest::qWait(300);
        QCOMPARE(w->store()->exchangeCount(), 2); // the queued 18 were never sent
    }

    void protocolModesKeepTheirConnections()
    {
        // An HTTP/1.1-only request must not ride the HTTP/2 connection a prior-knowledge request
        // opened to the same origin, even while both are in flight.
        MainWindow *w = openOnDemo(false);
        RequestSpec h2;
        h2.url = QUrl(w->engine()->demo().plainUrl + QStringLiteral("/delay/300"));
        h2.protocol = ProtocolPolicy::H2cPrior;
        RequestSpec h1 = h2;
        h1.url = QUrl(w->engine()->demo().plainUrl + QStringLiteral("/headers"));
        h1.protocol = ProtocolPolicy::Http1Only;
        w->engine()->send(h2);
        QTRY_COMPARE_WITH_TIMEOUT(w->store()->exchangeCount(), 1, 5000);
        w->engine()->send(h1);
        QTRY_COMPARE_WITH_TIMEOUT(w->store()->completeCount(), 2, 5000);
        const ExchangeInfo *a = w->store()->exchange(1);
        const ExchangeInfo *b = w->store()->exchange(2);
        QCOMPARE(a->protocol, QStringLiteral("h2c"));
        QCOMPARE(b->protocol, QStringLiteral("HTTP/1.1"));
        QVERIFY(a->conn != b->conn);
    }

    // Issue 14 point 4: every Demo requests entry gets an answer from the demo server (no 404,
    // no verification failure), sent the way a user sends it: pick, then Send.
    void everyDemoPresetAnswers()
    {
        MainWindow *w = openOnDemo(false);
        auto *button = w->composer()->findChild<QToolButton *>(QStringLiteral("presets"));
        QVERIFY(button && button->menu());
        const QList<QAction *> presets = button->menu()->actions();
        QVERIFY(presets.size() >= 7);
        for (QAction *preset : presets) {
            const int before = w->store()->exchangeCount();
            preset->trigger();
            w->composer()->send();
            const quint32 req = quint32(before + 1);
            QTRY_VERIFY2_WITH_TIMEOUT(
                w->store()->exchange(req) &&
                    (w->store()->exchange(req)->status != 0 ||
                     w->store()->exchange(req)->state == ExchangeInfo::State::Failed),
                qPrintable(preset->text()), 10000);
            const ExchangeInfo *x = w->store()->exchange(req);
            QVERIFY2(x->state != ExchangeInfo::State::Failed,
                     qPrintable(preset->text() + QStringLiteral(": ") + x->error));
            QVERIFY2(
                x->status >= 101 && x->status < 400,
                qPrintable(preset->text() + QStringLiteral(": ") + QString::number(x->status)));
        }
    }

    // Issue 14 point 2: an https URL typed by hand for the demo server is verified against the
    // demo's certificate (the banner says it is trusted), with nothing picked and the composer's
    // CA file left empty.
    void typedDemoHttpsIsTrusted_data()
    {
        QTest::addColumn<QString>("host");
        QTest::newRow("127.0.0.1") << QStringLiteral("127.0.0.1");
        QTest::newRow("localhost") << QStringLiteral("localhost");
    }

    void typedDemoHttpsIsTrusted()
    {
        QFETCH(QString, host);
        MainWindow *w = openOnDemo(false);
        QUrl url(w->engine()->demo().tlsUrl + QStringLiteral("/headers"));
        url.setHost(host);
        RequestSpec typed; // what a user types: a URL, the default mode, no CA file
        typed.url = url;
        w->composer()->setSpec(typed);
        w->composer()->send();
        QTRY_VERIFY_WITH_TIMEOUT(w->store()->exchange(1) &&
                                     w->store()->exchange(1)->state != ExchangeInfo::State::Running,
                                 10000);
        QVERIFY2(w->store()->exchange(1)->state == ExchangeInfo::State::Complete,
                 qPrintable(w->store()->exchange(1)->error));
        QCOMPARE(w->store()->exchange(1)->status, 200);
        QVERIFY(w->composer()->spec().tls.caFile.isEmpty());
    }

    void closingMidTourIsClean()
    {
        MainWindow *w = openOnDemo(true);
        QTRY_VERIFY_WITH_TIMEOUT(w->store()->exchangeCount() >= 1, 5000);
        m_window.reset(); // the engine thread tears down with requests in flight
        QVERIFY(!m_window);
    }

    void urlArgumentFillsTheComposer()
    {
        MainWindow::Options options;
        options.startDemo = false;
        options.restoreSettings = false;
        options.url = QStringLiteral("http://example.invalid:8080/x?y=1");
        MainWindow w(options);
        QCOMPARE(w.composer()->spec().url.toString(), options.url);
        QVERIFY(w.windowTitle().contains(QStringLiteral("example.invalid:8080")));
    }

    void savedTraceOpensReadOnly()
    {
        MainWindow::Options options;
        options.traceFile = QStringLiteral(HOPSCOPE_UI_TEST_DATA "/tour.jsonl");
        options.restoreSettings = false;
        MainWindow w(options);
        QCOMPARE(w.store()->connectionCount(), 5);
        QCOMPARE(w.connectionsPanel()->model()->rowCount(), 5);
        QCOMPARE(w.timelineModel()->arrows().size(), 1);
        QVERIFY(!w.composer()->isEnabled());
        QVERIFY(!w.engine()->demo().isValid());
        QVERIFY(w.windowTitle().contains(QStringLiteral("tour.jsonl")));
    }

    // Opening a file that is not all it should be says so in the window (not only the status
    // bar), and shows what could be read.
    void openedTraceSaysWhatItSkipped_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<int>("events");
        QTest::addColumn<QString>("says");
        const QByteArray close = R"({"seq":1,"t":0.1,"type":"close","conn":1,"reason":"x"})";
        QTest::newRow("fine") << close + "\n" << 1 << QString();
        QTest::newRow("empty") << QByteArray() << 0 << QStringLiteral("no events");
        QTest::newRow("bad line") << close + "\n{oops\n" << 1 << QStringLiteral("line 2");
        QTest::newRow("huge id")
            << close + "\n" + R"({"seq":2,"t":0.2,"type":"close","conn":4294967295,"reason":"y"})" +
                   "\n"
            << 2 << QStringLiteral("1 event, at seq 2, names");
    }

    void openedTraceSaysWhatItSkipped()
    {
        QFETCH(QByteArray, content);
        QFETCH(int, events);
        QFETCH(QString, says);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("t.jsonl"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.close();
        MainWindow::Options options;
        options.traceFile = path;
        options.restoreSettings = false;
        MainWindow w(options);
        QCOMPARE(int(w.store()->events().size()), events);
        QCOMPARE(w.traceNotice()->isVisibleTo(&w), !says.isEmpty());
        if (!says.isEmpty())
            QVERIFY2(w.traceNotice()->text().contains(says), qPrintable(w.traceNotice()->text()));
    }

    // Clearing starts the engine over with the store: the next request is req 1 on connection
    // #1, with no ghost rows for the numbers the store forgot.
    void clearStartsOverWithoutGhosts()
    {
        MainWindow::Options options;
        options.restoreSettings = false;
        MainWindow w(options);
        QSignalSpy ready(w.engine(), &EngineHost::demoReady);
        QVERIFY(ready.wait(10000));
        RequestSpec spec;
        spec.url = QUrl(w.engine()->demo().plainUrl + QStringLiteral("/status/200"));
        w.engine()->send(spec, 5, 5);
        QTRY_COMPARE_WITH_TIMEOUT(w.store()->completeCount(), 5, 10000);
        QVERIFY(w.store()->connectionCount() >= 1);

        QSignalSpy reset(w.store(), &SessionStore::reset);
        w.clearSession(MainWindow::Ask::No);
        QVERIFY(reset.wait(10000));
        QCOMPARE(w.store()->exchangeCount(), 0);
        QCOMPARE(w.engine()->inFlight(), 0);

        w.engine()->send(spec);
        QTRY_COMPARE_WITH_TIMEOUT(w.store()->completeCount(), 1, 10000);
        QCOMPARE(w.store()->exchangeCount(), 1); // req 1 again: no 5 ghosts before it
        QCOMPARE(w.store()->connectionCount(), 1);
        QCOMPARE(w.store()->exchange(1)->conn, 1u);
        QCOMPARE(w.store()->events().at(0).seq, quint64(1));    // a new trace
        QCOMPARE(w.connectionsPanel()->model()->rowCount(), 1); // no "Not connected" row
    }

    void clearIsNotOfferedForASavedTrace()
    {
        MainWindow::Options options;
        options.traceFile = QStringLiteral(HOPSCOPE_UI_TEST_DATA "/tour.jsonl");
        options.restoreSettings = false;
        MainWindow w(options);
        const int events = int(w.store()->events().size());
        QVERIFY(events > 0);
        w.clearSession(MainWindow::Ask::No);
        QTest::qWait(200);
        QCOMPARE(int(w.store()->events().size()), events);
        bool offered = false;
        for (QAction *a : w.findChildren<QAction *>())
            if (a->shortcut() == QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K))
                offered = a->isVisible() && a->isEnabled();
        QVERIFY(!offered);
    }

    void settingsKeepRecentUrls()
    {
        QSettings().clear();
        MainWindow::Options options;
        options.startDemo = false;
        {
            MainWindow w(options);
            w.composer()->addToHistory(QStringLiteral("http://one.invalid/"));
            w.close();
        }
        MainWindow again(options);
        QVERIFY(again.composer()->history().contains(QStringLiteral("http://one.invalid/")));
        QSettings().clear();
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
