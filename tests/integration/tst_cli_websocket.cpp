// hopscope-cli as a WebSocket client: against a real server (Python websockets, plain and TLS)
// and against the hostile peer's ws-* scenarios, each violation ending in the right close code,
// a precise message and an error event, within bounded time.

#include "clirunner.h"
#include "hostilepeer.h"
#include "scriptpeer.h"
#include "tlscertificate.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

QString str(const QJsonObject &event, const char *key)
{
    return event.value(QLatin1String(key)).toString();
}

qint64 num(const QJsonObject &event, const char *key)
{
    return event.value(QLatin1String(key)).toInteger(-1);
}

// "ws://127.0.0.1:PORT/" from the peer's http(s) URL.
QString wsUrl(const ScriptPeer &peer, const QString &path = u"/"_s)
{
    QString url = peer.url(path);
    url.replace(QRegularExpression(u"^http"_s), u"ws"_s);
    return url;
}

// The trace's ws.* events of one kind in one direction, in order.
QList<QJsonObject> wsEvents(const CliResult &r, const QString &type, const QString &dir)
{
    QList<QJsonObject> out;
    for (const QJsonObject &e : r.events(type)) {
        if (str(e, "dir") == dir)
            out.append(e);
    }
    return out;
}

// Position in the trace (seq) of the first event matching the predicate, -1 if none.
template<typename Pred> qint64 seqOf(const CliResult &r, Pred pred)
{
    for (const QJsonObject &e : r.trace) {
        if (pred(e))
            return num(e, "seq");
    }
    return -1;
}

} // namespace

class CliWebSocketTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void echo_data();
    void echo();
    void serverClosesFirst();
    void serverPingsAreAnswered();
    void subprotocolFromUserHeader();
    void hostileViolations_data();
    void hostileViolations();
    void hostileLegal_data();
    void hostileLegal();
    void pingFlood();
    void pingStormEndsWithLinger();

private:
    QString m_binaryFile;
    QByteArray m_binary;
};

void CliWebSocketTest::initTestCase()
{
    const QString cli = CliRunner().program();
    QVERIFY2(!cli.isEmpty(), "HOPSCOPE_CLI is not set: run through CTest");
    QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli + u" is not an executable"_s));
    // Every byte value, and more than one TCP segment's worth.
    for (int i = 0; i < 70000; ++i)
        m_binary.append(char((i * 7 + i / 256) & 0xFF));
    static QTemporaryDir dir;
    QVERIFY(dir.isValid());
    m_binaryFile = dir.filePath(u"payload.bin"_s);
    QFile f(m_binaryFile);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(m_binary), qint64(m_binary.size()));
}

void CliWebSocketTest::echo_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("ws://") << false;
    QTest::newRow("wss:// --cacert") << true;
}

