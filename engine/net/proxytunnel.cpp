#include "net/proxytunnel.h"

#include "core/exchange.h"
#include "http1/http1requestwriter.h"
#include "trace/tracestore.h"

#include <QAbstractSocket>
#include <QCborArray>
#include <QHostInfo>
#include <QtEndian>

#include <cstring>
#include <iterator>

namespace hopscope {

namespace {

constexpr char kSocksVersion = 0x05;
constexpr char kNoAuth = 0x00;
constexpr char kUserPass = 0x02;
constexpr unsigned char kNoAcceptable = 0xFF;

QString socksMethodName(unsigned char m)
{
    switch (m) {
    case 0x00:
        return QStringLiteral("none");
    case 0x01:
        return QStringLiteral("gssapi");
    case 0x02:
        return QStringLiteral("username/password");
    case kNoAcceptable:
        return QStringLiteral("no acceptable method");
    default:
        return QStringLiteral("method 0x%1").arg(m, 2, 16, QLatin1Char('0'));
    }
}

// RFC 1928 §6.
QString socksReplyText(unsigned char code)
{
    static const char *const texts[] = {"succeeded",
                                        "general SOCKS server failure",
                                        "connection not allowed by ruleset",
                                        "network unreachable",
                                        "host unreachable",
                                        "connection refused",
                                        "TTL expired",
                                        "command not supported",
                                        "address type not supported"};
    if (code < std::size(texts))
        return QString::fromLatin1(texts[code]);
    return QStringLiteral("unassigned reply code %1").arg(code);
}

QByteArray bracketedHost(const QString &host)
{
    const QByteArray h = host.toUtf8();
    return host.contains(QLatin1Char(':')) ? '[' + h + ']' : h;
}

} // namespace

ProxyTunnel::ProxyTunnel(QAbstractSocket *socket, const RoutePlan &plan, const RouteOptions &route,
                         const Limits &limits, TraceStore *trace, EventScope scope, QObject *parent)
    : QObject(parent), m_socket(socket), m_plan(plan), m_route(route), m_limits(limits),
      m_trace(trace), m_scope(scope)
{
    connect(m_socket, &QAbstractSocket::readyRead, this, &ProxyTunnel::onReadyRead);
    connect(m_socket, &QAbstractSocket::disconnected, this, &ProxyTunnel::onClosed);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, &ProxyTunnel::onClosed);
}

ProxyTunnel::~ProxyTunnel()
{
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(m_lookupId);
}

QString ProxyTunnel::proxyName() const
{
    return m_plan.proxy ? m_plan.proxy->toString() : QString();
}

QString ProxyTunnel::targetName() const
{
    return QString::fromUtf8(bracketedHost(m_plan.targetHost)) + QLatin1Char(':') +
           QString::number(m_plan.targetPort);
}

void ProxyTunnel::start()
{
    m_startNs = m_trace->elapsedNs();
    if (m_plan.proxy->kind == ProxyEndpoint::Kind::Http)
        sendConnect();
    else
        resolveTargetThenGreet();
}

void ProxyTunnel::write(const QByteArray &bytes)
{
    m_trace->record(EventType::NetWrite, m_scope, Direction::Out)
        .integer(Field::Bytes, bytes.size());
    m_socket->write(bytes);
}

void ProxyTunnel::onReadyRead()
{
    switch (m_step) {
    case Step::ConnectHead:
        readConnectResponse();
        break;
    case Step::SocksMethod:
        readSocksMethod();
        break;
    case Step::SocksAuth:
        readSocksAuth();
        break;
    case Step::SocksReply:
        readSocksReply();
        break;
    case Step::Idle:
    case Step::Resolving:
    case Step::Done:
        break; // a proxy that talks before it is asked: read when its turn comes
    }
}

void ProxyTunnel::onClosed()
{
    if (m_step == Step::Done || m_step == Step::Idle)
        return;
    if (m_step == Step::ConnectHead) {
        m_socket->disconnect(this); // once: disconnected() and errorOccurred() both arrive
        fail("proxy-closed",
             QStringLiteral("the proxy %1 closed the connection before answering CONNECT %2%3")
                 .arg(proxyName(), targetName(),
                      m_parser && m_parser->messageStarted()
                          ? QStringLiteral(" completely (a partial response head)")
                          : QString()));
        return;
    }
    m_socket->disconnect(this);
    fail("proxy-handshake",
         QStringLiteral("the SOCKS5 proxy %1 closed the connection during the handshake%2")
             .arg(proxyName(),
                  m_pending.isEmpty()
                      ? QString()
                      : QStringLiteral(" (after %1 bytes of its answer)").arg(m_pending.size())));
}

