#pragma once

#include "core/httpheader.h"
#include "trace/traceevent.h"

#include <QCborArray>
#include <QCborMap>

namespace hopscope {

class Exchange;
class TraceStore;
struct ExchangeTimings;

// Field builders shared by every driver, so that all protocols record the same shapes.

// [[name, value], ...] in wire order and case.
QCborArray headersToCbor(const HeaderList &headers);
// {dns, connect, tls, send, wait, receive, total} in ms, -1 where a phase did not happen.
QCborMap timingsToCbor(const ExchangeTimings &timings);
// The `response.complete` event of a finished exchange (docs/trace-format.md).
void recordResponseComplete(TraceStore *trace, EventScope scope, const Exchange &exchange);

} // namespace hopscope
