#include "demohttp1session.h"

#include "demosocket.h"
#include "demotcpecho.h"
#include "demowebsocketecho.h"

#include <QAbstractSocket>
#include <QDateTime>
#include <QLocale>

namespace hopscope {

namespace {

constexpr qint64 kBodyPiece = 256 * 1024;
// Pipelined input held while a response is going out; beyond it the socket's read buffer and
// then the kernel push back.
constexpr qsizetype kMaxBufferedInput = 256 * 1024;

void appendHeader(QByteArray &head, const QByteArray &name, const QByteArray &value)
{
    head += name + ": " + value + "\r\n";
}

} // namespace

DemoHttp1Session::DemoHttp1Session(QAbstractSocket *socket, bool tls, QObject *parent)
    : QObject(parent), m_socket(socket), m_tls(tls), m_parser(tls)
{
    m_delay.setSingleShot(true);
    m_delay.setTimerType(Qt::PreciseTimer);
    connect(&m_delay, &QTimer::timeout, this,
            [this] { sendResponse(std::move(m_delayed), m_delayedAdvertise, m_delayedDeclined); });
}

DemoHttp1Session::~DemoHttp1Session() = default;

void DemoHttp1Session::start(const QByteArray &initial)
{
    m_parser.reset();
    m_in = initial;
    connect(m_socket, &QAbstractSocket::readyRead, this, &DemoHttp1Session::onReadyRead);
    DemoSocket::onWritten(m_socket, this, &DemoHttp1Session::pump);
    onReadyRead();
}

QByteArrayView DemoHttp1Session::unread() const
{
    return QByteArrayView(m_in).sliced(m_inPos);
}

void DemoHttp1Session::onReadyRead()
{
    if (m_state == State::Switched || m_state == State::Closing)
        return;
    // While a response is going out, stop taking input past a bound: a client pipelining
    // without reading must not grow this buffer.
    if (m_in.size() - m_inPos < kMaxBufferedInput && m_socket->bytesAvailable() > 0) {
        if (m_inPos > 0) {
            m_in.remove(0, m_inPos);
            m_inPos = 0;
        }
        m_in += DemoSocket::readAvailable(m_socket, kMaxBufferedInput);
    }
    process();
}

void DemoHttp1Session::process()
{
    while (m_state == State::Reading) {
        if (m_inPos >= m_in.size()) {
            m_in.clear();
            m_inPos = 0;
            if (m_socket->bytesAvailable() <= 0)
                return;
            m_in = DemoSocket::readAvailable(m_socket, kMaxBufferedInput);
        }
        qsizetype used = 0;
        const DemoRequestParser::Result r = m_parser.feed(unread(), &used);
        m_inPos += used;
        switch (r) {
        case DemoRequestParser::Result::NeedMore:
            break;
        case DemoRequestParser::Result::HeadComplete: {
            const DemoRequest &req = m_parser.request();
            if (m_parser.hasBody() && req.version == "HTTP/1.1" &&
                headerHasToken(req.headers, "Expect", "100-continue")) {
                m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            }
            break;
        }
        case DemoRequestParser::Result::Complete:
            handleRequest();
            break;
        case DemoRequestParser::Result::Error:
            fail(m_parser.errorStatus(), m_parser.errorMessage());
            return;
        }
    }
}

void DemoHttp1Session::fail(int status, const QByteArray &message)
{
    m_keepAlive = false;
    m_headRequest = false;
    // Nothing after a malformed request can be framed reliably: answer, then close.
    sendResponse(DemoRoutes::error(status, message), false, {});
}

void DemoHttp1Session::handleRequest()
{
    m_state = State::Responding;
    const DemoRequest &req = m_parser.request();
    // After a refused CONNECT the client may already be sending tunnel bytes: do not read them
    // as requests.
    m_keepAlive = m_parser.keepAlive() && req.method != "CONNECT";
    m_headRequest = req.isHead();
    QByteArray declined;
    if (hasHeader(req.headers, "Upgrade")) {
        if (tryUpgrade(&declined))
            return;
    }
    DemoResponse response = DemoRoutes::respond(req);
    // HTTP/1.0 cannot switch protocols (RFC 9110 §7.8), so it gets no advertisement either.
    const bool advertise = !hasHeader(req.headers, "Upgrade") && req.version == "HTTP/1.1";
    if (response.delayMs > 0) {
        m_delayedAdvertise = advertise;
        m_delayedDeclined = declined;
        m_delay.start(response.delayMs);
        m_delayed = std::move(response);
        return;
    }
    sendResponse(std::move(response), advertise, declined);
}

bool DemoHttp1Session::tryUpgrade(QByteArray *declined)
{
    const DemoRequest &req = m_parser.request();
    const QList<QByteArray> tokens = headerTokens(req.headers, "Upgrade");
    if (req.version != "HTTP/1.1") {
        *declined = "Upgrade is ignored in an HTTP/1.0 request (RFC 9110 §7.8)";
        return false;
    }
    if (!headerHasToken(req.headers, "Connection", "upgrade")) {
        *declined = "Upgrade without “Connection: Upgrade” (RFC 9110 §7.8)";
        return false;
    }
    for (const QByteArray &token : tokens) {
        if (token.compare("h2c", Qt::CaseInsensitive) == 0) {
            if (m_tls) {
                *declined = "h2c is cleartext HTTP/2; over TLS, HTTP/2 is chosen by ALPN h2";
                continue;
            }
            const QList<QByteArray> values = headerValues(req.headers, "HTTP2-Settings");
            if (values.size() != 1) {
                *declined = "h2c needs exactly one HTTP2-Settings header (RFC 7540 §3.2.1)";
                continue;
            }
            if (!headerHasToken(req.headers, "Connection", "HTTP2-Settings")) {
                *declined = "h2c needs HTTP2-Settings listed in Connection (RFC 7540 §3.2.1)";
                continue;
            }
            const auto decoded = QByteArray::fromBase64Encoding(
                values.first(),
                QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded || decoded.decoded.size() % 6 != 0) {
                *declined = "HTTP2-Settings is not a base64url SETTINGS payload";
                continue;
            }
            switchProtocol(DemoUpgrade::Kind::Http2,
                           {{"Connection", "Upgrade"}, {"Upgrade", "h2c"}}, {}, decoded.decoded);
            return true;
        }
        if (token.compare("websocket", Qt::CaseInsensitive) == 0) {
            HeaderList accept;
            DemoResponse refusal;
            if (!DemoWebSocketEcho::handshake(req, &accept, &refusal)) {
                // The client insists on WebSocket: a plain answer would be misread.
                sendResponse(std::move(refusal), false, {});
                return true;
            }
            switchProtocol(DemoUpgrade::Kind::WebSocket, accept);
            return true;
        }
        if (token.compare("tcp", Qt::CaseInsensitive) == 0) {
            // The greeting goes in the same write as the 101 head: a client has to hand the
            // bytes that came with the 101 to the tunnel, not drop them.
            switchProtocol(DemoUpgrade::Kind::Tcp, {{"Connection", "Upgrade"}, {"Upgrade", "tcp"}},
                           DemoTcpEcho::greeting());
            return true;
        }
    }
    if (declined->isEmpty()) {
        *declined = "no protocol offered in Upgrade is spoken here (h2c, websocket, tcp are)";
    }
    return false;
}

void DemoHttp1Session::switchProtocol(DemoUpgrade::Kind kind, const HeaderList &headers,
                                      const QByteArray &extra, const QByteArray &settings)
{
    QByteArray head = "HTTP/1.1 101 Switching Protocols\r\n";
    for (const HttpHeader &h : headers)
        appendHeader(head, h.name, h.value);
    head += "\r\n";
    m_socket->write(head + extra);

    m_state = State::Switched;
    m_delay.stop();
    m_socket->disconnect(this);
    DemoUpgrade upgrade;
    upgrade.kind = kind;
    upgrade.request = m_parser.request();
    upgrade.settings = settings;
    upgrade.leftover = unread().toByteArray();
    m_in.clear();
    m_inPos = 0;
    emit upgraded(upgrade);
}

void DemoHttp1Session::sendResponse(DemoResponse response, bool advertise,
                                    const QByteArray &declined)
{
    if (m_state == State::Switched || m_state == State::Closing)
        return;
    m_state = State::Responding;
    const int status = response.status;
    const bool noContent = DemoRoutes::forbidsBody(status);
    std::unique_ptr<DemoBody> body = std::move(response.body);
    const qint64 size = noContent ? 0 : (body ? body->size() : 0);
    const bool http10 = m_parser.request().version == "HTTP/1.0";
    m_chunked = !noContent && size < 0 && !http10;
    if (!noContent && size < 0 && http10)
        m_keepAlive = false; // close-delimited: HTTP/1.0 has no chunking

    QByteArray head =
        "HTTP/1.1 " + QByteArray::number(status) + ' ' + DemoRoutes::reasonPhrase(status) + "\r\n";
    appendHeader(head, "Date", DemoRoutes::httpDate());
    appendHeader(head, "Server", DemoRoutes::serverName());
    bool hasUpgrade = false;
    for (const HttpHeader &h : response.headers) {
        appendHeader(head, h.name, h.value);
        hasUpgrade |= h.name.compare("Upgrade", Qt::CaseInsensitive) == 0;
    }
    if (!declined.isEmpty())
        appendHeader(head, "Hopscope-Upgrade-Declined", declined);
    if (advertise && !hasUpgrade) {
        // Apache's advertisement: the protocol this port would rather speak. Only `h2c` on
        // cleartext (h2 needs TLS) and only `h2` over TLS (h2c is cleartext-only).
        appendHeader(head, "Upgrade", m_tls ? "h2" : "h2c");
        hasUpgrade = true;
    }
    QList<QByteArray> connection;
    if (hasUpgrade)
        connection << "Upgrade";
    if (!m_keepAlive)
        connection << "close";
    else if (http10)
        connection << "keep-alive";
    if (!connection.isEmpty())
        appendHeader(head, "Connection", connection.join(", "));
    if (m_chunked)
        appendHeader(head, "Transfer-Encoding", "chunked");
    else if (!noContent && size >= 0)
        appendHeader(head, "Content-Length", QByteArray::number(size));
    head += "\r\n";

    m_body.reset();
    if (!noContent && !m_headRequest && body) {
        m_body.reset(body.release());
        m_body->setParent(this);
        connect(m_body.get(), &DemoBody::ready, this, &DemoHttp1Session::pump);
    }
    m_socket->write(head);
    if (m_body)
        m_body->start();
    pump();
}

void DemoHttp1Session::pump()
{
    if (m_pumping || m_state != State::Responding || m_delay.isActive())
        return;
    m_pumping = true;
    while (m_body && !m_body->atEnd() && DemoSocket::canWrite(m_socket)) {
        if (m_chunk.size() != kBodyPiece) // at its size: resize() would take twice that
            m_chunk = QByteArray(kBodyPiece, Qt::Uninitialized);
        const qint64 n = m_body->read(m_chunk.data(), kBodyPiece);
        if (n <= 0)
            break; // a paced body: ready() resumes
        if (m_chunked)
            m_socket->write(QByteArray::number(n, 16) + "\r\n");
        m_socket->write(m_chunk.constData(), n);
        if (m_chunked)
            m_socket->write("\r\n");
    }
    const bool done = !m_body || m_body->atEnd();
    m_pumping = false;
    if (done && m_socket->state() == QAbstractSocket::ConnectedState)
        finishResponse();
}

void DemoHttp1Session::finishResponse()
{
    if (m_chunked && m_body)
        m_socket->write("0\r\n\r\n");
    m_body.reset();
    m_chunked = false;
    if (!m_keepAlive) {
        m_state = State::Closing;
        m_socket->disconnectFromHost(); // after Qt's buffers are written
        return;
    }
    m_state = State::Reading;
    m_parser.reset();
    // Queued, so a long pipeline of small requests does not recurse.
    QMetaObject::invokeMethod(this, &DemoHttp1Session::process, Qt::QueuedConnection);
}

} // namespace hopscope
