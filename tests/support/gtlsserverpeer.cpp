#include "gtlsserverpeer.h"

#include "processutil.h"

#include <QElapsedTimer>
#include <QFile>
#include <QThread>
#include <QUdpSocket>

#include <csignal>

namespace hopscope::test {

GtlsServerPeer::~GtlsServerPeer()
{
    stop();
}

quint16 GtlsServerPeer::freeUdpPort()
{
    QUdpSocket s;
    if (!s.bind(QHostAddress::LocalHost, 0))
        return 0;
    return s.localPort();
}

bool GtlsServerPeer::fail(const QString &message)
{
    m_error = message;
    return false;
}

// Whether a UDP socket is bound to 127.0.0.1:port (the kernel's table; gtlsserver says nothing
// when it is ready).
bool GtlsServerPeer::isBound() const
{
    QFile f(QStringLiteral("/proc/net/udp"));
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray local =
        QByteArray("0100007F:") + QByteArray::number(m_port, 16).toUpper().rightJustified(4, '0');
    return f.readAll().contains(local);
}

bool GtlsServerPeer::start(const Options &options)
{
    const QString program = findProgram(QStringLiteral("gtlsserver"),
                                        {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")});
    if (program.isEmpty())
        return fail(QStringLiteral("gtlsserver not found (apt-get install ngtcp2-server)"));
    m_port = freeUdpPort();
    if (m_port == 0)
        return fail(QStringLiteral("no free UDP port on 127.0.0.1"));
    QStringList args{QStringLiteral("-q"), QStringLiteral("-d"), options.documentRoot};
    args += options.extraArgs;
    args << QStringLiteral("127.0.0.1") << QString::number(m_port) << options.keyFile
         << options.certFile;
    dieWithParent(m_process, SIGKILL);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start(program, args);
    if (!m_process.waitForStarted(5000))
        return fail(QStringLiteral("gtlsserver did not start: ") + m_process.errorString());
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 10000) {
        if (m_process.state() != QProcess::Running)
            return fail(QStringLiteral("gtlsserver exited: ") +
                        QString::fromLocal8Bit(m_process.readAll()));
        if (isBound())
            return true;
        QThread::msleep(20);
    }
    return fail(QStringLiteral("gtlsserver did not bind UDP port %1").arg(m_port));
}

void GtlsServerPeer::stop()
{
    if (m_process.state() != QProcess::NotRunning)
        stopProcess(m_process, 2000);
}

QByteArray GtlsServerPeer::output()
{
    return m_process.readAll();
}

} // namespace hopscope::test
