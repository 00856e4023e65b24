// WebSocket pieces the inspector owns apart from libwslay: the handshake check, the frame-header
// inspector with every RFC 6455 violation a client must catch, and strict UTF-8 validation.

#include "core/httpheader.h"
#include "websocket/websocketframe.h"
#include "websocket/websocketupgradehandler.h"

#include <QRegularExpression>
#include <QTest>

Q_DECLARE_METATYPE(hopscope::HeaderList)

using namespace hopscope;
using namespace Qt::StringLiterals;

namespace {

// A server frame (unmasked unless `mask` is given), as the wire carries it.
QByteArray frame(quint8 opcode, const QByteArray &payload, bool fin = true, quint8 rsv = 0,
                 const QByteArray &mask = {})
{
    QByteArray f;
    f.append(char((fin ? 0x80 : 0) | (rsv << 4) | opcode));
    const char maskBit = mask.isEmpty() ? 0 : char(0x80);
    const qsizetype n = payload.size();
    if (n < 126) {
        f.append(char(maskBit | char(n)));
    } else if (n < 65536) {
        f.append(char(maskBit | 126));
        f.append(char(n >> 8)).append(char(n & 0xFF));
    } else {
        f.append(char(maskBit | 127));
        for (int i = 7; i >= 0; --i)
            f.append(char((quint64(n) >> (8 * i)) & 0xFF));
    }
    if (mask.isEmpty())
        return f + payload;
    f += mask;
    for (qsizetype i = 0; i < n; ++i)
        f.append(char(payload.at(i) ^ mask.at(i % 4)));
    return f;
}

QByteArray closeFrame(int code, const QByteArray &reason = {})
{
    QByteArray p;
    p.append(char(code >> 8)).append(char(code & 0xFF));
    return frame(ws::Close, p + reason);
}

// What the inspector made of a byte stream: one line per step (headers, frame ends, the close
// code) and the outcome, "ok" or "CODE: message".
struct Walk
{
    QStringList steps;
    QString outcome;
    QByteArray textPayload; // payload bytes of data frames, concatenated
};

Walk walk(const QByteArray &bytes, qsizetype chunk, ws::FrameInspector::Options options = {})
{
    ws::FrameInspector inspector(options);
    Walk w;
    qsizetype pos = 0;
    while (true) {
        const qsizetype end = qMin(bytes.size(), pos + chunk);
        QByteArrayView data(bytes.constData() + pos, end - pos);
        bool needMore = false;
        while (!needMore) {
            qsizetype used = 0;
            const auto step = inspector.next(data, &used);
            const QByteArrayView part = data.first(used);
            data = data.sliced(used);
            pos += used;
            switch (step) {
            case ws::FrameInspector::Step::NeedMore:
                needMore = true;
                break;
            case ws::FrameInspector::Step::Header: {
                const ws::FrameHeader &h = inspector.header();
                w.steps << u"%1 fin=%2 len=%3"_s.arg(ws::opcodeName(h.opcode))
                               .arg(int(h.fin))
                               .arg(h.length);
                // The raw header is kept whole even when it arrived in pieces.
                if (inspector.headerBytes() != QByteArrayView(bytes).sliced(pos - h.size, h.size))
                    w.steps << u"HEADER BYTES DIFFER"_s;
                break;
            }
            case ws::FrameInspector::Step::Payload:
                if (inspector.messageOpcode() != 0)
                    w.textPayload += part.toByteArray();
                break;
            case ws::FrameInspector::Step::FrameEnd:
                if (inspector.header().opcode == ws::Close)
                    w.steps << u"close %1 \"%2\""_s.arg(inspector.closeCode())
                                   .arg(QString::fromUtf8(inspector.closeReason()));
                else
                    w.steps << u"end"_s;
                break;
            case ws::FrameInspector::Step::Violation:
                w.outcome = u"%1 %2: %3"_s.arg(inspector.violation().closeCode)
                                .arg(QString::fromLatin1(inspector.violation().code),
                                     inspector.violation().message);
                return w;
            }
        }
        if (pos >= bytes.size())
            break;
    }
    w.outcome = u"ok"_s;
    return w;
}

} // namespace

