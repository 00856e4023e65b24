// curl's habits in hopscope-cli (issue 13) against real servers the test starts itself: Apache
// (HTTP/1.1, h2 over TLS, the h2c upgrade; CGIs that echo headers and set cookies) and nghttpd
// (HTTP/2 by prior knowledge). -f, -w (checked against the trace's own numbers), -i, -I, -u,
// -A, -e, -G, cookies through -c and -b (read back by curl itself too), the protocol aliases
// and curl's exit codes for connect, resolve, TLS handshake, verification and usage failures.

#include "apachefixture.h"
#include "clirunner.h"
#include "nghttpdpeer.h"
#include "processutil.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

qint64 num(const QJsonObject &event, const char *key)
{
    return event.value(QLatin1String(key)).toInteger(-1);
}

// The -w line "key=value key=value ..." as a map.
QHash<QString, QString> fields(const QByteArray &line)
{
    QHash<QString, QString> out;
    for (const QByteArray &pair : line.trimmed().split(' ')) {
        const qsizetype eq = pair.indexOf('=');
        if (eq > 0)
            out.insert(QString::fromUtf8(pair.left(eq)), QString::fromUtf8(pair.mid(eq + 1)));
    }
    return out;
}

// The cookies the /cgi/headers echo saw (HTTP_COOKIE), sorted: with equal paths their order is
// the creation order, and Apache may reorder Set-Cookie lines within one response.
QByteArrayList cookiesSeen(const QByteArray &echo)
{
    for (const QByteArray &line : echo.split('\n')) {
        if (line.startsWith("HTTP_COOKIE=")) {
            QByteArrayList cookies = line.mid(12).split(';');
            for (QByteArray &c : cookies)
                c = c.trimmed();
            std::sort(cookies.begin(), cookies.end());
            return cookies;
        }
    }
    return {};
}

const QString kSmallNghttpd = u"hello from nghttpd\n"_s;

} // namespace

#define VERIFY_EXIT(result, code)                                                                  \
    do {                                                                                           \
        HOPSCOPE_VERIFY_RAN(result);                                                               \
        QVERIFY2((result).exitCode == (code),                                                      \
                 qPrintable(u"expected exit %1\n"_s.arg(code) + (result).describe()));             \
    } while (false)

class CliCurlTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void failOnHttpError_data();
    void failOnHttpError();
    void writeOutMatchesTrace_data();
    void writeOutMatchesTrace();
    void writeOutJsonAndFailure();
    void include_data();
    void include();
    void head_data();
    void head();
    void requestHeaders();
    void getWithData();
    void cookieRoundTrip();
    void silentAndShowError();
    void exitCodes_data();
    void exitCodes();
    void stdoutToAFileOrAPipe_data();
    void stdoutToAFileOrAPipe();

private:
    QStringList trust() const { return {u"--cacert"_s, m_apache.caFile()}; }
    QString server(const QString &which, const QString &path) const;

    ApacheFixture m_apache;
    NghttpdPeer m_nghttpd; // cleartext, prior knowledge: small.txt
};

void CliCurlTest::initTestCase()
{
    const QString cli = CliRunner().program();
    QVERIFY2(!cli.isEmpty(), "HOPSCOPE_CLI is not set: run through CTest");
    QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli + u" is not an executable"_s));
    QVERIFY2(m_apache.start(), qPrintable(m_apache.errorString()));
    QVERIFY(m_nghttpd.put(u"small.txt"_s, kSmallNghttpd.toUtf8()));
    QVERIFY2(m_nghttpd.start(), qPrintable(m_nghttpd.errorString()));
}

void CliCurlTest::cleanupTestCase()
{
    m_apache.stop();
}

// "apache-http", "apache-https" or "nghttpd" and a path.
QString CliCurlTest::server(const QString &which, const QString &path) const
{
    if (which == u"nghttpd")
        return m_nghttpd.url(path);
    return m_apache.url(which == u"apache-https", path);
}

