#include "demotcpecho.h"

#include "demosocket.h"

#include <QAbstractSocket>

namespace hopscope {

namespace {

constexpr qint64 kEchoPiece = 64 * 1024;

} // namespace

DemoTcpEcho::DemoTcpEcho(QAbstractSocket *socket, QObject *parent)
    : QObject(parent), m_socket(socket)
{
}

void DemoTcpEcho::start(const QByteArray &leftover)
{
    if (!leftover.isEmpty())
        m_socket->write(leftover);
    connect(m_socket, &QAbstractSocket::readyRead, this, &DemoTcpEcho::echo);
    DemoSocket::onWritten(m_socket, this, &DemoTcpEcho::echo);
    // readyRead is not repeated for bytes that arrived before this point.
    echo();
}

void DemoTcpEcho::echo()
{
    while (m_socket->bytesAvailable() > 0 && DemoSocket::canWrite(m_socket))
        m_socket->write(DemoSocket::readAvailable(m_socket, kEchoPiece));
}

} // namespace hopscope
