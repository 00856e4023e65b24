#include "core/contentdecoder.h"

#include <QTest>

#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <random>

using namespace hopscope;

namespace {

constexpr qsizetype KiB = 1024;
constexpr qsizetype MiB = 1024 * KiB;

// ---- encoders: fixtures come from the real libraries, never from canned bytes ----------------

// Streams `repeat` copies of chunk through deflate, so a 1 GiB bomb never exists uncompressed.
// windowBits: 8..15 zlib-wrapped, -15..-8 raw, +16 gzip.
QByteArray deflateRepeated(QByteArrayView chunk, qint64 repeat, int windowBits,
                           int level = Z_DEFAULT_COMPRESSION)
{
    z_stream z = {};
    if (deflateInit2(&z, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        qFatal("deflateInit2 failed");
    QByteArray out;
    QByteArray buf(64 * KiB, Qt::Uninitialized);
    auto pump = [&](int flush) {
        int ret = Z_OK;
        do {
            z.next_out = reinterpret_cast<Bytef *>(buf.data());
            z.avail_out = uInt(buf.size());
            ret = deflate(&z, flush);
            out.append(buf.constData(), buf.size() - qsizetype(z.avail_out));
        } while (z.avail_out == 0 || (flush == Z_FINISH && ret != Z_STREAM_END));
    };
    for (qint64 i = 0; i < repeat; ++i) {
        z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(chunk.data()));
        z.avail_in = uInt(chunk.size());
        pump(Z_NO_FLUSH);
    }
    pump(Z_FINISH);
    deflateEnd(&z);
    return out;
}

QByteArray gzipEncode(QByteArrayView data, int level = Z_DEFAULT_COMPRESSION)
{
    return deflateRepeated(data, 1, MAX_WBITS + 16, level);
}

QByteArray zlibEncode(QByteArrayView data, int level = Z_DEFAULT_COMPRESSION,
                      int windowBits = MAX_WBITS)
{
    return deflateRepeated(data, 1, windowBits, level);
}

QByteArray rawDeflateEncode(QByteArrayView data, int level = Z_DEFAULT_COMPRESSION)
{
    return deflateRepeated(data, 1, -MAX_WBITS, level);
}

QByteArray brotliEncode(QByteArrayView data, int quality = 5)
{
    size_t size = BrotliEncoderMaxCompressedSize(size_t(data.size()));
    QByteArray out(qsizetype(size), Qt::Uninitialized);
    if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC,
                               size_t(data.size()), reinterpret_cast<const uint8_t *>(data.data()),
                               &size, reinterpret_cast<uint8_t *>(out.data())))
        qFatal("BrotliEncoderCompress failed");
    out.resize(qsizetype(size));
    return out;
}

QByteArray brotliRepeated(QByteArrayView chunk, qint64 repeat, int quality)
{
    BrotliEncoderState *state = BrotliEncoderCreateInstance(nullptr, nullptr, nullptr);
    BrotliEncoderSetParameter(state, BROTLI_PARAM_QUALITY, uint32_t(quality));
    QByteArray out;
    QByteArray buf(64 * KiB, Qt::Uninitialized);
    for (qint64 i = 0; i <= repeat; ++i) {
        const bool last = i == repeat;
        const BrotliEncoderOperation op = last ? BROTLI_OPERATION_FINISH : BROTLI_OPERATION_PROCESS;
        size_t availIn = last ? 0 : size_t(chunk.size());
        const uint8_t *nextIn = reinterpret_cast<const uint8_t *>(chunk.data());
        while (availIn > 0 || BrotliEncoderHasMoreOutput(state) ||
               (last && !BrotliEncoderIsFinished(state))) {
            size_t availOut = size_t(buf.size());
            uint8_t *nextOut = reinterpret_cast<uint8_t *>(buf.data());
            if (!BrotliEncoderCompressStream(state, op, &availIn, &nextIn, &availOut, &nextOut,
                                             nullptr))
                qFatal("BrotliEncoderCompressStream failed");
            out.append(buf.constData(), buf.size() - qsizetype(availOut));
        }
    }
    BrotliEncoderDestroyInstance(state);
    return out;
}