void CliWebSocketTest::echo()
{
    QFETCH(bool, tls);
    SelfSignedCertificate cert;
    ScriptPeer::Tls peerTls;
    if (tls) {
        QVERIFY2(cert.create(), qPrintable(cert.errorString()));
        peerTls.certFile = cert.certFile();
        peerTls.keyFile = cert.keyFile();
    }
    ScriptPeer peer;
    QVERIFY2(peer.launch(u"ws_echo_server.py"_s, {}, peerTls), qPrintable(peer.errorString()));
    CliRunner runner;
    QStringList args{u"-v"_s,        wsUrl(peer),  u"--ws-send"_s,        u"hello"_s,
                     u"--ws-send"_s, u"wörld ✓"_s, u"--ws-send-binary"_s, u"@"_s + m_binaryFile,
                     u"--linger"_s,  u"0.5"_s};
    if (tls)
        args << u"--cacert"_s << cert.certFile();
    const CliResult r = runner.run(args);
    // The peer logs what it saw a moment after the CLI ended: read it when a check needs it.
    const auto context = [&] {
        return r.describe() + u"  peer log:\n"_s + QString::fromUtf8(peer.log().right(2000));
    };
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(context()));
    QVERIFY2(!r.has(u"error") && !r.has(u"request.failed"), qPrintable(context()));

    // What went out and what came back, in order, with the binary intact.
    const QList<QJsonObject> out = wsEvents(r, u"ws.message"_s, u"out"_s);
    const QList<QJsonObject> in = wsEvents(r, u"ws.message"_s, u"in"_s);
    QCOMPARE(out.size(), 3);
    QCOMPARE(in.size(), 3);
    const QStringList texts{u"hello"_s, u"wörld ✓"_s};
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(str(out[i], "opcode"), u"text"_s);
        QCOMPARE(str(out[i], "text"), texts[i]);
        QCOMPARE(str(in[i], "opcode"), u"text"_s);
        QCOMPARE(str(in[i], "text"), texts[i]);
        QCOMPARE(num(in[i], "bytes"), qint64(texts[i].toUtf8().size()));
        QVERIFY2(num(out[i], "seq") < num(in[i], "seq"), qPrintable(context()));
    }
    QCOMPARE(str(out[2], "opcode"), u"binary"_s);
    QCOMPARE(str(in[2], "opcode"), u"binary"_s);
    QCOMPARE(num(in[2], "bytes"), qint64(m_binary.size()));
    QCOMPARE(QByteArray::fromBase64(str(in[2], "data").toLatin1()), m_binary);
    QCOMPARE(QByteArray::fromBase64(str(out[2], "data").toLatin1()), m_binary);
    QVERIFY(num(in[1], "seq") < num(in[2], "seq"));

    // Frames: ours masked, the server's not; the 70000-byte frame has a 64-bit length.
    for (const QJsonObject &f : wsEvents(r, u"ws.frame"_s, u"out"_s))
        QVERIFY2(f.value(u"masked"_s).toBool(), qPrintable(context()));
    const QList<QJsonObject> inFrames = wsEvents(r, u"ws.frame"_s, u"in"_s);
    QVERIFY(!inFrames.isEmpty());
    for (const QJsonObject &f : inFrames) {
        QVERIFY2(!f.value(u"masked"_s).toBool(), qPrintable(context()));
        QCOMPARE(num(f, "rsv"), 0);
    }
    QVERIFY(seqOf(r, [](const QJsonObject &e) {
                return str(e, "type") == u"ws.frame" && str(e, "opcode") == u"binary" &&
                       num(e, "length") == 70000 && str(e, "dir") == u"in";
            }) > 0);

    // The close handshake: ours first (after the linger), then the server's answer.
    const QList<QJsonObject> closeOut = wsEvents(r, u"ws.close"_s, u"out"_s);
    const QList<QJsonObject> closeIn = wsEvents(r, u"ws.close"_s, u"in"_s);
    QCOMPARE(closeOut.size(), 1);
    QCOMPARE(closeIn.size(), 1);
    QCOMPARE(num(closeOut[0], "code"), 1000);
    QCOMPARE(num(closeIn[0], "code"), 1000);
    QVERIFY(num(closeOut[0], "seq") < num(closeIn[0], "seq"));
    QVERIFY(num(in[2], "seq") < num(closeOut[0], "seq"));

    const QJsonObject complete = r.first(u"response.complete");
    QCOMPARE(num(complete, "status"), 101);
    QCOMPARE(num(complete, "bytes"), 0);
    QCOMPARE(str(complete, "protocol"), u"websocket"_s);
    QVERIFY(num(closeIn[0], "seq") < num(complete, "seq"));
    QVERIFY(r.elapsedMs >= 500);

    if (tls) {
        const QJsonObject t = r.first(u"tls");
        QVERIFY(t.value(u"verified"_s).toBool());
        // An explicit upgrade goes over HTTP/1.1 only.
        QCOMPARE(t.value(u"alpnOffered"_s).toArray().toVariantList(), QVariantList{u"http/1.1"_s});
    }

    // The readable form.
    const QString err = QString::fromUtf8(r.standardError);
    for (const QString &line :
         {u"> [c1 r1] ws text \"hello\""_s, u"< [c1 r1] ws text \"hello\""_s,
          u"< [c1 r1] ws text \"wörld ✓\""_s, u"> [c1 r1] ws frame text fin masked len=5"_s,
          u"< [c1 r1] ws frame text fin len=5"_s, u"> [c1 r1] ws binary 70000 bytes: 00 07 0e"_s,
          u"> [c1 r1] ws close 1000"_s, u"< [c1 r1] ws close 1000"_s,
          u"* [c1 r1] request 1 complete: 101, 0 body bytes over websocket"_s}) {
        QVERIFY2(err.contains(line),
                 qPrintable(u"missing -v line: "_s + line + u"\n"_s + context()));
    }
    QTRY_VERIFY2_WITH_TIMEOUT(peer.log().contains("closed: code 1000"), qPrintable(context()),
                              3000);
}

