#include "widgets/timingsview.h"

#include "format/durationformat.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QHelpEvent>
#include <QLabel>
#include <QMenu>
#include <QPainter>
#include <QToolTip>
#include <QVBoxLayout>

namespace hopscope {

namespace {

bool darkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

// One hue per phase, like browser devtools; lighter on a dark palette.
QColor phaseColor(int row, const QPalette &palette)
{
    static const int hues[] = {210, 175, 30, 280, 120, 140, 200, 0};
    QColor c = QColor::fromHsv(hues[row % 8], 150, 200);
    if (row == 0) // Queued: grey, it is not network time
        c = QColor::fromHsv(0, 0, 160);
    return darkPalette(palette) ? c.lighter(115) : c.darker(110);
}

} // namespace

// The bars: label | bar at its offset within the total | number. Painted, no child widgets.
class TimingsView::Waterfall : public QWidget
{
public:
    explicit Waterfall(TimingsView *owner) : QWidget(owner), m_owner(owner)
    {
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    }

    int rowHeight() const { return fontMetrics().height() + 8; }
    int rows() const { return int(m_owner->phases().size()) + 1; } // + Total

    QSize sizeHint() const override { return {420, rows() * rowHeight() + 4}; }
    QSize minimumSizeHint() const override { return {240, sizeHint().height()}; }

protected:
    void paintEvent(QPaintEvent *) override
    {
        const QList<Phase> &phases = m_owner->phases();
        if (phases.isEmpty())
            return;
        QPainter p(this);
        const QFontMetrics fm = fontMetrics();
        int labelWidth = fm.horizontalAdvance(TimingsView::tr("Total"));
        int numberWidth = fm.horizontalAdvance(QStringLiteral("000.000 ms"));
        for (const Phase &ph : phases) {
            labelWidth = qMax(labelWidth, fm.horizontalAdvance(ph.name));
            numberWidth = qMax(numberWidth, fm.horizontalAdvance(formatMillisecondsPrecise(ph.ms)));
        }
        labelWidth += 12;
        numberWidth += 12;
        const int barLeft = labelWidth;
        const int barWidth = qMax(20, width() - labelWidth - numberWidth);
        double scale = m_owner->totalMs();
        for (const Phase &ph : phases)
            scale = qMax(scale, ph.startMs + qMax(0.0, ph.ms));
        if (scale <= 0)
            scale = 1;

        const QColor text = palette().color(QPalette::WindowText);
        const QColor faint = palette().color(QPalette::PlaceholderText);
        const int h = rowHeight();
        for (int row = 0; row < rows(); ++row) {
            const bool total = row == phases.size();
            const QRect r(0, row * h, width(), h);
            const QString name = total ? TimingsView::tr("Total") : phases.at(row).name;
            const double start = total ? 0 : phases.at(row).startMs;
            const double ms = total ? m_owner->totalMs() : phases.at(row).ms;
            QFont f = font();
            f.setBold(total);
            p.setFont(f);
            p.setPen(ms < 0 ? faint : text);
            p.drawText(r.adjusted(2, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, name);
            p.drawText(QRect(barLeft + barWidth, r.top(), numberWidth, h),
                       Qt::AlignVCenter | Qt::AlignRight, formatMillisecondsPrecise(ms));
            // A faint track so that the position of a short bar reads against the whole.
            const QRect track(barLeft, r.top() + 4, barWidth, h - 8);
            p.fillRect(track, palette().color(QPalette::AlternateBase));
            if (ms < 0)
                continue;
            const int x0 = barLeft + int(start / scale * barWidth);
            const int w = qMax(2, int(ms / scale * barWidth));
            const QColor fill = total ? protocolColor(m_protocol) : phaseColor(row, palette());
            p.fillRect(QRect(x0, track.top(), qMin(w, barLeft + barWidth - x0), track.height()),
                       fill);
        }
    }

    bool event(QEvent *e) override
    {
        if (e->type() == QEvent::ToolTip) {
            const auto *help = static_cast<QHelpEvent *>(e);
            const int row = help->pos().y() / rowHeight();
            const QList<Phase> &phases = m_owner->phases();
            if (row >= 0 && row < phases.size()) {
                const Phase &ph = phases.at(row);
                QToolTip::showText(help->globalPos(),
                                   QStringLiteral("%1: %2\n%3\nstarts at +%4")
                                       .arg(ph.name, formatMillisecondsPrecise(ph.ms),
                                            ph.description, formatMillisecondsPrecise(ph.startMs)),
                                   this);
            } else if (row == phases.size()) {
                QToolTip::showText(help->globalPos(),
                                   TimingsView::tr("Total: %1 from request.start to the end")
                                       .arg(formatMillisecondsPrecise(m_owner->totalMs())),
                                   this);
            } else {
                QToolTip::hideText();
            }
            return true;
        }
        return QWidget::event(e);
    }

public:
    QString m_protocol;

private:
    TimingsView *m_owner;
};

TimingsView::TimingsView(SessionStore *store, QWidget *parent) : QWidget(parent), m_store(store)
{
    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont big = m_error->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.15);
    m_error->setFont(big);
    m_error->setVisible(false);

    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_chart = new Waterfall(this);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(m_error);
    layout->addWidget(m_summary);
    layout->addSpacing(6);
    layout->addWidget(m_chart);
    layout->addStretch(1);

