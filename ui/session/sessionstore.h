#pragma once

#include "session/bodystore.h"
#include "session/eventindexlist.h"
#include "session/sessionreader.h"
#include "session/stablearray.h"
#include "trace/traceevent.h"
#include "trace/tracelog.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <QSet>
#include <QStringList>

#include <deque>
#include <vector>

namespace hopscope {

// One protocol a connection spoke, from a point in time on: "HTTP/1.1", "h2", "h2c",
// "websocket", "tcp", any upgrade token.
struct ProtocolStep
{
    QString protocol;
    qint64 atNs = -1;        // trace time the connection started speaking it
    bool viaUpgrade = false; // a 101 switched to it (false: the connection began with it)
};

// What the GUI knows about one connection, derived from its events. Values, no QObjects.
struct ConnectionInfo
{
    quint32 id = 0;
    QString origin;  // "http://127.0.0.1:8080" (pool.open)
    QString address; // "127.0.0.1:8080" once connected
    // "http://127.0.0.1:3128" when the connection went through a proxy (connect.attempt's
    // proxy, or the proxy.connect / socks.greeting that opened its tunnel); `address` is the
    // proxy's then, so the title names the origin instead.
    QString proxy;
    bool tls = false;
    bool quic = false;  // over QUIC (UDP): HTTP/3
    QString alpn;       // negotiated ALPN, empty when none
    qint64 openNs = -1; // pool.open
    qint64 dnsStartNs = -1, dnsEndNs = -1;
    qint64 connectStartNs = -1, connectEndNs = -1;
    qint64 tlsEndNs = -1; // TLS handshake done (it started at connectEndNs)
    int tlsEvent = -1;    // its `tls` event (SessionStore::event index), -1 before or without
    qint64 closeNs = -1;  // close event; -1 while open
    QString closeReason;
    QList<ProtocolStep> history; // in order; empty until the first protocol is known
    // Request numbers (req) seen on this connection, in order, each once; the list only grows.
    QList<quint32> exchanges;
    qint64 bytes = 0;         // response body bytes of the exchanges that completed here
    quint32 followedFrom = 0; // upgrade.follow: the connection whose `Upgrade: h2` led here
    QString followedVia;      // how: "Upgrade: h2" or "Alt-Svc h3"
    QStringList advertised;   // upgrade.advertised protocols, when this connection advertised
    qint64 advertisedNs = -1;
    QString error;     // first error event on the connection without a req
    QList<int> events; // indices into SessionStore::events(), in order
    qint64 lastEventNs = -1;

    // Where it goes as the user names it: the address ("127.0.0.1:8443"), the origin's
    // host:port while connecting, and through a proxy the origin "via" the proxy
    // ("example.org:443 via http://127.0.0.1:3128"). The title and the timeline lane use it.
    QString where() const;

    QString currentProtocol() const
    {
        return history.isEmpty() ? QString() : history.last().protocol;
    }
    // "#1 127.0.0.1:8443 HTTP/1.1 → h2c at 12.3 ms (TLS, from #2)": id, address (the origin
    // while connecting, and "origin via proxy" through a proxy), the protocol history with each
    // switch's time relative to openNs, then notes: TLS, the connection whose `Upgrade: h2` led
    // here, what this one advertised. "connecting…" before the first protocol. The tree, the
    // timeline and the panel all use it.
    QString title() const;
};

// One request (the trace's `req`) and what became of it.
// The window keeps one for every request of a run (a flood's 100,000 and more): its fields are
// ordered to leave no padding, and its events live inside it (EventIndexList).
struct ExchangeInfo
{
    enum class State : quint8 { Running, Complete, Failed };
    // By what the connection became after a 101.
    enum class Kind : quint8 { Http, WebSocket, RawTunnel };

    quint32 req = 0;
    quint32 conn = 0;   // 0 until it got a connection
    qint32 stream = -1; // HTTP/2 or HTTP/3 stream id, -1 on HTTP/1.1
    int status = 0;     // last final (or 101) status seen, 0 before a response
    QString method;
    QString url;
    QString path;     // from the URL, with the query
    QString protocol; // response.complete's protocol, else the connection's at the time
    Kind kind = Kind::Http;
    State state = State::Running;
    qint64 bytes = -1;          // response.complete bytes (wire body)
    qint64 startNs = -1;        // request.start
    qint64 endNs = -1;          // response.complete / request.failed
    qint64 requestSentNs = -1;  // h1.request or h2.headers kind=request
    qint64 responseHeadNs = -1; // first h1.response / h2.headers kind=response|interim
    QString errorCode;          // request.failed code
    QString error;              // request.failed message (or the last error event's)
    quint32 redirectTo = 0;     // redirect: the exchange this one's 3xx led to (-L)
    quint32 redirectFrom = 0;   // the exchange whose redirect led here
    EventIndexList events;      // indices into SessionStore::events(), in order

    double durationMs() const
    {
        return startNs < 0 || endNs < 0 ? -1.0 : double(endNs - startNs) / 1e6;
    }
};

// Changes from one batch, so models insert rows once per batch (coalesced) and views repaint
// only what moved.
struct SessionDelta
{
    int firstNewEvent = 0;             // events [firstNewEvent, events().size()) are new
    QList<quint32> newConnections;     // ids, ascending
    QList<quint32> changedConnections; // existing ones that changed (not in newConnections)
    QList<quint32> newExchanges;       // reqs, ascending
    QList<quint32> changedExchanges;   // existing ones that changed (not in newExchanges)
};

// The GUI thread's record of a run: every trace event (the one copy; the engine thread keeps
// none) plus indexes by connection, request and stream, and the finished exchanges' bodies.
// Models are views over this store. Appending costs O(batch); lookups are O(1).
class SessionStore : public QObject
{
    Q_OBJECT
public:
    explicit SessionStore(QObject *parent = nullptr);

