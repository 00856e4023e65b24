#include "core/replayrequest.h"

#include "core/protocolchoice.h"
#include "core/routewords.h"
#include "http1/http1requestwriter.h"

namespace hopscope {

namespace {

bool is(QByteArrayView name, const char *other)
{
    return name.compare(other, Qt::CaseInsensitive) == 0;
}

// "host:port" as the engine writes Host (and :authority) for this URL.
QByteArray impliedHost(const QUrl &url)
{
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    const int defaultPort = url.scheme() == u"https" || url.scheme() == u"wss" ? 443 : 80;
    if (url.port(defaultPort) != defaultPort)
        host += ':' + QByteArray::number(url.port());
    return host;
}

// Headers the mode's upgrade handler writes by itself (names, any case).
bool addedByUpgrade(ReplayMode mode, QByteArrayView name)
{
    const bool upgrade = mode == ReplayMode::H2cUpgrade || mode == ReplayMode::WebSocket ||
                         mode == ReplayMode::CustomUpgrade;
    if (!upgrade)
        return false;
    if (is(name, "connection") || is(name, "upgrade"))
        return true;
    if (mode == ReplayMode::H2cUpgrade)
        return is(name, "http2-settings");
    if (mode == ReplayMode::WebSocket)
        return is(name, "sec-websocket-key") || is(name, "sec-websocket-version");
    return false;
}

ProtocolChoice choiceOf(ReplayMode mode)
{
    switch (mode) {
    case ReplayMode::Unknown:
        return ProtocolChoice::Auto;
    case ReplayMode::Http1:
    case ReplayMode::TlsHttp1:
        return ProtocolChoice::Http1Only;
    case ReplayMode::H2cUpgrade:
        return ProtocolChoice::H2cUpgrade;
    case ReplayMode::H2cPrior:
        return ProtocolChoice::H2cPrior;
    case ReplayMode::TlsH2:
        return ProtocolChoice::Http2;
    case ReplayMode::WebSocket:
        return ProtocolChoice::WebSocket;
    case ReplayMode::CustomUpgrade:
        return ProtocolChoice::CustomUpgrade;
    }
    return ProtocolChoice::Auto;
}

} // namespace

HeaderList replayHeaders(const ReplayRequest &r)
{
    const QByteArray host = impliedHost(QUrl(r.url));
    const QByteArray userAgent = Http1RequestWriter::userAgent();
    HeaderList out;
    bool sawHost = false, sawUserAgent = false, sawAccept = false;
    for (const HttpHeader &h : r.headers) {
        if (is(h.name, ":authority") || is(h.name, "host")) {
            sawHost = true;
            if (h.value == host)
                continue;
            if (h.name.startsWith(':')) {
                out.append(HttpHeader{"Host", h.value});
                continue;
            }
        }
        if (h.name.startsWith(':') || is(h.name, "content-length") ||
            addedByUpgrade(r.mode, h.name))
            continue;
        if (is(h.name, "user-agent")) {
            sawUserAgent = true;
            if (h.value == userAgent)
                continue;
        }
        if (is(h.name, "accept")) {
            sawAccept = true;
            if (h.value == "*/*")
                continue;
        }
        out.append(h);
    }
    // Only a head we saw can say a default was left out.
    if (!r.headers.isEmpty()) {
        if (!sawHost)
            out.append(HttpHeader{"Host", {}});
        if (!sawUserAgent)
            out.append(HttpHeader{"User-Agent", {}});
        if (!sawAccept)
            out.append(HttpHeader{"Accept", {}});
    }
    return out;
}

RequestSpec replaySpec(const ReplayRequest &r)
{
    RequestSpec spec;
    spec.method = r.method.isEmpty() ? QByteArrayLiteral("GET") : r.method;
    spec.body = r.body;
    spec.headers = replayHeaders(r);
    // The engine's own Accept-Encoding is its --compressed: asked that way, it decodes too.
    for (qsizetype i = 0; i < spec.headers.size(); ++i) {
        if (is(spec.headers[i].name, "accept-encoding") &&
            spec.headers[i].value == "gzip, deflate, br, zstd") {
            spec.headers.removeAt(i);
            spec.decodeContent = true;
            break;
        }
    }
    if (!r.body.isEmpty() && !hasHeader(r.headers, "content-type"))
        spec.headers.append(HttpHeader{"Content-Type", {}});
    spec.tls.insecure = r.insecure;
    spec.tls.caFile = r.caFile;
    applyRouteWords(r.route, &spec); // all or nothing: a refused word leaves spec direct
    const QUrl url(r.url);
    if (applyProtocolChoice(spec, url, choiceOf(r.mode), r.upgradeToken) !=
        ProtocolChoiceError::None)
        spec.url = url; // a mode the URL does not fit: the composer shows why
    if (r.mode == ReplayMode::H2cUpgrade)
        spec.h2cViaOptions = r.h2cViaOptions;
    return spec;
}

} // namespace hopscope