    connect(m_store, &SessionStore::changed, this, &TimingsView::onChanged);
    connect(m_store, &SessionStore::reset, this, [this] { setExchange(0); });
    refresh();
}

void TimingsView::setExchange(quint32 req)
{
    m_req = req;
    m_scanned = 0;
    m_notes.clear();
    m_timingsEvent = -1;
    refresh();
}

void TimingsView::onChanged(const SessionDelta &delta)
{
    if (m_req && (delta.changedExchanges.contains(m_req) || delta.newExchanges.contains(m_req)))
        refresh();
}

QString TimingsView::summaryText() const
{
    return m_summary->text();
}

QString TimingsView::errorText() const
{
    return m_error->text();
}

QString TimingsView::timingsText() const
{
    QStringList lines;
    for (const Phase &ph : m_phases)
        lines.append(QStringLiteral("%1\t%2").arg(ph.name, formatMillisecondsPrecise(ph.ms)));
    lines.append(QStringLiteral("%1\t%2").arg(tr("Total"), formatMillisecondsPrecise(m_totalMs)));
    QString out;
    if (!errorText().isEmpty())
        out += errorText() + QLatin1Char('\n');
    out += summaryText() + QLatin1Char('\n') + lines.join(QLatin1Char('\n'));
    return out;
}

void TimingsView::refresh()
{
    m_phases.clear();
    m_totalMs = -1;
    m_error->clear();
    m_error->setVisible(false);

    const ExchangeInfo *ex = m_req ? m_store->exchange(m_req) : nullptr;
    if (!ex) {
        m_summary->setText(tr("No exchange selected."));
        m_chart->m_protocol.clear();
        m_chart->updateGeometry();
        m_chart->update();
        return;
    }
    m_chart->m_protocol = ex->protocol;

    for (; m_scanned < ex->events.size(); ++m_scanned) {
        const TraceEvent &ev = m_store->event(ex->events.at(m_scanned));
        if (ev.is(EventType::PoolReuse))
            m_notes.append(tr("connection #%1 reused").arg(ev.scope.conn));
        else if (ev.is(EventType::PoolOpen))
            m_notes.append(tr("new connection #%1").arg(ev.scope.conn));
        else if (ev.is(EventType::PoolRetry))
            m_notes.append(
                tr("retried on a new connection (%1)").arg(ev.field(Field::Reason).toString()));
        else if (ev.is(EventType::UpgradeFollow))
            m_notes.append(tr("opened because connection #%1 advertised Upgrade: h2")
                               .arg(ev.field(Field::From).toInteger()));
        else if (ev.is(EventType::UpgradeSwitch))
            m_notes.append(tr("switched to %1 (101)")
                               .arg(protocolLabel(ev.field(Field::Protocol).toString())));
        else if (ev.is(EventType::ResponseComplete))
            m_timingsEvent = ex->events.at(m_scanned);
    }
    const QStringList &notes = m_notes;
    const FieldValue timings =
        m_timingsEvent >= 0 ? m_store->event(m_timingsEvent).field(Field::Timings) : FieldValue();

    const double traceMs = ex->startNs >= 0 ? double(ex->startNs) / 1e6 : 0;
    QString summary = tr("Started at +%1 into the trace").arg(formatMillisecondsPrecise(traceMs));
    if (!notes.isEmpty())
        summary += QStringLiteral(" · ") + notes.join(QStringLiteral(" · "));

    const bool session = ex->kind != ExchangeInfo::Kind::Http;
    struct Spec
    {
        Field key;
        QString name;
        QString description;
    };
    const Spec specs[] = {
        {Field::Dns, tr("DNS"), tr("resolving the host name")},
        {Field::Connect, tr("Connect"), tr("TCP connect")},
        {Field::Tls, tr("TLS"), tr("TLS handshake")},
        {Field::Send, tr("Send"), tr("writing the request")},
        {Field::Wait, tr("Wait"), tr("request sent → first response byte")},
        {Field::Receive, session ? tr("Session") : tr("Receive"),
         session ? tr("the session after the 101, until it closed")
                 : tr("first response byte → end of the body")},
    };

    if (timings.size() > 0) {
        m_totalMs = timings.value(Field::Total).toDouble(-1);
        double sum = 0;
        QList<Phase> network;
        for (const Spec &s : specs) {
            Phase ph{s.name, s.description, 0, timings.value(s.key).toDouble(-1)};
            network.append(ph);
            if (ph.ms > 0)
                sum += ph.ms;
        }
        // What `total` holds beyond the phases happened before them: waiting for a connection
        // or a free stream (req 2 of the tour waits for the h2c upgrade to finish).
        const double queued = m_totalMs > sum ? m_totalMs - sum : 0;
        m_phases.append(Phase{tr("Queued"),
                              tr("waiting for a connection or a free stream before the phases "
                                 "below"),
                              0, queued >= 0.0005 ? queued : -1});
        double at = queued;
        for (Phase &ph : network) {
            ph.startMs = at;
            if (ph.ms > 0)
                at += ph.ms;
            m_phases.append(ph);
        }
    } else {
        // Still running (or failed): the milestones the trace has so far.
        const auto since = [&](qint64 ns) { return double(ns - ex->startNs) / 1e6; };
        if (ex->requestSentNs >= 0 && ex->startNs >= 0)
            summary +=
                QStringLiteral(" · ") +
                tr("request sent at +%1").arg(formatMillisecondsPrecise(since(ex->requestSentNs)));
        if (ex->responseHeadNs >= 0 && ex->startNs >= 0)
            summary += QStringLiteral(" · ") +
                       tr("response head at +%1")
                           .arg(formatMillisecondsPrecise(since(ex->responseHeadNs)));
        if (ex->state == ExchangeInfo::State::Running) {
            const double running = ex->startNs >= 0 ? since(m_store->lastEventNs()) : 0;
            summary += QLatin1Char('\n') +
                       tr("Running for %1: the phases appear when the response is complete.")
                           .arg(formatMillisecondsPrecise(qMax(0.0, running)));
        } else if (ex->state == ExchangeInfo::State::Failed && ex->endNs >= 0) {
            summary += QLatin1Char('\n') +
                       tr("Failed after %1.").arg(formatMillisecondsPrecise(since(ex->endNs)));
        }
    }

    if (ex->state == ExchangeInfo::State::Failed) {
        const QString code = ex->errorCode.isEmpty() ? tr("failed") : ex->errorCode;
        m_error->setText(ex->error.isEmpty() ? code
                                             : QStringLiteral("%1: %2").arg(code, ex->error));
        QPalette pal = m_error->palette();
        pal.setColor(QPalette::WindowText, errorColor());
        m_error->setPalette(pal);
        m_error->setVisible(true);
    }
    m_summary->setText(summary);
    m_chart->setVisible(!m_phases.isEmpty());
    m_chart->updateGeometry();
    m_chart->update();
}

void TimingsView::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu menu(this);
    QAction *copy = menu.addAction(tr("Copy timings"));
    copy->setEnabled(m_req != 0);
    if (menu.exec(event->globalPos()) == copy)
        QApplication::clipboard()->setText(timingsText());
}

} // namespace hopscope
