// hopscope-cli against the HTTP/2 and upgrade scenarios of tests/peers/hostile_peer.py: bad 101s,
// garbage after a switch, GOAWAY, RST_STREAM, oversized header lists, CONTINUATION and SETTINGS
// floods, PUSH_PROMISE, a missing server preface, oversized frames and stray stream ids (more
// floods, flow control and silences: tst_cli_hostile_h2_floods.cpp). Each
// must end in exit 1 with a precise message and code, within bounded time and memory, and the
// trace must show the frame that caused it. Every HTTP/2 scenario runs twice: after a
// prior-knowledge preface (--h2c-prior) and after an h2c upgrade (--h2c).

#include "clirunner.h"
#include "h2tracecheck.h"
#include "hostilepeer.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTest>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

// What one scenario must lead to. Regexes are matched case-insensitively against the message
// (the text after "GET <url>: "), case-sensitively against the code.
struct Expectation
{
    QStringList message{};      // regexes the message must all match
    QStringList notInMessage{}; // regexes it must not match (misleading explanations)
    QString code{};             // regex for request.failed's code
    QString inFrame{};          // a frame type the trace must show arriving; empty: none
    int inStream = -1;          // ... on this stream; -1: any
    QString outFrame{};         // a frame type hopscope must send in reaction; empty: none
    QString outError{};         // ... with this error code name; empty: any
    int maxConnections = 1;     // a retry on a new connection is allowed where this is 2
    qint64 maxRssKiB = 60 * 1024;
    int exitCode = 16; // curl's: 16 for an HTTP/2 error (app/cli/exitcodes.h)
};

} // namespace

Q_DECLARE_METATYPE(Expectation)

class CliHostileH2Test : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void failures_data();
    void failures();
    void okScenarioSucceeds_data();
    void okScenarioSucceeds();

private:
    static void addRow(const QString &scenario, const QString &mode, const Expectation &expect);
};

void CliHostileH2Test::initTestCase()
{
    const QString cli = CliRunner().program();
    QVERIFY2(!cli.isEmpty(), "HOPSCOPE_CLI is not set: run through CTest");
    QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli + u" is not an executable"_s));
}

void CliHostileH2Test::addRow(const QString &scenario, const QString &mode,
                              const Expectation &expect)
{
    QTest::newRow(qPrintable(u"%1 (%2)"_s.arg(scenario, mode))) << scenario << mode << expect;
}

