// hopscope-cli against tests/peers/hostile_peer.py: every misbehaving server must end in a clear
// error (exit code, stderr, trace), within bounded time and memory, never in a hang.

#include "clirunner.h"
#include "hostilepeer.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 MiB = 1024 * 1024;

QString str(const QJsonObject &event, const char *key)
{
    return event.value(QLatin1String(key)).toString();
}

} // namespace

class CliHostileTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void failures_data();
    void failures();
    void okScenarioSucceeds();
    void responseBeforeTheBodyIsShown();
    void garbageAfterAResponseIsNotTheNextResponse();
};

void CliHostileTest::initTestCase()
{
    const QString cli = CliRunner().program();
    QVERIFY2(!cli.isEmpty(), "HOPSCOPE_CLI is not set: run through CTest");
    QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli + u" is not an executable"_s));
}

void CliHostileTest::failures_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QStringList>("extraArgs");    // "@OUT" stands for a scratch output file
    QTest::addColumn<QStringList>("messageParts"); // regexes the stderr message must all match
    QTest::addColumn<QString>("codePattern");      // regex for request.failed's code
    QTest::addColumn<qint64>("minElapsedMs");
    QTest::addColumn<qint64>("maxElapsedMs");
    QTest::addColumn<qint64>("maxRssKiB");    // 0: not checked
    QTest::addColumn<qint64>("minFileBytes"); // 0: not checked
    QTest::addColumn<int>("exitCode");        // curl's code for the same failure

    QTest::newRow("close-mid-body")
        << u"close-mid-body"_s << QStringList{} << QStringList{u"mid-body"_s, u"10000 of 100000"_s}
        << u"^truncated-body$"_s << qint64(0) << qint64(5000) << qint64(0) << qint64(0) << 18;
    QTest::newRow("bad-status-line")
        << u"bad-status-line"_s << QStringList{} << QStringList{u"status line"_s}
        << u"^status-line$"_s << qint64(0) << qint64(5000) << qint64(0) << qint64(0) << 8;
    // The peer would send 8 MiB; the CLI must stop at its header limit and not buffer it all.
    QTest::newRow("header-8mib") << u"header-8mib"_s << QStringList{}
                                 << QStringList{u"maxHeader(Line)?Bytes"_s}
                                 << u"^limit:maxHeader(Line)?Bytes$"_s << qint64(0) << qint64(5000)
                                 << qint64(60 * 1024) << qint64(0) << 1;
    // 500,000 interim heads: stopped by count, with the limit named (not followed to the end).
    QTest::newRow("interim-flood") << u"interim-flood"_s << QStringList{}
                                   << QStringList{u"interim \\(1xx\\)"_s, u"maxInterimResponses"_s}
                                   << u"^limit:maxInterimResponses$"_s << qint64(0) << qint64(5000)
                                   << qint64(60 * 1024) << qint64(0) << 1;
    QTest::newRow("silent, --timeout 2")
        << u"silent"_s << QStringList{u"--timeout"_s, u"2"_s} << QStringList{u"time[d ]?-?out"_s}
        << u"^timeout$"_s << qint64(1800) << qint64(5000) << qint64(0) << qint64(0) << 28;
    QTest::newRow("silent, --idle-timeout 2")
        << u"silent"_s << QStringList{u"--idle-timeout"_s, u"2"_s}
        << QStringList{u"time[d ]?-?out"_s} << u"^timeout$"_s << qint64(1800) << qint64(5000)
        << qint64(0) << qint64(0) << 28;
    QTest::newRow("bad-chunk-size")
        << u"bad-chunk-size"_s << QStringList{} << QStringList{u"chunk"_s} << u"^chunk-size$"_s
        << qint64(0) << qint64(5000) << qint64(0) << qint64(0) << 56;
    // Streams to disk as fast as it can for 6 s: the file grows, the memory does not.
    QTest::newRow("endless-chunked to -o, --timeout 6")
        << u"endless-chunked"_s << QStringList{u"-o"_s, u"@OUT"_s, u"--timeout"_s, u"6"_s}
        << QStringList{u"time[d ]?-?out"_s} << u"^timeout$"_s << qint64(5500) << qint64(10000)
        << qint64(60 * 1024) << qint64(100 * MiB) << 28;
    // One byte every 0.5 s: never idle, never done. curl's low-speed abort (-Y/-y, the named
    // limit lowSpeedLimit) ends it after its window, with curl's 28.
    QTest::newRow("slow-drip, -Y 1000 -y 2")
        << u"slow-drip"_s << QStringList{u"-Y"_s, u"1000"_s, u"-y"_s, u"2"_s}
        << QStringList{u"slower than 1000 bytes/s for 2 s"_s, u"lowSpeedLimit"_s}
        << u"^limit:lowSpeedLimit$"_s << qint64(1800) << qint64(5000) << qint64(0) << qint64(0)
        << 28;
    QTest::newRow("slow-drip, --limit lowSpeedLimit=100 --limit lowSpeedTime=2")
        << u"slow-drip"_s
        << QStringList{u"--limit"_s, u"lowSpeedLimit=100"_s, u"--limit"_s, u"lowSpeedTime=2"_s}
        << QStringList{u"slower than 100 bytes/s for 2 s"_s} << u"^limit:lowSpeedLimit$"_s
        << qint64(1800) << qint64(5000) << qint64(0) << qint64(0) << 28;
    // Faster than the limit (2 bytes/s against 1): the low-speed check lets it run, and only
    // the total time ends it.
    QTest::newRow("slow-drip above -Y 1, -m 4")
        << u"slow-drip"_s << QStringList{u"-Y"_s, u"1"_s, u"-y"_s, u"2"_s, u"-m"_s, u"4"_s}
        << QStringList{u"timed out after 4 s"_s} << u"^timeout$"_s << qint64(3800) << qint64(7000)
        << qint64(0) << qint64(0) << 28;
    // 100,000 lines of 10 bytes: under every byte limit, stopped by the count.
    QTest::newRow("header-count-flood")
        << u"header-count-flood"_s << QStringList{}
        << QStringList{u"more than 5000 header fields"_s, u"maxHeaderCount"_s}
        << u"^limit:maxHeaderCount$"_s << qint64(0) << qint64(5000) << qint64(60 * 1024)
        << qint64(0) << 1;
    // 8 MiB of trailers after the last chunk: trailers count against the head's byte limit.
    QTest::newRow("trailer-flood")
        << u"trailer-flood"_s << QStringList{}
        << QStringList{u"trailers exceed"_s, u"maxHeaderBytes"_s} << u"^limit:maxHeaderBytes$"_s
        << qint64(0) << qint64(5000) << qint64(60 * 1024) << qint64(0) << 1;
    QTest::newRow("close-without-reply")
        << u"close-without-reply"_s << QStringList{} << QStringList{u"before any response"_s}
        << u"^no-response$"_s << qint64(0) << qint64(5000) << qint64(0) << qint64(0) << 52;
}

