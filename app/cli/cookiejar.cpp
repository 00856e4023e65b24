#include "cookiejar.h"

#include <QDateTime>

#include <algorithm>

namespace hopscope {

namespace {

bool domainMatches(const Cookie &c, const QByteArray &host)
{
    if (c.hostOnly)
        return host == c.domain;
    return host == c.domain || host.endsWith('.' + c.domain);
}

// RFC 6265 §5.1.4.
bool pathMatches(const QByteArray &cookiePath, const QByteArray &requestPath)
{
    if (requestPath == cookiePath)
        return true;
    if (!requestPath.startsWith(cookiePath))
        return false;
    return cookiePath.endsWith('/') || requestPath.at(cookiePath.size()) == '/';
}

// RFC 6265 §5.1.4: the directory of the request path.
QByteArray defaultPath(const QUrl &url)
{
    const QByteArray path = url.path(QUrl::FullyEncoded).toLatin1();
    if (!path.startsWith('/'))
        return "/";
    const qsizetype slash = path.lastIndexOf('/');
    return slash <= 0 ? QByteArray("/") : path.left(slash);
}

// RFC 6265 §5.1.1, the cookie-date algorithm: tokens in any order, a time, a day of the
// month, a month name and a year ("Wed, 21 Oct 2015 07:28:00 GMT", "21-Oct-15 07:28:00").
// 0 when it is not a date.
qint64 parseCookieDate(QByteArrayView text)
{
    static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};
    int hour = -1, minute = -1, second = -1, day = -1, month = -1, year = -1;
    QByteArray token;
    auto take = [&] {
        if (token.isEmpty())
            return;
        const QList<QByteArray> hms = token.split(':');
        bool ok = false;
        if (hour < 0 && hms.size() == 3) {
            hour = hms.at(0).toInt(&ok);
            minute = ok ? hms.at(1).toInt(&ok) : -1;
            second = ok ? hms.at(2).toInt(&ok) : -1;
            if (!ok)
                hour = -1;
        } else if (const int n = token.toInt(&ok); ok && day < 0 && token.size() <= 2) {
            day = n;
        } else if (ok && year < 0 && token.size() >= 2 && token.size() <= 4) {
            year = n < 70 ? 2000 + n : (n < 100 ? 1900 + n : n);
        } else if (month < 0 && token.size() >= 3) {
            for (int m = 0; m < 12; ++m) {
                if (token.left(3).toLower() == months[m])
                    month = m + 1;
            }
        }
        token.clear();
    };
    for (const char c : text) {
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ':')
            token += c;
        else
            take();
    }
    take();
    const QDate date(year, month, day);
    const QTime time(hour, minute, second);
    if (!date.isValid() || !time.isValid())
        return 0;
    return QDateTime(date, time, Qt::UTC).toSecsSinceEpoch();
}

QByteArray hostOf(const QUrl &url)
{
    return url.host(QUrl::FullyEncoded).toLower().toLatin1();
}

} // namespace

QList<Cookie> CookieJar::parseNetscape(const QByteArray &text)
{
    QList<Cookie> out;
    for (QByteArray line : text.split('\n')) {
        if (line.endsWith('\r'))
            line.chop(1);
        Cookie c;
        if (line.startsWith("#HttpOnly_")) {
            c.httpOnly = true;
            line = line.mid(10);
        } else if (line.startsWith('#') || line.trimmed().isEmpty()) {
            continue;
        }
        const QList<QByteArray> f = line.split('\t');
        if (f.size() < 6 || f.size() > 7)
            continue;
        QByteArray domain = f.at(0).toLower();
        c.hostOnly = f.at(1).toUpper() != "TRUE";
        if (domain.startsWith('.')) {
            domain = domain.mid(1);
            c.hostOnly = false;
        }
        bool ok = false;
        c.domain = domain;
        c.path = f.at(2).isEmpty() ? QByteArray("/") : f.at(2);
        c.secure = f.at(3).toUpper() == "TRUE";
        c.expires = f.at(4).toLongLong(&ok);
        if (!ok || c.domain.isEmpty())
            continue;
        c.name = f.at(5);
        c.value = f.size() == 7 ? f.at(6) : QByteArray();
        out.append(c);
    }
    return out;
}

