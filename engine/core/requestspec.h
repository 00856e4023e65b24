#pragma once

#include "core/httpheader.h"
#include "core/limits.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

namespace hopscope {

// How the client may speak to the origin. Later protocol modes (h2c upgrade, prior knowledge,
// WebSocket) extend this list.
enum class ProtocolPolicy {
    Auto,      // whatever the scheme and the server allow
    Http1Only, // HTTP/1.1; over TLS ALPN offers only http/1.1
};

struct TlsOptions
{
    QString caFile;         // replaces the system CAs, as curl's --cacert
    bool insecure = false;  // skip verification; the trace says so loudly
    QList<QByteArray> alpn; // empty: the policy's default offer
};

// One request as the user asked for it: a value, copied freely between threads.
struct RequestSpec
{
    QByteArray method = "GET";
    QUrl url;
    HeaderList headers;  // extra/override headers, in the user's order and case
    QByteArray body;     // from memory ...
    QString bodyFile;    // ... or streamed from a file (wins when set)
    ProtocolPolicy protocol = ProtocolPolicy::Auto;
    TlsOptions tls;
    Timeouts timeouts;
    Limits limits;
    bool decodeContent = false; // send Accept-Encoding and decode (curl --compressed)

    bool hasBody() const { return !bodyFile.isEmpty() || !body.isEmpty(); }
};

} // namespace hopscope
