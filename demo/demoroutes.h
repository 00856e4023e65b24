#pragma once

#include "core/httpheader.h"
#include "demobody.h"
#include "demorequest.h"

#include <QList>
#include <QString>

#include <memory>

namespace hopscope {

// What an endpoint answers, before any protocol framing: the sessions add Content-Length,
// chunking or DATA frames, Server, and the upgrade advertisement.
struct DemoResponse
{
    int status = 200;
    HeaderList headers;             // names as HTTP/1.1 writes them; HTTP/2 lowercases them
    std::unique_ptr<DemoBody> body; // null: no content
    int delayMs = 0;                // answer (head and body) only after this long
};

// The demo endpoints, shared by HTTP/1.1 and HTTP/2 so both protocols answer the same request
// the same way. Pure functions of the request: no state, no I/O.
class DemoRoutes
{
public:
    struct Endpoint
    {
        QString path;        // as a user types it, e.g. "/delay/MS"
        QString example;     // a working path, e.g. "/delay/500"
        QString description; // one line
    };

    static constexpr int maxDelayMs = 10'000;
    static constexpr int maxRedirects = 100; // /redirect/N
    static constexpr qint64 maxBytes = qint64(1) << 30;
    static constexpr int maxStreamLines = 100;
    static constexpr int streamIntervalMs = 100;
    static constexpr qint64 largeBytes = qint64(256) << 20;

    static QList<Endpoint> endpoints();
    static DemoResponse respond(const DemoRequest &request);
    // A plain-text error answer whose body names the status and says exactly what was wrong.
    static DemoResponse error(int status, const QByteArray &message);
    static QByteArray reasonPhrase(int status);
    // 1xx, 204 and 304 never carry content (RFC 9110 §6.4.1).
    static bool forbidsBody(int status)
    {
        return (status >= 100 && status < 200) || status == 204 || status == 304;
    }
    // The server's product token, for the Server header of every protocol.
    static QByteArray serverName();
    // Now, as the Date header writes it (RFC 9110 §5.6.7).
    static QByteArray httpDate();
    // Fields that must not appear in HTTP/2 or HTTP/3 (RFC 9113 §8.2.2, RFC 9114 §4.2);
    // `lowerName` lowercased.
    static bool isConnectionSpecific(const QByteArray &lowerName);
    // A response's head as HTTP/2 and HTTP/3 send it, in order: :status, date, server, the
    // route's own fields lowercased without the connection-specific ones, and content-length
    // when the body's size is known and the status allows one.
    static HeaderList multiplexedFields(const DemoResponse &response);
};

} // namespace hopscope
