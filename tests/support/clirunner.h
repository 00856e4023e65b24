#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>

namespace hopscope::test {

// Whether peak-RSS budgets mean anything in this build: not under AddressSanitizer (the sanitizer
// tree, docs/testing.md), where the RSS is mostly ASan's own (shadow memory, redzones, and the
// quarantine that holds freed blocks back to catch use-after-free, up to 256 MB). The normal tree
// checks every budget; the sanitizer tree checks for leaks instead (LeakSanitizer).
constexpr bool rssBudgetsApply()
{
#if defined(__SANITIZE_ADDRESS__)
    return false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return false;
#else
    return true;
#endif
#else
    return true;
#endif
}

// What one run of hopscope-cli did: exit, output, its JSON-lines trace and its peak memory.
struct CliResult
{
    QStringList arguments;
    bool started = false;
    bool crashed = false;
    bool timedOut = false; // killed by CliRunner's hard timeout: a hang
    int exitCode = -1;
    QByteArray standardOutput;
    QByteArray standardError;
    qint64 elapsedMs = 0;
    // Peak resident memory of the CLI. Sampled from VmHWM every 50 ms by default, which misses a
    // run shorter than one interval; exact (the kernel's ru_maxrss) with setMeasureMemory(true).
    qint64 peakRssKiB = 0;
    bool peakRssExact = false;
    QList<QJsonObject> trace;
    QStringList traceErrors; // lines of the trace that were not a JSON object

    QList<QJsonObject> events(QStringView type) const;
    // The first event of the type, or an empty object when there is none.
    QJsonObject first(QStringView type) const;
    qsizetype count(QStringView type) const;
    bool has(QStringView type) const { return count(type) > 0; }
    // The text after "hopscope-cli: error: " on stderr (the first such line), or empty.
    QString errorMessage() const;
    // A readable summary for failure messages: arguments, exit, stderr, the trace's tail.
    QString describe() const;
};

// Runs $HOPSCOPE_CLI with a hard timeout, collecting output, the trace and the peak RSS.
class CliRunner
{
public:
    // Where the trace goes: a private file (--trace-json FILE, added in front of the arguments),
    // stdout (--trace-json -) or nowhere (the caller passes its own options).
    enum class TraceMode { File, Stdout, None };

    CliRunner();

    void setProgram(const QString &program) { m_program = program; }
    QString program() const { return m_program; }
    void setWorkingDirectory(const QString &directory) { m_workingDirectory = directory; }
    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    void setTraceMode(TraceMode mode) { m_traceMode = mode; }
    // Runs the CLI under a small python3 parent that reports the child's exact peak RSS
    // (wait4's ru_maxrss) once it ended: use it where a test asserts on memory.
    void setMeasureMemory(bool exact) { m_measureMemory = exact; }

    CliResult run(const QStringList &arguments);

    // A scratch directory that lives as long as the runner, for -o targets and request bodies.
    QString scratchPath(const QString &name) const { return m_scratch.filePath(name); }

    static QList<QJsonObject> parseJsonLines(const QByteArray &data, QStringList *errors);
    static qint64 readPeakRssKiB(qint64 pid);

private:
    QString m_program;
    QString m_workingDirectory;
    std::chrono::milliseconds m_timeout{30000};
    TraceMode m_traceMode = TraceMode::File;
    bool m_measureMemory = false;
    QTemporaryDir m_scratch;
    int m_runs = 0;
};

} // namespace hopscope::test

// Verifies that the CLI started, ended by itself within the runner's timeout (no hang), did not
// crash and wrote a well-formed trace. Use right after CliRunner::run().
#define HOPSCOPE_VERIFY_RAN(result)                                                                \
    do {                                                                                           \
        const QString hopscopeWhy = (result).describe();                                           \
        QVERIFY2((result).started,                                                                 \
                 qPrintable(QStringLiteral("CLI did not start\n") + hopscopeWhy));                 \
        QVERIFY2(!(result).timedOut,                                                               \
                 qPrintable(QStringLiteral("CLI hung: killed after the hard timeout\n") +          \
                            hopscopeWhy));                                                         \
        QVERIFY2(!(result).crashed, qPrintable(QStringLiteral("CLI crashed\n") + hopscopeWhy));    \
        QVERIFY2((result).traceErrors.isEmpty(),                                                   \
                 qPrintable(QStringLiteral("malformed trace lines:\n") +                           \
                            (result).traceErrors.join(QLatin1Char('\n')) + QLatin1Char('\n') +     \
                            hopscopeWhy));                                                         \
    } while (false)