void CliCurlTest::failOnHttpError_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("stdoutPart"); // empty: stdout must be empty
    QTest::newRow("-f 404") << QStringList{u"-f"_s} << u"/cgi/status?404"_s << 22 << QByteArray();
    QTest::newRow("-f 500 over h2") << QStringList{u"-f"_s, u"--http2"_s} + trust()
                                    << u"/cgi/status?500"_s << 22 << QByteArray();
    QTest::newRow("--fail 200") << QStringList{u"--fail"_s} << u"/cgi/status?200"_s << 0
                                << QByteArray("status 200");
    QTest::newRow("404 without -f")
        << QStringList{} << u"/cgi/status?404"_s << 0 << QByteArray("status 404");
}

void CliCurlTest::failOnHttpError()
{
    QFETCH(QStringList, args);
    QFETCH(QString, path);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, stdoutPart);
    const bool tls = args.contains(u"--cacert"_s);
    CliRunner runner;
    const CliResult r = runner.run(args + QStringList{m_apache.url(tls, path)});
    VERIFY_EXIT(r, exitCode);
    if (stdoutPart.isEmpty()) {
        QVERIFY2(r.standardOutput.isEmpty(), qPrintable(r.describe()));
        QVERIFY2(r.errorMessage().contains(path.right(3)), qPrintable(r.describe()));
        // The response itself arrived complete: -f is the CLI's verdict, not a broken transfer.
        QVERIFY2(r.has(u"response.complete"), qPrintable(r.describe()));
        QVERIFY(!r.has(u"request.failed"));
    } else {
        QVERIFY2(r.standardOutput.contains(stdoutPart), qPrintable(r.describe()));
        QVERIFY(r.errorMessage().isEmpty());
    }
}

void CliCurlTest::writeOutMatchesTrace_data()
{
    QTest::addColumn<QString>("which");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("httpVersion");
    QTest::addColumn<QString>("upgrade");
    QTest::addColumn<bool>("tls");
    QTest::newRow("HTTP/1.1") << u"apache-http"_s << QStringList{} << u"1.1"_s << QString()
                              << false;
    QTest::newRow("HTTP/1.1 over TLS")
        << u"apache-https"_s << QStringList{u"--http1.1"_s} << u"1.1"_s << QString() << true;
    QTest::newRow("--http2 over TLS: ALPN h2")
        << u"apache-https"_s << QStringList{u"--http2"_s} << u"2"_s << QString() << true;
    QTest::newRow("--http2 on http: h2c upgrade")
        << u"apache-http"_s << QStringList{u"--http2"_s} << u"2"_s << u"h2c"_s << false;
    QTest::newRow("--http2-prior-knowledge, nghttpd")
        << u"nghttpd"_s << QStringList{u"--http2-prior-knowledge"_s} << u"2"_s << QString()
        << false;
}

