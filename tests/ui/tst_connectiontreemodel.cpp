// The connections-and-streams tree: structure, texts and error styling for hand-made traces of
// each protocol path, incremental updates in any batch size (checked by QAbstractItemModelTester
// throughout), and the panel's selection signals, filter and curl command.

#include "format/durationformat.h"
#include "format/sizeformat.h"
#include "models/connectiontreemodel.h"
#include "models/timelinemodel.h"
#include "session/sessionreplay.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"
#include "widgets/connectionspanel.h"

#include "connectiontreetraces.h"

#include <QAbstractItemModelTester>
#include <QCborArray>
#include <QFont>
#include <QHeaderView>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QtTest>

using namespace hopscope;
using hopscope::testing::fields;
using hopscope::testing::makeEvent;

using namespace hopscope::testing::tree;

class TestConnectionTreeModel : public QObject
{
    Q_OBJECT

private slots:
    void structure_data();
    void structure();
    void tourInAnyBatchSize_data();
    void tourInAnyBatchSize();
    void tourContents();
    void oneInsertionPerBatch();
    void retriedRequestStaysVisible();
    void storeClearResetsModel();
    void formatting();
    void panelSelection();
    void panelFilter();
    void panelSelectionFollowsMoves();
    void copyCommands();
    void proxiedTitles_data();
    void proxiedTitles();
    void copiedCommandsKeepTheRoute();
};

// Rows: "top|name|stream|status|error" with top the top-level row of the parent ("G" for the
// "Not connected" group), in the expected order.
void TestConnectionTreeModel::structure_data()
{
    QTest::addColumn<TraceBatch>("events");
    QTest::addColumn<int>("batchSize");
    QTest::addColumn<QStringList>("titles"); // a substring of each top-level Name, in order
    QTest::addColumn<QStringList>("children");
    QTest::addColumn<QStringList>("errorTops"); // top-level rows drawn as errors

    struct Case
    {
        const char *name;
        TraceBatch events;
        QStringList titles, children, errorTops;
    };
    const QList<Case> cases{
        {"h2c-upgrade",
         h2cUpgradeTrace(),
         {QStringLiteral("#1 127.0.0.1:8080 HTTP/1.1 → h2c at 1.5 ms")},
         {QStringLiteral("0|req 1|1|200 (101 → h2c)|0"), QStringLiteral("0|req 2|3|200|0"),
          QStringLiteral("0|req 3|5|404|0")},
         {}},
        {"tls-advertise-follow",
         tlsFollowTrace(),
         {QStringLiteral("#1 127.0.0.1:8080 HTTP/1.1"),
          QStringLiteral("#2 127.0.0.1:8443 HTTP/1.1 (TLS, advertised h2)"),
          QStringLiteral("#3 127.0.0.1:8443 h2 (TLS, from #2)")},
         {QStringLiteral("0|req 1||200|0"), QStringLiteral("1|req 2||200|0"),
          QStringLiteral("2|req 3|1|200|0")},
         {}},
        {"failed-connect",
         failedConnectTrace(),
         {QStringLiteral("Not connected")},
         {QStringLiteral("G|req 1||connect|1")},
         {QStringLiteral("0")}},
        {"h2-rst",
         h2ResetTrace(),
         {QStringLiteral("#1 127.0.0.1:8080 h2c")},
         {QStringLiteral("0|req 1|1|h2-rst:REFUSED_STREAM|1"), QStringLiteral("0|req 2|3|204|0")},
         {QStringLiteral("0")}},
    };
    for (const Case &c : cases)
        for (int size : {1, 2, 5, 1000})
            QTest::addRow("%s/batch%d", c.name, size)
                << c.events << size << c.titles << c.children << c.errorTops;
}

