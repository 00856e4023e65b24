#include "memorysocket.h"

#include <utility>

#include <QPointer>

#include <cstring>

namespace hopscope::test {

MemorySocket::MemorySocket(QObject *parent) : QAbstractSocket(QAbstractSocket::TcpSocket, parent)
{
    // Unbuffered: every read comes straight from m_inbound, so bytesAvailable() is exact.
    QIODevice::open(QIODevice::ReadWrite | QIODevice::Unbuffered);
    setSocketState(ConnectedState);
}

MemorySocket::~MemorySocket()
{
    // QAbstractSocket's destructor would abort() through its own engine, which we have none of.
    setSocketState(UnconnectedState);
}

void MemorySocket::peerWrite(QByteArrayView bytes)
{
    if (state() != ConnectedState || bytes.isEmpty())
        return;
    m_inbound.append(bytes);
    m_delivered += bytes.size();
    emit readyRead();
}

void MemorySocket::peerClose()
{
    if (state() != ConnectedState)
        return;
    setSocketError(RemoteHostClosedError);
    setErrorString(QStringLiteral("The remote host closed the connection"));
    const QPointer<MemorySocket> guard(this);
    emit errorOccurred(RemoteHostClosedError);
    if (guard)
        goUnconnected();
}

QByteArray MemorySocket::takeWritten()
{
    return std::exchange(m_written, {});
}

qint64 MemorySocket::bytesAvailable() const
{
    return m_inbound.size();
}

bool MemorySocket::canReadLine() const
{
    return m_inbound.contains('\n');
}

void MemorySocket::close()
{
    m_closedLocally = true;
    m_inbound.clear();
    m_dropped += std::exchange(m_pending, {}).size();
    goUnconnected();
    QIODevice::close();
}

void MemorySocket::disconnectFromHost()
{
    m_closedLocally = true;
    goUnconnected();
}

void MemorySocket::goUnconnected()
{
    if (state() == UnconnectedState)
        return;
    setSocketState(ClosingState);
    emit stateChanged(ClosingState);
    setSocketState(UnconnectedState);
    emit stateChanged(UnconnectedState);
    emit disconnected();
}

qint64 MemorySocket::readData(char *data, qint64 maxSize)
{
    const qint64 n = qMin<qint64>(maxSize, m_inbound.size());
    if (n == 0)
        return state() == ConnectedState ? 0 : -1;
    std::memcpy(data, m_inbound.constData(), size_t(n));
    m_inbound.remove(0, n);
    return n;
}

qint64 MemorySocket::readLineData(char *data, qint64 maxSize)
{
    const qsizetype eol = m_inbound.indexOf('\n');
    const qint64 want = eol < 0 ? m_inbound.size() : eol + 1;
    return readData(data, qMin(want, maxSize));
}

qint64 MemorySocket::writeData(const char *data, qint64 size)
{
    if (state() != ConnectedState)
        return -1;
    if (m_writesWait)
        m_pending.append(data, size);
    else
        send(QByteArrayView(data, size));
    // A real socket says bytesWritten() from the event loop, once the bytes left.
    if (m_unacknowledged == 0) {
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (!m_pending.isEmpty() && state() == ConnectedState)
                    send(std::exchange(m_pending, {}));
                const qint64 n = std::exchange(m_unacknowledged, 0);
                if (n > 0)
                    emit bytesWritten(n);
            },
            Qt::QueuedConnection);
    }
    m_unacknowledged += size;
    return size;
}

void MemorySocket::send(QByteArrayView bytes)
{
    m_written.append(bytes);
    m_sent += bytes.size();
}

} // namespace hopscope::test
