// The trace's store and writers: batching through the signal, the JSON-lines contract (field
// order, escaping, types) and the readable -v lines.
#include "trace/jsonlineswriter.h"
#include "trace/textwriter.h"
#include "trace/tracestore.h"

#include <QBuffer>
#include <QCborArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace hopscope;
using namespace Qt::StringLiterals;

class TraceWritersTest : public QObject
{
    Q_OBJECT

private slots:
    void storeBatchesEvents();
    void storeFlushesAtBatchLimit();
    void storeCanStreamWithoutRetaining();
    void jsonCommonFieldsFirst_data();
    void jsonCommonFieldsFirst();
    void jsonEscapesAndKeepsBytes_data();
    void jsonEscapesAndKeepsBytes();
    void jsonWriterWritesLines();
    void textFormats_data();
    void textFormats();
};

// One event built the generic way (type and keys by name), as the trace file reader does.
TraceBatch oneEvent(QByteArrayView type, EventScope scope, Direction dir, const QCborMap &fields,
                    quint64 seq = 0)
{
    TraceRecord head;
    head.seq = seq;
    head.scope = scope;
    head.dir = dir;
    TraceBatch batch;
    batch.append(head, type, fields);
    return batch;
}

void TraceWritersTest::storeBatchesEvents()
{
    TraceStore store;
    QSignalSpy spy(&store, &TraceStore::eventsAppended);
    store.recordGeneric("a", {1, 1, -1}, Direction::None, {});
    store.recordGeneric("b", {1, 1, -1}, Direction::None, {});
    QCOMPARE(spy.count(), 0); // coalesced, not one signal per event
    QVERIFY(spy.wait(1000));
    QCOMPARE(spy.count(), 1);
    const auto batch = spy.at(0).at(0).value<TraceBatch>();
    QCOMPARE(batch.size(), 2);
    QCOMPARE(batch.at(0).seq, 1u);
    QCOMPARE(batch.at(1).seq, 2u);
    QVERIFY(batch.at(0).tNs <= batch.at(1).tNs);
    QCOMPARE(store.events().size(), 2);
}

void TraceWritersTest::storeFlushesAtBatchLimit()
{
    TraceStore store;
    QSignalSpy spy(&store, &TraceStore::eventsAppended);
    for (int i = 0; i < 5000; ++i)
        store.recordGeneric("x", {}, Direction::None, {});
    QCOMPARE(spy.count(), 1); // the first 4096 went without waiting for the timer
    QCOMPARE(spy.at(0).at(0).value<TraceBatch>().size(), 4096);
    store.flush();
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).value<TraceBatch>().size(), 5000 - 4096);
    QCOMPARE(store.count(), 5000u);
}

void TraceWritersTest::storeCanStreamWithoutRetaining()
{
    TraceStore store;
    store.setRetainEvents(false);
    QSignalSpy spy(&store, &TraceStore::eventsAppended);
    store.recordGeneric("x", {}, Direction::None, {});
    store.flush();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(store.events().size(), 0);
}

void TraceWritersTest::jsonCommonFieldsFirst_data()
{
    QTest::addColumn<quint32>("conn");
    QTest::addColumn<quint32>("req");
    QTest::addColumn<qint32>("stream");
    QTest::addColumn<int>("dir");
    QTest::addColumn<QString>("prefix");
    QTest::newRow("none") << 0u << 0u << -1 << int(Direction::None)
                          << u"{\"seq\":1,\"t\":0.000000,\"type\":\"demo\",\"k\":1}"_s;
    QTest::newRow("conn+req")
        << 2u << 3u << -1 << int(Direction::Out)
        << u"{\"seq\":1,\"t\":0.000000,\"type\":\"demo\",\"conn\":2,\"req\":3,\"dir\":\"out\",\"k\":1}"_s;
    QTest::newRow("stream")
        << 1u << 1u << 5 << int(Direction::In)
        << u"{\"seq\":1,\"t\":0.000000,\"type\":\"demo\",\"conn\":1,\"req\":1,\"stream\":5,\"dir\":\"in\",\"k\":1}"_s;
    QTest::newRow("stream 0")
        << 1u << 0u << 0 << int(Direction::In)
        << u"{\"seq\":1,\"t\":0.000000,\"type\":\"demo\",\"conn\":1,\"stream\":0,\"dir\":\"in\",\"k\":1}"_s;
}

void TraceWritersTest::jsonCommonFieldsFirst()
{
    QFETCH(quint32, conn);
    QFETCH(quint32, req);
    QFETCH(qint32, stream);
    QFETCH(int, dir);
    QFETCH(QString, prefix);
    const TraceBatch batch =
        oneEvent("demo", {conn, req, stream}, Direction(dir), QCborMap{{u"k"_s, 1}}, 1);
    QCOMPARE(QString::fromUtf8(JsonLinesWriter::toJson(batch.first())), prefix);
}

void TraceWritersTest::jsonEscapesAndKeepsBytes_data()
{
    QTest::addColumn<QCborValue>("value");
    QTest::addColumn<QJsonValue>("expected");
    QTest::newRow("quote+backslash") << QCborValue(u"a\"b\\c"_s) << QJsonValue(u"a\"b\\c"_s);
    QTest::newRow("control") << QCborValue(u"line\nnext\ttab\x01"_s)
                             << QJsonValue(u"line\nnext\ttab\x01"_s);
    QTest::newRow("utf8 bytes") << QCborValue(QByteArray("caf\xc3\xa9"))
                                << QJsonValue(u"caf\u00e9"_s);
    QTest::newRow("latin1 bytes") << QCborValue(QByteArray("caf\xe9"))
                                  << QJsonValue(u"caf\u00e9"_s);
    QTest::newRow("int") << QCborValue(qint64(1) << 40) << QJsonValue(qint64(1) << 40);
    QTest::newRow("double") << QCborValue(1.5) << QJsonValue(1.5);
    QTest::newRow("bool") << QCborValue(true) << QJsonValue(true);
    QTest::newRow("null") << QCborValue(QCborValue::Null) << QJsonValue(QJsonValue::Null);
    QTest::newRow("headers") << QCborValue(QCborArray{
                                    QCborValue(QCborArray{QByteArray("X-A"), QByteArray("1")})})
                             << QJsonValue(QJsonArray{QJsonValue(QJsonArray{u"X-A"_s, u"1"_s})});
}

