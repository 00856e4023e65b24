#include "core/contentdecoder.h"

#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace hopscope {

namespace {

// Decoded output is produced in steps of at most this size: large enough that per-call overhead
// of the libraries vanishes, small enough that the ratio check runs often while a bomb expands.
constexpr qsizetype kOutputStep = 64 * 1024;
// Smallest step into the caller's buffer, so a small body does not leave 64 KiB of slack there.
constexpr qsizetype kMinOutputStep = 4 * 1024;

// RFC 9659 caps the zstd window for HTTP at 8 MiB and browsers refuse more. Without a cap the
// decoder would allocate whatever window the frame header claims (up to 128 MiB by default).
constexpr int kZstdWindowLogMax = 23;

// Long unknown tokens are cut in error messages: they come from the peer.
constexpr qsizetype kMaxTokenInMessage = 64;

// State shared by the stages of one decoder: where final output goes, how much of the wire input
// has actually been consumed (the denominator of the ratio check) and the first error.
struct Context
{
    Limits limits;
    QByteArray *out = nullptr;
    qint64 wireConsumed = 0;
    QString error;
    QByteArray errorCode;

    bool fail(const QByteArray &code, const QString &message)
    {
        // The first error is the cause; later ones are consequences.
        if (errorCode.isEmpty()) {
            errorCode = code;
            error = message;
        }
        return false;
    }
};

// One coding undone. Stages form a chain: each pushes its output into the next one as it is
// produced, so no stage ever holds more than one output step, whatever the expansion.
class Stage
{
public:
    Stage(Context &ctx, QByteArray name) : m_ctx(ctx), m_name(std::move(name)) {}
    virtual ~Stage() = default;
    Stage(const Stage &) = delete;
    Stage &operator=(const Stage &) = delete;

    void setNext(Stage *next) { m_next = next; }
    void setReadsWire(bool readsWire) { m_readsWire = readsWire; }

    virtual bool isValid() const = 0;
    // Consumes all of in; everything decodable from it is passed on before returning.
    virtual bool feed(QByteArrayView in) = 0;
    // No more input for this stage: fails if the stream stopped in the middle.
    virtual bool end() = 0;

protected:
    struct Window
    {
        char *data;
        qsizetype size;
    };

    // Room for decoded bytes; every window() is matched by exactly one commit().
    Window window()
    {
        if (m_next) {
            if (m_scratch.size() < kOutputStep) // at its size: resize() would take twice that
                m_scratch = QByteArray(kOutputStep, Qt::Uninitialized);
            return {m_scratch.data(), kOutputStep};
        }
        // The last stage decodes straight into the caller's buffer, saving a copy. Spare capacity
        // is used as it is; when it runs out, resize() grows it geometrically (and shrinking back
        // keeps it), so big bodies soon run in full steps at amortised O(1) cost.
        QByteArray *out = m_ctx.out;
        m_outBase = out->size();
        const qsizetype size = std::clamp(out->capacity() - m_outBase, kMinOutputStep, kOutputStep);
        out->resize(m_outBase + size);
        return {out->data() + m_outBase, size};
    }

    bool commit(qsizetype n)
    {
        if (!m_next)
            m_ctx.out->resize(m_outBase + n);
        if (n == 0)
            return true;
        m_produced += n;
        // Checked per step, not per call: one small input can expand to gigabytes. Every stage
        // is checked, so an inner stage cannot grind through a bomb whose outer layer is small.
        const Limits &limits = m_ctx.limits;
        if (m_produced > limits.maxDecodedGraceBytes &&
            double(m_produced) > limits.maxDecodeRatio * double(m_ctx.wireConsumed)) {
            return m_ctx.fail("limit:maxDecodeRatio",
                              QStringLiteral("decompression ratio exceeds %1:1 after %2 decoded "
                                             "bytes (limit maxDecodeRatio)")
                                  .arg(limits.maxDecodeRatio)
                                  .arg(m_produced));
        }
        return !m_next || m_next->feed(QByteArrayView(m_scratch.constData(), n));
    }

    // Counting consumed rather than received wire bytes keeps the ratio honest when one large
    // input is handed over at once: the check then trips right after the grace output.
    void consumed(qint64 n)
    {
        if (m_readsWire)
            m_ctx.wireConsumed += n;
    }

    bool corrupt(const QString &detail = {})
    {
        QString message = QString::fromLatin1(m_name) + QLatin1String(" data is corrupt");
        if (!detail.isEmpty())
            message += QLatin1String(": ") + detail;
        return m_ctx.fail("decode-error", message);
    }

