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
// (tests/bench/gui_flood.sh), never asserted in the suite.

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
                    event(EventType::Close, c.id, 0, -1).atom(Field::Reason, "run finished");
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

    // Records an event as the engine does; the caller writes its fields on the returned writer.
    FieldWriter event(EventType type, quint32 conn, quint32 req, qint32 stream,
                      Direction dir = Direction::None)
    {
        TraceRecord head;
        head.seq = ++m_seq;
        m_tNs += 3000 + qint64(m_seq % 7) * 1000; // a few µs apart, like a busy loopback run
        head.tNs = m_tNs;
        head.type = type;
        head.scope = {conn, req, stream};
        head.dir = dir;
        return m_events.append(head);
    }

    static QByteArray origin() { return QByteArrayLiteral("http://127.0.0.1:8080"); }

    // frame, flags and length; the caller adds the frame's own fields.
    FieldWriter frame(quint32 conn, quint32 req, qint32 stream, Direction dir, QByteArrayView type,
                      const QList<QByteArray> &flags, qint64 length)
    {
        FieldWriter w = event(EventType::H2Frame, conn, req, stream, dir);
        w.atom(Field::Frame, type).atoms(Field::Flags, flags).integer(Field::Length, length);
        return w;
    }

    static void settings(FieldWriter &w, std::initializer_list<std::pair<const char *, int>> list)
    {
        w.beginArray(Field::Settings);
        for (const auto &[name, value] : list)
            w.beginArray().atom(name).integer(value).end();
        w.end();
    }

    void net(EventType type, quint32 conn, quint32 req, qint64 bytes)
    {
        event(type, conn, req, -1, type == EventType::NetWrite ? Direction::Out : Direction::In)
            .integer(Field::Bytes, bytes);
    }

    quint32 requestStart(const QByteArray &path)
    {
        const quint32 req = quint32(++m_reqs);
        event(EventType::RequestStart, 0, req, -1)
            .atom(Field::Method, "GET")
            .utf8(Field::Url, origin() + path);
        return req;
    }

    // pool.open … 101 → h2c … SETTINGS exchange; the upgrade request is answered on stream 1.
    Conn openConnection()
    {
        Conn c;
        c.id = ++m_conns;
        c.websocket = c.id % 25 == 0;
        c.remaining = 100;
        const QByteArray path = c.websocket ? "/ws/" + QByteArray::number(c.id)
                                            : "/item/" + QByteArray::number(m_reqs + 1);
        const quint32 req = requestStart(path);
        const QByteArray token = c.websocket ? "websocket" : "h2c";
        event(EventType::PoolOpen, c.id, req, -1).atom(Field::Origin, origin());
        event(EventType::ConnectAttempt, c.id, req, -1)
            .atom(Field::Address, "127.0.0.1")
            .integer(Field::Port, 8080);
        event(EventType::Connect, c.id, req, -1)
            .atom(Field::Host, "127.0.0.1")
            .integer(Field::Port, 8080)
            .atom(Field::Address, "127.0.0.1")
            .real(Field::Ms, 0.21);
        event(EventType::H1Request, c.id, req, -1, Direction::Out)
            .atom(Field::Method, "GET")
            .bytes(Field::Target, path)
            .atom(Field::Version, "HTTP/1.1")
            .headers(Field::Headers, {{"Host", "127.0.0.1:8080"},
                                      {"User-Agent", "hopscope/0.1.0"},
                                      {"Accept", "*/*"},
                                      {"Connection", "Upgrade"},
                                      {"Upgrade", token}});
        event(EventType::UpgradeOffer, c.id, req, -1)
            .atom(Field::Protocol, token)
            .boolean(Field::WithBody, false);
        net(EventType::NetWrite, c.id, req, 198);
        net(EventType::NetRead, c.id, req, 111);
        event(EventType::H1Response, c.id, req, -1, Direction::In)
            .integer(Field::Status, 101)
            .atom(Field::Reason, "Switching Protocols")
            .atom(Field::Version, "HTTP/1.1")
            .headers(Field::Headers, {{"Connection", "Upgrade"}, {"Upgrade", token}})
            .integer(Field::Bytes, 71);
        event(EventType::UpgradeSwitch, c.id, req, -1)
            .atom(Field::Protocol, token)
            .integer(Field::LeftoverBytes, c.websocket ? 0 : 40);
        if (c.websocket) {
            c.wsReq = req;
            return c;
        }
        FieldWriter ours = frame(c.id, 0, 0, Direction::Out, "SETTINGS", {}, 18);
        settings(ours, {{"ENABLE_PUSH", 0},
                        {"INITIAL_WINDOW_SIZE", 33554432},
                        {"MAX_CONCURRENT_STREAMS", 100}});
        frame(c.id, 0, 0, Direction::Out, "WINDOW_UPDATE", {}, 4)
            .integer(Field::Increment, 1073676289);
        net(EventType::NetWrite, c.id, 0, 76);
        net(EventType::NetRead, c.id, 0, 40);
        FieldWriter theirs = frame(c.id, 0, 0, Direction::In, "SETTINGS", {}, 12);
        settings(theirs, {{"MAX_CONCURRENT_STREAMS", 100}, {"INITIAL_WINDOW_SIZE", 16777216}});
        FieldWriter ack = frame(c.id, 0, 0, Direction::Out, "SETTINGS", {"ACK"}, 0);
        settings(ack, {});
        response(c.id, req, 1);
        --c.remaining;
        return c;
    }

    void response(quint32 conn, quint32 req, qint32 stream)
    {
        frame(conn, req, stream, Direction::In, "HEADERS", {"END_HEADERS"}, 59);
        event(EventType::H2Headers, conn, req, stream, Direction::In)
            .headers(Field::Headers, {{":status", "200"},
                                      {"server", "hopscope-demo/0.1.0"},
                                      {"content-type", "text/plain"},
                                      {"content-length", "32768"}})
            .atom(Field::Kind, "response");
        frame(conn, req, stream, Direction::In, "DATA", {}, 16384);
        frame(conn, req, stream, Direction::In, "DATA", {"END_STREAM"}, 16384);
        event(EventType::ResponseComplete, conn, req, stream)
            .integer(Field::Status, 200)
            .integer(Field::Bytes, 32768)
            .atom(Field::Protocol, "h2")
            .beginMap(Field::Timings)
            .real(Field::Dns, -1)
            .real(Field::Connect, -1)
            .real(Field::Tls, -1)
            .real(Field::Send, 0.02)
            .real(Field::Wait, 0.4)
            .real(Field::Receive, 0.1)
            .real(Field::Total, 0.55)
            .end();
    }

    // One more stream on an h2c connection; every 500th is refused with RST_STREAM.
    void h2Exchange(Conn &c)
    {
        const QByteArray path = "/item/" + QByteArray::number(m_reqs + 1);
        const quint32 req = requestStart(path);
        const qint32 stream = c.nextStream;
        c.nextStream += 2;
        event(EventType::PoolReuse, c.id, req, -1).atom(Field::Origin, origin());
        frame(c.id, req, stream, Direction::Out, "HEADERS", {"END_STREAM", "END_HEADERS"}, 24);
        event(EventType::H2Headers, c.id, req, stream, Direction::Out)
            .headers(Field::Headers, {{":method", "GET"},
                                      {":scheme", "http"},
                                      {":authority", "127.0.0.1:8080"},
                                      {":path", path},
                                      {"user-agent", "hopscope/0.1.0"}})
            .atom(Field::Kind, "request");
        net(EventType::NetWrite, c.id, 0, 33);
        net(EventType::NetRead, c.id, 0, 32837);
        if (req % 500 == 0) {
            frame(c.id, req, stream, Direction::In, "RST_STREAM", {}, 4)
                .atom(Field::Error, "REFUSED_STREAM");
            event(EventType::RequestFailed, c.id, req, stream)
                .text(Field::Error, QStringLiteral("the server reset the stream"))
                .atom(Field::Code, "h2-rst:REFUSED_STREAM");
            return;
        }
        response(c.id, req, stream);
    }

    // A WebSocket session of 20 echoed messages (four events each), then the close handshake.
    void webSocketSession(const Conn &c)
    {
        const quint32 req = c.wsReq;
        for (int i = 0; i < 20; ++i) {
            const QString text = QStringLiteral("message %1 on connection %2").arg(i).arg(c.id);
            const qint64 len = text.size();
            const auto message = [&](Direction dir) {
                event(EventType::WsMessage, c.id, req, -1, dir)
                    .atom(Field::Opcode, "text")
                    .text(Field::Text, text)
                    .integer(Field::Bytes, len);
            };
            const auto wsFrame = [&](Direction dir) {
                event(EventType::WsFrame, c.id, req, -1, dir)
                    .atom(Field::Opcode, "text")
                    .boolean(Field::Fin, true)
                    .integer(Field::Rsv, 0)
                    .boolean(Field::Masked, dir == Direction::Out)
                    .integer(Field::Length, len);
            };
            message(Direction::Out);
            wsFrame(Direction::Out);
            wsFrame(Direction::In);
            message(Direction::In);
        }
        for (const Direction dir : {Direction::Out, Direction::In})
            event(EventType::WsClose, c.id, req, -1, dir)
                .integer(Field::Code, 1000)
                .text(Field::Reason, QString());
        event(EventType::ResponseComplete, c.id, req, -1)
            .integer(Field::Status, 101)
            .integer(Field::Bytes, 0)
            .atom(Field::Protocol, "websocket");
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

// CPU time of the calling thread (the GUI thread): against the wall time it tells a busy GUI
// thread from one the scheduler kept waiting on a loaded machine.
double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
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

struct StallSummary
{
    double p99 = 0;
    double p999 = 0;
    double worst = 0;
    size_t samples = 0;
};

StallSummary summarize(const StallMeter &meter)
{
    return {meter.percentile(99), meter.percentile(99.9), meter.worst(), meter.samples()};
}

// Time spent in SessionStore::append() (the store and every model reacting to its changed()),
// batch by batch, with the store's size after each.
class AppendMeter
{
public:
    void measure(SessionStore *store, const TraceBatch &batch)
    {
        QElapsedTimer t;
        t.start();
        store->append(batch);
        const qint64 ns = t.nsecsElapsed();
        m_batches.push_back({ns, int(store->events().size())});
        m_busyNs += ns;
        m_largestBatch = std::max(m_largestBatch, int(batch.size()));
    }
    qint64 busyNs() const { return m_busyNs; }
    size_t batches() const { return m_batches.size(); }
    int largestBatch() const { return m_largestBatch; }
    double worstMs() const
    {
        qint64 worst = 0;
        for (const auto &b : m_batches)
            worst = std::max(worst, b.first);
        return double(worst) / 1e6;
    }
    // "12.3 ms at 456,789, ..." for the slowest few.
    QString slowest(size_t count) const
    {
        std::vector<std::pair<qint64, int>> sorted = m_batches;
        std::sort(sorted.begin(), sorted.end(), std::greater<>());
        QStringList out;
        for (size_t i = 0; i < std::min(count, sorted.size()); ++i)
            out << QStringLiteral("%1 ms at %2")
                       .arg(number(double(sorted[i].first) / 1e6, 1),
                            number(double(sorted[i].second)));
        return out.join(QStringLiteral(", "));
    }

private:
    std::vector<std::pair<qint64, int>> m_batches; // append() ns, store size after
    qint64 m_busyNs = 0;
    int m_largestBatch = 0;
};

// Which filters the trace log rebuilds over every event, through its filter bar as a user
// would (each one alone, the previous one cleared untimed).
struct FilterPlan
{
    QString hitText; // a Find text that matches some rows
    TraceLogPanel::Kind kind = TraceLogPanel::Kind::WebSocket;
    QString kindLabel;
    quint32 connection = 1;
};

struct FilterTimings
{
    double textMs = 0, hitMs = 0, kindMs = 0, connMs = 0, errorsMs = 0, clearMs = 0;
    int hitRows = 0, kindRows = 0, connRows = 0, errorRows = 0;
    double slowestCpuMs = 0; // CPU time (all threads) of the slowest filter
    double worstMs() const { return std::max({textMs, hitMs, kindMs, connMs, errorsMs}); }
};

FilterTimings measureFilters(QApplication &app, TraceLogPanel *log, const FilterPlan &plan,
                             int profileRuns)
{
    for (int i = 0; i < profileRuns; ++i)
        log->setFindText(QStringLiteral("no such text %1").arg(i));
    FilterTimings r;
    double slowestWallMs = 0;
    // The index rebuild is timed; the repaint that follows is not (it is one screenful).
    auto timed = [&](const std::function<void()> &apply, int *rows) {
        const double cpu0 = processCpuMs();
        QElapsedTimer t;
        t.start();
        apply();
        const double ms = double(t.nsecsElapsed()) / 1e6;
        if (ms > slowestWallMs) {
            slowestWallMs = ms;
            r.slowestCpuMs = processCpuMs() - cpu0;
        }
        app.processEvents();
        if (rows)
            *rows = log->model()->rowCount();
        return ms;
    };
    auto untimed = [&](const std::function<void()> &apply) {
        apply();
        app.processEvents();
    };
    using Kind = TraceLogPanel::Kind;
    r.textMs = timed([&] { log->setFindText(QStringLiteral("no such text")); }, nullptr);
    r.hitMs = timed([&] { log->setFindText(plan.hitText); }, &r.hitRows);
    untimed([&] { log->setFindText({}); });
    r.kindMs = timed([&] { log->setKindFilter(plan.kind); }, &r.kindRows);
    untimed([&] { log->setKindFilter(Kind::All); });
    r.connMs = timed([&] { log->setConnectionFilter(plan.connection); }, &r.connRows);
    untimed([&] { log->setConnectionFilter(0); });
    r.errorsMs = timed([&] { log->setKindFilter(Kind::Errors); }, &r.errorRows);
    r.clearMs = timed([&] { log->setKindFilter(Kind::All); }, nullptr);
    return r;
}

// The printed table: metric, measured value, budget, measured / budget.
class Table
{
public:
    explicit Table(QTextStream &out) : m_out(out)
    {
        m_out << Qt::endl;
        line(QStringLiteral("metric"), QStringLiteral("measured"), QStringLiteral("budget"), {});
    }
    void row(const QString &name, const QString &value, double measured = -1, double budget = -1,
             const QString &budgetText = {})
    {
        line(name, value, budgetText, budget > 0 ? number(measured / budget, 2) : QString());
    }
    void note(const QString &text) { m_out << "  " << text << "\n"; }

    // Stalls, filters, CPU, load and memory: the rows both modes print.
    void sharedRows(const StallSummary &stalls, const FilterTimings &f, const FilterPlan &plan,
                    double runCpuMs, const QString &loadBefore)
    {
        row(QStringLiteral("stall p99"), number(stalls.p99, 1) + QStringLiteral(" ms"), stalls.p99,
            kStallP99BudgetMs, QStringLiteral("50 ms"));
        row(QStringLiteral("stall p99.9"), number(stalls.p999, 1) + QStringLiteral(" ms"));
        row(QStringLiteral("stall worst"), number(stalls.worst, 1) + QStringLiteral(" ms"),
            stalls.worst, kStallWorstBudgetMs, QStringLiteral("250 ms"));
        row(QStringLiteral("  (1 ms timer samples)"), number(double(stalls.samples)));
        filterRow(QStringLiteral("filter text, no match"), f.textMs);
        filterRow(QStringLiteral("filter text \"%1\" (%2 rows)").arg(plan.hitText).arg(f.hitRows),
                  f.hitMs);
        filterRow(QStringLiteral("filter type %1 (%2 rows)").arg(plan.kindLabel).arg(f.kindRows),
                  f.kindMs);
        filterRow(QStringLiteral("filter conn %1 (%2 rows)").arg(plan.connection).arg(f.connRows),
                  f.connMs);
        filterRow(QStringLiteral("filter errors (%1 rows)").arg(f.errorRows), f.errorsMs);
        row(QStringLiteral("filter cleared"), number(f.clearMs, 1) + QStringLiteral(" ms"));
        row(QStringLiteral("  slowest filter: CPU (all threads)"),
            number(f.slowestCpuMs) + QStringLiteral(" ms"));
        row(QStringLiteral("run: process CPU (all threads)"),
            number(runCpuMs) + QStringLiteral(" ms"));
        row(QStringLiteral("load average before / after"), QString());
        note(QStringLiteral("%1 / %2  (%3 cores)")
                 .arg(loadBefore, loadAverage())
                 .arg(QThread::idealThreadCount()));
        row(QStringLiteral("peak RSS"),
            number(double(statusKiB("VmHWM:")) / 1024.0) + QStringLiteral(" MiB"));
    }

    // The verdict line against the budgets; returns the exit code (0 pass, 1 over budget).
    int verdict(const StallSummary &stalls, const FilterTimings &f, QStringList over = {})
    {
        if (stalls.p99 >= kStallP99BudgetMs)
            over << QStringLiteral("stall p99");
        if (stalls.worst >= kStallWorstBudgetMs)
            over << QStringLiteral("stall worst");
        if (f.worstMs() >= kFilterBudgetMs)
            over << QStringLiteral("filter");
        m_out << Qt::endl
              << (over.isEmpty() ? QStringLiteral("VERDICT: PASS")
                                 : QStringLiteral("VERDICT: FAIL (") +
                                       over.join(QStringLiteral(", ")) + QLatin1Char(')'))
              << QStringLiteral(" — budgets: stall p99 < 50 ms (%1), worst < 250 ms (%2), filter "
                                "< 1 s (%3)")
                     .arg(number(stalls.p99 / kStallP99BudgetMs, 2),
                          number(stalls.worst / kStallWorstBudgetMs, 2),
                          number(f.worstMs() / kFilterBudgetMs, 2))
              << Qt::endl;
        return over.isEmpty() ? 0 : 1;
    }

private:
    void filterRow(const QString &name, double ms)
    {
        row(name, number(ms) + QStringLiteral(" ms"), ms, kFilterBudgetMs,
            QStringLiteral("1000 ms"));
    }
    void line(const QString &a, const QString &b, const QString &c, const QString &d)
    {
        m_out << QStringLiteral("%1 %2 %3 %4\n").arg(a, -38).arg(b, 14).arg(c, 10).arg(d, 7);
    }
    QTextStream &m_out;
};

// Follows an exchange in flight as a user watching one would: a new one every ~2000
// exchanges, selected everywhere as a click would.
class ExchangeFollower
{
public:
    explicit ExchangeFollower(std::function<void(quint32)> select) : m_select(std::move(select)) {}
    void update(int exchanges)
    {
        if (exchanges / 2000 == int(m_followed) / 2000)
            return;
        m_followed = quint32(exchanges);
        m_select(m_followed);
    }

private:
    std::function<void(quint32)> m_select;
    quint32 m_followed = 0;
};

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
    window.resize(1600, 1000);
    window.show();
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
        << " in flight) through EngineHost to the shown MainWindow (1600x1000)…" << Qt::endl;

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
    cli.addOptions({exchangesOpt, batchOpt, intervalOpt, viewsOpt, noFollowOpt, profileFilterOpt,
                    engineOpt, parallelOpt, protocolOpt, pathOpt, noPeerOpt, hangOpt,
                    engineOnlyOpt});
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
