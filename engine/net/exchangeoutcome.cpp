#include "net/exchangeoutcome.h"

#include "core/exchange.h"
#include "trace/tracefields.h"
#include "trace/tracestore.h"

namespace hopscope {

void recordError(TraceStore *trace, EventScope scope, const QByteArray &code,
                 const QString &message)
{
    trace->record(EventType::Error, scope).value(Field::Message, message).atom(Field::Code, code);
}

void markExchangeFailed(TraceStore *trace, EventScope scope, Exchange *exchange,
                        const QByteArray &code, const QString &message, ErrorEvent event)
{
    if (exchange->timings.end < 0)
        exchange->timings.end = trace->elapsedNs();
    // Exchange::fail() leaves a finished exchange alone; this failure replaces any earlier one.
    exchange->setState(Exchange::State::Queued);
    exchange->fail(code, message);
    if (event == ErrorEvent::Record)
        recordError(trace, scope, code, message);
}

void markExchangeComplete(TraceStore *trace, EventScope scope, Exchange *exchange)
{
    if (exchange->timings.end < 0)
        exchange->timings.end = trace->elapsedNs();
    exchange->setState(Exchange::State::Complete);
    recordResponseComplete(trace, scope, *exchange);
}

} // namespace hopscope
