// TraceLogModel (every event, filterable), the one-line event summaries and the TraceLogPanel
// around them, over the demo tour's real trace and hand-made events.

#include "models/eventsummary.h"
#include "models/tracelogmodel.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"
#include "widgets/tracelogpanel.h"

#include "tracefixture.h"

#include <QAbstractItemModelTester>
#include <QCborArray>
#include <QComboBox>
#include <QFontDatabase>
#include <QLineEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <functional>

using namespace hopscope;
using namespace hopscope::testing;

using EventPredicate = std::function<bool(const TraceEvent &)>;
Q_DECLARE_METATYPE(EventPredicate)
Q_DECLARE_METATYPE(hopscope::TraceFilter)

namespace {

bool typeStarts(const TraceEvent &ev, const char *prefix)
{
    return ev.typeName().startsWith(prefix);
}

// The event indices a model shows, in row order.
QList<int> shownEvents(const TraceLogModel &model)
{
    QList<int> out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row, 0).data(TraceLogModel::EventIndexRole).toInt();
    return out;
}

QList<int> expectedEvents(const SessionStore &store, const EventPredicate &pred)
{
    QList<int> out;
    for (int i = 0; i < store.events().size(); ++i)
        if (pred(store.event(i)))
            out << i;
    return out;
}

void appendInBatches(SessionStore &store, const TraceBatch &events, int batchSize)
{
    for (qsizetype i = 0; i < events.size(); i += batchSize)
        store.append(events.mid(i, batchSize));
}

// Events for the error filter: the tour has none.
TraceBatch problemEvents()
{
    TraceBatch b;
    b.append(makeEvent(1, 1, "request.start", {0, 1, -1}, Direction::None,
                       QCborMap{{QStringLiteral("method"), QStringLiteral("GET")},
                                {QStringLiteral("url"), QStringLiteral("http://x/")}}));
    b.append(makeEvent(2, 2, "h2.frame", {1, 1, 1}, Direction::In,
                       QCborMap{{QStringLiteral("frame"), QStringLiteral("RST_STREAM")},
                                {QStringLiteral("flags"), QCborArray()},
                                {QStringLiteral("length"), 4},
                                {QStringLiteral("error"), QStringLiteral("REFUSED_STREAM")}}));
    b.append(makeEvent(3, 3, "h2.frame", {1, 0, 3}, Direction::Out,
                       QCborMap{{QStringLiteral("frame"), QStringLiteral("RST_STREAM")},
                                {QStringLiteral("flags"), QCborArray()},
                                {QStringLiteral("length"), 4},
                                {QStringLiteral("error"), QStringLiteral("NO_ERROR")}}));
    b.append(
        makeEvent(4, 4, "request.failed", {1, 1, 1}, Direction::None,
                  QCborMap{{QStringLiteral("error"), QStringLiteral("stream reset")},
                           {QStringLiteral("code"), QStringLiteral("h2-rst:REFUSED_STREAM")}}));
    b.append(makeEvent(5, 5, "h1.violation", {2, 0, -1}, Direction::None,
                       QCborMap{{QStringLiteral("code"), QStringLiteral("bare-lf")},
                                {QStringLiteral("message"), QStringLiteral("bare LF")}}));
    b.append(makeEvent(6, 6, "error", {2, 0, -1}, Direction::None,
                       QCborMap{{QStringLiteral("message"), QStringLiteral("connection reset")},
                                {QStringLiteral("code"), QStringLiteral("connection-closed")}}));
    b.append(makeEvent(7, 7, "net.read", {2, 0, -1}, Direction::In,
                       QCborMap{{QStringLiteral("bytes"), 10}}));
    return b;
}

} // namespace

class TestTraceLogModel : public QObject
{
    Q_OBJECT
private:
    TraceBatch m_tour;

private slots:
    void initTestCase()
    {
        m_tour = loadJsonLines(tourTracePath());
        QVERIFY2(m_tour.size() > 100, qPrintable(tourTracePath()));
    }

