#include "views/timelineview.h"

#include "models/timelinemodel.h"
#include "views/timelinepainter.h"
#include "views/timelinetooltips.h"

#include <QApplication>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QNativeGestureEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace hopscope {

namespace {

constexpr int kEdgeMarginPx = 14; // room left and right of the fitted time span
constexpr double kMinNsPerPx = 1.0;
constexpr double kZoomMargin = 0.04; // each side of a connection zoomed to, of its span

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
    return QSize(metrics().headerWidth + 160,
                 metrics().axisHeight + metrics().minLaneH + metrics().legendHeight);
}

// ---------------------------------------------------------------------------------------------
// Layout

void TimelineView::updateMetrics()
{
    m_geometry.updateMetrics(font(), m_legendVisible);
}

void TimelineView::relayoutLanes()
{
    m_geometry.relayoutLanes(m_model);
}

const TimelineGeometry &TimelineView::currentGeometry() const
{
    // The viewport's size and the vertical scroll position change behind the view's back
    // (scroll bars appearing, the layout): read them at each use rather than cache them.
    m_geometry.setModel(m_model);
    m_geometry.setViewport(viewport()->size(), verticalScrollBar()->value());
    if (m_compressIdle && m_idleDirty && m_model) {
        m_idle.setMoments(IdleCompression::momentsOf(*m_model));
        m_idleDirty = false;
    }
    m_geometry.setTimeMapping(m_startNs, m_nsPerPx, m_compressIdle ? &m_idle : nullptr);
    return m_geometry;
}

int TimelineView::timeWidth() const
{
    return currentGeometry().timeWidth();
}

QRect TimelineView::timeArea() const
{
    return currentGeometry().timeArea();
}

// ---------------------------------------------------------------------------------------------
// Time mapping, zoom and scrolling

TimelineView::Extent TimelineView::contentSpan() const
{
    const double s = m_model ? double(m_model->startNs()) : 0.0;
    const double e = m_model ? qMax(double(m_model->endNs()), s + 1000.0) : s + 1e9;
    const TimelineGeometry &geo = currentGeometry();
    return {geo.axisFor(s), geo.axisFor(e)};
}

TimelineView::Extent TimelineView::timeExtent() const
{
    const Extent span = contentSpan();
    const double margin = kEdgeMarginPx * m_nsPerPx;
    return {span.start - margin, span.end + margin};
}

double TimelineView::fitNsPerPx() const
{
    const Extent span = contentSpan();
    return (span.end - span.start) / qMax(20, timeWidth() - 2 * kEdgeMarginPx);
}

void TimelineView::applyFit()
{
    m_nsPerPx = qMax(kMinNsPerPx, fitNsPerPx());
    m_startNs = contentSpan().start - kEdgeMarginPx * m_nsPerPx;
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
    const int total = m_geometry.contentHeight();
    const int visible = qMax(0, currentGeometry().lanesBottom() - metrics().axisHeight);
    v->setRange(0, qMax(0, total - visible));
    v->setPageStep(qMax(1, visible));
    v->setSingleStep(qMax(1, metrics().minLaneH / 2));
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
    anchorX = qBound(metrics().headerWidth, anchorX, viewport()->width());
    const double anchorNs = currentGeometry().axisAt(anchorX);
    const double maxNsPerPx = qMax(fitNsPerPx() * 4, kMinNsPerPx);
    m_nsPerPx = std::clamp(m_nsPerPx / factor, kMinNsPerPx, maxNsPerPx);
    m_startNs = anchorNs - (anchorX - metrics().headerWidth) * m_nsPerPx;
    clampStart();
    setAutoFit(false);
    updateScrollBars();
    viewport()->update();
}

void TimelineView::zoomIn()
{
    const QPoint c = viewport()->mapFromGlobal(QCursor::pos());
    zoomBy(1.5, viewport()->rect().contains(c) && c.x() >= metrics().headerWidth
                    ? c.x()
                    : metrics().headerWidth + timeWidth() / 2);
}

void TimelineView::zoomOut()
{
    const QPoint c = viewport()->mapFromGlobal(QCursor::pos());
    zoomBy(1 / 1.5, viewport()->rect().contains(c) && c.x() >= metrics().headerWidth
                        ? c.x()
                        : metrics().headerWidth + timeWidth() / 2);
}

void TimelineView::setVisibleRange(qint64 startNs, qint64 endNs)
{
    if (endNs <= startNs)
        return;
    const TimelineGeometry &geo = currentGeometry();
    const double start = geo.axisFor(double(startNs)), end = geo.axisFor(double(endNs));
    m_nsPerPx = qMax(kMinNsPerPx, (end - start) / timeWidth());
    m_startNs = start;
    setAutoFit(false);
    updateScrollBars();
    viewport()->update();
}

void TimelineView::zoomToConnection(quint32 conn)
{
    const TimelineLane *lane = m_model ? m_model->lane(conn) : nullptr;
    if (!lane)
        return;
    // On the axis, so that compressed idle time does not swell the margin.
    const TimelineGeometry &geo = currentGeometry();
    const double start = geo.axisFor(double(lane->startNs));
    const double end = qMax(geo.axisFor(double(m_model->effectiveEnd(lane->endNs))), start + 1000);
    const double margin = (end - start) * kZoomMargin;
    m_nsPerPx = qMax(kMinNsPerPx, (end - start + 2 * margin) / timeWidth());
    m_startNs = start - margin;
    setAutoFit(false);
    updateScrollBars();
    viewport()->update();
}

