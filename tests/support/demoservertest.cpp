#include "demoservertest.h"

#include "processutil.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;

namespace hopscope::test {

QString ToolResult::describe() const
{
    return u"  command: %1\n  started %2, timed out %3, exit %4 after %5 ms\n  stdout: %6\n"
           u"  stderr: %7\n"_s.arg(command.join(u' '))
               .arg(started)
               .arg(timedOut)
               .arg(exitCode)
               .arg(ms)
               .arg(QString::fromUtf8(out.left(3000)), QString::fromUtf8(err.left(3000)));
}

ToolResult runTool(const QString &program, const QStringList &args, int timeoutMs)
{
    ToolResult r;
    r.command = QStringList{program} + args;
    QProcess p;
    dieWithParent(p, SIGKILL);
    QElapsedTimer clock;
    clock.start();
    p.start(program, args);
    r.started = p.waitForStarted(10000);
    if (!r.started) {
        r.err = p.errorString().toUtf8();
        return r;
    }
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        r.timedOut = true;
        p.kill();
        p.waitForFinished(5000);
    }
    r.ms = clock.elapsed();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return r;
}

QString python()
{
    if (QFileInfo(u"/usr/bin/python3"_s).isExecutable())
        return u"/usr/bin/python3"_s;
    return findProgram(u"python3"_s);
}

QByteArray patternSha256(qint64 size)
{
    QByteArray block(251 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < block.size(); ++i)
        block[i] = char(i % 251);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (qint64 done = 0; done < size;) {
        const qint64 n = qMin<qint64>(block.size(), size - done);
        hash.addData(QByteArrayView(block).first(n));
        done += n;
    }
    return hash.result().toHex();
}

QByteArray fileSha256(const QString &path, qint64 *size)
{
    QFile f(path);
    *size = -1;
    if (!f.open(QIODevice::ReadOnly))
        return {};
    *size = f.size();
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&f);
    return hash.result().toHex();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

qint64 residentKiB()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

QString str(const QJsonObject &e, const char *key)
{
    return e.value(QLatin1String(key)).toString();
}

qint64 num(const QJsonObject &e, const char *key)
{
    return e.value(QLatin1String(key)).toInteger(-1);
}

QByteArray dumpedHeader(const QByteArray &dump, const QByteArray &name)
{
    QByteArray value;
    for (const QByteArray &line : dump.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (line.startsWith("HTTP/"))
            value.clear(); // a new response head (after a 101 or 100)
        else if (colon > 0 && line.left(colon).compare(name, Qt::CaseInsensitive) == 0)
            value = line.mid(colon + 1).trimmed();
    }
    return value;
}

void DemoServerTestBase::startServer()
{
    QVERIFY(m_dir.isValid());
    m_curl = findProgram(u"curl"_s);
    m_nghttp = findProgram(u"nghttp"_s);
    m_h2load = findProgram(u"h2load"_s);
    QVERIFY2(!m_curl.isEmpty(), "curl is needed (scripts/setup.sh installs it)");
    QVERIFY2(!m_nghttp.isEmpty() && !m_h2load.isEmpty(),
             "nghttp and h2load are needed (Debian nghttp2-client)");
    QVERIFY2(!python().isEmpty(), "python3 is needed");

    QString error;
    QVERIFY2(m_demo.start(&error), qPrintable(error));
    m_server = m_demo.server();
    m_base[0] = m_server->baseUrl(false);
    m_base[1] = m_server->baseUrl(true);
    m_caFile = m_server->caFile();
    QVERIFY(m_server->plainPort() != 0 && m_server->tlsPort() != 0);
    QVERIFY(QFileInfo::exists(m_caFile));
}

void DemoServerTestBase::stopServer()
{
    m_server = nullptr;
    m_demo.stop();
}

QString DemoServerTestBase::script(const char *name, const char *text)
{
    const QString path = m_dir.filePath(QLatin1String(name));
    if (!QFileInfo::exists(path)) {
        QFile f(path);
        if (f.open(QIODevice::WriteOnly))
            f.write(text);
    }
    return path;
}

int DemoServerTestBase::serverConnections()
{
    int n = -1;
    QMetaObject::invokeMethod(
        m_server, [&] { n = m_server->connectionCount(); }, Qt::BlockingQueuedConnection);
    return n;
}

} // namespace hopscope::test
