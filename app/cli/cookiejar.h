#pragma once

#include "core/httpheader.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

#include <optional>

namespace hopscope {

// One cookie as curl's cookie engine keeps it (and writes it in a Netscape cookie file).
struct Cookie
{
    QByteArray domain;    // lower case, without a leading dot
    bool hostOnly = true; // no Domain attribute: only this exact host (Netscape: FALSE)
    QByteArray path = "/";
    bool secure = false;
    bool httpOnly = false;
    qint64 expires = 0; // Unix seconds; 0 = a session cookie
    QByteArray name;
    QByteArray value;

    friend bool operator==(const Cookie &, const Cookie &) = default;
};

// curl's -b/--cookie and -c/--cookie-jar: cookies loaded from a Netscape cookie file (curl's and
// browsers' export format), the ones responses set (Set-Cookie, RFC 6265 §5.2: Domain, Path,
// Expires, Max-Age, Secure, HttpOnly), the Cookie header each request gets from them, and the
// jar written back in the same format. Times are passed in, so tests choose them.
class CookieJar
{
public:
    // Parses a Netscape cookie file: tab-separated domain, include-subdomains, path, secure,
    // expires, name, value; `#` comments, `#HttpOnly_` prefixes. Malformed lines are skipped.
    static QList<Cookie> parseNetscape(const QByteArray &text);
    // One Set-Cookie value received from `url`; nullopt when it is malformed or its Domain does
    // not cover the host (RFC 6265 §5.3 step 6).
    static std::optional<Cookie> parseSetCookie(QByteArrayView value, const QUrl &url,
                                                qint64 nowSeconds);

    // Adds or replaces (same name, domain and path); an expired cookie removes its match.
    void add(const Cookie &cookie, qint64 nowSeconds);
    void addAll(const QList<Cookie> &cookies, qint64 nowSeconds);
    // Every Set-Cookie in a response's headers.
    void takeFromResponse(const QUrl &url, const HeaderList &headers, qint64 nowSeconds);
    // "n1=v1; n2=v2" for a request to `url` (domain, path, secure and expiry matched), longest
    // path first as RFC 6265 §5.4 asks; empty when nothing matches.
    QByteArray cookieHeader(const QUrl &url, qint64 nowSeconds) const;
    QByteArray toNetscape() const;

    const QList<Cookie> &cookies() const { return m_cookies; }

private:
    QList<Cookie> m_cookies;
};

} // namespace hopscope