    void unfilteredRowsAreTheStoreEvents()
    {
        SessionStore store;
        TraceLogModel model(&store);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        appendInBatches(store, m_tour, 10);
        QCOMPARE(model.rowCount(), m_tour.size());
        QCOMPARE(model.columnCount(), int(TraceLogModel::ColumnCount));
        QCOMPARE(inserted.size(), (m_tour.size() + 9) / 10); // one insert per batch
        for (int row = 0; row < model.rowCount(); ++row) {
            QCOMPARE(model.eventIndex(row), row);
            QCOMPARE(model.index(row, TraceLogModel::SeqColumn).data().toString(),
                     QString::number(m_tour.at(row).seq));
        }
        QVERIFY(!model.isFiltered());
    }

    void testerWhileBatchesArriveAndFiltersChange()
    {
        SessionStore store;
        TraceLogModel model(&store);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        TraceFilter h2;
        h2.types = {QStringLiteral("h2.")};
        TraceFilter text;
        text.text = QStringLiteral("frame");
        int step = 0;
        for (qsizetype i = 0; i < m_tour.size(); i += 7, ++step) {
            store.append(m_tour.mid(i, 7));
            if (step == 3)
                model.setFilter(h2);
            if (step == 8)
                model.setFilter(text);
            if (step == 12)
                model.setFilter({});
            if (step == 15)
                model.setFilter(h2);
        }
        QCOMPARE(shownEvents(model),
                 expectedEvents(store, [](const TraceEvent &ev) { return typeStarts(ev, "h2."); }));
        store.clear();
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(model.isFiltered()); // the filter outlives a clear
        store.append(m_tour);
        QCOMPARE(shownEvents(model),
                 expectedEvents(store, [](const TraceEvent &ev) { return typeStarts(ev, "h2."); }));
    }

    void filters_data()
    {
        QTest::addColumn<TraceFilter>("filter");
        QTest::addColumn<EventPredicate>("expected");
        QTest::addColumn<int>("atLeast"); // guards against a predicate that matches nothing

        TraceFilter f;
        f.connections = {1};
        QTest::newRow("conn 1") << f << EventPredicate([](const TraceEvent &ev) {
            return ev.scope.conn == 1;
        }) << 40;
        f = {};
        f.connections = {3, 5};
        QTest::newRow("conns 3 and 5") << f << EventPredicate([](const TraceEvent &ev) {
            return ev.scope.conn == 3 || ev.scope.conn == 5;
        }) << 10;
        f = {};
        f.types = {QStringLiteral("h2.")};
        QTest::newRow("type h2.") << f << EventPredicate([](const TraceEvent &ev) {
            return typeStarts(ev, "h2.");
        }) << 30;
        f = {};
        f.types = {QStringLiteral("ws."), QStringLiteral("close")};
        QTest::newRow("ws. and exact close") << f << EventPredicate([](const TraceEvent &ev) {
            return typeStarts(ev, "ws.") || ev.is(EventType::Close);
        }) << 15;
        f = {};
        f.text = QStringLiteral("Switching");
        const EventPredicate the101s = [](const TraceEvent &ev) {
            return ev.is(EventType::UpgradeSwitch) ||
                   (ev.is(EventType::H1Response) && ev.field(Field::Status).toInteger() == 101);
        };
        QTest::newRow("text Switching") << f << the101s << 6;
        f.text = QStringLiteral("sWITCHING");
        QTest::newRow("text is case-insensitive") << f << the101s << 6;
        f = {};
        f.text = QStringLiteral("upgrade.");
        QTest::newRow("text matches the type")
            << f << EventPredicate([](const TraceEvent &ev) { return typeStarts(ev, "upgrade."); })
            << 8;
        f = {};
        f.stream = 3;
        QTest::newRow("stream 3") << f << EventPredicate([](const TraceEvent &ev) {
            return ev.scope.stream == 3;
        }) << 3;
        f = {};
        f.stream = 0;
        QTest::newRow("stream 0") << f << EventPredicate([](const TraceEvent &ev) {
            return ev.scope.stream == 0;
        }) << 5;
        f = {};
        f.req = 6;
        QTest::newRow("req 6") << f << EventPredicate([](const TraceEvent &ev) {
            return ev.scope.req == 6;
        }) << 15;
        f = {};
        f.connections = {1};
        f.types = {QStringLiteral("h2.")};
        f.text = QStringLiteral("DATA");
        QTest::newRow("conn 1 + h2. + DATA") << f << EventPredicate([](const TraceEvent &ev) {
            return ev.scope.conn == 1 && ev.is(EventType::H2Frame) &&
                   ev.field(Field::Frame).toString() == QLatin1String("DATA");
        }) << 4;
        f = {};
        f.connections = {1};
        f.stream = 5;
        f.types = {QStringLiteral("h2.")};
        QTest::newRow("conn 1 + stream 5 + h2.") << f << EventPredicate([](const TraceEvent &ev) {
            return ev.scope.conn == 1 && ev.scope.stream == 5 && typeStarts(ev, "h2.");
        }) << 4;
        f = {};
        f.text = QStringLiteral("no such text anywhere");
        QTest::newRow("nothing") << f << EventPredicate([](const TraceEvent &) { return false; })
                                 << 0;
    }

