// GUI flood benchmark: a synthetic session of ~100,000 exchanges and ~1,000,000 trace events,
// shaped like the engine's (h2c upgrades with many streams per connection, some WebSocket
// sessions, a few resets), fed into a SessionStore in batches of up to 4096 from a 16 ms timer
// (the engine's batching) while a window shows the trace log and the other session views.
//
// Measures: ingest time and events/s, event-loop stalls (lateness of a 1 ms timer: p99 and
// worst), the time to rebuild the trace log's filter over every event, peak RSS. Prints a table
// with budget ratios (measured / budget) and a verdict line. Not a CTest test: speed is
// measured by hand (tests/bench/gui_flood.sh), never asserted in the suite.

#include "models/connectiontreemodel.h"
#include "models/framesmodel.h"
#if __has_include("widgets/connectionspanel.h")
#include "widgets/connectionspanel.h"
#endif
#if __has_include("widgets/exchangedetail.h")
#include "widgets/exchangedetail.h"
#endif
#include "models/tracelogmodel.h"
#include "session/sessionstore.h"
#include "widgets/tracelogpanel.h"

#if __has_include("models/timelinemodel.h")
#include "models/timelinemodel.h"
#define HOPSCOPE_BENCH_HAS_TIMELINE_MODEL 1
#endif
#if __has_include("views/timelineview.h")
#include "views/timelineview.h"
#define HOPSCOPE_BENCH_HAS_TIMELINE_VIEW 1
#endif

#include <QApplication>
#include <QCborArray>
#include <QCborMap>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QSplitter>
#include <QTableView>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <QTreeView>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <deque>
#include <functional>
#include <vector>

using namespace hopscope;

namespace {

constexpr double kStallP99BudgetMs = 50;
constexpr double kStallWorstBudgetMs = 250;
constexpr double kFilterBudgetMs = 1000;

// ---------------------------------------------------------------------------------------------
// Synthetic trace

class Generator
{
public:
    explicit Generator(int exchanges) : m_targetExchanges(exchanges) {}

    // Everything, in batches of at most `batchSize` events.
    std::deque<TraceBatch> generate(int batchSize)
    {
        // Eight connections are busy at any time, taking turns one exchange at a time, so every
        // batch touches several connections and many exchanges (as a parallel load does).
        constexpr int kActive = 8;
        std::vector<Conn> active;
        while (m_reqs < m_targetExchanges || !active.empty()) {
            while (int(active.size()) < kActive && m_reqs < m_targetExchanges)
                active.push_back(openConnection());
            for (size_t i = 0; i < active.size();) {
                Conn &c = active[i];
                if (c.websocket) {
                    webSocketSession(c);
                    c.remaining = 0;
                } else if (m_reqs < m_targetExchanges) {
                    h2Exchange(c);
                    --c.remaining;
                }
                if (c.remaining <= 0 || m_reqs >= m_targetExchanges) {
                    event("close", c.id, 0, -1, Direction::None,
                          {{QStringLiteral("reason"), QStringLiteral("run finished")}});
                    active.erase(active.begin() + qsizetype(i));
                } else {
                    ++i;
                }
            }
        }
        std::deque<TraceBatch> batches;
        for (qsizetype i = 0; i < m_events.size(); i += batchSize)
            batches.push_back(m_events.mid(i, batchSize));
        m_events.clear();
        m_events.squeeze();
        return batches;
    }

    int exchanges() const { return m_reqs; }
    int connections() const { return int(m_conns); }

private:
    struct Conn
    {
        quint32 id = 0;
        int nextStream = 3;
        int remaining = 0;
        bool websocket = false;
        quint32 wsReq = 0; // the WebSocket upgrade request, whose session the connection carries
    };

    void event(const char *type, quint32 conn, quint32 req, qint32 stream, Direction dir,
               QCborMap fields)
    {
        TraceEvent ev;
        ev.seq = ++m_seq;
        m_tNs += 3000 + qint64(m_seq % 7) * 1000; // a few µs apart, like a busy loopback run
        ev.tNs = m_tNs;
        ev.type = type;
        ev.scope = {conn, req, stream};
        ev.dir = dir;
        ev.fields = std::move(fields);
        m_events.append(std::move(ev));
    }