std::optional<Cookie> CookieJar::parseSetCookie(QByteArrayView value, const QUrl &url,
                                                qint64 nowSeconds)
{
    const QList<QByteArray> parts = value.toByteArray().split(';');
    const QByteArray pair = parts.value(0).trimmed();
    const qsizetype eq = pair.indexOf('=');
    if (eq <= 0)
        return std::nullopt;
    Cookie c;
    c.name = pair.left(eq).trimmed();
    c.value = pair.mid(eq + 1).trimmed();
    c.domain = hostOf(url);
    c.path = defaultPath(url);
    bool maxAgeSeen = false;
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const QByteArray attr = parts.at(i).trimmed();
        const qsizetype aeq = attr.indexOf('=');
        const QByteArray key = (aeq < 0 ? attr : attr.left(aeq)).trimmed().toLower();
        const QByteArray val = aeq < 0 ? QByteArray() : attr.mid(aeq + 1).trimmed();
        if (key == "domain" && !val.isEmpty()) {
            QByteArray d = val.toLower();
            if (d.startsWith('.'))
                d = d.mid(1);
            const QByteArray host = hostOf(url);
            if (host != d && !host.endsWith('.' + d))
                return std::nullopt; // a domain that does not cover the host is refused
            c.domain = d;
            c.hostOnly = false;
        } else if (key == "path" && val.startsWith('/')) {
            c.path = val;
        } else if (key == "secure") {
            c.secure = true;
        } else if (key == "httponly") {
            c.httpOnly = true;
        } else if (key == "max-age") {
            bool ok = false;
            const qint64 age = val.toLongLong(&ok);
            if (ok) {
                maxAgeSeen = true; // Max-Age wins over Expires
                c.expires = age <= 0 ? 1 : nowSeconds + age;
            }
        } else if (key == "expires" && !maxAgeSeen) {
            if (const qint64 when = parseCookieDate(val); when != 0)
                c.expires = qMax<qint64>(1, when);
        }
    }
    return c;
}

void CookieJar::add(const Cookie &cookie, qint64 nowSeconds)
{
    const auto same = [&](const Cookie &c) {
        return c.name == cookie.name && c.domain == cookie.domain && c.path == cookie.path;
    };
    m_cookies.removeIf(same);
    if (cookie.expires == 0 || cookie.expires > nowSeconds)
        m_cookies.append(cookie);
}

void CookieJar::addAll(const QList<Cookie> &cookies, qint64 nowSeconds)
{
    for (const Cookie &c : cookies)
        add(c, nowSeconds);
}

void CookieJar::takeFromResponse(const QUrl &url, const HeaderList &headers, qint64 nowSeconds)
{
    for (const QByteArray &value : headerValues(headers, "Set-Cookie")) {
        if (const auto c = parseSetCookie(value, url, nowSeconds))
            add(*c, nowSeconds);
    }
}

QByteArray CookieJar::cookieHeader(const QUrl &url, qint64 nowSeconds) const
{
    const QByteArray host = hostOf(url);
    QByteArray path = url.path(QUrl::FullyEncoded).toLatin1();
    if (path.isEmpty())
        path = "/";
    const bool tls = url.scheme() == u"https" || url.scheme() == u"wss";
    QList<const Cookie *> matching;
    for (const Cookie &c : m_cookies) {
        if ((c.expires == 0 || c.expires > nowSeconds) && domainMatches(c, host) &&
            pathMatches(c.path, path) && (!c.secure || tls))
            matching.append(&c);
    }
    std::stable_sort(matching.begin(), matching.end(), [](const Cookie *a, const Cookie *b) {
        return a->path.size() > b->path.size();
    });
    QByteArray header;
    for (const Cookie *c : matching) {
        if (!header.isEmpty())
            header += "; ";
        header += c->name + '=' + c->value;
    }
    return header;
}

QByteArray CookieJar::toNetscape() const
{
    QByteArray out = "# Netscape HTTP Cookie File\n"
                     "# https://curl.se/docs/http-cookies.html\n"
                     "# This file was generated by hopscope-cli. Edit at your own risk.\n\n";
    for (const Cookie &c : m_cookies) {
        QByteArray domain = c.hostOnly ? c.domain : '.' + c.domain;
        if (c.httpOnly)
            domain.prepend("#HttpOnly_");
        out += domain + '\t' + (c.hostOnly ? "FALSE" : "TRUE") + '\t' + c.path + '\t' +
               (c.secure ? "TRUE" : "FALSE") + '\t' + QByteArray::number(c.expires) + '\t' +
               c.name + '\t' + c.value + '\n';
    }
    return out;
}

} // namespace hopscope
