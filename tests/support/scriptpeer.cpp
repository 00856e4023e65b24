#include "scriptpeer.h"

#include "processutil.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>

#include <csignal>

namespace hopscope::test {

namespace {

constexpr int startTimeoutMs = 10000;

QString pythonInterpreter()
{
    // The system interpreter starts fastest, is what Debian's CI has and is where Debian's
    // python3-h2 lives; PATH is the fallback.
    if (QFileInfo(QStringLiteral("/usr/bin/python3")).isExecutable())
        return QStringLiteral("/usr/bin/python3");
    return findProgram(QStringLiteral("python3"));
}

} // namespace

ScriptPeer::ScriptPeer() = default;

ScriptPeer::~ScriptPeer()
{
    stop();
}

QString ScriptPeer::peersDirectory()
{
    const QString fromEnv = qEnvironmentVariable("HOPSCOPE_TEST_PEERS");
    if (!fromEnv.isEmpty() && QFileInfo::exists(fromEnv + QStringLiteral("/hostile_peer.py")))
        return fromEnv;
    return QStringLiteral(HOPSCOPE_TEST_PEERS_DIR);
}

bool ScriptPeer::fail(const QString &message)
{
    m_error = message;
    return false;
}

QString ScriptPeer::url(const QString &path) const
{
    return QStringLiteral("%1://127.0.0.1:%2%3")
        .arg(m_tls ? QLatin1String("https") : QLatin1String("http"))
        .arg(m_port)
        .arg(path);
}

QByteArray ScriptPeer::log() const
{
    QFile file(m_dir.filePath(QStringLiteral("peer.log")));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool ScriptPeer::launch(const QString &scriptName, const QStringList &arguments, const Tls &tls)
{
    stop();
    m_error.clear();
    const QString script = peersDirectory() + QLatin1Char('/') + scriptName;
    if (!QFileInfo::exists(script))
        return fail(QStringLiteral("%1 not found").arg(script));
    const QString python = pythonInterpreter();
    if (python.isEmpty())
        return fail(QStringLiteral("python3 not found"));

    QStringList allArguments{script};
    m_tls = !tls.certFile.isEmpty();
    if (m_tls) {
        allArguments << QStringLiteral("--tls-cert") << tls.certFile << QStringLiteral("--tls-key")
                     << tls.keyFile;
        if (!tls.alpn.isEmpty())
            allArguments << QStringLiteral("--alpn") << tls.alpn;
    }
    allArguments += arguments;

    m_process = std::make_unique<QProcess>();
    // stderr goes to a file: nobody drains a pipe while a test blocks, and a full pipe would
    // stall the peer in the middle of a scenario.
    m_process->setStandardErrorFile(m_dir.filePath(QStringLiteral("peer.log")));
    dieWithParent(*m_process, SIGKILL);
    m_process->start(python, allArguments);
    if (!m_process->waitForStarted(startTimeoutMs))
        return fail(QStringLiteral("cannot start %1: %2").arg(python, m_process->errorString()));

    QByteArray line;
    const QDeadlineTimer deadline(startTimeoutMs);
    while (!m_process->canReadLine() && !deadline.hasExpired()) {
        if (!m_process->waitForReadyRead(int(deadline.remainingTime())))
            break;
    }
    if (m_process->canReadLine())
        line = m_process->readLine().trimmed();
    bool ok = false;
    if (line.startsWith("LISTENING "))
        m_port = line.mid(10).toUShort(&ok);
    if (!ok || m_port == 0) {
        stop();
        return fail(QStringLiteral("%1 (%2) did not report its port; first line \"%3\", log:\n%4")
                        .arg(scriptName, arguments.join(QLatin1Char(' ')), QString::fromUtf8(line),
                             QString::fromUtf8(log())));
    }
    return true;
}

void ScriptPeer::stop()
{
    if (m_process) {
        // Nothing to shut down gracefully: the peer's whole state is the connection in progress.
        m_process->kill();
        m_process->waitForFinished(5000);
        m_process.reset();
    }
    m_port = 0;
}

} // namespace hopscope::test
