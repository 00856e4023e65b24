#pragma once

#include "core/httpheader.h"
#include "http1/http1responseparser.h"

#include <QByteArray>
#include <QString>

namespace hopscope {

class Connection;
class Exchange;
class ProtocolDriver;

// What an upgrade offer adds to the HTTP/1.1 request beyond `Upgrade: <token>` and
// `Connection: Upgrade`.
struct UpgradeOffer
{
    HeaderList headers;                  // e.g. HTTP2-Settings, Sec-WebSocket-Key
    QList<QByteArray> connectionOptions; // more Connection tokens, e.g. "HTTP2-Settings"
};

// Everything a handler gets when the server switched: the connection (its socket), the exchange
// whose request offered the upgrade, the 101 head, every byte already read past that head, and
// what the handler's offer() put on that request (e.g. the Sec-WebSocket-Key to check against).
// The exchange lives until it finishes; a driver that keeps it must let go of it by then.
struct UpgradeContext
{
    Connection *connection = nullptr;
    Exchange *exchange = nullptr;
    ResponseHead response;
    QByteArray leftover;
    UpgradeOffer offer;
};

// A protocol reachable through HTTP/1.1 Upgrade (RFC 9110 §7.8), registered per token.
// Example, a handler for a made-up "echo" protocol that takes the socket over:
//
//   class EchoHandler : public UpgradeHandler {
//   public:
//       QByteArray token() const override { return "echo"; }
//       UpgradeOffer offer(const Exchange &) override { return {}; }
//       ProtocolDriver *takeOver(UpgradeContext &ctx, QString *error) override {
//           return new EchoDriver(ctx.connection, ctx.exchange, ctx.leftover);
//       }
//   };
//   client.upgradeRegistry()->registerHandler(std::make_shared<EchoHandler>());
class UpgradeHandler
{
public:
    virtual ~UpgradeHandler() = default;
    // The token as offered in the Upgrade header (case-insensitive on the wire).
    virtual QByteArray token() const = 0;
    // Headers for the offer; called once per offering request.
    virtual UpgradeOffer offer(const Exchange &exchange) = 0;
    // The server sent 101 naming this token. Returns the driver that owns the connection from now
    // on (parented to the connection), or nullptr with *error set when the 101 is unacceptable
    // (e.g. a wrong Sec-WebSocket-Accept).
    virtual ProtocolDriver *takeOver(UpgradeContext &context, QString *error) = 0;
};

} // namespace hopscope
