#pragma once

#include "core/limits.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <memory>

namespace hopscope {

// Decodes a body by its Content-Encoding (gzip, x-gzip, deflate, br, zstd, identity), stacked
// encodings undone in reverse order, with a limit on stacking and on the expansion ratio so a
// decompression bomb ends in an error instead of eating memory. Streaming: any split of the input.
class ContentDecoder
{
public:
    virtual ~ContentDecoder() = default;

    // codings in header order, e.g. {"gzip", "br"} for "Content-Encoding: gzip, br" (br applied
    // last, so undone first). Returns nullptr and sets *error for an unknown coding or too many.
    // An empty list or only "identity" gives a pass-through decoder.
    static std::unique_ptr<ContentDecoder> create(const QList<QByteArray> &codings,
                                                  const Limits &limits, QString *error);

    // Appends decoded bytes to *out. false on error (see errorString()).
    virtual bool decode(QByteArrayView in, QByteArray *out) = 0;
    // End of input: flushes, and fails if a compressed stream was truncated.
    virtual bool finish(QByteArray *out) = 0;
    virtual QString errorString() const = 0;
    // Stable id of the error: "decode-error", "truncated", "limit:maxDecodeRatio".
    virtual QByteArray errorCode() const = 0;
};

} // namespace hopscope
