#pragma once

#include "trace/traceevent.h"

namespace hopscope {

class TraceLog;

// The events with every secret header value (isSecretHeader: Authorization,
// Proxy-Authorization, Cookie, Set-Cookie) replaced by "[redacted]", and any password in a URL
// field (request.start's url, a redirect's from and to): what the window's JSON-lines export
// writes unless the user includes secrets, as the HAR export and copied commands do. Events
// without such a value are copied unchanged; *redacted counts the values replaced.
TraceBatch withSecretsRedacted(const TraceLog &events, int *redacted = nullptr);
TraceBatch withSecretsRedacted(const TraceBatch &events, int *redacted = nullptr);

} // namespace hopscope
