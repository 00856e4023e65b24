// The HAR import (engine/har/harreader): each tool's shape (Chrome, Firefox, HTTP Toolkit,
// mitmproxy; samples in data/har written for these tests), the httpVersion spellings, our own
// export read back (the demo tour's trace: HTTP/1.1, h2c, WebSocket), hostile and broken files
// (errors naming where, never a crash), and the named limits. What the import produces is read
// back through the exporter's HarCollector, the engine's own consumer of the trace.

#include "har/harcollector.h"
#include "har/harentry.h"
#include "har/harreader.h"
#include "har/harwriter.h"
#include "trace/tracefile.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QTest>
#include <QTimeZone>

using namespace hopscope;
using namespace Qt::StringLiterals;

namespace {

QByteArray sample(const QString &name)
{
    QFile file(QStringLiteral(HOPSCOPE_HAR_TEST_DATA "/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing test data %s", qPrintable(name));
    return file.readAll();
}

// One entry (JSON object text) in a minimal HAR.
QByteArray harWith(const QByteArray &entries)
{
    return R"({"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[)" + entries +
           "]}}";
}

QByteArray entry(const QByteArray &extra = {}, const QByteArray &start = "2024-05-14T09:00:00.000Z",
                 const QByteArray &url = "http://example.test/a")
{
    return R"({"startedDateTime":")" + start + R"(","time":10,"request":{"method":"GET","url":")" +
           url +
           R"(","httpVersion":"HTTP/1.1","headers":[]},"response":{"status":200,"statusText":"OK",)"
           R"("httpVersion":"HTTP/1.1","headers":[],"content":{"size":0,"mimeType":""}},)"
           R"("timings":{"send":1,"wait":5,"receive":4})" +
           extra + "}";
}

// What every import must be, whatever the file said: events in time order, numbered from 1,
// every id reachable (the window's rule: an id is at most the events before it, plus one).
void verifyWellFormed(const HarImport &har)
{
    qint64 lastT = 0;
    for (qsizetype i = 0; i < har.events.size(); ++i) {
        const TraceEvent ev = har.events.at(i);
        QCOMPARE(ev.seq, quint64(i + 1));
        QVERIFY2(ev.tNs >= lastT, qPrintable(u"event %1 goes back in time"_s.arg(i)));
        QVERIFY(ev.tNs >= 0);
        lastT = ev.tNs;
        QVERIFY(ev.scope.conn <= quint64(i + 1));
        QVERIFY(ev.scope.req <= quint64(i + 1));
    }
}

HarImport readOk(const QByteArray &data, const HarReadLimits &limits = {})
{
    HarImport har;
    QString error;
    if (!HarReader(limits).read(data, u"test.har"_s, &har, &error))
        qWarning("unexpected error: %s", qPrintable(error));
    return har;
}

} // namespace

class HarReaderTest : public QObject
{
    Q_OBJECT

private slots:
    void toolSamples_data();
    void toolSamples();
    void chromeDetails();
    void httpVersionSpellings_data();
    void httpVersionSpellings();
    void looksLikeHar_data();
    void looksLikeHar();
    void ownExportRoundTrips();
    void brokenFiles_data();
    void brokenFiles();
    void hostileValues_data();
    void hostileValues();
    void limits();
    void deepNesting();
    void statusFieldWinsOverStatusHeader();
};

void HarReaderTest::toolSamples_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QList<int>>("statuses"); // by req; 0: failed
    QTest::addColumn<QStringList>("protocols");
    QTest::addColumn<int>("connections");
    QTest::addColumn<int>("bodies");

    QTest::newRow("chrome") << u"chrome.har"_s << QList<int>{200, 200, 200, 404, 0, 201, 101}
                            << QStringList{u"h2"_s,   u"h2"_s, u"h2"_s,       u"http/1.1"_s,
                                           QString(), u"h2"_s, u"websocket"_s}
                            << 4 << 6;
    QTest::newRow("firefox") << u"firefox.har"_s << QList<int>{200, 304, 204}
                             << QStringList{u"h2"_s, u"h2"_s, u"http/1.1"_s} << 2 << 3;
    QTest::newRow("httptoolkit") << u"httptoolkit.har"_s << QList<int>{200, 0}
                                 << QStringList{u"h2"_s, QString()} << 2 << 2;
    QTest::newRow("mitmproxy") << u"mitmproxy.har"_s << QList<int>{200, 302}
                               << QStringList{u"h2"_s, u"http/1.0"_s} << 2 << 2;
}

