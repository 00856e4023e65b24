#include "widgets/bodyviewer.h"

#include "format/sizeformat.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"

#include <QBuffer>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImageReader>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QStackedWidget>
#include <QStringDecoder>
#include <QTableView>
#include <QVBoxLayout>

namespace hopscope {

namespace {

enum Page { PlaceholderPage, TextPage, HexPage, ImagePage };

QByteArray mimeOf(const QByteArray &contentType)
{
    const qsizetype semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.left(semi)).trimmed().toLower();
}

QByteArray charsetOf(const QByteArray &contentType)
{
    const QByteArray lower = contentType.toLower();
    const qsizetype at = lower.indexOf("charset=");
    if (at < 0)
        return {};
    QByteArray cs = contentType.mid(at + 8);
    const qsizetype semi = cs.indexOf(';');
    if (semi >= 0)
        cs.truncate(semi);
    cs = cs.trimmed();
    if (cs.startsWith('"') && cs.endsWith('"') && cs.size() >= 2)
        cs = cs.mid(1, cs.size() - 2);
    return cs;
}

bool looksLikeImage(const QByteArray &b)
{
    return b.startsWith("\x89PNG\r\n\x1a\n") || b.startsWith("\xff\xd8\xff") ||
           b.startsWith("GIF87a") || b.startsWith("GIF89a") ||
           (b.startsWith("RIFF") && b.mid(8, 4) == "WEBP") || b.startsWith("BM");
}

// Printable UTF-8 in the first 4 KiB (tab, CR, LF and form feed allowed).
bool looksLikeText(const QByteArray &b)
{
    qsizetype n = qMin<qsizetype>(b.size(), 4096);
    // Do not judge a character cut in half by the prefix.
    if (n < b.size())
        while (n > 0 && (uchar(b.at(n)) & 0xc0) == 0x80)
            --n;
    for (qsizetype i = 0; i < n; ++i) {
        const uchar c = uchar(b.at(i));
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f)
            return false;
    }
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    (void)utf8.decode(QByteArrayView(b.constData(), n));
    return !utf8.hasError();
}

// Re-indents valid JSON token by token: key order, number spelling and string escapes stay
// exactly as received.
QString reindentJson(const QString &text)
{
    QString out;
    out.reserve(text.size() * 2);
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    const auto newline = [&] {
        out += QLatin1Char('\n');
        out += QString(depth * 4, QLatin1Char(' '));
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (inString) {
            out += c;
            if (escaped)
                escaped = false;
            else if (c == QLatin1Char('\\'))
                escaped = true;
            else if (c == QLatin1Char('"'))
                inString = false;
            continue;
        }
        switch (c.unicode()) {
        case '"':
            inString = true;
            out += c;
            break;
        case '{':
        case '[': {
            const QChar close = c == QLatin1Char('{') ? QLatin1Char('}') : QLatin1Char(']');
            qsizetype j = i + 1;
            while (j < text.size() && text.at(j).isSpace())
                ++j;
            if (j < text.size() && text.at(j) == close) { // {} and [] stay on one line
                out += c;
                out += close;
                i = j;
                break;
            }
            out += c;
            ++depth;
            newline();
            break;
        }
        case '}':
        case ']':
            --depth;
            newline();
            out += c;
            break;
        case ',':
            out += c;
            newline();
            break;
        case ':':
            out += QLatin1String(": ");
            break;
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            break;
        default:
            out += c;
        }
    }
    return out;
}

} // namespace

// ---------------------------------------------------------------------------------------------

HexBytesModel::HexBytesModel(QObject *parent) : QAbstractTableModel(parent) {}

void HexBytesModel::setBytes(const QByteArray &bytes)
{
    beginResetModel();
    m_bytes = bytes;
    endResetModel();
}

