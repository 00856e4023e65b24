#pragma once

#include "trace/traceevent.h"

#include <QByteArrayList>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringMatcher>

namespace hopscope {

// What the trace log shows. Every criterion left at its default lets everything through; the
// criteria combine with AND.
struct TraceFilter
{
    QList<quint32> connections; // connection ids; empty = any connection
    qint32 stream = -1;         // HTTP/2 stream id; -1 = any (0 = the connection's own frames)
    quint32 req = 0;            // request number; 0 = any
    // Event types: an entry ending in '.' is a prefix ("h2.", "ws.", "upgrade."), any other an
    // exact type ("request.failed", "connect"). Empty = any type.
    QStringList types;
    QString text;            // case-insensitive substring of the type or the one-line summary
    bool errorsOnly = false; // only isErrorEvent() or isWarningEvent() events

    bool isEmpty() const
    {
        return connections.isEmpty() && stream < 0 && req == 0 && types.isEmpty() &&
               text.isEmpty() && !errorsOnly;
    }
    // True when every event this filter lets through also passes `wider`, so narrowing can
    // re-check only the rows `wider` showed (typing one more letter into Find).
    bool isNarrowerThan(const TraceFilter &wider) const;

    friend bool operator==(const TraceFilter &, const TraceFilter &) = default;
};

// A TraceFilter prepared for matching millions of events: the types as a bit per EventType, the
// needle kept once. Matching an event costs a few integer compares, and for a text
// filter one eventSummary() (built, searched, dropped).
class TraceFilterMatcher
{
public:
    explicit TraceFilterMatcher(const TraceFilter &filter);

    bool matches(const TraceEvent &ev) const;
    // The cheap criteria only (everything but the text).
    bool matchesScope(const TraceEvent &ev) const;
    // Whether matching builds summaries or classifies events (worth spreading over threads).
    bool isCostly() const { return !m_filter.text.isEmpty() || m_filter.errorsOnly; }

private:
    bool typeMatches(QByteArrayView name) const;

    TraceFilter m_filter;
    quint64 m_types = 0; // bit per EventType the type criteria let through
    QByteArrayList m_prefixes;
    QByteArrayList m_exact;
    QStringMatcher m_text; // case-insensitive, its skip table built once
};

} // namespace hopscope
