// The embedded demo server (demo/) checked with real, independent clients: curl (HTTP/1.1
// keep-alive, the h2c upgrade, prior knowledge, TLS with ALPN h2 and with http/1.1), nghttp and
// h2load (nghttp2's own client and load tool), Python's `websockets` for the WebSocket echo,
// Python sockets for the tcp upgrade, python-h2 for HTTP/2 over TLS without ALPN, and finally
// hopscope-cli itself. Also: precise 400s, WebSocket rule violations, clients that vanish, slow
// readers (bounded memory) and many connections at once.
//
// The server runs in its own QThread with its own event loop, so the test thread may block on
// external clients (QProcess::waitForFinished, blocking QTcpSocket calls) while it serves them.

#include "clirunner.h"
#include "processutil.h"

#include "demoserver.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QtEndian>

#include <csignal>

using namespace hopscope;
using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kLargeBytes = qint64(256) << 20;

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
    QString describe() const
    {
        return u"  command: %1\n  started %2, timed out %3, exit %4 after %5 ms\n  stdout: %6\n"
               u"  stderr: %7\n"_s.arg(command.join(u' '))
                   .arg(started)
                   .arg(timedOut)
                   .arg(exitCode)
                   .arg(ms)
                   .arg(QString::fromUtf8(out.left(3000)), QString::fromUtf8(err.left(3000)));
    }
};

// Runs a program to its end. Blocking is fine here: the server has its own thread.
ToolResult runTool(const QString &program, const QStringList &args, int timeoutMs = 60000)
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

// Debian's python3, where python3-websockets and python3-h2 live (a PATH python3 may be a
// pyenv without them).
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

// The file's content; empty when it does not exist (curl creates no -o file for an empty body).
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

// A header's value in a `curl -D` dump (the last response's, case-insensitive name).
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

// --- Python clients --------------------------------------------------------------------------

// websockets 10.4 (Debian): asyncio API only.
constexpr char wsEchoScript[] = R"PY(import asyncio, json, ssl, sys, websockets
async def main(url, ca):
    ctx = ssl.create_default_context(cafile=ca) if url.startswith("wss") else None
    async with websockets.connect(url, ssl=ctx, subprotocols=["demo.echo", "other"],
                                  max_size=None, open_timeout=10) as ws:
        r = {"subprotocol": ws.subprotocol}
        await ws.send("hello \u2713"); r["text"] = await ws.recv()
        await ws.send(b"\x00\x01\xff"); r["binary"] = (await ws.recv()).hex()
        await ws.send(["frag-", "mented"]); r["fragmented"] = await ws.recv()
        big = bytes(i % 251 for i in range(1 << 20))
        await ws.send(big); r["big"] = (await ws.recv()) == big
        pong = await ws.ping(b"p1"); await asyncio.wait_for(pong, 10); r["pong"] = True
        await ws.close(code=1000, reason="bye")
        r["closeCode"] = ws.close_code
    print(json.dumps(r))
asyncio.run(main(sys.argv[1], sys.argv[2]))
)PY";

// One recv right after the upgrade request: the greeting must be in it, behind the 101 head.
constexpr char tcpUpgradeScript[] = R"PY(import json, socket, ssl, sys
port, tls, ca, early = int(sys.argv[1]), sys.argv[2] == "tls", sys.argv[3], sys.argv[4] == "early"
s = socket.create_connection(("127.0.0.1", port), timeout=10)
if tls:
    s = ssl.create_default_context(cafile=ca).wrap_socket(s, server_hostname="localhost")
extra = b"early bytes\n" if early else b""
s.sendall(b"GET /tcp HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
          + extra)
first = s.recv(65536)
head_end = first.find(b"\r\n\r\n") + 4
after = first[head_end:]
want = len(b"hopscope demo tcp echo ready\n") + len(extra)
while len(after) < want:
    d = s.recv(65536)
    if not d:
        break
    after += d
s.sendall(b"echo me\n")
got = b""
while len(got) < 8:
    d = s.recv(65536)
    if not d:
        break
    got += d
print(json.dumps({"first": first.decode(), "after": after.decode(), "echo": got.decode()}))
)PY";

// HTTP/2 over TLS with no ALPN offered: the server must recognise the preface.
constexpr char noAlpnH2Script[] = R"PY(import json, socket, ssl, sys
import h2.config, h2.connection, h2.events
port, ca, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                    server_hostname="localhost")
c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
c.initiate_connection()
c.send_headers(1, [(":method", "GET"), (":path", path), (":scheme", "https"),
                   (":authority", "localhost")], end_stream=True)
s.sendall(c.data_to_send())
status, body, done = None, b"", False
while not done:
    data = s.recv(65536)
    if not data:
        break
    for ev in c.receive_data(data):
        if isinstance(ev, h2.events.ResponseReceived):
            status = int(dict(ev.headers)[b":status"])
        elif isinstance(ev, h2.events.DataReceived):
            body += ev.data
            c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
        elif isinstance(ev, h2.events.StreamEnded):
            done = True
    s.sendall(c.data_to_send())
print(json.dumps({"alpn": s.selected_alpn_protocol(), "status": status,
                  "body": json.loads(body)}))
)PY";

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

class DemoServerTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void describeListsEverything();
    void curlEndpoints_data();
    void curlEndpoints();
    void curlLarge_data();
    void curlLarge();
    void curlKeepAlive_data();
    void curlKeepAlive();
    void upgradeAdvertisement_data();
    void upgradeAdvertisement();
    void badRequests_data();
    void badRequests();
    void nghttp_data();
    void nghttp();
    void webSocketEcho_data();
    void webSocketEcho();
    void webSocketHandshakeRefused_data();
    void webSocketHandshakeRefused();
    void webSocketViolations_data();
    void webSocketViolations();
    void tcpUpgrade_data();
    void tcpUpgrade();
    void tlsPriorKnowledgeWithoutAlpn();
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

private:
    QString url(bool tls, const QString &path) const { return m_base[tls] + path; }
    QString script(const char *name, const char *text);
    int serverConnections();
    // A WebSocket opened by hand (blocking socket), for frames no library would send.
    bool openWebSocket(QTcpSocket &socket, QByteArray *response);

    QThread m_thread;
    DemoServer *m_server = nullptr;
    QString m_base[2];
    QString m_caFile;
    QString m_curl;
    QString m_nghttp;
    QString m_h2load;
    QTemporaryDir m_dir;
};

void DemoServerTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_curl = findProgram(u"curl"_s);
    m_nghttp = findProgram(u"nghttp"_s);
    m_h2load = findProgram(u"h2load"_s);
    QVERIFY2(!m_curl.isEmpty(), "curl is needed (scripts/setup.sh installs it)");
    QVERIFY2(!m_nghttp.isEmpty() && !m_h2load.isEmpty(),
             "nghttp and h2load are needed (Debian nghttp2-client)");
    QVERIFY2(!python().isEmpty(), "python3 is needed");

    m_thread.setObjectName(u"demo-server"_s);
    m_thread.start();
    m_server = new DemoServer;
    m_server->moveToThread(&m_thread);
    bool started = false;
    QString error;
    QMetaObject::invokeMethod(
        m_server, [&] { started = m_server->start(&error); }, Qt::BlockingQueuedConnection);
    QVERIFY2(started, qPrintable(error));
    m_base[0] = m_server->baseUrl(false);
    m_base[1] = m_server->baseUrl(true);
    m_caFile = m_server->caFile();
    QVERIFY(m_server->plainPort() != 0 && m_server->tlsPort() != 0);
    QVERIFY(QFileInfo::exists(m_caFile));
}

void DemoServerTest::cleanupTestCase()
{
    if (m_server) {
        QMetaObject::invokeMethod(
            m_server, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
        m_server = nullptr;
    }
    m_thread.quit();
    m_thread.wait();
}

QString DemoServerTest::script(const char *name, const char *text)
{
    const QString path = m_dir.filePath(QLatin1String(name));
    if (!QFileInfo::exists(path)) {
        QFile f(path);
        if (f.open(QIODevice::WriteOnly))
            f.write(text);
    }
    return path;
}

int DemoServerTest::serverConnections()
{
    int n = -1;
    QMetaObject::invokeMethod(
        m_server, [&] { n = m_server->connectionCount(); }, Qt::BlockingQueuedConnection);
    return n;
}

void DemoServerTest::describeListsEverything()
{
    const QString text = m_server->describe().join(u'\n');
    QVERIFY2(text.contains(m_base[0] + u'/') && text.contains(m_base[1] + u'/'), qPrintable(text));
    QVERIFY2(text.contains(m_caFile), qPrintable(text));
    for (const char *path :
         {"/delay/MS", "/status/N", "/bytes/N", "/stream/N", "/headers", "/large", "/ws", "/tcp"}) {
        QVERIFY2(text.contains(QLatin1String(path)), path);
    }
    const QSslCertificate cert = m_server->certificate();
    QCOMPARE(cert.subjectInfo(QSslCertificate::CommonName), QStringList{u"localhost"_s});
    QVERIFY(cert.expiryDate() > QDateTime::currentDateTimeUtc().addDays(1));
    QVERIFY(cert.expiryDate() < QDateTime::currentDateTimeUtc().addDays(3));
    const auto names = cert.subjectAlternativeNames();
    QVERIFY(names.values(QSsl::DnsEntry).contains(u"localhost"_s));
    QVERIFY(names.values(QSsl::IpAddressEntry).contains(u"127.0.0.1"_s));
}

// --- curl: every endpoint over every way to the server ---------------------------------------

void DemoServerTest::curlEndpoints_data()
{
    QTest::addColumn<QStringList>("modeArgs");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("httpVersion");
    QTest::addColumn<QString>("protocol"); // what /headers reports
    QTest::addColumn<QString>("endpoint");

    struct Mode
    {
        const char *name;
        QStringList args;
        bool tls;
        QString version;
        QString protocol;
    };
    const QList<Mode> modes{
        {"http/1.1", {u"--http1.1"_s}, false, u"1.1"_s, u"HTTP/1.1"_s},
        {"h2c upgrade", {u"--http2"_s}, false, u"2"_s, u"HTTP/2"_s},
        {"h2c prior knowledge", {u"--http2-prior-knowledge"_s}, false, u"2"_s, u"HTTP/2"_s},
        {"tls alpn h2", {u"--http2"_s}, true, u"2"_s, u"HTTP/2"_s},
        {"tls http/1.1", {u"--http1.1"_s}, true, u"1.1"_s, u"HTTP/1.1"_s},
    };
    const QStringList endpoints{
        u"index"_s,      u"status 418"_s, u"status 204"_s,        u"status 304"_s,   u"bytes"_s,
        u"bytes HEAD"_s, u"stream"_s,     u"headers"_s,           u"headers POST"_s, u"delay"_s,
        u"not found"_s,  u"bad number"_s, u"method not allowed"_s};
    for (const Mode &m : modes) {
        for (const QString &e : endpoints) {
            QTest::addRow("%s: %s", m.name, qPrintable(e))
                << m.args << m.tls << m.version << m.protocol << e;
        }
    }
}

void DemoServerTest::curlEndpoints()
{
    QFETCH(QStringList, modeArgs);
    QFETCH(bool, tls);
    QFETCH(QString, httpVersion);
    QFETCH(QString, protocol);
    QFETCH(QString, endpoint);

    const QString body = m_dir.filePath(u"body"_s);
    const QString head = m_dir.filePath(u"head"_s);
    QFile::remove(body);
    QFile::remove(head);
    QStringList args{u"-sS"_s,
                     u"-o"_s,
                     body,
                     u"-D"_s,
                     head,
                     u"-w"_s,
                     u"%{http_code} %{http_version} %{time_total}"_s};
    args += modeArgs;
    if (tls)
        args << u"--cacert"_s << m_caFile;

    // Each row: the path, and what curl adds to the request.
    static const QHash<QString, std::pair<QString, QStringList>> requests{
        {u"index"_s, {u"/"_s, {}}},
        {u"status 418"_s, {u"/status/418"_s, {}}},
        {u"status 204"_s, {u"/status/204"_s, {}}},
        {u"status 304"_s, {u"/status/304"_s, {}}},
        {u"bytes"_s, {u"/bytes/1000003"_s, {}}},
        {u"bytes HEAD"_s, {u"/bytes/5000"_s, {u"-I"_s}}},
        {u"stream"_s, {u"/stream/5"_s, {}}},
        {u"headers"_s, {u"/headers"_s, {u"-H"_s, u"X-Hopscope-Test: Mixed Case \u2713"_s}}},
        {u"headers POST"_s, {u"/headers"_s, {u"--data-binary"_s, u"0123456789"_s}}},
        {u"delay"_s, {u"/delay/300"_s, {}}},
        {u"not found"_s, {u"/no/such/thing"_s, {}}},
        {u"bad number"_s, {u"/bytes/12x"_s, {}}},
        {u"method not allowed"_s, {u"/bytes/10"_s, {u"-X"_s, u"DELETE"_s}}},
    };
    QVERIFY(requests.contains(endpoint));
    const auto &[path, extra] = requests.value(endpoint);
    args += extra;
    args << url(tls, path);

    const ToolResult r = runTool(m_curl, args);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const QList<QByteArray> w = r.out.split(' ');
    QCOMPARE(w.size(), 3);
    const int status = w.at(0).toInt();
    QCOMPARE(QString::fromLatin1(w.at(1)), httpVersion);
    const double seconds = w.at(2).toDouble();
    const QByteArray content = readFile(body);
    const QByteArray headers = readFile(head);
    const QString why = r.describe() + u"\n  head: "_s + QString::fromUtf8(headers) +
                        u"\n  body: "_s + QString::fromUtf8(content.left(500));
    QByteArray serverName = dumpedHeader(headers, "Server");
    QVERIFY2(serverName.startsWith("hopscope-demo/"), qPrintable(why));

    if (endpoint == u"index") {
        QCOMPARE(status, 200);
        QVERIFY2(content.contains("Hopscope demo server") && content.contains("/stream/N"),
                 qPrintable(why));
    } else if (endpoint == u"status 418") {
        QCOMPARE(status, 418);
        QCOMPARE(content, QByteArray("418 I'm a teapot\n"));
    } else if (endpoint.startsWith(u"status 3") || endpoint == u"status 204") {
        QCOMPARE(status, endpoint.mid(7).toInt());
        QVERIFY2(content.isEmpty(), qPrintable(why));
        QVERIFY2(dumpedHeader(headers, "Content-Length").isEmpty(), qPrintable(why));
        QVERIFY2(dumpedHeader(headers, "Transfer-Encoding").isEmpty(), qPrintable(why));
    } else if (endpoint == u"bytes") {
        QCOMPARE(status, 200);
        QCOMPARE(content.size(), 1000003);
        QCOMPARE(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex(),
                 patternSha256(1000003));
        QCOMPARE(dumpedHeader(headers, "Content-Length"), QByteArray("1000003"));
    } else if (endpoint == u"bytes HEAD") {
        QCOMPARE(status, 200);
        QCOMPARE(dumpedHeader(headers, "Content-Length"), QByteArray("5000"));
        // With -I curl writes the head where the body would go: no pattern bytes may follow.
        QVERIFY2(!content.contains(QByteArray("\x00\x01\x02", 3)), qPrintable(why));
    } else if (endpoint == u"stream") {
        QCOMPARE(status, 200);
        // Paced: the last line leaves about 400 ms after the first.
        QVERIFY2(seconds >= 0.38, qPrintable(why));
        const QList<QByteArray> lines = content.trimmed().split('\n');
        QCOMPARE(lines.size(), 5);
        for (int i = 0; i < lines.size(); ++i) {
            const QJsonObject o = QJsonDocument::fromJson(lines.at(i)).object();
            QCOMPARE(num(o, "line"), i + 1);
            QCOMPARE(num(o, "of"), 5);
        }
        // Chunked on HTTP/1.1 (length unknown up front), DATA frames on HTTP/2.
        if (httpVersion == u"1.1")
            QCOMPARE(dumpedHeader(headers, "Transfer-Encoding"), QByteArray("chunked"));
        QVERIFY2(dumpedHeader(headers, "Content-Length").isEmpty(), qPrintable(why));
    } else if (endpoint.startsWith(u"headers")) {
        QCOMPARE(status, 200);
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(content, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(why));
        // The h2c upgrade's request arrived as HTTP/1.1 and was answered on stream 1.
        const QString expected = modeArgs.contains(u"--http2"_s) && !tls
                                     ? u"HTTP/1.1 (answered as HTTP/2 stream 1 after the h2c "
                                       u"upgrade)"_s
                                     : protocol;
        QCOMPARE(str(o, "protocol"), expected);
        QCOMPARE(o.value(u"tls"_s).toBool(), tls);
        QStringList names;
        QString custom;
        for (const QJsonValue &pair : o.value(u"headers"_s).toArray()) {
            names << pair.toArray().at(0).toString();
            if (names.last().compare(u"X-Hopscope-Test"_s, Qt::CaseInsensitive) == 0)
                custom = pair.toArray().at(1).toString();
        }
        const bool h2Wire = expected == u"HTTP/2";
        if (h2Wire) {
            QCOMPARE(names.mid(0, 4),
                     (QStringList{u":method"_s, u":path"_s, u":scheme"_s, u":authority"_s}));
        } else {
            QCOMPARE(names.value(0), u"Host"_s);
        }
        if (endpoint == u"headers") {
            QCOMPARE(custom, u"Mixed Case \u2713"_s);
            // Wire order and case: curl sends its own headers before -H ones.
            const QString customName = h2Wire ? u"x-hopscope-test"_s : u"X-Hopscope-Test"_s;
            const QString accept = h2Wire ? u"accept"_s : u"Accept"_s;
            QVERIFY2(names.contains(customName), qPrintable(why));
            QVERIFY2(names.indexOf(accept) < names.indexOf(customName), qPrintable(why));
            QCOMPARE(str(o, "method"), u"GET"_s);
            QCOMPARE(num(o, "bodyBytes"), 0);
        } else {
            QCOMPARE(str(o, "method"), u"POST"_s);
            QCOMPARE(num(o, "bodyBytes"), 10);
        }
    } else if (endpoint == u"delay") {
        QCOMPARE(status, 200);
        QVERIFY2(seconds >= 0.3, qPrintable(why));
        QCOMPARE(content, QByteArray("answered after 300 ms\n"));
    } else if (endpoint == u"not found") {
        QCOMPARE(status, 404);
        QVERIFY2(content.contains("no endpoint at /no/such/thing"), qPrintable(why));
    } else if (endpoint == u"bad number") {
        QCOMPARE(status, 400);
        QVERIFY2(content.contains("/bytes/N needs a whole number of bytes"), qPrintable(why));
    } else if (endpoint == u"method not allowed") {
        QCOMPARE(status, 405);
        QCOMPARE(dumpedHeader(headers, "Allow"), QByteArray("GET, HEAD, OPTIONS"));
    } else {
        QFAIL("unknown endpoint row");
    }
}

void DemoServerTest::curlLarge_data()
{
    QTest::addColumn<QStringList>("modeArgs");
    QTest::addColumn<bool>("tls");
    QTest::newRow("http/1.1") << QStringList{u"--http1.1"_s} << false;
    QTest::newRow("h2c prior knowledge") << QStringList{u"--http2-prior-knowledge"_s} << false;
    QTest::newRow("tls alpn h2") << QStringList{} << true;
}

// 256 MiB streamed from a reusable buffer, checked byte for byte.
void DemoServerTest::curlLarge()
{
    QFETCH(QStringList, modeArgs);
    QFETCH(bool, tls);
    const QString body = m_dir.filePath(u"large"_s);
    QFile::remove(body);
    QStringList args{u"-sS"_s, u"-o"_s, body, u"-w"_s, u"%{http_code} %{speed_download}"_s};
    args += modeArgs;
    if (tls)
        args << u"--cacert"_s << m_caFile;
    args << url(tls, u"/large"_s);
    const ToolResult r = runTool(m_curl, args, 120000);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QVERIFY2(r.out.startsWith("200 "), qPrintable(r.describe()));
    qint64 size = 0;
    const QByteArray hash = fileSha256(body, &size);
    QFile::remove(body);
    QCOMPARE(size, kLargeBytes);
    QCOMPARE(hash, patternSha256(kLargeBytes));
    qInfo("%s: %.0f MB/s", QTest::currentDataTag(), r.out.split(' ').value(1).toDouble() / 1e6);
}

void DemoServerTest::curlKeepAlive_data()
{
    QTest::addColumn<QStringList>("modeArgs");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("httpVersion");
    QTest::newRow("http/1.1") << QStringList{u"--http1.1"_s} << false << u"1.1"_s;
    // curl 7.88 upgrades the first request, the second rides the HTTP/2 connection.
    QTest::newRow("h2c upgrade") << QStringList{u"--http2"_s} << false << u"2"_s;
    QTest::newRow("tls alpn h2") << QStringList{} << true << u"2"_s;
    QTest::newRow("tls http/1.1") << QStringList{u"--http1.1"_s} << true << u"1.1"_s;
}

void DemoServerTest::curlKeepAlive()
{
    QFETCH(QStringList, modeArgs);
    QFETCH(bool, tls);
    QFETCH(QString, httpVersion);
    QStringList args{u"-sv"_s,
                     u"-o"_s,
                     u"/dev/null"_s,
                     u"-o"_s,
                     u"/dev/null"_s,
                     u"-w"_s,
                     u"%{http_code} %{http_version} %{num_connects}\\n"_s};
    args += modeArgs;
    if (tls)
        args << u"--cacert"_s << m_caFile;
    args << url(tls, u"/headers"_s) << url(tls, u"/bytes/100"_s);
    const ToolResult r = runTool(m_curl, args);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const QString expected = u"200 %1 1\n200 %1 0\n"_s.arg(httpVersion);
    QCOMPARE(QString::fromLatin1(r.out), expected);
    QVERIFY2(r.err.contains("Re-using existing connection"), qPrintable(r.describe()));
}

// --- the Upgrade advertisement, and declined offers ------------------------------------------

void DemoServerTest::upgradeAdvertisement_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QStringList>("extraArgs");
    QTest::addColumn<QString>("upgrade");    // the Upgrade header of the response
    QTest::addColumn<QString>("connection"); // its Connection header
    QTest::addColumn<QString>("declined");   // a fragment of Hopscope-Upgrade-Declined

    QTest::newRow("cleartext advertises h2c")
        << false << QStringList{u"--http1.1"_s} << u"h2c"_s << u"Upgrade"_s << QString();
    QTest::newRow("tls http/1.1 advertises h2")
        << true << QStringList{u"--http1.1"_s} << u"h2"_s << u"Upgrade"_s << QString();
    QTest::newRow("http/1.0 gets no advertisement")
        << false << QStringList{u"--http1.0"_s} << QString() << u"close"_s << QString();
    QTest::newRow("h2 over ALPN has no Upgrade")
        << true << QStringList{u"--http2"_s} << QString() << QString() << QString();
    QTest::newRow("unknown token declined")
        << false
        << QStringList{u"--http1.1"_s, u"-H"_s, u"Connection: Upgrade"_s, u"-H"_s,
                       u"Upgrade: foo/1, bar"_s}
        << QString() << QString() << u"no protocol offered in Upgrade is spoken here"_s;
    QTest::newRow("h2c over tls declined")
        << true << QStringList{u"--http1.1"_s,
                               u"-H"_s,
                               u"Connection: Upgrade, HTTP2-Settings"_s,
                               u"-H"_s,
                               u"Upgrade: h2c"_s,
                               u"-H"_s,
                               u"HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA"_s}
        << QString() << QString() << u"h2c is cleartext HTTP/2"_s;
    QTest::newRow("h2c without HTTP2-Settings declined")
        << false
        << QStringList{u"--http1.1"_s, u"-H"_s, u"Connection: Upgrade"_s, u"-H"_s,
                       u"Upgrade: h2c"_s}
        << QString() << QString() << u"exactly one HTTP2-Settings header"_s;
    QTest::newRow("Upgrade without Connection: Upgrade declined")
        << false << QStringList{u"--http1.1"_s, u"-H"_s, u"Upgrade: tcp"_s} << QString()
        << QString() << u"without `Connection: Upgrade`"_s;
}

