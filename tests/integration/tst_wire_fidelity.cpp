// Fidelity (issue 16): every byte and frame the trace reports crossed the wire, exactly once.
// Each case captures loopback with tshark while hopscope-cli runs against a real server, then
// holds the trace against Wireshark's dissection: per connection (matched by the `connect`
// event's localPort) and direction, the TCP payload bytes equal the trace's `net.*` counts, and
// the HTTP/2 frames equal its `h2.frame` events, in order.
//
// Over TLS the run logs its keys (--keylog) and Wireshark decrypts with them: the TCP payload
// then equals the ciphertext the `close` event counts (`wireRead`/`wireWritten`), the TLS
// handshake messages equal the `tls.message` events, and the decrypted HTTP/2 frames equal the
// `h2.frame` events. HTTP/3 over QUIC likewise: UDP payloads against `close`, the decrypted QUIC
// packets against `quic.packet` (from the server, datagram by datagram: one the kernel dropped
// at a full receive buffer was on the wire and never read). tshark and the right to capture
// (root) are required; without them the test fails and says which is missing.

#include "apachefixture.h"
#include "clirunner.h"
#include "demoserver.h"
#include "nghttpdpeer.h"
#include "processutil.h"
#include "wirecapture.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace hopscope;
using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

enum class Server { Apache, ApacheTls, Nghttpd, Demo };

QString str(const QJsonObject &e, const char *key)
{
    return e.value(QLatin1String(key)).toString();
}

qint64 num(const QJsonObject &e, const char *key)
{
    return e.value(QLatin1String(key)).toInteger(-1);
}

// What the trace says crossed one connection.
struct TracedConnection
{
    qint64 written = 0;      // net.write, less what the close could not send
    qint64 read = 0;         // net.read
    qint64 wireWritten = -1; // over TLS: the ciphertext (close), less what it could not send
    qint64 wireRead = -1;
    QStringList framesOut;
    QStringList framesIn;
    QList<int> handshakesOut; // tls.message handshake types
    QList<int> handshakesIn;
};

QString frameLabel(const QString &type, qint64 stream)
{
    return u"%1/%2"_s.arg(type).arg(stream);
}

// The trace's connections by local port.
QMap<quint16, TracedConnection> tracedConnections(const CliResult &r, QString *problem)
{
    QMap<qint64, quint16> portOf;
    for (const QJsonObject &c : r.events(u"connect")) {
        if (num(c, "localPort") <= 0)
            *problem = u"a connect event without localPort"_s;
        portOf.insert(num(c, "conn"), quint16(num(c, "localPort")));
    }
    QMap<quint16, TracedConnection> out;
    for (const QJsonObject &e : r.trace) {
        const QString type = str(e, "type");
        if (!e.contains(u"conn"_s) || !portOf.contains(num(e, "conn")))
            continue;
        TracedConnection &c = out[portOf.value(num(e, "conn"))];
        if (type == u"net.write")
            c.written += num(e, "bytes");
        else if (type == u"net.read")
            c.read += num(e, "bytes");
        else if (type == u"close") {
            const qint64 unsent = qMax<qint64>(0, num(e, "unsent"));
            if (e.contains(u"wireWritten"_s)) {
                c.wireWritten = num(e, "wireWritten") - unsent; // ciphertext, as unsent is
                c.wireRead = num(e, "wireRead");
            } else {
                c.written -= unsent;
            }
        } else if (type == u"tls.message" && str(e, "kind") == u"handshake")
            (str(e, "dir") == u"out" ? c.handshakesOut : c.handshakesIn)
                .append(int(num(e, "value")));
        else if (type == u"h2.frame")
            (str(e, "dir") == u"out" ? c.framesOut : c.framesIn)
                .append(frameLabel(str(e, "frame"), num(e, "stream")));
    }
    return out;
}

} // namespace

class WireFidelityTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void traceMatchesTheWire_data();
    void traceMatchesTheWire();
    void quicMatchesTheWire();

