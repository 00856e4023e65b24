#pragma once

#include "session/bodystore.h"
#include "trace/traceevent.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace hopscope {

// File ▸ Open and `hopscope FILE.har` on a HAR: the engine's reader (engine/har/harreader,
// docs/har.md "Import") and what the window needs from it, so MainWindow::openTrace only asks
// which kind of file it has and hands the result to its store.
struct HarWindowInput
{
    TraceBatch events;
    QList<ExchangeBody> bodies;
    QDateTime start;      // the wall clock of t = 0: the first entry's startedDateTime
    QString notice;       // what a HAR cannot show, always said above the panes
    QStringList problems; // entries skipped, values dropped (each naming where)
};

// By content: a JSON object whose first member is `log` (the first 4 KiB are read), whatever
// the file is called; and any file called *.har, so that one whose `log` comes later, or that
// is broken, gets the HAR reader's error rather than the trace reader's.
bool isHarFile(const QString &path);
// false with *error when the file is no HAR at all; otherwise what could be read, with
// problems for what could not.
bool readHarForWindow(const QString &path, HarWindowInput *out, QString *error);

} // namespace hopscope
