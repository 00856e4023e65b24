#include "http2/h2requesthead.h"

#include "http1/http1requestwriter.h"

namespace hopscope {

bool H2RequestHead::isConnectionSpecific(QByteArrayView name)
{
    static const char *const names[] = {"connection",        "keep-alive", "proxy-connection",
                                        "transfer-encoding", "upgrade",    "host"};
    for (const char *n : names) {
        if (name.compare(n, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

HeaderList H2RequestHead::build(const RequestSpec &spec, qint64 bodySize)
{
    // The same defaults and user overrides as HTTP/1.1 (curl's), without writing the head out.
    const HeaderList head = Http1RequestWriter::headers(spec, bodySize);
    const QByteArray path = spec.targetOverride.isEmpty()
                                ? Http1RequestWriter::requestTarget(spec.url)
                                : spec.targetOverride;
    const QByteArray scheme = spec.url.scheme().toLower().toLatin1();
    const QByteArray authority = headerValue(head, "Host");
    HeaderList fields{{":method", spec.method}, {":scheme", scheme}};
    if (hasHeader(head, "Host"))
        fields.append({":authority", authority});
    fields.append({":path", path});
    for (const HttpHeader &h : head) {
        if (!isConnectionSpecific(h.name))
            fields.append({h.name.toLower(), h.value});
    }
    return fields;
}

} // namespace hopscope
