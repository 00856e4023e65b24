// hopscope-cli's raw tunnel (`--upgrade tcp`, any token without a dedicated handler) against the
// tcp-upgrade-* scenarios of tests/peers/hostile_peer.py: the greeting that came in the same read
// as the 101 is delivered first, --send bytes go out and come back, the tunnel ends by --linger
// or by the peer as a complete exchange (status 101), and a declined offer stays HTTP/1.1.

#include "clirunner.h"
#include "hostilepeer.h"
#include "upgrade/rawtunneldriver.h"

#include <QFileInfo>
#include <QJsonObject>
#include <QSet>
#include <QTest>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

// What hostile_peer.py's tcp-upgrade-* scenarios send in the same write as their 101.
const QByteArray kGreeting = "hostile peer tcp echo ready\n"_ba;

QString str(const QJsonObject &event, const char *key)
{
    return event.value(QLatin1String(key)).toString();
}

qint64 num(const QJsonObject &event, const char *key)
{
    return event.value(QLatin1String(key)).toInteger(-1);
}

// The raw.data events of one direction, in trace order.
QList<QJsonObject> rawData(const CliResult &r, const QString &dir)
{
    QList<QJsonObject> out;
    for (const QJsonObject &e : r.events(u"raw.data")) {
        if (str(e, "dir") == dir)
            out.append(e);
    }
    return out;
}

// The text of those events joined: what crossed the tunnel that way, as the trace tells it.
QString joinedText(const QList<QJsonObject> &events)
{
    QString all;
    for (const QJsonObject &e : events)
        all += str(e, "text");
    return all;
}

qint64 totalBytes(const QList<QJsonObject> &events)
{
    qint64 n = 0;
    for (const QJsonObject &e : events)
        n += num(e, "bytes");
    return n;
}

// The position of the first event of the type (and direction) in the trace, or -1.
qsizetype indexOf(const CliResult &r, const QString &type, const QString &dir = {})
{
    for (qsizetype i = 0; i < r.trace.size(); ++i) {
        if (str(r.trace[i], "type") == type && (dir.isEmpty() || str(r.trace[i], "dir") == dir))
            return i;
    }
    return -1;
}

} // namespace

class CliRawTunnelTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void greetingFirstThenEcho();
    void peerClosesFirst();
    void declinedStaysHttp1();
    void idleTimeoutFails();
    void sendsAreTraced_data();
    void sendsAreTraced();
    void dataFields_data();
    void dataFields();
};

void CliRawTunnelTest::initTestCase()
{
    const QString cli = CliRunner().program();
    QVERIFY2(!cli.isEmpty(), "HOPSCOPE_CLI is not set: run through CTest");
    QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli + u" is not an executable"_s));
}

