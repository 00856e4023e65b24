#include "views/timelineview.h"

#include "models/timelinemodel.h"
#include "session/sessionstore.h"
#include "views/protocolstyle.h"

#include <QApplication>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QNativeGestureEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace hopscope {

namespace {

constexpr int kEdgeMarginPx = 14; // room left and right of the fitted time span
constexpr double kMinBarPx = 3.0; // a bar is never thinner, so every exchange stays visible
constexpr int kMarkerHitPx = 7;
constexpr int kArrowHitPx = 5;
constexpr double kMinNsPerPx = 1.0;
constexpr double kCoord = 1e7; // clamp far-away coordinates before they reach integers

QColor blend(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

// Text that stays readable on a fill, whichever palette.
QColor textOn(const QColor &fill)
{
    const double luma = 0.299 * fill.redF() + 0.587 * fill.greenF() + 0.114 * fill.blueF();
    return luma > 0.6 ? QColor(0x1a, 0x1a, 0x1a) : QColor(Qt::white);
}

bool isDark(const QPalette &pal)
{
    return pal.color(QPalette::Base).lightness() < 128;
}

// DNS, connect and TLS are the same for every protocol: neutral greys, darker as it goes on.
QColor handshakeColor(const QPalette &pal, TimelinePhase::Kind kind)
{
    const QColor base = pal.color(QPalette::Base);
    const QColor text = pal.color(QPalette::Text);
    switch (kind) {
    case TimelinePhase::Kind::Dns:
        return blend(base, text, 0.22);
    case TimelinePhase::Kind::Connect:
        return blend(base, text, 0.34);
    default:
        return blend(base, text, 0.48);
    }
}

bool isLongPeriod(TimelinePhase::Kind k)
{
    return k == TimelinePhase::Kind::Http1 || k == TimelinePhase::Kind::Http2 ||
           k == TimelinePhase::Kind::WebSocketSession || k == TimelinePhase::Kind::Tunnel;
}

bool isHandshake(TimelinePhase::Kind k)
{
    return k == TimelinePhase::Kind::Dns || k == TimelinePhase::Kind::Connect ||
           k == TimelinePhase::Kind::Tls;
}

QString shortPhaseLabel(const TimelinePhase &ph)
{
    switch (ph.kind) {
    case TimelinePhase::Kind::Dns:
        return QStringLiteral("DNS");
    case TimelinePhase::Kind::Connect:
        return QStringLiteral("TCP");
    case TimelinePhase::Kind::Tls:
        return QStringLiteral("TLS");
    case TimelinePhase::Kind::Http1Request:
        return QStringLiteral("req");
    case TimelinePhase::Kind::Switch101:
        return QStringLiteral("101");
    case TimelinePhase::Kind::Preface:
        return QStringLiteral("preface");
    default:
        return protocolLabel(ph.protocol);
    }
}

// The text above a marker glyph; empty for none (the tooltip has the full story).
QString bandLabel(const TimelineMarker &m)
{
    switch (m.kind) {
    case TimelineMarker::Kind::UpgradeOffer:
        return QStringLiteral("Upgrade: %1?").arg(m.protocol);
    case TimelineMarker::Kind::UpgradeSwitch:
    case TimelineMarker::Kind::Advertised:
        return m.label;
    case TimelineMarker::Kind::UpgradeDeclined:
        return QStringLiteral("%1 declined").arg(m.protocol);
    case TimelineMarker::Kind::GoAway:
        return QStringLiteral("GOAWAY");
    case TimelineMarker::Kind::RstStream:
        return QStringLiteral("RST_STREAM");
    case TimelineMarker::Kind::Error:
        return m.req ? QStringLiteral("req %1 failed").arg(m.req) : QStringLiteral("error");
    case TimelineMarker::Kind::Follow:
    case TimelineMarker::Kind::Close:
        return {};
    }
    return {};
}

// Higher wins when labels collide: the switch is the story, an offer only its prologue.
int labelPriority(TimelineMarker::Kind k)
{
    switch (k) {
    case TimelineMarker::Kind::UpgradeSwitch:
        return 9;
    case TimelineMarker::Kind::Advertised:
        return 8;
    case TimelineMarker::Kind::UpgradeDeclined:
        return 7;
    case TimelineMarker::Kind::GoAway:
        return 6; // the cause beats the errors it leads to
    case TimelineMarker::Kind::RstStream:
        return 5;
    case TimelineMarker::Kind::Error:
        return 4;
    case TimelineMarker::Kind::UpgradeOffer:
        return 3;
    default:
        return 0;
    }
}

QPolygonF diamond(QPointF c, double r)
{
    return QPolygonF({QPointF(c.x(), c.y() - r), QPointF(c.x() + r, c.y()),
                      QPointF(c.x(), c.y() + r), QPointF(c.x() - r, c.y())});
}

QPolygonF triangle(QPointF c, double r, bool up)
{
    const double s = up ? 1 : -1;
    return QPolygonF({QPointF(c.x(), c.y() - s * r), QPointF(c.x() + r, c.y() + s * r * 0.8),
                      QPointF(c.x() - r, c.y() + s * r * 0.8)});
}

double clampCoord(double v)
{
    return std::clamp(v, -kCoord, kCoord);
}

} // namespace

TimelineView::TimelineView(QWidget *parent) : QAbstractScrollArea(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setMouseTracking(true);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    viewport()->setCursor(Qt::OpenHandCursor);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    connect(horizontalScrollBar(), &QScrollBar::valueChanged, this,
            &TimelineView::onHorizontalScroll);
    updateMetrics();
}

TimelineView::~TimelineView() = default;

void TimelineView::setModel(TimelineModel *model)
{
    if (m_model == model)
        return;
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    m_hover = {};
    m_selectedReq = 0;
    if (m_model) {
        connect(m_model, &TimelineModel::changed, this, &TimelineView::onModelChanged);
        connect(m_model, &TimelineModel::reset, this, &TimelineView::onModelReset);
        connect(m_model, &QObject::destroyed, this, &TimelineView::onModelReset);
    }
    m_autoFit = true;
    onModelChanged();
}

QSize TimelineView::sizeHint() const
{
    return QSize(900, 300);
}

QSize TimelineView::minimumSizeHint() const
{
    return QSize(m_headerWidth + 160, m_axisHeight + m_minLaneH + m_legendHeight);
}

// ---------------------------------------------------------------------------------------------
// Layout

void TimelineView::updateMetrics()
{
    const QFontMetrics fm(font());
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    const QFontMetrics sfm(small);
    m_headerWidth = qBound(200, fm.averageCharWidth() * 34, 320);
    m_axisHeight = fm.height() + 10;
    m_legendHeight = m_legendVisible ? fm.height() + 8 : 0;
    m_labelBand = sfm.height() + 1;
    m_stripH = fm.height() + 3;
    m_rowH = fm.height() + 2;
    m_rowGap = 3;
    m_padTop = 3;
    m_padBottom = 7;
    // Room for the header's three lines.
    m_minLaneH = qMax(m_padTop + m_labelBand + m_stripH + 4 + m_rowH + m_padBottom,
                      fm.height() * 2 + sfm.height() + 14);
}

void TimelineView::relayoutLanes()
{
    const int n = m_model ? m_model->laneCount() : 0;
    m_laneTops.resize(size_t(n) + 1);
    int y = 0;
    for (int i = 0; i < n; ++i) {
        m_laneTops[size_t(i)] = y;
        const int rows = qMax(1, m_model->laneAt(i).rowCount());
        const int h = m_padTop + m_labelBand + m_stripH + 4 + rows * (m_rowH + m_rowGap) -
                      m_rowGap + m_padBottom;
        y += qMax(h, m_minLaneH);
    }
    m_laneTops[size_t(n)] = y;
}

int TimelineView::timeWidth() const
{
    return qMax(1, viewport()->width() - m_headerWidth);
}

int TimelineView::lanesBottom() const
{
    return viewport()->height() - m_legendHeight;
}

QRect TimelineView::timeArea() const
{
    return QRect(m_headerWidth, m_axisHeight, timeWidth(), qMax(0, lanesBottom() - m_axisHeight));
}

double TimelineView::xFor(double ns) const
{
    return m_headerWidth + (ns - m_startNs) / m_nsPerPx;
}

double TimelineView::nsAt(double x) const
{
    return m_startNs + (x - m_headerWidth) * m_nsPerPx;
}

int TimelineView::laneTopY(int i) const
{
    return m_axisHeight + m_laneTops[size_t(i)] - verticalScrollBar()->value();
}

int TimelineView::laneHeight(int i) const
{
    return m_laneTops[size_t(i) + 1] - m_laneTops[size_t(i)];
}

int TimelineView::laneAtY(int y) const
{
    if (!m_model || m_laneTops.size() < 2 || y < m_axisHeight || y >= lanesBottom())
        return -1;
    const int contentY = y - m_axisHeight + verticalScrollBar()->value();
    const auto it = std::upper_bound(m_laneTops.begin(), m_laneTops.end(), contentY);
    const int i = int(it - m_laneTops.begin()) - 1;
    return i >= 0 && i < m_model->laneCount() ? i : -1;
}

int TimelineView::stripY(int i) const
{
    return laneTopY(i) + m_padTop + m_labelBand;
}

int TimelineView::rowsY(int i) const
{
    return stripY(i) + m_stripH + 4;
}

int TimelineView::rowY(int i, int row) const
{
    return rowsY(i) + row * (m_rowH + m_rowGap);
}

QRectF TimelineView::barRectF(const TimelineBar &bar) const
{
    const int lane = int(bar.conn) - 1;
    double x0 = xFor(double(bar.startNs));
    double x1 = xFor(double(m_model->effectiveEnd(bar.endNs)));
    if (x1 - x0 < kMinBarPx)
        x1 = x0 + kMinBarPx;
    return QRectF(QPointF(clampCoord(x0), rowY(lane, bar.row)),
                  QPointF(clampCoord(x1), rowY(lane, bar.row) + m_rowH));
}

QRectF TimelineView::phaseRectF(int lane, const TimelinePhase &ph) const
{
    const double x0 = xFor(double(ph.startNs));
    double x1 = xFor(double(m_model->effectiveEnd(ph.endNs)));
    if (x1 - x0 < 1.0)
        x1 = x0 + 1.0;
    return QRectF(QPointF(clampCoord(x0), stripY(lane)),
                  QPointF(clampCoord(x1), stripY(lane) + m_stripH));
}

QPainterPath TimelineView::arrowPath(const TimelineArrow &a) const
{
    QPainterPath path;
    const int from = int(a.fromConn) - 1, to = int(a.toConn) - 1;
    if (from < 0 || to < 0 || size_t(qMax(from, to)) + 1 >= m_laneTops.size())
        return path;
    const QPointF p0(clampCoord(xFor(double(a.fromNs))), stripY(from) + m_stripH / 2.0);
    const QPointF p1(clampCoord(xFor(double(a.toNs))), stripY(to) + m_stripH / 2.0);
    // Leaves the advertisement downwards, enters the new lane from the left (pointing at its
    // start), so it reads "this led to that connection".
    const double dy = p1.y() - p0.y();
    const double d = qBound(24.0, std::abs(dy) * 0.5, 80.0);
    path.moveTo(p0);
    path.cubicTo(p0 + QPointF(0, dy * 0.55), p1 - QPointF(d, 0), p1 - QPointF(6, 0));
    return path;
}

// ---------------------------------------------------------------------------------------------
// Time mapping, zoom and scrolling

TimelineView::Extent TimelineView::timeExtent() const
{
    const double s = m_model ? double(m_model->startNs()) : 0.0;
    const double e = m_model ? qMax(double(m_model->endNs()), s + 1000.0) : s + 1e9;
    const double margin = kEdgeMarginPx * m_nsPerPx;
    return {s - margin, e + margin};
}

double TimelineView::fitNsPerPx() const
{
    const double s = m_model ? double(m_model->startNs()) : 0.0;
    const double e = m_model ? qMax(double(m_model->endNs()), s + 1000.0) : s + 1e9;
    return (e - s) / qMax(20, timeWidth() - 2 * kEdgeMarginPx);
}

void TimelineView::applyFit()
{
    m_nsPerPx = qMax(kMinNsPerPx, fitNsPerPx());
    const double s = m_model ? double(m_model->startNs()) : 0.0;
    m_startNs = s - kEdgeMarginPx * m_nsPerPx;
}

void TimelineView::clampStart()
{
    const Extent ext = timeExtent();
    const double view = timeWidth() * m_nsPerPx;
    if (ext.end - ext.start >= view)
        m_startNs = std::clamp(m_startNs, ext.start, ext.end - view);
    else
        m_startNs = std::clamp(m_startNs, ext.end - view, ext.start);
}

void TimelineView::setAutoFit(bool on)
{
    if (m_autoFit == on)
        return;
    m_autoFit = on;
    emit autoFitChanged(on);
}

void TimelineView::updateScrollBars()
{
    m_syncing = true;
    const Extent ext = timeExtent();
    const double contentPx = (ext.end - ext.start) / m_nsPerPx;
    const double overflow = contentPx - timeWidth();
    QScrollBar *h = horizontalScrollBar();
    if (overflow <= 0.5) {
        h->setRange(0, 0);
    } else {
        m_hUnit = qMax(1.0, overflow / 1e9);
        h->setRange(0, int(overflow / m_hUnit));
        h->setPageStep(qMax(1, int(timeWidth() / m_hUnit)));
        h->setSingleStep(qMax(1, int(24 / m_hUnit)));
        h->setValue(int(std::lround((m_startNs - ext.start) / m_nsPerPx / m_hUnit)));
    }
    QScrollBar *v = verticalScrollBar();
    const int total = m_laneTops.empty() ? 0 : m_laneTops.back();
    const int visible = qMax(0, lanesBottom() - m_axisHeight);
    v->setRange(0, qMax(0, total - visible));
    v->setPageStep(qMax(1, visible));
    v->setSingleStep(qMax(1, m_minLaneH / 2));
    m_syncing = false;
}

void TimelineView::onHorizontalScroll(int value)
{
    if (m_syncing)
        return;
    m_startNs = timeExtent().start + value * m_hUnit * m_nsPerPx;
    setAutoFit(false);
    viewport()->update();
}

void TimelineView::scrollContentsBy(int, int)
{
    // The axis and the lane headers stay put: repaint instead of scrolling pixels.
    viewport()->update();
}

void TimelineView::fitAll()
{
    applyFit();
    setAutoFit(true);
    updateScrollBars();
    viewport()->update();
}

void TimelineView::zoomBy(double factor, int anchorX)
{
    if (factor <= 0)
        return;
    anchorX = qBound(m_headerWidth, anchorX, viewport()->width());
    const double anchorNs = nsAt(anchorX);
    const double maxNsPerPx = qMax(fitNsPerPx() * 4, kMinNsPerPx);
    m_nsPerPx = std::clamp(m_nsPerPx / factor, kMinNsPerPx, maxNsPerPx);
    m_startNs = anchorNs - (anchorX - m_headerWidth) * m_nsPerPx;
    clampStart();
    setAutoFit(false);
    updateScrollBars();
    viewport()->update();
}

void TimelineView::zoomIn()
{
    const QPoint c = viewport()->mapFromGlobal(QCursor::pos());
    zoomBy(1.5, viewport()->rect().contains(c) && c.x() >= m_headerWidth
                    ? c.x()
                    : m_headerWidth + timeWidth() / 2);
}

void TimelineView::zoomOut()
{
    const QPoint c = viewport()->mapFromGlobal(QCursor::pos());
    zoomBy(1 / 1.5, viewport()->rect().contains(c) && c.x() >= m_headerWidth
                        ? c.x()
                        : m_headerWidth + timeWidth() / 2);
}

void TimelineView::setVisibleRange(qint64 startNs, qint64 endNs)
{
    if (endNs <= startNs)
        return;
    m_nsPerPx = qMax(kMinNsPerPx, double(endNs - startNs) / timeWidth());
    m_startNs = double(startNs);
    setAutoFit(false);
    updateScrollBars();
    viewport()->update();
}

qint64 TimelineView::visibleStartNs() const
{
    return qint64(m_startNs);
}

qint64 TimelineView::visibleEndNs() const
{
    return qint64(nsAt(viewport()->width()));
}

void TimelineView::setLegendVisible(bool visible)
{
    if (m_legendVisible == visible)
        return;
    m_legendVisible = visible;
    updateMetrics();
    updateScrollBars();
    viewport()->update();
}

void TimelineView::onModelChanged()
{
    relayoutLanes();
    if (m_autoFit)
        applyFit();
    else
        clampStart();
    updateScrollBars();
    viewport()->update();
}

void TimelineView::onModelReset()
{
    m_hover = {};
    m_pressHit = {};
    m_selectedReq = 0;
    m_autoFit = true;
    onModelChanged();
}

void TimelineView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    if (m_autoFit)
        applyFit();
    else
        clampStart();
    updateScrollBars();
}

