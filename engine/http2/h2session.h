#pragma once

#include "core/httpheader.h"
#include "http2/h2framesplitter.h"
#include "http2/h2idlecontrol.h"
#include "http2/http2driver.h"
#include "net/connection.h"
#include "trace/tracestore.h"

#include <QFile>
#include <QTimer>

#include <nghttp2/nghttp2.h>

#include <memory>
#include <set>
#include <unordered_map>
#include <vector>

namespace hopscope {

class Exchange;

// Everything behind Http2Driver: one nghttp2 client session on a Connection, its streams, the
// socket I/O and how exchanges finish. Split over two files by direction of control:
//   h2session.cpp           what we do: start, submit, read and write, fail and finish, emit
//   h2sessioncallbacks.cpp  what nghttp2 tells us: frames received and sent, streams closed,
//                           request bodies asked for (and the C trampolines for all of it)
// Signals leave only through emitPending(), never from inside an nghttp2 call: a slot may
// submit, abort or delete the driver.
class H2Session
{
public:
    // Per-stream state, found through nghttp2's stream user data.
    struct Stream
    {
        Exchange *ex = nullptr; // null once finished: the client may delete it from then on
        qint32 id = -1;
        quint32 req = 0; // the exchange id, kept for trace scopes after ex is gone
        qint64 headerBytes = 0;
        HeaderList block; // the header block being received
        bool finalResponse = false;
        bool remoteEnded = false; // END_STREAM received
        bool gotFrame = false;
        // Request body: from memory (implicitly shared, no copy) or a file, read as nghttp2 asks.
        QByteArray body;
        std::unique_ptr<QFile> bodyFile;
        qint64 bodySize = 0;
        qint64 bodySent = 0;
        bool rstReceived = false;
        bool rstSent = false;
        quint32 rstCode = 0;
        QString resetReason; // why we reset it, when nghttp2 or we knew
    };

    H2Session(Http2Driver *q, Connection *conn, const Http2Options &opts);
    ~H2Session();

    // The SETTINGS we send first (also the payload of an h2c upgrade offer).
    static std::vector<nghttp2_settings_entry> settingsEntries(const Http2Options &o);

    void startPriorKnowledge();
    void startAfterUpgrade(Exchange *upgraded, const QByteArray &settings, QByteArrayView leftover);
    bool canSubmit() const;
    bool isReusable() const;
    int inFlight() const { return m_inFlight; }
    void submit(Exchange *ex);
    void abort(const QByteArray &code, const QString &message);
    quint32 peerMaxConcurrentStreams() const;

    // nghttp2 callbacks (h2sessioncallbacks.cpp)
    int onBeginFrame(const nghttp2_frame_hd &hd);
    int onBeginHeaders(const nghttp2_frame &frame);
    int onHeader(const nghttp2_frame &frame, QByteArrayView name, QByteArrayView value);
    int onFrameRecv(const nghttp2_frame &frame);
    int onDataChunk(qint32 streamId, const uint8_t *data, size_t len);
    int onStreamClose(qint32 streamId, quint32 errorCode);
    int onFrameSend(const nghttp2_frame &frame);
    int onFrameNotSend(const nghttp2_frame &frame, int libError);
    int onInvalidFrameRecv(const nghttp2_frame &frame, int libError);
    int onError(int libError, QByteArrayView message);
    ssize_t readBody(Stream *st, uint8_t *buf, size_t length, uint32_t *dataFlags);

private:
    static constexpr qint64 kWriteHighWater = 1024 * 1024; // bounds Qt's write buffer for uploads
    static constexpr qint32 kMaxWindow = 0x7fffffff;       // RFC 9113 §6.9.1
    static constexpr quint32 kMinFrameSize = 16384;        // RFC 9113 §6.5.2
    static constexpr quint32 kMaxFrameSize = 16777215;

    // h2sessioncallbacks.cpp: the callback table, and the body provider of one stream.
    static nghttp2_session_callbacks *newCallbacks();
    static nghttp2_data_provider bodyProvider(Stream *st);

