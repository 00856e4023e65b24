#include "trace/traceevent.h"

#include <cstring>

namespace hopscope {

bool TraceEvent::is(const char *name) const
{
    return type == name || std::strcmp(type, name) == 0;
}

const char *directionName(Direction dir)
{
    switch (dir) {
    case Direction::Out:
        return "out";
    case Direction::In:
        return "in";
    case Direction::None:
        break;
    }
    return "";
}

} // namespace hopscope
