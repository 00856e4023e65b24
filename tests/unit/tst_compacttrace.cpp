// The compact trace (engine/trace/traceevent.h): what FieldWriter encodes, FieldValue reads back
// exactly, batches keep their events apart when joined, the string table keeps one id per
// string and stays bounded, and a value cut short never reads past its end.

#include "core/httpheader.h"
#include "trace/jsonlineswriter.h"
#include "trace/traceevent.h"
#include "trace/tracelog.h"
#include "trace/tracestrings.h"

#include <QCborArray>
#include <QCborMap>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace hopscope;
using namespace Qt::StringLiterals;

class CompactTraceTest : public QObject
{
    Q_OBJECT
private slots:
    void scalarsRoundTrip_data();
    void scalarsRoundTrip();
    void nestedValues();
    void headersKeepBytesAndShowText();
    void fieldOrderIsWriteOrder();
    void absentFieldIsInvalid();
    void batchesJoinWithoutMixingFields();
    void copiedEventOutlivesItsBatch();
    void unknownTypeKeepsItsName();
    void stringsInternedOnceAndBounded();
    void fieldIdsAreTheirNamesIds();
    void truncatedValueStaysInBounds();
    void recordIsSmall();
    void traceLogKeepsOrderAcrossChunks_data();
    void traceLogKeepsOrderAcrossChunks();
    void millisReadAsTheDoubleTheyReplace_data();
    void millisReadAsTheDoubleTheyReplace();
    void doublesAsQtWritesThem_data();
    void doublesAsQtWritesThem();
};

namespace {

TraceRecord head(EventType type = EventType::Error)
{
    TraceRecord r;
    r.type = type;
    return r;
}

} // namespace

void CompactTraceTest::scalarsRoundTrip_data()
{
    QTest::addColumn<QCborValue>("value");
    QTest::newRow("zero") << QCborValue(0);
    QTest::newRow("small") << QCborValue(42);
    QTest::newRow("negative") << QCborValue(-1);
    QTest::newRow("int64 min") << QCborValue(std::numeric_limits<qint64>::min());
    QTest::newRow("int64 max") << QCborValue(std::numeric_limits<qint64>::max());
    QTest::newRow("double") << QCborValue(-1.25);
    QTest::newRow("true") << QCborValue(true);
    QTest::newRow("false") << QCborValue(false);
    QTest::newRow("null") << QCborValue(nullptr);
    QTest::newRow("text") << QCborValue(u"héllo \"quoted\"\n"_s);
    QTest::newRow("empty text") << QCborValue(QString());
}

void CompactTraceTest::scalarsRoundTrip()
{
    QFETCH(QCborValue, value);
    TraceBatch batch;
    batch.append(head()).value(Field::Message, value);
    const FieldValue v = batch.first().field(Field::Message);
    QVERIFY(v.isValid());
    QCOMPARE(v.toCbor(), value);
    if (value.isInteger())
        QCOMPARE(v.toInteger(), value.toInteger());
    if (value.isString())
        QCOMPARE(v.toString(), value.toString());
}

void CompactTraceTest::nestedValues()
{
    TraceBatch batch;
    batch.append(head())
        .beginArray(Field::Settings)
        .beginArray()
        .atom("ENABLE_PUSH")
        .integer(0)
        .end()
        .beginArray()
        .atom("MAX_FRAME_SIZE")
        .integer(16384)
        .end()
        .end()
        .beginMap(Field::Priority)
        .integer(Field::Dependency, 3)
        .boolean(Field::Exclusive, true)
        .end()
        .integer(Field::Length, 7);
    const TraceEvent ev = batch.first();
    const FieldValue settings = ev.field(Field::Settings);
    QCOMPARE(settings.size(), 2);
    QCOMPARE(settings.at(1).at(0).toString(), u"MAX_FRAME_SIZE"_s);
    QCOMPARE(settings.at(1).at(1).toInteger(), 16384);
    QCOMPARE(ev.field(Field::Priority).value(Field::Dependency).toInteger(), 3);
    QCOMPARE(ev.field(Field::Priority).value(Field::Exclusive).toBool(), true);
    QVERIFY(!ev.field(Field::Priority).value(Field::Weight).isValid());
    QCOMPARE(ev.field(Field::Length).toInteger(), 7); // after the containers
    QCOMPARE(QJsonDocument::fromJson(JsonLinesWriter::toJson(ev)).object().value(u"settings"_s),
             QJsonDocument::fromJson(R"({"s":[["ENABLE_PUSH",0],["MAX_FRAME_SIZE",16384]]})")
                 .object()
                 .value(u"s"_s));
}

