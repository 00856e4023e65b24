// The HAR exporter (engine/har) on HTTP/1.1 traces: the entry field by field, redaction,
// bodies as text and as base64, a truncated body, a failure, the selection, the streamed write,
// Chrome's version spellings. Every document is checked against the HAR 1.2 structure
// (tests/support/harvalidator.h). tst_harwriter_protocols has the protocol changes.

#include "harvalidator.h"
#include "harwritertraces.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QTest>

using namespace hopscope;
using namespace hopscope::test;
using namespace Qt::StringLiterals;

class HarWriterTest : public QObject
{
    Q_OBJECT

private slots:
    void http1Entry();
    void http1Redaction_data();
    void http1Redaction();
    void bodiesAsTextOrBase64_data();
    void bodiesAsTextOrBase64();
    void truncatedBodySaysSo();
    void failedRequest();
    void selection();
    void streamedWriteEqualsDocument();
    void chromeVersionSpelling_data();
    void chromeVersionSpelling();
};

void HarWriterTest::http1Entry()
{
    Trace t;
    addHttp1(t);
    const QJsonObject har =
        harOf(t.batch(), withBodies({{1, HarBody{"hello", 5, false, {}, -1, false, -1}}}));
    HOPSCOPE_VERIFY_HAR(har);
    const QJsonObject log = har.value(u"log"_s).toObject();
    QCOMPARE(log.value(u"version"_s).toString(), u"1.2"_s);
    QCOMPARE(log.value(u"creator"_s).toObject().value(u"name"_s).toString(), u"Hopscope"_s);
    const QJsonArray entries = entriesOf(har);
    QCOMPARE(entries.size(), 1);
    const QJsonObject e = entries.at(0).toObject();
    QCOMPARE(e.value(u"startedDateTime"_s).toString(), u"2024-05-01T10:00:00.001Z"_s);
    QCOMPARE(e.value(u"connection"_s).toString(), u"1"_s);
    QCOMPARE(e.value(u"serverIPAddress"_s).toString(), u"192.0.2.7"_s);
    QCOMPARE(e.value(u"cache"_s).toObject(), QJsonObject());

    const QJsonObject timings = e.value(u"timings"_s).toObject();
    QCOMPARE(timings.value(u"dns"_s).toDouble(), 1.0);
    QCOMPARE(timings.value(u"connect"_s).toDouble(), 2.0);
    QCOMPARE(timings.value(u"ssl"_s).toDouble(), -1.0);
    QCOMPARE(timings.value(u"send"_s).toDouble(), 0.5);
    QCOMPARE(timings.value(u"wait"_s).toDouble(), 3.0);
    QCOMPARE(timings.value(u"receive"_s).toDouble(), 1.0);
    QCOMPARE(timings.value(u"blocked"_s).toDouble(), 2.5); // 10 - the phases
    QCOMPARE(e.value(u"time"_s).toDouble(), 10.0);

    const QJsonObject req = e.value(u"request"_s).toObject();
    QCOMPARE(req.value(u"httpVersion"_s).toString(), u"HTTP/1.1"_s);
    QCOMPARE(headerNames(req.value(u"headers"_s)),
             QStringList({u"Host"_s, u"X-Zeta"_s, u"Accept"_s, u"Cookie"_s, u"Authorization"_s}));
    // "GET /p?a=1&b=x%20y&c HTTP/1.1\r\n" + each "Name: value\r\n" + "\r\n"
    const qint64 head =
        31 + (6 + 17 + 2) + (8 + 1 + 2) + (8 + 3 + 2) + (8 + 19 + 2) + (15 + 13 + 2) + 2;
    QCOMPARE(req.value(u"headersSize"_s).toInteger(), head);
    QCOMPARE(req.value(u"bodySize"_s).toInteger(), 0);
    QVERIFY(!req.contains(u"postData"_s));
    const QJsonArray query = req.value(u"queryString"_s).toArray();
    QCOMPARE(query.size(), 3);
    QCOMPARE(query.at(1).toObject().value(u"name"_s).toString(), u"b"_s);
    QCOMPARE(query.at(1).toObject().value(u"value"_s).toString(), u"x%20y"_s);
    QCOMPARE(query.at(2).toObject().value(u"value"_s).toString(), QString());

    const QJsonObject resp = e.value(u"response"_s).toObject();
    QCOMPARE(resp.value(u"status"_s).toInt(), 200);
    QCOMPARE(resp.value(u"statusText"_s).toString(), u"OK"_s);
    QCOMPARE(resp.value(u"httpVersion"_s).toString(), u"HTTP/1.1"_s);
    QCOMPARE(resp.value(u"headersSize"_s).toInteger(), 120);
    QCOMPARE(resp.value(u"bodySize"_s).toInteger(), 5);
    const QJsonObject content = resp.value(u"content"_s).toObject();
    QCOMPARE(content.value(u"size"_s).toInteger(), 5);
    QCOMPARE(content.value(u"mimeType"_s).toString(), u"text/plain; charset=utf-8"_s);
    QCOMPARE(content.value(u"text"_s).toString(), u"hello"_s);
    QVERIFY(!content.contains(u"encoding"_s));
    QCOMPARE(resp.value(u"redirectURL"_s).toString(), QString());

    const QJsonObject hop = e.value(u"_hopscope"_s).toObject();
    QCOMPARE(hop.value(u"request"_s).toInteger(), 1);
    QCOMPARE(hop.value(u"protocol"_s).toString(), u"http/1.1"_s);
    QCOMPARE(hop.value(u"connectionProtocols"_s).toArray(), QJsonArray({u"http/1.1"_s}));
    QCOMPARE(hop.value(u"serverPort"_s).toInt(), 8080);
    QVERIFY(!hop.contains(u"stream"_s));
    QVERIFY(!hop.contains(u"upgrade"_s));
}

