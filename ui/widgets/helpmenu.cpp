#include "widgets/helpmenu.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QRegularExpression>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace hopscope {

namespace {

QString plainText(QString menuText)
{
    menuText.remove(QRegularExpression(QStringLiteral("&(?!&)")));
    return menuText.replace(QStringLiteral("&&"), QStringLiteral("&"));
}

void collect(const QMenu *menu, const QString &path, QStringList *rows)
{
    for (const QAction *action : menu->actions()) {
        if (action->isSeparator() || !action->isVisible())
            continue; // File ▸ Clear session is hidden in a saved trace's window
        const QString name = path + QStringLiteral(" ▸ ") + plainText(action->text());
        if (action->menu()) {
            collect(action->menu(), name, rows);
            continue;
        }
        QStringList keys;
        for (const QKeySequence &key : action->shortcuts())
            keys << key.toString(QKeySequence::NativeText).toHtmlEscaped();
        if (keys.isEmpty())
            continue;
        *rows << QStringLiteral("<tr><td>%1</td><td><b>%2</b></td></tr>")
                     .arg(name.toHtmlEscaped(), keys.join(QStringLiteral(", ")));
    }
}

QDialog *textDialog(QMainWindow *window, const QString &title, const QString &objectName)
{
    auto *dialog = new QDialog(window);
    dialog->setObjectName(objectName);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(title);
    auto *layout = new QVBoxLayout(dialog);
    auto *browser = new QTextBrowser(dialog);
    browser->setOpenExternalLinks(true);
    layout->addWidget(browser);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    return dialog;
}

} // namespace

QString HelpMenu::shortcutsHtml(const QMenuBar *bar)
{
    QStringList rows;
    for (const QAction *top : bar->actions())
        if (top->menu())
            collect(top->menu(), plainText(top->text()), &rows);
    return QStringLiteral("<table cellpadding='4'>%1</table>").arg(rows.join(QString()));
}

QString HelpMenu::embeddedDocument(const QString &name)
{
    QFile file(name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

void HelpMenu::showDocument(QMainWindow *window, const QString &title, const QString &name)
{
    QDialog *dialog = textDialog(window, title, QStringLiteral("documentDialog"));
    auto *browser = dialog->findChild<QTextBrowser *>();
    browser->setMarkdown(embeddedDocument(name));
    dialog->resize(window->size() * 3 / 4);
    dialog->show();
}

QMenu *HelpMenu::addTo(QMainWindow *window)
{
    QMenu *help = window->menuBar()->addMenu(tr("&Help"));
    QAction *keys = help->addAction(tr("&Keyboard Shortcuts"), window, [window] {
        QDialog *dialog =
            textDialog(window, tr("Keyboard Shortcuts"), QStringLiteral("shortcutsDialog"));
        // Also the keys that belong to one pane and so are no menu entry.
        const QString panes =
            tr("<p>In the timeline: Ctrl+wheel zooms, drag pans, <b>F</b> fits, <b>I</b> "
               "compresses idle time, a click selects a stream everywhere, a double-click on a "
               "lane zooms to that connection (so does a double-click on a connection's row in "
               "the tree). In the connection filter: <b>status:404</b>, <b>path:/x</b>, "
               "<b>proto:h2c</b>, <b>conn:3</b>, <b>method:POST</b>, and plain words. In the "
               "trace log: <b>Enter</b> shows the event's exchange, <b>%1</b> copies the "
               "selected events.</p>")
                .arg(QKeySequence(QKeySequence::Copy).toString(QKeySequence::NativeText));
        dialog->findChild<QTextBrowser *>()->setHtml(shortcutsHtml(window->menuBar()) + panes);
        dialog->resize(560, 520);
        dialog->show();
    });
    keys->setObjectName(QStringLiteral("helpShortcuts"));
    help->addAction(tr("&README"), window, [window] {
        showDocument(window, tr("Hopscope README"), QStringLiteral(":/hopscope/README.md"));
    });
    help->addAction(tr("The &Trace Format"), window, [window] {
        showDocument(window, tr("The trace format"), QStringLiteral(":/hopscope/trace-format.md"));
    });
    help->addAction(tr("&Manual Pages"), window, [window] {
        QMessageBox::information(
            window, tr("Manual pages"),
            tr("<p>The packages install two manual pages:</p>"
               "<p><code>man hopscope</code> — this window, its options and exit status<br>"
               "<code>man hopscope-cli</code> — the command line, its flags, "
               "<code>--trace-json</code> and exit codes</p>"
               "<p>Help ▸ README and Help ▸ The Trace Format show the project's own documents "
               "(README.md and docs/trace-format.md in the source tree).</p>"));
    });
    help->addSeparator();
    help->addAction(tr("&About Hopscope"), window, [window] {
        QMessageBox::about(
            window, tr("About Hopscope"),
            tr("<b>Hopscope %1</b><p>Watch HTTP connections change protocol: h2c upgrades, "
               "ALPN, <code>Upgrade: h2</code> advertisements, WebSocket and custom upgrades, "
               "frame by frame.</p><p>Help ▸ Keyboard Shortcuts lists the keys.</p>")
                .arg(QStringLiteral(HOPSCOPE_VERSION)));
    });
    return help;
}

} // namespace hopscope
