// GUI flood benchmark, two modes.
//
// Synthetic (default): a generated session of ~100,000 exchanges and ~1,000,000 trace events,
// shaped like the engine's (h2c upgrades with many streams per connection, some WebSocket
// sessions, a few resets), fed into a SessionStore in batches of up to 4096 from a 16 ms timer
// (the engine's batching) while a window shows the trace log and the other session views.
//
// Engine (--engine): the real path. A real MainWindow (1600x1000, shown) starts its embedded
// demo server; then N requests (default 100,000) go through EngineHost::send() to it over
// HTTP/2 prior knowledge (or HTTP/1.1 keep-alive, or both at once), so the events are real:
// engine thread -> TraceStore batches -> queued signal -> SessionStore -> every pane. The clock
// stops when the store counts N finished exchanges. Then h2load sends the same N requests to
// the same demo server (it listens on loopback) as a peer figure.
//
// Measures: wall time and events/s (exchanges/s in engine mode), event-loop stalls (lateness
// of a 1 ms timer: p99, p99.9 and worst), the time to rebuild the trace log's filters over
// every event (through its filter bar), peak RSS. Prints a table with budget ratios (measured /
// budget) and a verdict line. Not a CTest test: speed is measured by hand
// (tests/bench/gui_flood.sh), never asserted in the suite. The generator is floodgenerator.h, the
// meters and the table floodmeasure.h.

#include "models/connectiontreemodel.h"
#include "models/framesmodel.h"
#if __has_include("widgets/connectionspanel.h")
#include "widgets/connectionspanel.h"
#endif
#if __has_include("widgets/exchangedetail.h")
#include "widgets/exchangedetail.h"
#endif
#include "engine/enginehost.h"
#include "mainwindow.h"
#include "models/tracelogmodel.h"
#include "session/sessionstore.h"
#include "style/apptheme.h"
#include "widgets/tracelogpanel.h"

#include "floodgenerator.h"
#include "floodmeasure.h"

#if __has_include("models/timelinemodel.h")
#include "models/timelinemodel.h"
#define HOPSCOPE_BENCH_HAS_TIMELINE_MODEL 1
#endif
#if __has_include("views/timelineview.h")
#include "views/timelineview.h"
#define HOPSCOPE_BENCH_HAS_TIMELINE_VIEW 1
#endif

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHeaderView>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <QTreeView>
#include <QUrl>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <deque>
#include <functional>
#include <vector>

using namespace hopscope;
using namespace hopscope::bench;