    static QCborArray pair(const QString &name, const QString &value)
    {
        return QCborArray{name, value};
    }

    QString origin() const { return QStringLiteral("http://127.0.0.1:8080"); }

    void frame(quint32 conn, quint32 req, qint32 stream, Direction dir, const QString &type,
               QCborArray flags, qint64 length, QCborMap extra = {})
    {
        QCborMap f{{QStringLiteral("frame"), type},
                   {QStringLiteral("flags"), flags},
                   {QStringLiteral("length"), length}};
        for (auto it = extra.cbegin(); it != extra.cend(); ++it)
            f.insert(it.key(), it.value());
        event("h2.frame", conn, req, stream, dir, std::move(f));
    }

    void net(const char *type, quint32 conn, quint32 req, qint64 bytes)
    {
        event(type, conn, req, -1,
              std::strcmp(type, "net.write") == 0 ? Direction::Out : Direction::In,
              {{QStringLiteral("bytes"), bytes}});
    }

    quint32 requestStart(const QString &path)
    {
        const quint32 req = quint32(++m_reqs);
        event("request.start", 0, req, -1, Direction::None,
              {{QStringLiteral("method"), QStringLiteral("GET")},
               {QStringLiteral("url"), origin() + path}});
        return req;
    }

    // pool.open … 101 → h2c … SETTINGS exchange; the upgrade request is answered on stream 1.
    Conn openConnection()
    {
        Conn c;
        c.id = ++m_conns;
        c.websocket = c.id % 25 == 0;
        c.remaining = 100;
        const QString path = c.websocket ? QStringLiteral("/ws/%1").arg(c.id)
                                         : QStringLiteral("/item/%1").arg(m_reqs + 1);
        const quint32 req = requestStart(path);
        const QString token = c.websocket ? QStringLiteral("websocket") : QStringLiteral("h2c");
        event("pool.open", c.id, req, -1, Direction::None, {{QStringLiteral("origin"), origin()}});
        event("connect.attempt", c.id, req, -1, Direction::None,
              {{QStringLiteral("address"), QStringLiteral("127.0.0.1")},
               {QStringLiteral("port"), 8080}});
        event("connect", c.id, req, -1, Direction::None,
              {{QStringLiteral("host"), QStringLiteral("127.0.0.1")},
               {QStringLiteral("port"), 8080},
               {QStringLiteral("address"), QStringLiteral("127.0.0.1")},
               {QStringLiteral("ms"), 0.21}});
        QCborArray headers{pair(QStringLiteral("Host"), QStringLiteral("127.0.0.1:8080")),
                           pair(QStringLiteral("User-Agent"), QStringLiteral("hopscope/0.1.0")),
                           pair(QStringLiteral("Accept"), QStringLiteral("*/*")),
                           pair(QStringLiteral("Connection"), QStringLiteral("Upgrade")),
                           pair(QStringLiteral("Upgrade"), token)};
        event("h1.request", c.id, req, -1, Direction::Out,
              {{QStringLiteral("method"), QStringLiteral("GET")},
               {QStringLiteral("target"), path},
               {QStringLiteral("version"), QStringLiteral("HTTP/1.1")},
               {QStringLiteral("headers"), headers}});
        event("upgrade.offer", c.id, req, -1, Direction::None,
              {{QStringLiteral("protocol"), token}, {QStringLiteral("withBody"), false}});
        net("net.write", c.id, req, 198);
        net("net.read", c.id, req, 111);
        event("h1.response", c.id, req, -1, Direction::In,
              {{QStringLiteral("status"), 101},
               {QStringLiteral("reason"), QStringLiteral("Switching Protocols")},
               {QStringLiteral("version"), QStringLiteral("HTTP/1.1")},
               {QStringLiteral("headers"),
                QCborArray{pair(QStringLiteral("Connection"), QStringLiteral("Upgrade")),
                           pair(QStringLiteral("Upgrade"), token)}},
               {QStringLiteral("bytes"), 71}});
        event("upgrade.switch", c.id, req, -1, Direction::None,
              {{QStringLiteral("protocol"), token},
               {QStringLiteral("leftoverBytes"), c.websocket ? 0 : 40}});
        if (c.websocket) {
            c.wsReq = req;
            return c;
        }
        const QCborArray ours{QCborArray{QStringLiteral("ENABLE_PUSH"), 0},
                              QCborArray{QStringLiteral("INITIAL_WINDOW_SIZE"), 33554432},
                              QCborArray{QStringLiteral("MAX_CONCURRENT_STREAMS"), 100}};
        frame(c.id, 0, 0, Direction::Out, QStringLiteral("SETTINGS"), {}, 18,
              {{QStringLiteral("settings"), ours}});
        frame(c.id, 0, 0, Direction::Out, QStringLiteral("WINDOW_UPDATE"), {}, 4,
              {{QStringLiteral("increment"), 1073676289}});
        net("net.write", c.id, 0, 76);
        net("net.read", c.id, 0, 40);
        const QCborArray theirs{QCborArray{QStringLiteral("MAX_CONCURRENT_STREAMS"), 100},
                                QCborArray{QStringLiteral("INITIAL_WINDOW_SIZE"), 16777216}};
        frame(c.id, 0, 0, Direction::In, QStringLiteral("SETTINGS"), {}, 12,
              {{QStringLiteral("settings"), theirs}});
        frame(c.id, 0, 0, Direction::Out, QStringLiteral("SETTINGS"),
              QCborArray{QStringLiteral("ACK")}, 0, {{QStringLiteral("settings"), QCborArray()}});
        response(c.id, req, 1, path);
        --c.remaining;
        return c;
    }

