// Checks the test harness itself against independent clients (raw sockets, Qt's TLS), so that a
// failing CLI test points at the CLI and not at the fixture, the hostile peer or the runner.

#include "apachefixture.h"
#include "clirunner.h"
#include "hostilepeer.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTest>

using namespace hopscope::test;

namespace {

struct RawResponse
{
    QByteArray head;
    QByteArray body; // as on the wire (chunked framing left in)
    QByteArray header(const QByteArray &name) const
    {
        for (const QByteArray &line : head.split('\n')) {
            const int colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }
};

// One HTTP/1.1 request with Connection: close, read until the server closes.
RawResponse rawRequest(QTcpSocket &socket, const QByteArray &request)
{
    socket.write(request);
    QByteArray data;
    while (socket.state() == QAbstractSocket::ConnectedState || socket.bytesAvailable()) {
        if (!socket.bytesAvailable() && !socket.waitForReadyRead(10000))
            break;
        data += socket.readAll();
    }
    data += socket.readAll();
    const qsizetype end = data.indexOf("\r\n\r\n");
    if (end < 0)
        return {data, {}};
    return {data.left(end + 2), data.mid(end + 4)};
}

RawResponse get(quint16 port, const QByteArray &target, const QByteArray &extraHeaders = {})
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    return rawRequest(socket, "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extraHeaders +
                                  "Connection: close\r\n\r\n");
}

QByteArray dechunk(const QByteArray &wire)
{
    QByteArray body;
    qsizetype pos = 0;
    while (true) {
        const qsizetype lineEnd = wire.indexOf("\r\n", pos);
        if (lineEnd < 0)
            return "<bad chunking>";
        bool ok = false;
        const qsizetype size = wire.mid(pos, lineEnd - pos).split(';').value(0).toLongLong(&ok, 16);
        if (!ok)
            return "<bad chunk size>";
        if (size == 0)
            return body;
        body += wire.mid(lineEnd + 2, size);
        pos = lineEnd + 2 + size + 2;
    }
}

} // namespace

class TestSupport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void apacheServesFiles();
    void apacheChunked();
    void apacheCompresses_data();
    void apacheCompresses();
    void apacheCgi();
    void apacheTlsWithGeneratedCertificate();
    void hostilePeerOk();
    void hostilePeerCloseMidBody();
    void hostilePeerTls();
    void jsonLinesParser();

private:
    ApacheFixture m_apache;
};

void TestSupport::initTestCase()
{
    QVERIFY2(m_apache.start(), qPrintable(m_apache.errorString()));
}

void TestSupport::cleanupTestCase()
{
    m_apache.stop();
    QVERIFY(!m_apache.isRunning());
}

void TestSupport::apacheServesFiles()
{
    const RawResponse small = get(m_apache.plainPort(), "/small.txt");
    QVERIFY2(small.head.startsWith("HTTP/1.1 200"), small.head.constData());
    QCOMPARE(small.body, ApacheFixture::smallBody());
    // Apache advertises its other protocols on cleartext, as the protocol notes say.
    QCOMPARE(small.header("Upgrade"), QByteArray("h2,h2c"));

    const RawResponse large = get(m_apache.plainPort(), "/large.bin");
    QCOMPARE(large.body.size(), ApacheFixture::largeSize);
    QCOMPARE(QCryptographicHash::hash(large.body, QCryptographicHash::Sha256).toHex(),
             m_apache.largeSha256());

    const RawResponse etag = get(m_apache.plainPort(), "/etag.txt");
    QVERIFY(!etag.header("ETag").isEmpty());
    QCOMPARE(etag.header("Last-Modified"), QByteArray("Wed, 01 Jan 2020 00:00:00 GMT"));
    const RawResponse notModified =
        get(m_apache.plainPort(), "/etag.txt", "If-None-Match: " + etag.header("ETag") + "\r\n");
    QVERIFY2(notModified.head.startsWith("HTTP/1.1 304"), notModified.head.constData());
}

void TestSupport::apacheChunked()
{
    const RawResponse response = get(m_apache.plainPort(), "/cgi/chunked");
    QVERIFY2(response.head.startsWith("HTTP/1.1 200"), response.head.constData());
    QCOMPARE(response.header("Transfer-Encoding"), QByteArray("chunked"));
    QVERIFY(response.header("Content-Length").isEmpty());
    QCOMPARE(dechunk(response.body), ApacheFixture::chunkedBody());
    QCOMPARE(ApacheFixture::chunkedBody().size(), 100000);
}

void TestSupport::apacheCompresses_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("acceptEncoding");
    QTest::addColumn<QByteArray>("expectedEncoding");
    QTest::newRow("gzip-only location") << QByteArray("/compress/gzip/text.txt")
                                        << QByteArray("gzip, deflate, br") << QByteArray("gzip");
    QTest::newRow("br-only location") << QByteArray("/compress/br/text.txt")
                                      << QByteArray("gzip, deflate, br") << QByteArray("br");
    QTest::newRow("both, gzip asked")
        << QByteArray("/compress/text.txt") << QByteArray("gzip") << QByteArray("gzip");
    QTest::newRow("both, br asked")
        << QByteArray("/compress/text.txt") << QByteArray("br") << QByteArray("br");
    QTest::newRow("nothing asked")
        << QByteArray("/compress/text.txt") << QByteArray() << QByteArray();
}

