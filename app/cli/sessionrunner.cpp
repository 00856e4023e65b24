#include "sessionrunner.h"

#include "core/exchange.h"
#include "net/sessiondriver.h"

namespace hopscope {

SessionRunner::SessionRunner(QList<CliOptions::SessionSend> sends, int lingerMs, QObject *parent)
    : QObject(parent), m_sends(std::move(sends)), m_lingerMs(lingerMs)
{
}

void SessionRunner::setSendsFor(quint32 req, QList<CliOptions::SessionSend> sends)
{
    m_sendsFor.insert(req, std::move(sends));
}

void SessionRunner::onProtocolSwitched(Exchange *exchange, ProtocolDriver *driver)
{
    auto *session = qobject_cast<SessionDriver *>(driver);
    if (!session)
        return; // h2c: the client goes on with streams
    // A session opens at most once per request: its sends are needed only now. Sent right away:
    // the driver holds them until it runs (SessionDriver), after the bytes that came with the 101.
    const QList<CliOptions::SessionSend> sends =
        m_sendsFor.contains(exchange->id()) ? m_sendsFor.take(exchange->id()) : m_sends;
    start(session, sends);
}

void SessionRunner::start(SessionDriver *session, const QList<CliOptions::SessionSend> &sends)
{
    if (!session->isSessionOpen())
        return;
    for (const CliOptions::SessionSend &s : sends) {
        if (s.kind == CliOptions::SessionSend::Kind::Binary)
            session->sendBinary(s.data);
        else
            session->sendText(s.data);
    }
    // Linger: every sign of life from the peer restarts the quiet period.
    auto *quiet = new QTimer(session);
    quiet->setSingleShot(true);
    quiet->setTimerType(Qt::PreciseTimer);
    quiet->setInterval(m_lingerMs);
    connect(session, &SessionDriver::peerActivity, quiet, qOverload<>(&QTimer::start));
    connect(quiet, &QTimer::timeout, session, [session] {
        if (session->isSessionOpen())
            session->closeSession(1000, {});
    });
    quiet->start();
}

} // namespace hopscope
