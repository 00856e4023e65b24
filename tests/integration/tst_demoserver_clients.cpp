// The embedded demo server (demo/) under hopscope-cli itself (h2c, prior knowledge, the
// `Upgrade: h2` follow, flat memory over repeats, run timeouts) and under load and abuse: many
// connections at once (h2load), clients that vanish at awkward moments, and slow readers
// (bounded memory). The server runs in its own thread (DemoServerTestBase,
// tests/support/demoservertest.h).

#include "clirunner.h"
#include "demoservertest.h"
#include "processutil.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <algorithm>
#include <csignal>

using namespace hopscope;
using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

// Reads 1 MiB of /large, prints "stalled" and stops reading for a while: the server must stop
// producing instead of buffering 256 MiB.
constexpr char slowReaderScript[] = R"PY(import socket, ssl, sys, time
import h2.config, h2.connection, h2.settings
mode, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
if mode == "tls-h1":
    s = ssl.create_default_context(cafile=ca).wrap_socket(s, server_hostname="localhost")
if mode == "h2":
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    c.initiate_connection()
    # Windows wide open: only the socket can hold the server back.
    c.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 2**31 - 1})
    c.increment_flow_control_window(2**31 - 1 - 65535)
    c.send_headers(1, [(":method", "GET"), (":path", "/large"), (":scheme", "http"),
                       (":authority", "localhost")], end_stream=True)
    s.sendall(c.data_to_send())
else:
    s.sendall(b"GET /large HTTP/1.1\r\nHost: localhost\r\n\r\n")
got = 0
while got < (1 << 20):
    d = s.recv(65536)
    if not d:
        print("closed early", flush=True)
        sys.exit(1)
    got += len(d)
print("stalled", flush=True)
time.sleep(float(sys.argv[4]))
s.close()
print("done", flush=True)
)PY";

// Clients that vanish at awkward moments, all at once.
constexpr char vanishScript[] = R"PY(import socket, ssl, struct, sys, threading
plain, tls, ca = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
def conn(port, use_tls=False):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    if use_tls:
        s = ssl.create_default_context(cafile=ca).wrap_socket(s, server_hostname="localhost")
    return s
def rst(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
def read_some(s, n):
    got = 0
    while got < n:
        d = s.recv(65536)
        if not d:
            break
        got += len(d)
def h1_large_close(): s = conn(plain); s.sendall(b"GET /large HTTP/1.1\r\nHost: x\r\n\r\n"); read_some(s, 100000); s.close()
def h1_large_rst(): s = conn(plain); s.sendall(b"GET /large HTTP/1.1\r\nHost: x\r\n\r\n"); read_some(s, 100000); rst(s)
def h1_delay(): s = conn(plain); s.sendall(b"GET /delay/300 HTTP/1.1\r\nHost: x\r\n\r\n"); s.close()
def h1_stream(): s = conn(plain); s.sendall(b"GET /stream/20 HTTP/1.1\r\nHost: x\r\n\r\n"); read_some(s, 10); rst(s)
def h1_half_head(): s = conn(plain); s.sendall(b"GET /headers HTTP/1.1\r\nHo"); s.close()
def h1_half_body(): s = conn(plain); s.sendall(b"POST /headers HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"); rst(s)
def tls_large(): s = conn(tls, True); s.sendall(b"GET /large HTTP/1.1\r\nHost: x\r\n\r\n"); read_some(s, 100000); s.close()
def tls_garbage(): s = conn(tls); s.sendall(b"this is not TLS\r\n\r\n"); s.close()
def tls_half_handshake(): s = conn(tls); s.sendall(b"\x16\x03\x01\x00\x05"); s.close()
def h2_frames(path):
    import h2.config, h2.connection
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    c.initiate_connection()
    for i in range(5):
        c.send_headers(1 + 2 * i, [(":method", "GET"), (":path", path), (":scheme", "http"),
                                   (":authority", "x")], end_stream=True)
    return c.data_to_send()
def h2_large_rst(): s = conn(plain); s.sendall(h2_frames("/large")); read_some(s, 50000); rst(s)
def h2_delay(): s = conn(plain); s.sendall(h2_frames("/delay/300")); s.close()
def h2_stream(): s = conn(plain); s.sendall(h2_frames("/stream/30")); read_some(s, 100); s.close()
def h2_half_preface(): s = conn(plain); s.sendall(PREFACE[:20]); s.close()
def ws_half_frame():
    s = conn(plain)
    s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
              b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
    read_some(s, 100)
    s.sendall(b"\x81\xfe\x10\x00abcd" + b"x" * 100)
    rst(s)
def tcp_echo_rst():
    s = conn(plain)
    s.sendall(b"GET /tcp HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
    read_some(s, 10)
    s.sendall(b"x" * 1000000)
    rst(s)
kinds = [h1_large_close, h1_large_rst, h1_delay, h1_stream, h1_half_head, h1_half_body,
         tls_large, tls_garbage, tls_half_handshake, h2_large_rst, h2_delay, h2_stream,
         h2_half_preface, ws_half_frame, tcp_echo_rst]
errors = []
def run(k):
    try:
        k()
    except Exception as e:
        errors.append("%s: %r" % (k.__name__, e))
threads = [threading.Thread(target=run, args=(k,)) for k in kinds * 4]
for t in threads: t.start()
for t in threads: t.join()
print("\n".join(errors) if errors else "ok")
sys.exit(1 if errors else 0)
)PY";

} // namespace

