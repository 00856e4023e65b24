#include "session/sessionstore.h"

#include "format/durationformat.h"
#include "style/protocolstyle.h"

#include <QUrl>

namespace hopscope {

namespace {

QString str(const TraceEvent &ev, Field key)
{
    return ev.field(key).toString();
}

qint64 integer(const TraceEvent &ev, Field key, qint64 fallback = 0)
{
    return ev.field(key).toInteger(fallback);
}

QString hostPortOf(const QString &origin)
{
    const qsizetype scheme = origin.indexOf(QLatin1String("://"));
    return scheme < 0 ? origin : origin.mid(scheme + 3);
}

} // namespace

QString ConnectionInfo::where() const
{
    // Through a proxy the address is the proxy's: the user came for the origin.
    if (proxy.isEmpty())
        return address.isEmpty() ? hostPortOf(origin) : address;
    const QString host = hostPortOf(origin);
    return host.isEmpty() ? QStringLiteral("via ") + proxy : host + QStringLiteral(" via ") + proxy;
}

QString ConnectionInfo::title() const
{
    QString out = QStringLiteral("#%1").arg(id);
    if (const QString w = where(); !w.isEmpty())
        out += QLatin1Char(' ') + w;
    if (history.isEmpty()) {
        out += closeNs >= 0 || !error.isEmpty() ? QString() : QStringLiteral(" connecting…");
    } else {
        const qint64 base = openNs >= 0 ? openNs : history.first().atNs;
        for (int i = 0; i < history.size(); ++i) {
            const ProtocolStep &step = history.at(i);
            if (i == 0)
                out += QLatin1Char(' ') + protocolLabel(step.protocol);
            else
                out += QStringLiteral(" → %1 at %2")
                           .arg(protocolLabel(step.protocol),
                                formatMilliseconds(double(step.atNs - base) / 1e6));
        }
    }
    QStringList notes;
    if (quic)
        notes << QStringLiteral("QUIC");
    else if (tls)
        notes << QStringLiteral("TLS");
    if (followedFrom)
        notes << QStringLiteral("from #%1").arg(followedFrom);
    if (!advertised.isEmpty())
        notes << QStringLiteral("advertised %1").arg(advertised.join(QLatin1String(", ")));
    if (!notes.isEmpty())
        out += QStringLiteral(" (%1)").arg(notes.join(QLatin1String(", ")));
    return out;
}

SessionStore::SessionStore(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<hopscope::SessionDelta>();
    qRegisterMetaType<hopscope::ExchangeBody>();
}

const ConnectionInfo *SessionStore::connection(quint32 id) const
{
    return id >= 1 && id <= m_connections.size() ? &m_connections[id - 1] : nullptr;
}

const ExchangeInfo *SessionStore::exchange(quint32 req) const
{
    return req >= 1 && req <= m_exchanges.size() ? &m_exchanges[req - 1] : nullptr;
}

void SessionStore::addBodies(const QList<ExchangeBody> &bodies)
{
    for (const ExchangeBody &body : bodies)
        addBody(body);
}

void SessionStore::addBody(const ExchangeBody &body)
{
    m_bodies.add(body);
    emit bodyAdded(body.req);
}

std::optional<ExchangeBody> SessionStore::body(quint32 req) const
{
    if (std::optional<ExchangeBody> kept = m_bodies.body(req))
        return kept;
    return m_fileBodies ? m_fileBodies->body(req) : std::nullopt;
}

std::optional<BodyInfo> SessionStore::bodyInfo(quint32 req) const
{
    if (std::optional<BodyInfo> kept = m_bodies.info(req))
        return kept;
    if (!m_fileBodies || !m_fileBodies->contains(req))
        return std::nullopt;
    // A file's body is read to say what it holds: one body, at most Limits::maxBodyInMemory.
    const std::optional<ExchangeBody> b = m_fileBodies->body(req);
    BodyInfo info;
    info.contentType = b->contentType;
    info.contentEncoding = b->contentEncoding;
    info.wireSize = b->wire.size();
    info.decodedSize = b->decoded.size();
    info.requestSize = b->requestBody.size();
    info.wireTruncated = b->wireTruncated;
    info.decodedTruncated = b->decodedTruncated;
    return info;
}

QList<quint32> SessionStore::bodyRequests() const
{
    QList<quint32> reqs = m_fileBodies ? m_fileBodies->requests() : QList<quint32>();
    for (quint32 req : m_bodies.requests())
        if (!m_fileBodies || !m_fileBodies->contains(req))
            reqs.append(req);
    return reqs;
}

void SessionStore::setFileBodies(std::shared_ptr<const SessionBodies> bodies)
{
    m_fileBodies = std::move(bodies);
}

void SessionStore::clear()
{
    m_traceStart = QDateTime();
    m_events.clear();
    m_connections.clear();
    m_lastUrl.clear();
    m_lastPath.clear();
    m_exchanges.clear();
    m_connStamp.clear();
    m_exStamp.clear();
    m_bodies.clear();
    m_fileBodies.reset();
    m_failed = m_complete = m_errorEvents = m_unindexedIdEvents = 0;
    m_firstUnindexedSeq = 0;
    m_bytesIn = m_bytesOut = 0;
    emit reset();
}

void SessionStore::append(const TraceBatch &batch)
{
    if (batch.isEmpty())
        return;
    ++m_batch;
    if (!m_traceStart.isValid())
        m_traceStart = QDateTime::currentDateTime().addMSecs(-batch.last().tNs / 1'000'000);
    SessionDelta delta;
    delta.firstNewEvent = int(m_events.size());
    m_events.append(batch);
    for (int i = delta.firstNewEvent; i < int(m_events.size()); ++i)
        index(i, delta);
    // A finished exchange's event list rarely grows again: give back what growing left spare
    // (a tenth of the window's memory per exchange in a flood).
    for (const QList<quint32> *reqs : {&delta.newExchanges, &delta.changedExchanges}) {
        for (const quint32 req : *reqs) {
            ExchangeInfo &x = m_exchanges[req - 1];
            if (x.state != ExchangeInfo::State::Running)
                x.events.squeeze();
        }
    }
    emit changed(delta);
}

ConnectionInfo &SessionStore::touchConnection(quint32 id, SessionDelta &delta)
{
    while (m_connections.size() < id) {
        ConnectionInfo info;
        info.id = quint32(m_connections.size() + 1);
        m_connections.push_back(std::move(info));
        m_connStamp.push_back(m_batch);
        delta.newConnections.append(quint32(m_connections.size()));
    }
    quint64 &stamp = m_connStamp[id - 1];
    if (stamp != m_batch) {
        stamp = m_batch;
        delta.changedConnections.append(id);
    }
    return m_connections[id - 1];
}

ExchangeInfo &SessionStore::touchExchange(quint32 req, SessionDelta &delta)
{
    while (m_exchanges.size() < req) {
        ExchangeInfo info;
        info.req = quint32(m_exchanges.size() + 1);
        m_exchanges.push_back(std::move(info));
        m_exStamp.push_back(m_batch);
        delta.newExchanges.append(quint32(m_exchanges.size()));
    }
    quint64 &stamp = m_exStamp[req - 1];
    if (stamp != m_batch) {
        stamp = m_batch;
        delta.changedExchanges.append(req);
    }
    return m_exchanges[req - 1];
}

void SessionStore::index(int i, SessionDelta &delta)
{
    const TraceEvent &ev = m_events.at(i);
    const qint64 t = ev.tNs;

    // Ids size the connection and exchange tables (dense, by id): one a file chose freely
    // ("conn":4294967295) must not allocate up to it. Bounded by the events seen, the tables
    // stay O(events) whatever a file says.
    const auto reachable = quint64(i) + 1;
    if (ev.scope.conn > reachable || ev.scope.req > reachable) {
        if (m_unindexedIdEvents++ == 0)
            m_firstUnindexedSeq = ev.seq;
        return;
    }

    ConnectionInfo *c = nullptr;
    if (ev.scope.conn > 0) {
        c = &touchConnection(ev.scope.conn, delta);
        c->events.append(i);
        c->lastEventNs = t;
    }
    ExchangeInfo *x = nullptr;
    if (ev.scope.req > 0) {
        // References into the deques stay valid as they grow: c is still good.
        x = &touchExchange(ev.scope.req, delta);
        x->events.append(i);
        if (c && x->conn != c->id) {
            // First event on this connection (a retry moves a request to a new one; one that
            // comes back to a connection it was on is not listed there twice).
            const bool moved = x->conn != 0;
            x->conn = c->id;
            if (!moved || !c->exchanges.contains(x->req))
                c->exchanges.append(x->req);
        }
        // HTTP/2's stream 0 is the connection's; HTTP/3's first request stream is 0.
        if (ev.scope.stream > 0 || (ev.scope.stream == 0 && ev.is(EventType::H3Headers)))
            x->stream = ev.scope.stream;
    }

    switch (ev.type) {
    case EventType::RequestStart:
        if (x) {
            x->method = str(ev, Field::Method);
            x->url = str(ev, Field::Url);
            // A flood repeats one URL: share the previous exchange's strings (implicitly
            // shared, no copy) instead of keeping and parsing a copy per request.
            if (x->url == m_lastUrl) {
                x->url = m_lastUrl;
                x->path = m_lastPath;
            } else {
                const QUrl url(x->url);
                x->path = url.path(QUrl::FullyEncoded);
                if (x->path.isEmpty())
                    x->path = QStringLiteral("/");
                if (url.hasQuery())
                    x->path += QLatin1Char('?') + url.query(QUrl::FullyEncoded);
                m_lastUrl = x->url;
                m_lastPath = x->path;
            }
            x->startNs = t;
        }
        break;
    case EventType::PoolOpen:
        if (c) {
            c->origin = str(ev, Field::Origin);
            c->tls = c->origin.startsWith(QLatin1String("https:"));
            c->openNs = t;
        }
        break;
    case EventType::Dns:
        if (c) {
            c->dnsEndNs = t;
            c->dnsStartNs = t - qint64(ev.field(Field::Ms).toDouble() * 1e6);
        }
        break;
    case EventType::ConnectAttempt:
        if (c && c->connectStartNs < 0)
            c->connectStartNs = t;
        if (c && c->proxy.isEmpty())
            c->proxy = str(ev, Field::Proxy);
        break;
    case EventType::ProxyConnect:
    case EventType::SocksGreeting:
        // A trace from before connect.attempt named its proxy still shows the tunnel's.
        if (c && c->proxy.isEmpty())
            c->proxy = str(ev, Field::Proxy);
        break;
    case EventType::ConnectFailed:
        // The request may still succeed over the next address; the connection shows the failure.
        if (c && c->error.isEmpty())
            c->error = str(ev, Field::Message);
        break;
    case EventType::Connect:
        if (c) {
            c->error.clear(); // an earlier address failed, this one worked
            c->connectEndNs = t;
            c->quic = str(ev, Field::Protocol) == QLatin1String("udp");
            if (c->connectStartNs < 0)
                c->connectStartNs = t - qint64(ev.field(Field::Ms).toDouble() * 1e6);
            // A HAR import may know no address (no serverIPAddress): the origin names it.
            if (const QString address = str(ev, Field::Address); !address.isEmpty())
                c->address = QStringLiteral("%1:%2").arg(address).arg(integer(ev, Field::Port));
        }
        break;
    case EventType::Tls:
        if (c) {
            c->tlsEndNs = t;
            c->tlsEvent = i;
            c->alpn = str(ev, Field::Alpn); // null -> empty
            if ((c->alpn == QLatin1String("h2") || c->alpn == QLatin1String("h3")) &&
                c->history.isEmpty())
                c->history.append({c->alpn, t, false});
        }
        break;
    case EventType::H1Request: {
        // The engine writes HTTP/1.1; a HAR import also HTTP/1.0 or "unknown".
        QString version = str(ev, Field::Version);
        if (version.isEmpty())
            version = QStringLiteral("HTTP/1.1");
        if (c && c->history.isEmpty())
            c->history.append({version, t, false});
        if (x) {
            if (x->requestSentNs < 0)
                x->requestSentNs = t;
            if (x->protocol.isEmpty())
                x->protocol = version;
        }
        break;
    }
    case EventType::H1Response:
        if (x) {
            x->status = int(integer(ev, Field::Status));
            if (x->responseHeadNs < 0)
                x->responseHeadNs = t;
        }
        break;
    case EventType::H2Frame:
        // The first frame on a connection that never spoke HTTP/1.1: prior knowledge (or ALPN
        // h2, already recorded at the tls event).
        if (c && c->history.isEmpty())
            c->history.append({c->tls ? QStringLiteral("h2") : QStringLiteral("h2c"), t, false});
        break;
    case EventType::H2Headers:
    case EventType::H3Headers:
        if (x) {
            const QString k = str(ev, Field::Kind);
            if (k == QLatin1String("request")) {
                if (x->requestSentNs < 0)
                    x->requestSentNs = t;
                if (x->protocol.isEmpty() && c)
                    x->protocol = c->currentProtocol();
            } else if (k == QLatin1String("response") || k == QLatin1String("interim")) {
                if (x->responseHeadNs < 0)
                    x->responseHeadNs = t;
                for (const FieldValue h : ev.field(Field::Headers)) {
                    if (h.at(0).toUtf8() == ":status") {
                        x->status = h.at(1).toUtf8().toInt();
                        break;
                    }
                }
            }
        }
        break;
    case EventType::UpgradeSwitch: {
        const QString protocol = str(ev, Field::Protocol);
        if (c)
            c->history.append({protocol, t, true});
        if (x) {
            x->status = 101;
            if (protocol == QLatin1String("websocket"))
                x->kind = ExchangeInfo::Kind::WebSocket;
            else if (protocol != QLatin1String("h2c") && protocol != QLatin1String("h2"))
                x->kind = ExchangeInfo::Kind::RawTunnel;
            x->protocol = protocol; // stream 1 of an h2c upgrade is answered in h2c
        }
        break;
    }
    case EventType::Redirect:
        if (const quint32 next = quint32(integer(ev, Field::Next)); x && next > x->req) {
            x->redirectTo = next;
            touchExchange(next, delta).redirectFrom = x->req;
        }
        break;
    case EventType::UpgradeFollow:
        if (c) {
            c->followedFrom = quint32(integer(ev, Field::From));
            c->followedVia = str(ev, Field::Via) == QLatin1String("Alt-Svc")
                                 ? QStringLiteral("Alt-Svc %1").arg(str(ev, Field::Protocol))
                                 : QStringLiteral("Upgrade: %1").arg(str(ev, Field::Protocol));
        }
        break;
    case EventType::AltSvc:
        // The advertising connection says so as for `Upgrade: h2` (its arrow starts here).
        if (c && str(ev, Field::Action) == QLatin1String("remembered")) {
            c->advertised = {QStringLiteral("Alt-Svc h3 (%1)").arg(str(ev, Field::Authority))};
            if (c->advertisedNs < 0)
                c->advertisedNs = t;
        }
        break;
    case EventType::UpgradeAdvertised:
        if (c) {
            c->advertised.clear();
            for (const FieldValue p : ev.field(Field::Protocols))
                c->advertised.append(p.toString());
            if (c->advertisedNs < 0)
                c->advertisedNs = t;
        }
        break;
    case EventType::ResponseComplete:
        if (x) {
            if (x->state != ExchangeInfo::State::Complete)
                ++m_complete;
            x->state = ExchangeInfo::State::Complete;
            x->status = int(integer(ev, Field::Status, x->status));
            const qint64 before = qMax<qint64>(x->bytes, 0);
            x->bytes = integer(ev, Field::Bytes, -1);
            if (x->conn) // a retried request counts where it ended
                m_connections[x->conn - 1].bytes += qMax<qint64>(x->bytes, 0) - before;
            if (x->protocol.isEmpty())
                x->protocol = str(ev, Field::Protocol);
            // An imported HAR's h2 or h3 connection has no frame to say what it spoke.
            if (c && c->history.isEmpty() && !x->protocol.isEmpty())
                c->history.append({x->protocol, x->startNs >= 0 ? x->startNs : t, false});
            x->endNs = t;
        }
        break;
    case EventType::RequestFailed:
        if (x) {
            if (x->state != ExchangeInfo::State::Failed)
                ++m_failed;
            x->state = ExchangeInfo::State::Failed;
            x->errorCode = str(ev, Field::Code);
            x->error = str(ev, Field::Error);
            x->endNs = t;
        }
        break;
    case EventType::Error:
        ++m_errorEvents;
        if (x) {
            if (x->error.isEmpty())
                x->error = str(ev, Field::Message);
        } else if (c && c->error.isEmpty()) {
            c->error = str(ev, Field::Message);
        }
        break;
    case EventType::Close:
        if (c) {
            c->closeNs = t;
            c->closeReason = str(ev, Field::Reason);
            if (c->connectEndNs < 0 && c->error.isEmpty())
                c->error = c->closeReason; // closed before it ever connected
        }
        break;
    case EventType::NetRead:
        m_bytesIn += integer(ev, Field::Bytes);
        break;
    case EventType::NetWrite:
        m_bytesOut += integer(ev, Field::Bytes);
        break;
    // QUIC has no net.* events: its packets are what crossed, each way (their sizes add up to
    // the UDP payloads).
    case EventType::QuicPacket:
        (ev.dir == Direction::In ? m_bytesIn : m_bytesOut) += integer(ev, Field::Bytes);
        break;
    default:
        break;
    }
}

} // namespace hopscope
