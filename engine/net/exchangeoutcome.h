#pragma once

#include "trace/traceevent.h"

#include <QByteArray>
#include <QString>

namespace hopscope {

class Exchange;
class TraceStore;

// How every driver ends an exchange, so that an ending looks the same in the Exchange and in
// the trace whichever protocol carried it. ProtocolDriver::failExchange()/completeExchange()
// use these and emit finished() at once; a driver that must emit later (HTTP/2 never emits
// from inside nghttp2) calls them directly and emits when it may.

// Whether markExchangeFailed() records the `error` event. Omit it when the event is already
// recorded (once for a whole connection, or before a WebSocket close frame went out), or when
// the failure is retryable and the client's `pool.retry` tells the story (HTTP/1.1's closed
// keep-alive connection).
enum class ErrorEvent { Record, Omit };

// An `error` event {message, code}: the one shape of every error in the trace.
void recordError(TraceStore *trace, EventScope scope, const QByteArray &code,
                 const QString &message);

// Ends the exchange as failed with this code and message, whatever it reached before: a body
// that could not be decoded already failed it on its own, and the driver's word is the last.
// Sets timings.end if it is still open.
void markExchangeFailed(TraceStore *trace, EventScope scope, Exchange *exchange,
                        const QByteArray &code, const QString &message,
                        ErrorEvent event = ErrorEvent::Record);

// Ends the exchange as complete and records its `response.complete`. Sets timings.end if it is
// still open. The caller has checked the body (Exchange::finishBody()).
void markExchangeComplete(TraceStore *trace, EventScope scope, Exchange *exchange);

} // namespace hopscope
