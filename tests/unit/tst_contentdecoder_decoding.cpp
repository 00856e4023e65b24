// ContentDecoder on well-formed bodies: every coding and stack of codings round-trips, fed whole
// and in pieces; deflate's flavours, concatenated streams, empty bodies, appending to output,
// the lifecycle, and codings it refuses (unknown, too many).

#include "contentdecoderfixtures.h"

#include <QTest>

using namespace hopscope;
using namespace hopscope::test::content;

class TestContentDecoderDecoding : public QObject
{
    Q_OBJECT

private slots:
    void roundtrip_data();
    void roundtrip();
    void deflateFlavours_data();
    void deflateFlavours();
    void concatenatedStreams_data();
    void concatenatedStreams();
    void emptyBody_data();
    void emptyBody();
    void appendsToExistingOutput_data();
    void appendsToExistingOutput();
    void lifecycle();
    void unsupported_data();
    void unsupported();
    void tooManyCodings_data();
    void tooManyCodings();
};

void TestContentDecoderDecoding::roundtrip_data()
{
    QTest::addColumn<QList<QByteArray>>("codings");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<qsizetype>("split");

    // {row name, codings as applied (for the encoder)}; the decoder gets the same names, with
    // "deflate-raw" sent as "deflate" the way servers mislabel it.
    const QList<std::pair<const char *, QList<QByteArray>>> sets = {
        {"gzip", {"gzip"}},
        {"x-gzip", {"x-gzip"}},
        {"deflate-zlib", {"deflate"}},
        {"deflate-raw", {"deflate-raw"}},
        {"br", {"br"}},
        {"zstd", {"zstd"}},
        {"identity", {"identity"}},
        {"none", {}},
        {"gzip,br", {"gzip", "br"}},
        {"deflate,zstd", {"deflate", "zstd"}},
        {"br,gzip", {"br", "gzip"}},
        {"identity,gzip,identity", {"identity", "gzip", "identity"}},
        {"zstd,deflate-raw,br", {"zstd", "deflate-raw", "br"}},
        {"GZIP", {"GZIP"}},
        {"X-Gzip", {"X-Gzip"}},
        {"Deflate", {"Deflate"}},
        {"BR", {"BR"}},
        {"ZsTd", {"ZsTd"}},
        {"IDENTITY", {"IDENTITY"}},
    };
    const QList<std::pair<const char *, QByteArray>> inputs = {
        {"empty", QByteArray()},
        {"small", smallText()},
        {"big", bigMixed()},
    };
    for (const auto &[setName, codings] : sets) {
        for (const auto &[inputName, input] : inputs) {
            const QByteArray wire = encodeStack(codings, input);
            for (qsizetype split : {qsizetype(1), qsizetype(7), qsizetype(0)}) {
                QTest::addRow("%s/%s/%s", setName, inputName,
                              split ? qPrintable(QString::number(split)) : "whole")
                    << decoderNames(codings) << wire << input << split;
            }
        }
    }
    // A caller may hand over the header value unsplit, with odd spacing.
    QTest::newRow("unsplit-header-value")
        << QList<QByteArray>{" gzip ,br "} << encodeStack({"gzip", "br"}, bigMixed()) << bigMixed()
        << qsizetype(0);
}

void TestContentDecoderDecoding::roundtrip()
{
    QFETCH(QList<QByteArray>, codings);
    QFETCH(QByteArray, wire);
    QFETCH(QByteArray, expected);
    QFETCH(qsizetype, split);

    const Outcome r = run(codings, wire, split);
    QVERIFY2(r.ok, qPrintable(describe(r)));
    QVERIFY(r.code.isEmpty());
    QCOMPARE(r.out.size(), expected.size());
    QVERIFY(r.out == expected);
}

void TestContentDecoderDecoding::deflateFlavours_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QByteArray>("expected");

    // zlib headers vary with the window (first byte 0x18..0x78) and level (second byte); raw
    // streams start with a stored (level 0), fixed or dynamic block.
    const QByteArray inputs[] = {smallText(), bigMixed()};
    for (const QByteArray &input : inputs) {
        const char *size = input.size() == bigMixed().size() ? "big" : "small";
        for (int level : {0, 1, 6, 9}) {
            for (int windowBits = 9; windowBits <= 15; ++windowBits) {
                QTest::addRow("zlib/%s/level%d/window%d", size, level, windowBits)
                    << zlibEncode(input, level, windowBits) << input;
            }
            QTest::addRow("raw/%s/level%d", size, level) << rawDeflateEncode(input, level) << input;
        }
    }
    QTest::newRow("raw/empty/level0") << rawDeflateEncode({}, 0) << QByteArray();
    QTest::newRow("raw/empty/level9") << rawDeflateEncode({}, 9) << QByteArray();
    QTest::newRow("zlib/empty/level0") << zlibEncode({}, 0) << QByteArray();
}

