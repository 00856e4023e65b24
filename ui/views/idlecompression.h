#pragma once

#include <QtGlobal>

#include <vector>

namespace hopscope {

class TimelineModel;

// The timeline's optional "compress idle time" axis: a monotone, piecewise-linear map between
// trace time and axis time in which every idle stretch (no lane, phase, bar end, marker or
// chapter in between) longer than minIdleNs is drawn as if it lasted shownNs. A 1 ms switch and
// a 2 s transfer are then both readable at one zoom; the ruler marks each compressed stretch
// (TimelineFramePainter::paintAxis) so that the breaks are never hidden.
//
// Empty (no gaps), it is the identity. Times are trace nanoseconds; axis times are what the
// view's zoom and pan work in.
class IdleCompression
{
public:
    // Longer than the steps of a connection's set-up on a real network (DNS, connect, TLS, the
    // 101 and the preface take a few milliseconds each), shorter than a human-scale wait
    // (/delay/300, a WebSocket left open).
    static constexpr qint64 kMinIdleNs = 10'000'000;
    // A compressed stretch is drawn as long as a quick step (about the HTTP/1.1 request of an
    // h2c upgrade on loopback): it stays visible and takes little from the busy stretches.
    static constexpr qint64 kShownNs = 1'000'000;

    struct Gap
    {
        qint64 startNs = 0;       // trace time where the idle stretch starts
        qint64 endNs = 0;         // … and ends
        double axisStart = 0;     // its start on the axis
        double removedBefore = 0; // axis time taken out by the gaps before this one

        qint64 length() const { return endNs - startNs; }
    };

    // moments: the times at which something happens, in any order (copied and sorted).
    void setMoments(std::vector<qint64> moments, qint64 minIdleNs = kMinIdleNs,
                    qint64 shownNs = kShownNs);
    void clear() { m_gaps.clear(); }

    bool isEmpty() const { return m_gaps.empty(); }
    const std::vector<Gap> &gaps() const { return m_gaps; }
    qint64 shownNs() const { return m_shownNs; }

    double toAxis(double ns) const;
    double toTrace(double axisNs) const;

    // Everything the timeline draws a point or an edge at: lane, phase and bar starts and ends,
    // markers, arrows and chapters.
    static std::vector<qint64> momentsOf(const TimelineModel &model);

private:
    std::vector<Gap> m_gaps; // by time
    qint64 m_shownNs = kShownNs;
};

} // namespace hopscope
