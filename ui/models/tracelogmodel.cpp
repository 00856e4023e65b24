#include "models/tracelogmodel.h"

#include "format/durationformat.h"
#include "models/eventsummary.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"

#include <QFontDatabase>
#include <QGuiApplication>
#include <QPalette>
#include <QSemaphore>
#include <QThread>
#include <QThreadPool>

#include <algorithm>

namespace hopscope {

namespace {

QColor blend(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t),
                            float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

// Row colours follow the palette, so light and dark themes both stay readable; recomputed only
// when the palette changes.
struct RowColors
{
    qint64 paletteKey = -1;
    QColor out, info, warning, error;
};

const RowColors &rowColors()
{
    static RowColors colors;
    const QPalette palette = QGuiApplication::palette();
    if (colors.paletteKey != palette.cacheKey()) {
        const QColor text = palette.color(QPalette::Text);
        colors.paletteKey = palette.cacheKey();
        colors.out = blend(text, palette.color(QPalette::Link), 0.55);
        colors.info = blend(text, palette.color(QPalette::Base), 0.3);
        colors.error = errorColor();
        colors.warning = blend(colors.error, text, 0.35);
    }
    return colors;
}

// The event indices in `candidates` (or 0..count-1 when null) that pass `matcher`, ascending.
// A text filter builds one summary per event, about a microsecond: for large scans the range is
// split over the global thread pool (the GUI thread takes the first share and then waits), so a
// million events refilter in a fraction of a second. Workers only read the store: the GUI
// thread is inside this function, so nothing appends meanwhile.
std::vector<int> matchAll(const TraceLog &events, const TraceFilterMatcher &matcher,
                          const int *candidates, int count)
{
    auto scan = [&](int from, int to, std::vector<int> &out) {
        for (int k = from; k < to; ++k) {
            const int i = candidates ? candidates[k] : k;
            if (matcher.matches(events.at(i)))
                out.push_back(i);
        }
    };
    constexpr int kParallelFrom = 32768;
    QThreadPool *pool = QThreadPool::globalInstance();
    const int shares = std::min(QThread::idealThreadCount(), pool->maxThreadCount() + 1);
    std::vector<int> result;
    if (!matcher.isCostly() || count < kParallelFrom || shares < 2) {
        scan(0, count, result);
        return result;
    }
    std::vector<std::vector<int>> parts(static_cast<size_t>(shares));
    QSemaphore done;
    const int step = (count + shares - 1) / shares;
    for (int s = 1; s < shares; ++s) {
        pool->start([&, s] {
            scan(std::min(count, s * step), std::min(count, (s + 1) * step), parts[size_t(s)]);
            done.release();
        });
    }
    scan(0, std::min(count, step), parts[0]);
    done.acquire(shares - 1);
    size_t total = 0;
    for (const auto &p : parts)
        total += p.size();
    result.reserve(total);
    for (const auto &p : parts)
        result.insert(result.end(), p.begin(), p.end());
    return result;
}

bool isUpgradeEvent(const TraceEvent &ev)
{
    switch (ev.type) {
    case EventType::UpgradeOffer:
    case EventType::UpgradeSkipped:
    case EventType::UpgradeSwitch:
    case EventType::UpgradeDeclined:
    case EventType::UpgradeAdvertised:
    case EventType::UpgradeFollow:
    case EventType::UpgradeH2Refused:
        return true;
    default:
        return false;
    }
}

} // namespace

TraceLogModel::TraceLogModel(SessionStore *store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store)
{
    m_mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_boldMono = m_mono;
    m_boldMono.setBold(true);
    m_bold.setBold(true);
    m_known = int(store->events().size());
    connect(store, &SessionStore::changed, this, &TraceLogModel::onChanged);
    connect(store, &SessionStore::reset, this, &TraceLogModel::onReset);
}

void TraceLogModel::setFilter(const TraceFilter &filter)
{
    if (filter == m_filter)
        return;
    const bool narrowing = m_filtered && filter.isNarrowerThan(m_filter);
    beginResetModel();
    std::vector<int> previous;
    if (narrowing)
        previous.swap(m_rows);
    m_filter = filter;
    rebuild(narrowing ? &previous : nullptr);
    endResetModel();
    emit filterChanged();
}

// Matches every event the model knows (or only `candidates`, already ascending) against the
// filter. No per-event allocation besides the summary a text filter needs.
void TraceLogModel::rebuild(const std::vector<int> *candidates)
{
    m_rows.clear();
    m_filtered = !m_filter.isEmpty();
    if (!m_filtered) {
        m_rows.shrink_to_fit();
        return;
    }
    const TraceFilterMatcher matcher(m_filter);
    m_rows = candidates
                 ? matchAll(m_store->events(), matcher, candidates->data(), int(candidates->size()))
                 : matchAll(m_store->events(), matcher, nullptr, m_known);
}

void TraceLogModel::onChanged(const SessionDelta &delta)
{
    const int total = int(m_store->events().size());
    if (total < m_known || delta.firstNewEvent > m_known) {
        // Out of step with the store (should not happen): start over rather than lie.
        beginResetModel();
        m_known = total;
        rebuild(nullptr);
        endResetModel();
        return;
    }
    const int first = m_known;
    if (total == first)
        return;
    if (!m_filtered) {
        beginInsertRows({}, first, total - 1);
        m_known = total;
        endInsertRows();
        return;
    }
    const TraceFilterMatcher matcher(m_filter);
    const TraceLog &events = m_store->events();
    const size_t before = m_rows.size();
    for (int i = first; i < total; ++i)
        if (matcher.matches(events.at(i)))
            m_rows.push_back(i);
    m_known = total;
    const size_t added = m_rows.size() - before;
    if (added == 0)
        return;
    // The indices are already in m_rows; rowCount() must still say the old count until
    // beginInsertRows returns, so hide them for that moment.
    std::vector<int> fresh(m_rows.begin() + qsizetype(before), m_rows.end());
    m_rows.resize(before);
    beginInsertRows({}, int(before), int(before + added) - 1);
    m_rows.insert(m_rows.end(), fresh.begin(), fresh.end());
    endInsertRows();
}

void TraceLogModel::onReset()
{
    beginResetModel();
    m_known = int(m_store->events().size());
    rebuild(nullptr);
    endResetModel();
}

int TraceLogModel::eventIndex(int row) const
{
    if (row < 0)
        return -1;
    if (!m_filtered)
        return row < m_known ? row : -1;
    return row < int(m_rows.size()) ? m_rows[size_t(row)] : -1;
}

int TraceLogModel::rowForEvent(int eventIndex) const
{
    if (eventIndex < 0 || eventIndex >= m_known)
        return -1;
    if (!m_filtered)
        return eventIndex;
    const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), eventIndex);
    return it != m_rows.end() && *it == eventIndex ? int(it - m_rows.begin()) : -1;
}

