#include "proxypeers.h"

#include "processutil.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTcpSocket>
#include <QThread>

#include <csignal>
#include <unistd.h>

namespace hopscope::test {

ProxyPeer::ProxyPeer(Kind kind) : m_kind(kind) {}

ProxyPeer::~ProxyPeer()
{
    stop();
}

void ProxyPeer::stop()
{
    if (m_process.state() != QProcess::NotRunning)
        stopProcess(m_process);
}

QString ProxyPeer::url(bool resolveAtProxy) const
{
    const QString scheme = m_kind == Kind::Squid ? QStringLiteral("http")
                           : resolveAtProxy      ? QStringLiteral("socks5h")
                                                 : QStringLiteral("socks5");
    return QStringLiteral("%1://127.0.0.1:%2").arg(scheme).arg(m_port);
}

QByteArray ProxyPeer::accessLog() const
{
    QFile f(m_dir.filePath(QStringLiteral("access.log")));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool ProxyPeer::writeSquidConfig()
{
    // Squid refuses to run as root and drops to cache_effective_user (Debian's "proxy"), which
    // must be able to write its logs here.
    const QString dir = m_dir.path();
    QFile::setPermissions(dir, QFile::Permissions(0x7777));
    QByteArray conf;
    conf += "http_port 127.0.0.1:" + QByteArray::number(m_port) + "\n";
    conf += "pid_filename " + dir.toUtf8() + "/squid.pid\n";
    conf += "access_log stdio:" + dir.toUtf8() + "/access.log\n";
    conf += "cache_log " + dir.toUtf8() + "/cache.log\n";
    conf += "coredump_dir " + dir.toUtf8() + "\n";
    if (::geteuid() == 0)
        conf += "cache_effective_user proxy\n";
    conf += "cache_store_log none\n"
            "cache deny all\n"
            "pinger_enable off\n"
            "shutdown_lifetime 0 seconds\n"
            "acl loopback src 127.0.0.0/8\n"
            "http_access allow loopback\n"
            "http_access deny all\n";
    QFile f(m_dir.filePath(QStringLiteral("squid.conf")));
    return f.open(QIODevice::WriteOnly) && f.write(conf) == conf.size();
}

bool ProxyPeer::start(const QString &user, const QString &password)
{
    if (!m_dir.isValid())
        return fail(QStringLiteral("cannot create a scratch directory"));
    m_port = freeLoopbackPort();
    if (m_port == 0)
        return fail(QStringLiteral("no free port on 127.0.0.1"));
    const QStringList dirs{QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")};
    QString program;
    QStringList args;
    if (m_kind == Kind::Squid) {
        program = findProgram(QStringLiteral("squid"), dirs);
        if (program.isEmpty())
            return fail(QStringLiteral("squid not found (apt-get install squid)"));
        if (!writeSquidConfig())
            return fail(QStringLiteral("cannot write squid.conf"));
        // -N: in the foreground, one process, so that it dies with the test.
        args << QStringLiteral("-N") << QStringLiteral("-f")
             << m_dir.filePath(QStringLiteral("squid.conf"));
    } else {
        program = findProgram(QStringLiteral("microsocks"), dirs);
        if (program.isEmpty())
            return fail(QStringLiteral("microsocks not found (apt-get install microsocks)"));
        args << QStringLiteral("-i") << QStringLiteral("127.0.0.1") << QStringLiteral("-p")
             << QString::number(m_port);
        if (!user.isEmpty())
            args << QStringLiteral("-u") << user << QStringLiteral("-P") << password;
    }
    dieWithParent(m_process, SIGKILL);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.setWorkingDirectory(m_dir.path());
    m_process.start(program, args);
    if (!m_process.waitForStarted(5000))
        return fail(QStringLiteral("%1 did not start: %2").arg(program, m_process.errorString()));
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 20000) {
        if (m_process.state() != QProcess::Running) {
            QFile log(m_dir.filePath(QStringLiteral("cache.log")));
            log.open(QIODevice::ReadOnly);
            return fail(QStringLiteral("%1 exited: %2 %3")
                            .arg(program, QString::fromLocal8Bit(m_process.readAll()),
                                 QString::fromLocal8Bit(log.readAll())));
        }
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, m_port);
        if (probe.waitForConnected(200))
            return true;
        QThread::msleep(50);
    }
    return fail(QStringLiteral("%1 did not listen on port %2").arg(program).arg(m_port));
}

bool ProxyPeer::fail(const QString &message)
{
    m_error = message;
    return false;
}

} // namespace hopscope::test
