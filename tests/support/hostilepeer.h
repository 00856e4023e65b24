#pragma once

#include "scriptpeer.h"

namespace hopscope::test {

// Runs tests/peers/hostile_peer.py with one scenario as a child process and tells its port.
// The peer serves every connection with that scenario until stop() or destruction kills it.
class HostilePeer : public ScriptPeer
{
public:
    // options: further command-line options of the peer, e.g. {"--mode", "h2c"} to reach
    // HTTP/2 through an h2c upgrade in the h2-* scenarios (the default is prior knowledge).
    bool start(const QString &scenario, const Tls &tls = {}, const QStringList &options = {});
};

} // namespace hopscope::test
