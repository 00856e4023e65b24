#include "format/durationformat.h"

#include <QtMath>

namespace hopscope {

QString formatMilliseconds(double ms)
{
    if (ms < 0)
        return {};
    return QStringLiteral("%1 ms").arg(ms, 0, 'f', 1);
}

QString formatMillisecondsPrecise(double ms)
{
    if (ms < 0)
        return QStringLiteral("—");
    if (ms >= 1000.0)
        return QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', 3);
    if (ms >= 100.0)
        return QStringLiteral("%1 ms").arg(ms, 0, 'f', 1);
    if (ms >= 10.0)
        return QStringLiteral("%1 ms").arg(ms, 0, 'f', 2);
    return QStringLiteral("%1 ms").arg(ms, 0, 'f', 3);
}

QString formatDurationNs(qint64 ns)
{
    const qint64 a = qAbs(ns);
    if (a < 1'000)
        return QStringLiteral("%1 ns").arg(ns);
    if (a < 1'000'000)
        return QStringLiteral("%1 µs").arg(double(ns) / 1e3, 0, 'f', a < 10'000 ? 1 : 0);
    if (a < 1'000'000'000)
        return QStringLiteral("%1 ms").arg(double(ns) / 1e6, 0, 'f', a < 10'000'000 ? 2 : 1);
    return QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 3);
}

QString formatTraceTimeNs(qint64 ns)
{
    if (qAbs(ns) < 1'000'000'000)
        return QStringLiteral("%1 ms").arg(double(ns) / 1e6, 0, 'f', 3);
    return QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 6);
}

QString formatMillisecondsNumber(qint64 ns)
{
    return QString::number(double(ns) / 1e6, 'f', 3);
}

} // namespace hopscope
