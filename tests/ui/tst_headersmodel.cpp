// HeadersModel: the header blocks of one exchange as the tour trace recorded them (an h2c
// upgrade: HTTP/1.1 request, 101, HTTP/2 response; an HTTP/2 stream with pseudo-headers), wire
// order, the exact HTTP/1.1 wire text, "Name: value" copies, hand-made interim and trailer
// blocks, and live growth in any batch size under QAbstractItemModelTester.

#include "models/headersmodel.h"
#include "session/sessionstore.h"

#include "tracefixture.h"

#include <QAbstractItemModelTester>
#include <QCborArray>
#include <QSignalSpy>
#include <QtTest>

using namespace hopscope;
using hopscope::testing::fields;
using hopscope::testing::makeEvent;

namespace {

using Kind = HeadersModel::BlockKind;
using Row = HeadersModel::RowKind;

QCborArray headerList(std::initializer_list<std::pair<const char *, const char *>> list)
{
    QCborArray out;
    for (const auto &[name, value] : list)
        out.append(QCborArray{QString::fromLatin1(name), QString::fromUtf8(value)});
    return out;
}

void appendInBatches(SessionStore &store, const TraceBatch &events, int batchSize)
{
    for (int i = 0; i < events.size(); i += batchSize)
        store.append(events.mid(i, batchSize));
}

QStringList childNames(const QAbstractItemModel &model, const QModelIndex &parent)
{
    QStringList out;
    for (int i = 0; i < model.rowCount(parent); ++i)
        out.append(model.index(i, 0, parent).data().toString());
    return out;
}

QString valueOf(const QAbstractItemModel &model, const QModelIndex &parent, int row)
{
    return model.index(row, HeadersModel::ValueColumn, parent).data().toString();
}

} // namespace

class TestHeadersModel : public QObject
{
    Q_OBJECT

private slots:
    void h2cUpgradeShowsAllThreeBlocks_data();
    void h2cUpgradeShowsAllThreeBlocks();
    void http2StreamPseudoHeadersFirst();
    void http1WireText();
    void http2BlockText();
    void copiesSelectedRowsAsNameValueLines();
    void interimAndTrailers();
    void liveUpdatesInsertBlocks();
    void emptyAndUnknownExchange();
    void storeResetClears();
};

void TestHeadersModel::h2cUpgradeShowsAllThreeBlocks_data()
{
    QTest::addColumn<int>("batchSize");
    QTest::newRow("one batch") << 100000;
    QTest::newRow("one event a batch") << 1;
    QTest::newRow("seven a batch") << 7;
}