QString HexBytesModel::hexText(const QByteArray &bytes, qsizetype offset, qsizetype count)
{
    static const char digits[] = "0123456789abcdef";
    QString out;
    out.reserve(kBytesPerRow * 3 + 1);
    for (qsizetype i = 0; i < count; ++i) {
        if (i > 0)
            out += i == kBytesPerRow / 2 ? QLatin1String("  ") : QLatin1String(" ");
        const uchar c = uchar(bytes.at(offset + i));
        out += QLatin1Char(digits[c >> 4]);
        out += QLatin1Char(digits[c & 0xf]);
    }
    return out;
}

QString HexBytesModel::asciiText(const QByteArray &bytes, qsizetype offset, qsizetype count)
{
    QString out;
    out.reserve(count);
    for (qsizetype i = 0; i < count; ++i) {
        const uchar c = uchar(bytes.at(offset + i));
        out += c >= 0x20 && c < 0x7f ? QLatin1Char(char(c)) : QLatin1Char('.');
    }
    return out;
}

int HexBytesModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return int((m_bytes.size() + kBytesPerRow - 1) / kBytesPerRow);
}

int HexBytesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HexBytesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const qsizetype offset = qsizetype(index.row()) * kBytesPerRow;
    const qsizetype count = qMin<qsizetype>(kBytesPerRow, m_bytes.size() - offset);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case OffsetColumn:
            return QStringLiteral("%1").arg(offset, 8, 16, QLatin1Char('0'));
        case HexColumn:
            return hexText(m_bytes, offset, count);
        case AsciiColumn:
            return asciiText(m_bytes, offset, count);
        }
        return {};
    case Qt::FontRole:
        return QFontDatabase::systemFont(QFontDatabase::FixedFont);
    case Qt::ToolTipRole:
        if (index.column() == OffsetColumn)
            return tr("offset %1 (0x%2)").arg(offset).arg(offset, 0, 16);
        return {};
    default:
        return {};
    }
}

QVariant HexBytesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case OffsetColumn:
        return tr("Offset");
    case HexColumn:
        return tr("Hex");
    case AsciiColumn:
        return tr("ASCII");
    default:
        return {};
    }
}

// ---------------------------------------------------------------------------------------------

