#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QWidget>

class QLabel;

namespace hopscope {

class SessionStore;
struct SessionDelta;

// Where an exchange's time went, as a waterfall of the phases response.complete reports (dns,
// connect, tls, send, wait, receive; any time before them that `total` accounts for shows as
// "Queued"), with the numbers, when it started and which connection carried it. A failed
// exchange shows its error code and message first, in errorColor().
class TimingsView : public QWidget
{
    Q_OBJECT
public:
    struct Phase
    {
        QString name;        // "DNS", "Connect", "TLS", "Send", "Wait", "Receive", "Queued"
        QString description; // what the phase measures, for the tooltip
        double startMs = 0;  // offset from the request's start
        double ms = -1;      // -1: did not happen (a reused connection has no DNS/connect)
    };

    explicit TimingsView(SessionStore *store, QWidget *parent = nullptr);

    void setExchange(quint32 req);
    quint32 exchange() const { return m_req; }

    // The waterfall's rows, in order (phases that did not happen included, ms -1).
    const QList<Phase> &phases() const { return m_phases; }
    double totalMs() const { return m_totalMs; } // -1 until response.complete
    // "Started at +17.604 ms into the trace · connection #1 reused · …"
    QString summaryText() const;
    // "timeout: no byte for 60 s", empty when the exchange did not fail.
    QString errorText() const;
    // The table as text ("DNS  —", "Wait  302.106 ms", …), for the clipboard.
    QString timingsText() const;

protected:
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    class Waterfall;

    void refresh();
    void onChanged(const SessionDelta &delta);

    SessionStore *m_store = nullptr;
    quint32 m_req = 0;
    // What the exchange's events said so far; scanned incrementally, so a long WebSocket
    // session does not make every batch walk all of its events again.
    int m_scanned = 0;
    QStringList m_notes;
    int m_timingsEvent = -1; // the exchange's response.complete (SessionStore index)
    QList<Phase> m_phases;
    double m_totalMs = -1;
    QLabel *m_error = nullptr;
    QLabel *m_summary = nullptr;
    Waterfall *m_chart = nullptr;
};

} // namespace hopscope
