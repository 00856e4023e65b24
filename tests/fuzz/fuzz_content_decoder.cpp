// The content decoders (engine/core/contentdecoder: gzip, x-gzip, deflate, br, zstd, identity,
// stacked) on whatever body a server labels with a Content-Encoding.
//
// Input: byte 0 chooses the codings: bits 0-2 the last applied (undone first), bits 3-5 an
// optional one below it (6 and 7: none), bit 6 a low ratio limit; byte 1 seeds how the rest is
// cut into reads; the rest is the body as it came off the wire.
//
// Checked beyond ASan/UBSan: decoding is streaming (the same bytes whole and in pieces decode to
// the same output, or fail with the same code when the data is bad), the output never outgrows
// the ratio limit by more than one call's worth, and a failure has a code and a message.

#include "core/contentdecoder.h"
#include "fuzzinput.h"

using namespace hopscope;
using namespace hopscope::fuzz;

namespace {

struct Outcome
{
    bool ok = true;
    QByteArray code;
    QByteArray out;
};

Outcome decodeAll(const QList<QByteArray> &codings, const Limits &limits,
                  const QList<QByteArrayView> &pieces, qint64 maxOut)
{
    Outcome o;
    QString error;
    std::unique_ptr<ContentDecoder> d = ContentDecoder::create(codings, limits, &error);
    check(d != nullptr, "a known coding was refused");
    for (QByteArrayView piece : pieces) {
        const QByteArray copy = piece.toByteArray(); // its own allocation, like a read
        if (!d->decode(copy, &o.out)) {
            o.ok = false;
            break;
        }
        check(o.out.size() <= maxOut, "output past the ratio limit");
    }
    if (o.ok)
        o.ok = d->finish(&o.out);
    if (!o.ok) {
        o.code = d->errorCode();
        check(!o.code.isEmpty() && !d->errorString().isEmpty(), "a failure without code or text");
    }
    return o;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const QByteArray names[] = {"gzip", "deflate", "br", "zstd", "x-gzip", "identity"};
    QList<QByteArray> codings;
    const int below = (data[0] >> 3) & 7;
    if (below < 6)
        codings.append(names[below]);
    codings.append(names[(data[0] & 7) % 6]);
    Limits limits;
    if (data[0] & 0x40) {
        limits.maxDecodedGraceBytes = 4096;
        limits.maxDecodeRatio = 4.0;
    }
    const QByteArrayView body(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));
    // Past the grace, output may exceed ratio x input only by what one decode() call produces
    // before it checks (its input times the largest ratio a coding allows per call is bounded by
    // the grace: the decoders stop within it). Twice the larger bound leaves that room.
    const qint64 maxOut = 2 * qMax<qint64>(limits.maxDecodedGraceBytes,
                                           qint64(limits.maxDecodeRatio * double(body.size()))) +
                          (1 << 20);

    const Outcome whole = decodeAll(codings, limits, slices(body, 0), maxOut);
    const Outcome cut = decodeAll(codings, limits, slices(body, data[1] | 1), maxOut);
    const bool limited = whole.code.startsWith("limit:") || cut.code.startsWith("limit:");
    if (!limited) {
        // A ratio limit may be hit at a different piece; anything else must not depend on it.
        check(whole.ok == cut.ok, "pieces changed whether the body decodes");
        check(whole.code == cut.code, "pieces changed the error code");
        if (whole.ok)
            check(whole.out == cut.out, "pieces changed the decoded bytes");
        else
            check(cut.out.startsWith(whole.out) || whole.out.startsWith(cut.out),
                  "pieces changed the bytes decoded before an error");
    }
    return 0;
}
