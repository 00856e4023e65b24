// Per-row data of the connections tree: the texts, icons, tooltips and sort/filter keys of
// connection, "Not connected", page and exchange rows, built from the SessionStore on demand.
// The structure (which row is where) is connectiontreemodel.cpp.
#include "models/connectiontreemodel.h"

#include "format/durationformat.h"
#include "format/sizeformat.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"

#include <QFont>

#include <algorithm>
#include <limits>

namespace hopscope {

namespace {

// Times in tooltips and titles are relative to something the user sees (the connection's
// pool.open, the request's start); trace-absolute times are labelled as such.
QString relMs(qint64 ns, qint64 base)
{
    return formatMilliseconds(double(ns - base) / 1e6);
}

QString exchangeProtocol(const ExchangeInfo &x, const ConnectionInfo *home)
{
    if (x.kind == ExchangeInfo::Kind::WebSocket)
        return QStringLiteral("websocket");
    if (!x.protocol.isEmpty())
        return x.protocol;
    return home ? home->currentProtocol() : QString();
}

// The request whose 101 switched its connection to h2/h2c: it is answered on stream 1 with the
// final status, and the tree should still say that it carried the upgrade.
bool carriedH2Upgrade(const ExchangeInfo &x, const ConnectionInfo *home)
{
    if (!home || x.kind != ExchangeInfo::Kind::Http || home->exchanges.value(0) != x.req)
        return false;
    for (const ProtocolStep &step : home->history)
        if (step.viaUpgrade && step.protocol.startsWith(QLatin1String("h2")))
            return true;
    return false;
}

QFont styledFont(bool bold, bool italic)
{
    QFont f;
    if (bold)
        f.setBold(true);
    if (italic)
        f.setItalic(true);
    return f;
}

} // namespace

QString ConnectionTreeModel::exchangeStatusText(const ExchangeInfo &x, const ConnectionInfo *home)
{
    if (x.state == ExchangeInfo::State::Failed) {
        const QString code = x.errorCode.isEmpty() ? QStringLiteral("failed") : x.errorCode;
        return x.status > 0 ? QStringLiteral("%1, %2").arg(x.status).arg(code) : code;
    }
    if (x.status == 0)
        return x.state == ExchangeInfo::State::Running ? QStringLiteral("…") : QString();
    if (x.status == 101) {
        const QString to = x.kind == ExchangeInfo::Kind::WebSocket ? QStringLiteral("websocket")
                           : !x.protocol.isEmpty()                 ? x.protocol
                           : home                                  ? home->currentProtocol()
                                                                   : QString();
        return to.isEmpty() ? QStringLiteral("101") : QStringLiteral("101 → %1").arg(to);
    }
    if (carriedH2Upgrade(x, home))
        return QStringLiteral("%1 (101 → %2)").arg(x.status).arg(x.protocol);
    if (x.redirectTo)
        return QStringLiteral("%1 → req %2").arg(x.status).arg(x.redirectTo); // -L followed it
    return QString::number(x.status);
}

QVariant ConnectionTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case StreamColumn:
        return tr("Stream");
    case MethodColumn:
        return tr("Method");
    case PathColumn:
        return tr("Path");
    case StatusColumn:
        return tr("Status");
    case SizeColumn:
        return tr("Size");
    case TimeColumn:
        return tr("Time");
    default:
        return {};
    }
}

QVariant ConnectionTreeModel::data(const QModelIndex &index, int role) const
{
    if (!m_store)
        return {};
    switch (kindOf(index)) {
    case Kind::Group:
        return groupData(index.column(), role);
    case Kind::Connection:
        return index.row() < int(m_shown.size()) ? connectionData(index.row(), index.column(), role)
                                                 : QVariant();
    case Kind::Page:
        return pageData(int(index.internalId()) - 1, index.row(), index.column(), role);
    case Kind::Exchange:
        if (const quint32 req = reqAt(index))
            return exchangeData(
                index.internalId() == kUnconnectedId ? kGroupKey : connKeyOf(index.internalId()),
                req, index.column(), role);
        return {};
    case Kind::None:
        break;
    }
    return {};
}

// ---- per-row data -----------------------------------------------------------------------------

