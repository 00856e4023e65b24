// The session file (engine/session, docs/session-format.md): what goes in comes out, event for
// event and body for body; and a damaged, cut, hostile or newer file gets an error that names
// its byte and keeps what came before.

#include "session/sessionformat.h"
#include "session/sessionreader.h"
#include "session/sessionwriter.h"
#include "trace/tracestrings.h"

#include <QBuffer>
#include <QCborArray>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace hopscope;
using namespace Qt::StringLiterals;
namespace sf = hopscope::sessionformat;

namespace {

// A small run with every kind of value, an unknown event type and nested containers.
TraceBatch sampleEvents()
{
    TraceBatch b;
    TraceRecord head;
    head.seq = 1;
    head.tNs = 1000;
    head.type = EventType::RequestStart;
    head.scope = {0, 1, -1};
    b.append(head).atom(Field::Method, "GET").text(Field::Url, u"http://127.0.0.1:8080/ä"_s);
    head.seq = 2;
    head.tNs = 2500;
    head.type = EventType::H1Request;
    head.scope = {1, 1, -1};
    head.dir = Direction::Out;
    HeaderList headers{{"Host", "127.0.0.1:8080"}, {"X-Raw", QByteArray("\x00\xff\x01", 3)}};
    b.append(head)
        .atom(Field::Method, "GET")
        .headers(Field::Headers, headers)
        .bytes(Field::Data, QByteArray("\x80\x81 wire", 7))
        .boolean(Field::WithBody, false)
        .null(Field::Error);
    head.seq = 3;
    head.tNs = 9000;
    head.type = EventType::ResponseComplete;
    head.dir = Direction::None;
    head.scope = {1, 1, 1};
    b.append(head)
        .integer(Field::Status, 200)
        .integer(Field::Bytes, -42)
        .real(Field::Ms, 3.25)
        .beginMap(Field::Timings)
        .millis(Field::Dns, 0, 1'500'000)
        .millis(Field::Connect, -1, 5)
        .end()
        .beginArray(Field::Protocols)
        .atom("h2c")
        .beginArray()
        .integer(7)
        .end()
        .end();
    head.seq = 4;
    QCborMap fields;
    fields.insert(u"flavour"_s, u"new"_s);
    fields.insert(u"count"_s, 3);
    b.append(head, "future.event", fields);
    return b;
}

QList<ExchangeBody> sampleBodies()
{
    ExchangeBody plain;
    plain.req = 1;
    plain.contentType = "text/plain";
    plain.wire = "hello";
    plain.decoded = "hello";
    plain.requestBody = "a=1";
    ExchangeBody gz;
    gz.req = 7;
    gz.contentType = "application/json";
    gz.contentEncoding = "gzip";
    gz.wire = QByteArray("\x1f\x8b\x08\x00 binary", 12);
    gz.decoded = "{\"k\":1}";
    gz.wireTruncated = true;
    gz.decodedTruncated = true;
    return {plain, gz};
}

QByteArray writeSession(const TraceBatch &events, const QList<ExchangeBody> &bodies,
                        const QDateTime &start = QDateTime(QDate(2026, 12, 7), QTime(10, 0),
                                                           Qt::UTC))
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    SessionWriter w(&buffer);
    w.begin(start, QJsonObject{{u"producer"_s, u"tst_sessionfile"_s}});
    // Two calls, so the string table and events come in more than one chunk.
    w.writeEvents(events.mid(0, 2));
    w.writeEvents(events.mid(2));
    for (const ExchangeBody &body : bodies)
        w.writeBody(body);
    if (!w.finish())
        qFatal("writing to a buffer failed");
    return buffer.data();
}

// Chunks laid out by hand, for files the writer never makes.
QByteArray chunk(const char (&tag)[5], const QByteArray &payload)
{
    QByteArray c(16, '\0');
    sf::store(c.data(), sf::tag(tag));
    sf::store(c.data() + 8, quint64(payload.size()));
    return c + payload;
}

QByteArray u32(quint32 v)
{
    QByteArray b(4, '\0');
    sf::store(b.data(), v);
    return b;
}