void ProxyTunnel::finish()
{
    m_step = Step::Done;
    m_socket->disconnect(this);
    m_trace->record(EventType::ProxyEstablished, m_scope)
        .text(Field::Proxy, proxyName())
        .text(Field::Target, targetName())
        .value(Field::Ms, ExchangeTimings::ms(m_startNs, m_trace->elapsedNs()));
    emit established();
}

void ProxyTunnel::fail(const QByteArray &code, const QString &message)
{
    m_step = Step::Done;
    m_socket->disconnect(this);
    emit failed(code, message);
}

// --- HTTP CONNECT (RFC 9110 §9.3.6) -----------------------------------------------------------

void ProxyTunnel::sendConnect()
{
    const QByteArray authority =
        bracketedHost(m_plan.targetHost) + ':' + QByteArray::number(m_plan.targetPort);
    // As curl sends it.
    HeaderList headers{{"Host", authority},
                       {"User-Agent", Http1RequestWriter::userAgent()},
                       {"Proxy-Connection", "Keep-Alive"}};
    if (m_plan.proxy->hasCredentials) {
        const QByteArray credentials =
            (m_plan.proxy->user + QLatin1Char(':') + m_plan.proxy->password).toUtf8();
        headers.append(HttpHeader{"Proxy-Authorization", "Basic " + credentials.toBase64()});
    }
    QByteArray bytes = "CONNECT " + authority + " HTTP/1.1\r\n";
    for (const HttpHeader &h : headers)
        bytes += h.name + ": " + h.value + "\r\n";
    bytes += "\r\n";
    m_trace->record(EventType::ProxyConnect, m_scope, Direction::Out)
        .text(Field::Proxy, proxyName())
        .text(Field::Target, QString::fromUtf8(authority))
        .headers(Field::Headers, headers)
        .integer(Field::Bytes, bytes.size());
    m_parser = std::make_unique<Http1ResponseParser>(
        m_limits, static_cast<Http1ResponseParser::Listener *>(this));
    m_parser->startResponse("CONNECT");
    m_step = Step::ConnectHead;
    write(bytes);
}

void ProxyTunnel::readConnectResponse()
{
    // Peek, so that what follows the head stays in the socket for the protocol on top.
    const QByteArray available = m_socket->peek(m_socket->bytesAvailable());
    if (available.isEmpty())
        return;
    qsizetype consumed = 0;
    const Http1ResponseParser::Result result = m_parser->feed(available, &consumed);
    if (result == Http1ResponseParser::Result::NeedMore)
        consumed = available.size();
    m_socket->read(consumed);
    m_trace->record(EventType::NetRead, m_scope, Direction::In).integer(Field::Bytes, consumed);
    if (m_finalStatus >= 200 && m_finalStatus < 300) {
        finish();
        return;
    }
    if (m_finalStatus != 0) {
        const QString hint = m_finalStatus == 407
                                 ? (m_plan.proxy->hasCredentials
                                        ? QStringLiteral(": the proxy refused the credentials")
                                        : QStringLiteral(": the proxy wants credentials"))
                                 : QString();
        fail("proxy-status", QStringLiteral("CONNECT tunnel failed, response %1 %2 from the "
                                            "proxy %3%4")
                                 .arg(m_finalStatus)
                                 .arg(QString::fromLatin1(m_finalReason), proxyName(), hint));
        return;
    }
    if (result == Http1ResponseParser::Result::Error) {
        const QByteArray code = m_parser->errorCode();
        fail(code.startsWith("limit:") ? code : QByteArrayLiteral("proxy-handshake"),
             QStringLiteral("the proxy %1 answered CONNECT with something that is not an HTTP "
                            "response: %2")
                 .arg(proxyName(), m_parser->errorString()));
    }
}

void ProxyTunnel::onResponseHead(const ResponseHead &head)
{
    m_trace->record(EventType::ProxyResponse, m_scope, Direction::In)
        .integer(Field::Status, head.status)
        .bytes(Field::Reason, head.reason)
        .bytes(Field::Version, head.version)
        .headers(Field::Headers, head.headers)
        .integer(Field::Bytes, head.raw.size());
    if (head.status >= 200) {
        m_finalStatus = head.status;
        m_finalReason = head.reason;
    }
}

// --- SOCKS5 --------------------------------------------------------------------------------------

void ProxyTunnel::resolveTargetThenGreet()
{
    if (m_plan.proxy->kind == ProxyEndpoint::Kind::Socks5h) {
        sendSocksGreeting(); // the proxy resolves
        return;
    }
    // socks5://: the name is resolved here and the proxy gets an address, as curl does.
    if (const auto given = resolveOverride(m_route, m_plan.targetHost, m_plan.targetPort)) {
        if (given->isEmpty()) {
            fail("dns", QStringLiteral("--resolve gives %1 no address of the wanted family")
                            .arg(m_plan.targetHost));
            return;
        }
        m_targetAddress = given->first();
        m_trace->record(EventType::Dns, m_scope)
            .text(Field::Host, m_plan.targetHost)
            .value(Field::Addresses, QCborArray{m_targetAddress.toString()})
            .value(Field::Ms, 0.0)
            .text(Field::Via, QStringLiteral("--resolve (for the SOCKS5 request)"));
        sendSocksGreeting();
        return;
    }
    if (m_targetAddress.setAddress(m_plan.targetHost)) {
        sendSocksGreeting();
        return;
    }
    m_step = Step::Resolving;
    m_lookupId = QHostInfo::lookupHost(m_plan.targetHost, this, &ProxyTunnel::onTargetLookedUp);
}