void DemoServerTest::upgradeAdvertisement()
{
    QFETCH(bool, tls);
    QFETCH(QStringList, extraArgs);
    QFETCH(QString, upgrade);
    QFETCH(QString, connection);
    QFETCH(QString, declined);
    QStringList args{u"-sS"_s, u"-D"_s, u"-"_s, u"-o"_s, u"/dev/null"_s};
    args += extraArgs;
    if (tls)
        args << u"--cacert"_s << m_caFile;
    args << url(tls, u"/status/200"_s);
    const ToolResult r = runTool(m_curl, args);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QVERIFY2(r.out.startsWith("HTTP/") && r.out.contains(" 200"), qPrintable(r.describe()));
    QCOMPARE(QString::fromLatin1(dumpedHeader(r.out, "Upgrade")), upgrade);
    QCOMPARE(QString::fromLatin1(dumpedHeader(r.out, "Connection")), connection);
    const QString reason = QString::fromUtf8(dumpedHeader(r.out, "Hopscope-Upgrade-Declined"));
    if (declined.isEmpty())
        QVERIFY2(reason.isEmpty(), qPrintable(r.describe()));
    else
        QVERIFY2(reason.contains(declined), qPrintable(r.describe()));
}

// --- precise errors from the request parser --------------------------------------------------

