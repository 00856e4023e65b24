#include "net/connection.h"

#include "net/exchangeoutcome.h"
#include "net/proxytunnel.h"
#include "net/tlsfailure.h"
#include "trace/tracestore.h"

#include <QCborArray>
#include <QHostInfo>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>

namespace hopscope {

namespace {

QString tlsProtocolName(QSsl::SslProtocol p)
{
    switch (p) {
    case QSsl::TlsV1_2:
        return QStringLiteral("TLSv1.2");
    case QSsl::TlsV1_3:
        return QStringLiteral("TLSv1.3");
    case QSsl::DtlsV1_2:
        return QStringLiteral("DTLSv1.2");
    default:
        break;
    }
    QT_WARNING_PUSH
    QT_WARNING_DISABLE_DEPRECATED
    if (p == QSsl::TlsV1_0)
        return QStringLiteral("TLSv1.0");
    if (p == QSsl::TlsV1_1)
        return QStringLiteral("TLSv1.1");
    QT_WARNING_POP
    return QStringLiteral("unknown");
}

QCborMap certificateSummary(const QSslCertificate &c)
{
    QCborMap m;
    m.insert(QStringLiteral("subject"), c.subjectDisplayName());
    m.insert(QStringLiteral("issuer"), c.issuerDisplayName());
    m.insert(QStringLiteral("notBefore"), c.effectiveDate().toString(Qt::ISODate));
    m.insert(QStringLiteral("notAfter"), c.expiryDate().toString(Qt::ISODate));
    m.insert(QStringLiteral("sha256"),
             QString::fromLatin1(c.digest(QCryptographicHash::Sha256).toHex(':')));
    return m;
}

} // namespace

Connection::Connection(quint32 id, Origin origin, const RequestSpec &spec, TraceStore *trace,
                       QObject *parent)
    : QObject(parent), m_id(id), m_origin(std::move(origin)), m_spec(spec), m_trace(trace)
{
    m_connectTimer.setSingleShot(true);
    m_connectTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_connectTimer, &QTimer::timeout, this, &Connection::onConnectTimeout);
}

Connection::~Connection()
{
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(m_lookupId);
    // The socket and the drivers are children, deleted after this body. A socket deleted while
    // still open says disconnected() on its way out, and a driver still listening would run
    // against a Connection that is half destroyed (UBSan, issue 11: H2Session::onDisconnected
    // from ~QObject). From here on nobody hears the socket.
    if (m_socket)
        m_socket->disconnect();
}

QByteArrayView Connection::readChunk()
{
    if (!m_socket)
        return {};
    if (m_readBuffer.size() < kReadChunk)
        m_readBuffer.resize(kReadChunk);
    const qint64 n = m_socket->read(m_readBuffer.data(), kReadChunk);
    return n > 0 ? QByteArrayView(m_readBuffer.constData(), n) : QByteArrayView();
}

void Connection::touch()
{
    m_lastActivityNs = m_trace->elapsedNs();
}

QList<QByteArray> Connection::alpnOffer() const
{
    if (!m_spec.tls.alpn.isEmpty())
        return m_spec.tls.alpn;
    // An HTTP/1.1 upgrade (WebSocket, a raw tunnel) needs HTTP/1.1 underneath.
    if (m_spec.protocol == ProtocolPolicy::Http1Only || !m_spec.upgrade.isEmpty())
        return {QByteArrayLiteral("http/1.1")};
    return {QByteArrayLiteral("h2"), QByteArrayLiteral("http/1.1")};
}

bool Connection::mayMultiplex() const
{
    if (m_origin.isTls())
        return alpnOffer().contains(QByteArrayLiteral("h2"));
    return m_spec.protocol == ProtocolPolicy::H2cPrior || m_spec.upgradeToken() == "h2c";
}

void Connection::open(quint32 firstRequest)
{
    m_firstRequest = firstRequest;
    if (m_spec.timeouts.connectMs > 0)
        m_connectTimer.start(m_spec.timeouts.connectMs);

    // The route decides what TCP connects to: the origin, a --connect-to target or a proxy.
    QString routeError;
    m_plan = planRoute(m_spec, &routeError);
    if (!routeError.isEmpty()) {
        fail("proxy-url", routeError);
        return;
    }
    if (const auto given = resolveOverride(m_spec.route, m_plan.dialHost, m_plan.dialPort)) {
        m_addressVia = QStringLiteral("--resolve");
        QCborArray addrs;
        for (const QHostAddress &a : *given)
            addrs.append(a.toString());
        m_trace->record(EventType::Dns, scope(m_firstRequest))
            .value(Field::Host, m_plan.dialHost)
            .value(Field::Addresses, addrs)
            .value(Field::Ms, 0.0)
            .text(Field::Via, QStringLiteral("--resolve"));
        if (given->isEmpty()) {
            fail(dialFailureCode("dns"),
                 QStringLiteral("--resolve gives %1 no address of the wanted family (-4/-6)")
                     .arg(m_plan.dialHost));
            return;
        }
        m_addresses = *given;
        m_state = State::Connecting;
        tryNextAddress();
        return;
    }
    QHostAddress literal;
    if (literal.setAddress(m_plan.dialHost)) {
        m_addresses = {literal};
        m_state = State::Connecting;
        tryNextAddress();
        return;
    }
    m_state = State::Resolving;
    m_timings.dnsStart = m_trace->elapsedNs();
    m_lookupId = QHostInfo::lookupHost(m_plan.dialHost, this, &Connection::onLookedUp);
}

