// hopscope-cli against more HTTP/2 scenarios of tests/peers/hostile_peer.py (defined in
// hostile_h2_floods.py): PING, RST_STREAM, WINDOW_UPDATE, PRIORITY and empty-DATA floods (and a
// flood broken up by progress, which a raised limit lets complete), WINDOW_UPDATEs that overflow
// the send window, DATA beyond the window we announced, frames on a stream the server ended, an
// HPACK table size update above our SETTINGS_HEADER_TABLE_SIZE, a GOAWAY followed by silence and
// a window that never opens for our request body. Each must end with curl's exit code, a message
// that names what the server did (and the limit or timeout that ended it), its code in
// request.failed, within bounded time and memory; where the server answered a first request
// before misbehaving, that response stays complete. After prior knowledge and after h2c.

#include "clirunner.h"
#include "h2tracecheck.h"
#include "hostilepeer.h"

#include <QFileInfo>
#include <QJsonObject>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTest>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

// What one scenario must lead to. Regexes are matched case-insensitively against the message
// (the text after "METHOD <url>: "), case-sensitively against the code.
struct Expectation
{
    QStringList args{};         // more CLI arguments: limits, timeouts, a request body
    bool firstAnswered = false; // /a is answered first and must stay complete; /b fails
    QStringList message{};      // regexes the message must all match
    QStringList notInMessage{}; // regexes it must not match (misleading explanations)
    QString code{};             // regex for request.failed's code
    int exitCode = 16;          // curl's (app/cli/exitcodes.h)
    QString inFrame{};          // a frame type the trace must show arriving; empty: none
    int inStream = -1;          // ... on this stream; -1: any
    QString outFrame{};         // a frame type hopscope must send in reaction; empty: none
    QString outError{};         // ... with this error code name; empty: any
    qint64 maxRssKiB = 60 * 1024;
};

// The frames the trace shows arriving.
qsizetype inFrames(const CliResult &r)
{
    qsizetype n = 0;
    for (const QJsonObject &e : r.events(u"h2.frame"))
        n += str(e, "dir") == u"in";
    return n;
}

} // namespace

Q_DECLARE_METATYPE(Expectation)

class CliHostileH2FloodsTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void failures_data();
    void failures();
    void floodWithProgress_data();
    void floodWithProgress();
};

void CliHostileH2FloodsTest::initTestCase()
{
    const QString cli = CliRunner().program();
    QVERIFY2(!cli.isEmpty(), "HOPSCOPE_CLI is not set: run through CTest");
    QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli + u" is not an executable"_s));
}