void DemoServerTest::badRequests_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("message");

    const QByteArray big(70 * 1024, 'a');
    QTest::newRow("not a request line") << false << QByteArray("GARBAGE\r\n\r\n") << 400
                                        << QByteArray("malformed request line \"GARBAGE\"");
    QTest::newRow("double space") << false << QByteArray("GET  / HTTP/1.1\r\nHost: x\r\n\r\n")
                                  << 400 << QByteArray("malformed request line");
    QTest::newRow("missing host") << false << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400
                                  << QByteArray("missing Host header field");
    QTest::newRow("two hosts") << true << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
                               << 400 << QByteArray("2 Host header fields");
    QTest::newRow("HTTP/2.0 request line")
        << false << QByteArray("GET / HTTP/2.0\r\nHost: x\r\n\r\n") << 505
        << QByteArray("HTTP/2.0 is not an HTTP/1.x request line");
    QTest::newRow("bad version") << false << QByteArray("GET / HTTP/1.x\r\nHost: x\r\n\r\n") << 400
                                 << QByteArray("malformed HTTP version \"HTTP/1.x\"");
    QTest::newRow("space before colon")
        << false << QByteArray("GET / HTTP/1.1\r\nHost : x\r\n\r\n") << 400
        << QByteArray("whitespace between header field name \"Host\" and the colon");
    QTest::newRow("obs-fold") << true
                              << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n")
                              << 400 << QByteArray("obsolete line folding");
    QTest::newRow("no colon") << false << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nJunk\r\n\r\n")
                              << 400 << QByteArray("header line without a colon: \"Junk\"");
    QTest::newRow("control character")
        << false << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nA: b\x01\r\n\r\n") << 400
        << QByteArray("invalid character 0x01 in the value of header field A");
    QTest::newRow("content-length and chunked")
        << false
        << QByteArray("POST /headers HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n")
        << 400 << QByteArray("both Content-Length and Transfer-Encoding");
    QTest::newRow("conflicting lengths")
        << false
        << QByteArray("POST /headers HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                      "Content-Length: 4\r\n\r\n")
        << 400 << QByteArray("conflicting Content-Length values 3 and 4");
    QTest::newRow("bad content-length")
        << false << QByteArray("POST /headers HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
        << 400 << QByteArray("invalid Content-Length \"-1\"");
    QTest::newRow("unknown coding")
        << false
        << QByteArray(
               "POST /headers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
        << 501 << QByteArray("transfer coding \"gzip\" is not implemented");
    QTest::newRow("bad chunk size")
        << false
        << QByteArray("POST /headers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "zz\r\n")
        << 400 << QByteArray("invalid chunk size line \"zz\"");
    QTest::newRow("chunk longer than its size")
        << false
        << QByteArray("POST /headers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "2\r\nabc\r\n")
        << 400 << QByteArray("chunk data longer than its chunk size");
    QTest::newRow("asterisk without OPTIONS")
        << false << QByteArray("GET * HTTP/1.1\r\nHost: x\r\n\r\n") << 400
        << QByteArray("only for OPTIONS");
    QTest::newRow("relative target") << false << QByteArray("GET foo HTTP/1.1\r\nHost: x\r\n\r\n")
                                     << 400 << QByteArray("request target \"foo\" is neither");
    QTest::newRow("request line too long")
        << false << QByteArray("GET /" + big + " HTTP/1.1\r\nHost: x\r\n\r\n") << 414
        << QByteArray("request line longer than 8192 bytes");
    QTest::newRow("headers too large")
        << false << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nBig: " + big + "\r\n\r\n") << 431
        << QByteArray("request header section larger than 65536 bytes");
    QTest::newRow("CONNECT") << false << QByteArray("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n")
                             << 405 << QByteArray("not a proxy");
    // Well-formed requests, for contrast: the status comes from the route.
    QTest::newRow("chunked body with trailers")
        << false
        << QByteArray("POST /status/201 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                      "Connection: close\r\n\r\n5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nT: 1\r\n\r\n")
        << 201 << QByteArray("201 Created");
    QTest::newRow("absolute-form target")
        << false
        << QByteArray("GET http://example.test/status/202 HTTP/1.1\r\nHost: x\r\nConnection: "
                      "close\r\n\r\n")
        << 202 << QByteArray("202 Accepted");
    QTest::newRow("pipelined requests answered in order")
        << false
        << QByteArray("GET /status/201 HTTP/1.1\r\nHost: x\r\n\r\nGET /status/202 HTTP/1.1\r\n"
                      "Host: x\r\nConnection: close\r\n\r\n")
        << 201 << QByteArray("201 Created\nHTTP/1.1 202 Accepted\r\n");
    QTest::newRow("Expect: 100-continue")
        << false
        << QByteArray("POST /headers HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                      "Content-Length: 4\r\nConnection: close\r\n\r\nbody")
        << 100 << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n");
    QTest::newRow("OPTIONS *") << false
                               << QByteArray("OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: "
                                             "close\r\n\r\n")
                               << 200 << QByteArray("Allow: GET, HEAD, OPTIONS");
}

void DemoServerTest::badRequests()
{
    QFETCH(bool, tls);
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QByteArray, message);
    QSslSocket socket;
    if (tls) {
        QSslConfiguration conf = socket.sslConfiguration();
        conf.setCaCertificates(QSslCertificate::fromPath(m_caFile));
        conf.setAllowedNextProtocols({QByteArrayLiteral("http/1.1")});
        socket.setSslConfiguration(conf);
        socket.connectToHostEncrypted(u"127.0.0.1"_s, m_server->tlsPort(), u"localhost"_s);
        QVERIFY2(socket.waitForEncrypted(10000), qPrintable(socket.errorString()));
    } else {
        socket.connectToHost(u"127.0.0.1"_s, m_server->plainPort());
        QVERIFY2(socket.waitForConnected(10000), qPrintable(socket.errorString()));
    }
    socket.write(request);
    QByteArray response;
    QElapsedTimer clock;
    clock.start();
    // Every case ends with the server closing: an error closes the connection, and the good
    // requests asked for it.
    while (socket.state() == QAbstractSocket::ConnectedState && clock.elapsed() < 10000) {
        socket.waitForReadyRead(200);
        response += socket.readAll();
    }
    response += socket.readAll();
    QVERIFY2(socket.state() != QAbstractSocket::ConnectedState,
             qPrintable(u"server kept the connection open:\n"_s + QString::fromUtf8(response)));
    QVERIFY2(response.startsWith("HTTP/1.1 " + QByteArray::number(status) + ' '),
             response.constData());
    QVERIFY2(response.contains(message), response.constData());
    if (status >= 400) {
        const QByteArray connection =
            dumpedHeader(response.left(response.indexOf("\r\n\r\n")), "Connection");
        QVERIFY2(connection.split(',').last().trimmed() == "close", connection.constData());
    }
}

// --- nghttp: prior knowledge, -u upgrade, TLS, multiplexing ----------------------------------

void DemoServerTest::nghttp_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QStringList>("paths");
    QTest::addColumn<QString>("expect"); // a line fragment the verbose output must show

    QTest::newRow("prior knowledge")
        << QStringList{u"-nv"_s} << false << QStringList{u"/headers"_s} << u"recv SETTINGS frame"_s;
    QTest::newRow("-u upgrade") << QStringList{u"-nvu"_s} << false << QStringList{u"/stream/3"_s}
                                << u"HTTP Upgrade success"_s;
    QTest::newRow("tls alpn h2") << QStringList{u"-nv"_s} << true << QStringList{u"/headers"_s}
                                 << u"The negotiated protocol: h2"_s;
    QTest::newRow("multiplexed") << QStringList{u"-nv"_s} << false
                                 << QStringList{u"/stream/3"_s, u"/delay/200"_s, u"/bytes/300000"_s,
                                                u"/status/404"_s}
                                 << u"recv DATA frame"_s;
    QTest::newRow("-u upgrade, multiplexed")
        << QStringList{u"-nvu"_s} << false
        << QStringList{u"/headers"_s, u"/stream/2"_s, u"/bytes/70000"_s}
        << u"HTTP Upgrade success"_s;
}

void DemoServerTest::nghttp()
{
    QFETCH(QStringList, args);
    QFETCH(bool, tls);
    QFETCH(QStringList, paths);
    QFETCH(QString, expect);
    for (const QString &p : paths)
        args << url(tls, p);
    const ToolResult r = runTool(m_nghttp, args);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains(expect), qPrintable(r.describe()));
    // One response per path, each with the status its route gives.
    int statuses = 0;
    for (const QString &line : out.split(u'\n')) {
        if (line.contains(u":status: "_s))
            ++statuses;
    }
    QVERIFY2(statuses == paths.size(), qPrintable(r.describe()));
    QVERIFY2(!out.contains(u"recv RST_STREAM"_s), qPrintable(r.describe()));
    QVERIFY2(out.contains(u"send GOAWAY frame"_s), qPrintable(r.describe()));
}

// --- WebSocket ---------------------------------------------------------------------------------

void DemoServerTest::webSocketEcho_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("ws") << false;
    QTest::newRow("wss") << true;
}

void DemoServerTest::webSocketEcho()
{
    QFETCH(bool, tls);
    const QString base = m_base[tls];
    const QString wsUrl = (tls ? u"wss"_s : u"ws"_s) + base.mid(base.indexOf(u':')) + u"/ws"_s;
    const ToolResult r =
        runTool(python(), {script("ws_echo.py", wsEchoScript), wsUrl, m_caFile}, 60000);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(str(o, "subprotocol"), u"demo.echo"_s); // the first one offered
    QCOMPARE(str(o, "text"), u"hello \u2713"_s);
    QCOMPARE(str(o, "binary"), u"0001ff"_s);
    QCOMPARE(str(o, "fragmented"), u"frag-mented"_s);
    QVERIFY(o.value(u"big"_s).toBool());
    QVERIFY(o.value(u"pong"_s).toBool());
    QCOMPARE(num(o, "closeCode"), 1000);
}

bool DemoServerTest::openWebSocket(QTcpSocket &socket, QByteArray *response)
{
    socket.connectToHost(u"127.0.0.1"_s, m_server->plainPort());
    if (!socket.waitForConnected(10000))
        return false;
    // RFC 6455 §1.3's example key, whose accept value is known.
    socket.write("GET /ws HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n"
                 "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    QElapsedTimer clock;
    clock.start();
    while (!response->contains("\r\n\r\n") && clock.elapsed() < 10000) {
        socket.waitForReadyRead(200);
        *response += socket.readAll();
    }
    return response->startsWith("HTTP/1.1 101 ") &&
           response->contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n");
}

void DemoServerTest::webSocketHandshakeRefused_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("message");
    const QByteArray start = "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                             "Upgrade: websocket\r\n";
    QTest::newRow("version 8") << start + "Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: "
                                          "dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
                               << 426 << QByteArray("Sec-WebSocket-Version: 13");
    QTest::newRow("no key") << start + "Sec-WebSocket-Version: 13\r\n\r\n"
                            << 400 << QByteArray("exactly one Sec-WebSocket-Key");
    QTest::newRow("short key") << start + "Sec-WebSocket-Version: 13\r\n"
                                          "Sec-WebSocket-Key: c2hvcnQ=\r\n\r\n"
                               << 400 << QByteArray("16 bytes in base64");
    QTest::newRow("POST") << QByteArray("POST /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                                        "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                        "Content-Length: 0\r\n\r\n")
                          << 400 << QByteArray("the method must be GET");
    QTest::newRow("/ws without upgrade") << QByteArray("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n") << 426
                                         << QByteArray("Upgrade: websocket");
}

void DemoServerTest::webSocketHandshakeRefused()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QByteArray, message);
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_server->plainPort());
    QVERIFY(socket.waitForConnected(10000));
    socket.write(request);
    QByteArray response;
    QElapsedTimer clock;
    clock.start();
    while (!response.contains("\r\n\r\n") && clock.elapsed() < 10000) {
        socket.waitForReadyRead(200);
        response += socket.readAll();
    }
    QVERIFY2(response.startsWith("HTTP/1.1 " + QByteArray::number(status) + ' '),
             response.constData());
    // The body may follow the head in a later read.
    while (!response.contains(message) && clock.elapsed() < 10000) {
        socket.waitForReadyRead(200);
        response += socket.readAll();
    }
    QVERIFY2(response.contains(message), response.constData());
}

