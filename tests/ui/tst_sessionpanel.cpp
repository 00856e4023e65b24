// SessionMessagesModel and SessionPanel over the demo tour's WebSocket (req 6) and tcp tunnel
// (req 7), and over hand-made sessions for pings, errors, JSON and truncation.

#include "tracefixture.h"

#include "engine/enginehost.h"
#include "models/sessionmessagesmodel.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"
#include "widgets/sessionpanel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QVBoxLayout>

using namespace hopscope;
using namespace hopscope::testing;
using Kind = SessionMessagesModel::Kind;
using Col = SessionMessagesModel::Column;

namespace {

constexpr quint32 kWebSocketReq = 6;
constexpr quint32 kTunnelReq = 7;

QString cell(const QAbstractItemModel &m, int row, int column)
{
    return m.index(row, column).data().toString();
}

QList<Kind> kinds(const SessionMessagesModel &m)
{
    QList<Kind> out;
    for (int r = 0; r < m.rowCount(); ++r)
        out << m.kind(r);
    return out;
}

// A WebSocket whose peer pings, sends JSON and a large binary message, then breaks the rules.
TraceBatch brokenWebSocket()
{
    const EventScope s{1, 1, -1};
    QByteArray big(40, '\x07');
    big[0] = '\xab';
    TraceBatch b;
    quint64 seq = 0;
    b.append(makeEvent(++seq, 0.0, "request.start", {0, 1, -1}, Direction::None,
                       {{QStringLiteral("method"), QStringLiteral("GET")},
                        {QStringLiteral("url"), QStringLiteral("http://127.0.0.1:1/ws")}}));
    b.append(makeEvent(++seq, 0.1, "pool.open", s, Direction::None,
                       {{QStringLiteral("origin"), QStringLiteral("http://127.0.0.1:1")}}));
    b.append(
        makeEvent(++seq, 1.0, "h1.response", s, Direction::In, {{QStringLiteral("status"), 101}}));
    b.append(makeEvent(++seq, 1.1, "upgrade.switch", s, Direction::None,
                       {{QStringLiteral("protocol"), QStringLiteral("websocket")},
                        {QStringLiteral("leftoverBytes"), 0}}));
    b.append(makeEvent(++seq, 2.0, "ws.frame", s, Direction::In,
                       {{QStringLiteral("opcode"), QStringLiteral("ping")},
                        {QStringLiteral("fin"), true},
                        {QStringLiteral("rsv"), 0},
                        {QStringLiteral("masked"), false},
                        {QStringLiteral("length"), 3}}));
    b.append(makeEvent(++seq, 2.1, "ws.frame", s, Direction::Out,
                       {{QStringLiteral("opcode"), QStringLiteral("pong")},
                        {QStringLiteral("fin"), true},
                        {QStringLiteral("rsv"), 0},
                        {QStringLiteral("masked"), true},
                        {QStringLiteral("length"), 3}}));
    b.append(makeEvent(
        ++seq, 2.2, "ws.frame", s, Direction::In, // not a row: its message is
        {{QStringLiteral("opcode"), QStringLiteral("text")}, {QStringLiteral("length"), 17}}));
    b.append(makeEvent(++seq, 2.3, "ws.message", s, Direction::In,
                       {{QStringLiteral("opcode"), QStringLiteral("text")},
                        {QStringLiteral("text"), QStringLiteral("{\"a\":[1,2],\n\"b\":\"xy\"}")},
                        {QStringLiteral("bytes"), 22}}));
    b.append(makeEvent(++seq, 3.0, "ws.message", s, Direction::In,
                       {{QStringLiteral("opcode"), QStringLiteral("binary")},
                        {QStringLiteral("data"), QString::fromLatin1(big.toBase64())},
                        {QStringLiteral("bytes"), 5000000},
                        {QStringLiteral("truncated"), true}}));
    b.append(makeEvent(++seq, 4.0, "ws.frame", s, Direction::In,
                       {{QStringLiteral("opcode"), QStringLiteral("reserved(0x3)")},
                        {QStringLiteral("length"), 0}}));
    b.append(makeEvent(++seq, 4.1, "error", s, Direction::None,
                       {{QStringLiteral("message"), QStringLiteral("reserved opcode 0x3")},
                        {QStringLiteral("code"), QStringLiteral("ws-protocol")}}));
    b.append(makeEvent(++seq, 4.2, "ws.close", s, Direction::Out,
                       {{QStringLiteral("code"), 1002}, {QStringLiteral("reason"), QString()}}));
    b.append(makeEvent(++seq, 4.3, "request.failed", s, Direction::None,
                       {{QStringLiteral("error"), QStringLiteral("reserved opcode 0x3")},
                        {QStringLiteral("code"), QStringLiteral("ws-protocol")}}));
    return b;
}

} // namespace

class TestSessionPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void webSocketRows();
    void tunnelRows();
    void incrementalAppend();
    void brokenSessionRows();
    void resetAndSwitch();
    void parseHex_data();
    void parseHex();
    void panelSendsText();
    void panelSendsBinary();
    void panelRejectsBadHex();
    void panelTunnel();
    void panelClosedWebSocket();
    void panelDetail();
    void ctrlReturnBeatsAppShortcut();

private:
    TraceBatch m_tour;
};

void TestSessionPanel::initTestCase()
{
    m_tour = loadJsonLines(tourTracePath());
    QVERIFY2(!m_tour.isEmpty(), qPrintable(tourTracePath()));
}

void TestSessionPanel::webSocketRows()
{
    SessionStore store;
    store.append(m_tour);
    SessionMessagesModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setExchange(kWebSocketReq);
    QCOMPARE(kinds(model), (QList<Kind>{Kind::Text, Kind::Binary, Kind::Text, Kind::Binary,
                                        Kind::Close, Kind::Close, Kind::End}));
    QCOMPARE(model.columnCount(), int(SessionMessagesModel::ColumnCount));

    QCOMPARE(cell(model, 0, Col::DirColumn), QStringLiteral("→ sent"));
    QCOMPARE(cell(model, 0, Col::KindColumn), QStringLiteral("text"));
    QCOMPARE(cell(model, 0, Col::SizeColumn), QStringLiteral("19"));
    QCOMPARE(cell(model, 0, Col::ContentColumn), QStringLiteral("\"hello from hopscope\""));
    // ms since request.start (0.335671 s): 0.336229 s → 0.558 ms.
    QCOMPARE(cell(model, 0, Col::TimeColumn), QStringLiteral("0.558"));

    QCOMPARE(cell(model, 1, Col::KindColumn), QStringLiteral("binary"));
    QCOMPARE(cell(model, 1, Col::ContentColumn), QStringLiteral("00 01 02 ff"));
    QCOMPARE(cell(model, 1, Col::SizeColumn), QStringLiteral("4"));
    QCOMPARE(model.payload(1), QByteArray::fromHex("000102ff"));
    QCOMPARE(model.index(1, 0).data(SessionMessagesModel::IsTextRole).toBool(), false);

    QCOMPARE(cell(model, 2, Col::DirColumn), QStringLiteral("← received"));
    QCOMPARE(cell(model, 3, Col::ContentColumn), QStringLiteral("00 01 02 ff"));
    QCOMPARE(cell(model, 4, Col::ContentColumn), QStringLiteral("1000 Normal Closure"));
    QCOMPARE(cell(model, 4, Col::DirColumn), QStringLiteral("→ sent"));
    QCOMPARE(cell(model, 5, Col::DirColumn), QStringLiteral("← received"));
    QCOMPARE(cell(model, 6, Col::ContentColumn), QStringLiteral("session ended"));

    // Sent and received rows look different; nothing here is an error.
    QVERIFY(model.index(0, 0).data(Qt::BackgroundRole).isValid());
    QVERIFY(!model.index(2, 0).data(Qt::BackgroundRole).isValid());
    for (int r = 0; r < model.rowCount(); ++r)
        QVERIFY(!model.isError(r));
    // Rows point at the store's events.
    QVERIFY(store.event(model.eventIndex(1)).is(EventType::WsMessage));
}

