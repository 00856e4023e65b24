#pragma once

#include "models/tracefilter.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QFont>

#include <vector>

namespace hopscope {

class SessionStore;
struct SessionDelta;

// Every trace event of the session, one row each, optionally filtered (Wireshark's packet list:
// the store's flat event list plus, only while a filter is set, a vector of the matching event
// indices). Text is built in data() only. A batch from the store becomes one beginInsertRows;
// only the batch's new events are matched against the filter.
class TraceLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        SeqColumn,     // the event's seq
        TimeColumn,    // ms since the trace started, 3 decimals
        ConnColumn,    // connection id, empty when none
        ReqColumn,     // request number, empty when none
        StreamColumn,  // HTTP/2 stream id, empty when none
        DirColumn,     // → out, ← in
        TypeColumn,    // "h2.frame"
        SummaryColumn, // eventSummary()
        ColumnCount
    };
    enum Role {
        EventIndexRole = Qt::UserRole + 1, // int: index into SessionStore::events()
        RequestRole,                       // quint32: the event's req, 0 when none
        ConnectionRole,                    // quint32: the event's conn, 0 when none
        StreamRole,                        // int: the event's stream, -1 when none
        IsErrorRole,                       // bool: isErrorEvent() || isWarningEvent()
    };

    explicit TraceLogModel(SessionStore *store, QObject *parent = nullptr);

    SessionStore *store() const { return m_store; }

    // Rebuilds the row index (a model reset). Narrowing the text of the current filter re-checks
    // only the rows shown; anything else scans every event.
    void setFilter(const TraceFilter &filter);
    const TraceFilter &filter() const { return m_filter; }
    bool isFiltered() const { return m_filtered; }

    // Row <-> event index. eventIndex() is -1 for a row out of range; rowForEvent() is -1 when
    // the event is not shown; nearestRowForEvent() gives the first row at or after the event
    // (else the last row), -1 only when there are no rows.
    int eventIndex(int row) const;
    int rowForEvent(int eventIndex) const;
    int nearestRowForEvent(int eventIndex) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

signals:
    void filterChanged();

private:
    void onChanged(const SessionDelta &delta);
    void onReset();
    void rebuild(const std::vector<int> *candidates);
    QVariant foreground(const TraceEvent &ev) const;

    SessionStore *m_store;
    TraceFilter m_filter;
    bool m_filtered = false;
    int m_known = 0;         // store events this model has taken in (the unfiltered row count)
    std::vector<int> m_rows; // while filtered: matching event indices, ascending
    QFont m_mono, m_bold, m_boldMono;
};

} // namespace hopscope