class TestWebSocket : public QObject
{
    Q_OBJECT
private slots:
    void acceptKey();
    void opcodeNames();
    void closeCodes();
    void parseHeader_data();
    void parseHeader();
    void headerSize_data();
    void headerSize();
    void sequenceRules_data();
    void sequenceRules();
    void inspector_data();
    void inspector();
    void inspectorLimits();
    void inspectorObservesOutbound();
    void inspectorStopsAfterViolation();
    void utf8_data();
    void utf8();
    void utf8SplitEverywhere();
    void utf8Prefix();
    void handshake_data();
    void handshake();
};

void TestWebSocket::acceptKey()
{
    // RFC 6455 §1.3.
    QCOMPARE(ws::acceptFor("dGhlIHNhbXBsZSBub25jZQ=="), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
}

void TestWebSocket::opcodeNames()
{
    QCOMPARE(ws::opcodeName(0x0), u"continuation"_s);
    QCOMPARE(ws::opcodeName(0x1), u"text"_s);
    QCOMPARE(ws::opcodeName(0x2), u"binary"_s);
    QCOMPARE(ws::opcodeName(0x8), u"close"_s);
    QCOMPARE(ws::opcodeName(0x9), u"ping"_s);
    QCOMPARE(ws::opcodeName(0xA), u"pong"_s);
    QCOMPARE(ws::opcodeName(0x3), u"reserved(0x3)"_s);
    QCOMPARE(ws::opcodeName(0xB), u"reserved(0xB)"_s);
}

void TestWebSocket::closeCodes()
{
    for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000,
                     3999, 4000, 4999})
        QVERIFY2(ws::isValidCloseCode(code), qPrintable(QString::number(code)));
    for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
        QVERIFY2(!ws::isValidCloseCode(code), qPrintable(QString::number(code)));
}

void TestWebSocket::parseHeader_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("size"); // 0: needs more
    QTest::addColumn<bool>("fin");
    QTest::addColumn<int>("rsv");
    QTest::addColumn<int>("opcode");
    QTest::addColumn<bool>("masked");
    QTest::addColumn<qulonglong>("length");

    QTest::newRow("empty") << QByteArray() << 0 << false << 0 << 0 << false << 0ULL;
    QTest::newRow("one byte") << QByteArray("\x81") << 0 << false << 0 << 0 << false << 0ULL;
    // RFC 6455 §5.7 examples.
    QTest::newRow("unmasked Hello")
        << QByteArray::fromHex("810548656c6c6f") << 2 << true << 0 << 1 << false << 5ULL;
    QTest::newRow("masked Hello") << QByteArray::fromHex("818537fa213d7f9f4d5158") << 6 << true << 0
                                  << 1 << true << 5ULL;
    QTest::newRow("fragment Hel") << QByteArray::fromHex("010348656c") << 2 << false << 0 << 1
                                  << false << 3ULL;
    QTest::newRow("256 bytes binary")
        << QByteArray::fromHex("827e0100") << 4 << true << 0 << 2 << false << 256ULL;
    QTest::newRow("16-bit length cut")
        << QByteArray::fromHex("827e01") << 0 << false << 0 << 0 << false << 0ULL;
    QTest::newRow("64 KiB binary")
        << QByteArray::fromHex("827f0000000000010000") << 10 << true << 0 << 2 << false << 65536ULL;
    QTest::newRow("64-bit length cut")
        << QByteArray::fromHex("827f00000000000100") << 0 << false << 0 << 0 << false << 0ULL;
    QTest::newRow("masked 64-bit") << QByteArray::fromHex("82ff000000000001000001020304") << 14
                                   << true << 0 << 2 << true << 65536ULL;
    QTest::newRow("mask cut") << QByteArray::fromHex("8185010203") << 0 << false << 0 << 0 << false
                              << 0ULL;
    QTest::newRow("rsv1+rsv3 ping")
        << QByteArray::fromHex("d900") << 2 << true << 5 << 9 << false << 0ULL;
}

void TestWebSocket::parseHeader()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, size);
    ws::FrameHeader h;
    QCOMPARE(ws::parseFrameHeader(bytes, &h), size);
    if (size == 0)
        return;
    QFETCH(bool, fin);
    QFETCH(int, rsv);
    QFETCH(int, opcode);
    QFETCH(bool, masked);
    QFETCH(qulonglong, length);
    QCOMPARE(h.fin, fin);
    QCOMPARE(int(h.rsv), rsv);
    QCOMPARE(int(h.opcode), opcode);
    QCOMPARE(h.masked, masked);
    QCOMPARE(h.length, length);
    QCOMPARE(h.size, size);
}