void HarWriterTest::http1Redaction_data()
{
    QTest::addColumn<bool>("redact");
    QTest::newRow("redacted by default") << true;
    QTest::newRow("secrets kept") << false;
}

void HarWriterTest::http1Redaction()
{
    QFETCH(bool, redact);
    Trace t;
    addHttp1(t);
    HarOptions options;
    options.redactSecrets = redact;
    const QJsonObject har = harOf(t.batch(), options);
    HOPSCOPE_VERIFY_HAR(har);
    const QJsonObject e = entriesOf(har).at(0).toObject();
    const QJsonObject req = e.value(u"request"_s).toObject();
    const QJsonObject resp = e.value(u"response"_s).toObject();
    const QString hidden = QString(HarWriter::kRedacted);
    QCOMPARE(headerIn(req.value(u"headers"_s), u"Authorization"_s),
             redact ? hidden : u"Bearer secret"_s);
    QCOMPARE(headerIn(req.value(u"headers"_s), u"Accept"_s), u"*/*"_s);
    const QJsonArray cookies = req.value(u"cookies"_s).toArray();
    QCOMPARE(cookies.size(), 2);
    QCOMPARE(cookies.at(0).toObject().value(u"name"_s).toString(), u"sid"_s);
    QCOMPARE(cookies.at(1).toObject().value(u"name"_s).toString(), u"theme"_s);
    QCOMPARE(cookies.at(1).toObject().value(u"value"_s).toString(), redact ? hidden : u"dark"_s);
    const QJsonObject setCookie = resp.value(u"cookies"_s).toArray().at(0).toObject();
    QCOMPARE(setCookie.value(u"name"_s).toString(), u"sid"_s);
    QCOMPARE(setCookie.value(u"value"_s).toString(), redact ? hidden : u"new"_s);
    QCOMPARE(setCookie.value(u"path"_s).toString(), u"/"_s);
    QCOMPARE(setCookie.value(u"httpOnly"_s).toBool(), true);
    QCOMPARE(setCookie.value(u"secure"_s).toBool(), true);
    QCOMPARE(setCookie.value(u"sameSite"_s).toString(), u"Lax"_s);
    QCOMPARE(har.value(u"log"_s).toObject().contains(u"comment"_s), redact);
}

void HarWriterTest::bodiesAsTextOrBase64_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("base64");
    QTest::newRow("ascii") << QByteArray("plain text\r\n\tindented") << false;
    QTest::newRow("utf-8") << QByteArray("gr\xc3\xbc\xc3\x9f dich") << false;
    QTest::newRow("NUL") << QByteArray("a\0b", 3) << true;
    QTest::newRow("latin-1") << QByteArray("caf\xe9") << true;
    QTest::newRow("escape") << QByteArray("\x1b[0m") << true;
    QTest::newRow("empty") << QByteArray() << false;
}

void HarWriterTest::bodiesAsTextOrBase64()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, base64);
    Trace t;
    addHttp1(t);
    const QJsonObject har =
        harOf(t.batch(), withBodies({{1, HarBody{body, body.size(), false, {}, -1, false, -1}}}));
    HOPSCOPE_VERIFY_HAR(har);
    const QJsonObject content = entriesOf(har)
                                    .at(0)
                                    .toObject()
                                    .value(u"response"_s)
                                    .toObject()
                                    .value(u"content"_s)
                                    .toObject();
    QCOMPARE(content.value(u"encoding"_s).toString(), base64 ? u"base64"_s : QString());
    const QString text = content.value(u"text"_s).toString();
    QCOMPARE(base64 ? QByteArray::fromBase64(text.toLatin1()) : text.toUtf8(), body);
}