void CliHostileH2Test::failures_data()
{
    QTest::addColumn<QString>("scenario");
    // "prior": the CLI runs with --h2c-prior; "h2c": with --h2c and the peer's --mode h2c.
    QTest::addColumn<QString>("mode");
    QTest::addColumn<Expectation>("expect");

    // --- The switch itself (the issue's wording of the messages) ---
    addRow(u"101-no-upgrade-header"_s, u"h2c"_s,
           {.message = {uR"(^101 without an Upgrade header \(offered h2c\)$)"_s},
            .code = u"^upgrade$"_s,
            .exitCode = 8});
    addRow(u"101-other-protocol"_s, u"h2c"_s,
           {.message = {u"^101 switched to websocket, but h2c was offered$"_s},
            .code = u"^upgrade$"_s,
            .exitCode = 8});
    // The user needs to see what came instead of HTTP/2, and that it came after the 101: an
    // explanation about prior knowledge would send them looking in the wrong place.
    const QStringList afterSwitch{u"101|h2c|upgrad"_s};
    const QStringList notPrior{u"prior knowledge"_s};
    addRow(u"101-garbage"_s, u"h2c"_s,
           {.message = QStringList{u"HTTP/1\\.1 200 OK"_s} + afterSwitch,
            .notInMessage = notPrior,
            .code = u"^h2-"_s});

    // --- HTTP/2 misbehaviour, after prior knowledge and after an h2c upgrade ---
    struct H2Row
    {
        QString scenario;
        Expectation expect;
    };
    const QString neverOpened =
        u"never opened|not opened|unopened|not open|did not open|idle|unknown stream"_s;
    const QList<H2Row> h2Rows{
        // Stream 1 was above last_stream_id: not processed, so one retry is fair, not more.
        {u"h2-goaway-after-settings"_s,
         {.message = {u"GOAWAY"_s, u"PROTOCOL_ERROR"_s, u"\"go away\""_s},
          .code = u"^h2-goaway:PROTOCOL_ERROR$"_s,
          .inFrame = u"GOAWAY"_s,
          .inStream = 0,
          .maxConnections = 2}},
        {u"h2-goaway-no-error"_s,
         {.message = {u"GOAWAY"_s, u"NO_ERROR"_s},
          .code = u"^h2-goaway:NO_ERROR$"_s,
          .inFrame = u"GOAWAY"_s,
          .inStream = 0,
          .maxConnections = 2}},
        // As over HTTP/1.1 (close-mid-body), the user needs to know how much of the body came.
        {u"h2-rst-mid-body"_s,
         {.message = {u"INTERNAL_ERROR"_s, u"reset|RST_STREAM"_s, u"10000 of 100000"_s},
          .code = u"^h2-rst:INTERNAL_ERROR$"_s,
          .inFrame = u"RST_STREAM"_s,
          .inStream = 1,
          .exitCode = 92}},
        // The issue: "A header list over the limit resets that stream."
        {u"h2-big-headers"_s,
         {.message = {u"maxHeaderBytes"_s, u"307200"_s},
          .code = u"^limit:maxHeaderBytes$"_s,
          .inFrame = u"HEADERS"_s,
          .inStream = 1,
          .outFrame = u"RST_STREAM"_s,
          .exitCode = 1}},
        // 64 MiB of decoded headers from 16 KiB on the wire: memory must not follow.
        {u"h2-hpack-bomb"_s,
         {.message = {u"maxHeaderBytes"_s, u"307200"_s},
          .code = u"^limit:maxHeaderBytes$"_s,
          .inFrame = u"HEADERS"_s,
          .inStream = 1,
          .outFrame = u"RST_STREAM"_s,
          .exitCode = 1}},
        {u"h2-many-continuations"_s,
         {.message = {u"CONTINUATION"_s, u"maxContinuations"_s},
          .code = u"^limit:maxContinuations$"_s,
          .inFrame = u"CONTINUATION"_s,
          .inStream = 1,
          .exitCode = 1}},
        // A connection error (RFC 9113 §8.4): hopscope says so with GOAWAY(PROTOCOL_ERROR).
        {u"h2-push-promise"_s,
         {.message = {u"PUSH_PROMISE"_s, u"push is disabled|ENABLE_PUSH"_s},
          .code = u"^h2-(push|protocol)$"_s,
          .inFrame = u"PUSH_PROMISE"_s,
          .inStream = 1,
          .outFrame = u"GOAWAY"_s,
          .outError = u"PROTOCOL_ERROR"_s}},
        {u"h2-settings-flood"_s,
         {.message = {u"SETTINGS"_s, u"flood"_s},
          .code = u"^h2-flood$"_s,
          .inFrame = u"SETTINGS"_s,
          .inStream = 0}},
        // "too large" says nothing without the limit the client announced.
        {u"h2-frame-too-big"_s,
         {.message = {u"FRAME_SIZE_ERROR|frame size"_s, u"16384"_s},
          .code = u"^h2-"_s,
          .inFrame = u"DATA"_s,
          .inStream = 1,
          .outFrame = u"GOAWAY"_s,
          .outError = u"FRAME_SIZE_ERROR"_s}},
        // nghttp2's own words ("request HEADERS: client received request") describe its state
        // machine, not the server's fault: the user needs the stream and that it was never
        // opened.
        {u"h2-stream-id-out-of-order"_s,
         {.message = {u"PROTOCOL_ERROR"_s, u"HEADERS"_s, u"stream (id )?7\\b"_s, neverOpened},
          .code = u"^h2-"_s,
          .inFrame = u"HEADERS"_s,
          .inStream = 7,
          .outFrame = u"GOAWAY"_s,
          .outError = u"PROTOCOL_ERROR"_s}},
        {u"h2-headers-even-stream"_s,
         {.message = {u"PROTOCOL_ERROR"_s, u"HEADERS"_s, u"stream (id )?2\\b"_s,
                      neverOpened + u"|reserved|push"_s},
          .code = u"^h2-"_s,
          .inFrame = u"HEADERS"_s,
          .inStream = 2,
          .outFrame = u"GOAWAY"_s,
          .outError = u"PROTOCOL_ERROR"_s}},
    };
    for (const QString &mode : {u"prior"_s, u"h2c"_s}) {
        for (const H2Row &row : h2Rows)
            addRow(row.scenario, mode, row.expect);
    }

    // An HTTP/1.1 answer instead of the server preface: with prior knowledge the server does
    // not speak HTTP/2 there; after a 101 to h2c it broke its word, which the message must say.
    const Expectation noPreface{
        .message = {u"HTTP/1\\.1 400 Bad Request"_s, u"not HTTP/2|preface|SETTINGS"_s},
        .code = u"^h2-"_s};
    addRow(u"h2-no-preface"_s, u"prior"_s, noPreface);
    Expectation noPrefaceAfterSwitch = noPreface;
    noPrefaceAfterSwitch.message += afterSwitch;
    noPrefaceAfterSwitch.notInMessage = notPrior;
    addRow(u"h2-no-preface"_s, u"h2c"_s, noPrefaceAfterSwitch);
}