namespace {

// A client frame as a test wants it, masked unless told otherwise.
QByteArray wsFrame(quint8 first, const QByteArray &payload, bool mask = true)
{
    QByteArray f;
    f.append(char(first));
    const quint8 maskBit = mask ? 0x80 : 0;
    if (payload.size() < 126) {
        f.append(char(maskBit | payload.size()));
    } else {
        f.append(char(maskBit | 126));
        f.append(char(payload.size() >> 8));
        f.append(char(payload.size() & 0xff));
    }
    if (!mask)
        return f + payload;
    const char key[4] = {0x12, 0x34, 0x56, 0x78};
    f.append(key, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        f.append(char(payload.at(i) ^ key[i % 4]));
    return f;
}

QByteArray closeBody(quint16 code, const QByteArray &reason = {})
{
    QByteArray b(2, Qt::Uninitialized);
    qToBigEndian(code, b.data());
    return b + reason;
}

} // namespace

void DemoServerTest::webSocketViolations_data()
{
    QTest::addColumn<QByteArray>("frames");
    QTest::addColumn<int>("closeCode");
    QTest::addColumn<QByteArray>("reason");

    QTest::newRow("unmasked frame")
        << wsFrame(0x81, "hi", false) << 1002 << QByteArray("client frames must be masked");
    QTest::newRow("reserved opcode")
        << wsFrame(0x83, "hi") << 1002 << QByteArray("reserved opcode 0x3");
    QTest::newRow("RSV1 without extension")
        << wsFrame(0xC1, "hi") << 1002 << QByteArray("RSV bits set");
    QTest::newRow("control frame over 125 bytes")
        << wsFrame(0x89, QByteArray(126, 'p')) << 1002
        << QByteArray("control frame payload over 125 bytes");
    QTest::newRow("fragmented ping")
        << wsFrame(0x09, "p") << 1002 << QByteArray("fragmented control frame");
    QTest::newRow("continuation without start")
        << wsFrame(0x80, "x") << 1002 << QByteArray("continuation frame without a message");
    QTest::newRow("new message inside a fragmented one")
        << wsFrame(0x01, "a") + wsFrame(0x81, "b") << 1002
        << QByteArray("new data frame inside a fragmented message");
    QTest::newRow("invalid UTF-8")
        << wsFrame(0x81, QByteArray("\xc3\x28", 2)) << 1007 << QByteArray("not valid UTF-8");
    QTest::newRow("invalid UTF-8 across fragments")
        << wsFrame(0x01, QByteArray("ok \xed", 4)) + wsFrame(0x80, QByteArray("\xa0\x80", 2))
        << 1007 << QByteArray("not valid UTF-8");
    QTest::newRow("close with 1-byte payload")
        << wsFrame(0x88, QByteArray(1, 'x')) << 1002 << QByteArray("1-byte payload");
    QTest::newRow("close with code 1005")
        << wsFrame(0x88, closeBody(1005)) << 1002 << QByteArray("invalid close code 1005");
    QTest::newRow("close reason not UTF-8")
        << wsFrame(0x88, closeBody(1000, QByteArray("\xff", 1))) << 1007
        << QByteArray("close reason is not valid UTF-8");
    // Not violations: the echo and the close handshake, for contrast.
    QTest::newRow("valid close 4001 echoed")
        << wsFrame(0x81, "first") + wsFrame(0x88, closeBody(4001, "done")) << 4001 << QByteArray();
    QTest::newRow("empty close echoed empty") << wsFrame(0x88, {}) << -1 << QByteArray();
}

// Messages before the violation are still echoed; then a close frame with the RFC's code, and
// the server ends the TCP connection.
void DemoServerTest::webSocketViolations()
{
    QFETCH(QByteArray, frames);
    QFETCH(int, closeCode);
    QFETCH(QByteArray, reason);
    QTcpSocket socket;
    QByteArray handshake;
    QVERIFY2(openWebSocket(socket, &handshake), handshake.constData());
    QByteArray in = handshake.mid(handshake.indexOf("\r\n\r\n") + 4);
    socket.write(wsFrame(0x81, "before") + frames);
    QElapsedTimer clock;
    clock.start();
    while (socket.state() == QAbstractSocket::ConnectedState && clock.elapsed() < 10000) {
        socket.waitForReadyRead(200);
        in += socket.readAll();
    }
    in += socket.readAll();
    QVERIFY2(socket.state() != QAbstractSocket::ConnectedState, "the server did not close");

    // Server frames: never masked, small here (< 126 bytes).
    QList<std::pair<quint8, QByteArray>> received;
    for (qsizetype pos = 0; pos + 2 <= in.size();) {
        const quint8 b0 = quint8(in.at(pos));
        const quint8 b1 = quint8(in.at(pos + 1));
        QVERIFY2(!(b1 & 0x80), "server frames must not be masked");
        QVERIFY(b1 < 126);
        received.append({b0, in.mid(pos + 2, b1)});
        pos += 2 + b1;
    }
    QVERIFY2(received.size() >= 2, in.toHex().constData());
    QCOMPARE(received.first().first, quint8(0x81));
    QCOMPARE(received.first().second, QByteArray("before"));
    if (reason.isEmpty() && closeCode == 4001) {
        QCOMPARE(received.at(1).second, QByteArray("first"));
    }
    const auto &close = received.last();
    QCOMPARE(close.first, quint8(0x88));
    if (closeCode < 0) {
        QVERIFY(close.second.isEmpty());
        return;
    }
    QVERIFY(close.second.size() >= 2);
    QCOMPARE(int(qFromBigEndian<quint16>(close.second.constData())), closeCode);
    QVERIFY2(close.second.mid(2).contains(reason), close.second.constData());
}

// --- the tcp upgrade ------------------------------------------------------------------------

void DemoServerTest::tcpUpgrade_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<bool>("early");
    QTest::newRow("cleartext") << false << false;
    QTest::newRow("cleartext, bytes sent with the request") << false << true;
    QTest::newRow("tls") << true << false;
}