QVariant ConnectionTreeModel::connectionData(int row, int column, int role) const
{
    const ConnectionInfo &c = m_store->connectionAt(row);
    const bool isError = !c.error.isEmpty();
    const bool open = c.closeNs < 0;
    const qint64 lifetimeNs = c.openNs >= 0 && c.closeNs >= 0 ? c.closeNs - c.openNs : -1;

    auto statusText = [&] {
        if (isError)
            return c.error;
        if (!open)
            return c.closeReason.isEmpty() ? tr("closed") : tr("closed: %1").arg(c.closeReason);
        return tr("open");
    };

    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return c.title();
        case StatusColumn:
            return statusText();
        case SizeColumn:
            return formatByteSize(c.bytes);
        case TimeColumn:
            return open ? QStringLiteral("…") : formatMilliseconds(double(lifetimeNs) / 1e6);
        default:
            return {};
        }
    case Qt::DecorationRole:
        return column == NameColumn ? QVariant(protocolIcon(c.currentProtocol())) : QVariant();
    case Qt::ForegroundRole:
        return isError ? QVariant(errorColor()) : QVariant();
    case Qt::FontRole:
        return isError ? QVariant(styledFont(true, false)) : QVariant();
    case Qt::TextAlignmentRole:
        return column == SizeColumn || column == TimeColumn
                   ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    case Qt::ToolTipRole: {
        QStringList lines;
        lines << tr("Connection #%1").arg(c.id);
        if (!c.origin.isEmpty())
            lines << tr("Origin: %1").arg(c.origin);
        if (!c.address.isEmpty())
            lines << tr("Address: %1").arg(c.address);
        if (c.tls)
            lines << tr("TLS, ALPN: %1").arg(c.alpn.isEmpty() ? tr("none") : c.alpn);
        const qint64 base = c.openNs >= 0 ? c.openNs : 0;
        if (!c.history.isEmpty()) {
            QStringList steps;
            for (const ProtocolStep &s : c.history)
                steps << (s.viaUpgrade ? tr("%1 via 101 at %2") : tr("%1 from %2"))
                             .arg(protocolLabel(s.protocol), relMs(s.atNs, base));
            lines << tr("Protocols: %1").arg(steps.join(QLatin1String(" → ")));
        }
        if (c.followedFrom)
            lines << tr("Followed from #%1 (%2)")
                         .arg(c.followedFrom)
                         .arg(c.followedVia.isEmpty() ? QStringLiteral("Upgrade: h2")
                                                      : c.followedVia);
        if (!c.advertised.isEmpty()) {
            // `Upgrade:` protocols are stored bare ("h2"); an Alt-Svc entry names itself.
            const QString what =
                c.advertised.first().startsWith(QLatin1String("Alt-Svc"))
                    ? c.advertised.join(QLatin1String(", "))
                    : QStringLiteral("Upgrade: ") + c.advertised.join(QLatin1String(", "));
            lines << tr("Advertised: %1 at %2").arg(what, relMs(c.advertisedNs, base));
        }
        if (c.connectEndNs >= 0)
            lines << tr("Connected at %1").arg(relMs(c.connectEndNs, base));
        if (c.tlsEndNs >= 0)
            lines << tr("TLS handshake done at %1").arg(relMs(c.tlsEndNs, base));
        if (!open)
            lines << tr("Closed at %1: %2")
                         .arg(relMs(c.closeNs, base),
                              c.closeReason.isEmpty() ? tr("(no reason)") : c.closeReason);
        lines << tr("Requests: %1, received body bytes: %2").arg(m_shown[size_t(row)]).arg(c.bytes);
        if (isError)
            lines << tr("Error: %1").arg(c.error);
        lines << tr("(times relative to the connection's opening at %1 in the trace)")
                     .arg(formatMilliseconds(double(base) / 1e6));
        return lines.join(QLatin1Char('\n'));
    }
    case ConnIdRole:
        return c.id;
    case ReqRole:
        return quint32(0);
    case ProtocolRole:
        return c.currentProtocol();
    case IsErrorRole:
        return isError;
    case SortKeyRole:
        switch (column) {
        case NameColumn:
            return qlonglong(c.id);
        case StatusColumn:
            return statusText();
        case SizeColumn:
            return qlonglong(c.bytes);
        case TimeColumn:
            return open ? std::numeric_limits<qlonglong>::max() : qlonglong(lifetimeNs);
        default:
            return QString();
        }
    case FilterTextRole:
        return QStringList{c.title(), c.origin, statusText(), c.alpn,
                           c.advertised.join(QLatin1Char(' '))}
            .join(QLatin1Char(' '));
    default:
        return {};
    }
}

