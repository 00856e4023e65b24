#pragma once

#include "views/timelinestyle.h"

class QPainter;

namespace hopscope {

// Paints one frame of the timeline: the lanes (lifetime track, phases, bars, marker glyphs and
// their labels), the upgrade arrows, the "now" line and the tour's chapters, and has
// TimelineFramePainter paint the axis, the lane headers and the legend around them.
//
// Painting is culled: lanes by binary search over their tops, bars per sub-row by binary search
// over time (bars in a row never overlap), runs of sub-pixel bars and markers merged, so a frame
// costs what is visible, not what the trace holds.
class TimelinePainter
{
public:
    // state must outlive the painter.
    explicit TimelinePainter(const TimelinePaintState &state);

    void paint(QPainter &p) const;

private:
    void paintChapters(QPainter &p) const;
    void paintLane(QPainter &p, int laneIndex) const;
    void paintPhases(QPainter &p, int laneIndex) const;
    // The lane's TLS messages (tls.message) between fromNs and toNs, as ticks on its strip.
    void paintTlsTicks(QPainter &p, int laneIndex, qint64 fromNs, qint64 toNs) const;
    void paintBars(QPainter &p, int laneIndex) const;
    void paintBar(QPainter &p, const TimelineLane &lane, const TimelineBar &bar) const;
    void paintMarkers(QPainter &p, int laneIndex) const;
    void paintArrows(QPainter &p) const;

    const TimelinePaintState &m_state;
    const TimelineGeometry &m_geo;
    const TimelineGeometry::Metrics &m_metrics;
    const TimelineModel *m_model;
    const QPalette &m_palette;
    const QFont &m_font;
    quint32 m_selectedReq;
    TimelineHit m_hover;
};

} // namespace hopscope
