#pragma once

#include "core/httpheader.h"
#include "core/requestspec.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace hopscope {

// How an exchange reached its origin, as far as its trace proves it. Each mode maps to one
// protocol choice of hopscope-cli and the composer, and to the nearest flags of curl and nghttp.
enum class ReplayMode {
    Unknown,       // no connection was made (or its protocol never became known): no flags
    Http1,         // cleartext HTTP/1.1 without an upgrade offer
    H2cUpgrade,    // cleartext HTTP/1.1 offering `Upgrade: h2c` (switched or declined)
    H2cPrior,      // cleartext HTTP/2 with prior knowledge
    TlsH2,         // TLS, ALPN chose h2 (or an `Upgrade: h2` advertisement was followed)
    TlsHttp1,      // TLS that stayed on HTTP/1.1
    WebSocket,     // HTTP/1.1 offering `Upgrade: websocket`
    CustomUpgrade, // HTTP/1.1 offering `Upgrade: <token>` (a raw tunnel, or a switch declined)
};

// One request as it went on the wire, in values: what "copy as" commands, Re-send and Open in
// composer are made from (ui/session/sessionreplay builds it from the store).
struct ReplayRequest
{
    QByteArray method = "GET";
    QString url;        // as the trace names it (ws:// or wss:// for a WebSocket)
    HeaderList headers; // as sent, in wire order, including the ones the client added itself
    QByteArray body;
    // The body's length is known from the headers but its bytes were not kept (an evicted body,
    // a saved trace): the commands say so instead of sending an empty one.
    bool bodyMissing = false;
    qint64 missingBodyLength = -1;
    ReplayMode mode = ReplayMode::Unknown;
    QByteArray upgradeToken;    // CustomUpgrade's token
    bool h2cViaOptions = false; // the h2c upgrade rode an `OPTIONS *` probe (--h2c-options)
    bool insecure = false;      // certificate verification was off (-k)
    QString caFile;             // the CA file the request trusted, when a front end knows it
    // Its proxy, --resolve, --connect-to, -4/-6 and TLS files as request.start's `route` words
    // (core/routewords.h): passwords are kRedactedValue there.
    QStringList route;
};

// The headers of `r` that a request spec should carry for hopscope's engine to send the same
// head again: without pseudo-headers, Content-Length, a Host that the URL implies, the upgrade
// headers the mode's handler adds, and the defaults that equal the engine's own; a default the
// request did not send becomes an empty-valued header (which removes it).
HeaderList replayHeaders(const ReplayRequest &r);

// A spec that sends `r` again through the engine (Re-send, Open in composer); the protocol
// choice is applied as the composer and the CLI apply it. The engine's own Accept-Encoding
// becomes decodeContent (--compressed), so the answer is decoded as the first one was. The
// route words become spec.route and the TLS file names (a password stays empty: the trace
// never has it); words that do not parse (a hand-edited trace) are left out.
RequestSpec replaySpec(const ReplayRequest &r);

} // namespace hopscope
