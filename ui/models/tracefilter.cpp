#include "models/tracefilter.h"

#include "models/eventsummary.h"

#include <cstring>
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
            m_prefixes.append(t.toLatin1());
        else
            m_exact.append(t.toLatin1());
    }
}

bool TraceFilterMatcher::matchesScope(const TraceEvent &ev) const
{
    if (!m_filter.connections.isEmpty() && !m_filter.connections.contains(ev.scope.conn))
        return false;
    if (m_filter.stream >= 0 && ev.scope.stream != m_filter.stream)
        return false;
    if (m_filter.req != 0 && ev.scope.req != m_filter.req)
        return false;
    if (!m_prefixes.isEmpty() || !m_exact.isEmpty()) {
        const char *type = ev.type ? ev.type : "";
        bool typeOk = false;
        for (const QByteArray &p : m_prefixes) {
            if (std::strncmp(type, p.constData(), size_t(p.size())) == 0) {
                typeOk = true;
                break;
            }
        }
        for (qsizetype i = 0; !typeOk && i < m_exact.size(); ++i)
            typeOk = std::strcmp(type, m_exact.at(i).constData()) == 0;
        if (!typeOk)
            return false;
    }
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
    // The type is a short Latin-1 literal: widen it on the stack, no allocation.
    char16_t type[64];
    qsizetype n = 0;
    for (const char *p = ev.type ? ev.type : ""; *p && n < qsizetype(std::size(type)); ++p)
        type[n++] = char16_t(uchar(*p));
    if (m_text.indexIn(QStringView(type, n)) >= 0)
        return true;
    const QString summary = eventSummary(ev);
    return m_text.indexIn(QStringView(summary)) >= 0;
}

} // namespace hopscope
