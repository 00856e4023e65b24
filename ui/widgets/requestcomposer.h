#pragma once

#include "core/protocolchoice.h"
#include "core/requestspec.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QLayout;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSettings;
class QTabWidget;
class QTableView;
class QToolButton;

namespace hopscope {

class DemoPresetButton;
class HeadersTableModel;
class RequestOptionsForm;

// The request editor at the top of the main window: one dense row
// [method][URL……][protocol mode][token][Send][Stop] and a small tab widget below
// (Headers | Body | Options | Connection). It builds a RequestSpec; the main window hands that to
// the engine. The mode and URL become spec fields through the engine's applyProtocolChoice(), the
// same rules hopscope-cli follows; the Options tab is a RequestOptionsForm, the presets menu a
// DemoPresetButton, and the settings live in requestcomposersettings.cpp.
class RequestComposer : public QWidget
{
    Q_OBJECT
public:
    // How the request should reach the origin (the combo box); CustomUpgrade offers the token
    // field's text. The engine's ProtocolChoice, so that the CLI and the GUI mean the same.
    using ProtocolMode = ProtocolChoice;

    static constexpr int maxHistory = 30;
    // The body editor never gets fewer lines than this, however small the window.
    static constexpr int bodyMinimumLines = 4;

    explicit RequestComposer(QWidget *parent = nullptr);
    ~RequestComposer() override;

    // What the fields describe now (ws:// → http://, wss:// → https:// with upgrade websocket).
    // Limits and fields without a control come from the last setSpec().
    RequestSpec spec() const;
    // Fills every field from `spec`; the protocol mode is derived from policy, upgrade and ALPN.
    void setSpec(const RequestSpec &spec);
    // Why spec() cannot be sent now (bad URL, scheme, mode/scheme mismatch, bad header, bad
    // token), or empty when it can.
    QString validationError() const;
    // The red inline error under the top row ("" when hidden).
    QString errorText() const;

    // The Headers | Body | Options | Connection pages folded down to their tab bar (the arrow
    // button in its corner). Choosing or clicking a tab unfolds them.
    bool detailsFolded() const;
    void setDetailsFolded(bool folded);

    ProtocolMode protocolMode() const;
    void setProtocolMode(ProtocolMode mode);
    QString upgradeToken() const;
    void setUpgradeToken(const QString &token);

    QString url() const;
    void setUrl(const QString &url);
    // Focuses the URL field and selects its text (Ctrl+L).
    void focusUrl();

    // URLs sent before, most recent first, at most maxHistory, no duplicates.
    QStringList history() const { return m_history; }
    void setHistory(const QStringList &history);
    // Puts `url` at the front of the history (moving it up when already there).
    void addToHistory(const QString &url);

    int repeat() const;
    void setRepeat(int repeat);
    int parallel() const;
    void setParallel(int parallel);

    // The "Demo requests ▾" menu; each entry fills the composer via setSpec() (it does not
    // send). Hidden while the list is empty.
    void setPresets(const QList<QPair<QString, RequestSpec>> &presets);

    HeadersTableModel *headersModel() const { return m_headers; }

    // Group "composer". The Insecure (-k) checkbox is deliberately NOT persisted: turning
    // certificate verification off is a per-session decision, so every start verifies again.
    // Secrets are not written either unless rememberSecrets() is on: the values of
    // credential-bearing headers (isCredentialHeader), the body, and user:password in URLs (the
    // current one and the history). A settings file is plain text.
    void saveSettings(QSettings &settings) const;
    void restoreSettings(QSettings &settings);
    // Request ▸ "Remember Secrets Between Sessions": off by default, saved itself; its tooltip
    // names the file they would go to.
    QAction *rememberSecretsAction() const { return m_rememberSecrets; }
    bool rememberSecrets() const;
    // Authorization, Proxy-Authorization, Cookie, and any name that speaks of a token, a
    // secret, a password, a session or an API key (case-insensitive).
    static bool isCredentialHeader(const QString &name);

public slots:
    // Validates; on success adds the URL to the history and emits sendRequested, otherwise
    // shows the inline error. Enter in the URL field calls it; Ctrl+Return belongs to
    // the main window (Request ▸ Send), which calls it too.
    void send();
    // Enables Stop while requests are in flight or queued and shows their number on it (the
    // main window passes SessionCounts' active(), the status bar's in flight plus queued).
    void setInFlight(int inFlight);

signals:
    void sendRequested(const hopscope::RequestSpec &spec, int repeat, int parallel);
    void abortRequested();
    // A preset from the Demo requests menu was loaded into the fields.
    void presetApplied(const QString &name);

private:
    void buildUi();
    QWidget *buildHeadersTab();
    QWidget *buildBodyTab();
    QLayout *buildTopRow();
    void updateModeUi();
    // The Options tab may be hidden behind another one: its title carries the -k warning too.
    void updateOptionsTabTitle(bool insecure);
    void updateBodyFileUi();
    void showError(const QString &message);
    void removeSelectedHeaders();
    void chooseBodyFile();
    // The URL as typed (TypedUrl): http:// added when no scheme was given (as curl does); an
    // empty QUrl when the URL has a fault.
    QUrl typedUrl() const;

    HeadersTableModel *m_headers = nullptr;
    QAction *m_rememberSecrets = nullptr;
    QComboBox *m_method = nullptr;
    QComboBox *m_url = nullptr;
    QComboBox *m_mode = nullptr;
    QLineEdit *m_token = nullptr;
    QPushButton *m_send = nullptr;
    QPushButton *m_stop = nullptr;
    DemoPresetButton *m_presets = nullptr;
    QLabel *m_error = nullptr;
    QTabWidget *m_tabs = nullptr;
    QToolButton *m_fold = nullptr; // folds m_tabs to its bar
    QTableView *m_headersView = nullptr;
    QPlainTextEdit *m_body = nullptr;
    QLineEdit *m_bodyFile = nullptr;
    QToolButton *m_bodyFileClear = nullptr;
    RequestOptionsForm *m_options = nullptr;

    QStringList m_history;
    Limits m_limits; // no controls: carried over from setSpec()
};

} // namespace hopscope
