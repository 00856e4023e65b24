// What the fuzzers (tests/fuzz, docs/testing.md) found, each pinned in the normal suite. The
// reproducers themselves are among the fuzzers' seeds, which CTest's `fuzz` label replays; these
// tests say what the right behaviour is, and in the sanitizer tree they fail the way the fuzzer
// did if a fix is undone.

#include "trace/jsonlineswriter.h"
#include "trace/traceevent.h"
#include "trace/tracefile.h"
#include "trace/tracestrings.h"

#include <QTest>

#include <limits>

using namespace hopscope;
using namespace Qt::StringLiterals;

class FuzzRegressionsTest : public QObject
{
    Q_OBJECT
private slots:
    void emptyTraceReadsAsNoEvents();
    void outOfRangeNumbersSaturate();
    void absentFieldReadsAsFallback();
    void emptyStringsWriteAsEmpty();
    void negativeSeqIsAnError_data();
    void negativeSeqIsAnError();
};

// fuzz_trace_reader: an empty file's view has no data; counting its lines handed memchr a null
// pointer (undefined even for zero bytes).
void FuzzRegressionsTest::emptyTraceReadsAsNoEvents()
{
    TraceBatch events;
    QString error;
    QVERIFY(readTraceData(QByteArrayView(), u"empty.jsonl"_s, &events, &error));
    QVERIFY(events.isEmpty());
    QVERIFY(error.isEmpty());
    QVERIFY(readTraceData(QByteArrayView(""), u"empty.jsonl"_s, &events, &error));
    QVERIFY(events.isEmpty());
}

// fuzz_trace_reader: a double where an integer belongs ("conn":1e300, "t":1e300, "bytes":-1e300)
// was cast to qint64 out of range, which is undefined behaviour. It saturates now.
void FuzzRegressionsTest::outOfRangeNumbersSaturate()
{
    QCOMPARE(saturatingInt64(1e300), std::numeric_limits<qint64>::max());
    QCOMPARE(saturatingInt64(-1e300), std::numeric_limits<qint64>::min());
    QCOMPARE(saturatingInt64(std::numeric_limits<double>::quiet_NaN()), qint64(0));
    QCOMPARE(saturatingInt64(-2.9), qint64(-2));

    const QByteArray line =
        R"({"seq":1e300,"t":1e300,"type":"net.read","conn":1e30,"req":-1e300,"bytes":-1e300})"_ba;
    TraceBatch events;
    QString error;
    QVERIFY2(readTraceData(line, u"big.jsonl"_s, &events, &error), qPrintable(error));
    QCOMPARE(events.size(), 1);
    const TraceEvent ev = events.at(0);
    QCOMPARE(ev.tNs, std::numeric_limits<qint64>::max());
    QCOMPARE(ev.field(Field::Bytes).toInteger(), std::numeric_limits<qint64>::min());
    QVERIFY(!JsonLinesWriter::toJson(ev).isEmpty());
}

// fuzz_trace_reader: reading a field an event does not have did pointer arithmetic on null.
void FuzzRegressionsTest::absentFieldReadsAsFallback()
{
    TraceBatch events;
    QString error;
    QVERIFY(readTraceData(R"({"seq":1,"t":0,"type":"close"})"_ba, u"x"_s, &events, &error));
    QCOMPARE(events.size(), 1);
    const FieldValue absent = events.at(0).field(Field::Reason);
    QVERIFY(!absent.isValid());
    QCOMPARE(absent.toString(u"fallback"_s), u"fallback"_s);
    QVERIFY(absent.toUtf8().isEmpty());
    QCOMPARE(absent.toInteger(7), qint64(7));
}

// fuzz_trace_reader: interning the empty string (a key "" in a file) appended a null view through
// JsonOut::put, a memcpy from null.
void FuzzRegressionsTest::emptyStringsWriteAsEmpty()
{
    QByteArray out;
    appendJsonString(out, QByteArrayView());
    QCOMPARE(out, "\"\""_ba);
    quint32 id = 0;
    QVERIFY(TraceStrings::instance().intern(QByteArrayView(), &id));
    QCOMPARE(TraceStrings::instance().entry(id).json, "\"\""_ba);
}

// fuzz_trace_reader (a CI run): "seq":-3 wrapped to 2^64 - 3, which the writer wrote and the
// reader, whose integers stop at 2^63 - 1, read back as another number: File ▸ Save of an opened
// trace changed it. A negative seq is an error that names the line and column; the lines before
// it are kept.
void FuzzRegressionsTest::negativeSeqIsAnError_data()
{
    QTest::addColumn<QByteArray>("seq");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("-3") << "-3"_ba << false;
    QTest::newRow("-1e10") << "-1e10"_ba << false;
    QTest::newRow("min int64") << "-9223372036854775808"_ba << false;
    QTest::newRow("-0") << "-0"_ba << true;
    QTest::newRow("-0.5 (rounds to 0)") << "-0.5"_ba << true;
    QTest::newRow("max int64") << "9223372036854775807"_ba << true;
}

void FuzzRegressionsTest::negativeSeqIsAnError()
{
    QFETCH(QByteArray, seq);
    QFETCH(bool, accepted);
    const QByteArray file = R"({"seq":1,"t":0,"type":"close"})"_ba + '\n' + R"({"seq":)"_ba + seq +
                            R"(,"t":0.1,"type":"close"})"_ba + '\n';
    TraceBatch events;
    QString error;
    QCOMPARE(readTraceData(file, u"seq.jsonl"_s, &events, &error), accepted);
    if (accepted) {
        QCOMPARE(events.size(), 2);
        const QByteArray json = JsonLinesWriter::toJson(events.at(1));
        TraceBatch again;
        QVERIFY2(readTraceData(json, u"again.jsonl"_s, &again, &error), qPrintable(error));
        QCOMPARE(JsonLinesWriter::toJson(again.at(0)), json);
    } else {
        QVERIFY2(error.contains(u"negative \"seq\""_s), qPrintable(error));
        QVERIFY2(error.contains(u"line 2"_s), qPrintable(error));
        QCOMPARE(events.size(), 1);
    }
}

QTEST_GUILESS_MAIN(FuzzRegressionsTest)
#include "tst_fuzzregressions.moc"