void HarReaderTest::toolSamples()
{
    QFETCH(QString, file);
    QFETCH(QList<int>, statuses);
    QFETCH(QStringList, protocols);
    QFETCH(int, connections);
    QFETCH(int, bodies);

    HarImport har;
    QString error;
    QVERIFY2(HarReader().readFile(QStringLiteral(HOPSCOPE_HAR_TEST_DATA "/") + file, &har, &error),
             qPrintable(error));
    QVERIFY2(har.warnings.isEmpty(), qPrintable(har.warnings.join(u'\n')));
    QCOMPARE(har.entriesRead, statuses.size());
    QCOMPARE(har.entriesSkipped, 0);
    QCOMPARE(har.bodies.size(), bodies);
    verifyWellFormed(har);

    HarCollector c;
    c.add(har.events);
    QCOMPARE(int(c.exchanges().size()), statuses.size());
    QSet<quint32> conns;
    for (int i = 0; i < statuses.size(); ++i) {
        const HarExchange &ex = c.exchanges().at(size_t(i));
        QCOMPARE(ex.req, quint32(i + 1));
        QCOMPARE(ex.failed, statuses.at(i) == 0);
        QCOMPARE(ex.complete, statuses.at(i) != 0);
        if (statuses.at(i) != 0)
            QCOMPARE(ex.status, statuses.at(i));
        QCOMPARE(QString::fromUtf8(ex.protocol), protocols.at(i));
        QVERIFY(ex.startNs >= 0 && ex.endNs >= ex.startNs);
        conns.insert(ex.conn);
    }
    QCOMPARE(conns.size(), connections);
}

