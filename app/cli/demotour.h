#pragma once

#include "clioptions.h"
#include "demotourplan.h"

#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace hopscope {

class Client;
class SessionRunner;
class TraceStore;

// hopscope-cli --demo: a tour of every protocol switch Hopscope exists to show, against the
// embedded demo server. Phases run one after another on one Client (so connection and request
// numbers stay unique in the trace): an h2c upgrade with two more requests multiplexed as
// streams; HTTP/1.1 over TLS whose `Upgrade: h2` advertisement is followed to a new HTTP/2
// connection; a WebSocket exchange; a `tcp` upgrade whose greeting came with the 101.
class DemoTour : public QObject
{
    Q_OBJECT
public:
    using Urls = DemoTourUrls;

    DemoTour(Client *client, SessionRunner *sessions, TraceStore *trace, Urls urls,
             QObject *parent = nullptr);

    void start();
    // No further phases (the run timed out).
    void stop() { m_stopped = true; }

signals:
    void finished();

private:
    void runNext();

    Client *m_client;
    SessionRunner *m_sessions;
    TraceStore *m_trace;
    Urls m_urls;
    QList<DemoTourPhase> m_phases;
    int m_next = 0;
    bool m_stopped = false;
};

} // namespace hopscope
