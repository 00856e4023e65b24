#include "demohttp2session.h"

#include "demoroutes.h"
#include "demosocket.h"

#include <QAbstractSocket>
#include <QDateTime>
#include <QLocale>
#include <QPointer>
#include <QTimer>

#include <nghttp2/nghttp2.h>

#include <unordered_map>
#include <vector>

namespace hopscope {

namespace {

constexpr qint64 kReadPiece = 256 * 1024;
constexpr qsizetype kWriteBatch = 64 * 1024; // frames are gathered into writes of this size
constexpr qint32 kStreamWindow = 16 * 1024 * 1024;
constexpr qint32 kConnectionWindow = 1024 * 1024 * 1024;
constexpr quint32 kMaxConcurrentStreams = 100;
constexpr qint64 kMaxHeaderListBytes = 64 * 1024;

// One request stream; found through nghttp2's stream user data and m_streams.
struct Stream
{
    qint32 id = 0;
    DemoRequest request;
    qint64 headerBytes = 0;
    bool headersTooLarge = false;
    bool answered = false;
    bool deferred = false; // the data provider returned NGHTTP2_ERR_DEFERRED
    DemoBodyPtr body;
};

nghttp2_nv makeNv(const QByteArray &name, const QByteArray &value)
{
    // nghttp2 copies names and values on submit, so pointing at temporaries is fine.
    return nghttp2_nv{reinterpret_cast<uint8_t *>(const_cast<char *>(name.constData())),
                      reinterpret_cast<uint8_t *>(const_cast<char *>(value.constData())),
                      size_t(name.size()), size_t(value.size()), NGHTTP2_NV_FLAG_NONE};
}

class Session
{
public:
    DemoHttp2Session *q;
    QAbstractSocket *socket;
    bool tls;
    quint16 h3Port = 0;
    nghttp2_session *session = nullptr;
    std::unordered_map<qint32, std::unique_ptr<Stream>> streams;
    QByteArray out;
    bool inRecv = false; // inside nghttp2_session_mem_recv: sending must wait until it returns
    bool pumping = false;
    bool ended = false;
    // After an h2c upgrade, stream 1 is answered once the client's preface and SETTINGS are in:
    // a response sent right behind the 101 lands in the client's HTTP/1.1 read buffer, and curl
    // (7.88) fails when that holds more than 32 KiB.
    bool upgradeAnswerPending = false;

    Session(DemoHttp2Session *session, QAbstractSocket *s, bool t) : q(session), socket(s), tls(t)
    {
    }
    ~Session()
    {
        streams.clear();
        nghttp2_session_del(session);
    }

    bool create();
    bool feed(QByteArrayView data);
    void onReadyRead();
    void pump();
    void end(const QString &reason);
    void requestComplete(Stream *st);
    void respond(qint32 id, DemoResponse response);
    void onBodyReady(qint32 id);
    Stream *stream(qint32 id) const
    {
        const auto it = streams.find(id);
        return it == streams.end() ? nullptr : it->second.get();
    }

    // nghttp2 callbacks
    int onBeginHeaders(const nghttp2_frame &frame);
    int onHeader(const nghttp2_frame &frame, QByteArrayView name, QByteArrayView value);
    int onFrameRecv(const nghttp2_frame &frame);
    int onStreamClose(qint32 id);
    ssize_t readBody(Stream *st, uint8_t *buf, size_t length, uint32_t *flags);
};

Session *self(void *userData)
{
    return static_cast<Session *>(userData);
}

int cbBeginHeaders(nghttp2_session *, const nghttp2_frame *frame, void *u)
{
    return self(u)->onBeginHeaders(*frame);
}

int cbHeader(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
             const uint8_t *value, size_t valuelen, uint8_t, void *u)
{
    return self(u)->onHeader(
        *frame, QByteArrayView(reinterpret_cast<const char *>(name), qsizetype(namelen)),
        QByteArrayView(reinterpret_cast<const char *>(value), qsizetype(valuelen)));
}

int cbFrameRecv(nghttp2_session *, const nghttp2_frame *frame, void *u)
{
    return self(u)->onFrameRecv(*frame);
}

int cbStreamClose(nghttp2_session *, int32_t id, uint32_t, void *u)
{
    return self(u)->onStreamClose(id);
}

ssize_t cbReadBody(nghttp2_session *, int32_t, uint8_t *buf, size_t length, uint32_t *flags,
                   nghttp2_data_source *source, void *u)
{
    return self(u)->readBody(static_cast<Stream *>(source->ptr), buf, length, flags);
}

} // namespace

struct DemoHttp2Session::Private : Session
{
    using Session::Session;
};

bool Session::create()
{
    nghttp2_session_callbacks *cbs = nullptr;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, cbBeginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(cbs, cbHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, cbFrameRecv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, cbStreamClose);
    const int rv = nghttp2_session_server_new(&session, cbs, this);
    nghttp2_session_callbacks_del(cbs);
    if (rv != 0)
        return false;

    // Large windows so uploads are not throttled (the client's windows bound our downloads).
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxConcurrentStreams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, quint32(kStreamWindow)},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, quint32(kMaxHeaderListBytes)},
    };
    if (nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0)
        return false;
    return nghttp2_session_set_local_window_size(session, NGHTTP2_FLAG_NONE, 0,
                                                 kConnectionWindow) == 0;
}

