#include "models/headerstablemodel.h"

#include "style/protocolstyle.h"

#include <QColor>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>

namespace hopscope {

namespace {

// RFC 9110 §5.6.2 tchar.
bool isTokenChar(QChar c)
{
    if (c.unicode() > 0x7e)
        return false;
    const char ch = char(c.unicode());
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           QByteArrayView("!#$%&'*+-.^_`|~").contains(ch);
}

} // namespace

HeadersTableModel::HeadersTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void HeadersTableModel::setRows(const QList<Row> &rows)
{
    beginResetModel();
    m_rows = rows;
    endResetModel();
    emit headersEdited();
}

HeaderList HeadersTableModel::headers() const
{
    HeaderList out;
    for (const Row &r : m_rows) {
        if (r.enabled && !r.name.trimmed().isEmpty())
            out.append({r.name.trimmed().toLatin1(), r.value.trimmed().toUtf8()});
    }
    return out;
}

void HeadersTableModel::setHeaders(const HeaderList &headers)
{
    QList<Row> rows;
    rows.reserve(headers.size());
    for (const HttpHeader &h : headers)
        rows.append({true, QString::fromLatin1(h.name), QString::fromUtf8(h.value)});
    setRows(rows);
}

void HeadersTableModel::appendHeader(const QString &name, const QString &value, bool enabled)
{
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows.append({enabled, name, value});
    endInsertRows();
    emit headersEdited();
}

QString HeadersTableModel::rowError(int row) const
{
    if (row < 0 || row >= m_rows.size() || !m_rows.at(row).enabled)
        return {};
    const Row &r = m_rows.at(row);
    const QString name = r.name.trimmed();
    if (name.isEmpty())
        return r.value.trimmed().isEmpty() ? QString() : tr("a value without a name");
    for (const QChar c : name) {
        if (!isTokenChar(c))
            return tr("'%1' is not allowed in a header name").arg(c);
    }
    for (const QChar c : r.value) {
        if (c == u'\r' || c == u'\n' || c == u'\0')
            return tr("CR, LF and NUL are not allowed in a header value");
    }
    return {};
}

QString HeadersTableModel::firstError() const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        const QString e = rowError(i);
        if (!e.isEmpty())
            return tr("Header %1 (%2): %3").arg(i + 1).arg(m_rows.at(i).name.trimmed(), e);
    }
    return {};
}

int HeadersTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size()) + 1;
}

int HeadersTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HeadersTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    if (isPlaceholderRow(row)) {
        if (role == Qt::DisplayRole && index.column() == NameColumn)
            return tr("(add a header)");
        if (role == Qt::ForegroundRole)
            return QGuiApplication::palette().color(QPalette::PlaceholderText);
        return {};
    }
    const Row &r = m_rows.at(row);
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        if (index.column() == NameColumn)
            return r.name;
        if (index.column() == ValueColumn)
            return r.value;
        return {};
    case Qt::CheckStateRole:
        if (index.column() == EnabledColumn)
            return r.enabled ? Qt::Checked : Qt::Unchecked;
        return {};
    case Qt::ForegroundRole:
        if (!rowError(row).isEmpty())
            return errorColor();
        return {};
    case Qt::ToolTipRole: {
        const QString e = rowError(row);
        if (!e.isEmpty())
            return e;
        if (!r.enabled)
            return tr("Disabled: not sent");
        return {};
    }
    case Qt::FontRole:
        if (!r.enabled) {
            QFont f;
            f.setStrikeOut(true);
            return f;
        }
        return {};
    default:
        return {};
    }
}

bool HeadersTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::ParentIsInvalid))
        return false;
    const int row = index.row();
    if (isPlaceholderRow(row)) {
        // Typing into the placeholder creates a real row; the placeholder moves down.
        if (role != Qt::EditRole || index.column() == EnabledColumn || value.toString().isEmpty())
            return false;
        beginInsertRows({}, row, row);
        Row r;
        (index.column() == NameColumn ? r.name : r.value) = value.toString();
        m_rows.append(r);
        endInsertRows();
        emit headersEdited();
        return true;
    }
    Row &r = m_rows[row];
    if (role == Qt::CheckStateRole && index.column() == EnabledColumn) {
        const bool enabled = value.toInt() == Qt::Checked;
        if (enabled == r.enabled)
            return true;
        r.enabled = enabled;
    } else if (role == Qt::EditRole && index.column() != EnabledColumn) {
        QString &field = index.column() == NameColumn ? r.name : r.value;
        if (field == value.toString())
            return true;
        field = value.toString();
    } else {
        return false;
    }
    emit dataChanged(this->index(row, 0), this->index(row, ColumnCount - 1));
    emit headersEdited();
    return true;
}

Qt::ItemFlags HeadersTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::ParentIsInvalid))
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (isPlaceholderRow(index.row()))
        return index.column() == EnabledColumn ? f : f | Qt::ItemIsEditable;
    if (index.column() == EnabledColumn)
        return f | Qt::ItemIsUserCheckable;
    return f | Qt::ItemIsEditable;
}

QVariant HeadersTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (section) {
        case EnabledColumn:
            return tr("On");
        case NameColumn:
            return tr("Name");
        case ValueColumn:
            return tr("Value");
        }
    }
    if (role == Qt::ToolTipRole && section == EnabledColumn)
        return tr("Unchecked headers are kept here but not sent");
    return {};
}

bool HeadersTableModel::removeRows(int row, int count, const QModelIndex &parent)
{
    if (parent.isValid() || row < 0 || count <= 0)
        return false;
    // The placeholder cannot be removed; clip the range to the real rows.
    const int last = qMin(row + count, int(m_rows.size())) - 1;
    if (last < row)
        return false;
    beginRemoveRows({}, row, last);
    m_rows.remove(row, last - row + 1);
    endRemoveRows();
    emit headersEdited();
    return true;
}

bool HeadersTableModel::moveRows(const QModelIndex &sourceParent, int sourceRow, int count,
                                 const QModelIndex &destinationParent, int destinationChild)
{
    const int n = int(m_rows.size());
    if (sourceParent.isValid() || destinationParent.isValid() || count <= 0 || sourceRow < 0 ||
        sourceRow + count > n || destinationChild < 0 || destinationChild > n ||
        (destinationChild >= sourceRow && destinationChild <= sourceRow + count))
        return false;
    if (!beginMoveRows({}, sourceRow, sourceRow + count - 1, {}, destinationChild))
        return false;
    const QList<Row> moving = m_rows.mid(sourceRow, count);
    m_rows.remove(sourceRow, count);
    const int insertAt = destinationChild > sourceRow ? destinationChild - count : destinationChild;
    for (int i = 0; i < count; ++i)
        m_rows.insert(insertAt + i, moving.at(i));
    endMoveRows();
    emit headersEdited();
    return true;
}

} // namespace hopscope
