#include "widgets/sessionpanel.h"

#include "models/sessionmessagesmodel.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"
#include "trace/tracestrings.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QCheckBox>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

#include <cctype>

namespace hopscope {

using Kind = SessionMessagesModel::Kind;

SessionPanel::SessionPanel(SessionStore *store, QWidget *parent)
    : QWidget(parent), m_store(store), m_model(new SessionMessagesModel(store, this))
{
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(2);

    m_state = new QLabel;
    m_state->setObjectName(QStringLiteral("state"));
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    outer->addWidget(m_state);

    m_view = new QTableView;
    m_view->setObjectName(QStringLiteral("messages"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setWordWrap(false);
    m_view->setAlternatingRowColors(false); // sent rows carry their own tint
    m_view->verticalHeader()->setVisible(false);
    // The Content column elides (its tooltip and the pane below show a message whole): a
    // horizontal scroll bar would only cost a row of a short list.
    m_view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_view->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    QHeaderView *h = m_view->horizontalHeader();
    h->setStretchLastSection(true);
    // Each fixed column as wide as its widest usual text, so that a stacked list in a 1024 px
    // window leaves the content room without a horizontal scroll bar (widths in 'm's were
    // wider than the texts and the bar cost a row).
    const int pad = 2 * style()->pixelMetric(QStyle::PM_HeaderMargin) + 8;
    const auto fit = [&](int column, std::initializer_list<QString> samples) {
        int widest = 0;
        for (const QString &sample : samples)
            widest = qMax(widest, fontMetrics().horizontalAdvance(sample));
        h->resizeSection(column, widest + pad);
    };
    const auto header = [this](int column) {
        return m_model->headerData(column, Qt::Horizontal).toString();
    };
    fit(SessionMessagesModel::TimeColumn,
        {header(SessionMessagesModel::TimeColumn), QStringLiteral("99999.999")});
    fit(SessionMessagesModel::DirColumn,
        {header(SessionMessagesModel::DirColumn), tr("← received"), tr("→ sent")});
    fit(SessionMessagesModel::KindColumn, {header(SessionMessagesModel::KindColumn),
                                           QStringLiteral("binary"), QStringLiteral("close")});
    fit(SessionMessagesModel::SizeColumn,
        {header(SessionMessagesModel::SizeColumn), QStringLiteral("99999")});

    auto *detailBox = new QWidget;
    auto *dv = new QVBoxLayout(detailBox);
    dv->setContentsMargins(0, 0, 0, 0);
    dv->setSpacing(1);
    m_detailTitle = new QLabel;
    m_detailTitle->setObjectName(QStringLiteral("detailTitle"));
    m_detail = new QPlainTextEdit;
    m_detail->setObjectName(QStringLiteral("detail"));
    m_detail->setReadOnly(true);
    m_detail->setFont(mono);
    m_detail->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_detail->setPlaceholderText(tr("Select a message to see it in full"));
    // Stacked under the list in a narrow pane, two lines are enough; it grows with the pane.
    m_detail->setMinimumHeight(m_detail->fontMetrics().lineSpacing() * 2 + 8);
    dv->addWidget(m_detailTitle);
    dv->addWidget(m_detail, 1);

    // The list and the selected message: side by side where the pane is wide enough, else
    // stacked with most of the height for the list (see resizeEvent). Stacked 3:2, the detail
    // pane's few hundred pixels left the list 4 or 5 rows.
    m_split = new QSplitter(Qt::Horizontal);
    m_split->setObjectName(QStringLiteral("messagesSplit"));
    m_split->setChildrenCollapsible(false);
    m_split->addWidget(m_view);
    m_split->addWidget(detailBox);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 2);
    outer->addWidget(m_split, 1);

    // The send box.
    m_sendBox = new QWidget;
    m_sendBox->setObjectName(QStringLiteral("sendBox"));
    auto *sendRow = new QHBoxLayout(m_sendBox);
    sendRow->setContentsMargins(0, 0, 0, 0);
    sendRow->setSpacing(4);
    m_input = new QPlainTextEdit;
    m_input->setObjectName(QStringLiteral("input"));
    m_input->setFont(mono);
    m_input->setTabChangesFocus(true);
    m_input->setFixedHeight(fontMetrics().lineSpacing() * 3 + 10);
    connect(m_input, &QPlainTextEdit::textChanged, this, &SessionPanel::validateInput);
    m_mode = new QComboBox;
    m_mode->setObjectName(QStringLiteral("inputMode"));
    m_mode->addItem(tr("Text"), int(InputMode::Text));
    m_mode->addItem(tr("Binary (hex)"), int(InputMode::Binary));
    m_mode->setItemData(0, tr("Send the input as a UTF-8 text message"), Qt::ToolTipRole);
    m_mode->setItemData(1, tr("Send bytes written in hex, e.g. 00 01 ff"), Qt::ToolTipRole);
    connect(m_mode, &QComboBox::currentIndexChanged, this, &SessionPanel::validateInput);
    m_newline = new QCheckBox(tr("+ \\n"));
    m_newline->setObjectName(QStringLiteral("appendNewline"));
    m_newline->setToolTip(tr("Append a line feed to each text send (line-based tunnel peers "
                             "wait for it)"));
    m_newline->setChecked(true);
    m_send = new QPushButton(tr("Send"));
    m_send->setObjectName(QStringLiteral("send"));
    m_send->setToolTip(tr("Send the input (Ctrl+Return)"));
    connect(m_send, &QPushButton::clicked, this, &SessionPanel::sendInput);
    m_ping = new QPushButton(tr("Ping"));
    m_ping->setObjectName(QStringLiteral("ping"));
    m_ping->setToolTip(tr("Send a WebSocket ping; the peer's pong appears in the list"));
    connect(m_ping, &QPushButton::clicked, this, &SessionPanel::sendPing);
    m_close = new QPushButton(tr("Close"));
    m_close->setObjectName(QStringLiteral("close"));
    m_close->setToolTip(tr("Close the session (WebSocket: close frame 1000)"));
    connect(m_close, &QPushButton::clicked, this, &SessionPanel::sendClose);

    auto *controls = new QVBoxLayout;
    controls->setSpacing(2);
    auto *top = new QHBoxLayout;
    top->addWidget(m_mode);
    top->addWidget(m_newline);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_send);
    buttons->addWidget(m_ping);
    buttons->addWidget(m_close);
    controls->addLayout(top);
    controls->addLayout(buttons);
    sendRow->addWidget(m_input, 1);
    sendRow->addLayout(controls);
    outer->addWidget(m_sendBox);

    m_inputError = new QLabel;
    m_inputError->setObjectName(QStringLiteral("inputError"));
    m_inputError->setStyleSheet(QStringLiteral("QLabel { color: %1; }").arg(errorColor().name()));
    m_inputError->setVisible(false);
    outer->addWidget(m_inputError);

    // Ctrl+Return in the input sends the message. Not a QShortcut: the main window binds
    // Ctrl+Return application-wide to send the composer's request, and two shortcuts on one key
    // are ambiguous (neither fires). The input claims the key through ShortcutOverride instead,
    // so while it has focus the key sends here and nowhere else.
    m_input->installEventFilter(this);

    // Follow the newest message unless the user scrolled up to read an older one.
    connect(m_model, &QAbstractItemModel::rowsAboutToBeInserted, this, [this] {
        const QScrollBar *bar = m_view->verticalScrollBar();
        m_followNewest = bar->value() >= bar->maximum();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_followNewest)
            m_view->scrollToBottom();
        updateState();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        updateState();
        updateDetail();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &SessionPanel::updateDetail);
    // The exchange's kind and state can change without a new row (a 101, a completion).
    connect(m_store, &SessionStore::changed, this, [this](const SessionDelta &delta) {
        if (m_req && (delta.changedExchanges.contains(m_req) || delta.newExchanges.contains(m_req)))
            updateState();
    });
    connect(m_store, &SessionStore::reset, this, &SessionPanel::updateState);

    updateState();
    updateDetail();
}

void SessionPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    // Side by side the list needs room for its five columns and the detail for a line of text.
    const int em = fontMetrics().horizontalAdvance(QLatin1Char('m'));
    const Qt::Orientation wanted = width() >= em * 52 ? Qt::Horizontal : Qt::Vertical;
    if (m_split->orientation() == wanted)
        return;
    m_split->setOrientation(wanted);
    // Proportions (the splitter scales them to its size, which may not be laid out yet).
    m_split->setSizes(wanted == Qt::Horizontal ? QList<int>{3000, 2000} : QList<int>{4000, 1000});
}

