#pragma once

// What the tst_contentdecoder_* suites share: fixtures made by the real encoders (never canned
// bytes), inputs, 1 GiB bombs built in compressed form only, and a runner that feeds a
// ContentDecoder in pieces and records how it ended.

#include "core/contentdecoder.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <random>

namespace hopscope::test::content {

constexpr qsizetype KiB = 1024;
constexpr qsizetype MiB = 1024 * KiB;

// ---- encoders: fixtures come from the real libraries, never from canned bytes ----------------

// Streams `repeat` copies of chunk through deflate, so a 1 GiB bomb never exists uncompressed.
// windowBits: 8..15 zlib-wrapped, -15..-8 raw, +16 gzip.
inline QByteArray deflateRepeated(QByteArrayView chunk, qint64 repeat, int windowBits,
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

inline QByteArray gzipEncode(QByteArrayView data, int level = Z_DEFAULT_COMPRESSION)
{
    return deflateRepeated(data, 1, MAX_WBITS + 16, level);
}

inline QByteArray zlibEncode(QByteArrayView data, int level = Z_DEFAULT_COMPRESSION,
                             int windowBits = MAX_WBITS)
{
    return deflateRepeated(data, 1, windowBits, level);
}

inline QByteArray rawDeflateEncode(QByteArrayView data, int level = Z_DEFAULT_COMPRESSION)
{
    return deflateRepeated(data, 1, -MAX_WBITS, level);
}

inline QByteArray brotliEncode(QByteArrayView data, int quality = 5)
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

inline QByteArray brotliRepeated(QByteArrayView chunk, qint64 repeat, int quality)
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

inline QByteArray zstdEncode(QByteArrayView data, int level = 3)
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
inline QByteArray zstdRepeated(QByteArrayView chunk, qint64 repeat, int windowLog = 0,
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
inline QByteArray encodeOne(const QByteArray &coding, const QByteArray &data)
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
inline QByteArray encodeStack(const QList<QByteArray> &codings, QByteArray data)
{
    for (const QByteArray &coding : codings)
        data = encodeOne(coding, data);
    return data;
}

inline QList<QByteArray> decoderNames(QList<QByteArray> codings)
{
    for (QByteArray &coding : codings) {
        if (coding.toLower() == "deflate-raw")
            coding = "deflate";
    }
    return codings;
}

// ---- inputs -----------------------------------------------------------------------------------

inline QByteArray smallText()
{
    return QByteArrayLiteral("HTTP/1.1 inspector says hello.\nContent-Encoding: gzip, br\n");
}

// 1 MiB alternating pseudo-random and text blocks: both stored-like and well-compressed
// stretches, and long enough for several output steps and blocks in every format.
inline const QByteArray &bigMixed()
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
inline QByteArray logText(qsizetype size)
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

inline const QByteArray &zeroChunk()
{
    static const QByteArray chunk(MiB, '\0');
    return chunk;
}

inline const QByteArray &gzipBomb()
{
    static const QByteArray bomb = deflateRepeated(zeroChunk(), kBombChunks, MAX_WBITS + 16);
    return bomb;
}

// zlib's gzip output is a 10-byte header, raw deflate, and an 8-byte trailer: rewrapping the
// gzip bomb saves compressing the gigabyte twice more.
inline QByteArray rawDeflateBomb()
{
    const QByteArray &gz = gzipBomb();
    return gz.mid(10, gz.size() - 18);
}

inline QByteArray zlibBomb()
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

inline const QByteArray &zstdBomb()
{
    static const QByteArray bomb = zstdRepeated(zeroChunk(), kBombChunks);
    return bomb;
}

inline const QByteArray &brotliBomb()
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
inline Outcome run(const QList<QByteArray> &codings, QByteArrayView wire, qsizetype split,
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

inline QString describe(const Outcome &r)
{
    return QStringLiteral("created=%1 ok=%2 code=%3 error=%4 out=%5 bytes")
        .arg(r.created)
        .arg(r.ok)
        .arg(QString::fromLatin1(r.code), r.error)
        .arg(r.out.size());
}

} // namespace hopscope::test::content