    bool trailingData() { return corrupt(QStringLiteral("data after the end of the stream")); }

    bool truncated()
    {
        return m_ctx.fail("truncated",
                          QString::fromLatin1(m_name) + QLatin1String(" stream ended early"));
    }

    Context &m_ctx;
    const QByteArray m_name;

private:
    Stage *m_next = nullptr;
    bool m_readsWire = false;
    qint64 m_produced = 0;
    qsizetype m_outBase = 0;
    QByteArray m_scratch;
};

// gzip (RFC 1952, several members allowed) and deflate: zlib-wrapped per RFC 9110, or raw as
// many servers send it, told apart by the first two bytes.
class ZlibStage final : public Stage
{
public:
    enum class Format { Gzip, Deflate };

    ZlibStage(Context &ctx, QByteArray name, Format format)
        : Stage(ctx, std::move(name)), m_format(format)
    {
        std::memset(&m_z, 0, sizeof m_z);
        // deflate waits for its first two bytes to pick zlib or raw.
        if (m_format == Format::Gzip)
            m_initialized = inflateInit2(&m_z, MAX_WBITS + 16) == Z_OK;
    }

    ~ZlibStage() override
    {
        if (m_initialized)
            inflateEnd(&m_z);
    }

    bool isValid() const override { return m_format == Format::Deflate || m_initialized; }

    bool feed(QByteArrayView in) override
    {
        if (in.isEmpty())
            return true;
        if (!m_initialized) {
            while (m_headLen < 2 && !in.isEmpty()) {
                m_head[m_headLen++] = in.front();
                in = in.sliced(1);
            }
            const bool firstFits = zlibFirstByte(uchar(m_head[0]));
            if (m_headLen < 2 && firstFits)
                return true; // the second byte decides
            const bool zlib = firstFits && zlibHeader(uchar(m_head[0]), uchar(m_head[1]));
            if (inflateInit2(&m_z, zlib ? MAX_WBITS : -MAX_WBITS) != Z_OK)
                return m_ctx.fail("decode-error", QStringLiteral("out of memory for deflate"));
            m_initialized = true;
            char head[2];
            std::memcpy(head, m_head, sizeof head);
            const qsizetype headLen = std::exchange(m_headLen, 0);
            if (!inflateAll(QByteArrayView(head, headLen)))
                return false;
        }
        return inflateAll(in);
    }

    bool end() override
    {
        if (!m_initialized)
            return m_headLen == 0 || truncated();
        return !m_inStream || truncated();
    }

private:
    // CM = 8 (deflate) and CINFO <= 7 (window up to 32 KiB), RFC 1950 §2.2.
    static bool zlibFirstByte(uchar b) { return (b & 0x0f) == 8 && (b >> 4) <= 7; }
    // Raw deflate can only look like this with a stored block and non-zero padding bits, which
    // no real encoder writes.
    static bool zlibHeader(uchar b0, uchar b1)
    {
        return zlibFirstByte(b0) && ((uint(b0) << 8) | b1) % 31 == 0;
    }

    bool inflateAll(QByteArrayView in)
    {
        // avail_in is 32 bits.
        constexpr qsizetype kMaxPiece = qsizetype(1) << 30;
        while (!in.isEmpty()) {
            const qsizetype piece = std::min(in.size(), kMaxPiece);
            if (!inflatePiece(in.first(piece)))
                return false;
            in = in.sliced(piece);
        }
        return true;
    }

    bool inflatePiece(QByteArrayView in)
    {
        m_z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
        m_z.avail_in = uInt(in.size());
        for (;;) {
            if (m_streamEnded) {
                if (m_z.avail_in == 0)
                    return true;
                if (m_format != Format::Gzip)
                    return trailingData();
                // Whatever follows a gzip member must be another member (RFC 1952 §2.2).
                if (inflateReset(&m_z) != Z_OK)
                    return corrupt(QStringLiteral("cannot reset"));
                m_streamEnded = false;
            }
            const Window out = window();
            m_z.next_out = reinterpret_cast<Bytef *>(out.data);
            m_z.avail_out = uInt(out.size);
            const uInt availIn = m_z.avail_in;
            const int ret = inflate(&m_z, Z_NO_FLUSH);
            const uInt used = availIn - m_z.avail_in;
            consumed(used);
            if (used > 0)
                m_inStream = true;
            const bool outputFull = m_z.avail_out == 0;
            if (!commit(out.size - qsizetype(m_z.avail_out)))
                return false;
            switch (ret) {
            case Z_OK:
                break;
            case Z_STREAM_END:
                m_streamEnded = true;
                m_inStream = false;
                break;
            case Z_BUF_ERROR:
                return true; // no progress possible: all input taken, all output flushed
            case Z_NEED_DICT:
                return corrupt(QStringLiteral("needs a preset dictionary"));
            default:
                return corrupt(QString::fromLatin1(m_z.msg ? m_z.msg : zError(ret)));
            }
            if (!m_streamEnded && m_z.avail_in == 0 && !outputFull)
                return true;
        }
    }

