// TlsSocket, the engine's own TLS (OpenSSL over memory BIOs on a QTcpSocket), against Qt's
// QSslServer on loopback: a different TLS implementation path (Qt's backend on the server side)
// than the one under test. What it must do as a socket (plaintext in and out, large transfers
// through its read cap, the peer's close) and what Qt's QSslSocket could not give an inspector:
// each handshake message, key logging, client certificates, every verification complaint.

#include "tls/tlssocket.h"
#include "tlscertificate.h"

#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QProcess>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace hopscope;
using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

// A QSslServer that echoes what it reads, or closes after sending `farewell`.
class EchoServer : public QObject
{
    Q_OBJECT
public:
    bool start(const QSslConfiguration &conf)
    {
        m_server.setSslConfiguration(conf);
        // QSslServer offers a connection once its handshake is done.
        connect(&m_server, &QSslServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                auto *ssl = static_cast<QSslSocket *>(s);
                m_peer = ssl;
                m_clientCertificate = ssl->peerCertificate();
                connect(ssl, &QIODevice::readyRead, ssl, [ssl] { ssl->write(ssl->readAll()); });
                if (!farewell.isEmpty()) {
                    ssl->write(farewell);
                    ssl->disconnectFromHost();
                }
            }
        });
        return m_server.listen(QHostAddress::LocalHost);
    }
    quint16 port() const { return m_server.serverPort(); }
    QSslCertificate clientCertificate() const { return m_clientCertificate; }

    QByteArray farewell;

private:
    QSslServer m_server;
    QPointer<QSslSocket> m_peer;
    QSslCertificate m_clientCertificate;
};

struct Credentials
{
    QSslCertificate cert{QByteArray(), QSsl::Pem};
    QSslKey key;
};

Credentials load(const QString &certFile, const QString &keyFile)
{
    QFile c(certFile), k(keyFile);
    if (!c.open(QIODevice::ReadOnly) || !k.open(QIODevice::ReadOnly))
        return Credentials{QSslCertificate(), QSslKey()};
    return {QSslCertificate(c.readAll(), QSsl::Pem), QSslKey(k.readAll(), QSsl::Rsa)};
}

QString messageLabel(const TlsMessage &m)
{
    return (m.outgoing ? u"> "_s : u"< "_s) + m.name;
}

// Whether `wanted` occurs in `all` in this order (others may come between).
bool inOrder(const QStringList &all, const QStringList &wanted, QString *missing)
{
    qsizetype at = 0;
    for (const QString &w : wanted) {
        at = all.indexOf(w, at);
        if (at < 0) {
            *missing = w;
            return false;
        }
        ++at;
    }
    return true;
}

} // namespace

class TestTlsSocket : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void handshakeMessagesAndKeyLog_data();
    void handshakeMessagesAndKeyLog();
    void largeEchoThroughTheReadCap();
    void serverCloseKeepsTheLastBytes();
    void verification_data();
    void verification();
    void clientCertificate_data();
    void clientCertificate();
    void unusableClientCertificate_data();
    void unusableClientCertificate();

private:
    // Connects TCP to `port` and starts TLS; the socket is a child of `parent`.
    TlsSocket *connectTls(quint16 port, const TlsClientSettings &settings, QObject *parent,
                          QString *error = nullptr);
    QSslConfiguration serverConf(QSsl::SslProtocol protocol = QSsl::TlsV1_2OrLater) const;

    QTemporaryDir m_dir;
    SelfSignedCertificate m_server;
    SelfSignedCertificate m_client;
    QString m_p12;
};

void TestTlsSocket::initTestCase()
{
    QVERIFY2(m_server.create(), qPrintable(m_server.errorString()));
    CertificateSpec client;
    client.commonName = u"hopscope test client"_s;
    client.subjectAltName = u"DNS:client.test"_s;
    QVERIFY2(m_client.create(client), qPrintable(m_client.errorString()));
    m_p12 = m_dir.filePath(u"client.p12"_s);
    QProcess openssl;
    openssl.setProcessChannelMode(QProcess::MergedChannels);
    openssl.start(u"openssl"_s,
                  {u"pkcs12"_s, u"-export"_s, u"-in"_s, m_client.certFile(), u"-inkey"_s,
                   m_client.keyFile(), u"-out"_s, m_p12, u"-passout"_s, u"pass:sesame"_s});
    QVERIFY(openssl.waitForFinished(60000));
    QVERIFY2(openssl.exitCode() == 0, openssl.readAll().constData());
}

