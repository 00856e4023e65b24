// hopscope-cli --demo (the tour the README's run command shows) and --serve-demo, end to end:
// every protocol switch of the tour must happen, on the connections and streams it claims.

#include "clirunner.h"

#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <csignal>

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

QList<QJsonObject> where(const QList<QJsonObject> &events, const char *key, qint64 value)
{
    QList<QJsonObject> out;
    for (const QJsonObject &e : events) {
        if (num(e, key) == value)
            out.append(e);
    }
    return out;
}

} // namespace

class CliDemoTest : public QObject
{
    Q_OBJECT

private slots:
    void tour();
    void serveDemo();
};

void CliDemoTest::tour()
{
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(60));
    const CliResult r = runner.run({u"--demo"_s});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(!r.has(u"request.failed"), qPrintable(r.describe()));
    QCOMPARE(r.count(u"demo.phase"), 5);

    // 1. h2c: the offer, the switch, streams 1, 3, 5 on connection 1.
    const QJsonObject sw = r.first(u"upgrade.switch");
    QCOMPARE(str(sw, "protocol"), u"h2c"_s);
    QCOMPARE(num(sw, "conn"), 1);
    QList<qint64> streams;
    for (const QJsonObject &c : where(r.events(u"response.complete"), "conn", 1)) {
        QCOMPARE(str(c, "protocol"), u"h2"_s);
        streams << num(c, "stream");
    }
    std::sort(streams.begin(), streams.end());
    QCOMPARE(streams, (QList<qint64>{1, 3, 5}));

    // 2. TLS: HTTP/1.1 on one connection advertises h2, the next request follows it.
    const QJsonObject adv = r.first(u"upgrade.advertised");
    QCOMPARE(adv.value(u"protocols"_s).toArray(), QJsonArray{u"h2"_s});
    const QJsonObject follow = r.first(u"upgrade.follow");
    QCOMPARE(num(follow, "from"), num(adv, "conn"));
    const auto followed = where(r.events(u"response.complete"), "conn", num(follow, "conn"));
    QCOMPARE(followed.size(), 1);
    QCOMPARE(str(followed.first(), "protocol"), u"h2"_s);

    // 3. WebSocket: both messages came back, the session completed as a 101.
    qsizetype wsIn = 0;
    for (const QJsonObject &m : r.events(u"ws.message"))
        wsIn += str(m, "dir") == u"in";
    QCOMPARE(wsIn, 2);
    bool websocketComplete = false;
    for (const QJsonObject &c : r.events(u"response.complete"))
        websocketComplete |= str(c, "protocol") == u"websocket" && num(c, "status") == 101;
    QVERIFY2(websocketComplete, qPrintable(r.describe()));

    // 4. tcp: the greeting that came with the 101 is the first thing the tunnel delivers.
    QJsonObject firstRawIn;
    for (const QJsonObject &d : r.events(u"raw.data")) {
        if (str(d, "dir") == u"in") {
            firstRawIn = d;
            break;
        }
    }
    QVERIFY2(str(firstRawIn, "text").startsWith(u"hopscope demo tcp echo ready"_s),
             qPrintable(r.describe()));
    bool tcpSwitch = false;
    for (const QJsonObject &s : r.events(u"upgrade.switch"))
        tcpSwitch |= str(s, "protocol") == u"tcp" && num(s, "leftoverBytes") > 0;
    QVERIFY2(tcpSwitch, qPrintable(r.describe()));

    // 5. HTTP/3: /alt-svc over h2 advertises the demo's UDP port; the next request follows it
    // to a new QUIC connection and is answered over HTTP/3.
    const QJsonObject altSvc = r.first(u"alt-svc");
    QCOMPARE(str(altSvc, "action"), u"remembered"_s);
    QVERIFY2(altSvc.value(u"protocols"_s).toArray().first().toString().startsWith(u"h3=:"_s),
             qPrintable(r.describe()));
    QJsonObject h3Follow;
    for (const QJsonObject &f : r.events(u"upgrade.follow"))
        if (str(f, "via") == u"Alt-Svc")
            h3Follow = f;
    QCOMPARE(str(h3Follow, "protocol"), u"h3"_s);
    QCOMPARE(num(h3Follow, "from"), num(altSvc, "conn"));
    const auto overQuic = where(r.events(u"response.complete"), "conn", num(h3Follow, "conn"));
    QCOMPARE(overQuic.size(), 1);
    QCOMPARE(str(overQuic.first(), "protocol"), u"h3"_s);
    QCOMPARE(num(overQuic.first(), "status"), 200);
    const auto quicConnect = where(r.events(u"connect"), "conn", num(h3Follow, "conn"));
    QCOMPARE(quicConnect.size(), 1);
    QCOMPARE(str(quicConnect.first(), "protocol"), u"udp"_s);
    QVERIFY(r.count(u"h3.data") >= 3); // /stream/3: three lines as they were produced

    // And a person reading -v sees the switch.
    const QString err = QString::fromUtf8(r.standardError);
    QVERIFY2(err.contains(u"upgrading to h2c"_s), qPrintable(err.left(4000)));
    QVERIFY2(err.contains(u"following Upgrade: h2"_s), qPrintable(err.left(4000)));
}

void CliDemoTest::serveDemo()
{
    QProcess server;
    server.start(CliRunner().program(), {u"--serve-demo"_s});
    QVERIFY(server.waitForStarted());
    QString out;
    QTRY_VERIFY_WITH_TIMEOUT(
        (out += QString::fromUtf8(server.readAllStandardOutput()), out.contains(u"CA certificate")),
        15000);
    const QRegularExpression plainUrl(u"(http://127\\.0\\.0\\.1:\\d+)"_s);
    const auto m = plainUrl.match(out);
    QVERIFY2(m.hasMatch(), qPrintable(out));

    // Another tool (our own CLI here; curl and nghttp are checked by tst_demoserver) uses it.
    CliRunner runner;
    const CliResult r =
        runner.run({u"--h2c"_s, u"-o"_s, u"/dev/null"_s, m.captured(1) + u"/headers"_s});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(str(r.first(u"upgrade.switch"), "protocol"), u"h2c"_s);

    ::kill(pid_t(server.processId()), SIGTERM);
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
}

QTEST_GUILESS_MAIN(CliDemoTest)
#include "tst_cli_demo.moc"
