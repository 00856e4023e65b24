#pragma once

#include "core/requestspec.h"
#include "session/sessionstore.h"
#include "trace/traceevent.h"

#include <QObject>
#include <QString>
#include <QThread>

namespace hopscope {

class EngineWorker;

// Where the embedded demo server listens (once it started in the engine thread).
struct DemoEndpoints
{
    QString plainUrl; // http://127.0.0.1:PORT
    QString tlsUrl;   // https://127.0.0.1:PORT
    QString caFile;   // PEM of the demo certificate, for TlsOptions::caFile
    bool isValid() const { return !plainUrl.isEmpty(); }
};

// What a session (WebSocket, raw tunnel) should send.
enum class SessionSendKind { Text, Binary, Ping, Close };

// The GUI's handle on the engine, which runs in its own QThread with its own event loop: all
// sockets, the Client, the demo server and the TraceStore live there. Calls here are queued to
// that thread; results come back as queued signals carrying values (trace batches, bodies), so
// nothing here blocks the GUI and no engine object is touched from the GUI thread.
class EngineHost : public QObject
{
    Q_OBJECT
public:
    explicit EngineHost(QObject *parent = nullptr);
    ~EngineHost() override; // stops the thread, closing every connection

    // Starts the embedded demo server in the engine thread; demoReady() or demoFailed() follows.
    void startDemo();
    DemoEndpoints demo() const { return m_demo; }

    // Sends `repeat` copies of the request, at most `parallel` of them in flight at once (the
    // rest wait for a free slot). Several sends may overlap. Requests get their `req` numbers in
    // the engine thread, in order; the trace tells which.
    void send(const RequestSpec &spec, int repeat = 1, int parallel = 1);
    // Runs the demo tour (the same phases as hopscope-cli --demo) against the demo server.
    void runTour();
    // To the session that request `req` opened (WebSocket or raw tunnel). Text/Binary: data;
    // Ping: payload; Close: a WebSocket close 1000 (or closing a tunnel). Ignored when the
    // session is gone (the trace already says why).
    void sendToSession(quint32 req, SessionSendKind kind, const QByteArray &data = {});
    // Fails every request in flight and closes every connection.
    void abortAll();
    // Aborts everything and starts over with a fresh client: request and connection numbers
    // and the trace clock begin again. sessionRestarted() says when the old session's last
    // event has arrived: clear the store then.
    void startNewSession();

    // Requests the GUI sent that have not finished yet (queued ones included).
    int inFlight() const { return m_inFlight; }
    bool isTourRunning() const { return m_tourRunning; }

signals:
    void demoReady(const hopscope::DemoEndpoints &endpoints);
    void demoFailed(const QString &message);
    // A batch of trace events (<= 16 ms or 4096 events), in order. Feed SessionStore::append.
    void eventsAppended(const hopscope::TraceBatch &batch);
    // Finished exchanges' bodies; they arrive after the batch holding their response.complete.
    void bodiesReady(const QList<hopscope::ExchangeBody> &bodies);
    // A 101 turned request `req` into a session that takes sends (WebSocket: canPing true).
    void sessionOpened(quint32 req, bool canPing);
    void sessionClosed(quint32 req);
    void tourFinished();
    void inFlightChanged(int inFlight);
    void sessionRestarted();

private:
    QThread m_thread;
    EngineWorker *m_worker = nullptr;
    DemoEndpoints m_demo;
    int m_inFlight = 0;
    bool m_tourRunning = false;
};

} // namespace hopscope

Q_DECLARE_METATYPE(hopscope::DemoEndpoints)