void CliHostileH2FloodsTest::failures_data()
{
    QTest::addColumn<QString>("scenario");
    // "prior": the CLI runs with --h2c-prior; "h2c": with --h2c and the peer's --mode h2c.
    QTest::addColumn<QString>("mode");
    QTest::addColumn<Expectation>("expect");

    struct Row
    {
        QString scenario;
        Expectation expect;
    };
    const QList<Row> rows{
        // nghttp2 stops at 1000 unsent acknowledgements (max_outbound_ack), as for SETTINGS.
        {u"h2-ping-flood"_s,
         {.message = {u"flooded"_s, u"; \\d{3,} PING and 1 SETTINGS frames received"_s},
          .code = u"^h2-flood$"_s,
          .inFrame = u"PING"_s,
          .inStream = 0}},
        // RST_STREAM may cross a client's END_STREAM (RFC 9113 §5.1), so a few for the closed
        // stream 1 are fine; 200000 without progress are a flood that nghttp2 1.52 does not
        // bound, and each would reset --idle-timeout: maxIdleControlFrames is ours.
        {u"h2-rst-flood"_s,
         {.firstAnswered = true,
          .message = {u"^the server sent more than 10000 RST_STREAM, WINDOW_UPDATE and PRIORITY "
                      u"frames without progress on any request \\(10001 RST_STREAM for closed "
                      u"or idle streams\\): a flood; limit maxIdleControlFrames$"_s},
          .code = u"^limit:maxIdleControlFrames$"_s,
          .exitCode = 1,
          .inFrame = u"RST_STREAM"_s,
          .inStream = 1,
          .outFrame = u"GOAWAY"_s,
          .outError = u"ENHANCE_YOUR_CALM"_s}},
        // Increments of 1 on stream 0: far from overflowing, so nghttp2 takes them all.
        {u"h2-window-update-flood"_s,
         {.message = {u"more than 10000 RST_STREAM, WINDOW_UPDATE and PRIORITY frames without "
                      u"progress on any request \\(10001 WINDOW_UPDATE on stream 0\\)"_s,
                      u"limit maxIdleControlFrames$"_s},
          .code = u"^limit:maxIdleControlFrames$"_s,
          .exitCode = 1,
          .inFrame = u"WINDOW_UPDATE"_s,
          .inStream = 0,
          .outFrame = u"GOAWAY"_s,
          .outError = u"ENHANCE_YOUR_CALM"_s}},
        // nghttp2 drops a WINDOW_UPDATE for a closed stream without a callback: counted as the
        // frame begins.
        {u"h2-window-update-closed-flood"_s,
         {.firstAnswered = true,
          .message = {u"\\(10001 WINDOW_UPDATE on other streams\\)"_s,
                      u"limit maxIdleControlFrames$"_s},
          .code = u"^limit:maxIdleControlFrames$"_s,
          .exitCode = 1,
          .inFrame = u"WINDOW_UPDATE"_s,
          .inStream = 1,
          .outFrame = u"GOAWAY"_s,
          .outError = u"ENHANCE_YOUR_CALM"_s}},
        {u"h2-priority-flood"_s,
         {.message = {u"\\(10001 PRIORITY\\)"_s, u"limit maxIdleControlFrames$"_s},
          .code = u"^limit:maxIdleControlFrames$"_s,
          .exitCode = 1,
          .inFrame = u"PRIORITY"_s,
          .outFrame = u"GOAWAY"_s,
          .outError = u"ENHANCE_YOUR_CALM"_s}},
        // 15000 RST_STREAM before the first progress: over the default, whatever follows.
        {u"h2-control-flood-then-answer"_s,
         {.firstAnswered = true,
          .message = {u"\\(10001 RST_STREAM for closed or idle streams\\)"_s,
                      u"limit maxIdleControlFrames$"_s},
          .code = u"^limit:maxIdleControlFrames$"_s,
          .exitCode = 1,
          .inFrame = u"RST_STREAM"_s,
          .inStream = 1,
          .outFrame = u"GOAWAY"_s,
          .outError = u"ENHANCE_YOUR_CALM"_s}},
        // nghttp2 has no limit here: maxEmptyDataFrames is ours, and it names itself.
        {u"h2-empty-data-flood"_s,
         {.firstAnswered = true,
          .message = {u"more than 100 empty DATA frames in a row on stream 3"_s,
                      u"limit maxEmptyDataFrames"_s},
          .code = u"^limit:maxEmptyDataFrames$"_s,
          .exitCode = 1,
          .inFrame = u"DATA"_s,
          .inStream = 3,
          .outFrame = u"GOAWAY"_s,
          .outError = u"ENHANCE_YOUR_CALM"_s}},
        // nghttp2 says "Flow control error" and nothing of the increment or the window.
        {u"h2-window-overflow"_s,
         {.message = {u"FLOW_CONTROL_ERROR"_s,
                      u"WINDOW_UPDATE on stream 0 with an increment of 2147483647"_s,
                      u"connection's send window of 65535 bytes past 2\\^31-1"_s},
          .code = u"^h2-protocol$"_s,
          .inFrame = u"WINDOW_UPDATE"_s,
          .inStream = 0,
          .outFrame = u"GOAWAY"_s,
          .outError = u"FLOW_CONTROL_ERROR"_s}},
        {u"h2-window-overflow-stream"_s,
         {.message = {u"^stream 1 reset by hopscope \\(FLOW_CONTROL_ERROR\\)"_s,
                      u"WINDOW_UPDATE on stream 1 with an increment of 2147483647"_s,
                      u"stream's send window of 65535 bytes past 2\\^31-1"_s},
          .code = u"^h2-stream:FLOW_CONTROL_ERROR$"_s,
          .inFrame = u"WINDOW_UPDATE"_s,
          .inStream = 1,
          .outFrame = u"RST_STREAM"_s,
          .outError = u"FLOW_CONTROL_ERROR"_s}},
        // Only a window under twice the frame size can be overrun (the peer's docstring says
        // why); the message used to blame content-length.
        {u"h2-data-beyond-window"_s,
         {.args = {u"--limit"_s, u"h2StreamWindow=16384"_s},
          .message = {u"^stream 1 reset by hopscope \\(FLOW_CONTROL_ERROR\\)"_s,
                      u"more DATA than the stream window of 16384 bytes we announced"_s,
                      u"h2StreamWindow"_s},
          .notInMessage = {u"content-length"_s},
          .code = u"^h2-stream:FLOW_CONTROL_ERROR$"_s,
          .inFrame = u"DATA"_s,
          .inStream = 1,
          .outFrame = u"RST_STREAM"_s,
          .outError = u"FLOW_CONTROL_ERROR"_s}},
        // nghttp2 forgets a closed stream and dropped such frames without a word.
        {u"h2-frames-on-closed-stream"_s,
         {.firstAnswered = true,
          .message = {u"STREAM_CLOSED"_s,
                      u"DATA frame on stream 1, which the server had already ended with "
                      u"END_STREAM"_s},
          .code = u"^h2-protocol$"_s,
          .inFrame = u"DATA"_s,
          .inStream = 1,
          .outFrame = u"GOAWAY"_s,
          .outError = u"STREAM_CLOSED"_s}},
        // It read "COMPRESSION_ERROR: the server broke the protocol".
        {u"h2-hpack-table-size-update"_s,
         {.message = {u"COMPRESSION_ERROR"_s, u"stream 1"_s,
                      u"dynamic table to 65536 bytes, above the SETTINGS_HEADER_TABLE_SIZE of "
                      u"4096 we announced"_s},
          .notInMessage = {u"broke the protocol"_s},
          .code = u"^h2-protocol$"_s,
          .inFrame = u"HEADERS"_s,
          .inStream = 1,
          .outFrame = u"GOAWAY"_s,
          .outError = u"COMPRESSION_ERROR"_s}},
        // Stream 1 is at or below last_stream_id, so it may still be answered: only the idle
        // timeout can end the wait, and it must say what the server left it waiting after.
        {u"h2-goaway-then-silence"_s,
         {.args = {u"--idle-timeout"_s, u"1"_s},
          .message = {u"^idle timeout: no data for 1 s"_s, u"--idle-timeout"_s,
                      u"server sent GOAWAY NO_ERROR, last stream 1 and then nothing more"_s},
          .code = u"^timeout$"_s,
          .exitCode = 28,
          .inFrame = u"GOAWAY"_s,
          .inStream = 0}},
    };
    for (const QString &mode : {u"prior"_s, u"h2c"_s}) {
        for (const Row &row : rows)
            QTest::newRow(qPrintable(u"%1 (%2)"_s.arg(row.scenario, mode)))
                << row.scenario << mode << row.expect;
    }

    // The limit is configurable, and the message names the value in force.
    QTest::newRow("h2-empty-data-flood --limit maxEmptyDataFrames=1000 (prior)")
        << u"h2-empty-data-flood"_s << u"prior"_s
        << Expectation{.args = {u"--limit"_s, u"maxEmptyDataFrames=1000"_s},
                       .firstAnswered = true,
                       .message = {u"more than 1000 empty DATA frames"_s, u"maxEmptyDataFrames"_s},
                       .code = u"^limit:maxEmptyDataFrames$"_s,
                       .exitCode = 1};
    // Lowered, it stops a flood sooner: at the 101st frame, as the message counts. (The trace
    // may show a few thousand more: what arrived in the same read is traced, not processed.)
    QTest::newRow("h2-priority-flood --limit maxIdleControlFrames=100 (prior)")
        << u"h2-priority-flood"_s << u"prior"_s
        << Expectation{.args = {u"--limit"_s, u"maxIdleControlFrames=100"_s},
                       .message = {u"more than 100 RST_STREAM, WINDOW_UPDATE and PRIORITY "
                                   u"frames without progress on any request \\(101 PRIORITY\\)"_s,
                                   u"limit maxIdleControlFrames$"_s},
                       .code = u"^limit:maxIdleControlFrames$"_s,
                       .exitCode = 1};
    // Raised past the flood, the old story: the RSTs for the closed stream are ignored and the
    // reset of the waiting stream 3 is what the user sees.
    QTest::newRow("h2-rst-flood --limit maxIdleControlFrames=1000000 (prior)")
        << u"h2-rst-flood"_s << u"prior"_s
        << Expectation{.args = {u"--limit"_s, u"maxIdleControlFrames=1000000"_s},
                       .firstAnswered = true,
                       .message = {u"^stream 3 reset by the server: CANCEL$"_s},
                       .code = u"^h2-rst:CANCEL$"_s,
                       .exitCode = 92,
                       .inFrame = u"RST_STREAM"_s,
                       .inStream = 3};
    // A request body against SETTINGS_INITIAL_WINDOW_SIZE 0 (prior knowledge: an h2c upgrade
    // sends its body over HTTP/1.1). 100000 bytes: more than the 65535 that may leave before
    // the server's SETTINGS arrive.
    QTest::newRow("h2-zero-window (prior)")
        << u"h2-zero-window"_s << u"prior"_s
        << Expectation{.args = {u"--idle-timeout"_s, u"1"_s, u"-d"_s, QString(100000, u'x')},
                       .message = {u"^idle timeout: no data for 1 s"_s,
                                   u"flow-control window stayed closed"_s,
                                   u"\\d+ of 100000 request body bytes on stream 1 could not "
                                   u"be sent"_s},
                       .code = u"^timeout$"_s,
                       .exitCode = 28};
}

