// Copy as hopscope-cli / curl / nghttp, round trip: a request goes out through hopscope-cli to a
// real server, the window's builder (sessionreplay over a SessionStore fed the trace it wrote, then
// copyCommand) turns it into a command, bash runs that command, and the two requests must be
// the same on the wire: the demo server's /headers echo (method, target, protocol, TLS, body
// length, every header in wire order and case), the head in both traces, the protocol events,
// and with nghttpd --echo-upload the body's bytes.
#include "core/copycommand.h"
#include "session/sessionreplay.h"
#include "session/sessionstore.h"
#include "trace/tracefile.h"

#include "clirunner.h"
#include "nghttpdpeer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace hopscope;
using namespace hopscope::test;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(hopscope::ReplayMode)

namespace {

constexpr int kTimeoutMs = 30000;

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll()
                                       : QByteArray("<missing " + path.toUtf8() + '>');
}

struct Run
{
    QByteArray output;        // the response body
    QList<QJsonObject> trace; // empty for curl
    QString why;              // what to print when a check fails
};

// Runs a copied command through bash, with `extra` (already quoted) after the tool's name.
Run runCopied(const QString &command, const QString &tool, const QString &extra,
              const QString &program)
{
    QString line = command;
    const QRegularExpression name(u"(^|&& |\\| )"_s + QRegularExpression::escape(tool) + u" "_s,
                                  QRegularExpression::MultilineOption);
    const auto m = name.match(line);
    Run run;
    if (!m.hasMatch()) {
        run.why = u"no "_s + tool + u" in: "_s + command;
        return run;
    }
    line.replace(m.capturedStart(), m.capturedLength(),
                 m.captured(1) + program + u" "_s + extra + u" "_s);
    QProcess bash;
    bash.start(u"/bin/bash"_s, {u"-c"_s, line});
    if (!bash.waitForFinished(kTimeoutMs)) {
        bash.kill();
        bash.waitForFinished();
    }
    run.output = bash.readAllStandardOutput();
    run.why = u"command: "_s + line + u"\nexit "_s + QString::number(bash.exitCode()) +
              u"\nstderr: "_s + QString::fromUtf8(bash.readAllStandardError().left(3000));
    return run;
}

QString quoted(const QString &path)
{
    return shellQuote(path.toUtf8());
}

// The head the client sent (h1.request, or h2.headers kind=request) as [name, value] pairs.
QJsonArray sentHead(const QList<QJsonObject> &trace)
{
    for (const QJsonObject &e : trace) {
        const QString type = e.value(u"type"_s).toString();
        if (type == u"h1.request"_s ||
            (type == u"h2.headers"_s && e.value(u"kind"_s).toString() == u"request"_s))
            return e.value(u"headers"_s).toArray();
    }
    return {};
}

QString firstField(const QList<QJsonObject> &trace, const QString &type, const QString &field)
{
    for (const QJsonObject &e : trace) {
        if (e.value(u"type"_s).toString() == type)
            return e.value(field).toVariant().toString();
    }
    return u"<none>"_s;
}

// The echo's headers as a sorted list of "name: value" (lowercase names): what curl sends in
// an order of its own.
QStringList headerSet(const QJsonObject &echo, const QStringList &ignore)
{
    QStringList out;
    for (const QJsonValue &h : echo.value(u"headers"_s).toArray()) {
        const QString name = h.toArray().at(0).toString().toLower();
        if (!ignore.contains(name))
            out << name + u": "_s + h.toArray().at(1).toString();
    }
    out.sort();
    return out;
}

} // namespace

class CliCopyAsTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void roundTrip_data();
    void roundTrip();
    void bodyBytesRoundTrip_data();
    void bodyBytesRoundTrip();

private:
    // Runs the original request, feeds its trace to a SessionStore as the window does, and
    // returns what the window would copy from it.
    std::optional<ReplayRequest> original(const QStringList &args, const QByteArray &body,
                                          const QString &out, CliResult *result);

    QProcess m_demo;
    QString m_http, m_https, m_ca;
    NghttpdPeer m_nghttpd;
    QTemporaryDir m_dir;
    int m_runs = 0;
};

void CliCopyAsTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_demo.start(CliRunner().program(), {u"--serve-demo"_s});
    QVERIFY(m_demo.waitForStarted());
    QString out;
    QTRY_VERIFY_WITH_TIMEOUT((out += QString::fromUtf8(m_demo.readAllStandardOutput()),
                              out.contains(u"CA certificate for https"_s)),
                             15000);
    const auto http = QRegularExpression(u"(http://127\\.0\\.0\\.1:\\d+)/"_s).match(out);
    const auto https = QRegularExpression(u"(https://127\\.0\\.0\\.1:\\d+)/"_s).match(out);
    const auto ca = QRegularExpression(u"CA certificate for https: (\\S+)"_s).match(out);
    QVERIFY2(http.hasMatch() && https.hasMatch() && ca.hasMatch(), qPrintable(out));
    m_http = http.captured(1);
    m_https = https.captured(1);
    m_ca = ca.captured(1);

    QVERIFY(m_nghttpd.put(u"echo"_s, "x"));
    QVERIFY2(m_nghttpd.start({.extraArgs = {u"--echo-upload"_s}}),
             qPrintable(m_nghttpd.errorString()));
}

void CliCopyAsTest::cleanupTestCase()
{
    if (m_demo.state() != QProcess::NotRunning) {
        ::kill(pid_t(m_demo.processId()), SIGTERM);
        m_demo.waitForFinished(10000);
    }
}

std::optional<ReplayRequest> CliCopyAsTest::original(const QStringList &args,
                                                     const QByteArray &body, const QString &out,
                                                     CliResult *result)
{
    const QString trace = m_dir.filePath(u"original-%1.jsonl"_s.arg(++m_runs));
    QStringList all{u"--trace-json"_s, trace, u"-o"_s, out};
    if (!body.isEmpty()) {
        const QString bodyFile = m_dir.filePath(u"body-%1"_s.arg(m_runs));
        QFile f(bodyFile);
        if (!f.open(QIODevice::WriteOnly) || f.write(body) != body.size())
            return std::nullopt;
        f.close();
        all << u"--data-binary"_s << u"@"_s + bodyFile;
    }
    CliRunner runner;
    runner.setTraceMode(CliRunner::TraceMode::None);
    *result = runner.run(all + args);
    result->trace = CliRunner::parseJsonLines(readAll(trace), nullptr);

    // The window's path: the trace into a store, the body the engine handed over, the replay.
    SessionStore store;
    TraceBatch batch;
    QString error;
    if (!readTraceFile(trace, &batch, &error))
        return std::nullopt;
    store.append(batch);
    ExchangeBody kept;
    kept.req = 1;
    kept.requestBody = body;
    store.addBody(kept);
    return replayRequestOf(store, 1);
}

void CliCopyAsTest::roundTrip_data()
{
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<ReplayMode>("mode");
    QTest::addColumn<QStringList>("curlIgnores"); // header names curl sends its own way
    // false: curl cannot speak this mode (an h2c upgrade on OPTIONS *), it upgrades on the
    // request itself; the server sees the request arrive as HTTP/1.1 rather than on a stream.
    QTest::addColumn<bool>("curlSameProtocol");

    const QStringList hostileHeaders{
        u"-H"_s, u"X-Quote: it's \"here\" $(id) `id` \\ ;|&"_s,
        u"-H"_s, u"X-Utf8: caf\u00e9 \u2713"_s,
        u"-H"_s, u"Authorization: Bearer abc'def"_s,
        u"-H"_s, u"Accept:"_s, // a default left out stays left out
    };
    const QStringList none;
    const QStringList h2cOffer{u"http2-settings"_s};
    QTest::newRow("HTTP/1.1, PUT with a body")
        << (QStringList{u"--http1.1"_s, u"-X"_s, u"PUT"_s} + hostileHeaders) << false
        << QByteArray("{\"n\": 'one'}\n") << ReplayMode::Http1 << none << true;
    QTest::newRow("h2c upgrade") << (QStringList{u"--h2c"_s} + hostileHeaders) << false
                                 << QByteArray() << ReplayMode::H2cUpgrade << h2cOffer << true;
    QTest::newRow("h2c upgrade on OPTIONS")
        << QStringList{u"--h2c"_s, u"--h2c-options"_s} << false << QByteArray("b")
        << ReplayMode::H2cUpgrade << h2cOffer << false;
    QTest::newRow("h2c prior knowledge, binary body")
        << (QStringList{u"--h2c-prior"_s} + hostileHeaders) << false
        << QByteArray("\0\x01\xff'%\\\n@", 8) << ReplayMode::H2cPrior << none << true;
    QTest::newRow("TLS, ALPN h2, -k") << QStringList{u"--http2"_s, u"-k"_s, u"-X"_s, u"DELETE"_s}
                                      << true << QByteArray() << ReplayMode::TlsH2 << none << true;
    QTest::newRow("TLS, HTTP/1.1, --cacert")
        << (QStringList{u"--http1.1"_s, u"CACERT"_s} + hostileHeaders) << true << QByteArray()
        << ReplayMode::TlsHttp1 << none << true;
}