void CliHostileTest::failures()
{
    QFETCH(QString, scenario);
    QFETCH(QStringList, extraArgs);
    QFETCH(QStringList, messageParts);
    QFETCH(QString, codePattern);
    QFETCH(qint64, minElapsedMs);
    QFETCH(qint64, maxElapsedMs);
    QFETCH(qint64, maxRssKiB);
    QFETCH(qint64, minFileBytes);
    QFETCH(int, exitCode);

    HostilePeer peer;
    QVERIFY2(peer.start(scenario), qPrintable(peer.errorString()));
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(30));
    runner.setMeasureMemory(maxRssKiB > 0);
    const QString out = runner.scratchPath(QStringLiteral("body.out"));
    extraArgs.replaceInStrings(QStringLiteral("@OUT"), out);
    const CliResult r = runner.run(extraArgs + QStringList{peer.url(QStringLiteral("/hostile"))});
    const QString context =
        r.describe() + QStringLiteral("  peer log:\n") + QString::fromUtf8(peer.log().right(2000));

    HOPSCOPE_VERIFY_RAN(r);
    qInfo("%s: exit %d after %lld ms, peak RSS %lld KiB, error: %s", qPrintable(scenario),
          r.exitCode, r.elapsedMs, r.peakRssKiB, qPrintable(r.errorMessage()));
    QVERIFY2(r.exitCode == exitCode,
             qPrintable(u"exit code %1, expected %2\n"_s.arg(r.exitCode).arg(exitCode) + context));
    const QString message = r.errorMessage();
    QVERIFY2(!message.isEmpty(), qPrintable(u"no \"hopscope-cli: error: \" line\n"_s + context));
    for (const QString &part : messageParts) {
        const QRegularExpression re(part, QRegularExpression::CaseInsensitiveOption);
        QVERIFY2(
            re.match(message).hasMatch(),
            qPrintable(u"error message does not match /%1/: %2\n"_s.arg(part, message) + context));
    }

    QVERIFY2(r.has(u"request.failed"), qPrintable(context));
    const QJsonObject failed = r.first(u"request.failed");
    QCOMPARE(failed.value(QLatin1String("req")).toInteger(), 1);
    QVERIFY2(!str(failed, "error").isEmpty(), qPrintable(context));
    QVERIFY2(QRegularExpression(codePattern).match(str(failed, "code")).hasMatch(),
             qPrintable(u"request.failed code \"%1\" does not match /%2/\n"_s.arg(
                            str(failed, "code"), codePattern) +
                        context));
    QVERIFY2(r.has(u"error"), qPrintable(context));
    QVERIFY2(!str(r.first(u"error"), "message").isEmpty(), qPrintable(context));
    QVERIFY2(!r.has(u"response.complete"), qPrintable(context));

    QVERIFY2(r.elapsedMs >= minElapsedMs && r.elapsedMs <= maxElapsedMs,
             qPrintable(u"took %1 ms, expected %2..%3 ms\n"_s.arg(r.elapsedMs)
                            .arg(minElapsedMs)
                            .arg(maxElapsedMs) +
                        context));
    if (maxRssKiB > 0 && rssBudgetsApply()) {
        QVERIFY2(r.peakRssKiB > 0, "could not sample the CLI's memory");
        QVERIFY2(r.peakRssKiB < maxRssKiB,
                 qPrintable(u"peak RSS %1 KiB, limit %2 KiB\n"_s.arg(r.peakRssKiB).arg(maxRssKiB) +
                            context));
    }
    if (minFileBytes > 0) {
        // The floor shows the body streamed past the memory budget; under ASan (no RSS budget,
        // several times slower) only that it streamed at all.
        if (!rssBudgetsApply())
            minFileBytes /= 8;
        const qint64 size = QFileInfo(out).size();
        QFile::remove(out);
        qInfo("-o file reached %lld MiB", size / MiB);
        QVERIFY2(size > minFileBytes,
                 qPrintable(u"-o file has %1 bytes, expected more than %2\n"_s.arg(size).arg(
                                minFileBytes) +
                            context));
    }
}