void CliCurlTest::writeOutMatchesTrace()
{
    QFETCH(QString, which);
    QFETCH(QStringList, args);
    QFETCH(QString, httpVersion);
    QFETCH(QString, upgrade);
    QFETCH(bool, tls);
    CliRunner runner;
    const QString out = runner.scratchPath(u"body"_s);
    const QString format =
        u"code=%{http_code} version=%{http_version} connect=%{time_connect} "
        "appconnect=%{time_appconnect} start=%{time_starttransfer} total=%{time_total} "
        "size=%{size_download} connects=%{num_connects} ip=%{remote_ip} upgrade=%{upgrade} "
        "stream=%{stream_id}\\n"_s;
    const QString path = which == u"nghttpd" ? u"/small.txt"_s : u"/small.txt"_s;
    const CliResult r = runner.run(args + (tls ? trust() : QStringList{}) +
                                   QStringList{u"-o"_s, out, u"-w"_s, format, server(which, path)});
    VERIFY_EXIT(r, 0);
    const QHash<QString, QString> w = fields(r.standardOutput);
    QCOMPARE(w.value(u"code"_s), u"200"_s);
    QCOMPARE(w.value(u"version"_s), httpVersion);
    QCOMPARE(w.value(u"upgrade"_s), upgrade);
    QCOMPARE(w.value(u"connects"_s), u"1"_s);
    QCOMPARE(w.value(u"ip"_s), u"127.0.0.1"_s);
    // Seconds with six decimals, as curl writes them.
    for (const char *key : {"connect", "appconnect", "start", "total"})
        QVERIFY2(w.value(QLatin1String(key)).contains(QRegularExpression(u"^\\d+\\.\\d{6}$"_s)),
                 qPrintable(r.describe()));
    const double connect = w.value(u"connect"_s).toDouble();
    const double appconnect = w.value(u"appconnect"_s).toDouble();
    const double start = w.value(u"start"_s).toDouble();
    const double total = w.value(u"total"_s).toDouble();
    QVERIFY2(total >= start && start >= connect && connect > 0, qPrintable(r.describe()));
    QVERIFY2(tls ? (appconnect >= connect && start >= appconnect) : appconnect == 0,
             qPrintable(r.describe()));

    // The same numbers as the trace's response.complete (both come from the exchange).
    const QJsonObject complete = r.first(u"response.complete");
    const QJsonObject timings = complete.value(u"timings"_s).toObject();
    QVERIFY2(qAbs(total * 1000 - timings.value(u"total"_s).toDouble()) < 0.01,
             qPrintable(r.describe()));
    const double startMs =
        timings.value(u"total"_s).toDouble() - timings.value(u"receive"_s).toDouble();
    QVERIFY2(qAbs(start * 1000 - startMs) < 0.01, qPrintable(r.describe()));
    QVERIFY2(connect * 1000 >= timings.value(u"connect"_s).toDouble() - 0.01,
             qPrintable(r.describe()));
    QCOMPARE(w.value(u"size"_s).toLongLong(), num(complete, "bytes"));
    QCOMPARE(w.value(u"size"_s).toLongLong(), QFileInfo(out).size());
    QCOMPARE(w.value(u"ip"_s), r.first(u"connect").value(u"address"_s).toString());
    if (httpVersion == u"2")
        QCOMPARE(w.value(u"stream"_s).toLongLong(), num(complete, "stream"));
    else
        QCOMPARE(w.value(u"stream"_s), QString());
    if (!upgrade.isEmpty())
        QVERIFY2(r.has(u"upgrade.switch"), qPrintable(r.describe()));
}

void CliCurlTest::writeOutJsonAndFailure()
{
    // Two requests, the second reusing the connection; then one that cannot connect: -w is
    // written for each, failures included (000, exit code, message).
    CliRunner runner;
    const quint16 closed = freeLoopbackPort();
    const CliResult r =
        runner.run({u"-o"_s, u"/dev/null"_s, u"-o"_s, u"/dev/null"_s, u"-w"_s, u"%{json}\\n"_s,
                    m_apache.url(false, u"/small.txt"_s), m_apache.url(false, u"/etag.txt"_s),
                    u"http://127.0.0.1:%1/"_s.arg(closed)});
    VERIFY_EXIT(r, 7);
    const QList<QByteArray> lines = r.standardOutput.trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    const QJsonObject first = QJsonDocument::fromJson(lines.at(0)).object();
    const QJsonObject second = QJsonDocument::fromJson(lines.at(1)).object();
    const QJsonObject failed = QJsonDocument::fromJson(lines.at(2)).object();
    QCOMPARE(first.value(u"http_code"_s).toInt(), 200);
    QCOMPARE(first.value(u"num_connects"_s).toInt(), 1);
    QCOMPARE(second.value(u"num_connects"_s).toInt(), 0); // kept alive, reused
    QCOMPARE(second.value(u"time_connect"_s).toDouble(), 0.0);
    QCOMPARE(failed.value(u"http_code"_s).toInt(), 0);
    QCOMPARE(failed.value(u"exitcode"_s).toInt(), 7);
    QVERIFY2(failed.value(u"errormsg"_s).toString().contains(u"connect"_s),
             qPrintable(r.describe()));
}

