#pragma once

#include "core/requestspec.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace hopscope {

// Something a front end sends through an open session (WebSocket message, tunnel bytes).
struct SessionMessage
{
    enum class Kind { Text, Binary } kind = Kind::Text;
    QByteArray data;
};

// The demo tour: every protocol switch Hopscope exists to show, against the embedded demo
// server, as phases that run one after another. hopscope-cli --demo and the GUI run the same
// plan.
struct DemoTourPhase
{
    QString title;
    bool parallel = false;       // the phase's requests go out at once
    QList<RequestSpec> requests; // in order
    QList<SessionMessage> sends; // for the phase's sessions, once they are open
};

struct DemoTourUrls
{
    QString plain; // http://127.0.0.1:PORT
    QString tls;   // https://127.0.0.1:PORT
    QString caFile;
};

// 1. an h2c upgrade with two more requests multiplexed as streams 3 and 5; 2. HTTP/1.1 over TLS
// whose `Upgrade: h2` advertisement is followed to a new HTTP/2 connection; 3. a WebSocket
// exchange; 4. a `tcp` upgrade whose greeting came with the 101; 5. an `Alt-Svc: h3`
// advertisement over TLS followed to a new HTTP/3 connection over QUIC.
QList<DemoTourPhase> demoTourPlan(const DemoTourUrls &urls);

} // namespace hopscope
