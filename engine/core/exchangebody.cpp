#include "core/exchangebody.h"

#include "core/contentdecoder.h"
#include "core/exchange.h"
#include "core/httpheader.h"

namespace hopscope {

ExchangeBody bodyOfExchange(const Exchange &ex)
{
    ExchangeBody body;
    body.req = ex.id();
    body.contentType = headerValue(ex.responseHeaders, "content-type").toLower();
    const QList<QByteArray> codings = headerTokens(ex.responseHeaders, "content-encoding");
    body.contentEncoding = codings.join(", ");
    body.wire = ex.bodyPreview;
    body.wireTruncated = ex.wireBodyBytes() > ex.bodyPreview.size();
    const RequestSpec &spec = ex.spec();
    body.requestBody = spec.body.left(spec.limits.maxBodyInMemory);
    body.decoded = body.wire;
    body.decodedTruncated = body.wireTruncated;
    if (!codings.isEmpty() && !body.wire.isEmpty()) {
        QString error;
        if (auto decoder = ContentDecoder::create(codings, spec.limits, &error)) {
            QByteArray out;
            const bool ok = decoder->decode(body.wire, &out) && decoder->finish(&out);
            body.decoded = out.left(spec.limits.maxBodyInMemory);
            body.decodedTruncated = !ok || out.size() > body.decoded.size();
        }
    }
    return body;
}

} // namespace hopscope
