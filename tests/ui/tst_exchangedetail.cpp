// ExchangeDetail over the tour trace: the header line, which tabs each kind of exchange enables
// (Frames for HTTP/2 streams, Session for WebSocket and raw tunnels, TLS for TLS connections),
// the remembered tab, copying headers to the clipboard with Ctrl+C and as wire text, the
// re-emitted session sends;
// and TimingsView's numbers, connection notes and failure display.

#include "models/framesmodel.h"
#include "models/headersmodel.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"
#include "widgets/bodyviewer.h"
#include "widgets/exchangedetail.h"
#include "widgets/sessionpanel.h"
#include "widgets/timingsview.h"

#include "tracefixture.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPainter>
#include <QSignalSpy>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QtTest>

using namespace hopscope;
using hopscope::testing::fields;
using hopscope::testing::makeEvent;

namespace {

void loadTour(SessionStore &store)
{
    store.append(testing::loadJsonLines(testing::tourTracePath()));
}

const TimingsView::Phase *phase(const TimingsView &view, const QString &name)
{
    for (const TimingsView::Phase &p : view.phases())
        if (p.name == name)
            return &p;
    return nullptr;
}

} // namespace

class TestExchangeDetail : public QObject
{
    Q_OBJECT

private slots:
    void headerLine_data();
    void headerLine();
    void tabsByKind_data();
    void tabsByKind();
    void remembersTheUsersTab();
    void ctrlCCopiesNameValueLines();
    void copyAllRequestHeadersIsWireText();
    void reemitsSessionSends();
    void followsLiveUpdates();
    void timingsNumbers();
    void timingsConnectionNotes();
    void timingsFailure();
    void namesElideAtTheEnd();
};

void TestExchangeDetail::headerLine_data()
{
    QTest::addColumn<quint32>("req");
    QTest::addColumn<QString>("text");
    QTest::newRow("h2c stream") << 2u
                                << "req 2 · stream 3 · GET http://127.0.0.1:38253/delay/300 · 200 "
                                   "· h2c · conn #1 · 303.6 ms";
    QTest::newRow("the upgrade request") << 1u
                                         << "req 1 · stream 1 · GET "
                                            "http://127.0.0.1:38253/headers · 200 · HTTP/1.1 → "
                                            "h2c · conn #1 · 2.601 ms";
    QTest::newRow("HTTP/1.1 over TLS") << 4u
                                       << "req 4 · GET https://127.0.0.1:44833/status/200 · 200 · "
                                          "HTTP/1.1 · conn #2 · 7.107 ms";
    QTest::newRow("websocket") << 6u
                               << "req 6 · GET http://127.0.0.1:38253/ws · 101 · HTTP/1.1 → "
                                  "WebSocket · conn #4 · 1.004 s";
}

void TestExchangeDetail::headerLine()
{
    QFETCH(quint32, req);
    QFETCH(QString, text);
    SessionStore store;
    loadTour(store);
    ExchangeDetail detail(&store);
    QCOMPARE(detail.headerText(), QString());
    detail.setExchange(req);
    QCOMPARE(detail.exchange(), req);
    QCOMPARE(detail.headerText(), text);
}

void TestExchangeDetail::tabsByKind_data()
{
    QTest::addColumn<quint32>("req");
    QTest::addColumn<bool>("frames");
    QTest::addColumn<bool>("session");
    QTest::addColumn<bool>("tls");
    QTest::newRow("h2c upgrade (stream 1)") << 1u << true << false << false;
    QTest::newRow("h2c stream 3") << 2u << true << false << false;
    QTest::newRow("HTTP/1.1 over TLS") << 4u << false << false << true;
    QTest::newRow("h2 after Upgrade: h2") << 5u << true << false << true;
    QTest::newRow("websocket") << 6u << false << true << false;
    QTest::newRow("raw tunnel") << 7u << false << true << false;
    QTest::newRow("none") << 0u << false << false << false;
}