void CliHostileH2FloodsTest::failures()
{
    QFETCH(QString, scenario);
    QFETCH(QString, mode);
    QFETCH(Expectation, expect);

    HostilePeer peer;
    QVERIFY2(peer.start(scenario, {}, {u"--mode"_s, mode}), qPrintable(peer.errorString()));
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(30));
    runner.setMeasureMemory(true);
    const QString first = peer.url(u"/a"_s);
    const QString second = peer.url(u"/b"_s);
    QStringList args{mode == u"h2c" ? u"--h2c"_s : u"--h2c-prior"_s, first};
    if (expect.firstAnswered)
        args << second;
    const CliResult r = runner.run(args + expect.args);
    // QTest cuts failure messages at about 1000 characters: the full story goes to the log.
    const auto explainFailure = qScopeGuard([&] {
        if (QTest::currentTestFailed()) {
            qWarning().noquote() << u"\n"_s + r.describe() + frameSummary(r) + u"  peer log:\n"_s +
                                        QString::fromUtf8(peer.log().right(4000));
        }
    });

    HOPSCOPE_VERIFY_RAN(r);
    qInfo("%s (%s): exit %d after %lld ms, peak RSS %lld KiB, error: %s", qPrintable(scenario),
          qPrintable(mode), r.exitCode, r.elapsedMs, r.peakRssKiB, qPrintable(r.errorMessage()));
    QVERIFY2(!peer.log().contains("scenario error"), "the scenario itself broke (see its log)");
    if (mode == u"h2c")
        QVERIFY2(r.has(u"upgrade.switch"), "no upgrade.switch: the scenario was not reached");

    QCOMPARE(r.exitCode, expect.exitCode);
    const QString failedUrl = expect.firstAnswered ? second : first;
    const QRegularExpressionMatch line =
        QRegularExpression(u"^[A-Z]+ %1: (.*)$"_s.arg(QRegularExpression::escape(failedUrl)))
            .match(r.errorMessage());
    QVERIFY2(line.hasMatch(),
             qPrintable(u"error line \"%1\" is not about %2"_s.arg(r.errorMessage(), failedUrl)));
    const QString message = line.captured(1);
    for (const QString &part : expect.message) {
        const QRegularExpression re(part, QRegularExpression::CaseInsensitiveOption);
        QVERIFY2(re.match(message).hasMatch(),
                 qPrintable(u"error message does not match /%1/: %2"_s.arg(part, message)));
    }
    for (const QString &part : expect.notInMessage) {
        const QRegularExpression re(part, QRegularExpression::CaseInsensitiveOption);
        QVERIFY2(!re.match(message).hasMatch(),
                 qPrintable(
                     u"error message matches /%1/, which misleads here: %2"_s.arg(part, message)));
    }

    QCOMPARE(r.count(u"request.failed"), qsizetype(1));
    const QJsonObject failed = r.first(u"request.failed");
    QCOMPARE(num(failed, "req"), qint64(expect.firstAnswered ? 2 : 1));
    QCOMPARE(str(failed, "error"), message);
    QVERIFY2(QRegularExpression(expect.code).match(str(failed, "code")).hasMatch(),
             qPrintable(u"request.failed code \"%1\" does not match /%2/"_s.arg(str(failed, "code"),
                                                                                expect.code)));
    QVERIFY2(r.has(u"error"), "no error event in the trace");

    // What the server answered before it misbehaved stays answered.
    const QList<QJsonObject> complete = r.events(u"response.complete");
    if (expect.firstAnswered) {
        QCOMPARE(complete.size(), 1);
        QCOMPARE(num(complete[0], "req"), qint64(1));
        QCOMPARE(num(complete[0], "status"), qint64(200));
        // The failing response's body so far may follow, as curl writes what came.
        QVERIFY2(r.standardOutput.startsWith("first\n"), r.standardOutput.left(200).constData());
    } else {
        QVERIFY2(complete.isEmpty(), "a response.complete despite the failure");
    }

    QVERIFY2(r.elapsedMs < 5000, qPrintable(u"took %1 ms"_s.arg(r.elapsedMs)));
    QCOMPARE(r.count(u"connect"), qsizetype(1));
    QVERIFY2(r.peakRssExact, "could not measure the CLI's memory");
    QVERIFY2(
        !rssBudgetsApply() || r.peakRssKiB < expect.maxRssKiB,
        qPrintable(u"peak RSS %1 KiB, limit %2 KiB"_s.arg(r.peakRssKiB).arg(expect.maxRssKiB)));

    if (!expect.inFrame.isEmpty()) {
        QVERIFY2(hasFrame(r, u"in"_s, expect.inFrame, expect.inStream),
                 qPrintable(u"no h2.frame %1 (dir in, stream %2) in the trace"_s.arg(
                     expect.inFrame, QString::number(expect.inStream))));
    }
    if (!expect.outFrame.isEmpty()) {
        QVERIFY2(hasFrame(r, u"out"_s, expect.outFrame, -1, expect.outError),
                 qPrintable(u"no h2.frame %1 %2 (dir out) in the trace: hopscope did not answer "
                            u"the violation"_s.arg(expect.outFrame, expect.outError)));
    }
}

