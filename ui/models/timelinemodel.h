#pragma once

#include "session/stablearray.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <vector>

namespace hopscope {

class SessionStore;
struct SessionDelta;
struct ConnectionInfo;
struct ExchangeInfo;
struct TraceEvent;

// What the upgrade timeline shows, without any geometry: one lane per connection, the periods
// ("phases") of each connection's life, one bar per exchange packed into sub-rows so parallel
// HTTP/2 streams stack, point markers for the upgrade decisions and failures, and arrows from a
// connection that advertised `Upgrade: h2` to the connection that followed it.
//
// Times are trace nanoseconds. An end of -1 means "still going": draw it up to nowNs().

struct TimelinePhase
{
    enum class Kind : quint8 {
        Dns,
        Connect,
        Proxy, // the proxy hop: CONNECT or SOCKS5, TCP connected → proxy.established
        Tls,
        Http1Request, // the first HTTP/1.1 request: sent → response head
        Switch101,    // the 101 head → the switch (hand-over to the new protocol)
        Preface,      // HTTP/2 connection preface + SETTINGS: first frame out → SETTINGS ACK in
        WebSocketSession, // after a 101 to websocket
        Tunnel,           // after a 101 to any other token (tcp, …)
        Http2,            // HTTP/2 (h2 or h2c) after the preface
        Http1,            // HTTP/1.1 keep-alive period (after the first response head)
    };
    Kind kind = Kind::Http1;
    qint64 startNs = 0;
    qint64 endNs = -1;
    QString protocol; // what the connection spoke then ("HTTP/1.1", "h2c", …); empty for
                      // DNS / connect / proxy / TLS
    QString label;    // "TLS TLSv1.3, ALPN h2", "HTTP/1.1 request", "h2c", …

    bool isOpen() const { return endNs < 0; }
    friend bool operator==(const TimelinePhase &, const TimelinePhase &) = default;
};

struct TimelineBar
{
    quint32 req = 0;
    quint32 conn = 0;   // 0: no bar (the exchange has no connection or was not sent yet)
    qint32 stream = -1; // HTTP/2 stream id, -1 on HTTP/1.1
    int row = 0;        // sub-row inside the lane
    qint64 startNs = 0; // request sent (request.start when it never was)
    qint64 endNs = -1;  // response complete / failure; -1 while running
    bool failed = false;
    // No label and no protocol here: TimelineModel::barLabel() and barProtocol() read them
    // from the store for the few bars on screen; a stored string would cost 24 bytes an
    // exchange.

    bool isValid() const { return conn != 0; }
    bool isRunning() const { return endNs < 0; }
    friend bool operator==(const TimelineBar &, const TimelineBar &) = default;
};

struct TimelineMarker
{
    enum class Kind : quint8 {
        UpgradeOffer,    // upgrade.offer
        UpgradeSwitch,   // upgrade.switch (protocol)
        UpgradeDeclined, // upgrade.declined, upgrade.skipped, upgrade.h2.refused
        Advertised,      // upgrade.advertised (protocols)
        Follow,          // upgrade.follow
        GoAway,          // h2.frame GOAWAY
        RstStream,       // h2.frame RST_STREAM
        Error,           // error, request.failed
        Close,           // close
    };
    Kind kind = Kind::Close;
    qint64 ns = 0;
    quint32 conn = 0;
    quint32 req = 0;     // 0 when the event has none
    int eventIndex = -1; // SessionStore::event(eventIndex)
    QString protocol;    // offer / switch / declined / follow: the token; advertised: the first
    QString label;       // "→ h2c", "Upgrade: h2", "GOAWAY PROTOCOL_ERROR (last stream 3)", …