QSslConfiguration TestTlsSocket::serverConf(QSsl::SslProtocol protocol) const
{
    const Credentials c = load(m_server.certFile(), m_server.keyFile());
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setLocalCertificate(c.cert);
    conf.setPrivateKey(c.key);
    conf.setProtocol(protocol);
    conf.setAllowedNextProtocols({"h2", "http/1.1"});
    conf.setPeerVerifyMode(QSslSocket::VerifyNone);
    return conf;
}

TlsSocket *TestTlsSocket::connectTls(quint16 port, const TlsClientSettings &settings,
                                     QObject *parent, QString *error)
{
    auto *tcp = new QTcpSocket(parent);
    tcp->connectToHost(QHostAddress::LocalHost, port);
    if (!tcp->waitForConnected(5000))
        return nullptr;
    auto *tls = new TlsSocket(parent);
    QString why;
    if (!tls->startClient(tcp, settings, &why)) {
        if (error)
            *error = why;
        return nullptr;
    }
    return tls;
}

void TestTlsSocket::handshakeMessagesAndKeyLog_data()
{
    QTest::addColumn<QSsl::SslProtocol>("protocol");
    QTest::addColumn<QString>("version");
    QTest::addColumn<QStringList>("messages");
    QTest::addColumn<QStringList>("secrets");
    QTest::newRow("TLS 1.3")
        << QSsl::TlsV1_3 << u"TLSv1.3"_s
        << QStringList{u"> ClientHello"_s, u"< ServerHello"_s,       u"< EncryptedExtensions"_s,
                       u"< Certificate"_s, u"< CertificateVerify"_s, u"< Finished"_s,
                       u"> Finished"_s}
        << QStringList{u"SERVER_HANDSHAKE_TRAFFIC_SECRET"_s, u"CLIENT_HANDSHAKE_TRAFFIC_SECRET"_s,
                       u"SERVER_TRAFFIC_SECRET_0"_s, u"CLIENT_TRAFFIC_SECRET_0"_s};
    QTest::newRow("TLS 1.2") << QSsl::TlsV1_2 << u"TLSv1.2"_s
                             << QStringList{u"> ClientHello"_s,      u"< ServerHello"_s,
                                            u"< Certificate"_s,      u"< ServerKeyExchange"_s,
                                            u"< ServerHelloDone"_s,  u"> ClientKeyExchange"_s,
                                            u"> ChangeCipherSpec"_s, u"> Finished"_s,
                                            u"< NewSessionTicket"_s, u"< Finished"_s}
                             << QStringList{u"CLIENT_RANDOM"_s};
}

void TestTlsSocket::handshakeMessagesAndKeyLog()
{
    QFETCH(QSsl::SslProtocol, protocol);
    QFETCH(QString, version);
    QFETCH(QStringList, messages);
    QFETCH(QStringList, secrets);
    EchoServer server;
    QVERIFY(server.start(serverConf(protocol)));
    TlsClientSettings s;
    s.serverName = u"localhost"_s;
    s.caFile = m_server.certFile();
    s.alpn = {"h2", "http/1.1"};
    s.keyLogPath = m_dir.filePath(u"keys-%1.log"_s).arg(QTest::currentDataTag());
    QObject scope;
    QStringList seen;
    auto *tcp = new QTcpSocket(&scope);
    tcp->connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(tcp->waitForConnected(5000));
    auto *tls = new TlsSocket(&scope);
    connect(tls, &TlsSocket::tlsMessage, tls,
            [&seen](const TlsMessage &m) { seen << messageLabel(m); });
    QSignalSpy encrypted(tls, &TlsSocket::encrypted);
    QString error;
    QVERIFY2(tls->startClient(tcp, s, &error), qPrintable(error));
    QCOMPARE(seen.value(0), u"> ClientHello"_s); // sent from startClient itself
    QVERIFY(encrypted.wait(5000));
    QCOMPARE(tls->protocolName(), version);
    QCOMPARE(tls->negotiatedAlpn(), QByteArray("h2"));
    QVERIFY(tls->verifyErrors().isEmpty());
    QVERIFY(!tls->groupName().isEmpty());
    QCOMPARE(tls->peerChain().value(0).subjectInfo(QSslCertificate::CommonName),
             QStringList{u"localhost"_s});
    QString missing;
    QVERIFY2(inOrder(seen, messages, &missing),
             qPrintable(u"%1 missing in %2"_s.arg(missing, seen.join(u", "_s))));
    // Ciphertext counted as it crossed the socket: at least the handshake's records.
    QVERIFY(tls->wireBytesWritten() > 0 && tls->wireBytesRead() > 500);

    QFile keys(s.keyLogPath);
    QVERIFY(keys.open(QIODevice::ReadOnly));
    QCOMPARE(keys.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    QStringList labels;
    for (const QByteArray &line : keys.readAll().split('\n')) {
        if (line.isEmpty())
            continue;
        const QList<QByteArray> parts = line.split(' ');
        QCOMPARE(parts.size(), 3);
        QCOMPARE(parts.at(1).size(), 64); // the client random, in hex
        labels << QString::fromLatin1(parts.at(0));
    }
    for (const QString &label : secrets)
        QVERIFY2(labels.contains(label), qPrintable(labels.join(u", "_s)));
}

void TestTlsSocket::largeEchoThroughTheReadCap()
{
    EchoServer server;
    QVERIFY(server.start(serverConf()));
    TlsClientSettings s;
    s.serverName = u"localhost"_s;
    s.caFile = m_server.certFile();
    QObject scope;
    TlsSocket *tls = connectTls(server.port(), s, &scope);
    QVERIFY(tls);
    tls->setReadBufferSize(64 * 1024); // smaller than what comes back: the cap is exercised
    QSignalSpy encrypted(tls, &TlsSocket::encrypted);
    QVERIFY(encrypted.wait(5000));
    QByteArray sent(3 * 1024 * 1024 + 17, Qt::Uninitialized);
    for (qsizetype i = 0; i < sent.size(); ++i)
        sent[i] = char((i * 7 + i / 251) & 0xff);
    QCOMPARE(tls->write(sent), sent.size());
    QByteArray received;
    qint64 mostBuffered = 0;
    connect(tls, &QIODevice::readyRead, tls, [&] {
        mostBuffered = qMax(mostBuffered, tls->bytesAvailable());
        received += tls->readAll();
    });
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), sent.size(), 20000);
    QVERIFY(received == sent);
    QVERIFY2(mostBuffered <= 64 * 1024, qPrintable(QString::number(mostBuffered)));
}