BodyViewer::BodyViewer(SessionStore *store, QWidget *parent) : QWidget(parent), m_store(store)
{
    m_partBox = new QComboBox(this);
    m_partBox->setObjectName(QStringLiteral("partBox"));
    m_partBox->addItem(tr("Response body"), int(Part::Response));
    m_partBox->addItem(tr("Request body"), int(Part::Request));
    m_partBox->setToolTip(tr("The body received, or the body sent with the request"));

    m_modeBox = new QComboBox(this);
    m_modeBox->setObjectName(QStringLiteral("modeBox"));
    m_modeBox->addItem(tr("Text"), int(Mode::Text));
    m_modeBox->addItem(tr("Pretty JSON"), int(Mode::Json));
    m_modeBox->addItem(tr("Hex"), int(Mode::Hex));
    m_modeBox->addItem(tr("Image"), int(Mode::Image));
    m_modeBox->setToolTip(tr("How to show the body (picked from the Content-Type until you "
                             "choose)"));

    m_encodingBox = new QComboBox(this);
    m_encodingBox->setObjectName(QStringLiteral("encodingBox"));
    m_encodingBox->addItem(tr("Decoded"));
    m_encodingBox->addItem(tr("Wire bytes"));

    m_status = new QLabel(this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_partBox);
    bar->addWidget(m_modeBox);
    bar->addWidget(m_encodingBox);
    bar->addWidget(m_status, 1);

    m_noticeLabel = new QLabel(this);
    m_noticeLabel->setWordWrap(true);
    m_noticeLabel->setVisible(false);

    m_placeholderLabel = new QLabel(this);
    m_placeholderLabel->setAlignment(Qt::AlignCenter);
    m_placeholderLabel->setWordWrap(true);
    m_placeholderLabel->setForegroundRole(QPalette::PlaceholderText);

    m_text = new QPlainTextEdit(this);
    m_text->setReadOnly(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    m_hexModel = new HexBytesModel(this);
    m_hexView = new QTableView(this);
    m_hexView->setModel(m_hexModel);
    m_hexView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_hexView->setShowGrid(false);
    m_hexView->setWordWrap(false);
    m_hexView->verticalHeader()->hide();
    // Fixed row heights and column widths: the view never measures 65536 rows.
    const QFontMetrics fm(m_hexView->font());
    m_hexView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_hexView->verticalHeader()->setDefaultSectionSize(fm.height() + 2);
    m_hexView->horizontalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_hexView->horizontalHeader()->setStretchLastSection(true);
    m_hexView->setColumnWidth(HexBytesModel::OffsetColumn,
                              fm.horizontalAdvance(QStringLiteral("000000000")) + 12);
    m_hexView->setColumnWidth(
        HexBytesModel::HexColumn,
        fm.horizontalAdvance(QString(HexBytesModel::kBytesPerRow * 3 + 1, QLatin1Char('0'))) + 12);

    m_imageLabel = new QLabel;
    m_imageLabel->setAlignment(Qt::AlignCenter);
    m_imageArea = new QScrollArea(this);
    m_imageArea->setWidget(m_imageLabel);
    m_imageArea->setWidgetResizable(true);
    m_imageArea->setBackgroundRole(QPalette::Base);

    m_stack = new QStackedWidget(this);
    m_stack->insertWidget(PlaceholderPage, m_placeholderLabel);
    m_stack->insertWidget(TextPage, m_text);
    m_stack->insertWidget(HexPage, m_hexView);
    m_stack->insertWidget(ImagePage, m_imageArea);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_noticeLabel);
    layout->addWidget(m_stack, 1);

    connect(m_partBox, &QComboBox::activated, this,
            [this](int i) { setPart(Part(m_partBox->itemData(i).toInt())); });
    connect(m_modeBox, &QComboBox::activated, this,
            [this](int i) { setMode(Mode(m_modeBox->itemData(i).toInt())); });
    connect(m_encodingBox, &QComboBox::activated, this, [this](int i) { setShowWire(i == 1); });

    connect(m_store, &SessionStore::bodyAdded, this, [this](quint32 req) {
        if (req == m_req)
            refresh();
    });
    connect(m_store, &SessionStore::changed, this, [this](const SessionDelta &delta) {
        // Only the placeholder depends on the exchange's state (running, failed, …).
        if (m_req && !m_hasBody && delta.changedExchanges.contains(m_req))
            refresh();
    });
    connect(m_store, &SessionStore::reset, this, [this] { setExchange(0); });

    refresh();
}

void BodyViewer::setExchange(quint32 req)
{
    if (req != m_req)
        m_userMode = false;
    m_req = req;
    refresh();
}

void BodyViewer::setPart(Part part)
{
    if (part == m_part)
        return;
    m_part = part;
    m_userMode = false; // the request body may well be of another type
    refresh();
}

void BodyViewer::setMode(Mode mode)
{
    m_userMode = true;
    if (mode == m_mode)
        return;
    m_mode = mode;
    if (m_hasBody)
        render();
    syncControls();
    emit modeChanged(m_mode);
}

void BodyViewer::setShowWire(bool wire)
{
    if (wire == m_wire)
        return;
    m_wire = wire;
    refresh();
}

bool BodyViewer::canShowWire() const
{
    const std::optional<BodyInfo> body = m_req ? m_store->bodyInfo(m_req) : std::nullopt;
    return m_part == Part::Response && body && !body->contentEncoding.isEmpty();
}

