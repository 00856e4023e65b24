// The connections tree's pages: a connection with more exchanges than the page size lists them
// in pages (below, at and above the threshold, a page filling up, pages added), checked by
// QAbstractItemModelTester on the model and on a recursive sort/filter proxy while the batches
// arrive; indexForExchange through pages, retried rows in pages, and the panel (a selected or
// filtered exchange inside a collapsed page shows, a page's exchanges for HAR export).

#include "models/connectiontreemodel.h"
#include "session/sessionstore.h"
#include "widgets/connectionspanel.h"

#include "connectiontreetraces.h"

#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QtTest>

using namespace hopscope;
using namespace hopscope::testing::tree;

namespace {

constexpr int kPage = 4; // small pages: the same code paths as 1,000

// Prior-knowledge h2c on connection 1 carrying requests 1..n on streams 1, 3, 5, ...; each
// request completes three requests later (so batches both add rows and change earlier ones),
// request 7 (when there is one) is reset by the server.
TraceBatch manyStreamsTrace(int n)
{
    TraceBuilder b;
    auto complete = [&](int req) {
        const double t = 10.0 + req + 3;
        if (req == 7)
            b.add(t, "request.failed", 1, quint32(req), 2 * req - 1, Direction::None,
                  fields({{"error", "reset"}, {"code", "h2-rst:REFUSED_STREAM"}}));
        else
            b.add(t, "response.complete", 1, quint32(req), 2 * req - 1, Direction::None,
                  fields({{"status", 200}, {"bytes", 64}, {"protocol", "h2"}}));
    };
    connectTo(b, 0.1, 1, 1, "http://127.0.0.1:8080", 8080);
    for (int req = 1; req <= n; ++req) {
        const QByteArray url = "http://127.0.0.1:8080/bytes/" + QByteArray::number(req);
        b.add(10.0 + req, "request.start", 0, quint32(req), -1, Direction::None,
              fields({{"method", "GET"}, {"url", url.constData()}}));
        b.add(10.1 + req, "h2.headers", 1, quint32(req), 2 * req - 1, Direction::Out,
              fields({{"kind", "request"}}));
        if (req > 3)
            complete(req - 3);
    }
    for (int req = std::max(1, n - 2); req <= n; ++req)
        complete(req);
    return b.events();
}

// HTTP/1.1 keep-alive: connection 1 answers requests 1..n-1, then closes before answering n,
// which is retried on connection 2 and answered there.
TraceBatch retryAfterManyTrace(int n)
{
    TraceBuilder b;
    connectTo(b, 0.1, 1, 1, "http://127.0.0.1:8080", 8080);
    for (int req = 1; req <= n; ++req) {
        b.add(1.0 + req, "request.start", 0, quint32(req), -1, Direction::None,
              fields({{"method", "GET"}, {"url", "http://127.0.0.1:8080/r"}}));
        b.add(1.1 + req, "h1.request", 1, quint32(req), -1, Direction::Out,
              fields({{"method", "GET"}}));
        if (req < n)
            b.add(1.2 + req, "response.complete", 1, quint32(req), -1, Direction::None,
                  fields({{"status", 200}, {"bytes", 10}, {"protocol", "http/1.1"}}));
    }
    const quint32 last = quint32(n);
    b.add(100.0, "pool.retry", 1, last, -1, Direction::None, fields({{"reason", "closed"}}))
        .add(100.0, "close", 1, 0, -1, Direction::None, fields({{"reason", "peer closed"}}));
    connectTo(b, 101.0, 2, last, "http://127.0.0.1:8080", 8080);
    b.add(102.0, "h1.request", 2, last, -1, Direction::Out, fields({{"method", "GET"}}))
        .add(103.0, "response.complete", 2, last, -1, Direction::None,
             fields({{"status", 200}, {"bytes", 2048}, {"protocol", "http/1.1"}}));
    return b.events();
}

// Every exchange of a connection row, walking its pages (or its flat rows).
QList<quint32> reqsUnder(const ConnectionTreeModel &model, const QModelIndex &conn)
{
    QList<quint32> out;
    for (int row = 0; row < model.rowCount(conn); ++row) {
        const QModelIndex child = model.index(row, 0, conn);
        if (model.isPage(child)) {
            for (int r = 0; r < model.rowCount(child); ++r)
                out << model.reqAt(model.index(r, 0, child));
        } else {
            out << model.reqAt(child);
        }
    }
    return out;
}

} // namespace

