// RequestComposer and HeadersTableModel: the RequestSpec each protocol mode builds, the headers
// table's order and disabled rows, validation, URL history, settings and the -k warning.

#include "core/route.h"
#include "models/headerstablemodel.h"
#include "style/protocolstyle.h"
#include "widgets/requestcomposer.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace hopscope;
using Mode = RequestComposer::ProtocolMode;

// RequestSpec and ProtocolPolicy need no Q_DECLARE_METATYPE in Qt 6 (QMetaType::fromType);
// declaring them here would clash should a shared header declare them later.

class TestRequestComposer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void headersModel();
    void headersModelValidation();
    void specForMode_data();
    void specForMode();
    void setSpecRoundTrip_data();
    void setSpecRoundTrip();
    void headersToSpecInOrder();
    void deleteKeyRemovesHeader();
    void invalidInputShowsError_data();
    void invalidInputShowsError();
    void validSendEmits();
    void enterInUrlSends();
    void historyDedupAndCap();
    void settingsRoundTrip();
    void secretsStayOutOfSettings_data();
    void secretsStayOutOfSettings();
    void credentialHeaders_data();
    void credentialHeaders();
    void insecureTurnsRed();
    void presetsFillComposer();
    void stopAndInFlight();
};

void TestRequestComposer::initTestCase()
{
    qRegisterMetaType<RequestSpec>();
}

void TestRequestComposer::headersModel()
{
    HeadersTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 1); // the placeholder
    QVERIFY(model.isPlaceholderRow(0));
    QVERIFY(
        !(model.flags(model.index(0, HeadersTableModel::EnabledColumn)) & Qt::ItemIsUserCheckable));

    model.setHeaders({{"Accept", "text/plain"}, {"X-One", "1"}});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, HeadersTableModel::NameColumn).data().toString(),
             QStringLiteral("Accept"));
    QCOMPARE(model.index(1, HeadersTableModel::EnabledColumn).data(Qt::CheckStateRole).toInt(),
             int(Qt::Checked));

    // Typing into the placeholder row creates a row and a new placeholder.
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QVERIFY(model.setData(model.index(2, HeadersTableModel::NameColumn), QStringLiteral("X-Two")));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 4);
    QVERIFY(model.setData(model.index(2, HeadersTableModel::ValueColumn), QStringLiteral("2")));
    QCOMPARE(model.rows().at(2), (HeadersTableModel::Row{true, "X-Two", "2"}));
    // An empty edit of the placeholder creates nothing.
    QVERIFY(!model.setData(model.index(3, HeadersTableModel::NameColumn), QString()));
    QCOMPARE(model.rowCount(), 4);

    // Toggle, move, remove (the placeholder cannot be removed).
    QVERIFY(model.setData(model.index(0, HeadersTableModel::EnabledColumn), Qt::Unchecked,
                          Qt::CheckStateRole));
    QVERIFY(model.moveRows({}, 2, 1, {}, 0));
    QCOMPARE(model.rows().at(0).name, QStringLiteral("X-Two"));
    QCOMPARE(model.rows().at(1).name, QStringLiteral("Accept"));
    QVERIFY(model.moveRows({}, 0, 1, {}, 3));
    QCOMPARE(model.rows().at(2).name, QStringLiteral("X-Two"));
    QVERIFY(model.removeRows(0, 1));
    QCOMPARE(model.rowCount(), 3);
    QVERIFY(!model.removeRows(2, 1)); // the placeholder
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.headers(), (HeaderList{{"X-One", "1"}, {"X-Two", "2"}}));
}

void TestRequestComposer::headersModelValidation()
{
    HeadersTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows({{true, "Good", "v"},
                   {true, "Bad Name", "v"},
                   {false, "Also bad", "v"},
                   {true, "X-Split", "a\r\nInjected: yes"},
                   {true, "", "orphan"}});
    QVERIFY(model.rowError(0).isEmpty());
    QVERIFY(!model.rowError(1).isEmpty());
    QVERIFY(model.rowError(2).isEmpty()); // disabled rows are never an error
    QVERIFY(model.rowError(3).contains(QLatin1String("CR")));
    QVERIFY(!model.rowError(4).isEmpty());
    QVERIFY(model.firstError().startsWith(QLatin1String("Header 2")));
    QCOMPARE(model.index(1, HeadersTableModel::NameColumn).data(Qt::ForegroundRole).value<QColor>(),
             errorColor());
}

