#pragma once

#include "tls/ocspstaple.h"
#include "tls/tlsclientcontext.h"
#include "tls/tlsmessage.h"

#include <QAbstractSocket>
#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QSslError>

class QTcpSocket;
typedef struct ssl_st SSL;
typedef struct bio_st BIO;
typedef struct x509_store_ctx_st X509_STORE_CTX;

namespace hopscope {

// TLS done by the engine itself: OpenSSL over memory BIOs on top of the QTcpSocket a Connection
// connected. Qt's QSslSocket hides what an inspector must show (it has no key-log hook, no
// handshake messages and no public handle to the OpenSSL object; docs/architecture.md, "TLS"),
// so the engine drives OpenSSL and moves the ciphertext itself.
//
// It is a QAbstractSocket like the plain one underneath, so every driver reads and writes it the
// same way: readyRead() and read() give plaintext, write() takes plaintext, bytesWritten() and
// bytesToWrite() count ciphertext (what backpressure is about), disconnected() and
// errorOccurred() follow the TCP connection's. The TLS details (the negotiated protocol, the
// peer's chain, what verification found, each handshake message) are its own API and signals.
class TlsSocket : public QAbstractSocket
{
    Q_OBJECT
public:
    explicit TlsSocket(QObject *parent = nullptr);
    ~TlsSocket() override;

    // Takes over `tcp` (connected; it becomes a child) and sends the ClientHello. False, with
    // `error` set and nothing sent, when the settings cannot be used (a client certificate that
    // does not load). Then encrypted() or errorOccurred() follows.
    bool startClient(QTcpSocket *tcp, const TlsClientSettings &settings, QString *error);
    QTcpSocket *transport() const { return m_tcp; }
    bool isEncrypted() const { return m_phase == Phase::Open; }

    // What the handshake settled, valid from encrypted() on.
    QByteArray negotiatedAlpn() const;
    QString protocolName() const; // "TLSv1.3"
    QString cipherName() const;   // OpenSSL's name, "TLS_AES_256_GCM_SHA384"
    QString groupName() const;    // the key exchange group, "x25519"; empty when none
    QList<QSslCertificate> peerChain() const;
    // What verification found (also with `insecure`, when it does not fail the handshake).
    const QList<QSslError> &verifyErrors() const { return m_verifyErrors; }
    bool clientCertificateRequested() const { return m_certificateRequested; }
    // The certificate we sent when asked; null when none was configured or none was asked for.
    QSslCertificate clientCertificateSent() const;
    // The OCSP response the server stapled (always asked for), read and checked on each call.
    OcspStaple ocspStaple() const { return readOcspStaple(m_ssl); }
    // Ciphertext that crossed the TCP connection: what a capture's TCP payload counts.
    qint64 wireBytesRead() const { return m_wireIn; }
    qint64 wireBytesWritten() const { return m_wireOut; }

    qint64 bytesAvailable() const override;
    qint64 bytesToWrite() const override;
    bool canReadLine() const override;
    bool atEnd() const override { return plainPending() == 0; }
    void close() override;
    void disconnectFromHost() override;
    bool waitForConnected(int = 30000) override { return false; }
    bool waitForReadyRead(int = 30000) override { return false; }
    bool waitForBytesWritten(int = 30000) override { return false; }
    bool waitForDisconnected(int = 30000) override { return false; }

signals:
    void encrypted();
    // Each handshake message, alert and ChangeCipherSpec, as OpenSSL sends or reads it (a
    // direct call from inside OpenSSL: record it, do not touch the socket).
    void tlsMessage(const hopscope::TlsMessage &message);
    // The key-log file could not be written (reported once per connection).
    void keyLogFailed(const QString &path);

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 readLineData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 size) override;

private:
    enum class Phase { Idle, Handshaking, Open, Closed };

    void pump();
    bool feedFromTransport();
    bool advanceHandshake();
    bool decryptAvailable();
    void flushCiphertext();
    void schedulePump();
    void failWith(SocketError error, const QString &message);
    void onTransportError(SocketError error);
    void onTransportDisconnected();
    void goUnconnected();
    qint64 plainPending() const { return m_plainEnd - m_plainBegin; }
    qint64 plainCap() const;

    static void onMessage(int writeP, int version, int contentType, const void *buf, size_t len,
                          SSL *ssl, void *arg);
    static void onKeyLog(const SSL *ssl, const char *line);
    static int onVerify(int ok, X509_STORE_CTX *store);

    QTcpSocket *m_tcp = nullptr;
    SslCtxPtr m_ctx;
    SSL *m_ssl = nullptr; // owns the two BIOs
    BIO *m_rbio = nullptr;
    BIO *m_wbio = nullptr;
    Phase m_phase = Phase::Idle;
    QString m_keyLogPath;
    bool m_keyLogFailed = false;
    bool m_insecure = false;
    bool m_certificateRequested = false;
    bool m_pumpQueued = false;
    bool m_pumping = false;
    QList<QSslError> m_verifyErrors;
    QString m_fatalAlertIn; // the name of a fatal alert the server sent
    QByteArray m_early;     // plaintext written before the handshake finished
    QByteArray m_plain;     // decrypted, not yet read: [m_plainBegin, m_plainEnd)
    qint64 m_plainBegin = 0;
    qint64 m_plainEnd = 0;
    QByteArray m_feed; // one warm buffer for ciphertext on its way from the socket to OpenSSL
    qint64 m_wireIn = 0;
    qint64 m_wireOut = 0;
};

} // namespace hopscope
