#include "demotourplan.h"

namespace hopscope {

QList<DemoTourPhase> demoTourPlan(const DemoTourUrls &urls)
{
    auto spec = [](const QString &url) {
        RequestSpec s;
        s.url = QUrl(url);
        s.timeouts.idleMs = 15'000;
        return s;
    };
    QList<DemoTourPhase> out;

    DemoTourPhase h2c{QStringLiteral("h2c upgrade: HTTP/1.1 asks to switch, stream 1 answers the "
                                     "upgraded request, two more requests ride along as streams "
                                     "3 and 5"),
                      true,
                      {},
                      {}};
    for (const QString &path :
         {QStringLiteral("/headers"), QStringLiteral("/delay/300"), QStringLiteral("/stream/3")}) {
        RequestSpec s = spec(urls.plain + path);
        s.protocol = ProtocolPolicy::H2cUpgrade;
        h2c.requests.append(s);
    }
    out.append(h2c);

    DemoTourPhase upgradeH2{QStringLiteral("TLS: ALPN settles on HTTP/1.1, the server advertises "
                                           "“Upgrade: h2”, and the next request opens a new "
                                           "HTTP/2 connection"),
                            false,
                            {},
                            {}};
    for (const QString &path : {QStringLiteral("/status/200"), QStringLiteral("/bytes/4096")}) {
        RequestSpec s = spec(urls.tls + path);
        s.tls.caFile = urls.caFile;
        s.tls.alpn = {QByteArrayLiteral("http/1.1")};
        upgradeH2.requests.append(s);
    }
    out.append(upgradeH2);

    DemoTourPhase ws{
        QStringLiteral("WebSocket: the handshake, two messages echoed, the close handshake"),
        false,
        {},
        {{SessionMessage::Kind::Text, QByteArrayLiteral("hello from hopscope")},
         {SessionMessage::Kind::Binary, QByteArray("\x00\x01\x02\xff", 4)}}};
    RequestSpec wsSpec = spec(urls.plain + QStringLiteral("/ws"));
    wsSpec.upgrade = "websocket";
    ws.requests.append(wsSpec);
    out.append(ws);

    DemoTourPhase tcp{QStringLiteral("Upgrade: tcp: the greeting arrives in the same read as the "
                                     "101, then the tunnel echoes"),
                      false,
                      {},
                      {{SessionMessage::Kind::Text, QByteArrayLiteral("ping\n")}}};
    RequestSpec tcpSpec = spec(urls.plain + QStringLiteral("/tcp"));
    tcpSpec.upgrade = "tcp";
    tcp.requests.append(tcpSpec);
    out.append(tcp);

    // Last, so the Alt-Svc memory it leaves behind changes no chapter before it.
    DemoTourPhase h3{QStringLiteral("HTTP/3: an HTTP/2 response over TLS advertises "
                                    "“Alt-Svc: h3”, and the next request moves to a new QUIC "
                                    "connection"),
                     false,
                     {},
                     {}};
    for (const QString &path : {QStringLiteral("/alt-svc"), QStringLiteral("/stream/3")}) {
        RequestSpec s = spec(urls.tls + path);
        s.tls.caFile = urls.caFile;
        h3.requests.append(s);
    }
    out.append(h3);
    return out;
}

} // namespace hopscope
