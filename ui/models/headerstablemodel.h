#pragma once

#include "core/httpheader.h"

#include <QAbstractTableModel>
#include <QList>
#include <QString>

namespace hopscope {

// The composer's editable request headers: one row per header in wire order, each with an
// enabled checkbox (so a header can be switched off without losing it), plus one empty row at
// the end that becomes a real row as soon as something is typed into it.
class HeadersTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { EnabledColumn, NameColumn, ValueColumn, ColumnCount };

    struct Row
    {
        bool enabled = true;
        QString name;
        QString value;
        friend bool operator==(const Row &, const Row &) = default;
    };

    explicit HeadersTableModel(QObject *parent = nullptr);

    // All rows (the trailing empty row excluded), disabled ones included.
    QList<Row> rows() const { return m_rows; }
    void setRows(const QList<Row> &rows);
    // Enabled rows with a name, in order: what goes on the wire.
    HeaderList headers() const;
    // Replaces everything with these headers, all enabled.
    void setHeaders(const HeaderList &headers);
    void appendHeader(const QString &name, const QString &value, bool enabled = true);

    // Why the row cannot be sent (a name that is not an RFC 9110 token, CR/LF/NUL in the
    // value, a value without a name), or an empty string. Disabled rows are never an error.
    QString rowError(int row) const;
    // The first enabled row's error as "Header 2: …", or empty.
    QString firstError() const;

    // Is `row` the trailing "add a header" row?
    bool isPlaceholderRow(int row) const { return row == m_rows.size(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    // Removing the placeholder row is ignored (it always stays).
    bool removeRows(int row, int count, const QModelIndex &parent = {}) override;
    bool moveRows(const QModelIndex &sourceParent, int sourceRow, int count,
                  const QModelIndex &destinationParent, int destinationChild) override;

signals:
    // Any row was added, removed, moved or edited.
    void headersEdited();

private:
    QList<Row> m_rows;
};

} // namespace hopscope
