#include "views/timelinegeometry.h"

#include "models/timelinemodel.h"
// TimelineModel::store() converts a QPointer<SessionStore>: it needs the complete type.
#include "session/sessionstore.h"

#include <QFont>
#include <QFontMetrics>

#include <cmath>

namespace hopscope {

namespace {

constexpr int kMarkerHitPx = 7;
constexpr int kArrowHitPx = 5;
constexpr int kTickHitPx = 3; // ticks are 1 px lines, often a few pixels apart

} // namespace

void TimelineGeometry::updateMetrics(const QFont &font, bool legendVisible)
{
    const QFontMetrics fm(font);
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.85);
    const QFontMetrics sfm(small);
    m_metrics.headerWidth = qBound(200, fm.averageCharWidth() * 34, 320);
    m_metrics.axisHeight = fm.height() + 10;
    m_metrics.legendHeight = legendVisible ? fm.height() + 8 : 0;
    m_metrics.labelBand = sfm.height() + 1;
    m_metrics.stripH = fm.height() + 3;
    m_metrics.rowH = fm.height() + 2;
    m_metrics.rowGap = 3;
    m_metrics.padTop = 3;
    m_metrics.padBottom = 7;
    // Room for the header's three lines.
    m_metrics.minLaneH = qMax(m_metrics.padTop + m_metrics.labelBand + m_metrics.stripH + 4 +
                                  m_metrics.rowH + m_metrics.padBottom,
                              fm.height() * 2 + sfm.height() + 14);
}

void TimelineGeometry::relayoutLanes(const TimelineModel *model)
{
    m_model = model;
    const int n = m_model ? m_model->laneCount() : 0;
    m_laneTops.resize(size_t(n) + 1);
    int y = 0;
    for (int i = 0; i < n; ++i) {
        m_laneTops[size_t(i)] = y;
        const int rows = qMax(1, m_model->laneAt(i).rowCount());
        const int h = m_metrics.padTop + m_metrics.labelBand + m_metrics.stripH + 4 +
                      rows * (m_metrics.rowH + m_metrics.rowGap) - m_metrics.rowGap +
                      m_metrics.padBottom;
        y += qMax(h, m_metrics.minLaneH);
    }
    m_laneTops[size_t(n)] = y;
}

int TimelineGeometry::timeWidth() const
{
    return qMax(1, m_viewport.width() - m_metrics.headerWidth);
}

int TimelineGeometry::lanesBottom() const
{
    return m_viewport.height() - m_metrics.legendHeight;
}

QRect TimelineGeometry::timeArea() const
{
    return QRect(m_metrics.headerWidth, m_metrics.axisHeight, timeWidth(),
                 qMax(0, lanesBottom() - m_metrics.axisHeight));
}

double TimelineGeometry::xFor(double ns) const
{
    return m_metrics.headerWidth + (axisFor(ns) - m_startNs) / m_nsPerPx;
}

double TimelineGeometry::axisAt(double x) const
{
    return m_startNs + (x - m_metrics.headerWidth) * m_nsPerPx;
}

double TimelineGeometry::nsAt(double x) const
{
    return traceFor(axisAt(x));
}

int TimelineGeometry::laneTopY(int i) const
{
    return m_metrics.axisHeight + m_laneTops[size_t(i)] - m_scrollY;
}

int TimelineGeometry::laneHeight(int i) const
{
    return m_laneTops[size_t(i) + 1] - m_laneTops[size_t(i)];
}

int TimelineGeometry::laneAtY(int y) const
{
    if (!m_model || m_laneTops.size() < 2 || y < m_metrics.axisHeight || y >= lanesBottom())
        return -1;
    const int contentY = y - m_metrics.axisHeight + m_scrollY;
    const auto it = std::upper_bound(m_laneTops.begin(), m_laneTops.end(), contentY);
    const int i = int(it - m_laneTops.begin()) - 1;
    return i >= 0 && i < m_model->laneCount() ? i : -1;
}

int TimelineGeometry::stripY(int i) const
{
    return laneTopY(i) + m_metrics.padTop + m_metrics.labelBand;
}

int TimelineGeometry::rowsY(int i) const
{
    return stripY(i) + m_metrics.stripH + 4;
}