void TestConnectionTreeModel::structure()
{
    QFETCH(TraceBatch, events);
    QFETCH(int, batchSize);
    QFETCH(QStringList, titles);
    QFETCH(QStringList, children);
    QFETCH(QStringList, errorTops);

    SessionStore store;
    ConnectionTreeModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    appendInBatches(store, events, batchSize);

    QCOMPARE(model.rowCount(), titles.size());
    for (int row = 0; row < titles.size(); ++row) {
        const QModelIndex top = model.index(row, 0);
        QVERIFY2(top.data().toString().contains(titles.at(row)),
                 qPrintable(top.data().toString() + QStringLiteral(" lacks ") + titles.at(row)));
        QVERIFY(!top.data(Qt::DecorationRole).value<QIcon>().isNull());
        const bool error = errorTops.contains(QString::number(row));
        QCOMPARE(top.data(ConnectionTreeModel::IsErrorRole).toBool(), error);
        if (error) {
            QCOMPARE(top.data(Qt::ForegroundRole).value<QColor>(), errorColor());
            QVERIFY(top.data(Qt::FontRole).value<QFont>().bold());
        } else {
            QVERIFY(!top.data(Qt::ForegroundRole).isValid());
        }
    }

    QHash<int, int> seen; // top row -> children checked so far
    for (const QString &spec : children) {
        const QStringList f = spec.split(QLatin1Char('|'));
        const int top = f.at(0) == QLatin1String("G") ? model.rowCount() - 1 : f.at(0).toInt();
        const QModelIndex parent = model.index(top, 0);
        const int row = seen[top]++;
        QVERIFY(row < model.rowCount(parent));
        QCOMPARE(cell(model, parent, row, ConnectionTreeModel::NameColumn), f.at(1));
        QCOMPARE(cell(model, parent, row, ConnectionTreeModel::StreamColumn), f.at(2));
        QCOMPARE(cell(model, parent, row, ConnectionTreeModel::StatusColumn), f.at(3));
        const QModelIndex child = model.index(row, 0, parent);
        QVERIFY(!child.data(Qt::DecorationRole).value<QIcon>().isNull());
        const quint32 req = child.data(ConnectionTreeModel::ReqRole).toUInt();
        QCOMPARE(QStringLiteral("req %1").arg(req), f.at(1).section(QLatin1Char(' '), 0, 1));
        QCOMPARE(model.indexForExchange(req), child);
        if (f.at(4) == QLatin1String("1")) {
            for (int col = 0; col < ConnectionTreeModel::ColumnCount; ++col) {
                const QModelIndex c = model.index(row, col, parent);
                QCOMPARE(c.data(Qt::ForegroundRole).value<QColor>(), errorColor());
                QVERIFY(c.data(Qt::FontRole).value<QFont>().bold());
            }
            const ExchangeInfo *x = store.exchange(req);
            QVERIFY(!x->error.isEmpty());
            QVERIFY(child.data(Qt::ToolTipRole).toString().contains(x->error));
        } else {
            QVERIFY(!child.data(Qt::ForegroundRole).isValid());
        }
    }
    for (auto it = seen.cbegin(); it != seen.cend(); ++it)
        QCOMPARE(model.rowCount(model.index(it.key(), 0)), it.value());
}

void TestConnectionTreeModel::tourInAnyBatchSize_data()
{
    QTest::addColumn<int>("batchSize");
    for (int size : {1, 7, 1000000})
        QTest::addRow("batch%d", size) << size;
}

void TestConnectionTreeModel::tourInAnyBatchSize()
{
    QFETCH(int, batchSize);
    const TraceBatch events = hopscope::testing::loadJsonLines(hopscope::testing::tourTracePath());
    QVERIFY(events.size() > 100);

    // The reference: a store built in one go before the model existed.
    SessionStore reference;
    reference.append(events);
    const ConnectionTreeModel referenceModel(&reference);
    const QStringList expected = dump(referenceModel);
    QVERIFY(expected.size() >= 12);

    SessionStore store;
    ConnectionTreeModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    SignalFollower follower(&model);
    bool sawUnconnected = false;
    appendInBatches(store, events, batchSize, [&] {
        QVERIFY(follower.agrees(model));
        // Rows must follow the store after every batch, not only at the end.
        int rows = 0;
        for (int i = 0; i < store.exchangeCount(); ++i)
            if (store.exchangeAt(i).conn == 0)
                ++rows;
        QCOMPARE(model.rowCount(), store.connectionCount() + (rows ? 1 : 0));
        if (rows) {
            sawUnconnected = true;
            QCOMPARE(model.rowCount(model.index(model.rowCount() - 1, 0)), rows);
        }
        for (int i = 0; i < store.exchangeCount(); ++i) {
            const QModelIndex idx = model.indexForExchange(store.exchangeAt(i).req);
            QVERIFY(idx.isValid());
            QCOMPARE(model.reqAt(idx), store.exchangeAt(i).req);
        }
    });
    QCOMPARE(dump(model), expected);
    if (batchSize == 1) // requests 2 and 3 start before connection 1 takes them
        QVERIFY(sawUnconnected);
}

