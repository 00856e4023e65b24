#pragma once

#include "views/timelinegeometry.h"

#include <QString>

namespace hopscope {

class TimelineModel;

// The tooltip texts of the timeline: what a lane, bar, marker, phase or arrow under the pointer
// is, in words, with the times and numbers the picture only suggests.
class TimelineTooltips
{
public:
    // The text for what hit found ("" for nothing).
    static QString text(const TimelineModel &model, const TimelineHit &hit);
};

} // namespace hopscope