void CliWebSocketTest::serverClosesFirst()
{
    // The server closes with 1000 "bye" after one echo: the client answers, completes and ends
    // at once instead of lingering; the second message is never answered.
    ScriptPeer peer;
    QVERIFY2(peer.launch(u"ws_echo_server.py"_s, {u"--close-after"_s, u"1"_s}),
             qPrintable(peer.errorString()));
    CliRunner runner;
    const CliResult r = runner.run(
        {wsUrl(peer), u"--ws-send"_s, u"one"_s, u"--ws-send"_s, u"two"_s, u"--linger"_s, u"5"_s});
    // The peer logs what it saw a moment after the CLI ended: read it when a check needs it.
    const auto context = [&] {
        return r.describe() + u"  peer log:\n"_s + QString::fromUtf8(peer.log().right(2000));
    };
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(context()));
    QVERIFY2(r.elapsedMs < 4000, qPrintable(context()));
    const QList<QJsonObject> closeIn = wsEvents(r, u"ws.close"_s, u"in"_s);
    const QList<QJsonObject> closeOut = wsEvents(r, u"ws.close"_s, u"out"_s);
    QCOMPARE(closeIn.size(), 1);
    QCOMPARE(num(closeIn[0], "code"), 1000);
    QCOMPARE(str(closeIn[0], "reason"), u"bye"_s);
    QCOMPARE(closeOut.size(), 1);
    QCOMPARE(num(closeOut[0], "code"), 1000); // echoed
    QVERIFY(num(closeIn[0], "seq") < num(closeOut[0], "seq"));
    const QList<QJsonObject> in = wsEvents(r, u"ws.message"_s, u"in"_s);
    QVERIFY2(!in.isEmpty() && str(in[0], "text") == u"one", qPrintable(context()));
    QCOMPARE(num(r.first(u"response.complete"), "status"), 101);
    QVERIFY(!r.has(u"error"));
}

void CliWebSocketTest::serverPingsAreAnswered()
{
    // websockets pings every 0.2 s and drops a client that does not pong within 5 s. wslay pongs
    // on its own; pings do not count as the peer speaking, so the 1 s linger still ends it.
    ScriptPeer peer;
    QVERIFY2(peer.launch(u"ws_echo_server.py"_s, {u"--ping-interval"_s, u"0.2"_s}),
             qPrintable(peer.errorString()));
    CliRunner runner;
    const CliResult r = runner.run({wsUrl(peer), u"--linger"_s, u"1"_s});
    // The peer logs what it saw a moment after the CLI ended: read it when a check needs it.
    const auto context = [&] {
        return r.describe() + u"  peer log:\n"_s + QString::fromUtf8(peer.log().right(2000));
    };
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(context()));
    QVERIFY2(r.elapsedMs < 5000, qPrintable(context()));
    qsizetype pings = 0, pongs = 0;
    for (const QJsonObject &f : r.events(u"ws.frame")) {
        pings += str(f, "opcode") == u"ping" && str(f, "dir") == u"in";
        pongs += str(f, "opcode") == u"pong" && str(f, "dir") == u"out";
    }
    QVERIFY2(pings >= 3, qPrintable(context()));
    QCOMPARE(pongs, pings);
    QTRY_VERIFY2_WITH_TIMEOUT(peer.log().contains("closed: code 1000"), qPrintable(context()),
                              3000);
}