void CliHostileH2Test::failures()
{
    QFETCH(QString, scenario);
    QFETCH(QString, mode);
    QFETCH(Expectation, expect);

    HostilePeer peer;
    QVERIFY2(peer.start(scenario, {}, {u"--mode"_s, mode}), qPrintable(peer.errorString()));
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(30));
    runner.setMeasureMemory(true);
    const QString url = peer.url(u"/hostile"_s);
    const QString modeOption = mode == u"h2c" ? u"--h2c"_s : u"--h2c-prior"_s;
    const CliResult r = runner.run({modeOption, url});
    // QTest cuts failure messages at about 1000 characters: the full story (stderr, the trace's
    // tail, every frame, the peer's log) goes to the log once, when anything below failed.
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

    // The run reached the scenario the way the row says.
    if (mode == u"h2c") {
        QCOMPARE(str(r.first(u"upgrade.offer"), "protocol"), u"h2c"_s);
        if (!scenario.startsWith(u"101-"))
            QVERIFY2(r.has(u"upgrade.switch"), "no upgrade.switch: the scenario was not reached");
    } else {
        QVERIFY2(!r.has(u"upgrade.offer"), "an upgrade was offered under --h2c-prior");
    }

    QCOMPARE(r.exitCode, expect.exitCode);
    const QString line = r.errorMessage();
    const QString prefix = u"GET %1: "_s.arg(url);
    QVERIFY2(line.startsWith(prefix),
             qPrintable(u"error line \"%1\" does not start with \"%2\""_s.arg(line, prefix)));
    const QString message = line.mid(prefix.size());
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
    QCOMPARE(num(failed, "req"), qint64(1));
    QCOMPARE(str(failed, "error"), message);
    QVERIFY2(QRegularExpression(expect.code).match(str(failed, "code")).hasMatch(),
             qPrintable(u"request.failed code \"%1\" does not match /%2/"_s.arg(str(failed, "code"),
                                                                                expect.code)));
    // Every failure is also an `error` event (the trace contract for failures).
    QVERIFY2(r.has(u"error"), "no error event in the trace");
    QVERIFY2(!str(r.first(u"error"), "message").isEmpty(), "an error event without a message");
    QVERIFY2(!r.has(u"response.complete"), "a response.complete despite the failure");

    QVERIFY2(r.elapsedMs < 5000, qPrintable(u"took %1 ms"_s.arg(r.elapsedMs)));
    QVERIFY2(r.count(u"connect") <= expect.maxConnections,
             qPrintable(u"%1 connections, at most %2 expected"_s.arg(r.count(u"connect"))
                            .arg(expect.maxConnections)));
    QVERIFY2(r.peakRssExact, "could not measure the CLI's memory");
    QVERIFY2(
        !rssBudgetsApply() || r.peakRssKiB < expect.maxRssKiB,
        qPrintable(u"peak RSS %1 KiB, limit %2 KiB"_s.arg(r.peakRssKiB).arg(expect.maxRssKiB)));

    // The trace is what an inspector is for: the frame that broke the rules must be in it
    // ("h2.frame for every frame sent and received"), and so must hopscope's answer.
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

void CliHostileH2Test::okScenarioSucceeds_data()
{
    QTest::addColumn<QString>("mode");
    QTest::newRow("prior") << u"prior"_s;
    QTest::newRow("h2c") << u"h2c"_s;
}

void CliHostileH2Test::okScenarioSucceeds()
{
    // The same peer and handshake, well-behaved: the failures above are the scenarios' doing.
    QFETCH(QString, mode);
    HostilePeer peer;
    QVERIFY2(peer.start(u"h2-ok"_s, {}, {u"--mode"_s, mode}), qPrintable(peer.errorString()));
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(30));
    const CliResult r = runner.run(
        {mode == u"h2c" ? u"--h2c"_s : u"--h2c-prior"_s, peer.url(u"/a"_s), peer.url(u"/b"_s)});
    const QString context =
        r.describe() + frameSummary(r) + u"  peer log:\n"_s + QString::fromUtf8(peer.log());
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(context));
    QVERIFY2(r.errorMessage().isEmpty(), qPrintable(context));
    QCOMPARE(r.standardOutput, QByteArray("hello over h2\n").repeated(2));
    QCOMPARE(r.count(u"connect"), 1);
    const QList<QJsonObject> complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 2);
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(str(complete.at(i), "protocol"), u"h2"_s);
        QCOMPARE(num(complete.at(i), "stream"), qint64(1 + 2 * i));
    }
    QCOMPARE(r.has(u"upgrade.switch"), mode == u"h2c");
}

QTEST_GUILESS_MAIN(CliHostileH2Test)
#include "tst_cli_hostile_h2.moc"