void TestWebSocket::headerSize_data()
{
    QTest::addColumn<int>("secondByte");
    QTest::addColumn<int>("size");
    QTest::newRow("7-bit length") << 0x05 << 2;
    QTest::newRow("7-bit length 125") << 0x7D << 2;
    QTest::newRow("16-bit length") << 0x7E << 4;
    QTest::newRow("64-bit length") << 0x7F << 10;
    QTest::newRow("masked, 7-bit") << 0x85 << 6;
    QTest::newRow("masked, 16-bit") << 0xFE << 8;
    QTest::newRow("masked, 64-bit") << 0xFF << 14;
}

void TestWebSocket::headerSize()
{
    QFETCH(int, secondByte);
    QFETCH(int, size);
    QCOMPARE(ws::frameHeaderSize(quint8(secondByte)), size);
    // The size parseFrameHeader reports for a whole header with that second byte.
    QByteArray header(size, '\0');
    header[0] = char(0x82);
    header[1] = char(secondByte);
    ws::FrameHeader h;
    QCOMPARE(ws::parseFrameHeader(header, &h), size);
}

void TestWebSocket::sequenceRules_data()
{
    using E = ws::SequenceError;
    QTest::addColumn<bool>("fin");
    QTest::addColumn<int>("opcode");
    QTest::addColumn<qulonglong>("length");
    QTest::addColumn<int>("messageOpcode"); // fragmented message still open, or 0
    QTest::addColumn<int>("error");         // ws::SequenceError

    QTest::newRow("whole text") << true << 0x1 << 5ULL << 0 << int(E::None);
    QTest::newRow("first fragment") << false << 0x2 << 5ULL << 0 << int(E::None);
    QTest::newRow("middle fragment") << false << 0x0 << 5ULL << 0x2 << int(E::None);
    QTest::newRow("last fragment") << true << 0x0 << 0ULL << 0x1 << int(E::None);
    QTest::newRow("ping inside a message") << true << 0x9 << 125ULL << 0x1 << int(E::None);
    QTest::newRow("empty close") << true << 0x8 << 0ULL << 0 << int(E::None);
    QTest::newRow("close with a code") << true << 0x8 << 2ULL << 0 << int(E::None);
    QTest::newRow("fragmented ping") << false << 0x9 << 1ULL << 0 << int(E::FragmentedControl);
    QTest::newRow("fragmented close") << false << 0x8 << 1ULL << 0 << int(E::FragmentedControl);
    QTest::newRow("126-byte pong") << true << 0xA << 126ULL << 0 << int(E::ControlTooLong);
    QTest::newRow("1-byte close") << true << 0x8 << 1ULL << 0 << int(E::CloseCodeCut);
    QTest::newRow("1-byte ping") << true << 0x9 << 1ULL << 0 << int(E::None);
    QTest::newRow("continuation, no message")
        << true << 0x0 << 1ULL << 0 << int(E::ContinuationWithoutMessage);
    QTest::newRow("text inside a text message")
        << true << 0x1 << 1ULL << 0x1 << int(E::MessageInsideMessage);
    QTest::newRow("binary inside a text message")
        << false << 0x2 << 1ULL << 0x1 << int(E::MessageInsideMessage);
}

void TestWebSocket::sequenceRules()
{
    QFETCH(bool, fin);
    QFETCH(int, opcode);
    QFETCH(qulonglong, length);
    QFETCH(int, messageOpcode);
    QFETCH(int, error);
    QCOMPARE(int(ws::frameSequenceError(fin, quint8(opcode), length, quint8(messageOpcode))),
             error);
}