void TestHeadersModel::h2cUpgradeShowsAllThreeBlocks()
{
    QFETCH(int, batchSize);
    SessionStore store;
    HeadersModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setExchange(1); // before any event: it fills in as the trace arrives
    appendInBatches(store, testing::loadJsonLines(testing::tourTracePath()), batchSize);
    if (QTest::currentTestFailed())
        return;

    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.blockKind(0), Kind::Request);
    QCOMPARE(model.blockKind(1), Kind::Interim);
    QCOMPARE(model.blockKind(2), Kind::Response);
    QCOMPARE(model.blockTitle(0), QStringLiteral("HTTP/1.1 request (conn #1)"));
    QCOMPARE(model.blockTitle(1),
             QStringLiteral("101 Switching Protocols (HTTP/1.1 interim response, conn #1)"));
    QCOMPARE(model.blockTitle(2), QStringLiteral("HTTP/2 response, stream 1 (conn #1)"));
    QCOMPARE(valueOf(model, {}, 0), QStringLiteral("GET /headers HTTP/1.1"));
    QCOMPARE(valueOf(model, {}, 1), QStringLiteral("HTTP/1.1 101 Switching Protocols"));
    QCOMPARE(valueOf(model, {}, 2), QStringLiteral("HTTP/2 200"));
    QCOMPARE(model.index(0, 0).data().toString(), model.blockTitle(0));

    // The HTTP/1.1 request: wire order and case, no pseudo group.
    const QModelIndex request = model.index(0, 0);
    QCOMPARE(childNames(model, request), (QStringList{"Host", "User-Agent", "Accept", "Connection",
                                                      "Upgrade", "HTTP2-Settings"}));
    QCOMPARE(valueOf(model, request, 4), QStringLiteral("h2c"));
    QCOMPARE(valueOf(model, request, 5),
             QStringLiteral("AAIAAAAAAAQCAAAAAAMAAABkAAUAAEAAAAYABLAA"));
    QCOMPARE(model.index(0, 0, request).data(HeadersModel::RowKindRole).toInt(), int(Row::Field));

    const QModelIndex interim = model.index(1, 0);
    QCOMPARE(childNames(model, interim), (QStringList{"Connection", "Upgrade"}));

    // The HTTP/2 response: :status in the pseudo group, first; the rest in wire order.
    const QModelIndex response = model.index(2, 0);
    QCOMPARE(childNames(model, response),
             (QStringList{"Pseudo-headers", "date", "server", "content-type", "content-length"}));
    const QModelIndex pseudo = model.index(0, 0, response);
    QCOMPARE(pseudo.data(HeadersModel::RowKindRole).toInt(), int(Row::PseudoGroup));
    QCOMPARE(model.rowCount(pseudo), 1);
    QCOMPARE(model.index(0, 0, pseudo).data().toString(), QStringLiteral(":status"));
    QCOMPARE(valueOf(model, pseudo, 0), QStringLiteral("200"));
    QCOMPARE(model.index(0, 0, pseudo).data(HeadersModel::RowKindRole).toInt(),
             int(Row::PseudoField));
    QCOMPARE(model.index(0, 0, pseudo).parent(), pseudo);
    QCOMPARE(pseudo.parent(), response);
    QVERIFY(model.index(0, 0, pseudo).data(Qt::ForegroundRole).isValid()); // set apart
    QVERIFY(!model.index(1, 0, response).data(Qt::ForegroundRole).isValid());
}

void TestHeadersModel::http2StreamPseudoHeadersFirst()
{
    SessionStore store;
    store.append(testing::loadJsonLines(testing::tourTracePath()));
    HeadersModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setExchange(2);

    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.blockTitle(0), QStringLiteral("HTTP/2 request, stream 3 (conn #1)"));
    QCOMPARE(model.firstLine(0), QStringLiteral("GET /delay/300 HTTP/2"));
    QCOMPARE(model.firstLine(1), QStringLiteral("HTTP/2 200"));

    const QModelIndex request = model.index(0, 0);
    QCOMPARE(childNames(model, request), (QStringList{"Pseudo-headers", "user-agent", "accept"}));
    const QModelIndex pseudo = model.index(0, 0, request);
    QCOMPARE(childNames(model, pseudo), (QStringList{":method", ":scheme", ":authority", ":path"}));
    QCOMPARE(valueOf(model, pseudo, 0), QStringLiteral("GET"));
    QCOMPARE(valueOf(model, pseudo, 3), QStringLiteral("/delay/300"));
    QCOMPARE(valueOf(model, request, 1), QStringLiteral("hopscope/0.1.0"));
    QCOMPARE(model.index(1, 0, request).data(HeadersModel::NameRole).toString(),
             QStringLiteral("user-agent"));
    QCOMPARE(model.index(2, 0, request).data(HeadersModel::ValueRole).toString(),
             QStringLiteral("*/*"));
    QCOMPARE(model.index(1, 0, request).data(HeadersModel::BlockKindRole).toInt(),
             int(Kind::Request));
    QCOMPARE(model.firstBlock(Kind::Response).row(), 1);
    QVERIFY(!model.firstBlock(Kind::Trailers).isValid());
}

