#pragma once

#include "core/httpheader.h"
#include "core/requestspec.h"

namespace hopscope {

// The header list of an HTTP/2 request (RFC 9113 §8.3.1), built from what the user asked for.
// The defaults and override rules are the HTTP/1.1 writer's, so both protocols send the same
// request: a user header replaces a default of the same name, an empty value ("Accept:") removes
// it. Then HTTP/2's shape: :method, :scheme, :authority (from Host; absent when Host was
// removed), :path first, names lower-cased, connection-specific fields dropped.
class H2RequestHead
{
public:
    // bodySize: what the request body will be, for Content-Length (0: none).
    static HeaderList build(const RequestSpec &spec, qint64 bodySize);
    // Fields HTTP/2 forbids (RFC 9113 §8.2.2), and Host, which becomes :authority.
    static bool isConnectionSpecific(QByteArrayView name);
};

} // namespace hopscope
