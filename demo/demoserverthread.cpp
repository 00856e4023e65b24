#include "demoserverthread.h"

#include "demoserver.h"

#include <utility>

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
        destroy(server);
        if (error)
            *error = why;
        return false;
    }
    m_server = server;
    return true;
}

void DemoServerThread::stop()
{
    destroy(std::exchange(m_server, nullptr));
}

void DemoServerThread::destroy(DemoServer *server)
{
    if (server)
        QMetaObject::invokeMethod(
            server, [server] { delete server; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

} // namespace hopscope
