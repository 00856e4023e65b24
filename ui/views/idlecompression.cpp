#include "views/idlecompression.h"

#include "models/timelinemodel.h"
// TimelineModel::store() converts a QPointer<SessionStore>: it needs the complete type.
#include "session/sessionstore.h"

#include <algorithm>

namespace hopscope {

void IdleCompression::setMoments(std::vector<qint64> moments, qint64 minIdleNs, qint64 shownNs)
{
    m_gaps.clear();
    m_shownNs = qMax<qint64>(1, qMin(shownNs, minIdleNs));
    std::sort(moments.begin(), moments.end());
    double removed = 0;
    for (size_t i = 1; i < moments.size(); ++i) {
        const qint64 a = moments[i - 1], b = moments[i];
        if (b - a <= minIdleNs)
            continue;
        Gap gap;
        gap.startNs = a;
        gap.endNs = b;
        gap.removedBefore = removed;
        gap.axisStart = double(a) - removed;
        removed += double(b - a - m_shownNs);
        m_gaps.push_back(gap);
    }
}

double IdleCompression::toAxis(double ns) const
{
    if (m_gaps.empty() || ns <= double(m_gaps.front().startNs))
        return ns;
    // The last gap starting at or before ns.
    const auto it = std::upper_bound(m_gaps.begin(), m_gaps.end(), ns,
                                     [](double t, const Gap &g) { return t < double(g.startNs); });
    const Gap &g = *(it - 1);
    if (ns >= double(g.endNs))
        return ns - g.removedBefore - double(g.length() - m_shownNs);
    return g.axisStart + (ns - double(g.startNs)) * double(m_shownNs) / double(g.length());
}

double IdleCompression::toTrace(double axisNs) const
{
    if (m_gaps.empty() || axisNs <= m_gaps.front().axisStart)
        return axisNs;
    const auto it = std::upper_bound(m_gaps.begin(), m_gaps.end(), axisNs,
                                     [](double t, const Gap &g) { return t < g.axisStart; });
    const Gap &g = *(it - 1);
    const double into = axisNs - g.axisStart;
    if (into >= double(m_shownNs))
        return axisNs + g.removedBefore + double(g.length() - m_shownNs);
    return double(g.startNs) + into * double(g.length()) / double(m_shownNs);
}

std::vector<qint64> IdleCompression::momentsOf(const TimelineModel &model)
{
    std::vector<qint64> out;
    out.push_back(model.startNs());
    out.push_back(model.nowNs());
    for (int i = 0; i < model.laneCount(); ++i) {
        const TimelineLane &lane = model.laneAt(i);
        out.push_back(lane.startNs);
        out.push_back(model.effectiveEnd(lane.endNs));
        for (const TimelinePhase &ph : lane.phases) {
            out.push_back(ph.startNs);
            out.push_back(model.effectiveEnd(ph.endNs));
        }
        for (const QList<quint32> &row : lane.rows) {
            for (quint32 req : row) {
                if (const TimelineBar *bar = model.bar(req)) {
                    out.push_back(bar->startNs);
                    out.push_back(model.effectiveEnd(bar->endNs));
                }
            }
        }
    }
    for (int i = 0; i < model.markerCount(); ++i)
        out.push_back(model.markerAt(i).ns);
    for (const TimelineArrow &a : model.arrows()) {
        out.push_back(a.fromNs);
        out.push_back(a.toNs);
    }
    for (const TimelineChapter &c : model.chapters())
        out.push_back(c.ns);
    return out;
}

} // namespace hopscope
