#include "models/timelinemodel.h"

#include "session/sessionstore.h"
#include "style/protocolstyle.h"

#include <QUrl>

#include <algorithm>
#include <limits>

namespace hopscope {

namespace {

constexpr qint64 kForever = std::numeric_limits<qint64>::max();

QString field(const TraceEvent &ev, Field key)
{
    return ev.field(key).toString();
}

qint64 intField(const TraceEvent &ev, Field key, qint64 fallback = 0)
{
    return ev.field(key).toInteger(fallback);
}

bool isH2(const QString &protocol)
{
    return protocol == QLatin1String("h2") || protocol == QLatin1String("h2c");
}

bool hasFlag(const TraceEvent &ev, QByteArrayView flag)
{
    for (const FieldValue f : ev.field(Field::Flags))
        if (f.toUtf8() == flag)
            return true;
    return false;
}

} // namespace

// What the phases of a connection need beyond ConnectionInfo; gathered while scanning events.
struct TimelineModel::LaneState
{
    qint64 firstEventNs = -1;
    qint64 firstH1RequestNs = -1;
    qint64 firstH1ResponseNs = -1; // first response head after the first request (1xx included)
    qint64 switchHeadNs = -1;      // the 101 head
    qint64 switchNs = -1;          // upgrade.switch
    QString switchProtocol;
    qint64 h2FirstOutNs = -1;    // first HTTP/2 frame we sent (the preface's SETTINGS)
    qint64 settingsAckInNs = -1; // the server acknowledged our SETTINGS
    qint64 advertisedNs = -1;
    qint64 followNs = -1;
    QString tlsVersion;
    qint64 proxyStartNs = -1; // the first message to the proxy (CONNECT or the SOCKS5 greeting)
    qint64 proxyEndNs = -1;   // proxy.established
    QString proxyLabel;       // "CONNECT example.org:443", "SOCKS5 example.org:443"
    bool quic = false;        // the connection is QUIC (UDP): its TLS phase is the QUIC handshake
};

TimelineModel::TimelineModel(SessionStore *store, QObject *parent) : QObject(parent), m_store(store)
{
    if (!store)
        return;
    connect(store, &SessionStore::changed, this, &TimelineModel::onStoreChanged);
    connect(store, &SessionStore::reset, this, &TimelineModel::onStoreReset);
    if (!store->events().isEmpty()) {
        // Attached late: take everything the store has as one batch.
        SessionDelta all;
        all.firstNewEvent = 0;
        for (int i = 0; i < store->connectionCount(); ++i)
            all.newConnections.append(store->connectionAt(i).id);
        for (int i = 0; i < store->exchangeCount(); ++i)
            all.newExchanges.append(store->exchangeAt(i).req);
        onStoreChanged(all);
    }
}

TimelineModel::~TimelineModel() = default;

const TimelineLane *TimelineModel::lane(quint32 conn) const
{
    return conn >= 1 && conn <= m_lanes.size() ? &m_lanes[conn - 1] : nullptr;
}

const TimelineBar *TimelineModel::bar(quint32 req) const
{
    if (req < 1 || req > m_bars.size() || !m_bars[req - 1].isValid())
        return nullptr;
    return &m_bars[req - 1];
}

qint64 TimelineModel::nowNs() const
{
    return m_store ? m_store->lastEventNs() : 0;
}

qint64 TimelineModel::startNs() const
{
    // Connections open in id order, so the first lane starts first.
    return m_lanes.empty() ? 0 : m_lanes.front().startNs;
}

qint64 TimelineModel::barEnd(quint32 req) const
{
    const TimelineBar &b = m_bars[req - 1];
    return b.endNs < 0 ? nowNs() : b.endNs;
}

void TimelineModel::onStoreReset()
{
    m_lanes.clear();
    m_states.clear();
    m_bars.clear();
    m_markers.clear();
    m_arrows.clear();
    m_pendingRedirects.clear();
    m_chapters.clear();
    m_scannedEvents = 0;
    emit reset();
}

void TimelineModel::ensureLanes(int count)
{
    while (int(m_lanes.size()) < count) {
        TimelineLane lane;
        lane.conn = quint32(m_lanes.size() + 1);
        m_lanes.push_back(std::move(lane));
        m_states.emplace_back();
    }
}

void TimelineModel::onStoreChanged(const SessionDelta &delta)
{
    if (!m_store)
        return;
    ensureLanes(m_store->connectionCount());

    // Markers and phase facts from the new events only: O(batch).
    const int total = int(m_store->events().size());
    for (int i = m_scannedEvents; i < total; ++i)
        scanEvent(i);
    m_scannedEvents = total;

    for (quint32 id : delta.newConnections)
        rebuildLane(id);
    for (quint32 id : delta.changedConnections)
        rebuildLane(id);

    // Bars are packed into rows greedily by start time; sorting a batch by start makes one big
    // batch pack exactly like the same events fed one by one.
    struct Pending
    {
        qint64 start;
        quint32 req;
    };
    QList<Pending> pending;
    pending.reserve(delta.newExchanges.size() + delta.changedExchanges.size());
    for (const QList<quint32> *list : {&delta.newExchanges, &delta.changedExchanges}) {
        for (quint32 req : *list) {
            const ExchangeInfo *x = m_store->exchange(req);
            if (!x)
                continue;
            pending.append({x->requestSentNs >= 0 ? x->requestSentNs : x->startNs, req});
        }
    }
    std::sort(pending.begin(), pending.end(), [](const Pending &a, const Pending &b) {
        return a.start != b.start ? a.start < b.start : a.req < b.req;
    });
    for (const Pending &p : pending)
        updateBar(p.req);

    emit changed();
}

void TimelineModel::addMarker(TimelineMarker marker)
{
    const int index = int(m_markers.size());
    m_lanes[marker.conn - 1].markers.append(index);
    m_markers.push_back(std::move(marker));
}

void TimelineModel::scanEvent(int index)
{
    const TraceEvent &ev = m_store->event(index);
    if (ev.is(EventType::DemoPhase)) {
        m_chapters.append(
            {ev.tNs, int(ev.field(Field::Phase).toInteger()), ev.field(Field::Title).toString()});
        return;
    }
    quint32 conn = ev.scope.conn;
    if (conn == 0 && ev.scope.req > 0) {
        if (const ExchangeInfo *x = m_store->exchange(ev.scope.req))
            conn = x->conn;
    }
    if (conn == 0)
        return; // not on a connection (demo.phase, request.start, a failure before connecting)
    if (!m_store->connection(conn))
        return; // an id the store did not index (a damaged file): no lane sized by it
    ensureLanes(int(conn));
    LaneState &s = m_states[conn - 1];
    if (s.firstEventNs < 0)
        s.firstEventNs = ev.tNs;

    TimelineMarker m;
    m.ns = ev.tNs;
    m.conn = conn;
    m.req = ev.scope.req;
    m.eventIndex = index;
    const auto mark = [&](TimelineMarker::Kind k, QString label, QString protocol = {}) {
        m.kind = k;
        m.label = std::move(label);
        m.protocol = std::move(protocol);
        addMarker(std::move(m));
    };

    switch (ev.type) {
    case EventType::Connect:
        s.quic = field(ev, Field::Protocol) == QLatin1String("udp");
        break;
    case EventType::H1Request:
        if (s.firstH1RequestNs < 0)
            s.firstH1RequestNs = ev.tNs;
        break;
    case EventType::H1Response: {
        if (s.firstH1RequestNs >= 0 && s.firstH1ResponseNs < 0)
            s.firstH1ResponseNs = ev.tNs;
        if (intField(ev, Field::Status) == 101)
            s.switchHeadNs = ev.tNs;
        break;
    }
    case EventType::Tls:
        s.tlsVersion = field(ev, Field::Protocol);
        break;
    case EventType::TlsMessage:
        m_lanes[conn - 1].tlsTicks.append(
            {ev.tNs, index, ev.dir == Direction::Out, ev.field(Field::Kind).toUtf8() == "alert"});
        break;
    case EventType::ProxyConnect:
        if (s.proxyStartNs < 0) {
            s.proxyStartNs = ev.tNs;
            s.proxyLabel = QStringLiteral("proxy CONNECT %1").arg(field(ev, Field::Target));
        }
        break;
    case EventType::SocksGreeting:
        if (s.proxyStartNs < 0) {
            s.proxyStartNs = ev.tNs;
            s.proxyLabel = QStringLiteral("SOCKS5 proxy");
        }
        break;
    case EventType::ProxyEstablished:
        s.proxyEndNs = ev.tNs;
        if (s.proxyLabel.startsWith(QLatin1String("SOCKS5")))
            s.proxyLabel = QStringLiteral("SOCKS5 proxy to %1").arg(field(ev, Field::Target));
        break;
    case EventType::H2Frame: {
        const QString frame = field(ev, Field::Frame);
        if (ev.dir == Direction::Out && s.h2FirstOutNs < 0)
            s.h2FirstOutNs = ev.tNs;
        if (frame == QLatin1String("SETTINGS") && ev.dir == Direction::In &&
            s.settingsAckInNs < 0 && hasFlag(ev, "ACK"))
            s.settingsAckInNs = ev.tNs;
        const QString side = ev.dir == Direction::Out ? QStringLiteral(" (sent)") : QString();
        if (frame == QLatin1String("GOAWAY")) {
            mark(TimelineMarker::Kind::GoAway, QStringLiteral("GOAWAY %1, last stream %2%3")
                                                   .arg(field(ev, Field::Error))
                                                   .arg(intField(ev, Field::LastStreamId))
                                                   .arg(side));
        } else if (frame == QLatin1String("RST_STREAM")) {
            mark(TimelineMarker::Kind::RstStream, QStringLiteral("RST_STREAM s%1 %2%3")
                                                      .arg(ev.scope.stream)
                                                      .arg(field(ev, Field::Error), side));
        }
        break;
    }
    case EventType::UpgradeOffer: {
        const QString p = field(ev, Field::Protocol);
        mark(TimelineMarker::Kind::UpgradeOffer, QStringLiteral("offers Upgrade: %1").arg(p), p);
        break;
    }
    case EventType::UpgradeSwitch: {
        const QString p = field(ev, Field::Protocol);
        s.switchNs = ev.tNs;
        s.switchProtocol = p;
        mark(TimelineMarker::Kind::UpgradeSwitch, QStringLiteral("→ %1").arg(protocolLabel(p)), p);
        break;
    }
    case EventType::UpgradeDeclined: {
        const QString p = field(ev, Field::Protocol);
        mark(TimelineMarker::Kind::UpgradeDeclined,
             QStringLiteral("%1 declined (%2)").arg(p).arg(intField(ev, Field::Status)), p);
        break;
    }
    case EventType::UpgradeSkipped: {
        const QString p = field(ev, Field::Protocol);
        mark(TimelineMarker::Kind::UpgradeDeclined,
             QStringLiteral("no %1 offer: %2").arg(p, field(ev, Field::Reason)), p);
        break;
    }
    case EventType::UpgradeH2Refused:
        mark(TimelineMarker::Kind::UpgradeDeclined,
             QStringLiteral("h2 refused: %1").arg(field(ev, Field::Message)), QStringLiteral("h2"));
        break;
    case EventType::AltSvc:
        if (field(ev, Field::Action) == QLatin1String("remembered")) {
            if (s.advertisedNs < 0)
                s.advertisedNs = ev.tNs;
            mark(TimelineMarker::Kind::Advertised,
                 QStringLiteral("Alt-Svc: h3 at %1").arg(field(ev, Field::Authority)),
                 QStringLiteral("h3"));
        }
        break;
    case EventType::UpgradeAdvertised: {
        QStringList protocols;
        for (const FieldValue p : ev.field(Field::Protocols))
            protocols.append(p.toString());
        if (s.advertisedNs < 0)
            s.advertisedNs = ev.tNs;
        mark(TimelineMarker::Kind::Advertised,
             QStringLiteral("Upgrade: %1").arg(protocols.join(QLatin1String(", "))),
             protocols.value(0));
        break;
    }
    case EventType::UpgradeFollow: {
        const QString p = field(ev, Field::Protocol);
        const quint32 from = quint32(intField(ev, Field::From));
        if (s.followNs < 0)
            s.followNs = ev.tNs;
        const bool altSvc = field(ev, Field::Via) == QLatin1String("Alt-Svc");
        mark(TimelineMarker::Kind::Follow,
             (altSvc ? QStringLiteral("follows Alt-Svc %1 from #%2")
                     : QStringLiteral("follows Upgrade: %1 from #%2"))
                 .arg(p)
                 .arg(from),
             p);
        if (from > 0)
            ensureArrow(conn, from, ev.tNs, p, altSvc);
        break;
    }
    case EventType::Redirect: {
        const quint32 next = quint32(intField(ev, Field::Next));
        if (next == 0)
            break;
        TimelineArrow a;
        a.kind = TimelineArrow::Kind::Redirect;
        a.fromReq = ev.scope.req;
        a.toReq = next;
        a.status = int(intField(ev, Field::Status));
        a.fromConn = conn;
        a.fromNs = ev.tNs;
        const QString from = QUrl(field(ev, Field::From)).scheme();
        const QString to = QUrl(field(ev, Field::To)).scheme();
        a.label = QStringLiteral("%1 → req %2").arg(a.status).arg(next);
        if (from != to)
            a.label += QStringLiteral(" (%1 → %2)").arg(from, to);
        m_pendingRedirects.insert(next, a);
        break;
    }
    case EventType::Error: {
        const QString code = field(ev, Field::Code);
        mark(TimelineMarker::Kind::Error,
             code.isEmpty() ? QStringLiteral("error: %1").arg(field(ev, Field::Message))
                            : QStringLiteral("error %1: %2").arg(code, field(ev, Field::Message)));
        break;
    }
    case EventType::RequestFailed:
        mark(TimelineMarker::Kind::Error,
             QStringLiteral("req %1 failed (%2): %3")
                 .arg(ev.scope.req)
                 .arg(field(ev, Field::Code), field(ev, Field::Error)));
        break;
    case EventType::Close:
        mark(TimelineMarker::Kind::Close,
             QStringLiteral("closed: %1").arg(field(ev, Field::Reason)));
        break;
    default:
        break;
    }
}

void TimelineModel::ensureArrow(quint32 toConn, quint32 fromConn, qint64 toNs,
                                const QString &protocol, bool altSvc)
{
    for (const TimelineArrow &a : std::as_const(m_arrows))
        if (a.kind == TimelineArrow::Kind::UpgradeFollow && a.toConn == toConn)
            return;
    TimelineArrow a;
    a.fromConn = fromConn;
    a.toConn = toConn;
    a.toNs = toNs;
    a.protocol = protocol;
    a.fromNs = -1;
    if (fromConn <= m_states.size() && m_states[fromConn - 1].advertisedNs >= 0)
        a.fromNs = m_states[fromConn - 1].advertisedNs;
    else if (const ConnectionInfo *from = m_store->connection(fromConn);
             from && from->advertisedNs >= 0)
        a.fromNs = from->advertisedNs;
    else if (const TimelineLane *l = lane(fromConn))
        a.fromNs = l->startNs;
    if (a.fromNs < 0)
        a.fromNs = toNs;
    a.label = (altSvc ? QStringLiteral("Alt-Svc: %1 → new QUIC connection")
                      : QStringLiteral("Upgrade: %1 → new connection"))
                  .arg(a.protocol);
    m_arrows.append(a);
}

void TimelineModel::rebuildLane(quint32 conn)
{
    const ConnectionInfo *info = m_store->connection(conn);
    if (!info)
        return;
    ensureLanes(int(conn));
    TimelineLane &lane = m_lanes[conn - 1];
    const LaneState &s = m_states[conn - 1];
    lane.title = info->title();
    lane.address = info->where(); // through a proxy: "origin via proxy", as the tree says
    lane.protocols.clear();
    for (const ProtocolStep &step : info->history)
        lane.protocols.append(protocolLabel(step.protocol));
    lane.startNs = info->openNs >= 0 ? info->openNs : qMax<qint64>(0, s.firstEventNs);
    lane.endNs = info->closeNs;
    lane.closeReason = info->closeReason;
    lane.reached = info->connectEndNs < 0 ? TimelineLane::Reached::Nothing
                   : !info->tls           ? TimelineLane::Reached::Tcp
                   : info->tlsEndNs < 0   ? TimelineLane::Reached::TlsStarted
                                          : TimelineLane::Reached::Tls;
    lane.switchNs = s.switchNs;
    rebuildPhases(lane, *info, s);
    if (info->followedFrom)
        ensureArrow(conn, info->followedFrom, s.followNs >= 0 ? s.followNs : lane.startNs,
                    info->followedVia.startsWith(QLatin1String("Alt-Svc")) ? QStringLiteral("h3")
                                                                           : QStringLiteral("h2"),
                    info->followedVia.startsWith(QLatin1String("Alt-Svc")));
}

void TimelineModel::rebuildPhases(TimelineLane &lane, const ConnectionInfo &c, const LaneState &s)
{
    using K = TimelinePhase::Kind;
    QList<TimelinePhase> out;
    const qint64 close = c.closeNs; // -1: open
    const auto add = [&](K kind, qint64 start, qint64 end, const QString &protocol,
                         const QString &label) {
        if (start < 0)
            return;
        if (close >= 0) {
            start = qMin(start, close);
            end = end < 0 ? close : qMin(end, close);
        }
        if (end >= 0 && end < start)
            end = start;
        out.append({kind, start, end, protocol, label});
    };

    if (c.dnsStartNs >= 0)
        add(K::Dns, c.dnsStartNs, c.dnsEndNs, {}, QStringLiteral("DNS"));
    if (c.connectStartNs >= 0)
        add(K::Connect, c.connectStartNs, c.connectEndNs, {},
            s.quic ? QStringLiteral("UDP") : QStringLiteral("TCP connect"));
    // Through a proxy, the hop to it sits between TCP and TLS (or the origin's protocol).
    const bool proxied = s.proxyStartNs >= 0 && c.connectEndNs >= 0;
    if (proxied)
        add(K::Proxy, c.connectEndNs, s.proxyEndNs, {}, s.proxyLabel);
    const qint64 transportEnd = proxied ? s.proxyEndNs : c.connectEndNs;
    if (c.tls && c.connectEndNs >= 0 && (!proxied || transportEnd >= 0)) {
        QString label = s.quic ? QStringLiteral("QUIC handshake, TLS") : QStringLiteral("TLS");
        if (!s.tlsVersion.isEmpty())
            label += QLatin1Char(' ') + s.tlsVersion;
        if (c.tlsEndNs >= 0)
            label +=
                QStringLiteral(", ALPN %1").arg(c.alpn.isEmpty() ? QStringLiteral("none") : c.alpn);
        add(K::Tls, transportEnd, c.tlsEndNs, {}, label);
    }
    const qint64 handshakeEnd = c.tls ? c.tlsEndNs : transportEnd;

    const auto addH2 = [&](const QString &protocol, qint64 from) {
        const QString name = protocolLabel(protocol);
        if (s.h2FirstOutNs >= 0) {
            add(K::Preface, qMax(s.h2FirstOutNs, from), s.settingsAckInNs, protocol,
                QStringLiteral("%1 preface + SETTINGS").arg(name));
            if (s.settingsAckInNs >= 0)
                add(K::Http2, s.settingsAckInNs, close, protocol, name);
        } else {
            add(K::Http2, from, close, protocol, name);
        }
    };

    if (!c.history.isEmpty()) {
        const ProtocolStep &first = c.history.first();
        const qint64 from = handshakeEnd >= 0 ? qMin(handshakeEnd, first.atNs) : first.atNs;
        const QString h1 = QStringLiteral("HTTP/1.1");
        if (isH2(first.protocol)) {
            addH2(first.protocol, from);
        } else if (first.protocol == QLatin1String("h3")) {
            add(K::Http2, from, close, first.protocol, QStringLiteral("HTTP/3 over QUIC"));
        } else {
            // HTTP/1.1 until the 101 (or the end): the first request, then keep-alive.
            const qint64 h1End =
                s.switchNs >= 0 ? (s.switchHeadNs >= 0 ? s.switchHeadNs : s.switchNs) : close;
            if (s.firstH1RequestNs >= 0) {
                const bool firstWas101 =
                    s.switchHeadNs >= 0 && s.firstH1ResponseNs == s.switchHeadNs;
                const qint64 head = s.firstH1ResponseNs >= 0 ? s.firstH1ResponseNs : h1End;
                add(K::Http1Request, s.firstH1RequestNs, head, h1,
                    QStringLiteral("HTTP/1.1 request"));
                if (!firstWas101 && s.firstH1ResponseNs >= 0)
                    add(K::Http1, s.firstH1ResponseNs, h1End, h1,
                        QStringLiteral("HTTP/1.1 keep-alive"));
            } else {
                add(K::Http1, from, h1End, h1, h1);
            }
            if (s.switchNs >= 0) {
                const QString p = s.switchProtocol;
                if (s.switchHeadNs >= 0)
                    add(K::Switch101, s.switchHeadNs, s.switchNs, p,
                        QStringLiteral("101 → %1").arg(protocolLabel(p)));
                if (isH2(p))
                    addH2(p, s.switchNs);
                else if (p == QLatin1String("websocket"))
                    add(K::WebSocketSession, s.switchNs, close, p,
                        QStringLiteral("WebSocket session"));
                else
                    add(K::Tunnel, s.switchNs, close, p, QStringLiteral("%1 tunnel").arg(p));
            }
        }
    }
    lane.phases = std::move(out);
}

bool TimelineModel::overlaps(quint32 reqA, qint64 startB, qint64 endB) const
{
    const TimelineBar &a = m_bars[reqA - 1];
    const qint64 endA = a.endNs < 0 ? kForever : a.endNs;
    if (endB < 0)
        endB = kForever;
    return a.startNs < endB && startB < endA;
}

void TimelineModel::placeInRows(TimelineBar &b)
{
    TimelineLane &lane = m_lanes[b.conn - 1];
    const auto before = [this](quint32 req, const TimelineBar &x) {
        const TimelineBar &r = m_bars[req - 1];
        return r.startNs != x.startNs ? r.startNs < x.startNs : r.req < x.req;
    };
    for (int r = 0; r < lane.rows.size(); ++r) {
        QList<quint32> &row = lane.rows[r];
        const auto pos = std::partition_point(row.begin(), row.end(),
                                              [&](quint32 req) { return before(req, b); });
        if (pos != row.begin() && overlaps(*(pos - 1), b.startNs, b.endNs))
            continue;
        if (pos != row.end() && overlaps(*pos, b.startNs, b.endNs))
            continue;
        row.insert(pos, b.req);
        b.row = r;
        return;
    }
    lane.rows.append(QList<quint32>{b.req});
    b.row = int(lane.rows.size()) - 1;
}

void TimelineModel::removeFromRows(const TimelineBar &b)
{
    TimelineLane &lane = m_lanes[b.conn - 1];
    if (b.row < lane.rows.size())
        lane.rows[b.row].removeOne(b.req);
    while (!lane.rows.isEmpty() && lane.rows.last().isEmpty())
        lane.rows.removeLast();
}

void TimelineModel::updateBar(quint32 req)
{
    const ExchangeInfo *x = m_store->exchange(req);
    if (!x)
        return;
    if (m_bars.size() < req) {
        const size_t old = m_bars.size();
        m_bars.growTo(req);
        for (size_t i = old; i < m_bars.size(); ++i)
            m_bars[i].req = quint32(i + 1);
    }
    TimelineBar &b = m_bars[req - 1];
    const bool running = x->state == ExchangeInfo::State::Running;
    qint64 start = x->requestSentNs;
    if (start < 0 && !running) // ended without being sent: show the attempt
        start = x->startNs >= 0 ? x->startNs : x->endNs;
    const quint32 conn = (x->conn >= 1 && x->conn <= m_lanes.size()) ? x->conn : 0;
    if (conn == 0 || start < 0) {
        if (b.isValid())
            removeFromRows(b);
        b = TimelineBar{};
        b.req = req;
        return;
    }
    const qint64 end = running ? -1 : qMax(start, x->endNs);

    // A bar keeps its row while it only finishes; a move (retry on another connection) or a new
    // start re-packs it.
    if (b.isValid() && (b.conn != conn || b.startNs != start || (b.endNs >= 0 && b.endNs != end))) {
        removeFromRows(b);
        b.conn = 0;
    }
    const bool place = !b.isValid();
    b.conn = conn;
    b.stream = x->stream;
    b.startNs = start;
    b.endNs = end;
    b.failed = x->state == ExchangeInfo::State::Failed;
    if (place)
        placeInRows(b);
    if (!m_pendingRedirects.isEmpty()) {
        if (auto it = m_pendingRedirects.find(req); it != m_pendingRedirects.end()) {
            TimelineArrow a = it.value();
            m_pendingRedirects.erase(it);
            a.toConn = conn;
            a.toNs = start;
            a.protocol = x->protocol;
            m_arrows.append(a);
        }
    }
}

QString TimelineModel::barProtocol(const TimelineBar &b) const
{
    const ExchangeInfo *x = m_store ? m_store->exchange(b.req) : nullptr;
    return x ? x->protocol : QString();
}

QString TimelineModel::barLabel(const TimelineBar &b) const
{
    const ExchangeInfo *x = m_store ? m_store->exchange(b.req) : nullptr;
    if (!x)
        return {};
    QString status;
    if (b.failed)
        status = x->errorCode.isEmpty() ? QStringLiteral("failed") : x->errorCode;
    else if (x->status > 0)
        status = QString::number(x->status);
    else
        status = QStringLiteral("…");
    QString label;
    if (x->stream > 0)
        label = QStringLiteral("s%1 ").arg(x->stream);
    label += x->method + QLatin1Char(' ') + x->path + QLatin1Char(' ') + status;
    return label;
}

QList<quint32> TimelineModel::barsAt(quint32 conn, qint64 ns) const
{
    QList<quint32> out;
    const TimelineLane *l = lane(conn);
    if (!l)
        return out;
    for (int r = 0; r < l->rows.size(); ++r) {
        const QList<quint32> &row = l->rows[r];
        const int i = firstBarEndingAfter(*l, r, ns);
        if (i < row.size() && m_bars[row[i] - 1].startNs <= ns)
            out.append(row[i]);
    }
    return out;
}

int TimelineModel::firstBarEndingAfter(const TimelineLane &lane, int row, qint64 ns) const
{
    const QList<quint32> &list = lane.rows[row];
    const auto it = std::partition_point(list.begin(), list.end(),
                                         [&](quint32 req) { return barEnd(req) < ns; });
    return int(it - list.begin());
}

int TimelineModel::firstMarkerAtOrAfter(const TimelineLane &lane, qint64 ns) const
{
    const auto it = std::partition_point(lane.markers.begin(), lane.markers.end(),
                                         [&](int m) { return m_markers[size_t(m)].ns < ns; });
    return int(it - lane.markers.begin());
}

QList<int> TimelineModel::markersNear(quint32 conn, qint64 ns, qint64 toleranceNs) const
{
    QList<int> out;
    const TimelineLane *l = lane(conn);
    if (!l)
        return out;
    for (int i = firstMarkerAtOrAfter(*l, ns - toleranceNs); i < l->markers.size(); ++i) {
        const int m = l->markers[i];
        if (m_markers[size_t(m)].ns > ns + toleranceNs)
            break;
        out.append(m);
    }
    std::stable_sort(out.begin(), out.end(), [&](int a, int b) {
        return qAbs(m_markers[size_t(a)].ns - ns) < qAbs(m_markers[size_t(b)].ns - ns);
    });
    return out;
}

QString TimelineModel::phaseKindName(TimelinePhase::Kind kind)
{
    switch (kind) {
    case TimelinePhase::Kind::Dns:
        return QStringLiteral("DNS lookup");
    case TimelinePhase::Kind::Connect:
        return QStringLiteral("TCP connect");
    case TimelinePhase::Kind::Proxy:
        return QStringLiteral("Proxy tunnel");
    case TimelinePhase::Kind::Tls:
        return QStringLiteral("TLS handshake");
    case TimelinePhase::Kind::Http1Request:
        return QStringLiteral("HTTP/1.1 request");
    case TimelinePhase::Kind::Switch101:
        return QStringLiteral("101 Switching Protocols");
    case TimelinePhase::Kind::Preface:
        return QStringLiteral("HTTP/2 preface");
    case TimelinePhase::Kind::WebSocketSession:
        return QStringLiteral("WebSocket session");
    case TimelinePhase::Kind::Tunnel:
        return QStringLiteral("Tunnel");
    case TimelinePhase::Kind::Http2:
        return QStringLiteral("HTTP/2");
    case TimelinePhase::Kind::Http1:
        return QStringLiteral("HTTP/1.1");
    }
    return {};
}

QString TimelineModel::markerKindName(TimelineMarker::Kind kind)
{
    switch (kind) {
    case TimelineMarker::Kind::UpgradeOffer:
        return QStringLiteral("upgrade offered");
    case TimelineMarker::Kind::UpgradeSwitch:
        return QStringLiteral("protocol switched (101)");
    case TimelineMarker::Kind::UpgradeDeclined:
        return QStringLiteral("upgrade declined");
    case TimelineMarker::Kind::Advertised:
        return QStringLiteral("Upgrade advertised");
    case TimelineMarker::Kind::Follow:
        return QStringLiteral("followed to a new connection");
    case TimelineMarker::Kind::GoAway:
        return QStringLiteral("GOAWAY");
    case TimelineMarker::Kind::RstStream:
        return QStringLiteral("stream reset");
    case TimelineMarker::Kind::Error:
        return QStringLiteral("error");
    case TimelineMarker::Kind::Close:
        return QStringLiteral("connection closed");
    }
    return {};
}

int TimelineModel::tlsTickNear(const TimelineLane &lane, qint64 ns, qint64 toleranceNs)
{
    const QList<TimelineTlsTick> &ticks = lane.tlsTicks;
    auto it = std::lower_bound(ticks.begin(), ticks.end(), ns,
                               [](const TimelineTlsTick &t, qint64 v) { return t.ns < v; });
    int best = -1;
    qint64 bestDistance = toleranceNs + 1;
    for (auto c : {it - 1, it}) {
        if (c < ticks.begin() || c >= ticks.end())
            continue;
        const qint64 d = qAbs(c->ns - ns);
        if (d < bestDistance) {
            bestDistance = d;
            best = int(c - ticks.begin());
        }
    }
    return best;
}

QString TimelineModel::tlsTickLabel(const TimelineTlsTick &tick) const
{
    if (!m_store || tick.eventIndex < 0 || tick.eventIndex >= m_store->events().size())
        return {};
    const TraceEvent ev = m_store->event(tick.eventIndex);
    const QString dir = tick.outgoing ? QStringLiteral("OUT") : QStringLiteral("IN");
    if (tick.alert)
        return QStringLiteral("TLS alert (%1): %2, %3")
            .arg(dir, field(ev, Field::Name), field(ev, Field::Level));
    const qint64 bytes = ev.field(Field::Bytes).toInteger();
    return QStringLiteral("TLS handshake (%1): %2, %3")
        .arg(dir, field(ev, Field::Name),
             bytes == 1 ? QStringLiteral("1 byte") : QStringLiteral("%1 bytes").arg(bytes));
}

} // namespace hopscope
