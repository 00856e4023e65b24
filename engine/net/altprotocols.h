#pragma once

#include "core/altsvc.h"
#include "core/requestspec.h"

#include <QDeadlineTimer>

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace hopscope {

// What origins advertised as other ways to reach them, and the rules for following that.
// Today: `Upgrade: h2` on a TLS HTTP/1.1 response (Apache sends it when ALPN chose http/1.1).
// The next request to that origin offers ALPN h2 only, on a new connection, which replaces the
// idle HTTP/1.1 ones once it is open. An HTTP/3 Alt-Svc follow belongs here as well.
//
// Everything is keyed by ConnectionPool key (and connection id): the advertising connection
// knows its key, so nothing has to search requests to find out where an advertisement applies.
class AltProtocols
{
public:
    struct Follow
    {
        QString oldKey;             // the key whose connection advertised
        quint32 from = 0;           // the advertising connection
        QByteArray protocol = "h2"; // "h2" (Upgrade: h2) or "h3" (Alt-Svc)
    };

    // A response on `connection` (pool key `key`) advertised `protocols` through `Upgrade`
    // without an offer of ours. Only `h2` over TLS is acted on; a cleartext `h2c` advertisement
    // is shown in the trace and followed only when the user asks for h2c. True when this made
    // `key` newly followable (requests waiting under it may now follow).
    bool noteUpgradeAdvertised(const QString &key, bool tls, quint32 connection,
                               const QList<QByteArray> &protocols);
    bool isH2Advertised(const QString &key) const { return m_h2Advertised.contains(key); }

    // The follow rule for a request about to be dispatched under `key`: an https request to an
    // origin that advertised h2 (and that may follow: not --http1.1, not --no-upgrade-h2) offers
    // ALPN h2 only from now on. Rewrites `spec` then and returns the key it now goes under (the
    // ALPN offer is part of the key, so it cannot land on the old connection), else `key`.
    // `hasConnections` tells whether the new key has connections already: only the first
    // connection to it is the one the advertisement led to.
    QString follow(RequestSpec &spec, const QString &key,
                   const std::function<bool(const QString &)> &hasConnections);

    // A response from `origin` ("https://host:port") on `connection` carried `Alt-Svc`: its
    // first h3 alternative is remembered for its `ma` (a later header replaces it, `clear`
    // forgets it). Returns the alternative now remembered, if any.
    std::optional<AltService> noteAltSvc(const QString &origin, quint32 connection,
                                         const AltSvcHeader &header);
    // The Alt-Svc rule for a request about to be dispatched: an https request to an origin
    // with a live h3 alternative (and that may follow: not --no-alt-svc, --http1.1, an upgrade
    // or HTTP/3 already) goes there over HTTP/3, falling back to TCP if QUIC fails. Rewrites
    // `spec` then (Http3Mode::Try and RouteOptions::altSvcHost/Port); true when it did. Not
    // where QUIC already failed (noteQuicFailed).
    bool followAltSvc(RequestSpec &spec,
                      const std::function<bool(const QString &)> &hasConnections);
    // An alternative the last followAltSvc() found past its `ma` (and forgot), once: the trace
    // says why the request did not follow it.
    struct Expired
    {
        AltService service;
        quint32 from = 0; // the connection that advertised it
    };
    std::optional<Expired> takeExpired() { return std::exchange(m_expired, std::nullopt); }

    // A connection opens for `key`: the follow that led to it (its trace arrow), if any. The
    // connection then replaces the old key's idle connections once it is open.
    std::optional<Follow> takeFollow(const QString &key, quint32 connection);
    // The connection is open: the key whose idle connections it replaces, or an empty string.
    QString takeReplaced(quint32 connection);
    // The connection closed: a follow that never opened replaces nothing.
    void forget(quint32 connection) { m_replaces.remove(connection); }

    // HTTP/3 to the connections of `key` (an h3 key) failed, for this reason: requests that only
    // try HTTP/3 (--http3) go over TCP from now on, as browsers mark a broken alternative.
    void noteQuicFailed(const QString &key, const QString &why) { m_quicFailed.insert(key, why); }
    // Why HTTP/3 under `key` is not tried any more (empty: it is).
    QString quicFailure(const QString &key) const { return m_quicFailed.value(key); }

private:
    QHash<QString, quint32> m_h2Advertised;  // key -> the connection that advertised h2
    QHash<QString, Follow> m_pendingFollows; // new key -> where its advertisement came from
    QHash<quint32, QString> m_replaces;      // connection -> the key whose idle ones it replaces
    QHash<QString, QString> m_quicFailed;    // h3 key -> why QUIC failed there
    struct AltSvcEntry
    {
        AltService service;
        quint32 from = 0;
        QDeadlineTimer expiry;
    };
    QHash<QString, AltSvcEntry> m_altSvc; // origin -> its live h3 alternative
    std::optional<Expired> m_expired;
};

} // namespace hopscope