void CliRawTunnelTest::greetingFirstThenEcho()
{
    HostilePeer peer;
    QVERIFY2(peer.start(u"tcp-upgrade-echo"_s), qPrintable(peer.errorString()));
    CliRunner runner;
    const CliResult r = runner.run({u"-v"_s, u"--upgrade"_s, u"tcp"_s, u"--send"_s, u"ping"_s,
                                    u"--send"_s, u"pong"_s, u"--linger"_s, u"0.5"_s, peer.url()});
    HOPSCOPE_VERIFY_RAN(r);
    const QString why = r.describe() + u"\npeer log:\n"_s + QString::fromUtf8(peer.log());
    QVERIFY2(r.exitCode == 0, qPrintable(why));
    QVERIFY2(!r.has(u"request.failed") && !r.has(u"error"), qPrintable(why));

    QCOMPARE(str(r.first(u"upgrade.offer"), "protocol"), u"tcp"_s);
    const QJsonObject sw = r.first(u"upgrade.switch");
    QCOMPARE(str(sw, "protocol"), u"tcp"_s);
    // The greeting came in the same write as the 101, so in the same read on loopback.
    QCOMPARE(num(sw, "leftoverBytes"), qint64(kGreeting.size()));

    const QList<QJsonObject> in = rawData(r, u"in"_s);
    const QList<QJsonObject> out = rawData(r, u"out"_s);
    QVERIFY2(!in.isEmpty(), qPrintable(why));
    // The leftover is delivered on its own and before anything else crossed the tunnel.
    QCOMPARE(str(in.first(), "text"), QString::fromUtf8(kGreeting));
    QCOMPARE(num(in.first(), "bytes"), qint64(kGreeting.size()));
    QVERIFY(!in.first().contains(u"hex"_s)); // plain text: no hex
    QVERIFY2(indexOf(r, u"raw.data"_s) == indexOf(r, u"raw.data"_s, u"in"_s), qPrintable(why));
    QVERIFY(indexOf(r, u"upgrade.switch"_s) < indexOf(r, u"raw.data"_s));
    // The scope: connection and request, no stream.
    QCOMPARE(num(in.first(), "conn"), 1);
    QCOMPARE(num(in.first(), "req"), 1);
    QVERIFY(!in.first().contains(u"stream"_s));

    QCOMPARE(out.size(), 2);
    QCOMPARE(str(out[0], "text"), u"ping"_s);
    QCOMPARE(str(out[1], "text"), u"pong"_s);
    QCOMPARE(num(out[0], "bytes"), 4);
    // The echo may come back in one chunk or two; together it is exactly what was sent.
    QCOMPARE(joinedText(in), QString::fromUtf8(kGreeting) + u"pingpong"_s);

    const QJsonObject done = r.first(u"response.complete");
    QCOMPARE(num(done, "status"), 101);
    QCOMPARE(str(done, "protocol"), u"tcp"_s);
    QCOMPARE(num(done, "bytes"), totalBytes(in));
    QCOMPARE(num(done, "bytes"), qint64(kGreeting.size() + 8));
    // The same fields as every other response.complete (docs/trace-format.md).
    const QSet<QString> timingKeys{u"dns"_s,  u"connect"_s, u"tls"_s,  u"send"_s,
                                   u"wait"_s, u"receive"_s, u"total"_s};
    const QStringList keys = done.value(u"timings"_s).toObject().keys();
    QCOMPARE(QSet<QString>(keys.cbegin(), keys.cend()), timingKeys);
    QVERIFY(done.value(u"timings"_s).toObject().value(u"total"_s).toDouble() > 0);
    QVERIFY2(indexOf(r, u"response.complete"_s) > r.trace.indexOf(out.last()), qPrintable(why));
    QVERIFY2(str(r.first(u"close"), "reason").contains(u"by us"_s), qPrintable(why));

    // The tunnel's bytes went to the response sink (stdout here), like netcat.
    QCOMPARE(r.standardOutput, kGreeting + "pingpong"_ba);
    // -v: the greeting as one readable line, control characters escaped.
    QVERIFY2(
        r.standardError.contains("< [c1 r1] raw 28 bytes \"hostile peer tcp echo ready\\n\""_ba),
        qPrintable(why));
    QVERIFY2(r.standardError.contains("> [c1 r1] raw 4 bytes \"ping\""_ba), qPrintable(why));
    QVERIFY2(r.elapsedMs < 10000, qPrintable(why));
}

void CliRawTunnelTest::peerClosesFirst()
{
    HostilePeer peer;
    QVERIFY2(peer.start(u"tcp-upgrade-peer-closes"_s), qPrintable(peer.errorString()));
    CliRunner runner;
    // A long linger: the run can only end this early because the peer ended the tunnel.
    const CliResult r = runner.run({u"--upgrade"_s, u"tcp"_s, u"--linger"_s, u"20"_s, peer.url()});
    HOPSCOPE_VERIFY_RAN(r);
    const QString why = r.describe() + u"\npeer log:\n"_s + QString::fromUtf8(peer.log());
    QVERIFY2(r.exitCode == 0, qPrintable(why));
    QVERIFY2(r.elapsedMs < 10000, qPrintable(why));
    QVERIFY2(!r.has(u"request.failed") && !r.has(u"error"), qPrintable(why));
    const QList<QJsonObject> in = rawData(r, u"in"_s);
    QVERIFY2(!in.isEmpty(), qPrintable(why));
    QCOMPARE(str(in.first(), "text"), QString::fromUtf8(kGreeting));
    QVERIFY(rawData(r, u"out"_s).isEmpty());
    const QJsonObject done = r.first(u"response.complete");
    QCOMPARE(num(done, "status"), 101);
    QCOMPARE(str(done, "protocol"), u"tcp"_s);
    QCOMPARE(num(done, "bytes"), qint64(kGreeting.size()));
    QVERIFY2(str(r.first(u"close"), "reason").contains(u"by peer"_s), qPrintable(why));
    QCOMPARE(r.standardOutput, kGreeting);
}

