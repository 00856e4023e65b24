#pragma once

#include "har/harentry.h"
#include "har/harreader.h"

#include <QHash>

namespace hopscope {

// Turns checked HAR entries into the events a live window would have recorded for them, as far
// as a HAR says (docs/har.md, "Import"): request.start; pool.open (or pool.reuse on a connection
// an earlier entry opened), dns, connect and tls from the timings and serverIPAddress; the
// heads as h1.request/h1.response (HTTP/1.x, unknown) or h2.headers (h2, h3); upgrade.switch
// and ws.message for a WebSocket; response.complete with the timings and protocol, or
// request.failed for an entry without a response. No net.read/net.write, no frames: a HAR has
// none.
//
// Entries must come sorted by start. Requests are numbered 1, 2, … in that order; connections
// in order of first use, entries sharing a `connection` id (per origin) on one, every other
// entry on its own. Events are ordered by time (an entry's own in their logical order), so
// every id appears only after at least as many events as it is large (the window's rule for
// ids a trace can have reached).
class HarTraceBuilder
{
public:
    void build(const QList<HarEntryDraft> &entries, HarImport *out);

private:
    struct Staged
    {
        qint64 tNs;
        qsizetype index; // in m_staging
    };

    void addEntry(const HarEntryDraft &entry, quint32 req, HarImport *out);
    quint32 connectionFor(const HarEntryDraft &entry, const QString &origin, bool *isNew);
    FieldWriter stage(qint64 tNs, EventType type, EventScope scope,
                      Direction dir = Direction::None);
    qint64 nsSinceStart(double epochMs) const;

    TraceBatch m_staging;
    QList<Staged> m_order;
    QHash<QString, quint32> m_connectionIds; // origin + `connection` → our id
    quint32 m_connections = 0;
    qint64 m_baseMs = 0;
};

} // namespace hopscope