void CliCurlTest::include_data()
{
    QTest::addColumn<QString>("which");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArrayList>("heads"); // the status lines, in order
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("HTTP/1.1") << u"apache-http"_s << QStringList{}
                              << QByteArrayList{"HTTP/1.1 200 OK"} << ApacheFixture::smallBody();
    QTest::newRow("h2 over TLS") << u"apache-https"_s << QStringList{u"--http2"_s} + trust()
                                 << QByteArrayList{"HTTP/2 200"} << ApacheFixture::smallBody();
    QTest::newRow("h2c upgrade: the 101, then the h2 head")
        << u"apache-http"_s << QStringList{u"--http2"_s}
        << QByteArrayList{"HTTP/1.1 101 Switching Protocols", "HTTP/2 200"}
        << ApacheFixture::smallBody();
    QTest::newRow("nghttpd") << u"nghttpd"_s << QStringList{u"--http2-prior-knowledge"_s}
                             << QByteArrayList{"HTTP/2 200"} << kSmallNghttpd.toUtf8();
}

void CliCurlTest::include()
{
    QFETCH(QString, which);
    QFETCH(QStringList, args);
    QFETCH(QByteArrayList, heads);
    QFETCH(QByteArray, body);
    CliRunner runner;
    const CliResult r = runner.run(args + QStringList{u"-i"_s, server(which, u"/small.txt"_s)});
    VERIFY_EXIT(r, 0);
    QByteArray rest = r.standardOutput;
    for (const QByteArray &statusLine : heads) {
        QVERIFY2(rest.startsWith(statusLine + "\r\n"), qPrintable(r.describe() + rest));
        const qsizetype end = rest.indexOf("\r\n\r\n");
        QVERIFY(end > 0);
        const QByteArray head = rest.left(end);
        if (statusLine.contains(" 200"))
            QVERIFY2(head.toLower().contains("content-length: " + QByteArray::number(body.size())),
                     head.constData());
        rest = rest.mid(end + 4);
    }
    QCOMPARE(rest, body);
}

void CliCurlTest::head_data()
{
    QTest::addColumn<QString>("which");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("statusLine");
    QTest::newRow("HTTP/1.1") << u"apache-http"_s << QStringList{} << QByteArray("HTTP/1.1 200 OK");
    QTest::newRow("h2") << u"apache-https"_s << trust() << QByteArray("HTTP/2 200");
}

void CliCurlTest::head()
{
    QFETCH(QString, which);
    QFETCH(QStringList, args);
    QFETCH(QByteArray, statusLine);
    CliRunner runner;
    const CliResult r = runner.run(args + QStringList{u"-I"_s, server(which, u"/small.txt"_s)});
    VERIFY_EXIT(r, 0);
    QVERIFY2(r.standardOutput.startsWith(statusLine + "\r\n"), qPrintable(r.describe()));
    QVERIFY2(r.standardOutput.endsWith("\r\n\r\n"), qPrintable(r.describe())); // no body
    QCOMPARE(num(r.first(u"response.complete"), "bytes"), 0);
    const QJsonObject request =
        r.has(u"h1.request") ? r.first(u"h1.request") : r.first(u"h2.headers");
    QVERIFY2(QJsonDocument(request).toJson().contains("HEAD"), qPrintable(r.describe()));
}

void CliCurlTest::requestHeaders()
{
    CliRunner runner;
    const CliResult r = runner.run({u"-u"_s, u"alice:open sesame"_s, u"-A"_s, u"agent/7"_s, u"-e"_s,
                                    u"http://from.test/"_s, u"-b"_s, u"a=1; b=2"_s,
                                    m_apache.url(false, u"/cgi/headers"_s)});
    VERIFY_EXIT(r, 0);
    const QByteArrayList lines = r.standardOutput.split('\n');
    const QByteArray basic = "Basic " + QByteArray("alice:open sesame").toBase64();
    QVERIFY2(lines.contains("HTTP_AUTHORIZATION=" + basic), r.standardOutput.constData());
    QVERIFY2(lines.contains("HTTP_USER_AGENT=agent/7"), r.standardOutput.constData());
    QVERIFY2(lines.contains("HTTP_REFERER=http://from.test/"), r.standardOutput.constData());
    QVERIFY2(lines.contains("HTTP_COOKIE=a=1; b=2"), r.standardOutput.constData());
}

