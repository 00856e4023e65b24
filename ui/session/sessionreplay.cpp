#include "session/sessionreplay.h"

#include "session/sessionstore.h"

#include "core/routewords.h"

namespace hopscope {

namespace {

// The header list of the request head we sent (h1.request, or h2.headers kind=request).
HeaderList sentHeaders(const SessionStore &store, const ExchangeInfo &x)
{
    HeaderList out;
    for (int i : x.events) {
        const TraceEvent &ev = store.event(i);
        if (ev.is(EventType::H1Request) ||
            ((ev.is(EventType::H2Headers) || ev.is(EventType::H3Headers)) &&
             ev.field(Field::Kind).toUtf8() == "request")) {
            for (const FieldValue h : ev.field(Field::Headers))
                out.append(HttpHeader{h.at(0).toUtf8(), h.at(1).toUtf8()});
            break;
        }
    }
    return out;
}

// request.start's `route` words: how it was routed (a trace from before them has none).
// Words that applyRouteWords() refuses (a hand-edited or crafted file) are dropped whole:
// a command must not carry options the engine did not write.
QStringList routeOf(const SessionStore &store, const ExchangeInfo &x)
{
    QStringList out;
    for (int i : x.events) {
        const TraceEvent &ev = store.event(i);
        if (!ev.is(EventType::RequestStart))
            continue;
        for (const FieldValue word : ev.field(Field::Route))
            out << word.toString();
        break;
    }
    RequestSpec scratch;
    return applyRouteWords(out, &scratch).isEmpty() ? out : QStringList();
}

// Certificate checks were off (-k) when the connection says so before its first request ends.
bool verificationOff(const SessionStore &store, const ConnectionInfo &c)
{
    for (int i : c.events) {
        const TraceEvent &ev = store.event(i);
        if (ev.is(EventType::TlsInsecure))
            return true;
        if (ev.is(EventType::Tls))
            return !ev.field(Field::Verified).toBool(true);
    }
    return false;
}

void readMode(const SessionStore &store, const ConnectionInfo &c, ReplayRequest &r)
{
    r.insecure = c.tls && verificationOff(store, c);
    for (int i : c.events) {
        const TraceEvent &ev = store.event(i);
        if (!ev.is(EventType::UpgradeOffer))
            continue;
        const QByteArray token = ev.field(Field::Protocol).toUtf8();
        if (token.compare("h2c", Qt::CaseInsensitive) == 0) {
            r.mode = ReplayMode::H2cUpgrade;
            r.h2cViaOptions = ev.scope.req == 0;
        } else if (token.compare("websocket", Qt::CaseInsensitive) == 0) {
            r.mode = ReplayMode::WebSocket;
        } else {
            r.mode = ReplayMode::CustomUpgrade;
            r.upgradeToken = token;
        }
        return;
    }
    // A trace without the offer (an older file) still shows the switch it led to.
    for (const ProtocolStep &step : c.history) {
        if (!step.viaUpgrade)
            continue;
        if (step.protocol.compare(QLatin1String("h2c"), Qt::CaseInsensitive) == 0) {
            r.mode = ReplayMode::H2cUpgrade;
        } else if (step.protocol.compare(QLatin1String("websocket"), Qt::CaseInsensitive) == 0) {
            r.mode = ReplayMode::WebSocket;
        } else {
            r.mode = ReplayMode::CustomUpgrade;
            r.upgradeToken = step.protocol.toLatin1();
        }
        return;
    }
    if (c.tls) {
        r.mode = c.alpn == QLatin1String("h2") || c.followedFrom ? ReplayMode::TlsH2
                                                                 : ReplayMode::TlsHttp1;
        return;
    }
    if (c.history.isEmpty())
        return; // never spoke: Unknown
    r.mode = c.history.first().protocol.compare(QLatin1String("h2c"), Qt::CaseInsensitive) == 0
                 ? ReplayMode::H2cPrior
                 : ReplayMode::Http1;
}

} // namespace

std::optional<ReplayRequest> replayRequestOf(const SessionStore &store, quint32 req)
{
    const ExchangeInfo *x = store.exchange(req);
    if (!x)
        return std::nullopt;
    ReplayRequest r;
    if (!x->method.isEmpty())
        r.method = x->method.toLatin1();
    r.url = x->url;
    r.route = routeOf(store, *x);
    r.headers = sentHeaders(store, *x);
    if (const std::optional<ExchangeBody> body = store.body(req))
        r.body = body->requestBody;
    const qint64 length = headerValue(r.headers, "content-length").toLongLong();
    if (length > r.body.size()) {
        r.bodyMissing = true;
        r.missingBodyLength = length;
        r.body.clear();
    }
    if (const ConnectionInfo *c = x->conn ? store.connection(x->conn) : nullptr)
        readMode(store, *c, r);
    else if (r.url.startsWith(QLatin1String("ws")))
        r.mode = ReplayMode::WebSocket;
    return r;
}

} // namespace hopscope
