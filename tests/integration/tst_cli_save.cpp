// hopscope-cli --save FILE: the session file holds exactly the run's trace (event for event, as
// --trace-json wrote it in the same run) and the bodies as the peers served them, against
// nghttpd (HTTP/2 by prior knowledge, bodies in parallel) and the embedded demo tour (h2c, TLS,
// WebSocket, a raw tunnel); a file that cannot be written is an error before anything is sent.

#include "clirunner.h"
#include "nghttpdpeer.h"
#include "session/sessionreader.h"
#include "trace/tracefile.h"

#include <QFile>
#include <QTest>

using namespace hopscope;
using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

QByteArray binaryBody()
{
    QByteArray b;
    for (int i = 0; i < 3000; ++i)
        b.append(char((i * 7 + 3) % 256));
    return b;
}

// The session's events as the JSON-lines writer renders them.
QList<QJsonObject> asJsonLines(const TraceBatch &events, const QString &scratch)
{
    QString error;
    if (!writeTraceFile(scratch, events, &error))
        qFatal("%s", qPrintable(error));
    QFile f(scratch);
    f.open(QIODevice::ReadOnly);
    QStringList errors;
    return CliRunner::parseJsonLines(f.readAll(), &errors);
}

} // namespace

class CliSaveTest : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void savesEveryEventAndBody();
    void savesTheDemoTour();
    void unwritableFileFailsBeforeSending();

private:
    NghttpdPeer m_nghttpd;
};

void CliSaveTest::initTestCase()
{
    QVERIFY(m_nghttpd.put(u"bin"_s, binaryBody()));
    QVERIFY(m_nghttpd.put(u"hello.txt"_s, "hello, session\n"));
    QVERIFY2(m_nghttpd.start({QString(), {u"--echo-upload"_s}}),
             qPrintable(m_nghttpd.errorString()));
}

void CliSaveTest::savesEveryEventAndBody()
{
    CliRunner runner;
    const QString session = runner.scratchPath(u"run.hopscope"_s);
    const CliResult r =
        runner.run({u"--h2c-prior"_s, u"--parallel"_s, u"--save"_s, session, u"-o"_s,
                    runner.scratchPath(u"a"_s), u"-o"_s, runner.scratchPath(u"b"_s),
                    m_nghttpd.url(u"bin"_s), m_nghttpd.url(u"hello.txt"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));

    SessionContents s;
    QString error;
    QVERIFY2(readSessionFile(session, &s, &error), qPrintable(error));
    QCOMPARE(s.events.size(), qsizetype(r.trace.size()));
    const QList<QJsonObject> saved = asJsonLines(s.events, runner.scratchPath(u"back.jsonl"_s));
    for (qsizetype i = 0; i < saved.size(); ++i)
        QVERIFY2(saved.at(i) == r.trace.at(i), qPrintable(u"event %1 differs"_s.arg(i)));
    QVERIFY(s.traceStart.isValid());
    QVERIFY(qAbs(s.traceStart.secsTo(QDateTime::currentDateTimeUtc())) < 120);
    QVERIFY(s.meta.value(u"producer"_s).toString().startsWith(u"hopscope-cli "_s));

    // Bodies as served.
    QCOMPARE(s.bodies->count(), 2);
    QCOMPARE(s.bodies->body(1)->wire, binaryBody());
    QCOMPARE(s.bodies->body(2)->wire, QByteArray("hello, session\n"));

    // A body sent: kept as the request's, and the echo as the response's.
    const QString posted = runner.scratchPath(u"post.hopscope"_s);
    const CliResult p =
        runner.run({u"--h2c-prior"_s, u"--save"_s, posted, u"-d"_s, u"posted=1"_s, u"-o"_s,
                    runner.scratchPath(u"c"_s), m_nghttpd.url(u"hello.txt"_s)});
    HOPSCOPE_VERIFY_RAN(p);
    QVERIFY2(p.exitCode == 0, qPrintable(p.describe()));
    SessionContents ps;
    QVERIFY2(readSessionFile(posted, &ps, &error), qPrintable(error));
    QCOMPARE(ps.bodies->body(1)->requestBody, QByteArray("posted=1"));
    QCOMPARE(ps.bodies->body(1)->wire, QByteArray("posted=1")); // nghttpd --echo-upload
}

void CliSaveTest::savesTheDemoTour()
{
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(60));
    const QString session = runner.scratchPath(u"tour.hopscope"_s);
    const CliResult r = runner.run({u"--demo"_s, u"--save"_s, session});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    SessionContents s;
    QString error;
    QVERIFY2(readSessionFile(session, &s, &error), qPrintable(error));
    QVERIFY(s.events.size() > 100);
    QCOMPARE(asJsonLines(s.events, runner.scratchPath(u"back.jsonl"_s)), r.trace);
    // Every protocol of the tour is in it.
    QSet<QByteArray> types;
    for (const TraceEvent ev : s.events)
        types.insert(ev.typeName());
    for (const char *type : {"upgrade.switch", "h2.frame", "tls", "ws.message", "raw.data"})
        QVERIFY2(types.contains(type), type);
}

void CliSaveTest::unwritableFileFailsBeforeSending()
{
    CliRunner runner;
    const CliResult r = runner.run({u"--save"_s, u"/nonexistent-dir/run.hopscope"_s,
                                    m_nghttpd.url(u"hello.txt"_s), u"--h2c-prior"_s});
    HOPSCOPE_VERIFY_RAN(r);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(
        r.errorMessage().startsWith(u"cannot write the session /nonexistent-dir/run.hopscope"_s),
        qPrintable(r.describe()));
    QCOMPARE(r.count(u"request.start"), 0);
}

QTEST_MAIN(CliSaveTest)
#include "tst_cli_save.moc"
