#pragma once

#include <QAbstractScrollArea>
#include <QPointer>

#include <vector>

class QPainter;
class QPainterPath;

namespace hopscope {

class TimelineModel;
struct TimelineBar;
struct TimelineLane;
struct TimelineMarker;
struct TimelinePhase;
struct TimelineArrow;

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
//   double-click empty space fit everything                   L       legend on / off
//   click a bar              select it, exchangeActivated     Esc     clear the selection
//   click a lane header      connectionActivated              Enter   exchangeActivated(selected)
//   click a marker           eventActivated (its trace event)
// While events arrive the view keeps everything fitted ("follow" mode) until the user zooms or
// pans; fitAll() turns following back on.
//
// Painting is culled: lanes by binary search over their tops, bars per sub-row by binary search
// over time (bars in a row never overlap), runs of sub-pixel bars and markers merged.
class TimelineView : public QAbstractScrollArea
{
    Q_OBJECT
public:
    struct Hit
    {
        enum Kind { None, Bar, Marker, Phase, Lane, Arrow };
        Kind kind = None;
        quint32 conn = 0;      // the lane under the point (also for None inside a lane)
        quint32 req = 0;       // Bar; the marker's req for Marker
        int markerIndex = -1;  // Marker: TimelineModel::markerAt() index
        int phaseIndex = -1;   // Phase: index into the lane's phases
        int arrowIndex = -1;   // Arrow: index into TimelineModel::arrows()
        qint64 ns = -1;        // the time under the point, -1 outside the time area
        bool inHeader = false; // Lane: on the lane header (left column)
    };

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
    Extent timeExtent() const;
    double fitNsPerPx() const;
    int timeWidth() const;
    int lanesBottom() const; // viewport y where the legend starts

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

    void paintAxis(QPainter &p, const QList<qint64> &ticks, qint64 step) const;
    void paintGrid(QPainter &p, const QList<qint64> &ticks) const;
    void paintChapters(QPainter &p) const;
    void paintLane(QPainter &p, int laneIndex) const;
    void paintPhases(QPainter &p, int laneIndex) const;
    void paintBars(QPainter &p, int laneIndex) const;
    void paintBar(QPainter &p, const TimelineLane &lane, const TimelineBar &bar) const;
    void paintMarkers(QPainter &p, int laneIndex) const;
    void paintMarkerGlyph(QPainter &p, const TimelineMarker &m, QPointF c, bool hovered) const;
    void paintArrows(QPainter &p) const;
    void paintHeaders(QPainter &p, int firstLane, int lastLane) const;
    void paintLegend(QPainter &p) const;
    void paintEmpty(QPainter &p) const;
    QList<qint64> ticks(qint64 *step) const;
    QString tickLabel(qint64 ns, qint64 step) const;

    void ensureBarVisible(quint32 req);
    void activate(const Hit &hit);
    void setHover(const Hit &hit);

    QPointer<TimelineModel> m_model;
    std::vector<int> m_laneTops; // content y of each lane, plus the total height at the end

    // Time mapping: x = header + (ns - m_startNs) / m_nsPerPx.
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

    // Metrics from the font.
    int m_headerWidth = 220;
    int m_axisHeight = 24;
    int m_legendHeight = 20;
    int m_labelBand = 12;
    int m_stripH = 16;
    int m_rowH = 16;
    int m_rowGap = 2;
    int m_padTop = 3;
    int m_padBottom = 6;
    int m_minLaneH = 56;
};

} // namespace hopscope
