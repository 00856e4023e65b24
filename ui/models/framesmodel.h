#pragma once

#include <QAbstractTableModel>
#include <QList>

namespace hopscope {

class SessionStore;
struct SessionDelta;
struct TraceEvent;

// The HTTP/2 frames of one exchange's stream (h2.frame events on its connection with its
// stream id), optionally interleaved with the connection's stream-0 frames (SETTINGS,
// WINDOW_UPDATE, PING, GOAWAY) that shaped it. Rows are indexes into SessionStore::events();
// text is built in data(). Empty for an exchange that is not an HTTP/2 stream.
class FramesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        TimeColumn,   // ms since the exchange's request.start
        DirColumn,    // → sent, ← received
        StreamColumn, // stream id (0 for connection frames)
        FrameColumn,  // DATA, HEADERS, …
        FlagsColumn,  // END_STREAM END_HEADERS …
        LengthColumn, // payload bytes
        DetailsColumn,
        ColumnCount
    };
    enum Role {
        EventIndexRole = Qt::UserRole + 1, // int: index into SessionStore::events()
        ProblemRole,                       // bool: discarded or invalid
        StreamRole,                        // int
    };

    explicit FramesModel(SessionStore *store, QObject *parent = nullptr);

    // Shows exchange `req` (0: none). Resets the model.
    void setExchange(quint32 req);
    quint32 exchange() const { return m_req; }
    // Whether the exchange is (or became) an HTTP/2 stream: false means the model stays empty.
    bool isHttp2() const { return m_stream >= 0 && m_conn != 0; }
    void setIncludeConnectionFrames(bool include);
    bool includeConnectionFrames() const { return m_includeConnection; }

    int eventIndex(int row) const { return m_rows.at(row); }
    // "MAX_CONCURRENT_STREAMS=100, INITIAL_WINDOW_SIZE=16777216", "+1073676289", …
    static QString details(const TraceEvent &ev);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void onChanged(const SessionDelta &delta);
    void onReset();
    void rebuild();
    bool wanted(const TraceEvent &ev) const;

    SessionStore *m_store = nullptr;
    quint32 m_req = 0;
    quint32 m_conn = 0; // as last seen; a change means a rebuild
    qint32 m_stream = -1;
    qint64 m_originNs = 0; // time zero of the Time column
    bool m_includeConnection = false;
    QList<int> m_rows;
};

} // namespace hopscope