void TestExchangeDetail::tabsByKind()
{
    QFETCH(quint32, req);
    QFETCH(bool, frames);
    QFETCH(bool, session);
    QFETCH(bool, tls);
    SessionStore store;
    loadTour(store);
    ExchangeDetail detail(&store);
    detail.setExchange(req);
    QCOMPARE(detail.tabWidget()->count(), 6);
    QCOMPARE(detail.isTabEnabled(ExchangeDetail::TlsTab), tls);
    QVERIFY(detail.isTabEnabled(ExchangeDetail::HeadersTab));
    QVERIFY(detail.isTabEnabled(ExchangeDetail::BodyTab));
    QVERIFY(detail.isTabEnabled(ExchangeDetail::TimingsTab));
    QCOMPARE(detail.isTabEnabled(ExchangeDetail::FramesTab), frames);
    QCOMPARE(detail.isTabEnabled(ExchangeDetail::SessionTab), session);
    QCOMPARE(detail.framesModel()->rowCount() > 0, frames);
    if (!frames)
        QCOMPARE(detail.tabWidget()->tabToolTip(ExchangeDetail::FramesTab),
                 QStringLiteral("Not an HTTP/2 stream"));
    // Every tab shows the same exchange.
    QCOMPARE(detail.headersModel()->exchange(), req);
    QCOMPARE(detail.bodyViewer()->exchange(), req);
    QCOMPARE(detail.framesModel()->exchange(), req);
    QCOMPARE(detail.sessionPanel()->exchange(), req);
    QCOMPARE(detail.timingsView()->exchange(), req);
}

void TestExchangeDetail::remembersTheUsersTab()
{
    SessionStore store;
    loadTour(store);
    ExchangeDetail detail(&store);
    detail.setExchange(2);
    QCOMPARE(detail.currentTab(), ExchangeDetail::HeadersTab);
    detail.tabWidget()->setCurrentIndex(ExchangeDetail::FramesTab); // the user clicks Frames
    detail.setExchange(4); // HTTP/1.1: no frames, back to Headers for now
    QCOMPARE(detail.currentTab(), ExchangeDetail::HeadersTab);
    detail.setExchange(3); // HTTP/2 again: Frames comes back
    QCOMPARE(detail.currentTab(), ExchangeDetail::FramesTab);
    detail.setExchange(6); // WebSocket
    QCOMPARE(detail.currentTab(), ExchangeDetail::HeadersTab);
    detail.tabWidget()->setCurrentIndex(ExchangeDetail::SessionTab);
    detail.setExchange(7); // the raw tunnel has a session too
    QCOMPARE(detail.currentTab(), ExchangeDetail::SessionTab);
    detail.setCurrentTab(ExchangeDetail::TimingsTab);
    detail.setExchange(1);
    QCOMPARE(detail.currentTab(), ExchangeDetail::TimingsTab);
    detail.setExchange(0);
    QCOMPARE(detail.currentTab(), ExchangeDetail::TimingsTab);
}

void TestExchangeDetail::ctrlCCopiesNameValueLines()
{
    SessionStore store;
    loadTour(store);
    ExchangeDetail detail(&store);
    detail.setExchange(2);
    HeadersView *view = detail.headersView();
    HeadersModel *model = detail.headersModel();
    const QModelIndex request = model->index(0, 0);
    const QModelIndex pseudo = model->index(0, 0, request);
    QItemSelectionModel *selection = view->selectionModel();
    selection->select(model->index(0, 0, pseudo),
                      QItemSelectionModel::Select | QItemSelectionModel::Rows);
    selection->select(model->index(3, 0, pseudo),
                      QItemSelectionModel::Select | QItemSelectionModel::Rows);
    selection->select(model->index(2, 0, request),
                      QItemSelectionModel::Select | QItemSelectionModel::Rows);

    QGuiApplication::clipboard()->clear();
    QTest::keySequence(view, QKeySequence::Copy);
    QCOMPARE(QGuiApplication::clipboard()->text(),
             QStringLiteral(":method: GET\n:path: /delay/300\naccept: */*"));

    // Copy value: the current row's value only.
    view->setCurrentIndex(model->index(1, 1, request));
    view->copyValue();
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("hopscope/0.1.0"));
}

void TestExchangeDetail::copyAllRequestHeadersIsWireText()
{
    SessionStore store;
    loadTour(store);
    ExchangeDetail detail(&store);
    detail.setExchange(4);
    detail.headersView()->copyAllRequestHeaders();
    QCOMPARE(QGuiApplication::clipboard()->text(),
             QStringLiteral("GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1:44833\r\n"
                            "User-Agent: hopscope/0.1.0\r\nAccept: */*\r\n\r\n"));
    detail.headersView()->copyAllResponseHeaders();
    QVERIFY(QGuiApplication::clipboard()->text().startsWith(
        QLatin1String("HTTP/1.1 200 OK\r\nDate: ")));
    QVERIFY(QGuiApplication::clipboard()->text().endsWith(
        QLatin1String("Upgrade: h2\r\nConnection: Upgrade\r\nContent-Length: 7\r\n\r\n")));
}

