#pragma once

#include <QObject>
#include <QString>

namespace hopscope {

class SessionStore;

// The window's counts at one moment, all taken together so that no two places disagree.
struct SessionCountsSnapshot
{
    int requests = 0;    // exchanges in the trace (each request.start)
    int running = 0;     // ... not finished yet (started, neither complete nor failed)
    int queued = 0;      // sent to the engine but not started yet (no request.start so far)
    int complete = 0;    // response.complete
    int failed = 0;      // request.failed
    int errors = 0;      // error events
    int connections = 0; // connections in the trace
    int events = 0;      // trace events
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;
    // What Stop would end: the running requests and the queued ones.
    int active() const { return running + queued; }
};

// The one owner of the window's counts (issue 14: "1100 requests · 1000 in flight" next to
// "Stop (900)"). Requests, running, complete, failed, connections and events come from the
// SessionStore, the one record of the trace; the engine adds only what the trace cannot know
// yet, the requests it holds that have not started. The status bar, the Stop button and the
// trace log's "N of M events" all read snapshot() when changed() says so, in the same turn of
// the event loop.
class SessionCounts : public QObject
{
    Q_OBJECT
public:
    explicit SessionCounts(const SessionStore *store, QObject *parent = nullptr);

    // The engine's number of requests sent and not finished yet (EngineHost::inFlight); the
    // ones among them the trace has not seen start are the queued ones.
    void setEngineInFlight(int inFlight);
    // A saved trace: nothing runs; its unfinished requests are "unfinished", not "in flight".
    void setReadOnly(bool readOnly);
    bool isReadOnly() const { return m_readOnly; }

    SessionCountsSnapshot snapshot() const;
    // The status bar's line, rich text: failures and errors in the error colour; counts that
    // are zero and say nothing (in flight, queued, errors) are left out.
    QString summaryText() const;

    // "1 request", "1,100 requests": English singular and plural with grouped digits (%1; a
    // text without %1 is taken as it is).
    static QString count(int n, const char *singular, const char *plural);

signals:
    // After every store batch or reset and every change of the engine's count.
    void changed();

private:
    const SessionStore *m_store;
    int m_engineInFlight = 0;
    bool m_readOnly = false;
};

} // namespace hopscope