void TestContentDecoderDecoding::deflateFlavours()
{
    QFETCH(QByteArray, wire);
    QFETCH(QByteArray, expected);

    // 1-byte splits make the sniffing wait for its second byte.
    for (qsizetype split : {qsizetype(1), qsizetype(0)}) {
        const Outcome r = run({"deflate"}, wire, split);
        QVERIFY2(r.ok, qPrintable(describe(r)));
        QVERIFY(r.out == expected);
    }
}

void TestContentDecoderDecoding::concatenatedStreams_data()
{
    QTest::addColumn<QList<QByteArray>>("codings");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray a = smallText();
    const QByteArray b = bigMixed().left(300 * KiB);
    const QByteArray c = QByteArray("tail");
    QTest::newRow("gzip/3 members")
        << QList<QByteArray>{"gzip"} << gzipEncode(a) + gzipEncode(b) + gzipEncode(c) << a + b + c;
    QTest::newRow("gzip/empty member between")
        << QList<QByteArray>{"gzip"} << gzipEncode(a) + gzipEncode({}) + gzipEncode(c) << a + c;
    QTest::newRow("x-gzip/2 members")
        << QList<QByteArray>{"x-gzip"} << gzipEncode(b, 1) + gzipEncode(a, 9) << b + a;
    QTest::newRow("gzip inside br/2 members")
        << QList<QByteArray>{"gzip", "br"} << brotliEncode(gzipEncode(a) + gzipEncode(b)) << a + b;

    // A skippable frame (magic 0x184D2A5?, little-endian length) carries no content.
    const QByteArray skippable = QByteArray("\x50\x2a\x4d\x18\x03\x00\x00\x00xyz", 11);
    QTest::newRow("zstd/3 frames")
        << QList<QByteArray>{"zstd"} << zstdEncode(a) + zstdEncode(b) + zstdEncode(c) << a + b + c;
    QTest::newRow("zstd/skippable frame between")
        << QList<QByteArray>{"zstd"} << zstdEncode(a) + skippable + zstdEncode(c) << a + c;
    QTest::newRow("zstd/streamed frames")
        << QList<QByteArray>{"zstd"} << zstdRepeated(c, 1000) + zstdRepeated(a, 3)
        << c.repeated(1000) + a.repeated(3);
}

void TestContentDecoderDecoding::concatenatedStreams()
{
    QFETCH(QList<QByteArray>, codings);
    QFETCH(QByteArray, wire);
    QFETCH(QByteArray, expected);

    for (qsizetype split : {qsizetype(1), qsizetype(7), qsizetype(0)}) {
        const Outcome r = run(codings, wire, split);
        QVERIFY2(r.ok, qPrintable(QStringLiteral("split %1: ").arg(split) + describe(r)));
        QVERIFY(r.out == expected);
    }
}

void TestContentDecoderDecoding::emptyBody_data()
{
    QTest::addColumn<QList<QByteArray>>("codings");
    for (const char *coding : {"gzip", "x-gzip", "deflate", "br", "zstd", "identity"})
        QTest::newRow(coding) << QList<QByteArray>{coding};
    QTest::newRow("gzip,br") << QList<QByteArray>{"gzip", "br"};
}

void TestContentDecoderDecoding::emptyBody()
{
    QFETCH(QList<QByteArray>, codings);

    // No body bytes at all (a HEAD-like or empty response still labelled) is not a truncation.
    const Outcome r = run(codings, QByteArrayView(), 0);
    QVERIFY2(r.ok, qPrintable(describe(r)));
    QVERIFY(r.out.isEmpty());
}

void TestContentDecoderDecoding::appendsToExistingOutput_data()
{
    QTest::addColumn<QList<QByteArray>>("codings");
    for (const char *coding : {"gzip", "deflate", "br", "zstd", "identity"})
        QTest::newRow(coding) << QList<QByteArray>{coding};
}

void TestContentDecoderDecoding::appendsToExistingOutput()
{
    QFETCH(QList<QByteArray>, codings);

    const QByteArray prefix("already here:");
    const Outcome r = run(codings, encodeStack(codings, bigMixed()), 7, Limits(), prefix);
    QVERIFY2(r.ok, qPrintable(describe(r)));
    QVERIFY(r.out == prefix + bigMixed());
}