    void response(quint32 conn, quint32 req, qint32 stream, const QString &path)
    {
        frame(conn, req, stream, Direction::In, QStringLiteral("HEADERS"),
              QCborArray{QStringLiteral("END_HEADERS")}, 59);
        event("h2.headers", conn, req, stream, Direction::In,
              {{QStringLiteral("headers"),
                QCborArray{pair(QStringLiteral(":status"), QStringLiteral("200")),
                           pair(QStringLiteral("server"), QStringLiteral("hopscope-demo/0.1.0")),
                           pair(QStringLiteral("content-type"), QStringLiteral("text/plain")),
                           pair(QStringLiteral("content-length"), QStringLiteral("32768"))}},
               {QStringLiteral("kind"), QStringLiteral("response")}});
        frame(conn, req, stream, Direction::In, QStringLiteral("DATA"), {}, 16384);
        frame(conn, req, stream, Direction::In, QStringLiteral("DATA"),
              QCborArray{QStringLiteral("END_STREAM")}, 16384);
        Q_UNUSED(path);
        event("response.complete", conn, req, stream, Direction::None,
              {{QStringLiteral("status"), 200},
               {QStringLiteral("bytes"), 32768},
               {QStringLiteral("protocol"), QStringLiteral("h2")},
               {QStringLiteral("timings"), QCborMap{{QStringLiteral("dns"), -1},
                                                    {QStringLiteral("connect"), -1},
                                                    {QStringLiteral("tls"), -1},
                                                    {QStringLiteral("send"), 0.02},
                                                    {QStringLiteral("wait"), 0.4},
                                                    {QStringLiteral("receive"), 0.1},
                                                    {QStringLiteral("total"), 0.55}}}});
    }