void TestRequestComposer::specForMode_data()
{
    QTest::addColumn<Mode>("mode");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("token");
    QTest::addColumn<ProtocolPolicy>("policy");
    QTest::addColumn<QByteArray>("upgrade");      // spec.upgrade
    QTest::addColumn<QByteArray>("upgradeToken"); // spec.upgradeToken(): what is offered
    QTest::addColumn<QList<QByteArray>>("alpn");
    QTest::addColumn<QString>("expectedUrl");

    const QList<QByteArray> none;
    QTest::newRow("auto http") << Mode::Auto << "http://127.0.0.1:8080/headers"
                               << "" << ProtocolPolicy::Auto << QByteArray() << QByteArray() << none
                               << "http://127.0.0.1:8080/headers";
    QTest::newRow("auto without scheme") << Mode::Auto << "127.0.0.1:8080/x"
                                         << "" << ProtocolPolicy::Auto << QByteArray()
                                         << QByteArray() << none << "http://127.0.0.1:8080/x";
    QTest::newRow("auto ws:// means websocket")
        << Mode::Auto << "ws://127.0.0.1:8080/ws"
        << "" << ProtocolPolicy::Auto << QByteArray("websocket") << QByteArray("websocket") << none
        << "http://127.0.0.1:8080/ws";
    QTest::newRow("auto wss:// means websocket over TLS")
        << Mode::Auto << "wss://localhost:8443/ws"
        << "" << ProtocolPolicy::Auto << QByteArray("websocket") << QByteArray("websocket") << none
        << "https://localhost:8443/ws";
    QTest::newRow("http1 only") << Mode::Http1Only << "https://localhost:8443/"
                                << "" << ProtocolPolicy::Http1Only << QByteArray() << QByteArray()
                                << QList<QByteArray>{"http/1.1"} << "https://localhost:8443/";
    QTest::newRow("h2c upgrade") << Mode::H2cUpgrade << "http://127.0.0.1:8080/headers"
                                 << "" << ProtocolPolicy::H2cUpgrade << QByteArray()
                                 << QByteArray("h2c") << none << "http://127.0.0.1:8080/headers";
    QTest::newRow("h2c prior") << Mode::H2cPrior << "http://127.0.0.1:8080/"
                               << "" << ProtocolPolicy::H2cPrior << QByteArray() << QByteArray()
                               << none << "http://127.0.0.1:8080/";
    QTest::newRow("h2 over tls") << Mode::H2Tls << "https://localhost:8443/status/200"
                                 << "" << ProtocolPolicy::Auto << QByteArray() << QByteArray()
                                 << QList<QByteArray>{"h2"} << "https://localhost:8443/status/200";
    QTest::newRow("websocket http")
        << Mode::WebSocket << "http://127.0.0.1:8080/ws"
        << "" << ProtocolPolicy::Auto << QByteArray("websocket") << QByteArray("websocket") << none
        << "http://127.0.0.1:8080/ws";
    QTest::newRow("websocket wss")
        << Mode::WebSocket << "wss://127.0.0.1:8443/ws"
        << "" << ProtocolPolicy::Auto << QByteArray("websocket") << QByteArray("websocket") << none
        << "https://127.0.0.1:8443/ws";
    QTest::newRow("custom tcp") << Mode::CustomUpgrade << "http://127.0.0.1:8080/tcp"
                                << "tcp" << ProtocolPolicy::Auto << QByteArray("tcp")
                                << QByteArray("tcp") << none << "http://127.0.0.1:8080/tcp";
}

void TestRequestComposer::specForMode()
{
    QFETCH(Mode, mode);
    QFETCH(QString, url);
    QFETCH(QString, token);
    QFETCH(ProtocolPolicy, policy);
    QFETCH(QByteArray, upgrade);
    QFETCH(QByteArray, upgradeToken);
    QFETCH(QList<QByteArray>, alpn);
    QFETCH(QString, expectedUrl);

    RequestComposer c;
    c.setUrl(url);
    c.setProtocolMode(mode);
    c.setUpgradeToken(token);
    QCOMPARE(c.protocolMode(), mode);
    const RequestSpec s = c.spec();
    QCOMPARE(s.protocol, policy);
    QCOMPARE(s.upgrade, upgrade);
    QCOMPARE(s.upgradeToken(), upgradeToken);
    QCOMPARE(s.tls.alpn, alpn);
    QCOMPARE(s.url.toString(), expectedUrl);
    QCOMPARE(s.method, QByteArray("GET"));

    // Every one of these is sendable, and what is sent is spec().
    QCOMPARE(c.validationError(), QString());
    QSignalSpy spy(&c, &RequestComposer::sendRequested);
    c.send();
    QCOMPARE(spy.count(), 1);
    const RequestSpec sent = spy.at(0).at(0).value<RequestSpec>();
    QCOMPARE(sent.url, s.url);
    QCOMPARE(sent.protocol, s.protocol);
    QCOMPARE(sent.upgrade, s.upgrade);
    QCOMPARE(sent.tls.alpn, s.tls.alpn);
    QCOMPARE(c.errorText(), QString());
}