void TestWebSocket::inspector_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("outcome"); // "ok" or a regex for "CODE ws-code: message"
    QTest::addColumn<QStringList>("steps");
    QTest::addColumn<QByteArray>("payload"); // data-frame payload seen before the outcome

    const QByteArray hello = QByteArray::fromHex("810548656c6c6f");
    QTest::newRow("text Hello") << hello << u"ok"_s << QStringList{u"text fin=1 len=5"_s, u"end"_s}
                                << QByteArray("Hello");
    QTest::newRow("fragmented Hel+lo")
        << QByteArray::fromHex("010348656c80026c6f") << u"ok"_s
        << QStringList{u"text fin=0 len=3"_s, u"end"_s, u"continuation fin=1 len=2"_s, u"end"_s}
        << QByteArray("Hello");
    QTest::newRow("ping between fragments")
        << frame(ws::Text, "He", false) + frame(ws::Ping, "p") + frame(ws::Continuation, "llo")
        << u"ok"_s
        << QStringList{u"text fin=0 len=2"_s,         u"end"_s, u"ping fin=1 len=1"_s, u"end"_s,
                       u"continuation fin=1 len=3"_s, u"end"_s}
        << QByteArray("Hello");
    QTest::newRow("empty text") << frame(ws::Text, {}) << u"ok"_s
                                << QStringList{u"text fin=1 len=0"_s, u"end"_s} << QByteArray();
    QTest::newRow("binary 300 bytes, not UTF-8")
        << frame(ws::Binary, QByteArray(300, '\xff')) << u"ok"_s
        << QStringList{u"binary fin=1 len=300"_s, u"end"_s} << QByteArray(300, '\xff');
    QTest::newRow("binary 70000 bytes")
        << frame(ws::Binary, QByteArray(70000, 'b')) << u"ok"_s
        << QStringList{u"binary fin=1 len=70000"_s, u"end"_s} << QByteArray(70000, 'b');
    QTest::newRow("pong 125 bytes")
        << frame(ws::Pong, QByteArray(125, 'p')) << u"ok"_s
        << QStringList{u"pong fin=1 len=125"_s, u"end"_s} << QByteArray();
    QTest::newRow("close 1000 bye")
        << closeFrame(1000, "bye") << u"ok"_s
        << QStringList{u"close fin=1 len=5"_s, u"close 1000 \"bye\""_s} << QByteArray();
    QTest::newRow("close empty (legal, 1005)")
        << frame(ws::Close, {}) << u"ok"_s
        << QStringList{u"close fin=1 len=0"_s, u"close 1005 \"\""_s} << QByteArray();
    QTest::newRow("close 1012 (IANA)")
        << closeFrame(1012) << u"ok"_s << QStringList{u"close fin=1 len=2"_s, u"close 1012 \"\""_s}
        << QByteArray();
    QTest::newRow("close 4999") << closeFrame(4999, "κόσμε") << u"ok"_s
                                << QStringList{u"close fin=1 len=12"_s, u"close 4999 \"κόσμε\""_s}
                                << QByteArray();
    QTest::newRow("UTF-8 split across fragments")
        << frame(ws::Text, "\xce", false) + frame(ws::Continuation, "\xba\xe1\xbd", false) +
               frame(ws::Continuation, "\xb9")
        << u"ok"_s << QStringList{u"text fin=0 len=1"_s,         u"end"_s,
                                  u"continuation fin=0 len=3"_s, u"end"_s,
                                  u"continuation fin=1 len=1"_s, u"end"_s}
        << QByteArray("\xce\xba\xe1\xbd\xb9"); // κό (U+1F79)

    // Violations: close code, error code and what the message names.
    QTest::newRow("masked server frame (RFC example)")
        << QByteArray::fromHex("818537fa213d7f9f4d5158")
        << u"^1002 ws-protocol: the server sent a masked text frame"_s << QStringList{}
        << QByteArray();
    for (int op : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
        QTest::addRow("reserved opcode 0x%X", op)
            << frame(quint8(op), "x")
            << u"^1002 ws-protocol: frame with reserved opcode 0x%1$"_s.arg(
                   QString::number(op, 16).toUpper())
            << QStringList{} << QByteArray();
    }
    QTest::newRow("RSV1") << frame(ws::Text, "x", true, 4)
                          << u"^1002 ws-protocol: RSV1 set on a text frame, but no extension"_s
                          << QStringList{} << QByteArray();
    QTest::newRow("RSV2") << frame(ws::Binary, "x", true, 2) << u"^1002 ws-protocol: RSV2 set"_s
                          << QStringList{} << QByteArray();
    QTest::newRow("RSV3 on ping") << frame(ws::Ping, "x", true, 1)
                                  << u"^1002 ws-protocol: RSV3 set on a ping frame"_s
                                  << QStringList{} << QByteArray();
    QTest::newRow("RSV1+RSV3") << frame(ws::Text, "x", true, 5)
                               << u"^1002 ws-protocol: RSV1\\+RSV3 set"_s << QStringList{}
                               << QByteArray();
    QTest::newRow("ping 126 bytes")
        << frame(ws::Ping, QByteArray(126, 'p'))
        << u"^1002 ws-protocol: ping frame with a 126-byte payload: control frames carry at "
           u"most 125"_s
        << QStringList{} << QByteArray();
    QTest::newRow("close 200 bytes")
        << frame(ws::Close, QByteArray(200, 'c'))
        << u"^1002 ws-protocol: close frame with a 200-byte"_s << QStringList{} << QByteArray();
    QTest::newRow("fragmented ping")
        << frame(ws::Ping, "half", false) << u"^1002 ws-protocol: fragmented ping frame"_s
        << QStringList{} << QByteArray();
    QTest::newRow("fragmented close")
        << frame(ws::Close, {}, false) << u"^1002 ws-protocol: fragmented close frame"_s
        << QStringList{} << QByteArray();
    QTest::newRow("close with a 1-byte payload")
        << frame(ws::Close, "\x03") << u"^1002 ws-protocol: close frame with a 1-byte payload"_s
        << QStringList{} << QByteArray();
    for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000}) {
        QTest::addRow("close code %d", code)
            << closeFrame(code)
            << u"^1002 ws-protocol: close frame with invalid code %1$"_s.arg(code)
            << QStringList{u"close fin=1 len=2"_s} << QByteArray();
    }
    QTest::newRow("close reason not UTF-8")
        << closeFrame(1000, "\xff") << u"^1007 ws-utf8: close reason is not valid UTF-8"_s
        << QStringList{u"close fin=1 len=3"_s} << QByteArray();
    QTest::newRow("continuation first")
        << frame(ws::Continuation, "orphan")
        << u"^1002 ws-protocol: continuation frame without a message to continue"_s << QStringList{}
        << QByteArray();
    QTest::newRow("text inside a fragmented binary")
        << frame(ws::Binary, "ab", false) + frame(ws::Text, "cd")
        << u"^1002 ws-protocol: new text frame while a fragmented binary message is unfinished"_s
        << QStringList{u"binary fin=0 len=2"_s, u"end"_s} << QByteArray("ab");
    QTest::newRow("64-bit length with the top bit")
        << QByteArray::fromHex("827f8000000000000001")
        << u"^1002 ws-protocol: binary frame length has the most significant bit set"_s
        << QStringList{} << QByteArray();
    // A valid message first: it was seen whole before the bad one.
    QTest::newRow("invalid UTF-8 after a valid message")
        << hello + frame(ws::Text, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80")
        << u"^1007 ws-utf8: invalid UTF-8 in a text message at byte 12$"_s
        << QStringList{u"text fin=1 len=5"_s, u"end"_s, u"text fin=1 len=14"_s}
        << QByteArray("Hello");
    QTest::newRow("text ends inside a sequence")
        << frame(ws::Text, "ok\xe2\x82")
        << u"^1007 ws-utf8: text message ends inside a UTF-8 sequence"_s
        << QStringList{u"text fin=1 len=4"_s} << QByteArray();
    QTest::newRow("empty last fragment ends inside a sequence")
        << frame(ws::Text, "\xe2\x82", false) + frame(ws::Continuation, {})
        << u"^1007 ws-utf8: text message ends inside a UTF-8 sequence"_s
        << QStringList{u"text fin=0 len=2"_s, u"end"_s} << QByteArray("\xe2\x82");
    QTest::newRow("invalid sequence split across fragments")
        << frame(ws::Text, "\xed", false) + frame(ws::Continuation, "\xa0\x80")
        << u"^1007 ws-utf8: invalid UTF-8 in a text message at byte 1$"_s
        << QStringList{u"text fin=0 len=1"_s, u"end"_s, u"continuation fin=1 len=2"_s}
        << QByteArray("\xed");
    QTest::newRow("overlong in text")
        << frame(ws::Text, "\xc0\xaf")
        << u"^1007 ws-utf8: invalid UTF-8 in a text message at byte 0$"_s
        << QStringList{u"text fin=1 len=2"_s} << QByteArray();
}

