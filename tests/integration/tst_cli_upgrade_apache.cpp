// hopscope-cli against a real Apache httpd with mod_http2: the h2c upgrade (stream 1 answers
// the upgraded request, later requests ride the same connection as streams 3, 5, …), Apache
// declining an offer with a body, HEAD through an upgrade, --h2c-options, prior knowledge, and the
// `Upgrade: h2` advertisement over TLS followed to a new HTTP/2 connection.

#include "apachefixture.h"
#include "clirunner.h"

#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

QString str(const QJsonObject &e, const char *key)
{
    return e.value(QLatin1String(key)).toString();
}

qint64 num(const QJsonObject &e, const char *key)
{
    return e.value(QLatin1String(key)).toInteger(-1);
}

QString header(const QJsonObject &e, QStringView name)
{
    for (const QJsonValue &pair : e.value(QLatin1String("headers")).toArray()) {
        if (pair.toArray().at(0).toString().compare(name, Qt::CaseInsensitive) == 0)
            return pair.toArray().at(1).toString();
    }
    return {};
}

QList<QJsonObject> ofRequest(const QList<QJsonObject> &events, qint64 req)
{
    QList<QJsonObject> out;
    for (const QJsonObject &e : events) {
        if (num(e, "req") == req)
            out.append(e);
    }
    return out;
}

// The lines of a verbose log that name one request or connection ("r2", "c1"), for failures.
QString linesOf(const QString &log, const QString &id)
{
    QStringList kept;
    const QRegularExpression tag(u"\\[[^\\]]*\\b"_s + id + u"\\b"_s);
    for (const QString &line : log.split(u'\n'))
        if (line.contains(tag))
            kept << line;
    return kept.join(u'\n');
}

} // namespace

#define VERIFY_OK(r)                                                                               \
    do {                                                                                           \
        HOPSCOPE_VERIFY_RAN(r);                                                                    \
        QVERIFY2((r).exitCode == 0, qPrintable((r).describe()));                                   \
        QVERIFY2(!(r).has(u"request.failed"), qPrintable((r).describe()));                         \
    } while (false)

class CliUpgradeApacheTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void h2cUpgradeThenStreams_data();
    void h2cUpgradeThenStreams();
    void h2cEventMpmGoawayAfterFirstStream();
    void h2cOfferWithBodyDeclined();
    void h2cHead();
    void h2cViaOptions();
    void h2cPriorKnowledge();
    void cleartextAdvertisementIsOnlyShown();
    void upgradeH2FollowedOverTls_data();
    void upgradeH2FollowedOverTls();
    void verboseShowsTheSwitch();
    void parallelStreamsOnOneConnection();
    void parallelHttp11WithinMaxConnections_data();
    void parallelHttp11WithinMaxConnections();

private:
    ApacheFixture m_apache;
    ApacheFixture m_worker{ApacheFixture::Mpm::Worker};
};

void CliUpgradeApacheTest::initTestCase()
{
    QVERIFY2(m_apache.start(), qPrintable(m_apache.errorString()));
    QVERIFY2(m_worker.start(), qPrintable(m_worker.errorString()));
}

void CliUpgradeApacheTest::cleanupTestCase()
{
    m_apache.stop();
    m_worker.stop();
}

void CliUpgradeApacheTest::h2cUpgradeThenStreams_data()
{
    QTest::addColumn<bool>("worker");
    QTest::addColumn<bool>("parallel");
    // The worker MPM keeps the upgraded session open between requests.
    QTest::newRow("worker mpm, sequential") << true << false;
    // Requests queued while the switch is in flight wait for it, then go out as streams.
    QTest::newRow("worker mpm, parallel") << true << true;
}

