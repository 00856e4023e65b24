#pragma once

#include "models/tlsfacts.h"

#include <QWidget>

class QLabel;
class QStackedWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace hopscope {

class SessionStore;
struct SessionDelta;

// The TLS tab of an exchange's details: what the handshake of the connection that carried it
// settled (version, cipher, group, ALPN, SNI, verification), the OCSP staple, the peer's
// certificate chain, the client certificate, the key log and each handshake message, as a tree
// of "fact — value" rows (TlsFacts). A failed handshake or verification is said first, in plain
// words and in errorColor(), with what to do about it.
class TlsView : public QWidget
{
    Q_OBJECT
public:
    explicit TlsView(SessionStore *store, QWidget *parent = nullptr);

    void setExchange(quint32 req);
    quint32 exchange() const { return m_facts.exchange(); }
    // The exchange's connection used (or tried) TLS: the tab is worth enabling.
    bool hasTls() const;

    // What is shown, for the clipboard and tests: the failure (empty when none) and the rows
    // as indented "label: value" lines.
    QString failureText() const;
    QString factsText() const { return m_shownText; }
    QTreeWidget *tree() const { return m_tree; }

protected:
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    void refresh();
    void onChanged(const SessionDelta &delta);
    void fill(QTreeWidgetItem *parent, const QList<TlsFactRow> &rows);

    SessionStore *m_store = nullptr;
    TlsFacts m_facts;
    QString m_shownText; // of the rows in the tree; a batch that changes nothing rebuilds nothing
    QLabel *m_failure = nullptr;
    QLabel *m_placeholder = nullptr;
    QTreeWidget *m_tree = nullptr;
    QStackedWidget *m_stack = nullptr;
};

} // namespace hopscope
