#include "processutil.h"

#include <QStandardPaths>
#include <QTcpServer>

#include <csignal>
#include <sys/prctl.h>

namespace hopscope::test {

void dieWithParent(QProcess &process, int signal)
{
    process.setChildProcessModifier([signal] { ::prctl(PR_SET_PDEATHSIG, signal); });
}

void stopProcess(QProcess &process, int graceMs)
{
    if (process.state() == QProcess::NotRunning)
        return;
    process.terminate();
    if (!process.waitForFinished(graceMs)) {
        process.kill();
        process.waitForFinished(5000);
    }
}

QString findProgram(const QString &name, const QStringList &extraDirs)
{
    QString found = QStandardPaths::findExecutable(name);
    if (found.isEmpty() && !extraDirs.isEmpty())
        found = QStandardPaths::findExecutable(name, extraDirs);
    return found;
}

quint16 freeLoopbackPort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    return s.serverPort();
}

} // namespace hopscope::test
