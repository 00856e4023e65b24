#pragma once

#include "upgrade/upgradehandler.h"

#include <QHash>

#include <memory>

namespace hopscope {

// Protocol token -> handler. Tokens compare case-insensitively (RFC 9110 §7.8). A token with no
// dedicated handler goes to the fallback (the client installs the raw tunnel), except the tokens
// of protocols that must never be mistaken for a byte stream (see isFallbackExcluded()).
class UpgradeRegistry
{
public:
    void registerHandler(std::shared_ptr<UpgradeHandler> handler);
    // Serves every token without a dedicated handler; nullptr removes it.
    void setFallback(std::shared_ptr<UpgradeHandler> handler);
    UpgradeHandler *fallback() const { return m_fallback.get(); }
    // The dedicated handler for the token, else the fallback, else nullptr.
    UpgradeHandler *handler(QByteArrayView token) const;
    // The tokens with a dedicated handler (the fallback has none of its own).
    QList<QByteArray> tokens() const;
    // h2c, h2 and websocket: protocols with framing of their own. Without their handler a switch
    // to them must fail ("no handler is registered"), not pass as a raw tunnel.
    static bool isFallbackExcluded(QByteArrayView token);

private:
    QHash<QByteArray, std::shared_ptr<UpgradeHandler>> m_handlers; // key: lower-case token
    std::shared_ptr<UpgradeHandler> m_fallback;
};

} // namespace hopscope
