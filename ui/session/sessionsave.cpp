#include "session/sessionsave.h"

#include "session/sessionstore.h"
#include "session/sessionwriter.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSaveFile>

namespace hopscope {

bool saveSessionFile(const SessionStore &store, const QString &path, QString *error,
                     SessionSaveCounts *counts)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    SessionWriter writer(&file);
    const QJsonObject meta{
        {QStringLiteral("producer"),
         QStringLiteral("hopscope %1 (window)").arg(QCoreApplication::applicationVersion())},
        {QStringLiteral("saved"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
    };
    writer.begin(store.traceStart(), meta);
    writer.writeEvents(store.events());
    for (quint32 req : store.bodyRequests())
        if (const std::optional<ExchangeBody> body = store.body(req))
            writer.writeBody(*body);
    if (!writer.finish() || !file.commit()) {
        *error = QStringLiteral("%1: %2").arg(
            path, writer.errorString().isEmpty() ? file.errorString() : writer.errorString());
        return false;
    }
    if (counts)
        *counts = {writer.eventCount(), writer.bodyCount()};
    return true;
}

} // namespace hopscope