QByteArray zstdEncode(QByteArrayView data, int level = 3)
{
    QByteArray out(qsizetype(ZSTD_compressBound(size_t(data.size()))), Qt::Uninitialized);
    const size_t size =
        ZSTD_compress(out.data(), size_t(out.size()), data.data(), size_t(data.size()), level);
    if (ZSTD_isError(size))
        qFatal("ZSTD_compress failed");
    out.resize(qsizetype(size));
    return out;
}

// Streaming zstd with the content size left out of the frame header, so the frame declares its
// window (windowLog, 0 = level default) instead of a single segment.
QByteArray zstdRepeated(QByteArrayView chunk, qint64 repeat, int windowLog = 0,
                        bool checksum = false)
{
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
    if (windowLog)
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, windowLog);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, checksum ? 1 : 0);
    QByteArray out;
    QByteArray buf(64 * KiB, Qt::Uninitialized);
    for (qint64 i = 0; i <= repeat; ++i) {
        const bool last = i == repeat;
        ZSTD_inBuffer in{chunk.data(), last ? 0 : size_t(chunk.size()), 0};
        size_t ret = 0;
        do {
            ZSTD_outBuffer o{buf.data(), size_t(buf.size()), 0};
            ret = ZSTD_compressStream2(cctx, &o, &in, last ? ZSTD_e_end : ZSTD_e_continue);
            if (ZSTD_isError(ret))
                qFatal("ZSTD_compressStream2 failed");
            out.append(buf.constData(), qsizetype(o.pos));
        } while (last ? ret != 0 : in.pos < in.size);
    }
    ZSTD_freeCCtx(cctx);
    return out;
}

// By (lower-case) coding name; "deflate-raw" is deflate without the zlib wrapper.
QByteArray encodeOne(const QByteArray &coding, const QByteArray &data)
{
    const QByteArray name = coding.toLower();
    if (name == "gzip" || name == "x-gzip")
        return gzipEncode(data);
    if (name == "deflate")
        return zlibEncode(data);
    if (name == "deflate-raw")
        return rawDeflateEncode(data);
    if (name == "br")
        return brotliEncode(data);
    if (name == "zstd")
        return zstdEncode(data);
    if (name == "identity")
        return data;
    qFatal("no encoder for %s", name.constData());
}

// Applies codings in header order: the first listed is applied first.
QByteArray encodeStack(const QList<QByteArray> &codings, QByteArray data)
{
    for (const QByteArray &coding : codings)
        data = encodeOne(coding, data);
    return data;
}

QList<QByteArray> decoderNames(QList<QByteArray> codings)
{
    for (QByteArray &coding : codings) {
        if (coding.toLower() == "deflate-raw")
            coding = "deflate";
    }
    return codings;
}

// ---- inputs -----------------------------------------------------------------------------------

QByteArray smallText()
{
    return QByteArrayLiteral("HTTP/1.1 inspector says hello.\nContent-Encoding: gzip, br\n");
}

// 1 MiB alternating pseudo-random and text blocks: both stored-like and well-compressed
// stretches, and long enough for several output steps and blocks in every format.
const QByteArray &bigMixed()
{
    static const QByteArray data = [] {
        std::mt19937 rng(20240501);
        QByteArray out;
        out.reserve(MiB);
        int line = 0;
        while (out.size() < MiB) {
            for (int i = 0; i < 4 * KiB; ++i)
                out.append(char(rng() & 0xff));
            const qsizetype textEnd = out.size() + 4 * KiB;
            while (out.size() < textEnd) {
                out.append("line ");
                out.append(QByteArray::number(line++));
                out.append(": the quick brown fox jumps over the lazy dog\n");
            }
        }
        out.resize(MiB);
        return out;
    }();
    return data;
}

