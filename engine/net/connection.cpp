#include "net/connection.h"

#include "net/exchangeoutcome.h"
#include "net/proxytunnel.h"
#include "net/tlsfailure.h"
#include "quic/quictransport.h"
#include "tls/keylogfile.h"
#include "tls/tlssocket.h"
#include "trace/tracestore.h"

#include <QCborArray>
#include <QHostInfo>
#include <QTcpSocket>

namespace hopscope {

namespace {

QCborMap certificateSummary(const QSslCertificate &c)
{
    QCborMap m;
    m.insert(QStringLiteral("subject"), c.subjectDisplayName());
    m.insert(QStringLiteral("issuer"), c.issuerDisplayName());
    m.insert(QStringLiteral("notBefore"), c.effectiveDate().toString(Qt::ISODate));
    m.insert(QStringLiteral("notAfter"), c.expiryDate().toString(Qt::ISODate));
    m.insert(QStringLiteral("sha256"),
             QString::fromLatin1(c.digest(QCryptographicHash::Sha256).toHex(':')));
    // The names it is made out for, as "DNS:host" and "IP:addr" (OpenSSL's spelling).
    QCborArray sans;
    const auto names = c.subjectAlternativeNames();
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        sans.append((it.key() == QSsl::IpAddressEntry ? QStringLiteral("IP:")
                     : it.key() == QSsl::EmailEntry   ? QStringLiteral("email:")
                                                      : QStringLiteral("DNS:")) +
                    it.value());
    if (!sans.isEmpty())
        m.insert(QStringLiteral("sans"), sans);
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
    // Made at its size: resize() would grow it to twice that (Qt rounds a growing array up to
    // the next power of two), 512 KiB a connection.
    if (m_readBuffer.size() < kReadChunk)
        m_readBuffer = QByteArray(kReadChunk, Qt::Uninitialized);
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

bool Connection::usesQuic() const
{
    return m_spec.http3 != Http3Mode::Off && m_origin.isTls();
}

bool Connection::mayMultiplex() const
{
    if (usesQuic())
        return true;
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
    if (usesQuic() && m_plan.dialsProxy()) {
        fail("quic-connect",
             QStringLiteral("HTTP/3 cannot go through the proxy %1: QUIC runs over UDP, and the "
                            "proxy relays TCP")
                 .arg(m_plan.proxy->toString()));
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
    m_tls = qobject_cast<TlsSocket *>(connected);
    if (m_tls)
        m_alpn = m_tls->negotiatedAlpn();
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
        m_tcp = nullptr;
        m_tls = nullptr;
    }
    // TCP first, always; TLS starts on it once it is connected (startTls).
    m_tcp = new QTcpSocket(this);
    m_socket = m_tcp;
    m_tcp->setReadBufferSize(kReadChunk);
    m_tcp->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(m_tcp, &QAbstractSocket::connected, this, &Connection::onConnected);
    connect(m_tcp, &QAbstractSocket::errorOccurred, this, &Connection::onSocketError);
    connect(m_tcp, &QAbstractSocket::disconnected, this, &Connection::onDisconnected);
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
    if (!usesQuic())
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
    // The proxy by itself, so that a reader names the origin "via" it without parsing `via`.
    if (m_plan.proxy)
        attempt.text(Field::Proxy, m_plan.proxy->toString());
    if (usesQuic()) {
        startQuic();
        return;
    }
    // Through a tunnel, TLS starts once the proxy has connected it (continueAfterTransport).
    m_tcp->connectToHost(m_address, m_plan.dialPort);
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
    if (m_origin.isTls()) {
        startTls();
        return;
    }
    m_state = State::Open;
    m_connectTimer.stop();
    emit ready();
}

void Connection::startTls()
{
    m_state = State::Handshaking;
    // Through a proxy, TLS with the origin starts once the tunnel is up, not at TCP connect.
    m_timings.tlsStart = m_plan.tunnel ? m_trace->elapsedNs() : m_timings.connectEnd;
    recordInsecureIfSo();
    TlsClientSettings settings;
    // Verify and send SNI for the host name, whichever address it resolved to.
    settings.serverName = m_origin.host;
    settings.alpn = alpnOffer();
    settings.caFile = m_spec.tls.caFile;
    settings.insecure = m_spec.tls.insecure;
    settings.certFile = m_spec.tls.certFile;
    settings.certPassword = m_spec.tls.certPassword;
    settings.keyFile = m_spec.tls.keyFile;
    settings.keyLogPath = KeyLogFile::pathFor(m_spec.tls.keyLogFile);
    auto *tls = new TlsSocket(this);
    m_tcp->disconnect(this);
    // Connected before the handshake starts: the ClientHello is reported from startClient().
    connect(tls, &TlsSocket::tlsMessage, this, &Connection::onTlsMessage);
    connect(tls, &TlsSocket::encrypted, this, &Connection::onEncrypted);
    connect(tls, &TlsSocket::keyLogFailed, this, [this](const QString &path) {
        m_keyLogError = QStringLiteral("%1 could not be written").arg(path);
    });
    connect(tls, &QAbstractSocket::errorOccurred, this, &Connection::onSocketError);
    connect(tls, &QAbstractSocket::disconnected, this, &Connection::onDisconnected);
    m_tls = tls;
    m_socket = tls;
    QString error;
    if (!tls->startClient(m_tcp, settings, &error)) {
        // The TCP socket was not taken over: it is still ours, and fail() aborts it.
        m_socket = m_tcp;
        m_tls = nullptr;
        tls->deleteLater();
        fail("tls-setup", error);
    }
}

void Connection::startQuic()
{
    m_quic = new QuicTransport(m_trace, scope(), this);
    connect(m_quic, &QuicTransport::tlsMessage, this, &Connection::onTlsMessage);
    connect(m_quic, &QuicTransport::handshakeCompleted, this, &Connection::onQuicReady);
    connect(m_quic, &QuicTransport::failed, this,
            [this](const QByteArray &code, const QString &message) {
                // Once open, the HTTP/3 driver says what the end of the connection means.
                if (m_state != State::Open)
                    fail(code, message);
            });
    recordInsecureIfSo();
    QuicDial dial;
    dial.address = m_address;
    dial.port = m_plan.dialPort;
    dial.tls.serverName = m_origin.host;
    dial.tls.alpn = {QByteArrayLiteral("h3")};
    dial.tls.caFile = m_spec.tls.caFile;
    dial.tls.insecure = m_spec.tls.insecure;
    dial.tls.keyLogPath = KeyLogFile::pathFor(m_spec.tls.keyLogFile);
    dial.idleTimeoutMs = m_spec.timeouts.idleMs > 0 ? m_spec.timeouts.idleMs : 60'000;
    dial.streamWindow = m_spec.limits.quicStreamWindow;
    dial.connectionWindow = m_spec.limits.quicConnectionWindow;
    QString error;
    if (!m_quic->start(dial, &error)) {
        fail("quic-connect", error);
        return;
    }
    // UDP has no handshake of its own: "connected" is the socket, the QUIC handshake is the
    // TLS phase (RFC 9001 carries TLS inside it).
    m_timings.connectEnd = m_trace->elapsedNs();
    m_timings.tlsStart = m_timings.connectEnd;
    touch();
    m_trace->record(EventType::Connect, scope(m_firstRequest))
        .value(Field::Host, m_plan.dialHost)
        .value(Field::Port, m_plan.dialPort)
        .value(Field::Address, m_address.toString())
        .value(Field::Ms, ExchangeTimings::ms(m_timings.connectStart, m_timings.connectEnd))
        .value(Field::LocalPort, m_quic->localPort())
        .atom(Field::Protocol, "udp");
    m_state = State::Handshaking;
    // Trying HTTP/3 must not cost a connect timeout where UDP is dropped without a word.
    if (const int ms = m_spec.limits.quicFallbackMs; m_spec.http3 == Http3Mode::Try && ms > 0) {
        QTimer::singleShot(ms, this, [this, ms] {
            if (m_state != State::Handshaking)
                return;
            fail("quic-connect",
                 QStringLiteral("no QUIC handshake with %1 within %2 ms (limit quicFallbackMs): %3")
                     .arg(m_origin.toString())
                     .arg(ms)
                     .arg(m_quic->describeStall()));
        });
    }
}

void Connection::onQuicReady()
{
    m_timings.tlsEnd = m_trace->elapsedNs();
    const QuicTls &tls = m_quic->tls();
    m_alpn = tls.negotiatedAlpn();
    if (m_alpn != "h3") {
        fail("quic-connect", QStringLiteral("the server's QUIC endpoint chose ALPN \"%1\", not h3")
                                 .arg(QString::fromLatin1(m_alpn)));
        return;
    }
    if (m_spec.tls.certStatus) {
        // GnuTLS does the TLS of QUIC here, and the OCSP check is engine/tls's (OpenSSL).
        fail("tls-cert-status", QStringLiteral("--cert-status: the OCSP staple is checked over "
                                               "TCP only, not over QUIC (HTTP/3)"));
        return;
    }
    const QList<QSslError> complaints = tls.verify();
    if (failedVerification(complaints))
        return;
    m_connectTimer.stop();
    QCborArray chain;
    for (const QSslCertificate &c : tls.peerChain())
        chain.append(certificateSummary(c));
    FieldWriter w = m_trace->record(EventType::Tls, scope(m_firstRequest));
    w.value(Field::Protocol, tls.protocolName())
        .value(Field::Cipher, tls.cipherName())
        .value(Field::Alpn, QString::fromLatin1(m_alpn))
        .value(Field::Verified, !m_spec.tls.insecure)
        .value(Field::AlpnOffered, QCborArray{QStringLiteral("h3")})
        .value(Field::Sni, QHostAddress(m_origin.host).isNull() ? QCborValue(m_origin.host)
                                                                : QCborValue(QCborValue::Null))
        .value(Field::Chain, chain)
        .value(Field::Ms, ExchangeTimings::ms(m_timings.tlsStart, m_timings.tlsEnd));
    const QString group = tls.groupName();
    if (!group.isEmpty())
        w.text(Field::Group, group);
    w.text(Field::QuicVersion,
           QStringLiteral("0x%1").arg(m_quic->negotiatedVersion(), 8, 16, QLatin1Char('0')));
    w.boolean(Field::CertificateRequested, false);
    const QString keyLog = KeyLogFile::pathFor(m_spec.tls.keyLogFile);
    if (!keyLog.isEmpty())
        w.text(Field::KeyLog, keyLog);
    if (tls.keyLogFailed())
        w.text(Field::KeyLogError, QStringLiteral("%1 could not be written").arg(keyLog));
    m_state = State::Open;
    touch();
    emit ready();
}

void Connection::recordInsecureIfSo()
{
    if (m_spec.tls.insecure) {
        m_trace->record(EventType::TlsInsecure, scope(m_firstRequest))
            .value(Field::Message,
                   QStringLiteral("certificate verification is OFF (-k/--insecure): "
                                  "the peer's identity is not checked"));
    }
}

bool Connection::failedVerification(const QList<QSslError> &complaints)
{
    if (m_spec.tls.insecure || complaints.isEmpty())
        return false;
    // The front ends say what to do about it, each in its own words (by the code).
    const TlsFailure why = TlsFailure::fromVerifyErrors(
        complaints, m_origin.host,
        m_spec.tls.caFile.isEmpty() ? QList<QSslCertificate>()
                                    : QSslCertificate::fromPath(m_spec.tls.caFile));
    fail(why.code, why.message);
    return true;
}

void Connection::onTlsMessage(const TlsMessage &m)
{
    FieldWriter w = m_trace->record(EventType::TlsMessage, scope(m_firstRequest),
                                    m.outgoing ? Direction::Out : Direction::In);
    switch (m.kind) {
    case TlsMessage::Kind::Handshake:
        w.atom(Field::Kind, "handshake");
        break;
    case TlsMessage::Kind::Alert:
        w.atom(Field::Kind, "alert");
        w.atom(Field::Level, m.alertLevel == 2 ? "fatal" : "warning");
        break;
    case TlsMessage::Kind::ChangeCipherSpec:
        w.atom(Field::Kind, "change_cipher_spec");
        break;
    }
    w.text(Field::Name, m.name).integer(Field::Value, m.type).integer(Field::Bytes, m.size);
}

void Connection::onEncrypted()
{
    m_timings.tlsEnd = m_trace->elapsedNs();
    m_alpn = m_tls->negotiatedAlpn();
    const QList<QSslError> &complaints = m_tls->verifyErrors();
    if (failedVerification(complaints))
        return;
    const OcspStaple ocsp = m_tls->ocspStaple();
    if (m_spec.tls.certStatus && ocsp.status != OcspStaple::Status::Good) {
        // curl's --cert-status: anything but a good, verified staple fails (its exit code 91).
        fail("tls-cert-status", QStringLiteral("the certificate status of %1 is not good: %2")
                                    .arg(m_origin.host, ocsp.detail));
        return;
    }
    m_connectTimer.stop();
    QCborArray chain;
    for (const QSslCertificate &c : m_tls->peerChain())
        chain.append(certificateSummary(c));
    const QString group = m_tls->groupName();
    const QSslCertificate sent = m_tls->clientCertificateSent();
    FieldWriter w = m_trace->record(EventType::Tls, scope(m_firstRequest));
    w.value(Field::Protocol, m_tls->protocolName())
        .value(Field::Cipher, m_tls->cipherName())
        .value(Field::Alpn, m_alpn.isEmpty() ? QCborValue(QCborValue::Null)
                                             : QCborValue(QString::fromLatin1(m_alpn)))
        .value(Field::Verified, !m_spec.tls.insecure && complaints.isEmpty())
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
    if (!group.isEmpty())
        w.text(Field::Group, group);
    w.boolean(Field::CertificateRequested, m_tls->clientCertificateRequested());
    if (!sent.isNull())
        w.value(Field::ClientCertificate, certificateSummary(sent));
    recordOcsp(w, ocsp);
    const QString keyLog = KeyLogFile::pathFor(m_spec.tls.keyLogFile);
    if (!keyLog.isEmpty())
        w.text(Field::KeyLog, keyLog);
    if (!m_keyLogError.isEmpty())
        w.text(Field::KeyLogError, m_keyLogError);
    m_state = State::Open;
    emit ready();
}

void Connection::recordOcsp(FieldWriter &w, const OcspStaple &ocsp)
{
    w.atom(Field::Ocsp, OcspStaple::statusName(ocsp.status)).text(Field::OcspDetail, ocsp.detail);
    if (ocsp.thisUpdate.isValid())
        w.text(Field::OcspThisUpdate, ocsp.thisUpdate.toString(Qt::ISODate));
    if (ocsp.nextUpdate.isValid())
        w.text(Field::OcspNextUpdate, ocsp.nextUpdate.toString(Qt::ISODate));
    if (ocsp.revokedAt.isValid())
        w.text(Field::OcspRevokedAt, ocsp.revokedAt.toString(Qt::ISODate));
    if (!ocsp.revocationReason.isEmpty())
        w.text(Field::OcspReason, ocsp.revocationReason);
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
            TlsFailure::fromHandshakeError(m_socket->errorString(), m_origin.host);
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
    if (m_state == State::Handshaking && m_quic) {
        what = QStringLiteral("the QUIC handshake with %1 did not finish: %2")
                   .arg(m_origin.toString(), m_quic->describeStall());
    } else if (m_state == State::Handshaking) {
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
    // With --http3 a failed QUIC connection is not the request's failure (it goes on over TCP,
    // `quic.fallback`): the error belongs to the connection alone then.
    const bool fallsBack = m_quic && m_spec.http3 == Http3Mode::Try;
    recordError(m_trace, fallsBack ? scope() : scope(m_firstRequest), code, message);
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
    const QSignalBlocker quietBelow(m_tcp);
    flushWrites();
    return m_socket->bytesToWrite();
}

void Connection::flushWrites()
{
    if (m_tcp)
        m_tcp->flush();
    else if (m_socket)
        m_socket->flush();
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
    // A QUIC connection ends with a CONNECTION_CLOSE (its own `quic.close`), before `close`.
    if (m_quic)
        m_quic->closeWithApplicationError(0x100 /* H3_NO_ERROR */, QByteArray());
    FieldWriter w = m_trace->record(EventType::Close, scope());
    w.value(Field::Reason, reason);
    if (unsent > 0)
        w.integer(Field::Unsent, unsent);
    // Over TLS, `net.*` count plaintext; these count the ciphertext that crossed TCP (what a
    // capture's TCP payload adds up to; `unsent` is ciphertext too).
    if (m_tls)
        w.integer(Field::WireRead, m_tls->wireBytesRead())
            .integer(Field::WireWritten, m_tls->wireBytesWritten());
    // Over QUIC: the UDP payload of every datagram (CONNECTION_CLOSE included), what a
    // capture's udp.length minus 8 adds up to.
    if (m_quic) {
        w.integer(Field::WireRead, m_quic->datagramBytesRead())
            .integer(Field::WireWritten, m_quic->datagramBytesWritten());
    }
    if (!m_closedEmitted) {
        m_closedEmitted = true;
        emit closed(reason);
    }
}

} // namespace hopscope
