#pragma once

#include "core/requestspec.h"

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QUrl>

namespace hopscope {

// How a person chooses the way one request reaches its origin. The GUI composer's protocol
// mode list and the CLI's --http1.1 / --h2c / --h2c-prior / --upgrade flags (with ws:// and
// wss:// URLs) are both this choice; applyProtocolChoice() is the one place that turns it and a
// URL into RequestSpec fields, so that the two front ends cannot drift apart.
enum class ProtocolChoice {
    Auto,       // policy Auto; a ws:// or wss:// URL adds upgrade "websocket"
    Http1Only,  // policy Http1Only; over TLS ALPN offers only http/1.1
    H2cUpgrade, // policy H2cUpgrade: offer Upgrade: h2c; cleartext URLs only
    H2cPrior,   // policy H2cPrior: HTTP/2 from the first byte; cleartext URLs only
    H2Tls,      // policy Auto with ALPN offering only h2; https:// URLs only
    // curl's --http2: whichever way curl reaches HTTP/2 for the scheme. https:// is policy Auto
    // (ALPN h2, http/1.1: the server may still choose HTTP/1.1); http:// is H2cUpgrade.
    Http2,
    WebSocket,     // upgrade "websocket" (what ws:// and wss:// URLs mean)
    CustomUpgrade, // upgrade = a given token; one without a handler (e.g. tcp) is a raw tunnel
    Http3,         // curl's --http3: HTTP/3 over QUIC, TCP if QUIC fails; https:// URLs only
    Http3Only,     // curl's --http3-only: HTTP/3 over QUIC or fail; https:// URLs only
};

// Why a URL and a choice do not make a request. Each front end words these in its own terms
// (flags or modes), so the rule lives here and the sentence there.
enum class ProtocolChoiceError {
    None,
    UnsupportedScheme,    // not http, https, ws or wss
    NoHost,               // the URL names no host
    H2cOverTls,           // h2c upgrade or prior knowledge with an https:// or wss:// URL
    H2TlsOverCleartext,   // HTTP/2 over TLS with an http:// or ws:// URL
    WebSocketUrlConflict, // ws:// or wss:// with a choice that does not offer websocket
    MissingUpgradeToken,  // CustomUpgrade without a token
    InvalidUpgradeToken,  // CustomUpgrade with something that is not one protocol token
    H3OverCleartext,      // HTTP/3 with an http:// or ws:// URL (QUIC is always encrypted)
};

// The URL as a person types it: without "://" it is taken as http:// (as curl does). Strict
// parsing first, tolerant when strict fails, so that a typo stays visible as an invalid URL.
QUrl urlFromUserText(const QString &text);

// One RFC 9110 token (tchar+): the form of a method and of an upgrade protocol name.
bool isHttpToken(QByteArrayView text);

// The ALPN list a choice offers by itself; empty means the policy's default offer.
QList<QByteArray> alpnOfChoice(ProtocolChoice choice);

// Sets spec.url (ws:// → http://, wss:// → https://), spec.protocol, spec.upgrade and, when
// spec.tls.alpn is empty, the choice's own ALPN list (an explicit list always wins). Clears
// spec.h2cViaOptions unless the result is an h2c upgrade, the only mode it means anything in.
// `upgradeToken` is read for CustomUpgrade only. On an error `spec` is left as it was.
ProtocolChoiceError applyProtocolChoice(RequestSpec &spec, const QUrl &url, ProtocolChoice choice,
                                        QByteArrayView upgradeToken = {});

// The choice that reproduces `spec` (applyProtocolChoice's inverse for what it produces);
// for CustomUpgrade the token is spec.upgrade. Http2 is never returned: the spec it makes is
// H2cUpgrade's (http://) or Auto's (https://), and those reproduce it.
ProtocolChoice protocolChoiceOf(const RequestSpec &spec);

} // namespace hopscope
