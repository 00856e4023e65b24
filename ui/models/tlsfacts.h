#pragma once

#include <QList>
#include <QString>

namespace hopscope {

class SessionStore;

// One line of a connection's TLS facts: a label, its value, and the lines under it (a
// certificate's issuer, validity and names under its subject). `problem` marks what is wrong
// (not verified, a revoked or invalid OCSP staple, a key log that failed), for the view's colour.
struct TlsFactRow
{
    QString label;
    QString value;
    QList<TlsFactRow> children;
    bool problem = false;
};

// What a TLS connection's events say, as rows for the window's TLS view: the handshake's
// outcome (version, cipher, group, ALPN, SNI, verification), OCSP stapling, the peer's chain as
// the trace holds it, the client certificate, the key log, and each handshake message. A
// failed handshake or verification comes as `failure` in plain words (the engine's TlsFailure
// message) with what to do about it (`hint`, ui/format/errorhint).
//
// Collected incrementally: scan() looks only at the connection's events it has not seen, so a
// long connection costs nothing per batch once its handshake is known.
class TlsFacts
{
public:
    // The handshake messages shown at most (a hostile file could hold any number; the rest is
    // counted, and the trace log has them all).
    static constexpr int kMaxMessages = 200;

    // Starts over for exchange `req` (0: none) and the connection that carried it.
    void reset(quint32 req);
    // Takes in what the store learnt since the last call.
    void scan(const SessionStore &store);

    quint32 exchange() const { return m_req; }
    quint32 connection() const { return m_conn; }
    // The connection used (or tried) TLS.
    bool isTls(const SessionStore &store) const;
    // Why TLS failed on this exchange, in plain words; empty when it did not.
    QString failure(const SessionStore &store) const;
    QString hint(const SessionStore &store) const;
    // The rows, built from the events seen (empty before the `tls` event and without messages).
    QList<TlsFactRow> rows(const SessionStore &store) const;
    // The rows as indented "label: value" lines (Copy, tests).
    static QString text(const QList<TlsFactRow> &rows, int depth = 0);

private:
    QList<TlsFactRow> handshakeRows(const SessionStore &store) const;
    TlsFactRow ocspRow(const SessionStore &store) const;
    TlsFactRow chainRow(const SessionStore &store) const;
    TlsFactRow clientCertificateRow(const SessionStore &store) const;
    TlsFactRow messagesRow(const SessionStore &store) const;

    quint32 m_req = 0;
    quint32 m_conn = 0;
    int m_scanned = 0;        // of the connection's events
    int m_insecureEvent = -1; // tls.insecure
    QList<int> m_messages;    // tls.message events, at most kMaxMessages
    int m_messageCount = 0;   // all of them
};

} // namespace hopscope
