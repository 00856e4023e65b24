#pragma once

#include "core/httpheader.h"
#include "trace/traceevent.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <deque>

namespace hopscope {

class TraceLog;

// One WebSocket message of an exchange, as Chrome's HAR keeps it (`_webSocketMessages`).
struct HarWsMessage
{
    bool sent = false;
    qint64 tNs = 0;
    int opcode = 1;  // 1 text, 2 binary, 8 close
    QByteArray data; // text as UTF-8; binary already base64 (as the trace holds it)
    bool truncated = false;
};

// What one connection was, as far as a HAR entry needs it.
struct HarConnection
{
    quint32 id = 0;
    QString origin;
    QString address; // the address actually connected to
    int port = -1;
    int localPort = -1;
    bool tls = false;
    QString tlsProtocol, tlsCipher, alpn, sni;
    QStringList alpnOffered;
    bool tlsVerified = false;
    QStringList protocols;  // "http/1.1", "h2", "h2c", "websocket", any token, in order
    QStringList advertised; // upgrade.advertised on this connection
    quint32 followedFrom = 0;
    QString followedProtocol;
    bool h2Refused = false; // upgrade.h2.refused: offered only h2, got http/1.1
};

// What one request (the trace's `req`) was, gathered from its events.
struct HarExchange
{
    quint32 req = 0;
    quint32 conn = 0;
    qint32 stream = -1;
    QByteArray method;
    QString url;
    qint64 startNs = -1, endNs = -1;

    // The request as it went out: the HTTP/1.1 head, or the HTTP/2 header block.
    bool requestSent = false;
    bool requestIsH2 = false;
    QByteArray requestVersion; // "HTTP/1.1" as written; HTTP/2 has none
    HeaderList requestHeaders;
    qint64 requestHeadersSize = -1;
    qint64 requestBodyBytes = 0;

    // The final response (a 101 when the connection stayed switched to a session).
    bool responseIsH2 = false;
    bool isH3 = false; // the header sections came over HTTP/3
    int status = 0;
    QByteArray reason;
    QByteArray responseVersion;
    HeaderList responseHeaders;
    HeaderList trailers;
    qint64 responseHeadersSize = -1;
    bool responseDataSeen = false; // HTTP/2: DATA arrived, later HEADERS are trailers
    QList<int> interimStatuses;    // 1xx heads other than a 101

    // The outcome.
    bool complete = false, failed = false;
    QByteArray protocol; // response.complete's protocol
    qint64 bodyBytes = -1, decodedBytes = -1;
    double dns = -1, connect = -1, tls = -1, send = -1, wait = -1, receive = -1, total = -1;
    QString errorCode, error;
    bool retried = false;

    // Upgrades.
    QByteArray upgradeOffered;
    bool upgradeWithBody = false;
    enum class Upgrade { None, Offered, Switched, Declined };
    Upgrade upgrade = Upgrade::None;
    int upgradeStatus = 0; // 101, or the status of the declining response
    HeaderList switchHeaders;
    QByteArray upgradeSkipped;
    QString upgradeSkippedReason;
    QStringList advertised; // this response advertised these protocols

    // Sessions.
    QList<HarWsMessage> wsMessages;
    qint64 tunnelBytesIn = 0, tunnelBytesOut = 0;
};

// Gathers what a HAR needs from trace events, in order, one at a time (the CLI streams them and
// keeps no trace) or from a whole log (the GUI). Only the typed accessors are used: event types
// and fields by enum. Keeps per exchange and per connection what HAR shows, never the events.
class HarCollector
{
public:
    void add(const TraceEvent &ev);
    void add(const TraceBatch &batch);
    void add(const TraceLog &log);

    // Exchanges in request order (req 1 first); the internal `OPTIONS *` probe (req 0) is none.
    const std::deque<HarExchange> &exchanges() const { return m_exchanges; }
    const HarExchange *exchange(quint32 req) const;
    const HarConnection *connection(quint32 id) const;
    // Connections opened by following the `Upgrade: h2` of connection `id`.
    QList<quint32> followersOf(quint32 id) const;

private:
    HarExchange *touchExchange(quint32 req);
    HarConnection *touchConnection(quint32 id);
    void noteProtocol(HarConnection *c, const QString &protocol);
    void addH2Frame(const TraceEvent &ev, HarExchange *ex);
    void addH2Headers(const TraceEvent &ev, HarExchange *ex);
    void addH1Response(const TraceEvent &ev, HarExchange *ex);

    std::deque<HarExchange> m_exchanges;     // index req - 1
    std::deque<HarConnection> m_connections; // index id - 1
    quint64 m_seen = 0;                      // events so far (bounds the ids taken)
};

} // namespace hopscope