private:
    quint16 portOf(Server s) const;
    QString baseUrl(Server s) const
    {
        return (s == Server::ApacheTls ? u"https://127.0.0.1:%1"_s : u"http://127.0.0.1:%1"_s)
            .arg(portOf(s));
    }

    ApacheFixture m_apache{ApacheFixture::Mpm::Worker}; // SETTINGS come in the 101's write
    NghttpdPeer m_nghttpd;                              // serves small.txt
    QThread m_demoThread;
    DemoServer *m_demo = nullptr;
};

void WireFidelityTest::initTestCase()
{
    const QString cli = CliRunner().program();
    QVERIFY2(!cli.isEmpty(), "HOPSCOPE_CLI is not set: run through CTest");
    QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli + u" is not an executable"_s));
    // Capturing is the point of this test: a missing tshark or missing rights fail it here, once.
    {
        WireCapture probe;
        QVERIFY2(probe.start(freeLoopbackPort()), qPrintable(probe.errorString()));
        QVERIFY2(probe.stop(), qPrintable(probe.errorString()));
    }
    QVERIFY2(m_apache.start(), qPrintable(m_apache.errorString()));
    QVERIFY(m_nghttpd.put(u"small.txt"_s, QByteArray(1500, 'n')));
    QVERIFY2(m_nghttpd.start(), qPrintable(m_nghttpd.errorString()));
    m_demoThread.start();
    m_demo = new DemoServer;
    m_demo->moveToThread(&m_demoThread);
    bool started = false;
    QString error;
    QMetaObject::invokeMethod(
        m_demo, [&] { started = m_demo->start(&error); }, Qt::BlockingQueuedConnection);
    QVERIFY2(started, qPrintable(error));
}

void WireFidelityTest::cleanupTestCase()
{
    if (m_demo) {
        QMetaObject::invokeMethod(
            m_demo, [this] { delete m_demo; }, Qt::BlockingQueuedConnection);
        m_demo = nullptr;
    }
    m_demoThread.quit();
    m_demoThread.wait();
    m_apache.stop();
}

quint16 WireFidelityTest::portOf(Server s) const
{
    switch (s) {
    case Server::Apache:
        return m_apache.plainPort();
    case Server::ApacheTls:
        return m_apache.tlsPort();
    case Server::Nghttpd:
        return m_nghttpd.port();
    case Server::Demo:
        return m_demo ? m_demo->plainPort() : 0;
    }
    return 0;
}

