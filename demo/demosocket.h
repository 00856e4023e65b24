#pragma once

#include <QAbstractSocket>
#include <QObject>
#include <QSslSocket>

namespace hopscope {

// Output back-pressure shared by every demo session: a session writes only while less than
// highWater bytes wait in Qt's buffers, and continues when some were written. With TLS, Qt
// encrypts the write buffer as soon as it can and reports bytesWritten() then, while the
// ciphertext may still sit in the plain socket: both buffers count, and both signals resume.
struct DemoSocket
{
    static constexpr qint64 highWater = 512 * 1024;
    // Qt's read buffer cap: when a session stops reading (a slow writer, a busy HTTP/1.1
    // connection), the kernel's window closes instead of Qt buffering without end.
    static constexpr qint64 readBufferSize = 1024 * 1024;

    static qint64 pendingOutput(const QAbstractSocket *socket)
    {
        const auto *ssl = qobject_cast<const QSslSocket *>(socket);
        return socket->bytesToWrite() + (ssl ? ssl->encryptedBytesToWrite() : 0);
    }
    static bool canWrite(const QAbstractSocket *socket)
    {
        return socket->state() == QAbstractSocket::ConnectedState &&
               pendingOutput(socket) < highWater;
    }
    // What the socket holds, up to maxBytes, in an array of just that size. QIODevice's
    // read(maxSize) makes a maxSize array (rounded up to the next power of two) and keeps that
    // capacity however little came: a session keeping it as its input held 512 KiB.
    static QByteArray readAvailable(QAbstractSocket *socket, qint64 maxBytes)
    {
        QByteArray data(qMin(socket->bytesAvailable(), maxBytes), Qt::Uninitialized);
        const qint64 n = socket->read(data.data(), data.size());
        data.truncate(qMax<qint64>(n, 0));
        return data;
    }
    // Calls `slot` on `receiver` whenever output drained a little.
    template<typename Receiver, typename Slot>
    static void onWritten(QAbstractSocket *socket, Receiver *receiver, Slot slot)
    {
        QObject::connect(socket, &QAbstractSocket::bytesWritten, receiver, slot);
        if (auto *ssl = qobject_cast<QSslSocket *>(socket))
            QObject::connect(ssl, &QSslSocket::encryptedBytesWritten, receiver, slot);
    }
};

} // namespace hopscope