int TimelineGeometry::rowY(int i, int row) const
{
    return rowsY(i) + row * (m_metrics.rowH + m_metrics.rowGap);
}

QRectF TimelineGeometry::barRectF(const TimelineBar &bar) const
{
    const int lane = int(bar.conn) - 1;
    double x0 = xFor(double(bar.startNs));
    double x1 = xFor(double(m_model->effectiveEnd(bar.endNs)));
    if (x1 - x0 < kMinBarPx)
        x1 = x0 + kMinBarPx;
    return QRectF(QPointF(clampCoord(x0), rowY(lane, bar.row)),
                  QPointF(clampCoord(x1), rowY(lane, bar.row) + m_metrics.rowH));
}

QRectF TimelineGeometry::phaseRectF(int lane, const TimelinePhase &ph) const
{
    const double x0 = xFor(double(ph.startNs));
    double x1 = xFor(double(m_model->effectiveEnd(ph.endNs)));
    if (x1 - x0 < 1.0)
        x1 = x0 + 1.0;
    return QRectF(QPointF(clampCoord(x0), stripY(lane)),
                  QPointF(clampCoord(x1), stripY(lane) + m_metrics.stripH));
}

QPainterPath TimelineGeometry::arrowPath(const TimelineArrow &a) const
{
    QPainterPath path;
    const int from = int(a.fromConn) - 1, to = int(a.toConn) - 1;
    if (from < 0 || to < 0 || size_t(qMax(from, to)) + 1 >= m_laneTops.size())
        return path;
    const QPointF p0(clampCoord(xFor(double(a.fromNs))), stripY(from) + m_metrics.stripH / 2.0);
    const QPointF p1(clampCoord(xFor(double(a.toNs))), stripY(to) + m_metrics.stripH / 2.0);
    // Leaves the advertisement downwards, enters the new lane from the left (pointing at its
    // start), so it reads "this led to that connection".
    const double dy = p1.y() - p0.y();
    const double d = qBound(24.0, std::abs(dy) * 0.5, 80.0);
    path.moveTo(p0);
    if (from == to) {
        // A redirect to the same connection: a hop above the strip, from one exchange to the next.
        const double up = m_metrics.stripH * 1.5;
        path.cubicTo(p0 - QPointF(0, up), p1 - QPointF(d, up), p1 - QPointF(6, 0));
        return path;
    }
    path.cubicTo(p0 + QPointF(0, dy * 0.55), p1 - QPointF(d, 0), p1 - QPointF(6, 0));
    return path;
}

QRect TimelineGeometry::barRect(quint32 req) const
{
    if (!m_model)
        return {};
    const TimelineBar *bar = m_model->bar(req);
    if (!bar || size_t(bar->conn) >= m_laneTops.size())
        return {};
    return barRectF(*bar).toAlignedRect();
}

QPoint TimelineGeometry::markerPos(int index) const
{
    if (!m_model || index < 0 || index >= m_model->markerCount())
        return QPoint(-1, -1);
    const TimelineMarker &m = m_model->markerAt(index);
    if (size_t(m.conn) >= m_laneTops.size())
        return QPoint(-1, -1);
    return QPoint(int(std::lround(clampCoord(xFor(double(m.ns))))),
                  stripY(int(m.conn) - 1) + m_metrics.stripH / 2);
}

QRect TimelineGeometry::laneRect(quint32 conn) const
{
    if (!m_model || conn == 0 || size_t(conn) >= m_laneTops.size())
        return {};
    const int i = int(conn) - 1;
    return QRect(0, laneTopY(i), m_viewport.width(), laneHeight(i));
}

QRect TimelineGeometry::laneHeaderRect(quint32 conn) const
{
    QRect r = laneRect(conn);
    r.setWidth(m_metrics.headerWidth);
    return r;
}