    const Format m_format;
    z_stream m_z;
    bool m_initialized = false;
    bool m_inStream = false;    // input of the current stream/member taken, its end not seen
    bool m_streamEnded = false; // Z_STREAM_END seen and no later member started yet
    char m_head[2] = {};
    qsizetype m_headLen = 0;
};

class BrotliStage final : public Stage
{
public:
    BrotliStage(Context &ctx, QByteArray name)
        : Stage(ctx, std::move(name)),
          m_state(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr))
    {
    }

    ~BrotliStage() override
    {
        if (m_state)
            BrotliDecoderDestroyInstance(m_state);
    }

    bool isValid() const override { return m_state != nullptr; }

    bool feed(QByteArrayView in) override
    {
        if (in.isEmpty())
            return true;
        if (m_done)
            return trailingData();
        m_started = true;
        size_t availIn = size_t(in.size());
        const uint8_t *nextIn = reinterpret_cast<const uint8_t *>(in.data());
        for (;;) {
            const Window out = window();
            size_t availOut = size_t(out.size);
            uint8_t *nextOut = reinterpret_cast<uint8_t *>(out.data);
            const size_t before = availIn;
            const BrotliDecoderResult result = BrotliDecoderDecompressStream(
                m_state, &availIn, &nextIn, &availOut, &nextOut, nullptr);
            consumed(qint64(before - availIn));
            if (!commit(out.size - qsizetype(availOut)))
                return false;
            switch (result) {
            case BROTLI_DECODER_RESULT_ERROR: {
                // The names are like "_ERROR_FORMAT_PADDING_1"; drop the leading underscore.
                const char *name = BrotliDecoderErrorString(BrotliDecoderGetErrorCode(m_state));
                return corrupt(QString::fromLatin1(name && *name == '_' ? name + 1 : name));
            }
            case BROTLI_DECODER_RESULT_SUCCESS:
                m_done = true;
                return availIn == 0 || trailingData();
            case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
                return true;
            case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
                break;
            }
        }
    }

    bool end() override { return !m_started || m_done || truncated(); }

private:
    BrotliDecoderState *m_state;
    bool m_started = false;
    bool m_done = false;
};

// zstd (RFC 8878/9659); a body may hold several frames, each decoded in turn.
class ZstdStage final : public Stage
{
public:
    ZstdStage(Context &ctx, QByteArray name)
        : Stage(ctx, std::move(name)), m_stream(ZSTD_createDStream())
    {
        if (m_stream && (ZSTD_isError(ZSTD_initDStream(m_stream)) ||
                         ZSTD_isError(ZSTD_DCtx_setParameter(m_stream, ZSTD_d_windowLogMax,
                                                             kZstdWindowLogMax)))) {
            ZSTD_freeDStream(m_stream);
            m_stream = nullptr;
        }
    }

    ~ZstdStage() override
    {
        if (m_stream)
            ZSTD_freeDStream(m_stream);
    }

    bool isValid() const override { return m_stream != nullptr; }

    bool feed(QByteArrayView in) override
    {
        if (in.isEmpty())
            return true;
        ZSTD_inBuffer input{in.data(), size_t(in.size()), 0};
        for (;;) {
            const Window out = window();
            ZSTD_outBuffer output{out.data, size_t(out.size), 0};
            const size_t before = input.pos;
            const size_t ret = ZSTD_decompressStream(m_stream, &output, &input);
            consumed(qint64(input.pos - before));
            if (!commit(qsizetype(output.pos)))
                return false;
            if (ZSTD_isError(ret)) {
                if (ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge) {
                    return corrupt(QStringLiteral("frame needs a window over %1 MiB, more than "
                                                  "RFC 9659 allows")
                                       .arg((1 << kZstdWindowLogMax) >> 20));
                }
                return corrupt(QString::fromLatin1(ZSTD_getErrorName(ret)));
            }
            // 0: a frame is complete and flushed; a following byte starts the next one. A call
            // that moved nothing says nothing about frames (after a frame end it hints at the
            // next header).
            if (ret == 0)
                m_inFrame = false;
            else if (input.pos > before || output.pos > 0)
                m_inFrame = true;
            if (input.pos == input.size && (ret == 0 || output.pos < output.size))
                return true;
        }
    }

