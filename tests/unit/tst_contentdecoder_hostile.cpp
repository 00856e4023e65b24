// ContentDecoder on hostile bodies: corrupt and truncated streams fail with a precise, sticky
// error; zstd's window limit; 1 GiB bombs stopped by the ratio and size limits in bounded
// memory, a custom ratio limit, and legitimately compressible bodies that must still pass.

#include "contentdecoderfixtures.h"

#include <QTest>

using namespace hopscope;
using namespace hopscope::test::content;

class TestContentDecoderHostile : public QObject
{
    Q_OBJECT

private slots:
    void corrupt_data();
    void corrupt();
    void truncated_data();
    void truncated();
    void zstdWindowLimit_data();
    void zstdWindowLimit();
    void bomb_data();
    void bomb();
    void customRatioLimit_data();
    void customRatioLimit();
    void legitimateHighRatio_data();
    void legitimateHighRatio();
};

void TestContentDecoderHostile::corrupt_data()
{
    QTest::addColumn<QList<QByteArray>>("codings");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QString>("error"); // expected prefix

    const QByteArray text = smallText();
    const QByteArray big = bigMixed();
    const QByteArray garbage("garbage!");
    auto flip = [](QByteArray data, qsizetype pos) {
        data[pos] = char(data.at(pos) ^ 0x55);
        return data;
    };

    const QByteArray gz = gzipEncode(text);
    QTest::newRow("gzip/bad magic")
        << QList<QByteArray>{"gzip"} << QByteArray("not gzip at all")
        << QStringLiteral("gzip data is corrupt: incorrect header check");
    QTest::newRow("gzip/crc") << QList<QByteArray>{"gzip"} << flip(gz, gz.size() - 6)
                              << QStringLiteral("gzip data is corrupt: incorrect data check");
    QTest::newRow("gzip/length") << QList<QByteArray>{"gzip"} << flip(gz, gz.size() - 2)
                                 << QStringLiteral("gzip data is corrupt: incorrect length check");
    QTest::newRow("gzip/body") << QList<QByteArray>{"gzip"}
                               << flip(gzipEncode(big), gzipEncode(big).size() / 2)
                               << QStringLiteral("gzip data is corrupt: ");
    QTest::newRow("gzip/trailing garbage")
        << QList<QByteArray>{"gzip"} << gz + garbage
        << QStringLiteral("gzip data is corrupt: incorrect header check");
    QTest::newRow("x-gzip/bad magic")
        << QList<QByteArray>{"X-GZIP"} << garbage << QStringLiteral("x-gzip data is corrupt: ");

    const QByteArray zl = zlibEncode(text);
    QTest::newRow("deflate/adler") << QList<QByteArray>{"deflate"} << flip(zl, zl.size() - 1)
                                   << QStringLiteral("deflate data is corrupt: incorrect data "
                                                     "check");
    QTest::newRow("deflate/trailing garbage")
        << QList<QByteArray>{"deflate"} << zl + garbage
        << QStringLiteral("deflate data is corrupt: data after the end of the stream");
    QTest::newRow("deflate-raw/trailing garbage")
        << QList<QByteArray>{"deflate"} << rawDeflateEncode(text) + garbage
        << QStringLiteral("deflate data is corrupt: data after the end of the stream");
    // BFINAL=1, BTYPE=11: a reserved block type.
    QTest::newRow("deflate-raw/invalid block type")
        << QList<QByteArray>{"deflate"} << QByteArray("\x07\x00\x00\x00", 4)
        << QStringLiteral("deflate data is corrupt: invalid block type");
    {
        z_stream z = {};
        deflateInit(&z, 6);
        deflateSetDictionary(&z, reinterpret_cast<const Bytef *>("dictionary"), 10);
        QByteArray buf(256, Qt::Uninitialized);
        z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(text.constData()));
        z.avail_in = uInt(text.size());
        z.next_out = reinterpret_cast<Bytef *>(buf.data());
        z.avail_out = uInt(buf.size());
        deflate(&z, Z_FINISH);
        buf.resize(buf.size() - qsizetype(z.avail_out));
        deflateEnd(&z);
        QTest::newRow("deflate/preset dictionary")
            << QList<QByteArray>{"deflate"} << buf
            << QStringLiteral("deflate data is corrupt: needs a preset dictionary");
    }

    // 0x11 encodes an invalid window size (RFC 7932 §9.1).
    QTest::newRow("br/bad window bits")
        << QList<QByteArray>{"br"} << QByteArray("\x11\x00\x00\x00garbage", 11)
        << QStringLiteral("br data is corrupt");
    QTest::newRow("br/trailing garbage")
        << QList<QByteArray>{"br"} << brotliEncode(text) + garbage
        << QStringLiteral("br data is corrupt: data after the end of the stream");
    QTest::newRow("br/second stream")
        << QList<QByteArray>{"br"} << brotliEncode(text) + brotliEncode(text)
        << QStringLiteral("br data is corrupt: data after the end of the stream");

    QTest::newRow("zstd/bad magic") << QList<QByteArray>{"zstd"} << garbage
                                    << QStringLiteral("zstd data is corrupt: Unknown frame "
                                                      "descriptor");
    QTest::newRow("zstd/trailing garbage")
        << QList<QByteArray>{"zstd"} << zstdEncode(text) + garbage
        << QStringLiteral("zstd data is corrupt: Unknown frame descriptor");
    const QByteArray checked = zstdRepeated(text, 1, 0, true);
    QTest::newRow("zstd/checksum") << QList<QByteArray>{"zstd"} << flip(checked, checked.size() - 1)
                                   << QStringLiteral("zstd data is corrupt: Restored data doesn't "
                                                     "match checksum");

    // The inner coding's error surfaces through the outer one.
    QTest::newRow("gzip,br/inner corrupt")
        << QList<QByteArray>{"gzip", "br"} << brotliEncode("not gzip at all")
        << QStringLiteral("gzip data is corrupt: incorrect header check");
    QTest::newRow("deflate,zstd/outer corrupt")
        << QList<QByteArray>{"deflate", "zstd"} << garbage
        << QStringLiteral("zstd data is corrupt: Unknown frame descriptor");
}