void HarReaderTest::chromeDetails()
{
    const HarImport har = readOk(sample(u"chrome.har"_s));
    QCOMPARE(har.start, QDateTime(QDate(2024, 5, 14), QTime(9, 12, 3, 104), QTimeZone::utc()));
    QCOMPARE(har.creator, u"WebInspector 537.36"_s);
    HarCollector c;
    c.add(har.events);

    // The document: starts at 0 and lasts `time`; its connection's phases from the timings,
    // the address without IPv6 brackets.
    const HarExchange *doc = c.exchange(1);
    QVERIFY(doc);
    QCOMPARE(doc->startNs, 0);
    QCOMPARE(doc->endNs, qint64(187'420'000));
    QCOMPARE(doc->dns, 21.4);
    QCOMPARE(doc->wait, 88.5);
    // HAR's connect (61.7) includes its ssl (38.2); the trace's is TCP alone.
    QVERIFY(qFuzzyCompare(doc->connect, 23.5));
    QCOMPARE(doc->tls, 38.2);
    // So an export of the import says what the file said.
    HarOptions options;
    options.traceStart = har.start;
    const QJsonObject again = HarWriter(c, options).entry(*doc);
    QCOMPARE(again.value(u"timings"_s).toObject().value(u"connect"_s).toDouble(), 61.7);
    QCOMPARE(again.value(u"time"_s).toDouble(), 187.42);
    QCOMPARE(doc->requestHeaders.first().name, QByteArray(":authority"));
    QCOMPARE(doc->responseHeaders.size(), 5); // :status added for the trace, gone again here
    QCOMPARE(doc->responseHeaders.at(1).name, QByteArray("content-type"));
    const HarConnection *conn = c.connection(doc->conn);
    QVERIFY(conn);
    QCOMPARE(conn->address, u"2606:4700::6812:1a2b"_s);
    QCOMPARE(conn->origin, u"https://shop.example.com:443"_s);
    QCOMPARE(conn->alpn, u"h2"_s);

    // The stylesheet starts 197 ms later on the same connection.
    const HarExchange *css = c.exchange(2);
    QCOMPARE(css->startNs, qint64(197'000'000));
    QCOMPARE(css->conn, doc->conn);

    // Bodies: base64 decoded, text as is, the POST's request body.
    const auto bodyOf = [&har](quint32 req) {
        for (const HarImportedBody &b : har.bodies)
            if (b.req == req)
                return b;
        return HarImportedBody{};
    };
    QVERIFY(bodyOf(3).response.startsWith("\x89PNG\r\n"));
    QCOMPARE(bodyOf(3).response.size(), 74);
    QCOMPARE(bodyOf(3).mimeType, QByteArray("image/png"));
    QCOMPARE(bodyOf(6).request, QByteArray(R"({"sku":"A-1043","qty":2})"));
    QCOMPARE(bodyOf(1).contentEncoding, QByteArray("br"));

    // The blocked tracker: failed with Chrome's error, on a connection of its own.
    const HarExchange *blocked = c.exchange(5);
    QCOMPARE(blocked->error, u"net::ERR_BLOCKED_BY_CLIENT"_s);
    QCOMPARE(blocked->errorCode, u"net::ERR_BLOCKED_BY_CLIENT"_s);
    // HTTP Toolkit's words are no code: the import's own stands for them.
    HarCollector toolkit;
    toolkit.add(readOk(sample(u"httptoolkit.har"_s)).events);
    QCOMPARE(toolkit.exchange(2)->error, u"Request aborted"_s);
    QCOMPARE(toolkit.exchange(2)->errorCode, u"har-no-response"_s);

    // The WebSocket: switched, three messages in order with Chrome's times.
    const HarExchange *ws = c.exchange(7);
    QCOMPARE(ws->status, 101);
    QCOMPARE(ws->wsMessages.size(), 3);
    QVERIFY(ws->wsMessages.at(0).sent);
    QCOMPARE(ws->wsMessages.at(1).data, QByteArray(R"({"cart":{"items":2}})"));
    QCOMPARE(ws->wsMessages.at(2).opcode, 2);
    QCOMPARE(ws->wsMessages.at(2).data, QByteArray("AAECAw=="));
    for (const TraceEvent ev : har.events) {
        if (ev.is(EventType::WsMessage) && ev.field(Field::Opcode).toUtf8() == "binary")
            QCOMPARE(ev.field(Field::Bytes).toInteger(), 4); // 00 01 02 03, not the padding
    }
    QCOMPARE(ws->wsMessages.at(2).tNs, qint64(1'806'000'000)); // 1715677924.910 - .104
}

void HarReaderTest::httpVersionSpellings_data()
{
    QTest::addColumn<QString>("spelling");
    QTest::addColumn<QByteArray>("normalized");
    for (const char *s : {"h2", "http/2.0", "HTTP/2.0", "HTTP/2", " HTTP/2 "})
        QTest::newRow(s) << QString::fromLatin1(s) << QByteArray("h2");
    for (const char *s : {"h3", "http/3", "HTTP/3", "h3-29"})
        QTest::newRow(s) << QString::fromLatin1(s) << QByteArray("h3");
    QTest::newRow("HTTP/1.1") << u"HTTP/1.1"_s << QByteArray("HTTP/1.1");
    QTest::newRow("http/1.1") << u"http/1.1"_s << QByteArray("HTTP/1.1");
    QTest::newRow("HTTP/1.0") << u"HTTP/1.0"_s << QByteArray("HTTP/1.0");
    QTest::newRow("empty") << QString() << QByteArray();
    QTest::newRow("unknown") << u"unknown"_s << QByteArray();
    QTest::newRow("SPDY/3.1") << u"SPDY/3.1"_s << QByteArray();
    QTest::newRow("HTTP/1.2") << u"HTTP/1.2"_s << QByteArray();
}

void HarReaderTest::httpVersionSpellings()
{
    QFETCH(QString, spelling);
    QFETCH(QByteArray, normalized);
    QCOMPARE(HarReader::normalizedHttpVersion(spelling), normalized);

    // And what an entry with it becomes: h2 and h3 heads as header blocks, the rest as
    // HTTP/1.x heads; response.complete says the protocol, "unknown" when the HAR did not.
    QByteArray e = entry();
    e.replace(R"("httpVersion":"HTTP/1.1")", "\"httpVersion\":\"" + spelling.toUtf8() + '"');
    const HarImport har = readOk(harWith(e));
    HarCollector c;
    c.add(har.events);
    QCOMPARE(c.exchanges().size(), size_t(1));
    const HarExchange &ex = c.exchanges().front();
    const bool h2 = normalized == "h2" || normalized == "h3";
    QCOMPARE(ex.requestIsH2, h2);
    QCOMPARE(ex.protocol, normalized.isEmpty()            ? QByteArray("unknown")
                          : normalized.startsWith("HTTP") ? normalized.toLower()
                                                          : normalized);
    if (!h2)
        QCOMPARE(ex.requestVersion, normalized.isEmpty() ? QByteArray("unknown") : normalized);
}

void HarReaderTest::looksLikeHar_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<bool>("har");
    QTest::newRow("pretty") << QByteArray("{\n  \"log\": {") << true;
    QTest::newRow("minified") << QByteArray(R"({"log":{"version":"1.2")") << true;
    QTest::newRow("bom") << QByteArray("\xEF\xBB\xBF{ \"log\"") << true;
    QTest::newRow("trace") << QByteArray(R"({"seq":1,"t":0.1,"type":"request.start"})") << false;
    QTest::newRow("log later") << QByteArray(R"({"x":1,"log":{}})") << false;
    QTest::newRow("array") << QByteArray(R"([{"log":{}}])") << false;
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("text") << QByteArray("log") << false;
}

void HarReaderTest::looksLikeHar()
{
    QFETCH(QByteArray, head);
    QFETCH(bool, har);
    QCOMPARE(HarReader::looksLikeHar(head), har);
}

void HarReaderTest::ownExportRoundTrips()
{
    // The demo tour (HTTP/1.1, an h2c upgrade with streams, a WebSocket), exported with a body
    // per exchange, read back: the same exchanges, statuses, headers and bodies.
    TraceBatch tour;
    QString error;
    QVERIFY2(readTraceFile(QStringLiteral(HOPSCOPE_TOUR_TRACE), &tour, &error), qPrintable(error));
    HarCollector original;
    original.add(tour);
    HarOptions options;
    options.traceStart = QDateTime(QDate(2024, 5, 1), QTime(10, 0), QTimeZone::utc());
    options.redactSecrets = false;
    options.bodies = [](quint32 req, HarBody *body) {
        body->response = "response body of " + QByteArray::number(req) + '\0' + '\xff';
        body->request = req == 2 ? QByteArray("sent by 2") : QByteArray();
        return true;
    };
    const QByteArray exported = QJsonDocument(HarWriter(original, options).document()).toJson();

    const HarImport har = readOk(exported);
    QVERIFY2(har.warnings.isEmpty(), qPrintable(har.warnings.join(u'\n')));
    verifyWellFormed(har);
    HarCollector back;
    back.add(har.events);
    QCOMPARE(back.exchanges().size(), original.exchanges().size());
    QVERIFY(original.exchanges().size() >= 5);
    for (size_t i = 0; i < original.exchanges().size(); ++i) {
        const HarExchange &a = original.exchanges().at(i);
        const HarExchange &b = back.exchanges().at(i);
        const QByteArray row = "req " + QByteArray::number(a.req);
        QVERIFY2(a.method == b.method, row);
        QVERIFY2(a.url == b.url, row);
        QVERIFY2(a.status == b.status, row);
        QVERIFY2(a.failed == b.failed && a.complete == b.complete, row);
        QVERIFY2(a.requestHeaders == b.requestHeaders, row);
        QVERIFY2(a.responseHeaders == b.responseHeaders, row);
        QVERIFY2(a.wsMessages.size() == b.wsMessages.size(), row);
        // Start times relative to the first, to the millisecond HAR keeps.
        const qint64 aStart = a.startNs - original.exchanges().front().startNs;
        const qint64 bStart = b.startNs - back.exchanges().front().startNs;
        QVERIFY2(qAbs(aStart - bStart) <= 1'000'000, row);
    }
    for (const HarImportedBody &body : har.bodies) {
        // A 101 (WebSocket, raw tunnel) has no body in the export.
        const bool session = original.exchange(body.req)->status == 101;
        QCOMPARE(body.response,
                 session ? QByteArray()
                         : "response body of " + QByteArray::number(body.req) + '\0' + '\xff');
        QCOMPARE(body.request, body.req == 2 ? QByteArray("sent by 2") : QByteArray());
    }
    QCOMPARE(har.bodies.size(), qsizetype(original.exchanges().size()));
}

void HarReaderTest::brokenFiles_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("message"); // in the error, or (ok) in the warnings

    QTest::newRow("not JSON") << QByteArray(R"({"log": {"entries": [)") << false
                              << u"is not JSON"_s;
    QTest::newRow("offset") << QByteArray(R"({"log": x})") << false << u"at offset 8"_s;
    QTest::newRow("array") << QByteArray("[]") << false << u"not a JSON object"_s;
    QTest::newRow("no log") << QByteArray(R"({"entries":[]})") << false << u"log missing"_s;
    QTest::newRow("log not object")
        << QByteArray(R"({"log":[]})") << false << u"log is not an object"_s;
    QTest::newRow("no entries") << QByteArray(R"({"log":{}})") << false << u"log.entries missing"_s;
    QTest::newRow("entries not array")
        << QByteArray(R"({"log":{"entries":{}}})") << false << u"log.entries is not an array"_s;
    QTest::newRow("entry not object")
        << harWith(entry() + ",7") << true << u"log.entries[1] is not an object: entry skipped"_s;
    QByteArray noUrl = entry();
    noUrl.replace("\"url\":\"http:/"
                  "/example.test/a\",",
                  ""); // moc: no // in raw strings
    QTest::newRow("url missing") << harWith(entry() + ',' + noUrl) << true
                                 << u"log.entries[1].request.url missing: entry skipped"_s;
    QByteArray numberMethod = entry();
    numberMethod.replace(R"("method":"GET")", R"("method":7)");
    QTest::newRow("method number")
        << harWith(numberMethod) << true << u"log.entries[0].request.method is not a string"_s;
    QTest::newRow("request missing") << harWith(R"({"startedDateTime":"2024-05-14T09:00:00Z"})")
                                     << true << u"log.entries[0].request missing"_s;
    QTest::newRow("date missing") << harWith(R"({"request":{"method":"GET","url":"x"}})") << true
                                  << u"log.entries[0].startedDateTime missing"_s;
    QTest::newRow("date garbage") << harWith(entry({}, "yesterday")) << true
                                  << u"startedDateTime is not an ISO 8601 date: \"yesterday\""_s;
    QTest::newRow("headers object")
        << harWith(entry(R"(,"x":1)")
                       .replace(R"("headers":[]},"response")", R"("headers":{}},"response")"))
        << true << u"log.entries[0].request.headers is not an array"_s;
    QTest::newRow("bad base64") << harWith(entry().replace(
                                       R"("content":{"size":0,"mimeType":""})",
                                       R"("content":{"text":"!!!","encoding":"base64"})"))
                                << true << u"content.text is not valid base64"_s;
    QTest::newRow(":status against status")
        << harWith(entry().replace(R"("httpVersion":"HTTP/1.1","headers":[],"content")",
                                   R"("httpVersion":"HTTP/2.0","headers":[)"
                                   R"({"name":":status","value":"049"}],"content")"))
        << true << u"response.headers: :status \"049\" disagrees with status 200: read as 200"_s;
    QTest::newRow("status huge") << harWith(entry().replace(R"("status":200)",
                                                            R"("status":4294967295)"))
                                 << true << u"status 4294967295 is no HTTP status"_s;
}

