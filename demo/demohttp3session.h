#pragma once

#include "quic/quictransport.h"

#include <QObject>

#include <functional>
#include <map>
#include <memory>

struct nghttp3_conn;

namespace hopscope {

struct DemoResponse;

// HTTP/3 on one QUIC connection, server side, through nghttp3's server API: requests on the
// client's bidirectional streams, each answered through DemoRoutes when its stream ends, as
// HTTP/1.1 and HTTP/2 answer them. Bodies are pulled from DemoBody as QUIC's flow control
// allows; the bytes handed to nghttp3 are kept until the client acknowledges them (nghttp3
// may send them again), at most kMaxUnackedBody a stream, so a 1 GiB body never exists in
// memory. A paced or delayed body blocks its stream and resumes when it has data.
class DemoHttp3Session : public QObject, public QuicStreamHandler
{
    Q_OBJECT
public:
    // The transport the connection drives; the session opens its control and QPACK streams
    // in start(), once the handshake is complete.
    explicit DemoHttp3Session(ngtcp2_conn *conn, QObject *parent = nullptr);
    ~DemoHttp3Session() override;

    bool start();
    // Response body bytes handed to QUIC so far, over all streams (the hostile switches act
    // on it).
    qint64 bodyBytesSent() const { return m_bodyBytesSent; }
    // Called when the session has something new to send outside a read (a delayed answer, a
    // paced body's next piece): the connection writes packets.
    std::function<void()> wantsToWrite;

    // QuicStreamHandler
    int streamData(int64_t id, QByteArrayView data, bool fin) override;
    int streamAcked(int64_t id, uint64_t bytes) override;
    int streamClosed(int64_t id, uint64_t appError) override;
    int streamReset(int64_t id, uint64_t appError) override;
    int streamStopSending(int64_t id, uint64_t appError) override;
    int streamWindowOpened(int64_t id) override;
    void streamsAvailable() override {}
    qint64 nextToSend(int64_t *id, int *fin, ngtcp2_vec *vectors, size_t count) override;
    void sendBlocked(int64_t id) override;
    void sendShutDown(int64_t id) override;
    int sent(int64_t id, size_t bytes) override;
    void afterIo() override {}

    void setMaxClientStreams(uint64_t count);

private:
    struct Stream;
    friend struct DemoH3Callbacks;

    Stream *stream(int64_t id);
    void onHeader(Stream *st, QByteArrayView name, QByteArrayView value);
    void requestComplete(Stream *st);
    void respond(int64_t id, DemoResponse response);
    qint64 readBody(Stream *st, ngtcp2_vec *vec, size_t count, uint32_t *flags);
    void onBodyReady(int64_t id);
    void consumed(int64_t id, size_t bytes);

    ngtcp2_conn *m_conn;
    nghttp3_conn *m_h3 = nullptr;
    std::map<int64_t, std::unique_ptr<Stream>> m_streams;
    qint64 m_bodyBytesSent = 0;
};

} // namespace hopscope
