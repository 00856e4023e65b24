#pragma once

#include <QAbstractItemModel>
#include <QList>
#include <QModelIndexList>
#include <QString>

namespace hopscope {

class SessionStore;
struct SessionDelta;

// The header blocks of one exchange as a tree, in the order they crossed the wire:
//
//   Request · HTTP/1.1, conn #1            GET /headers HTTP/1.1
//       Host                               127.0.0.1:38253
//   Interim response · HTTP/1.1, conn #1   HTTP/1.1 101 Switching Protocols
//   Response · HTTP/2 stream 1, conn #1    HTTP/2 200
//       Pseudo-headers
//           :status                        200
//       content-type                       application/json
//
// One top-level row per header event (h1.request, h1.response, h1.trailers, h2.headers) of the
// exchange, so an h2c upgrade shows its HTTP/1.1 request, the 101 and the HTTP/2 response, and
// a retried request shows both attempts. Fields stay in wire order; HTTP/2 pseudo-headers sit in
// a "Pseudo-headers" group first. Blocks only ever get appended: the model follows
// SessionStore::changed with one beginInsertRows per batch. Rows are indexes into the store's
// events; text is built in data() only.
class HeadersModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, ValueColumn, ColumnCount };
    enum class BlockKind { Request, Interim, Response, Trailers };
    enum class RowKind { Block, PseudoGroup, Field, PseudoField };
    enum Role {
        RowKindRole = Qt::UserRole + 1, // RowKind as int
        BlockKindRole,                  // BlockKind as int (every row: its block's kind)
        NameRole,                       // field name / block title
        ValueRole,                      // field value / block first line
        BlockTextRole,                  // the block as text (blockText()), on any row
        EventIndexRole,                 // the block's index in SessionStore::events()
    };

    explicit HeadersModel(SessionStore *store, QObject *parent = nullptr);

    // Shows exchange `req` (0: none). Resets the model.
    void setExchange(quint32 req);
    quint32 exchange() const { return m_req; }

    int blockCount() const { return int(m_blocks.size()); }
    BlockKind blockKind(int block) const { return m_blocks.at(block).kind; }
    QModelIndex blockIndex(int block, int column = 0) const;
    // The first block of that kind, or an invalid index.
    QModelIndex firstBlock(BlockKind kind) const;
    // "GET /headers HTTP/1.1", "HTTP/1.1 101 Switching Protocols", "HTTP/2 200".
    QString firstLine(int block) const;
    // "Request · HTTP/1.1, conn #1", "Response · HTTP/2 stream 1, conn #1".
    QString blockTitle(int block) const;
    // The whole block: for HTTP/1.1 the exact wire text (first line, fields, CRLF line ends and
    // the blank line); for HTTP/2 the decoded fields as "name: value" lines, pseudo-headers
    // included, the way nghttp -v prints them.
    QString blockText(int block) const;
    // Selected rows as "Name: value" lines, in tree order; a selected block or pseudo group
    // contributes all its fields (a block its first line too). Duplicates (several columns of a
    // row) count once.
    QString textForRows(const QModelIndexList &indexes) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    struct Block
    {
        int event = -1; // index into SessionStore::events()
        BlockKind kind = BlockKind::Request;
        bool h2 = false;
        QList<int> pseudo;  // indexes into the event's "headers" array
        QList<int> regular; // same, the others, wire order
    };

    void onChanged(const SessionDelta &delta);
    void onReset();
    void scanNewEvents(bool notify);
    bool makeBlock(int eventIndex, Block &block) const;

    // The node an index stands for, decoded from its internal id.
    struct Node
    {
        RowKind kind;
        int block;
        int field; // position in Block::pseudo or Block::regular; -1 for groups
    };
    Node node(const QModelIndex &index) const;
    static quintptr nodeId(RowKind kind, int block, int field);

    QString fieldName(const Block &b, int wireIndex) const;
    QString fieldValue(const Block &b, int wireIndex) const;
    void appendBlockLines(const Block &b, bool withFirstLine, QStringList &lines) const;

    SessionStore *m_store = nullptr;
    quint32 m_req = 0;
    int m_scannedEvents = 0; // how much of the exchange's event list was looked at
    QList<Block> m_blocks;
};

} // namespace hopscope
