#pragma once

#include "trace/traceevent.h"
#include "trace/tracelog.h"

#include <QString>

namespace hopscope {

// A trace on disk in the JSON-lines format of hopscope-cli --trace-json (docs/trace-format.md),
// so that a capture made by the CLI (in CI, on a server) opens in the window, and a session in
// the window can be saved for scripts or a colleague.

// Reads every event, appending to *events; fields keep the order (and JSON integers and doubles
// their kind) they had on the line; a type this build does not know becomes EventType::Other. False
// with *error (the file, or the line that is not a JSON object) on failure; events read up to then
// are kept.
bool readTraceFile(const QString &path, TraceBatch *events, QString *error);
// The same on a file's contents already in memory; `name` is what errors call the file.
bool readTraceData(QByteArrayView data, const QString &name, TraceBatch *events, QString *error);
// Writes the events as JSON lines (the CLI's writer, byte for byte).
bool writeTraceFile(const QString &path, const TraceBatch &events, QString *error);
bool writeTraceFile(const QString &path, const TraceLog &events, QString *error);

} // namespace hopscope
