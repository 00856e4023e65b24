#pragma once

#include <QJsonObject>
#include <QSet>
#include <QString>

namespace hopscope {

class SessionStore;

// File ▸ Export HAR: the engine's HAR 1.2 writer (engine/har, docs/har.md) over the window's
// session: its events, and the bodies the store kept (up to maxBodyInMemory each, within the
// store's body budget; a saved trace has none).
struct SessionHarOptions
{
    QSet<quint32> only;          // these requests (the selection); empty: the whole session
    bool includeSecrets = false; // else Authorization and cookie values are redacted
};

QJsonObject sessionHar(const SessionStore &store, const SessionHarOptions &options);
// Writes the HAR; false with *error when the file cannot be written. *entries: how many.
bool writeSessionHar(const SessionStore &store, const QString &path,
                     const SessionHarOptions &options, QString *error, int *entries = nullptr);
// The requests a selection in the connection tree stands for: an exchange, or every exchange
// of a connection.
QSet<quint32> selectionRequests(const SessionStore &store, quint32 req, quint32 connection);

} // namespace hopscope
