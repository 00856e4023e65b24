#pragma once

#include <QAbstractTableModel>
#include <QByteArray>
#include <QImage>
#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QScrollArea;
class QStackedWidget;
class QTableView;

namespace hopscope {

class SessionStore;

// Bytes as a hex dump, 16 a row: Offset | Hex | ASCII. Text is built in data() for the rows on
// screen only, so a 1 MiB body (65536 rows) opens at once.
class HexBytesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    static constexpr int kBytesPerRow = 16;
    enum Column { OffsetColumn, HexColumn, AsciiColumn, ColumnCount };

    explicit HexBytesModel(QObject *parent = nullptr);
    void setBytes(const QByteArray &bytes);
    const QByteArray &bytes() const { return m_bytes; }

    // "00 01 41 42" (an extra space after the 8th byte), "..AB".
    static QString hexText(const QByteArray &bytes, qsizetype offset, qsizetype count);
    static QString asciiText(const QByteArray &bytes, qsizetype offset, qsizetype count);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QByteArray m_bytes;
};

// One exchange's body (SessionStore::body(req), which arrives after response.complete via
// SessionStore::bodyAdded): as text, pretty JSON, a hex dump or an image; the response's decoded
// or wire bytes, or the request body. The mode is picked from the Content-Type until the user
// picks one, which then holds for that exchange.
class BodyViewer : public QWidget
{
    Q_OBJECT
public:
    enum class Mode { Text, Json, Hex, Image };
    Q_ENUM(Mode)
    enum class Part { Response, Request };
    Q_ENUM(Part)

    explicit BodyViewer(SessionStore *store, QWidget *parent = nullptr);

    void setExchange(quint32 req);
    quint32 exchange() const { return m_req; }

    void setPart(Part part);
    Part part() const { return m_part; }
    // A mode chosen here (or in the mode box) sticks until another exchange is shown.
    void setMode(Mode mode);
    Mode mode() const { return m_mode; }
    // Wire bytes (as received, before Content-Encoding) instead of the decoded body. Only
    // possible for a response that had a Content-Encoding (canShowWire()).
    void setShowWire(bool wire);
    bool showWire() const { return m_wire && canShowWire(); }
    bool canShowWire() const;

    // What is on screen, for tests and for copying.
    QByteArray currentBytes() const { return m_bytes; }
    bool hasBody() const { return m_hasBody; }
    // "382 bytes · application/json", "1048576 bytes (truncated after 1 MiB) · …".
    QString statusText() const;
    // The notice above the content ("Not valid JSON …: showing the text") or, when no body is
    // shown, the placeholder ("No body", "Waiting for the response…"). Empty when none.
    QString messageText() const;
    // The text view's content in Text and Pretty JSON modes.
    QString displayedText() const;
    HexBytesModel *hexModel() const { return m_hexModel; }
    QImage image() const { return m_image; }
    QByteArray imageFormat() const { return m_imageFormat; }

    // Text for text/*, JSON for application/json, +json and ndjson, Image for image/* (but SVG),
    // else by sniffing the bytes: PNG/JPEG/GIF magic → Image, printable UTF-8 → Text, else Hex.
    static Mode modeFor(const QByteArray &contentType, const QByteArray &bytes);
    // JSON re-indented without reordering keys or rewriting numbers (QJsonDocument would do
    // both). Newline-delimited JSON is indented line by line. Empty + error when not JSON.
    static QString prettyJson(const QByteArray &bytes, QString *error = nullptr);

signals:
    void modeChanged(hopscope::BodyViewer::Mode mode);

private:
    void refresh();
    void showPlaceholder(const QString &text);
    void render();
    void syncControls();
    QByteArray contentType() const;
    QString decodedText() const;
    qint64 totalBytes(bool *known) const;
    bool truncated() const;

    SessionStore *m_store = nullptr;
    quint32 m_req = 0;
    Part m_part = Part::Response;
    Mode m_mode = Mode::Text;
    bool m_userMode = false;
    bool m_wire = false;
    bool m_hasBody = false;
    bool m_syncing = false;
    QByteArray m_bytes;
    QImage m_image;
    QByteArray m_imageFormat;
    QString m_notice;
    QString m_placeholder;

    QComboBox *m_partBox = nullptr;
    QComboBox *m_modeBox = nullptr;
    QComboBox *m_encodingBox = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_noticeLabel = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_placeholderLabel = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QTableView *m_hexView = nullptr;
    HexBytesModel *m_hexModel = nullptr;
    QScrollArea *m_imageArea = nullptr;
    QLabel *m_imageLabel = nullptr;
};

} // namespace hopscope
