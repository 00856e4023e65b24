// The demo server's WebSocket codec on bytes, in-process: every rule it enforces on a client
// (now the engine's rules from websocket/websocketframe.h, worded by the server), fed whole and
// byte by byte, and the frames it writes. tst_demoserver_upgrades checks them over a socket.

#include "demowebsocketcodec.h"
#include "websocket/websocketframe.h"

#include "websocketclientframes.h"

#include <QTest>
#include <QtEndian>

using namespace hopscope;
using hopscope::test::clientFrame;
using hopscope::test::closeBody;

namespace {

// What the codec made of `bytes` fed in pieces of `chunk`: one "opcode:payload" per message,
// then "error CODE: reason" if it refused the stream.
QStringList decode(const QByteArray &bytes, qsizetype chunk)
{
    DemoWebSocketCodec codec;
    QStringList out;
    for (qsizetype at = 0; at < bytes.size();) {
        QByteArrayView piece = QByteArrayView(bytes).sliced(at, qMin(chunk, bytes.size() - at));
        at += piece.size();
        while (!piece.isEmpty()) {
            qsizetype used = 0;
            DemoWebSocketCodec::Message message;
            const auto result = codec.feed(piece, &used, &message);
            piece = piece.sliced(used);
            if (result == DemoWebSocketCodec::Result::Error) {
                out << QStringLiteral("error %1: %2")
                           .arg(codec.errorCode())
                           .arg(QString::fromUtf8(codec.errorReason()));
                return out;
            }
            if (result == DemoWebSocketCodec::Result::NeedMore)
                break;
            out << QStringLiteral("%1:%2")
                       .arg(message.opcode)
                       .arg(QString::fromLatin1(message.payload.toHex()));
        }
    }
    return out;
}

} // namespace

class TestDemoWebSocketCodec : public QObject
{
    Q_OBJECT
private slots:
    void decodes_data();
    void decodes();
    void encodes();
    void closePayloadKeepsCharactersWhole();
};

void TestDemoWebSocketCodec::decodes_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QStringList>("expected");

    const QString hi = QString::fromLatin1(QByteArray("hi").toHex());
    QTest::newRow("text") << clientFrame(0x81, "hi") << QStringList{"1:" + hi};
    QTest::newRow("fragments around a ping")
        << clientFrame(0x02, "h") + clientFrame(0x89, "p") + clientFrame(0x80, "i")
        << QStringList{"9:70", "2:" + hi};
    QTest::newRow("close with code and reason")
        << clientFrame(0x88, closeBody(4001, "done"))
        << QStringList{"8:" + QString::fromLatin1(closeBody(4001, "done").toHex())};
    QTest::newRow("empty close") << clientFrame(0x88, {}) << QStringList{"8:"};
    QTest::newRow("300-byte binary")
        << clientFrame(0x82, QByteArray(300, 'b'))
        << QStringList{"2:" + QString::fromLatin1(QByteArray(300, 'b').toHex())};
    QTest::newRow("4-byte UTF-8 text")
        << clientFrame(0x81, "\xf0\x9f\x98\x80")
        << QStringList{"1:" + QString::fromLatin1(QByteArray("\xf0\x9f\x98\x80").toHex())};

    QTest::newRow("unmasked frame") << clientFrame(0x81, "hi", false)
                                    << QStringList{"error 1002: client frames must be masked"};
    QTest::newRow("reserved opcode")
        << clientFrame(0x83, "hi") << QStringList{"error 1002: reserved opcode 0x3"};
    QTest::newRow("RSV1 without extension")
        << clientFrame(0xC1, "hi")
        << QStringList{"error 1002: RSV bits set, but no extension was negotiated"};
    QTest::newRow("control frame over 125 bytes")
        << clientFrame(0x89, QByteArray(126, 'p'))
        << QStringList{"error 1002: control frame payload over 125 bytes"};
    QTest::newRow("fragmented ping")
        << clientFrame(0x09, "p") << QStringList{"error 1002: fragmented control frame"};
    QTest::newRow("continuation without start")
        << clientFrame(0x80, "x")
        << QStringList{"error 1002: continuation frame without a message to continue"};
    QTest::newRow("new message inside a fragmented one")
        << clientFrame(0x01, "a") + clientFrame(0x81, "b")
        << QStringList{"error 1002: new data frame inside a fragmented message"};
    QTest::newRow("invalid UTF-8") << clientFrame(0x81, QByteArray("\xc3\x28", 2))
                                   << QStringList{"error 1007: text message is not valid UTF-8"};
    QTest::newRow("surrogate across fragments")
        << clientFrame(0x01, QByteArray("ok \xed", 4)) + clientFrame(0x80, "\xa0\x80")
        << QStringList{"error 1007: text message is not valid UTF-8"};
    QTest::newRow("overlong NUL") << clientFrame(0x81, "\xc0\x80")
                                  << QStringList{"error 1007: text message is not valid UTF-8"};
    QTest::newRow("text cut inside a character")
        << clientFrame(0x81, "\xe2\x82")
        << QStringList{"error 1007: text message is not valid UTF-8"};
    QTest::newRow("close with 1-byte payload")
        << clientFrame(0x88, "x") << QStringList{"error 1002: close frame with a 1-byte payload"};
    QTest::newRow("close with code 1005")
        << clientFrame(0x88, closeBody(1005)) << QStringList{"error 1002: invalid close code 1005"};
    QTest::newRow("close with code 1012 (service restart)")
        << clientFrame(0x88, closeBody(1012))
        << QStringList{"8:" + QString::fromLatin1(closeBody(1012).toHex())};
    QTest::newRow("close reason not UTF-8")
        << clientFrame(0x88, closeBody(1000, "\xff"))
        << QStringList{"error 1007: close reason is not valid UTF-8"};
    QTest::newRow("64-bit length with the top bit set")
        << QByteArray::fromHex("82ff8000000000000000") + QByteArray(4, '\0')
        << QStringList{"error 1002: frame length with the most significant bit set"};
    QTest::newRow("message over 16 MiB")
        << QByteArray::fromHex("82ff0000000001000001") + QByteArray(4, '\0')
        << QStringList{"error 1009: message larger than 16777216 bytes"};
}