class DemoServerClientsTest : public DemoServerTestBase
{
    Q_OBJECT

private slots:
    void initTestCase() { startServer(); }
    void cleanupTestCase() { stopServer(); }

    void cliH2cParallel();
    void cliH2cPrior();
    void cliFollowsUpgradeH2();
    void cliKeepAliveSeesH2cAdvertisement();
    void cliSequentialRepeatMemoryIsFlat_data();
    void cliSequentialRepeatMemoryIsFlat();
    void cliRunTimeoutReportsEveryRequest();
    void manyConnections_data();
    void manyConnections();
    void vanishingClients();
    void slowReaderBoundedMemory_data();
    void slowReaderBoundedMemory();
};

// --- hopscope-cli against the demo server ----------------------------------------------------

#define VERIFY_CLI_OK(r)                                                                           \
    do {                                                                                           \
        HOPSCOPE_VERIFY_RAN(r);                                                                    \
        QVERIFY2((r).exitCode == 0, qPrintable((r).describe()));                                   \
        QVERIFY2(!(r).has(u"request.failed"), qPrintable((r).describe()));                         \
    } while (false)

void DemoServerClientsTest::cliH2cParallel()
{
    CliRunner runner;
    const CliResult r = runner.run({u"--h2c"_s, u"--parallel"_s, u"-o"_s,
                                    runner.scratchPath(u"a"_s), u"-o"_s, runner.scratchPath(u"b"_s),
                                    u"-o"_s, runner.scratchPath(u"c"_s), url(false, u"/headers"_s),
                                    url(false, u"/stream/3"_s), url(false, u"/bytes/100000"_s)});
    VERIFY_CLI_OK(r);
    QCOMPARE(r.count(u"connect"), 1);
    QCOMPARE(str(r.first(u"upgrade.switch"), "protocol"), u"h2c"_s);
    const auto complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 3);
    QList<qint64> streams;
    for (const QJsonObject &c : complete) {
        QCOMPARE(num(c, "conn"), 1);
        QCOMPARE(str(c, "protocol"), u"h2"_s);
        QCOMPARE(num(c, "status"), 200);
        streams << num(c, "stream");
    }
    std::sort(streams.begin(), streams.end());
    QCOMPARE(streams, (QList<qint64>{1, 3, 5}));
    const QJsonObject upgraded =
        QJsonDocument::fromJson(readFile(runner.scratchPath(u"a"_s))).object();
    QVERIFY(str(upgraded, "protocol").contains(u"stream 1 after the h2c upgrade"_s));
    QCOMPARE(readFile(runner.scratchPath(u"b"_s)).count('\n'), 3);
    QCOMPARE(
        QCryptographicHash::hash(readFile(runner.scratchPath(u"c"_s)), QCryptographicHash::Sha256)
            .toHex(),
        patternSha256(100000));
}

void DemoServerClientsTest::cliH2cPrior()
{
    CliRunner runner;
    const CliResult r = runner.run(
        {u"--h2c-prior"_s, u"-o"_s, runner.scratchPath(u"a"_s), url(false, u"/bytes/123457"_s)});
    VERIFY_CLI_OK(r);
    QCOMPARE(r.count(u"h1.request"), 0);
    const QJsonObject c = r.first(u"response.complete");
    QCOMPARE(str(c, "protocol"), u"h2"_s);
    QCOMPARE(num(c, "stream"), 1);
    QCOMPARE(num(c, "bytes"), 123457);
    bool serverSettings = false;
    for (const QJsonObject &f : r.events(u"h2.frame"))
        serverSettings |= str(f, "frame") == u"SETTINGS" && str(f, "dir") == u"in";
    QVERIFY2(serverSettings, qPrintable(r.describe()));
}