    void filters()
    {
        QFETCH(TraceFilter, filter);
        QFETCH(EventPredicate, expected);
        QFETCH(int, atLeast);
        SessionStore store;
        store.append(m_tour);
        TraceLogModel model(&store);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setFilter(filter);
        QCOMPARE(reset.size(), 1);
        QVERIFY(model.isFiltered());
        const QList<int> want = expectedEvents(store, expected);
        QVERIFY2(want.size() >= atLeast, qPrintable(QString::number(want.size())));
        QCOMPARE(shownEvents(model), want);
        // Row <-> event mapping agrees both ways.
        for (int row = 0; row < model.rowCount(); ++row)
            QCOMPARE(model.rowForEvent(model.eventIndex(row)), row);

        // Built the other way round: filter first, events after, in odd batches.
        SessionStore live;
        TraceLogModel liveModel(&live);
        QAbstractItemModelTester liveTester(&liveModel,
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        liveModel.setFilter(filter);
        appendInBatches(live, m_tour, 13);
        QCOMPARE(shownEvents(liveModel), want);

        model.setFilter({});
        QVERIFY(!model.isFiltered());
        QCOMPARE(model.rowCount(), m_tour.size());
    }

    void errorsOnly()
    {
        SessionStore store;
        store.append(problemEvents());
        TraceLogModel model(&store);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        TraceFilter f;
        f.errorsOnly = true;
        model.setFilter(f);
        // RST_STREAM REFUSED_STREAM, request.failed, h1.violation (a warning), error; not the
        // request.start, the NO_ERROR reset or the read.
        QCOMPARE(shownEvents(model), (QList<int>{1, 3, 4, 5}));
        for (int row = 0; row < model.rowCount(); ++row)
            QVERIFY(model.index(row, 0).data(TraceLogModel::IsErrorRole).toBool());

        const QColor error = errorColor();
        const auto colorOf = [&](int eventIndex) {
            return model.index(model.rowForEvent(eventIndex), TraceLogModel::SummaryColumn)
                .data(Qt::ForegroundRole)
                .value<QColor>();
        };
        QCOMPARE(colorOf(1), error);  // the reset with an error code
        QCOMPARE(colorOf(3), error);  // request.failed
        QCOMPARE(colorOf(5), error);  // error
        QVERIFY(colorOf(4) != error); // a warning is told apart
        QVERIFY(colorOf(4).isValid());

        f.connections = {2};
        model.setFilter(f);
        QCOMPARE(shownEvents(model), (QList<int>{4, 5}));
        model.setFilter({});
        QVERIFY(!model.index(6, 0).data(TraceLogModel::IsErrorRole).toBool());
        QVERIFY(model.index(6, 0).data(Qt::ForegroundRole).value<QColor>() != error);
    }

    void insertAfterFilterAddsOnlyMatches()
    {
        SessionStore store;
        TraceLogModel model(&store);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        TraceFilter f;
        f.types = {QStringLiteral("ws.")};
        model.setFilter(f);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        int batchesWithWs = 0;
        int expectedRows = 0;
        constexpr int kBatch = 16;
        for (qsizetype i = 0; i < m_tour.size(); i += kBatch) {
            const TraceBatch batch = m_tour.mid(i, kBatch);
            int ws = 0;
            for (const TraceEvent &ev : batch)
                ws += typeStarts(ev, "ws.") ? 1 : 0;
            const int rowsBefore = model.rowCount();
            store.append(batch);
            if (ws > 0) {
                ++batchesWithWs;
                QCOMPARE(inserted.size(), batchesWithWs); // one insert per batch
                const QList<QVariant> args = inserted.last();
                QCOMPARE(args.at(1).toInt(), rowsBefore); // appended at the end
                QCOMPARE(args.at(2).toInt(), rowsBefore + ws - 1);
            } else {
                QCOMPARE(inserted.size(), batchesWithWs); // nothing inserted
            }
            expectedRows += ws;
            QCOMPARE(model.rowCount(), expectedRows);
        }
        QVERIFY(batchesWithWs >= 1);
        QCOMPARE(expectedRows, 12);
    }

    void narrowingTheTextMatchesAFullRebuild()
    {
        SessionStore store;
        store.append(m_tour);
        TraceLogModel model(&store);
        TraceFilter f;
        f.connections = {1};
        f.text = QStringLiteral("h");
        model.setFilter(f);
        const int wide = model.rowCount();
        f.text = QStringLiteral("he");
        QVERIFY(f.isNarrowerThan(model.filter()));
        model.setFilter(f);
        f.text = QStringLiteral("HEADERS");
        model.setFilter(f);
        TraceLogModel fresh(&store);
        fresh.setFilter(f);
        QCOMPARE(shownEvents(model), shownEvents(fresh));
        QVERIFY(model.rowCount() > 0 && model.rowCount() < wide);

        TraceFilter other = f;
        other.connections = {1, 2}; // wider scope: not a narrowing
        QVERIFY(!other.isNarrowerThan(f));
        QVERIFY(f.isNarrowerThan(other));
    }

    void columnsAndRoles()
    {
        SessionStore store;
        store.append(m_tour);
        TraceLogModel model(&store);
        auto cell = [&](int seq, int column, int role = Qt::DisplayRole) {
            return model.index(seq - 1, column).data(role);
        };
        // seq 12: {"t":0.019119,"type":"h1.response","conn":1,"req":1,"dir":"in", 101 …}
        QCOMPARE(cell(12, TraceLogModel::TimeColumn).toString(), QStringLiteral("19.119"));
        QCOMPARE(cell(12, TraceLogModel::ConnColumn).toString(), QStringLiteral("1"));
        QCOMPARE(cell(12, TraceLogModel::ReqColumn).toString(), QStringLiteral("1"));
        QCOMPARE(cell(12, TraceLogModel::StreamColumn).toString(), QString());
        QCOMPARE(cell(12, TraceLogModel::DirColumn).toString(), QStringLiteral("←"));
        QCOMPARE(cell(12, TraceLogModel::TypeColumn).toString(), QStringLiteral("h1.response"));
        QCOMPARE(cell(12, TraceLogModel::SummaryColumn).toString(),
                 QStringLiteral("HTTP/1.1 101 Switching Protocols (Upgrade: h2c)"));
        QCOMPARE(cell(12, 0, TraceLogModel::EventIndexRole).toInt(), 11);
        QCOMPARE(cell(12, 0, TraceLogModel::RequestRole).toUInt(), 1u);
        QCOMPARE(cell(12, 0, TraceLogModel::ConnectionRole).toUInt(), 1u);
        // seq 14: stream 0 SETTINGS, out; seq 2 request.start: no connection, no direction.
        QCOMPARE(cell(14, TraceLogModel::StreamColumn).toString(), QStringLiteral("0"));
        QCOMPARE(cell(14, TraceLogModel::DirColumn).toString(), QStringLiteral("→"));
        QCOMPARE(cell(14, 0, TraceLogModel::StreamRole).toInt(), 0);
        QCOMPARE(cell(2, TraceLogModel::ConnColumn).toString(), QString());
        QCOMPARE(cell(2, TraceLogModel::DirColumn).toString(), QString());
        QCOMPARE(cell(2, 0, TraceLogModel::StreamRole).toInt(), -1);

        // Sent, received and informational rows look different; upgrades are bold.
        const QVariant out = cell(14, 0, Qt::ForegroundRole);
        const QVariant in = cell(12, 0, Qt::ForegroundRole);
        const QVariant info = cell(2, 0, Qt::ForegroundRole);
        QVERIFY(out != in);
        QVERIFY(out != info);
        QVERIFY(in != info);
        QVERIFY(cell(13, 0, Qt::FontRole).value<QFont>().bold()); // upgrade.switch
        QVERIFY(cell(13, TraceLogModel::SummaryColumn, Qt::FontRole).value<QFont>().bold());
        QVERIFY(!cell(12, 0, Qt::FontRole).value<QFont>().bold());
        QCOMPARE(cell(12, TraceLogModel::SummaryColumn, Qt::FontRole).value<QFont>().fixedPitch(),
                 QFontDatabase::systemFont(QFontDatabase::FixedFont).fixedPitch());
        QCOMPARE(model.headerData(TraceLogModel::DirColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Dir"));
    }

    void summaries_data()
    {
        QTest::addColumn<int>("seq");
        QTest::addColumn<QString>("summary");
        QTest::newRow("request.start")
            << 2 << QStringLiteral("request GET http://127.0.0.1:38253/headers");
        QTest::newRow("h1.request upgrade")
            << 8 << QStringLiteral("GET /headers HTTP/1.1 (Upgrade: h2c)");
        QTest::newRow("upgrade.offer") << 9 << QStringLiteral("offering an upgrade to h2c");
        QTest::newRow("net.write") << 10 << QStringLiteral("wrote 198 bytes");
        QTest::newRow("upgrade.switch")
            << 13 << QStringLiteral("101 Switching Protocols → h2c (40 bytes came with the 101)");
        QTest::newRow("SETTINGS lists its settings")
            << 14
            << QStringLiteral("SETTINGS ENABLE_PUSH=0 INITIAL_WINDOW_SIZE=33554432 "
                              "MAX_CONCURRENT_STREAMS=100 MAX_FRAME_SIZE=16384 "
                              "MAX_HEADER_LIST_SIZE=307200");
        QTest::newRow("WINDOW_UPDATE")
            << 15 << QStringLiteral("WINDOW_UPDATE increment=1073676289");
        QTest::newRow("leftover read")
            << 17 << QStringLiteral("read 40 bytes (arrived with the 101)");
        QTest::newRow("SETTINGS ACK") << 20 << QStringLiteral("SETTINGS ACK");
        QTest::newRow("HEADERS frame")
            << 23 << QStringLiteral("HEADERS END_STREAM|END_HEADERS len=42");
        QTest::newRow("h2.headers request")
            << 24 << QStringLiteral("request GET /delay/300, 6 headers");
        QTest::newRow("h2.headers response") << 33 << QStringLiteral("response 200, 5 headers");
        QTest::newRow("DATA END_STREAM") << 36 << QStringLiteral("DATA END_STREAM len=382");
        QTest::newRow("response.complete")
            << 37 << QStringLiteral("complete: 200, 382 body bytes over h2 in 2.62 ms");
        QTest::newRow("upgrade.advertised")
            << 59 << QStringLiteral("server advertises Upgrade: h2");
        QTest::newRow("upgrade.follow")
            << 64
            << QStringLiteral(
                   "following Upgrade: h2 advertised on connection #2, offering ALPN h2 only");
        QTest::newRow("close")
            << 71
            << QStringLiteral("connection closed: replaced by HTTP/2 connection 3 (Upgrade: h2)");
        QTest::newRow("ws.message text") << 98 << QStringLiteral("ws text \"hello from hopscope\"");
        QTest::newRow("ws.message binary")
            << 101 << QStringLiteral("ws binary 4 bytes: 00 01 02 ff");
        QTest::newRow("ws.close") << 109 << QStringLiteral("ws close 1000");
        QTest::newRow("ws.frame") << 110 << QStringLiteral("ws frame close fin masked len=2");
        QTest::newRow("raw.data escaped")
            << 128 << QStringLiteral("raw 29 bytes \"hopscope demo tcp echo ready\\n\"");
    }

    void summaries()
    {
        QFETCH(int, seq);
        QFETCH(QString, summary);
        const TraceEvent &ev = m_tour.at(seq - 1);
        QCOMPARE(ev.seq, quint64(seq));
        QCOMPARE(eventSummary(ev), summary);
    }

    // The proxy hop's events (routing, issue 13), as `-v` words them.
    void proxySummaries_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QCborMap>("fields");
        QTest::addColumn<QString>("summary");
        const auto s = [](const char *text) { return QString::fromUtf8(text); };
        QTest::newRow("connect.attempt via a proxy")
            << s("connect.attempt")
            << QCborMap{{s("address"), s("127.0.0.1")},
                        {s("port"), 3128},
                        {s("via"), s("proxy http://127.0.0.1:3128 (from -x)")}}
            << s("trying 127.0.0.1 port 3128 (via proxy http://127.0.0.1:3128 (from -x))");
        QTest::newRow("proxy.connect")
            << s("proxy.connect")
            << QCborMap{{s("target"), s("h:443")}, {s("proxy"), s("http://p:3128")}}
            << s("CONNECT h:443 to the proxy http://p:3128");
        QTest::newRow("proxy.response")
            << s("proxy.response")
            << QCborMap{{s("status"), 407}, {s("reason"), s("Proxy Authentication Required")}}
            << s("proxy answered 407 Proxy Authentication Required");
        QTest::newRow("socks.reply")
            << s("socks.reply") << QCborMap{{s("code"), 5}, {s("reason"), s("connection refused")}}
            << s("SOCKS5 reply 5: connection refused");
        QTest::newRow("socks.request")
            << s("socks.request") << QCborMap{{s("host"), s("h")}, {s("port"), 80}}
            << s("SOCKS5 CONNECT h port 80");
        QTest::newRow("proxy.established")
            << s("proxy.established")
            << QCborMap{{s("target"), s("h:443")},
                        {s("proxy"), s("socks5h://p:1080")},
                        {s("ms"), 2.5}}
            << s("tunnel to h:443 through socks5h://p:1080 in 2.50 ms");
    }

    void proxySummaries()
    {
        QFETCH(QString, type);
        QFETCH(QCborMap, fields);
        const TraceBatch b =
            makeEvent(1, 1, type.toLatin1().constData(), {1, 1, -1}, Direction::None, fields);
        QTEST(eventSummary(b.first()), "summary");
    }

    void summariesOfHandMadeEvents()
    {
        const TraceBatch problems = problemEvents();
        QCOMPARE(eventSummary(problems.at(1)), QStringLiteral("RST_STREAM error=REFUSED_STREAM"));
        QCOMPARE(eventSummary(problems.at(3)),
                 QStringLiteral("failed: stream reset [h2-rst:REFUSED_STREAM]"));
        QCOMPARE(eventSummary(problems.at(5)),
                 QStringLiteral("error: connection reset [connection-closed]"));

        // Control characters are escaped; non-UTF-8 chunks show their hex.
        const TraceBatch raw =
            makeEvent(1, 1, "raw.data", {1, 1, -1}, Direction::Out,
                      QCborMap{{QStringLiteral("bytes"), 6},
                               {QStringLiteral("text"), QStringLiteral("a\"\t\x01\\b")}});
        QCOMPARE(eventSummary(raw.first()), QStringLiteral("raw 6 bytes \"a\\\"\\t\\x01\\\\b\""));
        const TraceBatch hex =
            makeEvent(2, 1, "raw.data", {1, 1, -1}, Direction::In,
                      QCborMap{{QStringLiteral("bytes"), 2},
                               {QStringLiteral("text"), QString(QChar::ReplacementCharacter)},
                               {QStringLiteral("hex"), QStringLiteral("00ff")},
                               {QStringLiteral("truncated"), true}});
        QCOMPARE(eventSummary(hex.first()),
                 QStringLiteral("raw 2 bytes hex 00ff (truncated in the trace)"));

        const TraceBatch goaway =
            makeEvent(3, 1, "h2.frame", {1, 0, 0}, Direction::In,
                      QCborMap{{QStringLiteral("frame"), QStringLiteral("GOAWAY")},
                               {QStringLiteral("flags"), QCborArray()},
                               {QStringLiteral("length"), 12},
                               {QStringLiteral("lastStreamId"), 5},
                               {QStringLiteral("error"), QStringLiteral("ENHANCE_YOUR_CALM")},
                               {QStringLiteral("debug"), QStringLiteral("too many")}});
        QCOMPARE(eventSummary(goaway.first()),
                 QStringLiteral("GOAWAY len=12 lastStreamId=5 error=ENHANCE_YOUR_CALM "
                                "debug=\"too many\""));
        QVERIFY(isErrorEvent(goaway.first()));

        // A type this build does not know is shown generically, nothing hidden.
        const TraceBatch future =
            makeEvent(4, 1, "quic.frame", {1, 0, -1}, Direction::In,
                      QCborMap{{QStringLiteral("kind"), QStringLiteral("ACK")},
                               {QStringLiteral("ranges"), QCborArray{1, 2}}});
        QCOMPARE(eventSummary(future.first()), QStringLiteral("quic.frame kind=ACK ranges=1, 2"));

        const TraceBatch longText =
            makeEvent(5, 1, "ws.message", {1, 1, -1}, Direction::In,
                      QCborMap{{QStringLiteral("opcode"), QStringLiteral("text")},
                               {QStringLiteral("text"), QString(1500, QLatin1Char('x'))},
                               {QStringLiteral("bytes"), 1500}});
        const QString s = eventSummary(longText.first());
        QVERIFY(s.endsWith(QStringLiteral("\"…")));
        QCOMPARE(s.size(), qsizetype(QStringLiteral("ws text \"").size() + 1000 + 2));
    }

    void panelFilterBarAndSignals()
    {
        SessionStore store;
        TraceLogPanel panel(&store);
        panel.resize(900, 400);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        appendInBatches(store, m_tour, 20);

        auto *connCombo = panel.findChild<QComboBox *>(QStringLiteral("connectionFilter"));
        QVERIFY(connCombo);
        QCOMPARE(connCombo->count(), 1 + store.connectionCount()); // "All" plus #1..#5
        QCOMPARE(connCombo->itemData(3).toUInt(), 3u);
        QVERIFY(connCombo->itemText(3).startsWith(QStringLiteral("#3")));

        panel.setConnectionFilter(4);
        panel.setKindFilter(TraceLogPanel::Kind::WebSocket);
        QCOMPARE(panel.currentFilter().connections, QList<quint32>{4});
        QCOMPARE(panel.currentFilter().types, QStringList{QStringLiteral("ws.")});
        QCOMPARE(panel.model()->rowCount(), 12);
        panel.setKindFilter(TraceLogPanel::Kind::Errors);
        QVERIFY(panel.currentFilter().errorsOnly);
        QCOMPARE(panel.model()->rowCount(), 0);
        // An empty filtered table says so, and how much the filter hides.
        QVERIFY2(panel.emptyText().startsWith(QStringLiteral("No events match the filter")),
                 qPrintable(panel.emptyText()));
        panel.setKindFilter(TraceLogPanel::Kind::All);
        QCOMPARE(panel.emptyText(), QString());
        panel.setConnectionFilter(0);
        panel.setFindText(QStringLiteral("switching"));
        QCOMPARE(panel.model()->rowCount(), 6);
        panel.setFindText({});
        QVERIFY(!panel.model()->isFiltered());

        // Ctrl+F lands in the Find field with its text selected.
        auto *find = panel.findChild<QLineEdit *>(QStringLiteral("findField"));
        QVERIFY(find);
        find->setText(QStringLiteral("abc"));
        panel.focusFind();
        QTRY_VERIFY(find->hasFocus());
        QCOMPARE(find->selectedText(), QStringLiteral("abc"));
        panel.setFindText({});

        // showExchange selects the request's first event and stops following.
        panel.setFollow(true);
        panel.showExchange(6);
        QVERIFY(!panel.follows());
        const int first = store.exchange(6)->events.first();
        QCOMPARE(panel.model()->eventIndex(panel.view()->currentIndex().row()), first);

        // A double-click reports the event and its exchange.
        QSignalSpy events(&panel, &TraceLogPanel::eventActivated);
        QSignalSpy exchanges(&panel, &TraceLogPanel::exchangeActivated);
        QTableView *view = panel.view();
        const QModelIndex index =
            panel.model()->index(panel.model()->rowForEvent(first), TraceLogModel::SummaryColumn);
        view->scrollTo(index);
        const QPoint at = view->visualRect(index).center();
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.first().at(0).toInt(), first);
        QCOMPARE(exchanges.size(), 1);
        QCOMPARE(exchanges.first().at(0).toUInt(), 6u);

        // Follow keeps the newest row in view.
        panel.setFollow(true);
        store.append(m_tour);
        QTRY_VERIFY(view->verticalScrollBar()->value() == view->verticalScrollBar()->maximum());
        QVERIFY(view->verticalScrollBar()->maximum() > 0);

        // Every entry of the connection list reads "#N host:port", also for a connection that
        // has no address (it never connected): not a URL in one entry and an address in another.
        TraceBatch noAddress;
        EventScope scope;
        scope.conn = quint32(store.connectionCount() + 1);
        scope.req = quint32(store.exchangeCount() + 1);
        addEvent(noAddress, quint64(store.events().size() + 1), 9000, "pool.open", scope,
                 Direction::None,
                 fields({{"origin", QStringLiteral("https://example.test:8443")}}));
        store.append(noAddress);
        const QRegularExpression style(QStringLiteral("^#\\d+ [^/ ]+:\\d+$"));
        for (int i = 1; i < connCombo->count(); ++i)
            QVERIFY2(style.match(connCombo->itemText(i)).hasMatch(),
                     qPrintable(connCombo->itemText(i)));
        QCOMPARE(connCombo->itemText(connCombo->count() - 1),
                 QStringLiteral("#%1 example.test:8443").arg(scope.conn));

        // Clearing the store empties the log and the connection list.
        store.clear();
        QCOMPARE(panel.model()->rowCount(), 0);
        QCOMPARE(connCombo->count(), 1);
        QTRY_VERIFY(panel.emptyText().startsWith(QStringLiteral("No events yet")));
    }
};

QTEST_MAIN(TestTraceLogModel)
#include "tst_tracelogmodel.moc"