void CliRawTunnelTest::declinedStaysHttp1()
{
    // The ok scenario answers every request with 200: the offer is declined.
    HostilePeer peer;
    QVERIFY2(peer.start(u"ok"_s), qPrintable(peer.errorString()));
    CliRunner runner;
    const CliResult r = runner.run({u"--upgrade"_s, u"tcp"_s, u"--send"_s, u"never sent"_s,
                                    u"--linger"_s, u"0.2"_s, peer.url()});
    HOPSCOPE_VERIFY_RAN(r);
    const QString why = r.describe();
    QVERIFY2(r.exitCode == 0, qPrintable(why));
    QCOMPARE(str(r.first(u"upgrade.offer"), "protocol"), u"tcp"_s);
    const QJsonObject declined = r.first(u"upgrade.declined");
    QCOMPARE(str(declined, "protocol"), u"tcp"_s);
    QCOMPARE(num(declined, "status"), 200);
    QVERIFY(!r.has(u"upgrade.switch"));
    QVERIFY(!r.has(u"raw.data"));
    const QJsonObject done = r.first(u"response.complete");
    QCOMPARE(num(done, "status"), 200);
    QCOMPARE(str(done, "protocol"), u"http/1.1"_s);
    QCOMPARE(r.standardOutput, "hello from the hostile peer\n"_ba);
}

void CliRawTunnelTest::idleTimeoutFails()
{
    HostilePeer peer;
    QVERIFY2(peer.start(u"tcp-upgrade-echo"_s), qPrintable(peer.errorString()));
    CliRunner runner;
    // Nothing is sent and the peer is silent after its greeting; the linger would wait 30 s.
    const CliResult r = runner.run({u"--upgrade"_s, u"tcp"_s, u"--linger"_s, u"30"_s,
                                    u"--idle-timeout"_s, u"0.5"_s, peer.url()});
    HOPSCOPE_VERIFY_RAN(r);
    const QString why = r.describe();
    QVERIFY2(r.exitCode == 28, qPrintable(why)); // curl's code for a timeout
    QVERIFY2(r.elapsedMs >= 450 && r.elapsedMs < 10000, qPrintable(why));
    QCOMPARE(str(r.first(u"request.failed"), "code"), u"timeout"_s);
    QVERIFY2(r.errorMessage().contains(u"idle timeout"_s), qPrintable(why));
    // What came before the timeout is kept.
    QCOMPARE(str(rawData(r, u"in"_s).value(0), "text"), QString::fromUtf8(kGreeting));
    QVERIFY(!r.has(u"response.complete"));
}

void CliRawTunnelTest::sendsAreTraced_data()
{
    QTest::addColumn<QString>("payload");
    QTest::addColumn<QString>("hex");        // expected raw.data out hex; empty: none
    QTest::addColumn<bool>("truncated");     // the out event says truncated
    QTest::addColumn<QByteArray>("verbose"); // a line -v must show

    QTest::newRow("text with tab")
        << u"a\tb"_s << QString() << false << "> [c1 r1] raw 3 bytes \"a\\tb\""_ba;
    QTest::newRow("control byte") << u"a\x01z"_s << u"61017a"_s << false
                                  << "> [c1 r1] raw 3 bytes \"a\\x01z\""_ba;
    QTest::newRow("utf-8") << u"grüße"_s << QString() << false
                           << "> [c1 r1] raw 7 bytes \"grüße\""_ba;
    QTest::newRow("bulk") << QString(10000, u'x') << QString() << true
                          << "> [c1 r1] raw 10000 bytes \"xxxx"_ba;
}