void WireFidelityTest::traceMatchesTheWire_data()
{
    QTest::addColumn<int>("server");
    QTest::addColumn<QStringList>("arguments"); // URLs are paths here, made absolute per server
    QTest::addColumn<QString>("decodeAs");      // how Wireshark reads the port; empty: no HTTP/2
    QTest::addColumn<QString>("mustHave");      // an event type proving the case did its thing
    QTest::addColumn<bool>("leftover");         // bytes must have come with the 101

    QTest::newRow("h2c upgrade with leftover bytes (Apache)")
        << int(Server::Apache)
        << QStringList{u"--h2c"_s, u"--parallel"_s, u"/small.txt"_s, u"/etag.txt"_s,
                       u"/cgi/chunked"_s}
        << u"http"_s << u"upgrade.switch"_s << false;
    // The demo server writes its SETTINGS in the same turn as the 101: one segment, one read.
    QTest::newRow("h2c upgrade with leftover bytes (demo server)")
        << int(Server::Demo)
        << QStringList{u"--h2c"_s, u"--parallel"_s, u"/"_s, u"/headers"_s, u"/stream/3"_s}
        << u"http"_s << u"upgrade.switch"_s << true;
    QStringList many{u"--h2c-prior"_s, u"--parallel"_s};
    for (int i = 0; i < 20; ++i)
        many << u"/small.txt"_s;
    QTest::newRow("prior knowledge, 20 streams (nghttpd)")
        << int(Server::Nghttpd) << many << u"http2"_s << u"response.complete"_s << false;
    // The run times out with streams open: the abort's GOAWAY must leave before the close.
    QTest::newRow("abort with streams open (demo server, prior knowledge)")
        << int(Server::Demo) << QStringList{u"--h2c-prior"_s, u"--parallel"_s,  u"--timeout"_s,
                                            u"0.5"_s,         u"/delay/3000"_s, u"/delay/3000"_s}
        << u"http2"_s << u"request.failed"_s << false;
    QTest::newRow("HTTP/1.1 keep-alive with request bodies (Apache)")
        << int(Server::Apache)
        << QStringList{u"--http1.1"_s,    u"-d"_s,           u"posted=yes"_s,
                       u"/cgi/headers"_s, u"/cgi/headers"_s, u"/cgi/headers"_s}
        << QString() << u"pool.reuse"_s << false;
    QTest::newRow("WebSocket (demo server)")
        << int(Server::Demo) << QStringList{u"--ws-send"_s, u"hello"_s, u"--ws-send"_s, u"world"_s,
                                            u"--linger"_s,  u"0.3"_s,   u"ws:/ws"_s}
        << QString() << u"ws.close"_s << false;
    QStringList tlsStreams{u"--parallel"_s};
    for (int i = 0; i < 10; ++i)
        tlsStreams << u"/small.txt"_s;
    QTest::newRow("TLS, ALPN h2, 10 streams (Apache)")
        << int(Server::ApacheTls) << tlsStreams << u"tls"_s << u"tls.message"_s << false;
    // HTTP/1.1 over TLS, whose response advertises `Upgrade: h2`; the second request goes over a
    // new HTTP/2 connection.
    QTest::newRow("Upgrade: h2 followed over TLS (Apache)")
        << int(Server::ApacheTls)
        << QStringList{u"--alpn"_s, u"http/1.1"_s, u"/small.txt"_s, u"/small.txt"_s} << u"tls"_s
        << u"upgrade.follow"_s << false;
    QTest::newRow("Upgrade: tcp tunnel (demo server)")
        << int(Server::Demo)
        << QStringList{u"--upgrade"_s, u"tcp"_s,      u"--send"_s, u"ping"_s, u"--send"_s,
                       u"pong"_s,      u"--linger"_s, u"0.3"_s,    u"/"_s}
        << QString() << u"raw.data"_s << true;
}

