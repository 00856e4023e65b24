#include "views/timelinetooltips.h"

#include "format/durationformat.h"
#include "models/timelinemodel.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"

namespace hopscope {

QString TimelineTooltips::text(const TimelineModel &model, const TimelineHit &hit)
{
    const SessionStore *store = model.store();
    switch (hit.kind) {
    case TimelineHit::None:
        return {};
    case TimelineHit::Lane: {
        const TimelineLane *l = model.lane(hit.conn);
        QString text = l->title;
        text += QStringLiteral("\nopened at %1").arg(formatTraceTimeNs(l->startNs));
        if (l->isOpen())
            text += QStringLiteral(", open");
        else
            text += QStringLiteral(", closed at %1 (%2): %3")
                        .arg(formatTraceTimeNs(l->endNs), formatDurationNs(l->endNs - l->startNs),
                             l->closeReason);
        return text + QStringLiteral("\nclick: select the connection");
    }
    case TimelineHit::Bar: {
        const TimelineBar *b = model.bar(hit.req);
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
        text += QLatin1Char('\n') + sent.arg(formatTraceTimeNs(b->startNs));
        if (b->isRunning()) {
            text += QStringLiteral(", running (%1 so far)")
                        .arg(formatDurationNs(model.nowNs() - b->startNs));
        } else if (b->failed) {
            text += QStringLiteral(", failed at %1 (%2)")
                        .arg(formatTraceTimeNs(b->endNs), formatDurationNs(b->endNs - b->startNs));
            text += QStringLiteral("\n%1: %2").arg(x->errorCode, x->error);
        } else {
            text += QStringLiteral(", done at %1 (%2)")
                        .arg(formatTraceTimeNs(b->endNs), formatDurationNs(b->endNs - b->startNs));
        }
        QString more = QStringLiteral("\n%1 on #%2").arg(protocolLabel(x->protocol)).arg(b->conn);
        if (x->responseHeadNs >= 0 && x->requestSentNs >= 0)
            more += QStringLiteral(", first response after %1")
                        .arg(formatDurationNs(x->responseHeadNs - x->requestSentNs));
        if (x->bytes >= 0)
            more += QStringLiteral(", %1 bytes").arg(x->bytes);
        return text + more;
    }
    case TimelineHit::Marker: {
        const TimelineMarker &m = model.markerAt(hit.markerIndex);
        QString text =
            m.label + QStringLiteral("\nat %1 on #%2").arg(formatTraceTimeNs(m.ns)).arg(m.conn);
        if (m.req)
            text += QStringLiteral(", req %1").arg(m.req);
        text += QStringLiteral(" (%1, event %2)")
                    .arg(TimelineModel::markerKindName(m.kind))
                    .arg(m.eventIndex + 1);
        return text;
    }
    case TimelineHit::TlsTick: {
        const TimelineLane *l = model.lane(hit.conn);
        const TimelineTlsTick &tick = l->tlsTicks.at(hit.tickIndex);
        return model.tlsTickLabel(tick) + QStringLiteral("\nat %1 on #%2 (event %3)")
                                              .arg(formatTraceTimeNs(tick.ns))
                                              .arg(l->conn)
                                              .arg(tick.eventIndex + 1);
    }
    case TimelineHit::Phase: {
        const TimelineLane *l = model.lane(hit.conn);
        const TimelinePhase &ph = l->phases[hit.phaseIndex];
        QString text = TimelineModel::phaseKindName(ph.kind);
        if (!ph.label.isEmpty() && ph.label != text)
            text += QStringLiteral(" — ") + ph.label;
        text += QStringLiteral("\n%1 → %2 (%3)")
                    .arg(formatTraceTimeNs(ph.startNs),
                         ph.isOpen() ? QStringLiteral("now") : formatTraceTimeNs(ph.endNs),
                         formatDurationNs(model.effectiveEnd(ph.endNs) - ph.startNs));
        return text + QStringLiteral(" on #%1").arg(l->conn);
    }
    case TimelineHit::Arrow: {
        const TimelineArrow &a = model.arrows().at(hit.arrowIndex);
        if (a.kind == TimelineArrow::Kind::Redirect) {
            return QStringLiteral("req %1 on #%2 got %3 at %4\n→ followed as req %5 on #%6 "
                                  "(%7) at %8")
                .arg(a.fromReq)
                .arg(a.fromConn)
                .arg(a.status)
                .arg(formatTraceTimeNs(a.fromNs))
                .arg(a.toReq)
                .arg(a.toConn)
                .arg(a.label, formatTraceTimeNs(a.toNs));
        }
        return QStringLiteral("#%1 advertised Upgrade: %2 at %3\n→ the next request opened "
                              "HTTP/2 connection #%4 at %5")
            .arg(a.fromConn)
            .arg(a.protocol, formatTraceTimeNs(a.fromNs))
            .arg(a.toConn)
            .arg(formatTraceTimeNs(a.toNs));
    }
    }
    return {};
}

} // namespace hopscope
