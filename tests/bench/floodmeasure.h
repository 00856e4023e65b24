#pragma once

// gui_flood's measurements: memory and CPU of the process, event-loop stalls (lateness of a 1 ms
// timer), append throughput, the time to rebuild the trace log's filters, and the table with
// budget ratios and a verdict line that a run prints.

#include "session/sessionstore.h"
#include "widgets/tracelogpanel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QLocale>
#include <QObject>
#include <QStringList>
#include <QTextStream>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <functional>
#include <vector>

namespace hopscope::bench {

constexpr double kStallP99BudgetMs = 50;
constexpr double kStallWorstBudgetMs = 250;
constexpr double kFilterBudgetMs = 1000;

inline qint64 statusKiB(const char *field)
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

inline double processCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// CPU time of the calling thread (the GUI thread): against the wall time it tells a busy GUI
// thread from one the scheduler kept waiting on a loaded machine.
inline double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// The machine's load: on a shared box wall times stretch, so the table says how busy it was.
inline QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    return QString::fromLatin1(f.readAll().split(' ').mid(0, 3).join(' '));
}

inline QString number(double v, int decimals = 0)
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

inline StallSummary summarize(const StallMeter &meter)
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

inline FilterTimings measureFilters(QApplication &app, TraceLogPanel *log, const FilterPlan &plan,
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

} // namespace hopscope::bench
