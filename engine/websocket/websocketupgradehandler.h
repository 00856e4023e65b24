#pragma once

#include "upgrade/upgradehandler.h"

namespace hopscope {

// WebSocket (RFC 6455 §4) on the upgrade registry. The offer adds a fresh Sec-WebSocket-Key and
// Sec-WebSocket-Version: 13 (the HTTP/1.1 driver adds Connection: Upgrade and Upgrade:
// websocket). Subprotocols and extensions are offered only through the user's own headers
// (-H 'Sec-WebSocket-Protocol: chat'), which replace ours of the same name on the wire. The 101
// must carry the matching Sec-WebSocket-Accept, select no extension (this client implements
// none) and at most one of the offered subprotocols.
class WebSocketUpgradeHandler : public UpgradeHandler
{
public:
    QByteArray token() const override { return QByteArrayLiteral("websocket"); }
    UpgradeOffer offer(const Exchange &exchange) override;
    ProtocolDriver *takeOver(UpgradeContext &context, QString *error) override;

    // Why the 101 is unacceptable, or an empty string. `offeredKey` is the key that went out,
    // `request` the user's headers (their Sec-WebSocket-Protocol / -Extensions offers).
    static QString checkHandshake(const HeaderList &response, const QByteArray &offeredKey,
                                  const HeaderList &request);
};

} // namespace hopscope
