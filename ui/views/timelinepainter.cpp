#include "views/timelinepainter.h"

#include "style/protocolstyle.h"
#include "views/timelineframepainter.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace hopscope {

namespace {

bool isLongPeriod(TimelinePhase::Kind k)
{
    return k == TimelinePhase::Kind::Http1 || k == TimelinePhase::Kind::Http2 ||
           k == TimelinePhase::Kind::WebSocketSession || k == TimelinePhase::Kind::Tunnel;
}

bool isHandshake(TimelinePhase::Kind k)
{
    return k == TimelinePhase::Kind::Dns || k == TimelinePhase::Kind::Connect ||
           k == TimelinePhase::Kind::Proxy || k == TimelinePhase::Kind::Tls;
}

QString shortPhaseLabel(const TimelinePhase &ph)
{
    switch (ph.kind) {
    case TimelinePhase::Kind::Dns:
        return QStringLiteral("DNS");
    case TimelinePhase::Kind::Connect:
        return QStringLiteral("TCP");
    case TimelinePhase::Kind::Proxy:
        return QStringLiteral("proxy");
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

} // namespace

TimelinePainter::TimelinePainter(const TimelinePaintState &state)
    : m_state(state), m_geo(*state.geometry), m_metrics(state.geometry->metrics()),
      m_model(state.model), m_palette(state.palette), m_font(state.font),
      m_selectedReq(state.selectedReq), m_hover(state.hover)
{
}

void TimelinePainter::paint(QPainter &p) const
{
    const TimelineFramePainter frame(m_state);
    const QPalette &pal = m_palette;
    p.fillRect(m_geo.viewportRect(), pal.color(QPalette::Base));
    qint64 step = 1;
    const QList<qint64> tickList = frame.ticks(&step);
    if (!m_model || m_model->laneCount() == 0 || !m_geo.hasLanes()) {
        frame.paintEmpty(p);
        frame.paintAxis(p, {}, step); // no times to show: an empty ruler, not 0.1 µs ticks
        frame.paintLegend(p);
        return;
    }

    // Visible lanes: binary search over their tops.
    const int first = qMax(0, m_geo.laneAtY(m_metrics.axisHeight));
    int last = m_geo.laneAtY(m_geo.lanesBottom() - 1);
    if (last < 0)
        last = m_model->laneCount() - 1;

    p.save();
    p.setClipRect(QRect(0, m_metrics.axisHeight, m_geo.viewportWidth(),
                        m_geo.lanesBottom() - m_metrics.axisHeight));
    for (int i = first; i <= last; ++i) {
        if (i % 2 == 1)
            p.fillRect(QRect(0, m_geo.laneTopY(i), m_geo.viewportWidth(), m_geo.laneHeight(i)),
                       TimelineStyle::blend(pal.color(QPalette::Base),
                                            pal.color(QPalette::AlternateBase), 0.6));
    }
    frame.paintGrid(p, tickList);
    p.setClipRect(m_geo.timeArea());
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
        const double x = std::floor(m_geo.xFor(double(m_model->nowNs()))) + 0.5;
        p.drawLine(QPointF(x, m_metrics.axisHeight), QPointF(x, m_geo.lanesBottom()));
    }
    paintArrows(p);
    paintChapters(p);
    p.setClipRect(QRect(0, m_metrics.axisHeight, m_geo.viewportWidth(),
                        m_geo.lanesBottom() - m_metrics.axisHeight));
    frame.paintHeaders(p, first, last);
    p.restore();
    frame.paintAxis(p, tickList, step);
    frame.paintLegend(p);
}

// The demo tour's chapters: a dotted line across the lanes where each part begins, numbered,
// with as much of its title as fits before the next one.
void TimelinePainter::paintChapters(QPainter &p) const
{
    const QList<TimelineChapter> &chapters = m_model->chapters();
    if (chapters.isEmpty())
        return;
    const QPalette &pal = m_palette;
    QColor line = pal.color(QPalette::Text);
    line.setAlphaF(0.35f);
    QFont small = m_font;
    small.setPointSizeF(m_font.pointSizeF() * 0.85);
    small.setItalic(true);
    const QFontMetrics fm(small);
    const QRect area = m_geo.timeArea();
    p.save();
    p.setFont(small);
    for (int i = 0; i < chapters.size(); ++i) {
        const double x = std::floor(m_geo.xFor(double(chapters[i].ns))) + 0.5;
        const double next =
            i + 1 < chapters.size() ? m_geo.xFor(double(chapters[i + 1].ns)) : double(area.right());
        if (next < area.left() || x > area.right())
            continue;
        p.setPen(QPen(line, 1, Qt::DotLine));
        p.drawLine(QPointF(x, area.top()), QPointF(x, m_geo.lanesBottom()));
        // A chapter that began left of the view keeps its caption at the view's left edge,
        // whole from its start, rather than cut off mid-sentence.
        const double from = qMax(x, double(area.left()));
        const int room = int(next - from) - 8;
        if (room < 24)
            continue;
        const QString text =
            fm.elidedText(QStringLiteral("%1 · %2").arg(chapters[i].number).arg(chapters[i].title),
                          Qt::ElideRight, room);
        const QRect box(int(from) + 3, m_geo.lanesBottom() - fm.height() - 3,
                        fm.horizontalAdvance(text) + 6, fm.height() + 2);
        QColor bg = pal.color(QPalette::Base);
        bg.setAlphaF(0.85f);
        p.fillRect(box, bg);
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(box.adjusted(3, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, text);
    }
    p.restore();
}

void TimelinePainter::paintLane(QPainter &p, int i) const
{
    const TimelineLane &lane = m_model->laneAt(i);
    const QPalette &pal = m_palette;

    // The connection's lifetime as a thin track under the phases, so gaps read as "idle".
    const double x0 = TimelineGeometry::clampCoord(m_geo.xFor(double(lane.startNs)));
    const double x1 =
        TimelineGeometry::clampCoord(m_geo.xFor(double(m_model->effectiveEnd(lane.endNs))));
    if (x1 >= m_metrics.headerWidth - 2 && x0 <= m_geo.viewportWidth() + 2) {
        QColor track = pal.color(QPalette::Text);
        track.setAlphaF(0.35f);
        p.setPen(QPen(track, 1));
        const double y = m_geo.stripY(i) + m_metrics.stripH / 2.0 + 0.5;
        p.drawLine(QPointF(x0, y), QPointF(x1, y));
        p.drawLine(QPointF(x0 + 0.5, m_geo.stripY(i) + 3),
                   QPointF(x0 + 0.5, m_geo.stripY(i) + m_metrics.stripH - 3));
    }
    paintPhases(p, i);
    paintBars(p, i);
    paintMarkers(p, i);
}

void TimelinePainter::paintPhases(QPainter &p, int i) const
{
    const TimelineLane &lane = m_model->laneAt(i);
    const QPalette &pal = m_palette;
    const QColor base = pal.color(QPalette::Base);
    QFont small = m_font;
    small.setPointSizeF(m_font.pointSizeF() * 0.85);
    p.setFont(small);
    const QFontMetrics fm(small);
    const double left = m_metrics.headerWidth - 2, right = m_geo.viewportWidth() + 2;

    for (const TimelinePhase &ph : lane.phases) {
        QRectF r = m_geo.phaseRectF(i, ph);
        if (r.right() < left || r.left() > right)
            continue;
        r.setLeft(qMax(r.left(), left));
        r.setRight(qMin(r.right(), right));
        QColor fill;
        if (isHandshake(ph.kind))
            fill = TimelineStyle::handshakeColor(pal, ph.kind);
        else if (ph.kind == TimelinePhase::Kind::Http1Request)
            fill = protocolColor(QStringLiteral("HTTP/1.1"));
        else if (isLongPeriod(ph.kind))
            fill = TimelineStyle::blend(base, protocolColor(ph.protocol), 0.55);
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
        // The handshake messages under the phase's label, so the label stays readable.
        paintTlsTicks(p, i, ph.startNs, m_model->effectiveEnd(ph.endNs));
        if (ph.kind == TimelinePhase::Kind::Preface) {
            // Hatched: the connection is still negotiating its HTTP/2 settings.
            QColor hatch = TimelineStyle::textOn(fill);
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
        // The label, when it fits: the long one, else the short one; clear of the glyphs on
        // the phase (the switch diamond at its start, an offer a moment after it began).
        const double glyphHalf = m_metrics.stripH * 0.3;
        const double textLeft = r.left() + 4;
        const double loNs = m_geo.nsAt(textLeft - glyphHalf);
        const double hiNs = m_geo.nsAt(r.right());
        QList<double> glyphXs;
        for (const int m : m_model->markersNear(lane.conn, qint64((loNs + hiNs) / 2),
                                                qint64((hiNs - loNs) / 2) + 1))
            glyphXs.append(m_geo.xFor(double(m_model->markerAt(m).ns)));
        QString text = ph.label;
        double start = TimelineStyle::labelLeftClearOf(textLeft, fm.horizontalAdvance(text),
                                                       glyphXs, glyphHalf);
        if (start + fm.horizontalAdvance(text) > r.right() - 2) {
            text = shortPhaseLabel(ph);
            start = TimelineStyle::labelLeftClearOf(textLeft, fm.horizontalAdvance(text), glyphXs,
                                                    glyphHalf);
        }
        if (r.right() - 2 - start < 14 || start + fm.horizontalAdvance(text) > r.right() - 2)
            continue;
        p.setPen(TimelineStyle::textOn(fill));
        p.drawText(QRectF(start, r.top(), r.right() - 2 - start, r.height()),
                   Qt::AlignVCenter | Qt::AlignLeft, text);
    }
    p.setFont(m_font);
}

void TimelinePainter::paintTlsTicks(QPainter &p, int i, qint64 fromNs, qint64 toNs) const
{
    const TimelineLane &lane = m_model->laneAt(i);
    if (lane.tlsTicks.isEmpty())
        return;
    // Only the ticks on screen and in the phase: a binary search to the first.
    fromNs = qMax(fromNs, qint64(m_geo.nsAt(m_metrics.headerWidth)));
    toNs = qMin(toNs, qint64(m_geo.nsAt(m_geo.viewportWidth())) + 1);
    const auto begin =
        std::lower_bound(lane.tlsTicks.begin(), lane.tlsTicks.end(), fromNs,
                         [](const TimelineTlsTick &t, qint64 ns) { return t.ns < ns; });
    // Short strokes from the strip's top edge (sent) and bottom edge (received), clear of the
    // phase label in the middle; an alert crosses the whole strip in the error colour.
    const double top = m_geo.stripY(i), h = m_metrics.stripH;
    const double stroke = qMax(3.0, h * 0.25);
    const double left = m_metrics.headerWidth, right = m_geo.viewportWidth();
    QColor normal =
        TimelineStyle::textOn(TimelineStyle::handshakeColor(m_palette, TimelinePhase::Kind::Tls));
    double lastOut = -1e9, lastIn = -1e9;
    for (auto it = begin; it != lane.tlsTicks.end() && it->ns <= toNs; ++it) {
        const TimelineTlsTick &tick = *it;
        const int k = int(it - lane.tlsTicks.begin());
        const double x = std::floor(m_geo.xFor(double(tick.ns))) + 0.5;
        if (x < left || x > right)
            continue;
        const bool hovered = m_hover.kind == TimelineHit::TlsTick && m_hover.conn == lane.conn &&
                             m_hover.tickIndex == k;
        double &last = tick.outgoing ? lastOut : lastIn;
        if (x - last < 2 && !tick.alert && !hovered)
            continue; // zoomed out: one stroke stands for the messages under one pixel
        last = x;
        p.setPen(QPen(tick.alert ? errorColor() : normal, hovered || tick.alert ? 2 : 1));
        if (tick.alert)
            p.drawLine(QPointF(x, top), QPointF(x, top + h));
        else if (tick.outgoing)
            p.drawLine(QPointF(x, top), QPointF(x, top + stroke));
        else
            p.drawLine(QPointF(x, top + h - stroke), QPointF(x, top + h));
    }
}

void TimelinePainter::paintBars(QPainter &p, int i) const
{
    const TimelineLane &lane = m_model->laneAt(i);
    const double t0 = m_geo.nsAt(m_metrics.headerWidth - TimelineGeometry::kMinBarPx - 1);
    const double t1 = m_geo.nsAt(m_geo.viewportWidth() + 1);
    QFont small = m_font;
    small.setPointSizeF(m_font.pointSizeF() * 0.9);
    p.setFont(small);
    const QPalette &pal = m_palette;

    for (int row = 0; row < lane.rowCount(); ++row) {
        const int y = m_geo.rowY(i, row);
        if (y > m_geo.lanesBottom() || y + m_metrics.rowH < m_metrics.axisHeight)
            continue;
        const QList<quint32> &reqs = lane.rows[row];
        int k = m_model->firstBarEndingAfter(lane, row, qint64(t0));
        double denseRight = -1e9; // end of the current run of merged sub-pixel bars
        while (k < reqs.size()) {
            const TimelineBar &b = *m_model->bar(reqs[k]);
            if (double(b.startNs) > t1)
                break;
            const QRectF r = m_geo.barRectF(b);
            if (r.width() <= TimelineGeometry::kMinBarPx + 0.01 && r.left() < denseRight + 1) {
                // A crowd of thin bars: paint the run as one block and jump past this pixel.
                const QColor c = TimelineStyle::blend(pal.color(QPalette::Base),
                                                      protocolColor(m_model->barProtocol(b)), 0.7);
                p.fillRect(QRectF(QPointF(denseRight, r.top()), r.bottomRight()), c);
                denseRight = qMax(denseRight, r.right());
                const int next =
                    m_model->firstBarEndingAfter(lane, row, qint64(m_geo.nsAt(denseRight + 1)));
                k = qMax(k + 1, next);
                continue;
            }
            paintBar(p, lane, b);
            if (r.width() <= TimelineGeometry::kMinBarPx + 0.01)
                denseRight = r.right();
            ++k;
        }
    }
    p.setFont(m_font);
}

void TimelinePainter::paintBar(QPainter &p, const TimelineLane &lane, const TimelineBar &b) const
{
    const QPalette &pal = m_palette;
    const QColor base = pal.color(QPalette::Base);
    const bool selected = b.req == m_selectedReq;
    const bool hovered = m_hover.kind == TimelineHit::Bar && m_hover.req == b.req;
    const QColor proto = b.failed ? errorColor() : protocolColor(m_model->barProtocol(b));
    QRectF r = m_geo.barRectF(b);
    const double left = m_metrics.headerWidth - 3, right = m_geo.viewportWidth() + 3;
    const QRectF full = r;
    r.setLeft(qMax(r.left(), left));
    r.setRight(qMin(r.right(), right));
    if (r.width() <= 0)
        return;

    const double strength = selected ? 0.6 : hovered ? 0.45 : 0.32;
    p.fillRect(r, TimelineStyle::blend(base, proto, strength));
    // The request that carried an h2c upgrade went out as HTTP/1.1: show that part in its colour.
    if (!b.failed && lane.switchNs > b.startNs && lane.switchNs < m_model->effectiveEnd(b.endNs)) {
        QRectF h1 = r;
        h1.setRight(qMin(r.right(), qMax(r.left(), m_geo.xFor(double(lane.switchNs)))));
        p.fillRect(h1,
                   TimelineStyle::blend(base, protocolColor(QStringLiteral("HTTP/1.1")), strength));
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
        QString text = m_model->barLabel(b);
        if (b.failed)
            text = QStringLiteral("✗ ") + text;
        text = fm.elidedText(text, Qt::ElideRight, int(r.width() - 8));
        if (text.size() > 1) {
            p.setPen(b.failed ? errorColor() : pal.color(QPalette::Text));
            p.drawText(r.adjusted(4, 0, -3, 0), Qt::AlignVCenter | Qt::AlignLeft, text);
        }
    }
}

void TimelinePainter::paintMarkers(QPainter &p, int i) const
{
    const TimelineLane &lane = m_model->laneAt(i);
    if (lane.markers.isEmpty())
        return;
    const QPalette &pal = m_palette;
    const double cy = m_geo.stripY(i) + m_metrics.stripH / 2.0;
    const double pad = m_metrics.stripH * 2;
    int k = m_model->firstMarkerAtOrAfter(lane, qint64(m_geo.nsAt(m_metrics.headerWidth - pad)));
    const double tEnd = m_geo.nsAt(m_geo.viewportWidth() + pad);
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
        const double x = m_geo.xFor(double(m.ns));
        // Many markers in one pixel column: paint one.
        if (std::abs(x - lastX) < 1.0 && m.kind == lastKind)
            continue;
        lastX = x;
        lastKind = m.kind;
        if (m.isProblem() || m.kind == TimelineMarker::Kind::UpgradeSwitch)
            important.append(index);
        else
            TimelineStyle::paintMarkerGlyph(p, m_palette, m_metrics.stripH, m, QPointF(x, cy),
                                            m_hover.kind == TimelineHit::Marker &&
                                                m_hover.markerIndex == index);
        if (labels.size() < 200 && labelPriority(m.kind) > 0)
            labels.append({x, labelPriority(m.kind), index});
    }
    for (int index : std::as_const(important))
        TimelineStyle::paintMarkerGlyph(
            p, m_palette, m_metrics.stripH, m_model->markerAt(index),
            QPointF(m_geo.xFor(double(m_model->markerAt(index).ns)), cy),
            m_hover.kind == TimelineHit::Marker && m_hover.markerIndex == index);

    // Labels in the band above the strip, the most telling first, none overlapping.
    std::stable_sort(labels.begin(), labels.end(),
                     [](const Label &a, const Label &b) { return a.priority > b.priority; });
    QFont small = m_font;
    small.setPointSizeF(m_font.pointSizeF() * 0.85);
    small.setBold(true);
    p.setFont(small);
    const QFontMetrics fm(small);
    QList<QPair<double, double>> taken;
    const int bandTop = m_geo.laneTopY(i) + m_metrics.padTop - 1;
    for (const Label &l : std::as_const(labels)) {
        const TimelineMarker &m = m_model->markerAt(l.marker);
        const QString text = bandLabel(m);
        if (text.isEmpty())
            continue;
        const double w = fm.horizontalAdvance(text);
        // Flags put their text beside the flag; the others centre it over the glyph.
        double x = m.kind == TimelineMarker::Kind::Advertised ? l.x + m_metrics.stripH * 0.75
                                                              : l.x - w / 2;
        x = qMax(x, double(m_metrics.headerWidth + 2));
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
        p.drawText(QRectF(x, bandTop, w + 2, m_metrics.labelBand), Qt::AlignVCenter | Qt::AlignLeft,
                   text);
    }
    p.setFont(m_font);
}

void TimelinePainter::paintArrows(QPainter &p) const
{
    const QList<TimelineArrow> &arrows = m_model->arrows();
    if (arrows.isEmpty())
        return;
    QFont small = m_font;
    small.setPointSizeF(m_font.pointSizeF() * 0.85);
    const QFontMetrics fm(small);
    p.setRenderHint(QPainter::Antialiasing, true);
    for (int a = 0; a < arrows.size(); ++a) {
        const TimelineArrow &arrow = arrows[a];
        const QPainterPath path = m_geo.arrowPath(arrow);
        if (path.isEmpty())
            continue;
        const QRectF box = path.boundingRect();
        if (box.bottom() < m_metrics.axisHeight || box.top() > m_geo.lanesBottom() ||
            box.right() < m_metrics.headerWidth || box.left() > m_geo.viewportWidth())
            continue;
        const bool hovered = m_hover.kind == TimelineHit::Arrow && m_hover.arrowIndex == a;
        const QColor color = protocolColor(arrow.protocol);
        p.setBrush(Qt::NoBrush);
        QColor halo = m_palette.color(QPalette::Base);
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
        if (x < m_metrics.headerWidth + 2)
            x = mid.x() + 12;
        const QRectF pill(x, mid.y() - h / 2, w, h);
        QColor bg = m_palette.color(QPalette::Base);
        bg.setAlphaF(0.92f);
        p.setPen(QPen(color, 1));
        p.setBrush(bg);
        p.drawRoundedRect(pill, h / 2, h / 2);
        p.setFont(small);
        p.setPen(m_palette.color(QPalette::Text));
        p.drawText(pill, Qt::AlignCenter, text);
        p.setFont(m_font);
    }
    p.setBrush(Qt::NoBrush);
    p.setRenderHint(QPainter::Antialiasing, false);
}

} // namespace hopscope