void TestRequestComposer::setSpecRoundTrip_data()
{
    QTest::addColumn<RequestSpec>("spec");
    QTest::addColumn<Mode>("mode");

    RequestSpec base;
    base.url = QUrl(QStringLiteral("http://127.0.0.1:8080/headers"));
    QTest::newRow("auto") << base << Mode::Auto;
    RequestSpec h2c = base;
    h2c.protocol = ProtocolPolicy::H2cUpgrade;
    h2c.h2cViaOptions = true;
    QTest::newRow("h2c via options") << h2c << Mode::H2cUpgrade;
    RequestSpec prior = base;
    prior.protocol = ProtocolPolicy::H2cPrior;
    QTest::newRow("h2c prior") << prior << Mode::H2cPrior;
    RequestSpec tls;
    tls.url = QUrl(QStringLiteral("https://127.0.0.1:8443/status/200"));
    tls.tls.caFile = QStringLiteral(HOPSCOPE_UI_TEST_DATA "/tour.jsonl"); // any existing file
    tls.tls.alpn = {"h2"};
    tls.tls.certStatus = true;
    QTest::newRow("h2 over tls") << tls << Mode::H2Tls;
    RequestSpec h1 = tls;
    h1.protocol = ProtocolPolicy::Http1Only;
    h1.tls.alpn = {"http/1.1"};
    QTest::newRow("http1 only") << h1 << Mode::Http1Only;
    RequestSpec customAlpn = tls;
    customAlpn.tls.alpn = {"h2", "http/1.1"};
    customAlpn.followUpgradeH2 = false;
    customAlpn.decodeContent = true;
    QTest::newRow("auto with an explicit ALPN list") << customAlpn << Mode::Auto;
    RequestSpec redirects = base;
    redirects.redirects.follow = true;
    redirects.redirects.maxRedirects = 3;
    QTest::newRow("follow redirects, at most 3") << redirects << Mode::Auto;
    RequestSpec unlimited = redirects;
    unlimited.redirects.maxRedirects = -1;
    QTest::newRow("follow redirects, unlimited") << unlimited << Mode::Auto;
    RequestSpec ws = base;
    ws.url = QUrl(QStringLiteral("http://127.0.0.1:8080/ws"));
    ws.upgrade = "websocket";
    ws.headers = {{"Sec-WebSocket-Protocol", "chat"}};
    QTest::newRow("websocket") << ws << Mode::WebSocket;
    RequestSpec tcp = base;
    tcp.url = QUrl(QStringLiteral("http://127.0.0.1:8080/tcp"));
    tcp.upgrade = "tcp";
    tcp.timeouts.idleMs = 5000;
    QTest::newRow("tcp") << tcp << Mode::CustomUpgrade;
    RequestSpec post = base;
    post.method = "POST";
    post.body = "{\"a\": 1}";
    post.headers = {{"Content-Type", "application/json"}, {"X-Trace", "1"}};
    post.targetOverride = "/other?q=1";
    post.limits.maxBodyInMemory = 1234;
    QTest::newRow("post with body") << post << Mode::Auto;
    // The Connection tab: client certificate, key log and route, as hopscope-cli's options.
    RequestSpec routed = tls;
    routed.tls.certFile = QStringLiteral(HOPSCOPE_UI_TEST_DATA "/tour.jsonl");
    routed.tls.keyLogFile = QStringLiteral("/tmp/keys.log");
    routed.route.proxy = QStringLiteral("http://127.0.0.1:3128");
    routed.route.proxySet = true;
    ResolveOverride resolve;
    QVERIFY(parseResolve(QStringLiteral("example.com:443:127.0.0.1"), &resolve).isEmpty());
    routed.route.resolve = {resolve};
    routed.route.family = IpFamily::V6;
    QTest::newRow("client certificate, key log, proxy, resolve, -6") << routed << Mode::H2Tls;
}

