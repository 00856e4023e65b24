#pragma once

#include "core/httpheader.h"

#include <QByteArray>

namespace hopscope {

// One request as the demo server received it, whichever protocol carried it. The routes see
// only this, so HTTP/1.1 and HTTP/2 answer alike.
struct DemoRequest
{
    QByteArray method;
    QByteArray target;    // as sent: "/bytes/10?x=1", "*", "http://host/path"
    QByteArray path;      // the target's path, without the query, for routing
    QByteArray version;   // "HTTP/1.1", "HTTP/1.0", or "HTTP/2" for a stream
    QByteArray authority; // Host, or :authority
    HeaderList headers;   // wire order and case; HTTP/2 pseudo-headers included
    qint64 bodyBytes = 0; // request body length (the body itself is discarded)
    bool tls = false;
    bool upgradedToHttp2 = false; // an HTTP/1.1 request answered as stream 1 after `h2c`
    quint16 h3Port = 0;           // the demo's HTTP/3 UDP port (0: not running), for /alt-svc

    bool isHead() const { return method == "HEAD"; }
};

} // namespace hopscope
