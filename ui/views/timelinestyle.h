#pragma once

#include "models/timelinemodel.h"
// TimelineModel::store() converts a QPointer<SessionStore>: it needs the complete type.
#include "session/sessionstore.h"
#include "views/timelinegeometry.h"

#include <QColor>
#include <QFont>
#include <QPalette>
#include <QPointF>

class QPainter;

namespace hopscope {

// Everything a timeline painter needs for one paint event: where things are, what there is,
// the look, and the view's selection and hover. TimelineView fills one per paintEvent().
struct TimelinePaintState
{
    const TimelineGeometry *geometry = nullptr;
    const TimelineModel *model = nullptr; // may be null (nothing to show)
    QPalette palette;
    QFont font;
    quint32 selectedReq = 0;
    TimelineHit hover;
    bool autoFit = true;
    bool legendVisible = true;
};

// The colours and glyphs shared by the lanes (TimelinePainter) and the legend
// (TimelineFramePainter), so that the legend's glyph is the lane's glyph.
class TimelineStyle
{
public:
    static QColor blend(const QColor &a, const QColor &b, double t);
    // Text that stays readable on a fill, whichever palette.
    static QColor textOn(const QColor &fill);
    static bool isDark(const QPalette &pal);
    // DNS, connect and TLS are the same for every protocol: neutral greys, darker as it goes on.
    static QColor handshakeColor(const QPalette &pal, TimelinePhase::Kind kind);
    // The glyph of a marker centred on c; its size follows the phase strip's height.
    static void paintMarkerGlyph(QPainter &p, const QPalette &pal, int stripH,
                                 const TimelineMarker &m, QPointF c, bool hovered);
    // Where a phase's label may start so that no glyph (centred at `glyphXs`, `glyphHalf` wide
    // on each side) covers it: `left`, or just past the last glyph that would fall on the text
    // from there to `textRight` (an offer recorded just after its request began). Glyphs
    // beyond the text leave it where it is.
    static double labelLeftClearOf(double left, double textWidth, const QList<double> &glyphXs,
                                   double glyphHalf);
};

} // namespace hopscope