void CliUpgradeApacheTest::h2cUpgradeThenStreams()
{
    QFETCH(bool, worker);
    QFETCH(bool, parallel);
    ApacheFixture &apache = worker ? m_worker : m_apache;
    CliRunner runner;
    QStringList args{u"--h2c"_s,
                     u"-o"_s,
                     runner.scratchPath(u"a"_s),
                     u"-o"_s,
                     runner.scratchPath(u"b"_s),
                     u"-o"_s,
                     runner.scratchPath(u"c"_s)};
    if (parallel)
        args << u"--parallel"_s;
    args << apache.url(false, u"/small.txt"_s) << apache.url(false, u"/etag.txt"_s)
         << apache.url(false, u"/cgi/chunked"_s);
    const CliResult r = runner.run(args);
    VERIFY_OK(r);

    // One connection: the offer on the first request, then the switch.
    QCOMPARE(r.count(u"connect"), 1);
    QCOMPARE(r.count(u"h1.request"), 1);
    const QJsonObject req = r.first(u"h1.request");
    QCOMPARE(header(req, u"Upgrade"), u"h2c"_s);
    QCOMPARE(header(req, u"Connection"), u"Upgrade, HTTP2-Settings"_s);
    const QString settings = header(req, u"HTTP2-Settings");
    QVERIFY(!settings.isEmpty());
    QVERIFY2(!settings.contains(u'=') && !settings.contains(u'+') && !settings.contains(u'/'),
             qPrintable(settings)); // base64url without padding
    const QByteArray payload =
        QByteArray::fromBase64(settings.toLatin1(), QByteArray::Base64UrlEncoding);
    QCOMPARE(payload.size() % 6, 0);
    QVERIFY(payload.contains(QByteArray::fromHex("000200000000"))); // ENABLE_PUSH = 0

    QCOMPARE(str(r.first(u"upgrade.offer"), "protocol"), u"h2c"_s);
    QCOMPARE(num(r.first(u"upgrade.offer"), "req"), 1);
    QCOMPARE(str(r.first(u"upgrade.switch"), "protocol"), u"h2c"_s);
    QCOMPARE(num(r.first(u"h1.response"), "status"), 101);

    const auto complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 3);
    QList<qint64> streams;
    for (const QJsonObject &c : complete) {
        QCOMPARE(num(c, "conn"), 1);
        QCOMPARE(str(c, "protocol"), u"h2"_s);
        QCOMPARE(num(c, "status"), 200);
        streams << num(c, "stream");
    }
    std::sort(streams.begin(), streams.end());
    QCOMPARE(streams, (QList<qint64>{1, 3, 5}));
    QCOMPARE(num(ofRequest(complete, 1).value(0), "stream"), 1);
    QFile a(runner.scratchPath(u"a"_s));
    QVERIFY(a.open(QIODevice::ReadOnly));
    QCOMPARE(a.readAll(), ApacheFixture::smallBody());
    QFile c(runner.scratchPath(u"c"_s));
    QVERIFY(c.open(QIODevice::ReadOnly));
    QCOMPARE(c.readAll(), ApacheFixture::chunkedBody());

    // Both sides' SETTINGS crossed the wire after the switch.
    bool settingsOut = false, settingsIn = false;
    for (const QJsonObject &f : r.events(u"h2.frame")) {
        if (str(f, "frame") == u"SETTINGS" && str(f, "dir") == u"out")
            settingsOut = true;
        if (str(f, "frame") == u"SETTINGS" && str(f, "dir") == u"in")
            settingsIn = true;
    }
    QVERIFY2(settingsOut && settingsIn, qPrintable(r.describe()));
}

// Apache's event MPM (Debian's default) ends an upgraded connection that is idle after stream 1
// (GOAWAY "timeout", last stream 1). The next request, refused unprocessed, is retried on a new
// connection, and the trace shows why. Whether Apache goes idle before the second request
// arrives is a race, so both outcomes are checked precisely.
void CliUpgradeApacheTest::h2cEventMpmGoawayAfterFirstStream()
{
    CliRunner runner;
    const CliResult r = runner.run(
        {u"--h2c"_s, u"-o"_s, runner.scratchPath(u"a"_s), u"-o"_s, runner.scratchPath(u"b"_s),
         m_apache.url(false, u"/small.txt"_s), m_apache.url(false, u"/etag.txt"_s)});
    VERIFY_OK(r);
    const auto complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 2);
    QCOMPARE(num(complete.at(0), "conn"), 1);
    QCOMPARE(num(complete.at(0), "stream"), 1);
    QCOMPARE(str(complete.at(0), "protocol"), u"h2"_s);
    QCOMPARE(str(complete.at(1), "protocol"), u"h2"_s);
    qint64 goawayLastStream = -1; // the GOAWAY Apache sent on connection 1, if any
    for (const QJsonObject &f : r.events(u"h2.frame")) {
        if (str(f, "frame") == u"GOAWAY" && str(f, "dir") == u"in" && num(f, "conn") == 1)
            goawayLastStream = num(f, "lastStreamId");
    }
    if (goawayLastStream == 1) {
        // Refused unprocessed: retried on connection 2, upgraded again.
        QVERIFY2(r.has(u"pool.retry"), qPrintable(r.describe()));
        QCOMPARE(num(r.first(u"pool.retry"), "req"), 2);
        QCOMPARE(num(complete.at(1), "conn"), 2);
        QCOMPARE(num(complete.at(1), "stream"), 1);
    } else {
        // The request reached Apache before it went idle (a race on a loaded machine).
        QVERIFY2(!r.has(u"pool.retry"), qPrintable(r.describe()));
        QCOMPARE(num(complete.at(1), "conn"), 1);
        QCOMPARE(num(complete.at(1), "stream"), 3);
    }
}

