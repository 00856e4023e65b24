#pragma once

#include <QColor>
#include <QIcon>
#include <QString>

namespace hopscope {

// One look per protocol, shared by the tree, the timeline and the detail tabs, so that "h2c"
// is the same colour everywhere. Protocols: "HTTP/1.1" (also "http/1.1"), "h2", "h2c",
// "websocket", "tcp" / any other tunnel token, "" (not known yet).
QColor protocolColor(const QString &protocol);
// A small badge ("1.1", "h2", "h2c", "WS", "TUN") painted in protocolColor; cached.
QIcon protocolIcon(const QString &protocol);
// The colour errors are drawn in (text and markers); readable on light and dark palettes.
QColor errorColor();
// Short label for a protocol: "HTTP/1.1", "h2", "h2c", "WebSocket", "tcp".
QString protocolLabel(const QString &protocol);

} // namespace hopscope