void CliWebSocketTest::subprotocolFromUserHeader()
{
    // -H offers the subprotocols (no second header of ours); the server's choice is accepted.
    ScriptPeer peer;
    QVERIFY2(peer.launch(u"ws_echo_server.py"_s, {u"--subprotocol"_s, u"v2"_s}),
             qPrintable(peer.errorString()));
    CliRunner runner;
    const CliResult r = runner.run({wsUrl(peer), u"-H"_s, u"Sec-WebSocket-Protocol: v1, v2"_s,
                                    u"--ws-send"_s, u"x"_s, u"--linger"_s, u"0.3"_s});
    // The peer logs what it saw a moment after the CLI ended: read it when a check needs it.
    const auto context = [&] {
        return r.describe() + u"  peer log:\n"_s + QString::fromUtf8(peer.log().right(2000));
    };
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(context()));
    int offers = 0;
    for (const QJsonValue &h : r.first(u"h1.request").value(u"headers"_s).toArray()) {
        if (h.toArray().at(0).toString().compare(u"Sec-WebSocket-Protocol"_s,
                                                 Qt::CaseInsensitive) == 0)
            ++offers;
    }
    QCOMPARE(offers, 1);
    QTRY_VERIFY2_WITH_TIMEOUT(peer.log().contains("subprotocol v2"), qPrintable(context()), 3000);
}

