#include "models/headersmodel.h"

#include "session/sessionstore.h"
#include "style/protocolstyle.h"

#include <QFont>
#include <QSet>

#include <algorithm>

namespace hopscope {

namespace {

constexpr int kKindBits = 2;
constexpr int kBlockBits = 16;

bool isHeaderEvent(const TraceEvent &ev)
{
    return ev.is(EventType::H1Request) || ev.is(EventType::H1Response) ||
           ev.is(EventType::H1Trailers) || ev.is(EventType::H2Headers) ||
           ev.is(EventType::H3Headers);
}

FieldValue headersOf(const TraceEvent &ev)
{
    return ev.field(Field::Headers);
}

QString str(const TraceEvent &ev, Field key)
{
    return ev.field(key).toString();
}

// HTTP/2 has no reason phrase; these make the interim titles readable.
QString reasonFor(int status)
{
    switch (status) {
    case 100:
        return QStringLiteral("Continue");
    case 101:
        return QStringLiteral("Switching Protocols");
    case 102:
        return QStringLiteral("Processing");
    case 103:
        return QStringLiteral("Early Hints");
    default:
        return {};
    }
}

QString pseudoValue(FieldValue headers, QByteArrayView name)
{
    for (const FieldValue p : headers) {
        if (p.at(0).toUtf8() == name)
            return p.at(1).toString();
    }
    return {};
}

QString headerLine(FieldValue p)
{
    return p.at(0).toString() + QLatin1String(": ") + p.at(1).toString();
}

// "HTTP/2", or "HTTP/3" for a header block of an h3 exchange (an imported HAR's: the trace
// carries HTTP/3 heads as h2.headers).
QString headerBlockProtocol(const SessionStore *store, const TraceEvent &ev)
{
    const ExchangeInfo *x = store->exchange(ev.scope.req);
    return x && x->protocol == QLatin1String("h3") ? QStringLiteral("HTTP/3")
                                                   : QStringLiteral("HTTP/2");
}

} // namespace

HeadersModel::HeadersModel(SessionStore *store, QObject *parent)
    : QAbstractItemModel(parent), m_store(store)
{
    connect(m_store, &SessionStore::changed, this, &HeadersModel::onChanged);
    connect(m_store, &SessionStore::reset, this, &HeadersModel::onReset);
}

void HeadersModel::setExchange(quint32 req)
{
    beginResetModel();
    m_req = req;
    m_blocks.clear();
    m_scannedEvents = 0;
    scanNewEvents(false);
    endResetModel();
}

void HeadersModel::onReset()
{
    beginResetModel();
    m_req = 0;
    m_blocks.clear();
    m_scannedEvents = 0;
    endResetModel();
}

void HeadersModel::onChanged(const SessionDelta &delta)
{
    if (m_req == 0)
        return;
    if (delta.changedExchanges.contains(m_req) || delta.newExchanges.contains(m_req))
        scanNewEvents(true);
}

// Looks at the exchange's events not seen yet and appends their header blocks, with one
// beginInsertRows for the whole batch.
void HeadersModel::scanNewEvents(bool notify)
{
    const ExchangeInfo *ex = m_req ? m_store->exchange(m_req) : nullptr;
    if (!ex)
        return;
    QList<Block> fresh;
    for (int i = m_scannedEvents; i < ex->events.size(); ++i) {
        Block b;
        if (makeBlock(ex->events.at(i), b))
            fresh.append(std::move(b));
    }
    m_scannedEvents = int(ex->events.size());
    if (fresh.isEmpty())
        return;
    const int first = int(m_blocks.size());
    if (notify)
        beginInsertRows({}, first, first + int(fresh.size()) - 1);
    m_blocks.append(std::move(fresh));
    if (notify)
        endInsertRows();
}

bool HeadersModel::makeBlock(int eventIndex, Block &block) const
{
    const TraceEvent &ev = m_store->event(eventIndex);
    if (!isHeaderEvent(ev))
        return false;
    block.event = eventIndex;
    block.h2 = ev.is(EventType::H2Headers) || ev.is(EventType::H3Headers);
    if (ev.is(EventType::H1Request)) {
        block.kind = BlockKind::Request;
    } else if (ev.is(EventType::H1Response)) {
        const int status = int(ev.field(Field::Status).toInteger());
        block.kind = status >= 100 && status < 200 ? BlockKind::Interim : BlockKind::Response;
    } else if (ev.is(EventType::H1Trailers)) {
        block.kind = BlockKind::Trailers;
    } else {
        const QString kind = str(ev, Field::Kind);
        if (kind == QLatin1String("request"))
            block.kind = BlockKind::Request;
        else if (kind == QLatin1String("interim"))
            block.kind = BlockKind::Interim;
        else if (kind == QLatin1String("trailers"))
            block.kind = BlockKind::Trailers;
        else
            block.kind = BlockKind::Response;
    }
    int i = 0;
    for (const FieldValue h : headersOf(ev)) {
        if (block.h2 && h.at(0).toUtf8().startsWith(':'))
            block.pseudo.append(i++);
        else
            block.regular.append(i++);
    }
    return true;
}

quintptr HeadersModel::nodeId(RowKind kind, int block, int field)
{
    return (quintptr(field + 1) << (kKindBits + kBlockBits)) | (quintptr(block) << kKindBits) |
           quintptr(kind);
}

HeadersModel::Node HeadersModel::node(const QModelIndex &index) const
{
    const quintptr id = index.internalId();
    return Node{RowKind(id & ((1u << kKindBits) - 1)),
                int((id >> kKindBits) & ((1u << kBlockBits) - 1)),
                int(id >> (kKindBits + kBlockBits)) - 1};
}

QModelIndex HeadersModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || row >= rowCount(parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, nodeId(RowKind::Block, row, -1));
    const Node p = node(parent);
    if (p.kind == RowKind::PseudoGroup)
        return createIndex(row, column, nodeId(RowKind::PseudoField, p.block, row));
    // Children of a block: the pseudo group first (when there is one), then the fields.
    const Block &b = m_blocks.at(p.block);
    if (!b.pseudo.isEmpty()) {
        if (row == 0)
            return createIndex(row, column, nodeId(RowKind::PseudoGroup, p.block, -1));
        return createIndex(row, column, nodeId(RowKind::Field, p.block, row - 1));
    }
    return createIndex(row, column, nodeId(RowKind::Field, p.block, row));
}

