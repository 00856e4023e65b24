// What a user sees of the timeline and of a list, counted the same way by tst_layout (saved
// tour) and tst_windowstate (the real tour): issue 14 asks for several lanes after the tour and a
// WebSocket message list longer than 3 rows in a 1024x700 window.
#pragma once

#include "models/timelinemodel.h"
#include "views/timelineview.h"

#include <QHeaderView>
#include <QTableView>

namespace hopscope::testing {

// Lanes whose header (name, protocol, summary: three lines) lies in the timeline's lane area.
inline int lanesInView(const TimelineView *view, const TimelineModel *model)
{
    const QRect area = view->timeArea();
    const int header = 3 * view->fontMetrics().height();
    int shown = 0;
    for (int conn = 1; conn <= model->laneCount(); ++conn) {
        const QRect lane = view->laneRect(quint32(conn));
        const int visible = qMin(lane.bottom(), area.bottom()) - qMax(lane.top(), area.top()) + 1;
        if (!lane.isEmpty() && visible >= qMin(lane.height(), header))
            ++shown;
    }
    return shown;
}

// Whole rows the table's viewport shows.
inline int rowsInView(const QTableView *view)
{
    return view->viewport()->height() / qMax(1, view->verticalHeader()->defaultSectionSize());
}

} // namespace hopscope::testing
