#include "http2/h2idlecontrol.h"

#include <QStringList>

#include <nghttp2/nghttp2.h>

namespace hopscope {

bool H2IdleControlCounter::count(quint8 frameType, qint32 streamId, bool hasRequest)
{
    Kind kind;
    switch (frameType) {
    case NGHTTP2_RST_STREAM:
        if (hasRequest)
            return false; // it ends that request: an outcome, not idle
        kind = Kind::RstClosed;
        break;
    case NGHTTP2_WINDOW_UPDATE:
        kind = streamId == 0 ? Kind::WindowConnection : Kind::WindowStream;
        break;
    case NGHTTP2_PRIORITY:
        kind = Kind::Priority; // a client has nothing to reprioritise
        break;
    default:
        return false;
    }
    ++m_total;
    ++m_byKind[int(kind)];
    return true;
}

QString H2IdleControlCounter::breakdown() const
{
    static const char *const kNames[int(Kind::Count)] = {
        "RST_STREAM for closed or idle streams",
        "WINDOW_UPDATE on stream 0",
        "WINDOW_UPDATE on other streams",
        "PRIORITY",
    };
    QStringList parts;
    for (int i = 0; i < int(Kind::Count); ++i) {
        if (m_byKind[i] > 0)
            parts << QStringLiteral("%1 %2").arg(m_byKind[i]).arg(QLatin1StringView(kNames[i]));
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace hopscope