void TestTlsSocket::serverCloseKeepsTheLastBytes()
{
    EchoServer server;
    server.farewell = QByteArray(100000, 'z');
    QVERIFY(server.start(serverConf()));
    TlsClientSettings s;
    s.serverName = u"localhost"_s;
    s.caFile = m_server.certFile();
    QObject scope;
    TlsSocket *tls = connectTls(server.port(), s, &scope);
    QVERIFY(tls);
    QByteArray received;
    bool sawAllBeforeDisconnect = false;
    connect(tls, &QIODevice::readyRead, tls, [&] { received += tls->readAll(); });
    connect(tls, &QAbstractSocket::disconnected, tls, [&] {
        received += tls->readAll();
        sawAllBeforeDisconnect = received.size() == server.farewell.size();
    });
    QSignalSpy disconnected(tls, &QAbstractSocket::disconnected);
    QVERIFY(disconnected.wait(5000));
    QVERIFY(sawAllBeforeDisconnect);
    QCOMPARE(tls->error(), QAbstractSocket::RemoteHostClosedError);
    QCOMPARE(tls->state(), QAbstractSocket::UnconnectedState);
}

void TestTlsSocket::verification_data()
{
    QTest::addColumn<bool>("trustServer");
    QTest::addColumn<QString>("serverName");
    QTest::addColumn<QList<QSslError::SslError>>("errors");
    QTest::newRow("trusted, right name") << true << u"localhost"_s << QList<QSslError::SslError>{};
    QTest::newRow("trusted, IP literal") << true << u"127.0.0.1"_s << QList<QSslError::SslError>{};
    QTest::newRow("not trusted") << false << u"localhost"_s
                                 << QList<QSslError::SslError>{QSslError::SelfSignedCertificate};
    QTest::newRow("another name") << true << u"other.example"_s
                                  << QList<QSslError::SslError>{QSslError::HostNameMismatch};
}

void TestTlsSocket::verification()
{
    QFETCH(bool, trustServer);
    QFETCH(QString, serverName);
    QFETCH(QList<QSslError::SslError>, errors);
    EchoServer server;
    QVERIFY(server.start(serverConf()));
    TlsClientSettings s;
    s.serverName = serverName;
    // Not trusted: a CA file that holds another certificate, so the system CAs are out too.
    s.caFile = trustServer ? m_server.certFile() : m_client.certFile();
    QObject scope;
    TlsSocket *tls = connectTls(server.port(), s, &scope);
    QVERIFY(tls);
    QSignalSpy encrypted(tls, &TlsSocket::encrypted);
    // The socket only reports: Connection decides whether a complaint fails the connection.
    QVERIFY(encrypted.wait(5000));
    QList<QSslError::SslError> seen;
    for (const QSslError &e : tls->verifyErrors()) {
        seen << e.error();
        QVERIFY(!e.certificate().isNull());
    }
    QCOMPARE(seen, errors);
}