QByteArray BodyViewer::contentType() const
{
    if (m_part == Part::Response) {
        const std::optional<BodyInfo> body = m_req ? m_store->bodyInfo(m_req) : std::nullopt;
        return body ? body->contentType : QByteArray();
    }
    // The request's Content-Type is in the request head that went out.
    const ExchangeInfo *ex = m_req ? m_store->exchange(m_req) : nullptr;
    if (!ex)
        return {};
    for (const int i : ex->events) {
        const TraceEvent &ev = m_store->event(i);
        const bool requestHead = ev.is(EventType::H1Request) ||
                                 ((ev.is(EventType::H2Headers) || ev.is(EventType::H3Headers)) &&
                                  ev.field(Field::Kind).toUtf8() == "request");
        if (!requestHead)
            continue;
        for (const FieldValue p : ev.field(Field::Headers)) {
            if (p.at(0).toString().compare(QLatin1String("content-type"), Qt::CaseInsensitive) == 0)
                return p.at(1).toString().toUtf8().toLower();
        }
    }
    return {};
}

qint64 BodyViewer::totalBytes(bool *known) const
{
    *known = true;
    if (m_part == Part::Request)
        return m_bytes.size();
    const ExchangeInfo *ex = m_store->exchange(m_req);
    const std::optional<BodyInfo> body = m_store->bodyInfo(m_req);
    const bool wire = showWire() || body->contentEncoding.isEmpty();
    if (wire && ex && ex->bytes >= 0)
        return ex->bytes;
    if (!wire && ex) {
        // response.complete says decodedBytes when the engine decoded the body.
        for (auto it = ex->events.crbegin(); it != ex->events.crend(); ++it) {
            const TraceEvent &ev = m_store->event(*it);
            if (ev.is(EventType::ResponseComplete)) {
                const FieldValue v = ev.field(Field::DecodedBytes);
                if (v.isInteger())
                    return v.toInteger();
                break;
            }
        }
    }
    *known = !truncated();
    return m_bytes.size();
}

bool BodyViewer::truncated() const
{
    if (m_part == Part::Request || !m_hasBody)
        return false;
    const std::optional<BodyInfo> body = m_store->bodyInfo(m_req);
    return showWire() ? body->wireTruncated : body->decodedTruncated;
}

QString BodyViewer::statusText() const
{
    return m_status->text();
}

QString BodyViewer::messageText() const
{
    return m_hasBody ? m_notice : m_placeholder;
}

QString BodyViewer::displayedText() const
{
    return m_stack->currentIndex() == TextPage ? m_text->toPlainText() : QString();
}

BodyViewer::Mode BodyViewer::modeFor(const QByteArray &contentType, const QByteArray &bytes)
{
    const QByteArray mime = mimeOf(contentType);
    if (mime.contains("json"))
        return Mode::Json;
    if (mime.startsWith("image/") && !mime.contains("svg"))
        return Mode::Image;
    if (mime.startsWith("text/") || mime.contains("xml") || mime.contains("javascript") ||
        mime.contains("x-www-form-urlencoded") || mime.contains("svg"))
        return Mode::Text;
    if (looksLikeImage(bytes))
        return Mode::Image;
    if (looksLikeText(bytes)) {
        const QByteArray start = bytes.left(64).trimmed();
        if (mime.isEmpty() && (start.startsWith('{') || start.startsWith('[')) &&
            !prettyJson(bytes).isEmpty())
            return Mode::Json;
        return Mode::Text;
    }
    return Mode::Hex;
}

QString BodyViewer::prettyJson(const QByteArray &bytes, QString *error)
{
    QJsonParseError parseError;
    QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error == QJsonParseError::NoError)
        return reindentJson(QString::fromUtf8(bytes));

    // Newline-delimited JSON (application/x-ndjson, JSON lines): one document a line.
    const QList<QByteArray> lines = bytes.split('\n');
    QStringList pretty;
    for (const QByteArray &line : lines) {
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError lineError;
        QJsonDocument::fromJson(line, &lineError);
        if (lineError.error != QJsonParseError::NoError) {
            pretty.clear();
            break;
        }
        pretty.append(reindentJson(QString::fromUtf8(line)));
    }
    if (pretty.size() > 1)
        return pretty.join(QLatin1Char('\n'));

    if (error)
        *error =
            QStringLiteral("%1 at offset %2").arg(parseError.errorString()).arg(parseError.offset);
    return {};
}

