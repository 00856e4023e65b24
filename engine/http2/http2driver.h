#pragma once

#include "core/limits.h"
#include "net/protocoldriver.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QTimer>

#include <memory>

namespace hopscope {

class TraceStore;

// Local HTTP/2 settings and tuning. Windows are large because the 64 KiB default throttles bulk
// transfers badly (curl: ~1 GiB connection, 10 MiB stream; Qt: 2^31-1 session).
struct Http2Options
{
    qint32 streamWindow = 32 * 1024 * 1024;       // SETTINGS_INITIAL_WINDOW_SIZE
    qint32 connectionWindow = 1024 * 1024 * 1024; // raised by WINDOW_UPDATE on stream 0
    quint32 maxConcurrentStreams = 100;           // what we allow the server (push is off anyway)
    quint32 maxFrameSize = 16384;                 // SETTINGS_MAX_FRAME_SIZE we accept
    quint32 maxHeaderListSize =
        300 * 1024;               // SETTINGS_MAX_HEADER_LIST_SIZE (Limits::maxHeaderBytes)
    int maxContinuations = 8;     // nghttp2_option_set_max_continuations (Limits::maxContinuations)
    int maxEmptyDataFrames = 100; // Limits::maxEmptyDataFrames
    qint64 maxIdleControlFrames = 10000; // Limits::maxIdleControlFrames
    int idleMs = 60'000;                 // no byte while streams are open -> fail them

    static Http2Options fromLimits(const Limits &limits, int idleMs);
};

// HTTP/2 client on a Connection, through nghttp2 (the framing is nghttp2's; what crossed the wire
// is traced from its callbacks: every frame sent and received as `h2.frame`, every header block
// as `h2.headers`). Many exchanges at once, one stream each, within the server's
// SETTINGS_MAX_CONCURRENT_STREAMS (canSubmit() is false beyond it; the client queues).
class Http2Driver : public ProtocolDriver
{
    Q_OBJECT
public:
    Http2Driver(Connection *connection, const Http2Options &options, QObject *parent = nullptr);
    ~Http2Driver() override;

    // The SETTINGS payload this driver sends first; its base64url form (no padding) is the
    // HTTP2-Settings header of an h2c upgrade offer, so both must come from here.
    static QByteArray settingsPayload(const Http2Options &options);

    // Prior knowledge (cleartext or TLS without ALPN) and ALPN h2: sends the connection preface
    // and SETTINGS and starts reading.
    void startPriorKnowledge();
    // After a 101 to h2c: `upgraded` becomes stream 1 (half-closed local, its request already sent
    // over HTTP/1.1), `settings` must be what the offer carried, `leftover` are the bytes that
    // arrived after the 101 head (fed to nghttp2 before anything read later).
    void startAfterUpgrade(Exchange *upgraded, const QByteArray &settings, QByteArrayView leftover);

    QByteArray protocol() const override { return QByteArrayLiteral("h2"); }
    bool canSubmit() const override;
    bool isReusable() const override;
    int inFlight() const override;
    void submit(Exchange *exchange) override;
    void abort(const QByteArray &code, const QString &message) override;

    quint32 peerMaxConcurrentStreams() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace hopscope