// Where the first chunk with this tag starts in a file (its head), or -1.
qsizetype findChunk(const QByteArray &file, const char (&tag)[5])
{
    qsizetype pos = sf::kHeaderBytes;
    while (pos + 16 <= file.size()) {
        if (sf::load<quint32>(file.constData() + pos) == sf::tag(tag))
            return pos;
        pos += 16 + qsizetype(sf::load<quint64>(file.constData() + pos + 8));
    }
    return -1;
}

bool sameBody(const ExchangeBody &a, const ExchangeBody &b)
{
    return a.req == b.req && a.contentType == b.contentType &&
           a.contentEncoding == b.contentEncoding && a.wire == b.wire && a.decoded == b.decoded &&
           a.wireTruncated == b.wireTruncated && a.decodedTruncated == b.decodedTruncated &&
           a.requestBody == b.requestBody;
}

} // namespace

class SessionFileTest : public QObject
{
    Q_OBJECT
private slots:
    void roundTripKeepsEveryEventAndBody();
    void roundTripThroughAFileReadsBodiesOnDemand();
    void emptySessionRoundTrips();
    void unknownChunksAreSkipped();
    void cutAtEveryByteNamesTheByteAndKeepsWhatCameBefore();
    void damagedFiles_data();
    void damagedFiles();
};

void SessionFileTest::roundTripKeepsEveryEventAndBody()
{
    const TraceBatch events = sampleEvents();
    const QList<ExchangeBody> bodies = sampleBodies();
    const QDateTime start(QDate(2026, 12, 7), QTime(10, 0), Qt::UTC);
    SessionContents read;
    QString error;
    QVERIFY2(readSessionData(writeSession(events, bodies, start), u"t"_s, &read, &error),
             qPrintable(error));
    QCOMPARE(read.traceStart, start);
    QCOMPARE(read.meta.value(u"producer"_s).toString(), u"tst_sessionfile"_s);
    QCOMPARE(read.events.size(), events.size());
    for (qsizetype i = 0; i < events.size(); ++i) {
        const TraceEvent a = events.at(i), b = read.events.at(i);
        QCOMPARE(b.seq, a.seq);
        QCOMPARE(b.tNs, a.tNs);
        QCOMPARE(b.type, a.type);
        QCOMPARE(b.typeName(), a.typeName());
        QCOMPARE(b.scope.conn, a.scope.conn);
        QCOMPARE(b.scope.req, a.scope.req);
        QCOMPARE(b.scope.stream, a.scope.stream);
        QCOMPARE(b.dir, a.dir);
        QCOMPARE(b.toCborMap(), a.toCborMap());
    }
    // The kinds survive, not only the values a CBOR map shows.
    const TraceEvent complete = read.events.at(2);
    QCOMPARE(complete.field(Field::Timings).value(Field::Dns).kind(), FieldValue::Kind::Millis);
    QCOMPARE(complete.field(Field::Timings).value(Field::Dns).toDouble(), 1.5);
    QCOMPARE(read.events.at(1).field(Field::Data).kind(), FieldValue::Kind::Bytes);
    QCOMPARE(read.events.at(3).typeName(), QByteArray("future.event"));

    QVERIFY(read.bodies);
    QCOMPARE(read.bodies->requests(), (QList<quint32>{1, 7}));
    for (const ExchangeBody &body : bodies) {
        const std::optional<ExchangeBody> back = read.bodies->body(body.req);
        QVERIFY(back);
        QVERIFY(sameBody(*back, body));
    }
    QVERIFY(!read.bodies->body(2));
}

void SessionFileTest::roundTripThroughAFileReadsBodiesOnDemand()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"s.hopscope"_s);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(writeSession(sampleEvents(), sampleBodies()));
    }
    SessionContents read;
    QString error;
    QVERIFY2(readSessionFile(path, &read, &error), qPrintable(error));
    QCOMPARE(read.events.size(), 4);
    // Read from the mapped file after opening, while the contents live.
    const std::optional<ExchangeBody> gz = read.bodies->body(7);
    QVERIFY(gz);
    QVERIFY(sameBody(*gz, sampleBodies().at(1)));

    SessionContents none;
    QVERIFY(!readSessionFile(dir.filePath(u"missing"_s), &none, &error));
    QVERIFY2(error.contains(u"missing"_s), qPrintable(error));
}