void TestConnectionTreeModel::tourContents()
{
    SessionStore store;
    ConnectionTreeModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    store.append(hopscope::testing::loadJsonLines(hopscope::testing::tourTracePath()));

    QCOMPARE(model.rowCount(), 5); // every request got a connection: no "Not connected" row
    const QModelIndex c1 = model.index(0, 0);
    QVERIFY(c1.data().toString().startsWith(QStringLiteral("#1 127.0.0.1:")));
    QVERIFY(c1.data().toString().contains(QStringLiteral("HTTP/1.1 → h2c at")));
    QCOMPARE(model.rowCount(c1), 3);
    for (int row = 0; row < 3; ++row) {
        QCOMPARE(model.index(row, 0, c1).data(ConnectionTreeModel::ReqRole).toUInt(),
                 quint32(row + 1));
        QCOMPARE(cell(model, c1, row, ConnectionTreeModel::StreamColumn),
                 QString::number(2 * row + 1));
        QCOMPARE(model.index(row, 0, c1).data(ConnectionTreeModel::ConnIdRole).toUInt(), 1u);
    }
    QCOMPARE(cell(model, c1, 0, ConnectionTreeModel::StatusColumn),
             QStringLiteral("200 (101 → h2c)"));
    QCOMPARE(cell(model, c1, 0, ConnectionTreeModel::PathColumn), QStringLiteral("/headers"));
    QCOMPARE(cell(model, c1, 0, ConnectionTreeModel::MethodColumn), QStringLiteral("GET"));
    QCOMPARE(c1.data(ConnectionTreeModel::ConnIdRole).toUInt(), 1u);
    QCOMPARE(c1.data(ConnectionTreeModel::ReqRole).toUInt(), 0u);
    QCOMPARE(c1.data(ConnectionTreeModel::ProtocolRole).toString(), QStringLiteral("h2c"));
    QCOMPARE(model.index(0, ConnectionTreeModel::StatusColumn).data().toString(),
             QStringLiteral("closed: run finished"));

    const QModelIndex c2 = model.index(1, 0);
    QVERIFY(c2.data().toString().contains(QStringLiteral("(TLS, advertised h2)")));
    QVERIFY(model.index(1, ConnectionTreeModel::StatusColumn)
                .data()
                .toString()
                .contains(QStringLiteral("replaced by HTTP/2 connection 3")));
    const QModelIndex c3 = model.index(2, 0);
    QVERIFY(c3.data().toString().contains(QStringLiteral("h2 (TLS, from #2)")));
    QVERIFY(c3.data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("Followed from #2 (Upgrade: h2)")));
    QCOMPARE(cell(model, c3, 0, ConnectionTreeModel::SizeColumn), QStringLiteral("4.0 KiB"));
    QCOMPARE(model.index(2, ConnectionTreeModel::SizeColumn).data().toString(),
             QStringLiteral("4.0 KiB"));

    const QModelIndex c4 = model.index(3, 0);
    QVERIFY(c4.data().toString().contains(QStringLiteral("HTTP/1.1 → WebSocket at")));
    QCOMPARE(cell(model, c4, 0, ConnectionTreeModel::NameColumn),
             QStringLiteral("req 6 · WebSocket"));
    QCOMPARE(cell(model, c4, 0, ConnectionTreeModel::StatusColumn),
             QStringLiteral("101 → websocket"));
    QCOMPARE(model.index(0, 0, c4).data(ConnectionTreeModel::ProtocolRole).toString(),
             QStringLiteral("websocket"));

    const QModelIndex c5 = model.index(4, 0);
    QCOMPARE(cell(model, c5, 0, ConnectionTreeModel::NameColumn),
             QStringLiteral("req 7 · tunnel (tcp)"));
    QCOMPARE(cell(model, c5, 0, ConnectionTreeModel::StatusColumn), QStringLiteral("101 → tcp"));

    // Time columns: finished rows say how long, with one decimal.
    const QRegularExpression ms(QStringLiteral("^\\d+\\.\\d ms$"));
    QVERIFY(ms.match(model.index(0, ConnectionTreeModel::TimeColumn).data().toString()).hasMatch());
    QVERIFY(ms.match(cell(model, c1, 1, ConnectionTreeModel::TimeColumn)).hasMatch());

    QCOMPARE(model.indexForConnection(3), c3);
    QVERIFY(!model.indexForConnection(6).isValid());
    QVERIFY(!model.indexForExchange(99).isValid());
    QCOMPARE(model.indexForExchange(6), model.index(0, 0, c4));
}