QModelIndex HeadersModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const Node n = node(child);
    switch (n.kind) {
    case RowKind::Block:
        return {};
    case RowKind::PseudoGroup:
    case RowKind::Field:
        return createIndex(n.block, 0, nodeId(RowKind::Block, n.block, -1));
    case RowKind::PseudoField:
        return createIndex(0, 0, nodeId(RowKind::PseudoGroup, n.block, -1));
    }
    return {};
}

int HeadersModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_blocks.size());
    if (parent.column() != 0)
        return 0;
    const Node n = node(parent);
    const Block &b = m_blocks.at(n.block);
    switch (n.kind) {
    case RowKind::Block:
        return int(b.regular.size()) + (b.pseudo.isEmpty() ? 0 : 1);
    case RowKind::PseudoGroup:
        return int(b.pseudo.size());
    default:
        return 0;
    }
}

int HeadersModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QModelIndex HeadersModel::blockIndex(int block, int column) const
{
    return index(block, column);
}

QModelIndex HeadersModel::firstBlock(BlockKind kind) const
{
    for (int i = 0; i < m_blocks.size(); ++i)
        if (m_blocks.at(i).kind == kind)
            return index(i, 0);
    return {};
}

QString HeadersModel::fieldName(const Block &b, int wireIndex) const
{
    return headersOf(m_store->event(b.event)).at(wireIndex).at(0).toString();
}

QString HeadersModel::fieldValue(const Block &b, int wireIndex) const
{
    return headersOf(m_store->event(b.event)).at(wireIndex).at(1).toString();
}