void TestSessionPanel::tunnelRows()
{
    SessionStore store;
    store.append(m_tour);
    SessionMessagesModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setExchange(kTunnelReq);
    QCOMPARE(kinds(model), (QList<Kind>{Kind::Data, Kind::Data, Kind::Data, Kind::End}));
    QCOMPARE(cell(model, 0, Col::DirColumn), QStringLiteral("← received"));
    QCOMPARE(cell(model, 0, Col::KindColumn), QStringLiteral("data"));
    QCOMPARE(cell(model, 0, Col::SizeColumn), QStringLiteral("29"));
    QCOMPARE(cell(model, 0, Col::ContentColumn),
             QStringLiteral("\"hopscope demo tcp echo ready\\n\""));
    QCOMPARE(model.payload(0), QByteArray("hopscope demo tcp echo ready\n"));
    QCOMPARE(cell(model, 1, Col::ContentColumn), QStringLiteral("\"ping\\n\""));
    QCOMPARE(cell(model, 1, Col::DirColumn), QStringLiteral("→ sent"));
    QVERIFY(cell(model, 3, Col::ContentColumn).contains(QLatin1String("34 bytes received")));

    // A plain HTTP exchange of the tour has no session rows.
    model.setExchange(1);
    QCOMPARE(model.rowCount(), 0);
}

void TestSessionPanel::incrementalAppend()
{
    SessionStore store;
    SessionMessagesModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setExchange(kWebSocketReq); // before it exists
    QCOMPARE(model.rowCount(), 0);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    // Batches of 7 events: rows arrive with one insert per batch at most.
    int batches = 0;
    for (int i = 0; i < m_tour.size(); i += 7, ++batches)
        store.append(m_tour.mid(i, 7));
    QCOMPARE(model.rowCount(), 7);
    QVERIFY(inserted.count() <= batches);
    QVERIFY(inserted.count() >= 2);
    QCOMPARE(cell(model, 1, Col::ContentColumn), QStringLiteral("00 01 02 ff"));

    // The same store in one batch gives the same rows.
    SessionStore whole;
    whole.append(m_tour);
    SessionMessagesModel again(&whole);
    again.setExchange(kWebSocketReq);
    QSignalSpy once(&again, &QAbstractItemModel::rowsInserted);
    QCOMPARE(again.rowCount(), model.rowCount());
    for (int r = 0; r < model.rowCount(); ++r)
        QCOMPARE(cell(again, r, Col::ContentColumn), cell(model, r, Col::ContentColumn));
}

void TestSessionPanel::brokenSessionRows()
{
    SessionStore store;
    store.append(brokenWebSocket());
    SessionMessagesModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setExchange(1);
    QCOMPARE(kinds(model), (QList<Kind>{Kind::Ping, Kind::Pong, Kind::Text, Kind::Binary,
                                        Kind::Frame, Kind::Error, Kind::Close, Kind::Failed}));
    QCOMPARE(cell(model, 0, Col::KindColumn), QStringLiteral("ping"));
    QCOMPARE(cell(model, 0, Col::SizeColumn), QStringLiteral("3"));
    QCOMPARE(cell(model, 1, Col::KindColumn), QStringLiteral("pong"));
    QCOMPARE(cell(model, 2, Col::ContentColumn),
             QStringLiteral("\"{\\\"a\\\":[1,2],\\n\\\"b\\\":\\\"xy\\\"}\""));
    // Only the first 32 bytes are previewed; the size is the message's, not the trace's.
    const QString preview = cell(model, 3, Col::ContentColumn);
    QVERIFY2(preview.startsWith(QLatin1String("ab 07 07")), qPrintable(preview));
    QVERIFY(preview.contains(QStringLiteral("…")));
    QVERIFY(preview.contains(QLatin1String("truncated")));
    QCOMPARE(cell(model, 3, Col::SizeColumn), QStringLiteral("5000000"));
    QCOMPARE(model.payload(3).size(), 40);
    QVERIFY(model.index(3, 0).data(SessionMessagesModel::TruncatedRole).toBool());

    QVERIFY(cell(model, 5, Col::ContentColumn).contains(QLatin1String("ws-protocol")));
    QVERIFY(cell(model, 6, Col::ContentColumn).startsWith(QLatin1String("1002 Protocol Error")));
    for (int r : {4, 5, 6, 7}) {
        QVERIFY(model.isError(r));
        QCOMPARE(model.index(r, Col::ContentColumn).data(Qt::ForegroundRole).value<QColor>(),
                 errorColor());
    }
    QVERIFY(!model.isError(2));
}

