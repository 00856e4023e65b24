#include "upgrade/h2cupgradehandler.h"

#include "core/exchange.h"
#include "net/connection.h"

namespace hopscope {

UpgradeOffer H2cUpgradeHandler::offer(const Exchange &exchange)
{
    const Http2Options opts =
        Http2Options::fromLimits(exchange.spec().limits, exchange.spec().timeouts.idleMs);
    const QByteArray settings = Http2Driver::settingsPayload(opts);
    UpgradeOffer o;
    o.headers.append(HttpHeader{
        "HTTP2-Settings",
        settings.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)});
    o.connectionOptions.append("HTTP2-Settings");
    return o;
}

ProtocolDriver *H2cUpgradeHandler::takeOver(UpgradeContext &ctx, QString *error)
{
    Q_UNUSED(error);
    const Http2Options opts =
        Http2Options::fromLimits(ctx.exchange->spec().limits, ctx.exchange->spec().timeouts.idleMs);
    auto *driver = new Http2Driver(ctx.connection, opts, ctx.connection);
    driver->setActivation(
        [driver, ex = ctx.exchange, settings = Http2Driver::settingsPayload(opts),
         leftover = ctx.leftover] { driver->startAfterUpgrade(ex, settings, leftover); });
    return driver;
}

} // namespace hopscope
