#pragma once

#include <QObject>
#include <QString>

class QMainWindow;
class QMenu;
class QMenuBar;

namespace hopscope {

// The Help menu: Keyboard Shortcuts, the README, the trace format, the man pages and About.
// The shortcut list is read from the menu bar's actions when it is shown, so it cannot drift
// from what the keys do. The README and docs/trace-format.md are compiled into the program
// (resources/hopscope.qrc): the packages install neither, and the window shows them wherever
// it runs.
class HelpMenu : public QObject
{
    Q_OBJECT
public:
    // Adds "&Help" to window's menu bar, after the menus already there.
    static QMenu *addTo(QMainWindow *window);

    // Every action of the menu bar's menus that has a shortcut: "Menu ▸ Action", its shortcuts
    // in the platform's words; an HTML table.
    static QString shortcutsHtml(const QMenuBar *bar);
    // The text of an embedded document (":/hopscope/README.md", ":/hopscope/trace-format.md").
    static QString embeddedDocument(const QString &name);

private:
    static void showDocument(QMainWindow *window, const QString &title, const QString &name);
};

} // namespace hopscope