bool Session::feed(QByteArrayView data)
{
    if (data.isEmpty() || ended)
        return !ended;
    inRecv = true;
    const ssize_t rv = nghttp2_session_mem_recv(
        session, reinterpret_cast<const uint8_t *>(data.data()), size_t(data.size()));
    inRecv = false;
    if (rv < 0) {
        // Protocol errors nghttp2 answers itself with GOAWAY; what ends up here is fatal
        // (a bad client preface, a flood): nothing more can be said on this connection.
        end(QStringLiteral("HTTP/2 session error: %1")
                .arg(QString::fromLatin1(nghttp2_strerror(int(rv)))));
        return false;
    }
    return true;
}

void Session::onReadyRead()
{
    while (!ended && socket->bytesAvailable() > 0) {
        if (!feed(DemoSocket::readAvailable(socket, kReadPiece)))
            return;
    }
    pump();
}

void Session::pump()
{
    if (ended || inRecv || pumping)
        return;
    pumping = true;
    while (DemoSocket::canWrite(socket)) {
        const uint8_t *data = nullptr;
        const ssize_t n = nghttp2_session_mem_send(session, &data);
        if (n < 0) {
            pumping = false;
            end(QStringLiteral("HTTP/2 session error: %1")
                    .arg(QString::fromLatin1(nghttp2_strerror(int(n)))));
            return;
        }
        if (n == 0)
            break;
        out.append(reinterpret_cast<const char *>(data), n);
        if (out.size() >= kWriteBatch)
            socket->write(std::exchange(out, {}));
    }
    if (!out.isEmpty())
        socket->write(std::exchange(out, {}));
    pumping = false;
    if (!nghttp2_session_want_read(session) && !nghttp2_session_want_write(session))
        end(QStringLiteral("HTTP/2 session ended (GOAWAY)"));
}

void Session::end(const QString &reason)
{
    if (ended)
        return;
    ended = true;
    emit q->finished(reason);
}

