#pragma once

#include <QtGlobal>

namespace hopscope {

// Every limit the engine enforces, by name. Defaults follow curl where curl has the same idea
// (100 KiB per header line, 300 KiB of headers, 16 hex digits of chunk size) and Qt where Qt is
// the better reference (decompression-bomb ratios). Hitting a limit always ends in an error event
// that names the limit, so a user knows which knob to turn. Every member is listed by name in
// core/limitregistry.cpp (the --limit names) and in docs/limits.md.
struct Limits
{
    qsizetype maxStatusLineBytes = 8 * 1024;
    qsizetype maxHeaderLineBytes = 100 * 1024;
    qsizetype maxHeaderBytes = 300 * 1024;
    int maxHeaderCount = 5000;
    // Interim (1xx) responses before the final one: servers send one or two (100 Continue, 102,
    // 103 Early Hints); a flood of them is an attack, not a response. Their bytes count against
    // maxHeaderBytes together with the final head's.
    int maxInterimResponses = 100;
    int maxChunkSizeDigits = 16;
    // Body bytes an Exchange keeps in memory for inspection; the whole body always streams to
    // the exchange's sink (a file with -o), so memory stays flat whatever the size.
    qsizetype maxBodyInMemory = 1024 * 1024;
    // Body bytes hopscope-cli --har keeps per exchange and direction (after content decoding, as
    // -o writes them) for the HAR's `content.text` and `postData.text`; a longer body is cut
    // there and its `comment` says so.
    qsizetype maxHarBodyBytes = 1024 * 1024;
    int maxContentEncodings = 5;
    // Content decoding fails once the output passes maxDecodedGraceBytes and the
    // decoded/encoded ratio exceeds maxDecodeRatio (Qt: 10 MiB, ratio 40 gzip / 100 br,zstd).
    qint64 maxDecodedGraceBytes = 10 * 1024 * 1024;
    double maxDecodeRatio = 100.0;
    // WebSocket: payload bytes of one inbound frame, and of one message (all its fragments,
    // reassembled in memory). Qt allows frames up to 2^31-1 bytes; these are tighter so that a
    // hostile peer cannot make the client hold gigabytes. Exceeding either closes with 1009.
    qint64 maxWebSocketFrameBytes = 16 * 1024 * 1024;
    qint64 maxWebSocketMessageBytes = 64 * 1024 * 1024;
    // HTTP/2: CONTINUATION frames after one HEADERS (nghttp2_option_set_max_continuations; its
    // default is 8). A header block in many small pieces is how CVE-2024-27316-style floods
    // make a client buffer without end.
    int maxContinuations = 8;
    // WebSocket: frames of one message. Empty continuation frames never grow a message, so
    // without a count an endless fragmented message lives for ever. 65536 lets a message of
    // maxWebSocketMessageBytes arrive in 1 KiB fragments (wslay cuts its own at 4 KiB).
    int maxWebSocketFragments = 65536;
    // HTTP/2: DATA frames in a row with no payload and no END_STREAM. They move nothing and each
    // costs a frame's work and a trace event, so a flood of them (CVE-2019-9518) would hold the
    // connection busy for ever; nghttp2 has no limit of its own. Envoy's
    // max_consecutive_inbound_frames_with_empty_payload is 1; an inspector tolerates more odd
    // servers, so 100.
    int maxEmptyDataFrames = 100;
    // HTTP/2: frames in a row that do nothing for any open request (RST_STREAM for closed or idle
    // streams, WINDOW_UPDATE, PRIORITY) without progress in between (response headers or body
    // bytes, a new stream, request body bytes sent). Each resets --idle-timeout, so an endless run
    // keeps a request alive for ever; nghttp2 1.52 bounds none of them on a client. A count, not
    // a rate, like maxEmptyDataFrames: legitimate servers send a handful between two responses
    // (a RST_STREAM(NO_ERROR) after END_STREAM, one WINDOW_UPDATE per chunk of an upload we then
    // follow with DATA; nghttpd sends at most 4 in a row during an upload), so 10,000 tolerates
    // odd servers many times over while a flood ends after 130 KB. Older nghttp2 called 10,000
    // answers queued for a peer a flood (NGHTTP2_MAX_OBQ_FLOOD_ITEM; 1.52: 1000 unsent ACKs,
    // but an ACK costs a write, these frames only a read); its stream reset rate limit (1.57,
    // a burst of 1000) is for servers only.
    int maxIdleControlFrames = 10000;
    // HTTP/2: the stream window hopscope announces (SETTINGS_INITIAL_WINDOW_SIZE), the body bytes
    // a server may send on a stream before hopscope opens the window again. Large because
    // 64 KiB throttles bulk transfers (curl: 10 MiB; Qt's QHttp2Configuration
    // streamReceiveWindowSize; nghttp -w); at most 2^31-1.
    qint64 h2StreamWindow = 32 * 1024 * 1024;
    // Low-speed abort, curl's -Y/--speed-limit and -y/--speed-time (CURLOPT_LOW_SPEED_LIMIT and
    // _TIME): a request on a connection that moved (read plus written) fewer than lowSpeedLimit
    // bytes per second, averaged over the last lowSpeedTime seconds, fails with
    // `limit:lowSpeedLimit`. Measured from the moment the request is on a connection (connecting
    // has --connect-timeout), once a second, as curl does; on an HTTP/2 connection every stream
    // counts towards the rate. 0 (either of them) = off, curl's default; curl's default time
    // when only a limit is given is 30 s. A slow drip otherwise lives until --idle-timeout, which
    // one byte a second never reaches.
    // HTTP/3 over QUIC: what the server may send on one request stream, and on the whole
    // connection, before hopscope opens the window again (initial_max_stream_data_bidi_local and
    // initial_max_data, RFC 9000 §18.2). They bound what ngtcp2 buffers for data that arrives out
    // of order. curl (ngtcp2): 10 MiB stream / 10 MiB × 100 streams connection; ngtcp2's client
    // example: 6 MiB / 15 MiB. Large for bulk transfers, like h2StreamWindow.
    qint64 quicStreamWindow = 16 * 1024 * 1024;
    qint64 quicConnectionWindow = 64 * 1024 * 1024;
    // --http3 and an Alt-Svc follow: how long the QUIC handshake may take before the request
    // goes over TCP instead. UDP is often dropped silently (firewalls), and waiting the whole
    // --connect-timeout (30 s) for that would make trying HTTP/3 cost more than it brings.
    // Browsers race TCP after ~300 ms; a handshake on a real path needs one round trip and a
    // certificate, so 1 s. --http3-only waits for --connect-timeout. 0 = off.
    int quicFallbackMs = 1000;
    qint64 lowSpeedLimit = 0; // bytes per second
    int lowSpeedTime = 30;    // seconds
};

struct Timeouts
{
    int connectMs = 30'000;
    int idleMs = 60'000; // no byte in either direction while a request is in flight
    int totalMs = 0;     // per request, 0 = none
};

} // namespace hopscope
