#pragma once

#include <QString>

namespace hopscope {

class SessionStore;

// File ▸ Save session: every event and every body the window holds, as a session file
// (docs/session-format.md). Written to a temporary file and renamed over `path` only once
// complete, so a failed save never leaves half a file where a good one was.
struct SessionSaveCounts
{
    quint64 events = 0;
    quint64 bodies = 0;
};
bool saveSessionFile(const SessionStore &store, const QString &path, QString *error,
                     SessionSaveCounts *counts = nullptr);

} // namespace hopscope
