#pragma once

#include "views/timelinegeometry.h"

#include <QAbstractScrollArea>
#include <QPointer>

namespace hopscope {

class TimelineModel;

// The upgrade timeline: one lane per connection under a time axis. Each lane shows the
// connection's phases (DNS / connect / TLS in greys, then what it spoke, in the protocol's
// colour), its exchanges as bars packed into sub-rows (parallel HTTP/2 streams stack), and the
// upgrade decisions as glyphs: offer ◇, switch ◆ "→ h2c", declined ⊠, `Upgrade:` advertised as
// a flag, GOAWAY / RST_STREAM / errors as red triangles. A curved arrow joins the connection that
// advertised `Upgrade: h2` to the one opened because of it. The lane header on the left names the
// connection and its protocol history.
//
// Navigation (the convention of profilers and browser dev tools):
//   Ctrl+wheel (or a pinch)  zoom time around the cursor      + / -   zoom in / out
//   wheel                    scroll lanes                     F or 0  fit everything
//   Shift+wheel, h-wheel     pan time                         ← / →   pan time
//   drag on empty space      pan (time and lanes)             Home/End  go to start / end
//   double-click a lane      zoom to that connection          L       legend on / off
//   double-click below lanes fit everything                   I       compress idle time
//   click a bar              select it, exchangeActivated     Esc     clear the selection
//   click a lane header      connectionActivated              Enter   exchangeActivated(selected)
//   click a marker           eventActivated (its trace event)
// While events arrive the view keeps everything fitted ("follow" mode) until the user zooms or
// pans; fitAll() turns following back on.
//
// The view holds the zoom / pan state and turns input into it; where things are is
// TimelineGeometry, painting is TimelinePainter (lanes) and TimelineFramePainter (axis, headers,
// legend), the tooltip texts are TimelineTooltips. Painting is culled: lanes by binary search
// over their tops, bars per sub-row by binary search over time, runs of sub-pixel bars and
// markers merged.
class TimelineView : public QAbstractScrollArea
{
    Q_OBJECT
public:
    using Hit = TimelineHit;

    explicit TimelineView(QWidget *parent = nullptr);
    ~TimelineView() override;

    void setModel(TimelineModel *model);
    TimelineModel *model() const { return m_model; }

    // Geometry, in viewport coordinates (may lie outside the viewport when scrolled away).
    Hit hitTest(QPoint viewportPos) const;
    QRect barRect(quint32 req) const;        // empty when the exchange has no bar
    QPoint markerPos(int markerIndex) const; // centre of the glyph; (-1,-1) when unknown
    QRect laneRect(quint32 conn) const;      // the whole lane, header included
    QRect laneHeaderRect(quint32 conn) const;
    QRect timeArea() const; // where lanes are painted (no axis, header, legend)
    // The tooltip the view shows at a point ("" for none).
    QString toolTipAt(QPoint viewportPos) const;

    quint32 selectedExchange() const { return m_selectedReq; }
    // Highlights the exchange's bar (0: none) and scrolls it into view; emits nothing.
    void setSelectedExchange(quint32 req);

    // The visible time range and scale.
    qint64 visibleStartNs() const;
    qint64 visibleEndNs() const;
    double nsPerPixel() const { return m_nsPerPx; }
    // Shows [startNs, endNs] across the time area; stops following.
    void setVisibleRange(qint64 startNs, qint64 endNs);
    // factor > 1 zooms in, keeping the time under viewport x anchorX in place; stops following.
    void zoomBy(double factor, int anchorX);
    // Shows the connection's whole life (its lane's start … end, a small margin each side);
    // stops following.
    void zoomToConnection(quint32 conn);
    // Draws idle stretches (IdleCompression) short, marked on the ruler, so that a 1 ms switch
    // and a 2 s transfer are readable together. Keeps the visible time span.
    void setIdleCompressed(bool on);
    bool isIdleCompressed() const { return m_compressIdle; }
    bool isAutoFit() const { return m_autoFit; }

    bool isLegendVisible() const { return m_legendVisible; }
    void setLegendVisible(bool visible);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public slots:
    void fitAll(); // fit everything and follow new events again
    void zoomIn();
    void zoomOut();

signals:
    void exchangeActivated(quint32 req);
    void connectionActivated(quint32 id);
    void eventActivated(int eventIndex); // a marker was clicked: its SessionStore event
    void autoFitChanged(bool following);
    void idleCompressedChanged(bool on);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    struct Extent
    {
        double start;
        double end;
    };

    void onModelChanged();
    void onModelReset();
    void updateMetrics();
    void relayoutLanes();
    void updateScrollBars();
    void onHorizontalScroll(int value);
    void setAutoFit(bool on);
    void applyFit();
    void clampStart();
    Extent contentSpan() const; // the model's start … end, on the axis
    Extent timeExtent() const;
    double fitNsPerPx() const;
    int timeWidth() const;
    // The geometry brought up to date with the viewport, the scroll bar and the time mapping.
    const TimelineGeometry &currentGeometry() const;
    const TimelineGeometry::Metrics &metrics() const { return m_geometry.metrics(); }

    void ensureBarVisible(quint32 req);
    void activate(const Hit &hit);
    void setHover(const Hit &hit);

    QPointer<TimelineModel> m_model;
    // Owns the lane layout and the metrics; the live values are refreshed by currentGeometry().
    mutable TimelineGeometry m_geometry;

    // Time mapping: x = header + (axis(ns) - m_startNs) / m_nsPerPx; axis() is m_idle's when
    // idle time is compressed, else the identity.
    mutable IdleCompression m_idle; // rebuilt from the model when dirty, at the next use
    mutable bool m_idleDirty = true;
    bool m_compressIdle = false;
    double m_startNs = 0;
    double m_nsPerPx = 1e6;
    double m_hUnit = 1; // pixels per horizontal scrollbar step (huge zoomed-in traces)
    bool m_autoFit = true;
    bool m_syncing = false;
    bool m_legendVisible = true;

    quint32 m_selectedReq = 0;
    Hit m_hover;

    // Dragging.
    QPoint m_pressPos;
    Hit m_pressHit;
    double m_pressStartNs = 0;
    int m_pressScrollY = 0;
    bool m_pressed = false;
    bool m_dragging = false;
};

} // namespace hopscope
