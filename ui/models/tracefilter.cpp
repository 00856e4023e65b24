#include "models/tracefilter.h"

#include "models/eventsummary.h"

#include <iterator>

namespace hopscope {

bool TraceFilter::isNarrowerThan(const TraceFilter &wider) const
{
    if (!wider.connections.isEmpty()) {
        if (connections.isEmpty())
            return false;
        for (quint32 c : connections)
            if (!wider.connections.contains(c))
                return false;
    }
    if (wider.stream >= 0 && stream != wider.stream)
        return false;
    if (wider.req != 0 && req != wider.req)
        return false;
    if (!wider.types.isEmpty() && types != wider.types)
        return false;
    if (wider.errorsOnly && !errorsOnly)
        return false;
    return text.contains(wider.text, Qt::CaseInsensitive);
}

TraceFilterMatcher::TraceFilterMatcher(const TraceFilter &filter)
    : m_filter(filter), m_text(filter.text, Qt::CaseInsensitive)
{
    for (const QString &t : filter.types) {
        if (t.endsWith(QLatin1Char('.')))
            m_prefixes.append(t.toUtf8());
        else
            m_exact.append(t.toUtf8());
    }
    // The known types, decided once; only a type this build does not know is matched by name.
    for (int t = 0; t < int(EventType::Other); ++t) {
        if (typeMatches(eventTypeName(EventType(t))))
            m_types |= quint64(1) << t;
    }
}

bool TraceFilterMatcher::typeMatches(QByteArrayView name) const
{
    if (m_prefixes.isEmpty() && m_exact.isEmpty())
        return true;
    for (const QByteArray &p : m_prefixes)
        if (name.startsWith(p))
            return true;
    for (const QByteArray &e : m_exact)
        if (name == e)
            return true;
    return false;
}

bool TraceFilterMatcher::matchesScope(const TraceEvent &ev) const
{
    if (!m_filter.connections.isEmpty() && !m_filter.connections.contains(ev.scope.conn))
        return false;
    if (m_filter.stream >= 0 && ev.scope.stream != m_filter.stream)
        return false;
    if (m_filter.req != 0 && ev.scope.req != m_filter.req)
        return false;
    if (ev.type == EventType::Other ? !typeMatches(ev.typeName())
                                    : !(m_types & (quint64(1) << int(ev.type))))
        return false;
    if (m_filter.errorsOnly && !isErrorEvent(ev) && !isWarningEvent(ev))
        return false;
    return true;
}

bool TraceFilterMatcher::matches(const TraceEvent &ev) const
{
    if (!matchesScope(ev))
        return false;
    if (m_filter.text.isEmpty())
        return true;
    // A known type's name is a short Latin-1 literal: widen it on the stack, no allocation.
    char16_t type[64];
    qsizetype n = 0;
    if (ev.type != EventType::Other) {
        for (const char *p = eventTypeName(ev.type); *p && n < qsizetype(std::size(type)); ++p)
            type[n++] = char16_t(uchar(*p));
    }
    if (ev.type == EventType::Other ? m_text.indexIn(QString::fromUtf8(ev.typeName())) >= 0
                                    : m_text.indexIn(QStringView(type, n)) >= 0)
        return true;
    const QString summary = eventSummary(ev);
    return m_text.indexIn(QStringView(summary)) >= 0;
}

} // namespace hopscope
