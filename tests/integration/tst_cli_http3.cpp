// HTTP/3 over QUIC against real peers: ngtcp2's own server (gtlsserver, HTTP/3 by nghttp3) for
// --http3-only and --http3, and Apache (mod_headers) advertising `Alt-Svc: h3` that points at it
// for the follow from HTTP/2 to HTTP/3 on a new connection. Both serve Apache's document root
// with Apache's certificate, so the same URL answers the same bytes over either.

#include "apachefixture.h"
#include "clirunner.h"
#include "gtlsserverpeer.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QTest>
#include <QUdpSocket>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

QString str(const QJsonObject &e, const char *key)
{
    return e.value(QLatin1String(key)).toString();
}

qint64 num(const QJsonObject &e, const char *key)
{
    return qint64(e.value(QLatin1String(key)).toDouble(-1));
}

// The protocol each completed request went over, by request id.
QMap<qint64, QString> protocolsByRequest(const CliResult &r)
{
    QMap<qint64, QString> out;
    for (const QJsonObject &e : r.events(u"response.complete"))
        out.insert(num(e, "req"), str(e, "protocol"));
    return out;
}

} // namespace

class CliHttp3Test : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void http3Only_data();
    void http3Only();
    void packetsAddUpToTheDatagrams();
    void largeBodyKeepsEveryByte();
    void noQuicThere_data();
    void noQuicThere();
    void silentUdp_data();
    void silentUdp();
    void untrustedCertificate();
    void altSvcFollow_data();
    void altSvcFollow();
    void altSvcToNowhereFallsBack();

private:
    QStringList trusted() const { return {u"--cacert"_s, m_apache.caFile()}; }
    QString h3Url(const QString &path) const
    {
        return u"https://127.0.0.1:%1%2"_s.arg(m_h3.port()).arg(path);
    }

    ApacheFixture m_apache;
    GtlsServerPeer m_h3;
};

void CliHttp3Test::initTestCase()
{
    QVERIFY2(!CliRunner().program().isEmpty(), "HOPSCOPE_CLI is not set: run through CTest");
    QVERIFY2(m_apache.start(), qPrintable(m_apache.errorString()));
    QVERIFY2(m_h3.start({m_apache.docRoot(), m_apache.keyFile(), m_apache.caFile(), {}}),
             qPrintable(m_h3.errorString()));
}

void CliHttp3Test::cleanupTestCase()
{
    m_h3.stop();
    m_apache.stop();
}

void CliHttp3Test::http3Only_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<int>("requests");
    QTest::newRow("one request") << QStringList{} << 1;
    // Concurrent streams on one QUIC connection (client bidirectional streams 0, 4, 8, …).
    QTest::newRow("ten at once") << QStringList{u"--parallel"_s, u"--repeat"_s, u"10"_s} << 10;
}

