#include "models/sessionmessagesmodel.h"

#include "format/durationformat.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"

#include <QColor>
#include <QGuiApplication>
#include <QPalette>

namespace hopscope {

namespace {

QString str(const TraceEvent &ev, Field key)
{
    return ev.field(key).toString();
}

qint64 integer(const TraceEvent &ev, Field key, qint64 fallback = -1)
{
    return ev.field(key).toInteger(fallback);
}

bool truncated(const TraceEvent &ev)
{
    return ev.field(Field::Truncated).toBool(false);
}

// raw.data carries `hex` when the chunk is not clean UTF-8 text; the text then is lossy.
bool rawIsBinary(const TraceEvent &ev)
{
    return ev.field(Field::Hex).isValid();
}

QColor blend(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t),
                            float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

} // namespace

SessionMessagesModel::SessionMessagesModel(SessionStore *store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store)
{
    connect(m_store, &SessionStore::changed, this, &SessionMessagesModel::onChanged);
    connect(m_store, &SessionStore::reset, this, &SessionMessagesModel::onReset);
}

void SessionMessagesModel::setExchange(quint32 req)
{
    beginResetModel();
    m_req = req;
    m_scanned = 0;
    m_rows.clear();
    endResetModel();
    scan();
}

void SessionMessagesModel::onChanged(const SessionDelta &)
{
    // Cheaper to compare one count than to search the delta's lists.
    scan();
}

void SessionMessagesModel::onReset()
{
    beginResetModel();
    m_scanned = 0;
    m_rows.clear();
    endResetModel();
}

bool SessionMessagesModel::classify(const TraceEvent &ev, Kind *kind)
{
    if (ev.is(EventType::WsMessage)) {
        *kind = str(ev, Field::Opcode) == QLatin1String("binary") ? Kind::Binary : Kind::Text;
    } else if (ev.is(EventType::RawData)) {
        *kind = Kind::Data;
    } else if (ev.is(EventType::WsFrame)) {
        // Data and close frames are shown as their message / close event; the control frames
        // that have no other event (and reserved opcodes, which precede an error) get a row.
        const QString op = str(ev, Field::Opcode);
        if (op == QLatin1String("ping"))
            *kind = Kind::Ping;
        else if (op == QLatin1String("pong"))
            *kind = Kind::Pong;
        else if (op.startsWith(QLatin1String("reserved")))
            *kind = Kind::Frame;
        else
            return false;
    } else if (ev.is(EventType::WsClose)) {
        *kind = Kind::Close;
    } else if (ev.is(EventType::WsCloseUnanswered)) {
        *kind = Kind::Unanswered;
    } else if (ev.is(EventType::Error)) {
        *kind = Kind::Error;
    } else if (ev.is(EventType::RequestFailed)) {
        *kind = Kind::Failed;
    } else if (ev.is(EventType::ResponseComplete)) {
        if (integer(ev, Field::Status) != 101)
            return false;
        *kind = Kind::End;
    } else {
        return false;
    }
    return true;
}

void SessionMessagesModel::scan()
{
    const ExchangeInfo *x = m_req ? m_store->exchange(m_req) : nullptr;
    if (!x || x->events.size() <= m_scanned)
        return;
    std::vector<Row> fresh;
    for (int i = m_scanned; i < x->events.size(); ++i) {
        const int index = x->events.at(i);
        Kind kind;
        if (classify(m_store->event(index), &kind))
            fresh.push_back({index, kind});
    }
    m_scanned = int(x->events.size());
    if (fresh.empty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(fresh.size()) - 1);
    m_rows.insert(m_rows.end(), fresh.begin(), fresh.end());
    endInsertRows();
}

int SessionMessagesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SessionMessagesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool SessionMessagesModel::isError(int row) const
{
    const Kind k = m_rows[size_t(row)].kind;
    if (k == Kind::Error || k == Kind::Failed || k == Kind::Unanswered || k == Kind::Frame)
        return true;
    if (k == Kind::Close) {
        // 1000 (normal) and 1001 (going away) are fine; anything else says something broke.
        const qint64 code = integer(m_store->event(m_rows[size_t(row)].event), Field::Code);
        return code != 1000 && code != 1001 && code != 1005;
    }
    return false;
}

QByteArray SessionMessagesModel::payload(int row) const
{
    const Row &r = m_rows[size_t(row)];
    const TraceEvent &ev = m_store->event(r.event);
    switch (r.kind) {
    case Kind::Text:
        return str(ev, Field::Text).toUtf8();
    case Kind::Binary:
        return QByteArray::fromBase64(str(ev, Field::Data).toLatin1());
    case Kind::Data:
        if (rawIsBinary(ev))
            return QByteArray::fromHex(str(ev, Field::Hex).toLatin1());
        return str(ev, Field::Text).toUtf8();
    case Kind::Close:
    case Kind::Unanswered:
        return str(ev, Field::Reason).toUtf8();
    case Kind::Error:
        return str(ev, Field::Message).toUtf8();
    case Kind::Failed:
        return str(ev, Field::Error).toUtf8();
    default:
        return {};
    }
}

QString SessionMessagesModel::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Text:
        return QStringLiteral("text");
    case Kind::Binary:
        return QStringLiteral("binary");
    case Kind::Ping:
        return QStringLiteral("ping");
    case Kind::Pong:
        return QStringLiteral("pong");
    case Kind::Frame:
        return QStringLiteral("frame");
    case Kind::Close:
        return QStringLiteral("close");
    case Kind::Unanswered:
        return QStringLiteral("close?");
    case Kind::Data:
        return QStringLiteral("data");
    case Kind::Error:
        return QStringLiteral("error");
    case Kind::Failed:
        return QStringLiteral("failed");
    case Kind::End:
        return QStringLiteral("end");
    }
    return {};
}

