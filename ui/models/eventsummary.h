#pragma once

#include "trace/traceevent.h"

#include <QString>

namespace hopscope {

// One line that says what a trace event was, phrased like the CLI's -v output
// (engine/trace/textwriter.cpp) but without its marker and [c r s] ids, which the trace log
// shows in columns, and without the header lines: "GET /headers HTTP/1.1",
// "HEADERS END_STREAM|END_HEADERS len=57", "SETTINGS MAX_CONCURRENT_STREAMS=100 …",
// "ws text \"hello\"", "101 Switching Protocols → h2c". Unknown types read "key=value …".
// Built on demand (models call it from data() only); costs about a microsecond.
QString eventSummary(const TraceEvent &ev);

// Events that report a failure: error, request.failed, connect.failed, upgrade.h2.refused, an
// HTTP/2 RST_STREAM or GOAWAY carrying an error other than NO_ERROR, and frames nghttp2 rejected
// (`invalid`).
bool isErrorEvent(const TraceEvent &ev);

// What the CLI marks with '!' without it being a failure: tls.insecure, h1.violation,
// upgrade.declined, upgrade.skipped, ws.close.unanswered, pool.retry, frames nghttp2 discarded.
bool isWarningEvent(const TraceEvent &ev);

// Quotes `text` the way the CLI does ("…" with \\ \" \n \r \t \xNN escaped), cut after
// `maxChars` characters with "…" after the closing quote. Appends to `out`.
void appendQuoted(QString &out, QStringView text, qsizetype maxChars = 1000);

} // namespace hopscope