QString BodyViewer::decodedText() const
{
    const QByteArray charset = charsetOf(contentType());
    if (!charset.isEmpty()) {
        QStringDecoder decoder(charset.constData());
        if (decoder.isValid())
            return decoder.decode(m_bytes);
    }
    return QString::fromUtf8(m_bytes);
}

void BodyViewer::showPlaceholder(const QString &text)
{
    m_placeholder = text;
    m_placeholderLabel->setText(text);
    m_stack->setCurrentIndex(PlaceholderPage);
    m_text->clear();
    m_hexModel->setBytes({});
    m_imageLabel->clear();
}

void BodyViewer::refresh()
{
    m_hasBody = false;
    m_bytes.clear();
    m_image = {};
    m_imageFormat.clear();
    m_notice.clear();
    m_placeholder.clear();

    const ExchangeInfo *ex = m_req ? m_store->exchange(m_req) : nullptr;
    const std::optional<ExchangeBody> body = ex ? m_store->body(m_req) : std::nullopt;
    const bool session = ex && ex->kind != ExchangeInfo::Kind::Http;
    const QString sessionNote =
        ex && ex->kind == ExchangeInfo::Kind::WebSocket
            ? tr("No body: the connection became a WebSocket session (see the Session tab).")
            : tr("No body: the connection became a raw tunnel (see the Session tab).");

    if (!ex) {
        showPlaceholder(tr("No exchange selected."));
    } else if (!body) {
        if (m_store->bodyEvicted(m_req))
            showPlaceholder(tr("The body was dropped to keep memory in check: the oldest "
                               "bodies go first."));
        else if (session && m_part == Part::Response)
            showPlaceholder(sessionNote);
        else if (ex->state == ExchangeInfo::State::Failed)
            showPlaceholder(tr("No body: the request failed (%1).")
                                .arg(ex->errorCode.isEmpty() ? ex->error : ex->errorCode));
        else if (m_store->isSavedTrace() && m_store->hasFileBodies())
            showPlaceholder(ex->state == ExchangeInfo::State::Running
                                ? tr("No body: the session was saved before this exchange "
                                     "finished.")
                                : tr("No body: the session file holds none for this exchange "
                                     "(there was none, or the window had dropped it to keep "
                                     "memory in check before it was saved)."));
        else if (m_store->isSavedTrace())
            showPlaceholder(ex->state == ExchangeInfo::State::Running
                                ? tr("No body: the saved trace ends before this exchange "
                                     "finished, and a trace holds no bodies.")
                                : tr("No body: a saved trace holds the events only, not the "
                                     "bodies. Save the body with hopscope-cli -o FILE, or "
                                     "export HAR from a live window."));
        else if (ex->state == ExchangeInfo::State::Running)
            showPlaceholder(m_part == Part::Response
                                ? tr("Waiting for the response…")
                                : tr("Waiting for the exchange to finish: the request body is "
                                     "shown with the response."));
        else
            showPlaceholder(tr("Waiting for the body…"));
    } else {
        if (m_part == Part::Request)
            m_bytes = body->requestBody;
        else
            m_bytes = showWire() ? body->wire : body->decoded;
        if (m_bytes.isEmpty()) {
            if (m_part == Part::Request)
                showPlaceholder(tr("No request body."));
            else if (session)
                showPlaceholder(sessionNote);
            else
                showPlaceholder(tr("No body."));
        } else {
            m_hasBody = true;
            // Encoded wire bytes are not what the Content-Type describes: judge them by
            // themselves (gzip, br are binary: hex).
            const Mode picked =
                m_userMode ? m_mode : modeFor(showWire() ? QByteArray() : contentType(), m_bytes);
            const bool modeChange = picked != m_mode;
            m_mode = picked;
            render();
            if (modeChange)
                emit modeChanged(m_mode);
        }
    }
    syncControls();
}

