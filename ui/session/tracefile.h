#pragma once

#include "trace/traceevent.h"

#include <QString>

namespace hopscope {

// A trace on disk in the JSON-lines format of hopscope-cli --trace-json (docs/trace-format.md),
// so that a capture made by the CLI (in CI, on a server) opens in the window, and a session in
// the window can be saved for scripts or a colleague.

// Reads every event; fields keep the order they had on the line. False with *error (the file,
// or the line that is not a JSON object) on failure; events read up to then are kept.
bool readTraceFile(const QString &path, TraceBatch *events, QString *error);
// Writes the events as JSON lines (the CLI's writer, byte for byte).
bool writeTraceFile(const QString &path, const TraceBatch &events, QString *error);

// TraceEvent::type must outlive the event: the types of loaded events are kept here, once each.
const char *internTraceType(QByteArrayView type);

} // namespace hopscope
