// FramesModel: the HTTP/2 frames of one stream from the tour trace (req 2 on stream 3 of the
// h2c connection), the optional stream-0 frames, frame details, problems in red, nothing for
// HTTP/1.1, and live growth (including the stream id becoming known) under
// QAbstractItemModelTester.

#include "models/framesmodel.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"

#include "tracefixture.h"

#include <QAbstractItemModelTester>
#include <QCborArray>
#include <QColor>
#include <QSignalSpy>
#include <QtTest>

using namespace hopscope;
using hopscope::testing::fields;
using hopscope::testing::makeEvent;

namespace {

QString cell(const FramesModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

QStringList column(const FramesModel &model, int column)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out.append(cell(model, row, column));
    return out;
}

} // namespace

class TestFramesModel : public QObject
{
    Q_OBJECT

private slots:
    void streamFramesOnly();
    void connectionFramesToggle();
    void frameDetails_data();
    void frameDetails();
    void problemsInRed();
    void notHttp2IsEmpty();
    void liveGrowthAndLateStreamId_data();
    void liveGrowthAndLateStreamId();
};

void TestFramesModel::streamFramesOnly()
{
    SessionStore store;
    store.append(testing::loadJsonLines(testing::tourTracePath()));
    FramesModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setExchange(2);
    QVERIFY(model.isHttp2());
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(column(model, FramesModel::FrameColumn), (QStringList{"HEADERS", "HEADERS", "DATA"}));
    QCOMPARE(column(model, FramesModel::DirColumn), (QStringList{"→", "←", "←"}));
    QCOMPARE(column(model, FramesModel::StreamColumn), (QStringList{"3", "3", "3"}));
    QCOMPARE(column(model, FramesModel::FlagsColumn),
             (QStringList{"END_STREAM END_HEADERS", "END_HEADERS", "END_STREAM"}));
    QCOMPARE(column(model, FramesModel::LengthColumn), (QStringList{"42", "51", "22"}));
    for (int row = 0; row < model.rowCount(); ++row) {
        const TraceEvent &ev = store.event(model.eventIndex(row));
        QVERIFY(ev.is(EventType::H2Frame));
        QCOMPARE(ev.scope.stream, 3);
        QCOMPARE(model.index(row, 0).data(FramesModel::StreamRole).toInt(), 3);
        QCOMPARE(model.index(row, 0).data(FramesModel::EventIndexRole).toInt(),
                 model.eventIndex(row));
    }
    // Time: ms since req 2's request.start (t = 0.017871 s); the DATA came at 0.321489 s.
    QCOMPARE(cell(model, 2, FramesModel::TimeColumn), QStringLiteral("303.618"));
    QCOMPARE(model.headerData(FramesModel::TimeColumn, Qt::Horizontal).toString(),
             QStringLiteral("Time (ms)"));
}

void TestFramesModel::connectionFramesToggle()
{
    SessionStore store;
    store.append(testing::loadJsonLines(testing::tourTracePath()));
    FramesModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setExchange(2);
    model.setIncludeConnectionFrames(true);
    QVERIFY(model.includeConnectionFrames());
    // Conn 1's stream-0 frames: SETTINGS, WINDOW_UPDATE out; SETTINGS, WINDOW_UPDATE in;
    // SETTINGS ACK out; SETTINGS ACK in; interleaved by time with stream 3's three.
    QCOMPARE(model.rowCount(), 9);
    QCOMPARE(column(model, FramesModel::StreamColumn),
             (QStringList{"0", "0", "0", "0", "0", "3", "0", "3", "3"}));
    int previous = -1;
    for (int row = 0; row < model.rowCount(); ++row) {
        QVERIFY(model.eventIndex(row) > previous);
        previous = model.eventIndex(row);
    }
    // Times stay relative to req 2's start, stream-0 frames included.
    QCOMPARE(cell(model, 0, FramesModel::TimeColumn), QStringLiteral("1.354"));
    model.setIncludeConnectionFrames(false);
    QCOMPARE(model.rowCount(), 3);
}

void TestFramesModel::frameDetails_data()
{
    QTest::addColumn<QCborMap>("frameFields");
    QTest::addColumn<QString>("details");

    QTest::newRow("settings") << fields({{"frame", "SETTINGS"},
                                         {"flags", QCborArray()},
                                         {"length", 12},
                                         {"settings",
                                          QCborArray{QCborArray{"ENABLE_PUSH", 0},
                                                     QCborArray{"MAX_FRAME_SIZE", 16384}}}})
                              << "ENABLE_PUSH=0, MAX_FRAME_SIZE=16384";
    QTest::newRow("settings ack") << fields({{"frame", "SETTINGS"},
                                             {"flags", QCborArray{"ACK"}},
                                             {"length", 0},
                                             {"settings", QCborArray()}})
                                  << "acknowledges the peer's settings";
    QTest::newRow("window update") << fields({{"frame", "WINDOW_UPDATE"},
                                              {"flags", QCborArray()},
                                              {"length", 4},
                                              {"increment", 65535}})
                                   << "+65535";
    QTest::newRow("rst") << fields({{"frame", "RST_STREAM"},
                                    {"flags", QCborArray()},
                                    {"length", 4},
                                    {"error", "REFUSED_STREAM"}})
                         << "REFUSED_STREAM";
    QTest::newRow("goaway") << fields({{"frame", "GOAWAY"},
                                       {"flags", QCborArray()},
                                       {"length", 11},
                                       {"lastStreamId", 5},
                                       {"error", "NO_ERROR"},
                                       {"debug", "bye"}})
                            << "last stream 5, NO_ERROR, debug \"bye\"";
    QTest::newRow("ping") << fields({{"frame", "PING"},
                                     {"flags", QCborArray()},
                                     {"length", 8},
                                     {"opaque", "0001020304050607"}})
                          << "opaque 0001020304050607";
    QTest::newRow("push promise") << fields({{"frame", "PUSH_PROMISE"},
                                             {"flags", QCborArray{"END_HEADERS"}},
                                             {"length", 10},
                                             {"promisedStream", 2}})
                                  << "promised stream 2";
    QTest::newRow("padded data") << fields({{"frame", "DATA"},
                                            {"flags", QCborArray{"PADDED"}},
                                            {"length", 20},
                                            {"padding", 7}})
                                 << "padding 7";
    QTest::newRow("headers with priority")
        << fields({{"frame", "HEADERS"},
                   {"flags", QCborArray{"PRIORITY"}},
                   {"length", 20},
                   {"priority", fields({{"dependency", 0}, {"weight", 16}, {"exclusive", true}})}})
        << "priority: depends on 0, weight 16, exclusive";
    QTest::newRow("discarded invalid") << fields({{"frame", "DATA"},
                                                  {"flags", QCborArray()},
                                                  {"length", 3},
                                                  {"discarded", true},
                                                  {"invalid", "stream closed"}})
                                       << "discarded; invalid: stream closed";
}

