#pragma once

#include "upgrade/upgradehandler.h"

namespace hopscope {

// Any token without a dedicated handler (`Upgrade: tcp`, a lab's own protocol): after the 101
// the connection is a plain byte stream driven by a RawTunnelDriver. The client installs one as
// the registry's fallback; registering one for a named token works too.
class RawTunnelHandler : public UpgradeHandler
{
public:
    // token: the one token this instance is registered for; empty for the registry's fallback,
    // which serves whatever token was offered.
    explicit RawTunnelHandler(QByteArray token = {}) : m_token(std::move(token)) {}
    QByteArray token() const override { return m_token; }
    // A raw tunnel needs nothing beyond `Upgrade: <token>` and `Connection: Upgrade`.
    UpgradeOffer offer(const Exchange &) override { return {}; }
    ProtocolDriver *takeOver(UpgradeContext &context, QString *error) override;

private:
    QByteArray m_token;
};

} // namespace hopscope