void BodyViewer::render()
{
    m_notice.clear();
    m_image = {};
    m_imageFormat.clear();
    Mode shown = m_mode;
    if (shown == Mode::Image) {
        QBuffer buffer(&m_bytes);
        buffer.open(QIODevice::ReadOnly);
        QImageReader reader(&buffer);
        m_imageFormat = reader.format();
        m_image = reader.read();
        if (m_image.isNull()) {
            m_notice = tr("Not an image Qt can decode (%1): showing the bytes in hex.")
                           .arg(reader.errorString());
            shown = Mode::Hex;
        }
    }
    QString text;
    if (shown == Mode::Json) {
        QString error;
        text = prettyJson(m_bytes, &error);
        if (text.isNull()) {
            m_notice = tr("Not valid JSON (%1): showing the text.").arg(error);
            text = decodedText();
        }
        m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    } else if (shown == Mode::Text) {
        text = decodedText();
        m_text->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    }

    // Only the view in use holds the bytes: the others are emptied.
    if (shown == Mode::Text || shown == Mode::Json) {
        m_text->setPlainText(text);
        m_stack->setCurrentIndex(TextPage);
    } else {
        m_text->clear();
    }
    m_hexModel->setBytes(shown == Mode::Hex ? m_bytes : QByteArray());
    if (shown == Mode::Hex)
        m_stack->setCurrentIndex(HexPage);
    if (shown == Mode::Image) {
        m_imageLabel->setPixmap(QPixmap::fromImage(m_image));
        m_stack->setCurrentIndex(ImagePage);
    } else {
        m_imageLabel->clear();
    }
    m_noticeLabel->setText(m_notice);
    m_noticeLabel->setVisible(!m_notice.isEmpty());
    syncControls();
}

void BodyViewer::syncControls()
{
    const std::optional<BodyInfo> body = m_req ? m_store->bodyInfo(m_req) : std::nullopt;

    m_partBox->setCurrentIndex(m_partBox->findData(int(m_part)));
    m_partBox->setEnabled(m_req != 0);
    m_modeBox->setCurrentIndex(m_modeBox->findData(int(m_mode)));
    m_modeBox->setEnabled(m_hasBody);

    const bool wireOk = canShowWire();
    m_encodingBox->setEnabled(wireOk);
    m_encodingBox->setCurrentIndex(showWire() ? 1 : 0);
    if (wireOk)
        m_encodingBox->setToolTip(
            tr("Decoded: the body after undoing Content-Encoding: %1. Wire bytes: the body as "
               "received, still encoded.")
                .arg(QString::fromLatin1(body->contentEncoding)));
    else if (m_part == Part::Request)
        m_encodingBox->setToolTip(tr("The request body is shown as sent."));
    else
        m_encodingBox->setToolTip(tr("The response had no Content-Encoding: the bytes on the "
                                     "wire are the body."));

    if (!m_hasBody) {
        m_status->clear();
        m_noticeLabel->setVisible(false);
        return;
    }
    bool known = true;
    const qint64 total = totalBytes(&known);
    QString status =
        known ? tr("%1 bytes").arg(total) : tr("more than %1 bytes").arg(m_bytes.size());
    if (truncated())
        status += tr(" (truncated after %1)").arg(formatByteLimit(m_bytes.size()));
    if (m_part == Part::Response && body && !body->contentEncoding.isEmpty())
        status += showWire()
                      ? tr(" · %1 as on the wire").arg(QString::fromLatin1(body->contentEncoding))
                      : tr(" · decoded from %1").arg(QString::fromLatin1(body->contentEncoding));
    const QByteArray ct = contentType();
    if (!ct.isEmpty())
        status += QStringLiteral(" · ") + QString::fromLatin1(ct);
    if (!m_image.isNull())
        status += tr(" · %1 image, %2 × %3 px")
                      .arg(QString::fromLatin1(m_imageFormat.toUpper()))
                      .arg(m_image.width())
                      .arg(m_image.height());
    m_status->setText(status);
}

} // namespace hopscope