// The whole tour in one batch: one insertion (the connections, their children with them), no
// separate child insertions; a following batch that only changes rows inserts nothing.
void TestConnectionTreeModel::oneInsertionPerBatch()
{
    const TraceBatch events = hopscope::testing::loadJsonLines(hopscope::testing::tourTracePath());
    SessionStore store;
    ConnectionTreeModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    store.append(events.mid(0, events.size() - 3));
    QCOMPARE(inserted.size(), 1);
    QVERIFY(!inserted.first().at(0).value<QModelIndex>().isValid());
    QCOMPARE(inserted.first().at(1).toInt(), 0);
    QCOMPARE(inserted.first().at(2).toInt(), 4);

    // The last events close connections 5, 1 and 3 (rows 4, 0 and 2): one top-level range.
    inserted.clear();
    changed.clear();
    store.append(events.mid(events.size() - 3));
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(changed.size(), 1);
    const QModelIndex from = changed.first().at(0).value<QModelIndex>();
    const QModelIndex to = changed.first().at(1).value<QModelIndex>();
    QVERIFY(!from.parent().isValid());
    QVERIFY(from.row() <= 0 && to.row() >= 2);
    QCOMPARE(to.column(), ConnectionTreeModel::ColumnCount - 1);
}

void TestConnectionTreeModel::retriedRequestStaysVisible()
{
    SessionStore store;
    ConnectionTreeModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    SignalFollower follower(&model);
    appendInBatches(store, retryTrace(), 1, [&] { QVERIFY(follower.agrees(model)); });
    QCOMPARE(model.rowCount(), 2);
    const QModelIndex c1 = model.index(0, 0), c2 = model.index(1, 0);
    QCOMPARE(model.rowCount(c1), 1);
    QCOMPARE(model.rowCount(c2), 1);
    QCOMPARE(cell(model, c1, 0, ConnectionTreeModel::StatusColumn),
             QStringLiteral("retried on #2"));
    QCOMPARE(cell(model, c2, 0, ConnectionTreeModel::StatusColumn), QStringLiteral("200"));
    QCOMPARE(model.indexForExchange(1), model.index(0, 0, c2));
    QCOMPARE(model.index(1, ConnectionTreeModel::SizeColumn).data().toString(),
             QStringLiteral("2.0 KiB"));
    QCOMPARE(model.index(0, ConnectionTreeModel::SizeColumn).data().toString(),
             QStringLiteral("0 B"));
}

void TestConnectionTreeModel::storeClearResetsModel()
{
    SessionStore store;
    ConnectionTreeModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    store.append(h2cUpgradeTrace());
    QCOMPARE(model.rowCount(), 1);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    store.clear();
    QCOMPARE(reset.size(), 1);
    QCOMPARE(model.rowCount(), 0);
    appendInBatches(store, failedConnectTrace(), 1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("Not connected"));
    QVERIFY(model.isUnconnectedGroup(model.index(0, 0)));
    QCOMPARE(model.index(0, ConnectionTreeModel::StatusColumn).data().toString(),
             QStringLiteral("1 failed"));
}

void TestConnectionTreeModel::formatting()
{
    QCOMPARE(formatByteSize(0), QStringLiteral("0 B"));
    QCOMPARE(formatByteSize(1023), QStringLiteral("1023 B"));
    QCOMPARE(formatByteSize(4096), QStringLiteral("4.0 KiB"));
    QCOMPARE(formatByteSize(3 * 1024 * 1024 / 2), QStringLiteral("1.5 MiB"));
    QCOMPARE(formatByteSize(-1), QString());
    QCOMPARE(formatMilliseconds(12.34), QStringLiteral("12.3 ms"));
    QCOMPARE(formatMilliseconds(-1), QString());

    // A running exchange: "…" for status and time, italic.
    SessionStore store;
    ConnectionTreeModel model(&store);
    const TraceBatch events = h2cUpgradeTrace();
    store.append(events.mid(0, 9)); // up to the 101's switch, nothing answered yet
    const QModelIndex c1 = model.index(0, 0);
    QVERIFY(model.rowCount(c1) >= 1);
    QCOMPARE(cell(model, c1, 0, ConnectionTreeModel::TimeColumn), QStringLiteral("…"));
    QCOMPARE(cell(model, c1, 0, ConnectionTreeModel::StatusColumn), QStringLiteral("101 → h2c"));
    QVERIFY(model.index(0, 0, c1).data(Qt::FontRole).value<QFont>().italic());
    QCOMPARE(model.index(0, ConnectionTreeModel::TimeColumn).data().toString(),
             QStringLiteral("…"));
    QCOMPARE(model.index(0, ConnectionTreeModel::StatusColumn).data().toString(),
             QStringLiteral("open"));
}