void TestWebSocket::inspector()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, outcome);
    QFETCH(QStringList, steps);
    QFETCH(QByteArray, payload);
    // The same verdict whatever the reads look like: all at once, byte by byte, in threes.
    for (qsizetype chunk : {bytes.size() + 1, qsizetype(1), qsizetype(3)}) {
        const Walk w = walk(bytes, qMax<qsizetype>(chunk, 1));
        const QString where =
            u"chunk %1: %2 | %3"_s.arg(chunk).arg(w.steps.join(u"; "_s), w.outcome);
        if (outcome == u"ok") {
            QVERIFY2(w.outcome == u"ok", qPrintable(where));
        } else {
            QVERIFY2(QRegularExpression(outcome).match(w.outcome).hasMatch(), qPrintable(where));
        }
        // Payload slices before a violation are passed on (they were valid); only the slice
        // that breaks the rule is withheld. Compare the steps, then the complete payload.
        QVERIFY2(w.steps == steps, qPrintable(where));
        if (chunk > bytes.size())
            QVERIFY2(w.textPayload == payload, qPrintable(where));
        else
            QVERIFY2(payload.startsWith(w.textPayload) || w.textPayload.startsWith(payload),
                     qPrintable(where));
    }
}

void TestWebSocket::inspectorLimits()
{
    ws::FrameInspector::Options o;
    o.maxFrameBytes = 100;
    o.maxMessageBytes = 250;
    QCOMPARE(walk(frame(ws::Binary, QByteArray(100, 'a')), 1000, o).outcome, u"ok"_s);
    QVERIFY(walk(frame(ws::Binary, QByteArray(101, 'a')), 1000, o)
                .outcome.startsWith(u"1009 ws-too-big: binary frame of 101 bytes exceeds "
                                    u"maxWebSocketFrameBytes (100)"_s));
    const QByteArray three = frame(ws::Text, QByteArray(100, 'a'), false) +
                             frame(ws::Continuation, QByteArray(100, 'a'), false) +
                             frame(ws::Continuation, QByteArray(51, 'a'));
    const Walk w = walk(three, 1000, o);
    QVERIFY2(w.outcome.startsWith(u"1009 ws-too-big: text message of at least 251 bytes exceeds "
                                  u"maxWebSocketMessageBytes (250)"_s),
             qPrintable(w.outcome));
    QCOMPARE(w.textPayload.size(), 200); // the first two fragments went through
    // Control frames do not count towards a message.
    QCOMPARE(walk(frame(ws::Text, QByteArray(100, 'a'), false) + frame(ws::Ping, "p") +
                      frame(ws::Continuation, QByteArray(100, 'a')),
                  1000, o)
                 .outcome,
             u"ok"_s);
}

