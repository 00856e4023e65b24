#include "clirunner.h"

#include "processutil.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QProcess>
#include <QTimer>

#include <csignal>

namespace hopscope::test {

namespace {

constexpr int rssSampleIntervalMs = 50;
constexpr qsizetype describedStderrChars = 4000;
constexpr qsizetype describedTraceEvents = 20;

// Parent process for exact memory measurement: runs the CLI as its child on the same stdio,
// writes the child's ru_maxrss (KiB) to a file, and ends the way the child ended. Both die with
// their parent (PR_SET_PDEATHSIG), so the runner's hard timeout still kills everything.
constexpr char rssWrapperScript[] = R"(import ctypes, os, signal, sys
PR_SET_PDEATHSIG = 1
libc = ctypes.CDLL(None)
libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
report, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    try:
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as f:
    f.write(str(usage.ru_maxrss))
if os.WIFSIGNALED(status):
    signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
    os.kill(os.getpid(), os.WTERMSIG(status))
sys.exit(os.WEXITSTATUS(status))
)";

} // namespace

QList<QJsonObject> CliResult::events(QStringView type) const
{
    QList<QJsonObject> found;
    for (const QJsonObject &event : trace) {
        if (event.value(QLatin1String("type")).toString() == type)
            found.append(event);
    }
    return found;
}

QJsonObject CliResult::first(QStringView type) const
{
    for (const QJsonObject &event : trace) {
        if (event.value(QLatin1String("type")).toString() == type)
            return event;
    }
    return {};
}

qsizetype CliResult::count(QStringView type) const
{
    qsizetype n = 0;
    for (const QJsonObject &event : trace) {
        if (event.value(QLatin1String("type")).toString() == type)
            ++n;
    }
    return n;
}

QString CliResult::errorMessage() const
{
    static const QByteArray prefix = QByteArrayLiteral("hopscope-cli: error: ");
    for (const QByteArray &line : standardError.split('\n')) {
        if (line.startsWith(prefix))
            return QString::fromUtf8(line.mid(prefix.size())).trimmed();
    }
    return {};
}

QString CliResult::describe() const
{
    QString text;
    text += QStringLiteral("  command: hopscope-cli %1\n").arg(arguments.join(QLatin1Char(' ')));
    if (!started)
        text += QStringLiteral("  not started\n");
    else if (timedOut)
        text += QStringLiteral("  killed after %1 ms (hard timeout)\n").arg(elapsedMs);
    else if (crashed)
        text += QStringLiteral("  crashed after %1 ms\n").arg(elapsedMs);
    else
        text += QStringLiteral("  exit code %1 after %2 ms\n").arg(exitCode).arg(elapsedMs);
    text += QStringLiteral("  peak RSS %1 KiB (%2)\n")
                .arg(peakRssKiB)
                .arg(peakRssExact ? QLatin1String("exact") : QLatin1String("sampled"));
    QString err = QString::fromUtf8(standardError);
    if (err.size() > describedStderrChars)
        err = err.left(describedStderrChars) + QStringLiteral("\n  [stderr truncated]");
    text += QStringLiteral("  stderr:\n%1\n").arg(err.trimmed());
    text += QStringLiteral("  trace: %1 events").arg(trace.size());
    if (trace.size() > describedTraceEvents)
        text += QStringLiteral(", the last %1:").arg(describedTraceEvents);
    text += QLatin1Char('\n');
    for (qsizetype i = std::max<qsizetype>(0, trace.size() - describedTraceEvents);
         i < trace.size(); ++i) {
        text += QLatin1String("    ") +
                QString::fromUtf8(QJsonDocument(trace.at(i)).toJson(QJsonDocument::Compact)) +
                QLatin1Char('\n');
    }
    return text;
}

CliRunner::CliRunner() : m_program(qEnvironmentVariable("HOPSCOPE_CLI")) {}

QList<QJsonObject> CliRunner::parseJsonLines(const QByteArray &data, QStringList *errors)
{
    QList<QJsonObject> objects;
    int lineNumber = 0;
    for (const QByteArray &line : data.split('\n')) {
        ++lineNumber;
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()) {
            if (errors) {
                errors->append(QStringLiteral("line %1: %2: %3")
                                   .arg(lineNumber)
                                   .arg(error.error != QJsonParseError::NoError
                                            ? error.errorString()
                                            : QStringLiteral("not an object"))
                                   .arg(QString::fromUtf8(line.left(200))));
            }
            continue;
        }
        objects.append(document.object());
    }
    return objects;
}

