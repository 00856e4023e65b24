#include "net/altprotocols.h"

#include "net/connectionpool.h"

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
