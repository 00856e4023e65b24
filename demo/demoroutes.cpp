#include "demoroutes.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QStringDecoder>

using namespace Qt::StringLiterals;

namespace hopscope {

namespace {

constexpr char kAllowGet[] = "GET, HEAD, OPTIONS";

// Header bytes as the trace shows them: UTF-8 when they are valid UTF-8, else Latin-1, so no
// byte is dropped.
QString headerText(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder(bytes);
    return decoder.hasError() ? QString::fromLatin1(bytes) : text;
}

DemoResponse textResponse(int status, const QByteArray &text,
                          const QByteArray &type = "text/plain; charset=utf-8")
{
    DemoResponse r;
    r.status = status;
    r.headers.append(HttpHeader{"Content-Type", type});
    r.body = std::make_unique<DemoBufferBody>(text);
    return r;
}

// The number after a prefix like "/bytes/": digits only, at most 12 of them.
bool pathNumber(const QByteArray &path, qsizetype prefixLength, qint64 *value)
{
    const QByteArray digits = path.mid(prefixLength);
    if (digits.isEmpty() || digits.size() > 12)
        return false;
    for (char c : digits) {
        if (c < '0' || c > '9')
            return false;
    }
    *value = digits.toLongLong();
    return true;
}

void noteCap(DemoResponse &r, qint64 asked, qint64 cap)
{
    r.headers.append(HttpHeader{"Hopscope-Capped", "asked for " + QByteArray::number(asked) +
                                                       ", capped at " + QByteArray::number(cap)});
}

QByteArray protocolLabel(const DemoRequest &request)
{
    if (request.upgradedToHttp2)
        return request.version + " (answered as HTTP/2 stream 1 after the h2c upgrade)";
    return request.version;
}

QByteArray json(const QJsonValue &value)
{
    // QJsonDocument holds only arrays and objects: wrap the value and strip the brackets.
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

// One field per line, so the wire order is plain to see, and valid JSON for scripts.
DemoResponse headersEcho(const DemoRequest &request)
{
    QByteArray out = "{\"method\": " + json(headerText(request.method)) +
                     ",\n \"target\": " + json(headerText(request.target)) +
                     ",\n \"protocol\": " + json(QString::fromLatin1(protocolLabel(request))) +
                     ",\n \"tls\": " + (request.tls ? "true" : "false") +
                     ",\n \"bodyBytes\": " + QByteArray::number(request.bodyBytes) +
                     ",\n \"headers\": [";
    for (qsizetype i = 0; i < request.headers.size(); ++i) {
        const HttpHeader &h = request.headers.at(i);
        out += (i ? ",\n  " : "\n  ") +
               QJsonDocument(QJsonArray{headerText(h.name), headerText(h.value)})
                   .toJson(QJsonDocument::Compact);
    }
    out += "\n ]}\n";
    return textResponse(200, out, "application/json");
}

DemoResponse index(const DemoRequest &request)
{
    const bool html = headerValue(request.headers, "Accept").contains("text/html");
    QByteArray out;
    if (html) {
        out += "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Hopscope demo "
               "server</title></head>\n<body><h1>Hopscope demo server</h1>\n<p>You came over " +
               QString::fromLatin1(protocolLabel(request)).toHtmlEscaped().toUtf8() +
               (request.tls ? " with TLS" : "") + ".</p>\n<table>\n";
        for (const DemoRoutes::Endpoint &e : DemoRoutes::endpoints()) {
            out += "<tr><td><a href=\"" + e.example.toHtmlEscaped().toUtf8() + "\"><code>" +
                   e.path.toHtmlEscaped().toUtf8() + "</code></a></td><td>" +
                   e.description.toHtmlEscaped().toUtf8() + "</td></tr>\n";
        }
        out += "</table>\n</body></html>\n";
        return textResponse(200, out, "text/html; charset=utf-8");
    }
    out += "Hopscope demo server\n\nYou came over " + protocolLabel(request) +
           (request.tls ? " with TLS" : "") +
           ".\n\nEndpoints (HTTP/1.1 and HTTP/2 on both ports, HTTP/3 on UDP):\n";
    for (const DemoRoutes::Endpoint &e : DemoRoutes::endpoints())
        out += "  " + e.path.leftJustified(12).toUtf8() + "  " + e.description.toUtf8() + "\n";
    out += "\nCleartext: HTTP/1.1 (advertises Upgrade: h2c), the h2c upgrade, HTTP/2 by prior "
           "knowledge,\nWebSocket and tcp upgrades. TLS: ALPN h2 or http/1.1; HTTP/1.1 over TLS "
           "advertises\nUpgrade: h2, and HTTP/2 by prior knowledge works without ALPN. /alt-svc on "
           "the "
           "TLS port\nadvertises HTTP/3 on UDP.\n";
    return textResponse(200, out);
}

// The HTTP/3 advertisement (RFC 7838) on request, not on every response: the other tour
// chapters show TLS and `Upgrade: h2` without a client moving to QUIC under them.
DemoResponse altSvc(const DemoRequest &request)
{
    const bool clear = request.path == "/alt-svc/clear";
    if (!request.tls)
        return DemoRoutes::error(400, "Alt-Svc is advertised only over TLS (clients ignore it on "
                                      "cleartext): use the https port");
    if (request.h3Port == 0 && !clear)
        return DemoRoutes::error(503, "HTTP/3 is not running on this demo server (its UDP port "
                                      "could not be opened)");
    const QByteArray value =
        clear ? QByteArray("clear") : "h3=\":" + QByteArray::number(request.h3Port) + "\"; ma=3600";
    DemoResponse r = textResponse(
        200, clear ? "Alt-Svc: clear. Clients forget this origin's HTTP/3 endpoint.\n"
                   : "Alt-Svc: " + value +
                         ". The next request to this origin goes over HTTP/3 (QUIC, UDP port " +
                         QByteArray::number(request.h3Port) + ").\n");
    r.headers.append(HttpHeader{"Alt-Svc", value});
    return r;
}

DemoResponse status(const DemoRequest &request)
{
    qint64 code = 0;
    if (!pathNumber(request.path, 8, &code) || code < 200 || code > 599) {
        return DemoRoutes::error(400, "/status/N needs a status code N from 200 to 599, e.g. "
                                      "/status/418");
    }
    const int n = int(code);
    if (DemoRoutes::forbidsBody(n)) {
        DemoResponse r;
        r.status = n;
        return r;
    }
    DemoResponse r =
        textResponse(n, QByteArray::number(n) + ' ' + DemoRoutes::reasonPhrase(n) + "\n");
    if (n == 205) // RFC 9110 §15.3.6: no content, but framed as empty
        r.body = std::make_unique<DemoBufferBody>(QByteArray());
    if (n == 401)
        r.headers.append(HttpHeader{"WWW-Authenticate", "Basic realm=\"hopscope demo\""});
    if (n == 405)
        r.headers.append(HttpHeader{"Allow", kAllowGet});
    if (n >= 300 && n < 400)
        r.headers.append(HttpHeader{"Location", "/"});
    return r;
}

// /redirect/N: a chain of N 302s, /redirect/N → /redirect/N-1 → … → /headers (the echo shows
// what the last hop sent). Relative Locations, as servers commonly send them.
DemoResponse redirect(const DemoRequest &request)
{
    qint64 n = 0;
    if (!pathNumber(request.path, 10, &n) || n < 1 || n > DemoRoutes::maxRedirects)
        return DemoRoutes::error(400, "/redirect/N needs a number of redirects N from 1 to 100, "
                                      "e.g. /redirect/3");
    DemoResponse r = textResponse(302, "302 Found: " + QByteArray::number(n) +
                                           (n == 1 ? " redirect" : " redirects") + " to go\n");
    r.headers.append(HttpHeader{"Location", n == 1 ? QByteArray("/headers")
                                                   : "/redirect/" + QByteArray::number(n - 1)});
    return r;
}

DemoResponse delay(const DemoRequest &request)
{
    qint64 ms = 0;
    if (!pathNumber(request.path, 7, &ms))
        return DemoRoutes::error(400, "/delay/MS needs a whole number of milliseconds, e.g. "
                                      "/delay/500");
    const qint64 waited = qMin<qint64>(ms, DemoRoutes::maxDelayMs);
    DemoResponse r = textResponse(200, "answered after " + QByteArray::number(waited) + " ms\n");
    r.delayMs = int(waited);
    if (ms > waited)
        noteCap(r, ms, DemoRoutes::maxDelayMs);
    return r;
}

DemoResponse bytes(const DemoRequest &request)
{
    qint64 n = 0;
    if (!pathNumber(request.path, 7, &n))
        return DemoRoutes::error(400, "/bytes/N needs a whole number of bytes, e.g. /bytes/1024");
    DemoResponse r;
    const qint64 size = qMin(n, DemoRoutes::maxBytes);
    r.headers.append(HttpHeader{"Content-Type", "application/octet-stream"});
    r.headers.append(HttpHeader{"Hopscope-Pattern", "byte i = i mod 251"});
    if (n > size)
        noteCap(r, n, DemoRoutes::maxBytes);
    r.body = std::make_unique<DemoPatternBody>(size);
    return r;
}

DemoResponse stream(const DemoRequest &request)
{
    qint64 n = 0;
    if (!pathNumber(request.path, 8, &n))
        return DemoRoutes::error(400, "/stream/N needs a whole number of lines, e.g. /stream/10");
    const int count = int(qMin<qint64>(n, DemoRoutes::maxStreamLines));
    DemoResponse r;
    r.headers.append(HttpHeader{"Content-Type", "application/x-ndjson"});
    if (n > count)
        noteCap(r, n, DemoRoutes::maxStreamLines);
    const QByteArray path = request.path;
    r.body = std::make_unique<DemoPacedBody>(
        count, DemoRoutes::streamIntervalMs, [count, path](int index, qint64 elapsedMs) {
            return "{\"line\":" + QByteArray::number(index + 1) +
                   ",\"of\":" + QByteArray::number(count) +
                   ",\"ms\":" + QByteArray::number(elapsedMs) + ",\"path\":\"" + path + "\"}\n";
        });
    return r;
}

DemoResponse large(const DemoRequest &)
{
    DemoResponse r;
    r.headers.append(HttpHeader{"Content-Type", "application/octet-stream"});
    r.headers.append(HttpHeader{"Hopscope-Pattern", "byte i = i mod 251"});
    r.body = std::make_unique<DemoPatternBody>(DemoRoutes::largeBytes);
    return r;
}

DemoResponse upgradeRequired(const DemoRequest &request, const QByteArray &token)
{
    const bool h2 = request.version == "HTTP/2";
    DemoResponse r = textResponse(
        426, "426 Upgrade Required: " + request.path + " speaks " + token + " after an " +
                 "HTTP/1.1 request with \"Connection: Upgrade\" and \"Upgrade: " + token + "\"" +
                 (h2 ? QByteArray(" (HTTP/2 has no Upgrade; use HTTP/1.1)") : QByteArray()) + "\n");
    if (!h2) {
        r.headers.append(HttpHeader{"Upgrade", token});
        r.headers.append(HttpHeader{"Connection", "Upgrade"});
    }
    return r;
}

} // namespace

QList<DemoRoutes::Endpoint> DemoRoutes::endpoints()
{
    return {
        {u"/"_s, u"/"_s, u"this index"_s},
        {u"/delay/MS"_s, u"/delay/500"_s,
         u"answers after MS milliseconds (at most 10000), any method"_s},
        {u"/status/N"_s, u"/status/418"_s,
         u"answers with status N (200-599), any method; 204 and 304 have no body"_s},
        {u"/redirect/N"_s, u"/redirect/3"_s,
         u"N 302 redirects in a row (at most 100), then /headers; any method (hopscope-cli -L)"_s},
        {u"/bytes/N"_s, u"/bytes/1024"_s,
         u"N bytes (at most 1 GiB), byte i = i mod 251, streamed with flow control"_s},
        {u"/stream/N"_s, u"/stream/5"_s,
         u"N JSON lines 100 ms apart (at most 100): chunked on HTTP/1.1, DATA frames on "
         "HTTP/2"_s},
        {u"/headers"_s, u"/headers"_s,
         u"the request headers as JSON, in wire order and case, any method"_s},
        {u"/large"_s, u"/large"_s, u"256 MiB of the /bytes pattern, for throughput"_s},
        {u"/ws"_s, u"/ws"_s,
         u"WebSocket echo (HTTP/1.1 Upgrade: websocket; text, binary, ping, close)"_s},
        {u"/tcp"_s, u"/tcp"_s,
         u"Upgrade: tcp, then a greeting line in the same write as the 101 and a byte echo"_s},
        {u"/alt-svc"_s, u"/alt-svc"_s,
         u"over TLS: Alt-Svc: h3 advertises the HTTP/3 endpoint; the next request goes there"_s},
        {u"/alt-svc/clear"_s, u"/alt-svc/clear"_s,
         u"over TLS: Alt-Svc: clear withdraws the advertisement"_s},
    };
}

QByteArray DemoRoutes::httpDate()
{
    return QLocale::c()
               .toString(QDateTime::currentDateTimeUtc(),
                         QStringLiteral("ddd, dd MMM yyyy hh:mm:ss"))
               .toLatin1() +
           " GMT";
}

bool DemoRoutes::isConnectionSpecific(const QByteArray &lowerName)
{
    return lowerName == "connection" || lowerName == "keep-alive" ||
           lowerName == "proxy-connection" || lowerName == "transfer-encoding" ||
           lowerName == "upgrade";
}

HeaderList DemoRoutes::multiplexedFields(const DemoResponse &response)
{
    HeaderList fields;
    auto add = [&fields](QByteArray name, QByteArray value) {
        fields.append(HttpHeader{std::move(name), std::move(value)});
    };
    add(":status", QByteArray::number(response.status));
    add("date", httpDate());
    add("server", serverName());
    for (const HttpHeader &h : response.headers) {
        const QByteArray name = h.name.toLower();
        if (!isConnectionSpecific(name))
            add(name, h.value);
    }
    const qint64 size = response.body ? response.body->size() : 0;
    if (!forbidsBody(response.status) && size >= 0)
        add("content-length", QByteArray::number(size));
    return fields;
}

QByteArray DemoRoutes::serverName()
{
    return QByteArrayLiteral("hopscope-demo/" HOPSCOPE_VERSION);
}

DemoResponse DemoRoutes::error(int status, const QByteArray &message)
{
    return textResponse(status, QByteArray::number(status) + ' ' + reasonPhrase(status) + ": " +
                                    message + "\n");
}

DemoResponse DemoRoutes::respond(const DemoRequest &request)
{
    const QByteArray &path = request.path;
    const QByteArray &method = request.method;
    if (method == "CONNECT")
        return error(405, "CONNECT: this demo server is not a proxy");
    if (path == "*") {
        DemoResponse r;
        r.headers.append(HttpHeader{"Allow", kAllowGet});
        r.body = std::make_unique<DemoBufferBody>(QByteArray());
        return r;
    }

    // Endpoints that take any method (so bodies, HEAD and OPTIONS can be explored with them).
    if (path == "/headers")
        return headersEcho(request);
    if (path.startsWith("/status/"))
        return status(request);
    if (path.startsWith("/delay/"))
        return delay(request);
    if (path.startsWith("/redirect/"))
        return redirect(request);
    if (path == "/alt-svc" || path == "/alt-svc/clear")
        return altSvc(request);

    using Handler = DemoResponse (*)(const DemoRequest &);
    Handler handler = nullptr;
    if (path == "/" || path == "/index.html")
        handler = index;
    else if (path.startsWith("/bytes/"))
        handler = bytes;
    else if (path.startsWith("/stream/"))
        handler = stream;
    else if (path == "/large")
        handler = large;
    else if (path == "/ws")
        return upgradeRequired(request, "websocket");
    else if (path == "/tcp")
        return upgradeRequired(request, "tcp");
    if (!handler)
        return error(404, "no endpoint at " + path + "; GET / lists them");
    if (method == "OPTIONS") {
        DemoResponse r;
        r.status = 204;
        r.headers.append(HttpHeader{"Allow", kAllowGet});
        return r;
    }
    if (method != "GET" && method != "HEAD") {
        DemoResponse r = error(405, method + " is not allowed on " + path + "; use GET or HEAD");
        r.headers.append(HttpHeader{"Allow", kAllowGet});
        return r;
    }
    return handler(request);
}

QByteArray DemoRoutes::reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 203:
        return "Non-Authoritative Information";
    case 204:
        return "No Content";
    case 205:
        return "Reset Content";
    case 206:
        return "Partial Content";
    case 300:
        return "Multiple Choices";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 418:
        return "I'm a teapot";
    case 421:
        return "Misdirected Request";
    case 422:
        return "Unprocessable Content";
    case 426:
        return "Upgrade Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        break;
    }
    // A generic phrase by class keeps the status line well-formed for any N.
    if (status < 200)
        return "Informational";
    if (status < 300)
        return "Success";
    if (status < 400)
        return "Redirection";
    if (status < 500)
        return "Client Error";
    return "Server Error";
}

} // namespace hopscope
