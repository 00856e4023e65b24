#include "upgrade/upgraderegistry.h"

namespace hopscope {

void UpgradeRegistry::registerHandler(std::shared_ptr<UpgradeHandler> handler)
{
    m_handlers.insert(handler->token().toLower(), std::move(handler));
}

UpgradeHandler *UpgradeRegistry::handler(QByteArrayView token) const
{
    const auto it = m_handlers.constFind(token.toByteArray().toLower());
    return it == m_handlers.cend() ? nullptr : it->get();
}

QList<QByteArray> UpgradeRegistry::tokens() const
{
    QList<QByteArray> out;
    for (const auto &h : m_handlers)
        out.append(h->token());
    return out;
}

} // namespace hopscope