    bool isProblem() const
    {
        return kind == Kind::GoAway || kind == Kind::RstStream || kind == Kind::Error;
    }
    friend bool operator==(const TimelineMarker &, const TimelineMarker &) = default;
};

// From the connection that advertised `Upgrade: h2` to the one opened because of it, or from
// an exchange whose redirect was followed (-L) to the next hop's exchange (on the same
// connection, or on another one: http → https is a protocol change too).
struct TimelineArrow
{
    enum class Kind : quint8 { UpgradeFollow, Redirect };
    Kind kind = Kind::UpgradeFollow;
    quint32 fromReq = 0; // Redirect: the exchange that got the 3xx
    quint32 toReq = 0;   // Redirect: the next hop
    int status = 0;      // Redirect: 301, 302, …
    quint32 fromConn = 0;
    qint64 fromNs = 0; // the advertisement (upgrade.advertised)
    quint32 toConn = 0;
    qint64 toNs = 0;  // the new connection's upgrade.follow (else its start); Redirect: the
                      // next hop's request sent (redirect: the `redirect` event)
    QString protocol; // "h2"; Redirect: the next hop's protocol
    QString label;    // "Upgrade: h2 → new connection", "302 → req 2 (http → https)"
    friend bool operator==(const TimelineArrow &, const TimelineArrow &) = default;
};

// One TLS handshake message, alert or ChangeCipherSpec (`tls.message`): a tick on the lane's
// strip, above its middle when we sent it, below when the server did.
struct TimelineTlsTick
{
    qint64 ns = 0;
    int eventIndex = -1; // SessionStore::event(eventIndex): its name and size for the tooltip
    bool outgoing = false;
    bool alert = false;
    friend bool operator==(const TimelineTlsTick &, const TimelineTlsTick &) = default;
};

// A titled moment of the whole trace (the demo tour's `demo.phase` events): drawn across all
// lanes so the reader knows which part of a run they are looking at.
struct TimelineChapter
{
    qint64 ns = 0;
    int number = 0;
    QString title;
    friend bool operator==(const TimelineChapter &, const TimelineChapter &) = default;
};

struct TimelineLane
{
    quint32 conn = 0;
    QString title;         // ConnectionInfo::title()
    QString address;       // ConnectionInfo::where(): "127.0.0.1:8080", "a:443 via http://p:3128"
    QStringList protocols; // the protocol history in order, e.g. {"HTTP/1.1", "h2c"}
    qint64 startNs = 0;    // pool.open (else its first event)
    qint64 endNs = -1;     // close; -1 while open
    QString closeReason;
    // How far the connection got before it spoke (the header of a lane that never did says
    // "never connected", "TLS failed" or "closed before a request").
    enum class Reached : quint8 { Nothing, Tcp, TlsStarted, Tls };
    Reached reached = Reached::Nothing;
    qint64 switchNs = -1;            // upgrade.switch, -1 when none
    QList<TimelinePhase> phases;     // in time order, not overlapping
    QList<QList<quint32>> rows;      // sub-rows of bars: request numbers by start time; bars in
                                     // one row never overlap, so they are ordered by end time too
    QList<int> markers;              // indexes into TimelineModel::markerAt(), by time
    QList<TimelineTlsTick> tlsTicks; // by time

    bool isOpen() const { return endNs < 0; }
    QString protocol() const { return protocols.isEmpty() ? QString() : protocols.last(); }
    int rowCount() const { return int(rows.size()); }
    friend bool operator==(const TimelineLane &, const TimelineLane &) = default;
};

class TimelineModel : public QObject
{
    Q_OBJECT
public:
    explicit TimelineModel(SessionStore *store, QObject *parent = nullptr);
    ~TimelineModel() override;

    SessionStore *store() const { return m_store; }

    // Lanes in connection id order (laneAt(i).conn == i + 1).
    int laneCount() const { return int(m_lanes.size()); }
    const TimelineLane &laneAt(int index) const { return m_lanes[size_t(index)]; }
    const TimelineLane *lane(quint32 conn) const;
    int laneIndex(quint32 conn) const { return lane(conn) ? int(conn) - 1 : -1; }