QString HeadersModel::firstLine(int block) const
{
    const Block &b = m_blocks.at(block);
    const TraceEvent &ev = m_store->event(b.event);
    if (ev.is(EventType::H1Request))
        return QStringLiteral("%1 %2 %3")
            .arg(str(ev, Field::Method), str(ev, Field::Target), str(ev, Field::Version));
    if (ev.is(EventType::H1Response)) {
        const QString reason = str(ev, Field::Reason);
        QString line = QStringLiteral("%1 %2").arg(
            str(ev, Field::Version), QString::number(ev.field(Field::Status).toInteger()));
        if (!reason.isEmpty())
            line += QLatin1Char(' ') + reason;
        return line;
    }
    const QString h2 = headerBlockProtocol(m_store, ev);
    if (b.kind == BlockKind::Trailers)
        return b.h2 ? h2 + QStringLiteral(" trailers") : QStringLiteral("HTTP/1.1 trailers");
    const FieldValue headers = headersOf(ev);
    if (b.kind == BlockKind::Request) {
        QString method = pseudoValue(headers, ":method");
        QString target = method == QLatin1String("CONNECT") ? pseudoValue(headers, ":authority")
                                                            : pseudoValue(headers, ":path");
        // Firefox's HAR lists no pseudo-headers: the exchange knows its method and path.
        if (const ExchangeInfo *x = m_store->exchange(ev.scope.req); x && method.isEmpty()) {
            method = x->method;
            target = x->path;
        }
        return QStringLiteral("%1 %2 %3").arg(method, target, h2);
    }
    return h2 + QLatin1Char(' ') + pseudoValue(headers, ":status");
}

QString HeadersModel::blockTitle(int block) const
{
    const Block &b = m_blocks.at(block);
    const TraceEvent &ev = m_store->event(b.event);
    const QString conn = QStringLiteral("conn #%1").arg(ev.scope.conn);
    // An imported HAR's HTTP/1.0 head says so; its HTTP/2 heads have no stream id.
    const QString version = b.h2 ? QString() : str(ev, Field::Version);
    const QString proto = b.h2                ? headerBlockProtocol(m_store, ev)
                          : version.isEmpty() ? QStringLiteral("HTTP/1.1")
                                              : version;
    const bool stream = b.h2 && ev.scope.stream > 0;
    const QString where =
        stream ? QStringLiteral("stream %1, %2").arg(ev.scope.stream).arg(conn) : conn;
    // "HTTP/2 response, stream 1 (conn #1)", "HTTP/1.1 request (conn #1)".
    const auto title = [&](const QString &what) {
        return stream ? QStringLiteral("%1 %2, stream %3 (%4)")
                            .arg(proto, what, QString::number(ev.scope.stream), conn)
                      : QStringLiteral("%1 %2 (%3)").arg(proto, what, conn);
    };
    switch (b.kind) {
    case BlockKind::Request:
        return title(QStringLiteral("request"));
    case BlockKind::Response:
        return title(QStringLiteral("response"));
    case BlockKind::Trailers:
        return title(ev.dir == Direction::Out ? QStringLiteral("request trailers")
                                              : QStringLiteral("trailers"));
    case BlockKind::Interim: {
        QString status;
        QString reason;
        if (b.h2) {
            status = pseudoValue(headersOf(ev), ":status");
            reason = reasonFor(status.toInt());
        } else {
            status = QString::number(ev.field(Field::Status).toInteger());
            reason = str(ev, Field::Reason);
        }
        const QString head = reason.isEmpty() ? status : status + QLatin1Char(' ') + reason;
        return QStringLiteral("%1 (%2 interim response, %3)").arg(head, proto, where);
    }
    }
    return {};
}

void HeadersModel::appendBlockLines(const Block &b, bool withFirstLine, QStringList &lines) const
{
    if (withFirstLine)
        lines.append(firstLine(int(&b - m_blocks.constData())));
    const FieldValue headers = headersOf(m_store->event(b.event));
    for (const int i : b.pseudo)
        lines.append(headerLine(headers.at(i)));
    for (const int i : b.regular)
        lines.append(headerLine(headers.at(i)));
}

QString HeadersModel::blockText(int block) const
{
    const Block &b = m_blocks.at(block);
    const FieldValue headers = headersOf(m_store->event(b.event));
    QString out;
    if (!b.h2) {
        // What went over the wire: first line, fields in order, CRLF, blank line.
        if (b.kind != BlockKind::Trailers)
            out += firstLine(block) + QLatin1String("\r\n");
        for (const FieldValue p : headers)
            out += headerLine(p) + QLatin1String("\r\n");
        out += QLatin1String("\r\n");
        return out;
    }
    // HTTP/2 sends HPACK, not text: the decoded fields in wire order, pseudo-headers included.
    for (const FieldValue p : headers)
        out += headerLine(p) + QLatin1Char('\n');
    return out;
}