void CliCopyAsTest::roundTrip()
{
    QFETCH(QStringList, flags);
    QFETCH(bool, tls);
    QFETCH(QByteArray, body);
    QFETCH(ReplayMode, mode);
    QFETCH(QStringList, curlIgnores);
    QFETCH(bool, curlSameProtocol);
    const qsizetype ca = flags.indexOf(u"CACERT"_s);
    if (ca >= 0)
        flags.replace(ca, u"--cacert="_s + m_ca);
    const QString url = (tls ? m_https : m_http) + u"/headers"_s;

    const QString out1 = m_dir.filePath(u"echo-original-%1"_s.arg(m_runs + 1));
    CliResult first;
    std::optional<ReplayRequest> replay = original(flags + QStringList{url}, body, out1, &first);
    HOPSCOPE_VERIFY_RAN(first);
    QVERIFY2(first.exitCode == 0, qPrintable(first.describe()));
    QVERIFY(replay);
    QCOMPARE(replay->mode, mode);
    if (ca >= 0)
        replay->caFile = m_ca; // the trace names no CA file; a front end that knows it says so
    const QByteArray echo1 = readAll(out1);
    const QJsonObject echo = QJsonDocument::fromJson(echo1).object();
    QVERIFY2(!echo.isEmpty(), echo1.constData());

    // hopscope-cli: the same request, byte for byte, as the server saw it and as the trace says.
    CopyCommandOptions withSecrets;
    withSecrets.includeSecrets = true;
    const QString cli = copyCommand(*replay, CopyTool::HopscopeCli, withSecrets);
    const QString trace2 = m_dir.filePath(u"copied-%1.jsonl"_s.arg(m_runs));
    const QString out2 = m_dir.filePath(u"echo-copied-%1"_s.arg(m_runs));
    const Run second = runCopied(cli, u"hopscope-cli"_s,
                                 u"--trace-json "_s + quoted(trace2) + u" -o "_s + quoted(out2),
                                 quoted(CliRunner().program()));
    const QByteArray echo2 = readAll(out2);
    QVERIFY2(echo2 == echo1, qPrintable(second.why + u"\noriginal: "_s + QString::fromUtf8(echo1) +
                                        u"\ncopied: "_s + QString::fromUtf8(echo2)));
    const QList<QJsonObject> t2 = CliRunner::parseJsonLines(readAll(trace2), nullptr);
    QCOMPARE(sentHead(t2), sentHead(first.trace));
    QVERIFY(!sentHead(t2).isEmpty());
    for (const auto &[type, field] :
         {std::pair{u"request.start"_s, u"method"_s}, std::pair{u"request.start"_s, u"url"_s},
          std::pair{u"upgrade.offer"_s, u"protocol"_s},
          std::pair{u"upgrade.switch"_s, u"protocol"_s}, std::pair{u"tls"_s, u"alpn"_s},
          std::pair{u"tls"_s, u"verified"_s}, std::pair{u"response.complete"_s, u"protocol"_s}})
        QCOMPARE(firstField(t2, type, field), firstField(first.trace, type, field));

    // curl: the server sees the same method, target, protocol and headers (in curl's order).
    const QString curl = copyCommand(*replay, CopyTool::Curl, withSecrets);
    const QString out3 = m_dir.filePath(u"echo-curl-%1"_s.arg(m_runs));
    const Run third = runCopied(curl, u"curl"_s, u"-sS -o "_s + quoted(out3), u"curl"_s);
    const QByteArray echo3 = readAll(out3);
    const QJsonObject curlEcho = QJsonDocument::fromJson(echo3).object();
    QVERIFY2(!curlEcho.isEmpty(), qPrintable(third.why + QString::fromUtf8(echo3)));
    for (const char *key : {"method", "target", "protocol", "tls", "bodyBytes"}) {
        if (!curlSameProtocol && QByteArrayView(key) == "protocol") {
            QVERIFY(curl.startsWith(u"# curl cannot upgrade on an OPTIONS request first"_s));
            continue;
        }
        QVERIFY2(curlEcho.value(QLatin1String(key)) == echo.value(QLatin1String(key)),
                 qPrintable(u"%1 differs\n%2\noriginal: %3\ncurl: %4"_s.arg(
                     QLatin1String(key), third.why, QString::fromUtf8(echo1),
                     QString::fromUtf8(echo3))));
    }
    if (curlSameProtocol) // else an HTTP/1.1 head against an HTTP/2 one: other names, case
        QCOMPARE(headerSet(curlEcho, curlIgnores), headerSet(echo, curlIgnores));

    // nghttp: HTTP/2 modes only; it always sends accept and accept-encoding of its own.
    const QString nghttp = copyCommand(*replay, CopyTool::Nghttp, withSecrets);
    if (mode != ReplayMode::H2cUpgrade && mode != ReplayMode::H2cPrior &&
        mode != ReplayMode::TlsH2) {
        QVERIFY2(nghttp.startsWith(u"# nghttp speaks only HTTP/2"_s), qPrintable(nghttp));
        QVERIFY(!nghttp.contains(u'\n'));
        return;
    }
    QString quiet = nghttp; // -v would mix its frame log into the body on stdout
    quiet.replace(u"nghttp -v "_s, u"nghttp "_s);
    const Run fourth = runCopied(quiet, u"nghttp"_s, {}, u"nghttp"_s);
    const QJsonObject nghttpEcho = QJsonDocument::fromJson(fourth.output).object();
    QVERIFY2(!nghttpEcho.isEmpty(), qPrintable(fourth.why + QString::fromUtf8(fourth.output)));
    for (const char *key : {"method", "target", "protocol", "tls", "bodyBytes"})
        QVERIFY2(nghttpEcho.value(QLatin1String(key)) == echo.value(QLatin1String(key)),
                 qPrintable(u"%1 differs\n%2\noriginal: %3\nnghttp: %4"_s.arg(
                     QLatin1String(key), fourth.why, QString::fromUtf8(echo1),
                     QString::fromUtf8(fourth.output))));
    const QStringList nghttpIgnores = curlIgnores + QStringList{u"accept"_s, u"accept-encoding"_s};
    QCOMPARE(headerSet(nghttpEcho, nghttpIgnores), headerSet(echo, nghttpIgnores));
}

