#pragma once

#include "demohttp1session.h"

#include <QByteArray>
#include <QObject>

#include <memory>

class QAbstractSocket;

namespace hopscope {

// HTTP/2 on one connection, server side, through nghttp2's server API: requests on any number
// of streams (up to 100 at once), each answered through DemoRoutes when its END_STREAM
// arrives. Bodies are pulled by nghttp2 as the client's flow-control windows allow; a paced or
// delayed body defers its stream (NGHTTP2_ERR_DEFERRED) and resumes when it has data. Output
// is generated only while the socket's buffers are below DemoSocket::highWater.
class DemoHttp2Session : public QObject
{
    Q_OBJECT
public:
    DemoHttp2Session(QAbstractSocket *socket, bool tls, QObject *parent = nullptr);
    ~DemoHttp2Session() override;

    // The demo's HTTP/3 port, for /alt-svc (0: HTTP/3 is not running). Before starting.
    void setH3Port(quint16 port);

    // Prior knowledge (sniffed preface, TLS without ALPN) or ALPN h2. `initial`: bytes already
    // read from the socket, the client preface among them. False when nghttp2 refuses them.
    bool startDirect(const QByteArray &initial);
    // After a 101 to h2c: the upgrading request becomes stream 1 (half-closed remote), with
    // the client's HTTP2-Settings applied as if received.
    bool startAfterUpgrade(const DemoUpgrade &upgrade);

signals:
    // The session is over (GOAWAY sent or received and nothing left, or a fatal error): the
    // connection closes once its output is written.
    void finished(const QString &reason);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace hopscope
