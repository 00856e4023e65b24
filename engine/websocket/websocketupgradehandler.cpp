#include "websocket/websocketupgradehandler.h"

#include "core/exchange.h"
#include "net/connection.h"
#include "websocket/websocketdriver.h"
#include "websocket/websocketframe.h"

#include <QRandomGenerator>

namespace hopscope {

UpgradeOffer WebSocketUpgradeHandler::offer(const Exchange &)
{
    // RFC 6455 §4.1: a nonce of 16 random bytes, base64; the system generator because the key
    // must be unpredictable.
    quint32 nonce[4];
    QRandomGenerator::system()->fillRange(nonce);
    const QByteArray key =
        QByteArray(reinterpret_cast<const char *>(nonce), sizeof(nonce)).toBase64();
    UpgradeOffer o;
    o.headers.append(HttpHeader{"Sec-WebSocket-Key", key});
    o.headers.append(HttpHeader{"Sec-WebSocket-Version", "13"});
    return o;
}

QString WebSocketUpgradeHandler::checkHandshake(const HeaderList &response,
                                                const QByteArray &offeredKey,
                                                const HeaderList &request)
{
    if (!headerHasToken(response, "Connection", "upgrade"))
        return QStringLiteral("101 without Connection: Upgrade (RFC 6455 §4.1)");
    const QByteArray expected = ws::acceptFor(offeredKey);
    const QList<QByteArray> accepts = headerValues(response, "Sec-WebSocket-Accept");
    if (accepts.isEmpty()) {
        return QStringLiteral("101 without Sec-WebSocket-Accept (expected %1)")
            .arg(QString::fromLatin1(expected));
    }
    const QByteArray accept = accepts.join(", ").trimmed();
    if (accept != expected) {
        return QStringLiteral("bad Sec-WebSocket-Accept: expected %1, got %2")
            .arg(QString::fromLatin1(expected), QString::fromLatin1(accept));
    }
    // Extensions change the framing (permessage-deflate sets RSV1 and compresses): one the
    // server picks on its own cannot be read, and this client implements none.
    const QList<QByteArray> extensions = headerTokens(response, "Sec-WebSocket-Extensions");
    if (!extensions.isEmpty()) {
        const QByteArray name = extensions.first().split(';').first().trimmed();
        bool offered = false;
        for (const QByteArray &e : headerTokens(request, "Sec-WebSocket-Extensions"))
            offered =
                offered || e.split(';').first().trimmed().compare(name, Qt::CaseInsensitive) == 0;
        if (offered) {
            return QStringLiteral("server selected extension %1, which was offered through a "
                                  "header but is not implemented by Hopscope")
                .arg(QString::fromLatin1(name));
        }
        return QStringLiteral("server selected extension %1 that was not offered")
            .arg(QString::fromLatin1(name));
    }
    const QList<QByteArray> selected = headerTokens(response, "Sec-WebSocket-Protocol");
    if (selected.size() > 1) {
        return QStringLiteral("server selected more than one subprotocol: %1")
            .arg(QString::fromLatin1(selected.join(", ")));
    }
    if (selected.size() == 1) {
        const QList<QByteArray> offered = headerTokens(request, "Sec-WebSocket-Protocol");
        if (!offered.contains(selected.first())) {
            return offered.isEmpty()
                       ? QStringLiteral("server selected subprotocol %1 that was not offered")
                             .arg(QString::fromLatin1(selected.first()))
                       : QStringLiteral("server selected subprotocol %1 that was not offered "
                                        "(offered: %2)")
                             .arg(QString::fromLatin1(selected.first()),
                                  QString::fromLatin1(offered.join(", ")));
        }
    }
    return {};
}

ProtocolDriver *WebSocketUpgradeHandler::takeOver(UpgradeContext &ctx, QString *error)
{
    Exchange *ex = ctx.exchange;
    // The key of our offer (the context carries it: the handler keeps nothing per exchange); a
    // key the user set with -H replaced ours on the wire: check against what went out.
    QByteArray key = headerValue(ctx.offer.headers, "Sec-WebSocket-Key");
    if (const QByteArray user = headerValue(ex->spec().headers, "Sec-WebSocket-Key");
        !user.isEmpty())
        key = user.trimmed();
    if (key.isEmpty()) {
        *error = QStringLiteral("no Sec-WebSocket-Key was offered");
        return nullptr;
    }
    *error = checkHandshake(ctx.response.headers, key, ex->spec().headers);
    if (!error->isEmpty())
        return nullptr;

    // The exchange already holds the 101 head (the HTTP/1.1 driver put it there): the session
    // is its response.
    auto *driver = new WebSocketDriver(ctx.connection, ex, ctx.connection);
    driver->setSubprotocol(headerValue(ctx.response.headers, "Sec-WebSocket-Protocol").trimmed());
    driver->setActivation([driver, leftover = ctx.leftover] { driver->start(leftover); });
    return driver;
}

} // namespace hopscope
