#pragma once

#include "core/copycommand.h"
#include "core/requestspec.h"

#include <QPersistentModelIndex>
#include <QWidget>

class QAction;
class QLineEdit;
class QMenu;
class QModelIndex;
class QSortFilterProxyModel;
class QTreeView;

namespace hopscope {

class ConnectionFilterProxy;
class ConnectionTreeModel;
class SessionStore;

// The main window's "Connections and streams" pane: the ConnectionTreeModel in a tree, behind a
// filter (recursive: a matching exchange keeps its connection visible, a matching connection
// shows all its exchanges), with Copy URL, Copy as curl / nghttp / hopscope-cli (copycommand),
// Re-send and Open in composer on an exchange's context menu. Connections open
// expanded; the pages of a connection with many exchanges (see StreamPaging) stay collapsed,
// except the one holding the selected exchange and, while a filter is set, those with matches
// (up to kFilterExpandRows rows).
class ConnectionsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectionsPanel(SessionStore *store, QWidget *parent = nullptr);

    ConnectionTreeModel *model() const { return m_model; }
    QSortFilterProxyModel *proxyModel() const;
    // The filter box's tooltip: the syntax (also in the README).
    static QString filterHelp();
    QTreeView *view() const { return m_view; }
    QLineEdit *filterEdit() const { return m_filter; }

    // The exchange / connection of the current row (0 when none or another kind of row).
    quint32 currentExchange() const;
    quint32 currentConnection() const;
    // The exchanges of the current row when it is a page, in row order (else empty).
    QList<quint32> currentPageExchanges() const;

    // While filtering, pages with matches are expanded until they hold this many rows in all.
    static constexpr int kFilterExpandRows = 5000;

    // The command "Copy as <tool>" copies for `req` (engine/core/copycommand over
    // sessionreplay): secrets redacted unless the secrets action is checked. Empty for an
    // unknown req.
    QString copyCommandFor(quint32 req, CopyTool tool) const;
    // The window's "Include cookies and authorization in exports" action (shared with HAR
    // export); the context menu shows it too, so the choice is visible where it applies.
    void setSecretsAction(QAction *action) { m_secretsAction = action; }
    // Off for a saved trace's window: Re-send and Open in composer are disabled.
    void setSendEnabled(bool enabled) { m_sendEnabled = enabled; }
    // A read-only window's Re-send and Open in composer go to a live window: the menu says so.
    void setSendsElsewhere(bool elsewhere) { m_sendsElsewhere = elsewhere; }
    // The context menu for a row of the view (a proxy index; invalid: only Expand/Collapse).
    // The caller owns it; showContextMenu() runs it at the pointer.
    QMenu *createContextMenu(const QModelIndex &proxyIndex);

public slots:
    // Selects the exchange's row and scrolls to it without emitting exchangeSelected (so two
    // views can follow each other without a loop). 0, or a row hidden by the filter, clears the
    // selection; the panel still remembers the request and selects it again when its row shows
    // up (a pending request getting its connection, the filter being cleared).
    void selectExchange(quint32 req);
    void selectConnection(quint32 id);
    void setFilterText(const QString &text);

signals:
    void exchangeSelected(quint32 req);
    void connectionSelected(quint32 id);
    // Re-send: the exchange's request again, as it went on the wire (sessionreplay).
    void resendRequested(const hopscope::RequestSpec &spec);
    // Open in composer: the same request, for the composer's fields.
    void openInComposerRequested(const hopscope::RequestSpec &spec);
    // A connection row, or one of its exchanges, was double-clicked: show that connection's
    // life in the timeline.
    void connectionZoomRequested(quint32 conn);

private:
    void onCurrentRowChanged(const QModelIndex &current);
    void showContextMenu(const QPoint &pos);
    void expandTopLevel(int first, int last);
    // Filtering: expands the pages (proxy rows first..last under a connection) that have
    // matches, within kFilterExpandRows; without a filter, collapses every page but the
    // current row's.
    void expandMatchingPages(const QModelIndex &connection, int first, int last);
    void collapsePages();
    void selectSourceIndex(const QModelIndex &source);
    void restoreCurrent();

    ConnectionTreeModel *m_model = nullptr;
    ConnectionFilterProxy *m_proxy = nullptr;
    QTreeView *m_view = nullptr;
    QLineEdit *m_filter = nullptr;
    bool m_syncing = false;  // selecting programmatically: do not re-emit
    int m_quiet = 0;         // rows being removed or filtered: current-row moves are not the user's
    quint32 m_wantedReq = 0; // what the user or selectExchange() chose; kept across row moves
    quint32 m_wantedConn = 0;
    int m_wantedPage = -1;        // with m_wantedConn: the user chose page m_wantedPage of it
    int m_filterExpandedRows = 0; // rows in the pages the filter expanded
    QPersistentModelIndex m_revealedPage; // proxy page expanded to show the selected exchange
    QAction *m_secretsAction = nullptr;
    bool m_sendEnabled = true;
    bool m_sendsElsewhere = false;
};

} // namespace hopscope
