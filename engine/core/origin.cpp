#include "core/origin.h"

namespace hopscope {

Origin Origin::fromUrl(const QUrl &url)
{
    Origin o;
    o.scheme = url.scheme().toLower();
    o.host = url.host().toLower();
    const int defaultPort = o.scheme == u"https" ? 443 : 80;
    o.port = quint16(url.port(defaultPort));
    return o;
}

QString Origin::toString() const
{
    const QString h =
        host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
    return QStringLiteral("%1://%2:%3").arg(scheme, h).arg(port);
}

} // namespace hopscope
