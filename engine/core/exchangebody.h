#pragma once

#include <QByteArray>
#include <QMetaType>

namespace hopscope {

class Exchange;

// The bodies of a finished exchange as an inspector keeps them: what crossed the wire, what it
// decodes to, and what was sent. The window gets one per exchange from the engine thread; a
// session file (engine/session) stores them.
struct ExchangeBody
{
    quint32 req = 0;
    QByteArray contentType;     // response Content-Type, lower-cased, parameters kept
    QByteArray contentEncoding; // as sent, e.g. "gzip", empty when identity
    QByteArray wire;            // first Limits::maxBodyInMemory bytes as they crossed the wire
    QByteArray decoded;         // decoded by Content-Encoding (== wire when there was none)
    bool wireTruncated = false;
    bool decodedTruncated = false;
    QByteArray requestBody; // what we sent (first maxBodyInMemory bytes), empty for none
};

// The bodies of a finished exchange from what it kept (its body preview and its spec). The
// decoded body is decoded here whether or not the request asked for decoding: the viewer shows it.
ExchangeBody bodyOfExchange(const Exchange &ex);

} // namespace hopscope

Q_DECLARE_METATYPE(hopscope::ExchangeBody)
