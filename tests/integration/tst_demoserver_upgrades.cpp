// The embedded demo server's (demo/) protocol switches past HTTP: the WebSocket echo with
// Python's `websockets` (ws and wss), refused handshakes and every framing rule a client can
// break (sent by hand), the tcp upgrade with Python sockets, and HTTP/2 over TLS without ALPN
// with python-h2. The server runs in its own thread (DemoServerTestBase,
// tests/support/demoservertest.h).

#include "demoservertest.h"

#include "websocketclientframes.h"
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

#include <QTest>
#include <QtEndian>

using namespace hopscope;
using hopscope::test::clientFrame;
using hopscope::test::closeBody;
using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

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

} // namespace

class DemoServerUpgradesTest : public DemoServerTestBase
{
    Q_OBJECT

private slots:
    void initTestCase() { startServer(); }
    void cleanupTestCase() { stopServer(); }

    void webSocketEcho_data();
    void webSocketEcho();
    void webSocketHandshakeRefused_data();
    void webSocketHandshakeRefused();
    void webSocketViolations_data();
    void webSocketViolations();
    void tcpUpgrade_data();
    void tcpUpgrade();
    void tlsPriorKnowledgeWithoutAlpn();

private:
    // A WebSocket opened by hand (blocking socket), for frames no library would send.
    bool openWebSocket(QTcpSocket &socket, QByteArray *response);
};

// --- WebSocket ---------------------------------------------------------------------------------

void DemoServerUpgradesTest::webSocketEcho_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("ws") << false;
    QTest::newRow("wss") << true;
}

void DemoServerUpgradesTest::webSocketEcho()
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

bool DemoServerUpgradesTest::openWebSocket(QTcpSocket &socket, QByteArray *response)
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

void DemoServerUpgradesTest::webSocketHandshakeRefused_data()
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

void DemoServerUpgradesTest::webSocketHandshakeRefused()
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

void DemoServerUpgradesTest::webSocketViolations_data()
{
    QTest::addColumn<QByteArray>("frames");
    QTest::addColumn<int>("closeCode");
    QTest::addColumn<QByteArray>("reason");

    QTest::newRow("unmasked frame")
        << clientFrame(0x81, "hi", false) << 1002 << QByteArray("client frames must be masked");
    QTest::newRow("reserved opcode")
        << clientFrame(0x83, "hi") << 1002 << QByteArray("reserved opcode 0x3");
    QTest::newRow("RSV1 without extension")
        << clientFrame(0xC1, "hi") << 1002 << QByteArray("RSV bits set");
    QTest::newRow("control frame over 125 bytes")
        << clientFrame(0x89, QByteArray(126, 'p')) << 1002
        << QByteArray("control frame payload over 125 bytes");
    QTest::newRow("fragmented ping")
        << clientFrame(0x09, "p") << 1002 << QByteArray("fragmented control frame");
    QTest::newRow("continuation without start")
        << clientFrame(0x80, "x") << 1002 << QByteArray("continuation frame without a message");
    QTest::newRow("new message inside a fragmented one")
        << clientFrame(0x01, "a") + clientFrame(0x81, "b") << 1002
        << QByteArray("new data frame inside a fragmented message");
    QTest::newRow("invalid UTF-8")
        << clientFrame(0x81, QByteArray("\xc3\x28", 2)) << 1007 << QByteArray("not valid UTF-8");
    QTest::newRow("invalid UTF-8 across fragments")
        << clientFrame(0x01, QByteArray("ok \xed", 4)) +
               clientFrame(0x80, QByteArray("\xa0\x80", 2))
        << 1007 << QByteArray("not valid UTF-8");
    QTest::newRow("close with 1-byte payload")
        << clientFrame(0x88, QByteArray(1, 'x')) << 1002 << QByteArray("1-byte payload");
    QTest::newRow("close with code 1005")
        << clientFrame(0x88, closeBody(1005)) << 1002 << QByteArray("invalid close code 1005");
    QTest::newRow("close reason not UTF-8")
        << clientFrame(0x88, closeBody(1000, QByteArray("\xff", 1))) << 1007
        << QByteArray("close reason is not valid UTF-8");
    // Not violations: the echo and the close handshake, for contrast.
    QTest::newRow("valid close 4001 echoed")
        << clientFrame(0x81, "first") + clientFrame(0x88, closeBody(4001, "done")) << 4001
        << QByteArray();
    QTest::newRow("empty close echoed empty") << clientFrame(0x88, {}) << -1 << QByteArray();
}

// Messages before the violation are still echoed; then a close frame with the RFC's code, and
// the server ends the TCP connection.
void DemoServerUpgradesTest::webSocketViolations()
{
    QFETCH(QByteArray, frames);
    QFETCH(int, closeCode);
    QFETCH(QByteArray, reason);
    QTcpSocket socket;
    QByteArray handshake;
    QVERIFY2(openWebSocket(socket, &handshake), handshake.constData());
    QByteArray in = handshake.mid(handshake.indexOf("\r\n\r\n") + 4);
    socket.write(clientFrame(0x81, "before") + frames);
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

void DemoServerUpgradesTest::tcpUpgrade_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<bool>("early");
    QTest::newRow("cleartext") << false << false;
    QTest::newRow("cleartext, bytes sent with the request") << false << true;
    QTest::newRow("tls") << true << false;
}

void DemoServerUpgradesTest::tcpUpgrade()
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

void DemoServerUpgradesTest::tlsPriorKnowledgeWithoutAlpn()
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

QTEST_GUILESS_MAIN(DemoServerUpgradesTest)
#include "tst_demoserver_upgrades.moc"
