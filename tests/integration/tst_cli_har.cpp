// hopscope-cli --har FILE against real peers: nghttpd (HTTP/2 by prior knowledge), Apache with
// mod_http2 (the h2c upgrade: an HTTP/1.1 request answered on HTTP/2 stream 1; a body cut at
// maxHarBodyBytes), and the embedded demo server (a WebSocket with text and binary messages,
// the whole demo tour). Every HAR is checked against the HAR 1.2 structure
// (tests/support/harvalidator.h), parsed by python3's json.tool, and compared with what the
// peers served, byte for byte after base64 decoding.

#include "apachefixture.h"
#include "clirunner.h"
#include "demoservertest.h"
#include "harvalidator.h"
#include "nghttpdpeer.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

QByteArray binaryBody()
{
    QByteArray b;
    for (int i = 0; i < 3000; ++i)
        b.append(char((i * 7 + 3) % 256));
    return b;
}

// The body an entry carries, base64 decoded when it says so.
QByteArray bodyOf(const QJsonObject &entry)
{
    const QJsonObject content =
        entry.value(u"response"_s).toObject().value(u"content"_s).toObject();
    const QString text = content.value(u"text"_s).toString();
    return content.value(u"encoding"_s).toString() == u"base64"_s
               ? QByteArray::fromBase64(text.toLatin1())
               : text.toUtf8();
}

QJsonObject hop(const QJsonObject &entry)
{
    return entry.value(u"_hopscope"_s).toObject();
}

QString version(const QJsonObject &entry, const char *side)
{
    return entry.value(QLatin1String(side)).toObject().value(u"httpVersion"_s).toString();
}

int status(const QJsonObject &entry)
{
    return entry.value(u"response"_s).toObject().value(u"status"_s).toInt();
}

} // namespace

// Runs the CLI with --har, checks the run and the document, and returns its entries.
#define RUN_HAR(runner, args, entries)                                                             \
    QJsonArray entries;                                                                            \
    do {                                                                                           \
        const QString harPath = (runner).scratchPath(u"out.har"_s);                                \
        const CliResult result = (runner).run(QStringList(args) << u"--har"_s << harPath);         \
        HOPSCOPE_VERIFY_RAN(result);                                                               \
        QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));                             \
        QFile harFile(harPath);                                                                    \
        QVERIFY2(harFile.open(QIODevice::ReadOnly), "no HAR written");                             \
        const QByteArray har = harFile.readAll();                                                  \
        HOPSCOPE_VERIFY_HAR(har);                                                                  \
        const ToolResult tool = runTool(python(), {u"-m"_s, u"json.tool"_s, harPath});             \
        QVERIFY2(tool.ok(), qPrintable(tool.describe()));                                          \
        entries = QJsonDocument::fromJson(har)                                                     \
                      .object()                                                                    \
                      .value(u"log"_s)                                                             \
                      .toObject()                                                                  \
                      .value(u"entries"_s)                                                         \
                      .toArray();                                                                  \
    } while (false)

class CliHarTest : public DemoServerTestBase
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void nghttpdPriorKnowledge();
    void apacheH2cUpgrade();
    void apacheBodyCutAtTheLimit();
    void demoWebSocket();
    void demoTour();
    void unwritableHarIsAnError();

private:
    NghttpdPeer m_nghttpd; // serves a text and a binary file
    ApacheFixture m_apache{ApacheFixture::Mpm::Worker};
};

void CliHarTest::initTestCase()
{
    startServer();
    QVERIFY(m_nghttpd.put(u"text.txt"_s, QByteArray("hello from nghttpd\n").repeated(40)));
    QVERIFY(m_nghttpd.put(u"blob.bin"_s, binaryBody()));
    QVERIFY2(m_nghttpd.start(), qPrintable(m_nghttpd.errorString()));
    QVERIFY2(m_apache.start(), qPrintable(m_apache.errorString()));
}

void CliHarTest::cleanupTestCase()
{
    m_apache.stop();
    stopServer();
}