void TestHeadersModel::http1WireText()
{
    SessionStore store;
    store.append(testing::loadJsonLines(testing::tourTracePath()));
    HeadersModel model(&store);
    model.setExchange(1);
    QCOMPARE(model.blockText(0),
             QStringLiteral("GET /headers HTTP/1.1\r\n"
                            "Host: 127.0.0.1:38253\r\n"
                            "User-Agent: hopscope/0.1.0\r\n"
                            "Accept: */*\r\n"
                            "Connection: Upgrade, HTTP2-Settings\r\n"
                            "Upgrade: h2c\r\n"
                            "HTTP2-Settings: AAIAAAAAAAQCAAAAAAMAAABkAAUAAEAAAAYABLAA\r\n"
                            "\r\n"));
    QCOMPARE(model.blockText(1), QStringLiteral("HTTP/1.1 101 Switching Protocols\r\n"
                                                "Connection: Upgrade\r\n"
                                                "Upgrade: h2c\r\n"
                                                "\r\n"));
    QCOMPARE(model.index(1, 0).data(HeadersModel::BlockTextRole).toString(), model.blockText(1));
}

void TestHeadersModel::http2BlockText()
{
    SessionStore store;
    store.append(testing::loadJsonLines(testing::tourTracePath()));
    HeadersModel model(&store);
    model.setExchange(2);
    QCOMPARE(model.blockText(0), QStringLiteral(":method: GET\n"
                                                ":scheme: http\n"
                                                ":authority: 127.0.0.1:38253\n"
                                                ":path: /delay/300\n"
                                                "user-agent: hopscope/0.1.0\n"
                                                "accept: */*\n"));
}

void TestHeadersModel::copiesSelectedRowsAsNameValueLines()
{
    SessionStore store;
    store.append(testing::loadJsonLines(testing::tourTracePath()));
    HeadersModel model(&store);
    model.setExchange(2);
    const QModelIndex request = model.index(0, 0);
    const QModelIndex pseudo = model.index(0, 0, request);
    const QModelIndex response = model.index(1, 0);

    // Out of order and with both columns of a row: tree order, each row once.
    const QModelIndexList picked{model.index(2, 1, request), model.index(0, 0, pseudo),
                                 model.index(0, 1, pseudo), model.index(2, 0, request),
                                 model.index(3, 0, response)};
    QCOMPARE(model.textForRows(picked), QStringLiteral(":method: GET\n"
                                                       "accept: */*\n"
                                                       "content-type: text/plain; charset=utf-8"));
    // The pseudo group copies its fields; a block its first line and all its fields.
    QCOMPARE(model.textForRows({pseudo}),
             QStringLiteral(":method: GET\n:scheme: http\n:authority: 127.0.0.1:38253\n"
                            ":path: /delay/300"));
    QCOMPARE(model.textForRows({response}),
             QStringLiteral("HTTP/2 200\n"
                            ":status: 200\n"
                            "date: Wed, 25 Nov 2026 06:33:19 GMT\n"
                            "server: hopscope-demo/0.1.0\n"
                            "content-type: text/plain; charset=utf-8\n"
                            "content-length: 22"));
    QCOMPARE(model.textForRows({}), QString());
}

