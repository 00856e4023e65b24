#pragma once

#include "http1/http1requestwriter.h"
#include "http1/http1responseparser.h"
#include "net/protocoldriver.h"
#include "upgrade/upgradehandler.h"

#include <QByteArray>
#include <QFile>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>

namespace hopscope {

class Connection;
class Exchange;
class TraceStore;
class UpgradeRegistry;

// Speaks HTTP/1.1 on a Connection: one exchange at a time (no pipelining), the request head and
// body out, the response through Http1ResponseParser in, every step traced.
class Http1Driver : public ProtocolDriver, private Http1ResponseParser::Listener
{
    Q_OBJECT
public:
    Http1Driver(Connection *connection, const UpgradeRegistry *upgrades, QObject *parent = nullptr);
    ~Http1Driver() override;

    QByteArray protocol() const override { return QByteArrayLiteral("http/1.1"); }
    bool canSubmit() const override { return isReusable(); }
    bool isReusable() const override;
    int inFlight() const override { return m_exchange ? 1 : 0; }
    int completedCount() const { return m_completed; }
    bool upgradeInFlight() const override { return m_exchange && !m_offeredToken.isEmpty(); }

    void submit(Exchange *exchange) override;
    void abort(const QByteArray &code, const QString &message) override;

private:
    // Http1ResponseParser::Listener
    void onResponseHead(const ResponseHead &head) override;
    void onBodyData(QByteArrayView data) override;
    void onTrailers(const HeaderList &trailers) override;
    void onMessageComplete() override;
    void onViolation(const QByteArray &code, const QString &message) override;

    void onReadyRead();
    void onBytesWritten(qint64 bytes);
    void onDisconnected();
    void onIdleTimeout();
    void writeMoreBody();
    void processResult(Http1ResponseParser::Result result, qsizetype consumed, qsizetype available);
    void flushBodyEvent();
    void complete();
    // Fails the exchange in flight (if any) and ends keep-alive.
    void failInFlight(const QByteArray &code, const QString &message, bool retryable = false);
    void closeConnection(const QString &reason);
    HeaderList upgradeOfferHeaders(Exchange *exchange);
    void switchProtocol(QByteArrayView leftover);

    Connection *m_conn;
    TraceStore *m_trace;
    std::unique_ptr<Http1ResponseParser> m_parser; // per exchange: limits come with the request
    Exchange *m_exchange = nullptr;
    std::unique_ptr<QFile> m_bodyFile;
    qint64 m_bodyToSend = 0;
    qint64 m_bodySent = 0;
    qint64 m_pendingBodyEventBytes = 0;
    QTimer m_idleTimer;
    int m_completed = 0;
    bool m_keepAlive = true;
    bool m_gotResponseByte = false;
    bool m_messageDone = false;
    const UpgradeRegistry *m_upgrades;
    bool m_offerMade = false;  // one offer per connection, on its first request
    QByteArray m_offeredToken; // the offer of the exchange in flight
    UpgradeOffer m_offer;      // ... and what its handler added to the request
    ResponseHead m_switchHead; // the 101, kept for the handler
    bool m_switched = false;
};

} // namespace hopscope
