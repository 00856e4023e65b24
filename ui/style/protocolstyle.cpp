#include "style/protocolstyle.h"

#include <QApplication>
#include <QFont>
#include <QHash>
#include <QPainter>
#include <QPalette>
#include <QPixmap>

namespace hopscope {

namespace {

QString normalized(const QString &protocol)
{
    const QString p = protocol.toLower();
    if (p == QLatin1String("http/1.1") || p == QLatin1String("http/1.0"))
        return QStringLiteral("http/1.1");
    return p;
}

bool darkPalette()
{
    return qApp && qApp->palette().color(QPalette::Window).lightness() < 128;
}

} // namespace

QColor protocolColor(const QString &protocol)
{
    const QString p = normalized(protocol);
    const bool dark = darkPalette();
    if (p == QLatin1String("http/1.1"))
        return dark ? QColor(0x8a, 0xa4, 0xc8) : QColor(0x4a, 0x6f, 0xa5); // steel blue
    if (p == QLatin1String("h2") || p == QLatin1String("h2c") || p == QLatin1String("h3"))
        return dark ? QColor(0x5c, 0xc9, 0x8a) : QColor(0x1f, 0x8f, 0x4e); // green: the goal
    if (p == QLatin1String("websocket"))
        return dark ? QColor(0xc0, 0x8c, 0xe8) : QColor(0x80, 0x4d, 0xb8); // violet
    // "unknown": an imported HAR that did not say (not a tunnel).
    if (p.isEmpty() || p == QLatin1String("unknown"))
        return dark ? QColor(0x88, 0x88, 0x88) : QColor(0x99, 0x99, 0x99);
    return dark ? QColor(0xe0, 0xa8, 0x5a) : QColor(0xb0, 0x6a, 0x10); // tunnels: amber
}

QColor errorColor()
{
    return darkPalette() ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc6, 0x28, 0x28);
}

QString protocolLabel(const QString &protocol)
{
    const QString p = normalized(protocol);
    // HTTP/1.0 (an imported HAR's) shares 1.1's colour and badge, not its name.
    if (p == QLatin1String("http/1.1"))
        return protocol.compare(QLatin1String("http/1.0"), Qt::CaseInsensitive) == 0
                   ? QStringLiteral("HTTP/1.0")
                   : QStringLiteral("HTTP/1.1");
    if (p == QLatin1String("websocket"))
        return QStringLiteral("WebSocket");
    return protocol;
}

QIcon protocolIcon(const QString &protocol)
{
    static QHash<QString, QIcon> cache;
    const QString p = normalized(protocol);
    QString text;
    if (p == QLatin1String("http/1.1"))
        text = protocol.compare(QLatin1String("http/1.0"), Qt::CaseInsensitive) == 0
                   ? QStringLiteral("1.0")
                   : QStringLiteral("1.1");
    else if (p == QLatin1String("h2") || p == QLatin1String("h2c") || p == QLatin1String("h3"))
        text = p;
    else if (p == QLatin1String("websocket"))
        text = QStringLiteral("WS");
    else if (p.isEmpty())
        text = QStringLiteral("…");
    else if (p == QLatin1String("unknown"))
        text = QStringLiteral("?");
    else
        text = QStringLiteral("TUN");
    // By badge text and colour: HTTP/1.0 and 1.1 share a colour, not a badge.
    const QString key =
        p + text + (darkPalette() ? QLatin1String("/dark") : QLatin1String("/light"));
    if (auto it = cache.constFind(key); it != cache.cend())
        return *it;

    QIcon icon;
    for (int size : {16, 24, 32}) {
        QPixmap pm(size * 2, size); // wide badge
        pm.fill(Qt::transparent);
        QPainter painter(&pm);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(protocolColor(protocol));
        painter.drawRoundedRect(QRectF(0.5, 1.5, pm.width() - 1, size - 3), 3, 3);
        QFont font = QApplication::font();
        font.setBold(true);
        font.setPixelSize(qMax(8, size * 9 / 16));
        painter.setFont(font);
        painter.setPen(Qt::white);
        painter.drawText(pm.rect(), Qt::AlignCenter, text);
        painter.end();
        icon.addPixmap(pm);
    }
    cache.insert(key, icon);
    return icon;
}

} // namespace hopscope
