#pragma once

#include <QString>
#include <QStringList>

namespace hopscope {

struct RequestSpec;

// How a request was routed and which TLS files it used, as the command-line words that say it
// in curl's spelling (which hopscope-cli shares): -x, --proxy-user, --noproxy, --resolve,
// --connect-to, -4/-6, --cert, --pass, --key, --keylog. The engine records them in
// request.start's `route`, so that a trace (also a saved one) knows how to send the request
// the same way again: "Copy as", Re-send and Open in composer read them back.
//
// A password is never written: --proxy-user keeps the user and --pass stays a flag, both with
// kRedactedValue in the password's place. The proxy is the one the request used (from -x or
// the environment), without the credentials of its URL; a NO_PROXY list from the environment
// is written only when it exempted this request's host, which is when it changed the route.
QStringList routeWords(const RequestSpec &spec);

// Reads words routeWords() wrote back into spec.route and the TLS file names of spec.tls.
// A redacted password stays empty (the user adds it). A word it does not know, or a value its
// parser refuses, gives an error message and leaves spec as it was.
QString applyRouteWords(const QStringList &words, RequestSpec *spec);

} // namespace hopscope