void CliHttp3Test::http3Only()
{
    QFETCH(QStringList, options);
    QFETCH(int, requests);
    CliRunner runner;
    const CliResult r =
        runner.run(trusted() + options + QStringList{u"--http3-only"_s, h3Url(u"/small.txt"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.standardOutput, ApacheFixture::smallBody().repeated(requests));
    QCOMPARE(r.count(u"pool.open"), 1);
    const QJsonObject connect = r.first(u"connect");
    QCOMPARE(str(connect, "protocol"), u"udp"_s);
    const QJsonObject tls = r.first(u"tls");
    QCOMPARE(str(tls, "alpn"), u"h3"_s);
    QCOMPARE(str(tls, "protocol"), u"TLSv1.3"_s);
    QCOMPARE(str(tls, "quicVersion"), u"0x00000001"_s);
    QVERIFY2(tls.value(u"verified"_s).toBool(), qPrintable(r.describe()));
    // The handshake as TLS messages, from GnuTLS inside QUIC's CRYPTO frames.
    QStringList messages;
    for (const QJsonObject &e : r.events(u"tls.message"))
        messages << (str(e, "dir") == u"out" ? u"> "_s : u"< "_s) + str(e, "name");
    QVERIFY2(messages.mid(0, 3) ==
                 (QStringList{u"> ClientHello"_s, u"< ServerHello"_s, u"< EncryptedExtensions"_s}),
             qPrintable(messages.join(u", ")));
    // Every request on its own stream, with a request and a response header section.
    QSet<qint64> streams;
    for (const QJsonObject &e : r.events(u"h3.headers")) {
        if (str(e, "kind") == u"response") {
            QCOMPARE(e.value(u"headers"_s).toArray().first().toArray().at(1).toString(), u"200"_s);
            streams.insert(num(e, "stream"));
        }
    }
    QCOMPARE(streams.size(), requests);
    for (qint64 id : streams)
        QVERIFY2(id % 4 == 0, "client-initiated bidirectional stream ids are 0 mod 4");
    const auto protocols = protocolsByRequest(r);
    QCOMPARE(protocols.size(), requests);
    for (const QString &p : protocols)
        QCOMPARE(p, u"h3"_s);
    // The first packet is our Initial with the ClientHello in a CRYPTO frame, padded to 1200.
    const QJsonObject first = r.first(u"quic.packet");
    QCOMPARE(str(first, "dir"), u"out"_s);
    QCOMPARE(str(first, "kind"), u"initial"_s);
    QVERIFY2(num(first, "bytes") >= 1200, qPrintable(r.describe()));
    QVERIFY2(first.value(u"frames"_s).toArray().first().toString().startsWith(u"CRYPTO off 0"),
             qPrintable(r.describe()));
    // The run ends with our CONNECTION_CLOSE (H3_NO_ERROR).
    const QList<QJsonObject> closes = r.events(u"quic.close");
    QVERIFY2(!closes.isEmpty(), qPrintable(r.describe()));
    QCOMPARE(str(closes.last(), "code"), u"H3_NO_ERROR"_s);
    QCOMPARE(str(closes.last(), "dir"), u"out"_s);
}

void CliHttp3Test::packetsAddUpToTheDatagrams()
{
    // Each QUIC packet's size, as traced, adds up to the UDP payloads the connection moved
    // (several packets share a datagram during the handshake).
    CliRunner runner;
    const CliResult r =
        runner.run(trusted() + QStringList{u"--http3-only"_s, h3Url(u"/small.txt"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    qint64 in = 0;
    qint64 out = 0;
    for (const QJsonObject &e : r.events(u"quic.packet"))
        (str(e, "dir") == u"in" ? in : out) += num(e, "bytes");
    const QJsonObject close = r.first(u"close");
    QCOMPARE(in, num(close, "wireRead"));
    QCOMPARE(out, num(close, "wireWritten"));
}

void CliHttp3Test::largeBodyKeepsEveryByte()
{
    // 64 MiB through QUIC flow control (16 MiB stream window, 64 MiB connection window).
    QTemporaryDir dir;
    const QString file = dir.filePath(u"large.bin"_s);
    CliRunner runner;
    runner.setTimeout(std::chrono::minutes(3));
    const CliResult r = runner.run(
        trusted() + QStringList{u"--http3-only"_s, u"-o"_s, file, h3Url(u"/large.bin"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCryptographicHash sha(QCryptographicHash::Sha256);
    QVERIFY(sha.addData(&f));
    QCOMPARE(sha.result().toHex(), m_apache.largeSha256());
}

void CliHttp3Test::noQuicThere_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<int>("exitCode");
    // Apache's TLS port has TCP only: UDP answers with ICMP port unreachable.
    QTest::newRow("--http3 falls back to TCP") << u"--http3"_s << 0;
    QTest::newRow("--http3-only fails (curl's 96)") << u"--http3-only"_s << 96;
}

void CliHttp3Test::noQuicThere()
{
    QFETCH(QString, option);
    QFETCH(int, exitCode);
    CliRunner runner;
    const CliResult r =
        runner.run(trusted() + QStringList{option, m_apache.url(true, u"/small.txt"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == exitCode, qPrintable(r.describe()));
    QVERIFY2(r.elapsedMs < 10000, "ICMP unreachable ends the attempt, not a timeout");
    const QJsonObject error = r.first(u"error");
    QCOMPARE(str(error, "code"), u"quic-connect"_s);
    QVERIFY2(str(error, "message").contains(u"nothing listens on UDP port"),
             qPrintable(r.describe()));
    if (exitCode != 0) {
        QVERIFY2(r.errorMessage().contains(u"nothing listens on UDP port"),
                 qPrintable(r.describe()));
        return;
    }
    // The QUIC failure is the connection's, not the request's; the request goes on over TCP.
    QCOMPARE(num(error, "req"), -1);
    const QJsonObject fallback = r.first(u"quic.fallback");
    QVERIFY2(str(fallback, "reason").contains(u"nothing listens"), qPrintable(r.describe()));
    QCOMPARE(r.standardOutput, ApacheFixture::smallBody());
    QCOMPARE(protocolsByRequest(r).value(1), u"h2"_s);
}

void CliHttp3Test::silentUdp_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("says");
    // A UDP socket that reads and never answers (a firewall's silence, a stalled handshake):
    // --http3 goes over TCP after quicFallbackMs, --http3-only waits for --connect-timeout.
    QTest::newRow("--http3 falls back after quicFallbackMs")
        << QStringList{u"--http3"_s} << 0 << u"within 1000 ms (limit quicFallbackMs)"_s;
    QTest::newRow("--http3 with quicFallbackMs=300")
        << QStringList{u"--http3"_s, u"--limit"_s, u"quicFallbackMs=300"_s} << 0
        << u"within 300 ms"_s;
    QTest::newRow("--http3-only times out (28)")
        << QStringList{u"--http3-only"_s, u"--connect-timeout"_s, u"2"_s} << 28
        << u"nothing came back over UDP"_s;
}

void CliHttp3Test::silentUdp()
{
    QFETCH(QStringList, options);
    QFETCH(int, exitCode);
    QFETCH(QString, says);
    // UDP on Apache's TLS port number (TCP and UDP ports are apart): QUIC meets silence there,
    // TCP meets Apache.
    QUdpSocket silence;
    QVERIFY(silence.bind(QHostAddress::LocalHost, m_apache.tlsPort()));
    CliRunner runner;
    const CliResult r =
        runner.run(trusted() + options + QStringList{m_apache.url(true, u"/small.txt"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == exitCode, qPrintable(r.describe()));
    QVERIFY2(silence.hasPendingDatagrams(), "the Initial reached the silent socket");
    const QJsonObject error = r.first(u"error");
    QVERIFY2(str(error, "message").contains(says), qPrintable(r.describe()));
    if (exitCode != 0) {
        QVERIFY2(r.elapsedMs >= 2000, qPrintable(r.describe()));
        return;
    }
    QVERIFY2(r.elapsedMs < 10000, qPrintable(r.describe()));
    QCOMPARE(r.standardOutput, ApacheFixture::smallBody());
    QCOMPARE(protocolsByRequest(r).value(1), u"h2"_s);
    QVERIFY2(str(r.first(u"quic.fallback"), "reason").contains(says), qPrintable(r.describe()));
}

void CliHttp3Test::untrustedCertificate()
{
    CliRunner runner;
    const CliResult r = runner.run({u"--http3-only"_s, h3Url(u"/small.txt"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 60, qPrintable(r.describe()));
    QVERIFY2(r.errorMessage().contains(u"self-signed"), qPrintable(r.describe()));
    const CliResult k = runner.run({u"-k"_s, u"--http3-only"_s, h3Url(u"/small.txt"_s)});
    QVERIFY2(k.exitCode == 0, qPrintable(k.describe()));
    QVERIFY2(!k.first(u"tls").value(u"verified"_s).toBool(), qPrintable(k.describe()));
}

void CliHttp3Test::altSvcFollow_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QString>("secondProtocol");
    QTest::newRow("followed to HTTP/3") << QStringList{} << u"h3"_s;
    QTest::newRow("--no-alt-svc") << QStringList{u"--no-alt-svc"_s} << u"h2"_s;
}

void CliHttp3Test::altSvcFollow()
{
    QFETCH(QStringList, options);
    QFETCH(QString, secondProtocol);
    CliRunner runner;
    const QString advertising = m_apache.url(true, u"/altsvc/%1/small.txt"_s.arg(m_h3.port()));
    const CliResult r = runner.run(trusted() + options +
                                   QStringList{advertising, m_apache.url(true, u"/small.txt"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.standardOutput, ApacheFixture::smallBody().repeated(2));
    const QJsonObject altSvc = r.first(u"alt-svc");
    QCOMPARE(num(altSvc, "conn"), 1);
    QCOMPARE(altSvc.value(u"protocols"_s).toArray().first().toString(),
             u"h3=:%1"_s.arg(m_h3.port()));
    const auto protocols = protocolsByRequest(r);
    QCOMPARE(protocols.value(1), u"h2"_s);
    QCOMPARE(protocols.value(2), secondProtocol);
    if (secondProtocol != u"h3") {
        QCOMPARE(str(altSvc, "action"), u"ignored"_s);
        QVERIFY2(str(altSvc, "reason").contains(u"--no-alt-svc"), qPrintable(r.describe()));
        QCOMPARE(r.count(u"pool.open"), 1);
        return;
    }
    QCOMPARE(str(altSvc, "action"), u"remembered"_s);
    QCOMPARE(num(altSvc, "maxAge"), 60);
    // The arrow: connection 2 speaks HTTP/3, led there by connection 1's advertisement, and
    // dials the advertised UDP port for the same origin.
    const QJsonObject follow = r.first(u"upgrade.follow");
    QCOMPARE(num(follow, "conn"), 2);
    QCOMPARE(num(follow, "from"), 1);
    QCOMPARE(str(follow, "protocol"), u"h3"_s);
    QCOMPARE(str(follow, "via"), u"Alt-Svc"_s);
    QJsonObject attempt;
    for (const QJsonObject &e : r.events(u"connect.attempt"))
        if (num(e, "conn") == 2)
            attempt = e;
    QCOMPARE(num(attempt, "port"), m_h3.port());
    QVERIFY2(str(attempt, "via").startsWith(u"Alt-Svc"), qPrintable(r.describe()));
}

void CliHttp3Test::altSvcToNowhereFallsBack()
{
    // An advertisement for a UDP port where nothing listens: the follow fails, the request goes
    // over TCP to the origin, and the next one does not try again.
    const quint16 nowhere = GtlsServerPeer::freeUdpPort();
    CliRunner runner;
    const CliResult r = runner.run(
        trusted() + QStringList{m_apache.url(true, u"/altsvc/%1/small.txt"_s.arg(nowhere)),
                                m_apache.url(true, u"/small.txt"_s),
                                m_apache.url(true, u"/small.txt"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.standardOutput, ApacheFixture::smallBody().repeated(3));
    const auto protocols = protocolsByRequest(r);
    QCOMPARE(protocols.value(2), u"h2"_s);
    QCOMPARE(protocols.value(3), u"h2"_s);
    QCOMPARE(r.count(u"quic.fallback"), 1);
    QCOMPARE(num(r.first(u"quic.fallback"), "req"), 2);
}

QTEST_GUILESS_MAIN(CliHttp3Test)
#include "tst_cli_http3.moc"