void HarReaderTest::brokenFiles()
{
    QFETCH(QByteArray, data);
    QFETCH(bool, ok);
    QFETCH(QString, message);
    HarImport har;
    QString error;
    QCOMPARE(HarReader().read(data, u"broken.har"_s, &har, &error), ok);
    if (!ok) {
        QVERIFY2(error.contains(message), qPrintable(error));
        QVERIFY(error.contains(u"broken.har"_s));
    } else {
        QVERIFY2(har.warnings.join(u'\n').contains(message), qPrintable(har.warnings.join(u'\n')));
        verifyWellFormed(har);
    }
}

void HarReaderTest::hostileValues_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("exchanges");

    QTest::newRow("time 1e300") << harWith(entry().replace(R"("time":10)", R"("time":1e300)")) << 1;
    QTest::newRow("time string NaN")
        << harWith(entry().replace(R"("time":10)", R"("time":"NaN")")) << 1;
    QTest::newRow("negative timings")
        << harWith(entry().replace(R"("send":1,"wait":5)", R"("send":-5,"wait":-1e308)")) << 1;
    QTest::newRow("1970 and 9999")
        << harWith(entry({}, "9999-12-31T23:59:59.999Z") + ',' + entry({}, "1970-01-01T00:00:00Z"))
        << 2;
    QTest::newRow("year 200000") << harWith(entry({}, "1970-01-01T00:00:00Z") + ',' +
                                            entry({}, "-200000-01-01T00:00:00Z"))
                                 << 1; // Qt reads no such date: that entry is skipped
    QTest::newRow("connection ids")
        << harWith(entry(R"(,"connection":"4294967295")") + ',' +
                   entry(R"(,"connection":4294967295)") + ',' + entry(R"(,"connection":1e300)"))
        << 3;
    QTest::newRow("ws times")
        << harWith(
               entry(R"(,"_webSocketMessages":[{"type":"send","time":1e300,"opcode":1,"data":"a"},)"
                     R"({"type":"receive","time":-5,"opcode":2,"data":"AA=="},)"
                     R"({"type":"receive","opcode":9,"data":"x"}])"))
        << 1;
    QTest::newRow("no response") << harWith(R"({"startedDateTime":"2024-05-14T09:00:00Z",)"
                                            R"("request":{"method":"GET","url":"::"}})")
                                 << 1;
    // Empty strings everywhere (the fuzzer's first find: an empty header value, reason or
    // method once reached the trace writer's memcpy as a null pointer; UBSan says so).
    QTest::newRow("empty strings")
        << harWith(R"({"startedDateTime":"2024-05-14T09:00:00Z","request":{"method":"",)"
                   R"("url":"","headers":[{"name":"X-Empty","value":""}]},"response":)"
                   R"({"status":101,"statusText":"","headers":[{"name":"a","value":""}]},)"
                   R"("_webSocketMessages":[{"type":"send","opcode":1,"data":""},)"
                   R"({"type":"receive","opcode":8}]})")
        << 1;
    QTest::newRow("empty entries") << harWith({}) << 0;
}