void DemoServerTest::tcpUpgrade()
{
    QFETCH(bool, tls);
    QFETCH(bool, early);
    const quint16 port = tls ? m_server->tlsPort() : m_server->plainPort();
    const ToolResult r =
        runTool(python(), {script("tcp_upgrade.py", tcpUpgradeScript), QString::number(port),
                           tls ? u"tls"_s : u"plain"_s, m_caFile, early ? u"early"_s : u"none"_s});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    const QString first = str(o, "first");
    const QString greeting = u"hopscope demo tcp echo ready\n"_s;
    QVERIFY2(first.startsWith(u"HTTP/1.1 101 Switching Protocols\r\n"_s), qPrintable(first));
    QVERIFY2(first.contains(u"\r\nUpgrade: tcp\r\n"_s), qPrintable(first));
    // The greeting came in the same read as the 101 head: it was written together with it.
    QVERIFY2(first.contains(u"\r\n\r\n"_s + greeting), qPrintable(first));
    // Bytes the client sent right behind its request are echoed first, then the rest.
    QCOMPARE(str(o, "after"), greeting + (early ? u"early bytes\n"_s : QString()));
    QCOMPARE(str(o, "echo"), u"echo me\n"_s);
}

// --- HTTP/2 over TLS without ALPN ----------------------------------------------------------