void TestHeadersModel::interimAndTrailers()
{
    // HTTP/1.1: 100 Continue, 200 with chunked trailers; then HTTP/2 with a 103 and trailers.
    TraceBatch events;
    quint64 seq = 0;
    auto add = [&](double ms, const char *type, quint32 conn, quint32 req, qint32 stream,
                   Direction dir, QCborMap f) {
        events.append(makeEvent(++seq, ms, type, {conn, req, stream}, dir, std::move(f)));
    };
    add(0, "request.start", 0, 1, -1, Direction::None,
        fields({{"method", "POST"}, {"url", "http://h/upload"}}));
    add(1, "h1.request", 1, 1, -1, Direction::Out,
        fields({{"method", "POST"},
                {"target", "/upload"},
                {"version", "HTTP/1.1"},
                {"headers", headerList({{"Host", "h"}, {"Expect", "100-continue"}})}}));
    add(2, "h1.response", 1, 1, -1, Direction::In,
        fields({{"status", 100},
                {"reason", "Continue"},
                {"version", "HTTP/1.1"},
                {"headers", QCborArray()}}));
    add(3, "h1.response", 1, 1, -1, Direction::In,
        fields(
            {{"status", 200},
             {"reason", ""},
             {"version", "HTTP/1.1"},
             {"headers", headerList({{"Transfer-Encoding", "chunked"}, {"Trailer", "X-Sum"}})}}));
    add(4, "h1.trailers", 1, 1, -1, Direction::In,
        fields({{"headers", headerList({{"X-Sum", "abc"}})}}));
    add(5, "request.start", 0, 2, -1, Direction::None,
        fields({{"method", "GET"}, {"url", "https://h/x"}}));
    add(6, "h2.headers", 2, 2, 1, Direction::Out,
        fields(
            {{"headers", headerList({{":method", "GET"}, {":path", "/x"}})}, {"kind", "request"}}));
    add(7, "h2.headers", 2, 2, 1, Direction::In,
        fields({{"headers", headerList({{":status", "103"}, {"link", "</a.css>"}})},
                {"kind", "interim"}}));
    add(8, "h2.headers", 2, 2, 1, Direction::In,
        fields({{"headers", headerList({{":status", "200"}})}, {"kind", "response"}}));
    add(9, "h2.headers", 2, 2, 1, Direction::In,
        fields({{"headers", headerList({{"grpc-status", "0"}})}, {"kind", "trailers"}}));

    SessionStore store;
    store.append(events);
    HeadersModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setExchange(1);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.blockKind(1), Kind::Interim);
    QCOMPARE(model.blockTitle(1),
             QStringLiteral("100 Continue (HTTP/1.1 interim response, conn #1)"));
    QCOMPARE(model.rowCount(model.index(1, 0)), 0);
    QCOMPARE(model.blockKind(2), Kind::Response);
    QCOMPARE(model.firstLine(2), QStringLiteral("HTTP/1.1 200")); // no reason phrase: none shown
    QCOMPARE(model.blockKind(3), Kind::Trailers);
    QCOMPARE(model.blockTitle(3), QStringLiteral("HTTP/1.1 trailers (conn #1)"));
    QCOMPARE(model.blockText(3), QStringLiteral("X-Sum: abc\r\n\r\n"));

    model.setExchange(2);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.blockKind(1), Kind::Interim);
    QCOMPARE(model.blockTitle(1),
             QStringLiteral("103 Early Hints (HTTP/2 interim response, stream 1, conn #2)"));
    QCOMPARE(model.blockKind(3), Kind::Trailers);
    QCOMPARE(model.blockTitle(3), QStringLiteral("HTTP/2 trailers, stream 1 (conn #2)"));
    QCOMPARE(childNames(model, model.index(3, 0)), QStringList{"grpc-status"});
}

void TestHeadersModel::liveUpdatesInsertBlocks()
{
    const TraceBatch events = testing::loadJsonLines(testing::tourTracePath());
    SessionStore store;
    HeadersModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setExchange(2);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    // Up to seq 30 the request of req 2 went out; its response arrives at seq 46.
    store.append(events.mid(0, 30));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(inserted.size(), 1);
    store.append(events.mid(30, 10)); // events of other requests only
    QCOMPARE(inserted.size(), 1);
    store.append(events.mid(40));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(inserted.last().at(1).toInt(), 1);
    QCOMPARE(resets.size(), 0);
}

void TestHeadersModel::emptyAndUnknownExchange()
{
    SessionStore store;
    store.append(testing::loadJsonLines(testing::tourTracePath()));
    HeadersModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setExchange(0);
    QCOMPARE(model.rowCount(), 0);
    model.setExchange(999);
    QCOMPARE(model.rowCount(), 0);
    model.setExchange(7); // raw tunnel: HTTP/1.1 request and the 101
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.blockKind(1), Kind::Interim);
    QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), QStringLiteral("Name"));
    QCOMPARE(model.headerData(1, Qt::Horizontal).toString(), QStringLiteral("Value"));
}

void TestHeadersModel::storeResetClears()
{
    SessionStore store;
    store.append(testing::loadJsonLines(testing::tourTracePath()));
    HeadersModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setExchange(1);
    QCOMPARE(model.rowCount(), 3);
    store.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.exchange(), 0u);
}

QTEST_MAIN(TestHeadersModel)
#include "tst_headersmodel.moc"