void HarReaderTest::hostileValues()
{
    QFETCH(QByteArray, data);
    QFETCH(int, exchanges);
    const HarImport har = readOk(data);
    verifyWellFormed(har);
    HarCollector c;
    c.add(har.events);
    QCOMPARE(int(c.exchanges().size()), exchanges);
    for (const HarExchange &ex : c.exchanges()) {
        QVERIFY(ex.startNs >= 0);
        QVERIFY(ex.endNs >= ex.startNs);
        QVERIFY(ex.endNs <= qint64(3 * kHarMaxSpanMs * 1e6));
    }
}

void HarReaderTest::limits()
{
    HarReadLimits limits;
    limits.maxEntries = 2;
    limits.maxHeaders = 2;
    limits.maxBodyBytes = 4;
    limits.maxWarnings = 2;
    QByteArray e = entry();
    e.replace(R"("headers":[]},"response")",
              R"("headers":[{"name":"a","value":"1"},{"name":"b","value":"2"},)"
              R"({"name":"c","value":"3"}]},"response")");
    e.replace(R"("content":{"size":0,"mimeType":""})",
              R"("content":{"text":"AAECAwQFBgc=","encoding":"base64"})");
    const HarImport har = readOk(harWith(e + ',' + e + ',' + e), limits);
    QCOMPARE(har.entriesRead, 2);
    QCOMPARE(har.entriesSkipped, 1);
    QCOMPARE(har.warnings.size(), 3); // two, then the count of the rest
    QVERIFY(har.warnings.first().contains(u"only the first 2 are read"_s));
    QCOMPARE(har.warnings.last(), u"… and 1 more"_s);
    HarCollector c;
    c.add(har.events);
    QCOMPARE(c.exchanges().front().requestHeaders.size(), 2);
    QCOMPARE(har.bodies.first().response, QByteArray("\x00\x01\x02\x03", 4));
    QVERIFY(har.bodies.first().responseTruncated);

    limits.maxFileBytes = 10;
    HarImport small;
    QString error;
    QVERIFY(!HarReader(limits).read(harWith({}), u"big.har"_s, &small, &error));
    QVERIFY2(error.contains(u"more than the"_s), qPrintable(error));
}

