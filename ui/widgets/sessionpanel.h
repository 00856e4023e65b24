#pragma once

#include "engine/enginehost.h"

#include <QByteArray>
#include <QString>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSplitter;
class QTableView;

namespace hopscope {

class SessionMessagesModel;
class SessionStore;

// The conversation of a WebSocket or raw tunnel: its messages (newest followed), the selected
// one in full below (pretty JSON, text or a hex dump), and a send box that talks back through
// sendRequested() while the session is open.
class SessionPanel : public QWidget
{
    Q_OBJECT
public:
    enum class InputMode { Text, Binary };
    Q_ENUM(InputMode)

    explicit SessionPanel(SessionStore *store, QWidget *parent = nullptr);

    // The session request `req` opened (0: none).
    void setExchange(quint32 req);
    quint32 exchange() const { return m_req; }
    // Whether the engine takes sends for it now (EngineHost::sessionOpened/sessionClosed);
    // canPing: it is a WebSocket.
    void setSessionOpen(bool open, bool canPing);
    bool isSessionOpen() const { return m_open; }

    SessionMessagesModel *model() const { return m_model; }
    // "WebSocket open", "closed 1000", "tunnel open (tcp)", "failed: …", …
    QString stateText() const;
    // The send box's error (bad hex), empty when none.
    QString inputError() const;

    InputMode inputMode() const;
    void setInputMode(InputMode mode);
    void setInputText(const QString &text);

    // "00 01 ff", "0001ff", "0x00, 0x01", "00:01:ff" → bytes. False with a reason otherwise.
    static bool parseHex(const QString &text, QByteArray *out, QString *error = nullptr);
    // Offset, 16 bytes in hex, their printable ASCII; at most maxBytes, with a note after.
    static QString hexDump(const QByteArray &data, int maxBytes = 64 * 1024);
    // Indented JSON when `text` is a JSON object or array, else an empty string.
    static QString prettyJson(const QByteArray &text);

public slots:
    // Sends the input as Text, or as Binary when the mode is Binary (hex).
    void sendInput();
    void sendPing();
    void sendClose();

signals:
    void sendRequested(quint32 req, hopscope::SessionSendKind kind, const QByteArray &data);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    bool isTunnel() const;
    void updateState();
    void updateDetail();
    void validateInput();
    void setInputError(const QString &error);

    SessionStore *m_store;
    SessionMessagesModel *m_model;
    quint32 m_req = 0;
    bool m_open = false;
    bool m_canPing = false;
    bool m_followNewest = true;

    QLabel *m_state = nullptr;
    QTableView *m_view = nullptr;
    QSplitter *m_split = nullptr; // the list | the selected message
    QLabel *m_detailTitle = nullptr;
    QPlainTextEdit *m_detail = nullptr;
    QPlainTextEdit *m_input = nullptr;
    QComboBox *m_mode = nullptr;
    QCheckBox *m_newline = nullptr;
    QPushButton *m_send = nullptr;
    QPushButton *m_ping = nullptr;
    QPushButton *m_close = nullptr;
    QLabel *m_inputError = nullptr;
    QWidget *m_sendBox = nullptr; // the input and its buttons, shown while sending can happen
};

} // namespace hopscope