void DemoServerTest::tlsPriorKnowledgeWithoutAlpn()
{
    const ToolResult r =
        runTool(python(), {script("noalpn_h2.py", noAlpnH2Script),
                           QString::number(m_server->tlsPort()), m_caFile, u"/headers"_s});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QVERIFY2(o.value(u"alpn"_s).isNull(), qPrintable(r.describe()));
    QCOMPARE(num(o, "status"), 200);
    const QJsonObject body = o.value(u"body"_s).toObject();
    QCOMPARE(str(body, "protocol"), u"HTTP/2"_s);
    QVERIFY(body.value(u"tls"_s).toBool());
}

// --- hopscope-cli against the demo server ----------------------------------------------------

#define VERIFY_CLI_OK(r)                                                                           \
    do {                                                                                           \
        HOPSCOPE_VERIFY_RAN(r);                                                                    \
        QVERIFY2((r).exitCode == 0, qPrintable((r).describe()));                                   \
        QVERIFY2(!(r).has(u"request.failed"), qPrintable((r).describe()));                         \
    } while (false)

void DemoServerTest::cliH2cParallel()
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

void DemoServerTest::cliH2cPrior()
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
void DemoServerTest::cliFollowsUpgradeH2()
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

void DemoServerTest::cliKeepAliveSeesH2cAdvertisement()
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