void TestRequestComposer::setSpecRoundTrip()
{
    QFETCH(RequestSpec, spec);
    QFETCH(Mode, mode);
    RequestComposer c;
    c.setSpec(spec);
    QCOMPARE(c.protocolMode(), mode);
    const RequestSpec s = c.spec();
    QCOMPARE(s.method, spec.method);
    QCOMPARE(s.url, spec.url);
    QCOMPARE(s.headers, spec.headers);
    QCOMPARE(s.body, spec.body);
    QCOMPARE(s.protocol, spec.protocol);
    QCOMPARE(s.upgrade, spec.upgrade);
    QCOMPARE(s.upgradeToken(), spec.upgradeToken());
    QCOMPARE(s.tls.alpn, spec.tls.alpn);
    QCOMPARE(s.tls.caFile, spec.tls.caFile);
    QCOMPARE(s.tls.insecure, spec.tls.insecure);
    QCOMPARE(s.tls.certStatus, spec.tls.certStatus);
    QCOMPARE(s.h2cViaOptions, spec.h2cViaOptions);
    QCOMPARE(s.followUpgradeH2, spec.followUpgradeH2);
    QCOMPARE(s.redirects.follow, spec.redirects.follow);
    QCOMPARE(s.redirects.maxRedirects, spec.redirects.maxRedirects);
    QCOMPARE(s.decodeContent, spec.decodeContent);
    QCOMPARE(s.targetOverride, spec.targetOverride);
    QCOMPARE(s.timeouts.connectMs, spec.timeouts.connectMs);
    QCOMPARE(s.timeouts.idleMs, spec.timeouts.idleMs);
    QCOMPARE(s.timeouts.totalMs, spec.timeouts.totalMs);
    QCOMPARE(s.limits.maxBodyInMemory, spec.limits.maxBodyInMemory);
    QCOMPARE(s.tls.certFile, spec.tls.certFile);
    QCOMPARE(s.tls.keyLogFile, spec.tls.keyLogFile);
    QCOMPARE(s.route.proxySet, spec.route.proxySet);
    QCOMPARE(s.route.proxy, spec.route.proxy);
    QCOMPARE(s.route.resolve.size(), spec.route.resolve.size());
    QCOMPARE(s.route.family, spec.route.family);
    QCOMPARE(c.validationError(), QString());
}

void TestRequestComposer::headersToSpecInOrder()
{
    RequestComposer c;
    c.setUrl(QStringLiteral("http://127.0.0.1:8080/"));
    HeadersTableModel *m = c.headersModel();
    // Typed into the table's last row, one after the other.
    const QList<QPair<QString, QString>> typed = {
        {"X-First", "1"}, {"x-disabled", "no"}, {"Accept", "application/json"}, {"X-Last", "z"}};
    for (const auto &[name, value] : typed) {
        const int row = m->rowCount() - 1;
        QVERIFY(m->setData(m->index(row, HeadersTableModel::NameColumn), name));
        QVERIFY(m->setData(m->index(row, HeadersTableModel::ValueColumn), value));
    }
    QVERIFY(m->setData(m->index(1, HeadersTableModel::EnabledColumn), Qt::Unchecked,
                       Qt::CheckStateRole));
    const HeaderList expected = {{"X-First", "1"}, {"Accept", "application/json"}, {"X-Last", "z"}};
    QCOMPARE(c.spec().headers, expected);

    QSignalSpy spy(&c, &RequestComposer::sendRequested);
    c.send();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<RequestSpec>().headers, expected);

    // A broken enabled header blocks the send; disabling it lets the request go.
    QVERIFY(m->setData(m->index(m->rowCount() - 1, HeadersTableModel::NameColumn),
                       QStringLiteral("Bad Name")));
    c.send();
    QCOMPARE(spy.count(), 1);
    QVERIFY(c.errorText().contains(QLatin1String("Header 5")));
    QVERIFY(m->setData(m->index(4, HeadersTableModel::EnabledColumn), Qt::Unchecked,
                       Qt::CheckStateRole));
    c.send();
    QCOMPARE(spy.count(), 2);
}

void TestRequestComposer::deleteKeyRemovesHeader()
{
    RequestComposer c;
    c.headersModel()->setHeaders({{"A", "1"}, {"B", "2"}, {"C", "3"}});
    c.show();
    QVERIFY(QTest::qWaitForWindowExposed(&c));
    auto *view = c.findChild<QTableView *>(QStringLiteral("headers"));
    QVERIFY(view);
    view->setFocus();
    view->setCurrentIndex(c.headersModel()->index(1, HeadersTableModel::NameColumn));
    view->selectRow(1);
    // The view's Remove action (Delete, in a context menu too).
    QAction *remove = nullptr;
    for (QAction *a : view->actions()) {
        if (a->shortcuts().contains(QKeySequence(QKeySequence::Delete)))
            remove = a;
    }
    QVERIFY(remove);
    QCOMPARE(remove->shortcutContext(), Qt::WidgetShortcut);
    remove->trigger();
    QCOMPARE(c.spec().headers, (HeaderList{{"A", "1"}, {"C", "3"}}));
}