QVariant ConnectionTreeModel::groupData(int column, int role) const
{
    int failed = 0, waiting = 0;
    for (quint32 req : m_unconnected) {
        const ExchangeInfo *x = m_store->exchange(req);
        if (x && x->state == ExchangeInfo::State::Failed)
            ++failed;
        else if (x && x->state == ExchangeInfo::State::Running)
            ++waiting;
    }
    const bool isError = failed > 0;
    auto statusText = [&] {
        QStringList parts;
        if (failed)
            parts << tr("%n failed", nullptr, failed);
        if (waiting)
            parts << tr("%n waiting", nullptr, waiting);
        return parts.join(QLatin1String(", "));
    };
    switch (role) {
    case Qt::DisplayRole:
        if (column == NameColumn)
            return tr("Not connected");
        if (column == StatusColumn)
            return statusText();
        return {};
    case Qt::DecorationRole:
        return column == NameColumn ? QVariant(protocolIcon(QString())) : QVariant();
    case Qt::ForegroundRole:
        return isError ? QVariant(errorColor()) : QVariant();
    case Qt::FontRole:
        return isError ? QVariant(styledFont(true, false)) : QVariant();
    case Qt::ToolTipRole:
        return tr("Requests without a connection: still waiting for one, or failed before one "
                  "was made (DNS, connect, URL errors).\n%1")
            .arg(statusText());
    case ConnIdRole:
    case ReqRole:
        return quint32(0);
    case ProtocolRole:
        return QString();
    case IsErrorRole:
        return isError;
    case SortKeyRole: // the same types as the connection rows' keys, so they compare
        return column == NameColumn || column == SizeColumn || column == TimeColumn
                   ? QVariant(std::numeric_limits<qlonglong>::max())
                   : QVariant(QString());
    case FilterTextRole:
        return tr("Not connected");
    default:
        return {};
    }
}