void HarWriterTest::truncatedBodySaysSo()
{
    Trace t;
    addHttp1(t);
    const QJsonObject har =
        harOf(t.batch(), withBodies({{1, HarBody{"hel", 5, true, {}, -1, false, 3}}}));
    HOPSCOPE_VERIFY_HAR(har);
    const QJsonObject content = entriesOf(har)
                                    .at(0)
                                    .toObject()
                                    .value(u"response"_s)
                                    .toObject()
                                    .value(u"content"_s)
                                    .toObject();
    QCOMPARE(content.value(u"text"_s).toString(), u"hel"_s);
    QCOMPARE(content.value(u"size"_s).toInteger(), 5);
    QVERIFY2(content.value(u"comment"_s).toString().contains(u"maxHarBodyBytes"_s),
             qPrintable(content.value(u"comment"_s).toString()));
}

void HarWriterTest::failedRequest()
{
    Trace t;
    t.add(0, EventType::RequestStart, 0, 1,
          {{u"method"_s, u"GET"_s}, {u"url"_s, u"http://127.0.0.1:9/"_s}})
        .add(0.1, EventType::PoolOpen, 1, 1, {{u"origin"_s, u"http://127.0.0.1:9"_s}})
        .add(0.2, EventType::ConnectAttempt, 1, 1, {{u"address"_s, u"127.0.0.1"_s}})
        .add(1.2, EventType::Error, 1, 1,
             {{u"message"_s, u"connection refused"_s}, {u"code"_s, u"connect"_s}})
        .add(1.3, EventType::RequestFailed, 1, 1,
             {{u"error"_s, u"connection refused"_s}, {u"code"_s, u"connect"_s}});
    const QJsonObject har = harOf(t.batch());
    HOPSCOPE_VERIFY_HAR(har);
    const QJsonObject e = entriesOf(har).at(0).toObject();
    const QJsonObject resp = e.value(u"response"_s).toObject();
    QCOMPARE(resp.value(u"status"_s).toInt(), 0);
    QCOMPARE(resp.value(u"_error"_s).toString(), u"connection refused"_s);
    QCOMPARE(resp.value(u"bodySize"_s).toInteger(), -1);
    QCOMPARE(e.value(u"request"_s).toObject().value(u"headersSize"_s).toInteger(), -1);
    QCOMPARE(e.value(u"time"_s).toDouble(), 1.3);
    QCOMPARE(e.value(u"_hopscope"_s).toObject().value(u"error"_s).toObject().value(u"code"_s),
             u"connect"_s);
    QVERIFY(e.value(u"comment"_s).toString().contains(u"connection refused"_s));
}

void HarWriterTest::selection()
{
    Trace t;
    addHttp1(t);
    t.add(20, EventType::RequestStart, 0, 2,
          {{u"method"_s, u"GET"_s}, {u"url"_s, u"http://example.test:8080/two"_s}})
        .add(20.1, EventType::PoolReuse, 1, 2, {{u"origin"_s, u"http://example.test:8080"_s}});
    HarOptions all;
    QCOMPARE(entriesOf(harOf(t.batch(), all)).size(), 2);
    HarOptions only;
    only.only = {2};
    const QJsonObject har = harOf(t.batch(), only);
    HOPSCOPE_VERIFY_HAR(har); // an unfinished request is still a valid entry
    const QJsonArray entries = entriesOf(har);
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.at(0).toObject().value(u"request"_s).toObject().value(u"url"_s).toString(),
             u"http://example.test:8080/two"_s);
    QCOMPARE(entries.at(0).toObject().value(u"_hopscope"_s).toObject().value(u"unfinished"_s),
             true);
}

void HarWriterTest::streamedWriteEqualsDocument()
{
    Trace t;
    addHttp1(t);
    HarCollector collector;
    collector.add(t.batch());
    HarOptions options;
    options.traceStart = kAnchor;
    options.comment = u"from a test"_s;
    const HarWriter writer(collector, options);
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QVERIFY(writer.write(&buffer));
    QJsonParseError error;
    const QJsonDocument parsed = QJsonDocument::fromJson(buffer.data(), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(parsed.object(), writer.document());
    HOPSCOPE_VERIFY_HAR(buffer.data());
}

void HarWriterTest::chromeVersionSpelling_data()
{
    QTest::addColumn<bool>("h2");
    QTest::addColumn<QByteArray>("h1Version");
    QTest::addColumn<QString>("expected");
    QTest::newRow("HTTP/1.1") << false << QByteArray("HTTP/1.1") << u"HTTP/1.1"_s;
    QTest::newRow("HTTP/1.0") << false << QByteArray("HTTP/1.0") << u"HTTP/1.0"_s;
    QTest::newRow("h2") << true << QByteArray() << u"http/2.0"_s;
}

void HarWriterTest::chromeVersionSpelling()
{
    QFETCH(bool, h2);
    QFETCH(QByteArray, h1Version);
    QFETCH(QString, expected);
    QCOMPARE(HarWriter::chromeHttpVersion(h2, h1Version), expected);
}

QTEST_GUILESS_MAIN(HarWriterTest)
#include "tst_harwriter.moc"
