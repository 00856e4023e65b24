#include "democonnection.h"

#include "demohttp2session.h"
#include "demosocket.h"
#include "demotcpecho.h"
#include "demowebsocketecho.h"

#include <QSslSocket>
#include <QTcpSocket>

namespace hopscope {

namespace {

const QByteArray &clientPreface()
{
    static const QByteArray preface = QByteArrayLiteral("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    return preface;
}

} // namespace

DemoConnection::DemoConnection(qintptr descriptor, const QSslConfiguration *tls, quint16 h3Port,
                               QObject *parent)
    : QObject(parent), m_h3Port(h3Port)
{
    if (tls) {
        m_ssl = new QSslSocket(this);
        m_socket = m_ssl;
    } else {
        m_socket = new QTcpSocket(this);
    }
    connect(m_socket, &QAbstractSocket::disconnected, this, &DemoConnection::finish);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, [this] {
        // A client that vanished, a failed handshake: nothing left to say on this socket.
        m_socket->abort();
        finish();
    });
    if (!m_socket->setSocketDescriptor(descriptor)) {
        QMetaObject::invokeMethod(this, &DemoConnection::finish, Qt::QueuedConnection);
        return;
    }
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->setReadBufferSize(DemoSocket::readBufferSize);
    if (m_ssl) {
        m_ssl->setSslConfiguration(*tls);
        connect(m_ssl, &QSslSocket::encrypted, this, &DemoConnection::onEncrypted);
        m_ssl->startServerEncryption();
        return;
    }
    m_sniffing = true;
    connect(m_socket, &QAbstractSocket::readyRead, this, &DemoConnection::onReadyRead);
}

DemoConnection::~DemoConnection() = default;

void DemoConnection::abort()
{
    m_socket->abort();
    finish();
}

void DemoConnection::onEncrypted()
{
    const QByteArray alpn = m_ssl->sslConfiguration().nextNegotiatedProtocol();
    if (alpn == "h2") {
        startHttp2({});
        return;
    }
    if (alpn == "http/1.1") {
        startHttp1({});
        return;
    }
    // No ALPN: a client that knows the server speaks HTTP/2 (for example after an `Upgrade:
    // h2` advertisement, from a TLS stack without ALPN) starts with the preface.
    m_sniffing = true;
    connect(m_socket, &QAbstractSocket::readyRead, this, &DemoConnection::onReadyRead);
    onReadyRead();
}

void DemoConnection::onReadyRead()
{
    if (!m_sniffing)
        return;
    const QByteArray &preface = clientPreface();
    m_sniffed += m_socket->read(preface.size() - m_sniffed.size());
    if (m_sniffed.isEmpty())
        return;
    if (m_sniffed.size() >= preface.size() && m_sniffed == preface) {
        startHttp2(m_sniffed);
        return;
    }
    // Every HTTP/1.1 request differs from the preface by its 16th byte at the latest.
    if (!preface.startsWith(m_sniffed))
        startHttp1(m_sniffed);
}

void DemoConnection::startHttp1(const QByteArray &initial)
{
    m_sniffing = false;
    disconnect(m_socket, &QAbstractSocket::readyRead, this, &DemoConnection::onReadyRead);
    auto *session = new DemoHttp1Session(m_socket, m_ssl != nullptr, this);
    session->setH3Port(m_h3Port);
    connect(session, &DemoHttp1Session::upgraded, this, &DemoConnection::onUpgraded);
    replaceSession(session);
    session->start(initial);
}

void DemoConnection::startHttp2(const QByteArray &initial)
{
    m_sniffing = false;
    disconnect(m_socket, &QAbstractSocket::readyRead, this, &DemoConnection::onReadyRead);
    auto *session = new DemoHttp2Session(m_socket, m_ssl != nullptr, this);
    session->setH3Port(m_h3Port);
    connect(session, &DemoHttp2Session::finished, this, [this] { m_socket->disconnectFromHost(); });
    replaceSession(session);
    if (!session->startDirect(initial))
        m_socket->disconnectFromHost();
}

void DemoConnection::onUpgraded(const DemoUpgrade &upgrade)
{
    switch (upgrade.kind) {
    case DemoUpgrade::Kind::Http2: {
        auto *session = new DemoHttp2Session(m_socket, m_ssl != nullptr, this);
        connect(session, &DemoHttp2Session::finished, this,
                [this] { m_socket->disconnectFromHost(); });
        replaceSession(session);
        if (!session->startAfterUpgrade(upgrade))
            m_socket->disconnectFromHost();
        break;
    }
    case DemoUpgrade::Kind::WebSocket: {
        auto *echo = new DemoWebSocketEcho(m_socket, this);
        replaceSession(echo);
        echo->start(upgrade.leftover);
        break;
    }
    case DemoUpgrade::Kind::Tcp: {
        auto *echo = new DemoTcpEcho(m_socket, this);
        replaceSession(echo);
        echo->start(upgrade.leftover);
        break;
    }
    }
}

void DemoConnection::replaceSession(QObject *next)
{
    // The old session may be on the stack (it emitted upgraded()): delete it later.
    if (m_session)
        m_session->deleteLater();
    m_session = next;
}

void DemoConnection::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    // Sessions stop before the socket goes: they hold it and may be mid-call.
    if (m_session)
        m_session->deleteLater();
    emit closed();
    deleteLater();
}

} // namespace hopscope