void CliCurlTest::getWithData()
{
    CliRunner runner;
    const CliResult r = runner.run({u"-G"_s, u"-d"_s, u"a=1"_s, u"--data-raw"_s, u"b=@2"_s,
                                    m_apache.url(false, u"/cgi/headers?x=0"_s)});
    VERIFY_EXIT(r, 0);
    const QByteArrayList lines = r.standardOutput.split('\n');
    QVERIFY2(lines.contains("REQUEST_METHOD=GET"), r.standardOutput.constData());
    QVERIFY2(lines.contains("QUERY_STRING=x=0&a=1&b=@2"), r.standardOutput.constData());
    QVERIFY2(lines.contains("CONTENT_LENGTH="), r.standardOutput.constData());

    // Without -G the same data is one POST body, joined with '&'.
    const CliResult post = runner.run(
        {u"-d"_s, u"a=1"_s, u"--data-raw"_s, u"b=@2"_s, m_apache.url(false, u"/cgi/headers"_s)});
    VERIFY_EXIT(post, 0);
    QVERIFY2(post.standardOutput.endsWith("\n\nBODY=a=1&b=@2"), post.standardOutput.constData());
}

void CliCurlTest::cookieRoundTrip()
{
    CliRunner runner;
    const QString jar = runner.scratchPath(u"jar.txt"_s);
    // One run: -c turns the engine on; the second request already sends what the first got.
    const CliResult set = runner.run({u"-c"_s, jar, m_apache.url(false, u"/cgi/setcookie"_s),
                                      m_apache.url(false, u"/cgi/headers"_s)});
    VERIFY_EXIT(set, 0);
    const QByteArrayList expected{"pref=dark", "session=abc123"};
    QCOMPARE(cookiesSeen(set.standardOutput), expected);
    QFile file(jar);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY2(text.startsWith("# Netscape HTTP Cookie File"), text.constData());
    QVERIFY2(text.contains("127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc123\n"), text.constData());
    QVERIFY2(text.contains("#HttpOnly_127.0.0.1\tFALSE\t/cgi\tFALSE\t"), text.constData());
    QVERIFY2(text.contains("\tpref\tdark\n"), text.constData());
    QVERIFY2(text.contains("127.0.0.1\tFALSE\t/cgi/status\tFALSE\t0\tscoped\t1\n"),
             text.constData());

    // Another run reads the jar back with -b FILE: cookies go where their path says.
    const CliResult back = runner.run({u"-b"_s, jar, m_apache.url(false, u"/cgi/headers"_s)});
    VERIFY_EXIT(back, 0);
    QCOMPARE(cookiesSeen(back.standardOutput), expected);

    // curl reads the jar Hopscope wrote, and Hopscope reads what curl writes.
    const QString curl = findProgram(u"curl"_s);
    if (curl.isEmpty())
        QSKIP("curl not installed: the cross-check with curl's own cookie engine is skipped");
    QProcess p;
    p.start(curl, {u"-s"_s, u"-b"_s, jar, u"-c"_s, runner.scratchPath(u"curljar.txt"_s),
                   m_apache.url(false, u"/cgi/headers"_s)});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(cookiesSeen(p.readAllStandardOutput()), expected);
    const CliResult fromCurl = runner.run(
        {u"-b"_s, runner.scratchPath(u"curljar.txt"_s), m_apache.url(false, u"/cgi/headers"_s)});
    VERIFY_EXIT(fromCurl, 0);
    QCOMPARE(cookiesSeen(fromCurl.standardOutput), expected);
}