int Session::onBeginHeaders(const nghttp2_frame &frame)
{
    if (frame.hd.type != NGHTTP2_HEADERS || frame.headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    auto st = std::make_unique<Stream>();
    st->id = frame.hd.stream_id;
    st->request.version = "HTTP/2";
    st->request.tls = tls;
    st->request.h3Port = h3Port;
    nghttp2_session_set_stream_user_data(session, st->id, st.get());
    streams[st->id] = std::move(st);
    return 0;
}

int Session::onHeader(const nghttp2_frame &frame, QByteArrayView name, QByteArrayView value)
{
    if (frame.hd.type != NGHTTP2_HEADERS || frame.headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0; // trailers are read and dropped
    Stream *st = stream(frame.hd.stream_id);
    if (!st || st->headersTooLarge)
        return 0;
    // RFC 9113 §6.5.2 counts 32 bytes of overhead per field.
    st->headerBytes += name.size() + value.size() + 32;
    if (st->headerBytes > kMaxHeaderListBytes) {
        st->headersTooLarge = true; // answered with 431 once the request is complete
        return 0;
    }
    DemoRequest &r = st->request;
    r.headers.append(HttpHeader{name.toByteArray(), value.toByteArray()});
    if (name == ":method") {
        r.method = value.toByteArray();
    } else if (name == ":path") {
        r.target = value.toByteArray();
        const qsizetype q = r.target.indexOf('?');
        r.path = q < 0 ? r.target : r.target.left(q);
    } else if (name == ":authority") {
        r.authority = value.toByteArray();
    } else if (name == "host" && r.authority.isEmpty()) {
        r.authority = value.toByteArray();
    }
    return 0;
}

int Session::onFrameRecv(const nghttp2_frame &frame)
{
    if (frame.hd.type == NGHTTP2_SETTINGS && !(frame.hd.flags & NGHTTP2_FLAG_ACK) &&
        std::exchange(upgradeAnswerPending, false)) {
        if (Stream *first = stream(1))
            requestComplete(first);
        return 0;
    }
    if (frame.hd.type != NGHTTP2_HEADERS && frame.hd.type != NGHTTP2_DATA)
        return 0;
    Stream *st = stream(frame.hd.stream_id);
    if (!st)
        return 0;
    if (frame.hd.type == NGHTTP2_DATA)
        st->request.bodyBytes += qint64(frame.hd.length) - qint64(frame.data.padlen);
    if (frame.hd.flags & NGHTTP2_FLAG_END_STREAM)
        requestComplete(st);
    return 0;
}

int Session::onStreamClose(qint32 id)
{
    // A reset stream or a finished one: its body and any pending delay go with it.
    streams.erase(id);
    return 0;
}

void Session::requestComplete(Stream *st)
{
    if (st->answered)
        return;
    st->answered = true;
    if (st->headersTooLarge) {
        respond(st->id,
                DemoRoutes::error(431, "request header list larger than " +
                                           QByteArray::number(kMaxHeaderListBytes) + " bytes"));
        return;
    }
    DemoResponse response = DemoRoutes::respond(st->request);
    if (response.delayMs > 0) {
        // The stream id, not the Stream, is kept: a reset stream is gone when the timer fires.
        const qint32 id = st->id;
        auto held = std::make_shared<DemoResponse>(std::move(response));
        QTimer::singleShot(held->delayMs, Qt::PreciseTimer, q, [this, id, held] {
            respond(id, std::move(*held));
            pump();
        });
        return;
    }
    respond(st->id, std::move(response));
}

void Session::respond(qint32 id, DemoResponse response)
{
    Stream *st = stream(id);
    if (!st || ended)
        return;
    const bool noContent = DemoRoutes::forbidsBody(response.status) || !response.body;
    const bool head = st->request.isHead();
    // Owns the bytes the nghttp2_nv entries point at until submit.
    const HeaderList fields = DemoRoutes::multiplexedFields(response);
    std::vector<nghttp2_nv> nva;
    nva.reserve(size_t(fields.size()));
    for (const HttpHeader &f : fields)
        nva.push_back(makeNv(f.name, f.value));

    nghttp2_data_provider provider{};
    const bool withBody = !noContent && !head;
    if (withBody) {
        st->body.reset(response.body.release());
        st->body->setParent(q);
        QObject::connect(st->body.get(), &DemoBody::ready, q, [this, id] { onBodyReady(id); });
        st->body->start();
        provider.source.ptr = st;
        provider.read_callback = cbReadBody;
    }
    const int rv = nghttp2_submit_response(session, id, nva.data(), nva.size(),
                                           withBody ? &provider : nullptr);
    if (rv != 0)
        nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, id, NGHTTP2_INTERNAL_ERROR);
}

void Session::onBodyReady(qint32 id)
{
    Stream *st = stream(id);
    if (!st || !st->deferred)
        return;
    st->deferred = false;
    nghttp2_session_resume_data(session, id);
    pump();
}

ssize_t Session::readBody(Stream *st, uint8_t *buf, size_t length, uint32_t *flags)
{
    const qint64 n = st->body->read(reinterpret_cast<char *>(buf), qint64(length));
    if (st->body->atEnd()) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        return n;
    }
    if (n == 0) {
        st->deferred = true;
        return NGHTTP2_ERR_DEFERRED;
    }
    return n;
}

DemoHttp2Session::DemoHttp2Session(QAbstractSocket *socket, bool tls, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>(this, socket, tls))
{
}

DemoHttp2Session::~DemoHttp2Session() = default;

void DemoHttp2Session::setH3Port(quint16 port)
{
    d->h3Port = port;
}

bool DemoHttp2Session::startDirect(const QByteArray &initial)
{
    if (!d->create())
        return false;
    connect(d->socket, &QAbstractSocket::readyRead, this, [this] { d->onReadyRead(); });
    DemoSocket::onWritten(d->socket, this, [this] { d->pump(); });
    if (!d->feed(initial))
        return false;
    d->onReadyRead();
    return !d->ended;
}

bool DemoHttp2Session::startAfterUpgrade(const DemoUpgrade &upgrade)
{
    if (!d->create())
        return false;
    auto st = std::make_unique<Stream>();
    st->id = 1;
    st->request = upgrade.request;
    st->request.upgradedToHttp2 = true;
    Stream *raw = st.get();
    d->streams[1] = std::move(st);
    const int rv = nghttp2_session_upgrade2(
        d->session, reinterpret_cast<const uint8_t *>(upgrade.settings.constData()),
        size_t(upgrade.settings.size()), upgrade.request.isHead() ? 1 : 0, raw);
    if (rv != 0)
        return false;
    connect(d->socket, &QAbstractSocket::readyRead, this, [this] { d->onReadyRead(); });
    DemoSocket::onWritten(d->socket, this, [this] { d->pump(); });
    // Stream 1 is half-closed (remote): its request is complete, and it is answered as soon
    // as the client's connection preface has arrived.
    d->upgradeAnswerPending = true;
    if (!d->feed(upgrade.leftover))
        return false;
    d->onReadyRead();
    return !d->ended;
}

} // namespace hopscope
