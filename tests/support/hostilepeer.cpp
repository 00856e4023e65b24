#include "hostilepeer.h"

namespace hopscope::test {

bool HostilePeer::start(const QString &scenario, const Tls &tls, const QStringList &options)
{
    return launch(QStringLiteral("hostile_peer.py"), options + QStringList{scenario}, tls);
}

} // namespace hopscope::test
