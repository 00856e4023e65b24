#include "exitcodes.h"

namespace hopscope {

const QList<ExitCodeRule> &exitCodeTable()
{
    using namespace exitcode;
    static const QList<ExitCodeRule> table{
        {"dns", Resolve},
        {"connect", Connect},
        {"proxy-dns", ResolveProxy},
        {"proxy-connect", Connect},
        {"proxy-url", Connect},    // curl: "Unsupported proxy scheme" is 7
        {"proxy-status", Receive}, // CONNECT answered 407, 403, 502, …: curl's 56
        {"proxy-closed", Receive}, // curl: "Proxy CONNECT aborted"
        {"proxy-handshake", ProxyHandshake},
        {"timeout", Timeout},
        {"limit:lowSpeedLimit", Timeout},
        {"tls", TlsConnect},
        {"tls-verify:", TlsVerify},      // :untrusted, :expired, :hostname, … (all curl's 60)
        {"tls-setup", LocalCertificate}, // --cert, --key or --cacert could not be used
        {"tls-cert-status", CertStatus}, // --cert-status: no good stapled OCSP response
        {"url", Url},
        {"too-many-redirects", TooManyRedirects},
        {"redirect-url", Url},                    // a Location that is not a URL
        {"redirect-scheme", UnsupportedProtocol}, // a Location to ftp:, mailto:, …
        {"no-response", EmptyReply},
        {"truncated-head", Receive},
        {"truncated-body", PartialFile},
        {"connection-closed", Receive},
        {"chunk-size", Receive},
        {"chunk-framing", Receive},
        {"status-line", WeirdReply},
        {"header-syntax", WeirdReply},
        {"content-length-", WeirdReply}, // -conflict, -with-chunked, -invalid, -repeated
        {"upgrade", WeirdReply},         // a 101 that lies about what it switched to
        {"output", WriteError},
        {"request-body", ReadError},
        {"content-encoding", ContentEncoding},
        {"decode-error", ContentEncoding},
        {"truncated", ContentEncoding}, // a compressed stream that ended early
        {"h2-rst:", Http2Stream},
        {"h2-", Http2}, // every other HTTP/2 error: preface, protocol, GOAWAY, flood, session
        {"quic-connect", QuicConnect}, // no answer over UDP, a failed QUIC handshake
        {"quic-idle", Timeout},        // QUIC's idle timeout: the server went silent
        {"quic-", Http3},              // the server closed the QUIC connection
        {"quic", Http3},               // a QUIC protocol error after the handshake
        {"h3-", Http3},                // a stream reset, GOAWAY, no stream free
        {"h3:", Http3},                // the server broke HTTP/3 (H3_FRAME_ERROR, …)
        {"h3", Http3},
    };
    return table;
}

int exitCodeForError(QByteArrayView errorCode)
{
    for (const ExitCodeRule &rule : exitCodeTable()) {
        const QByteArrayView code(rule.code);
        const bool prefix = code.endsWith(':') || code.endsWith('-');
        if (prefix ? errorCode.startsWith(code) : errorCode == code)
            return rule.exitCode;
    }
    return exitcode::Failure;
}

QString cliErrorHint(QByteArrayView errorCode, bool caFileGiven)
{
    if (errorCode == "tls-verify:untrusted") {
        return caFileGiven ? QStringLiteral("the --cacert file does not vouch for it; -k skips "
                                            "verification")
                           : QStringLiteral("use --cacert FILE to trust its CA, or -k to skip "
                                            "verification");
    }
    if (errorCode.startsWith("tls-verify:")) {
        // Trusting another CA cannot mend an expired certificate or one for another host.
        return QStringLiteral("no CA file changes this; -k skips verification");
    }
    return {};
}

} // namespace hopscope