void DemoServerTest::cliSequentialRepeatMemoryIsFlat_data()
{
    QTest::addColumn<QString>("mode"); // "" (HTTP/1.1 keep-alive) or --h2c-prior
    QTest::newRow("http/1.1") << QString();
    QTest::newRow("h2c prior knowledge") << u"--h2c-prior"_s;
}

// A sequential run holds the request it runs, not the ones before it nor the ones after: ten
// times as many requests cost (next to) no more memory. It used to grow by about 2.2 KiB a
// request (every Exchange kept, every repeat a copy of the request up front).
void DemoServerTest::cliSequentialRepeatMemoryIsFlat()
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
    QVERIFY2(peak[1] - peak[0] < 3 * 1024,
             qPrintable(u"peak RSS grew by %1 KiB for %2 more requests"_s.arg(peak[1] - peak[0])
                            .arg(counts[1] - counts[0])));
}

// The CLI hands a sequential run's requests over one at a time; when --timeout ends the run,
// every request it did not send yet is still reported (and traced) as not sent.
void DemoServerTest::cliRunTimeoutReportsEveryRequest()
{
    CliRunner runner;
    const CliResult r =
        runner.run({u"--timeout"_s, u"1"_s, u"--repeat"_s, u"4"_s, url(false, u"/delay/3000"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QCOMPARE(r.exitCode, 1);
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

void DemoServerTest::manyConnections_data()
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

void DemoServerTest::manyConnections()
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

void DemoServerTest::vanishingClients()
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

void DemoServerTest::slowReaderBoundedMemory_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<bool>("tls");
    QTest::newRow("http/1.1") << u"h1"_s << false;
    QTest::newRow("http/1.1 over tls") << u"tls-h1"_s << true;
    QTest::newRow("h2c prior knowledge, windows wide open") << u"h2"_s << false;
}

// A client that stops reading /large must cost the server no more than its write buffers.
void DemoServerTest::slowReaderBoundedMemory()
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

QTEST_GUILESS_MAIN(DemoServerTest)
#include "tst_demoserver.moc"