void TestConnectionTreeModel::panelSelection()
{
    SessionStore store;
    ConnectionsPanel panel(&store);
    QSignalSpy exchangeSpy(&panel, &ConnectionsPanel::exchangeSelected);
    QSignalSpy connectionSpy(&panel, &ConnectionsPanel::connectionSelected);
    appendInBatches(store, hopscope::testing::loadJsonLines(hopscope::testing::tourTracePath()), 7);
    QTreeView *view = panel.view();
    QSortFilterProxyModel *proxy = panel.proxyModel();
    QCOMPARE(proxy->rowCount(), 5);
    for (int row = 0; row < proxy->rowCount(); ++row)
        QVERIFY(view->isExpanded(proxy->index(row, 0))); // new connections open expanded
    // The Name column gives way; the short columns keep their widths (tst_layout checks that
    // Status, Size and Time stay in view at 1024 px).
    QCOMPARE(view->header()->sectionResizeMode(ConnectionTreeModel::NameColumn),
             QHeaderView::Stretch);
    QCOMPARE(view->header()->sectionResizeMode(ConnectionTreeModel::PathColumn),
             QHeaderView::Interactive);
    QCOMPARE(view->header()->sectionResizeMode(ConnectionTreeModel::SizeColumn),
             QHeaderView::Fixed);

    // Programmatic selection: selects and does not echo.
    panel.selectExchange(5);
    QCOMPARE(panel.currentExchange(), 5u);
    QCOMPARE(view->currentIndex().data(ConnectionTreeModel::ReqRole).toUInt(), 5u);
    QVERIFY(view->selectionModel()->isRowSelected(view->currentIndex().row(),
                                                  view->currentIndex().parent()));
    QCOMPARE(exchangeSpy.size(), 0);
    QCOMPARE(connectionSpy.size(), 0);

    // The user moving the current row: one signal with the request.
    const QModelIndex req2 = proxy->mapFromSource(panel.model()->indexForExchange(2));
    view->selectionModel()->setCurrentIndex(req2, QItemSelectionModel::ClearAndSelect |
                                                      QItemSelectionModel::Rows);
    QCOMPARE(exchangeSpy.size(), 1);
    QCOMPARE(exchangeSpy.first().at(0).toUInt(), 2u);

    const QModelIndex conn4 = proxy->mapFromSource(panel.model()->indexForConnection(4));
    view->selectionModel()->setCurrentIndex(conn4, QItemSelectionModel::ClearAndSelect |
                                                       QItemSelectionModel::Rows);
    QCOMPARE(connectionSpy.size(), 1);
    QCOMPARE(connectionSpy.first().at(0).toUInt(), 4u);
    QCOMPARE(panel.currentConnection(), 4u);
    QCOMPARE(exchangeSpy.size(), 1);

    panel.selectExchange(0);
    QVERIFY(!view->selectionModel()->hasSelection());
    QCOMPARE(exchangeSpy.size(), 1);

    // More events keep the selection.
    panel.selectExchange(7);
    store.append(makeEvent(9999, 5000, "close", EventScope{5, 0, -1}, Direction::None,
                           QCborMap{{QStringLiteral("reason"), QStringLiteral("x")}}));
    QCOMPARE(panel.currentExchange(), 7u);
}

