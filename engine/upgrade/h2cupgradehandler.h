#pragma once

#include "http2/http2driver.h"
#include "upgrade/upgradehandler.h"

namespace hopscope {

// h2c (RFC 7540 §3.2): the offer carries the client's real initial SETTINGS payload in
// HTTP2-Settings; on 101 the connection goes to an Http2Driver with the offering request as
// stream 1. RFC 9113 deprecated this upgrade (prior knowledge is the cleartext route), but
// servers (Apache mod_http2, nghttpx), intranets and gRPC tooling still use it, and watching it
// happen is what Hopscope is for.
class H2cUpgradeHandler : public UpgradeHandler
{
public:
    explicit H2cUpgradeHandler(Http2Options options = {}) : m_options(options) {}
    QByteArray token() const override { return QByteArrayLiteral("h2c"); }
    UpgradeOffer offer(const Exchange &exchange) override;
    ProtocolDriver *takeOver(UpgradeContext &context, QString *error) override;

private:
    Http2Options m_options;
};

} // namespace hopscope