void ProxyTunnel::onTargetLookedUp(const QHostInfo &info)
{
    m_lookupId = -1;
    if (m_step != Step::Resolving)
        return;
    const QList<QHostAddress> addresses = filterFamily(info.addresses(), m_route.family);
    if (info.error() != QHostInfo::NoError || addresses.isEmpty()) {
        fail("dns", QStringLiteral("could not resolve host %1 (for the SOCKS5 request): %2")
                        .arg(m_plan.targetHost, info.error() != QHostInfo::NoError
                                                    ? info.errorString()
                                                    : QStringLiteral("no address of the "
                                                                     "wanted family")));
        return;
    }
    m_targetAddress = addresses.first();
    QCborArray list;
    for (const QHostAddress &a : addresses)
        list.append(a.toString());
    m_trace->record(EventType::Dns, m_scope)
        .text(Field::Host, m_plan.targetHost)
        .value(Field::Addresses, list)
        .value(Field::Ms, ExchangeTimings::ms(m_startNs, m_trace->elapsedNs()))
        .text(Field::Via, QStringLiteral("local DNS (for the SOCKS5 request)"));
    sendSocksGreeting();
}

void ProxyTunnel::sendSocksGreeting()
{
    QByteArray greeting{1, kSocksVersion};
    QList<QByteArray> methods{"none"};
    QByteArray codes{1, kNoAuth};
    if (m_plan.proxy->hasCredentials) {
        codes.append(kUserPass);
        methods.append("username/password");
    }
    greeting.append(char(codes.size())).append(codes);
    m_trace->record(EventType::SocksGreeting, m_scope, Direction::Out)
        .text(Field::Proxy, proxyName())
        .atoms(Field::Methods, methods);
    m_step = Step::SocksMethod;
    write(greeting);
}

bool ProxyTunnel::takeExactly(qsizetype n, QByteArray *out)
{
    if (m_pending.size() < n) {
        const QByteArray more = m_socket->read(n - m_pending.size());
        if (!more.isEmpty()) {
            m_trace->record(EventType::NetRead, m_scope, Direction::In)
                .integer(Field::Bytes, more.size());
        }
        m_pending += more;
    }
    if (m_pending.size() < n)
        return false;
    *out = m_pending;
    m_pending.clear();
    return true;
}

void ProxyTunnel::readSocksMethod()
{
    QByteArray answer;
    if (!takeExactly(2, &answer))
        return;
    const auto method = static_cast<unsigned char>(answer.at(1));
    m_trace->record(EventType::SocksMethod, m_scope, Direction::In)
        .text(Field::Method, socksMethodName(method));
    if (answer.at(0) != kSocksVersion) {
        fail("proxy-handshake", QStringLiteral("the proxy %1 does not speak SOCKS5 (it answered "
                                               "the greeting with version byte 0x%2)")
                                    .arg(proxyName())
                                    .arg(quint8(answer.at(0)), 2, 16, QLatin1Char('0')));
        return;
    }
    if (method == kNoAuth) {
        sendSocksRequest();
        return;
    }
    if (method == quint8(kUserPass) && m_plan.proxy->hasCredentials) {
        const QByteArray user = m_plan.proxy->user.toUtf8();
        const QByteArray password = m_plan.proxy->password.toUtf8();
        if (user.size() > 255 || password.size() > 255) {
            fail("proxy-handshake", QStringLiteral("SOCKS5 user name and password are at most "
                                                   "255 bytes each (RFC 1929)"));
            return;
        }
        QByteArray auth{1, 0x01};
        auth.append(char(user.size())).append(user);
        auth.append(char(password.size())).append(password);
        m_trace->record(EventType::SocksAuth, m_scope, Direction::Out)
            .text(Field::User, m_plan.proxy->user);
        m_step = Step::SocksAuth;
        write(auth);
        return;
    }
    fail("proxy-handshake",
         method == kNoAcceptable
             ? QStringLiteral("the SOCKS5 proxy %1 accepts none of the offered methods (%2)")
                   .arg(proxyName(), m_plan.proxy->hasCredentials
                                         ? QStringLiteral("none, username/password")
                                         : QStringLiteral("none; --proxy-user offers a "
                                                          "username and password"))
             : QStringLiteral("the SOCKS5 proxy %1 chose %2, which was not offered")
                   .arg(proxyName(), socksMethodName(method)));
}