void TestSessionPanel::resetAndSwitch()
{
    SessionStore store;
    store.append(m_tour);
    SessionMessagesModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setExchange(kWebSocketReq);
    QCOMPARE(model.rowCount(), 7);
    model.setExchange(kTunnelReq);
    QCOMPARE(model.rowCount(), 4);
    store.clear();
    QCOMPARE(model.rowCount(), 0);
    store.append(m_tour); // the same req fills again after a clear
    QCOMPARE(model.rowCount(), 4);
}

void TestSessionPanel::parseHex_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("spaced") << "00 01 ff" << true << QByteArray::fromHex("0001ff");
    QTest::newRow("packed") << "0001FF" << true << QByteArray::fromHex("0001ff");
    QTest::newRow("0x and commas") << "0x00, 0x01,0xff" << true << QByteArray::fromHex("0001ff");
    QTest::newRow("colons") << "de:ad:be:ef" << true << QByteArray::fromHex("deadbeef");
    QTest::newRow("lines") << "00 01\n02 03\n" << true << QByteArray::fromHex("00010203");
    QTest::newRow("empty") << "" << true << QByteArray();
    QTest::newRow("odd") << "00 1" << false << QByteArray();
    QTest::newRow("not hex") << "0g" << false << QByteArray();
    QTest::newRow("text") << "hello" << false << QByteArray();
}

void TestSessionPanel::parseHex()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(QByteArray, bytes);
    QByteArray out;
    QString error;
    QCOMPARE(SessionPanel::parseHex(text, &out, &error), ok);
    if (ok) {
        QCOMPARE(out, bytes);
        QVERIFY(error.isEmpty());
    } else {
        QVERIFY(!error.isEmpty());
    }
}

void TestSessionPanel::panelSendsText()
{
    SessionStore store;
    store.append(m_tour);
    SessionPanel panel(&store);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.setExchange(kWebSocketReq);
    panel.setSessionOpen(true, true);
    QCOMPARE(panel.stateText(), QStringLiteral("WebSocket open"));
    QCOMPARE(panel.model()->rowCount(), 7);

    auto *input = panel.findChild<QPlainTextEdit *>(QStringLiteral("input"));
    auto *send = panel.findChild<QPushButton *>(QStringLiteral("send"));
    auto *ping = panel.findChild<QPushButton *>(QStringLiteral("ping"));
    QVERIFY(input && send && ping);
    QVERIFY(input->isEnabled());
    QVERIFY(ping->isEnabled());
    QVERIFY(ping->isVisible());

    QSignalSpy spy(&panel, &SessionPanel::sendRequested);
    QTest::keyClicks(input, QStringLiteral("hello ws"));
    send->click();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<quint32>(), kWebSocketReq);
    QCOMPARE(spy.at(0).at(1).value<SessionSendKind>(), SessionSendKind::Text);
    QCOMPARE(spy.at(0).at(2).toByteArray(), QByteArray("hello ws"));
    QCOMPARE(input->toPlainText(), QStringLiteral("hello ws")); // kept for resending
    // Text goes out as UTF-8 and is never given a newline on a WebSocket.
    panel.setInputText(QStringLiteral("héllo ✓"));

    // Ctrl+Return in the input sends too.
    input->setFocus();
    QTest::keyClick(input, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(2).toByteArray(), QStringLiteral("héllo ✓").toUtf8());

    ping->click();
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.at(2).at(1).value<SessionSendKind>(), SessionSendKind::Ping);
    panel.findChild<QPushButton *>(QStringLiteral("close"))->click();
    QCOMPARE(spy.count(), 4);
    QCOMPARE(spy.at(3).at(1).value<SessionSendKind>(), SessionSendKind::Close);
}

void TestSessionPanel::panelSendsBinary()
{
    SessionStore store;
    store.append(m_tour);
    SessionPanel panel(&store);
    panel.setExchange(kWebSocketReq);
    panel.setSessionOpen(true, true);
    panel.setInputMode(SessionPanel::InputMode::Binary);
    panel.setInputText(QStringLiteral("00 01 ff"));
    QCOMPARE(panel.inputError(), QString());
    QSignalSpy spy(&panel, &SessionPanel::sendRequested);
    panel.sendInput();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(1).value<SessionSendKind>(), SessionSendKind::Binary);
    QCOMPARE(spy.at(0).at(2).toByteArray(), QByteArray::fromHex("0001ff"));
}

