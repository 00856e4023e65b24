#pragma once

// What the hostile HTTP/2 suites read from a hopscope-cli trace: event fields, whether a frame
// crossed the wire, and all frames of a run in one line for failure messages.

#include "clirunner.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace hopscope::test {

inline QString str(const QJsonObject &event, const char *key)
{
    return event.value(QLatin1String(key)).toString();
}

inline qint64 num(const QJsonObject &event, const char *key)
{
    return event.value(QLatin1String(key)).toInteger(-1);
}

// Whether the trace has an h2.frame event of the type in that direction (and stream, error).
inline bool hasFrame(const CliResult &r, const QString &dir, const QString &type, int stream = -1,
                     const QString &error = {})
{
    for (const QJsonObject &e : r.events(u"h2.frame")) {
        if (str(e, "dir") == dir && str(e, "frame") == type &&
            (stream < 0 || num(e, "stream") == stream) &&
            (error.isEmpty() || str(e, "error") == error))
            return true;
    }
    return false;
}

// "in SETTINGS s0, out HEADERS s1 …": the frames of the run in one line, for failure messages
// (describe() shows only the trace's tail, which a flood fills with SETTINGS).
inline QString frameSummary(const CliResult &r)
{
    QStringList parts;
    QString previous;
    int repeats = 0;
    for (const QJsonObject &e : r.events(u"h2.frame")) {
        QString part = QStringLiteral("c%1 %2 %3 s%4")
                           .arg(num(e, "conn"))
                           .arg(str(e, "dir"), str(e, "frame"))
                           .arg(num(e, "stream"));
        if (!str(e, "error").isEmpty())
            part += QStringLiteral(" ") + str(e, "error");
        if (part == previous) {
            ++repeats;
            continue;
        }
        if (repeats > 0)
            parts.last() += QStringLiteral(" (×%1)").arg(repeats + 1);
        repeats = 0;
        previous = part;
        parts << part;
    }
    if (repeats > 0)
        parts.last() += QStringLiteral(" (×%1)").arg(repeats + 1);
    return QStringLiteral("  h2 frames: ") +
           (parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "))) +
           QStringLiteral("\n");
}

} // namespace hopscope::test
