#pragma once

#include "models/tracefilter.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableView;
class QTimer;

namespace hopscope {

class SessionCounts;

class SessionStore;
class TraceLogModel;
struct SessionDelta;

// The trace log: every event of the session in a table (TraceLogModel), with a filter bar
// (connection, stream, kind of event, Find text) and "Follow", which keeps the newest row in
// view until the user scrolls away from the bottom (scrolling back to the bottom resumes it).
class TraceLogPanel : public QWidget
{
    Q_OBJECT
public:
    // The kinds of event the type combo offers, in its order.
    enum class Kind {
        All,
        Http1,
        Http2,
        Upgrades,
        WebSocket,
        RawTunnel,
        NetIo,
        Connections,
        Requests,
        Errors
    };

    explicit TraceLogPanel(SessionStore *store, QWidget *parent = nullptr);
    // The window's counts owner: the header's total ("N of M events") is its event count, and
    // it is refreshed whenever the counts change, not only when filtered rows arrive.
    void setCounts(const SessionCounts *counts);
    QString countText() const;
    // What the empty table says ("No events match the filter (132 hidden)."); empty while it
    // has rows.
    QString emptyText() const;

    TraceLogModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }

    // Focuses the Find field with its text selected (the main window binds Ctrl+F to it).
    void focusFind();
    // Scrolls to the first event of request `req` and selects it, leaving the filter alone (the
    // connection's frames around it stay in view); when the filter hides that event, the next
    // row shown is selected. Turns Follow off so the position stays.
    void showExchange(quint32 req);
    // Selects and scrolls to one event (or the next row shown after it).
    void showTraceEvent(int eventIndex);

    // The filter bar, also for code (tests, a "filter to this connection" action elsewhere).
    void setConnectionFilter(quint32 conn); // 0 = all
    void setStreamFilter(qint32 stream);    // -1 = any
    void setKindFilter(Kind kind);
    void setFindText(const QString &text); // applied at once (typing waits ~150 ms)
    void setFollow(bool follow);
    bool follows() const;
    // The filter the bar describes (what the model applies).
    TraceFilter currentFilter() const;
    // The type prefixes / exact types of a kind (empty for All and Errors).
    static QStringList typesOf(Kind kind);

signals:
    // Double-click or Enter on a row: its index into SessionStore::events().
    void eventActivated(int eventIndex);
    // The same activation, when the event belongs to a request.
    void exchangeActivated(quint32 req);
    // The selected row changed (-1: none), for a detail pane that follows the selection.
    void currentEventChanged(int eventIndex);

private:
    void buildFilterBar();
    void applyFilter();
    void onStoreChanged(const SessionDelta &delta);
    void resetConnections();
    void addConnections(int from);
    void onRowsInserted();
    void onUserScrolled();
    void activateRow(const QModelIndex &index);
    void updateCount();
    void showContextMenu(const QPoint &pos);
    void copySelection();

    SessionStore *m_store;
    const SessionCounts *m_counts = nullptr;
    TraceLogModel *m_model;
    QTableView *m_view;
    QComboBox *m_connCombo;
    QSpinBox *m_streamSpin;
    QComboBox *m_kindCombo;
    QLineEdit *m_findEdit;
    QCheckBox *m_followCheck;
    QLabel *m_countLabel;
    QLabel *m_emptyLabel = nullptr; // over the table while it has no rows
    QTimer *m_findDelay;
    QTimer *m_followTimer; // coalesces scrollToBottom() to once per event-loop turn
    bool m_applying = false;
};

} // namespace hopscope