void SessionFileTest::emptySessionRoundTrips()
{
    SessionContents read;
    QString error;
    QVERIFY2(readSessionData(writeSession({}, {}, QDateTime()), u"t"_s, &read, &error),
             qPrintable(error));
    QVERIFY(read.events.isEmpty());
    QVERIFY(!read.traceStart.isValid());
    QCOMPARE(read.bodies->count(), 0);
}

void SessionFileTest::unknownChunksAreSkipped()
{
    QByteArray file = writeSession(sampleEvents(), sampleBodies());
    // A chunk a newer minor version might add, before the end chunk.
    file.insert(findChunk(file, "END "), chunk("XTRA", "whatever a later build keeps"));
    SessionContents read;
    QString error;
    QVERIFY2(readSessionData(file, u"t"_s, &read, &error), qPrintable(error));
    QCOMPARE(read.events.size(), 4);
}

void SessionFileTest::cutAtEveryByteNamesTheByteAndKeepsWhatCameBefore()
{
    const QByteArray file = writeSession(sampleEvents(), sampleBodies());
    qsizetype previousEvents = 0;
    QSet<qsizetype> counts;
    for (qsizetype n = 0; n < file.size(); ++n) {
        SessionContents read;
        QString error;
        QVERIFY2(!readSessionData(file.left(n), u"cut"_s, &read, &error),
                 qPrintable(u"a file cut to %1 bytes was read as whole"_s.arg(n)));
        QVERIFY2(error.startsWith(u"cut: byte "_s), qPrintable(error));
        // What was read before the cut stays, and a longer prefix never yields fewer events.
        QVERIFY(read.events.size() >= previousEvents);
        previousEvents = read.events.size();
        counts.insert(read.events.size());
    }
    QCOMPARE(previousEvents, 4); // only the end chunk was missing at the last cut
    // The second events chunk holds events 3 and 4: a cut inside it keeps event 3 once its
    // fields are whole.
    QVERIFY(counts.contains(3));
}