QVariant ConnectionTreeModel::exchangeData(quint32 parentKey, quint32 req, int column,
                                           int role) const
{
    const ExchangeInfo &x = *m_store->exchange(req);
    const ConnectionInfo *home = x.conn ? m_store->connection(x.conn) : nullptr;
    // Listed under a connection it left (pool.retry): an earlier attempt, not the exchange.
    const bool movedAway = parentKey != kGroupKey && parentKey != x.conn;
    const bool failed = x.state == ExchangeInfo::State::Failed && !movedAway;
    const bool running = x.state == ExchangeInfo::State::Running && !movedAway;

    auto nameText = [&] {
        QString name = tr("req %1").arg(x.req);
        if (x.kind == ExchangeInfo::Kind::WebSocket)
            name += tr(" · WebSocket");
        else if (x.kind == ExchangeInfo::Kind::RawTunnel)
            name += tr(" · tunnel (%1)").arg(x.protocol);
        return name;
    };
    auto statusText = [&] {
        return movedAway ? tr("retried on #%1").arg(x.conn) : exchangeStatusText(x, home);
    };
    auto timeText = [&] {
        if (running)
            return QStringLiteral("…");
        return formatMilliseconds(x.durationMs());
    };

    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return nameText();
        case StreamColumn:
            return x.stream >= 0 ? QString::number(x.stream) : QString();
        case MethodColumn:
            return x.method;
        case PathColumn:
            return x.path;
        case StatusColumn:
            return statusText();
        case SizeColumn:
            return formatByteSize(x.bytes);
        case TimeColumn:
            return timeText();
        default:
            return {};
        }
    case Qt::DecorationRole:
        return column == NameColumn ? QVariant(protocolIcon(exchangeProtocol(x, home)))
                                    : QVariant();
    case Qt::ForegroundRole:
        if (failed)
            return errorColor();
        return {};
    case Qt::FontRole:
        if (failed || running)
            return styledFont(failed, running);
        return {};
    case Qt::TextAlignmentRole:
        return column == SizeColumn || column == TimeColumn || column == StreamColumn
                   ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    case Qt::ToolTipRole: {
        QStringList lines;
        lines << QStringLiteral("%1 %2").arg(x.method, x.url);
        QString where = nameText();
        if (x.stream >= 0)
            where += tr(", stream %1").arg(x.stream);
        if (x.conn)
            where += tr(" on connection #%1").arg(x.conn);
        else
            where += tr(", no connection");
        const QString protocol = exchangeProtocol(x, home);
        if (!protocol.isEmpty())
            where += QStringLiteral(" (%1)").arg(protocolLabel(protocol));
        lines << where;
        if (movedAway)
            lines << tr("This connection closed before answering; the request was retried on "
                        "#%1.")
                         .arg(x.conn);
        lines << tr("Status: %1").arg(exchangeStatusText(x, home));
        if (x.redirectFrom)
            lines << tr("Redirected here from request %1").arg(x.redirectFrom);
        if (x.redirectTo)
            lines << tr("Redirect followed as request %1").arg(x.redirectTo);
        if (x.state == ExchangeInfo::State::Failed || !x.error.isEmpty())
            lines << tr("Error%1: %2")
                         .arg(x.errorCode.isEmpty() ? QString()
                                                    : QStringLiteral(" (%1)").arg(x.errorCode),
                              x.error.isEmpty() ? tr("(no message)") : x.error);
        if (x.bytes >= 0)
            lines
                << tr("Body: %1 (%2 bytes on the wire)").arg(formatByteSize(x.bytes)).arg(x.bytes);
        if (x.startNs >= 0) {
            QStringList t;
            if (x.requestSentNs >= 0)
                t << tr("sent at %1").arg(relMs(x.requestSentNs, x.startNs));
            if (x.responseHeadNs >= 0)
                t << tr("response head at %1").arg(relMs(x.responseHeadNs, x.startNs));
            if (x.endNs >= 0)
                t << tr("done at %1").arg(relMs(x.endNs, x.startNs));
            else
                t << tr("still running");
            lines << tr("Started at %1 in the trace; %2")
                         .arg(formatMilliseconds(double(x.startNs) / 1e6),
                              t.join(QLatin1String(", ")));
        }
        return lines.join(QLatin1Char('\n'));
    }
    case ConnIdRole:
        return parentKey;
    case ReqRole:
        return x.req;
    case ProtocolRole:
        return exchangeProtocol(x, home);
    case IsErrorRole:
        return failed;
    case SortKeyRole:
        switch (column) {
        case NameColumn:
            return qlonglong(x.req);
        case StreamColumn:
            return qlonglong(x.stream);
        case MethodColumn:
            return x.method;
        case PathColumn:
            return x.path;
        case StatusColumn:
            return failed ? qlonglong(-1) : qlonglong(x.status);
        case SizeColumn:
            return qlonglong(x.bytes);
        case TimeColumn:
            return running ? std::numeric_limits<qlonglong>::max()
                           : qlonglong(x.endNs >= 0 && x.startNs >= 0 ? x.endNs - x.startNs : -1);
        default:
            return {};
        }
    case FilterTextRole:
        return QStringList{nameText(),
                           x.method,
                           x.url,
                           statusText(),
                           x.errorCode,
                           x.error,
                           exchangeProtocol(x, home)}
            .join(QLatin1Char(' '));
    default:
        return {};
    }
}

// ---- page rows ---------------------------------------------------------------------------------

const ConnectionTreeModel::PageSummary &ConnectionTreeModel::pageSummary(int connIndex,
                                                                         int page) const
{
    const quint32 id = quint32(connIndex + 1);
    const quint64 key = (quint64(id) << 32) | quint32(page);
    auto it = m_pageSummaries.find(key);
    if (it != m_pageSummaries.end())
        return *it;
    PageSummary sum;
    const QList<quint32> &reqs = m_store->connectionAt(connIndex).exchanges;
    const int first = m_paging.firstOfPage(page);
    const int n = m_paging.pageRowCount(m_shown[size_t(connIndex)], page);
    for (int pos = first; pos < first + n; ++pos) {
        const ExchangeInfo *x = m_store->exchange(reqs.at(pos));
        if (!x)
            continue;
        if (pos == first) {
            sum.firstReq = x->req;
            sum.firstStream = x->stream;
        }
        sum.lastReq = x->req;
        sum.lastStream = x->stream;
        if (x->conn != id)
            ++sum.retried; // listed here, answered elsewhere: not counted below
        else if (x->state == ExchangeInfo::State::Failed)
            ++sum.failed;
        else if (x->state == ExchangeInfo::State::Running)
            ++sum.running;
        else
            ++sum.ok;
        if (x->conn == id)
            sum.bytes += std::max<qint64>(x->bytes, 0);
        if (x->startNs >= 0 && (sum.firstStartNs < 0 || x->startNs < sum.firstStartNs))
            sum.firstStartNs = x->startNs;
        sum.lastEndNs = std::max(sum.lastEndNs, x->endNs);
    }
    return *m_pageSummaries.insert(key, sum);
}

