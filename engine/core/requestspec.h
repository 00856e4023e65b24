#pragma once

#include "core/httpheader.h"
#include "core/limits.h"
#include "core/route.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

namespace hopscope {

// How the client may speak to the origin. WebSocket and custom upgrades are not policies: they
// are an explicit upgrade token (RequestSpec::upgrade) on top of HTTP/1.1.
enum class ProtocolPolicy {
    Auto,       // HTTP/1.1 on cleartext; ALPN h2, http/1.1 on TLS; follows `Upgrade: h2`
    Http1Only,  // HTTP/1.1 only; over TLS ALPN offers only http/1.1; never upgrades
    H2cUpgrade, // cleartext: offer `Upgrade: h2c` on the first request of a connection
    H2cPrior,   // cleartext: HTTP/2 with prior knowledge
};

// HTTP/3 over QUIC (curl's --http3 and --http3-only). Only for https:// URLs.
enum class Http3Mode {
    Off, // TCP; an `Alt-Svc: h3` advertisement may still lead there (followAltSvc)
    Try, // --http3: QUIC first; if it fails, the same request goes over TCP, and the trace says why
    Only, // --http3-only: QUIC or fail
};

struct TlsOptions
{
    QString caFile;          // replaces the system CAs, as curl's --cacert
    bool insecure = false;   // skip verification; the trace says so loudly
    QList<QByteArray> alpn;  // empty: the policy's default offer
    QString certFile;        // client certificate, PEM or PKCS#12 (curl's --cert)
    QString certPassword;    // its password (--cert FILE:PASSWORD, or --pass)
    QString keyFile;         // PEM private key when not in certFile (--key)
    QString keyLogFile;      // NSS key-log file (--keylog); empty: $SSLKEYLOGFILE, if set
    bool certStatus = false; // fail unless the server staples a good OCSP response (--cert-status)
};

// Following `Location` on a 3xx, as curl's -L/--location, --max-redirs and --location-trusted.
// The rules themselves (which statuses, which method, which headers) are in redirectpolicy.h.
struct RedirectOptions
{
    bool follow = false;   // -L: follow 301, 302, 303, 307 and 308
    int maxRedirects = 50; // --max-redirs: curl's default with -L; -1 = unlimited
    bool trusted = false;  // --location-trusted: keep Authorization/Cookie on another origin
};

// One request as the user asked for it: a value, copied freely between threads.
struct RequestSpec
{
    QByteArray method = "GET";
    QUrl url;
    HeaderList headers; // extra/override headers, in the user's order and case
    QByteArray body;    // from memory ...
    QString bodyFile;   // ... or streamed from a file (wins when set)
    ProtocolPolicy protocol = ProtocolPolicy::Auto;
    TlsOptions tls;
    Timeouts timeouts;
    Limits limits;
    bool decodeContent = false; // send Accept-Encoding and decode (curl --compressed)
    // Upgrade token to offer on the first request of a new connection ("h2c", "websocket", any
    // registered or custom token). H2cUpgrade implies "h2c".
    QByteArray upgrade;
    // h2c: upgrade on a bodiless `OPTIONS *` first, then send this request as a stream (nghttp -u).
    bool h2cViaOptions = false;
    // A TLS origin whose HTTP/1.1 response advertised `Upgrade: h2` is next reached over a new
    // HTTP/2 connection (ALPN h2 only, or prior knowledge over TLS without ALPN).
    bool followUpgradeH2 = true;
    Http3Mode http3 = Http3Mode::Off;
    // An https origin whose response advertised `Alt-Svc: h3=…` is next reached over HTTP/3 at
    // the advertised place (falling back to TCP if QUIC fails); curl's --no-alt-svc turns it off.
    bool followAltSvc = true;
    RedirectOptions redirects;
    // Proxy, --resolve, --connect-to, -4/-6 (core/route.h; planRoute() decides from them).
    RouteOptions route;
    // Request target instead of the URL's path, e.g. "*" for OPTIONS *.
    QByteArray targetOverride;

    QByteArray upgradeToken() const
    {
        if (protocol == ProtocolPolicy::H2cUpgrade)
            return QByteArrayLiteral("h2c");
        return protocol == ProtocolPolicy::Http1Only ? QByteArray() : upgrade;
    }

    bool hasBody() const { return !bodyFile.isEmpty() || !body.isEmpty(); }
};

} // namespace hopscope