void CliWebSocketTest::hostileViolations_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QStringList>("extraArgs");
    QTest::addColumn<QString>("message");  // regex the stderr error message must match
    QTest::addColumn<QString>("code");     // request.failed and error event code
    QTest::addColumn<int>("closeCode");    // our ws.close out; 0: none is sent
    QTest::addColumn<QString>("keptText"); // a message received before the violation

    const QStringList none;
    // The handshake: the 101 itself is wrong, nothing is framed yet.
    QTest::newRow("bad Sec-WebSocket-Accept")
        << u"ws-bad-accept"_s << none
        << u"^bad Sec-WebSocket-Accept: expected [A-Za-z0-9+/]{27}=, got "
           u"MDEyMzQ1Njc4OWFiY2RlZmdoaWo=$"_s
        << u"upgrade"_s << 0 << QString();
    QTest::newRow("unoffered extension")
        << u"ws-unoffered-extension"_s << none
        << u"^server selected extension permessage-deflate that was not offered$"_s << u"upgrade"_s
        << 0 << QString();
    QTest::newRow("unoffered subprotocol")
        << u"ws-unoffered-subprotocol"_s << none
        << u"^server selected subprotocol chat that was not offered$"_s << u"upgrade"_s << 0
        << QString();
    // Frames: RFC 6455 §5 and §7.4.
    QTest::newRow("masked server frame")
        << u"ws-masked-frame"_s << none
        << u"^the server sent a masked text frame \\(RFC 6455 §5.1"_s << u"ws-protocol"_s << 1002
        << QString();
    QTest::newRow("reserved opcode")
        << u"ws-reserved-opcode"_s << none << u"^frame with reserved opcode 0x3$"_s
        << u"ws-protocol"_s << 1002 << QString();
    QTest::newRow("RSV1 without extension")
        << u"ws-rsv1"_s << none << u"^RSV1 set on a text frame, but no extension was negotiated$"_s
        << u"ws-protocol"_s << 1002 << QString();
    QTest::newRow("control frame over 125 bytes")
        << u"ws-control-too-big"_s << none
        << u"^ping frame with a 126-byte payload: control frames carry at most 125 bytes$"_s
        << u"ws-protocol"_s << 1002 << QString();
    QTest::newRow("fragmented ping")
        << u"ws-fragmented-ping"_s << none << u"^fragmented ping frame \\(FIN not set\\)"_s
        << u"ws-protocol"_s << 1002 << QString();
    QTest::newRow("invalid UTF-8 after a valid message")
        << u"ws-invalid-utf8"_s << none << u"^invalid UTF-8 in a text message at byte 12$"_s
        << u"ws-utf8"_s << 1007 << u"valid before ✓"_s;
    QTest::newRow("close with code 1005")
        << u"ws-close-bad-code"_s << none << u"^close frame with invalid code 1005$"_s
        << u"ws-protocol"_s << 1002 << QString();
    QTest::newRow("close with a 1-byte payload")
        << u"ws-close-one-byte"_s << none
        << u"^close frame with a 1-byte payload: a close code takes 2 bytes$"_s << u"ws-protocol"_s
        << 1002 << QString();
    QTest::newRow("continuation without a message")
        << u"ws-continuation-first"_s << none
        << u"^continuation frame without a message to continue$"_s << u"ws-protocol"_s << 1002
        << QString();
    QTest::newRow("frame over maxWebSocketFrameBytes")
        << u"ws-big-frame"_s << QStringList{u"--limit"_s, u"maxWebSocketFrameBytes=65536"_s}
        << u"^binary frame of 70000 bytes exceeds maxWebSocketFrameBytes \\(65536\\)$"_s
        << u"ws-too-big"_s << 1009 << QString();
    QTest::newRow("message over maxWebSocketMessageBytes")
        << u"ws-big-message"_s << QStringList{u"--limit"_s, u"maxWebSocketMessageBytes=65536"_s}
        << u"^binary message of at least 90000 bytes exceeds maxWebSocketMessageBytes "
           u"\\(65536\\)$"_s
        << u"ws-too-big"_s << 1009 << QString();
    // Fragments without end: 1000-byte ones reach the message size limit...
    QTest::newRow("endless fragments")
        << u"ws-endless-fragments"_s
        << QStringList{u"--limit"_s, u"maxWebSocketMessageBytes=1000000"_s}
        << u"^binary message of at least 1001000 bytes exceeds maxWebSocketMessageBytes "
           u"\\(1000000\\)$"_s
        << u"ws-too-big"_s << 1009 << QString();
    // ... empty ones never would: the fragment count ends them, by default too.
    QTest::newRow("endless empty fragments")
        << u"ws-endless-empty-fragments"_s
        << QStringList{u"--limit"_s, u"maxWebSocketFragments=1000"_s}
        << u"^text message in more than 1000 frames \\(5 bytes so far\\) exceeds "
           u"maxWebSocketFragments \\(1000\\)$"_s
        << u"ws-too-big"_s << 1009 << QString();
    QTest::newRow("endless empty fragments, default limit")
        << u"ws-endless-empty-fragments"_s << none
        << u"^text message in more than 65536 frames \\(5 bytes so far\\) exceeds "
           u"maxWebSocketFragments \\(65536\\)$"_s
        << u"ws-too-big"_s << 1009 << QString();
    QTest::newRow("connection cut without a close")
        << u"ws-cut"_s << none << u"^connection closed without a close handshake$"_s
        << u"ws-closed"_s << 0 << u"last words"_s;
}