void TestSessionPanel::panelRejectsBadHex()
{
    SessionStore store;
    store.append(m_tour);
    SessionPanel panel(&store);
    panel.show();
    panel.setExchange(kWebSocketReq);
    panel.setSessionOpen(true, true);
    panel.setInputMode(SessionPanel::InputMode::Binary);
    panel.setInputText(QStringLiteral("00 0g"));
    QVERIFY(panel.inputError().contains(QLatin1String("hex")));
    QSignalSpy spy(&panel, &SessionPanel::sendRequested);
    panel.findChild<QPushButton *>(QStringLiteral("send"))->click();
    QCOMPARE(spy.count(), 0);
    auto *label = panel.findChild<QLabel *>(QStringLiteral("inputError"));
    QVERIFY(label->isVisible());
    QVERIFY(label->styleSheet().contains(errorColor().name()));
    // Fixing the input clears the error; Text mode never parses hex.
    panel.setInputText(QStringLiteral("00 0f"));
    QCOMPARE(panel.inputError(), QString());
    panel.setInputText(QStringLiteral("zz"));
    panel.setInputMode(SessionPanel::InputMode::Text);
    QCOMPARE(panel.inputError(), QString());
}

void TestSessionPanel::panelTunnel()
{
    SessionStore store;
    store.append(m_tour);
    SessionPanel panel(&store);
    panel.show();
    panel.setExchange(kTunnelReq);
    panel.setSessionOpen(true, false);
    QCOMPARE(panel.stateText(), QStringLiteral("tunnel open (tcp)"));
    auto *ping = panel.findChild<QPushButton *>(QStringLiteral("ping"));
    QVERIFY(!ping->isEnabled());
    QVERIFY(!ping->isVisible());
    auto *newline = panel.findChild<QCheckBox *>(QStringLiteral("appendNewline"));
    QVERIFY(newline->isVisible());
    QVERIFY(newline->isChecked());
    QCOMPARE(panel.model()->rowCount(), 4);
    QCOMPARE(cell(*panel.model(), 0, Col::ContentColumn),
             QStringLiteral("\"hopscope demo tcp echo ready\\n\""));

    QSignalSpy spy(&panel, &SessionPanel::sendRequested);
    panel.setInputText(QStringLiteral("ping"));
    panel.sendInput();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<quint32>(), kTunnelReq);
    QCOMPARE(spy.at(0).at(2).toByteArray(), QByteArray("ping\n"));
    newline->setChecked(false);
    panel.sendInput();
    QCOMPARE(spy.at(1).at(2).toByteArray(), QByteArray("ping"));
    panel.sendPing(); // a tunnel cannot ping
    QCOMPARE(spy.count(), 2);

    panel.setSessionOpen(false, false);
    QCOMPARE(panel.stateText(), QStringLiteral("tunnel closed"));
}

void TestSessionPanel::panelClosedWebSocket()
{
    SessionStore store;
    store.append(m_tour);
    SessionPanel panel(&store);
    panel.show();
    panel.setExchange(kWebSocketReq);
    panel.setSessionOpen(false, true);
    QCOMPARE(panel.stateText(), QStringLiteral("closed 1000"));
    auto *input = panel.findChild<QPlainTextEdit *>(QStringLiteral("input"));
    QVERIFY(!input->isEnabled());
    QVERIFY(input->placeholderText().contains(QLatin1String("closed")));
    QVERIFY(!panel.findChild<QPushButton *>(QStringLiteral("ping"))->isEnabled());
    QVERIFY(!panel.findChild<QPushButton *>(QStringLiteral("close"))->isEnabled());
    QSignalSpy spy(&panel, &SessionPanel::sendRequested);
    panel.setInputText(QStringLiteral("late"));
    panel.sendInput();
    panel.sendPing();
    panel.sendClose();
    QCOMPARE(spy.count(), 0);

    // A session that broke says so, in red.
    SessionStore broken;
    broken.append(brokenWebSocket());
    SessionPanel other(&broken);
    other.setExchange(1);
    other.setSessionOpen(false, true);
    QVERIFY2(other.stateText().startsWith(QLatin1String("failed")), qPrintable(other.stateText()));
    QVERIFY(other.findChild<QLabel *>(QStringLiteral("state"))
                ->styleSheet()
                .contains(errorColor().name()));

    // Nothing selected.
    other.setExchange(0);
    QCOMPARE(other.stateText(), QStringLiteral("No session selected"));
    // A plain HTTP exchange is not a session.
    panel.setExchange(1);
    QVERIFY2(panel.stateText().contains(QLatin1String("plain HTTP")),
             qPrintable(panel.stateText()));
    QVERIFY(!input->isEnabled());
}