void TestWebSocket::inspectorObservesOutbound()
{
    // Our own masked frames: observed, never judged (masked, any payload).
    ws::FrameInspector::Options o;
    o.validate = false;
    const QByteArray mask("\x01\x02\x03\x04", 4);
    const QByteArray out = frame(ws::Text, "\xff\xfe", true, 0, mask) +
                           frame(ws::Close, QByteArray::fromHex("03e8"), true, 0, mask);
    const Walk w = walk(out, 2, o);
    QCOMPARE(w.outcome, u"ok"_s);
    QCOMPARE(w.steps, (QStringList{u"text fin=1 len=2"_s, u"end"_s, u"close fin=1 len=2"_s,
                                   u"close 1000 \"\""_s}));
}

void TestWebSocket::inspectorStopsAfterViolation()
{
    ws::FrameInspector inspector;
    qsizetype used = 0;
    const QByteArray bad = frame(0x3, "x") + QByteArray::fromHex("810548656c6c6f");
    QCOMPARE(inspector.next(bad, &used), ws::FrameInspector::Step::Violation);
    QVERIFY(inspector.violationInHeader());
    QCOMPARE(int(inspector.header().opcode), 3); // the rejected frame, for the trace
    QCOMPARE(inspector.next(QByteArrayView(bad).sliced(2), &used),
             ws::FrameInspector::Step::Violation);
    QCOMPARE(used, 0);
}