void CliWebSocketTest::hostileViolations()
{
    QFETCH(QString, scenario);
    QFETCH(QStringList, extraArgs);
    QFETCH(QString, message);
    QFETCH(QString, code);
    QFETCH(int, closeCode);
    QFETCH(QString, keptText);

    HostilePeer peer;
    QVERIFY2(peer.start(scenario), qPrintable(peer.errorString()));
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(60));
    // A long linger: only the violation may end the session before it. The bound below leaves
    // room for the sanitizer tree, several times slower (65,536 empty fragments take 0.5 s in
    // the normal tree).
    const CliResult r =
        runner.run(QStringList{u"-v"_s, wsUrl(peer), u"--linger"_s, u"30"_s} + extraArgs);
    // The peer logs what it saw a moment after the CLI ended: read it when a check needs it.
    const auto context = [&] {
        return r.describe() + u"  peer log:\n"_s + QString::fromUtf8(peer.log().right(2000));
    };
    HOPSCOPE_VERIFY_RAN(r);
    // curl's exit codes: a handshake that lies is a reply curl would call weird (8); WebSocket
    // errors after the switch have no curl code of their own (1).
    QVERIFY2(r.exitCode == (code == u"upgrade" ? 8 : 1), qPrintable(context()));
    QVERIFY2(r.elapsedMs < 20000, qPrintable(context()));
    // "GET http://127.0.0.1:PORT/: <what happened>"
    const QString what = r.errorMessage().section(u": "_s, 1);
    QVERIFY2(QRegularExpression(message).match(what).hasMatch(),
             qPrintable(u"error message does not match /%1/\n"_s.arg(message) + context()));

    const QJsonObject failed = r.first(u"request.failed");
    QCOMPARE(num(failed, "req"), 1);
    QCOMPARE(str(failed, "code"), code);
    QCOMPARE(str(failed, "error"), what);
    const QJsonObject error = r.first(u"error");
    QCOMPARE(str(error, "code"), code);
    QCOMPARE(str(error, "message"), what);
    QVERIFY2(!r.has(u"response.complete"), qPrintable(context()));

    const QList<QJsonObject> closeOut = wsEvents(r, u"ws.close"_s, u"out"_s);
    if (closeCode == 0) {
        QVERIFY2(closeOut.isEmpty(), qPrintable(context()));
    } else {
        QCOMPARE(closeOut.size(), 1);
        QCOMPARE(num(closeOut[0], "code"), closeCode);
        QVERIFY(num(error, "seq") < num(closeOut[0], "seq"));
        // It reached the wire: the peer logged our close frame. Not after a flood: we close with
        // the flood's unread bytes in our receive buffer, so the kernel resets the connection
        // and the peer's kernel may drop our close frame unread.
        if (!scenario.startsWith(u"ws-endless"))
            QTRY_VERIFY2_WITH_TIMEOUT(
                peer.log().contains(u"client close %1"_s.arg(closeCode).toUtf8()),
                qPrintable(context()), 3000);
        QVERIFY2(QString::fromUtf8(r.standardError)
                     .contains(u"> [c1 r1] ws close %1 \""_s.arg(closeCode)),
                 qPrintable(context()));
    }
    const QList<QJsonObject> in = wsEvents(r, u"ws.message"_s, u"in"_s);
    if (keptText.isEmpty()) {
        QVERIFY2(in.isEmpty(), qPrintable(context()));
    } else {
        QCOMPARE(in.size(), 1);
        QCOMPARE(str(in[0], "text"), keptText);
        QVERIFY(num(in[0], "seq") < num(error, "seq"));
    }
}

void CliWebSocketTest::hostileLegal_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("linger");
    QTest::addColumn<int>("closeInCode"); // 0: no close from the peer
    QTest::addColumn<QString>("closeInReason");
    QTest::addColumn<QStringList>("texts"); // messages received, in order
    QTest::addColumn<qint64>("minElapsedMs");

    // An empty close is legal: it reads as 1005 and is answered with an empty close.
    QTest::newRow("empty close") << u"ws-close-empty"_s << u"10"_s << 1005 << QString()
                                 << QStringList{} << qint64(0);
    // A greeting in the 101's write, a fragmented message with a ping inside and a character
    // split across fragments, the pong checked by the peer, then its close.
    QTest::newRow("fragments, ping, server close")
        << u"ws-server-closes"_s << u"10"_s << 1000 << u"bye"_s
        << QStringList{u"greeting"_s, u"fragments: κόσμε ✓"_s, u"pong ok"_s} << qint64(0);
    // The peer never answers our close: after 2 s the client closes anyway, complete.
    // The peer closes the connection on our close instead of answering it: complete too.
    QTest::newRow("close answered by a cut")
        << u"ws-close-then-cut"_s << u"0.2"_s << 0 << QString() << QStringList{} << qint64(0);
    // Frames after the server's close are neither delivered nor answered (RFC 6455 §5.5.1).
    QTest::newRow("data after the close") << u"ws-data-after-close"_s << u"10"_s << 1000 << u"bye"_s
                                          << QStringList{u"before close"_s} << qint64(0);
    // The server never closes TCP after its close: we close it once our answer left, rather
    // than wait (RFC 6455 §7.1.1 lets the client, after a while).
    QTest::newRow("close then silence")
        << u"ws-close-then-silence"_s << u"10"_s << 1000 << u"bye"_s << QStringList{} << qint64(0);
    QTest::newRow("close unanswered")
        << u"ws-no-close-answer"_s << u"0.2"_s << 0 << QString() << QStringList{} << qint64(2000);
}