void TimelineView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) {
        updateMetrics();
        relayoutLanes();
        updateScrollBars();
    }
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange ||
        event->type() == QEvent::StyleChange)
        viewport()->update();
    QAbstractScrollArea::changeEvent(event);
}

// ---------------------------------------------------------------------------------------------
// Geometry for callers and tests

QRect TimelineView::barRect(quint32 req) const
{
    if (!m_model)
        return {};
    const TimelineBar *bar = m_model->bar(req);
    if (!bar || size_t(bar->conn) >= m_laneTops.size())
        return {};
    return barRectF(*bar).toAlignedRect();
}

QPoint TimelineView::markerPos(int index) const
{
    if (!m_model || index < 0 || index >= m_model->markerCount())
        return QPoint(-1, -1);
    const TimelineMarker &m = m_model->markerAt(index);
    if (size_t(m.conn) >= m_laneTops.size())
        return QPoint(-1, -1);
    return QPoint(int(std::lround(clampCoord(xFor(double(m.ns))))),
                  stripY(int(m.conn) - 1) + m_stripH / 2);
}

QRect TimelineView::laneRect(quint32 conn) const
{
    if (!m_model || conn == 0 || size_t(conn) >= m_laneTops.size())
        return {};
    const int i = int(conn) - 1;
    return QRect(0, laneTopY(i), viewport()->width(), laneHeight(i));
}