qint64 CliRunner::readPeakRssKiB(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    // VmHWM is the kernel's own high-water mark, so sampling misses nothing but the last
    // interval before exit.
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

CliResult CliRunner::run(const QStringList &arguments)
{
    CliResult result;
    const int runNumber = ++m_runs;
    QString traceFile;
    QStringList allArguments;
    switch (m_traceMode) {
    case TraceMode::File:
        traceFile = m_scratch.filePath(QStringLiteral("trace-%1.jsonl").arg(runNumber));
        QFile::remove(traceFile);
        allArguments << QStringLiteral("--trace-json") << traceFile;
        break;
    case TraceMode::Stdout:
        allArguments << QStringLiteral("--trace-json") << QStringLiteral("-");
        break;
    case TraceMode::None:
        break;
    }
    allArguments += arguments;
    result.arguments = allArguments;
    if (m_program.isEmpty()) {
        result.standardError = "HOPSCOPE_CLI is not set: run the test through CTest";
        return result;
    }

    QString program = m_program;
    QStringList processArguments = allArguments;
    QString rssReport;
    if (m_measureMemory) {
        const QString wrapper = m_scratch.filePath(QStringLiteral("measure_rss.py"));
        rssReport = m_scratch.filePath(QStringLiteral("rss-%1.txt").arg(runNumber));
        QFile script(wrapper);
        if (!script.exists() && script.open(QIODevice::WriteOnly))
            script.write(rssWrapperScript);
        QFile::remove(rssReport);
        program = QStringLiteral("/usr/bin/python3");
        processArguments = QStringList{wrapper, rssReport, m_program} + allArguments;
    }

    QProcess process;
    dieWithParent(process, SIGKILL);
    if (!m_workingDirectory.isEmpty())
        process.setWorkingDirectory(m_workingDirectory);

    QEventLoop loop;
    QObject::connect(&process, &QProcess::readyReadStandardOutput, &loop,
                     [&] { result.standardOutput += process.readAllStandardOutput(); });
    QObject::connect(&process, &QProcess::readyReadStandardError, &loop,
                     [&] { result.standardError += process.readAllStandardError(); });
    QObject::connect(&process, &QProcess::finished, &loop, &QEventLoop::quit);

    QElapsedTimer clock;
    clock.start();
    process.start(program, processArguments);
    if (!process.waitForStarted(10000)) {
        result.standardError = process.errorString().toUtf8();
        return result;
    }
    result.started = true;
    const qint64 pid = process.processId();

    QTimer sampler;
    sampler.setInterval(rssSampleIntervalMs);
    QObject::connect(&sampler, &QTimer::timeout, &loop,
                     [&] { result.peakRssKiB = std::max(result.peakRssKiB, readPeakRssKiB(pid)); });
    if (!m_measureMemory) // the sampled process would be the wrapper
        sampler.start();

    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
        // A hang must end as a clear failure, not as CTest's timeout for the whole suite.
        result.timedOut = true;
        process.kill();
    });
    deadline.start(m_timeout);

    if (!m_measureMemory)
        result.peakRssKiB = readPeakRssKiB(pid);
    if (process.state() != QProcess::NotRunning)
        loop.exec();
    sampler.stop();
    deadline.stop();
    process.waitForFinished(5000);
    result.elapsedMs = clock.elapsed();
    result.standardOutput += process.readAllStandardOutput();
    result.standardError += process.readAllStandardError();
    result.crashed = !result.timedOut && process.exitStatus() == QProcess::CrashExit;
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    if (m_measureMemory) {
        QFile report(rssReport);
        if (report.open(QIODevice::ReadOnly)) {
            result.peakRssKiB = report.readAll().trimmed().toLongLong();
            result.peakRssExact = true;
        }
    }

    if (m_traceMode == TraceMode::File) {
        QFile file(traceFile);
        if (file.open(QIODevice::ReadOnly))
            result.trace = parseJsonLines(file.readAll(), &result.traceErrors);
    } else if (m_traceMode == TraceMode::Stdout) {
        result.trace = parseJsonLines(result.standardOutput, &result.traceErrors);
    }
    return result;
}

} // namespace hopscope::test