void CliWebSocketTest::hostileLegal()
{
    QFETCH(QString, scenario);
    QFETCH(QString, linger);
    QFETCH(int, closeInCode);
    QFETCH(QString, closeInReason);
    QFETCH(QStringList, texts);
    QFETCH(qint64, minElapsedMs);

    HostilePeer peer;
    QVERIFY2(peer.start(scenario), qPrintable(peer.errorString()));
    CliRunner runner;
    const CliResult r = runner.run({u"-v"_s, wsUrl(peer), u"--linger"_s, linger});
    // The peer logs what it saw a moment after the CLI ended: read it when a check needs it.
    const auto context = [&] {
        return r.describe() + u"  peer log:\n"_s + QString::fromUtf8(peer.log().right(2000));
    };
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(context()));
    QVERIFY2(!r.has(u"error") && !r.has(u"request.failed"), qPrintable(context()));
    QVERIFY2(r.elapsedMs >= minElapsedMs && r.elapsedMs < 6000, qPrintable(context()));
    QCOMPARE(num(r.first(u"response.complete"), "status"), 101);

    QStringList received;
    for (const QJsonObject &m : wsEvents(r, u"ws.message"_s, u"in"_s))
        received << str(m, "text");
    QCOMPARE(received, texts);

    const QList<QJsonObject> closeIn = wsEvents(r, u"ws.close"_s, u"in"_s);
    const QList<QJsonObject> closeOut = wsEvents(r, u"ws.close"_s, u"out"_s);
    QCOMPARE(closeOut.size(), 1);
    if (closeInCode == 0) {
        QVERIFY(closeIn.isEmpty());
        QCOMPARE(num(closeOut[0], "code"), 1000);
        QVERIFY2(r.has(u"ws.close.unanswered"), qPrintable(context()));
        QVERIFY2(QRegularExpression(scenario == u"ws-close-then-cut"
                                        ? u"^the peer closed the connection without answering"_s
                                        : u"^no close frame from the peer within 2 s$"_s)
                     .match(str(r.first(u"ws.close.unanswered"), "reason"))
                     .hasMatch(),
                 qPrintable(context()));
        QVERIFY(QString::fromUtf8(r.standardError).contains(u"! [c1 r1] ws close unanswered: "_s));
    } else {
        QCOMPARE(closeIn.size(), 1);
        QCOMPARE(num(closeIn[0], "code"), closeInCode);
        QCOMPARE(str(closeIn[0], "reason"), closeInReason);
        QCOMPARE(num(closeOut[0], "code"), closeInCode); // echoed
        QVERIFY(num(closeIn[0], "seq") < num(closeOut[0], "seq"));
        QVERIFY(!r.has(u"ws.close.unanswered"));
    }
    if (scenario == u"ws-data-after-close") {
        QVERIFY2(seqOf(r,
                       [](const QJsonObject &e) {
                           return str(e, "type") == u"ws.frame" && str(e, "opcode") == u"pong";
                       }) < 0,
                 qPrintable(context()));
    }
    if (scenario == u"ws-server-closes") {
        QTRY_VERIFY2_WITH_TIMEOUT(peer.log().contains("client answered opcode 10 b'mid'"),
                                  qPrintable(context()), 3000);
        QVERIFY(seqOf(r, [](const QJsonObject &e) {
                    return str(e, "type") == u"ws.frame" && str(e, "opcode") == u"pong" &&
                           str(e, "dir") == u"out";
                }) > 0);
    }
}