void TraceWritersTest::jsonEscapesAndKeepsBytes()
{
    QFETCH(QCborValue, value);
    QFETCH(QJsonValue, expected);
    const TraceBatch batch = oneEvent("demo", {}, Direction::None, QCborMap{{u"v"_s, value}});
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(JsonLinesWriter::toJson(batch.first()), &err);
    QCOMPARE(err.error, QJsonParseError::NoError);
    QCOMPARE(doc.object().value(u"v"_s), expected);
}

void TraceWritersTest::jsonWriterWritesLines()
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    TraceStore store;
    JsonLinesWriter writer(&buffer);
    writer.attach(&store);
    store.recordGeneric("one", {1, 1, -1}, Direction::None, {});
    store.recordGeneric("two", {1, 2, -1}, Direction::None, QCborMap{{u"status"_s, 200}});
    store.flush();
    const QList<QByteArray> lines = buffer.data().split('\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(2).isEmpty());
    QCOMPARE(QJsonDocument::fromJson(lines.at(1)).object().value(u"status"_s).toInt(), 200);
    QCOMPARE(QJsonDocument::fromJson(lines.at(1)).object().value(u"req"_s).toInt(), 2);
}

void TraceWritersTest::textFormats_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<int>("dir");
    QTest::addColumn<QCborMap>("fields");
    QTest::addColumn<QStringList>("lines");
    // One header: an array holding an array. Braces around a single QCborArray would copy it
    // under clang (CWG 1467) and give a flat ["Host", "x"]; the QCborValue makes it an element.
    const QCborArray headers{QCborValue(QCborArray{QByteArray("Host"), QByteArray("x")})};
    QTest::newRow("request") << QByteArray("h1.request") << int(Direction::Out)
                             << QCborMap{{u"method"_s, u"GET"_s},
                                         {u"target"_s, u"/"_s},
                                         {u"version"_s, u"HTTP/1.1"_s},
                                         {u"headers"_s, headers}}
                             << QStringList{u"> [c1 r1] GET / HTTP/1.1"_s, u"> [c1 r1] Host: x"_s,
                                            u"> [c1 r1] "_s};
    QTest::newRow("response") << QByteArray("h1.response") << int(Direction::In)
                              << QCborMap{{u"status"_s, 101},
                                          {u"reason"_s, QByteArray("Switching Protocols")},
                                          {u"version"_s, QByteArray("HTTP/1.1")},
                                          {u"headers"_s, QCborArray{}}}
                              << QStringList{u"< [c1 r1] HTTP/1.1 101 Switching Protocols"_s,
                                             u"< [c1 r1] "_s};
    QTest::newRow("switch")
        << QByteArray("upgrade.switch") << int(Direction::None)
        << QCborMap{{u"protocol"_s, u"h2c"_s}, {u"leftoverBytes"_s, 27}}
        << QStringList{
               u"* [c1 r1] 101 Switching Protocols: upgrading to h2c… (27 bytes that arrived with the 101 go to h2c first)"_s};
    QTest::newRow("error") << QByteArray("error") << int(Direction::None)
                           << QCborMap{{u"message"_s, u"boom"_s}, {u"code"_s, u"x"_s}}
                           << QStringList{u"! [c1 r1] error: boom"_s};
    const QCborMap redirect{{u"from"_s, u"https://a/x"_s},
                            {u"to"_s, u"http://b/y"_s},
                            {u"status"_s, 302},
                            {u"hop"_s, 1},
                            {u"method"_s, u"GET"_s},
                            {u"next"_s, 2},
                            {u"first"_s, 1}};
    QTest::newRow("redirect")
        << QByteArray("redirect") << int(Direction::None) << redirect
        << QStringList{u"* [c1 r1] redirect 302 (hop 1): GET http://b/y as request 2"_s};
    QCborMap downgrade = redirect;
    downgrade.insert(u"downgrade"_s, true);
    downgrade.insert(u"dropped"_s, QCborArray{u"Authorization"_s, u"Cookie"_s});
    QTest::newRow("redirect downgrade")
        << QByteArray("redirect") << int(Direction::None) << downgrade
        << QStringList{u"* [c1 r1] redirect 302 (hop 1): GET http://b/y as request 2 (https → "
                       u"http: no TLS from here on), not sending Authorization, Cookie"_s};
    QTest::newRow("unknown type") << QByteArray("custom.thing") << int(Direction::None)
                                  << QCborMap{{u"a"_s, 1}}
                                  << QStringList{u"* [c1 r1] custom.thing a=1"_s};
}

void TraceWritersTest::textFormats()
{
    QFETCH(QByteArray, type);
    QFETCH(int, dir);
    QFETCH(QCborMap, fields);
    QFETCH(QStringList, lines);
    const TraceBatch batch = oneEvent(type, {1, 1, -1}, Direction(dir), fields);
    QCOMPARE(TextWriter::format(batch.first()), lines);
}

QTEST_GUILESS_MAIN(TraceWritersTest)
#include "tst_tracewriters.moc"