void TestExchangeDetail::reemitsSessionSends()
{
    SessionStore store;
    loadTour(store);
    ExchangeDetail detail(&store);
    detail.setExchange(6);
    QSignalSpy sends(&detail, &ExchangeDetail::sendRequested);
    emit detail.sessionPanel()->sendRequested(6, SessionSendKind::Text, "hi");
    QCOMPARE(sends.size(), 1);
    QCOMPARE(sends.at(0).at(0).value<quint32>(), 6u);
    QCOMPARE(sends.at(0).at(1).value<SessionSendKind>(), SessionSendKind::Text);
    QCOMPARE(sends.at(0).at(2).toByteArray(), QByteArray("hi"));
}

void TestExchangeDetail::followsLiveUpdates()
{
    const TraceBatch events = testing::loadJsonLines(testing::tourTracePath());
    SessionStore store;
    ExchangeDetail detail(&store);
    store.append(events.mid(0, 11)); // req 1 sent its HTTP/1.1 request, nothing back yet
    detail.setExchange(1);
    QVERIFY(!detail.isTabEnabled(ExchangeDetail::FramesTab));
    QVERIFY(detail.headerText().contains(QStringLiteral("waiting…")));
    QVERIFY(detail.headerText().endsWith(QLatin1String("running")));
    QCOMPARE(detail.headersModel()->rowCount(), 1);
    store.append(events.mid(11)); // the 101, the switch, the HTTP/2 response
    QVERIFY(detail.isTabEnabled(ExchangeDetail::FramesTab));
    QCOMPARE(detail.headersModel()->rowCount(), 3);
    QVERIFY(detail.headerText().contains(QStringLiteral("HTTP/1.1 → h2c")));
    QVERIFY(!detail.headerText().contains(QLatin1String("running")));
}

void TestExchangeDetail::timingsNumbers()
{
    SessionStore store;
    loadTour(store);
    TimingsView view(&store);
    view.setExchange(2);
    QCOMPARE(view.totalMs(), 303.623872);
    const QStringList names{"Queued", "DNS", "Connect", "TLS", "Send", "Wait", "Receive"};
    QCOMPARE(view.phases().size(), names.size());
    for (int i = 0; i < names.size(); ++i)
        QCOMPARE(view.phases().at(i).name, names.at(i));
    QCOMPARE(phase(view, "DNS")->ms, -1.0);
    QCOMPARE(phase(view, "Connect")->ms, -1.0);
    QCOMPARE(phase(view, "Wait")->ms, 302.106461);
    QCOMPARE(phase(view, "Send")->ms, 0.038032);
    // Queued: what total holds beyond the phases (waiting for the h2c upgrade to finish).
    QVERIFY(qAbs(phase(view, "Queued")->ms - (303.623872 - 0.038032 - 302.106461 - 0.041649)) <
            1e-9);
    // The bars follow each other.
    QCOMPARE(phase(view, "Wait")->startMs, phase(view, "Send")->startMs + 0.038032);
    QCOMPARE(phase(view, "Receive")->startMs, phase(view, "Wait")->startMs + 302.106461);
    const QString text = view.timingsText();
    QVERIFY2(text.contains(QStringLiteral("Wait\t302.1 ms")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("Send\t0.038 ms")));
    QVERIFY(text.contains(QStringLiteral("DNS\t—")));
    QVERIFY(text.contains(QStringLiteral("Total\t303.6 ms")));
    QCOMPARE(view.errorText(), QString());

    view.setExchange(4); // a new TLS connection
    QCOMPARE(phase(view, "Connect")->ms, 2.246596);
    QCOMPARE(phase(view, "TLS")->ms, 2.900396);
    QCOMPARE(phase(view, "TLS")->startMs, phase(view, "Connect")->startMs + 2.246596);

    view.grab(); // paints without tripping over anything
}

