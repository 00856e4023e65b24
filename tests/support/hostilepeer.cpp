#include "hostilepeer.h"

#include "processutil.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <csignal>

namespace hopscope::test {

namespace {

constexpr int startTimeoutMs = 10000;
constexpr char scriptName[] = "hostile_peer.py";

QString pythonInterpreter()
{
    // The system interpreter starts fastest and is what Debian's CI has; PATH is the fallback.
    if (QFileInfo(QStringLiteral("/usr/bin/python3")).isExecutable())
        return QStringLiteral("/usr/bin/python3");
    return findProgram(QStringLiteral("python3"));
}

} // namespace

HostilePeer::HostilePeer() = default;

HostilePeer::~HostilePeer()
{
    stop();
}

QString HostilePeer::peersDirectory()
{
    const QString fromEnv = qEnvironmentVariable("HOPSCOPE_TEST_PEERS");
    if (!fromEnv.isEmpty() &&
        QFileInfo::exists(fromEnv + QLatin1Char('/') + QLatin1String(scriptName)))
        return fromEnv;
    return QStringLiteral(HOPSCOPE_TEST_PEERS_DIR);
}

bool HostilePeer::fail(const QString &message)
{
    m_error = message;
    return false;
}

QString HostilePeer::url(const QString &path) const
{
    return QStringLiteral("%1://127.0.0.1:%2%3")
        .arg(m_tls ? QLatin1String("https") : QLatin1String("http"))
        .arg(m_port)
        .arg(path);
}

QByteArray HostilePeer::log() const
{
    QFile file(m_dir.filePath(QStringLiteral("peer.log")));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool HostilePeer::start(const QString &scenario, const Tls &tls)
{
    stop();
    m_error.clear();
    const QString script = peersDirectory() + QLatin1Char('/') + QLatin1String(scriptName);
    if (!QFileInfo::exists(script))
        return fail(QStringLiteral("%1 not found").arg(script));
    const QString python = pythonInterpreter();
    if (python.isEmpty())
        return fail(QStringLiteral("python3 not found"));

    QStringList arguments{script, scenario};
    m_tls = !tls.certFile.isEmpty();
    if (m_tls) {
        arguments << QStringLiteral("--tls-cert") << tls.certFile << QStringLiteral("--tls-key")
                  << tls.keyFile;
        if (!tls.alpn.isEmpty())
            arguments << QStringLiteral("--alpn") << tls.alpn;
    }

    m_process = std::make_unique<QProcess>();
    // stderr goes to a file: nobody drains a pipe while a test blocks, and a full pipe would
    // stall the peer in the middle of a scenario.
    m_process->setStandardErrorFile(m_dir.filePath(QStringLiteral("peer.log")));
    dieWithParent(*m_process, SIGKILL);
    m_process->start(python, arguments);
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
        return fail(QStringLiteral("hostile peer (%1) did not report its port; first line \"%2\", "
                                   "log:\n%3")
                        .arg(scenario, QString::fromUtf8(line), QString::fromUtf8(log())));
    }
    return true;
}

void HostilePeer::stop()
{
    if (m_process) {
        // Nothing to shut down gracefully: the peer's whole state is the scenario in progress.
        m_process->kill();
        m_process->waitForFinished(5000);
        m_process.reset();
    }
    m_port = 0;
}

} // namespace hopscope::test