QRect TimelineView::laneHeaderRect(quint32 conn) const
{
    QRect r = laneRect(conn);
    r.setWidth(m_headerWidth);
    return r;
}

TimelineView::Hit TimelineView::hitTest(QPoint pos) const
{
    Hit hit;
    if (!m_model)
        return hit;
    const int lane = laneAtY(pos.y());
    if (pos.x() >= m_headerWidth && pos.y() >= m_axisHeight && pos.y() < lanesBottom())
        hit.ns = qint64(nsAt(pos.x()));
    if (lane < 0)
        return hit;
    const TimelineLane &l = m_model->laneAt(lane);
    hit.conn = l.conn;
    if (pos.x() < m_headerWidth) {
        hit.kind = Hit::Lane;
        hit.inHeader = true;
        return hit;
    }

    // Markers: the glyph sits on the phase strip, its flag / label reaches into the band above.
    const int sy = stripY(lane);
    if (pos.y() >= sy - m_labelBand && pos.y() <= sy + m_stripH + 2) {
        const QList<int> near =
            m_model->markersNear(l.conn, hit.ns, qint64(kMarkerHitPx * m_nsPerPx) + 1);
        for (int m : near) {
            const TimelineMarker &mk = m_model->markerAt(m);
            // The close cap is thin and sits at the lane's end: only take it right on it.
            if (mk.kind == TimelineMarker::Kind::Close &&
                std::abs(xFor(double(mk.ns)) - pos.x()) > 3)
                continue;
            hit.kind = Hit::Marker;
            hit.markerIndex = m;
            hit.req = mk.req;
            return hit;
        }
    }

    // Bars: the sub-row under the point, then the bar covering the time (thin bars count as
    // kMinBarPx wide, as painted).
    const int ry = rowsY(lane);
    if (pos.y() >= ry) {
        const int row = (pos.y() - ry) / (m_rowH + m_rowGap);
        if (row < l.rowCount() && (pos.y() - ry) % (m_rowH + m_rowGap) < m_rowH) {
            const QList<quint32> &reqs = l.rows[row];
            int i = m_model->firstBarEndingAfter(l, row, qint64(nsAt(pos.x() - kMinBarPx)));
            for (; i < reqs.size(); ++i) {
                const TimelineBar *b = m_model->bar(reqs[i]);
                const QRectF r = barRectF(*b);
                if (r.left() > pos.x() + 0.5)
                    break;
                if (r.adjusted(-0.5, 0, 0.5, 0).contains(QPointF(pos))) {
                    hit.kind = Hit::Bar;
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
                hit.kind = Hit::Arrow;
                hit.arrowIndex = a;
                return hit;
            }
        }
    }

    // Phases: the strip.
    if (pos.y() >= sy && pos.y() < sy + m_stripH) {
        for (int p = 0; p < l.phases.size(); ++p) {
            const QRectF r = phaseRectF(lane, l.phases[p]);
            if (pos.x() >= r.left() - 0.5 && pos.x() <= r.right() + 0.5) {
                hit.kind = Hit::Phase;
                hit.phaseIndex = p;
                // Later phases win at shared edges (a sub-pixel 101 over its neighbours).
            }
        }
    }
    return hit;
}

QString TimelineView::toolTipAt(QPoint pos) const
{
    if (!m_model)
        return {};
    const Hit hit = hitTest(pos);
    const SessionStore *store = m_model->store();
    switch (hit.kind) {
    case Hit::None:
        return {};
    case Hit::Lane: {
        const TimelineLane *l = m_model->lane(hit.conn);
        QString text = l->title;
        text += QStringLiteral("\nopened at %1").arg(TimelineModel::formatTime(l->startNs));
        if (l->isOpen())
            text += QStringLiteral(", open");
        else
            text += QStringLiteral(", closed at %1 (%2): %3")
                        .arg(TimelineModel::formatTime(l->endNs),
                             TimelineModel::formatDuration(l->endNs - l->startNs), l->closeReason);
        return text + QStringLiteral("\nclick: select the connection");
    }
    case Hit::Bar: {
        const TimelineBar *b = m_model->bar(hit.req);
        const ExchangeInfo *x = store ? store->exchange(hit.req) : nullptr;
        if (!b || !x)
            return {};
        QString text = QStringLiteral("req %1").arg(b->req);
        if (b->stream > 0)
            text += QStringLiteral(", stream %1").arg(b->stream);
        text += QStringLiteral(", %1 %2").arg(x->method, x->path);
        if (x->status > 0)
            text += QStringLiteral(" → %1").arg(x->status);
        const QString sent =
            x->requestSentNs >= 0 ? QStringLiteral("sent at %1") : QStringLiteral("started at %1");
        text += QLatin1Char('\n') + sent.arg(TimelineModel::formatTime(b->startNs));
        if (b->isRunning()) {
            text += QStringLiteral(", running (%1 so far)")
                        .arg(TimelineModel::formatDuration(m_model->nowNs() - b->startNs));
        } else if (b->failed) {
            text += QStringLiteral(", failed at %1 (%2)")
                        .arg(TimelineModel::formatTime(b->endNs),
                             TimelineModel::formatDuration(b->endNs - b->startNs));
            text += QStringLiteral("\n%1: %2").arg(x->errorCode, x->error);
        } else {
            text += QStringLiteral(", done at %1 (%2)")
                        .arg(TimelineModel::formatTime(b->endNs),
                             TimelineModel::formatDuration(b->endNs - b->startNs));
        }
        QString more = QStringLiteral("\n%1 on #%2").arg(protocolLabel(b->protocol)).arg(b->conn);
        if (x->responseHeadNs >= 0 && x->requestSentNs >= 0)
            more += QStringLiteral(", first response after %1")
                        .arg(TimelineModel::formatDuration(x->responseHeadNs - x->requestSentNs));
        if (x->bytes >= 0)
            more += QStringLiteral(", %1 bytes").arg(x->bytes);
        return text + more;
    }
    case Hit::Marker: {
        const TimelineMarker &m = m_model->markerAt(hit.markerIndex);
        QString text =
            m.label +
            QStringLiteral("\nat %1 on #%2").arg(TimelineModel::formatTime(m.ns)).arg(m.conn);
        if (m.req)
            text += QStringLiteral(", req %1").arg(m.req);
        text += QStringLiteral(" (%1, event %2)")
                    .arg(TimelineModel::markerKindName(m.kind))
                    .arg(m.eventIndex + 1);
        return text;
    }
    case Hit::Phase: {
        const TimelineLane *l = m_model->lane(hit.conn);
        const TimelinePhase &ph = l->phases[hit.phaseIndex];
        QString text = TimelineModel::phaseKindName(ph.kind);
        if (!ph.label.isEmpty() && ph.label != text)
            text += QStringLiteral(" — ") + ph.label;
        text +=
            QStringLiteral("\n%1 → %2 (%3)")
                .arg(TimelineModel::formatTime(ph.startNs),
                     ph.isOpen() ? QStringLiteral("now") : TimelineModel::formatTime(ph.endNs),
                     TimelineModel::formatDuration(m_model->effectiveEnd(ph.endNs) - ph.startNs));
        return text + QStringLiteral(" on #%1").arg(l->conn);
    }
    case Hit::Arrow: {
        const TimelineArrow &a = m_model->arrows().at(hit.arrowIndex);
        return QStringLiteral("#%1 advertised Upgrade: %2 at %3\n→ the next request opened "
                              "HTTP/2 connection #%4 at %5")
            .arg(a.fromConn)
            .arg(a.protocol, TimelineModel::formatTime(a.fromNs))
            .arg(a.toConn)
            .arg(TimelineModel::formatTime(a.toNs));
    }
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// Selection

void TimelineView::setSelectedExchange(quint32 req)
{
    m_selectedReq = req;
    if (req)
        ensureBarVisible(req);
    viewport()->update();
}

void TimelineView::ensureBarVisible(quint32 req)
{
    const QRect r = barRect(req);
    if (r.isEmpty())
        return;
    const QRect area = timeArea();
    // Time: if the bar is not on screen, centre it (or show its start when it is wider).
    if (r.right() < area.left() || r.left() > area.right()) {
        const TimelineBar *b = m_model->bar(req);
        const double start = double(b->startNs);
        const double end = double(m_model->effectiveEnd(b->endNs));
        const double view = timeWidth() * m_nsPerPx;
        m_startNs = end - start < view * 0.8 ? (start + end) / 2 - view / 2
                                             : start - kEdgeMarginPx * 2 * m_nsPerPx;
        clampStart();
        setAutoFit(false);
    }
    // Lanes: scroll so that the bar's row is inside.
    QScrollBar *v = verticalScrollBar();
    const int laneTop = laneTopY(int(m_model->bar(req)->conn) - 1);
    if (r.top() < area.top())
        v->setValue(v->value() - (area.top() - qMin(laneTop, r.top())));
    else if (r.bottom() > area.bottom())
        v->setValue(v->value() + (r.bottom() - area.bottom()) + m_padBottom);
    updateScrollBars();
}

void TimelineView::activate(const Hit &hit)
{
    switch (hit.kind) {
    case Hit::Bar:
        m_selectedReq = hit.req;
        viewport()->update();
        emit exchangeActivated(hit.req);
        break;
    case Hit::Lane:
        emit connectionActivated(hit.conn);
        break;
    case Hit::Marker:
        emit eventActivated(m_model->markerAt(hit.markerIndex).eventIndex);
        break;
    case Hit::Arrow:
        emit connectionActivated(m_model->arrows().at(hit.arrowIndex).toConn);
        break;
    default:
        break;
    }
}

void TimelineView::setHover(const Hit &hit)
{
    const bool same = hit.kind == m_hover.kind && hit.req == m_hover.req &&
                      hit.conn == m_hover.conn && hit.markerIndex == m_hover.markerIndex &&
                      hit.arrowIndex == m_hover.arrowIndex && hit.phaseIndex == m_hover.phaseIndex;
    m_hover = hit;
    if (!m_dragging) {
        const bool clickable = hit.kind == Hit::Bar || hit.kind == Hit::Lane ||
                               hit.kind == Hit::Marker || hit.kind == Hit::Arrow;
        viewport()->setCursor(clickable ? Qt::PointingHandCursor : Qt::OpenHandCursor);
    }
    if (!same)
        viewport()->update();
}

// ---------------------------------------------------------------------------------------------
// Input

void TimelineView::wheelEvent(QWheelEvent *event)
{
    const QPoint angle = event->angleDelta();
    const QPoint pixels = event->pixelDelta();
    const int x = int(event->position().x());
    if (event->modifiers() & Qt::ControlModifier) {
        const int dy = angle.y() != 0 ? angle.y() : angle.x();
        if (dy != 0)
            zoomBy(std::pow(1.0018, dy), x < m_headerWidth ? m_headerWidth + timeWidth() / 2 : x);
        event->accept();
        return;
    }
    // Shift turns the wheel into a horizontal one (some platforms already swap the axes).
    int dx = 0;
    if (event->modifiers() & Qt::ShiftModifier)
        dx = angle.x() != 0 ? angle.x() : angle.y();
    else if (angle.x() != 0 && std::abs(angle.x()) > std::abs(angle.y()))
        dx = !pixels.isNull() ? pixels.x() * 3 : angle.x();
    if (dx != 0) {
        m_startNs -= dx / 120.0 * (timeWidth() / 8.0) * m_nsPerPx;
        clampStart();
        setAutoFit(false);
        updateScrollBars();
        viewport()->update();
        event->accept();
        return;
    }
    QAbstractScrollArea::wheelEvent(event); // lanes
}

bool TimelineView::viewportEvent(QEvent *event)
{
    switch (event->type()) {
    case QEvent::ToolTip: {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, viewport());
        }
        return true;
    }
    case QEvent::NativeGesture: {
        auto *g = static_cast<QNativeGestureEvent *>(event);
        if (g->gestureType() == Qt::ZoomNativeGesture) {
            zoomBy(1.0 + g->value(), int(g->position().x()));
            return true;
        }
        break;
    }
    default:
        break;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

void TimelineView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    m_pressed = true;
    m_dragging = false;
    m_pressPos = event->position().toPoint();
    m_pressHit = hitTest(m_pressPos);
    m_pressStartNs = m_startNs;
    m_pressScrollY = verticalScrollBar()->value();
    event->accept();
}

void TimelineView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (m_pressed && (event->buttons() & Qt::LeftButton)) {
        if (!m_dragging &&
            (pos - m_pressPos).manhattanLength() >= QApplication::startDragDistance() &&
            !m_pressHit.inHeader) {
            m_dragging = true;
            viewport()->setCursor(Qt::ClosedHandCursor);
        }
        if (m_dragging) {
            const QPoint d = pos - m_pressPos;
            m_startNs = m_pressStartNs - d.x() * m_nsPerPx;
            clampStart();
            if (d.x() != 0)
                setAutoFit(false);
            updateScrollBars();
            verticalScrollBar()->setValue(m_pressScrollY - d.y());
            viewport()->update();
        }
        event->accept();
        return;
    }
    setHover(hitTest(pos));
    event->accept();
}

void TimelineView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !m_pressed) {
        QAbstractScrollArea::mouseReleaseEvent(event);
        return;
    }
    m_pressed = false;
    if (m_dragging) {
        m_dragging = false;
        setHover(hitTest(event->position().toPoint()));
    } else {
        const Hit hit = hitTest(event->position().toPoint());
        if (hit.kind == m_pressHit.kind && hit.req == m_pressHit.req &&
            hit.conn == m_pressHit.conn && hit.markerIndex == m_pressHit.markerIndex)
            activate(hit);
    }
    event->accept();
}

