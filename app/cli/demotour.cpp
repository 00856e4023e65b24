#include "demotour.h"

#include "client.h"
#include "core/exchange.h"
#include "sessionrunner.h"
#include "trace/tracestore.h"

namespace hopscope {

DemoTour::DemoTour(Client *client, SessionRunner *sessions, TraceStore *trace, Urls urls,
                   QObject *parent)
    : QObject(parent), m_client(client), m_sessions(sessions), m_trace(trace),
      m_urls(std::move(urls))
{
    m_phases = phases();
    connect(m_client, &Client::allFinished, this, &DemoTour::runNext, Qt::QueuedConnection);
}

QList<DemoTour::Phase> DemoTour::phases() const
{
    auto spec = [](const QString &url) {
        RequestSpec s;
        s.url = QUrl(url);
        s.timeouts.idleMs = 15'000;
        return s;
    };
    QList<Phase> out;

    Phase h2c{QStringLiteral("h2c upgrade: HTTP/1.1 asks to switch, stream 1 answers the "
                             "upgraded request, two more requests ride along as streams 3 and 5"),
              true,
              {},
              {}};
    for (const QString &path :
         {QStringLiteral("/headers"), QStringLiteral("/delay/300"), QStringLiteral("/stream/3")}) {
        RequestSpec s = spec(m_urls.plain + path);
        s.protocol = ProtocolPolicy::H2cUpgrade;
        h2c.requests.append(s);
    }
    out.append(h2c);

    Phase upgradeH2{QStringLiteral("TLS: ALPN settles on HTTP/1.1, the server advertises "
                                   "`Upgrade: h2`, and the next request opens a new HTTP/2 "
                                   "connection"),
                    false,
                    {},
                    {}};
    for (const QString &path : {QStringLiteral("/status/200"), QStringLiteral("/bytes/4096")}) {
        RequestSpec s = spec(m_urls.tls + path);
        s.tls.caFile = m_urls.caFile;
        s.tls.alpn = {QByteArrayLiteral("http/1.1")};
        upgradeH2.requests.append(s);
    }
    out.append(upgradeH2);

    Phase ws{QStringLiteral("WebSocket: the handshake, two messages echoed, the close handshake"),
             false,
             {},
             {{CliOptions::SessionSend::Kind::Text, QByteArrayLiteral("hello from hopscope")},
              {CliOptions::SessionSend::Kind::Binary, QByteArray("\x00\x01\x02\xff", 4)}}};
    RequestSpec wsSpec = spec(m_urls.plain + QStringLiteral("/ws"));
    wsSpec.upgrade = "websocket";
    ws.requests.append(wsSpec);
    out.append(ws);

    Phase tcp{QStringLiteral("Upgrade: tcp: the greeting arrives in the same read as the 101, "
                             "then the tunnel echoes"),
              false,
              {},
              {{CliOptions::SessionSend::Kind::Text, QByteArrayLiteral("ping\n")}}};
    RequestSpec tcpSpec = spec(m_urls.plain + QStringLiteral("/tcp"));
    tcpSpec.upgrade = "tcp";
    tcp.requests.append(tcpSpec);
    out.append(tcp);
    return out;
}

void DemoTour::start()
{
    m_next = 0;
    runNext();
}

void DemoTour::runNext()
{
    if (m_stopped || m_next >= m_phases.size()) {
        emit finished();
        return;
    }
    const Phase &phase = m_phases.at(m_next++);
    m_trace->record(
        "demo.phase", {},
        QCborMap{{QStringLiteral("phase"), m_next}, {QStringLiteral("title"), phase.title}});
    m_client->setParallel(phase.parallel);
    for (const RequestSpec &s : phase.requests) {
        Exchange *ex = m_client->enqueue(s);
        if (!phase.sends.isEmpty())
            m_sessions->setSendsFor(ex, phase.sends);
    }
    m_client->start();
}

} // namespace hopscope
