#pragma once

#include "demorequest.h"
#include "demorequestparser.h"
#include "demoroutes.h"

#include <QByteArray>
#include <QObject>
#include <QTimer>

#include <memory>

class QAbstractSocket;

namespace hopscope {

// A protocol switch the HTTP/1.1 session agreed to: the 101 head is already written, and
// `leftover` holds what the client sent after the upgrading request, for the next protocol.
struct DemoUpgrade
{
    enum class Kind { Http2, WebSocket, Tcp };
    Kind kind = Kind::Http2;
    DemoRequest request; // the upgrading request (h2c: answered as stream 1)
    QByteArray settings; // h2c: the decoded HTTP2-Settings payload
    QByteArray leftover;
};

// HTTP/1.1 on one connection, server side: requests one after another (keep-alive, pipelined
// ones wait their turn), each answered through DemoRoutes once its body is in. Bodies stream
// under socket back-pressure. Responses without an upgrade offer advertise the next protocol
// (`Upgrade: h2c` on cleartext, `Upgrade: h2` over TLS, as Apache does). Offers of h2c,
// websocket and tcp are accepted with a 101 and handed over through upgraded().
class DemoHttp1Session : public QObject
{
    Q_OBJECT
public:
    DemoHttp1Session(QAbstractSocket *socket, bool tls, QObject *parent = nullptr);
    // The demo's HTTP/3 port, for /alt-svc (0: HTTP/3 is not running). Before start().
    void setH3Port(quint16 port) { m_parser.setH3Port(port); }
    ~DemoHttp1Session() override;

    // initial: bytes already read from the socket (by the protocol sniffer).
    void start(const QByteArray &initial);

signals:
    // The socket now belongs to another protocol; this session is inert from here on.
    void upgraded(const hopscope::DemoUpgrade &upgrade);

private:
    enum class State { Reading, Responding, Closing, Switched };

    void onReadyRead();
    void process();
    void handleRequest();
    bool tryUpgrade(QByteArray *declined);
    void switchProtocol(DemoUpgrade::Kind kind, const HeaderList &headers,
                        const QByteArray &extra = {}, const QByteArray &settings = {});
    void sendResponse(DemoResponse response, bool advertise, const QByteArray &declined);
    void pump();
    void finishResponse();
    void fail(int status, const QByteArray &message);
    QByteArrayView unread() const;

    QAbstractSocket *m_socket;
    bool m_tls;
    State m_state = State::Reading;
    DemoRequestParser m_parser;
    QByteArray m_in;
    qsizetype m_inPos = 0;
    bool m_keepAlive = true;
    bool m_headRequest = false;
    bool m_chunked = false;
    bool m_pumping = false;
    DemoBodyPtr m_body;
    QByteArray m_chunk; // reused read buffer for body pieces
    QTimer m_delay;
    DemoResponse m_delayed;
    bool m_delayedAdvertise = false;
    QByteArray m_delayedDeclined;
};

} // namespace hopscope
