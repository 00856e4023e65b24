#include "widgets/tlsview.h"

#include "session/sessionstore.h"
#include "style/protocolstyle.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QStackedWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace hopscope {

namespace {

// A value with no space to wrap at (a SHA-256 fingerprint is 95 characters of "xx:") is shown
// in lines of this many characters (8 bytes of a fingerprint) instead of being cut; copying
// takes the value whole.
constexpr int kUnbrokenLine = 24;

QString displayed(const QString &value)
{
    if (value.size() <= 2 * kUnbrokenLine || value.contains(QLatin1Char(' ')))
        return value;
    QStringList lines;
    for (qsizetype i = 0; i < value.size(); i += kUnbrokenLine)
        lines << value.mid(i, kUnbrokenLine);
    return lines.join(QLatin1Char('\n'));
}

} // namespace

TlsView::TlsView(SessionStore *store, QWidget *parent) : QWidget(parent), m_store(store)
{
    m_failure = new QLabel(this);
    m_failure->setObjectName(QStringLiteral("tlsFailure"));
    m_failure->setWordWrap(true);
    m_failure->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Wraps in a narrow pane instead of widening the window.
    m_failure->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_placeholder = new QLabel(this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    m_placeholder->setWordWrap(true);

    m_tree = new QTreeWidget(this);
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Fact"), tr("Value")});
    m_tree->setAlternatingRowColors(true);
    // Every value whole: both columns as wide as their text, and a narrow pane scrolls
    // sideways rather than cutting a cipher or a name off ("…" would hide the part that
    // differs). Fingerprints come in lines (displayed()), so they do not make it wide.
    m_tree->setWordWrap(false);
    m_tree->setUniformRowHeights(false); // a fingerprint's row holds its lines
    m_tree->setTextElideMode(Qt::ElideNone);
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tree->header()->setStretchLastSection(false);
    m_tree->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(m_tree);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_failure);
    layout->addWidget(m_stack, 1);

    connect(store, &SessionStore::changed, this, &TlsView::onChanged);
    connect(store, &SessionStore::reset, this, [this] { setExchange(0); });
    setExchange(0);
}

void TlsView::setExchange(quint32 req)
{
    m_facts.reset(req);
    m_shownText.clear();
    m_tree->clear();
    refresh();
}

bool TlsView::hasTls() const
{
    return m_facts.isTls(*m_store);
}

QString TlsView::failureText() const
{
    return m_failure->isHidden() ? QString() : m_failure->text();
}

void TlsView::onChanged(const SessionDelta &delta)
{
    const quint32 req = m_facts.exchange();
    if (!req)
        return;
    const quint32 conn = m_facts.connection();
    if (delta.changedExchanges.contains(req) || delta.newExchanges.contains(req) ||
        (conn && (delta.changedConnections.contains(conn) || delta.newConnections.contains(conn))))
        refresh();
}

void TlsView::refresh()
{
    m_facts.scan(*m_store);
    const QString failure = m_facts.failure(*m_store);
    const QString hint = m_facts.hint(*m_store);
    m_failure->setVisible(!failure.isEmpty());
    if (!failure.isEmpty()) {
        m_failure->setText(hint.isEmpty() ? failure : failure + QLatin1Char('\n') + hint);
        QPalette pal = m_failure->palette();
        pal.setColor(QPalette::WindowText, errorColor());
        m_failure->setPalette(pal);
    }

    const QList<TlsFactRow> rows = m_facts.rows(*m_store);
    if (rows.isEmpty()) {
        m_placeholder->setText(!m_facts.exchange()        ? tr("No exchange selected")
                               : !m_facts.isTls(*m_store) ? tr("Not a TLS connection")
                               : !failure.isEmpty()       ? tr("The handshake did not finish")
                                                          : tr("The handshake has not finished"));
        m_stack->setCurrentWidget(m_placeholder);
        m_shownText.clear();
        m_tree->clear();
        return;
    }
    m_stack->setCurrentWidget(m_tree);
    const QString text = TlsFacts::text(rows);
    if (text == m_shownText)
        return;
    m_shownText = text;
    m_tree->clear();
    fill(m_tree->invisibleRootItem(), rows);
    m_tree->expandAll();
}

void TlsView::fill(QTreeWidgetItem *parent, const QList<TlsFactRow> &rows)
{
    for (const TlsFactRow &r : rows) {
        auto *item = new QTreeWidgetItem(parent, {r.label, displayed(r.value)});
        item->setData(1, Qt::UserRole, r.value);
        item->setToolTip(1, r.value);
        if (parent == m_tree->invisibleRootItem()) {
            QFont bold = item->font(0);
            bold.setBold(true);
            item->setFont(0, bold);
        }
        if (r.problem)
            item->setForeground(1, errorColor());
        fill(item, r.children);
    }
}

void TlsView::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu menu(this);
    const QString all =
        failureText().isEmpty() ? m_shownText : failureText() + QLatin1Char('\n') + m_shownText;
    QAction *copyAll = menu.addAction(tr("Copy all TLS facts"));
    copyAll->setEnabled(!all.isEmpty());
    QTreeWidgetItem *current = m_tree->currentItem();
    QAction *copyValue = menu.addAction(tr("Copy value"));
    const QString value = current ? current->data(1, Qt::UserRole).toString() : QString();
    copyValue->setEnabled(!value.isEmpty());
    QAction *chosen = menu.exec(event->globalPos());
    if (chosen == copyAll)
        QApplication::clipboard()->setText(all);
    else if (chosen == copyValue)
        QApplication::clipboard()->setText(value);
}

} // namespace hopscope
