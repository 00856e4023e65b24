#pragma once

// What the tst_demoserver_* suites share: the embedded demo server in its own thread (a base
// class for their test objects) and the helpers that run and read external clients.

#include "demoserver.h"
#include "demoserverthread.h"

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace hopscope::test {

constexpr qint64 kLargeBytes = qint64(256) << 20; // the demo server's /large

struct ToolResult
{
    QStringList command;
    bool started = false;
    bool timedOut = false;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    qint64 ms = 0;

    bool ok() const { return started && !timedOut && exitCode == 0; }
    QString describe() const;
};

// Runs a program to its end. Blocking is fine here: the server has its own thread.
ToolResult runTool(const QString &program, const QStringList &args, int timeoutMs = 60000);
// Debian's python3, where python3-websockets and python3-h2 live (a PATH python3 may be a
// pyenv without them).
QString python();
// SHA-256 (hex) of the demo server's byte pattern (i % 251) of `size` bytes.
QByteArray patternSha256(qint64 size);
QByteArray fileSha256(const QString &path, qint64 *size);
// The file's content; empty when it does not exist (curl creates no -o file for an empty body).
QByteArray readFile(const QString &path);
qint64 residentKiB();
QString str(const QJsonObject &e, const char *key);
qint64 num(const QJsonObject &e, const char *key);
// A header's value in a `curl -D` dump (the last response's, case-insensitive name).
QByteArray dumpedHeader(const QByteArray &dump, const QByteArray &name);

// The server runs in its own QThread with its own event loop, so the test thread may block on
// external clients (QProcess::waitForFinished, blocking QTcpSocket calls) while it serves them.
// A suite derives from this and calls startServer() from initTestCase() and stopServer() from
// cleanupTestCase(); startServer() fails the test case (QVERIFY) when the server or a tool is
// missing.
class DemoServerTestBase : public QObject
{
protected:
    void startServer();
    void stopServer();
    QString url(bool tls, const QString &path) const { return m_base[tls] + path; }
    // Writes a client script into the scratch directory once; returns its path.
    QString script(const char *name, const char *text);
    int serverConnections();

    DemoServerThread m_demo;
    DemoServer *m_server = nullptr; // m_demo's, while it runs
    QString m_base[2];
    QString m_caFile;
    QString m_curl;
    QString m_nghttp;
    QString m_h2load;
    QTemporaryDir m_dir;
};

} // namespace hopscope::test