void CliCurlTest::silentAndShowError()
{
    const QString url = u"http://127.0.0.1:%1/"_s.arg(freeLoopbackPort());
    CliRunner runner;
    const CliResult loud = runner.run({url});
    const CliResult silent = runner.run({u"-s"_s, url});
    const CliResult shown = runner.run({u"-sS"_s, url});
    VERIFY_EXIT(loud, 7);
    VERIFY_EXIT(silent, 7);
    VERIFY_EXIT(shown, 7);
    QVERIFY2(!loud.errorMessage().isEmpty(), qPrintable(loud.describe()));
    QVERIFY2(silent.standardError.isEmpty(), qPrintable(silent.describe()));
    QCOMPARE(shown.errorMessage(), loud.errorMessage());
}

void CliCurlTest::exitCodes_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("messagePart"); // in the error line
    QTest::newRow("7: connection refused")
        << QStringList{u"http://127.0.0.1:%1/"_s.arg(freeLoopbackPort())} << 7 << u"connect"_s;
    QTest::newRow("6: unresolvable host")
        << QStringList{u"--connect-timeout"_s, u"10"_s, u"http://no-such-host.invalid/"_s} << 6
        << u"resolve"_s;
    QTest::newRow("60: self-signed, no --cacert")
        << QStringList{m_apache.url(true, u"/small.txt"_s)} << 60 << u"--cacert FILE"_s;
    QTest::newRow("35: TLS to a cleartext port")
        << QStringList{u"https://127.0.0.1:%1/"_s.arg(m_apache.plainPort())} << 35 << u"TLS"_s;
    QTest::newRow("22: -f on a 404")
        << QStringList{u"-f"_s, m_apache.url(false, u"/nonexistent"_s)} << 22 << u"404"_s;
    QTest::newRow("2: unknown option")
        << QStringList{u"--no-such-option"_s, u"http://a.test/"_s} << 2 << QString();
    QTest::newRow("2: -u without password")
        << QStringList{u"-u"_s, u"alice"_s, u"http://a.test/"_s} << 2 << QString();
}

void CliCurlTest::exitCodes()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, messagePart);
    CliRunner runner;
    const CliResult r = runner.run(args);
    VERIFY_EXIT(r, exitCode);
    if (exitCode == 2) {
        QVERIFY2(r.standardError.startsWith("hopscope-cli: usage error: "),
                 qPrintable(r.describe()));
        return;
    }
    QVERIFY2(r.errorMessage().contains(messagePart, Qt::CaseInsensitive), qPrintable(r.describe()));
}

// Bodies to stdout: a pipe or terminal gets each body as it completes, a file or /dev/null gets
// stdio's buffering (no write(2) per body; everything flushed at exit, as curl's stdout). Either
// way every body arrives whole and in order with what -w prints after it (one after another:
// with --parallel the streams' bodies interleave with each other's -w lines by nature).
void CliCurlTest::stdoutToAFileOrAPipe_data()
{
    QTest::addColumn<bool>("toFile");
    QTest::newRow("a regular file") << true;
    QTest::newRow("a pipe") << false;
}

void CliCurlTest::stdoutToAFileOrAPipe()
{
    QFETCH(bool, toFile);
    constexpr int kRequests = 300;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString outPath = dir.filePath(u"stdout.bin"_s);
    QProcess cli;
    if (toFile)
        cli.setStandardOutputFile(outPath);
    cli.start(CliRunner().program(),
              {u"--http2-prior-knowledge"_s, u"--repeat"_s, QString::number(kRequests), u"-w"_s,
               u"%{http_code}\\n"_s, m_nghttpd.url(u"/small.txt"_s)});
    QVERIFY2(cli.waitForFinished(60000), "hopscope-cli did not finish");
    QCOMPARE(cli.exitCode(), 0);
    QByteArray out;
    if (toFile) {
        QFile f(outPath);
        QVERIFY(f.open(QIODevice::ReadOnly));
        out = f.readAll();
    } else {
        out = cli.readAllStandardOutput();
    }
    QCOMPARE(out, (kSmallNghttpd.toUtf8() + "200\n").repeated(kRequests));
}

QTEST_GUILESS_MAIN(CliCurlTest)
#include "tst_cli_curl.moc"