void TestSessionPanel::panelDetail()
{
    SessionStore store;
    store.append(brokenWebSocket());
    SessionPanel panel(&store);
    panel.show();
    panel.setExchange(1);
    auto *view = panel.findChild<QTableView *>(QStringLiteral("messages"));
    auto *detail = panel.findChild<QPlainTextEdit *>(QStringLiteral("detail"));
    QVERIFY(view && detail);

    view->setCurrentIndex(panel.model()->index(2, 0)); // the JSON text message
    QCOMPARE(
        detail->toPlainText(),
        QStringLiteral("{\n    \"a\": [\n        1,\n        2\n    ],\n    \"b\": \"xy\"\n}"));
    QVERIFY(panel.findChild<QLabel *>(QStringLiteral("detailTitle"))
                ->text()
                .contains(QLatin1String("JSON")));

    view->setCurrentIndex(panel.model()->index(3, 0)); // binary: a hex dump
    const QString dump = detail->toPlainText();
    QVERIFY2(dump.startsWith(QLatin1String("00000000  ab 07 07 07 07 07 07 07  07 07")),
             qPrintable(dump));
    QVERIFY(dump.contains(QLatin1String("00000020  07")));
    QVERIFY(panel.findChild<QLabel *>(QStringLiteral("detailTitle"))
                ->text()
                .contains(QLatin1String("first 40 bytes")));

    view->setCurrentIndex(panel.model()->index(6, 0)); // close 1002
    QVERIFY(detail->toPlainText().contains(QLatin1String("1002 Protocol Error")));
    view->setCurrentIndex(panel.model()->index(5, 0)); // the error: all its fields
    QVERIFY(detail->toPlainText().contains(QLatin1String("code: ws-protocol")));

    // The tour's binary message, shown as hex.
    SessionStore tour;
    tour.append(m_tour);
    SessionPanel tourPanel(&tour);
    tourPanel.setExchange(kWebSocketReq);
    auto *tourView = tourPanel.findChild<QTableView *>(QStringLiteral("messages"));
    tourView->setCurrentIndex(tourPanel.model()->index(1, 0));
    QVERIFY(tourPanel.findChild<QPlainTextEdit *>(QStringLiteral("detail"))
                ->toPlainText()
                .startsWith(QLatin1String("00000000  00 01 02 ff")));
}

// The main window binds Ctrl+Return application-wide (send the composer's request); in the
// session input the key must send the message instead, and not be an ambiguous shortcut.
void TestSessionPanel::ctrlReturnBeatsAppShortcut()
{
    SessionStore store;
    store.append(m_tour);
    QWidget window;
    auto *layout = new QVBoxLayout(&window);
    auto *panel = new SessionPanel(&store);
    layout->addWidget(panel);
    QAction appSend(QStringLiteral("Send request"), &window);
    appSend.setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    appSend.setShortcutContext(Qt::ApplicationShortcut);
    window.addAction(&appSend);
    QSignalSpy appSpy(&appSend, &QAction::triggered);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    panel->setExchange(kWebSocketReq);
    panel->setSessionOpen(true, true);
    panel->setInputText(QStringLiteral("via keyboard"));
    auto *input = panel->findChild<QPlainTextEdit *>(QStringLiteral("input"));
    input->setFocus();
    QTRY_VERIFY(input->hasFocus());
    QSignalSpy spy(panel, &SessionPanel::sendRequested);
    QTest::keyClick(input, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(2).toByteArray(), QByteArray("via keyboard"));
    QCOMPARE(appSpy.count(), 0);
    QCOMPARE(input->toPlainText(), QStringLiteral("via keyboard")); // no newline typed
    // Elsewhere the application's shortcut still works.
    auto *view = panel->findChild<QTableView *>(QStringLiteral("messages"));
    view->setFocus();
    QTRY_VERIFY(view->hasFocus());
    QTest::keyClick(view, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(appSpy.count(), 1);
    QCOMPARE(spy.count(), 1);
}

QTEST_MAIN(TestSessionPanel)
#include "tst_sessionpanel.moc"