    // One more stream on an h2c connection; every 500th is refused with RST_STREAM.
    void h2Exchange(Conn &c)
    {
        const QString path = QStringLiteral("/item/%1").arg(m_reqs + 1);
        const quint32 req = requestStart(path);
        const qint32 stream = c.nextStream;
        c.nextStream += 2;
        event("pool.reuse", c.id, req, -1, Direction::None, {{QStringLiteral("origin"), origin()}});
        frame(c.id, req, stream, Direction::Out, QStringLiteral("HEADERS"),
              QCborArray{QStringLiteral("END_STREAM"), QStringLiteral("END_HEADERS")}, 24);
        event("h2.headers", c.id, req, stream, Direction::Out,
              {{QStringLiteral("headers"),
                QCborArray{pair(QStringLiteral(":method"), QStringLiteral("GET")),
                           pair(QStringLiteral(":scheme"), QStringLiteral("http")),
                           pair(QStringLiteral(":authority"), QStringLiteral("127.0.0.1:8080")),
                           pair(QStringLiteral(":path"), path),
                           pair(QStringLiteral("user-agent"), QStringLiteral("hopscope/0.1.0"))}},
               {QStringLiteral("kind"), QStringLiteral("request")}});
        net("net.write", c.id, 0, 33);
        net("net.read", c.id, 0, 32837);
        if (req % 500 == 0) {
            frame(c.id, req, stream, Direction::In, QStringLiteral("RST_STREAM"), {}, 4,
                  {{QStringLiteral("error"), QStringLiteral("REFUSED_STREAM")}});
            event("request.failed", c.id, req, stream, Direction::None,
                  {{QStringLiteral("error"), QStringLiteral("the server reset the stream")},
                   {QStringLiteral("code"), QStringLiteral("h2-rst:REFUSED_STREAM")}});
            return;
        }
        response(c.id, req, stream, path);
    }

    // A WebSocket session of 20 echoed messages (four events each), then the close handshake.
    void webSocketSession(const Conn &c)
    {
        const quint32 req = c.wsReq;
        for (int i = 0; i < 20; ++i) {
            const QString text = QStringLiteral("message %1 on connection %2").arg(i).arg(c.id);
            const qint64 len = text.size();
            const QCborMap message{{QStringLiteral("opcode"), QStringLiteral("text")},
                                   {QStringLiteral("text"), text},
                                   {QStringLiteral("bytes"), len}};
            event("ws.message", c.id, req, -1, Direction::Out, message);
            event("ws.frame", c.id, req, -1, Direction::Out,
                  {{QStringLiteral("opcode"), QStringLiteral("text")},
                   {QStringLiteral("fin"), true},
                   {QStringLiteral("rsv"), 0},
                   {QStringLiteral("masked"), true},
                   {QStringLiteral("length"), len}});
            event("ws.frame", c.id, req, -1, Direction::In,
                  {{QStringLiteral("opcode"), QStringLiteral("text")},
                   {QStringLiteral("fin"), true},
                   {QStringLiteral("rsv"), 0},
                   {QStringLiteral("masked"), false},
                   {QStringLiteral("length"), len}});
            event("ws.message", c.id, req, -1, Direction::In, message);
        }
        event("ws.close", c.id, req, -1, Direction::Out,
              {{QStringLiteral("code"), 1000}, {QStringLiteral("reason"), QString()}});
        event("ws.close", c.id, req, -1, Direction::In,
              {{QStringLiteral("code"), 1000}, {QStringLiteral("reason"), QString()}});
        event("response.complete", c.id, req, -1, Direction::None,
              {{QStringLiteral("status"), 101},
               {QStringLiteral("bytes"), 0},
               {QStringLiteral("protocol"), QStringLiteral("websocket")}});
    }