void TestRequestComposer::invalidInputShowsError_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<Mode>("mode");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("error"); // a part of the message

    QTest::newRow("empty") << "" << Mode::Auto << ""
                           << "Enter a URL";
    QTest::newRow("spaces only") << "   " << Mode::Auto << ""
                                 << "Enter a URL";
    QTest::newRow("ftp") << "ftp://example.com/file" << Mode::Auto << ""
                         << "Unsupported scheme";
    QTest::newRow("file") << "file:///etc/passwd" << Mode::Auto << ""
                          << "Unsupported scheme";
    QTest::newRow("no host") << "http://" << Mode::Auto << ""
                             << "no host";
    QTest::newRow("bad host") << "http://exa mple.com/" << Mode::Auto << ""
                              << "";
    QTest::newRow("h2c upgrade over https") << "https://127.0.0.1:8443/" << Mode::H2cUpgrade << ""
                                            << "h2c is cleartext; use HTTP/2 over TLS";
    QTest::newRow("h2c prior over https") << "https://127.0.0.1:8443/" << Mode::H2cPrior << ""
                                          << "h2c is cleartext; use HTTP/2 over TLS";
    QTest::newRow("h2 over tls on http") << "http://127.0.0.1:8080/" << Mode::H2Tls << ""
                                         << "needs an https:// URL";
    QTest::newRow("ws url with h2c") << "ws://127.0.0.1:8080/ws" << Mode::H2cUpgrade << ""
                                     << "means WebSocket";
    QTest::newRow("ws url with tcp token")
        << "ws://127.0.0.1:8080/ws" << Mode::CustomUpgrade << "tcp"
        << "means WebSocket";
    QTest::newRow("custom without token")
        << "http://127.0.0.1:8080/tcp" << Mode::CustomUpgrade << ""
        << "Upgrade token";
    QTest::newRow("custom token with a space")
        << "http://127.0.0.1:8080/tcp" << Mode::CustomUpgrade << "a b"
        << "one protocol token";
}

void TestRequestComposer::invalidInputShowsError()
{
    QFETCH(QString, url);
    QFETCH(Mode, mode);
    QFETCH(QString, token);
    QFETCH(QString, error);

    RequestComposer c;
    c.show();
    c.setUrl(url);
    c.setProtocolMode(mode);
    c.setUpgradeToken(token);
    QSignalSpy spy(&c, &RequestComposer::sendRequested);
    c.send();
    QCOMPARE(spy.count(), 0);
    QVERIFY(!c.errorText().isEmpty());
    QVERIFY2(c.errorText().contains(error), qPrintable(c.errorText()));
    auto *label = c.findChild<QLabel *>(QStringLiteral("error"));
    QVERIFY(label && label->isVisible());
    QVERIFY(label->styleSheet().contains(errorColor().name()));
    QVERIFY(c.history().isEmpty()); // nothing sent, nothing remembered

    // Editing the URL clears the stale error.
    c.setUrl(QStringLiteral("http://127.0.0.1:8080/edited"));
    QCOMPARE(c.errorText(), QString());
}

void TestRequestComposer::validSendEmits()
{
    RequestComposer c;
    c.setUrl(QStringLiteral("http://127.0.0.1:8080/echo"));
    c.findChild<QComboBox *>(QStringLiteral("method"))->setEditText(QStringLiteral("POST"));
    c.findChild<QPlainTextEdit *>(QStringLiteral("body"))->setPlainText(QStringLiteral("héllo"));
    c.setRepeat(5);
    c.setParallel(2);
    QSignalSpy spy(&c, &RequestComposer::sendRequested);
    c.findChild<QPushButton *>(QStringLiteral("send"))->click();
    QCOMPARE(spy.count(), 1);
    const RequestSpec s = spy.at(0).at(0).value<RequestSpec>();
    QCOMPARE(s.method, QByteArray("POST"));
    QCOMPARE(s.body, QStringLiteral("héllo").toUtf8());
    QVERIFY(s.bodyFile.isEmpty());
    QCOMPARE(spy.at(0).at(1).toInt(), 5);
    QCOMPARE(spy.at(0).at(2).toInt(), 2);
    QCOMPARE(c.history(), QStringList{QStringLiteral("http://127.0.0.1:8080/echo")});

    // A body file wins over the text; a missing one is an error.
    c.findChild<QLineEdit *>(QStringLiteral("bodyFile"))
        ->setText(QStringLiteral(HOPSCOPE_UI_TEST_DATA "/tour.jsonl"));
    QCOMPARE(c.spec().bodyFile, QStringLiteral(HOPSCOPE_UI_TEST_DATA "/tour.jsonl"));
    QVERIFY(c.spec().body.isEmpty());
    c.findChild<QLineEdit *>(QStringLiteral("bodyFile"))->setText(QStringLiteral("/no/such/f"));
    c.send();
    QCOMPARE(spy.count(), 1);
    QVERIFY(c.errorText().contains(QLatin1String("no such file")));
}

void TestRequestComposer::enterInUrlSends()
{
    RequestComposer c;
    c.show();
    QVERIFY(QTest::qWaitForWindowExposed(&c));
    c.setUrl(QStringLiteral("http://127.0.0.1:8080/a"));
    QSignalSpy spy(&c, &RequestComposer::sendRequested);
    auto *url = c.findChild<QComboBox *>(QStringLiteral("url"));
    // Keys reach the combo (its line edit's focus proxy), which hands them to the line edit.
    QCOMPARE(url->lineEdit()->focusProxy(), url);
    QTest::keyClick(url, Qt::Key_Return);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<RequestSpec>().url.path(), QStringLiteral("/a"));
}

