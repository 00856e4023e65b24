#include "widgets/typedurl.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace hopscope {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("TypedUrl", text);
}

bool isSupportedScheme(const QString &scheme)
{
    const QString s = scheme.toLower();
    return s == QLatin1String("http") || s == QLatin1String("https") || s == QLatin1String("ws") ||
           s == QLatin1String("wss");
}

TypedUrl refuse(const QString &error)
{
    return {QUrl(), error};
}

} // namespace

TypedUrl TypedUrl::parse(const QString &typed)
{
    const QString text = typed.trimmed();
    if (text.isEmpty())
        return refuse(tr("Enter a URL"));

    // The scheme: what comes before "://", or a "name:" that is not a host's port.
    static const QRegularExpression schemeColon(QStringLiteral("^([A-Za-z][A-Za-z0-9+.-]*):(.*)$"),
                                                QRegularExpression::DotMatchesEverythingOption);
    QString full = text;
    const QRegularExpressionMatch m = schemeColon.match(text);
    const bool hostAndPort =
        m.hasMatch() &&
        QRegularExpression(QStringLiteral("^[0-9]")).match(m.captured(2)).hasMatch();
    if (m.hasMatch() && !hostAndPort) {
        const QString scheme = m.captured(1);
        if (!isSupportedScheme(scheme))
            return refuse(tr("Unsupported scheme \"%1:\": use http://, https://, ws:// or wss://")
                              .arg(scheme));
        if (!m.captured(2).startsWith(QLatin1String("//")))
            return refuse(tr("\"%1:\" must be followed by \"//\" and the host: %2://host/path")
                              .arg(scheme, scheme.toLower()));
    } else {
        full = QStringLiteral("http://") + text; // no scheme typed: curl's http://
    }

    const int space = full.indexOf(QRegularExpression(QStringLiteral("\\s")));
    if (space >= 0) {
        const int at = space - (full.size() - text.size()) + 1; // in what was typed, 1-based
        return refuse(tr("The URL contains a space (character %1); write it as %2")
                          .arg(at)
                          .arg(QStringLiteral("%20")));
    }

    // The authority: after "//" up to the path, query or fragment; without user:password@.
    const int authorityStart = full.indexOf(QLatin1String("//")) + 2;
    int authorityEnd = full.size();
    for (const QChar end : {QLatin1Char('/'), QLatin1Char('?'), QLatin1Char('#')}) {
        const int i = full.indexOf(end, authorityStart);
        if (i >= 0)
            authorityEnd = qMin(authorityEnd, i);
    }
    QString authority = full.mid(authorityStart, authorityEnd - authorityStart);
    authority = authority.mid(authority.lastIndexOf(QLatin1Char('@')) + 1);
    QString host = authority;
    QString port;
    bool hasPort = false;
    if (authority.startsWith(QLatin1Char('['))) { // an IPv6 literal
        const int close = authority.indexOf(QLatin1Char(']'));
        if (close < 0)
            return refuse(tr("The IPv6 address \"%1\" has no closing \"]\"").arg(authority));
        host = authority.left(close + 1);
        const QString rest = authority.mid(close + 1);
        if (!rest.isEmpty() && !rest.startsWith(QLatin1Char(':')))
            return refuse(tr("Unexpected \"%1\" after the IPv6 address").arg(rest));
        hasPort = !rest.isEmpty();
        port = rest.mid(1);
    } else if (const int colon = authority.indexOf(QLatin1Char(':')); colon >= 0) {
        host = authority.left(colon);
        port = authority.mid(colon + 1);
        hasPort = true;
    }
    if (host.isEmpty())
        return refuse(tr("The URL has no host"));
    if (hasPort) {
        static const QRegularExpression digits(QStringLiteral("^[0-9]+$"));
        if (port.isEmpty())
            return refuse(tr("The port after \"%1:\" is missing").arg(host));
        if (!digits.match(port).hasMatch())
            return refuse(tr("The port \"%1\" is not a number").arg(port));
        bool ok = false;
        const int value = port.size() <= 5 ? port.toInt(&ok) : -1;
        if (!ok || value < 1 || value > 65535)
            return refuse(tr("The port %1 is out of range: use 1 to 65535").arg(port));
    }

    const QUrl url(full, QUrl::StrictMode);
    if (!url.isValid())
        return refuse(tr("Invalid URL: %1").arg(url.errorString()));
    if (url.host().isEmpty())
        return refuse(tr("The host \"%1\" is not a valid host name").arg(host));
    return {url, {}};
}

} // namespace hopscope