void CliHostileTest::okScenarioSucceeds()
{
    // The same harness against a well-behaved script: failures above are the peer's doing.
    HostilePeer peer;
    QVERIFY2(peer.start(u"ok"_s), qPrintable(peer.errorString()));
    CliRunner runner;
    const CliResult r = runner.run({peer.url(u"/a"_s), peer.url(u"/b"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.errorMessage().isEmpty(), qPrintable(r.describe()));
    QCOMPARE(r.standardOutput, QByteArray("hello from the hostile peer\n").repeated(2));
    QCOMPARE(r.count(u"response.complete"), 2);
    QCOMPARE(r.count(u"connect"), 1);
    QVERIFY(!r.has(u"request.failed"));
}

// The server answers 413 and closes while the client is still sending a 5 MB body: what the user
// needs is the 413, as curl shows it, not an error about a body that could not be finished.
void CliHostileTest::responseBeforeTheBodyIsShown()
{
    HostilePeer peer;
    QVERIFY2(peer.start(u"early-response"_s), qPrintable(peer.errorString()));
    CliRunner runner;
    const QString bodyFile = runner.scratchPath(u"body.bin"_s);
    QFile f(bodyFile);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QVERIFY(f.write(QByteArray(5 * 1000 * 1000, 'b')) == 5 * 1000 * 1000);
    f.close();
    const CliResult r = runner.run({u"--data-binary"_s, u"@"_s + bodyFile, peer.url(u"/up"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.standardOutput, QByteArray("too large"));
    QCOMPARE(r.first(u"response.complete").value(u"status"_s).toInt(), 413);
    QVERIFY2(!r.has(u"request.failed"), qPrintable(r.describe()));
}

// A response followed by bytes that belong to no response, on a keep-alive connection: the
// first response is kept, the bytes are a violation and end the connection, and the next
// request goes out on a new connection instead of reading the garbage as its response.
void CliHostileTest::garbageAfterAResponseIsNotTheNextResponse()
{
    HostilePeer peer;
    QVERIFY2(peer.start(u"garbage-after-response"_s), qPrintable(peer.errorString()));
    CliRunner runner;
    const CliResult r = runner.run({peer.url(u"/a"_s), peer.url(u"/b"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.standardOutput, QByteArray("firstfirst"));
    QCOMPARE(r.count(u"response.complete"), 2);
    QCOMPARE(r.count(u"connect"), 2);
    const QJsonObject violation = r.first(u"h1.violation");
    QCOMPARE(violation.value(u"code"_s).toString(), u"extra-data"_s);
    QVERIFY2(violation.value(u"message"_s).toString().contains(u"12 bytes after the end"_s),
             qPrintable(r.describe()));
}

QTEST_GUILESS_MAIN(CliHostileTest)
#include "tst_cli_hostile.moc"
