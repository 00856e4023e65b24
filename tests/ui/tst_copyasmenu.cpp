// The exchange context menu of the connections tree on a real window after the demo tour:
// Copy as curl / nghttp / hopscope-cli put the builder's command on the clipboard, the secrets
// option shared with HAR export decides redaction, Re-send adds an exchange that went out like
// the original, Open in composer fills the composer's fields, and a read-only window sends
// nothing.

#include "mainwindow.h"
#include "models/connectiontreemodel.h"
#include "models/headerstablemodel.h"
#include "session/sessionreplay.h"
#include "session/sessionstore.h"
#include "widgets/connectionspanel.h"
#include "widgets/requestcomposer.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QMenu>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTest>

#include <memory>

using namespace hopscope;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(hopscope::ReplayMode)

namespace {

QAction *actionNamed(QMenu *menu, const QString &name)
{
    for (QAction *a : menu->actions()) {
        if (a->objectName() == name)
            return a;
    }
    return nullptr;
}

std::unique_ptr<QMenu> menuFor(ConnectionsPanel *panel, quint32 req)
{
    const QModelIndex source = panel->model()->indexForExchange(req);
    return std::unique_ptr<QMenu>(
        panel->createContextMenu(panel->proxyModel()->mapFromSource(source)));
}

} // namespace

class TestCopyAsMenu : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase() { m_window.reset(); }
    void copyCommands_data();
    void copyCommands();
    void secretsFollowTheExportOption();
    void resendSendsTheSameRequest_data();
    void resendSendsTheSameRequest();
    void openInComposerFillsTheFields();
    void readOnlyWindowSendsNothing();

private:
    std::unique_ptr<MainWindow> m_window;
};

void TestCopyAsMenu::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    MainWindow::Options options;
    options.runTour = true;
    options.restoreSettings = false;
    m_window = std::make_unique<MainWindow>(options);
    m_window->resize(1400, 900);
    m_window->show();
    QSignalSpy finished(m_window.get(), &MainWindow::tourFinished);
    QVERIFY(finished.wait(30000));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->store()->completeCount(), 9, 5000);
}

void TestCopyAsMenu::copyCommands_data()
{
    QTest::addColumn<quint32>("req");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("start");
    // The tour: 1 h2c upgrade, 4 TLS HTTP/1.1, 5 TLS h2 (the followed Upgrade: h2), 6 WebSocket.
    QTest::newRow("h2c curl") << 1u << u"copyAs-curl"_s << u"curl --http2 "_s;
    QTest::newRow("h2c nghttp") << 1u << u"copyAs-nghttp"_s << u"nghttp -v -u "_s;
    QTest::newRow("h2c cli") << 1u << u"copyAs-hopscope-cli"_s << u"hopscope-cli --h2c "_s;
    QTest::newRow("tls http/1.1 nghttp")
        << 4u << u"copyAs-nghttp"_s << u"# nghttp speaks only HTTP/2"_s;
    QTest::newRow("tls h2 cli") << 5u << u"copyAs-hopscope-cli"_s << u"hopscope-cli --http2 "_s;
    QTest::newRow("websocket cli") << 6u << u"copyAs-hopscope-cli"_s << u"hopscope-cli "_s;
}

void TestCopyAsMenu::copyCommands()
{
    QFETCH(quint32, req);
    QFETCH(QString, action);
    QFETCH(QString, start);
    ConnectionsPanel *panel = m_window->connectionsPanel();
    const auto menu = menuFor(panel, req);
    QAction *copy = actionNamed(menu.get(), action);
    QVERIFY(copy);
    QGuiApplication::clipboard()->clear();
    copy->trigger();
    const QString text = QGuiApplication::clipboard()->text();
    QVERIFY2(text.startsWith(start), qPrintable(text));
    const std::optional<ReplayRequest> r = replayRequestOf(*m_window->store(), req);
    QVERIFY(r);
    const CopyTool tool = action == u"copyAs-curl"_s     ? CopyTool::Curl
                          : action == u"copyAs-nghttp"_s ? CopyTool::Nghttp
                                                         : CopyTool::HopscopeCli;
    QCOMPARE(text, copyCommand(*r, tool));
    if (!text.startsWith(u'#')) // a command, not the note that there is none
        QVERIFY(text.contains(m_window->store()->exchange(req)->url.section(u'/', 3)));
}

