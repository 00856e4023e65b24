#include "views/timelineframepainter.h"

#include "format/durationformat.h"
#include "style/protocolstyle.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace hopscope {

TimelineFramePainter::TimelineFramePainter(const TimelinePaintState &state)
    : m_geo(*state.geometry), m_metrics(state.geometry->metrics()), m_model(state.model),
      m_palette(state.palette), m_font(state.font), m_selectedReq(state.selectedReq),
      m_hover(state.hover), m_autoFit(state.autoFit), m_legendVisible(state.legendVisible)
{
}

QList<qint64> TimelineFramePainter::ticks(qint64 *stepOut) const
{
    QList<qint64> out;
    const QFontMetrics fm(m_font);
    const double t0 = m_geo.nsAt(m_metrics.headerWidth), t1 = m_geo.nsAt(m_geo.viewportWidth());
    // The smallest 1-2-5 step whose labels do not collide.
    qint64 step = 1;
    for (qint64 decade = 1; decade <= 1'000'000'000'000'000LL; decade *= 10) {
        bool found = false;
        for (int m : {1, 2, 5}) {
            step = decade * m;
            const double px = step / m_geo.nsPerPx();
            if (px >= 60 && px >= fm.horizontalAdvance(tickLabel(qint64(t1), step)) + 24) {
                found = true;
                break;
            }
        }
        if (found)
            break;
    }
    *stepOut = step;
    // With idle time compressed, ticks only where the axis is to scale: a tick inside a
    // compressed stretch would claim a spacing that is not there.
    auto addTicks = [&](double from, double to) {
        qint64 t = qint64(std::ceil(from / step)) * step;
        for (; t <= to && out.size() < 500; t += step)
            out.append(t);
    };
    double from = std::floor(t0 / step) * step;
    if (const IdleCompression *idle = m_geo.idleCompression()) {
        for (const IdleCompression::Gap &gap : idle->gaps()) {
            if (double(gap.startNs) >= from)
                addTicks(from, qMin(t1, double(gap.startNs)));
            from = qMax(from, double(gap.endNs));
        }
    }
    addTicks(from, t1);
    return out;
}

