#pragma once

#include "core/replayrequest.h"

#include <optional>

namespace hopscope {

class SessionStore;

// The request `req` as the store saw it go on the wire, for "Copy as", Re-send and Open in
// composer: method and URL (request.start), the header list of the head we sent (h1.request,
// or h2.headers kind=request) in wire order, the body the store kept, and the mode the
// connection proves: TLS with its ALPN (or an `Upgrade: h2` follow), an upgrade offer
// (upgrade.offer's token; an offer on the `OPTIONS *` probe, req 0, is --h2c-options), HTTP/2
// from the first byte, else HTTP/1.1; -k when the tls event says verification was off; the
// route (proxy, --resolve, --connect-to, -4/-6, TLS files) from request.start's `route`.
// Nothing for an unknown req.
std::optional<ReplayRequest> replayRequestOf(const SessionStore &store, quint32 req);

} // namespace hopscope
