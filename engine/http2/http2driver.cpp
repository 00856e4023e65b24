#include "http2/http2driver.h"

#include "http2/h2session.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>

// The driver is a facade: the HTTP/2 work is H2Session's (h2session.h).

namespace hopscope {

// --- Http2Driver ------------------------------------------------------------------------------

Http2Options Http2Options::fromLimits(const Limits &limits, int idleMs)
{
    Http2Options o;
    o.maxHeaderListSize = quint32(std::clamp<qsizetype>(limits.maxHeaderBytes, 0, 0x7fffffff));
    o.maxContinuations = limits.maxContinuations;
    o.streamWindow = qint32(std::clamp<qint64>(limits.h2StreamWindow, 0, 0x7fffffff));
    o.maxEmptyDataFrames = limits.maxEmptyDataFrames;
    o.maxIdleControlFrames = limits.maxIdleControlFrames;
    o.idleMs = idleMs;
    return o;
}

struct Http2Driver::Private
{
    Private(Http2Driver *q, Connection *conn, const Http2Options &opts) : session(q, conn, opts) {}
    H2Session session;
};

Http2Driver::Http2Driver(Connection *connection, const Http2Options &options, QObject *parent)
    : ProtocolDriver(connection, parent), d(std::make_unique<Private>(this, connection, options))
{
}

Http2Driver::~Http2Driver() = default;

QByteArray Http2Driver::settingsPayload(const Http2Options &options)
{
    const auto iv = H2Session::settingsEntries(options);
    QByteArray out(qsizetype(iv.size() * 6), Qt::Uninitialized);
    const ssize_t n = nghttp2_pack_settings_payload(reinterpret_cast<uint8_t *>(out.data()),
                                                    size_t(out.size()), iv.data(), iv.size());
    out.resize(n < 0 ? 0 : qsizetype(n));
    return out;
}

void Http2Driver::startPriorKnowledge()
{
    d->session.startPriorKnowledge();
}

void Http2Driver::startAfterUpgrade(Exchange *upgraded, const QByteArray &settings,
                                    QByteArrayView leftover)
{
    d->session.startAfterUpgrade(upgraded, settings, leftover);
}

bool Http2Driver::canSubmit() const
{
    return d->session.canSubmit();
}

bool Http2Driver::isReusable() const
{
    return d->session.isReusable();
}

int Http2Driver::inFlight() const
{
    return d->session.inFlight();
}

void Http2Driver::submit(Exchange *exchange)
{
    d->session.submit(exchange);
}

void Http2Driver::abort(const QByteArray &code, const QString &message)
{
    d->session.abort(code, message);
}

quint32 Http2Driver::peerMaxConcurrentStreams() const
{
    return d->session.peerMaxConcurrentStreams();
}

} // namespace hopscope