    int m_targetExchanges;
    int m_reqs = 0;
    quint32 m_conns = 0;
    quint64 m_seq = 0;
    qint64 m_tNs = 0;
    TraceBatch m_events;
};

// ---------------------------------------------------------------------------------------------
// Measurements

qint64 statusKiB(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArrayList lines = f.readAll().split('\n');
    for (const QByteArray &line : lines)
        if (line.startsWith(field))
            return line.mid(qsizetype(std::strlen(field)))
                .trimmed()
                .split(' ')
                .value(0)
                .toLongLong();
    return -1;
}

// Lateness of a 1 ms timer: how long the event loop was busy with something else.
class StallMeter : public QObject
{
public:
    explicit StallMeter(QObject *parent = nullptr) : QObject(parent)
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_lateMs.push_back(std::max<double>(0.0, double(now - m_last) / 1e6 - 1.0));
            m_last = now;
        });
    }
    void start()
    {
        m_lateMs.clear();
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    double percentile(double p) const
    {
        if (m_lateMs.empty())
            return 0;
        std::vector<double> sorted = m_lateMs;
        std::sort(sorted.begin(), sorted.end());
        const size_t i = std::min(sorted.size() - 1, size_t(p / 100.0 * double(sorted.size())));
        return sorted[i];
    }
    double worst() const
    {
        return m_lateMs.empty() ? 0 : *std::max_element(m_lateMs.begin(), m_lateMs.end());
    }
    size_t samples() const { return m_lateMs.size(); }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    std::vector<double> m_lateMs;
};

double processCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// The machine's load: on a shared box wall times stretch, so the table says how busy it was.
QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    return QString::fromLatin1(f.readAll().split(' ').mid(0, 3).join(' '));
}

