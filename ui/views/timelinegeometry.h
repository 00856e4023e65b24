#pragma once

#include "views/idlecompression.h"

#include <QPainterPath>
#include <QPoint>
#include <QRect>
#include <QRectF>
#include <QSize>

#include <algorithm>
#include <vector>

class QFont;

namespace hopscope {

class TimelineModel;
struct TimelineArrow;
struct TimelineBar;
struct TimelinePhase;

// What lies under a point of the timeline (TimelineView::Hit).
struct TimelineHit
{
    enum Kind { None, Bar, Marker, Phase, Lane, Arrow, TlsTick };
    Kind kind = None;
    quint32 conn = 0;      // the lane under the point (also for None inside a lane)
    quint32 req = 0;       // Bar; the marker's req for Marker
    int markerIndex = -1;  // Marker: TimelineModel::markerAt() index
    int phaseIndex = -1;   // Phase: index into the lane's phases
    int arrowIndex = -1;   // Arrow: index into TimelineModel::arrows()
    int tickIndex = -1;    // TlsTick: index into the lane's tlsTicks
    qint64 ns = -1;        // the time under the point, -1 outside the time area
    bool inHeader = false; // Lane: on the lane header (left column)
};

// Where everything of the timeline lies, in viewport coordinates: the time <-> x mapping, the
// lane layout (axis on top, lane headers on the left, legend at the bottom) and hit testing.
// It paints nothing and knows no widget, so the painters and the tests share one answer to
// "where is it": TimelineView feeds it the viewport size, the vertical scroll position and the
// time mapping before each use.
//
// Lanes are found by binary search over their tops, bars per sub-row by binary search over time
// (TimelineModel keeps a row's bars sorted and non-overlapping), so a point costs O(log n).
class TimelineGeometry
{
public:
    // A bar is never thinner, so every exchange stays visible and clickable.
    static constexpr double kMinBarPx = 3.0;
    // Far-away coordinates are clamped before they reach integers (deep zoom overflows them).
    static double clampCoord(double v)
    {
        constexpr double kCoord = 1e7;
        return std::clamp(v, -kCoord, kCoord);
    }

    // Sizes derived from the font (see updateMetrics()).
    struct Metrics
    {
        int headerWidth = 220;
        int axisHeight = 24;
        int legendHeight = 20;
        int labelBand = 12; // marker labels above the phase strip
        int stripH = 16;    // the phase strip
        int rowH = 16;      // one sub-row of bars
        int rowGap = 2;
        int padTop = 3;
        int padBottom = 6;
        int minLaneH = 56; // room for the lane header's three lines
    };

    void updateMetrics(const QFont &font, bool legendVisible);
    const Metrics &metrics() const { return m_metrics; }

    // Recomputes the lane tops from the model's sub-row counts (after a model change).
    void relayoutLanes(const TimelineModel *model);
    void setModel(const TimelineModel *model) { m_model = model; }
    void setViewport(QSize size, int scrollY)
    {
        m_viewport = size;
        m_scrollY = scrollY;
    }
    // x = header + (axis(ns) - startAxisNs) / nsPerPx, where axis() is the identity unless
    // idle time is compressed (idle: null or empty for the plain axis).
    void setTimeMapping(double startAxisNs, double nsPerPx, const IdleCompression *idle = nullptr)
    {
        m_startNs = startAxisNs;
        m_nsPerPx = nsPerPx;
        m_idle = idle && !idle->isEmpty() ? idle : nullptr;
    }
    // The compressed stretches in use, null when the axis is plain.
    const IdleCompression *idleCompression() const { return m_idle; }
    double axisFor(double ns) const { return m_idle ? m_idle->toAxis(ns) : ns; }
    double traceFor(double axisNs) const { return m_idle ? m_idle->toTrace(axisNs) : axisNs; }
    double axisAt(double x) const; // the axis time under viewport x

    const TimelineModel *model() const { return m_model; }
    double nsPerPx() const { return m_nsPerPx; }
    int viewportWidth() const { return m_viewport.width(); }
    QRect viewportRect() const { return QRect(QPoint(0, 0), m_viewport); }
    bool hasLanes() const { return m_laneTops.size() >= 2; }
    int contentHeight() const { return m_laneTops.empty() ? 0 : m_laneTops.back(); }

    int timeWidth() const;
    int lanesBottom() const; // viewport y where the legend starts
    QRect timeArea() const;  // where lanes are painted (no axis, header, legend)

    double xFor(double ns) const;
    double nsAt(double x) const;
    int laneTopY(int laneIndex) const; // viewport y
    int laneHeight(int laneIndex) const;
    int laneAtY(int viewportY) const; // -1 when none
    int stripY(int laneIndex) const;  // top of the phase strip
    int rowsY(int laneIndex) const;   // top of sub-row 0
    int rowY(int laneIndex, int row) const;
    QRectF barRectF(const TimelineBar &bar) const;
    QRectF phaseRectF(int laneIndex, const TimelinePhase &phase) const;
    QPainterPath arrowPath(const TimelineArrow &arrow) const;

    // The public geometry of TimelineView (see there).
    TimelineHit hitTest(QPoint viewportPos) const;
    QRect barRect(quint32 req) const;
    QPoint markerPos(int markerIndex) const;
    QRect laneRect(quint32 conn) const;
    QRect laneHeaderRect(quint32 conn) const;

private:
    const TimelineModel *m_model = nullptr;
    std::vector<int> m_laneTops; // content y of each lane, plus the total height at the end
    Metrics m_metrics;
    QSize m_viewport;
    int m_scrollY = 0;
    double m_startNs = 0;
    double m_nsPerPx = 1e6;
    const IdleCompression *m_idle = nullptr;
};

} // namespace hopscope
