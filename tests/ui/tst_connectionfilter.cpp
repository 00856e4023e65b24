// The connection tree's filter: the parser of `status:404 path:/x proto:h2c conn:3 method:POST
// req:12` plus plain text (ConnectionFilter), and the proxy that applies it to the tree
// (ConnectionFilterProxy, under QAbstractItemModelTester), on the demo tour and a connection
// with 1,500 requests, where "404" must not mean req 404 or req 1404.

#include "models/connectionfilter.h"
#include "models/connectionfilterproxy.h"
#include "models/connectiontreemodel.h"
#include "session/sessionstore.h"
#include "widgets/connectionspanel.h"

#include "connectiontreetraces.h"

#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTreeView>
#include <QtTest>

using namespace hopscope;
using namespace hopscope::testing::tree;
using hopscope::testing::fields;

namespace {

constexpr quint32 kTourRequests = 7;
constexpr quint32 kManyRequests = 1500; // reqs 8 … 1507 on connection #6
constexpr quint32 kNotFound = 20;       // the one of them answered 404

// Connection #6: HTTP/1.1 keep-alive, 1,500 GETs of /n, all 200 but req 20 (404).
TraceBatch manyRequestsTrace(quint64 seqBase)
{
    TraceBatch out;
    quint64 seq = seqBase;
    auto add = [&](double ms, const char *type, quint32 conn, quint32 req, QCborMap f) {
        EventScope scope;
        scope.conn = conn;
        scope.req = req;
        hopscope::testing::addEvent(out, ++seq, ms, type, scope, Direction::None, f);
    };
    const double t0 = 5000;
    add(t0, "pool.open", 6, kTourRequests + 1, fields({{"origin", "http://127.0.0.1:8080"}}));
    add(t0 + 0.1, "connect", 6, kTourRequests + 1,
        fields({{"host", "127.0.0.1"}, {"port", 8080}, {"address", "127.0.0.1"}, {"ms", 0.1}}));
    for (quint32 i = 0; i < kManyRequests; ++i) {
        const quint32 req = kTourRequests + 1 + i;
        const double t = t0 + 1 + i;
        const int status = req == kNotFound ? 404 : 200;
        add(t, "request.start", 0, req,
            fields({{"method", "GET"}, {"url", "http://127.0.0.1:8080/n"}}));
        add(t + 0.1, "h1.request", 6, req, fields({{"method", "GET"}}));
        add(t + 0.5, "h1.response", 6, req, fields({{"status", status}}));
        add(t + 0.6, "response.complete", 6, req,
            fields({{"status", status}, {"bytes", 10}, {"protocol", "http/1.1"}}));
    }
    return out;
}

// The requests of every exchange row the proxy shows (under connections and pages), sorted.
void collectRequests(const QAbstractItemModel &model, const QModelIndex &parent,
                     QList<quint32> *out)
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        if (const quint32 req = index.data(ConnectionTreeModel::ReqRole).toUInt())
            out->append(req);
        collectRequests(model, index, out);
    }
}

QList<quint32> shownRequests(const QAbstractItemModel &model)
{
    QList<quint32> out;
    collectRequests(model, {}, &out);
    std::sort(out.begin(), out.end());
    return out;
}

QList<quint32> range(quint32 first, quint32 last)
{
    QList<quint32> out;
    for (quint32 r = first; r <= last; ++r)
        out.append(r);
    return out;
}

} // namespace

class TestConnectionFilter : public QObject
{
    Q_OBJECT

private:
    TraceBatch m_tour;

private slots:
    void initTestCase()
    {
        m_tour = hopscope::testing::loadJsonLines(hopscope::testing::tourTracePath());
        QVERIFY(m_tour.size() > 100);
    }

