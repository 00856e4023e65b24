#include "demoserverthread.h"

#include "demoserver.h"

namespace hopscope {

DemoServerThread::~DemoServerThread()
{
    stop();
}

bool DemoServerThread::start(QString *error)
{
    if (m_server)
        return true;
    m_thread.setObjectName(QStringLiteral("demo-server"));
    m_thread.start();
    auto *server = new DemoServer;
    server->moveToThread(&m_thread);
    bool started = false;
    QString why;
    QMetaObject::invokeMethod(
        server, [&] { started = server->start(&why); }, Qt::BlockingQueuedConnection);
    if (!started) {
        QMetaObject::invokeMethod(
            server, [server] { delete server; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
        if (error)
            *error = why;
        return false;
    }
    m_server = server;
    return true;
}

void DemoServerThread::stop()
{
    if (m_server) {
        // Deleted in its own thread: its sockets and timers belong there.
        DemoServer *server = m_server;
        m_server = nullptr;
        QMetaObject::invokeMethod(
            server, [server] { delete server; }, Qt::BlockingQueuedConnection);
    }
    m_thread.quit();
    m_thread.wait();
}

} // namespace hopscope
