// hopscope-cli against tests/peers/noalpn_h2_peer.py: a TLS server without ALPN (an old TLS
// stack) that advertises `Upgrade: h2` over HTTP/1.1 and speaks HTTP/2 by prior knowledge. The
// advertisement must lead the next request to a new TLS connection offering only h2 and, with no
// ALPN answer, to HTTP/2 by prior knowledge there; --no-upgrade-h2 must stay on HTTP/1.1.

#include "clirunner.h"
#include "scriptpeer.h"
#include "tlscertificate.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QScopeGuard>
#include <QTest>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

const QByteArray http1Body = "served over http/1.1\n";
const QByteArray h2Body = "served over h2 prior knowledge\n";

QString str(const QJsonObject &event, const char *key)
{
    return event.value(QLatin1String(key)).toString();
}

qint64 num(const QJsonObject &event, const char *key)
{
    return event.value(QLatin1String(key)).toInteger(-1);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<missing>");
}

// The first event of the type on the connection, or an empty object.
QJsonObject onConnection(const CliResult &r, QStringView type, qint64 conn)
{
    for (const QJsonObject &e : r.events(type)) {
        if (num(e, "conn") == conn)
            return e;
    }
    return {};
}

} // namespace

class CliNoAlpnPeerTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void upgradeH2FollowedToPriorKnowledge();
    void laterRequestsShareTheH2Connection();
    void noUpgradeH2StaysOnHttp1();

private:
    // QTest cuts failure messages at about 1000 characters: the guard writes the run's whole
    // story (stderr, the trace's tail, the peer's log) once, when the test failed.
    [[nodiscard]] auto explainOnFailure(const CliResult &r) const
    {
        return qScopeGuard([&r, this] {
            if (QTest::currentTestFailed()) {
                qWarning().noquote() << u"\n"_s + r.describe() + u"  peer log:\n"_s +
                                            QString::fromUtf8(m_peer.log());
            }
        });
    }

    SelfSignedCertificate m_certificate;
    ScriptPeer m_peer;
};

void CliNoAlpnPeerTest::initTestCase()
{
    const QString cli = CliRunner().program();
    QVERIFY2(!cli.isEmpty(), "HOPSCOPE_CLI is not set: run through CTest");
    QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli + u" is not an executable"_s));
    QVERIFY2(m_certificate.create(), qPrintable(m_certificate.errorString()));
}

void CliNoAlpnPeerTest::init()
{
    // A fresh peer per test: its log then tells this test's connections apart.
    QVERIFY2(m_peer.launch(u"noalpn_h2_peer.py"_s, {},
                           {m_certificate.certFile(), m_certificate.keyFile(), {}}),
             qPrintable(m_peer.errorString()));
}

void CliNoAlpnPeerTest::cleanup()
{
    m_peer.stop();
}

