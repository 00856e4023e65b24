#include "har/harcollector.h"

#include "trace/tracelog.h"

namespace hopscope {

namespace {

HeaderList headersOf(const FieldValue &list)
{
    HeaderList out;
    if (!list.isArray())
        return out;
    out.reserve(list.size());
    for (const FieldValue pair : list) {
        if (pair.isArray() && pair.size() >= 2)
            out.append(HttpHeader{pair.at(0).toUtf8(), pair.at(1).toUtf8()});
    }
    return out;
}

// The exact size of an HTTP/1.1 request head as Http1RequestWriter lays it out.
qint64 h1RequestHeadSize(const QByteArray &method, const QByteArray &target,
                         const QByteArray &version, const HeaderList &headers)
{
    qint64 n = method.size() + 1 + target.size() + 1 + version.size() + 2;
    for (const HttpHeader &h : headers)
        n += h.name.size() + 2 + h.value.size() + 2;
    return n + 2;
}

int wsOpcode(const QByteArray &name)
{
    if (name == "text")
        return 1;
    if (name == "binary")
        return 2;
    return 0;
}

} // namespace

void HarCollector::add(const TraceBatch &batch)
{
    for (const TraceEvent &ev : batch)
        add(ev);
}

void HarCollector::add(const TraceLog &log)
{
    for (const TraceEvent &ev : log)
        add(ev);
}

const HarExchange *HarCollector::exchange(quint32 req) const
{
    return req >= 1 && req <= m_exchanges.size() ? &m_exchanges[req - 1] : nullptr;
}

const HarConnection *HarCollector::connection(quint32 id) const
{
    return id >= 1 && id <= m_connections.size() ? &m_connections[id - 1] : nullptr;
}

QList<quint32> HarCollector::followersOf(quint32 id) const
{
    QList<quint32> out;
    for (const HarConnection &c : m_connections) {
        if (c.followedFrom == id && id != 0)
            out.append(c.id);
    }
    return out;
}

// Ids are dense from 1 and every id has an event of its own before any other names it, so an id
// above the number of events seen so far only comes from a damaged or hostile file: it is
// ignored rather than allowed to size an allocation.
HarExchange *HarCollector::touchExchange(quint32 req)
{
    if (req == 0 || req > m_seen)
        return nullptr;
    while (m_exchanges.size() < req) {
        m_exchanges.emplace_back();
        m_exchanges.back().req = quint32(m_exchanges.size());
    }
    return &m_exchanges[req - 1];
}

HarConnection *HarCollector::touchConnection(quint32 id)
{
    if (id == 0 || id > m_seen)
        return nullptr;
    while (m_connections.size() < id) {
        m_connections.emplace_back();
        m_connections.back().id = quint32(m_connections.size());
    }
    return &m_connections[id - 1];
}

void HarCollector::noteProtocol(HarConnection *c, const QString &protocol)
{
    if (c && !protocol.isEmpty() && (c->protocols.isEmpty() || c->protocols.last() != protocol))
        c->protocols.append(protocol);
}

void HarCollector::add(const TraceEvent &ev)
{
    ++m_seen;
    HarConnection *c = touchConnection(ev.scope.conn);
    HarExchange *ex = touchExchange(ev.scope.req);
    if (ex && c && ex->conn == 0)
        ex->conn = c->id;

    switch (ev.type) {
    case EventType::RequestStart:
        if (ex) {
            ex->method = ev.field(Field::Method).toUtf8();
            ex->url = ev.field(Field::Url).toString();
            ex->startNs = ev.tNs;
        }
        break;
    case EventType::PoolOpen:
        if (c)
            c->origin = ev.field(Field::Origin).toString();
        if (ex)
            ex->conn = ev.scope.conn;
        break;
    case EventType::PoolReuse:
        if (ex)
            ex->conn = ev.scope.conn;
        break;
    case EventType::PoolRetry:
        if (ex) {
            // The next attempt starts afresh on another connection.
            ex->retried = true;
            ex->conn = 0;
            ex->stream = -1;
            ex->requestSent = false;
            ex->requestIsH2 = false;
            ex->requestHeaders.clear();
            ex->requestHeadersSize = -1;
            ex->requestBodyBytes = 0;
            ex->responseIsH2 = false;
            ex->status = 0;
            ex->responseHeaders.clear();
            ex->responseHeadersSize = -1;
            ex->responseDataSeen = false;
            ex->interimStatuses.clear();
        }
        break;
    case EventType::Connect:
        if (c) {
            c->address = ev.field(Field::Address).toString();
            c->port = int(ev.field(Field::Port).toInteger(-1));
            c->localPort = int(ev.field(Field::LocalPort).toInteger(-1));
        }
        break;
    case EventType::Tls:
        if (c) {
            c->tls = true;
            c->tlsProtocol = ev.field(Field::Protocol).toString();
            c->tlsCipher = ev.field(Field::Cipher).toString();
            c->alpn = ev.field(Field::Alpn).toString();
            c->sni = ev.field(Field::Sni).toString();
            c->tlsVerified = ev.field(Field::Verified).toBool();
            c->alpnOffered.clear();
            for (const FieldValue v : ev.field(Field::AlpnOffered))
                c->alpnOffered.append(v.toString());
            noteProtocol(c, c->alpn);
        }
        break;
    case EventType::H1Request:
        if (c && c->protocols.isEmpty())
            noteProtocol(c, QStringLiteral("http/1.1"));
        if (ex) {
            const QByteArray method = ev.field(Field::Method).toUtf8();
            const QByteArray target = ev.field(Field::Target).toUtf8();
            ex->requestSent = true;
            ex->requestIsH2 = false;
            ex->requestVersion = ev.field(Field::Version).toUtf8();
            ex->requestHeaders = headersOf(ev.field(Field::Headers));
            ex->requestHeadersSize =
                h1RequestHeadSize(method, target, ex->requestVersion, ex->requestHeaders);
        }
        break;
    case EventType::H1Response:
        if (ex)
            addH1Response(ev, ex);
        break;
    case EventType::H1Trailers:
        if (ex)
            ex->trailers = headersOf(ev.field(Field::Headers));
        break;
    case EventType::H1Body:
        if (ex && ev.dir == Direction::Out)
            ex->requestBodyBytes += ev.field(Field::Bytes).toInteger();
        break;
    case EventType::H2Frame:
        if (c && c->protocols.isEmpty()) // prior knowledge
            noteProtocol(c, c->tls ? QStringLiteral("h2") : QStringLiteral("h2c"));
        if (ex)
            addH2Frame(ev, ex);
        break;
    case EventType::H2Headers:
        if (ex)
            addH2Headers(ev, ex);
        break;
    case EventType::H3Headers:
        // The same header sections as HTTP/2's (pseudo-headers, lower case), over HTTP/3.
        if (c && c->protocols.isEmpty())
            noteProtocol(c, QStringLiteral("h3"));
        if (ex) {
            addH2Headers(ev, ex);
            ex->isH3 = true;
        }
        break;
    case EventType::UpgradeOffer:
        if (ex) {
            ex->upgradeOffered = ev.field(Field::Protocol).toUtf8();
            ex->upgradeWithBody = ev.field(Field::WithBody).toBool();
            ex->upgrade = HarExchange::Upgrade::Offered;
        }
        break;
    case EventType::UpgradeSkipped:
        if (ex) {
            ex->upgradeSkipped = ev.field(Field::Protocol).toUtf8();
            ex->upgradeSkippedReason = ev.field(Field::Reason).toString();
        }
        break;
    case EventType::UpgradeSwitch:
        noteProtocol(c, ev.field(Field::Protocol).toString());
        if (ex) {
            ex->upgrade = HarExchange::Upgrade::Switched;
            ex->upgradeStatus = 101;
        }
        break;
    case EventType::UpgradeDeclined:
        if (ex) {
            ex->upgrade = HarExchange::Upgrade::Declined;
            ex->upgradeStatus = int(ev.field(Field::Status).toInteger());
        }
        break;
    case EventType::UpgradeAdvertised: {
        QStringList protocols;
        for (const FieldValue v : ev.field(Field::Protocols))
            protocols.append(v.toString());
        if (ex)
            ex->advertised = protocols;
        if (c)
            c->advertised = protocols;
        break;
    }
    case EventType::UpgradeFollow:
        if (c) {
            c->followedFrom = quint32(ev.field(Field::From).toInteger());
            c->followedProtocol = ev.field(Field::Protocol).toString();
        }
        break;
    case EventType::UpgradeH2Refused:
        if (c)
            c->h2Refused = true;
        break;
    case EventType::RawData:
        if (ex) {
            const qint64 n = ev.field(Field::Bytes).toInteger();
            (ev.dir == Direction::Out ? ex->tunnelBytesOut : ex->tunnelBytesIn) += n;
        }
        break;
    case EventType::WsMessage:
        if (ex) {
            HarWsMessage m;
            m.sent = ev.dir == Direction::Out;
            m.tNs = ev.tNs;
            m.opcode = wsOpcode(ev.field(Field::Opcode).toUtf8());
            m.data = (m.opcode == 2 ? ev.field(Field::Data) : ev.field(Field::Text)).toUtf8();
            m.truncated = ev.field(Field::Truncated).toBool();
            if (m.opcode != 0)
                ex->wsMessages.append(m);
        }
        break;
    case EventType::WsClose:
        if (ex) {
            // Chrome lists close frames as opcode 8; their data here is the reason text.
            HarWsMessage m;
            m.sent = ev.dir == Direction::Out;
            m.tNs = ev.tNs;
            m.opcode = 8;
            m.data = ev.field(Field::Reason).toUtf8();
            ex->wsMessages.append(m);
        }
        break;
    case EventType::ResponseComplete:
        if (ex) {
            ex->complete = true;
            ex->failed = false;
            ex->endNs = ev.tNs;
            if (ex->status == 0)
                ex->status = int(ev.field(Field::Status).toInteger());
            ex->protocol = ev.field(Field::Protocol).toUtf8();
            ex->bodyBytes = ev.field(Field::Bytes).toInteger(-1);
            ex->decodedBytes = ev.field(Field::DecodedBytes).toInteger(-1);
            if (ev.scope.stream >= 0)
                ex->stream = ev.scope.stream;
            const FieldValue t = ev.field(Field::Timings);
            ex->dns = t.value(Field::Dns).toDouble(-1);
            ex->connect = t.value(Field::Connect).toDouble(-1);
            ex->tls = t.value(Field::Tls).toDouble(-1);
            ex->send = t.value(Field::Send).toDouble(-1);
            ex->wait = t.value(Field::Wait).toDouble(-1);
            ex->receive = t.value(Field::Receive).toDouble(-1);
            ex->total = t.value(Field::Total).toDouble(-1);
        }
        break;
    case EventType::RequestFailed:
        if (ex) {
            ex->failed = true;
            ex->endNs = ev.tNs;
            ex->errorCode = ev.field(Field::Code).toString();
            ex->error = ev.field(Field::Error).toString();
        }
        break;
    case EventType::Error:
        if (ex && ex->error.isEmpty()) {
            ex->error = ev.field(Field::Message).toString();
            ex->errorCode = ev.field(Field::Code).toString();
        }
        break;
    default:
        break;
    }
}

void HarCollector::addH1Response(const TraceEvent &ev, HarExchange *ex)
{
    const int status = int(ev.field(Field::Status).toInteger());
    if (status >= 100 && status < 200 && status != 101) {
        ex->interimStatuses.append(status);
        return;
    }
    const HeaderList headers = headersOf(ev.field(Field::Headers));
    if (status == 101)
        ex->switchHeaders = headers;
    ex->responseIsH2 = false;
    ex->status = status;
    ex->reason = ev.field(Field::Reason).toUtf8();
    ex->responseVersion = ev.field(Field::Version).toUtf8();
    ex->responseHeaders = headers;
    ex->responseHeadersSize = ev.field(Field::Bytes).toInteger(-1);
}

void HarCollector::addH2Frame(const TraceEvent &ev, HarExchange *ex)
{
    if (ev.scope.stream > 0)
        ex->stream = ev.scope.stream;
    const QByteArray frame = ev.field(Field::Frame).toUtf8();
    const qint64 length = ev.field(Field::Length).toInteger();
    const bool isHeaderBlock = frame == "HEADERS" || frame == "CONTINUATION";
    if (ev.dir == Direction::Out) {
        if (isHeaderBlock)
            ex->requestHeadersSize = qMax<qint64>(ex->requestHeadersSize, 0) + length;
        else if (frame == "DATA")
            ex->requestBodyBytes += length;
        return;
    }
    if (frame == "DATA") {
        ex->responseDataSeen = true;
    } else if (isHeaderBlock && !ex->responseDataSeen) {
        // The response's header block (interim heads included), in HPACK bytes. A stream that
        // answers an h2c upgrade got its 101 over HTTP/1.1: its HTTP/2 head replaces that size.
        if (!ex->responseIsH2)
            ex->responseHeadersSize = 0;
        ex->responseHeadersSize = qMax<qint64>(ex->responseHeadersSize, 0) + length;
        ex->responseIsH2 = true;
    }
}

void HarCollector::addH2Headers(const TraceEvent &ev, HarExchange *ex)
{
    if (ev.scope.stream > 0)
        ex->stream = ev.scope.stream;
    const QByteArray kind = ev.field(Field::Kind).toUtf8();
    HeaderList headers = headersOf(ev.field(Field::Headers));
    if (kind == "request") {
        ex->requestSent = true;
        ex->requestIsH2 = true;
        ex->requestVersion.clear();
        ex->requestHeaders = headers;
    } else if (kind == "response") {
        ex->responseIsH2 = true;
        ex->status = headerValue(headers, ":status").toInt();
        ex->reason.clear();
        ex->responseVersion.clear();
        // Chrome's HAR lists no `:status` among the response headers: it is the status.
        headers.removeIf([](const HttpHeader &h) { return h.name == ":status"; });
        ex->responseHeaders = headers;
    } else if (kind == "interim") {
        ex->interimStatuses.append(headerValue(headers, ":status").toInt());
    } else if (kind == "trailers") {
        ex->trailers = headers;
    }
}

} // namespace hopscope