void TestContentDecoderHostile::corrupt()
{
    QFETCH(QList<QByteArray>, codings);
    QFETCH(QByteArray, wire);
    QFETCH(QString, error);

    for (qsizetype split : {qsizetype(1), qsizetype(7), qsizetype(0)}) {
        const Outcome r = run(codings, wire, split);
        const QString context = QStringLiteral("split %1: ").arg(split) + describe(r);
        QVERIFY2(r.created && !r.ok, qPrintable(context));
        QVERIFY2(r.code == "decode-error", qPrintable(context));
        QVERIFY2(r.error.startsWith(error), qPrintable(context));
        QVERIFY2(r.sticky, qPrintable(context));
    }
}

void TestContentDecoderHostile::truncated_data()
{
    QTest::addColumn<QList<QByteArray>>("codings");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QString>("error");

    const QList<std::pair<const char *, QList<QByteArray>>> sets = {
        {"gzip", {"gzip"}},
        {"x-gzip", {"x-gzip"}},
        {"deflate-zlib", {"deflate"}},
        {"deflate-raw", {"deflate-raw"}},
        {"br", {"br"}},
        {"zstd", {"zstd"}},
        {"gzip,br", {"gzip", "br"}},
        {"deflate,zstd", {"deflate", "zstd"}},
    };
    for (const auto &[name, codings] : sets) {
        // The outermost coding (listed last) is where the cut is noticed first.
        QByteArray outer = codings.last().toLower();
        if (outer == "deflate-raw")
            outer = "deflate";
        const QString error = QString::fromLatin1(outer) + QStringLiteral(" stream ended early");
        for (const QByteArray &input : {smallText(), bigMixed()}) {
            const char *size = input.size() == smallText().size() ? "small" : "big";
            const QByteArray wire = encodeStack(codings, input);
            QTest::addRow("%s/%s/half", name, size)
                << decoderNames(codings) << wire.left(wire.size() / 2) << error;
            QTest::addRow("%s/%s/last byte cut", name, size)
                << decoderNames(codings) << wire.chopped(1) << error;
        }
        QTest::addRow("%s/first byte only", name)
            << decoderNames(codings) << encodeStack(codings, smallText()).left(1) << error;
    }
    // Cut inside a later gzip member.
    const QByteArray members = gzipEncode(smallText()) + gzipEncode(smallText());
    QTest::newRow("gzip/second member cut") << QList<QByteArray>{"gzip"} << members.chopped(5)
                                            << QStringLiteral("gzip stream ended early");
}