void CliHarTest::nghttpdPriorKnowledge()
{
    CliRunner runner;
    RUN_HAR(runner,
            (QStringList{u"--h2c-prior"_s, u"-o"_s, runner.scratchPath(u"a"_s), u"-o"_s,
                         runner.scratchPath(u"b"_s), m_nghttpd.url(u"text.txt"_s),
                         m_nghttpd.url(u"blob.bin"_s)}),
            entries);
    QCOMPARE(entries.size(), 2);
    const QJsonObject text = entries.at(0).toObject();
    const QJsonObject blob = entries.at(1).toObject();
    for (const QJsonObject &e : {text, blob}) {
        QCOMPARE(status(e), 200);
        QCOMPARE(version(e, "request"), u"http/2.0"_s);
        QCOMPARE(version(e, "response"), u"http/2.0"_s);
        QCOMPARE(e.value(u"connection"_s).toString(), u"1"_s);
        QCOMPARE(e.value(u"serverIPAddress"_s).toString(), u"127.0.0.1"_s);
        QCOMPARE(hop(e).value(u"connectionProtocols"_s).toArray(), QJsonArray({u"h2c"_s}));
        const QStringList names = [&] {
            QStringList out;
            for (const QJsonValue &h :
                 e.value(u"request"_s).toObject().value(u"headers"_s).toArray())
                out << h.toObject().value(u"name"_s).toString();
            return out;
        }();
        QCOMPARE(names.value(0), u":method"_s);
    }
    QCOMPARE(hop(text).value(u"stream"_s).toInt(), 1);
    QCOMPARE(hop(blob).value(u"stream"_s).toInt(), 3);
    QCOMPARE(bodyOf(text), QByteArray("hello from nghttpd\n").repeated(40));
    QVERIFY(!text.value(u"response"_s)
                 .toObject()
                 .value(u"content"_s)
                 .toObject()
                 .contains(u"encoding"_s));
    QCOMPARE(blob.value(u"response"_s)
                 .toObject()
                 .value(u"content"_s)
                 .toObject()
                 .value(u"encoding"_s)
                 .toString(),
             u"base64"_s);
    QCOMPARE(bodyOf(blob), binaryBody());
    // The -o files got the same bytes: the HAR's copy is a tee, not a detour.
    QFile b(runner.scratchPath(u"b"_s));
    QVERIFY(b.open(QIODevice::ReadOnly));
    QCOMPARE(b.readAll(), binaryBody());
}

void CliHarTest::apacheH2cUpgrade()
{
    CliRunner runner;
    const QString url = m_apache.url(false, u"/small.txt"_s);
    RUN_HAR(runner,
            (QStringList{u"--h2c"_s, u"-o"_s, runner.scratchPath(u"a"_s), u"-o"_s,
                         runner.scratchPath(u"b"_s), url, url}),
            entries);
    QCOMPARE(entries.size(), 2);
    const QJsonObject first = entries.at(0).toObject();
    QCOMPARE(status(first), 200);
    QCOMPARE(version(first, "request"), u"HTTP/1.1"_s);
    QCOMPARE(version(first, "response"), u"http/2.0"_s);
    QCOMPARE(hop(first).value(u"stream"_s).toInt(), 1);
    const QJsonObject upgrade = hop(first).value(u"upgrade"_s).toObject();
    QCOMPARE(upgrade.value(u"offered"_s).toString(), u"h2c"_s);
    QCOMPARE(upgrade.value(u"outcome"_s).toString(), u"switched"_s);
    QCOMPARE(upgrade.value(u"status"_s).toInt(), 101);
    QVERIFY(hop(first).value(u"note"_s).toString().contains(u"stream 1"_s));
    QCOMPARE(hop(first).value(u"connectionProtocols"_s).toArray(),
             QJsonArray({u"http/1.1"_s, u"h2c"_s}));
    QCOMPARE(bodyOf(first), ApacheFixture::smallBody());

    const QJsonObject second = entries.at(1).toObject();
    QCOMPARE(status(second), 200);
    QCOMPARE(version(second, "request"), u"http/2.0"_s);
    QCOMPARE(hop(second).value(u"stream"_s).toInt(), 3);
    QVERIFY(!hop(second).contains(u"upgrade"_s));
    QCOMPARE(bodyOf(second), ApacheFixture::smallBody());
}

void CliHarTest::apacheBodyCutAtTheLimit()
{
    CliRunner runner;
    RUN_HAR(runner,
            (QStringList{u"--limit"_s, u"maxHarBodyBytes=1000"_s, u"-o"_s,
                         runner.scratchPath(u"large"_s), m_apache.url(false, u"/large.bin"_s)}),
            entries);
    QCOMPARE(entries.size(), 1);
    const QJsonObject e = entries.at(0).toObject();
    const QJsonObject content = e.value(u"response"_s).toObject().value(u"content"_s).toObject();
    QCOMPARE(content.value(u"size"_s).toInteger(), ApacheFixture::largeSize);
    QCOMPARE(e.value(u"response"_s).toObject().value(u"bodySize"_s).toInteger(),
             ApacheFixture::largeSize);
    QVERIFY2(content.value(u"comment"_s).toString().contains(u"maxHarBodyBytes"_s),
             qPrintable(content.value(u"comment"_s).toString()));
    QFile large(runner.scratchPath(u"large"_s));
    QVERIFY(large.open(QIODevice::ReadOnly));
    QCOMPARE(large.size(), ApacheFixture::largeSize); // -o still got all of it
    QCOMPARE(bodyOf(e), large.read(1000));
}