TimelineHit TimelineGeometry::hitTest(QPoint pos) const
{
    TimelineHit hit;
    if (!m_model)
        return hit;
    const int lane = laneAtY(pos.y());
    if (pos.x() >= m_metrics.headerWidth && pos.y() >= m_metrics.axisHeight &&
        pos.y() < lanesBottom())
        hit.ns = qint64(nsAt(pos.x()));
    if (lane < 0)
        return hit;
    const TimelineLane &l = m_model->laneAt(lane);
    hit.conn = l.conn;
    if (pos.x() < m_metrics.headerWidth) {
        hit.kind = TimelineHit::Lane;
        hit.inHeader = true;
        return hit;
    }

    // Markers: the glyph sits on the phase strip, its flag / label reaches into the band above.
    const int sy = stripY(lane);
    if (pos.y() >= sy - m_metrics.labelBand && pos.y() <= sy + m_metrics.stripH + 2) {
        // Compressed idle time makes a pixel's worth of time differ on each side of a gap.
        const double tolerance =
            qMax(hit.ns - nsAt(pos.x() - kMarkerHitPx), nsAt(pos.x() + kMarkerHitPx) - hit.ns);
        const QList<int> near = m_model->markersNear(l.conn, hit.ns, qint64(tolerance) + 1);
        for (int m : near) {
            const TimelineMarker &mk = m_model->markerAt(m);
            // The close cap is thin and sits at the lane's end: only take it right on it.
            if (mk.kind == TimelineMarker::Kind::Close &&
                std::abs(xFor(double(mk.ns)) - pos.x()) > 3)
                continue;
            hit.kind = TimelineHit::Marker;
            hit.markerIndex = m;
            hit.req = mk.req;
            return hit;
        }
    }

    // TLS handshake ticks: on the strip, within a few pixels (markers on it won above).
    if (pos.y() >= sy && pos.y() < sy + m_metrics.stripH && !l.tlsTicks.isEmpty()) {
        const double tolerance =
            qMax(hit.ns - nsAt(pos.x() - kTickHitPx), nsAt(pos.x() + kTickHitPx) - hit.ns);
        const int tick = TimelineModel::tlsTickNear(l, hit.ns, qint64(tolerance) + 1);
        if (tick >= 0) {
            hit.kind = TimelineHit::TlsTick;
            hit.tickIndex = tick;
            return hit;
        }
    }

    // Bars: the sub-row under the point, then the bar covering the time (thin bars count as
    // kMinBarPx wide, as painted).
    const int ry = rowsY(lane);
    if (pos.y() >= ry) {
        const int row = (pos.y() - ry) / (m_metrics.rowH + m_metrics.rowGap);
        if (row < l.rowCount() &&
            (pos.y() - ry) % (m_metrics.rowH + m_metrics.rowGap) < m_metrics.rowH) {
            const QList<quint32> &reqs = l.rows[row];
            int i = m_model->firstBarEndingAfter(l, row, qint64(nsAt(pos.x() - kMinBarPx)));
            for (; i < reqs.size(); ++i) {
                const TimelineBar *b = m_model->bar(reqs[i]);
                const QRectF r = barRectF(*b);
                if (r.left() > pos.x() + 0.5)
                    break;
                if (r.adjusted(-0.5, 0, 0.5, 0).contains(QPointF(pos))) {
                    hit.kind = TimelineHit::Bar;
                    hit.req = b->req;
                    return hit;
                }
            }
        }
    }

    // Arrows: near the curve.
    const QList<TimelineArrow> &arrows = m_model->arrows();
    for (int a = 0; a < arrows.size(); ++a) {
        const QPainterPath path = arrowPath(arrows[a]);
        if (path.isEmpty() || !path.boundingRect().adjusted(-8, -8, 8, 8).contains(pos))
            continue;
        for (int k = 0; k <= 40; ++k) {
            const QPointF q = path.pointAtPercent(k / 40.0);
            if (std::hypot(q.x() - pos.x(), q.y() - pos.y()) <= kArrowHitPx) {
                hit.kind = TimelineHit::Arrow;
                hit.arrowIndex = a;
                return hit;
            }
        }
    }

    // Phases: the strip.
    if (pos.y() >= sy && pos.y() < sy + m_metrics.stripH) {
        for (int p = 0; p < l.phases.size(); ++p) {
            const QRectF r = phaseRectF(lane, l.phases[p]);
            if (pos.x() >= r.left() - 0.5 && pos.x() <= r.right() + 0.5) {
                hit.kind = TimelineHit::Phase;
                hit.phaseIndex = p;
                // Later phases win at shared edges (a sub-pixel 101 over its neighbours).
            }
        }
    }
    return hit;
}

} // namespace hopscope