void CliUpgradeApacheTest::h2cOfferWithBodyDeclined()
{
    CliRunner runner;
    const CliResult r =
        runner.run({u"--h2c"_s, u"-d"_s, u"hello=1"_s, u"-o"_s, runner.scratchPath(u"a"_s), u"-o"_s,
                    runner.scratchPath(u"b"_s), m_apache.url(false, u"/cgi/headers"_s),
                    m_apache.url(false, u"/cgi/headers"_s)});
    VERIFY_OK(r);
    // Offered once (with the body), declined plainly, and the connection stays HTTP/1.1.
    QCOMPARE(r.count(u"upgrade.offer"), 1);
    QCOMPARE(r.first(u"upgrade.offer").value(u"withBody"_s).toBool(), true);
    QCOMPARE(r.count(u"upgrade.declined"), 1);
    QCOMPARE(str(r.first(u"upgrade.declined"), "protocol"), u"h2c"_s);
    QCOMPARE(num(r.first(u"upgrade.declined"), "status"), 200);
    QCOMPARE(r.count(u"upgrade.switch"), 0);
    QCOMPARE(r.count(u"connect"), 1);
    const auto complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 2);
    for (const QJsonObject &c : complete)
        QCOMPARE(str(c, "protocol"), u"http/1.1"_s);
    // No second offer on the declined connection.
    QCOMPARE(header(r.events(u"h1.request").at(1), u"Upgrade"), QString());
    QFile a(runner.scratchPath(u"a"_s));
    QVERIFY(a.open(QIODevice::ReadOnly));
    QVERIFY2(a.readAll().contains("hello=1"), "the body reached the server over HTTP/1.1");
}

void CliUpgradeApacheTest::h2cHead()
{
    CliRunner runner;
    const CliResult r =
        runner.run({u"--h2c"_s, u"-X"_s, u"HEAD"_s, m_apache.url(false, u"/small.txt"_s)});
    VERIFY_OK(r);
    QCOMPARE(r.count(u"upgrade.switch"), 1);
    const QJsonObject c = r.first(u"response.complete");
    QCOMPARE(num(c, "stream"), 1);
    QCOMPARE(str(c, "protocol"), u"h2"_s);
    QCOMPARE(num(c, "status"), 200);
    QCOMPARE(num(c, "bytes"), 0);
    QVERIFY(r.standardOutput.isEmpty());
}

// Against the worker MPM: with the event MPM, Apache may end the connection with GOAWAY as soon
// as the probe's stream 1 is answered, before the real request arrives (nghttp -u sees the same),
// and the request is then retried on a new connection.
void CliUpgradeApacheTest::h2cViaOptions()
{
    CliRunner runner;
    const CliResult r =
        runner.run({u"--h2c"_s, u"--h2c-options"_s, u"-d"_s, u"posted=yes"_s, u"-o"_s,
                    runner.scratchPath(u"a"_s), m_worker.url(false, u"/cgi/headers"_s)});
    VERIFY_OK(r);
    const QJsonObject probe = r.first(u"h1.request");
    QCOMPARE(str(probe, "method"), u"OPTIONS"_s);
    QCOMPARE(str(probe, "target"), u"*"_s);
    QCOMPARE(header(probe, u"Upgrade"), u"h2c"_s);
    QCOMPARE(r.count(u"h1.request"), 1);
    QCOMPARE(r.count(u"upgrade.switch"), 1);
    // Stream 1 answered the OPTIONS probe (an internal exchange: no `req`), stream 3 the request.
    const auto complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 2);
    QCOMPARE(num(complete.at(0), "stream"), 1);
    QVERIFY(!complete.at(0).contains(u"req"_s));
    const QJsonObject c = ofRequest(complete, 1).value(0);
    QCOMPARE(num(c, "stream"), 3);
    QCOMPARE(num(c, "conn"), 1);
    QCOMPARE(str(c, "protocol"), u"h2"_s);
    QFile a(runner.scratchPath(u"a"_s));
    QVERIFY(a.open(QIODevice::ReadOnly));
    const QByteArray echoed = a.readAll();
    QVERIFY2(echoed.contains("posted=yes"), echoed.constData());
}

