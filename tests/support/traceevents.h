#pragma once

// Test helpers over a TraceStore that retained its events.

#include "trace/tracestore.h"

namespace hopscope::test {

// Every event of this type so far, copied so that they outlive later recording.
inline TraceBatch eventsOf(const TraceStore &trace, EventType type)
{
    TraceBatch out;
    for (const TraceEvent &e : trace.events()) {
        if (e.is(type))
            out.append(e);
    }
    return out;
}

} // namespace hopscope::test