// Log-like text: compresses 25..55:1 with every coding here, well under the default limit.
QByteArray logText(qsizetype size)
{
    static const char *const words[] = {"request", "response", "upgrade", "stream"};
    std::mt19937 rng(42);
    QByteArray out;
    out.reserve(size + 128);
    while (out.size() < size) {
        out.append("2024-05-01T12:00:00Z INFO ");
        out.append(words[rng() % 4]);
        out.append(' ');
        out.append(words[rng() % 4]);
        out.append(" id=0 path=/api/v1/items status=200\n");
    }
    out.resize(size);
    return out;
}

// ---- bombs: 1 GiB of zeros, built once in compressed form only --------------------------------

constexpr qint64 kBombChunks = 1024; // of 1 MiB

const QByteArray &zeroChunk()
{
    static const QByteArray chunk(MiB, '\0');
    return chunk;
}

const QByteArray &gzipBomb()
{
    static const QByteArray bomb = deflateRepeated(zeroChunk(), kBombChunks, MAX_WBITS + 16);
    return bomb;
}

// zlib's gzip output is a 10-byte header, raw deflate, and an 8-byte trailer: rewrapping the
// gzip bomb saves compressing the gigabyte twice more.
QByteArray rawDeflateBomb()
{
    const QByteArray &gz = gzipBomb();
    return gz.mid(10, gz.size() - 18);
}

QByteArray zlibBomb()
{
    uLong adler = adler32(0, nullptr, 0);
    for (qint64 i = 0; i < kBombChunks; ++i) {
        adler = adler32(adler, reinterpret_cast<const Bytef *>(zeroChunk().constData()),
                        uInt(zeroChunk().size()));
    }
    QByteArray out("\x78\x9c", 2);
    out += rawDeflateBomb();
    for (int shift = 24; shift >= 0; shift -= 8)
        out.append(char((adler >> shift) & 0xff));
    return out;
}

const QByteArray &zstdBomb()
{
    static const QByteArray bomb = zstdRepeated(zeroChunk(), kBombChunks);
    return bomb;
}

const QByteArray &brotliBomb()
{
    // Quality 1 is the cheap one on zeros (~0.1 s) and still expands far beyond 100:1.
    static const QByteArray bomb = brotliRepeated(zeroChunk(), kBombChunks, 1);
    return bomb;
}

// ---- driving the decoder ----------------------------------------------------------------------

struct Outcome
{
    bool created = false;
    bool decodeOk = false; // every decode() returned true
    bool ok = false;       // ... and finish() too
    bool sticky = true;    // after an error, decode() and finish() keep failing the same way
    QByteArray out;
    QString error;
    QByteArray code;
};

// split: bytes per decode() call, 0 = all at once.
Outcome run(const QList<QByteArray> &codings, QByteArrayView wire, qsizetype split,
            const Limits &limits = Limits(), QByteArray out = QByteArray())
{
    Outcome r;
    r.out = std::move(out);
    auto decoder = ContentDecoder::create(codings, limits, &r.error);
    if (!decoder)
        return r;
    r.created = true;
    r.decodeOk = true;
    const qsizetype step = split > 0 ? split : std::max<qsizetype>(wire.size(), 1);
    qsizetype pos = 0;
    do {
        const qsizetype n = std::min(step, wire.size() - pos);
        if (!decoder->decode(wire.sliced(pos, n), &r.out)) {
            r.decodeOk = false;
            break;
        }
        pos += n;
    } while (pos < wire.size());
    r.ok = r.decodeOk && decoder->finish(&r.out);
    r.error = decoder->errorString();
    r.code = decoder->errorCode();
    if (!r.ok) {
        QByteArray scratch;
        r.sticky = !decoder->decode(QByteArrayView("x", 1), &scratch) &&
                   !decoder->finish(&scratch) && scratch.isEmpty() &&
                   decoder->errorCode() == r.code && decoder->errorString() == r.error;
    }
    return r;
}

QString describe(const Outcome &r)
{
    return QStringLiteral("created=%1 ok=%2 code=%3 error=%4 out=%5 bytes")
        .arg(r.created)
        .arg(r.ok)
        .arg(QString::fromLatin1(r.code), r.error)
        .arg(r.out.size());
}

} // namespace

class TestContentDecoder : public QObject
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

void TestContentDecoder::roundtrip_data()
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

