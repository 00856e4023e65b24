#include "core/limitregistry.h"

#include <algorithm>
#include <limits>

namespace hopscope {

namespace {

// A user's number as the member's integer type, saturating rather than wrapping: 1e30 means
// "no practical limit", not a negative one.
template<typename T> T clampTo(double v)
{
    const double top = double(std::numeric_limits<T>::max());
    return v >= top ? std::numeric_limits<T>::max() : T(std::max(0.0, v));
}

// One row per member: its name is the member's own, which the macro keeps in step.
#define HOPSCOPE_LIMIT(member)                                                                     \
    LimitDescriptor                                                                                \
    {                                                                                              \
#member,                                                                                   \
            [](Limits &l, double v) { l.member = clampTo<decltype(Limits::member)>(v); },          \
            [](const Limits &l) { return double(l.member); }       \
    }

template<> double clampTo<double>(double v)
{
    return std::max(0.0, v);
}

const LimitDescriptor kLimits[] = {
    HOPSCOPE_LIMIT(maxStatusLineBytes),
    HOPSCOPE_LIMIT(maxHeaderLineBytes),
    HOPSCOPE_LIMIT(maxHeaderBytes),
    HOPSCOPE_LIMIT(maxHeaderCount),
    HOPSCOPE_LIMIT(maxInterimResponses),
    HOPSCOPE_LIMIT(maxChunkSizeDigits),
    HOPSCOPE_LIMIT(maxBodyInMemory),
    HOPSCOPE_LIMIT(maxHarBodyBytes),
    HOPSCOPE_LIMIT(maxContentEncodings),
    HOPSCOPE_LIMIT(maxDecodedGraceBytes),
    HOPSCOPE_LIMIT(maxDecodeRatio),
    HOPSCOPE_LIMIT(maxWebSocketFrameBytes),
    HOPSCOPE_LIMIT(maxWebSocketMessageBytes),
    HOPSCOPE_LIMIT(maxWebSocketFragments),
    HOPSCOPE_LIMIT(maxContinuations),
    HOPSCOPE_LIMIT(maxEmptyDataFrames),
    HOPSCOPE_LIMIT(maxIdleControlFrames),
    HOPSCOPE_LIMIT(h2StreamWindow),
    HOPSCOPE_LIMIT(quicStreamWindow),
    HOPSCOPE_LIMIT(quicConnectionWindow),
    HOPSCOPE_LIMIT(quicFallbackMs),
    HOPSCOPE_LIMIT(lowSpeedLimit),
    HOPSCOPE_LIMIT(lowSpeedTime),
};

#undef HOPSCOPE_LIMIT

} // namespace

std::span<const LimitDescriptor> limitDescriptors()
{
    return kLimits;
}

const LimitDescriptor *findLimit(QStringView name)
{
    for (const LimitDescriptor &d : kLimits) {
        if (name == QLatin1StringView(d.name))
            return &d;
    }
    return nullptr;
}

QStringList limitNames()
{
    QStringList names;
    for (const LimitDescriptor &d : kLimits)
        names << QString::fromLatin1(d.name);
    return names;
}

} // namespace hopscope