void CompactTraceTest::headersKeepBytesAndShowText()
{
    const HeaderList headers{{"Server", "caf\xc3\xa9"}, {"X-Latin", "caf\xe9"}, {"\xff", "v"}};
    TraceBatch batch;
    batch.append(head(EventType::H1Response)).headers(Field::Headers, headers);
    const FieldValue h = batch.first().field(Field::Headers);
    QCOMPARE(h.size(), 3);
    QCOMPARE(h.at(0).at(1).toUtf8(), QByteArray("caf\xc3\xa9"));
    QCOMPARE(h.at(0).at(1).toString(), u"café"_s);
    QCOMPARE(h.at(1).at(1).toUtf8(), QByteArray("caf\xe9")); // the wire bytes are kept
    QCOMPARE(h.at(1).at(1).toString(), u"café"_s);           // and shown as Latin-1
    QCOMPARE(h.at(2).at(0).toString(), u"\u00ff"_s);         // a name that is no UTF-8
    const QJsonObject o = QJsonDocument::fromJson(JsonLinesWriter::toJson(batch.first())).object();
    QCOMPARE(o.value(u"headers"_s).toArray().at(1).toArray().at(1).toString(), u"café"_s);
}

void CompactTraceTest::fieldOrderIsWriteOrder()
{
    TraceBatch batch;
    batch.append(head())
        .text(Field::Message, u"m")
        .atom(Field::Code, "c")
        .integer(Field::Status, 1);
    QList<Field> keys;
    const TraceEvent ev = batch.first();
    for (auto it = ev.begin(); it != ev.end(); ++it)
        keys << it.key();
    QCOMPARE(keys, (QList<Field>{Field::Message, Field::Code, Field::Status}));
    QCOMPARE(
        JsonLinesWriter::toJson(ev),
        QByteArray(R"({"seq":0,"t":0.000000,"type":"error","message":"m","code":"c","status":1})"));
}

void CompactTraceTest::absentFieldIsInvalid()
{
    TraceBatch batch;
    batch.append(head());
    const FieldValue v = batch.first().field(Field::Status);
    QVERIFY(!v.isValid());
    QCOMPARE(v.toInteger(-7), -7);
    QCOMPARE(v.toString(u"none"_s), u"none"_s);
    QVERIFY(v.begin() == v.end());
}

void CompactTraceTest::batchesJoinWithoutMixingFields()
{
    TraceBatch a, b;
    a.append(head()).integer(Field::Status, 1);
    a.append(head()).integer(Field::Status, 2);
    b.append(head()).text(Field::Message, u"three");
    b.append(head()); // no fields at all
    b.append(head()).integer(Field::Status, 5);
    TraceBatch joined;
    joined.append(a);
    joined.append(b);
    QCOMPARE(joined.size(), 5);
    QCOMPARE(joined.at(0).field(Field::Status).toInteger(), 1);
    QCOMPARE(joined.at(1).field(Field::Status).toInteger(), 2);
    QVERIFY(!joined.at(1).field(Field::Message).isValid());
    QCOMPARE(joined.at(2).field(Field::Message).toString(), u"three"_s);
    QCOMPARE(joined.at(3).fieldSize, 0u);
    QCOMPARE(joined.at(4).field(Field::Status).toInteger(), 5);
}

void CompactTraceTest::copiedEventOutlivesItsBatch()
{
    TraceBatch kept;
    {
        TraceBatch source;
        source.append(head()).integer(Field::Status, 1);
        source.append(head(EventType::Close)).text(Field::Reason, u"bye");
        kept.append(source.at(1));
    }
    QCOMPARE(kept.size(), 1);
    QCOMPARE(kept.first().type, EventType::Close);
    QCOMPARE(kept.first().field(Field::Reason).toString(), u"bye"_s);
}

void CompactTraceTest::unknownTypeKeepsItsName()
{
    TraceBatch batch;
    batch.append(TraceRecord{}, "x.custom", QCborMap{{u"a"_s, 1}, {u"someNewField"_s, u"v"_s}});
    const TraceEvent ev = batch.first();
    QCOMPARE(ev.type, EventType::Other);
    QCOMPARE(ev.typeName(), QByteArray("x.custom"));
    QCOMPARE(JsonLinesWriter::toJson(ev),
             QByteArray(R"({"seq":0,"t":0.000000,"type":"x.custom","a":1,"someNewField":"v"})"));
    batch.append(TraceRecord{}, "close", QCborMap{{u"reason"_s, u"r"_s}});
    QCOMPARE(batch.at(1).type, EventType::Close);
    QCOMPARE(batch.at(1).field(Field::Reason).toString(), u"r"_s);
}