void TestContentDecoder::roundtrip()
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

void TestContentDecoder::deflateFlavours_data()
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

void TestContentDecoder::deflateFlavours()
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

void TestContentDecoder::concatenatedStreams_data()
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

void TestContentDecoder::concatenatedStreams()
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

void TestContentDecoder::emptyBody_data()
{
    QTest::addColumn<QList<QByteArray>>("codings");
    for (const char *coding : {"gzip", "x-gzip", "deflate", "br", "zstd", "identity"})
        QTest::newRow(coding) << QList<QByteArray>{coding};
    QTest::newRow("gzip,br") << QList<QByteArray>{"gzip", "br"};
}

void TestContentDecoder::emptyBody()
{
    QFETCH(QList<QByteArray>, codings);

    // No body bytes at all (a HEAD-like or empty response still labelled) is not a truncation.
    const Outcome r = run(codings, QByteArrayView(), 0);
    QVERIFY2(r.ok, qPrintable(describe(r)));
    QVERIFY(r.out.isEmpty());
}

void TestContentDecoder::appendsToExistingOutput_data()
{
    QTest::addColumn<QList<QByteArray>>("codings");
    for (const char *coding : {"gzip", "deflate", "br", "zstd", "identity"})
        QTest::newRow(coding) << QList<QByteArray>{coding};
}

void TestContentDecoder::appendsToExistingOutput()
{
    QFETCH(QList<QByteArray>, codings);

    const QByteArray prefix("already here:");
    const Outcome r = run(codings, encodeStack(codings, bigMixed()), 7, Limits(), prefix);
    QVERIFY2(r.ok, qPrintable(describe(r)));
    QVERIFY(r.out == prefix + bigMixed());
}

void TestContentDecoder::lifecycle()
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

void TestContentDecoder::unsupported_data()
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

void TestContentDecoder::unsupported()
{
    QFETCH(QList<QByteArray>, codings);
    QFETCH(QString, error);

    QString actual;
    QVERIFY(!ContentDecoder::create(codings, Limits(), &actual));
    QCOMPARE(actual, error);
}

void TestContentDecoder::tooManyCodings_data()
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

void TestContentDecoder::tooManyCodings()
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

void TestContentDecoder::corrupt_data()
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

void TestContentDecoder::corrupt()
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

void TestContentDecoder::truncated_data()
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

void TestContentDecoder::truncated()
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

void TestContentDecoder::zstdWindowLimit_data()
{
    QTest::addColumn<int>("windowLog");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("8 MiB window (RFC 9659 maximum)") << 23 << true;
    QTest::newRow("16 MiB window") << 24 << false;
    QTest::newRow("128 MiB window") << 27 << false;
}

void TestContentDecoder::zstdWindowLimit()
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

void TestContentDecoder::bomb_data()
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

void TestContentDecoder::bomb()
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

void TestContentDecoder::customRatioLimit_data()
{
    QTest::addColumn<QByteArray>("coding");
    QTest::addColumn<double>("ratio");
    QTest::addColumn<bool>("accepted");

    for (const char *coding : {"gzip", "br", "zstd"}) {
        QTest::addRow("%s/ratio 5", coding) << QByteArray(coding) << 5.0 << false;
        QTest::addRow("%s/ratio 200", coding) << QByteArray(coding) << 200.0 << true;
    }
}

void TestContentDecoder::customRatioLimit()
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

void TestContentDecoder::legitimateHighRatio_data()
{
    QTest::addColumn<QList<QByteArray>>("codings");
    QTest::addColumn<qsizetype>("split");

    for (const char *coding : {"gzip", "deflate", "deflate-raw", "br", "zstd"}) {
        QTest::addRow("%s/whole", coding) << QList<QByteArray>{coding} << qsizetype(0);
        QTest::addRow("%s/4KiB", coding) << QList<QByteArray>{coding} << 4 * KiB;
    }
}

void TestContentDecoder::legitimateHighRatio()
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

QTEST_GUILESS_MAIN(TestContentDecoder)
#include "tst_contentdecoder.moc"
