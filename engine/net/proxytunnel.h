#pragma once

#include "core/limits.h"
#include "core/route.h"
#include "http1/http1responseparser.h"
#include "trace/traceevent.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>

#include <memory>

class QAbstractSocket;
class QHostInfo;

namespace hopscope {

class TraceStore;

// The proxy hop of a connection: over a plain socket already connected to the proxy, asks it
// for a tunnel to the target (an HTTP CONNECT, or a SOCKS5 greeting, optional RFC 1929
// user/password, and CONNECT request), traces every message of it, and emits established() once
// the socket carries the target's bytes — or failed() with a precise code:
//   proxy-status     CONNECT answered with a status other than 2xx (curl's 56)
//   proxy-closed     the HTTP proxy closed before its answer was complete (56)
//   proxy-handshake  a SOCKS5 failure or reply code, or an HTTP proxy that did not speak HTTP (97)
//   dns              socks5:// could not resolve the target locally (6)
//   limit:…          the CONNECT response head was over maxHeaderBytes / maxHeaderCount
// It reads exactly the bytes of the proxy's answers: whatever follows belongs to the target and
// stays in the socket for the protocol on top.
class ProxyTunnel : public QObject, private Http1ResponseParser::Listener
{
    Q_OBJECT
public:
    ProxyTunnel(QAbstractSocket *socket, const RoutePlan &plan, const RouteOptions &route,
                const Limits &limits, TraceStore *trace, EventScope scope,
                QObject *parent = nullptr);
    ~ProxyTunnel() override;

    void start();

signals:
    void established();
    void failed(const QByteArray &code, const QString &message);

private:
    enum class Step { Idle, Resolving, ConnectHead, SocksMethod, SocksAuth, SocksReply, Done };

    void onReadyRead();
    void onClosed();
    void write(const QByteArray &bytes);
    void finish();
    void fail(const QByteArray &code, const QString &message);

    // HTTP CONNECT.
    void sendConnect();
    void readConnectResponse();
    void onResponseHead(const ResponseHead &head) override;
    void onBodyData(QByteArrayView) override {}
    void onTrailers(const HeaderList &) override {}
    void onMessageComplete() override {}
    void onViolation(const QByteArray &, const QString &) override {}

    // SOCKS5 (RFC 1928, RFC 1929).
    void resolveTargetThenGreet();
    void onTargetLookedUp(const QHostInfo &info);
    void sendSocksGreeting();
    bool takeExactly(qsizetype n, QByteArray *out);
    void readSocksMethod();
    void readSocksAuth();
    void sendSocksRequest();
    void readSocksReply();

    QString proxyName() const;
    QString targetName() const;

    QAbstractSocket *m_socket;
    RoutePlan m_plan;
    RouteOptions m_route;
    Limits m_limits;
    TraceStore *m_trace;
    EventScope m_scope;
    Step m_step = Step::Idle;
    qint64 m_startNs = 0;
    std::unique_ptr<Http1ResponseParser> m_parser;
    int m_finalStatus = 0;
    QByteArray m_finalReason;
    QByteArray m_pending;         // a SOCKS answer read so far (at most 262 bytes)
    QHostAddress m_targetAddress; // socks5://: the target, resolved here
    int m_lookupId = -1;
};

} // namespace hopscope