void TestConnectionTreeModel::panelFilter()
{
    SessionStore store;
    ConnectionsPanel panel(&store);
    const TraceBatch tour = hopscope::testing::loadJsonLines(hopscope::testing::tourTracePath());
    store.append(tour);
    store.append(shifted(h2ResetTrace(), 5, 7, tour.size())); // requests 8, 9 on connection 6
    QSortFilterProxyModel *proxy = panel.proxyModel();

    panel.filterEdit()->setText(QStringLiteral("websocket"));
    QCOMPARE(proxy->rowCount(), 1); // connection 4 only
    QCOMPARE(proxy->index(0, 0).data(ConnectionTreeModel::ConnIdRole).toUInt(), 4u);
    QCOMPARE(proxy->rowCount(proxy->index(0, 0)), 1);

    panel.setFilterText(QStringLiteral("REFUSED"));
    QCOMPARE(panel.filterEdit()->text(), QStringLiteral("REFUSED"));
    QCOMPARE(proxy->rowCount(), 1);
    const QModelIndex conn = proxy->index(0, 0);
    QCOMPARE(proxy->rowCount(conn), 1); // the failed stream, not its sibling
    QCOMPARE(proxy->index(0, ConnectionTreeModel::StatusColumn, conn).data().toString(),
             QStringLiteral("h2-rst:REFUSED_STREAM"));

    // A filtered-out exchange cannot be selected; clearing the filter brings everything back.
    panel.selectExchange(1);
    QCOMPARE(panel.currentExchange(), 0u);
    QSignalSpy exchangeSpy(&panel, &ConnectionsPanel::exchangeSelected);
    panel.filterEdit()->clear();
    QCOMPARE(proxy->rowCount(), panel.model()->rowCount());
    QCOMPARE(panel.currentExchange(), 1u); // remembered, selected once visible again
    QCOMPARE(exchangeSpy.size(), 0);

    // Filtering the current row away and back is not the user picking another exchange.
    panel.setFilterText(QStringLiteral("delay"));
    QCOMPARE(panel.currentExchange(), 0u);
    panel.setFilterText(QString());
    QCOMPARE(panel.currentExchange(), 1u);
    QCOMPARE(exchangeSpy.size(), 0);
}

// A pending request the user selected moves from "Not connected" to its connection: the
// selection follows it and nothing is emitted (the detail pane keeps showing it).
void TestConnectionTreeModel::panelSelectionFollowsMoves()
{
    SessionStore store;
    ConnectionsPanel panel(&store);
    QSignalSpy exchangeSpy(&panel, &ConnectionsPanel::exchangeSelected);
    const TraceBatch events = h2cUpgradeTrace();
    store.append(events.mid(0, 5)); // requests 2 and 3 wait without a connection
    QCOMPARE(panel.model()->rowCount(), 2);
    QVERIFY(panel.model()->isUnconnectedGroup(panel.model()->index(1, 0)));

    QTreeView *view = panel.view();
    const QModelIndex req3 = panel.proxyModel()->mapFromSource(panel.model()->indexForExchange(3));
    QVERIFY(req3.isValid());
    view->selectionModel()->setCurrentIndex(req3, QItemSelectionModel::ClearAndSelect |
                                                      QItemSelectionModel::Rows);
    QCOMPARE(exchangeSpy.size(), 1);

    appendInBatches(store, events.mid(5), 1);
    QCOMPARE(panel.model()->rowCount(), 1); // the group is gone
    QCOMPARE(panel.currentExchange(), 3u);
    QCOMPARE(view->currentIndex().parent().data(ConnectionTreeModel::ConnIdRole).toUInt(), 1u);
    QCOMPARE(exchangeSpy.size(), 1);

    // The user clearing the selection is respected: new rows do not bring it back.
    view->selectionModel()->setCurrentIndex(QModelIndex(), QItemSelectionModel::Clear);
    store.append(shifted(failedConnectTrace(), 1, 3, events.size()));
    QCOMPARE(panel.currentExchange(), 0u);
}