    void parse_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QStringList>("terms"); // "field=value"
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("error");
        QTest::addRow("plain") << "delay" << QStringList{} << "delay" << false;
        QTest::addRow("status") << "status:404" << QStringList{"status=404"} << "" << false;
        QTest::addRow("status class") << "Status:4xx" << QStringList{"status=4xx"} << "" << false;
        QTest::addRow("all fields and text")
            << "GET status:200 path:/x proto:h2c conn:3 method:POST req:12 slow"
            << QStringList{"status=200", "path=/x", "proto=h2c", "conn=3", "method=POST", "req=12"}
            << "GET slow" << false;
        QTest::addRow("conn with #") << "conn:#3" << QStringList{"conn=#3"} << "" << false;
        QTest::addRow("a URL is text")
            << "http://127.0.0.1:8080/x" << QStringList{} << "http://127.0.0.1:8080/x" << false;
        QTest::addRow("unknown field is text") << "foo:bar" << QStringList{} << "foo:bar" << false;
        QTest::addRow("bad status") << "status:abc" << QStringList{} << "" << true;
        QTest::addRow("status out of range") << "status:999" << QStringList{} << "" << true;
        QTest::addRow("bad conn") << "conn:x" << QStringList{} << "" << true;
        QTest::addRow("conn 0") << "conn:0" << QStringList{} << "" << true;
        QTest::addRow("empty value") << "path:" << QStringList{} << "" << true;
        QTest::addRow("spaces") << "  status:404   delay  " << QStringList{"status=404"} << "delay"
                                << false;
    }
    void parse()
    {
        QFETCH(QString, input);
        QFETCH(QStringList, terms);
        QFETCH(QString, text);
        QFETCH(bool, error);
        const ConnectionFilter f = ConnectionFilter::parse(input);
        QStringList got;
        for (const ConnectionFilter::Term &t : f.terms)
            got << ConnectionFilter::fieldNames().at(int(t.field)) + QLatin1Char('=') + t.value;
        QCOMPARE(got, terms);
        QCOMPARE(f.text, text);
        QCOMPARE(!f.error.isEmpty(), error);
        if (error)
            QVERIFY2(f.error.contains(input.trimmed().section(QLatin1Char(' '), 0, 0)),
                     qPrintable(f.error)); // names the term
    }

    void proxy_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QList<quint32>>("requests");
        QTest::addColumn<QList<quint32>>("connections"); // top-level rows
        const QList<quint32> many = range(kTourRequests + 1, kTourRequests + kManyRequests);
        QList<quint32> all = range(1, kTourRequests);
        all += many;
        QTest::addRow("nothing") << "" << all << QList<quint32>{1, 2, 3, 4, 5, 6};
        // A number is a whole number, never the row's own request number: status 404 only.
        QTest::addRow("404 is the status")
            << "404" << QList<quint32>{kNotFound} << QList<quint32>{6};
        QTest::addRow("status:404")
            << "status:404" << QList<quint32>{kNotFound} << QList<quint32>{6};
        QTest::addRow("req:404") << "req:404" << QList<quint32>{404} << QList<quint32>{6};
        QTest::addRow("req:1404") << "req:1404" << QList<quint32>{1404} << QList<quint32>{6};
        QTest::addRow("status:4xx")
            << "status:4xx" << QList<quint32>{kNotFound} << QList<quint32>{6};
        QTest::addRow("proto:h2c") << "proto:h2c" << QList<quint32>{1, 2, 3} << QList<quint32>{1};
        QTest::addRow("proto:h2") << "proto:h2" << QList<quint32>{5} << QList<quint32>{3};
        QTest::addRow("proto:ws") << "proto:ws" << QList<quint32>{6} << QList<quint32>{4};
        QTest::addRow("conn:3 shows its exchanges")
            << "conn:3" << QList<quint32>{5} << QList<quint32>{3};
        QTest::addRow("conn:2 or conn:3")
            << "conn:2 conn:3" << QList<quint32>{4, 5} << QList<quint32>{2, 3};
        QTest::addRow("path:/delay") << "path:/delay" << QList<quint32>{2} << QList<quint32>{1};
        QTest::addRow("path and status")
            << "path:/ status:200 conn:1" << QList<quint32>{1, 2, 3} << QList<quint32>{1};
        QTest::addRow("method:post") << "method:post" << QList<quint32>{} << QList<quint32>{};
        QTest::addRow("field and text")
            << "proto:h2c stream" << QList<quint32>{3} << QList<quint32>{1};
        QTest::addRow("text as before") << "websocket" << QList<quint32>{6} << QList<quint32>{4};
        QTest::addRow("bad term shows nothing")
            << "status:abc" << QList<quint32>{} << QList<quint32>{};
    }
    void proxy()
    {
        QFETCH(QString, filter);
        QFETCH(QList<quint32>, requests);
        QFETCH(QList<quint32>, connections);
        SessionStore store;
        ConnectionTreeModel tree(&store);
        ConnectionFilterProxy proxy;
        proxy.setTreeModel(&tree);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        store.append(m_tour);
        // Filtering before and while rows arrive: the proxy follows the tree.
        proxy.setFilterQuery(filter);
        store.append(manyRequestsTrace(quint64(m_tour.size())));
        QCOMPARE(shownRequests(proxy), requests);
        QList<quint32> conns;
        for (int row = 0; row < proxy.rowCount(); ++row)
            conns << proxy.index(row, 0).data(ConnectionTreeModel::ConnIdRole).toUInt();
        QCOMPARE(conns, connections);
        // And back to everything.
        proxy.setFilterQuery(QString());
        QCOMPARE(proxy.rowCount(), tree.rowCount());
    }

    // The panel: the syntax is in the placeholder and the tooltip; a term that cannot hold says
    // why in the tooltip.
    void panelExplainsTheSyntax()
    {
        SessionStore store;
        ConnectionsPanel panel(&store);
        store.append(m_tour);
        for (const QString &field : ConnectionFilter::fieldNames()) {
            if (field != QLatin1String("req"))
                QVERIFY2(panel.filterEdit()->placeholderText().contains(field + QLatin1Char(':')),
                         qPrintable(field));
            QVERIFY2(panel.filterEdit()->toolTip().contains(field + QLatin1Char(':')),
                     qPrintable(field));
        }
        panel.setFilterText(QStringLiteral("status:abc"));
        QCOMPARE(panel.proxyModel()->rowCount(), 0);
        QVERIFY(panel.filterEdit()->toolTip().contains(QLatin1String("not a status code")));
        panel.setFilterText(QStringLiteral("status:200"));
        QVERIFY(!panel.filterEdit()->toolTip().contains(QLatin1String("not a status code")));
        QCOMPARE(panel.proxyModel()->rowCount(), 3); // #1, #2, #3; #4 and #5 answered 101
    }

    // Double-clicking a connection row, or an exchange row, asks to zoom the timeline to the
    // connection; the row does not collapse.
    void doubleClickAsksForZoom()
    {
        SessionStore store;
        ConnectionsPanel panel(&store);
        panel.resize(700, 400);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        store.append(m_tour);
        QSignalSpy zoom(&panel, &ConnectionsPanel::connectionZoomRequested);
        QTreeView *view = panel.view();
        const QModelIndex conn3 = panel.proxyModel()->index(2, 0);
        QCOMPARE(conn3.data(ConnectionTreeModel::ConnIdRole).toUInt(), 3u);
        QVERIFY(view->isExpanded(conn3));
        QTRY_VERIFY(view->visualRect(conn3).isValid()); // laid out
        const QPoint p = view->visualRect(conn3).center();
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, p); // as a person does
        QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, p);
        QCOMPARE(zoom.count(), 1);
        QCOMPARE(zoom.at(0).at(0).toUInt(), 3u);
        QVERIFY(view->isExpanded(conn3));
        const QModelIndex req5 = panel.proxyModel()->index(0, 0, conn3);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(req5).center());
        QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(req5).center());
        QCOMPARE(zoom.count(), 2);
        QCOMPARE(zoom.at(1).at(0).toUInt(), 3u);
    }
};

QTEST_MAIN(TestConnectionFilter)
#include "tst_connectionfilter.moc"
