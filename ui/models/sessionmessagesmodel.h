#pragma once

#include <QAbstractTableModel>
#include <QByteArray>
#include <QString>

#include <vector>

namespace hopscope {

class SessionStore;
struct SessionDelta;
struct TraceEvent;

// The conversation of one session (a WebSocket or a raw tunnel that request `req` opened), as
// rows over the SessionStore's events: messages, pings and pongs, close frames, tunnel chunks,
// errors and how the session ended. Rows are event indices; all text is built in data().
class SessionMessagesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { TimeColumn, DirColumn, KindColumn, SizeColumn, ContentColumn, ColumnCount };

    // What a row is. Kept per row so data() need not compare type strings.
    enum class Kind : quint8 {
        Text,       // ws.message text
        Binary,     // ws.message binary
        Ping,       // ws.frame ping
        Pong,       // ws.frame pong
        Frame,      // any other control/reserved ws.frame worth a row (a reserved opcode)
        Close,      // ws.close
        Unanswered, // ws.close.unanswered
        Data,       // raw.data
        Error,      // error
        Failed,     // request.failed
        End,        // response.complete of a session: it ended normally
    };
    Q_ENUM(Kind)

    enum Role {
        EventIndexRole = Qt::UserRole + 1, // int: index into SessionStore::events()
        KindRole,                          // Kind (as int)
        PayloadRole,   // QByteArray: the row's full payload as traced (decoded base64 / hex)
        IsTextRole,    // bool: the payload is text (ws text, raw text without hex)
        TruncatedRole, // bool: the trace kept only the first part of the payload
        DirectionRole, // int: Direction
    };

    explicit SessionMessagesModel(SessionStore *store, QObject *parent = nullptr);

    // Shows request `req`'s session (0: nothing). Rows appear as the store grows.
    void setExchange(quint32 req);
    quint32 exchange() const { return m_req; }

    int eventIndex(int row) const { return m_rows[size_t(row)].event; }
    Kind kind(int row) const { return m_rows[size_t(row)].kind; }
    // The row's payload, fully decoded (may be up to Limits::maxBodyInMemory bytes).
    QByteArray payload(int row) const;
    bool isError(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // "text", "binary", "ping", "pong", "frame", "close", "close?", "data", "error", "failed",
    // "end".
    static QString kindName(Kind kind);
    // A WebSocket close code's name per RFC 6455 §7.4.1 ("Normal Closure"), empty if unknown.
    static QString closeCodeName(int code);
    // One line with control characters escaped (\n, \t, \xNN) and quotes, cut at maxChars.
    static QString escapedLine(const QString &text, int maxChars = 200);
    // "00 01 02 ff" for the first maxBytes, "…" after when longer.
    static QString hexPreview(const QByteArray &data, int maxBytes = 32);

private:
    struct Row
    {
        int event;
        Kind kind;
    };

    void onChanged(const SessionDelta &delta);
    void onReset();
    // Appends the exchange's events not scanned yet; one insert for the lot.
    void scan();
    static bool classify(const TraceEvent &ev, Kind *kind);
    QString content(const Row &row) const;
    QString size(const Row &row) const;
    QString payloadPreviewText(const TraceEvent &ev, Kind kind) const;

    SessionStore *m_store;
    quint32 m_req = 0;
    int m_scanned = 0; // how many of the exchange's events were looked at
    std::vector<Row> m_rows;
};

} // namespace hopscope
