#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QLatin1StringView>
#include <QList>

namespace hopscope {

// One header field exactly as it was written or received: name case and order are kept, because
// an inspector must show what crossed the wire, not a normalised copy.
struct HttpHeader
{
    QByteArray name;
    QByteArray value;
    friend bool operator==(const HttpHeader &, const HttpHeader &) = default;
};

using HeaderList = QList<HttpHeader>;

// Case-insensitive lookups over a HeaderList.
QByteArray headerValue(const HeaderList &headers, QByteArrayView name);
QList<QByteArray> headerValues(const HeaderList &headers, QByteArrayView name);
bool hasHeader(const HeaderList &headers, QByteArrayView name);
// Splits comma-separated list values (RFC 9110 §5.6.1) over all fields of that name, trimmed,
// empty elements dropped. Used for Connection, Transfer-Encoding, Content-Encoding, Upgrade.
QList<QByteArray> headerTokens(const HeaderList &headers, QByteArrayView name);
bool headerHasToken(const HeaderList &headers, QByteArrayView name, QByteArrayView token);

// The fields whose values exports (HAR, copied commands, the window's JSON-lines export) redact
// unless asked not to, as Chrome's HAR export does since version 130: Authorization,
// Proxy-Authorization, Cookie, Set-Cookie. A session file keeps them.
bool isSecretHeader(QByteArrayView name);
inline constexpr QLatin1StringView kRedactedValue{"[redacted]"};

} // namespace hopscope