QString SessionMessagesModel::closeCodeName(int code)
{
    switch (code) {
    case 1000:
        return tr("Normal Closure");
    case 1001:
        return tr("Going Away");
    case 1002:
        return tr("Protocol Error");
    case 1003:
        return tr("Unsupported Data");
    case 1005:
        return tr("No Status Received");
    case 1006:
        return tr("Abnormal Closure");
    case 1007:
        return tr("Invalid Payload Data");
    case 1008:
        return tr("Policy Violation");
    case 1009:
        return tr("Message Too Big");
    case 1010:
        return tr("Mandatory Extension");
    case 1011:
        return tr("Internal Error");
    case 1012:
        return tr("Service Restart");
    case 1013:
        return tr("Try Again Later");
    case 1014:
        return tr("Bad Gateway");
    case 1015:
        return tr("TLS Handshake");
    default:
        return {};
    }
}

QString SessionMessagesModel::escapedLine(const QString &text, int maxChars)
{
    QString out;
    out.reserve(qMin(int(text.size()), maxChars) + 8);
    out += QLatin1Char('"');
    int shown = 0;
    for (const QChar c : text) {
        if (shown >= maxChars) {
            out += QStringLiteral("\"…");
            return out;
        }
        ++shown;
        switch (c.unicode()) {
        case '\\':
            out += QStringLiteral("\\\\");
            break;
        case '"':
            out += QStringLiteral("\\\"");
            break;
        case '\n':
            out += QStringLiteral("\\n");
            break;
        case '\r':
            out += QStringLiteral("\\r");
            break;
        case '\t':
            out += QStringLiteral("\\t");
            break;
        default:
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    out += QLatin1Char('"');
    return out;
}

QString SessionMessagesModel::hexPreview(const QByteArray &data, int maxBytes)
{
    const QByteArray shown = data.left(maxBytes);
    QString out = QString::fromLatin1(shown.toHex(' '));
    if (data.size() > maxBytes)
        out += QStringLiteral(" …");
    return out;
}

QString SessionMessagesModel::payloadPreviewText(const TraceEvent &ev, Kind kind) const
{
    // Only the start of a payload is decoded for a table cell: a 1 MiB message must not be
    // base64-decoded on every repaint.
    constexpr int previewBytes = 32;
    if (kind == Kind::Binary) {
        const QByteArray b64 = str(ev, Field::Data).left((previewBytes / 3 + 1) * 4).toLatin1();
        QByteArray bytes = QByteArray::fromBase64(b64);
        const bool more = integer(ev, Field::Bytes) > previewBytes || bytes.size() > previewBytes;
        QString out = QString::fromLatin1(bytes.left(previewBytes).toHex(' '));
        return more ? out + QStringLiteral(" …") : out;
    }
    if (kind == Kind::Data && rawIsBinary(ev)) {
        const QString hex = str(ev, Field::Hex);
        const QByteArray bytes = QByteArray::fromHex(hex.left(previewBytes * 2).toLatin1());
        QString out = QString::fromLatin1(bytes.toHex(' '));
        return hex.size() > previewBytes * 2 || integer(ev, Field::Bytes) > previewBytes
                   ? out + QStringLiteral(" …")
                   : out;
    }
    return escapedLine(str(ev, Field::Text));
}

QString SessionMessagesModel::content(const Row &row) const
{
    const TraceEvent &ev = m_store->event(row.event);
    QString out;
    switch (row.kind) {
    case Kind::Text:
    case Kind::Binary:
    case Kind::Data:
        out = payloadPreviewText(ev, row.kind);
        break;
    case Kind::Ping:
    case Kind::Pong:
    case Kind::Frame:
        out = tr("%1 frame, %2 payload bytes%3%4")
                  .arg(str(ev, Field::Opcode))
                  .arg(integer(ev, Field::Length, 0))
                  .arg(ev.field(Field::Fin).toBool(true) ? QString() : tr(", not fin"))
                  .arg(integer(ev, Field::Rsv, 0) ? tr(", rsv=%1").arg(integer(ev, Field::Rsv, 0))
                                                  : QString());
        break;
    case Kind::Close: {
        const int code = int(integer(ev, Field::Code, 1005));
        out = QString::number(code);
        const QString name = closeCodeName(code);
        if (!name.isEmpty())
            out += QLatin1Char(' ') + name;
        const QString reason = str(ev, Field::Reason);
        if (!reason.isEmpty())
            out += QLatin1Char(' ') + escapedLine(reason, 123);
        break;
    }
    case Kind::Unanswered:
        out = tr("close unanswered: %1").arg(str(ev, Field::Reason));
        break;
    case Kind::Error:
        out = str(ev, Field::Code).isEmpty()
                  ? str(ev, Field::Message)
                  : QStringLiteral("[%1] %2").arg(str(ev, Field::Code), str(ev, Field::Message));
        break;
    case Kind::Failed:
        out = tr("request failed [%1]: %2").arg(str(ev, Field::Code), str(ev, Field::Error));
        break;
    case Kind::End: {
        const QString protocol = str(ev, Field::Protocol);
        if (protocol == QLatin1String("websocket"))
            out = tr("session ended");
        else
            out = tr("%1 tunnel closed, %2 bytes received")
                      .arg(protocol)
                      .arg(integer(ev, Field::Bytes, 0));
        break;
    }
    }
    out.replace(QLatin1Char('\n'), QLatin1Char(' '));
    if (truncated(ev))
        out += tr(" (truncated in the trace)");
    return out;
}

QString SessionMessagesModel::size(const Row &row) const
{
    const TraceEvent &ev = m_store->event(row.event);
    switch (row.kind) {
    case Kind::Text:
    case Kind::Binary:
    case Kind::Data:
        return QString::number(integer(ev, Field::Bytes, 0));
    case Kind::Ping:
    case Kind::Pong:
    case Kind::Frame:
        return QString::number(integer(ev, Field::Length, 0));
    default:
        return {};
    }
}

QVariant SessionMessagesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[size_t(index.row())];
    const TraceEvent &ev = m_store->event(row.event);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn: {
            const ExchangeInfo *x = m_store->exchange(m_req);
            const qint64 base = x && x->startNs >= 0 ? x->startNs : 0;
            return formatMillisecondsNumber(ev.tNs - base);
        }
        case DirColumn:
            if (ev.dir == Direction::Out)
                return tr("→ sent");
            if (ev.dir == Direction::In)
                return tr("← received");
            return QString();
        case KindColumn:
            return kindName(row.kind);
        case SizeColumn:
            return size(row);
        case ContentColumn:
            return content(row);
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == ContentColumn)
            return content(row);
        if (index.column() == TimeColumn)
            return tr("ms since the request started");
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == TimeColumn || index.column() == SizeColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (isError(index.row()))
            return errorColor();
        if (ev.dir == Direction::Out && index.column() == DirColumn)
            return QGuiApplication::palette().color(QPalette::Link);
        return {};
    case Qt::BackgroundRole:
        // Sent rows get a faint tint of the highlight colour, so a conversation reads at a
        // glance in light and dark palettes alike.
        if (ev.dir == Direction::Out) {
            const QPalette pal = QGuiApplication::palette();
            return blend(pal.color(QPalette::Base), pal.color(QPalette::Highlight), 0.12);
        }
        return {};
    case EventIndexRole:
        return row.event;
    case KindRole:
        return int(row.kind);
    case PayloadRole:
        return payload(index.row());
    case IsTextRole:
        return row.kind == Kind::Text || (row.kind == Kind::Data && !rawIsBinary(ev));
    case TruncatedRole:
        return truncated(ev);
    case DirectionRole:
        return int(ev.dir);
    default:
        return {};
    }
}

QVariant SessionMessagesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (section) {
        case TimeColumn:
            return tr("Time (ms)");
        case DirColumn:
            return tr("Dir");
        case KindColumn:
            return tr("Kind");
        case SizeColumn:
            return tr("Size");
        case ContentColumn:
            return tr("Content");
        }
    }
    if (role == Qt::ToolTipRole && section == TimeColumn)
        return tr("Milliseconds since the request that opened the session started");
    return {};
}

} // namespace hopscope