void TestCopyAsMenu::secretsFollowTheExportOption()
{
    // A request with a secret, sent from the composer (HTTP/2: the head has lowercase names).
    MainWindow &w = *m_window;
    SessionStore *store = w.store();
    const int before = store->exchangeCount();
    w.composer()->setUrl(store->exchange(1)->url);
    w.composer()->setProtocolMode(ProtocolChoice::H2cPrior);
    w.composer()->headersModel()->setHeaders({{"Authorization", "Bearer tok-9"}});
    w.composer()->send();
    QTRY_COMPARE_WITH_TIMEOUT(store->exchangeCount(), before + 1, 10000);
    const quint32 req = quint32(before + 1);
    QTRY_VERIFY_WITH_TIMEOUT(store->exchange(req)->state != ExchangeInfo::State::Running, 10000);

    ConnectionsPanel *panel = w.connectionsPanel();
    QAction *secrets = w.harSecretsAction();
    QVERIFY(!secrets->isChecked());
    const auto menu = menuFor(panel, req);
    QVERIFY(menu->actions().contains(secrets)); // the option shows where it applies
    actionNamed(menu.get(), u"copyAs-curl"_s)->trigger();
    const QString redacted = QGuiApplication::clipboard()->text();
    QVERIFY2(redacted.contains(u"-H 'authorization: [redacted]'"_s), qPrintable(redacted));
    QVERIFY(!redacted.contains(u"tok-9"_s));
    secrets->setChecked(true);
    actionNamed(menu.get(), u"copyAs-curl"_s)->trigger();
    const QString shown = QGuiApplication::clipboard()->text();
    QVERIFY2(shown.contains(u"-H 'authorization: Bearer tok-9'"_s), qPrintable(shown));
    secrets->setChecked(false);
    w.composer()->headersModel()->setHeaders({});
}

void TestCopyAsMenu::resendSendsTheSameRequest_data()
{
    QTest::addColumn<quint32>("req");
    QTest::addColumn<ReplayMode>("mode");
    QTest::newRow("h2c upgrade") << 1u << ReplayMode::H2cUpgrade;
    QTest::newRow("TLS HTTP/1.1") << 4u << ReplayMode::TlsHttp1;
    QTest::newRow("TLS h2") << 5u << ReplayMode::TlsH2;
}

void TestCopyAsMenu::resendSendsTheSameRequest()
{
    QFETCH(quint32, req);
    QFETCH(ReplayMode, mode);
    SessionStore *store = m_window->store();
    ConnectionsPanel *panel = m_window->connectionsPanel();
    const int before = store->exchangeCount();
    QSignalSpy resent(panel, &ConnectionsPanel::resendRequested);
    const auto menu = menuFor(panel, req);
    QAction *resend = actionNamed(menu.get(), u"resend"_s);
    QVERIFY(resend && resend->isEnabled());
    resend->trigger();
    QCOMPARE(resent.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(store->exchangeCount(), before + 1, 10000);
    const quint32 again = quint32(before + 1);
    QTRY_VERIFY_WITH_TIMEOUT(store->exchange(again)->state == ExchangeInfo::State::Complete, 10000);
    const std::optional<ReplayRequest> original = replayRequestOf(*store, req);
    const std::optional<ReplayRequest> copy = replayRequestOf(*store, again);
    QVERIFY(original && copy);
    QCOMPARE(copy->url, original->url);
    QCOMPARE(copy->method, original->method);
    QCOMPARE(original->mode, mode);
    QCOMPARE(copy->mode, mode);
    QCOMPARE(replayHeaders(*copy), replayHeaders(*original));
    QCOMPARE(store->exchange(again)->status, store->exchange(req)->status);
}

void TestCopyAsMenu::openInComposerFillsTheFields()
{
    MainWindow &w = *m_window;
    ConnectionsPanel *panel = w.connectionsPanel();
    RequestComposer *composer = w.composer();
    composer->setUrl(u"http://example.invalid/"_s);
    composer->setProtocolMode(ProtocolChoice::Auto);
    const auto menu = menuFor(panel, 4); // TLS HTTP/1.1
    QAction *open = actionNamed(menu.get(), u"openInComposer"_s);
    QVERIFY(open && open->isEnabled());
    open->trigger();
    QCOMPARE(composer->url(), w.store()->exchange(4)->url);
    QCOMPARE(composer->protocolMode(), ProtocolChoice::Http1Only);
    QCOMPARE(composer->spec().method, QByteArray("GET"));
    const std::optional<ReplayRequest> r = replayRequestOf(*w.store(), 4);
    QVERIFY(r);
    QCOMPARE(composer->headersModel()->headers(), replayHeaders(*r));
    QVERIFY(composer->validationError().isEmpty());
}

void TestCopyAsMenu::readOnlyWindowSendsNothing()
{
    ConnectionsPanel *panel = m_window->connectionsPanel();
    panel->setSendEnabled(false);
    const auto menu = menuFor(panel, 1);
    QVERIFY(!actionNamed(menu.get(), u"resend"_s)->isEnabled());
    QVERIFY(!actionNamed(menu.get(), u"openInComposer"_s)->isEnabled());
    QVERIFY(actionNamed(menu.get(), u"copyAs-curl"_s)->isEnabled());
    panel->setSendEnabled(true);
}

QTEST_MAIN(TestCopyAsMenu)
#include "tst_copyasmenu.moc"