void TestRequestComposer::historyDedupAndCap()
{
    RequestComposer c;
    QSignalSpy spy(&c, &RequestComposer::sendRequested);
    for (int i = 0; i < 35; ++i) {
        c.setUrl(QStringLiteral("http://127.0.0.1:8080/%1").arg(i));
        c.send();
    }
    QCOMPARE(spy.count(), 35);
    QCOMPARE(c.history().size(), RequestComposer::maxHistory);
    QCOMPARE(c.history().first(), QStringLiteral("http://127.0.0.1:8080/34"));
    QCOMPARE(c.history().last(), QStringLiteral("http://127.0.0.1:8080/5"));

    // Sending one again moves it to the front, once.
    c.setUrl(QStringLiteral("http://127.0.0.1:8080/10"));
    c.send();
    QCOMPARE(c.history().size(), RequestComposer::maxHistory);
    QCOMPARE(c.history().first(), QStringLiteral("http://127.0.0.1:8080/10"));
    QCOMPARE(c.history().count(QStringLiteral("http://127.0.0.1:8080/10")), 1);
    // The combo's list is the history; the typed text stays.
    auto *url = c.findChild<QComboBox *>(QStringLiteral("url"));
    QCOMPARE(url->count(), RequestComposer::maxHistory);
    QCOMPARE(url->itemText(0), QStringLiteral("http://127.0.0.1:8080/10"));
    QCOMPARE(c.url(), QStringLiteral("http://127.0.0.1:8080/10"));

    c.setUrl(QStringLiteral("typing…"));
    c.setHistory({"b", "a", "b", " a ", "", "c"});
    QCOMPARE(c.history(), (QStringList{"b", "a", "c"}));
    QCOMPARE(c.url(), QStringLiteral("typing…"));
}

void TestRequestComposer::settingsRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("hopscope.ini"));
    const QString ca = QStringLiteral(HOPSCOPE_UI_TEST_DATA "/tour.jsonl");
    {
        RequestComposer c;
        c.setHistory({"http://a/", "http://b/"});
        c.findChild<QComboBox *>(QStringLiteral("method"))->setEditText(QStringLiteral("PURGE"));
        c.setUrl(QStringLiteral("http://127.0.0.1:8080/tcp"));
        c.setProtocolMode(Mode::CustomUpgrade);
        c.setUpgradeToken(QStringLiteral("tcp"));
        c.headersModel()->setRows({{true, "X-A", "1"}, {false, "X-Off", "0"}, {true, "X-B", ""}});
        c.findChild<QLineEdit *>(QStringLiteral("caFile"))->setText(ca);
        c.findChild<QCheckBox *>(QStringLiteral("insecure"))->setChecked(true);
        c.findChild<QCheckBox *>(QStringLiteral("decode"))->setChecked(true);
        c.findChild<QCheckBox *>(QStringLiteral("followUpgradeH2"))->setChecked(false);
        auto *follow = c.findChild<QCheckBox *>(QStringLiteral("followRedirects"));
        auto *maxRedirects = c.findChild<QSpinBox *>(QStringLiteral("maxRedirects"));
        QVERIFY(!maxRedirects->isEnabled()); // only with "Follow redirects"
        follow->setChecked(true);
        QVERIFY(maxRedirects->isEnabled());
        maxRedirects->setValue(7);
        c.setRepeat(42);
        c.setParallel(7);
        QSettings s(path, QSettings::IniFormat);
        c.saveSettings(s);
        s.sync();
        QCOMPARE(s.status(), QSettings::NoError);
        QVERIFY(!s.contains(QStringLiteral("composer/insecure")));
        QCOMPARE(s.value(QStringLiteral("composer/mode")).toString(), QStringLiteral("upgrade"));
    }
    RequestComposer c;
    QSettings s(path, QSettings::IniFormat);
    c.restoreSettings(s);
    QCOMPARE(c.history(), (QStringList{"http://a/", "http://b/"}));
    QCOMPARE(c.url(), QStringLiteral("http://127.0.0.1:8080/tcp"));
    QCOMPARE(c.protocolMode(), Mode::CustomUpgrade);
    QCOMPARE(c.upgradeToken(), QStringLiteral("tcp"));
    QCOMPARE(c.headersModel()->rows(),
             (QList<HeadersTableModel::Row>{
                 {true, "X-A", "1"}, {false, "X-Off", "0"}, {true, "X-B", ""}}));
    QCOMPARE(c.repeat(), 42);
    QCOMPARE(c.parallel(), 7);
    const RequestSpec spec = c.spec();
    QCOMPARE(spec.method, QByteArray("PURGE"));
    QCOMPARE(spec.upgrade, QByteArray("tcp"));
    QCOMPARE(spec.tls.caFile, ca);
    QCOMPARE(spec.decodeContent, true);
    QCOMPARE(spec.followUpgradeH2, false);
    QCOMPARE(spec.redirects.follow, true);
    QCOMPARE(spec.redirects.maxRedirects, 7);
    QCOMPARE(spec.headers, (HeaderList{{"X-A", "1"}, {"X-B", ""}}));
    // -k is a per-session decision: never restored.
    QCOMPARE(spec.tls.insecure, false);

    // An empty settings file leaves the defaults.
    QSettings empty(dir.filePath(QStringLiteral("empty.ini")), QSettings::IniFormat);
    RequestComposer d;
    d.restoreSettings(empty);
    QCOMPARE(d.protocolMode(), Mode::Auto);
    QCOMPARE(d.repeat(), 1);
    QCOMPARE(d.parallel(), 1);
    QCOMPARE(d.spec().followUpgradeH2, true);
    QCOMPARE(d.spec().redirects.follow, false); // curl: no -L unless asked
    QCOMPARE(d.spec().redirects.maxRedirects, 50);
}

