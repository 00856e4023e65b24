#pragma once

#include <QAbstractSocket>
#include <QByteArray>

namespace hopscope::test {

// One end of an in-memory connection, for running a Connection and its drivers without a
// network. It is a QAbstractSocket because the drivers need what a socket has beyond a
// QIODevice (state(), error(), disconnected()); the other end is the test itself, which plays
// the peer through the peer*() functions. It starts connected.
//
// Every peerWrite() is one read for the reader: readyRead() goes out at once (the test calls it
// from the top of its stack, as the event loop would), so a test decides exactly how the bytes
// are split between reads. What the reader writes is kept for takeWritten() and acknowledged with
// bytesWritten() on the next turn of the event loop, as a real socket would.
class MemorySocket : public QAbstractSocket
{
    Q_OBJECT
public:
    explicit MemorySocket(QObject *parent = nullptr);
    ~MemorySocket() override;

    // The peer sends these bytes: they arrive as one read.
    void peerWrite(QByteArrayView bytes);
    // The peer hangs up (RemoteHostClosedError, then disconnected()); unread bytes stay readable.
    void peerClose();
    // Everything written on this end since the last call.
    QByteArray takeWritten();
    // Every byte the peer sent so far: what a trace's `net.read` events must add up to.
    qint64 bytesDelivered() const { return m_delivered; }
    // Whether this end closed (Connection::close() aborts the socket).
    bool isClosedLocally() const { return m_closedLocally; }
    // Every byte written on this end that reached the peer so far: what a trace's `net.write`
    // events must add up to (less a close's `unsent`).
    qint64 bytesSent() const { return m_sent; }

    // Like a real socket's write buffer: what is written waits (bytesToWrite()) until the event
    // loop turns, and a close before that drops it. Off by default (writes arrive at once).
    void setWritesWaitForEventLoop(bool wait) { m_writesWait = wait; }
    // Bytes a close threw away because they had not left yet.
    qint64 bytesDropped() const { return m_dropped; }

    qint64 bytesAvailable() const override;
    qint64 bytesToWrite() const override { return m_pending.size(); }
    bool canReadLine() const override;
    bool atEnd() const override { return m_inbound.isEmpty(); }
    void close() override;
    void disconnectFromHost() override;
    bool waitForConnected(int = 30000) override { return true; }
    bool waitForReadyRead(int = 30000) override { return false; }
    bool waitForBytesWritten(int = 30000) override { return false; }
    bool waitForDisconnected(int = 30000) override { return state() == UnconnectedState; }

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 readLineData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 size) override;

private:
    void goUnconnected();
    void send(QByteArrayView bytes);

    QByteArray m_inbound;
    QByteArray m_written;
    QByteArray m_pending; // written, not yet left (setWritesWaitForEventLoop)
    qint64 m_sent = 0;
    qint64 m_dropped = 0;
    bool m_writesWait = false;
    qint64 m_delivered = 0;
    qint64 m_unacknowledged = 0;
    bool m_closedLocally = false;
};

} // namespace hopscope::test