void TestContentDecoderHostile::truncated()
{
    QFETCH(QList<QByteArray>, codings);
    QFETCH(QByteArray, wire);
    QFETCH(QString, error);

    for (qsizetype split : {qsizetype(1), qsizetype(7), qsizetype(0)}) {
        const Outcome r = run(codings, wire, split);
        const QString context = QStringLiteral("split %1: ").arg(split) + describe(r);
        // A prefix of a valid stream is valid so far: only the end tells.
        QVERIFY2(r.decodeOk, qPrintable(context));
        QVERIFY2(!r.ok, qPrintable(context));
        QVERIFY2(r.code == "truncated", qPrintable(context));
        QVERIFY2(r.error == error, qPrintable(context));
        QVERIFY2(r.sticky, qPrintable(context));
    }
}

void TestContentDecoderHostile::zstdWindowLimit_data()
{
    QTest::addColumn<int>("windowLog");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("8 MiB window (RFC 9659 maximum)") << 23 << true;
    QTest::newRow("16 MiB window") << 24 << false;
    QTest::newRow("128 MiB window") << 27 << false;
}

void TestContentDecoderHostile::zstdWindowLimit()
{
    QFETCH(int, windowLog);
    QFETCH(bool, accepted);

    const QByteArray input = bigMixed();
    const Outcome r = run({"zstd"}, zstdRepeated(input, 1, windowLog), 0);
    if (accepted) {
        QVERIFY2(r.ok, qPrintable(describe(r)));
        QVERIFY(r.out == input);
    } else {
        QVERIFY2(!r.ok, qPrintable(describe(r)));
        QCOMPARE(r.code, QByteArray("decode-error"));
        QCOMPARE(r.error, QStringLiteral("zstd data is corrupt: frame needs a window over 8 MiB, "
                                         "more than RFC 9659 allows"));
        QVERIFY(r.out.isEmpty());
    }
}

void TestContentDecoderHostile::bomb_data()
{
    QTest::addColumn<QList<QByteArray>>("codings");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<qsizetype>("split");

    QTest::newRow("gzip/whole") << QList<QByteArray>{"gzip"} << gzipBomb() << qsizetype(0);
    QTest::newRow("gzip/64KiB") << QList<QByteArray>{"gzip"} << gzipBomb() << 64 * KiB;
    QTest::newRow("gzip/7") << QList<QByteArray>{"gzip"} << gzipBomb() << qsizetype(7);
    QTest::newRow("x-gzip/whole") << QList<QByteArray>{"x-gzip"} << gzipBomb() << qsizetype(0);
    QTest::newRow("deflate-zlib/whole")
        << QList<QByteArray>{"deflate"} << zlibBomb() << qsizetype(0);
    QTest::newRow("deflate-raw/whole")
        << QList<QByteArray>{"deflate"} << rawDeflateBomb() << qsizetype(0);
    QTest::newRow("zstd/whole") << QList<QByteArray>{"zstd"} << zstdBomb() << qsizetype(0);
    QTest::newRow("zstd/1") << QList<QByteArray>{"zstd"} << zstdBomb() << qsizetype(1);
    QTest::newRow("br/whole") << QList<QByteArray>{"br"} << brotliBomb() << qsizetype(0);
    QTest::newRow("br/64KiB") << QList<QByteArray>{"br"} << brotliBomb() << 64 * KiB;
    // Compressing the bomb once more shrinks the wire further; the inner stage must still stop.
    QTest::newRow("gzip,zstd/whole")
        << QList<QByteArray>{"gzip", "zstd"} << zstdEncode(gzipBomb()) << qsizetype(0);
    QTest::newRow("gzip,br/whole")
        << QList<QByteArray>{"gzip", "br"} << brotliEncode(gzipBomb(), 1) << qsizetype(0);
}