QString number(double v, int decimals = 0)
{
    return QLocale(QLocale::English).toString(v, 'f', decimals);
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCommandLineParser cli;
    cli.setApplicationDescription(QStringLiteral("Hopscope GUI flood benchmark"));
    cli.addHelpOption();
    QCommandLineOption exchangesOpt(QStringLiteral("exchanges"),
                                    QStringLiteral("Exchanges to generate (default 100000)."),
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
    cli.addOptions({exchangesOpt, batchOpt, intervalOpt, viewsOpt, noFollowOpt, profileFilterOpt});
    cli.process(app);
    const int exchanges = std::max(1, cli.value(exchangesOpt).toInt());
    const int batchSize = std::clamp(cli.value(batchOpt).toInt(), 1, 1 << 20);
    const int interval = std::max(0, cli.value(intervalOpt).toInt());

    QTextStream out(stdout);
    out << "Generating " << exchanges << " exchanges…" << Qt::endl;
    QElapsedTimer clock;
    clock.start();
    Generator generator(exchanges);
    std::deque<TraceBatch> batches = generator.generate(batchSize);
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
    const QStringList views = cli.value(viewsOpt).split(QLatin1Char(','), Qt::SkipEmptyParts);
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
    log->setFollow(!cli.isSet(noFollowOpt));
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
    feeder.setInterval(interval);
    qint64 busyNs = 0;
    qint64 worstBatchNs = 0;
    QElapsedTimer ingest;
    quint32 followedReq = 0;
    std::vector<std::pair<qint64, int>> batchTimes; // append() ns, store size after
    QObject::connect(&feeder, &QTimer::timeout, [&] {
        if (batches.empty()) {
            feeder.stop();
            // Let the last repaint and the deferred work happen before the clock stops.
            QTimer::singleShot(50, &app, &QCoreApplication::quit);
            return;
        }
        QElapsedTimer t;
        t.start();
        store.append(batches.front());
        batches.pop_front(); // the store holds the only copy now, as with the engine
        // The views follow an exchange in flight, as a user watching one would: a new one
        // every ~2000 exchanges, selected everywhere as a click would.
        if (store.exchangeCount() / 2000 != int(followedReq) / 2000) {
            followedReq = quint32(store.exchangeCount());
            followExchange(followedReq);
        }
        const qint64 ns = t.nsecsElapsed();
        batchTimes.push_back({ns, int(store.events().size())});
        busyNs += ns;
        worstBatchNs = std::max(worstBatchNs, ns);
    });
    out << "Feeding…" << Qt::endl;
    const QString loadBefore = loadAverage();
    const double cpuBeforeIngest = processCpuMs();
    stalls.start();
    ingest.start();
    feeder.start();
    app.exec();
    const double ingestMs = double(ingest.nsecsElapsed()) / 1e6 - 50;
    const double ingestCpuMs = processCpuMs() - cpuBeforeIngest;
    stalls.stop();
    const double stallP99 = stalls.percentile(99);
    const double stallP999 = stalls.percentile(99.9);
    const double stallWorst = stalls.worst();
    const size_t stallSamples = stalls.samples();

    // Filters over every event: the trace log's index rebuild, then the repaint.
    double filterCpuMs = 0; // CPU time (all threads) of the slowest filter so far
    double filterWallMs = 0;
    auto timeFilter = [&](const TraceFilter &filter, int *rows) {
        QElapsedTimer t;
        const double cpu0 = processCpuMs();
        t.start();
        log->model()->setFilter(filter);
        const double ms = double(t.nsecsElapsed()) / 1e6;
        if (ms > filterWallMs) {
            filterWallMs = ms;
            filterCpuMs = processCpuMs() - cpu0;
        }
        app.processEvents();
        *rows = log->model()->rowCount();
        return ms;
    };
    int rows = 0;
    TraceFilter text;
    text.text = QStringLiteral("no such text");
    for (int i = 0; i < cli.value(profileFilterOpt).toInt(); ++i) {
        TraceFilter f;
        f.text = QStringLiteral("no such text %1").arg(i);
        log->model()->setFilter(f);
    }
    const double filterTextMs = timeFilter(text, &rows);
    const int textRows = rows;
    TraceFilter hit;
    hit.text = QStringLiteral("/item/4242");
    const double filterHitMs = timeFilter(hit, &rows);
    const int hitRows = rows;
    TraceFilter type;
    type.types = {QStringLiteral("ws.")};
    const double filterTypeMs = timeFilter(type, &rows);
    const int typeRows = rows;
    TraceFilter conn;
    conn.connections = {7};
    const double filterConnMs = timeFilter(conn, &rows);
    const int connRows = rows;
    TraceFilter errors;
    errors.errorsOnly = true;
    const double filterErrorsMs = timeFilter(errors, &rows);
    const int errorRows = rows;
    const double filterClearMs = timeFilter({}, &rows);

    const qint64 peakKiB = statusKiB("VmHWM:");
    const double events = double(store.events().size());

    out << Qt::endl;
    out << QStringLiteral("%1 %2 %3 %4\n")
               .arg(QStringLiteral("metric"), -38)
               .arg(QStringLiteral("measured"), 14)
               .arg(QStringLiteral("budget"), 10)
               .arg(QStringLiteral("ratio"), 7);
    auto row = [&](const QString &name, const QString &value, double measured = -1,
                   double budget = -1, const QString &budgetText = {}) {
        out << QStringLiteral("%1 %2 %3 %4\n")
                   .arg(name, -38)
                   .arg(value, 14)
                   .arg(budgetText, 10)
                   .arg(budget > 0 ? number(measured / budget, 2) : QString(), 7);
    };
    row(QStringLiteral("events"), number(events));
    row(QStringLiteral("exchanges / connections"),
        QStringLiteral("%1 / %2").arg(store.exchangeCount()).arg(store.connectionCount()));
    row(QStringLiteral("generate (not GUI)"), number(generateMs) + QStringLiteral(" ms"));
    row(QStringLiteral("ingest wall (16 ms batches)"), number(ingestMs) + QStringLiteral(" ms"));
    row(QStringLiteral("events/s (wall)"), number(events / (ingestMs / 1000.0)));
    row(QStringLiteral("GUI busy in append() (store+models)"),
        number(double(busyNs) / 1e6) + QStringLiteral(" ms"));
    row(QStringLiteral("events/s (append busy)"), number(events / (double(busyNs) / 1e9)));
    row(QStringLiteral("worst append() of one batch"),
        number(double(worstBatchNs) / 1e6, 1) + QStringLiteral(" ms"));
    std::sort(batchTimes.begin(), batchTimes.end(), std::greater<>());
    QStringList worstBatches;
    for (size_t i = 0; i < std::min<size_t>(4, batchTimes.size()); ++i)
        worstBatches << QStringLiteral("%1 ms at %2")
                            .arg(number(double(batchTimes[i].first) / 1e6, 1),
                                 number(double(batchTimes[i].second)));
    out << "  slowest batches (store size after): " << worstBatches.join(QStringLiteral(", "))
        << "\n";
    row(QStringLiteral("stall p99"), number(stallP99, 1) + QStringLiteral(" ms"), stallP99,
        kStallP99BudgetMs, QStringLiteral("50 ms"));
    row(QStringLiteral("stall p99.9"), number(stallP999, 1) + QStringLiteral(" ms"));
    row(QStringLiteral("stall worst"), number(stallWorst, 1) + QStringLiteral(" ms"), stallWorst,
        kStallWorstBudgetMs, QStringLiteral("250 ms"));
    row(QStringLiteral("  (1 ms timer samples)"), number(double(stallSamples)));
    row(QStringLiteral("filter text, no match"), number(filterTextMs) + QStringLiteral(" ms"),
        filterTextMs, kFilterBudgetMs, QStringLiteral("1000 ms"));
    row(QStringLiteral("filter text \"/item/4242\" (") + QString::number(hitRows) +
            QStringLiteral(" rows)"),
        number(filterHitMs) + QStringLiteral(" ms"), filterHitMs, kFilterBudgetMs,
        QStringLiteral("1000 ms"));
    row(QStringLiteral("filter type ws. (") + QString::number(typeRows) + QStringLiteral(" rows)"),
        number(filterTypeMs) + QStringLiteral(" ms"), filterTypeMs, kFilterBudgetMs,
        QStringLiteral("1000 ms"));
    row(QStringLiteral("filter conn 7 (") + QString::number(connRows) + QStringLiteral(" rows)"),
        number(filterConnMs) + QStringLiteral(" ms"), filterConnMs, kFilterBudgetMs,
        QStringLiteral("1000 ms"));
    row(QStringLiteral("filter errors (") + QString::number(errorRows) + QStringLiteral(" rows)"),
        number(filterErrorsMs) + QStringLiteral(" ms"), filterErrorsMs, kFilterBudgetMs,
        QStringLiteral("1000 ms"));
    row(QStringLiteral("filter cleared"), number(filterClearMs, 1) + QStringLiteral(" ms"));
    row(QStringLiteral("  slowest filter: CPU (all threads)"),
        number(filterCpuMs) + QStringLiteral(" ms"));
    row(QStringLiteral("ingest: process CPU"), number(ingestCpuMs) + QStringLiteral(" ms"));
    row(QStringLiteral("load average before / after"), QString());
    out << "  " << loadBefore << " / " << loadAverage() << "  (" << QThread::idealThreadCount()
        << " cores)\n";
    row(QStringLiteral("RSS after generating"),
        number(double(rssAfterGenerate) / 1024.0) + QStringLiteral(" MiB"));
    row(QStringLiteral("peak RSS"), number(double(peakKiB) / 1024.0) + QStringLiteral(" MiB"));
    Q_UNUSED(textRows);

    QStringList over;
    if (stallP99 >= kStallP99BudgetMs)
        over << QStringLiteral("stall p99");
    if (stallWorst >= kStallWorstBudgetMs)
        over << QStringLiteral("stall worst");
    const double worstFilter =
        std::max({filterTextMs, filterHitMs, filterTypeMs, filterConnMs, filterErrorsMs});
    if (worstFilter >= kFilterBudgetMs)
        over << QStringLiteral("filter");
    out << Qt::endl
        << (over.isEmpty() ? QStringLiteral("VERDICT: PASS")
                           : QStringLiteral("VERDICT: FAIL (") + over.join(QStringLiteral(", ")) +
                                 QLatin1Char(')'))
        << QStringLiteral(" — budgets: stall p99 < 50 ms (%1), worst < 250 ms (%2), filter < 1 s "
                          "(%3)")
               .arg(number(stallP99 / kStallP99BudgetMs, 2),
                    number(stallWorst / kStallWorstBudgetMs, 2),
                    number(worstFilter / kFilterBudgetMs, 2))
        << Qt::endl;
    return over.isEmpty() ? 0 : 1;
}
