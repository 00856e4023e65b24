#pragma once

#include "clioptions.h"
#include "net/protocoldriver.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace hopscope {

class Exchange;
class ProtocolDriver;
class SessionDriver;

// Drives the sessions that upgrades open (WebSocket, raw tunnels) the way the CLI's options say:
// the --ws-send / --ws-send-binary / --send payloads in order, then wait until the peer has been
// quiet for --linger, then close politely (WebSocket: 1000) and let the driver finish the
// exchange when the peer answers.
class SessionRunner : public QObject
{
    Q_OBJECT
public:
    SessionRunner(QList<CliOptions::SessionSend> sends, int lingerMs, QObject *parent = nullptr);

    // Connect to Client::protocolSwitched.
    void onProtocolSwitched(Exchange *exchange, ProtocolDriver *driver);
    // Sends for the session of request `req` instead of the command line's (the demo tour).
    void setSendsFor(quint32 req, QList<CliOptions::SessionSend> sends);

private:
    void start(SessionDriver *session, const QList<CliOptions::SessionSend> &sends);

    QList<CliOptions::SessionSend> m_sends;
    QHash<quint32, QList<CliOptions::SessionSend>> m_sendsFor; // by request number
    int m_lingerMs;
};

} // namespace hopscope
