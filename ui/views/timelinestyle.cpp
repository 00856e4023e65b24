#include "views/timelinestyle.h"

#include "style/protocolstyle.h"

#include <QPainter>
#include <QPolygonF>

#include <algorithm>

namespace hopscope {

namespace {

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

} // namespace

QColor TimelineStyle::blend(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

QColor TimelineStyle::textOn(const QColor &fill)
{
    const double luma = 0.299 * fill.redF() + 0.587 * fill.greenF() + 0.114 * fill.blueF();
    return luma > 0.6 ? QColor(0x1a, 0x1a, 0x1a) : QColor(Qt::white);
}

bool TimelineStyle::isDark(const QPalette &pal)
{
    return pal.color(QPalette::Base).lightness() < 128;
}

QColor TimelineStyle::handshakeColor(const QPalette &pal, TimelinePhase::Kind kind)
{
    const QColor base = pal.color(QPalette::Base);
    const QColor text = pal.color(QPalette::Text);
    switch (kind) {
    case TimelinePhase::Kind::Dns:
        return blend(base, text, 0.22);
    case TimelinePhase::Kind::Connect:
        return blend(base, text, 0.34);
    case TimelinePhase::Kind::Proxy:
        return blend(base, text, 0.41);
    default:
        return blend(base, text, 0.48);
    }
}

void TimelineStyle::paintMarkerGlyph(QPainter &p, const QPalette &pal, int stripH,
                                     const TimelineMarker &m, QPointF c, bool hovered)
{
    const QColor outline = pal.color(QPalette::Text);
    const double r = stripH * 0.42 + (hovered ? 1.5 : 0);
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

double TimelineStyle::labelLeftClearOf(double left, double textWidth, const QList<double> &glyphXs,
                                       double glyphHalf)
{
    // Sorted left to right: pushing past one glyph may bring the text onto the next.
    QList<double> xs = glyphXs;
    std::sort(xs.begin(), xs.end());
    for (const double x : xs) {
        if (x + glyphHalf <= left || x - glyphHalf >= left + textWidth)
            continue;
        left = x + glyphHalf + 2;
    }
    return left;
}

} // namespace hopscope