void TimelineView::setIdleCompressed(bool on)
{
    if (m_compressIdle == on)
        return;
    // Keep what is in view (in trace time) across the change of axis.
    const qint64 from = visibleStartNs(), to = visibleEndNs();
    m_compressIdle = on;
    m_idleDirty = true;
    if (m_autoFit) {
        applyFit();
        updateScrollBars();
        viewport()->update();
    } else {
        setVisibleRange(from, to);
    }
    emit idleCompressedChanged(on);
}

qint64 TimelineView::visibleStartNs() const
{
    return qint64(currentGeometry().nsAt(metrics().headerWidth));
}

qint64 TimelineView::visibleEndNs() const
{
    return qint64(currentGeometry().nsAt(viewport()->width()));
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
    m_idleDirty = true;
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
    return currentGeometry().barRect(req);
}

QPoint TimelineView::markerPos(int index) const
{
    return currentGeometry().markerPos(index);
}

QRect TimelineView::laneRect(quint32 conn) const
{
    return currentGeometry().laneRect(conn);
}

QRect TimelineView::laneHeaderRect(quint32 conn) const
{
    return currentGeometry().laneHeaderRect(conn);
}

TimelineView::Hit TimelineView::hitTest(QPoint pos) const
{
    return currentGeometry().hitTest(pos);
}

QString TimelineView::toolTipAt(QPoint pos) const
{
    if (!m_model)
        return {};
    return TimelineTooltips::text(*m_model, hitTest(pos));
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
        const double start = currentGeometry().axisFor(double(b->startNs));
        const double end = currentGeometry().axisFor(double(m_model->effectiveEnd(b->endNs)));
        const double view = timeWidth() * m_nsPerPx;
        m_startNs = end - start < view * 0.8 ? (start + end) / 2 - view / 2
                                             : start - kEdgeMarginPx * 2 * m_nsPerPx;
        clampStart();
        setAutoFit(false);
    }
    // Lanes: scroll so that the bar's row is inside.
    QScrollBar *v = verticalScrollBar();
    const int laneTop = currentGeometry().laneTopY(int(m_model->bar(req)->conn) - 1);
    if (r.top() < area.top())
        v->setValue(v->value() - (area.top() - qMin(laneTop, r.top())));
    else if (r.bottom() > area.bottom())
        v->setValue(v->value() + (r.bottom() - area.bottom()) + metrics().padBottom);
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
    case Hit::TlsTick:
        if (const TimelineLane *l = m_model->lane(hit.conn))
            emit eventActivated(l->tlsTicks.at(hit.tickIndex).eventIndex);
        break;
    case Hit::Arrow: {
        const TimelineArrow &a = m_model->arrows().at(hit.arrowIndex);
        if (a.kind == TimelineArrow::Kind::Redirect)
            emit exchangeActivated(a.toReq); // the hop the redirect led to
        else
            emit connectionActivated(a.toConn);
        break;
    }
    default:
        break;
    }
}

void TimelineView::setHover(const Hit &hit)
{
    const bool same = hit.kind == m_hover.kind && hit.req == m_hover.req &&
                      hit.conn == m_hover.conn && hit.markerIndex == m_hover.markerIndex &&
                      hit.arrowIndex == m_hover.arrowIndex &&
                      hit.phaseIndex == m_hover.phaseIndex && hit.tickIndex == m_hover.tickIndex;
    m_hover = hit;
    if (!m_dragging) {
        const bool clickable = hit.kind == Hit::Bar || hit.kind == Hit::Lane ||
                               hit.kind == Hit::Marker || hit.kind == Hit::Arrow ||
                               hit.kind == Hit::TlsTick;
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
            zoomBy(std::pow(1.0018, dy),
                   x < metrics().headerWidth ? metrics().headerWidth + timeWidth() / 2 : x);
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
            hit.conn == m_pressHit.conn && hit.markerIndex == m_pressHit.markerIndex &&
            hit.tickIndex == m_pressHit.tickIndex)
            activate(hit);
    }
    event->accept();
}

void TimelineView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        const Hit hit = hitTest(event->position().toPoint());
        // A lane (its header, its phases or the space between its bars) zooms to that
        // connection; below the lanes, back to everything.
        if (hit.kind == Hit::None || hit.kind == Hit::Phase || hit.kind == Hit::Lane) {
            if (hit.conn)
                zoomToConnection(hit.conn);
            else
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
    const int centre = metrics().headerWidth + timeWidth() / 2;
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
    case Qt::Key_I:
        setIdleCompressed(!m_compressIdle);
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
void TimelineView::paintEvent(QPaintEvent *)
{
    QPainter p(viewport());
    TimelinePaintState state;
    state.geometry = &currentGeometry();
    state.model = m_model;
    state.palette = palette();
    state.font = font();
    state.selectedReq = m_selectedReq;
    state.hover = m_hover;
    state.autoFit = m_autoFit;
    state.legendVisible = m_legendVisible;
    TimelinePainter(state).paint(p);
}

} // namespace hopscope
