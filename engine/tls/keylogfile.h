#pragma once

#include <QString>

namespace hopscope {

// Where TLS secrets go so that Wireshark can decrypt Hopscope's own connections: the NSS key-log
// format (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/), one line
// per secret, appended. `--keylog FILE` (TlsOptions::keyLogFile) names the file; without it the
// SSLKEYLOGFILE variable does, as in browsers and curl. Lines from every connection and thread go
// to one open file per path, each written whole.
class KeyLogFile
{
public:
    // The file a connection logs to: `configured` if set, else $SSLKEYLOGFILE, else empty (none).
    static QString pathFor(const QString &configured);
    // Appends one line (a newline is added). Opens the file on first use; false when it cannot
    // be opened or written (the caller says so once in the trace).
    static bool append(const QString &path, const char *line);
};

} // namespace hopscope