void TimelineView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        const Hit hit = hitTest(event->position().toPoint());
        if (hit.kind == Hit::None || hit.kind == Hit::Phase) {
            fitAll();
            event->accept();
            return;
        }
        // Anything else: a second click, as the first already activated it.
        m_pressed = true;
        m_pressPos = event->position().toPoint();
        m_pressHit = hit;
        m_pressStartNs = m_startNs;
        m_pressScrollY = verticalScrollBar()->value();
        event->accept();
        return;
    }
    QAbstractScrollArea::mouseDoubleClickEvent(event);
}

void TimelineView::keyPressEvent(QKeyEvent *event)
{
    const int centre = m_headerWidth + timeWidth() / 2;
    const double page = timeWidth() * m_nsPerPx;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        break;
    case Qt::Key_Minus:
    case Qt::Key_Underscore:
        zoomOut();
        break;
    case Qt::Key_F:
    case Qt::Key_0:
        fitAll();
        break;
    case Qt::Key_Left:
    case Qt::Key_Right:
        m_startNs += (event->key() == Qt::Key_Left ? -page : page) / 8;
        clampStart();
        setAutoFit(false);
        updateScrollBars();
        viewport()->update();
        break;
    case Qt::Key_Home:
        m_startNs = timeExtent().start;
        clampStart();
        setAutoFit(false);
        updateScrollBars();
        viewport()->update();
        break;
    case Qt::Key_End:
        m_startNs = timeExtent().end - page;
        clampStart();
        setAutoFit(false);
        updateScrollBars();
        viewport()->update();
        break;
    case Qt::Key_L:
        setLegendVisible(!m_legendVisible);
        break;
    case Qt::Key_Escape:
        if (m_selectedReq) {
            m_selectedReq = 0;
            viewport()->update();
        } else {
            event->ignore();
        }
        return;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (m_selectedReq)
            emit exchangeActivated(m_selectedReq);
        break;
    default:
        QAbstractScrollArea::keyPressEvent(event); // Up/Down/PageUp/PageDown scroll lanes
        return;
    }
    Q_UNUSED(centre);
    event->accept();
}