void CliCopyAsTest::bodyBytesRoundTrip_data()
{
    QTest::addColumn<QByteArray>("body");
    QByteArray every;
    for (int b = 0; b < 256; ++b)
        every += char(b);
    QTest::newRow("every byte") << every;
    QTest::newRow("text") << QByteArray("a=1&b='two' \"three\" $(four)\n");
    QTest::newRow("leading @") << QByteArray("@/etc/passwd");
}

void CliCopyAsTest::bodyBytesRoundTrip()
{
    // nghttpd --echo-upload answers with the body it received: the bytes themselves.
    QFETCH(QByteArray, body);
    const QString url = m_nghttpd.url(u"echo"_s);
    const QString out1 = m_dir.filePath(u"upload-original-%1"_s.arg(m_runs + 1));
    CliResult first;
    const std::optional<ReplayRequest> replay =
        original({u"--h2c-prior"_s, url}, body, out1, &first);
    HOPSCOPE_VERIFY_RAN(first);
    QVERIFY2(first.exitCode == 0, qPrintable(first.describe()));
    QVERIFY(replay);
    QCOMPARE(readAll(out1), body);

    for (CopyTool tool : {CopyTool::HopscopeCli, CopyTool::Curl}) {
        const QString command = copyCommand(*replay, tool);
        const QString out = m_dir.filePath(u"upload-%1-%2"_s.arg(copyToolName(tool)).arg(m_runs));
        const Run copied =
            tool == CopyTool::Curl
                ? runCopied(command, u"curl"_s, u"-sS -o "_s + quoted(out), u"curl"_s)
                : runCopied(command, u"hopscope-cli"_s, u"-o "_s + quoted(out),
                            quoted(CliRunner().program()));
        QVERIFY2(readAll(out) == body, qPrintable(copied.why));
    }
}

QTEST_GUILESS_MAIN(CliCopyAsTest)
#include "tst_cli_copyas.moc"