void CliRawTunnelTest::sendsAreTraced()
{
    QFETCH(QString, payload);
    QFETCH(QString, hex);
    QFETCH(bool, truncated);
    QFETCH(QByteArray, verbose);
    constexpr qsizetype kCap = 4096; // RawTunnelDriver::kMaxTracedBytes, documented
    HostilePeer peer;
    QVERIFY2(peer.start(u"tcp-upgrade-echo"_s), qPrintable(peer.errorString()));
    CliRunner runner;
    const CliResult r = runner.run({u"-v"_s, u"--upgrade"_s, u"tcp"_s, u"--send"_s, payload,
                                    u"--linger"_s, u"0.5"_s, peer.url()});
    HOPSCOPE_VERIFY_RAN(r);
    const QString why = r.describe();
    QVERIFY2(r.exitCode == 0, qPrintable(why));
    const QByteArray wire = payload.toUtf8();
    const QList<QJsonObject> out = rawData(r, u"out"_s);
    QCOMPARE(out.size(), 1);
    QCOMPARE(num(out[0], "bytes"), wire.size());
    QCOMPARE(str(out[0], "hex"), hex);
    QCOMPARE(out[0].value(u"truncated"_s).toBool(), truncated);
    QCOMPARE(str(out[0], "text"), truncated ? payload.left(kCap) : payload);
    // The echo, in however many chunks, adds up to what was sent.
    const QList<QJsonObject> in = rawData(r, u"in"_s);
    QCOMPARE(totalBytes(in), qint64(kGreeting.size() + wire.size()));
    QCOMPARE(num(r.first(u"response.complete"), "bytes"), qint64(kGreeting.size() + wire.size()));
    QCOMPARE(r.standardOutput, kGreeting + wire);
    QVERIFY2(r.standardError.contains(verbose), qPrintable(why));
    if (truncated)
        QVERIFY2(r.standardError.contains("(truncated in the trace)"_ba), qPrintable(why));
}

void CliRawTunnelTest::dataFields_data()
{
    using hopscope::RawTunnelDriver;
    constexpr qsizetype cap = RawTunnelDriver::kMaxTracedBytes;
    QTest::addColumn<QByteArray>("chunk");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("hex"); // empty: no hex field
    QTest::addColumn<bool>("truncated");

    QTest::newRow("line") << "hello\r\n\tworld\n"_ba << u"hello\r\n\tworld\n"_s << QString()
                          << false;
    QTest::newRow("escape char") << "\x1b[1mbold"_ba << u"\x1b[1mbold"_s << u"1b5b316d626f6c64"_s
                                 << false;
    QTest::newRow("not utf-8") << QByteArray::fromHex("ff0041") << u"\ufffd\u0000A"_s << u"ff0041"_s
                               << false;
    // A character cut by the read (or the cap) is not binary data.
    QTest::newRow("utf-8 cut at the end") << "gr\xc3"_ba << u"gr"_s << QString() << false;
    QTest::newRow("exactly the cap")
        << QByteArray(cap, 'a') << QString(cap, u'a') << QString() << false;
    QTest::newRow("over the cap") << QByteArray(cap + 1, 'a') << QString(cap, u'a') << QString()
                                  << true;
    QTest::newRow("utf-8 cut by the cap")
        << QByteArray(cap - 1, 'a') + "\xc3\xbc"_ba << QString(cap - 1, u'a') << QString() << true;
    QTest::newRow("binary over the cap")
        << QByteArray(cap + 10, '\x01') << QString(cap, QChar(1))
        << QString::fromLatin1(QByteArray(cap, '\x01').toHex()) << true;
}

void CliRawTunnelTest::dataFields()
{
    QFETCH(QByteArray, chunk);
    QFETCH(QString, text);
    QFETCH(QString, hex);
    QFETCH(bool, truncated);
    const QCborMap f = hopscope::RawTunnelDriver::dataFields(chunk);
    QCOMPARE(f.value(u"bytes"_s).toInteger(), chunk.size());
    QCOMPARE(f.value(u"text"_s).toString(), text);
    QCOMPARE(f.contains(u"hex"_s), !hex.isEmpty());
    QCOMPARE(f.value(u"hex"_s).toString(), hex);
    QCOMPARE(f.contains(u"truncated"_s), truncated);
    QCOMPARE(f.value(u"truncated"_s).toBool(), truncated);
}

QTEST_GUILESS_MAIN(CliRawTunnelTest)
#include "tst_cli_rawtunnel.moc"