    // The bar of an exchange; nullptr (or !isValid()) when it has none.
    const TimelineBar *bar(quint32 req) const;
    // "s3 GET /delay/300 200": the stream (HTTP/2), method, path and status ("…" while running,
    // the error code when it failed).
    QString barLabel(const TimelineBar &bar) const;
    // The exchange's protocol ("HTTP/1.1", "h2c", "websocket", …): its colour and tooltip.
    QString barProtocol(const TimelineBar &bar) const;
    int markerCount() const { return int(m_markers.size()); }
    const TimelineMarker &markerAt(int index) const { return m_markers[size_t(index)]; }
    const QList<TimelineArrow> &arrows() const { return m_arrows; }
    const QList<TimelineChapter> &chapters() const { return m_chapters; }

    // The time span to show: the first lane's start … the last event.
    qint64 startNs() const;
    qint64 endNs() const { return nowNs(); }
    // "Now": the store's last event; open phases and running bars end here.
    qint64 nowNs() const;
    qint64 effectiveEnd(qint64 endNs) const { return endNs < 0 ? nowNs() : endNs; }

    // Queries for hit testing and tests. Bars of a lane that cover ns (any row), by row.
    QList<quint32> barsAt(quint32 conn, qint64 ns) const;
    // Index into lane.rows[row] of the first bar whose (effective) end is >= ns; binary search.
    int firstBarEndingAfter(const TimelineLane &lane, int row, qint64 ns) const;
    // Markers of a lane within ns ± toleranceNs, nearest first.
    QList<int> markersNear(quint32 conn, qint64 ns, qint64 toleranceNs) const;
    // Index into lane.markers of the first marker at or after ns; binary search.
    int firstMarkerAtOrAfter(const TimelineLane &lane, qint64 ns) const;
    // Index into lane.tlsTicks of the tick nearest to ns within toleranceNs, or -1.
    static int tlsTickNear(const TimelineLane &lane, qint64 ns, qint64 toleranceNs);
    // "TLS handshake (OUT): ClientHello, 517 bytes", as the CLI's -v says it.
    QString tlsTickLabel(const TimelineTlsTick &tick) const;

    static QString phaseKindName(TimelinePhase::Kind kind);
    static QString markerKindName(TimelineMarker::Kind kind);

signals:
    // After a store batch was applied (lanes, bars, markers or arrows may have changed; nowNs()
    // moved). lanesAdded: lanes were appended (layout of lane heights changes too when rows grow).
    void changed();
    void reset();

private:
    struct LaneState; // per-connection facts the phases need, gathered from its events

    void onStoreChanged(const SessionDelta &delta);
    void onStoreReset();
    void ensureLanes(int count);
    void scanEvent(int index);
    void addMarker(TimelineMarker marker);
    void rebuildLane(quint32 conn);
    void rebuildPhases(TimelineLane &lane, const ConnectionInfo &info, const LaneState &state);
    void updateBar(quint32 req);
    void removeFromRows(const TimelineBar &bar);
    void placeInRows(TimelineBar &bar);
    bool overlaps(quint32 reqA, qint64 startB, qint64 endB) const;
    // The arrow of a follow: `Upgrade: h2` (protocol "h2") or Alt-Svc to HTTP/3 ("h3").
    void ensureArrow(quint32 toConn, quint32 fromConn, qint64 toNs, const QString &protocol,
                     bool altSvc);
    qint64 barEnd(quint32 req) const;

    QPointer<SessionStore> m_store;
    std::vector<TimelineLane> m_lanes;
    std::vector<LaneState> m_states;
    // By req - 1. Growing it never copies the bars (a vector would move 100,000 of them inside
    // one batch).
    StableArray<TimelineBar> m_bars;
    std::vector<TimelineMarker> m_markers;
    QList<TimelineArrow> m_arrows;
    // Redirects whose next hop has no bar yet, by the next hop's req (its arrow waits for it).
    QHash<quint32, TimelineArrow> m_pendingRedirects;
    QList<TimelineChapter> m_chapters;
    int m_scannedEvents = 0;
};

} // namespace hopscope
