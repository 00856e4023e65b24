#include "net/altprotocols.h"

#include "net/connectionpool.h"

#include <limits>

namespace hopscope {

bool AltProtocols::noteUpgradeAdvertised(const QString &key, bool tls, quint32 connection,
                                         const QList<QByteArray> &protocols)
{
    if (!tls)
        return false; // cleartext `h2c` advertisements are shown, and acted on only under --h2c
    bool h2 = false;
    for (const QByteArray &p : protocols)
        h2 = h2 || p.compare("h2", Qt::CaseInsensitive) == 0;
    if (!h2)
        return false;
    const bool isNew = !m_h2Advertised.contains(key);
    m_h2Advertised.insert(key, connection); // the latest advertiser is where the arrow starts
    return isNew;
}

QString AltProtocols::follow(RequestSpec &spec, const QString &key,
                             const std::function<bool(const QString &)> &hasConnections)
{
    if (!spec.followUpgradeH2 || spec.protocol == ProtocolPolicy::Http1Only ||
        spec.url.scheme().compare(u"https", Qt::CaseInsensitive) != 0)
        return key;
    const auto it = m_h2Advertised.constFind(key);
    if (it == m_h2Advertised.cend())
        return key;
    spec.tls.alpn = {QByteArrayLiteral("h2")};
    const QString newKey = ConnectionPool::key(spec);
    if (!m_pendingFollows.contains(newKey) && !hasConnections(newKey))
        m_pendingFollows.insert(newKey, {key, it.value()});
    return newKey;
}

std::optional<AltService> AltProtocols::noteAltSvc(const QString &origin, quint32 connection,
                                                   const AltSvcHeader &header)
{
    if (header.clear) {
        m_altSvc.remove(origin);
        return std::nullopt;
    }
    for (const AltService &s : header.services) {
        // Only the final HTTP/3 (RFC 9114) is spoken; drafts (h3-29) and other protocols are
        // shown in the trace and not followed.
        if (s.protocol != "h3")
            continue;
        if (s.maxAgeSeconds == 0) {
            m_altSvc.remove(origin); // ma=0: no longer valid
            return std::nullopt;
        }
        // QDeadlineTimer takes milliseconds: a huge `ma` saturates instead of overflowing.
        const qint64 ms = s.maxAgeSeconds > std::numeric_limits<qint64>::max() / 1000
                              ? std::numeric_limits<qint64>::max()
                              : s.maxAgeSeconds * 1000;
        m_altSvc.insert(origin, {s, connection, QDeadlineTimer(ms)});
        return s;
    }
    // A new header replaces what the origin advertised before (RFC 7838 §3).
    m_altSvc.remove(origin);
    return std::nullopt;
}

bool AltProtocols::followAltSvc(RequestSpec &spec,
                                const std::function<bool(const QString &)> &hasConnections)
{
    if (!spec.followAltSvc || spec.http3 != Http3Mode::Off ||
        spec.protocol == ProtocolPolicy::Http1Only || !spec.upgradeToken().isEmpty() ||
        spec.url.scheme().compare(u"https", Qt::CaseInsensitive) != 0)
        return false;
    const QString origin = Origin::fromUrl(spec.url).toString();
    const auto it = m_altSvc.find(origin);
    if (it == m_altSvc.end())
        return false;
    if (it->expiry.hasExpired()) {
        m_expired = Expired{it->service, it->from};
        m_altSvc.erase(it);
        return false;
    }
    RequestSpec candidate = spec;
    candidate.http3 = Http3Mode::Try;
    candidate.route.altSvcHost = it->service.host;
    candidate.route.altSvcPort = it->service.port;
    const QString newKey = ConnectionPool::key(candidate);
    if (m_quicFailed.contains(newKey))
        return false;
    const QString oldKey = ConnectionPool::key(spec);
    spec = candidate;
    if (!m_pendingFollows.contains(newKey) && !hasConnections(newKey))
        m_pendingFollows.insert(newKey, {oldKey, it->from, QByteArrayLiteral("h3")});
    return true;
}

std::optional<AltProtocols::Follow> AltProtocols::takeFollow(const QString &key, quint32 connection)
{
    const auto it = m_pendingFollows.constFind(key);
    if (it == m_pendingFollows.cend())
        return std::nullopt;
    const Follow f = it.value();
    m_pendingFollows.erase(it);
    m_replaces.insert(connection, f.oldKey);
    return f;
}

QString AltProtocols::takeReplaced(quint32 connection)
{
    return m_replaces.take(connection);
}

} // namespace hopscope