QByteArray Connection::dialFailureCode(const char *direct) const
{
    // curl's 5 (could not resolve proxy) and 7 (could not connect to it) name the proxy.
    return m_plan.dialsProxy() ? QByteArray("proxy-") + direct : QByteArray(direct);
}

void Connection::openOn(QAbstractSocket *connected)
{
    Q_ASSERT(m_state == State::Idle && connected->state() == QAbstractSocket::ConnectedState);
    connected->setParent(this);
    m_socket = connected;
    m_ssl = qobject_cast<QSslSocket *>(connected);
    if (m_ssl)
        m_alpn = m_ssl->sslConfiguration().nextNegotiatedProtocol();
    m_state = State::Open;
    touch();
    emit ready();
}

void Connection::onLookedUp(const QHostInfo &info)
{
    m_lookupId = -1;
    if (m_state != State::Resolving)
        return;
    m_timings.dnsEnd = m_trace->elapsedNs();
    const QString what = m_plan.dialsProxy() ? QStringLiteral("proxy") : QStringLiteral("host");
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
        fail(dialFailureCode("dns"), QStringLiteral("could not resolve %1 %2: %3")
                                         .arg(what, m_plan.dialHost, info.errorString()));
        return;
    }
    m_addresses = filterFamily(info.addresses(), m_plan.family);
    QCborArray addrs;
    for (const QHostAddress &a : m_addresses)
        addrs.append(a.toString());
    FieldWriter dns = m_trace->record(EventType::Dns, scope(m_firstRequest));
    dns.value(Field::Host, m_plan.dialHost)
        .value(Field::Addresses, addrs)
        .value(Field::Ms, ExchangeTimings::ms(m_timings.dnsStart, m_timings.dnsEnd));
    if (!m_plan.via().isEmpty())
        dns.text(Field::Via, m_plan.via());
    if (m_addresses.isEmpty()) {
        fail(dialFailureCode("dns"),
             QStringLiteral("could not resolve %1 %2: no IPv%3 address (%4)")
                 .arg(what, m_plan.dialHost)
                 .arg(m_plan.family == IpFamily::V4 ? 4 : 6)
                 .arg(m_plan.family == IpFamily::V4 ? QStringLiteral("-4") : QStringLiteral("-6")));
        return;
    }
    m_state = State::Connecting;
    tryNextAddress();
}

void Connection::setupSocket()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
        m_ssl = nullptr;
    }
    m_sslErrors.clear();
    if (m_origin.isTls()) {
        m_ssl = new QSslSocket(this);
        QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
        if (!m_spec.tls.caFile.isEmpty())
            conf.setCaCertificates(QSslCertificate::fromPath(m_spec.tls.caFile));
        conf.setAllowedNextProtocols(alpnOffer());
        if (m_spec.tls.insecure)
            conf.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_ssl->setSslConfiguration(conf);
        connect(m_ssl, &QSslSocket::encrypted, this, &Connection::onEncrypted);
        connect(m_ssl, &QSslSocket::sslErrors, this,
                [this](const QList<QSslError> &errors) { m_sslErrors << errors; });
        m_socket = m_ssl;
    } else {
        m_socket = new QTcpSocket(this);
    }
    m_socket->setReadBufferSize(kReadChunk);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(m_socket, &QAbstractSocket::connected, this, &Connection::onConnected);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, &Connection::onSocketError);
    connect(m_socket, &QAbstractSocket::disconnected, this, &Connection::onDisconnected);
}