void CliNoAlpnPeerTest::upgradeH2FollowedToPriorKnowledge()
{
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(30));
    const QString outA = runner.scratchPath(u"a.out"_s);
    const QString outB = runner.scratchPath(u"b.out"_s);
    const CliResult r = runner.run({u"--cacert"_s, m_certificate.certFile(), u"-o"_s, outA, u"-o"_s,
                                    outB, m_peer.url(u"/a"_s), m_peer.url(u"/b"_s)});
    const auto explain = explainOnFailure(r);
    HOPSCOPE_VERIFY_RAN(r);
    QCOMPARE(r.exitCode, 0);
    QVERIFY(!r.has(u"request.failed"));
    QCOMPARE(readFile(outA), http1Body);
    QCOMPARE(readFile(outB), h2Body);

    // Request 1: HTTP/1.1 on connection 1, no ALPN answer, and the advertisement recorded.
    const QList<QJsonObject> complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 2);
    QCOMPARE(num(complete.at(0), "req"), qint64(1));
    QCOMPARE(num(complete.at(0), "conn"), qint64(1));
    QCOMPARE(str(complete.at(0), "protocol"), u"http/1.1"_s);
    const QJsonObject tls1 = onConnection(r, u"tls", 1);
    QVERIFY(!tls1.isEmpty());
    QVERIFY(tls1.value(u"alpn"_s).isNull());
    QCOMPARE(tls1.value(u"verified"_s).toBool(), true);
    const QJsonObject advertised = r.first(u"upgrade.advertised");
    QVERIFY(!advertised.isEmpty());
    QCOMPARE(num(advertised, "conn"), qint64(1));
    QCOMPARE(num(advertised, "req"), qint64(1));
    QCOMPARE(advertised.value(u"protocols"_s).toArray(), QJsonArray{u"h2"_s});

    // Request 2: a new connection that follows the advertisement, offers only h2, gets no ALPN
    // answer either and speaks HTTP/2 by prior knowledge over TLS.
    QCOMPARE(r.count(u"connect"), 2);
    const QJsonObject follow = r.first(u"upgrade.follow");
    QVERIFY(!follow.isEmpty());
    QCOMPARE(num(follow, "conn"), qint64(2));
    QCOMPARE(num(follow, "req"), qint64(2));
    QCOMPARE(num(follow, "from"), qint64(1));
    QCOMPARE(str(follow, "protocol"), u"h2"_s);
    QCOMPARE(str(follow, "alpn"), u"h2"_s);
    const QJsonObject tls2 = onConnection(r, u"tls", 2);
    QVERIFY(!tls2.isEmpty());
    QVERIFY(tls2.value(u"alpn"_s).isNull());
    QVERIFY(num(follow, "seq") < num(tls2, "seq"));
    QCOMPARE(num(complete.at(1), "req"), qint64(2));
    QCOMPARE(num(complete.at(1), "conn"), qint64(2));
    QCOMPARE(num(complete.at(1), "stream"), qint64(1));
    QCOMPARE(str(complete.at(1), "protocol"), u"h2"_s);
    QCOMPARE(num(complete.at(1), "bytes"), qint64(h2Body.size()));
    const QJsonObject h2Request = onConnection(r, u"h2.headers", 2);
    QCOMPARE(str(h2Request, "dir"), u"out"_s);
    QVERIFY(h2Request.value(u"headers"_s).toArray().contains(QJsonArray{u":path"_s, u"/b"_s}));
    QCOMPARE(r.count(u"h1.request"), 1);
    QVERIFY2(!onConnection(r, u"close", 1).isEmpty(),
             "connection 1 was not closed after it was replaced");

    // The peer's view: /a over HTTP/1.1 on its first connection, /b as stream 1 of HTTP/2 by
    // prior knowledge on the second, neither with ALPN.
    const QByteArray log = m_peer.log();
    QVERIFY2(log.contains("conn 1: http/1.1 request GET /a HTTP/1.1"), log.constData());
    QVERIFY2(log.contains("conn 2: h2 prior knowledge"), log.constData());
    QVERIFY2(log.contains("conn 2: h2 stream 1 request GET /b"), log.constData());
    QCOMPARE(log.count("alpn None"), 2);
}

void CliNoAlpnPeerTest::laterRequestsShareTheH2Connection()
{
    // Once the origin runs over HTTP/2, a third request is stream 3 there, not a new connection.
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(30));
    const CliResult r = runner.run({u"--cacert"_s, m_certificate.certFile(), m_peer.url(u"/a"_s),
                                    m_peer.url(u"/b"_s), m_peer.url(u"/c"_s)});
    const auto explain = explainOnFailure(r);
    HOPSCOPE_VERIFY_RAN(r);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.standardOutput, http1Body + h2Body + h2Body);
    QCOMPARE(r.count(u"connect"), 2);
    QCOMPARE(r.count(u"upgrade.follow"), 1);
    const QList<QJsonObject> complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 3);
    QCOMPARE(num(complete.at(2), "req"), qint64(3));
    QCOMPARE(num(complete.at(2), "conn"), qint64(2));
    QCOMPARE(num(complete.at(2), "stream"), qint64(3));
    QCOMPARE(str(complete.at(2), "protocol"), u"h2"_s);
    QVERIFY2(m_peer.log().contains("conn 2: h2 stream 3 request GET /c"), m_peer.log().constData());
}

void CliNoAlpnPeerTest::noUpgradeH2StaysOnHttp1()
{
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(30));
    const CliResult r = runner.run({u"--no-upgrade-h2"_s, u"--cacert"_s, m_certificate.certFile(),
                                    m_peer.url(u"/a"_s), m_peer.url(u"/b"_s)});
    const auto explain = explainOnFailure(r);
    HOPSCOPE_VERIFY_RAN(r);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.standardOutput, http1Body + http1Body);
    // The advertisement is still shown; it is just not acted on.
    QVERIFY(r.has(u"upgrade.advertised"));
    QVERIFY(!r.has(u"upgrade.follow"));
    QVERIFY(!r.has(u"h2.frame"));
    QCOMPARE(r.count(u"connect"), 1);
    const QList<QJsonObject> complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 2);
    for (const QJsonObject &e : complete) {
        QCOMPARE(num(e, "conn"), qint64(1));
        QCOMPARE(str(e, "protocol"), u"http/1.1"_s);
    }
    const QByteArray log = m_peer.log();
    QVERIFY2(log.contains("conn 1: http/1.1 request GET /b HTTP/1.1"), log.constData());
    QVERIFY2(!log.contains("h2 prior knowledge"), log.constData());
}

QTEST_GUILESS_MAIN(CliNoAlpnPeerTest)
#include "tst_cli_noalpn_peer.moc"