void CliUpgradeApacheTest::h2cPriorKnowledge()
{
    CliRunner runner;
    const CliResult r = runner.run({u"--h2c-prior"_s, u"-o"_s, runner.scratchPath(u"a"_s),
                                    m_apache.url(false, u"/small.txt"_s)});
    VERIFY_OK(r);
    QCOMPARE(r.count(u"h1.request"), 0);
    QCOMPARE(r.count(u"upgrade.offer"), 0);
    const QJsonObject c = r.first(u"response.complete");
    QCOMPARE(str(c, "protocol"), u"h2"_s);
    QCOMPARE(num(c, "stream"), 1);
    QCOMPARE(num(c, "bytes"), ApacheFixture::smallBody().size());
}

void CliUpgradeApacheTest::cleartextAdvertisementIsOnlyShown()
{
    CliRunner runner;
    const CliResult r =
        runner.run({u"-o"_s, u"/dev/null"_s, u"-o"_s, u"/dev/null"_s,
                    m_apache.url(false, u"/small.txt"_s), m_apache.url(false, u"/small.txt"_s)});
    VERIFY_OK(r);
    const QJsonObject adv = r.first(u"upgrade.advertised");
    QCOMPARE(adv.value(u"protocols"_s).toArray(), (QJsonArray{u"h2"_s, u"h2c"_s}));
    QCOMPARE(r.count(u"upgrade.follow"), 0);
    QCOMPARE(r.count(u"connect"), 1);
    for (const QJsonObject &c : r.events(u"response.complete"))
        QCOMPARE(str(c, "protocol"), u"http/1.1"_s);
}

void CliUpgradeApacheTest::upgradeH2FollowedOverTls_data()
{
    QTest::addColumn<bool>("follow");
    QTest::newRow("default") << true;
    QTest::newRow("--no-upgrade-h2") << false;
}

void CliUpgradeApacheTest::upgradeH2FollowedOverTls()
{
    QFETCH(bool, follow);
    CliRunner runner;
    QStringList args{u"--alpn"_s, u"http/1.1"_s,  u"--cacert"_s, m_apache.caFile(),
                     u"-o"_s,     u"/dev/null"_s, u"-o"_s,       runner.scratchPath(u"b"_s)};
    if (!follow)
        args << u"--no-upgrade-h2"_s;
    args << m_apache.url(true, u"/small.txt"_s) << m_apache.url(true, u"/small.txt"_s);
    const CliResult r = runner.run(args);
    VERIFY_OK(r);
    const auto tls = r.events(u"tls");
    QCOMPARE(str(tls.value(0), "alpn"), u"http/1.1"_s);
    const QJsonObject adv = r.first(u"upgrade.advertised");
    QCOMPARE(adv.value(u"protocols"_s).toArray(), QJsonArray{u"h2"_s});
    QCOMPARE(num(adv, "conn"), 1);
    const auto complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 2);
    QCOMPARE(str(complete.at(0), "protocol"), u"http/1.1"_s);
    if (!follow) {
        QCOMPARE(r.count(u"upgrade.follow"), 0);
        QCOMPARE(str(complete.at(1), "protocol"), u"http/1.1"_s);
        QCOMPARE(num(complete.at(1), "conn"), 1);
        return;
    }
    const QJsonObject f = r.first(u"upgrade.follow");
    QCOMPARE(num(f, "from"), 1);
    QCOMPARE(num(f, "conn"), 2);
    QCOMPARE(tls.size(), 2);
    QCOMPARE(str(tls.at(1), "alpn"), u"h2"_s);
    QCOMPARE(num(tls.at(1), "conn"), 2);
    QCOMPARE(str(complete.at(1), "protocol"), u"h2"_s);
    QCOMPARE(num(complete.at(1), "conn"), 2);
    QCOMPARE(num(complete.at(1), "stream"), 1);
    QFile b(runner.scratchPath(u"b"_s));
    QVERIFY(b.open(QIODevice::ReadOnly));
    QCOMPARE(b.readAll(), ApacheFixture::smallBody());
    // The advertising connection closed once idle, saying why.
    bool replaced = false;
    for (const QJsonObject &c : r.events(u"close"))
        replaced |= num(c, "conn") == 1 && str(c, "reason").contains(u"replaced by HTTP/2"_s);
    QVERIFY2(replaced, qPrintable(r.describe()));
}