// Credentials never reach the settings file (plain text) unless the user asks for it.
void TestRequestComposer::secretsStayOutOfSettings_data()
{
    QTest::addColumn<bool>("remember");
    QTest::newRow("by default") << false;
    QTest::newRow("when asked to") << true;
}

void TestRequestComposer::secretsStayOutOfSettings()
{
    QFETCH(bool, remember);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("hopscope.ini"));
    {
        RequestComposer c;
        QVERIFY(!c.rememberSecrets());
        c.rememberSecretsAction()->setChecked(remember);
        c.setHistory({"http://alice:hunter2@a.invalid/x", "http://b.invalid/"});
        c.setUrl(QStringLiteral("https://bob:swordfish@c.invalid/login"));
        c.headersModel()->setRows({{true, "Authorization", "Bearer s3cr3t-bearer"},
                                   {true, "Cookie", "sid=c00kie-value"},
                                   {true, "X-Api-Token", "t0ken-value"},
                                   {true, "Accept", "text/plain"}});
        c.findChild<QPlainTextEdit *>(QStringLiteral("body"))
            ->setPlainText(QStringLiteral("password=b0dy-secret"));
        QSettings s(path, QSettings::IniFormat);
        c.saveSettings(s);
        s.sync();
    }
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray file = f.readAll();
    for (const char *secret :
         {"hunter2", "swordfish", "s3cr3t-bearer", "c00kie-value", "t0ken-value", "b0dy-secret"})
        QVERIFY2(file.contains(secret) == remember, secret);
    QVERIFY(file.contains("text/plain")); // an ordinary header's value is kept either way

    RequestComposer c;
    QSettings s(path, QSettings::IniFormat);
    c.restoreSettings(s);
    QCOMPARE(c.rememberSecrets(), remember);
    const QList<HeadersTableModel::Row> rows = c.headersModel()->rows();
    QCOMPARE(rows.size(), 4);
    QCOMPARE(rows.at(0).name, QStringLiteral("Authorization")); // the name comes back
    QCOMPARE(rows.at(0).value.isEmpty(), !remember);
    QCOMPARE(rows.at(3).value, QStringLiteral("text/plain"));
    QCOMPARE(c.url(), remember ? QStringLiteral("https://bob:swordfish@c.invalid/login")
                               : QStringLiteral("https://c.invalid/login"));
    QCOMPARE(c.history().first(), remember ? QStringLiteral("http://alice:hunter2@a.invalid/x")
                                           : QStringLiteral("http://a.invalid/x"));
}

void TestRequestComposer::credentialHeaders_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("credential");
    QTest::newRow("Authorization") << "Authorization" << true;
    QTest::newRow("proxy-authorization") << "proxy-authorization" << true;
    QTest::newRow("Cookie") << "Cookie" << true;
    QTest::newRow("X-Auth-Token") << "X-Auth-Token" << true;
    QTest::newRow("X-API-Key") << "X-API-Key" << true;
    QTest::newRow("X-Session-Id") << "X-Session-Id" << true;
    QTest::newRow("Accept") << "Accept" << false;
    QTest::newRow("Content-Type") << "Content-Type" << false;
    QTest::newRow("User-Agent") << "User-Agent" << false;
}

void TestRequestComposer::credentialHeaders()
{
    QFETCH(QString, name);
    QFETCH(bool, credential);
    QCOMPARE(RequestComposer::isCredentialHeader(name), credential);
}