QVariant ConnectionTreeModel::pageData(int connIndex, int page, int column, int role) const
{
    const ConnectionInfo &c = m_store->connectionAt(connIndex);
    const int count = m_paging.pageRowCount(m_shown[size_t(connIndex)], page);
    const PageSummary &sum = pageSummary(connIndex, page);
    const bool isError = sum.failed > 0;
    const qint64 spanNs = sum.running == 0 && sum.firstStartNs >= 0 && sum.lastEndNs >= 0
                              ? sum.lastEndNs - sum.firstStartNs
                              : -1;
    auto range = [](qint64 first, qint64 last) {
        return first == last ? QString::number(first)
                             : QStringLiteral("%1–%2").arg(first).arg(last);
    };
    auto nameText = [&] {
        return tr("req %1 (%Ln)", nullptr, count).arg(range(sum.firstReq, sum.lastReq));
    };
    auto statusText = [&] {
        QStringList parts;
        if (sum.failed)
            parts << tr("%Ln failed", nullptr, sum.failed);
        if (sum.running)
            parts << tr("%Ln running", nullptr, sum.running);
        if (sum.retried)
            parts << tr("%Ln retried elsewhere", nullptr, sum.retried);
        if (sum.ok && !parts.isEmpty())
            parts.prepend(tr("%Ln done", nullptr, sum.ok));
        return parts.isEmpty() ? tr("all %Ln done", nullptr, sum.ok)
                               : parts.join(QLatin1String(", "));
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return nameText();
        case StatusColumn:
            return statusText();
        case SizeColumn:
            return formatByteSize(sum.bytes);
        case TimeColumn:
            return sum.running ? QStringLiteral("…")
                               : formatMilliseconds(double(std::max<qint64>(spanNs, 0)) / 1e6);
        default:
            return {};
        }
    case Qt::DecorationRole:
        return column == NameColumn ? QVariant(protocolIcon(c.currentProtocol())) : QVariant();
    case Qt::ForegroundRole:
        return isError ? QVariant(errorColor()) : QVariant();
    case Qt::FontRole:
        return isError ? QVariant(styledFont(true, false)) : QVariant();
    case Qt::TextAlignmentRole:
        return column == SizeColumn || column == TimeColumn
                   ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    case Qt::ToolTipRole: {
        const int first = m_paging.firstOfPage(page);
        QStringList lines;
        lines << tr("Exchanges %L1 to %L2 on connection #%3, of %L4 so far")
                     .arg(first + 1)
                     .arg(first + count)
                     .arg(c.id)
                     .arg(m_shown[size_t(connIndex)]);
        lines << tr("Requests %1").arg(range(sum.firstReq, sum.lastReq));
        if (sum.firstStream >= 0)
            lines << tr("Streams %1").arg(range(sum.firstStream, sum.lastStream));
        lines << tr("Status: %1").arg(statusText());
        lines << tr("Received body bytes: %1").arg(sum.bytes);
        if (spanNs >= 0)
            lines << tr("From the first start to the last end: %1")
                         .arg(formatMilliseconds(double(spanNs) / 1e6));
        lines << tr("A connection with more than %L1 exchanges lists them in pages of %L1.")
                     .arg(m_paging.pageSize);
        return lines.join(QLatin1Char('\n'));
    }
    case ConnIdRole:
        return c.id;
    case ReqRole:
        return quint32(0);
    case ProtocolRole:
        return c.currentProtocol();
    case IsErrorRole:
        return isError;
    case IsPageRole:
        return true;
    case SortKeyRole: // pages sort among themselves only
        switch (column) {
        case NameColumn:
            return qlonglong(page);
        case StatusColumn:
            return qlonglong(-sum.failed);
        case SizeColumn:
            return qlonglong(sum.bytes);
        case TimeColumn:
            return sum.running ? std::numeric_limits<qlonglong>::max() : qlonglong(spanNs);
        default:
            return qlonglong(page);
        }
    case FilterTextRole:
        // A page matches through its exchanges (the proxy's recursive filtering) or its
        // connection, never by itself: "req 1" would otherwise keep a whole page.
        return QString();
    default:
        return {};
    }
}

} // namespace hopscope
