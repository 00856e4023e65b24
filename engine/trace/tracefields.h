#pragma once

#include "core/httpheader.h"
#include "trace/traceevent.h"

namespace hopscope {

class Exchange;
class TraceStore;
struct ExchangeTimings;

// Field builders shared by every driver, so that all protocols record the same shapes.

// Wire bytes as text: UTF-8 when they decode as such, else Latin-1, so no byte is ever dropped
// from what the user sees.
QString wireText(const QByteArray &bytes);
// {dns, connect, tls, send, wait, receive, total} in ms, -1 where a phase did not happen.
void writeTimings(FieldWriter &w, Field key, const ExchangeTimings &timings);
// The `response.complete` event of a finished exchange (docs/trace-format.md).
void recordResponseComplete(TraceStore *trace, EventScope scope, const Exchange &exchange);

} // namespace hopscope