void TestContentDecoderDecoding::lifecycle()
{
    QString error;
    auto decoder = ContentDecoder::create({"gzip"}, Limits(), &error);
    QVERIFY(decoder);
    QVERIFY(error.isEmpty());
    QByteArray out;
    QVERIFY(decoder->decode(gzipEncode(smallText()), &out));
    QVERIFY(decoder->finish(&out));
    QVERIFY(decoder->finish(&out)); // finishing twice is harmless
    QCOMPARE(out, smallText());
    QVERIFY(decoder->errorCode().isEmpty());
    QVERIFY(decoder->errorString().isEmpty());
    // Input after the end is a caller bug, reported rather than decoded.
    QVERIFY(!decoder->decode(gzipEncode(smallText()), &out));
    QCOMPARE(decoder->errorCode(), QByteArray("decode-error"));
    QCOMPARE(out, smallText());

    // The error out-parameter is optional.
    QVERIFY(!ContentDecoder::create({"foo"}, Limits(), nullptr));
    QVERIFY(ContentDecoder::create({}, Limits(), nullptr));
}

void TestContentDecoderDecoding::unsupported_data()
{
    QTest::addColumn<QList<QByteArray>>("codings");
    QTest::addColumn<QString>("error");

    QTest::newRow("foo") << QList<QByteArray>{"foo"}
                         << QStringLiteral("unsupported Content-Encoding: foo");
    QTest::newRow("case kept") << QList<QByteArray>{"FOO"}
                               << QStringLiteral("unsupported Content-Encoding: FOO");
    QTest::newRow("after gzip") << QList<QByteArray>{"gzip", "compress"}
                                << QStringLiteral("unsupported Content-Encoding: compress");
    QTest::newRow("between") << QList<QByteArray>{"br", "x-compress", "zstd"}
                             << QStringLiteral("unsupported Content-Encoding: x-compress");
    QTest::newRow("trimmed") << QList<QByteArray>{"  lzma "}
                             << QStringLiteral("unsupported Content-Encoding: lzma");
    QTest::newRow("long token cut") << QList<QByteArray>{QByteArray(1000, 'a')}
                                    << QStringLiteral("unsupported Content-Encoding: ") +
                                           QString(64, u'a') + QStringLiteral("...");
}

void TestContentDecoderDecoding::unsupported()
{
    QFETCH(QList<QByteArray>, codings);
    QFETCH(QString, error);

    QString actual;
    QVERIFY(!ContentDecoder::create(codings, Limits(), &actual));
    QCOMPARE(actual, error);
}

void TestContentDecoderDecoding::tooManyCodings_data()
{
    QTest::addColumn<QList<QByteArray>>("codings");
    QTest::addColumn<int>("limit");
    QTest::addColumn<bool>("accepted");

    QList<QByteArray> five;
    for (int i = 0; i < 5; ++i)
        five.append(i % 2 ? "br" : "gzip");
    QTest::newRow("5 at default limit") << five << 5 << true;
    QTest::newRow("6 over default limit") << (five + QList<QByteArray>{"zstd"}) << 5 << false;
    QTest::newRow("6 identity over default limit")
        << QList<QByteArray>(6, "identity") << 5 << false;
    QTest::newRow("3 over limit 2") << QList<QByteArray>{"gzip", "deflate", "zstd"} << 2 << false;
    QTest::newRow("2 at limit 2") << QList<QByteArray>{"gzip", "zstd"} << 2 << true;
    QTest::newRow("unsplit value counted per coding")
        << QList<QByteArray>{"gzip, br, gzip"} << 2 << false;
}

void TestContentDecoderDecoding::tooManyCodings()
{
    QFETCH(QList<QByteArray>, codings);
    QFETCH(int, limit);
    QFETCH(bool, accepted);

    Limits limits;
    limits.maxContentEncodings = limit;
    if (accepted) {
        const Outcome r = run(codings, encodeStack(codings, smallText()), 0, limits);
        QVERIFY2(r.ok, qPrintable(describe(r)));
        QCOMPARE(r.out, smallText());
    } else {
        QString error;
        QVERIFY(!ContentDecoder::create(codings, limits, &error));
        QCOMPARE(error, QStringLiteral("%1 stacked Content-Encodings at most (limit "
                                       "maxContentEncodings)")
                            .arg(limit));
    }
}

QTEST_GUILESS_MAIN(TestContentDecoderDecoding)
#include "tst_contentdecoder_decoding.moc"