void CliUpgradeApacheTest::verboseShowsTheSwitch()
{
    CliRunner runner;
    runner.setTraceMode(CliRunner::TraceMode::None);
    const CliResult r =
        runner.run({u"-v"_s, u"--h2c"_s, u"-o"_s, u"/dev/null"_s, u"-o"_s, u"/dev/null"_s,
                    m_worker.url(false, u"/small.txt"_s), m_worker.url(false, u"/small.txt"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QCOMPARE(r.exitCode, 0);
    const QString err = QString::fromUtf8(r.standardError);
    QVERIFY2(err.contains(u"> [c1 r1] Upgrade: h2c"_s), qPrintable(err));
    QVERIFY2(err.contains(u"< [c1 r1] HTTP/1.1 101 Switching Protocols"_s), qPrintable(err));
    QVERIFY2(err.contains(u"upgrading to h2c"_s), qPrintable(err));
    QVERIFY2(err.contains(u"< [c1 r1 s1] :status: 200"_s), qPrintable(err));
    // Against the worker MPM, which keeps the upgraded session open (the event MPM may close it
    // with GOAWAY "timeout" before the second request arrives: see h2cEventMpmGoawayAfterFirst-
    // Stream). QTest cuts long messages, so a failure shows only request 2's lines.
    QVERIFY2(err.contains(u"> [c1 r2 s3] :path: /small.txt"_s), qPrintable(linesOf(err, u"r2"_s)));
    QVERIFY2(!err.contains(u"retrying"_s), qPrintable(linesOf(err, u"r2"_s)));
    QVERIFY2(err.contains(u"SETTINGS frame"_s), qPrintable(err));
}

// --parallel --repeat 100 over prior knowledge: one connection, stream ids 1, 3, …, 199, within
// Apache's SETTINGS_MAX_CONCURRENT_STREAMS (100).
void CliUpgradeApacheTest::parallelStreamsOnOneConnection()
{
    CliRunner runner;
    const CliResult r = runner.run({u"--h2c-prior"_s, u"--parallel"_s, u"--repeat"_s, u"100"_s,
                                    u"-o"_s, u"/dev/null"_s, m_apache.url(false, u"/small.txt"_s)});
    VERIFY_OK(r);
    QCOMPARE(r.count(u"connect"), 1);
    const auto complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 100);
    QList<qint64> streams;
    QSet<qint64> reqs;
    for (const QJsonObject &c : complete) {
        QCOMPARE(num(c, "conn"), 1);
        QCOMPARE(str(c, "protocol"), u"h2"_s);
        streams << num(c, "stream");
        reqs << num(c, "req");
    }
    std::sort(streams.begin(), streams.end());
    QList<qint64> expected;
    for (qint64 id = 1; id <= 199; id += 2)
        expected << id;
    QCOMPARE(streams, expected);
    QCOMPARE(reqs.size(), 100);
    // They really were concurrent: more than one stream was open before the first completed.
    qint64 headersBeforeFirstComplete = 0;
    const qint64 firstCompleteSeq = num(complete.first(), "seq");
    for (const QJsonObject &h : r.events(u"h2.headers")) {
        if (str(h, "dir") == u"out" && num(h, "seq") < firstCompleteSeq)
            ++headersBeforeFirstComplete;
    }
    QVERIFY2(headersBeforeFirstComplete > 1, qPrintable(r.describe()));
}

void CliUpgradeApacheTest::parallelHttp11WithinMaxConnections_data()
{
    QTest::addColumn<int>("maxConnections");
    QTest::addColumn<int>("requests");
    QTest::newRow("3 connections for 9 requests") << 3 << 9;
    QTest::newRow("default 6 for 12 requests") << 0 << 12;
}

void CliUpgradeApacheTest::parallelHttp11WithinMaxConnections()
{
    QFETCH(int, maxConnections);
    QFETCH(int, requests);
    CliRunner runner;
    QStringList args{u"--http1.1"_s, u"--parallel"_s, u"--repeat"_s, QString::number(requests)};
    if (maxConnections > 0)
        args << u"--max-connections"_s << QString::number(maxConnections);
    // /delay-like slowness keeps requests overlapping: the chunked CGI paces its output.
    args << m_apache.url(false, u"/cgi/chunked"_s);
    for (int i = 0; i < requests; ++i)
        args << u"-o"_s << u"/dev/null"_s;
    const CliResult r = runner.run(args);
    VERIFY_OK(r);
    const int expectedConnections = maxConnections > 0 ? maxConnections : 6;
    QCOMPARE(r.count(u"connect"), expectedConnections);
    QCOMPARE(r.count(u"response.complete"), requests);
    QCOMPARE(r.count(u"pool.reuse"), requests - expectedConnections);
    for (const QJsonObject &c : r.events(u"response.complete"))
        QCOMPARE(str(c, "protocol"), u"http/1.1"_s);
}

QTEST_GUILESS_MAIN(CliUpgradeApacheTest)
#include "tst_cli_upgrade_apache.moc"
