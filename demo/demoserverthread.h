#pragma once

#include <QString>
#include <QThread>

namespace hopscope {

class DemoServer;

// The embedded demo server in a thread of its own. Served from the thread of the client that
// talks to it, every response would wait for the client's work and every request for the
// server's: the trace's timings would include the other side's CPU, and a flood in the window
// ran at one core's speed while the other core idled (docs/performance.md). The window, the
// CLI's --demo and the demo server tests all run it this way.
class DemoServerThread
{
public:
    DemoServerThread() = default;
    ~DemoServerThread();
    DemoServerThread(const DemoServerThread &) = delete;
    DemoServerThread &operator=(const DemoServerThread &) = delete;

    // Starts the thread and the server in it; returns once the server listens, or false with
    // *error when it could not.
    bool start(QString *error = nullptr);
    // Stops the server and its thread; returns once both are gone.
    void stop();

    // The server, living in its thread. What start() settled (ports, URLs, the CA file,
    // certificate, h3Error) may be read from any thread; anything else goes through
    // QMetaObject::invokeMethod.
    DemoServer *server() const { return m_server; }

private:
    // Deletes `server` in its thread (its sockets and timers belong there) and ends the thread.
    void destroy(DemoServer *server);

    QThread m_thread;
    DemoServer *m_server = nullptr;
};

} // namespace hopscope