void TimelineView::leaveEvent(QEvent *event)
{
    setHover({});
    QAbstractScrollArea::leaveEvent(event);
}

// ---------------------------------------------------------------------------------------------
// Painting

QList<qint64> TimelineView::ticks(qint64 *stepOut) const
{
    QList<qint64> out;
    const QFontMetrics fm(font());
    const double t0 = nsAt(m_headerWidth), t1 = nsAt(viewport()->width());
    // The smallest 1-2-5 step whose labels do not collide.
    qint64 step = 1;
    for (qint64 decade = 1; decade <= 1'000'000'000'000'000LL; decade *= 10) {
        bool found = false;
        for (int m : {1, 2, 5}) {
            step = decade * m;
            const double px = step / m_nsPerPx;
            if (px >= 60 && px >= fm.horizontalAdvance(tickLabel(qint64(t1), step)) + 24) {
                found = true;
                break;
            }
        }
        if (found)
            break;
    }
    *stepOut = step;
    qint64 t = qint64(std::floor(t0 / step)) * step;
    for (; t <= t1 && out.size() < 500; t += step)
        out.append(t);
    return out;
}

QString TimelineView::tickLabel(qint64 ns, qint64 step) const
{
    if (ns == 0)
        return QStringLiteral("0");
    // The unit follows the times in view, the decimals follow the step: "18.15 ms", "1.2 s".
    const double span = qMax(std::abs(nsAt(viewport()->width())), std::abs(double(ns)));
    double unit = 1e9;
    QString name = QStringLiteral("s");
    if (span < 1e3) {
        unit = 1;
        name = QStringLiteral("ns");
    } else if (span < 1e6) {
        unit = 1e3;
        name = QStringLiteral("µs");
    } else if (span < 1e9) {
        unit = 1e6;
        name = QStringLiteral("ms");
    }
    const int decimals = qMax(0, int(std::ceil(-std::log10(double(step) / unit) - 1e-9)));
    return QStringLiteral("%1 %2").arg(double(ns) / unit, 0, 'f', decimals).arg(name);
}

void TimelineView::paintGrid(QPainter &p, const QList<qint64> &ticks) const
{
    QColor grid = palette().color(QPalette::Text);
    grid.setAlphaF(isDark(palette()) ? 0.10f : 0.07f);
    p.setPen(QPen(grid, 1));
    for (qint64 t : ticks) {
        const double x = std::floor(xFor(double(t))) + 0.5;
        if (x >= m_headerWidth)
            p.drawLine(QPointF(x, m_axisHeight), QPointF(x, lanesBottom()));
    }
}

void TimelineView::paintAxis(QPainter &p, const QList<qint64> &ticks, qint64 step) const
{
    const QPalette &pal = palette();
    const QRect axis(0, 0, viewport()->width(), m_axisHeight);
    p.fillRect(axis, pal.color(QPalette::Window));
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(0, m_axisHeight - 1, viewport()->width(), m_axisHeight - 1);

    p.save();
    p.setClipRect(QRect(m_headerWidth, 0, timeWidth(), m_axisHeight));
    const QFontMetrics fm(font());
    const double minorPx = step / 5.0 / m_nsPerPx;
    for (qint64 t : ticks) {
        const double x = std::floor(xFor(double(t))) + 0.5;
        p.setPen(pal.color(QPalette::WindowText));
        p.drawLine(QPointF(x, m_axisHeight - 7), QPointF(x, m_axisHeight - 1));
        p.drawText(QPointF(x + 3, m_axisHeight - 7 - fm.descent() + 1), tickLabel(t, step));
        if (minorPx >= 8) {
            p.setPen(pal.color(QPalette::Mid));
            for (int k = 1; k < 5; ++k) {
                const double mx = std::floor(x + k * minorPx) + 0.5;
                p.drawLine(QPointF(mx, m_axisHeight - 4), QPointF(mx, m_axisHeight - 1));
            }
        }
    }
    p.restore();

    // The corner above the lane headers: what is shown and whether the view follows.
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    p.setFont(small);
    p.setPen(pal.color(QPalette::PlaceholderText));
    const int n = m_model ? m_model->laneCount() : 0;
    QString corner =
        n == 1 ? QStringLiteral("1 connection") : QStringLiteral("%1 connections").arg(n);
    corner += m_autoFit ? QStringLiteral(" · following") : QStringLiteral(" · F to fit");
    p.drawText(QRect(8, 0, m_headerWidth - 12, m_axisHeight), Qt::AlignVCenter | Qt::AlignLeft,
               corner);
    p.setFont(font());
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(m_headerWidth - 1, 0, m_headerWidth - 1, m_axisHeight);
}

void TimelineView::paintEvent(QPaintEvent *)
{
    QPainter p(viewport());
    const QPalette &pal = palette();
    p.fillRect(viewport()->rect(), pal.color(QPalette::Base));
    qint64 step = 1;
    const QList<qint64> tickList = ticks(&step);
    if (!m_model || m_model->laneCount() == 0 || m_laneTops.size() < 2) {
        paintEmpty(p);
        paintAxis(p, tickList, step);
        paintLegend(p);
        return;
    }

    // Visible lanes: binary search over their tops.
    const int first = qMax(0, laneAtY(m_axisHeight));
    int last = laneAtY(lanesBottom() - 1);
    if (last < 0)
        last = m_model->laneCount() - 1;

    p.save();
    p.setClipRect(QRect(0, m_axisHeight, viewport()->width(), lanesBottom() - m_axisHeight));
    for (int i = first; i <= last; ++i) {
        if (i % 2 == 1)
            p.fillRect(QRect(0, laneTopY(i), viewport()->width(), laneHeight(i)),
                       blend(pal.color(QPalette::Base), pal.color(QPalette::AlternateBase), 0.6));
    }
    paintGrid(p, tickList);
    p.setClipRect(timeArea());
    for (int i = first; i <= last; ++i)
        paintLane(p, i);

    // "Now" while something is still open.
    bool anyOpen = false;
    for (int i = first; i <= last && !anyOpen; ++i)
        anyOpen = m_model->laneAt(i).isOpen();
    if (anyOpen) {
        QColor now = pal.color(QPalette::Highlight);
        now.setAlphaF(0.6f);
        p.setPen(QPen(now, 1, Qt::DashLine));
        const double x = std::floor(xFor(double(m_model->nowNs()))) + 0.5;
        p.drawLine(QPointF(x, m_axisHeight), QPointF(x, lanesBottom()));
    }
    paintArrows(p);
    paintChapters(p);
    p.setClipRect(QRect(0, m_axisHeight, viewport()->width(), lanesBottom() - m_axisHeight));
    paintHeaders(p, first, last);
    p.restore();
    paintAxis(p, tickList, step);
    paintLegend(p);
}