void TestConnectionTreeModel::copyCommands()
{
    // What the store proves about each exchange (sessionreplay), as the menu copies it.
    const auto curl = [](const SessionStore &store, quint32 req) {
        const std::optional<ReplayRequest> r = replayRequestOf(store, req);
        return r ? copyCommand(*r, CopyTool::Curl) : QString();
    };
    const auto modeOf = [](const SessionStore &store, quint32 req) {
        return replayRequestOf(store, req).value_or(ReplayRequest{}).mode;
    };
    SessionStore tour;
    tour.append(hopscope::testing::loadJsonLines(hopscope::testing::tourTracePath()));
    QCOMPARE(modeOf(tour, 1), ReplayMode::H2cUpgrade);
    const QString req1 = curl(tour, 1);
    QVERIFY2(req1.startsWith(QStringLiteral("curl --http2 ")), qPrintable(req1));
    QVERIFY(req1.endsWith(QStringLiteral("/headers")));
    QVERIFY(!req1.contains(QStringLiteral("HTTP2-Settings")));
    QVERIFY(!req1.contains(QStringLiteral("Host:")));

    QCOMPARE(modeOf(tour, 4), ReplayMode::TlsHttp1);
    const QString req4 = curl(tour, 4);
    QVERIFY2(req4.contains(QStringLiteral("--http1.1")), qPrintable(req4));
    QVERIFY(req4.endsWith(QStringLiteral("https://127.0.0.1:44833/status/200")));
    QCOMPARE(modeOf(tour, 5), ReplayMode::TlsH2); // followed Upgrade: h2
    QVERIFY(curl(tour, 5).contains(QStringLiteral("--http2 ")));

    QCOMPARE(modeOf(tour, 6), ReplayMode::WebSocket);
    const QString ws = curl(tour, 6);
    QVERIFY2(ws.contains(QStringLiteral("-H 'Upgrade: websocket'")), qPrintable(ws));
    QVERIFY(ws.contains(QStringLiteral("-H 'Sec-WebSocket-Version: 13'")));
    QVERIFY(ws.contains(QStringLiteral("--include")));
    const std::optional<ReplayRequest> ws6 = replayRequestOf(tour, 6);
    QVERIFY(ws6);
    QVERIFY2(copyCommand(*ws6, CopyTool::HopscopeCli)
                 .endsWith(QStringLiteral("ws://127.0.0.1:38253/ws")),
             qPrintable(copyCommand(*ws6, CopyTool::HopscopeCli)));

    SessionStore h2;
    h2.append(h2ResetTrace());
    QCOMPARE(modeOf(h2, 1), ReplayMode::H2cPrior);
    QCOMPARE(curl(h2, 1),
             QStringLiteral("curl --http2-prior-knowledge http://127.0.0.1:8080/slow"));

    SessionStore up;
    up.append(h2cUpgradeTrace());
    // A quote in a header is escaped for the shell; the upgrade headers are curl's job; the
    // defaults this head went without are left out of curl's too.
    QCOMPARE(curl(up, 1), QStringLiteral("curl --http2 -H 'X-Trace: it'\\''s' -H User-Agent: -H "
                                         "Accept: http://127.0.0.1:8080/a"));
    QCOMPARE(curl(up, 3), QStringLiteral("curl --http2 -X POST -H User-Agent: -H Accept: "
                                         "'http://127.0.0.1:8080/c?x=1'"));

    SessionStore follow;
    follow.append(tlsFollowTrace());
    QCOMPARE(modeOf(follow, 1), ReplayMode::Http1);
    QCOMPARE(modeOf(follow, 2), ReplayMode::TlsHttp1);
    QCOMPARE(modeOf(follow, 3), ReplayMode::TlsH2);

    SessionStore failed;
    failed.append(failedConnectTrace());
    QCOMPARE(modeOf(failed, 1), ReplayMode::Unknown);
    QCOMPARE(curl(failed, 1), QStringLiteral("curl http://127.0.0.1:1/"));
    QVERIFY(curl(failed, 2).isEmpty());
}

// Through a proxy the connection's address is the proxy's: the title names the origin and says
// "via" the proxy, from connect.attempt's `proxy` or, in a trace from before that field, from
// the tunnel's proxy.connect or socks.greeting. A --connect-to route without a proxy keeps its
// address.
void TestConnectionTreeModel::proxiedTitles_data()
{
    QTest::addColumn<TraceBatch>("events");
    QTest::addColumn<QString>("title");
    const auto trace = [](const char *origin, QCborMap attempt, const char *handshake = nullptr,
                          QCborMap handshakeFields = {}) {
        TraceBuilder b;
        b.add(0.1, "request.start", 0, 1, -1, Direction::None,
              fields({{"method", "GET"}, {"url", "https://example.org/a"}}));
        b.add(0.2, "pool.open", 1, 1, -1, Direction::None, fields({{"origin", origin}}));
        attempt[QStringLiteral("address")] = QStringLiteral("127.0.0.1");
        attempt[QStringLiteral("port")] = 3128;
        b.add(0.3, "connect.attempt", 1, 1, -1, Direction::None, attempt);
        b.add(0.4, "connect", 1, 1, -1, Direction::None,
              fields({{"address", "127.0.0.1"}, {"port", 3128}, {"ms", 0.1}}));
        if (handshake)
            b.add(0.5, handshake, 1, 1, -1, Direction::Out, handshakeFields);
        b.add(0.6, "h1.request", 1, 1, -1, Direction::Out,
              fields({{"method", "GET"}, {"target", "/a"}, {"version", "HTTP/1.1"}}));
        return b.events();
    };
    QTest::newRow("direct") << trace("http://127.0.0.1:3128", {})
                            << QStringLiteral("#1 127.0.0.1:3128 HTTP/1.1");
    QTest::newRow("forwarding HTTP proxy")
        << trace("http://example.org:80", fields({{"host", "proxy.test"},
                                                  {"via", "proxy http://proxy.test:3128 (from -x)"},
                                                  {"proxy", "http://proxy.test:3128"}}))
        << QStringLiteral("#1 example.org:80 via http://proxy.test:3128 HTTP/1.1");
    QTest::newRow("CONNECT tunnel, trace without connect.attempt's proxy")
        << trace("https://example.org:443", {}, "proxy.connect",
                 fields({{"proxy", "http://proxy.test:3128"}, {"target", "example.org:443"}}))
        << QStringLiteral("#1 example.org:443 via http://proxy.test:3128 HTTP/1.1 (TLS)");
    QTest::newRow("SOCKS5, trace without connect.attempt's proxy")
        << trace("https://example.org:443", {}, "socks.greeting",
                 fields({{"proxy", "socks5h://sock.test:1080"}}))
        << QStringLiteral("#1 example.org:443 via socks5h://sock.test:1080 HTTP/1.1 (TLS)");
    QTest::newRow("--connect-to without a proxy keeps the address")
        << trace("https://example.org:443",
                 fields({{"host", "127.0.0.1"},
                         {"via", "--connect-to example.org:443 → 127.0.0.1:3128"}}))
        << QStringLiteral("#1 127.0.0.1:3128 HTTP/1.1 (TLS)");
}