QString HeadersModel::textForRows(const QModelIndexList &indexes) const
{
    struct Pick
    {
        bool whole = false;
        bool allPseudo = false;
        QSet<int> pseudo;
        QSet<int> regular;
    };
    QHash<int, Pick> picks;
    for (const QModelIndex &idx : indexes) {
        if (!idx.isValid() || idx.model() != this)
            continue;
        const Node n = node(idx);
        Pick &p = picks[n.block];
        switch (n.kind) {
        case RowKind::Block:
            p.whole = true;
            break;
        case RowKind::PseudoGroup:
            p.allPseudo = true;
            break;
        case RowKind::PseudoField:
            p.pseudo.insert(n.field);
            break;
        case RowKind::Field:
            p.regular.insert(n.field);
            break;
        }
    }
    QList<int> blocks = picks.keys();
    std::sort(blocks.begin(), blocks.end());
    QStringList lines;
    for (const int block : blocks) {
        const Pick &p = picks.value(block);
        const Block &b = m_blocks.at(block);
        if (p.whole) {
            appendBlockLines(b, true, lines);
            continue;
        }
        for (int i = 0; i < b.pseudo.size(); ++i)
            if (p.allPseudo || p.pseudo.contains(i))
                lines.append(fieldName(b, b.pseudo.at(i)) + QLatin1String(": ") +
                             fieldValue(b, b.pseudo.at(i)));
        for (int i = 0; i < b.regular.size(); ++i)
            if (p.regular.contains(i))
                lines.append(fieldName(b, b.regular.at(i)) + QLatin1String(": ") +
                             fieldValue(b, b.regular.at(i)));
    }
    return lines.join(QLatin1Char('\n'));
}

QVariant HeadersModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Node n = node(index);
    const Block &b = m_blocks.at(n.block);
    const int wire = n.kind == RowKind::Field         ? b.regular.value(n.field, -1)
                     : n.kind == RowKind::PseudoField ? b.pseudo.value(n.field, -1)
                                                      : -1;

    auto name = [&]() -> QString {
        switch (n.kind) {
        case RowKind::Block:
            return blockTitle(n.block);
        case RowKind::PseudoGroup:
            return tr("Pseudo-headers");
        default:
            return fieldName(b, wire);
        }
    };
    auto value = [&]() -> QString {
        switch (n.kind) {
        case RowKind::Block:
            return firstLine(n.block);
        case RowKind::PseudoGroup:
            return b.pseudo.size() == 1 ? tr("1 field") : tr("%1 fields").arg(b.pseudo.size());
        default:
            return fieldValue(b, wire);
        }
    };

    switch (role) {
    case Qt::DisplayRole:
        return index.column() == NameColumn ? name() : value();
    case Qt::ToolTipRole:
        if (n.kind == RowKind::Block)
            return tr("%1\n%2").arg(blockTitle(n.block), firstLine(n.block));
        if (n.kind == RowKind::PseudoGroup)
            return tr("HTTP/2 pseudo-header fields (RFC 9113 §8.3), sent before the others");
        return index.column() == NameColumn ? name() : value();
    case Qt::FontRole:
        if (n.kind == RowKind::Block) {
            QFont f;
            f.setBold(true);
            return f;
        }
        if (n.kind == RowKind::PseudoGroup) {
            QFont f;
            f.setItalic(true);
            return f;
        }
        return {};
    case Qt::ForegroundRole:
        if (n.kind == RowKind::PseudoField || n.kind == RowKind::PseudoGroup)
            return protocolColor(QStringLiteral("h2"));
        return {};
    case Qt::DecorationRole:
        if (n.kind == RowKind::Block && index.column() == NameColumn)
            return protocolIcon(b.h2 ? QStringLiteral("h2") : QStringLiteral("HTTP/1.1"));
        return {};
    case RowKindRole:
        return int(n.kind);
    case BlockKindRole:
        return int(b.kind);
    case NameRole:
        return name();
    case ValueRole:
        return value();
    case BlockTextRole:
        return blockText(n.block);
    case EventIndexRole:
        return b.event;
    default:
        return {};
    }
}

QVariant HeadersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case ValueColumn:
        return tr("Value");
    default:
        return {};
    }
}

Qt::ItemFlags HeadersModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    const Node n = node(index);
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (n.kind == RowKind::Field || n.kind == RowKind::PseudoField)
        f |= Qt::ItemNeverHasChildren;
    return f;
}

} // namespace hopscope