// The demo tour's chapters: a dotted line across the lanes where each part begins, numbered,
// with as much of its title as fits before the next one.
void TimelineView::paintChapters(QPainter &p) const
{
    const QList<TimelineChapter> &chapters = m_model->chapters();
    if (chapters.isEmpty())
        return;
    const QPalette &pal = palette();
    QColor line = pal.color(QPalette::Text);
    line.setAlphaF(0.35f);
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    small.setItalic(true);
    const QFontMetrics fm(small);
    const QRect area = timeArea();
    p.save();
    p.setFont(small);
    for (int i = 0; i < chapters.size(); ++i) {
        const double x = std::floor(xFor(double(chapters[i].ns))) + 0.5;
        const double next =
            i + 1 < chapters.size() ? xFor(double(chapters[i + 1].ns)) : double(area.right());
        if (next < area.left() || x > area.right())
            continue;
        p.setPen(QPen(line, 1, Qt::DotLine));
        p.drawLine(QPointF(x, area.top()), QPointF(x, lanesBottom()));
        const int room = int(next - x) - 8;
        if (room < 24)
            continue;
        const QString text =
            fm.elidedText(QStringLiteral("%1 · %2").arg(chapters[i].number).arg(chapters[i].title),
                          Qt::ElideRight, room);
        const QRect box(int(x) + 3, lanesBottom() - fm.height() - 3, fm.horizontalAdvance(text) + 6,
                        fm.height() + 2);
        QColor bg = pal.color(QPalette::Base);
        bg.setAlphaF(0.85f);
        p.fillRect(box, bg);
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(box.adjusted(3, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, text);
    }
    p.restore();
}

void TimelineView::paintEmpty(QPainter &p) const
{
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(timeArea().isEmpty() ? viewport()->rect() : timeArea(), Qt::AlignCenter,
               tr("No connections yet.\nEach connection becomes a lane here: how it started, "
                  "when it switched protocol, its requests and streams."));
}

void TimelineView::paintLane(QPainter &p, int i) const
{
    const TimelineLane &lane = m_model->laneAt(i);
    const QPalette &pal = palette();

    // The connection's lifetime as a thin track under the phases, so gaps read as "idle".
    const double x0 = clampCoord(xFor(double(lane.startNs)));
    const double x1 = clampCoord(xFor(double(m_model->effectiveEnd(lane.endNs))));
    if (x1 >= m_headerWidth - 2 && x0 <= viewport()->width() + 2) {
        QColor track = pal.color(QPalette::Text);
        track.setAlphaF(0.35f);
        p.setPen(QPen(track, 1));
        const double y = stripY(i) + m_stripH / 2.0 + 0.5;
        p.drawLine(QPointF(x0, y), QPointF(x1, y));
        p.drawLine(QPointF(x0 + 0.5, stripY(i) + 3), QPointF(x0 + 0.5, stripY(i) + m_stripH - 3));
    }
    paintPhases(p, i);
    paintBars(p, i);
    paintMarkers(p, i);
}

void TimelineView::paintPhases(QPainter &p, int i) const
{
    const TimelineLane &lane = m_model->laneAt(i);
    const QPalette &pal = palette();
    const QColor base = pal.color(QPalette::Base);
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    p.setFont(small);
    const QFontMetrics fm(small);
    const double left = m_headerWidth - 2, right = viewport()->width() + 2;

    for (const TimelinePhase &ph : lane.phases) {
        QRectF r = phaseRectF(i, ph);
        if (r.right() < left || r.left() > right)
            continue;
        r.setLeft(qMax(r.left(), left));
        r.setRight(qMin(r.right(), right));
        QColor fill;
        if (isHandshake(ph.kind))
            fill = handshakeColor(pal, ph.kind);
        else if (ph.kind == TimelinePhase::Kind::Http1Request)
            fill = protocolColor(QStringLiteral("HTTP/1.1"));
        else if (isLongPeriod(ph.kind))
            fill = blend(base, protocolColor(ph.protocol), 0.55);
        else
            fill = protocolColor(ph.protocol);

        if (ph.kind == TimelinePhase::Kind::Switch101) {
            // The hand-over: HTTP/1.1's colour fading into the new protocol's.
            QLinearGradient g(r.topLeft(), r.topRight());
            g.setColorAt(0, protocolColor(QStringLiteral("HTTP/1.1")));
            g.setColorAt(1, protocolColor(ph.protocol));
            p.fillRect(r, g);
            fill = protocolColor(ph.protocol);
        } else {
            p.fillRect(r, fill);
        }
        if (ph.kind == TimelinePhase::Kind::Preface) {
            // Hatched: the connection is still negotiating its HTTP/2 settings.
            QColor hatch = textOn(fill);
            hatch.setAlphaF(0.25f);
            p.fillRect(r, QBrush(hatch, Qt::BDiagPattern));
        }
        if (ph.isOpen() && r.width() > 12) {
            // Still going: a soft fade at the "now" end.
            QLinearGradient g(QPointF(r.right() - 12, 0), QPointF(r.right(), 0));
            QColor c = base;
            c.setAlphaF(0);
            g.setColorAt(0, c);
            c.setAlphaF(0.6f);
            g.setColorAt(1, c);
            p.fillRect(QRectF(r.right() - 12, r.top(), 12, r.height()), g);
        }
        // The label, when it fits: the long one, else the short one; clear of a glyph that
        // sits on the phase's start (the switch diamond, the offer).
        const qint64 glyphNs = qint64(m_stripH * 0.6 * m_nsPerPx) + 1;
        const int pad = xFor(double(ph.startNs)) >= left &&
                                !m_model->markersNear(lane.conn, ph.startNs, glyphNs).isEmpty()
                            ? int(m_stripH * 0.55)
                            : 0;
        const double room = r.width() - 6 - pad;
        if (room < 14)
            continue;
        QString text = ph.label;
        if (fm.horizontalAdvance(text) > room)
            text = shortPhaseLabel(ph);
        if (fm.horizontalAdvance(text) > room)
            continue;
        p.setPen(textOn(fill));
        p.drawText(r.adjusted(4 + pad, 0, -2, 0), Qt::AlignVCenter | Qt::AlignLeft, text);
    }
    p.setFont(font());
}

void TimelineView::paintBars(QPainter &p, int i) const
{
    const TimelineLane &lane = m_model->laneAt(i);
    const double t0 = nsAt(m_headerWidth - kMinBarPx - 1);
    const double t1 = nsAt(viewport()->width() + 1);
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.9);
    p.setFont(small);
    const QPalette &pal = palette();

    for (int row = 0; row < lane.rowCount(); ++row) {
        const int y = rowY(i, row);
        if (y > lanesBottom() || y + m_rowH < m_axisHeight)
            continue;
        const QList<quint32> &reqs = lane.rows[row];
        int k = m_model->firstBarEndingAfter(lane, row, qint64(t0));
        double denseRight = -1e9; // end of the current run of merged sub-pixel bars
        while (k < reqs.size()) {
            const TimelineBar &b = *m_model->bar(reqs[k]);
            if (double(b.startNs) > t1)
                break;
            const QRectF r = barRectF(b);
            if (r.width() <= kMinBarPx + 0.01 && r.left() < denseRight + 1) {
                // A crowd of thin bars: paint the run as one block and jump past this pixel.
                const QColor c = blend(pal.color(QPalette::Base), protocolColor(b.protocol), 0.7);
                p.fillRect(QRectF(QPointF(denseRight, r.top()), r.bottomRight()), c);
                denseRight = qMax(denseRight, r.right());
                const int next =
                    m_model->firstBarEndingAfter(lane, row, qint64(nsAt(denseRight + 1)));
                k = qMax(k + 1, next);
                continue;
            }
            paintBar(p, lane, b);
            if (r.width() <= kMinBarPx + 0.01)
                denseRight = r.right();
            ++k;
        }
    }
    p.setFont(font());
}

void TimelineView::paintBar(QPainter &p, const TimelineLane &lane, const TimelineBar &b) const
{
    const QPalette &pal = palette();
    const QColor base = pal.color(QPalette::Base);
    const bool selected = b.req == m_selectedReq;
    const bool hovered = m_hover.kind == Hit::Bar && m_hover.req == b.req;
    const QColor proto = b.failed ? errorColor() : protocolColor(b.protocol);
    QRectF r = barRectF(b);
    const double left = m_headerWidth - 3, right = viewport()->width() + 3;
    const QRectF full = r;
    r.setLeft(qMax(r.left(), left));
    r.setRight(qMin(r.right(), right));
    if (r.width() <= 0)
        return;

    const double strength = selected ? 0.6 : hovered ? 0.45 : 0.32;
    p.fillRect(r, blend(base, proto, strength));
    // The request that carried an h2c upgrade went out as HTTP/1.1: show that part in its colour.
    if (!b.failed && lane.switchNs > b.startNs && lane.switchNs < m_model->effectiveEnd(b.endNs)) {
        QRectF h1 = r;
        h1.setRight(qMin(r.right(), qMax(r.left(), xFor(double(lane.switchNs)))));
        p.fillRect(h1, blend(base, protocolColor(QStringLiteral("HTTP/1.1")), strength));
    }

    p.setRenderHint(QPainter::Antialiasing, false);
    QPen pen(selected ? pal.color(QPalette::Highlight) : proto, selected ? 2 : 1);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    const QRectF outline = full.adjusted(0.5, 0.5, -0.5, -0.5);
    if (b.isRunning()) {
        // Open on the right: it has not finished.
        p.drawLine(outline.topLeft(), outline.topRight());
        p.drawLine(outline.bottomLeft(), outline.bottomRight());
        p.drawLine(outline.topLeft(), outline.bottomLeft());
        pen.setStyle(Qt::DotLine);
        p.setPen(pen);
        p.drawLine(outline.topRight(), outline.bottomRight());
    } else {
        p.drawRect(outline);
    }

    // The label, clipped to the visible part so a long bar keeps its name in view.
    if (r.width() >= 28) {
        const QFontMetrics fm(p.font());
        QString text = b.label;
        if (b.failed)
            text = QStringLiteral("✗ ") + text;
        text = fm.elidedText(text, Qt::ElideRight, int(r.width() - 8));
        if (text.size() > 1) {
            p.setPen(b.failed ? errorColor() : pal.color(QPalette::Text));
            p.drawText(r.adjusted(4, 0, -3, 0), Qt::AlignVCenter | Qt::AlignLeft, text);
        }
    }
}