void TestFramesModel::frameDetails()
{
    QFETCH(QCborMap, frameFields);
    QFETCH(QString, details);
    const TraceBatch ev = makeEvent(1, 0, "h2.frame", {1, 1, 1}, Direction::In, frameFields);
    QCOMPARE(FramesModel::details(ev.first()), details);
}

void TestFramesModel::problemsInRed()
{
    TraceBatch events;
    events.append(makeEvent(1, 0, "request.start", {0, 1, -1}, Direction::None,
                            fields({{"method", "GET"}, {"url", "https://h/"}})));
    events.append(makeEvent(2, 1, "h2.frame", {1, 1, 1}, Direction::Out,
                            fields({{"frame", "HEADERS"},
                                    {"flags", QCborArray{"END_STREAM", "END_HEADERS"}},
                                    {"length", 10}})));
    events.append(makeEvent(3, 2, "h2.frame", {1, 1, 1}, Direction::In,
                            fields({{"frame", "DATA"},
                                    {"flags", QCborArray()},
                                    {"length", 3},
                                    {"discarded", true},
                                    {"invalid", "stream closed"}})));
    SessionStore store;
    store.append(events);
    FramesModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setExchange(1);
    QCOMPARE(model.rowCount(), 2);
    QVERIFY(!model.index(0, 0).data(FramesModel::ProblemRole).toBool());
    QVERIFY(!model.index(0, FramesModel::DetailsColumn).data(Qt::ForegroundRole).isValid());
    QVERIFY(model.index(1, 0).data(FramesModel::ProblemRole).toBool());
    QCOMPARE(model.index(1, FramesModel::DetailsColumn).data(Qt::ForegroundRole).value<QColor>(),
             errorColor());
    QCOMPARE(cell(model, 1, FramesModel::DetailsColumn),
             QStringLiteral("discarded; invalid: stream closed"));
}

void TestFramesModel::notHttp2IsEmpty()
{
    SessionStore store;
    store.append(testing::loadJsonLines(testing::tourTracePath()));
    FramesModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (quint32 req : {4u, 6u, 7u}) { // HTTP/1.1 over TLS, WebSocket, raw tunnel
        model.setExchange(req);
        QVERIFY(!model.isHttp2());
        QCOMPARE(model.rowCount(), 0);
        model.setIncludeConnectionFrames(!model.includeConnectionFrames());
        QCOMPARE(model.rowCount(), 0);
    }
    model.setExchange(5); // HTTP/2 after following Upgrade: h2 to conn 3
    QVERIFY(model.isHttp2());
    model.setIncludeConnectionFrames(false);
    QCOMPARE(column(model, FramesModel::FrameColumn), (QStringList{"HEADERS", "HEADERS", "DATA"}));
    store.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.exchange(), 0u);
}

void TestFramesModel::liveGrowthAndLateStreamId_data()
{
    QTest::addColumn<int>("batchSize");
    QTest::addColumn<bool>("connectionFrames");
    QTest::newRow("1 a batch") << 1 << false;
    QTest::newRow("5 a batch") << 5 << false;
    QTest::newRow("1 a batch, stream 0 too") << 1 << true;
    QTest::newRow("13 a batch, stream 0 too") << 13 << true;
}

void TestFramesModel::liveGrowthAndLateStreamId()
{
    QFETCH(int, batchSize);
    QFETCH(bool, connectionFrames);
    const TraceBatch events = testing::loadJsonLines(testing::tourTracePath());

    SessionStore reference;
    reference.append(events);
    FramesModel expected(&reference);
    expected.setIncludeConnectionFrames(connectionFrames);

    SessionStore store;
    FramesModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setIncludeConnectionFrames(connectionFrames);
    // req 1 gets its stream id (1) only after the 101; req 3 is on stream 5 from its first frame.
    for (quint32 req : {1u, 3u}) {
        store.clear();
        model.setExchange(req);
        for (int i = 0; i < events.size(); i += batchSize)
            store.append(events.mid(i, batchSize));
        if (QTest::currentTestFailed())
            return;
        expected.setExchange(req);
        QVERIFY(expected.rowCount() > 0);
        QCOMPARE(model.rowCount(), expected.rowCount());
        for (int row = 0; row < model.rowCount(); ++row)
            QCOMPARE(model.eventIndex(row), expected.eventIndex(row));
    }
    model.setExchange(1);
    model.setIncludeConnectionFrames(false);
    QCOMPARE(column(model, FramesModel::FrameColumn), (QStringList{"HEADERS", "DATA"}));
}

QTEST_MAIN(TestFramesModel)
#include "tst_framesmodel.moc"