namespace {

// ---------------------------------------------------------------------------------------------
// Synthetic mode: the generated trace fed straight into a SessionStore.

struct SyntheticOptions
{
    int exchanges = 100000;
    int batchSize = 4096;
    int interval = 16;
    QStringList views;
    bool follow = true;
    int profileFilter = 0;
};

int runSynthetic(QApplication &app, const SyntheticOptions &opt, QTextStream &out)
{
    out << "Generating " << opt.exchanges << " exchanges…" << Qt::endl;
    QElapsedTimer clock;
    clock.start();
    Generator generator(opt.exchanges);
    std::deque<TraceBatch> batches = generator.generate(opt.batchSize);
    qint64 totalEvents = 0;
    for (const TraceBatch &b : batches)
        totalEvents += b.size();
    const double generateMs = double(clock.nsecsElapsed()) / 1e6;
    const qint64 rssAfterGenerate = statusKiB("VmRSS:");
    out << "  " << number(double(totalEvents)) << " events on " << generator.connections()
        << " connections in " << batches.size() << " batches, " << number(generateMs) << " ms, RSS "
        << number(double(rssAfterGenerate) / 1024.0) << " MiB" << Qt::endl;

    // The window, arranged as the main window does: connections on the left; the timeline,
    // the trace log and the detail of a live exchange on the right. --views picks a subset, so
    // that a stall can be pinned on one view.
    const QStringList &views = opt.views;
    SessionStore store;
    QSplitter window(Qt::Horizontal);
    window.resize(1600, 1000);
    auto *right = new QSplitter(Qt::Vertical);
    QStringList shown;
    std::function<void(quint32)> followExchange = [](quint32) {};
    if (views.contains(QStringLiteral("tree"))) {
#if __has_include("widgets/connectionspanel.h")
        auto *connections = new ConnectionsPanel(&store, &window);
        followExchange = [connections, prev = followExchange](quint32 req) {
            prev(req);
            connections->selectExchange(req);
        };
        shown << QStringLiteral("ConnectionsPanel (ConnectionTreeModel+proxy+QTreeView)");
#else
        auto *tree = new QTreeView(&window);
        tree->setUniformRowHeights(true);
        tree->setModel(new ConnectionTreeModel(&store, tree));
        shown << QStringLiteral("ConnectionTreeModel+QTreeView");
#endif
    }
    window.addWidget(right);
#ifdef HOPSCOPE_BENCH_HAS_TIMELINE_MODEL
    if (views.contains(QStringLiteral("timeline"))) {
        auto *timeline = new TimelineModel(&store, &window);
        shown << QStringLiteral("TimelineModel");
#ifdef HOPSCOPE_BENCH_HAS_TIMELINE_VIEW
        auto *timelineView = new TimelineView(right);
        timelineView->setModel(timeline);
        followExchange = [timelineView, prev = followExchange](quint32 req) {
            prev(req);
            timelineView->setSelectedExchange(req);
        };
        shown.last() += QStringLiteral("+TimelineView");
#endif
    }
#endif
    auto *log = new TraceLogPanel(&store, right);
    log->setFollow(opt.follow);
    shown << QStringLiteral("TraceLogPanel (follow %1)")
                 .arg(log->follows() ? QStringLiteral("on") : QStringLiteral("off"));
    if (!views.contains(QStringLiteral("log")))
        log->hide(); // still measured: the filter timings need it
    if (views.contains(QStringLiteral("detail"))) {
#if __has_include("widgets/exchangedetail.h")
        auto *detail = new ExchangeDetail(&store, right);
        followExchange = [detail, prev = followExchange](quint32 req) {
            prev(req);
            detail->setExchange(req);
        };
        shown << QStringLiteral("ExchangeDetail (follows a live exchange)");
#else
        auto *framesView = new QTableView(right);
        auto *framesModel = new FramesModel(&store, framesView);
        framesModel->setIncludeConnectionFrames(true);
        framesView->setModel(framesModel);
        followExchange = [framesModel, prev = followExchange](quint32 req) {
            prev(req);
            framesModel->setExchange(req);
        };
        shown << QStringLiteral("FramesModel+QTableView (follows a live exchange)");
#endif
    }
    window.setSizes({450, 1150});
    window.show();
    for (int i = 0; i < 10; ++i)
        app.processEvents();
    out << "Views: " << shown.join(QStringLiteral(", ")) << Qt::endl;

    StallMeter stalls;
    QTimer feeder;
    feeder.setInterval(opt.interval);
    AppendMeter appends;
    ExchangeFollower follower(followExchange);
    QElapsedTimer ingest;
    QObject::connect(&feeder, &QTimer::timeout, [&] {
        if (batches.empty()) {
            feeder.stop();
            // Let the last repaint and the deferred work happen before the clock stops.
            QTimer::singleShot(50, &app, &QCoreApplication::quit);
            return;
        }
        appends.measure(&store, batches.front());
        batches.pop_front(); // the store holds the only copy now, as with the engine
        follower.update(store.exchangeCount());
    });
    out << "Feeding…" << Qt::endl;
    const QString loadBefore = loadAverage();
    const double cpuBefore = processCpuMs();
    stalls.start();
    ingest.start();
    feeder.start();
    app.exec();
    const double ingestMs = double(ingest.nsecsElapsed()) / 1e6 - 50;
    stalls.stop();
    const double ingestCpuMs = processCpuMs() - cpuBefore;
    const StallSummary stall = summarize(stalls);

    const FilterPlan plan{QStringLiteral("/item/4242"), TraceLogPanel::Kind::WebSocket,
                          QStringLiteral("ws."), 7};
    const FilterTimings filters = measureFilters(app, log, plan, opt.profileFilter);
    const double events = double(store.events().size());

    Table table(out);
    table.row(QStringLiteral("events"), number(events));
    table.row(QStringLiteral("exchanges / connections"),
              QStringLiteral("%1 / %2").arg(store.exchangeCount()).arg(store.connectionCount()));
    table.row(QStringLiteral("generate (not GUI)"), number(generateMs) + QStringLiteral(" ms"));
    table.row(QStringLiteral("ingest wall (16 ms batches)"),
              number(ingestMs) + QStringLiteral(" ms"));
    table.row(QStringLiteral("events/s (wall)"), number(events / (ingestMs / 1000.0)));
    table.row(QStringLiteral("GUI busy in append() (store+models)"),
              number(double(appends.busyNs()) / 1e6) + QStringLiteral(" ms"));
    table.row(QStringLiteral("events/s (append busy)"),
              number(events / (double(appends.busyNs()) / 1e9)));
    table.row(QStringLiteral("worst append() of one batch"),
              number(appends.worstMs(), 1) + QStringLiteral(" ms"));
    table.note(QStringLiteral("slowest batches (store size after): ") + appends.slowest(4));
    table.row(QStringLiteral("RSS after generating"),
              number(double(rssAfterGenerate) / 1024.0) + QStringLiteral(" MiB"));
    table.sharedRows(stall, filters, plan, ingestCpuMs, loadBefore);
    return table.verdict(stall, filters);
}

// ---------------------------------------------------------------------------------------------
// Engine mode: the real window, the real engine thread, the embedded demo server.

struct EngineOptions
{
    int exchanges = 100000;
    int parallel = 100;
    QString protocol = QStringLiteral("h2c"); // h2c, h1 or mixed
    QString path = QStringLiteral("/bytes/64");
    bool peer = true;
    int hangSeconds = 60; // no exchange finishing for this long: report a hang and stop
    // Diagnosis: the GUI counts the batches and drops them (and the bodies), so that the
    // engine's and the demo server's own memory and speed show without the store and views.
    bool engineOnly = false;
    // Screenshots: the window's size, and a file to save it to after the run (with a stream
    // two thirds of the way selected, so that its page is open in the tree).
    QSize windowSize{1600, 1000};
    QString screenshot;
    // Diagnosis: panes hidden during the run (tree, timeline, detail), to see what the stalls
    // are made of. Their models still take every batch.
    QStringList hide;
};

// h2load's verdict on the same server: requests/s and how many of them succeeded.
struct PeerResult
{
    bool ran = false;
    double reqPerSec = 0;
    qint64 succeeded = 0;
    qint64 failed = 0;
    double wallMs = 0;
    QString error;
    QString command;
};

// Runs h2load while this thread's event loop keeps running (the demo server answers it from
// the engine thread in this process).
PeerResult runH2load(const QStringList &args)
{
    PeerResult r;
    r.command = QStringLiteral("h2load ") + args.join(QLatin1Char(' '));
    QProcess h2load;
    h2load.setProcessChannelMode(QProcess::MergedChannels);
    QEventLoop loop;
    QObject::connect(&h2load, &QProcess::finished, &loop, &QEventLoop::quit);
    QObject::connect(&h2load, &QProcess::errorOccurred, &loop, &QEventLoop::quit);
    QTimer::singleShot(300000, &loop, &QEventLoop::quit);
    QElapsedTimer t;
    t.start();
    h2load.start(QStringLiteral("h2load"), args);
    loop.exec();
    r.wallMs = double(t.nsecsElapsed()) / 1e6;
    if (h2load.state() != QProcess::NotRunning) {
        h2load.kill();
        h2load.waitForFinished(2000);
        r.error = QStringLiteral("timed out after 300 s");
        return r;
    }
    if (h2load.error() == QProcess::FailedToStart) {
        r.error = QStringLiteral("h2load did not start (is nghttp2-client installed?)");
        return r;
    }
    const QString output = QString::fromLocal8Bit(h2load.readAll());
    const QRegularExpressionMatch rate =
        QRegularExpression(QStringLiteral("finished in [^,]+, ([0-9.]+) req/s")).match(output);
    const QRegularExpressionMatch counts =
        QRegularExpression(QStringLiteral("(\\d+) succeeded, (\\d+) failed")).match(output);
    if (!rate.hasMatch() || !counts.hasMatch()) {
        r.error = QStringLiteral("unexpected h2load output: ") + output.right(400).simplified();
        return r;
    }
    r.ran = true;
    r.reqPerSec = rate.captured(1).toDouble();
    r.succeeded = counts.captured(1).toLongLong();
    r.failed = counts.captured(2).toLongLong();
    return r;
}

// "h2 ×1000, http/1.1 ×1000": what the responses actually came over (response.complete).
QString responseProtocols(const SessionStore &store)
{
    QMap<QString, int> protocols;
    for (const TraceEvent &ev : store.events())
        if (ev.is(EventType::ResponseComplete))
            ++protocols[ev.field(Field::Protocol).toString()];
    QStringList out;
    for (auto it = protocols.cbegin(); it != protocols.cend(); ++it)
        out << QStringLiteral("%1 ×%2").arg(it.key()).arg(it.value());
    return out.join(QStringLiteral(", "));
}

// "h2-rst:REFUSED_STREAM ×3, timeout ×1" from the session's request.failed events.
QString failureCodes(const SessionStore &store)
{
    QMap<QString, int> codes;
    QString firstMessage;
    for (const TraceEvent &ev : store.events()) {
        if (!ev.is(EventType::RequestFailed))
            continue;
        ++codes[ev.field(Field::Code).toString()];
        if (firstMessage.isEmpty())
            firstMessage = QStringLiteral("req %1: %2")
                               .arg(ev.scope.req)
                               .arg(ev.field(Field::Error).toString());
    }
    QStringList out;
    for (auto it = codes.cbegin(); it != codes.cend(); ++it)
        out << QStringLiteral("%1 ×%2").arg(it.key()).arg(it.value());
    if (!firstMessage.isEmpty())
        out << QStringLiteral("first: ") + firstMessage;
    return out.join(QStringLiteral(", "));
}

int runEngine(QApplication &app, const EngineOptions &opt, QTextStream &out)
{
    QStandardPaths::setTestModeEnabled(true); // no settings read or written
    MainWindow::Options windowOptions;
    windowOptions.startDemo = true;
    windowOptions.restoreSettings = false;
    MainWindow window(windowOptions);
    window.resize(opt.windowSize);
    window.show();
    if (opt.hide.contains(QLatin1String("tree")))
        window.connectionsPanel()->hide();
    if (opt.hide.contains(QLatin1String("timeline")))
        window.timeline()->hide();
    if (opt.hide.contains(QLatin1String("detail")))
        window.detail()->hide();
    EngineHost *engine = window.engine();
    SessionStore *store = window.store();

    QString demoError;
    {
        QEventLoop loop;
        QObject::connect(&window, &MainWindow::demoReady, &loop, &QEventLoop::quit);
        QObject::connect(engine, &EngineHost::demoFailed, &loop, [&](const QString &message) {
            demoError = message;
            loop.quit();
        });
        QTimer::singleShot(20000, &loop, &QEventLoop::quit);
        loop.exec();
    }
    const DemoEndpoints demo = engine->demo();
    if (!demo.isValid()) {
        out << "The demo server did not start: "
            << (demoError.isEmpty() ? QStringLiteral("no demoReady within 20 s") : demoError)
            << Qt::endl;
        return 2;
    }
    for (int i = 0; i < 10; ++i)
        app.processEvents();

    RequestSpec spec;
    spec.url = QUrl(demo.plainUrl + opt.path);
    spec.protocol = ProtocolPolicy::H2cPrior;
    RequestSpec h1 = spec;
    h1.protocol = ProtocolPolicy::Http1Only;
    out << "Demo server " << demo.plainUrl << "; sending " << opt.exchanges << " × GET " << opt.path
        << " (" << opt.protocol << ", " << opt.parallel
        << " in flight) through EngineHost to the shown MainWindow (" << opt.windowSize.width()
        << "x" << opt.windowSize.height() << ")…" << Qt::endl;

    // The window feeds batches to its store directly; the same call, wrapped in a timer.
    AppendMeter appends;
    QObject::disconnect(engine, &EngineHost::eventsAppended, store, &SessionStore::append);
    int droppedFinished = 0;
    qint64 droppedEvents = 0;
    ExchangeFollower follower([&window](quint32 req) { window.selectExchange(req); });

    const int before = store->completeCount() + store->failedCount();
    const qint64 rssBefore = statusKiB("VmRSS:");
    auto finished = [&] {
        return opt.engineOnly ? droppedFinished
                              : store->completeCount() + store->failedCount() - before;
    };
    // Its own loop, not app.exec(): once QCoreApplication::exec() returned, every later
    // QEventLoop::exec() (the h2load wait) would return at once.
    QEventLoop flood;
    StallMeter stalls;
    QElapsedTimer clock;
    double wallMs = 0;
    bool hung = false;
    auto checkDone = [&] {
        if (wallMs == 0 && finished() >= opt.exchanges) {
            wallMs = double(clock.nsecsElapsed()) / 1e6;
            // Let the last repaint and the deferred work happen before the meter stops.
            QTimer::singleShot(50, &flood, &QEventLoop::quit);
        }
    };
    if (opt.engineOnly) {
        QObject::disconnect(engine, &EngineHost::bodiesReady, store, &SessionStore::addBodies);
        QObject::connect(engine, &EngineHost::eventsAppended, store, [&](const TraceBatch &batch) {
            droppedEvents += batch.size();
            for (const TraceEvent &ev : batch)
                droppedFinished +=
                    ev.is(EventType::ResponseComplete) || ev.is(EventType::RequestFailed);
            checkDone();
        });
    } else {
        QObject::connect(engine, &EngineHost::eventsAppended, store,
                         [&](const TraceBatch &batch) { appends.measure(store, batch); });
    }
    QObject::connect(store, &SessionStore::changed, &app, [&] {
        follower.update(store->exchangeCount());
        checkDone();
    });
    // Progress once a second (every fifth printed), RSS sampled, a hang reported.
    QTimer progress;
    progress.setInterval(1000);
    int lastFinished = 0, quietSeconds = 0, ticks = 0;
    qint64 rssPeakDuring = 0;
    QObject::connect(&progress, &QTimer::timeout, &app, [&] {
        const qint64 rss = statusKiB("VmRSS:");
        rssPeakDuring = std::max(rssPeakDuring, rss);
        const int done = finished();
        quietSeconds = done == lastFinished ? quietSeconds + 1 : 0;
        lastFinished = done;
        if (++ticks % 5 == 0 || quietSeconds == opt.hangSeconds)
            out << QStringLiteral("  %1 s: %2 / %3 finished (%4 failed), %5 events, GUI in flight "
                                  "%6, RSS %7 MiB")
                       .arg(ticks, 3)
                       .arg(done)
                       .arg(opt.exchanges)
                       .arg(store->failedCount())
                       .arg(number(double(store->events().size())))
                       .arg(engine->inFlight())
                       .arg(number(double(rss) / 1024.0))
                << Qt::endl;
        if (quietSeconds >= opt.hangSeconds && wallMs == 0) {
            hung = true;
            wallMs = double(clock.nsecsElapsed()) / 1e6;
            flood.quit();
        }
    });

    const QString loadBefore = loadAverage();
    const double cpuBefore = processCpuMs();
    const double guiCpuBefore = threadCpuMs();
    stalls.start();
    progress.start();
    clock.start();
    if (opt.protocol == QLatin1String("mixed")) {
        engine->send(spec, opt.exchanges - opt.exchanges / 2, opt.parallel);
        engine->send(h1, opt.exchanges / 2, opt.parallel);
    } else {
        engine->send(opt.protocol == QLatin1String("h1") ? h1 : spec, opt.exchanges, opt.parallel);
    }
    flood.exec();
    progress.stop();
    stalls.stop();
    const double runCpuMs = processCpuMs() - cpuBefore;
    const double guiCpuMs = threadCpuMs() - guiCpuBefore;
    const StallSummary stall = summarize(stalls);
    const qint64 rssAfter = statusKiB("VmRSS:");
    const int done = finished();
    if (hung)
        out << "HANG: no exchange finished for " << opt.hangSeconds << " s; " << done << " of "
            << opt.exchanges << " finished, the GUI counts " << engine->inFlight() << " in flight"
            << Qt::endl;

    if (!opt.screenshot.isEmpty()) {
        // The fourth stream of a page two thirds of the way, its page row in the middle of the
        // tree with the collapsed pages before it.
        const quint32 req = quint32(store->exchangeCount() * 2 / 3 / 1000 * 1000 + 4);
        window.selectExchange(req);
        QTreeView *tree = window.connectionsPanel()->view();
        tree->scrollTo(tree->currentIndex().parent(), QAbstractItemView::PositionAtCenter);
        QElapsedTimer settle;
        settle.start();
        while (settle.elapsed() < 500)
            app.processEvents(QEventLoop::AllEvents, 50);
        const bool saved = window.grab().save(opt.screenshot);
        out << (saved ? "Screenshot saved to " : "Could not save ") << opt.screenshot << Qt::endl;
    }

    const FilterPlan plan{opt.path, TraceLogPanel::Kind::Http2, QStringLiteral("h2."), 1};
    const FilterTimings filters = measureFilters(app, window.traceLog(), plan, 0);

    // The peer, once the window is idle: h2load against the same demo server.
    PeerResult peer;
    const int connections = store->connectionCount();
    if (opt.peer && opt.protocol != QLatin1String("mixed")) {
        const int eventsBefore = int(store->events().size());
        QStringList args{QStringLiteral("-n"), QString::number(opt.exchanges)};
        if (opt.protocol == QLatin1String("h1"))
            args << QStringLiteral("--h1") << QStringLiteral("-c")
                 << QString::number(std::max(1, connections)) << QStringLiteral("-m")
                 << QStringLiteral("1");
        else
            args << QStringLiteral("-c") << QStringLiteral("1") << QStringLiteral("-m")
                 << QString::number(opt.parallel);
        args << demo.plainUrl + opt.path;
        out << "Peer: h2load " << args.join(QLatin1Char(' ')) << "…" << Qt::endl;
        peer = runH2load(args);
        if (int(store->events().size()) != eventsBefore)
            out << "  (the session grew by " << int(store->events().size()) - eventsBefore
                << " events during h2load)" << Qt::endl;
    }

    const double events = opt.engineOnly ? double(droppedEvents) : double(store->events().size());
    const double seconds = wallMs / 1000.0;
    if (opt.engineOnly)
        out << "ENGINE ONLY: the GUI dropped every batch and body (store and views idle)"
            << Qt::endl;
    Table table(out);
    table.row(QStringLiteral("events"), number(events));
    table.row(QStringLiteral("exchanges / connections"),
              QStringLiteral("%1 / %2").arg(store->exchangeCount()).arg(connections));
    table.row(QStringLiteral("finished: complete / failed"),
              QStringLiteral("%1 / %2").arg(store->completeCount()).arg(store->failedCount()));
    if (store->failedCount() > 0)
        table.note(QStringLiteral("failures: ") + failureCodes(*store));
    table.note(QStringLiteral("responses by protocol: ") + responseProtocols(*store));
    table.row(QStringLiteral("end-to-end wall (send → all in store)"),
              number(wallMs) + QStringLiteral(" ms"));
    table.row(QStringLiteral("exchanges/s (wall)"), number(double(done) / seconds));
    table.row(QStringLiteral("events/s (wall)"), number(events / seconds));
    table.row(QStringLiteral("batches from the engine thread"),
              QStringLiteral("%1").arg(number(double(appends.batches()))));
    table.note(QStringLiteral("mean %1 events, largest %2")
                   .arg(number(events / double(std::max<size_t>(1, appends.batches())), 0))
                   .arg(appends.largestBatch()));
    table.row(QStringLiteral("GUI busy in append() (store+models)"),
              number(double(appends.busyNs()) / 1e6) + QStringLiteral(" ms"));
    table.row(QStringLiteral("worst append() of one batch"),
              number(appends.worstMs(), 1) + QStringLiteral(" ms"));
    table.note(QStringLiteral("slowest batches (store size after): ") + appends.slowest(4));
    table.row(QStringLiteral("RSS before sending / after"),
              QStringLiteral("%1 / %2 MiB")
                  .arg(number(double(rssBefore) / 1024.0), number(double(rssAfter) / 1024.0)));
    table.row(QStringLiteral("RSS growth per exchange"),
              number(double(rssAfter - rssBefore) * 1024.0 / std::max(1, done)) +
                  QStringLiteral(" B"));
    // Where it goes: the trace itself (records, fields, capacity) is the part no view can drop.
    table.note(QStringLiteral("of which the trace log: %1 B per exchange (%2 events each)")
                   .arg(number(double(store->events().bytesUsed()) / std::max(1, done)),
                        number(double(store->events().size()) / std::max(1, done), 1)));
    table.row(QStringLiteral("GUI thread CPU during the run"),
              number(guiCpuMs) + QStringLiteral(" ms"));
    table.sharedRows(stall, filters, plan, runCpuMs, loadBefore);
    if (peer.ran) {
        table.row(QStringLiteral("h2load on the same server"),
                  number(peer.reqPerSec) + QStringLiteral(" req/s"));
        table.note(QStringLiteral("%1: %2 succeeded, %3 failed, %4 ms")
                       .arg(peer.command)
                       .arg(peer.succeeded)
                       .arg(peer.failed)
                       .arg(number(peer.wallMs)));
        const double ours = double(done) / seconds;
        out << Qt::endl
            << QStringLiteral("Hopscope GUI end-to-end vs h2load: %1 req/s vs %2 req/s (%3)")
                   .arg(number(ours), number(peer.reqPerSec), number(ours / peer.reqPerSec, 3))
            << Qt::endl;
    } else if (!peer.error.isEmpty()) {
        out << Qt::endl << "h2load: " << peer.error << Qt::endl;
    }
    QStringList over;
    if (hung)
        over << QStringLiteral("hang");
    if (done < opt.exchanges)
        over << QStringLiteral("%1 of %2 finished").arg(done).arg(opt.exchanges);
    if (store->failedCount() > 0)
        over << QStringLiteral("%1 failed").arg(store->failedCount());
    return table.verdict(stall, filters, over);
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCommandLineParser cli;
    cli.setApplicationDescription(QStringLiteral("Hopscope GUI flood benchmark"));
    cli.addHelpOption();
    QCommandLineOption exchangesOpt(QStringLiteral("exchanges"),
                                    QStringLiteral("Exchanges to generate or send (default "
                                                   "100000)."),
                                    QStringLiteral("n"), QStringLiteral("100000"));
    QCommandLineOption batchOpt(QStringLiteral("batch"),
                                QStringLiteral("Events per batch (default 4096)."),
                                QStringLiteral("n"), QStringLiteral("4096"));
    QCommandLineOption intervalOpt(QStringLiteral("interval"),
                                   QStringLiteral("Milliseconds between batches (default 16)."),
                                   QStringLiteral("ms"), QStringLiteral("16"));
    QCommandLineOption viewsOpt(
        QStringLiteral("views"),
        QStringLiteral("Views to show, of tree,timeline,log,detail (default all of them)."),
        QStringLiteral("list"), QStringLiteral("tree,timeline,log,detail"));
    QCommandLineOption noFollowOpt(QStringLiteral("no-follow"),
                                   QStringLiteral("Do not follow the newest row."));
    QCommandLineOption profileFilterOpt(
        QStringLiteral("profile-filter"),
        QStringLiteral("After the run, rebuild a text filter this many times (for perf)."),
        QStringLiteral("n"), QStringLiteral("0"));
    QCommandLineOption engineOpt(
        QStringLiteral("engine"),
        QStringLiteral("Engine mode: the real MainWindow sends the requests through its engine "
                       "thread to the embedded demo server."));
    QCommandLineOption parallelOpt(QStringLiteral("parallel"),
                                   QStringLiteral("Engine mode: requests in flight (default 100)."),
                                   QStringLiteral("n"), QStringLiteral("100"));
    QCommandLineOption protocolOpt(
        QStringLiteral("protocol"),
        QStringLiteral("Engine mode: h2c (prior knowledge, default), h1 (HTTP/1.1 keep-alive) or "
                       "mixed (half each, at once)."),
        QStringLiteral("mode"), QStringLiteral("h2c"));
    QCommandLineOption pathOpt(QStringLiteral("path"),
                               QStringLiteral("Engine mode: the demo path (default /bytes/64)."),
                               QStringLiteral("path"), QStringLiteral("/bytes/64"));
    QCommandLineOption noPeerOpt(QStringLiteral("no-peer"),
                                 QStringLiteral("Engine mode: skip the h2load comparison."));
    QCommandLineOption engineOnlyOpt(
        QStringLiteral("engine-only"),
        QStringLiteral("Engine mode, diagnosis: drop the batches and bodies in the GUI thread "
                       "(the engine and demo server alone)."));
    QCommandLineOption hangOpt(
        QStringLiteral("hang-seconds"),
        QStringLiteral("Engine mode: stop when nothing finished for this long (default 60)."),
        QStringLiteral("s"), QStringLiteral("60"));
    QCommandLineOption screenshotOpt(
        QStringLiteral("screenshot"),
        QStringLiteral("Engine mode: save the window to this PNG after the run (a stream two "
                       "thirds of the way selected). HOPSCOPE_THEME=dark|light picks the theme."),
        QStringLiteral("file"));
    QCommandLineOption sizeOpt(QStringLiteral("size"),
                               QStringLiteral("Engine mode: window size (default 1600x1000)."),
                               QStringLiteral("WxH"), QStringLiteral("1600x1000"));
    QCommandLineOption hideOpt(
        QStringLiteral("hide"),
        QStringLiteral("Engine mode, diagnosis: panes to hide during the run, of "
                       "tree,timeline,detail (their models still update)."),
        QStringLiteral("list"));
    cli.addOptions({exchangesOpt, batchOpt, intervalOpt, viewsOpt, noFollowOpt, profileFilterOpt,
                    engineOpt, parallelOpt, protocolOpt, pathOpt, noPeerOpt, hangOpt, engineOnlyOpt,
                    screenshotOpt, sizeOpt, hideOpt});
    cli.process(app);
    QTextStream out(stdout);
    const int exchanges = std::max(1, cli.value(exchangesOpt).toInt());

    if (cli.isSet(engineOpt)) {
        EngineOptions opt;
        opt.exchanges = exchanges;
        opt.parallel = std::max(1, cli.value(parallelOpt).toInt());
        opt.protocol = cli.value(protocolOpt);
        if (!QStringList{QStringLiteral("h2c"), QStringLiteral("h1"), QStringLiteral("mixed")}
                 .contains(opt.protocol)) {
            out << "--protocol is h2c, h1 or mixed" << Qt::endl;
            return 2;
        }
        opt.path = cli.value(pathOpt);
        opt.peer = !cli.isSet(noPeerOpt);
        opt.hangSeconds = std::max(1, cli.value(hangOpt).toInt());
        opt.engineOnly = cli.isSet(engineOnlyOpt);
        opt.screenshot = cli.value(screenshotOpt);
        opt.hide = cli.value(hideOpt).split(QLatin1Char(','), Qt::SkipEmptyParts);
        const QStringList size = cli.value(sizeOpt).split(QLatin1Char('x'));
        if (size.size() == 2 && size[0].toInt() > 0 && size[1].toInt() > 0)
            opt.windowSize = QSize(size[0].toInt(), size[1].toInt());
        if (qEnvironmentVariableIsSet("HOPSCOPE_THEME"))
            applySystemTheme(app);
        return runEngine(app, opt, out);
    }
    SyntheticOptions opt;
    opt.exchanges = exchanges;
    opt.batchSize = std::clamp(cli.value(batchOpt).toInt(), 1, 1 << 20);
    opt.interval = std::max(0, cli.value(intervalOpt).toInt());
    opt.views = cli.value(viewsOpt).split(QLatin1Char(','), Qt::SkipEmptyParts);
    opt.follow = !cli.isSet(noFollowOpt);
    opt.profileFilter = cli.value(profileFilterOpt).toInt();
    return runSynthetic(app, opt, out);
}