void HarReaderTest::deepNesting()
{
    // QJsonDocument stops at 1,024 levels: a precise error, not a stack overflow.
    const QByteArray deep = R"({"log":{"entries":[{"x":)" + QByteArray(100'000, '[') + "]}]}}";
    HarImport har;
    QString error;
    QVERIFY(!HarReader().read(deep, u"deep.har"_s, &har, &error));
    QVERIFY2(error.contains(u"deep.har is not JSON"_s) && error.contains(u"offset"_s),
             qPrintable(error));
}

// fuzz_har_reader: an HTTP/2 response whose `:status` header (049) disagreed with its status
// field (200) imported as 49 and exported as 200, so the export read back as another status.
// The status field wins, in the trace and in what is exported and read again.
void HarReaderTest::statusFieldWinsOverStatusHeader()
{
    const QByteArray data =
        harWith(entry().replace(R"("httpVersion":"HTTP/1.1","headers":[],"content")",
                                R"("httpVersion":"HTTP/2.0","headers":[)"
                                R"({"name":":status","value":"049"}],"content")"));
    HarImport har;
    QString error;
    QVERIFY2(HarReader().read(data, u"status.har"_s, &har, &error), qPrintable(error));
    HarCollector imported;
    imported.add(har.events);
    QCOMPARE(int(imported.exchanges().size()), 1);
    QCOMPARE(imported.exchanges().front().status, 200);

    HarOptions options;
    options.traceStart = har.start;
    QBuffer out;
    out.open(QIODevice::WriteOnly);
    QVERIFY(HarWriter(imported, options).write(&out));
    HarImport again;
    QVERIFY2(HarReader().read(out.data(), u"again.har"_s, &again, &error), qPrintable(error));
    HarCollector back;
    back.add(again.events);
    QCOMPARE(int(back.exchanges().size()), 1);
    QCOMPARE(back.exchanges().front().status, 200);
}

QTEST_GUILESS_MAIN(HarReaderTest)
#include "tst_harreader.moc"