int TraceLogModel::nearestRowForEvent(int eventIndex) const
{
    const int rows = rowCount();
    if (rows == 0)
        return -1;
    if (eventIndex < 0)
        return 0;
    if (!m_filtered)
        return std::min(eventIndex, rows - 1);
    const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), eventIndex);
    return it == m_rows.end() ? rows - 1 : int(it - m_rows.begin());
}

int TraceLogModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return m_filtered ? int(m_rows.size()) : m_known;
}

int TraceLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

Qt::ItemFlags TraceLogModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

QVariant TraceLogModel::foreground(const TraceEvent &ev) const
{
    const RowColors &colors = rowColors();
    if (isErrorEvent(ev))
        return colors.error;
    if (isWarningEvent(ev))
        return colors.warning;
    if (ev.dir == Direction::Out)
        return colors.out;
    if (ev.dir == Direction::None)
        return colors.info;
    return {}; // received: the palette's text colour
}

QVariant TraceLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int i = eventIndex(index.row());
    if (i < 0 || i >= int(m_store->events().size()))
        return {};
    const TraceEvent &ev = m_store->event(i);
    const int column = index.column();

    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case SeqColumn:
            return QString::number(ev.seq);
        case TimeColumn:
            return formatMillisecondsNumber(ev.tNs);
        case ConnColumn:
            return ev.scope.conn ? QString::number(ev.scope.conn) : QString();
        case ReqColumn:
            return ev.scope.req ? QString::number(ev.scope.req) : QString();
        case StreamColumn:
            return ev.scope.stream >= 0 ? QString::number(ev.scope.stream) : QString();
        case DirColumn:
            return ev.dir == Direction::Out  ? QStringLiteral("→")
                   : ev.dir == Direction::In ? QStringLiteral("←")
                                             : QString();
        case TypeColumn:
            return QString::fromUtf8(ev.typeName());
        case SummaryColumn:
            return eventSummary(ev);
        }
        return {};
    case Qt::ToolTipRole:
        if (column == SummaryColumn) {
            const QString summary = eventSummary(ev);
            return summary.size() > 60 ? summary : QVariant();
        }
        if (column == DirColumn && ev.dir != Direction::None)
            return ev.dir == Direction::Out ? tr("sent") : tr("received");
        return {};
    case Qt::TextAlignmentRole:
        if (column == DirColumn)
            return int(Qt::AlignCenter);
        if (column <= StreamColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return int(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        return foreground(ev);
    case Qt::FontRole:
        if (isUpgradeEvent(ev))
            return column == SummaryColumn ? m_boldMono : m_bold;
        return column == SummaryColumn ? QVariant(m_mono) : QVariant();
    case EventIndexRole:
        return i;
    case RequestRole:
        return ev.scope.req;
    case ConnectionRole:
        return ev.scope.conn;
    case StreamRole:
        return ev.scope.stream;
    case IsErrorRole:
        return isErrorEvent(ev) || isWarningEvent(ev);
    }
    return {};
}

QVariant TraceLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case SeqColumn:
            return tr("#");
        case TimeColumn:
            return tr("Time (ms)");
        case ConnColumn:
            return tr("Conn");
        case ReqColumn:
            return tr("Req");
        case StreamColumn:
            return tr("Stream");
        case DirColumn:
            return tr("Dir");
        case TypeColumn:
            return tr("Type");
        case SummaryColumn:
            return tr("Summary");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case SeqColumn:
            return tr("Event number, in the order the engine recorded events");
        case TimeColumn:
            return tr("Milliseconds since the trace started");
        case ConnColumn:
            return tr("Connection id");
        case ReqColumn:
            return tr("Request number");
        case StreamColumn:
            return tr("HTTP/2 stream id (0: the connection's own frames)");
        case DirColumn:
            return tr("→ sent, ← received");
        }
    } else if (role == Qt::TextAlignmentRole && section <= StreamColumn) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

} // namespace hopscope
