#pragma once

#include "core/httpheader.h"
#include "core/requestspec.h"

namespace hopscope {

// A request head as it will be written: the parts for the trace and the exact bytes.
struct Http1RequestHead
{
    QByteArray method;
    QByteArray target;
    QByteArray version = "HTTP/1.1";
    HeaderList headers;
    QByteArray bytes; // request line, headers, blank line
};

// Builds HTTP/1.1 request heads curl-style: Host, User-Agent and Accept by default; a user header
// of the same name replaces a default in place, and a user header with an empty value
// ("Accept:") removes it. Content-Length is added for a body unless the user framed it.
class Http1RequestWriter
{
public:
    static Http1RequestHead build(const RequestSpec &spec, qint64 bodyLength,
                                  const HeaderList &extraHeaders = {});
    // The header fields alone, in order (HTTP/2 builds its head from them).
    static HeaderList headers(const RequestSpec &spec, qint64 bodyLength,
                              const HeaderList &extraHeaders = {});
    static QByteArray userAgent();
    static QByteArray requestTarget(const QUrl &url);
};

} // namespace hopscope