    Stream *stream(qint32 id) const;
    EventScope scope(const Stream *st, qint32 streamId) const
    {
        return {m_conn->id(), st ? st->req : 0, streamId};
    }
    void attachSocket();
    void sendInitialSettings(bool submitSettings);
    void onReadyRead();
    void readAvailable();
    void onBytesWritten();
    void onDisconnected();
    void onIdleTimeout();
    bool feed(QByteArrayView data);
    bool recv(QByteArrayView data);
    void traceDiscardedFrames();
    void traceDiscarded(const QList<H2FrameHeader> &frames);
    // invalid: nghttp2's reason when it rejected the block, else empty.
    void traceHeaderBlock(const nghttp2_frame &frame, const EventScope &sc, const QString &invalid);
    void pumpSend();
    void afterIo();
    void settle();
    void sessionDone();
    void touchIdle();
    void handleHeaders(Stream *st, const nghttp2_frame &frame);
    void handleGoaway(const nghttp2_frame &frame);
    void countEmptyData(const nghttp2_frame &frame);
    void countIdleControl(const nghttp2_frame_hd &hd);
    void noteHeadersStart(QByteArrayView data, qsizetype taken);
    void checkClosedStream(qsizetype taken);
    QString idleTimeoutCause() const;
    void completeStream(Stream *st);
    void failStream(Stream *st, const QByteArray &code, const QString &message,
                    bool retryable = false, ErrorEvent event = ErrorEvent::Record);
    void setConnectionError(const QByteArray &code, const QString &message);
    void failConnection(const QByteArray &code, const QString &message);
    void closeConnection(const QString &reason);
    void emitPending();
    QString goawaySuffix() const;
    qint64 now() const { return m_trace->elapsedNs(); }

    Http2Driver *q;
    Connection *m_conn;
    TraceStore *m_trace;
    Http2Options m_opts;
    nghttp2_session *m_session = nullptr;
    std::unordered_map<qint32, std::unique_ptr<Stream>> m_streams;
    QByteArray m_outBuffer;
    QTimer m_idleTimer;
    QList<std::pair<Exchange *, bool>> m_finishedQueue;
    int m_inFlight = 0;
    int m_completed = 0;
    bool m_started = false;
    bool m_upgraded = false; // started after a 101 to h2c
    bool m_broken = false;   // nghttp2 returned a fatal error: the session must not be used
    bool m_closed = false;
    bool m_closedEmitted = false;
    bool m_emitting = false;
    bool m_capacityChanged = false;
    bool m_goawayReceived = false;
    bool m_goawaySent = false;
    qint32 m_goawayLastStream = 0;
    quint32 m_goawayError = 0;
    QString m_goawayDebug;
    QByteArray m_connErrorCode; // the first cause of a connection error, kept for every stream
    QString m_connErrorMessage;
    QString m_lastLibError;  // nghttp2's latest explanation (error callback)
    QByteArray m_firstBytes; // start of what the server sent, to recognise an HTTP/1.x answer
    QMetaObject::Connection m_connClosed;
    QString m_lastInvalid;              // the latest frame nghttp2 rejected, described for the user
    int m_emptyDataFrames = 0;          // DATA frames in a row without payload or END_STREAM
    H2IdleControlCounter m_idleControl; // frames for no request since progress (h2idlecontrol.h)
    qint64 m_pingsReceived = 0;         // PING frames (not ACKs), for a flood's message
    qint64 m_settingsReceived = 0;      // SETTINGS frames (not ACKs), likewise
    // Streams the server ended (END_STREAM) and nobody reset: nghttp2 forgets a closed stream
    // and ignores frames for it, but after the server's own END_STREAM they are its error. The
    // latest kRememberEnded only, so that a connection serving millions of streams stays small.
    static constexpr size_t kRememberEnded = 1000;
    std::set<qint32> m_serverEnded;
    // The start of the latest HEADERS payload (padding and priority fields skipped later), so
    // that a COMPRESSION_ERROR can say what in the block was wrong; nghttp2 gives no reason.
    QByteArray m_headersStart;
    quint8 m_headersFlags = 0;
    qint32 m_headersStream = 0;

    // Frame boundaries of what the server sends, followed alongside nghttp2: every frame gets
    // its h2.frame event, also the ones nghttp2 drops without a callback (ignored, rejected,
    // the one that ended the session), and header blocks show their CONTINUATIONs.
    H2FrameSplitter m_splitter;
    bool m_framingTrusted = false; // the server began with SETTINGS: its bytes are frames
};

} // namespace hopscope
