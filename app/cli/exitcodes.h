#pragma once

#include <QByteArrayView>
#include <QList>
#include <QString>

namespace hopscope {

// hopscope-cli's exit status, as curl's where the meaning is the same (man curl, "EXIT CODES"):
// scripts written for curl keep working. One table maps the engine's error codes
// (docs/trace-format.md, `request.failed.code`) to them; codes without a curl equivalent exit 1.
namespace exitcode {
constexpr int Ok = 0;
constexpr int Failure = 1;             // any other failure
constexpr int UnsupportedProtocol = 1; // a URL (or redirect) with a scheme we do not speak
constexpr int Usage = 2;               // a bad option or argument (curl: failed to initialize)
constexpr int Url = 3;                 // a URL the engine cannot use (curl: URL malformed)
constexpr int ResolveProxy = 5;        // could not resolve the proxy
constexpr int Resolve = 6;             // could not resolve host
constexpr int Connect = 7;             // failed to connect
constexpr int WeirdReply = 8;          // a response that is not HTTP (status line, header syntax)
constexpr int Http2 = 16;              // HTTP/2 framing layer
constexpr int PartialFile = 18;        // the body ended before its announced length
constexpr int HttpError = 22;          // -f/--fail and a status of 400 or above
constexpr int WriteError = 23;         // writing the body (-o) failed
constexpr int ReadError = 26;          // reading the request body (--data-binary @FILE) failed
constexpr int Timeout = 28;            // timeouts and the low-speed abort
constexpr int TlsConnect = 35;         // TLS handshake failed
constexpr int LocalCertificate = 58;   // a client certificate or key could not be used
constexpr int EmptyReply = 52;         // the server closed without sending anything
constexpr int Receive = 56;            // receiving failed (connection broken, bad chunking)
constexpr int TlsVerify = 60;          // the peer's certificate could not be verified
constexpr int CertStatus = 91;         // --cert-status: the OCSP staple is missing, bad or revoked
constexpr int TooManyRedirects = 47;   // -L: --max-redirs reached
constexpr int ContentEncoding = 61;    // the body could not be decoded (--compressed)
constexpr int Http2Stream = 92;        // the server reset the stream (RST_STREAM)
constexpr int Http3 = 95;              // HTTP/3 or QUIC failed after the handshake
constexpr int QuicConnect = 96;        // the QUIC connection could not be made
constexpr int ProxyHandshake = 97;     // a SOCKS5 failure, or a proxy that does not speak HTTP
} // namespace exitcode

struct ExitCodeRule
{
    const char *code; // an engine error code, or a prefix ending in ':' or '-'
    int exitCode;
};

// The table, in the order it is matched (an exact code before a prefix): README's exit-code
// table lists the same.
const QList<ExitCodeRule> &exitCodeTable();

// The exit status for a request that failed with this engine error code.
int exitCodeForError(QByteArrayView errorCode);

// What a command-line user can do about a failure with this code, in the CLI's flags; empty when
// there is nothing to suggest. caFileGiven: the request had --cacert.
QString cliErrorHint(QByteArrayView errorCode, bool caFileGiven);

} // namespace hopscope