class TestConnectionTreePaging : public QObject
{
    Q_OBJECT

private slots:
    void pagesInAnyBatchSize_data();
    void pagesInAnyBatchSize();
    void pageRows();
    void appendCostsOnlyTheLastPage();
    void retriedRowInAPage();
    void panelRevealsExchangeInPage();
    void panelFilterOpensPagesWithMatches();
    void sortingIsWithinPages();
};

void TestConnectionTreePaging::pagesInAnyBatchSize_data()
{
    QTest::addColumn<int>("exchanges");
    QTest::addColumn<int>("batch");
    QTest::addColumn<QList<int>>("pageRows"); // empty: flat

    for (int batch : {1, 5, 1000}) {
        const QByteArray b = " in batches of " + QByteArray::number(batch);
        QTest::newRow(("3 (below)" + b).constData()) << 3 << batch << QList<int>{};
        QTest::newRow(("4 (at)" + b).constData()) << 4 << batch << QList<int>{};
        QTest::newRow(("5 (above)" + b).constData()) << 5 << batch << QList<int>{4, 1};
        QTest::newRow(("8 (pages full)" + b).constData()) << 8 << batch << QList<int>{4, 4};
        QTest::newRow(("13" + b).constData()) << 13 << batch << QList<int>{4, 4, 4, 1};
    }
}

