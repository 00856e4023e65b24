#pragma once

#include "core/httpheader.h"
#include "core/requestspec.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QUrl>

namespace hopscope {

// curl's rules for -L/--location, in one place for the CLI and the composer alike (the Client
// applies them; nothing else decides whether or how a redirect is followed):
//
// * 301, 302, 303, 307 and 308 with a non-empty `Location` are followed; any other status
//   (300, 304, 305, …) is a final response, as is a redirect without `Location`.
// * `Location` is resolved against the URL that was requested (RFC 3986 §5.2, relative paths
//   and `//host` forms included); what does not parse is a malformed URL (curl's exit 3), a
//   scheme other than http and https an unsupported protocol (curl's exit 1).
// * 303 turns every method but GET and HEAD into GET without a body; 301 and 302 turn POST into
//   GET without a body (curl's default, without --post301/--post302); 307 and 308 keep method
//   and body. A request that loses its body loses its Content-Type, Content-Length and
//   Transfer-Encoding headers too.
// * Authorization, Cookie and a custom Host are sent only to the origin (scheme, host, port) of
//   the user's request, as curl does since 7.83 (7.58 for the host alone), unless
//   --location-trusted; they come back when a later hop returns to that origin.
// * https → http is followed (curl allows it) and reported as a downgrade.
// * --max-redirs N: the (N+1)-th redirect is not followed and the request fails (curl's 47,
//   "Maximum (N) redirects followed"); -1 is unlimited.
namespace redirect {
// Engine error codes (docs/trace-format.md) of a redirect that cannot be followed.
inline constexpr char kTooMany[] = "too-many-redirects"; // --max-redirs reached
inline constexpr char kBadUrl[] = "redirect-url";        // Location is not a valid URL
inline constexpr char kBadScheme[] = "redirect-scheme";  // Location is not http or https
} // namespace redirect

// 301, 302, 303, 307, 308.
bool isFollowedRedirect(int status);

struct ResolvedLocation
{
    QUrl url;             // valid when errorCode is empty
    QByteArray errorCode; // redirect::kBadUrl or redirect::kBadScheme
    QString error;
};

// `location` (the header's bytes) resolved against `base`.
ResolvedLocation resolveLocation(const QUrl &base, QByteArrayView location);

// The method of the next hop after `status` answered `method`.
QByteArray redirectMethod(QByteArrayView method, int status);

// Whether Authorization and Cookie may go to `to` in a chain that started at `first`.
bool sameOrigin(const QUrl &first, const QUrl &to);

// The next hop, or why there is none.
struct RedirectStep
{
    QByteArray errorCode; // empty: follow `spec`
    QString error;
    QUrl to;
    RequestSpec spec;          // the next request
    bool downgrade = false;    // https → http
    bool bodyDropped = false;  // the method changed to GET (or stayed HEAD) without a body
    QList<QByteArray> dropped; // the user's headers not sent to this hop, by name
};

// `current` got `status` with `location`; `chain` is where it stands (hop, the user's URL and
// headers). Checks --max-redirs first, then the Location.
RedirectStep nextRedirect(const RequestSpec &current, int hop, const QUrl &firstUrl,
                          const HeaderList &userHeaders, int status, QByteArrayView location);

} // namespace hopscope
