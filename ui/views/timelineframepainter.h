#pragma once

#include "views/timelinestyle.h"

#include <QCoreApplication>
#include <QList>
#include <QRectF>
#include <QString>

class QPainter;

namespace hopscope {

// Paints what frames the lanes: the time axis with its ticks and the grid under the lanes, the
// lane headers on the left (address, protocol history, exchange count), the legend at the
// bottom and the "no connections yet" text. TimelinePainter decides the order.
class TimelineFramePainter
{
    // The user-visible strings keep TimelineView's translation context, where they were born.
    Q_DECLARE_TR_FUNCTIONS(hopscope::TimelineView)

public:
    // state must outlive the painter.
    explicit TimelineFramePainter(const TimelinePaintState &state);

    // The axis ticks in view (a 1-2-5 step whose labels do not collide); *step gets the step.
    QList<qint64> ticks(qint64 *step) const;
    QString tickLabel(qint64 ns, qint64 step) const;

    void paintAxis(QPainter &p, const QList<qint64> &ticks, qint64 step) const;
    void paintGrid(QPainter &p, const QList<qint64> &ticks) const;
    void paintHeaders(QPainter &p, int firstLane, int lastLane) const;
    void paintLegend(QPainter &p) const;
    void paintEmpty(QPainter &p) const;
    // "1.9 s idle": the ruler's caption of a compressed stretch.
    static QString gapLabel(qint64 idleNs);
    // What the header of a lane that closed before speaking says: "never connected", "TLS
    // failed" (TCP connected, the handshake did not finish), "closed before a request".
    static QString notSpokenText(TimelineLane::Reached reached);

private:
    // The compressed idle stretches in view, from top to bottom.
    QList<QRectF> gapRects(const IdleCompression &idle, double top, double bottom) const;
    // On the ruler: each compressed stretch as a zig-zag break with its real length. Returns
    // where the breaks are (tick labels keep off them).
    QList<QRectF> paintGaps(QPainter &p) const;

    const TimelineGeometry &m_geo;
    const TimelineGeometry::Metrics &m_metrics;
    const TimelineModel *m_model;
    const QPalette &m_palette;
    const QFont &m_font;
    quint32 m_selectedReq;
    TimelineHit m_hover;
    bool m_autoFit;
    bool m_legendVisible;
};

} // namespace hopscope