void SessionFileTest::damagedFiles_data()
{
    QTest::addColumn<std::function<void(QByteArray &)>>("damage");
    QTest::addColumn<QString>("expected");
    using Damage = std::function<void(QByteArray &)>;
    const auto events = [](QByteArray &f) { return findChunk(f, "EVTS") + 16; };
    // The first event record, and the first event's fields (after the three records of the
    // first EVTS chunk's two events).
    const auto record = [events](QByteArray &f) { return events(f) + 8; };
    const auto fields = [events](QByteArray &f) { return events(f) + 8 + 2 * sf::kRecordBytes; };

    QTest::newRow("not a session")
        << Damage([](QByteArray &f) { f[0] = 'X'; }) << u"byte 0: not a Hopscope session file"_s;
    QTest::newRow("newer major version")
        << Damage([](QByteArray &f) { sf::store(f.data() + 16, quint16(2)); })
        << u"format version 2.0; this build reads 1.x: a newer Hopscope wrote it"_s;
    QTest::newRow("header longer than the file")
        << Damage([](QByteArray &f) { sf::store(f.data() + 20, quint32(1) << 30); })
        << u"byte 20: the header says it is 1073741824 bytes long"_s;
    QTest::newRow("chunk longer than the file") << Damage([](QByteArray &f) {
        sf::store(f.data() + sf::kHeaderBytes + 8, quint64(1) << 60);
    }) << u"byte 32: the TYPS chunk says it holds 1152921504606846976 bytes"_s;
    QTest::newRow("events before types")
        << Damage([](QByteArray &f) { sf::store(f.data() + sf::kHeaderBytes, sf::tag("XXXX")); })
        << u"events before the event type table"_s;
    QTest::newRow("a second type table") << Damage([](QByteArray &f) {
        const qsizetype types = sf::kHeaderBytes;
        const qsizetype len = 16 + qsizetype(sf::load<quint64>(f.constData() + types + 8));
        f.insert(types, f.mid(types, len));
    }) << u"a second event type table"_s;
    QTest::newRow("record count beyond the chunk")
        << Damage([events](QByteArray &f) { sf::store(f.data() + events(f), quint32(0x7fffffff)); })
        << u"2147483647 event records need 77309411292 bytes"_s;
    QTest::newRow("type out of the table")
        << Damage([record](QByteArray &f) { sf::store(f.data() + record(f) + 28, quint16(4000)); })
        << u"event type 4000; the type table has"_s;
    QTest::newRow("direction 9") << Damage([record](QByteArray &f) { f[record(f) + 30] = 9; })
                                 << u"direction 9; expected 0, 1 or 2"_s;
    QTest::newRow("seq out of range")
        << Damage([record](QByteArray &f) { sf::store(f.data() + record(f), quint64(1) << 63); })
        << u"event seq 9223372036854775808 is out of range"_s;
    QTest::newRow("fields longer than the chunk") << Damage([record](QByteArray &f) {
        sf::store(f.data() + record(f) + 32, quint32(1) << 31);
    }) << u"the event's fields are 2147483648 bytes"_s;
    QTest::newRow("a field name never defined") << Damage([fields](QByteArray &f) {
        f[fields(f)] = char(0xff); // a two-byte key, 16383: far past the table
        f[fields(f) + 1] = char(0x7f);
    }) << u"string 16383 is named"_s;
    QTest::newRow("an unknown value tag")
        << Damage([fields](QByteArray &f) { f[fields(f) + 1] = char(99); })
        << u"value tag 99; expected 1 to 11"_s;
    QTest::newRow("end counts disagree") << Damage([](QByteArray &f) {
        sf::store(f.data() + findChunk(f, "END ") + 16, quint64(5));
    }) << u"the end chunk counts 5 events and 2 bodies, the file holds 4 and 2"_s;
    QTest::newRow("bytes after the end")
        << Damage([](QByteArray &f) { f.append("junk"); }) << u"4 bytes follow the end chunk"_s;
    QTest::newRow("a body whose parts overflow") << Damage([](QByteArray &f) {
        sf::store(f.data() + findChunk(f, "BODY") + 16 + 16, quint32(0xffffffff));
    }) << u"the body's parts add up to"_s;
    QTest::newRow("a string table string too long") << Damage([](QByteArray &f) {
        const qsizetype strs = findChunk(f, "STRS");
        QByteArray payload = u32(1) + QByteArray(2, '\0') + QByteArray(300, 'a');
        sf::store(payload.data() + 4, quint16(300));
        f.insert(strs, chunk("STRS", payload));
    }) << u"is 300 bytes long; a table string is valid UTF-8 of at most 256 bytes"_s;
    QTest::newRow("a type name that is not UTF-8") << Damage([](QByteArray &f) {
        f[sf::kHeaderBytes + 16 + 4 + 1] = char(0xff); // the first name's first byte
    }) << u"event type name 1 is not valid UTF-8"_s;
    QTest::newRow("text that is not UTF-8") << Damage([](QByteArray &f) {
        // request.start's url: the text after the method atom (key, tag, id) and url key.
        const QByteArray url = "http://127.0.0.1:8080/";
        const qsizetype at = f.indexOf(url);
        f[at] = char(0xff);
    }) << u"text that is not valid UTF-8"_s;
}

void SessionFileTest::damagedFiles()
{
    QFETCH(std::function<void(QByteArray &)>, damage);
    QFETCH(QString, expected);
    QByteArray file = writeSession(sampleEvents(), sampleBodies());
    damage(file);
    SessionContents read;
    QString error;
    QVERIFY2(!readSessionData(file, u"damaged"_s, &read, &error), "a damaged file was read");
    QVERIFY2(error.startsWith(u"damaged: byte "_s), qPrintable(error));
    QVERIFY2(error.contains(expected), qPrintable(error));
}

QTEST_GUILESS_MAIN(SessionFileTest)
#include "tst_sessionfile.moc"
