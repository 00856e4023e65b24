#pragma once

#include <QProcess>
#include <QString>

namespace hopscope::test {

// Makes the kernel send `signal` to the child when the test process dies, so a crashed or killed
// test never leaves servers holding ports or CLIs streaming to disk behind it.
void dieWithParent(QProcess &process, int signal);

// Stops a child politely (SIGTERM), then firmly (SIGKILL), and reaps it.
void stopProcess(QProcess &process, int graceMs = 5000);

// An executable from PATH, or from the extra directories (sbin is not on every user's PATH).
QString findProgram(const QString &name, const QStringList &extraDirs = {});

// A TCP port on 127.0.0.1 that was free a moment ago, for a child server to listen on; 0 when
// none could be had.
quint16 freeLoopbackPort();

} // namespace hopscope::test
