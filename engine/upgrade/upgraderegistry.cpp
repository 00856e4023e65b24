#include "upgrade/upgraderegistry.h"

namespace hopscope {

void UpgradeRegistry::registerHandler(std::shared_ptr<UpgradeHandler> handler)
{
    m_handlers.insert(handler->token().toLower(), std::move(handler));
}

void UpgradeRegistry::setFallback(std::shared_ptr<UpgradeHandler> handler)
{
    m_fallback = std::move(handler);
}

UpgradeHandler *UpgradeRegistry::handler(QByteArrayView token) const
{
    if (token.isEmpty())
        return nullptr;
    const auto it = m_handlers.constFind(token.toByteArray().toLower());
    if (it != m_handlers.cend())
        return it->get();
    return isFallbackExcluded(token) ? nullptr : m_fallback.get();
}

bool UpgradeRegistry::isFallbackExcluded(QByteArrayView token)
{
    // h2 never goes through Upgrade (RFC 7540 §3.3: TLS and ALPN only), yet a confused server may
    // still switch to it, and HTTP/2 frames shown as tunnel bytes would mislead.
    for (const char *reserved : {"h2c", "h2", "websocket"}) {
        if (token.compare(QByteArrayView(reserved), Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QList<QByteArray> UpgradeRegistry::tokens() const
{
    QList<QByteArray> out;
    for (const auto &h : m_handlers)
        out.append(h->token());
    return out;
}

} // namespace hopscope
