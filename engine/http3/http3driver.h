#pragma once

#include "core/httpheader.h"
#include "core/limits.h"
#include "net/protocoldriver.h"
#include "quic/quictransport.h"

#include <QFile>
#include <QList>
#include <QPair>
#include <QPointer>

#include <deque>
#include <map>
#include <memory>

struct nghttp3_conn;

namespace hopscope {

class TraceStore;

// HTTP/3 (RFC 9114) on a QUIC connection, through nghttp3 (framing and QPACK are nghttp3's):
// one bidirectional stream per exchange, as many at once as the server's MAX_STREAMS allows
// (canSubmit() is false beyond it; the client queues). Traced: each header section as
// `h3.headers` (QPACK-decoded, in wire order, pseudo-headers first as sent), body bytes as
// `h3.data`, each request stream's end as `h3.stream.end` and the server's GOAWAY as
// `h3.goaway`; the QUIC packets under them are the transport's `quic.packet`.
class Http3Driver : public ProtocolDriver, private QuicStreamHandler
{
    Q_OBJECT
public:
    // `limits`: the header limits (maxHeaderBytes, maxHeaderCount) hold per header section.
    Http3Driver(Connection *connection, QuicTransport *quic, const Limits &limits,
                QObject *parent = nullptr);
    ~Http3Driver() override;

    // Opens the control and QPACK streams (the client's SETTINGS go out on the control stream).
    void start();

    QByteArray protocol() const override { return QByteArrayLiteral("h3"); }
    bool canSubmit() const override;
    bool isReusable() const override;
    int inFlight() const override { return m_inFlight; }
    void submit(Exchange *exchange) override;
    void abort(const QByteArray &code, const QString &message) override;

private:
    struct Stream
    {
        Exchange *ex = nullptr;
        int64_t id = -1;
        HeaderList block;
        qsizetype blockBytes = 0;
        bool finalResponse = false;
        bool remoteEnded = false;
        bool trailers = false;
        int interim = 0;
        QByteArray body;
        std::unique_ptr<QFile> bodyFile;
        qint64 bodySize = 0;
        qint64 bodySent = 0;
        // A body read from a file: the chunks nghttp3 was given and the server has not yet
        // acknowledged (nghttp3 may send them again), and how much of the first is acknowledged.
        std::deque<QByteArray> unacked;
        qint64 ackedInChunk = 0;
        uint64_t resetCode = 0;
        bool reset = false;
    };
    friend struct H3Callbacks;

    // QuicStreamHandler
    int streamData(int64_t id, QByteArrayView data, bool fin) override;
    int streamAcked(int64_t id, uint64_t bytes) override;
    int streamClosed(int64_t id, uint64_t appError) override;
    int streamReset(int64_t id, uint64_t appError) override;
    int streamStopSending(int64_t id, uint64_t appError) override;
    int streamWindowOpened(int64_t id) override;
    void streamsAvailable() override;
    qint64 nextToSend(int64_t *id, int *fin, ngtcp2_vec *vectors, size_t count) override;
    void sendBlocked(int64_t id) override;
    void sendShutDown(int64_t id) override;
    int sent(int64_t id, size_t bytes) override;
    void afterIo() override;

    // nghttp3's side
    int onHeader(Stream *st, QByteArrayView name, QByteArrayView value);
    int onEndHeaders(Stream *st);
    int onData(Stream *st, QByteArrayView data);
    int onStreamClose(int64_t id, uint64_t appError);
    void onGoaway(int64_t id);
    // The next piece of a request body for nghttp3 (nullptr: the body failed).
    const char *readBody(Stream *st, qint64 *length, bool *eof);
    void streamBodyAcked(Stream *st, uint64_t bytes);

    Stream *stream(int64_t id);
    void completeStream(Stream *st);
    void failStream(Stream *st, const QByteArray &code, const QString &message,
                    bool retryable = false, ErrorEvent event = ErrorEvent::Record);
    void setConnectionError(const QByteArray &code, const QString &message);
    void onTransportFailed(const QByteArray &code, const QString &message);
    void closeConnection(const QString &reason);
    void emitPending();
    EventScope streamScope(const Stream *st) const;

    // Both are children of the Connection, deleted in creation order: the transport can be gone
    // before this driver's destructor runs.
    QPointer<QuicTransport> m_quic;
    TraceStore *m_trace;
    Limits m_limits;
    nghttp3_conn *m_h3 = nullptr;
    std::map<int64_t, std::unique_ptr<Stream>> m_streams;
    int m_inFlight = 0;
    bool m_started = false;
    bool m_closed = false;
    bool m_closedEmitted = false;
    bool m_emitting = false;
    bool m_capacityChanged = false;
    bool m_goaway = false;
    int64_t m_goawayId = -1;
    QByteArray m_connErrorCode;
    QString m_connErrorMessage;
    QList<QPair<Exchange *, bool>> m_finishedQueue;
};

} // namespace hopscope