void TestSupport::apacheCompresses()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, acceptEncoding);
    QFETCH(QByteArray, expectedEncoding);
    const QByteArray header =
        acceptEncoding.isEmpty() ? QByteArray() : "Accept-Encoding: " + acceptEncoding + "\r\n";
    const RawResponse response = get(m_apache.plainPort(), path, header);
    QCOMPARE(response.header("Content-Encoding"), expectedEncoding);
    if (expectedEncoding.isEmpty())
        QCOMPARE(response.body, ApacheFixture::compressibleText());
    else
        QVERIFY(response.body.size() < ApacheFixture::compressibleText().size() / 3);
}

void TestSupport::apacheCgi()
{
    const RawResponse noContent = get(m_apache.plainPort(), "/cgi/status?204");
    QVERIFY2(noContent.head.startsWith("HTTP/1.1 204"), noContent.head.constData());
    QVERIFY(noContent.body.isEmpty());

    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_apache.plainPort());
    QVERIFY(socket.waitForConnected(5000));
    const RawResponse echo = rawRequest(socket, "PUT /cgi/headers?q=1 HTTP/1.1\r\nHost: x\r\n"
                                                "X-Hopscope-Test: yes\r\nContent-Length: 5\r\n"
                                                "Connection: close\r\n\r\nhello");
    const QByteArray text =
        echo.header("Transfer-Encoding") == "chunked" ? dechunk(echo.body) : echo.body;
    QVERIFY2(text.contains("REQUEST_METHOD=PUT\n"), text.constData());
    QVERIFY2(text.contains("QUERY_STRING=q=1\n"), text.constData());
    QVERIFY2(text.contains("HTTP_X_HOPSCOPE_TEST=yes\n"), text.constData());
    QVERIFY2(text.endsWith("\nBODY=hello"), text.constData());
}

void TestSupport::apacheTlsWithGeneratedCertificate()
{
    QVERIFY(QSslSocket::supportsSsl());
    const auto certificates = QSslCertificate::fromPath(m_apache.caFile());
    QCOMPARE(certificates.size(), 1);
    QSslSocket socket;
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates(certificates);
    config.setAllowedNextProtocols({QSslConfiguration::ALPNProtocolHTTP2, "http/1.1"});
    socket.setSslConfiguration(config);
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_apache.tlsPort());
    QVERIFY2(socket.waitForEncrypted(10000), qPrintable(socket.errorString()));
    // Apache prefers h2 when offered: the CLI's ALPN tests rely on the server choosing.
    QCOMPARE(socket.sslConfiguration().nextNegotiatedProtocol(), QByteArray("h2"));
}

void TestSupport::hostilePeerOk()
{
    HostilePeer peer;
    QVERIFY2(peer.start(QStringLiteral("ok")), qPrintable(peer.errorString()));
    const RawResponse response = get(peer.port(), "/");
    QVERIFY2(response.head.startsWith("HTTP/1.1 200 OK"), response.head.constData());
    QCOMPARE(response.body, QByteArray("hello from the hostile peer\n"));
    QVERIFY2(peer.log().contains("request GET / HTTP/1.1"), peer.log().constData());
    const quint16 port = peer.port();
    peer.stop();
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(!socket.waitForConnected(1000));
}

void TestSupport::hostilePeerCloseMidBody()
{
    HostilePeer peer;
    QVERIFY2(peer.start(QStringLiteral("close-mid-body")), qPrintable(peer.errorString()));
    const RawResponse response = get(peer.port(), "/");
    QCOMPARE(response.header("Content-Length"), QByteArray("100000"));
    QCOMPARE(response.body.size(), 10000);
}

void TestSupport::hostilePeerTls()
{
    HostilePeer peer;
    QVERIFY2(peer.start(QStringLiteral("ok"),
                        {m_apache.caFile(), m_apache.keyFile(), QStringLiteral("http/1.1")}),
             qPrintable(peer.errorString()));
    QVERIFY(peer.url().startsWith(QLatin1String("https://127.0.0.1:")));
    QSslSocket socket;
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates(QSslCertificate::fromPath(m_apache.caFile()));
    config.setAllowedNextProtocols({QSslConfiguration::ALPNProtocolHTTP2, "http/1.1"});
    socket.setSslConfiguration(config);
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), peer.port());
    QVERIFY2(socket.waitForEncrypted(10000), qPrintable(socket.errorString()));
    QCOMPARE(socket.sslConfiguration().nextNegotiatedProtocol(), QByteArray("http/1.1"));
    const RawResponse response =
        rawRequest(socket, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    QVERIFY2(response.head.startsWith("HTTP/1.1 200 OK"), response.head.constData());
    QCOMPARE(response.body, QByteArray("hello from the hostile peer\n"));
}

void TestSupport::jsonLinesParser()
{
    QStringList errors;
    const auto objects = CliRunner::parseJsonLines(
        "{\"seq\":1,\"type\":\"connect\"}\n\n{\"seq\":2,\"type\":\"close\"}\nnot json\n[1]\n",
        &errors);
    QCOMPARE(objects.size(), 2);
    QCOMPARE(objects.at(1).value(QLatin1String("type")).toString(), QStringLiteral("close"));
    QCOMPARE(errors.size(), 2);

    CliResult result;
    result.trace = objects;
    result.standardError = "something\nhopscope-cli: error: it broke\n";
    QCOMPARE(result.count(u"connect"), 1);
    QVERIFY(result.first(u"missing").isEmpty());
    QCOMPARE(result.errorMessage(), QStringLiteral("it broke"));
}

QTEST_GUILESS_MAIN(TestSupport)
#include "tst_testsupport.moc"