    bool end() override { return !m_inFrame || truncated(); }

private:
    ZSTD_DStream *m_stream;
    bool m_inFrame = false;
};

class ChainDecoder final : public ContentDecoder
{
public:
    explicit ChainDecoder(const Limits &limits) { m_ctx.limits = limits; }

    Context &context() { return m_ctx; }

    // Stages in decoding order: the first reads the wire.
    void append(std::unique_ptr<Stage> stage)
    {
        if (m_stages.empty())
            stage->setReadsWire(true);
        else
            m_stages.back()->setNext(stage.get());
        m_stages.push_back(std::move(stage));
    }

    bool decode(QByteArrayView in, QByteArray *out) override
    {
        Q_ASSERT(out);
        if (!m_ctx.errorCode.isEmpty())
            return false;
        if (m_finished)
            return m_ctx.fail("decode-error", QStringLiteral("body data after finish()"));
        if (m_stages.empty()) {
            out->append(in);
            return true;
        }
        m_ctx.out = out;
        const bool ok = m_stages.front()->feed(in);
        m_ctx.out = nullptr;
        return ok;
    }

    bool finish(QByteArray *out) override
    {
        Q_UNUSED(out); // stages pass everything on as soon as it is decodable
        if (!m_ctx.errorCode.isEmpty())
            return false;
        if (m_finished)
            return true;
        m_finished = true;
        // Outermost stage first: its truncation is the cause of any inner one.
        for (const std::unique_ptr<Stage> &stage : m_stages) {
            if (!stage->end())
                return false;
        }
        return true;
    }

    QString errorString() const override { return m_ctx.error; }
    QByteArray errorCode() const override { return m_ctx.errorCode; }

private:
    Context m_ctx;
    std::vector<std::unique_ptr<Stage>> m_stages;
    bool m_finished = false;
};

QString tokenForMessage(const QByteArray &token)
{
    if (token.size() <= kMaxTokenInMessage)
        return QString::fromLatin1(token);
    return QString::fromLatin1(token.left(kMaxTokenInMessage)) + QStringLiteral("...");
}

} // namespace

std::unique_ptr<ContentDecoder> ContentDecoder::create(const QList<QByteArray> &codings,
                                                       const Limits &limits, QString *error)
{
    auto setError = [error](const QString &message) {
        if (error)
            *error = message;
    };

    QList<QByteArray> names;
    for (const QByteArray &item : codings) {
        // Tolerates a caller handing over the raw header value unsplit.
        for (const QByteArray &part : item.split(',')) {
            const QByteArray name = part.trimmed();
            if (!name.isEmpty())
                names.append(name);
        }
    }
    if (names.size() > limits.maxContentEncodings) {
        setError(QStringLiteral("%1 stacked Content-Encodings at most (limit maxContentEncodings)")
                     .arg(limits.maxContentEncodings));
        return nullptr;
    }

    auto decoder = std::make_unique<ChainDecoder>(limits);
    Context &ctx = decoder->context();
    // The last coding listed was applied last, so it is undone first.
    for (auto it = names.crbegin(); it != names.crend(); ++it) {
        const QByteArray name = it->toLower();
        std::unique_ptr<Stage> stage;
        if (name == "identity")
            continue;
        if (name == "gzip" || name == "x-gzip")
            stage = std::make_unique<ZlibStage>(ctx, name, ZlibStage::Format::Gzip);
        else if (name == "deflate")
            stage = std::make_unique<ZlibStage>(ctx, name, ZlibStage::Format::Deflate);
        else if (name == "br")
            stage = std::make_unique<BrotliStage>(ctx, name);
        else if (name == "zstd")
            stage = std::make_unique<ZstdStage>(ctx, name);
        if (!stage) {
            setError(QStringLiteral("unsupported Content-Encoding: ") + tokenForMessage(*it));
            return nullptr;
        }
        if (!stage->isValid()) {
            setError(QStringLiteral("cannot set up the %1 decoder (out of memory)")
                         .arg(QString::fromLatin1(name)));
            return nullptr;
        }
        decoder->append(std::move(stage));
    }
    return decoder;
}

} // namespace hopscope
