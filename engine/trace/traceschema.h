#pragma once

#include <QByteArrayView>
#include <QtGlobal>

namespace hopscope {

// The vocabulary of the trace, once: every event type and every field name the engine records
// (docs/trace-format.md). Producers and consumers name them by enum, so no consumer compares
// type or field names as strings; the names exist only for the writers and the file reader.

// X(enumerator, "wire name")
#define HOPSCOPE_EVENT_TYPES(X)                                                                    \
    X(RequestStart, "request.start")                                                               \
    X(RequestFailed, "request.failed")                                                             \
    X(ResponseComplete, "response.complete")                                                       \
    X(PoolOpen, "pool.open")                                                                       \
    X(PoolReuse, "pool.reuse")                                                                     \
    X(PoolRetry, "pool.retry")                                                                     \
    X(Dns, "dns")                                                                                  \
    X(ConnectAttempt, "connect.attempt")                                                           \
    X(ConnectFailed, "connect.failed")                                                             \
    X(Connect, "connect")                                                                          \
    X(Tls, "tls")                                                                                  \
    X(TlsInsecure, "tls.insecure")                                                                 \
    X(TlsMessage, "tls.message")                                                                   \
    X(NetRead, "net.read")                                                                         \
    X(NetWrite, "net.write")                                                                       \
    X(H1Request, "h1.request")                                                                     \
    X(H1Response, "h1.response")                                                                   \
    X(H1Trailers, "h1.trailers")                                                                   \
    X(H1Body, "h1.body")                                                                           \
    X(H1Violation, "h1.violation")                                                                 \
    X(H2Frame, "h2.frame")                                                                         \
    X(H2Headers, "h2.headers")                                                                     \
    X(UpgradeOffer, "upgrade.offer")                                                               \
    X(UpgradeSkipped, "upgrade.skipped")                                                           \
    X(UpgradeSwitch, "upgrade.switch")                                                             \
    X(UpgradeDeclined, "upgrade.declined")                                                         \
    X(UpgradeAdvertised, "upgrade.advertised")                                                     \
    X(UpgradeFollow, "upgrade.follow")                                                             \
    X(UpgradeH2Refused, "upgrade.h2.refused")                                                      \
    X(RawData, "raw.data")                                                                         \
    X(WsFrame, "ws.frame")                                                                         \
    X(WsMessage, "ws.message")                                                                     \
    X(WsClose, "ws.close")                                                                         \
    X(WsCloseUnanswered, "ws.close.unanswered")                                                    \
    X(Error, "error")                                                                              \
    X(Close, "close")                                                                              \
    X(DemoPhase, "demo.phase")                                                                     \
    X(Redirect, "redirect")                                                                        \
    X(ProxyConnect, "proxy.connect")                                                               \
    X(ProxyResponse, "proxy.response")                                                             \
    X(SocksGreeting, "socks.greeting")                                                             \
    X(SocksMethod, "socks.method")                                                                 \
    X(SocksAuth, "socks.auth")                                                                     \
    X(SocksAuthReply, "socks.auth.reply")                                                          \
    X(SocksRequest, "socks.request")                                                               \
    X(SocksReply, "socks.reply")                                                                   \
    X(ProxyEstablished, "proxy.established")                                                       \
    X(QuicPacket, "quic.packet")                                                                   \
    X(QuicLost, "quic.lost")                                                                       \
    X(QuicClose, "quic.close")                                                                     \
    X(QuicFallback, "quic.fallback")                                                               \
    X(H3Headers, "h3.headers")                                                                     \
    X(H3Data, "h3.data")                                                                           \
    X(H3StreamEnd, "h3.stream.end")                                                                \
    X(H3Goaway, "h3.goaway")                                                                       \
    X(AltSvc, "alt-svc")

enum class EventType : quint8 {
#define HOPSCOPE_X(e, name) e,
    HOPSCOPE_EVENT_TYPES(HOPSCOPE_X)
#undef HOPSCOPE_X
    // A type this build does not know, read from a file a newer version (or a custom handler)
    // wrote. Its name travels as the event's Field::TypeName.
    Other,
};

// X(enumerator, "wire name")
#define HOPSCOPE_FIELDS(X)                                                                         \
    X(TypeName, "type")                                                                            \
    X(Method, "method")                                                                            \
    X(Url, "url")                                                                                  \
    X(Origin, "origin")                                                                            \
    X(Reason, "reason")                                                                            \
    X(Host, "host")                                                                                \
    X(Addresses, "addresses")                                                                      \
    X(Address, "address")                                                                          \
    X(Port, "port")                                                                                \
    X(Ms, "ms")                                                                                    \
    X(Message, "message")                                                                          \
    X(Code, "code")                                                                                \
    X(Error, "error")                                                                              \
    X(Protocol, "protocol")                                                                        \
    X(Cipher, "cipher")                                                                            \
    X(Alpn, "alpn")                                                                                \
    X(Verified, "verified")                                                                        \
    X(AlpnOffered, "alpnOffered")                                                                  \
    X(Sni, "sni")                                                                                  \
    X(Chain, "chain")                                                                              \
    X(Subject, "subject")                                                                          \
    X(Issuer, "issuer")                                                                            \
    X(NotBefore, "notBefore")                                                                      \
    X(NotAfter, "notAfter")                                                                        \
    X(Sha256, "sha256")                                                                            \
    X(Target, "target")                                                                            \
    X(Version, "version")                                                                          \
    X(Headers, "headers")                                                                          \
    X(Status, "status")                                                                            \
    X(Bytes, "bytes")                                                                              \
    X(Leftover, "leftover")                                                                        \
    X(WithBody, "withBody")                                                                        \
    X(LeftoverBytes, "leftoverBytes")                                                              \
    X(Protocols, "protocols")                                                                      \
    X(From, "from")                                                                                \
    X(Text, "text")                                                                                \
    X(Hex, "hex")                                                                                  \
    X(Truncated, "truncated")                                                                      \
    X(Frame, "frame")                                                                              \
    X(Flags, "flags")                                                                              \
    X(Length, "length")                                                                            \
    X(Settings, "settings")                                                                        \
    X(Increment, "increment")                                                                      \
    X(LastStreamId, "lastStreamId")                                                                \
    X(Debug, "debug")                                                                              \
    X(Opaque, "opaque")                                                                            \
    X(Padding, "padding")                                                                          \
    X(Priority, "priority")                                                                        \
    X(Dependency, "dependency")                                                                    \
    X(Weight, "weight")                                                                            \
    X(Exclusive, "exclusive")                                                                      \
    X(PromisedStream, "promisedStream")                                                            \
    X(Discarded, "discarded")                                                                      \
    X(Invalid, "invalid")                                                                          \
    X(Kind, "kind")                                                                                \
    X(Opcode, "opcode")                                                                            \
    X(Fin, "fin")                                                                                  \
    X(Rsv, "rsv")                                                                                  \
    X(Masked, "masked")                                                                            \
    X(Data, "data")                                                                                \
    X(DecodedBytes, "decodedBytes")                                                                \
    X(Timings, "timings")                                                                          \
    X(Dns, "dns")                                                                                  \
    X(Connect, "connect")                                                                          \
    X(Tls, "tls")                                                                                  \
    X(Send, "send")                                                                                \
    X(Wait, "wait")                                                                                \
    X(Receive, "receive")                                                                          \
    X(Total, "total")                                                                              \
    X(Phase, "phase")                                                                              \
    X(Title, "title")                                                                              \
    X(LocalPort, "localPort")                                                                      \
    X(Unsent, "unsent")                                                                            \
    X(To, "to")                                                                                    \
    X(Hop, "hop")                                                                                  \
    X(Next, "next")                                                                                \
    X(First, "first")                                                                              \
    X(Downgrade, "downgrade")                                                                      \
    X(Dropped, "dropped")                                                                          \
    X(Level, "level")                                                                              \
    X(Name, "name")                                                                                \
    X(Value, "value")                                                                              \
    X(Group, "group")                                                                              \
    X(CertificateRequested, "certificateRequested")                                                \
    X(ClientCertificate, "clientCertificate")                                                      \
    X(KeyLog, "keyLog")                                                                            \
    X(KeyLogError, "keyLogError")                                                                  \
    X(WireRead, "wireRead")                                                                        \
    X(WireWritten, "wireWritten")                                                                  \
    X(Via, "via")                                                                                  \
    X(Proxy, "proxy")                                                                              \
    X(Methods, "methods")                                                                          \
    X(User, "user")                                                                                \
    X(PacketNumber, "pn")                                                                          \
    X(Frames, "frames")                                                                            \
    X(QuicVersion, "quicVersion")                                                                  \
    X(Authority, "authority")                                                                      \
    X(MaxAge, "maxAge")                                                                            \
    X(Action, "action")                                                                            \
    X(Ocsp, "ocsp")                                                                                \
    X(OcspDetail, "ocspDetail")                                                                    \
    X(OcspThisUpdate, "ocspThisUpdate")                                                            \
    X(OcspNextUpdate, "ocspNextUpdate")                                                            \
    X(OcspRevokedAt, "ocspRevokedAt")                                                              \
    X(OcspReason, "ocspReason")                                                                    \
    X(Sans, "sans")                                                                                \
    X(Route, "route")

// A field's name. The known names are these enumerators; a name this build does not know (from
// a file) gets an id past them, interned in TraceStrings like any other string, so a field id
// is always also the TraceStrings id of its name.
enum class Field : quint32 {
#define HOPSCOPE_X(e, name) e,
    HOPSCOPE_FIELDS(HOPSCOPE_X)
#undef HOPSCOPE_X
        KnownCount,
};

const char *eventTypeName(EventType type);        // "" for Other
EventType eventTypeFromName(QByteArrayView name); // Other when unknown
// The field for a name, interning names this build does not know. false only when the string
// table is full (TraceStrings::kMaxStrings).
bool fieldFromName(QByteArrayView name, Field *field);

} // namespace hopscope
