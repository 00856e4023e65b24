#pragma once

#include <QString>

namespace hopscope {

// Every duration and point in time the UI shows as text is written by one of these, so that
// the same quantity reads the same in the tree, the log, the timeline and the detail tabs.
// Each form exists for a reason given with it; pick by what the text is for, not by unit.

// "12.3 ms": one decimal, for columns and one-line summaries where the digits should line up
// (connection tree, protocol history). Empty for a negative (not known) duration.
QString formatMilliseconds(double ms);

// "0.301 ms", "2.623 ms", "12.35 ms", "302.1 ms", "1.004 s": four significant digits, for the
// Timings tab where sub-millisecond phases matter. "—" for a negative (not known) duration.
QString formatMillisecondsPrecise(double ms);

// "500 ns", "812 µs", "2.62 ms", "303.1 ms", "1.250 s": the unit follows the size, for
// measured spans (timeline tooltips, the trace log's dns/connect/tls times).
QString formatDurationNs(qint64 ns);

// "18.139 ms", "1.340002 s": a point on the trace's clock, to the microsecond.
QString formatTraceTimeNs(qint64 ns);

// "18.139": milliseconds without a unit, for table columns whose header names the unit.
QString formatMillisecondsNumber(qint64 ns);

} // namespace hopscope
