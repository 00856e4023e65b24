#include "widgets/protocolmodes.h"

#include <QtGlobal>

namespace hopscope {

namespace {

const ProtocolModeEntry kModes[] = {
    {ProtocolChoice::Auto, "auto", QT_TRANSLATE_NOOP("RequestComposer", "Auto"),
     QT_TRANSLATE_NOOP("RequestComposer",
                       "HTTP/1.1 on http://, ALPN h2 or http/1.1 on https://; follows a TLS "
                       "server's Upgrade: h2 advertisement")},
    {ProtocolChoice::Http1Only, "http1", QT_TRANSLATE_NOOP("RequestComposer", "HTTP/1.1 only"),
     QT_TRANSLATE_NOOP("RequestComposer",
                       "Never HTTP/2: no upgrade offer, ALPN offers only http/1.1 (curl "
                       "--http1.1)")},
    {ProtocolChoice::H2cUpgrade, "h2c-upgrade", QT_TRANSLATE_NOOP("RequestComposer", "h2c upgrade"),
     QT_TRANSLATE_NOOP("RequestComposer",
                       "Cleartext: offer Upgrade: h2c on the first request of a connection "
                       "(curl --http2)")},
    {ProtocolChoice::H2cPrior, "h2c-prior",
     QT_TRANSLATE_NOOP("RequestComposer", "h2c prior knowledge"),
     QT_TRANSLATE_NOOP("RequestComposer", "Cleartext: speak HTTP/2 from the first byte (curl "
                                          "--http2-prior-knowledge)")},
    {ProtocolChoice::H2Tls, "h2-tls", QT_TRANSLATE_NOOP("RequestComposer", "HTTP/2 over TLS"),
     QT_TRANSLATE_NOOP("RequestComposer",
                       "https:// with ALPN offering only h2: fails if the server will not "
                       "speak HTTP/2")},
    {ProtocolChoice::WebSocket, "websocket", QT_TRANSLATE_NOOP("RequestComposer", "WebSocket"),
     QT_TRANSLATE_NOOP("RequestComposer",
                       "Offer Upgrade: websocket and open a session; ws:// and wss:// URLs "
                       "choose this")},
    {ProtocolChoice::Http3, "http3", QT_TRANSLATE_NOOP("RequestComposer", "HTTP/3 (QUIC)"),
     QT_TRANSLATE_NOOP("RequestComposer",
                       "https:// over QUIC (UDP, the URL's port); if QUIC fails, the request goes "
                       "over TCP and the trace says why (curl --http3)")},
    {ProtocolChoice::Http3Only, "http3-only", QT_TRANSLATE_NOOP("RequestComposer", "HTTP/3 only"),
     QT_TRANSLATE_NOOP("RequestComposer",
                       "https:// over QUIC or fail, no TCP fallback (curl --http3-only)")},
    {ProtocolChoice::CustomUpgrade, "upgrade",
     QT_TRANSLATE_NOOP("RequestComposer", "Custom Upgrade"),
     QT_TRANSLATE_NOOP("RequestComposer",
                       "Offer Upgrade: <token>; a token without a handler (e.g. tcp) becomes "
                       "a raw byte tunnel")},
};

} // namespace

std::span<const ProtocolModeEntry> protocolModes()
{
    return kModes;
}

QString protocolModeKey(ProtocolChoice mode)
{
    for (const ProtocolModeEntry &m : kModes) {
        if (m.mode == mode)
            return QString::fromLatin1(m.key);
    }
    return QStringLiteral("auto");
}

ProtocolChoice protocolModeFromKey(const QString &key)
{
    for (const ProtocolModeEntry &m : kModes) {
        if (key == QLatin1String(m.key))
            return m.mode;
    }
    return ProtocolChoice::Auto;
}

} // namespace hopscope
