#include "nghttpdpeer.h"

#include "processutil.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTcpSocket>
#include <QThread>

#include <csignal>

namespace hopscope::test {

NghttpdPeer::NghttpdPeer() = default;

NghttpdPeer::~NghttpdPeer()
{
    stopProcess(m_process);
}

bool NghttpdPeer::put(const QString &name, const QByteArray &data)
{
    QFile f(m_root.filePath(name));
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

bool NghttpdPeer::start(const Options &options)
{
    const QString program = findProgram(QStringLiteral("nghttpd"),
                                        {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")});
    if (program.isEmpty())
        return fail(QStringLiteral("nghttpd not found (apt-get install nghttp2-server)"));
    if (options.documentRoot.isEmpty() && !m_root.isValid())
        return fail(QStringLiteral("cannot create nghttpd's document root"));
    m_port = freeLoopbackPort();
    if (m_port == 0)
        return fail(QStringLiteral("no free port on 127.0.0.1"));
    m_tls = !options.keyFile.isEmpty() && !options.certFile.isEmpty();
    QStringList args{QStringLiteral("-a"), QStringLiteral("127.0.0.1"), QStringLiteral("-d"),
                     options.documentRoot.isEmpty() ? m_root.path() : options.documentRoot};
    args += options.extraArgs;
    if (m_tls)
        args << QString::number(m_port) << options.keyFile << options.certFile;
    else
        args << QStringLiteral("--no-tls") << QString::number(m_port);
    dieWithParent(m_process, SIGKILL);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start(program, args);
    if (!m_process.waitForStarted(5000))
        return fail(QStringLiteral("nghttpd did not start: ") + m_process.errorString());
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 10000) {
        if (m_process.state() != QProcess::Running) {
            return fail(QStringLiteral("nghttpd exited: ") +
                        QString::fromLocal8Bit(m_process.readAll()));
        }
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, m_port);
        if (probe.waitForConnected(200))
            return true;
        QThread::msleep(50);
    }
    return fail(QStringLiteral("nghttpd did not listen on port %1").arg(m_port));
}

QString NghttpdPeer::url(const QString &path) const
{
    const QString tail = path.startsWith(QLatin1Char('/')) ? path.mid(1) : path;
    return QStringLiteral("%1://127.0.0.1:%2/%3")
        .arg(m_tls ? QStringLiteral("https") : QStringLiteral("http"))
        .arg(m_port)
        .arg(tail);
}

bool NghttpdPeer::fail(const QString &message)
{
    m_error = message;
    return false;
}

} // namespace hopscope::test