void TestExchangeDetail::timingsConnectionNotes()
{
    SessionStore store;
    loadTour(store);
    TimingsView view(&store);
    view.setExchange(2);
    QVERIFY2(view.summaryText().contains(QLatin1String("connection #1 reused")),
             qPrintable(view.summaryText()));
    QVERIFY(view.summaryText().startsWith(QLatin1String("Started at +17.87")));
    view.setExchange(1);
    QVERIFY(view.summaryText().contains(QLatin1String("new connection #1")));
    QVERIFY(view.summaryText().contains(QLatin1String("switched to h2c (101)")));
    view.setExchange(5);
    QVERIFY(view.summaryText().contains(
        QLatin1String("opened because connection #2 advertised Upgrade: h2")));
    view.setExchange(6);
    QVERIFY(phase(view, "Session")); // a WebSocket's receive time is its session
    QVERIFY(!phase(view, "Receive"));
}

void TestExchangeDetail::timingsFailure()
{
    TraceBatch events;
    events.append(makeEvent(1, 0, "request.start", {0, 1, -1}, Direction::None,
                            fields({{"method", "GET"}, {"url", "http://h/slow"}})));
    events.append(makeEvent(2, 0.5, "pool.open", {1, 1, -1}, Direction::None,
                            fields({{"origin", "http://h"}})));
    events.append(makeEvent(3, 2, "h1.request", {1, 1, -1}, Direction::Out,
                            fields({{"method", "GET"},
                                    {"target", "/slow"},
                                    {"version", "HTTP/1.1"},
                                    {"headers", QCborArray()}})));
    SessionStore store;
    store.append(events);
    TimingsView view(&store);
    view.setExchange(1);
    QCOMPARE(view.errorText(), QString());
    QVERIFY(view.summaryText().contains(QLatin1String("request sent at +2.000 ms")));
    QVERIFY(view.summaryText().contains(QLatin1String("Running for")));
    QVERIFY(view.phases().isEmpty());

    ExchangeDetail detail(&store);
    detail.setExchange(1);
    store.append({makeEvent(4, 60002, "request.failed", {1, 1, -1}, Direction::None,
                            fields({{"error", "no byte for 60 s"}, {"code", "timeout"}}))});
    QCOMPARE(view.errorText(), QStringLiteral("timeout: no byte for 60 s"));
    QVERIFY(view.summaryText().contains(QLatin1String("Failed after 60.002 s")));
    QCOMPARE(view.findChildren<QLabel *>().first()->palette().color(QPalette::WindowText),
             errorColor());
    QVERIFY(detail.headerText().contains(QStringLiteral("failed: timeout — no byte for 60 s")));
    QVERIFY(detail.timingsView()->errorText() == view.errorText());
}

// A block title cut short reads "101 Switching Protocols (HTTP/1.1 int…", not
// "101 Switching Protocols (H…interim response": the Name column elides at the end, whatever the
// view's mode (which stays middle, for values).
void TestExchangeDetail::namesElideAtTheEnd()
{
    SessionStore store;
    loadTour(store);
    ExchangeDetail detail(&store);
    detail.setExchange(1);
    HeadersView *view = detail.headersView();
    QCOMPARE(view->textElideMode(), Qt::ElideMiddle);
    QModelIndex title;
    for (int r = 0; r < view->model()->rowCount(); ++r)
        if (view->model()->index(r, 0).data().toString().startsWith(QLatin1String("101")))
            title = view->model()->index(r, 0);
    QVERIFY(title.isValid());
    auto paint = [&](QAbstractItemDelegate *delegate, Qt::TextElideMode mode) {
        QImage img(150, 20, QImage::Format_RGB32);
        img.fill(Qt::white);
        QPainter p(&img);
        QStyleOptionViewItem option;
        option.initFrom(view);
        option.rect = img.rect();
        option.textElideMode = mode;
        option.font = view->font();
        option.fontMetrics = view->fontMetrics();
        delegate->paint(&p, option, title);
        return img;
    };
    QStyledItemDelegate plain;
    const QImage ours = paint(view->itemDelegate(), Qt::ElideMiddle);
    QCOMPARE(ours, paint(&plain, Qt::ElideRight));
    QVERIFY(ours != paint(&plain, Qt::ElideMiddle));
}

QTEST_MAIN(TestExchangeDetail)
#include "tst_exchangedetail.moc"
