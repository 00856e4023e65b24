#include "upgrade/rawtunnelhandler.h"

#include "core/exchange.h"
#include "net/connection.h"
#include "upgrade/rawtunneldriver.h"

namespace hopscope {

ProtocolDriver *RawTunnelHandler::takeOver(UpgradeContext &ctx, QString *error)
{
    Q_UNUSED(error);
    // The offered token, as the user spelled it: the 101 was already checked to name it (case
    // aside), and the fallback has no token of its own.
    QByteArray token = ctx.exchange->spec().upgradeToken();
    if (token.isEmpty())
        token = m_token;
    // The exchange already holds the 101 (the HTTP/1.1 driver put it there): its status.
    auto *driver = new RawTunnelDriver(ctx.connection, ctx.exchange, token, ctx.connection);
    // Started only once the client listens to it (see ProtocolDriver::setActivation): the
    // leftover alone may already be all the peer ever says before closing.
    driver->setActivation([driver, leftover = ctx.leftover] { driver->start(leftover); });
    return driver;
}

} // namespace hopscope