void TestContentDecoderHostile::bomb()
{
    QFETCH(QList<QByteArray>, codings);
    QFETCH(QByteArray, wire);
    QFETCH(qsizetype, split);

    const Limits limits;
    // A 1 GiB bomb must be stopped right after the grace output, not after 100x its wire size.
    QVERIFY(wire.size() < 2 * MiB);
    const Outcome r = run(codings, wire, split, limits);
    QVERIFY2(r.created && !r.decodeOk, qPrintable(describe(r)));
    QCOMPARE(r.code, QByteArray("limit:maxDecodeRatio"));
    QVERIFY2(r.error.startsWith(QStringLiteral("decompression ratio exceeds 100:1 after ")),
             qPrintable(r.error));
    QVERIFY2(r.error.endsWith(QStringLiteral(" decoded bytes (limit maxDecodeRatio)")),
             qPrintable(r.error));
    QVERIFY2(r.out.size() > limits.maxDecodedGraceBytes, qPrintable(describe(r)));
    QVERIFY2(r.out.size() <= limits.maxDecodedGraceBytes + 1 * MiB, qPrintable(describe(r)));
    QVERIFY(std::all_of(r.out.cbegin(), r.out.cend(), [](char c) { return c == '\0'; }));
    QVERIFY(r.sticky);
}

void TestContentDecoderHostile::customRatioLimit_data()
{
    QTest::addColumn<QByteArray>("coding");
    QTest::addColumn<double>("ratio");
    QTest::addColumn<bool>("accepted");

    for (const char *coding : {"gzip", "br", "zstd"}) {
        QTest::addRow("%s/ratio 5", coding) << QByteArray(coding) << 5.0 << false;
        QTest::addRow("%s/ratio 200", coding) << QByteArray(coding) << 200.0 << true;
    }
}

void TestContentDecoderHostile::customRatioLimit()
{
    QFETCH(QByteArray, coding);
    QFETCH(double, ratio);
    QFETCH(bool, accepted);

    Limits limits;
    limits.maxDecodedGraceBytes = 1 * MiB;
    limits.maxDecodeRatio = ratio;
    const QByteArray input = logText(4 * MiB);
    const QByteArray wire = encodeOne(coding, input);
    QVERIFY(input.size() > 10 * wire.size()); // compresses well beyond 5:1, well below 200:1
    const Outcome r = run({coding}, wire, 0, limits);
    if (accepted) {
        QVERIFY2(r.ok, qPrintable(describe(r)));
        QVERIFY(r.out == input);
    } else {
        QVERIFY2(!r.ok, qPrintable(describe(r)));
        QCOMPARE(r.code, QByteArray("limit:maxDecodeRatio"));
        QVERIFY2(r.error.startsWith(QStringLiteral("decompression ratio exceeds 5:1 after ")),
                 qPrintable(r.error));
        QVERIFY2(r.out.size() > limits.maxDecodedGraceBytes, qPrintable(describe(r)));
        QVERIFY2(r.out.size() <= limits.maxDecodedGraceBytes + 256 * KiB, qPrintable(describe(r)));
    }
}

void TestContentDecoderHostile::legitimateHighRatio_data()
{
    QTest::addColumn<QList<QByteArray>>("codings");
    QTest::addColumn<qsizetype>("split");

    for (const char *coding : {"gzip", "deflate", "deflate-raw", "br", "zstd"}) {
        QTest::addRow("%s/whole", coding) << QList<QByteArray>{coding} << qsizetype(0);
        QTest::addRow("%s/4KiB", coding) << QList<QByteArray>{coding} << 4 * KiB;
    }
}

void TestContentDecoderHostile::legitimateHighRatio()
{
    QFETCH(QList<QByteArray>, codings);
    QFETCH(qsizetype, split);

    static const QByteArray input = logText(20 * MiB);
    const QByteArray wire = encodeStack(codings, input);
    const double ratio = double(input.size()) / double(wire.size());
    // Large enough to matter, below the default limit of 100: such bodies must decode.
    QVERIFY2(ratio > 20 && ratio < 100, qPrintable(QString::number(ratio)));
    const Outcome r = run(decoderNames(codings), wire, split);
    QVERIFY2(r.ok, qPrintable(describe(r)));
    QVERIFY(r.out == input);
}

QTEST_GUILESS_MAIN(TestContentDecoderHostile)
#include "tst_contentdecoder_hostile.moc"