void Connection::tryNextAddress()
{
    if (m_nextAddress >= m_addresses.size()) {
        fail(dialFailureCode("connect"),
             QStringLiteral("could not connect to %1 port %2: %3")
                 .arg(m_plan.dialHost)
                 .arg(m_plan.dialPort)
                 .arg(m_socket ? m_socket->errorString() : QStringLiteral("no address")));
        return;
    }
    m_address = m_addresses.at(m_nextAddress++);
    setupSocket();
    m_state = State::Connecting;
    m_timings.connectStart = m_trace->elapsedNs();
    FieldWriter attempt = m_trace->record(EventType::ConnectAttempt, scope(m_firstRequest));
    attempt.value(Field::Address, m_address.toString()).value(Field::Port, m_plan.dialPort);
    // Why this address: the trace says when it is not simply the URL's host through DNS.
    QStringList via;
    if (!m_plan.via().isEmpty())
        via << m_plan.via();
    if (!m_addressVia.isEmpty())
        via << QStringLiteral("address from %1").arg(m_addressVia);
    if (!via.isEmpty())
        attempt.value(Field::Host, m_plan.dialHost).text(Field::Via, via.join(u", "));
    if (m_ssl && !m_plan.tunnel) {
        // Connect to the resolved address, but verify and send SNI for the host name.
        m_ssl->connectToHostEncrypted(m_address.toString(), m_plan.dialPort, m_origin.host);
    } else {
        // Through a tunnel, TLS starts once the proxy has connected it (continueAfterTransport).
        m_socket->connectToHost(m_address, m_plan.dialPort);
    }
}

void Connection::onConnected()
{
    m_timings.connectEnd = m_trace->elapsedNs();
    touch();
    m_trace->record(EventType::Connect, scope(m_firstRequest))
        .value(Field::Host, m_plan.dialHost)
        .value(Field::Port, m_plan.dialPort)
        .value(Field::Address, m_address.toString())
        .value(Field::Ms, ExchangeTimings::ms(m_timings.connectStart, m_timings.connectEnd))
        // Our end of the TCP connection: what tells it apart in a capture (Wireshark's
        // tcp.srcport of what we sent).
        .value(Field::LocalPort, m_socket->localPort());
    if (m_plan.tunnel) {
        startTunnel();
        return;
    }
    continueAfterTransport();
}

void Connection::startTunnel()
{
    m_state = State::Tunneling;
    m_tunnel = new ProxyTunnel(m_socket, m_plan, m_spec.route, m_spec.limits, m_trace,
                               scope(m_firstRequest), this);
    connect(m_tunnel, &ProxyTunnel::established, this, [this] {
        m_tunnel->deleteLater();
        m_tunnel = nullptr;
        touch();
        continueAfterTransport();
    });
    connect(m_tunnel, &ProxyTunnel::failed, this,
            [this](const QByteArray &code, const QString &message) {
                m_tunnel->deleteLater();
                m_tunnel = nullptr;
                fail(code, message);
            });
    m_tunnel->start();
}

void Connection::continueAfterTransport()
{
    if (m_ssl) {
        m_state = State::Handshaking;
        m_timings.tlsStart = m_plan.tunnel ? m_trace->elapsedNs() : m_timings.connectEnd;
        if (m_spec.tls.insecure) {
            m_trace->record(EventType::TlsInsecure, scope(m_firstRequest))
                .value(Field::Message,
                       QStringLiteral("certificate verification is OFF (-k/--insecure): "
                                      "the peer's identity is not checked"));
        }
        if (m_plan.tunnel) {
            // The socket was connected in plain mode to the proxy: TLS with the origin starts
            // now, verifying (and sending SNI for) the origin's name.
            m_ssl->setPeerVerifyName(m_origin.host);
            m_ssl->startClientEncryption();
        }
        return;
    }
    m_state = State::Open;
    m_connectTimer.stop();
    emit ready();
}

void Connection::onEncrypted()
{
    m_timings.tlsEnd = m_trace->elapsedNs();
    m_connectTimer.stop();
    m_alpn = m_ssl->sslConfiguration().nextNegotiatedProtocol();
    const QSslCipher cipher = m_ssl->sessionCipher();
    QCborArray chain;
    for (const QSslCertificate &c : m_ssl->peerCertificateChain())
        chain.append(certificateSummary(c));
    const bool verified = !m_spec.tls.insecure && m_sslErrors.isEmpty();
    m_trace->record(EventType::Tls, scope(m_firstRequest))
        .value(Field::Protocol, tlsProtocolName(m_ssl->sessionProtocol()))
        .value(Field::Cipher, cipher.name())
        .value(Field::Alpn, m_alpn.isEmpty() ? QCborValue(QCborValue::Null)
                                             : QCborValue(QString::fromLatin1(m_alpn)))
        .value(Field::Verified, verified)
        .value(Field::AlpnOffered,
               [this] {
                   QCborArray offered;
                   for (const QByteArray &p : alpnOffer())
                       offered.append(QString::fromLatin1(p));
                   return offered;
               }())
        .value(Field::Sni, QHostAddress(m_origin.host).isNull() ? QCborValue(m_origin.host)
                                                                : QCborValue(QCborValue::Null))
        .value(Field::Chain, chain)
        .value(Field::Ms, ExchangeTimings::ms(m_timings.tlsStart, m_timings.tlsEnd));
    m_state = State::Open;
    emit ready();
}