// Whatever the batches, the tree ends up the same, every exchange where indexForExchange says
// and in order, and the tester (model and proxy) and a following proxy saw consistent signals.
void TestConnectionTreePaging::pagesInAnyBatchSize()
{
    QFETCH(int, exchanges);
    QFETCH(int, batch);
    QFETCH(QList<int>, pageRows);

    SessionStore store;
    ConnectionTreeModel model(&store);
    model.setPageSize(kPage);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSortFilterProxyModel proxy;
    proxy.setRecursiveFilteringEnabled(true);
    proxy.setAutoAcceptChildRows(true);
    proxy.setFilterRole(ConnectionTreeModel::FilterTextRole);
    proxy.setSourceModel(&model);
    QAbstractItemModelTester proxyTester(&proxy,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    SignalFollower follower(&model);
    appendInBatches(store, manyStreamsTrace(exchanges), batch, [&] {
        QVERIFY(follower.agrees(model));
        dump(proxy); // maps every parent, so later batches go through the proxy's mappings
    });

    QCOMPARE(model.rowCount(), 1);
    const QModelIndex conn = model.index(0, 0);
    QList<quint32> expected;
    for (int r = 1; r <= exchanges; ++r)
        expected << quint32(r);
    QCOMPARE(reqsUnder(model, conn), expected);
    if (pageRows.isEmpty()) {
        QCOMPARE(model.rowCount(conn), exchanges);
        QVERIFY(!model.isPage(model.index(0, 0, conn)));
    } else {
        QCOMPARE(model.rowCount(conn), pageRows.size());
        for (int page = 0; page < pageRows.size(); ++page) {
            const QModelIndex p = model.index(page, 0, conn);
            QVERIFY(model.isPage(p));
            QCOMPARE(model.rowCount(p), pageRows.at(page));
            QCOMPARE(model.pageExchanges(p).size(), pageRows.at(page));
        }
    }
    for (quint32 req : expected) {
        const QModelIndex idx = model.indexForExchange(req);
        QVERIFY(idx.isValid());
        QCOMPARE(model.reqAt(idx), req);
        QCOMPARE(model.connectionIdAt(idx), 1u);
        QCOMPARE(idx.data(ConnectionTreeModel::ReqRole).toUInt(), req);
        const int pos = int(req) - 1;
        if (pageRows.isEmpty()) {
            QCOMPARE(idx.parent(), conn);
            QCOMPARE(idx.row(), pos);
        } else {
            QCOMPARE(idx.parent(), model.index(pos / kPage, 0, conn));
            QCOMPARE(idx.row(), pos % kPage);
            QCOMPARE(idx.parent().parent(), conn);
        }
    }
    QVERIFY(follower.agrees(model));
}

// A page row's texts: the requests it holds and how many, the status counts, size and span.
void TestConnectionTreePaging::pageRows()
{
    SessionStore store;
    ConnectionTreeModel model(&store);
    model.setPageSize(kPage);
    store.append(manyStreamsTrace(10));
    const QModelIndex conn = model.index(0, 0);
    QCOMPARE(model.rowCount(conn), 3);
    QCOMPARE(cell(model, conn, 0, ConnectionTreeModel::NameColumn), QStringLiteral("req 1–4 (4)"));
    QCOMPARE(cell(model, conn, 1, ConnectionTreeModel::NameColumn), QStringLiteral("req 5–8 (4)"));
    QCOMPARE(cell(model, conn, 2, ConnectionTreeModel::NameColumn), QStringLiteral("req 9–10 (2)"));
    QCOMPARE(cell(model, conn, 0, ConnectionTreeModel::StatusColumn), QStringLiteral("all 4 done"));
    QCOMPARE(cell(model, conn, 1, ConnectionTreeModel::StatusColumn),
             QStringLiteral("3 done, 1 failed")); // request 7 was reset
    QVERIFY(model.index(1, 0, conn).data(ConnectionTreeModel::IsErrorRole).toBool());
    QVERIFY(!model.index(0, 0, conn).data(ConnectionTreeModel::IsErrorRole).toBool());
    QCOMPARE(cell(model, conn, 0, ConnectionTreeModel::SizeColumn), QStringLiteral("256 B"));
    QCOMPARE(cell(model, conn, 0, ConnectionTreeModel::TimeColumn), QStringLiteral("6.0 ms"));
    QVERIFY(model.index(0, 0, conn).data(ConnectionTreeModel::IsPageRole).toBool());
    QVERIFY(!conn.data(ConnectionTreeModel::IsPageRole).toBool());
    QCOMPARE(model.index(0, 0, conn).data(ConnectionTreeModel::ConnIdRole).toUInt(), 1u);
    QCOMPARE(model.index(0, 0, conn).data(ConnectionTreeModel::ReqRole).toUInt(), 0u);
    QCOMPARE(model.reqAt(model.index(0, 0, conn)), 0u);
    const QString tip = cell(model, conn, 1, 0, Qt::ToolTipRole);
    QVERIFY2(tip.contains(QStringLiteral("Streams 9–15")), qPrintable(tip));
    QVERIFY(model.flags(model.index(0, 0, conn)) & Qt::ItemNeverHasChildren ? false : true);
    QVERIFY(model.flags(model.index(0, 0, model.index(0, 0, conn))) & Qt::ItemNeverHasChildren);
    // The connection row is unchanged: its own size and count.
    QVERIFY(cell(model, {}, 0, 0, Qt::ToolTipRole).contains(QStringLiteral("Requests: 10,")));
    // Running requests show in the growing page.
    const TraceBatch all = manyStreamsTrace(12);
    SessionStore live;
    ConnectionTreeModel liveModel(&live);
    liveModel.setPageSize(kPage);
    live.append(all.mid(0, all.size() - 3)); // the last three have not completed
    const QModelIndex liveConn = liveModel.index(0, 0);
    QCOMPARE(cell(liveModel, liveConn, 2, ConnectionTreeModel::StatusColumn),
             QStringLiteral("1 done, 3 running"));
    QCOMPARE(cell(liveModel, liveConn, 2, ConnectionTreeModel::TimeColumn), QStringLiteral("…"));
    live.append(all.mid(all.size() - 3));
    QCOMPARE(cell(liveModel, liveConn, 2, ConnectionTreeModel::StatusColumn),
             QStringLiteral("all 4 done"));
}

// Past the threshold a batch inserts into the last page or adds pages: never under the
// connection's earlier pages, never a removal from the connection.
void TestConnectionTreePaging::appendCostsOnlyTheLastPage()
{
    SessionStore store;
    ConnectionTreeModel model(&store);
    model.setPageSize(kPage);
    const TraceBatch events = manyStreamsTrace(40);
    // Up to the first events of request 10 (paged by then).
    qsizetype split = 0;
    while (split < events.size() && events.record(split).scope.req != 10)
        ++split;
    store.append(events.mid(0, split));
    QCOMPARE(model.rowCount(model.index(0, 0)), 3);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    appendInBatches(store, events.mid(split), 7);
    QCOMPARE(reset.size(), 0);
    const QModelIndex conn = model.index(0, 0);
    for (const QList<QVariant> &args : removed) { // only requests leaving "Not connected"
        const QModelIndex parent = args.at(0).value<QModelIndex>();
        QVERIFY(model.isUnconnectedGroup(parent) || !parent.isValid());
    }
    for (const QList<QVariant> &args : inserted) {
        const QModelIndex parent = args.at(0).value<QModelIndex>();
        if (!parent.isValid() || model.isUnconnectedGroup(parent))
            continue;         // requests waiting for their stream
        if (parent == conn) { // new pages, after the ones there were
            QVERIFY(args.at(1).toInt() >= 3);
        } else {
            QVERIFY(model.isPage(parent));
            QVERIFY(parent.row() >= 2);
        }
    }
    QCOMPARE(model.rowCount(conn), 10);
    // The growing page's row (its range and count) is repainted with each batch.
    int pageRowChanges = 0;
    for (const QList<QVariant> &args : changed)
        pageRowChanges += args.at(0).value<QModelIndex>().parent() == conn;
    QVERIFY(pageRowChanges >= 6);
}

// Request n is listed on both connections; on #1 it is in the last page and reads "retried on
// #2", its home row (the one indexForExchange gives) is under #2.
void TestConnectionTreePaging::retriedRowInAPage()
{
    SessionStore store;
    ConnectionTreeModel model(&store);
    model.setPageSize(kPage);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    SignalFollower follower(&model);
    appendInBatches(store, retryAfterManyTrace(6), 2, [&] { QVERIFY(follower.agrees(model)); });
    QCOMPARE(model.rowCount(), 2);
    const QModelIndex c1 = model.index(0, 0), c2 = model.index(1, 0);
    QCOMPARE(model.rowCount(c1), 2); // 6 listings: pages of 4 and 2
    const QModelIndex lastPage = model.index(1, 0, c1);
    QCOMPARE(model.rowCount(lastPage), 2);
    QCOMPARE(cell(model, lastPage, 1, ConnectionTreeModel::StatusColumn),
             QStringLiteral("retried on #2"));
    QCOMPARE(cell(model, c1, 1, ConnectionTreeModel::StatusColumn),
             QStringLiteral("1 done, 1 retried elsewhere"));
    QCOMPARE(model.indexForExchange(6), model.index(0, 0, c2));
    QCOMPARE(model.indexForExchange(5), model.index(0, 0, lastPage));
    QCOMPARE(model.pageExchanges(lastPage), (QList<quint32>{5, 6}));
}

// Selecting an exchange inside a collapsed page (from the timeline or the trace log) expands
// the page and selects the row; a page row's exchanges are what "export selection" takes.
void TestConnectionTreePaging::panelRevealsExchangeInPage()
{
    SessionStore store;
    ConnectionsPanel panel(&store);
    panel.model()->setPageSize(kPage);
    QSignalSpy exchangeSpy(&panel, &ConnectionsPanel::exchangeSelected);
    QTreeView *view = panel.view();
    QSortFilterProxyModel *proxy = panel.proxyModel();

    // Selected while the connection is flat, kept when its rows move into the first page.
    const TraceBatch events = manyStreamsTrace(13);
    qsizetype split = 0;
    while (split < events.size() && events.record(split).scope.req != 5)
        ++split;
    store.append(events.mid(0, split));
    QVERIFY(!panel.model()->isPage(panel.model()->index(0, 0, panel.model()->index(0, 0))));
    panel.selectExchange(2);
    appendInBatches(store, events.mid(split), 6);
    QCOMPARE(panel.currentExchange(), 2u);
    const QModelIndex conn = proxy->index(0, 0);
    QVERIFY(view->isExpanded(proxy->index(0, 0, conn)));
    view->collapse(proxy->index(0, 0, conn));
    QVERIFY(view->isExpanded(conn));
    QCOMPARE(proxy->rowCount(conn), 4);
    for (int page = 0; page < 4; ++page)
        QVERIFY(!view->isExpanded(proxy->index(page, 0, conn))); // pages start collapsed

    panel.selectExchange(6);
    QCOMPARE(panel.currentExchange(), 6u);
    QVERIFY(view->isExpanded(proxy->index(1, 0, conn)));
    QVERIFY(!view->isExpanded(proxy->index(0, 0, conn)));
    QCOMPARE(view->currentIndex().parent(), proxy->index(1, 0, conn));
    QCOMPARE(exchangeSpy.size(), 0);
    QVERIFY(panel.currentPageExchanges().isEmpty());

    // Keyboard: Down from the last row of the page goes to the next page row.
    panel.selectExchange(8);
    QTest::keyClick(view, Qt::Key_Down);
    QVERIFY(panel.model()->isPage(proxy->mapToSource(view->currentIndex())));
    QCOMPARE(panel.currentExchange(), 0u);
    QCOMPARE(panel.currentConnection(), 0u);
    QCOMPARE(panel.currentPageExchanges(), (QList<quint32>{9, 10, 11, 12}));
    QTest::keyClick(view, Qt::Key_Right); // expands it
    QVERIFY(view->isExpanded(view->currentIndex()));

    QCOMPARE(exchangeSpy.size(), 0); // a page row is not an exchange (nor the connection)

    // A batch (here a second connection) keeps the page current, not its connection.
    store.append(shifted(manyStreamsTrace(3), 1, 13, 10000));
    QCOMPARE(panel.currentPageExchanges(), (QList<quint32>{9, 10, 11, 12}));

    // Selecting elsewhere closes the page opened for the previous selection, not the one the
    // user opened.
    panel.selectExchange(13);
    QCOMPARE(panel.currentExchange(), 13u);
    QVERIFY(view->isExpanded(proxy->index(3, 0, conn)));
    QVERIFY(view->isExpanded(proxy->index(2, 0, conn)));
    QVERIFY(!view->isExpanded(proxy->index(1, 0, conn)));
}

void TestConnectionTreePaging::panelFilterOpensPagesWithMatches()
{
    SessionStore store;
    ConnectionsPanel panel(&store);
    panel.model()->setPageSize(kPage);
    store.append(manyStreamsTrace(13));
    QTreeView *view = panel.view();
    QSortFilterProxyModel *proxy = panel.proxyModel();

    panel.setFilterText(QStringLiteral("REFUSED")); // request 7, in the second page
    QCOMPARE(proxy->rowCount(), 1);
    const QModelIndex conn = proxy->index(0, 0);
    QCOMPARE(proxy->rowCount(conn), 1); // only the page with the match
    const QModelIndex page = proxy->index(0, 0, conn);
    QCOMPARE(proxy->rowCount(page), 1);
    QVERIFY(view->isExpanded(page));
    QCOMPARE(proxy->index(0, 0, page).data(ConnectionTreeModel::ReqRole).toUInt(), 7u);

    // "/bytes/1" matches requests 1, 10, 11, 12 and 13: three pages, all open.
    panel.setFilterText(QStringLiteral("/bytes/1"));
    QCOMPARE(proxy->rowCount(conn), 3);
    for (int row = 0; row < 3; ++row)
        QVERIFY(view->isExpanded(proxy->index(row, 0, conn)));
    QCOMPARE(proxy->rowCount(proxy->index(1, 0, conn)), 3);

    // Cleared: pages collapse again, but for the current row's.
    panel.selectExchange(10);
    panel.setFilterText(QString());
    QCOMPARE(proxy->rowCount(conn), 4);
    QCOMPARE(panel.currentExchange(), 10u);
    QVERIFY(view->isExpanded(proxy->index(2, 0, conn)));
    QVERIFY(!view->isExpanded(proxy->index(0, 0, conn)));
    QVERIFY(!view->isExpanded(proxy->index(1, 0, conn)));
}

// A header click sorts the pages of a connection among themselves, and the exchanges within
// each page: a page keeps its exchanges whatever the column.
void TestConnectionTreePaging::sortingIsWithinPages()
{
    SessionStore store;
    ConnectionsPanel panel(&store);
    panel.model()->setPageSize(kPage);
    QSortFilterProxyModel *proxy = panel.proxyModel();
    QAbstractItemModelTester tester(proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const TraceBatch events = manyStreamsTrace(10);
    store.append(events.mid(0, events.size() / 2));
    panel.view()->sortByColumn(ConnectionTreeModel::NameColumn, Qt::DescendingOrder);
    store.append(events.mid(events.size() / 2)); // batches keep arriving, sorted in place
    const QModelIndex conn = proxy->index(0, 0);
    QCOMPARE(proxy->rowCount(conn), 3);
    QCOMPARE(proxy->index(0, 0, conn).data().toString(), QStringLiteral("req 9–10 (2)"));
    QCOMPARE(proxy->index(2, 0, conn).data().toString(), QStringLiteral("req 1–4 (4)"));
    const QModelIndex first = proxy->index(2, 0, conn);
    QStringList names;
    for (int row = 0; row < proxy->rowCount(first); ++row)
        names << proxy->index(row, 0, first).data().toString();
    QCOMPARE(names, (QStringList{"req 4", "req 3", "req 2", "req 1"}));
    panel.selectExchange(2);
    QCOMPARE(panel.currentExchange(), 2u);
    QCOMPARE(panel.view()->currentIndex().parent(), first);
}

QTEST_MAIN(TestConnectionTreePaging)
#include "tst_connectiontreepaging.moc"
