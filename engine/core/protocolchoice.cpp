#include "core/protocolchoice.h"

namespace hopscope {

namespace {

bool isWebSocketScheme(const QString &scheme)
{
    return scheme == u"ws" || scheme == u"wss";
}

bool isTlsScheme(const QString &scheme)
{
    return scheme == u"https" || scheme == u"wss";
}

bool isWebSocketToken(QByteArrayView token)
{
    return token.compare("websocket", Qt::CaseInsensitive) == 0;
}

// What the choice puts in spec.upgrade.
QByteArray upgradeOf(ProtocolChoice choice, bool webSocketUrl, QByteArrayView customToken)
{
    switch (choice) {
    case ProtocolChoice::Auto:
        return webSocketUrl ? QByteArrayLiteral("websocket") : QByteArray();
    case ProtocolChoice::WebSocket:
        return QByteArrayLiteral("websocket");
    case ProtocolChoice::CustomUpgrade:
        return customToken.toByteArray();
    case ProtocolChoice::Http1Only:
    case ProtocolChoice::H2cUpgrade:
    case ProtocolChoice::H2cPrior:
    case ProtocolChoice::H2Tls:
    case ProtocolChoice::Http2:
    case ProtocolChoice::Http3:
    case ProtocolChoice::Http3Only:
        break;
    }
    return {};
}

ProtocolPolicy policyOf(ProtocolChoice choice, bool tls)
{
    switch (choice) {
    case ProtocolChoice::Http2:
        return tls ? ProtocolPolicy::Auto : ProtocolPolicy::H2cUpgrade;
    case ProtocolChoice::Http1Only:
        return ProtocolPolicy::Http1Only;
    case ProtocolChoice::H2cUpgrade:
        return ProtocolPolicy::H2cUpgrade;
    case ProtocolChoice::H2cPrior:
        return ProtocolPolicy::H2cPrior;
    case ProtocolChoice::Auto:
    case ProtocolChoice::H2Tls:
    case ProtocolChoice::WebSocket:
    case ProtocolChoice::CustomUpgrade:
    case ProtocolChoice::Http3:
    case ProtocolChoice::Http3Only:
        break;
    }
    return ProtocolPolicy::Auto;
}

} // namespace

QUrl urlFromUserText(const QString &text)
{
    QString t = text.trimmed();
    if (!t.isEmpty() && !t.contains(QLatin1String("://")))
        t.prepend(QLatin1String("http://"));
    const QUrl strict(t, QUrl::StrictMode);
    return strict.isValid() ? strict : QUrl(t, QUrl::TolerantMode);
}

bool isHttpToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') ||
                        (c > 0 && QByteArrayView("!#$%&'*+-.^_`|~").contains(c));
        if (!ok)
            return false;
    }
    return true;
}

QList<QByteArray> alpnOfChoice(ProtocolChoice choice)
{
    if (choice == ProtocolChoice::Http1Only)
        return {QByteArrayLiteral("http/1.1")};
    if (choice == ProtocolChoice::H2Tls)
        return {QByteArrayLiteral("h2")};
    return {};
}

ProtocolChoiceError applyProtocolChoice(RequestSpec &spec, const QUrl &url, ProtocolChoice choice,
                                        QByteArrayView upgradeToken)
{
    const QString scheme = url.scheme().toLower();
    const bool webSocketUrl = isWebSocketScheme(scheme);
    if (scheme != u"http" && scheme != u"https" && !webSocketUrl)
        return ProtocolChoiceError::UnsupportedScheme;
    if (url.host().isEmpty())
        return ProtocolChoiceError::NoHost;
    const bool tls = isTlsScheme(scheme);
    if ((choice == ProtocolChoice::H2cUpgrade || choice == ProtocolChoice::H2cPrior) && tls)
        return ProtocolChoiceError::H2cOverTls;
    // A ws:// URL already says which upgrade to offer: only choices that offer it fit.
    const QByteArray upgrade = upgradeOf(choice, webSocketUrl, upgradeToken);
    if (webSocketUrl && !isWebSocketToken(upgrade))
        return ProtocolChoiceError::WebSocketUrlConflict;
    if (choice == ProtocolChoice::H2Tls && !tls)
        return ProtocolChoiceError::H2TlsOverCleartext;
    const bool http3 = choice == ProtocolChoice::Http3 || choice == ProtocolChoice::Http3Only;
    if (http3 && !tls)
        return ProtocolChoiceError::H3OverCleartext;
    if (choice == ProtocolChoice::CustomUpgrade) {
        if (upgradeToken.isEmpty())
            return ProtocolChoiceError::MissingUpgradeToken;
        if (!isHttpToken(upgradeToken))
            return ProtocolChoiceError::InvalidUpgradeToken;
    }

    QUrl target = url;
    // ws:// and wss:// are HTTP(S) requests that offer Upgrade: websocket (RFC 6455 §3).
    if (webSocketUrl)
        target.setScheme(scheme == u"ws" ? QStringLiteral("http") : QStringLiteral("https"));
    spec.url = target;
    spec.protocol = policyOf(choice, tls);
    spec.upgrade = upgrade;
    spec.http3 = choice == ProtocolChoice::Http3       ? Http3Mode::Try
                 : choice == ProtocolChoice::Http3Only ? Http3Mode::Only
                                                       : Http3Mode::Off;
    if (spec.tls.alpn.isEmpty())
        spec.tls.alpn = alpnOfChoice(choice);
    if (spec.protocol != ProtocolPolicy::H2cUpgrade)
        spec.h2cViaOptions = false;
    return ProtocolChoiceError::None;
}

ProtocolChoice protocolChoiceOf(const RequestSpec &spec)
{
    if (spec.http3 == Http3Mode::Try)
        return ProtocolChoice::Http3;
    if (spec.http3 == Http3Mode::Only)
        return ProtocolChoice::Http3Only;
    switch (spec.protocol) {
    case ProtocolPolicy::Http1Only:
        return ProtocolChoice::Http1Only;
    case ProtocolPolicy::H2cUpgrade:
        return ProtocolChoice::H2cUpgrade;
    case ProtocolPolicy::H2cPrior:
        return ProtocolChoice::H2cPrior;
    case ProtocolPolicy::Auto:
        break;
    }
    if (isWebSocketToken(spec.upgrade))
        return ProtocolChoice::WebSocket;
    if (!spec.upgrade.isEmpty())
        return ProtocolChoice::CustomUpgrade;
    if (spec.tls.alpn == alpnOfChoice(ProtocolChoice::H2Tls))
        return ProtocolChoice::H2Tls;
    return ProtocolChoice::Auto;
}

} // namespace hopscope