bool SessionPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_input &&
        (event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress)) {
        const auto *key = static_cast<QKeyEvent *>(event);
        const bool ctrlReturn = (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) &&
                                (key->modifiers() & ~Qt::KeypadModifier) == Qt::ControlModifier;
        if (ctrlReturn) {
            event->accept();
            if (event->type() == QEvent::KeyPress)
                sendInput();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void SessionPanel::setExchange(quint32 req)
{
    if (req == m_req && m_model->exchange() == req)
        return;
    m_req = req;
    m_followNewest = true;
    m_model->setExchange(req);
    m_view->scrollToBottom();
    setInputError({});
    updateState();
}

void SessionPanel::setSessionOpen(bool open, bool canPing)
{
    m_open = open;
    m_canPing = canPing;
    updateState();
}

bool SessionPanel::isTunnel() const
{
    const ExchangeInfo *x = m_req ? m_store->exchange(m_req) : nullptr;
    if (x && x->kind != ExchangeInfo::Kind::Http)
        return x->kind == ExchangeInfo::Kind::RawTunnel;
    return m_open && !m_canPing;
}

QString SessionPanel::stateText() const
{
    return m_state->text();
}

void SessionPanel::updateState()
{
    const ExchangeInfo *x = m_req ? m_store->exchange(m_req) : nullptr;
    const bool tunnel = isTunnel();
    const bool webSocket = (x && x->kind == ExchangeInfo::Kind::WebSocket) || (m_open && m_canPing);
    QString state;
    QString why; // why sending is off
    bool bad = false;
    if (!m_req) {
        state = tr("No session selected");
        why = tr("Select a WebSocket or tunnel exchange");
    } else if (m_open) {
        state = webSocket
                    ? tr("WebSocket open")
                    : tr("tunnel open (%1)")
                          .arg(x && !x->protocol.isEmpty() ? x->protocol : QStringLiteral("raw"));
    } else if (!x ||
               (x->kind == ExchangeInfo::Kind::Http && x->state == ExchangeInfo::State::Running)) {
        state = tr("waiting for 101 Switching Protocols…");
        why = tr("The session is not open yet");
    } else if (x->kind == ExchangeInfo::Kind::Http) {
        state = x->state == ExchangeInfo::State::Failed
                    ? tr("failed before a session opened: %1").arg(x->error)
                    : tr("request %1 is plain HTTP (status %2), not a session")
                          .arg(m_req)
                          .arg(x->status);
        bad = x->state == ExchangeInfo::State::Failed;
        why = tr("Only a WebSocket or an upgraded tunnel takes sends");
    } else {
        // Closed: say how, from the last close frames and failures seen.
        int sentCode = -1, receivedCode = -1;
        QString failure;
        bool unanswered = false;
        for (int r = 0; r < m_model->rowCount(); ++r) {
            const TraceEvent &ev = m_store->event(m_model->eventIndex(r));
            switch (m_model->kind(r)) {
            case Kind::Close:
                (ev.dir == Direction::Out ? sentCode : receivedCode) =
                    int(ev.field(Field::Code).toInteger(1005));
                break;
            case Kind::Unanswered:
                unanswered = true;
                break;
            case Kind::Failed:
                failure = ev.field(Field::Error).toString();
                break;
            default:
                break;
            }
        }
        if (!failure.isEmpty()) {
            state = tr("failed: %1").arg(failure);
            bad = true;
        } else if (tunnel) {
            state = tr("tunnel closed");
        } else if (receivedCode >= 0 || sentCode >= 0) {
            const int code = receivedCode >= 0 ? receivedCode : sentCode;
            state = tr("closed %1").arg(code);
            if (unanswered)
                state += tr(" (the peer did not answer our close)");
            bad = code != 1000 && code != 1001 && code != 1005;
        } else {
            state =
                x->state == ExchangeInfo::State::Running ? tr("session not open") : tr("closed");
        }
        why = tr("The session is closed");
    }
    m_state->setText(state);
    m_state->setStyleSheet(bad ? QStringLiteral("QLabel { color: %1; }").arg(errorColor().name())
                               : QString());

    const bool open = m_open && m_req;
    // A session that is over (or never was one) sends nothing again: its send box gives its
    // height to the list, which in a 700 px window is three more rows. While the 101 is
    // awaited the box stays, disabled, so that it does not jump in when the session opens.
    const bool awaiting =
        m_req && !m_open &&
        (!x || (x->kind == ExchangeInfo::Kind::Http && x->state == ExchangeInfo::State::Running));
    m_sendBox->setVisible(open || awaiting);
    for (QWidget *w : {static_cast<QWidget *>(m_input), static_cast<QWidget *>(m_mode),
                       static_cast<QWidget *>(m_newline), static_cast<QWidget *>(m_close),
                       static_cast<QWidget *>(m_send)})
        w->setEnabled(open);
    m_ping->setEnabled(open && m_canPing);
    m_ping->setVisible(!tunnel);
    m_newline->setVisible(tunnel);
    m_input->setPlaceholderText(open
                                    ? (tunnel ? tr("Bytes to send through the tunnel (Ctrl+Return)")
                                              : tr("Message to send (Ctrl+Return)"))
                                    : why);
    m_ping->setToolTip(m_canPing ? tr("Send a WebSocket ping; the peer's pong appears in the list")
                                 : tr("Only a WebSocket can ping"));
    validateInput();
}

// --- the detail pane ---

QString SessionPanel::prettyJson(const QByteArray &text)
{
    const QByteArray t = text.trimmed();
    if (t.isEmpty() || (t.front() != '{' && t.front() != '['))
        return {};
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(t, &error);
    if (error.error != QJsonParseError::NoError || doc.isNull())
        return {};
    return QString::fromUtf8(doc.toJson(QJsonDocument::Indented)).trimmed();
}

QString SessionPanel::hexDump(const QByteArray &data, int maxBytes)
{
    const qsizetype n = qMin<qsizetype>(data.size(), maxBytes);
    QString out;
    out.reserve(int(n / 16 + 1) * 78);
    for (qsizetype off = 0; off < n; off += 16) {
        out += QStringLiteral("%1  ").arg(off, 8, 16, QLatin1Char('0'));
        QString ascii;
        for (int i = 0; i < 16; ++i) {
            if (off + i < n) {
                const uchar b = uchar(data.at(off + i));
                out += QStringLiteral("%1 ").arg(b, 2, 16, QLatin1Char('0'));
                ascii += (b >= 0x20 && b < 0x7f) ? QChar(b) : QChar(u'.');
            } else {
                out += QStringLiteral("   ");
            }
            if (i == 7)
                out += QLatin1Char(' ');
        }
        out += QLatin1Char(' ') + ascii + QLatin1Char('\n');
    }
    if (data.size() > n)
        out += tr("… %1 more bytes not shown\n").arg(data.size() - n);
    return out;
}

void SessionPanel::updateDetail()
{
    const QModelIndex cur = m_view->currentIndex();
    if (!cur.isValid()) {
        m_detailTitle->setText(tr("No message selected"));
        m_detail->clear();
        return;
    }
    const int row = cur.row();
    const TraceEvent &ev = m_store->event(m_model->eventIndex(row));
    const Kind kind = m_model->kind(row);
    const QByteArray payload = m_model->payload(row);
    const QString dir = m_model->index(row, SessionMessagesModel::DirColumn).data().toString();
    const QString size = m_model->index(row, SessionMessagesModel::SizeColumn).data().toString();
    QString title = QStringLiteral("%1 %2").arg(dir, SessionMessagesModel::kindName(kind));
    if (!size.isEmpty())
        title += tr(", %1 bytes").arg(size);
    title += tr(" at %1 ms")
                 .arg(m_model->index(row, SessionMessagesModel::TimeColumn).data().toString());
    const bool truncated =
        m_model->index(row, 0).data(SessionMessagesModel::TruncatedRole).toBool();
    if (truncated)
        title += tr(" — the trace kept only the first %1 bytes").arg(payload.size());

    QString text;
    const bool isText = m_model->index(row, 0).data(SessionMessagesModel::IsTextRole).toBool();
    switch (kind) {
    case Kind::Text:
    case Kind::Data:
    case Kind::Binary:
        if (isText) {
            text = prettyJson(payload);
            if (!text.isEmpty())
                title += tr(" (JSON, formatted)");
            else
                text = QString::fromUtf8(payload);
        } else {
            text = hexDump(payload);
        }
        break;
    case Kind::Close: {
        const int code = int(ev.field(Field::Code).toInteger(1005));
        text = tr("Close code %1 %2").arg(code).arg(SessionMessagesModel::closeCodeName(code));
        if (!payload.isEmpty())
            text += tr("\nReason: %1").arg(QString::fromUtf8(payload));
        break;
    }
    default:
        // Frames, errors, endings: every field of the event, as traced.
        text = m_model->index(row, SessionMessagesModel::ContentColumn).data().toString();
        text += QLatin1String("\n\n");
        for (auto it = ev.begin(); it != ev.end(); ++it) {
            const QCborValue v = (*it).toCbor(); // generic display: the slow path is fine
            QString value;
            if (v.isMap())
                value = QString::fromUtf8(
                    QJsonDocument(v.toMap().toJsonObject()).toJson(QJsonDocument::Compact));
            else if (v.isArray())
                value = QString::fromUtf8(
                    QJsonDocument(v.toArray().toJsonArray()).toJson(QJsonDocument::Compact));
            else
                value = v.toVariant().toString();
            text += QStringLiteral("%1: %2\n")
                        .arg(TraceStrings::instance().entry(quint32(it.key())).text, value);
        }
        break;
    }
    m_detailTitle->setText(title);
    m_detail->setPlainText(text);
}

// --- sending ---

SessionPanel::InputMode SessionPanel::inputMode() const
{
    return InputMode(m_mode->currentData().toInt());
}

void SessionPanel::setInputMode(InputMode mode)
{
    m_mode->setCurrentIndex(m_mode->findData(int(mode)));
}

void SessionPanel::setInputText(const QString &text)
{
    m_input->setPlainText(text);
}

QString SessionPanel::inputError() const
{
    return m_inputError->isVisibleTo(this) ? m_inputError->text() : QString();
}

void SessionPanel::setInputError(const QString &error)
{
    m_inputError->setText(error);
    m_inputError->setVisible(!error.isEmpty());
}

bool SessionPanel::parseHex(const QString &text, QByteArray *out, QString *error)
{
    QByteArray digits;
    digits.reserve(text.size());
    const QString t = text.trimmed();
    for (qsizetype i = 0; i < t.size(); ++i) {
        const QChar c = t.at(i);
        // "0x" prefixes and the usual separators are accepted and dropped.
        if (c == u'0' && i + 1 < t.size() && (t.at(i + 1) == u'x' || t.at(i + 1) == u'X') &&
            (i == 0 || !isxdigit(t.at(i - 1).toLatin1()))) {
            ++i;
            continue;
        }
        if (c.isSpace() || c == u',' || c == u':' || c == u'-')
            continue;
        if (c.unicode() > 0x7f || !isxdigit(c.toLatin1())) {
            if (error)
                *error = tr("not a hex digit: '%1' at position %2").arg(c).arg(i + 1);
            return false;
        }
        digits += char(c.unicode());
    }
    if (digits.size() % 2) {
        if (error)
            *error = tr("odd number of hex digits (%1): each byte takes two").arg(digits.size());
        return false;
    }
    if (out)
        *out = QByteArray::fromHex(digits);
    return true;
}

void SessionPanel::validateInput()
{
    if (inputMode() != InputMode::Binary || !m_input->isEnabled()) {
        setInputError({});
        return;
    }
    QString error;
    if (!parseHex(m_input->toPlainText(), nullptr, &error))
        setInputError(tr("Invalid hex: %1").arg(error));
    else
        setInputError({});
}

void SessionPanel::sendInput()
{
    if (!m_open || !m_req)
        return;
    const QString text = m_input->toPlainText();
    if (inputMode() == InputMode::Binary) {
        QByteArray bytes;
        QString error;
        if (!parseHex(text, &bytes, &error)) {
            setInputError(tr("Invalid hex: %1").arg(error));
            return;
        }
        if (bytes.isEmpty() && isTunnel()) {
            setInputError(tr("Nothing to send"));
            return;
        }
        setInputError({});
        emit sendRequested(m_req, SessionSendKind::Binary, bytes);
    } else {
        QByteArray bytes = text.toUtf8();
        if (isTunnel() && m_newline->isChecked())
            bytes += '\n';
        if (bytes.isEmpty() && isTunnel()) {
            setInputError(tr("Nothing to send"));
            return;
        }
        setInputError({});
        emit sendRequested(m_req, SessionSendKind::Text, bytes);
    }
    // Kept (and selected) so that the same message can be sent again or edited.
    m_input->selectAll();
}

void SessionPanel::sendPing()
{
    if (m_open && m_canPing && m_req)
        emit sendRequested(m_req, SessionSendKind::Ping, QByteArray());
}

void SessionPanel::sendClose()
{
    if (m_open && m_req)
        emit sendRequested(m_req, SessionSendKind::Close, QByteArray());
}

} // namespace hopscope