void CompactTraceTest::stringsInternedOnceAndBounded()
{
    TraceStrings &strings = TraceStrings::instance();
    quint32 a = 0, b = 0;
    QVERIFY(strings.intern("x-compact-trace-test", &a));
    QVERIFY(strings.intern(QByteArray("x-compact-trace-test"), &b));
    QCOMPARE(a, b);
    QCOMPARE(strings.entry(a).text, u"x-compact-trace-test"_s);
    QCOMPARE(strings.entry(a).json, QByteArray("\"x-compact-trace-test\""));
    // Data, not vocabulary: a long value stays inline in its event.
    const QByteArray longValue(TraceStrings::kMaxInternedLength + 1, 'v');
    QVERIFY(!strings.intern(longValue, &a));
    TraceBatch batch;
    batch.append(head()).atom(Field::Message, longValue);
    QCOMPARE(batch.first().field(Field::Message).toUtf8(), longValue);
    // An id no one handed out reads as empty rather than out of bounds.
    QCOMPARE(strings.entry(TraceStrings::kMaxStrings + 5).text, QString());
}

void CompactTraceTest::fieldIdsAreTheirNamesIds()
{
    Field f;
    QVERIFY(fieldFromName("status", &f));
    QCOMPARE(f, Field::Status);
    QVERIFY(fieldFromName("leftoverBytes", &f));
    QCOMPARE(f, Field::LeftoverBytes);
    QVERIFY(fieldFromName("notAKnownField", &f));
    QVERIFY(quint32(f) >= quint32(Field::KnownCount));
    QCOMPARE(TraceStrings::instance().entry(quint32(Field::Timings)).text, u"timings"_s);
    QCOMPARE(eventTypeFromName("h2.frame"), EventType::H2Frame);
    QCOMPARE(QByteArray(eventTypeName(EventType::ResponseComplete)),
             QByteArray("response.complete"));
    QCOMPARE(eventTypeFromName("nope"), EventType::Other);
}

void CompactTraceTest::truncatedValueStaysInBounds()
{
    TraceBatch batch;
    batch.append(head())
        .text(Field::Message, u"a fairly long message")
        .beginArray(Field::Flags)
        .atom("ACK")
        .end();
    const TraceEvent ev = batch.first();
    // Every prefix of the encoding: reads stop at the end they are given.
    for (quint32 n = 0; n < ev.fieldSize; ++n) {
        TraceEvent cut = ev;
        cut.fieldSize = n;
        QByteArray json;
        JsonLinesWriter::appendJson(json, cut);
        QVERIFY(json.endsWith('}'));
        for (auto it = cut.begin(); it != cut.end(); ++it)
            (*it).toString();
    }
}

void CompactTraceTest::recordIsSmall()
{
    // The per-event cost outside fields and shared strings (issue: at most 64 bytes).
    QVERIFY(sizeof(TraceRecord) <= 40);
    TraceBatch batch;
    for (int i = 0; i < 1000; ++i)
        batch.append(head(EventType::NetRead)).integer(Field::Bytes, 1234);
    // An event with one small integer field: 4 bytes of fields.
    QCOMPARE(batch.arena().size(), 1000 * 4);
}

void CompactTraceTest::traceLogKeepsOrderAcrossChunks_data()
{
    QTest::addColumn<int>("batchSize");
    QTest::addColumn<int>("batches");
    QTest::newRow("small batches fill chunks") << 4096 << 40;
    QTest::newRow("one batch per event") << 1 << 3000;
    QTest::newRow("a batch larger than a chunk") << int(TraceLog::kChunkEvents) + 5 << 3;
    QTest::newRow("uneven") << 10007 << 17;
    QTest::newRow("adopted and gathered, alternating") << -1 << 60;
}