    // Appends a batch from the engine (TraceStore::eventsAppended) and emits changed() once.
    void append(const TraceBatch &batch);
    void addBody(const ExchangeBody &body);
    void addBodies(const QList<ExchangeBody> &bodies);
    // Forgets everything (File ▸ Clear); emits reset().
    void clear();
    // A saved trace (File ▸ Open, hopscope --trace): events only, a JSON-lines trace holds no
    // bodies and nothing in it is still running; the panes say so instead of "waiting".
    void setSavedTrace(bool saved) { m_savedTrace = saved; }
    bool isSavedTrace() const { return m_savedTrace; }

    // Every event, compact (records plus one arena). A TraceEvent from it is a view: valid
    // until the next append(); keep indexes, not events.
    const TraceLog &events() const { return m_events; }
    TraceEvent event(int index) const { return m_events.at(index); }

    // Connections in id order (ids are 1-based and dense: connectionAt(i).id == i + 1).
    int connectionCount() const { return int(m_connections.size()); }
    const ConnectionInfo &connectionAt(int index) const { return m_connections[size_t(index)]; }
    const ConnectionInfo *connection(quint32 id) const;

    // Exchanges in req order (1-based and dense; the internal `OPTIONS *` probe, req 0, is not
    // an exchange: its events count for its connection only).
    int exchangeCount() const { return int(m_exchanges.size()); }
    const ExchangeInfo &exchangeAt(int index) const { return m_exchanges[size_t(index)]; }
    const ExchangeInfo *exchange(quint32 req) const;
    // A copy of a kept body (or, in a window over a session file, the file's); info() says
    // what it holds without copying its bytes.
    std::optional<ExchangeBody> body(quint32 req) const;
    std::optional<BodyInfo> bodyInfo(quint32 req) const;
    // Every request with a body, the session file's first (File ▸ Save session writes them).
    QList<quint32> bodyRequests() const;
    // A window over a session file reads bodies from it, on demand (File ▸ Open, hopscope FILE).
    void setFileBodies(std::shared_ptr<const SessionBodies> bodies);
    bool hasFileBodies() const { return m_fileBodies != nullptr; }
    // Bodies are kept up to this many bytes in all (default 256 MiB); the oldest are dropped
    // first and bodyEvicted() then says so.
    void setBodyBudget(qint64 bytes) { m_bodies.setBudget(bytes); }
    bool bodyEvicted(quint32 req) const { return m_bodies.evicted(req); }

    // Counters for the status bar.
    int failedCount() const { return m_failed; }
    int completeCount() const { return m_complete; }
    qint64 bytesIn() const { return m_bytesIn; }   // net.read bytes, and QUIC packets'
    qint64 bytesOut() const { return m_bytesOut; } // net.write bytes
    int errorEventCount() const { return m_errorEvents; }
    // Events whose connection or request id the store did not index because no trace could
    // have reached it yet (an id above the number of events so far: the engine numbers both
    // densely from 1, one event at least per id). Only a damaged or hostile file has them; they
    // stay in the trace log. The first one's seq, for the message that says so.
    int unindexedIdEvents() const { return m_unindexedIdEvents; }
    quint64 firstUnindexedSeq() const { return m_firstUnindexedSeq; }
    qint64 lastEventNs() const { return m_events.isEmpty() ? 0 : m_events.last().tNs; }
    // The wall-clock time of the trace's t = 0 (HAR's startedDateTime). The engine's trace has
    // no wall clock: the first batch sets it to its arrival less its last event's time (at most
    // a batch's delivery late); a window over a saved trace sets it from the file.
    QDateTime traceStart() const { return m_traceStart; }
    void setTraceStart(const QDateTime &start) { m_traceStart = start; }

signals:
    void changed(const hopscope::SessionDelta &delta);
    void bodyAdded(quint32 req);
    void reset();

private:
    // Creates missing entries (ids are dense) and notes the change in the delta once per batch.
    ConnectionInfo &touchConnection(quint32 id, SessionDelta &delta);
    ExchangeInfo &touchExchange(quint32 req, SessionDelta &delta);
    void index(int i, SessionDelta &delta);

    TraceLog m_events;
    // Growing them never moves what they hold. A vector of 100,000 ExchangeInfo would move
    // them all inside one batch's append when it grows (a stall of tens of ms), and references
    // handed out stay valid.
    std::deque<ConnectionInfo> m_connections;
    QString m_lastUrl, m_lastPath; // the last request.start's, shared with the next like it
    StableArray<ExchangeInfo> m_exchanges;
    std::vector<quint64> m_connStamp; // batch that last touched each connection
    std::vector<quint64> m_exStamp;   // ... each exchange
    quint64 m_batch = 0;
    BodyStore m_bodies;
    std::shared_ptr<const SessionBodies> m_fileBodies;
    int m_failed = 0;
    int m_complete = 0;
    int m_errorEvents = 0;
    int m_unindexedIdEvents = 0;
    bool m_savedTrace = false;
    quint64 m_firstUnindexedSeq = 0;
    qint64 m_bytesIn = 0;
    qint64 m_bytesOut = 0;
    QDateTime m_traceStart;
};

} // namespace hopscope

Q_DECLARE_METATYPE(hopscope::SessionDelta)