void TestDemoWebSocketCodec::decodes()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QStringList, expected);
    QCOMPARE(decode(bytes, bytes.size()), expected);
    QCOMPARE(decode(bytes, 1), expected); // headers and payloads cut everywhere
}

void TestDemoWebSocketCodec::encodes()
{
    // Server frames: FIN, never masked, the shortest length form.
    QCOMPARE(DemoWebSocketCodec::encode(ws::Text, "hi"), QByteArray::fromHex("81026869"));
    const QByteArray mid = DemoWebSocketCodec::encode(ws::Binary, QByteArray(300, 'b'));
    QCOMPARE(mid.left(4), QByteArray::fromHex("827e012c"));
    QCOMPARE(mid.size(), 4 + 300);
    const QByteArray big = DemoWebSocketCodec::encode(ws::Binary, QByteArray(70000, 'b'));
    QCOMPARE(big.left(10), QByteArray::fromHex("827f0000000000011170"));
    ws::FrameHeader header;
    QCOMPARE(ws::parseFrameHeader(big, &header), 10);
    QCOMPARE(header.length, 70000ULL);
    QVERIFY(!header.masked);
}

void TestDemoWebSocketCodec::closePayloadKeepsCharactersWhole()
{
    QCOMPARE(DemoWebSocketCodec::closePayload(1002, "bad"), closeBody(1002, "bad"));
    // 122 ASCII bytes then a 2-byte character: the 123-byte limit falls inside it.
    const QByteArray reason = QByteArray(122, 'r') + "\xc3\xa9";
    const QByteArray payload = DemoWebSocketCodec::closePayload(1002, reason);
    QCOMPARE(payload, closeBody(1002, QByteArray(122, 'r')));
    QVERIFY(payload.size() <= ws::kMaxControlPayload);
    QVERIFY(ws::Utf8Validator::isValid(QByteArrayView(payload).sliced(2)));
}

QTEST_APPLESS_MAIN(TestDemoWebSocketCodec)
#include "tst_demowebsocketcodec.moc"
