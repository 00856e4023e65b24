#pragma once

#include <QByteArray>
#include <QObject>

class QAbstractSocket;

namespace hopscope {

// After `Upgrade: tcp`: every byte the client sends comes back, under back-pressure (input is
// read only while the echo's output drains). The greeting is written by the HTTP/1.1 session
// together with the 101 head; the echo starts with whatever the client sent after its request.
class DemoTcpEcho : public QObject
{
    Q_OBJECT
public:
    DemoTcpEcho(QAbstractSocket *socket, QObject *parent = nullptr);

    static QByteArray greeting() { return QByteArrayLiteral("hopscope demo tcp echo ready\n"); }

    void start(const QByteArray &leftover);

private:
    void echo();

    QAbstractSocket *m_socket;
};

} // namespace hopscope