// ALPN http/1.1 on the first connection: the server advertises `Upgrade: h2`, and the next
// request goes over a new TLS connection that negotiates h2.
void DemoServerClientsTest::cliFollowsUpgradeH2()
{
    CliRunner runner;
    const CliResult r = runner.run({u"--cacert"_s, m_caFile, u"--alpn"_s, u"http/1.1"_s, u"-o"_s,
                                    u"/dev/null"_s, u"-o"_s, runner.scratchPath(u"b"_s),
                                    url(true, u"/"_s), url(true, u"/headers"_s)});
    VERIFY_CLI_OK(r);
    const auto tls = r.events(u"tls");
    QCOMPARE(tls.size(), 2);
    QCOMPARE(str(tls.at(0), "alpn"), u"http/1.1"_s);
    QVERIFY(tls.at(0).value(u"verified"_s).toBool());
    const QJsonObject adv = r.first(u"upgrade.advertised");
    QCOMPARE(adv.value(u"protocols"_s).toArray(), QJsonArray{u"h2"_s});
    QCOMPARE(num(adv, "conn"), 1);
    const QJsonObject follow = r.first(u"upgrade.follow");
    QCOMPARE(num(follow, "from"), 1);
    QCOMPARE(num(follow, "conn"), 2);
    QCOMPARE(str(follow, "protocol"), u"h2"_s);
    QCOMPARE(str(tls.at(1), "alpn"), u"h2"_s);
    const auto complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 2);
    QCOMPARE(str(complete.at(0), "protocol"), u"http/1.1"_s);
    QCOMPARE(str(complete.at(1), "protocol"), u"h2"_s);
    QCOMPARE(num(complete.at(1), "conn"), 2);
    const QJsonObject echoed =
        QJsonDocument::fromJson(readFile(runner.scratchPath(u"b"_s))).object();
    QCOMPARE(str(echoed, "protocol"), u"HTTP/2"_s);
}

void DemoServerClientsTest::cliKeepAliveSeesH2cAdvertisement()
{
    CliRunner runner;
    const CliResult r = runner.run({u"-o"_s, u"/dev/null"_s, u"-o"_s, u"/dev/null"_s,
                                    url(false, u"/"_s), url(false, u"/status/418"_s)});
    VERIFY_CLI_OK(r);
    QCOMPARE(r.count(u"connect"), 1);
    QCOMPARE(r.first(u"upgrade.advertised").value(u"protocols"_s).toArray(), QJsonArray{u"h2c"_s});
    QCOMPARE(r.count(u"upgrade.follow"), 0);
    const auto complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 2);
    QCOMPARE(num(complete.at(1), "status"), 418);
}

void DemoServerClientsTest::cliSequentialRepeatMemoryIsFlat_data()
{
    QTest::addColumn<QString>("mode"); // "" (HTTP/1.1 keep-alive) or --h2c-prior
    QTest::newRow("http/1.1") << QString();
    QTest::newRow("h2c prior knowledge") << u"--h2c-prior"_s;
}