void TestWebSocket::utf8_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("badOffset"); // -1: valid and complete; -2: valid but unfinished

    QTest::newRow("empty") << QByteArray() << -1;
    QTest::newRow("ASCII, long") << QByteArray(1000, 'a') << -1;
    QTest::newRow("2-byte é") << QByteArray("caf\xc3\xa9") << -1;
    QTest::newRow("3-byte €") << QByteArray("\xe2\x82\xac") << -1;
    QTest::newRow("4-byte 😀") << QByteArray("\xf0\x9f\x98\x80") << -1;
    QTest::newRow("U+10FFFF") << QByteArray("\xf4\x8f\xbf\xbf") << -1;
    QTest::newRow("U+FFFF") << QByteArray("\xef\xbf\xbf") << -1;
    QTest::newRow("U+D7FF (before surrogates)") << QByteArray("\xed\x9f\xbf") << -1;
    QTest::newRow("U+E000 (after surrogates)") << QByteArray("\xee\x80\x80") << -1;
    QTest::newRow("κόσμε") << QByteArray("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5") << -1;
    QTest::newRow("overlong / (C0 AF)") << QByteArray("a\xc0\xaf") << 1;
    QTest::newRow("overlong C1 BF") << QByteArray("\xc1\xbf") << 0;
    QTest::newRow("overlong E0 80 80") << QByteArray("\xe0\x80\x80") << 1;
    QTest::newRow("overlong E0 9F BF") << QByteArray("\xe0\x9f\xbf") << 1;
    QTest::newRow("overlong F0 80 80 80") << QByteArray("\xf0\x80\x80\x80") << 1;
    QTest::newRow("overlong F0 8F BF BF") << QByteArray("\xf0\x8f\xbf\xbf") << 1;
    QTest::newRow("surrogate U+D800") << QByteArray("\xed\xa0\x80") << 1;
    QTest::newRow("surrogate U+DFFF") << QByteArray("\xed\xbf\xbf") << 1;
    QTest::newRow("surrogate pair as CESU-8") << QByteArray("\xed\xa0\xbd\xed\xb8\x80") << 1;
    QTest::newRow("above U+10FFFF (F4 90)") << QByteArray("\xf4\x90\x80\x80") << 1;
    QTest::newRow("F5") << QByteArray("\xf5\x80\x80\x80") << 0;
    QTest::newRow("FF") << QByteArray("abc\xff") << 3;
    QTest::newRow("stray continuation") << QByteArray("ab\x80") << 2;
    QTest::newRow("ASCII in the middle of a sequence") << QByteArray("\xe2\x82"
                                                                     "a")
                                                       << 2;
    QTest::newRow("bad byte after 8-byte ASCII run") << QByteArray("abcdefghij\xfe") << 10;
    QTest::newRow("unfinished 3-byte") << QByteArray("\xe2\x82") << -2;
    QTest::newRow("unfinished 4-byte") << QByteArray("ok\xf0\x9f\x98") << -2;
}

void TestWebSocket::utf8()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, badOffset);
    ws::Utf8Validator v;
    const bool ok = v.feed(bytes);
    if (badOffset >= 0) {
        QVERIFY(!ok);
        QCOMPARE(v.offset(), qint64(badOffset));
        QVERIFY(!ws::Utf8Validator::isValid(bytes));
    } else {
        QVERIFY(ok);
        QCOMPARE(v.isComplete(), badOffset == -1);
        QCOMPARE(ws::Utf8Validator::isValid(bytes), badOffset == -1);
        // Agrees with Qt's decoder on what is valid.
        if (badOffset == -1)
            QCOMPARE(QString::fromUtf8(bytes).toUtf8(), bytes);
    }
}

void TestWebSocket::utf8SplitEverywhere()
{
    // Fragments may cut a character anywhere: every split of valid text is valid, every split
    // of an invalid one is invalid at the same offset.
    const QByteArray good = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf"
                            "z";
    const QByteArray bad = "a\xc3\xa9\xed\xa0\x80"
                           "z";
    for (qsizetype i = 0; i <= good.size(); ++i) {
        for (qsizetype j = i; j <= good.size(); ++j) {
            ws::Utf8Validator v;
            QVERIFY(v.feed(QByteArrayView(good).first(i)));
            QVERIFY(v.feed(QByteArrayView(good).sliced(i, j - i)));
            QVERIFY(v.feed(QByteArrayView(good).sliced(j)));
            QVERIFY(v.isComplete());
        }
    }
    for (qsizetype i = 0; i <= bad.size(); ++i) {
        ws::Utf8Validator v;
        const bool first = v.feed(QByteArrayView(bad).first(i));
        const bool second = first && v.feed(QByteArrayView(bad).sliced(i));
        QVERIFY(!second);
        QCOMPARE(v.offset(), qint64(4));
    }
}