void CliHarTest::demoWebSocket()
{
    CliRunner runner;
    const QByteArray binary("\x00\x01\x02\xfe\xff binary", 12);
    QFile bin(runner.scratchPath(u"message.bin"_s));
    QVERIFY(bin.open(QIODevice::WriteOnly));
    bin.write(binary);
    bin.close();
    const QString wsUrl = u"ws"_s + url(false, u"/ws"_s).mid(4); // http:// → ws://
    RUN_HAR(runner,
            (QStringList{u"--ws-send"_s, u"hello ✓"_s, u"--ws-send-binary"_s,
                         u"@"_s + bin.fileName(), u"--linger"_s, u"0.3"_s, wsUrl}),
            entries);
    QCOMPARE(entries.size(), 1);
    const QJsonObject e = entries.at(0).toObject();
    QCOMPARE(status(e), 101);
    QCOMPARE(version(e, "response"), u"HTTP/1.1"_s);
    QCOMPARE(hop(e).value(u"upgrade"_s).toObject().value(u"outcome"_s).toString(), u"switched"_s);
    QCOMPARE(hop(e).value(u"connectionProtocols"_s).toArray(),
             QJsonArray({u"http/1.1"_s, u"websocket"_s}));
    const QJsonArray messages = e.value(u"_webSocketMessages"_s).toArray();
    QList<QJsonObject> sent, received;
    for (const QJsonValue &m : messages)
        (m.toObject().value(u"type"_s) == u"send"_s ? sent : received) << m.toObject();
    QVERIFY2(sent.size() >= 2 && received.size() >= 2,
             qPrintable(QJsonDocument(messages).toJson()));
    const double started =
        QDateTime::fromString(e.value(u"startedDateTime"_s).toString(), Qt::ISODateWithMs)
            .toMSecsSinceEpoch() /
        1000.0;
    for (const QList<QJsonObject> &side : {sent, received}) {
        QCOMPARE(side.at(0).value(u"opcode"_s).toInt(), 1);
        QCOMPARE(side.at(0).value(u"data"_s).toString(), u"hello ✓"_s);
        QCOMPARE(side.at(1).value(u"opcode"_s).toInt(), 2);
        QCOMPARE(QByteArray::fromBase64(side.at(1).value(u"data"_s).toString().toLatin1()), binary);
        for (const QJsonObject &m : side) {
            // Epoch seconds, within the exchange's minute.
            const double t = m.value(u"time"_s).toDouble();
            QVERIFY2(t >= started - 0.001 && t < started + 60, qPrintable(QString::number(t)));
        }
    }
    QCOMPARE(sent.last().value(u"opcode"_s).toInt(), 8); // our close 1000
}

// The README's tour: every protocol switch in one HAR, valid, one entry per request.
void CliHarTest::demoTour()
{
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(60));
    RUN_HAR(runner, (QStringList{u"--demo"_s}), entries);
    QVERIFY(entries.size() >= 6);
    bool h2c = false, followed = false, webSocket = false;
    for (const QJsonValue &v : entries) {
        const QJsonObject e = v.toObject();
        h2c |= hop(e).value(u"upgrade"_s).toObject().value(u"offered"_s) == u"h2c"_s &&
               version(e, "response") == u"http/2.0"_s;
        followed |= hop(e).contains(u"followed"_s) && hop(e).value(u"tlsCipher"_s).isString();
        webSocket |= !e.value(u"_webSocketMessages"_s).toArray().isEmpty();
    }
    QVERIFY(h2c);
    QVERIFY(followed);
    QVERIFY(webSocket);
}

void CliHarTest::unwritableHarIsAnError()
{
    CliRunner runner;
    const CliResult r =
        runner.run({u"--har"_s, u"/nonexistent-dir/x.har"_s, m_nghttpd.url(u"text.txt"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.errorMessage().contains(u"HAR"_s), qPrintable(r.describe()));
}

QTEST_GUILESS_MAIN(CliHarTest)
#include "tst_cli_har.moc"
