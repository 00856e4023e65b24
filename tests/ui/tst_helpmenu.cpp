// Help (issue 14, point 12): the shortcut list comes from the actions themselves, and the
// README and the trace format are in the program.

#include "mainwindow.h"
#include "widgets/helpmenu.h"

#include <QAction>
#include <QDialog>
#include <QDir>
#include <QMenu>
#include <QMenuBar>
#include <QStandardPaths>
#include <QTest>
#include <QTextBrowser>

using namespace hopscope;

class TestHelpMenu : public QObject
{
    Q_OBJECT

    static std::unique_ptr<MainWindow> window()
    {
        MainWindow::Options options;
        options.startDemo = false;
        options.restoreSettings = false;
        return std::make_unique<MainWindow>(options);
    }

    static QAction *find(const QMenuBar *bar, const QString &objectName)
    {
        for (QAction *top : bar->actions())
            if (top->menu())
                for (QAction *a : top->menu()->actions())
                    if (a->objectName() == objectName)
                        return a;
        return nullptr;
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    // Every menu action with a shortcut is listed with its keys: the list cannot drift.
    void shortcutsComeFromTheActions()
    {
        const auto w = window();
        const QString html = HelpMenu::shortcutsHtml(w->menuBar());
        int withKeys = 0;
        for (const QAction *top : w->menuBar()->actions()) {
            for (const QAction *a : top->menu()->actions()) {
                if (a->shortcuts().isEmpty())
                    continue;
                ++withKeys;
                for (const QKeySequence &key : a->shortcuts())
                    QVERIFY2(html.contains(key.toString(QKeySequence::NativeText).toHtmlEscaped()),
                             qPrintable(key.toString()));
            }
        }
        QVERIFY(withKeys >= 8);
        QVERIFY(html.contains(QStringLiteral("Request ▸ Send")));
        QVERIFY(html.contains(QStringLiteral("Request ▸ Abort all")));
        QVERIFY(html.contains(QStringLiteral("File ▸ Open…")));
        QVERIFY(html.contains(QStringLiteral("File ▸ Save session as…")));
        QVERIFY(html.contains(QStringLiteral("View ▸ Find in trace log")));
        QVERIFY(!html.contains(QLatin1Char('&') + QStringLiteral("Send")));

        // A shortcut added later is in the list without touching the Help menu.
        QMenu *view = w->menuBar()->actions().at(2)->menu();
        QAction *extra = view->addAction(QStringLiteral("Something &new"));
        extra->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_J));
        QVERIFY(HelpMenu::shortcutsHtml(w->menuBar()).contains(QStringLiteral("Something new")));
    }

    void documentsAreBuiltIn()
    {
        QVERIFY(HelpMenu::embeddedDocument(QStringLiteral(":/hopscope/README.md"))
                    .startsWith(QStringLiteral("# Hopscope")));
        QVERIFY(HelpMenu::embeddedDocument(QStringLiteral(":/hopscope/trace-format.md"))
                    .contains(QStringLiteral("request.start")));
    }

    void shortcutsDialogOpens()
    {
        const auto w = window();
        w->resize(1024, 700);
        w->show();
        QAction *keys = find(w->menuBar(), QStringLiteral("helpShortcuts"));
        QVERIFY(keys);
        keys->trigger();
        auto *dialog = w->findChild<QDialog *>(QStringLiteral("shortcutsDialog"));
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        const QString text = dialog->findChild<QTextBrowser *>()->toPlainText();
        QVERIFY2(text.contains(QStringLiteral("Request ▸ Send")), qPrintable(text));
        QVERIFY(dialog->grab().save(
            QDir(QCoreApplication::applicationDirPath()).filePath("helpmenu-shortcuts.png")));
        dialog->close();
    }
};

QTEST_MAIN(TestHelpMenu)
#include "tst_helpmenu.moc"