QString TimelineFramePainter::tickLabel(qint64 ns, qint64 step) const
{
    if (ns == 0)
        return QStringLiteral("0");
    // The unit follows the times in view, the decimals follow the step: "18.15 ms", "1.2 s".
    const double span = qMax(std::abs(m_geo.nsAt(m_geo.viewportWidth())), std::abs(double(ns)));
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

void TimelineFramePainter::paintGrid(QPainter &p, const QList<qint64> &ticks) const
{
    QColor grid = m_palette.color(QPalette::Text);
    grid.setAlphaF(TimelineStyle::isDark(m_palette) ? 0.10f : 0.07f);
    p.setPen(QPen(grid, 1));
    for (qint64 t : ticks) {
        const double x = std::floor(m_geo.xFor(double(t))) + 0.5;
        if (x >= m_metrics.headerWidth)
            p.drawLine(QPointF(x, m_metrics.axisHeight), QPointF(x, m_geo.lanesBottom()));
    }
    // Compressed idle stretches: a faint band down the lanes, so a bar crossing one is seen to
    // be shortened.
    if (const IdleCompression *idle = m_geo.idleCompression()) {
        QColor band = grid;
        band.setAlphaF(TimelineStyle::isDark(m_palette) ? 0.08f : 0.05f);
        for (const QRectF &r : gapRects(*idle, m_metrics.axisHeight, m_geo.lanesBottom()))
            p.fillRect(r, band);
    }
}

QList<QRectF> TimelineFramePainter::gapRects(const IdleCompression &idle, double top,
                                             double bottom) const
{
    QList<QRectF> out;
    const double left = m_metrics.headerWidth, right = m_geo.viewportWidth();
    for (const IdleCompression::Gap &gap : idle.gaps()) {
        const double x0 = m_geo.xFor(double(gap.startNs)), x1 = m_geo.xFor(double(gap.endNs));
        if (x1 < left || x0 > right)
            continue;
        out.append(QRectF(QPointF(x0, top), QPointF(x1, bottom)));
    }
    return out;
}

QString TimelineFramePainter::gapLabel(qint64 idleNs)
{
    return tr("%1 idle").arg(formatDurationNs(idleNs));
}

QList<QRectF> TimelineFramePainter::paintGaps(QPainter &p) const
{
    QList<QRectF> labels;
    const IdleCompression *idle = m_geo.idleCompression();
    if (!idle)
        return labels;
    const QFontMetrics fm(m_font);
    const double h = m_metrics.axisHeight;
    for (const IdleCompression::Gap &gap : idle->gaps()) {
        const double x0 = m_geo.xFor(double(gap.startNs)), x1 = m_geo.xFor(double(gap.endNs));
        if (x1 < m_metrics.headerWidth || x0 > m_geo.viewportWidth())
            continue;
        // A zig-zag across the ruler's baseline: the axis is broken here.
        p.fillRect(QRectF(x0, 0, x1 - x0, h - 1), m_palette.color(QPalette::Window));
        QPainterPath zig;
        const double mid = h - 5, amp = 3;
        const double w = qMax(4.0, x1 - x0);
        const int teeth = qMax(2, int(w / 6));
        zig.moveTo(x0, mid);
        for (int k = 1; k <= teeth; ++k)
            zig.lineTo(x0 + w * k / teeth, mid + (k % 2 ? -amp : amp));
        p.setPen(QPen(m_palette.color(QPalette::WindowText), 1));
        p.drawPath(zig);
        // "1.0 s idle", else "1.0 s", else only the break.
        QString text = gapLabel(gap.length());
        if (fm.horizontalAdvance(text) + 6 > w)
            text = formatDurationNs(gap.length());
        if (fm.horizontalAdvance(text) + 6 > w)
            text = QStringLiteral("…");
        if (fm.horizontalAdvance(text) + 2 <= w) {
            p.setPen(m_palette.color(QPalette::PlaceholderText));
            p.drawText(QRectF(x0, 0, w, mid - amp), Qt::AlignCenter, text);
        }
        labels.append(QRectF(x0, 0, w, h));
    }
    return labels;
}

void TimelineFramePainter::paintAxis(QPainter &p, const QList<qint64> &ticks, qint64 step) const
{
    const QPalette &pal = m_palette;
    const QRect axis(0, 0, m_geo.viewportWidth(), m_metrics.axisHeight);
    p.fillRect(axis, pal.color(QPalette::Window));
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(0, m_metrics.axisHeight - 1, m_geo.viewportWidth(), m_metrics.axisHeight - 1);

    p.save();
    p.setClipRect(QRect(m_metrics.headerWidth, 0, m_geo.timeWidth(), m_metrics.axisHeight));
    const QFontMetrics fm(m_font);
    const double minorPx = step / 5.0 / m_geo.nsPerPx();
    const IdleCompression *idle = m_geo.idleCompression();
    const QList<QRectF> gapLabels = paintGaps(p);
    double labelsEnd = m_metrics.headerWidth; // labels never overlap, nor start cut off
    for (qint64 t : ticks) {
        const double x = std::floor(m_geo.xFor(double(t))) + 0.5;
        p.setPen(pal.color(QPalette::WindowText));
        p.drawLine(QPointF(x, m_metrics.axisHeight - 7), QPointF(x, m_metrics.axisHeight - 1));
        const QString label = tickLabel(t, step);
        const QRectF labelRect(x + 3, 0, fm.horizontalAdvance(label), m_metrics.axisHeight);
        const bool onGap = std::any_of(gapLabels.begin(), gapLabels.end(),
                                       [&](const QRectF &g) { return g.intersects(labelRect); });
        if (x >= m_metrics.headerWidth && x + 3 >= labelsEnd && !onGap) {
            p.drawText(QPointF(x + 3, m_metrics.axisHeight - 7 - fm.descent() + 1), label);
            labelsEnd = x + 3 + fm.horizontalAdvance(label) + 6;
        }
        if (minorPx >= 8 && !idle) {
            p.setPen(pal.color(QPalette::Mid));
            for (int k = 1; k < 5; ++k) {
                const double mx = std::floor(x + k * minorPx) + 0.5;
                p.drawLine(QPointF(mx, m_metrics.axisHeight - 4),
                           QPointF(mx, m_metrics.axisHeight - 1));
            }
        }
    }
    p.restore();

    // The corner above the lane headers: what is shown and whether the view follows.
    QFont small = m_font;
    small.setPointSizeF(m_font.pointSizeF() * 0.85);
    p.setFont(small);
    p.setPen(pal.color(QPalette::PlaceholderText));
    const int n = m_model ? m_model->laneCount() : 0;
    QString corner =
        n == 1 ? QStringLiteral("1 connection") : QStringLiteral("%1 connections").arg(n);
    corner += m_autoFit ? QStringLiteral(" · following") : QStringLiteral(" · F to fit");
    p.drawText(QRect(8, 0, m_metrics.headerWidth - 12, m_metrics.axisHeight),
               Qt::AlignVCenter | Qt::AlignLeft, corner);
    p.setFont(m_font);
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(m_metrics.headerWidth - 1, 0, m_metrics.headerWidth - 1, m_metrics.axisHeight);
}

void TimelineFramePainter::paintEmpty(QPainter &p) const
{
    p.setPen(m_palette.color(QPalette::PlaceholderText));
    p.drawText(m_geo.timeArea().isEmpty() ? m_geo.viewportRect() : m_geo.timeArea(),
               Qt::AlignCenter,
               tr("No connections yet.\nEach connection becomes a lane here: how it started, "
                  "when it switched protocol, its requests and streams."));
}

QString TimelineFramePainter::notSpokenText(TimelineLane::Reached reached)
{
    switch (reached) {
    case TimelineLane::Reached::Nothing:
        return tr("never connected");
    case TimelineLane::Reached::TlsStarted:
        return tr("TLS failed");
    case TimelineLane::Reached::Tcp:
    case TimelineLane::Reached::Tls:
        break;
    }
    return tr("closed before a request");
}

void TimelineFramePainter::paintHeaders(QPainter &p, int first, int last) const
{
    const QPalette &pal = m_palette;
    const QRect column(0, m_metrics.axisHeight, m_metrics.headerWidth,
                       m_geo.lanesBottom() - m_metrics.axisHeight);
    p.fillRect(column, pal.color(QPalette::Window));
    QFont bold = m_font;
    bold.setBold(true);
    QFont small = m_font;
    small.setPointSizeF(m_font.pointSizeF() * 0.85);
    const QFontMetrics fm(m_font), bfm(bold), sfm(small);
    const quint32 selectedConn = [&] {
        const TimelineBar *b = m_selectedReq ? m_model->bar(m_selectedReq) : nullptr;
        return b ? b->conn : 0u;
    }();

    for (int i = first; i <= last; ++i) {
        const TimelineLane &lane = m_model->laneAt(i);
        const QRect r(0, m_geo.laneTopY(i), m_metrics.headerWidth, m_geo.laneHeight(i));
        if (m_hover.kind == TimelineHit::Lane && m_hover.conn == lane.conn)
            p.fillRect(r, TimelineStyle::blend(pal.color(QPalette::Window),
                                               pal.color(QPalette::Highlight), 0.15));
        if (lane.conn == selectedConn)
            p.fillRect(QRect(r.left(), r.top() + 2, 3, r.height() - 4),
                       pal.color(QPalette::Highlight));
        p.setPen(pal.color(QPalette::Midlight));
        p.drawLine(r.left(), r.bottom(), r.right(), r.bottom());

        // Line 1: icon of what it speaks now, "#1 127.0.0.1:8080". A lane taller than the view
        // (many stacked streams) keeps its three lines in sight while it is scrolled.
        const int x = 8;
        const int lines = 5 + fm.height() + 2 + fm.height() + 1 + sfm.height() + 4;
        int y = qMax(r.top(), qMin(m_metrics.axisHeight, r.bottom() + 1 - lines)) + 5;
        const QIcon icon = protocolIcon(lane.protocol());
        const QSize iconSize(fm.height() * 2, fm.height());
        icon.paint(&p, QRect(QPoint(x, y), iconSize));
        p.setFont(bold);
        p.setPen(pal.color(QPalette::WindowText));
        const int tx = x + iconSize.width() + 6;
        const QString name = QStringLiteral("#%1 %2").arg(lane.conn).arg(lane.address);
        p.drawText(QRect(tx, y, m_metrics.headerWidth - tx - 6, fm.height()), Qt::AlignVCenter,
                   bfm.elidedText(name, Qt::ElideRight, m_metrics.headerWidth - tx - 6));
        y += fm.height() + 2;

        // Line 2: the protocol history, each in its colour.
        int px = x;
        for (int k = 0; k < lane.protocols.size(); ++k) {
            if (k > 0) {
                p.setFont(m_font);
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
            // Closed before it spoke any protocol: say how far it got.
            const bool failed = !lane.isOpen();
            p.setFont(failed ? bold : m_font);
            p.setPen(failed ? errorColor() : pal.color(QPalette::PlaceholderText));
            p.drawText(QPoint(px, y + fm.ascent()),
                       failed ? notSpokenText(lane.reached) : tr("connecting…"));
        }
        y += fm.height() + 1;

        // Line 3: how many exchanges, how long, open or closed.
        int exchanges = 0;
        for (const auto &row : lane.rows)
            exchanges += int(row.size());
        QString status = exchanges == 1 ? tr("1 exchange") : tr("%1 exchanges").arg(exchanges);
        status += QStringLiteral(" · ") +
                  formatDurationNs(m_model->effectiveEnd(lane.endNs) - lane.startNs);
        status += lane.isOpen() ? tr(" · open") : tr(" · closed");
        p.setFont(small);
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRect(x, y, m_metrics.headerWidth - x - 6, sfm.height()), Qt::AlignVCenter,
                   sfm.elidedText(status, Qt::ElideRight, m_metrics.headerWidth - x - 6));
    }
    p.setFont(m_font);
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(m_metrics.headerWidth - 1, column.top(), m_metrics.headerWidth - 1, column.bottom());
}

void TimelineFramePainter::paintLegend(QPainter &p) const
{
    if (!m_legendVisible)
        return;
    const QPalette &pal = m_palette;
    const QRect strip(0, m_geo.lanesBottom(), m_geo.viewportWidth(), m_metrics.legendHeight);
    p.fillRect(strip, pal.color(QPalette::Window));
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(strip.topLeft(), strip.topRight());
    QFont small = m_font;
    small.setPointSizeF(m_font.pointSizeF() * 0.85);
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
        TimelineStyle::paintMarkerGlyph(
            p, m_palette, m_metrics.stripH, m,
            QPointF(x + sw / 2.0 + 1, cy + (kind == TimelineMarker::Kind::Advertised ? 3 : 0)),
            false);
        p.restore();
        p.setFont(small);
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QPoint(x + sw + 6, cy + fm.ascent() / 2 - 1), text);
        x += w;
    };
    swatch(TimelineStyle::handshakeColor(pal, TimelinePhase::Kind::Connect),
           tr("DNS/TCP/proxy/TLS"));
    swatch(protocolColor(QStringLiteral("HTTP/1.1")), tr("HTTP/1.1"));
    swatch(protocolColor(QStringLiteral("h2")), tr("h2 / h2c / h3"));
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
    p.setFont(m_font);
}

} // namespace hopscope