void TimelineView::paintMarkerGlyph(QPainter &p, const TimelineMarker &m, QPointF c,
                                    bool hovered) const
{
    const QPalette &pal = palette();
    const QColor outline = pal.color(QPalette::Text);
    const double r = m_stripH * 0.42 + (hovered ? 1.5 : 0);
    p.setRenderHint(QPainter::Antialiasing, true);
    switch (m.kind) {
    case TimelineMarker::Kind::UpgradeOffer:
        p.setPen(QPen(protocolColor(m.protocol), 2));
        p.setBrush(pal.color(QPalette::Base));
        p.drawPolygon(diamond(c, r));
        break;
    case TimelineMarker::Kind::UpgradeSwitch:
        p.setPen(QPen(outline, 1.2));
        p.setBrush(protocolColor(m.protocol));
        p.drawPolygon(diamond(c, r + 1));
        break;
    case TimelineMarker::Kind::UpgradeDeclined: {
        p.setPen(QPen(outline, 1.5));
        p.setBrush(pal.color(QPalette::Base));
        p.drawPolygon(diamond(c, r));
        const double k = r * 0.45;
        p.drawLine(c + QPointF(-k, -k), c + QPointF(k, k));
        p.drawLine(c + QPointF(-k, k), c + QPointF(k, -k));
        break;
    }
    case TimelineMarker::Kind::Advertised: {
        // A flag planted on the strip.
        const QPointF foot(c.x(), c.y() + r * 0.6);
        const QPointF top(c.x(), c.y() - r * 1.9);
        p.setPen(QPen(outline, 1.5));
        p.drawLine(foot, top);
        p.setPen(QPen(outline, 1));
        p.setBrush(protocolColor(m.protocol.isEmpty() ? QStringLiteral("h2") : m.protocol));
        p.drawPolygon(
            QPolygonF({top, top + QPointF(r * 1.6, r * 0.55), top + QPointF(0, r * 1.1)}));
        break;
    }
    case TimelineMarker::Kind::Follow:
        p.setPen(QPen(outline, 1.2));
        p.setBrush(protocolColor(m.protocol));
        p.drawEllipse(c, r * 0.6, r * 0.6);
        break;
    case TimelineMarker::Kind::GoAway:
    case TimelineMarker::Kind::Error:
    case TimelineMarker::Kind::RstStream: {
        const bool up = m.kind != TimelineMarker::Kind::RstStream;
        p.setPen(QPen(pal.color(QPalette::Base), 1));
        p.setBrush(errorColor());
        p.drawPolygon(triangle(c, r + 1, up));
        if (m.kind == TimelineMarker::Kind::GoAway) {
            p.setPen(QPen(errorColor(), 1.5));
            p.drawLine(QPointF(c.x() - r - 2, c.y() + r), QPointF(c.x() + r + 2, c.y() + r));
        }
        break;
    }
    case TimelineMarker::Kind::Close:
        QColor cap = outline;
        cap.setAlphaF(0.75f);
        p.setPen(QPen(cap, 2, Qt::SolidLine, Qt::FlatCap));
        p.drawLine(QPointF(c.x(), c.y() - r), QPointF(c.x(), c.y() + r));
        break;
    }
    p.setBrush(Qt::NoBrush);
    p.setRenderHint(QPainter::Antialiasing, false);
}

void TimelineView::paintMarkers(QPainter &p, int i) const
{
    const TimelineLane &lane = m_model->laneAt(i);
    if (lane.markers.isEmpty())
        return;
    const QPalette &pal = palette();
    const double cy = stripY(i) + m_stripH / 2.0;
    const double pad = m_stripH * 2;
    int k = m_model->firstMarkerAtOrAfter(lane, qint64(nsAt(m_headerWidth - pad)));
    const double tEnd = nsAt(viewport()->width() + pad);
    struct Label
    {
        double x;
        int priority;
        int marker;
    };
    QList<Label> labels;
    // Two passes so that the problems and the switch are painted over the rest.
    QList<int> important;
    double lastX = -1e9;
    TimelineMarker::Kind lastKind = TimelineMarker::Kind::Close;
    for (; k < lane.markers.size(); ++k) {
        const int index = lane.markers[k];
        const TimelineMarker &m = m_model->markerAt(index);
        if (double(m.ns) > tEnd)
            break;
        const double x = xFor(double(m.ns));
        // Many markers in one pixel column: paint one.
        if (std::abs(x - lastX) < 1.0 && m.kind == lastKind)
            continue;
        lastX = x;
        lastKind = m.kind;
        if (m.isProblem() || m.kind == TimelineMarker::Kind::UpgradeSwitch)
            important.append(index);
        else
            paintMarkerGlyph(p, m, QPointF(x, cy),
                             m_hover.kind == Hit::Marker && m_hover.markerIndex == index);
        if (labels.size() < 200 && labelPriority(m.kind) > 0)
            labels.append({x, labelPriority(m.kind), index});
    }
    for (int index : std::as_const(important))
        paintMarkerGlyph(p, m_model->markerAt(index),
                         QPointF(xFor(double(m_model->markerAt(index).ns)), cy),
                         m_hover.kind == Hit::Marker && m_hover.markerIndex == index);

    // Labels in the band above the strip, the most telling first, none overlapping.
    std::stable_sort(labels.begin(), labels.end(),
                     [](const Label &a, const Label &b) { return a.priority > b.priority; });
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    small.setBold(true);
    p.setFont(small);
    const QFontMetrics fm(small);
    QList<QPair<double, double>> taken;
    const int bandTop = laneTopY(i) + m_padTop - 1;
    for (const Label &l : std::as_const(labels)) {
        const TimelineMarker &m = m_model->markerAt(l.marker);
        const QString text = bandLabel(m);
        if (text.isEmpty())
            continue;
        const double w = fm.horizontalAdvance(text);
        // Flags put their text beside the flag; the others centre it over the glyph.
        double x = m.kind == TimelineMarker::Kind::Advertised ? l.x + m_stripH * 0.75 : l.x - w / 2;
        x = qMax(x, double(m_headerWidth + 2));
        bool collides = false;
        for (const auto &t : std::as_const(taken))
            collides = collides || (x < t.second + 6 && x + w > t.first - 6);
        if (collides)
            continue;
        taken.append({x, x + w});
        QColor color = pal.color(QPalette::Text);
        if (m.isProblem())
            color = errorColor();
        else if (m.kind == TimelineMarker::Kind::UpgradeSwitch)
            color = protocolColor(m.protocol);
        p.setPen(color);
        p.drawText(QRectF(x, bandTop, w + 2, m_labelBand), Qt::AlignVCenter | Qt::AlignLeft, text);
    }
    p.setFont(font());
}

void TimelineView::paintArrows(QPainter &p) const
{
    const QList<TimelineArrow> &arrows = m_model->arrows();
    if (arrows.isEmpty())
        return;
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    const QFontMetrics fm(small);
    p.setRenderHint(QPainter::Antialiasing, true);
    for (int a = 0; a < arrows.size(); ++a) {
        const TimelineArrow &arrow = arrows[a];
        const QPainterPath path = arrowPath(arrow);
        if (path.isEmpty())
            continue;
        const QRectF box = path.boundingRect();
        if (box.bottom() < m_axisHeight || box.top() > lanesBottom() ||
            box.right() < m_headerWidth || box.left() > viewport()->width())
            continue;
        const bool hovered = m_hover.kind == Hit::Arrow && m_hover.arrowIndex == a;
        const QColor color = protocolColor(arrow.protocol);
        p.setBrush(Qt::NoBrush);
        QColor halo = palette().color(QPalette::Base);
        halo.setAlphaF(0.85f);
        p.setPen(QPen(halo, hovered ? 7 : 5, Qt::SolidLine, Qt::RoundCap));
        p.drawPath(path);
        p.setPen(QPen(color, hovered ? 3 : 2, Qt::SolidLine, Qt::RoundCap));
        p.drawPath(path);
        // The head, along the curve's last tangent.
        const QPointF end = path.pointAtPercent(1.0);
        const double angle = path.angleAtPercent(0.999) * M_PI / 180.0;
        const QPointF dir(std::cos(angle), -std::sin(angle));
        const QPointF normal(-dir.y(), dir.x());
        const double len = 9;
        p.setPen(Qt::NoPen);
        p.setBrush(color);
        p.drawPolygon(QPolygonF(
            {end, end - dir * len + normal * len * 0.5, end - dir * len - normal * len * 0.5}));

        // The label on a pill beside the curve's middle, where there is room.
        const QString text = arrow.label;
        const QPointF mid = path.pointAtPercent(0.5);
        const double w = fm.horizontalAdvance(text) + 10, h = fm.height() + 2;
        double x = mid.x() - w - 12;
        if (x < m_headerWidth + 2)
            x = mid.x() + 12;
        const QRectF pill(x, mid.y() - h / 2, w, h);
        QColor bg = palette().color(QPalette::Base);
        bg.setAlphaF(0.92f);
        p.setPen(QPen(color, 1));
        p.setBrush(bg);
        p.drawRoundedRect(pill, h / 2, h / 2);
        p.setFont(small);
        p.setPen(palette().color(QPalette::Text));
        p.drawText(pill, Qt::AlignCenter, text);
        p.setFont(font());
    }
    p.setBrush(Qt::NoBrush);
    p.setRenderHint(QPainter::Antialiasing, false);
}