void WireFidelityTest::traceMatchesTheWire()
{
    QFETCH(int, server);
    QFETCH(QStringList, arguments);
    QFETCH(QString, decodeAs);
    QFETCH(QString, mustHave);
    QFETCH(bool, leftover);
    const quint16 port = portOf(Server(server));
    for (QString &a : arguments) {
        if (a.startsWith(u'/'))
            a = baseUrl(Server(server)) + a;
        else if (a.startsWith(u"ws:/"_s))
            a = u"ws://127.0.0.1:%1"_s.arg(port) + a.mid(3);
    }

    WireCapture capture;
    const bool tls = Server(server) == Server::ApacheTls;
    QTemporaryDir keys;
    if (tls) {
        const QString keyLog = keys.filePath(u"keys.log"_s);
        arguments =
            QStringList{u"--cacert"_s, m_apache.caFile(), u"--keylog"_s, keyLog} + arguments;
        capture.setKeyLogFile(keyLog);
    }
    QVERIFY2(capture.start(port), qPrintable(capture.errorString()));
    CliRunner runner;
    const CliResult r = runner.run(arguments);
    QVERIFY2(capture.stop(), qPrintable(capture.errorString()));
    HOPSCOPE_VERIFY_RAN(r);
    // An aborted run ends its requests as failed; every other case must succeed.
    if (mustHave == u"request.failed")
        QVERIFY2(r.exitCode != 0, qPrintable(r.describe()));
    else
        QVERIFY2(r.exitCode == 0 && !r.has(u"error"), qPrintable(r.describe()));
    QVERIFY2(r.has(mustHave), qPrintable(r.describe()));
    if (leftover)
        QVERIFY2(num(r.first(u"upgrade.switch"), "leftoverBytes") > 0, qPrintable(r.describe()));

    QString problem;
    const QMap<quint16, TracedConnection> traced = tracedConnections(r, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    if (mustHave == u"request.failed") {
        bool goaway = false;
        for (const TracedConnection &c : traced)
            goaway |= c.framesOut.contains(u"GOAWAY/0"_s);
        QVERIFY2(goaway, qPrintable(u"the abort sent no GOAWAY\n"_s + r.describe()));
    }
    QMap<quint16, WireCapture::Flow> wire;
    QVERIFY2(capture.flows(&wire), qPrintable(capture.errorString()));
    QList<WireCapture::H2Frame> frames;
    if (!decodeAs.isEmpty())
        QVERIFY2(capture.h2Frames(decodeAs, &frames), qPrintable(capture.errorString()));
    QList<WireCapture::TlsHandshake> handshakes;
    if (tls)
        QVERIFY2(capture.tlsHandshakes(&handshakes), qPrintable(capture.errorString()));
    bool anyFrames = false;

    const QString why = r.describe() + u"\ncapture: "_s + capture.file();
    QCOMPARE(traced.keys(), wire.keys()); // the same connections, by local port
    for (auto it = traced.cbegin(); it != traced.cend(); ++it) {
        const quint16 local = it.key();
        const TracedConnection &t = it.value();
        const WireCapture::Flow w = wire.value(local);
        const qint64 written = tls ? t.wireWritten : t.written;
        const qint64 read = tls ? t.wireRead : t.read;
        QVERIFY2(
            written == w.toServer,
            qPrintable(u"local port %1: trace wrote %2 bytes, the wire carried %3\n"_s.arg(local)
                           .arg(written)
                           .arg(w.toServer) +
                       why));
        QVERIFY2(
            read == w.fromServer,
            qPrintable(u"local port %1: trace read %2 bytes, the wire carried %3\n"_s.arg(local)
                           .arg(read)
                           .arg(w.fromServer) +
                       why));
        if (tls) {
            QList<int> wireOut, wireIn;
            for (const WireCapture::TlsHandshake &h : handshakes) {
                if (h.clientPort == local)
                    (h.toServer ? wireOut : wireIn).append(h.type);
            }
            QVERIFY2(wireOut.contains(1) && wireIn.contains(2), qPrintable(why)); // the Hellos
            QCOMPARE(t.handshakesOut, wireOut);
            QCOMPARE(t.handshakesIn, wireIn);
        }
        if (decodeAs.isEmpty()) {
            QVERIFY(t.framesOut.isEmpty() && t.framesIn.isEmpty());
            continue;
        }
        QStringList wireOut, wireIn;
        for (const WireCapture::H2Frame &f : frames) {
            if (f.clientPort == local)
                (f.toServer ? wireOut : wireIn)
                    .append(frameLabel(WireCapture::frameTypeName(f.type), f.stream));
        }
        anyFrames |= !wireOut.isEmpty() && !wireIn.isEmpty();
        QCOMPARE(t.framesOut, wireOut);
        QCOMPARE(t.framesIn, wireIn);
    }
    // Each HTTP/2 case had a connection whose frames Wireshark could read both ways.
    QVERIFY2(decodeAs.isEmpty() || anyFrames, qPrintable(why));
}

// HTTP/3 over QUIC to the demo server: per connection the UDP payload bytes each way equal the
// `close` event's wireWritten/wireRead, and the QUIC packets Wireshark reads in the datagrams
// (decrypted with --keylog) are the trace's `quic.packet` events: same type and packet number,
// in the same order, each way.
void WireFidelityTest::quicMatchesTheWire()
{
    const quint16 port = m_demo->h3Port();
    QVERIFY2(port != 0, qPrintable(m_demo->h3Error()));
    WireCapture capture;
    QTemporaryDir keys;
    const QString keyLog = keys.filePath(u"keys.log"_s);
    capture.setKeyLogFile(keyLog);
    QVERIFY2(capture.start(port, WireCapture::Transport::Udp), qPrintable(capture.errorString()));
    const QString base = u"https://127.0.0.1:%1"_s.arg(port);
    CliRunner runner;
    const CliResult r = runner.run(
        {u"--http3-only"_s, u"--cacert"_s, m_demo->caFile(), u"--keylog"_s, keyLog, u"--parallel"_s,
         u"-o"_s, u"/dev/null"_s, base + u"/headers"_s, u"-o"_s, u"/dev/null"_s,
         base + u"/bytes/300000"_s, u"-o"_s, u"/dev/null"_s, base + u"/stream/3"_s});
    QVERIFY2(capture.stop(), qPrintable(capture.errorString()));
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0 && !r.has(u"error"), qPrintable(r.describe()));

    QMap<quint16, WireCapture::Flow> wire;
    QVERIFY2(capture.quicFlows(&wire), qPrintable(capture.errorString()));
    QList<WireCapture::QuicPacket> packets;
    QVERIFY2(capture.quicPackets(&packets), qPrintable(capture.errorString()));
    const QString why = r.describe() + u"\ncapture: "_s + capture.file();

    QMap<qint64, quint16> localPortOf;
    for (const QJsonObject &c : r.events(u"connect"))
        localPortOf.insert(num(c, "conn"), quint16(num(c, "localPort")));
    QCOMPARE(localPortOf.size(), 1);
    const quint16 local = localPortOf.first();
    QCOMPARE(wire.keys(), QList<quint16>{local});
    QStringList tracedOut, tracedIn;
    for (const QJsonObject &p : r.events(u"quic.packet"))
        (str(p, "dir") == u"out" ? tracedOut : tracedIn)
            << u"%1/%2"_s.arg(str(p, "kind")).arg(num(p, "pn"));
    QStringList wireOut, wireIn;
    QList<qint64> inDatagramBytes; // for each packet from the server: see QuicPacket
    for (const WireCapture::QuicPacket &p : packets) {
        if (p.clientPort != local)
            continue;
        const QString label = u"%1/%2"_s.arg(p.kind).arg(p.number);
        if (p.toServer) {
            wireOut << label;
        } else {
            wireIn << label;
            inDatagramBytes << p.datagramBytes;
        }
    }
    const QJsonObject close = r.first(u"close");
    QVERIFY2(num(close, "wireWritten") == wire.value(local).toServer,
             qPrintable(u"UDP out: trace %1, wire %2\n"_s.arg(num(close, "wireWritten"))
                            .arg(wire.value(local).toServer) +
                        why));
    QVERIFY2(wireOut.size() > 5 && wireIn.size() > 100, qPrintable(why)); // 300 KB came
    QCOMPARE(tracedOut, wireOut);
    // From the server: every packet the trace reports is on the wire, in the same order, and
    // each datagram was read whole or not at all. A datagram the kernel dropped because our
    // socket's receive buffer was full (the capture sees it on lo before delivery; QUIC sends
    // its data again) or one that reached the socket as the client was closing was never read,
    // so no trace can count it; what was read adds up to wireRead exactly.
    qsizetype traced = 0;
    qint64 readBytes = 0;
    int unread = 0;
    for (qsizetype i = 0; i < wireIn.size();) {
        qsizetype end = i + 1; // the packets coalesced in this datagram
        while (end < wireIn.size() && inDatagramBytes.at(end) == 0)
            ++end;
        const QStringList datagram = wireIn.mid(i, end - i);
        if (tracedIn.mid(traced, datagram.size()) == datagram) {
            traced += datagram.size();
            readBytes += inDatagramBytes.at(i);
        } else {
            QVERIFY2(!tracedIn.mid(traced).contains(datagram.first()),
                     qPrintable(u"%1 is traced out of order or in part\n"_s.arg(datagram.first()) +
                                why));
            ++unread;
        }
        i = end;
    }
    QVERIFY2(
        traced == tracedIn.size(),
        qPrintable(u"traced packet %1 is not on the wire\n"_s.arg(tracedIn.value(traced)) + why));
    QVERIFY2(num(close, "wireRead") == readBytes,
             qPrintable(u"UDP in: trace %1, the datagrams it read %2 (all of them %3)\n"_s
                            .arg(num(close, "wireRead"))
                            .arg(readBytes)
                            .arg(wire.value(local).fromServer) +
                        why));
    qInfo("%lld packets from the server traced; %d datagrams on the wire never read",
          qint64(traced), unread);
}

QTEST_GUILESS_MAIN(WireFidelityTest)
#include "tst_wire_fidelity.moc"