void CliWebSocketTest::pingFlood()
{
    // Every ping is answered; a server that pings without reading our pongs would have them pile
    // up in our memory. After 1000 unread pongs (nghttp2's bound for PING ACKs) it is a flood.
    HostilePeer peer;
    QVERIFY2(peer.start(u"ws-ping-flood"_s), qPrintable(peer.errorString()));
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(30));
    runner.setMeasureMemory(true);
    const CliResult r = runner.run({u"-v"_s, wsUrl(peer), u"--linger"_s, u"10"_s});
    const auto context = [&] {
        return r.describe() + u"  peer log:\n"_s + QString::fromUtf8(peer.log().right(2000));
    };
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 1, qPrintable(context()));
    const QString what = r.errorMessage().section(u": "_s, 1);
    QVERIFY2(QRegularExpression(u"^the server sent more than 1000 pings without reading our "
                                u"pongs \\(a ping flood; \\d+ bytes wait unsent\\)$"_s)
                 .match(what)
                 .hasMatch(),
             qPrintable(context()));
    const QJsonObject failed = r.first(u"request.failed");
    QCOMPARE(str(failed, "code"), u"ws-flood"_s);
    QCOMPARE(str(failed, "error"), what);
    const QList<QJsonObject> closeOut = wsEvents(r, u"ws.close"_s, u"out"_s);
    QCOMPARE(closeOut.size(), 1);
    QCOMPARE(num(closeOut[0], "code"), 1008);
    QVERIFY2(r.elapsedMs < 5000, qPrintable(context()));
    QVERIFY2(r.peakRssExact, "could not measure the CLI's memory");
    QVERIFY2(!rssBudgetsApply() || r.peakRssKiB < 60 * 1024,
             qPrintable(u"peak RSS %1 KiB"_s.arg(r.peakRssKiB)));
}

void CliWebSocketTest::pingStormEndsWithLinger()
{
    // A ping every 2 ms from a server that reads our pongs: each is answered, none is a flood,
    // and none is the server speaking, so --linger still ends the session on time.
    HostilePeer peer;
    QVERIFY2(peer.start(u"ws-ping-storm"_s), qPrintable(peer.errorString()));
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(30));
    runner.setMeasureMemory(true);
    const CliResult r = runner.run({wsUrl(peer), u"--linger"_s, u"0.5"_s});
    const auto context = [&] {
        return r.describe() + u"  peer log:\n"_s + QString::fromUtf8(peer.log().right(2000));
    };
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(context()));
    QVERIFY2(!r.has(u"error") && !r.has(u"request.failed"), qPrintable(context()));
    QVERIFY2(r.elapsedMs >= 500 && r.elapsedMs < 5000, qPrintable(context()));
    QCOMPARE(num(r.first(u"response.complete"), "status"), 101);
    qsizetype pongs = 0;
    for (const QJsonObject &f : wsEvents(r, u"ws.frame"_s, u"out"_s))
        pongs += str(f, "opcode") == u"pong" ? 1 : 0;
    QVERIFY2(pongs >= 10, qPrintable(u"%1 pongs\n"_s.arg(pongs) + context()));
    const QList<QJsonObject> closeOut = wsEvents(r, u"ws.close"_s, u"out"_s);
    QCOMPARE(closeOut.size(), 1);
    QCOMPARE(num(closeOut[0], "code"), 1000);
    QVERIFY2(r.peakRssExact, "could not measure the CLI's memory");
    QVERIFY2(!rssBudgetsApply() || r.peakRssKiB < 60 * 1024,
             qPrintable(u"peak RSS %1 KiB"_s.arg(r.peakRssKiB)));
}

QTEST_GUILESS_MAIN(CliWebSocketTest)
#include "tst_cli_websocket.moc"
