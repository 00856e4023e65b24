#include "session/sessioncounts.h"

#include "format/sizeformat.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"

#include <QLocale>

namespace hopscope {

SessionCounts::SessionCounts(const SessionStore *store, QObject *parent)
    : QObject(parent), m_store(store)
{
    connect(store, &SessionStore::changed, this, &SessionCounts::changed);
    connect(store, &SessionStore::reset, this, &SessionCounts::changed);
}

void SessionCounts::setEngineInFlight(int inFlight)
{
    if (m_engineInFlight == inFlight)
        return;
    m_engineInFlight = inFlight;
    emit changed();
}

void SessionCounts::setReadOnly(bool readOnly)
{
    if (m_readOnly == readOnly)
        return;
    m_readOnly = readOnly;
    emit changed();
}

SessionCountsSnapshot SessionCounts::snapshot() const
{
    SessionCountsSnapshot s;
    s.requests = m_store->exchangeCount();
    s.complete = m_store->completeCount();
    s.failed = m_store->failedCount();
    s.running = qMax(0, s.requests - s.complete - s.failed);
    // The engine counts a request from the moment it was sent; the trace from its start. The
    // difference is what waits in the engine (a -L chain is one request to both).
    s.queued = m_readOnly ? 0 : qMax(0, m_engineInFlight - s.running);
    s.errors = m_store->errorEventCount();
    s.connections = m_store->connectionCount();
    s.events = int(m_store->events().size());
    s.bytesIn = m_store->bytesIn();
    s.bytesOut = m_store->bytesOut();
    return s;
}

QString SessionCounts::count(int n, const char *singular, const char *plural)
{
    const QString text = tr(n == 1 ? singular : plural);
    // A singular may say "the event" without a number.
    return text.contains(QLatin1String("%1")) ? text.arg(QLocale().toString(n)) : text;
}

QString SessionCounts::summaryText() const
{
    const SessionCountsSnapshot s = snapshot();
    const QString red = errorColor().name();
    auto alarming = [&red](int n, const QString &text) {
        return n ? QStringLiteral("<b style='color:%1'>%2</b>").arg(red, text.toHtmlEscaped())
                 : text.toHtmlEscaped();
    };
    // Zeros that say nothing new stay out (0 in flight, 0 queued, 0 errors; "0 failed" is the
    // all-clear and stays): the line must leave room for the status bar's messages in a
    // 1024-pixel window.
    QStringList parts;
    parts << count(s.requests, QT_TR_NOOP("%1 request"), QT_TR_NOOP("%1 requests"));
    if (s.running)
        parts << (m_readOnly ? tr("%1 unfinished") : tr("%1 in flight"))
                     .arg(QLocale().toString(s.running));
    if (s.queued)
        parts << tr("%1 queued").arg(QLocale().toString(s.queued));
    parts << tr("%1 complete").arg(QLocale().toString(s.complete));
    parts << alarming(s.failed, tr("%1 failed").arg(QLocale().toString(s.failed)));
    if (s.errors)
        parts << alarming(s.errors,
                          count(s.errors, QT_TR_NOOP("%1 error"), QT_TR_NOOP("%1 errors")));
    parts << tr("↑ %1 ↓ %2").arg(formatByteSize(s.bytesOut), formatByteSize(s.bytesIn));
    parts << count(s.connections, QT_TR_NOOP("%1 connection"), QT_TR_NOOP("%1 connections"));
    parts << count(s.events, QT_TR_NOOP("%1 event"), QT_TR_NOOP("%1 events"));
    return parts.join(QStringLiteral(" · "));
}

} // namespace hopscope