void TestTlsSocket::clientCertificate_data()
{
    QTest::addColumn<QString>("certFile");
    QTest::addColumn<QString>("keyFile");
    QTest::addColumn<QString>("password");
    QTest::addColumn<bool>("sent");
    QTest::newRow("PEM certificate and key")
        << m_client.certFile() << m_client.keyFile() << QString() << true;
    QTest::newRow("PKCS#12 with its password") << m_p12 << QString() << u"sesame"_s << true;
    QTest::newRow("none configured") << QString() << QString() << QString() << false;
}

void TestTlsSocket::clientCertificate()
{
    QFETCH(QString, certFile);
    QFETCH(QString, keyFile);
    QFETCH(QString, password);
    QFETCH(bool, sent);
    QSslConfiguration conf = serverConf(QSsl::TlsV1_3);
    conf.setPeerVerifyMode(QSslSocket::VerifyPeer); // a certificate is required
    conf.setCaCertificates(QSslCertificate::fromPath(m_client.certFile()));
    EchoServer server;
    QVERIFY(server.start(conf));
    TlsClientSettings s;
    s.serverName = u"localhost"_s;
    s.caFile = m_server.certFile();
    s.certFile = certFile;
    s.keyFile = keyFile;
    s.certPassword = password;
    QObject scope;
    TlsSocket *tls = connectTls(server.port(), s, &scope);
    QVERIFY(tls);
    QStringList alerts;
    connect(tls, &TlsSocket::tlsMessage, tls, [&alerts](const TlsMessage &m) {
        if (m.kind == TlsMessage::Kind::Alert)
            alerts << messageLabel(m);
    });
    QSignalSpy encrypted(tls, &TlsSocket::encrypted);
    QVERIFY(encrypted.wait(5000));
    QVERIFY(tls->clientCertificateRequested());
    const QSslCertificate client = QSslCertificate::fromPath(m_client.certFile()).value(0);
    if (sent) {
        QCOMPARE(tls->clientCertificateSent(), client);
        QTRY_COMPARE(server.clientCertificate(), client);
        QCOMPARE(tls->write("ping"), 4);
        QByteArray echoed;
        QTRY_COMPARE_WITH_TIMEOUT((echoed += tls->readAll()), QByteArray("ping"), 5000);
        QCOMPARE(alerts, QStringList());
        return;
    }
    // TLS 1.3: the client's Finished goes out before the server judges it, so the handshake is
    // done here; the server's verdict ends the connection after it (Qt's server closes without
    // an alert; Apache's "certificate required" alert is checked in tst_cli_tls).
    QVERIFY(tls->clientCertificateSent().isNull());
    QSignalSpy closed(tls, &QAbstractSocket::disconnected);
    tls->write("ping");
    QVERIFY(closed.wait(5000));
    QCOMPARE(tls->readAll(), QByteArray());
}

void TestTlsSocket::unusableClientCertificate_data()
{
    QTest::addColumn<QString>("certFile");
    QTest::addColumn<QString>("keyFile");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("says");
    QTest::newRow("missing file") << u"/nonexistent/client.pem"_s << QString() << QString()
                                  << u"--cert /nonexistent/client.pem"_s;
    QTest::newRow("PKCS#12, wrong password")
        << m_p12 << QString() << u"wrong"_s << u"wrong password?"_s;
    QTest::newRow("PEM without its key")
        << m_client.certFile() << QString() << QString() << u"no private key could be read"_s;
    QTest::newRow("key of another certificate")
        << m_client.certFile() << m_server.keyFile() << QString()
        << u"--key %1: the key does not belong to the certificate"_s.arg(m_server.keyFile());
}

void TestTlsSocket::unusableClientCertificate()
{
    QFETCH(QString, certFile);
    QFETCH(QString, keyFile);
    QFETCH(QString, password);
    QFETCH(QString, says);
    EchoServer server;
    QVERIFY(server.start(serverConf()));
    TlsClientSettings s;
    s.serverName = u"localhost"_s;
    s.certFile = certFile;
    s.keyFile = keyFile;
    s.certPassword = password;
    QObject scope;
    QString error;
    QVERIFY(!connectTls(server.port(), s, &scope, &error));
    QVERIFY2(error.contains(says), qPrintable(error));
}

QTEST_MAIN(TestTlsSocket)
#include "tst_tlssocket.moc"
