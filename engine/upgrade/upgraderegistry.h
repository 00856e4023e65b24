#pragma once

#include "upgrade/upgradehandler.h"

#include <QHash>

#include <memory>

namespace hopscope {

// Protocol token -> handler. Tokens compare case-insensitively (RFC 9110 §7.8).
class UpgradeRegistry
{
public:
    void registerHandler(std::shared_ptr<UpgradeHandler> handler);
    UpgradeHandler *handler(QByteArrayView token) const;
    QList<QByteArray> tokens() const;

private:
    QHash<QByteArray, std::shared_ptr<UpgradeHandler>> m_handlers; // key: lower-case token
};

} // namespace hopscope
