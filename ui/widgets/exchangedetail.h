#pragma once

#include "engine/enginehost.h"

#include <QByteArray>
#include <QTreeView>
#include <QWidget>

class QCheckBox;
class QLabel;
class QStackedWidget;
class QTabWidget;
class QTableView;

namespace hopscope {

class BodyViewer;
class FramesModel;
class HeadersModel;
class SessionPanel;
class SessionStore;
class TimingsView;
class TlsView;
struct SessionDelta;

// The tree of header blocks with copying: Ctrl+C copies the selected rows as "Name: value"
// lines; the context menu copies a value, a block, or all request/response headers as text
// (HTTP/1.1: the exact wire text).
class HeadersView : public QTreeView
{
    Q_OBJECT
public:
    explicit HeadersView(HeadersModel *model, QWidget *parent = nullptr);

    HeadersModel *headersModel() const { return m_model; }
    // The selection (or the current row) as "Name: value" lines.
    QString selectionText() const;

public slots:
    void copySelection();
    void copyValue(); // the current row's value (a block's first line)
    void copyAllRequestHeaders();
    void copyAllResponseHeaders();

protected:
    bool event(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void copyBlockOfKind(int kind);
    void fitNameColumn();
    HeadersModel *m_model;
};

// Everything about one exchange: a header line ("req 2 · stream 3 · GET http://… · 200 · h2c ·
// conn #1 · 303.6 ms") over the tabs Headers | Body | Frames | Session | Timings | TLS. Frames
// is enabled for HTTP/2 streams only, Session for WebSocket and raw tunnel exchanges, TLS for
// exchanges on a TLS connection (its handshake, chain and OCSP staple). The tab the
// user picked is remembered across selections (and comes back when it is enabled again).
class ExchangeDetail : public QWidget
{
    Q_OBJECT
public:
    enum Tab { HeadersTab, BodyTab, FramesTab, SessionTab, TimingsTab, TlsTab };
    Q_ENUM(Tab)

    explicit ExchangeDetail(SessionStore *store, QWidget *parent = nullptr);

    // Shows exchange `req` (0: none) in every tab.
    void setExchange(quint32 req);
    quint32 exchange() const { return m_req; }

    // The header line as plain text ("" when no exchange).
    QString headerText() const { return m_headerPlain; }

    Tab currentTab() const;
    // Selects a tab as if the user had clicked it (so it is remembered).
    void setCurrentTab(Tab tab);
    bool isTabEnabled(Tab tab) const;

    QTabWidget *tabWidget() const { return m_tabs; }
    HeadersView *headersView() const { return m_headersView; }
    HeadersModel *headersModel() const { return m_headersModel; }
    FramesModel *framesModel() const { return m_framesModel; }
    QTableView *framesView() const { return m_framesView; }
    QCheckBox *connectionFramesToggle() const { return m_connectionFrames; }
    BodyViewer *bodyViewer() const { return m_body; }
    SessionPanel *sessionPanel() const { return m_session; }
    TimingsView *timingsView() const { return m_timings; }
    TlsView *tlsView() const { return m_tls; }

signals:
    // Re-emitted from the Session tab's SessionPanel.
    void sendRequested(quint32 req, hopscope::SessionSendKind kind, const QByteArray &data);

private:
    void onChanged(const SessionDelta &delta);
    void updateHeader();
    void updateTabs();

    SessionStore *m_store = nullptr;
    quint32 m_req = 0;
    int m_preferredTab = HeadersTab; // what the user last picked
    bool m_applyingTabs = false;     // tab changes made by us are not the user's pick
    QString m_headerPlain;
    // Seen so far in the exchange's events (scanned incrementally): it began on HTTP/1.1, and
    // a 101 switched it.
    int m_scanned = 0;
    bool m_sentHttp1 = false;
    bool m_switched = false;

    QLabel *m_icon = nullptr;
    QLabel *m_header = nullptr;
    QTabWidget *m_tabs = nullptr;
    HeadersModel *m_headersModel = nullptr;
    HeadersView *m_headersView = nullptr;
    BodyViewer *m_body = nullptr;
    FramesModel *m_framesModel = nullptr;
    QStackedWidget *m_framesStack = nullptr;
    QTableView *m_framesView = nullptr;
    QLabel *m_notHttp2 = nullptr;
    QCheckBox *m_connectionFrames = nullptr;
    SessionPanel *m_session = nullptr;
    TimingsView *m_timings = nullptr;
    TlsView *m_tls = nullptr;
};

} // namespace hopscope