// Progress (the response head, body bytes) resets the count: 45000 useless frames in runs of
// 15000 between the pieces of a response pass a limit of 20000, which a count that never reset
// would not, and the response is complete. Legitimate traffic is far below either.
void CliHostileH2FloodsTest::floodWithProgress_data()
{
    QTest::addColumn<QString>("mode");
    QTest::newRow("prior") << u"prior"_s;
    QTest::newRow("h2c") << u"h2c"_s;
}

void CliHostileH2FloodsTest::floodWithProgress()
{
    QFETCH(QString, mode);

    HostilePeer peer;
    QVERIFY2(peer.start(u"h2-control-flood-then-answer"_s, {}, {u"--mode"_s, mode}),
             qPrintable(peer.errorString()));
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(30));
    runner.setMeasureMemory(true);
    const CliResult r =
        runner.run({mode == u"h2c" ? u"--h2c"_s : u"--h2c-prior"_s, peer.url(u"/a"_s),
                    peer.url(u"/b"_s), u"--limit"_s, u"maxIdleControlFrames=20000"_s});
    const auto explainFailure = qScopeGuard([&] {
        if (QTest::currentTestFailed()) {
            qWarning().noquote() << u"\n"_s + r.describe() + u"  peer log:\n"_s +
                                        QString::fromUtf8(peer.log().right(4000));
        }
    });

    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(!peer.log().contains("scenario error"), "the scenario itself broke (see its log)");
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.standardOutput, QByteArray("first\nsecond\n"));
    QCOMPARE(r.count(u"response.complete"), qsizetype(2));
    QCOMPARE(r.count(u"request.failed"), qsizetype(0));
    QVERIFY2(!r.has(u"error"), "an error event although every response completed");
    for (const QString &type : {u"RST_STREAM"_s, u"WINDOW_UPDATE"_s, u"PRIORITY"_s})
        QVERIFY2(hasFrame(r, u"in"_s, type), qPrintable(type + u" flood not in the trace"_s));
    QVERIFY2(inFrames(r) > 45000, qPrintable(u"only %1 frames in"_s.arg(inFrames(r))));
    QVERIFY2(r.elapsedMs < 5000, qPrintable(u"took %1 ms"_s.arg(r.elapsedMs)));
    QVERIFY2(r.peakRssExact, "could not measure the CLI's memory");
    QVERIFY2(!rssBudgetsApply() || r.peakRssKiB < 60 * 1024,
             qPrintable(u"peak RSS %1 KiB"_s.arg(r.peakRssKiB)));
}

QTEST_GUILESS_MAIN(CliHostileH2FloodsTest)
#include "tst_cli_hostile_h2_floods.moc"
