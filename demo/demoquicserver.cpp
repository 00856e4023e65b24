#include "demoquicserver.h"

#include <QNetworkDatagram>
#include <QUdpSocket>

#include <gnutls/crypto.h>

namespace hopscope {

namespace {

// The connection id length our connections choose (DemoQuicConnection): what a short header's
// destination connection id is decoded with.
constexpr size_t kShortHeaderCidLength = 18;
// Connections at once: beyond it a new Initial is ignored (the client's handshake times out),
// so a flood of Initials cannot make the demo server allocate without bound.
constexpr int kMaxConnections = 256;
// Datagrams handled per readyRead before the event loop gets a turn.
constexpr int kDatagramsPerRead = 64;

} // namespace

DemoQuicServer::DemoQuicServer(QObject *parent) : QObject(parent) {}

DemoQuicServer::~DemoQuicServer()
{
    stop();
}

bool DemoQuicServer::start(quint16 port, const DemoCertificate &certificate, QString *error)
{
    stop();
    const QByteArray certPem = certificate.certificate.toPem();
    const QByteArray keyPem = certificate.key.toPem();
    const gnutls_datum_t cert{
        reinterpret_cast<unsigned char *>(const_cast<char *>(certPem.constData())),
        unsigned(certPem.size())};
    const gnutls_datum_t key{
        reinterpret_cast<unsigned char *>(const_cast<char *>(keyPem.constData())),
        unsigned(keyPem.size())};
    int rv = gnutls_certificate_allocate_credentials(&m_credentials);
    if (rv == 0)
        rv = gnutls_certificate_set_x509_key_mem(m_credentials, &cert, &key, GNUTLS_X509_FMT_PEM);
    if (rv < 0) {
        if (error)
            *error = QStringLiteral("demo server: GnuTLS refuses the certificate for HTTP/3: %1")
                         .arg(QString::fromLatin1(gnutls_strerror(rv)));
        stop();
        return false;
    }
    m_socket = new QUdpSocket(this);
    if (!m_socket->bind(QHostAddress::LocalHost, port)) {
        if (error)
            *error = QStringLiteral("demo server: cannot listen on 127.0.0.1 UDP port %1 "
                                    "(HTTP/3): %2")
                         .arg(port)
                         .arg(m_socket->errorString());
        stop();
        return false;
    }
    m_port = m_socket->localPort();
    connect(m_socket, &QUdpSocket::readyRead, this, &DemoQuicServer::onReadyRead);
    return true;
}

void DemoQuicServer::stop()
{
    const QSet<DemoQuicConnection *> connections = m_connections;
    for (DemoQuicConnection *c : connections)
        c->close();
    m_connections.clear();
    m_byCid.clear();
    if (m_socket) {
        m_socket->close();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    if (m_credentials) {
        gnutls_certificate_free_credentials(m_credentials);
        m_credentials = nullptr;
    }
    m_port = 0;
}

void DemoQuicServer::associate(const QByteArray &cid, DemoQuicConnection *connection)
{
    m_byCid.insert(cid, connection);
}

void DemoQuicServer::dissociate(const QByteArray &cid)
{
    m_byCid.remove(cid);
}

void DemoQuicServer::forget(DemoQuicConnection *connection)
{
    m_connections.remove(connection);
    m_byCid.removeIf([connection](QHash<QByteArray, DemoQuicConnection *>::iterator it) {
        return it.value() == connection;
    });
}

void DemoQuicServer::onReadyRead()
{
    // What is left after kDatagramsPerRead waits for the socket's next readyRead: the notifier
    // is level-triggered and each read re-arms it. Reading only here matters. A second reader
    // (this slot queued to itself, as it once was) could drain the socket between the event
    // loop's poll and the notifier's activation; the readyRead that follows finds nothing, and
    // an unbuffered QUdpSocket whose readyRead went without a read disables its notifier for
    // good: the demo's HTTP/3 went deaf under load (a CI run on 2 busy cores).
    for (int i = 0; i < kDatagramsPerRead && m_socket && m_socket->hasPendingDatagrams(); ++i) {
        const QNetworkDatagram d = m_socket->receiveDatagram();
        if (!d.isValid())
            break;
        dispatch(d.data(), d.senderAddress(), quint16(d.senderPort()));
    }
}

void DemoQuicServer::dispatch(const QByteArray &datagram, const QHostAddress &peer,
                              quint16 peerPort)
{
    if (m_misbehaviour == DemoQuicMisbehaviour::GarbageDatagrams) {
        answerWithGarbage(datagram.size(), peer, peerPort);
        return;
    }
    const auto *data = reinterpret_cast<const uint8_t *>(datagram.constData());
    const size_t length = size_t(datagram.size());
    ngtcp2_version_cid vc;
    if (ngtcp2_pkt_decode_version_cid(&vc, data, length, kShortHeaderCidLength) != 0)
        return; // not QUIC v1 (version negotiation is not offered: the demo speaks only v1)
    const QByteArray cid(reinterpret_cast<const char *>(vc.dcid), qsizetype(vc.dcidlen));
    if (DemoQuicConnection *c = m_byCid.value(cid)) {
        c->receive(data, length);
        return;
    }
    ngtcp2_pkt_hd header;
    if (ngtcp2_accept(&header, data, length) != 0 || m_connections.size() >= kMaxConnections)
        return; // not a client's first Initial, or no room
    auto *c = new DemoQuicConnection(this, m_socket, peer, peerPort, m_misbehaviour);
    m_connections.insert(c);
    if (!c->accept(header, m_credentials)) {
        forget(c);
        delete c;
        return;
    }
    c->receive(data, length);
}

void DemoQuicServer::answerWithGarbage(qsizetype size, const QHostAddress &peer, quint16 peerPort)
{
    QByteArray garbage(qBound(qsizetype(1), size, qsizetype(1500)), Qt::Uninitialized);
    gnutls_rnd(GNUTLS_RND_NONCE, garbage.data(), size_t(garbage.size()));
    // A long header's form bit set and the version field zeroed would read as a Version
    // Negotiation packet; make it an unknown version instead, so it is garbage for certain.
    garbage[0] = char(garbage[0] | 0x80);
    if (garbage.size() >= 5) {
        garbage[1] = char(0x1a);
        garbage[2] = char(0x2b);
        garbage[3] = char(0x3c);
        garbage[4] = char(0x4d);
    }
    m_socket->writeDatagram(garbage, peer, peerPort);
}

} // namespace hopscope