void TestWebSocket::utf8Prefix()
{
    const QByteArray text = "ab\xe2\x82\xac"
                            "cd"; // ab€cd
    QCOMPARE(ws::utf8Prefix(text, 100), QByteArrayView(text));
    QCOMPARE(ws::utf8Prefix(text, 2), QByteArrayView("ab"));
    QCOMPARE(ws::utf8Prefix(text, 3), QByteArrayView("ab"));
    QCOMPARE(ws::utf8Prefix(text, 4), QByteArrayView("ab"));
    QCOMPARE(ws::utf8Prefix(text, 5), QByteArrayView("ab\xe2\x82\xac"));
    QCOMPARE(ws::utf8Prefix(text, 0), QByteArrayView(""));
}

void TestWebSocket::handshake_data()
{
    QTest::addColumn<HeaderList>("response");
    QTest::addColumn<HeaderList>("request");
    QTest::addColumn<QString>("error"); // empty: accepted

    const QByteArray key = "dGhlIHNhbXBsZSBub25jZQ==";
    const HeaderList ok{{"Upgrade", "websocket"},
                        {"Connection", "Upgrade"},
                        {"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}};
    QTest::newRow("RFC example") << ok << HeaderList{} << QString();
    QTest::newRow("connection in lower case")
        << HeaderList{{"upgrade", "websocket"},
                      {"connection", "upgrade"},
                      {"sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}}
        << HeaderList{} << QString();
    QTest::newRow("bad accept")
        << HeaderList{{"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", "AAAA"}} << HeaderList{}
        << u"bad Sec-WebSocket-Accept: expected s3pPLMBiTxaQ9kYGzzhZRbK+xOo=, got AAAA"_s;
    QTest::newRow("no accept") << HeaderList{{"Connection", "Upgrade"}} << HeaderList{}
                               << u"101 without Sec-WebSocket-Accept (expected "
                                  u"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=)"_s;
    QTest::newRow("no Connection: Upgrade")
        << HeaderList{{"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}} << HeaderList{}
        << u"101 without Connection: Upgrade (RFC 6455 §4.1)"_s;
    QTest::newRow("unoffered extension")
        << ok + HeaderList{{"Sec-WebSocket-Extensions",
                            "permessage-deflate; client_max_window_bits"}}
        << HeaderList{} << u"server selected extension permessage-deflate that was not offered"_s;
    QTest::newRow("extension offered through -H")
        << ok + HeaderList{{"Sec-WebSocket-Extensions", "permessage-deflate"}}
        << HeaderList{{"Sec-WebSocket-Extensions", "permessage-deflate"}}
        << u"server selected extension permessage-deflate, which was offered through a header "
           u"but is not implemented by Hopscope"_s;
    QTest::newRow("unoffered subprotocol")
        << ok + HeaderList{{"Sec-WebSocket-Protocol", "chat"}} << HeaderList{}
        << u"server selected subprotocol chat that was not offered"_s;
    QTest::newRow("subprotocol not among the offered")
        << ok + HeaderList{{"Sec-WebSocket-Protocol", "chat"}}
        << HeaderList{{"Sec-WebSocket-Protocol", "superchat, v2"}}
        << u"server selected subprotocol chat that was not offered (offered: superchat, v2)"_s;
    QTest::newRow("offered subprotocol")
        << ok + HeaderList{{"Sec-WebSocket-Protocol", "v2"}}
        << HeaderList{{"Sec-WebSocket-Protocol", "superchat, v2"}} << QString();
    QTest::newRow("two subprotocols") << ok + HeaderList{{"Sec-WebSocket-Protocol", "v1, v2"}}
                                      << HeaderList{{"Sec-WebSocket-Protocol", "v1, v2"}}
                                      << u"server selected more than one subprotocol: v1, v2"_s;
}

void TestWebSocket::handshake()
{
    QFETCH(HeaderList, response);
    QFETCH(HeaderList, request);
    QFETCH(QString, error);
    QCOMPARE(WebSocketUpgradeHandler::checkHandshake(response, "dGhlIHNhbXBsZSBub25jZQ==", request),
             error);
}

QTEST_APPLESS_MAIN(TestWebSocket)
#include "tst_websocket.moc"