void TestConnectionTreeModel::proxiedTitles()
{
    QFETCH(TraceBatch, events);
    QFETCH(QString, title);
    SessionStore store;
    ConnectionTreeModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    appendInBatches(store, events, 2);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, ConnectionTreeModel::NameColumn).data().toString(), title);
    QCOMPARE(store.connection(1)->title(), title); // the panel reads the same
    // The timeline's lane header names the connection as the title does.
    TimelineModel timeline(&store);
    QVERIFY(timeline.lane(1));
    QVERIFY2(title.startsWith(QStringLiteral("#1 %1 ").arg(timeline.lane(1)->address)),
             qPrintable(timeline.lane(1)->address));
}

// request.start's `route` (as the engine writes it, passwords redacted) reaches the copied
// command and the spec Re-send and Open in composer get.
void TestConnectionTreeModel::copiedCommandsKeepTheRoute()
{
    TraceBuilder b;
    QCborMap start = fields({{"method", "GET"}, {"url", "https://localhost:37555/headers"}});
    start[QStringLiteral("route")] =
        QCborArray{"-x",           "socks5h://127.0.0.1:18931", "--proxy-user", "alice:[redacted]",
                   "--resolve",    "localhost:37555:127.0.0.1", "-4",           "--keylog",
                   "/tmp/keys.log"};
    b.add(0.1, "request.start", 0, 1, -1, Direction::None, start);
    SessionStore store;
    store.append(b.events());
    const std::optional<ReplayRequest> r = replayRequestOf(store, 1);
    QVERIFY(r);
    QCOMPARE(r->route.size(), 9);
    QCOMPARE(copyCommand(*r, CopyTool::Curl),
             QStringLiteral("# the trace never holds a password: replace [redacted] in "
                            "--proxy-user with it\nSSLKEYLOGFILE=/tmp/keys.log curl -x "
                            "socks5h://127.0.0.1:18931 --proxy-user 'alice:[redacted]' --resolve "
                            "localhost:37555:127.0.0.1 -4 https://localhost:37555/headers"));
    const RequestSpec spec = replaySpec(*r);
    QCOMPARE(spec.route.proxy, QStringLiteral("socks5h://127.0.0.1:18931"));
    QCOMPARE(spec.route.proxyUser, QStringLiteral("alice"));
    QCOMPARE(spec.route.family, IpFamily::V4);
    QCOMPARE(spec.tls.keyLogFile, QStringLiteral("/tmp/keys.log"));

    // A route the engine would not have written (a crafted file) is not copied at all.
    TraceBuilder crafted;
    start[QStringLiteral("route")] = QCborArray{"-x", "http://p.test:3128", "--output", "/tmp/x"};
    crafted.add(0.1, "request.start", 0, 1, -1, Direction::None, start);
    SessionStore bad;
    bad.append(crafted.events());
    QCOMPARE(copyCommand(replayRequestOf(bad, 1).value(), CopyTool::Curl),
             QStringLiteral("curl https://localhost:37555/headers"));
}

QTEST_MAIN(TestConnectionTreeModel)
#include "tst_connectiontreemodel.moc"