void TimelineView::paintHeaders(QPainter &p, int first, int last) const
{
    const QPalette &pal = palette();
    const QRect column(0, m_axisHeight, m_headerWidth, lanesBottom() - m_axisHeight);
    p.fillRect(column, pal.color(QPalette::Window));
    QFont bold = font();
    bold.setBold(true);
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    const QFontMetrics fm(font()), bfm(bold), sfm(small);
    const quint32 selectedConn = [&] {
        const TimelineBar *b = m_selectedReq ? m_model->bar(m_selectedReq) : nullptr;
        return b ? b->conn : 0u;
    }();

    for (int i = first; i <= last; ++i) {
        const TimelineLane &lane = m_model->laneAt(i);
        const QRect r(0, laneTopY(i), m_headerWidth, laneHeight(i));
        if (m_hover.kind == Hit::Lane && m_hover.conn == lane.conn)
            p.fillRect(r, blend(pal.color(QPalette::Window), pal.color(QPalette::Highlight), 0.15));
        if (lane.conn == selectedConn)
            p.fillRect(QRect(r.left(), r.top() + 2, 3, r.height() - 4),
                       pal.color(QPalette::Highlight));
        p.setPen(pal.color(QPalette::Midlight));
        p.drawLine(r.left(), r.bottom(), r.right(), r.bottom());

        // Line 1: icon of what it speaks now, "#1 127.0.0.1:8080".
        const int x = 8;
        int y = r.top() + 5;
        const QIcon icon = protocolIcon(lane.protocol());
        const QSize iconSize(fm.height() * 2, fm.height());
        icon.paint(&p, QRect(QPoint(x, y), iconSize));
        p.setFont(bold);
        p.setPen(pal.color(QPalette::WindowText));
        const int tx = x + iconSize.width() + 6;
        const QString name = QStringLiteral("#%1 %2").arg(lane.conn).arg(lane.address);
        p.drawText(QRect(tx, y, m_headerWidth - tx - 6, fm.height()), Qt::AlignVCenter,
                   bfm.elidedText(name, Qt::ElideRight, m_headerWidth - tx - 6));
        y += fm.height() + 2;

        // Line 2: the protocol history, each in its colour.
        int px = x;
        for (int k = 0; k < lane.protocols.size(); ++k) {
            if (k > 0) {
                p.setFont(font());
                p.setPen(pal.color(QPalette::WindowText));
                const QString arrow = QStringLiteral(" → ");
                p.drawText(QPoint(px, y + fm.ascent()), arrow);
                px += fm.horizontalAdvance(arrow);
            }
            const QString proto = lane.protocols[k];
            QColor c = protocolColor(proto);
            p.setFont(bold);
            p.setPen(c);
            p.drawText(QPoint(px, y + fm.ascent()), proto);
            px += bfm.horizontalAdvance(proto);
        }
        if (lane.protocols.isEmpty()) {
            // Closed before it spoke any protocol: the connect (or TLS) failed.
            const bool failed = !lane.isOpen();
            p.setFont(failed ? bold : font());
            p.setPen(failed ? errorColor() : pal.color(QPalette::PlaceholderText));
            p.drawText(QPoint(px, y + fm.ascent()),
                       failed ? tr("never connected") : tr("connecting…"));
        }
        y += fm.height() + 1;

        // Line 3: how many exchanges, how long, open or closed.
        int exchanges = 0;
        for (const auto &row : lane.rows)
            exchanges += int(row.size());
        QString status = exchanges == 1 ? tr("1 exchange") : tr("%1 exchanges").arg(exchanges);
        status += QStringLiteral(" · ") +
                  TimelineModel::formatDuration(m_model->effectiveEnd(lane.endNs) - lane.startNs);
        status += lane.isOpen() ? tr(" · open") : tr(" · closed");
        p.setFont(small);
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRect(x, y, m_headerWidth - x - 6, sfm.height()), Qt::AlignVCenter,
                   sfm.elidedText(status, Qt::ElideRight, m_headerWidth - x - 6));
    }
    p.setFont(font());
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(m_headerWidth - 1, column.top(), m_headerWidth - 1, column.bottom());
}

void TimelineView::paintLegend(QPainter &p) const
{
    if (!m_legendVisible)
        return;
    const QPalette &pal = palette();
    const QRect strip(0, lanesBottom(), viewport()->width(), m_legendHeight);
    p.fillRect(strip, pal.color(QPalette::Window));
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(strip.topLeft(), strip.topRight());
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    p.setFont(small);
    const QFontMetrics fm(small);
    const int cy = strip.center().y() + 1;
    int x = 8;
    const int sw = fm.height() - 3;

    const auto fits = [&](int w) { return x + w < strip.right() - 8; };
    const auto swatch = [&](const QColor &c, const QString &text) {
        const int w = sw + 4 + fm.horizontalAdvance(text) + 12;
        if (!fits(w))
            return;
        p.fillRect(QRect(x, cy - sw / 2, sw, sw), c);
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QPoint(x + sw + 4, cy + fm.ascent() / 2 - 1), text);
        x += w;
    };
    const auto glyph = [&](TimelineMarker::Kind kind, const QString &protocol,
                           const QString &text) {
        const int w = sw + 6 + fm.horizontalAdvance(text) + 12;
        if (!fits(w))
            return;
        TimelineMarker m;
        m.kind = kind;
        m.protocol = protocol;
        p.save();
        p.translate(0, 0);
        paintMarkerGlyph(
            p, m,
            QPointF(x + sw / 2.0 + 1, cy + (kind == TimelineMarker::Kind::Advertised ? 3 : 0)),
            false);
        p.restore();
        p.setFont(small);
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QPoint(x + sw + 6, cy + fm.ascent() / 2 - 1), text);
        x += w;
    };
    swatch(handshakeColor(pal, TimelinePhase::Kind::Connect), tr("DNS/TCP/TLS"));
    swatch(protocolColor(QStringLiteral("HTTP/1.1")), tr("HTTP/1.1"));
    swatch(protocolColor(QStringLiteral("h2")), tr("h2 / h2c"));
    swatch(protocolColor(QStringLiteral("websocket")), tr("WebSocket"));
    swatch(protocolColor(QStringLiteral("tcp")), tr("tunnel"));
    x += 6;
    glyph(TimelineMarker::Kind::UpgradeOffer, QStringLiteral("h2c"), tr("offer"));
    glyph(TimelineMarker::Kind::UpgradeSwitch, QStringLiteral("h2c"), tr("101 switch"));
    glyph(TimelineMarker::Kind::UpgradeDeclined, QString(), tr("declined"));
    glyph(TimelineMarker::Kind::Advertised, QStringLiteral("h2"), tr("Upgrade advertised"));
    glyph(TimelineMarker::Kind::Error, QString(), tr("error/GOAWAY/RST"));
    const QString hint = tr("Ctrl+wheel zoom · drag pan · F fit · L legend");
    const int hw = fm.horizontalAdvance(hint);
    if (x + hw < strip.right() - 8) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRect(strip.right() - hw - 8, strip.top(), hw + 4, strip.height()),
                   Qt::AlignVCenter | Qt::AlignRight, hint);
    }
    p.setFont(font());
}

} // namespace hopscope
