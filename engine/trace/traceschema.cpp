#include "trace/traceschema.h"

#include "trace/tracestrings.h"

#include <string_view>
#include <unordered_map>

namespace hopscope {

namespace {

const char *const kTypeNames[] = {
#define HOPSCOPE_X(e, name) name,
    HOPSCOPE_EVENT_TYPES(HOPSCOPE_X)
#undef HOPSCOPE_X
};

} // namespace

const char *eventTypeName(EventType type)
{
    const auto i = std::size_t(type);
    return i < std::size(kTypeNames) ? kTypeNames[i] : "";
}

EventType eventTypeFromName(QByteArrayView name)
{
    static const auto types = [] {
        std::unordered_map<std::string_view, EventType> m;
        for (std::size_t i = 0; i < std::size(kTypeNames); ++i)
            m.emplace(kTypeNames[i], EventType(i));
        return m;
    }();
    const auto it = types.find(std::string_view(name.data(), std::size_t(name.size())));
    return it == types.end() ? EventType::Other : it->second;
}

bool fieldFromName(QByteArrayView name, Field *field)
{
    quint32 id = 0;
    if (!name.isValidUtf8() || !TraceStrings::instance().intern(name, &id))
        return false;
    *field = Field(id);
    return true;
}

} // namespace hopscope