void ProxyTunnel::readSocksAuth()
{
    QByteArray answer;
    if (!takeExactly(2, &answer))
        return;
    const auto status = quint8(answer.at(1));
    m_trace->record(EventType::SocksAuthReply, m_scope, Direction::In)
        .integer(Field::Status, status);
    if (status != 0) {
        fail("proxy-handshake",
             QStringLiteral("the SOCKS5 proxy %1 refused the user name and password (status %2)")
                 .arg(proxyName())
                 .arg(status));
        return;
    }
    sendSocksRequest();
}

void ProxyTunnel::sendSocksRequest()
{
    QByteArray request{"\x05\x01\x00", 3}; // version, CONNECT, reserved
    QString shownHost;
    QByteArray kind;
    if (m_plan.proxy->kind == ProxyEndpoint::Kind::Socks5h) {
        const QByteArray name = m_plan.targetHost.toUtf8();
        if (name.size() > 255) {
            fail("proxy-handshake",
                 QStringLiteral("host name too long for SOCKS5 (at most 255 bytes)"));
            return;
        }
        request.append(char(0x03)).append(char(name.size())).append(name);
        shownHost = m_plan.targetHost;
        kind = "domain";
    } else if (m_targetAddress.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 v4 = m_targetAddress.toIPv4Address();
        request.append(char(0x01));
        for (int shift = 24; shift >= 0; shift -= 8)
            request.append(char((v4 >> shift) & 0xFF));
        shownHost = m_targetAddress.toString();
        kind = "ipv4";
    } else {
        const Q_IPV6ADDR v6 = m_targetAddress.toIPv6Address();
        request.append(char(0x04)).append(reinterpret_cast<const char *>(v6.c), 16);
        shownHost = m_targetAddress.toString();
        kind = "ipv6";
    }
    request.append(char(m_plan.targetPort >> 8)).append(char(m_plan.targetPort & 0xFF));
    m_trace->record(EventType::SocksRequest, m_scope, Direction::Out)
        .text(Field::Host, shownHost)
        .integer(Field::Port, m_plan.targetPort)
        .atom(Field::Kind, kind);
    m_step = Step::SocksReply;
    write(request);
}

void ProxyTunnel::readSocksReply()
{
    // VER REP RSV ATYP, then the bound address (4, 16, or 1 + its length) and port.
    if (m_pending.size() < 5) {
        QByteArray head;
        if (!takeExactly(5, &head))
            return;
        m_pending = head; // keep it: the total length depends on it
    }
    const auto atyp = quint8(m_pending.at(3));
    qsizetype total = 0;
    if (atyp == 0x01)
        total = 4 + 4 + 2;
    else if (atyp == 0x04)
        total = 4 + 16 + 2;
    else if (atyp == 0x03)
        total = 4 + 1 + quint8(m_pending.at(4)) + 2;
    const auto code = quint8(m_pending.at(1));
    if (m_pending.at(0) != kSocksVersion || total == 0) {
        m_trace->record(EventType::SocksReply, m_scope, Direction::In)
            .integer(Field::Code, code)
            .text(Field::Reason, QStringLiteral("malformed reply"));
        fail("proxy-handshake",
             QStringLiteral("the SOCKS5 proxy %1 sent a malformed reply (version 0x%2, address "
                            "type 0x%3)")
                 .arg(proxyName())
                 .arg(quint8(m_pending.at(0)), 2, 16, QLatin1Char('0'))
                 .arg(atyp, 2, 16, QLatin1Char('0')));
        return;
    }
    QByteArray reply;
    if (!takeExactly(total, &reply))
        return;
    QString bound;
    if (atyp == 0x01) {
        bound = QHostAddress(qFromBigEndian<quint32>(reply.constData() + 4)).toString();
    } else if (atyp == 0x04) {
        Q_IPV6ADDR v6;
        std::memcpy(v6.c, reply.constData() + 4, 16);
        bound = QHostAddress(v6).toString();
    } else {
        bound = QString::fromLatin1(reply.mid(5, quint8(reply.at(4))));
    }
    const quint16 port = qFromBigEndian<quint16>(reply.constData() + total - 2);
    m_trace->record(EventType::SocksReply, m_scope, Direction::In)
        .integer(Field::Code, code)
        .text(Field::Reason, socksReplyText(code))
        .text(Field::Address, bound)
        .integer(Field::Port, port);
    if (code != 0) {
        fail("proxy-handshake", QStringLiteral("the SOCKS5 proxy %1 could not connect to %2: %3 "
                                               "(reply code %4)")
                                    .arg(proxyName(), targetName(), socksReplyText(code))
                                    .arg(code));
        return;
    }
    finish();
}

} // namespace hopscope