// A sequential run holds the request it runs, not the ones before it nor the ones after: ten
// times as many requests cost (next to) no more memory. It used to grow by about 2.2 KiB a
// request (every Exchange kept, every repeat a copy of the request up front).
void DemoServerClientsTest::cliSequentialRepeatMemoryIsFlat()
{
    QFETCH(QString, mode);
    qint64 peak[2] = {0, 0};
    const int counts[2] = {300, 3000};
    for (int i = 0; i < 2; ++i) {
        CliRunner runner;
        runner.setTraceMode(CliRunner::TraceMode::None);
        runner.setMeasureMemory(true);
        runner.setTimeout(std::chrono::milliseconds(120'000));
        QStringList args{u"--repeat"_s, QString::number(counts[i]), url(false, u"/status/204"_s)};
        if (!mode.isEmpty())
            args.prepend(mode);
        const CliResult r = runner.run(args);
        HOPSCOPE_VERIFY_RAN(r);
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QVERIFY(r.peakRssExact);
        peak[i] = r.peakRssKiB;
    }
    qInfo("%s: peak RSS %lld KiB for %d requests, %lld KiB for %d", QTest::currentDataTag(),
          peak[0], counts[0], peak[1], counts[1]);
    QVERIFY2(!rssBudgetsApply() || peak[1] - peak[0] < 3 * 1024,
             qPrintable(u"peak RSS grew by %1 KiB for %2 more requests"_s.arg(peak[1] - peak[0])
                            .arg(counts[1] - counts[0])));
}

// The CLI hands a sequential run's requests over one at a time; when --timeout ends the run,
// every request it did not send yet is still reported (and traced) as not sent.
void DemoServerClientsTest::cliRunTimeoutReportsEveryRequest()
{
    CliRunner runner;
    const CliResult r =
        runner.run({u"--timeout"_s, u"1"_s, u"--repeat"_s, u"4"_s, url(false, u"/delay/3000"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QCOMPARE(r.exitCode, 28); // curl's code for a timeout
    // The waiting ones fail first, then the one in flight (its driver is aborted after them).
    auto failed = r.events(u"request.failed");
    std::sort(failed.begin(), failed.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return num(a, "req") < num(b, "req");
    });
    QCOMPARE(failed.size(), 4);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(num(failed.at(i), "req"), i + 1);
        QCOMPARE(str(failed.at(i), "code"), u"timeout"_s);
        QCOMPARE(str(failed.at(i), "error").startsWith(u"not sent: "_s), i > 0);
    }
    QCOMPARE(r.count(u"request.start"), 1);
    QCOMPARE(r.standardError.count("hopscope-cli: error: GET "), 4);
    QVERIFY2(r.errorMessage().contains(u"run timed out after 1 s"_s), qPrintable(r.describe()));
}

// --- robustness ------------------------------------------------------------------------------

void DemoServerClientsTest::manyConnections_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("requests");
    QTest::newRow("h2load http/1.1, 100 connections")
        << QStringList{u"--h1"_s, u"-c"_s, u"100"_s} << false << u"/bytes/20000"_s << 2000;
    QTest::newRow("h2load h2c, 50 connections x 20 streams")
        << QStringList{u"-c"_s, u"50"_s, u"-m"_s, u"20"_s} << false << u"/bytes/20000"_s << 4000;
    QTest::newRow("h2load h2 over tls, 20 connections x 10 streams")
        << QStringList{u"-c"_s, u"20"_s, u"-m"_s, u"10"_s} << true << u"/headers"_s << 2000;
    QTest::newRow("h2load paced streams")
        << QStringList{u"-c"_s, u"10"_s, u"-m"_s, u"50"_s} << false << u"/stream/3"_s << 500;
}

void DemoServerClientsTest::manyConnections()
{
    QFETCH(QStringList, args);
    QFETCH(bool, tls);
    QFETCH(QString, path);
    QFETCH(int, requests);
    args << u"-n"_s << QString::number(requests) << url(tls, path);
    const ToolResult r = runTool(m_h2load, args, 120000);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const QString expected =
        u"requests: %1 total, %1 started, %1 done, %1 succeeded, 0 failed, 0 errored"_s.arg(
            requests);
    QVERIFY2(QString::fromUtf8(r.out).contains(expected), qPrintable(r.describe()));
    QVERIFY2(r.out.contains("status codes: " + QByteArray::number(requests) + " 2xx"),
             qPrintable(r.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(serverConnections(), 0, 10000);
}

void DemoServerClientsTest::vanishingClients()
{
    const ToolResult r =
        runTool(python(),
                {script("vanish.py", vanishScript), QString::number(m_server->plainPort()),
                 QString::number(m_server->tlsPort()), m_caFile},
                120000);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    // Every abandoned connection is cleaned up, timers of delayed answers included ...
    QTRY_COMPARE_WITH_TIMEOUT(serverConnections(), 0, 15000);
    // ... and the server still answers.
    const ToolResult after =
        runTool(m_curl, {u"-sS"_s, u"--http2-prior-knowledge"_s, url(false, u"/status/418"_s)});
    QVERIFY2(after.ok() && after.out == "418 I'm a teapot\n", qPrintable(after.describe()));
}

void DemoServerClientsTest::slowReaderBoundedMemory_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<bool>("tls");
    QTest::newRow("http/1.1") << u"h1"_s << false;
    QTest::newRow("http/1.1 over tls") << u"tls-h1"_s << true;
    QTest::newRow("h2c prior knowledge, windows wide open") << u"h2"_s << false;
}

// A client that stops reading /large must cost the server no more than its write buffers.
void DemoServerClientsTest::slowReaderBoundedMemory()
{
    QFETCH(QString, mode);
    QFETCH(bool, tls);
    const qint64 before = residentKiB();
    QProcess p;
    dieWithParent(p, SIGKILL);
    p.start(python(),
            {script("slow_reader.py", slowReaderScript), mode,
             QString::number(tls ? m_server->tlsPort() : m_server->plainPort()), m_caFile, u"3"_s});
    QVERIFY(p.waitForStarted(10000));
    QByteArray out;
    QElapsedTimer clock;
    clock.start();
    while (!out.contains("stalled") && p.state() == QProcess::Running && clock.elapsed() < 20000) {
        p.waitForReadyRead(200);
        out += p.readAllStandardOutput();
    }
    QVERIFY2(out.contains("stalled"), (out + p.readAllStandardError()).constData());
    // Long enough for an unbounded producer to queue hundreds of MiB.
    QTest::qWait(1500);
    const qint64 during = residentKiB();
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY2(during - before < 48 * 1024,
             qPrintable(u"resident memory grew by %1 KiB while the client did not read"_s.arg(
                 during - before)));
    qInfo("%s: resident memory %lld KiB before, %lld KiB while the client stalled",
          QTest::currentDataTag(), before, during);
    QTRY_COMPARE_WITH_TIMEOUT(serverConnections(), 0, 10000);
}

QTEST_GUILESS_MAIN(DemoServerClientsTest)
#include "tst_demoserver_clients.moc"