void Connection::onSocketError()
{
    if (m_state == State::Connecting) {
        if (m_nextAddress < m_addresses.size()) {
            m_trace->record(EventType::ConnectFailed, scope(m_firstRequest))
                .value(Field::Address, m_address.toString())
                .value(Field::Message, m_socket->errorString());
            tryNextAddress();
            return;
        }
        fail(dialFailureCode("connect"),
             QStringLiteral("could not connect to %1%2 (%3) port %4: %5")
                 .arg(m_plan.dialsProxy() ? QStringLiteral("proxy ") : QString(), m_plan.dialHost,
                      m_address.toString())
                 .arg(m_plan.dialPort)
                 .arg(m_socket->errorString()));
        return;
    }
    if (m_state == State::Tunneling)
        return; // the ProxyTunnel says what the proxy's close or error means
    if (m_state == State::Handshaking) {
        // The front ends say what to do about it, each in its own words (by the code).
        const TlsFailure why =
            m_sslErrors.isEmpty()
                ? TlsFailure::fromHandshakeError(m_socket->errorString(), m_origin.host)
                : TlsFailure::fromVerifyErrors(m_sslErrors, m_origin.host,
                                               m_ssl->sslConfiguration().caCertificates());
        fail(why.code, why.message);
        return;
    }
    // Once open, the driver on top owns what a transport error or a close means: it must first
    // drain what is still buffered (a close-delimited body ends exactly there).
}

void Connection::onDisconnected()
{
    if (m_state != State::Open)
        onSocketError();
}

void Connection::onConnectTimeout()
{
    // The connect timeout covers resolving, TCP and TLS together (as curl's); say which phase
    // it ran out in, and for a stalled handshake that TCP itself was fine.
    QString what;
    if (m_state == State::Handshaking) {
        what =
            QStringLiteral("the TLS handshake with %1 did not finish (TCP had connected "
                           "after %2 ms; the server did not complete the handshake)")
                .arg(m_origin.toString())
                .arg(ExchangeTimings::ms(m_timings.connectStart, m_timings.connectEnd), 0, 'f', 1);
    } else if (m_state == State::Tunneling) {
        what = QStringLiteral("the proxy %1 did not set up the tunnel to %2")
                   .arg(m_plan.proxy->toString(), m_origin.toString());
    } else if (m_state == State::Resolving) {
        what = QStringLiteral("resolving %1 did not finish").arg(m_plan.dialHost);
    } else {
        what = QStringLiteral("connecting to %1 did not finish").arg(m_origin.toString());
    }
    fail("timeout", QStringLiteral("connect timeout after %1 ms: %2 (--connect-timeout)")
                        .arg(m_spec.timeouts.connectMs)
                        .arg(what));
}

void Connection::fail(const QByteArray &code, const QString &message)
{
    if (m_state == State::Closed)
        return;
    m_connectTimer.stop();
    if (m_lookupId >= 0) {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
    }
    recordError(m_trace, scope(m_firstRequest), code, message);
    close(message);
    emit failed(code, message);
}

// Bytes a driver wrote were traced as `net.write` when they were handed to the socket, but Qt
// keeps them in its own buffer until the event loop runs again, and abort() throws that buffer
// away: the last frames of a run (a SETTINGS ACK, a GOAWAY, a WebSocket close) would be in the
// trace and never on the wire. So whatever the kernel takes without blocking goes out first.
// Signals are blocked: a driver must not react to bytesWritten() by writing more into a
// connection that is closing. Returns what could still not be sent (the kernel's send buffer was
// full), which the `close` event then reports as `unsent`.
qint64 Connection::flushBeforeAbort()
{
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        return 0;
    const QSignalBlocker quiet(m_socket);
    m_socket->flush();
    return m_socket->bytesToWrite();
}

void Connection::close(const QString &reason)
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    m_connectTimer.stop();
    const qint64 unsent = m_socket ? flushBeforeAbort() : 0;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
    FieldWriter w = m_trace->record(EventType::Close, scope());
    w.value(Field::Reason, reason);
    if (unsent > 0)
        w.integer(Field::Unsent, unsent);
    if (!m_closedEmitted) {
        m_closedEmitted = true;
        emit closed(reason);
    }
}

} // namespace hopscope