// The window's store: events appended batch by batch come back by global index and by
// iteration, in order, with their own fields, whatever the chunk boundaries.
void CompactTraceTest::traceLogKeepsOrderAcrossChunks()
{
    QFETCH(int, batchSize);
    QFETCH(int, batches);
    TraceLog log;
    quint64 seq = 0;
    qsizetype total = 0;
    for (int b = 0; b < batches; ++b) {
        // -1: batches that alternate around the size a chunk of its own starts at.
        const int size = batchSize >= 0 ? batchSize
                         : b % 3 == 0   ? int(TraceLog::kAdoptEvents)
                         : b % 3 == 1   ? 7
                                        : int(TraceLog::kAdoptEvents) - 1;
        total += size;
        TraceBatch batch;
        for (int i = 0; i < size; ++i) {
            TraceRecord r;
            r.seq = ++seq;
            r.type = EventType::NetRead;
            batch.append(r).integer(Field::Bytes, qint64(seq) * 3);
        }
        log.append(batch);
    }
    QCOMPARE(log.size(), total);
    for (qsizetype i : {qsizetype(0), qsizetype(1), total / 2, total - 2, total - 1,
                        TraceLog::kChunkEvents - 1, TraceLog::kChunkEvents}) {
        if (i >= total)
            continue;
        const TraceEvent ev = log.at(i);
        QCOMPARE(ev.seq, quint64(i + 1));
        QCOMPARE(ev.field(Field::Bytes).toInteger(), qint64(i + 1) * 3);
    }
    quint64 expected = 0;
    for (const TraceEvent ev : log) {
        ++expected;
        if (ev.seq != expected || ev.field(Field::Bytes).toInteger() != qint64(expected) * 3)
            QFAIL(qPrintable(QStringLiteral("event %1 out of order or wrong").arg(expected)));
    }
    QCOMPARE(expected, quint64(total));
    QCOMPARE(log.last().seq, quint64(total));
    log.clear();
    QVERIFY(log.isEmpty());
    QVERIFY(log.begin() == log.end());
}

void CompactTraceTest::doublesAsQtWritesThem_data()
{
    QTest::addColumn<double>("value");
    for (double v : {-1.0, 0.0, -0.0, 0.5, 18.25605, 0.053662, 29.008552, 1e-7, 123456.789012345,
                     999999999.9, 1e9, 5.77853629266539e14, 1e21, 0.1 + 0.2})
        QTest::addRow("%.17g", v) << v;
}

// The JSON writer formats doubles itself (fast path); the contract is Qt's 'g' with 12 digits.
void CompactTraceTest::doublesAsQtWritesThem()
{
    QFETCH(double, value);
    TraceBatch batch;
    batch.append(head()).real(Field::Ms, value);
    QByteArray json;
    batch.first().field(Field::Ms).appendJson(json);
    QCOMPARE(json, QByteArray::number(value, 'g', 12));
}

void CompactTraceTest::millisReadAsTheDoubleTheyReplace_data()
{
    QTest::addColumn<qint64>("fromNs");
    QTest::addColumn<qint64>("toNs");
    QTest::addColumn<double>("ms");
    QTest::addColumn<int>("maxBytes"); // tag + varint, the key aside

    QTest::newRow("unknown start") << qint64(-1) << qint64(5000) << -1.0 << 2;
    QTest::newRow("unknown end") << qint64(5000) << qint64(-1) << -1.0 << 2;
    QTest::newRow("zero") << qint64(7) << qint64(7) << 0.0 << 2;
    QTest::newRow("one ns") << qint64(0) << qint64(1) << 1e-6 << 2;
    QTest::newRow("420 us") << qint64(1000) << qint64(421000) << 0.42 << 4;
    QTest::newRow("1.004 s") << qint64(0) << qint64(1004000123) << 1004.000123 << 6;
    QTest::newRow("a day") << qint64(0) << qint64(86400LL * 1000000000LL) << 86400000.0 << 8;
    QTest::newRow("backwards by 1 ns") << qint64(10) << qint64(9) << -1e-6 << 2;
    QTest::newRow("backwards by 3 ms") << qint64(3000000) << qint64(0) << -3.0 << 5;
}

// Timings are stored as nanosecond varints; every reader sees the double real() would have
// stored, and the JSON is the same text.
void CompactTraceTest::millisReadAsTheDoubleTheyReplace()
{
    QFETCH(qint64, fromNs);
    QFETCH(qint64, toNs);
    QFETCH(double, ms);
    QFETCH(int, maxBytes);

    TraceBatch asMillis, asReal;
    asMillis.append(head()).millis(Field::Ms, fromNs, toNs);
    const double expected = fromNs < 0 || toNs < 0 ? -1.0 : double(toNs - fromNs) / 1e6;
    QCOMPARE(expected, ms);
    asReal.append(head()).real(Field::Ms, expected);
    const FieldValue v = asMillis.first().field(Field::Ms);
    QVERIFY(v.isDouble());
    QCOMPARE(v.toDouble(), expected);
    QCOMPARE(v.toInteger(), qint64(expected));
    QCOMPARE(v.toCbor(), QCborValue(expected));
    QByteArray a, b;
    v.appendJson(a);
    asReal.first().field(Field::Ms).appendJson(b);
    QCOMPARE(a, b);
    QVERIFY2(v.endOfValue() - v.data() <= maxBytes,
             qPrintable(QString::number(v.endOfValue() - v.data())));
}

QTEST_GUILESS_MAIN(CompactTraceTest)
#include "tst_compacttrace.moc"