void TestRequestComposer::insecureTurnsRed()
{
    RequestComposer c;
    c.show();
    auto *box = c.findChild<QCheckBox *>(QStringLiteral("insecure"));
    auto *warning = c.findChild<QLabel *>(QStringLiteral("insecureWarning"));
    QVERIFY(box && warning);
    const QString red = errorColor().name();
    QVERIFY(!box->styleSheet().contains(red));
    QVERIFY(warning->isHidden()); // (its tab page may be hidden too: check the label itself)

    box->setChecked(true);
    QVERIFY(box->styleSheet().contains(red));
    QVERIFY(!warning->isHidden());
    QVERIFY(warning->styleSheet().contains(red));
    QVERIFY(warning->text().contains(QLatin1String("certificate verification is OFF")));
    QVERIFY(c.spec().tls.insecure);
    // The style sheet reaches the palette the check box paints its text with.
    box->ensurePolished();
    QCOMPARE(box->palette().color(box->foregroundRole()).name(), red);

    box->setChecked(false);
    QVERIFY(box->styleSheet().isEmpty());
    QVERIFY(warning->isHidden());
    QVERIFY(!c.spec().tls.insecure);
}

void TestRequestComposer::presetsFillComposer()
{
    RequestComposer c;
    auto *button = c.findChild<QToolButton *>(QStringLiteral("presets"));
    QVERIFY(button);
    QVERIFY(!button->isVisibleTo(&c));

    RequestSpec h2c;
    h2c.url = QUrl(QStringLiteral("http://127.0.0.1:8080/headers"));
    h2c.protocol = ProtocolPolicy::H2cUpgrade;
    RequestSpec tcp;
    tcp.url = QUrl(QStringLiteral("http://127.0.0.1:8080/tcp"));
    tcp.upgrade = "tcp";
    RequestSpec h3;
    h3.url = QUrl(QStringLiteral("https://127.0.0.1:8443/headers"));
    h3.http3 = Http3Mode::Try;
    c.setPresets({{QStringLiteral("h2c upgrade /headers"), h2c},
                  {QStringLiteral("Upgrade: tcp /tcp"), tcp},
                  {QStringLiteral("HTTP/3 /headers"), h3}});
    QVERIFY(button->isVisibleTo(&c));
    const QList<QAction *> actions = button->menu()->actions();
    QCOMPARE(actions.size(), 3);
    QCOMPARE(actions.at(1)->text(), QStringLiteral("Upgrade: tcp /tcp"));

    // The user's own options survive a preset: it changes the request, nothing else.
    RequestSpec mine;
    mine.url = QUrl(QStringLiteral("https://example.com/"));
    mine.timeouts.idleMs = 42'000;
    mine.timeouts.connectMs = 7'000;
    mine.tls.insecure = true;
    c.setSpec(mine);

    QSignalSpy applied(&c, &RequestComposer::presetApplied);
    QSignalSpy sent(&c, &RequestComposer::sendRequested);
    actions.at(1)->trigger();
    QCOMPARE(c.spec().timeouts.idleMs, 42'000);
    QCOMPARE(c.spec().timeouts.connectMs, 7'000);
    QVERIFY(c.spec().tls.insecure);
    QCOMPARE(applied.count(), 1);
    QCOMPARE(sent.count(), 0); // filling is not sending
    QCOMPARE(c.protocolMode(), Mode::CustomUpgrade);
    QCOMPARE(c.upgradeToken(), QStringLiteral("tcp"));
    QCOMPARE(c.url(), QStringLiteral("http://127.0.0.1:8080/tcp"));
    actions.at(0)->trigger();
    QCOMPARE(c.protocolMode(), Mode::H2cUpgrade);
    QCOMPARE(c.spec().upgradeToken(), QByteArray("h2c"));
    // An HTTP/3 preset selects the HTTP/3 mode, and leaving it sends over TCP again.
    actions.at(2)->trigger();
    QCOMPARE(c.protocolMode(), Mode::Http3);
    QCOMPARE(c.spec().http3, Http3Mode::Try);
    actions.at(0)->trigger();
    QCOMPARE(c.spec().http3, Http3Mode::Off);

    c.setPresets({});
    QVERIFY(!button->isVisibleTo(&c));
}

void TestRequestComposer::stopAndInFlight()
{
    RequestComposer c;
    auto *stop = c.findChild<QPushButton *>(QStringLiteral("stop"));
    QSignalSpy spy(&c, &RequestComposer::abortRequested);
    c.setInFlight(3);
    QVERIFY(stop->isEnabled());
    QVERIFY(stop->text().contains(QLatin1String("3")));
    stop->click();
    QCOMPARE(spy.count(), 1);
    c.setInFlight(0);
    QVERIFY(!stop->isEnabled());
}

QTEST_MAIN(TestRequestComposer)
#include "tst_requestcomposer.moc"
