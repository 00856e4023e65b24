#include "models/framesmodel.h"

#include "format/durationformat.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"

#include <QFont>
#include <QStringList>

namespace hopscope {

namespace {

QString field(const TraceEvent &ev, Field key)
{
    return ev.field(key).toString();
}

QString joinedFlags(const TraceEvent &ev)
{
    QStringList flags;
    for (const FieldValue f : ev.field(Field::Flags))
        flags.append(f.toString());
    return flags.join(QLatin1Char(' '));
}

QString priorityText(FieldValue p)
{
    return QStringLiteral("priority: depends on %1, weight %2%3")
        .arg(p.value(Field::Dependency).toInteger())
        .arg(p.value(Field::Weight).toInteger())
        .arg(p.value(Field::Exclusive).toBool() ? QLatin1String(", exclusive") : QLatin1String(""));
}

bool isProblem(const TraceEvent &ev)
{
    return ev.field(Field::Discarded).toBool() || ev.field(Field::Invalid).isValid();
}

} // namespace

FramesModel::FramesModel(SessionStore *store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store)
{
    connect(m_store, &SessionStore::changed, this, &FramesModel::onChanged);
    connect(m_store, &SessionStore::reset, this, &FramesModel::onReset);
}

void FramesModel::setExchange(quint32 req)
{
    m_req = req;
    rebuild();
}

void FramesModel::setIncludeConnectionFrames(bool include)
{
    if (include == m_includeConnection)
        return;
    m_includeConnection = include;
    rebuild();
}

bool FramesModel::wanted(const TraceEvent &ev) const
{
    if (ev.scope.conn != m_conn || !ev.is(EventType::H2Frame))
        return false;
    return ev.scope.stream == m_stream || (m_includeConnection && ev.scope.stream == 0);
}

void FramesModel::rebuild()
{
    beginResetModel();
    m_rows.clear();
    m_conn = 0;
    m_stream = -1;
    m_originNs = 0;
    if (const ExchangeInfo *ex = m_req ? m_store->exchange(m_req) : nullptr) {
        m_conn = ex->conn;
        m_stream = ex->stream;
        m_originNs = ex->startNs >= 0 ? ex->startNs : 0;
        // Walk the connection's events rather than the exchange's: stream-0 frames (and any
        // frame the engine could not tie to a request) carry no req.
        if (const ConnectionInfo *c = isHttp2() ? m_store->connection(m_conn) : nullptr)
            for (const int i : c->events)
                if (wanted(m_store->event(i)))
                    m_rows.append(i);
    }
    endResetModel();
}

void FramesModel::onReset()
{
    m_req = 0;
    rebuild();
}

void FramesModel::onChanged(const SessionDelta &delta)
{
    if (m_req == 0)
        return;
    const ExchangeInfo *ex = m_store->exchange(m_req);
    if (!ex)
        return;
    // The stream id (or the connection) became known in this batch: start over, it is cheap.
    if (ex->conn != m_conn || ex->stream != m_stream) {
        rebuild();
        return;
    }
    if (!isHttp2() ||
        (!delta.changedConnections.contains(m_conn) && !delta.newConnections.contains(m_conn)))
        return;
    QList<int> fresh;
    const int end = int(m_store->events().size());
    for (int i = delta.firstNewEvent; i < end; ++i)
        if (wanted(m_store->event(i)))
            fresh.append(i);
    if (fresh.isEmpty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(fresh.size()) - 1);
    m_rows.append(fresh);
    endInsertRows();
}

int FramesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FramesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString FramesModel::details(const TraceEvent &ev)
{
    const QString frame = field(ev, Field::Frame);
    QStringList parts;
    if (frame == QLatin1String("SETTINGS")) {
        QStringList settings;
        for (const FieldValue pair : ev.field(Field::Settings))
            settings.append(
                QStringLiteral("%1=%2").arg(pair.at(0).toString()).arg(pair.at(1).toInteger()));
        if (!settings.isEmpty())
            parts.append(settings.join(QLatin1String(", ")));
        else if (joinedFlags(ev).contains(QLatin1String("ACK")))
            parts.append(QStringLiteral("acknowledges the peer's settings"));
        else
            parts.append(QStringLiteral("no settings (defaults)"));
    } else if (frame == QLatin1String("WINDOW_UPDATE")) {
        parts.append(QStringLiteral("+%1").arg(ev.field(Field::Increment).toInteger()));
    } else if (frame == QLatin1String("RST_STREAM")) {
        parts.append(field(ev, Field::Error));
    } else if (frame == QLatin1String("GOAWAY")) {
        QString s = QStringLiteral("last stream %1, %2")
                        .arg(ev.field(Field::LastStreamId).toInteger())
                        .arg(field(ev, Field::Error));
        const QString debug = field(ev, Field::Debug);
        if (!debug.isEmpty())
            s += QStringLiteral(", debug \"%1\"").arg(debug);
        parts.append(s);
    } else if (frame == QLatin1String("PING")) {
        parts.append(QStringLiteral("opaque %1").arg(field(ev, Field::Opaque)));
    } else if (frame == QLatin1String("PUSH_PROMISE")) {
        parts.append(
            QStringLiteral("promised stream %1").arg(ev.field(Field::PromisedStream).toInteger()));
    }
    if (ev.field(Field::Padding).isValid())
        parts.append(QStringLiteral("padding %1").arg(ev.field(Field::Padding).toInteger()));
    if (ev.field(Field::Priority).isValid())
        parts.append(priorityText(ev.field(Field::Priority)));
    if (ev.field(Field::Discarded).toBool())
        parts.append(QStringLiteral("discarded"));
    if (ev.field(Field::Invalid).isValid())
        parts.append(QStringLiteral("invalid: %1").arg(field(ev, Field::Invalid)));
    return parts.join(QLatin1String("; "));
}

QVariant FramesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int eventIndex = m_rows.at(index.row());
    const TraceEvent &ev = m_store->event(eventIndex);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return formatMillisecondsNumber(ev.tNs - m_originNs);
        case DirColumn:
            return ev.dir == Direction::Out  ? QStringLiteral("→")
                   : ev.dir == Direction::In ? QStringLiteral("←")
                                             : QString();
        case StreamColumn:
            return ev.scope.stream;
        case FrameColumn:
            return field(ev, Field::Frame);
        case FlagsColumn:
            return joinedFlags(ev);
        case LengthColumn:
            return ev.field(Field::Length).toInteger();
        case DetailsColumn:
            return details(ev);
        }
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case TimeColumn:
            return tr("%1 ms after the request started (trace time %2 s)")
                .arg(formatMillisecondsNumber(ev.tNs - m_originNs))
                .arg(ev.seconds(), 0, 'f', 6);
        case DirColumn:
            return ev.dir == Direction::Out ? tr("sent") : tr("received");
        case StreamColumn:
            return ev.scope.stream == 0 ? tr("connection (stream 0)")
                                        : tr("this exchange's stream");
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::ForegroundRole:
        if (isProblem(ev))
            return errorColor();
        return {};
    case Qt::FontRole:
        if (m_includeConnection && index.column() == FrameColumn && ev.scope.stream != 0) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == TimeColumn || index.column() == LengthColumn ||
            index.column() == StreamColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        if (index.column() == DirColumn)
            return QVariant::fromValue(Qt::AlignCenter);
        return {};
    case EventIndexRole:
        return eventIndex;
    case ProblemRole:
        return isProblem(ev);
    case StreamRole:
        return ev.scope.stream;
    default:
        return {};
    }
}

QVariant FramesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time (ms)");
    case DirColumn:
        return tr("Dir");
    case StreamColumn:
        return tr("Stream");
    case FrameColumn:
        return tr("Frame");
    case FlagsColumn:
        return tr("Flags");
    case LengthColumn:
        return tr("Length");
    case DetailsColumn:
        return tr("Details");
    default:
        return {};
    }
}

} // namespace hopscope
