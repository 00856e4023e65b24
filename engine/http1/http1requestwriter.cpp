#include "http1/http1requestwriter.h"

#include <QCoreApplication>

namespace hopscope {

QByteArray Http1RequestWriter::userAgent()
{
    return QByteArrayLiteral("hopscope/") + QByteArray(HOPSCOPE_VERSION);
}

QByteArray Http1RequestWriter::requestTarget(const QUrl &url)
{
    QByteArray target = url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty())
        target = "/";
    if (url.hasQuery())
        target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    return target;
}

HeaderList Http1RequestWriter::headers(const RequestSpec &spec, qint64 bodyLength,
                                       const HeaderList &extraHeaders)
{
    QByteArray host = spec.url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    const int defaultPort = spec.url.scheme() == u"https" ? 443 : 80;
    if (spec.url.port(defaultPort) != defaultPort)
        host += ':' + QByteArray::number(spec.url.port());

    HeaderList headers{{"Host", host}, {"User-Agent", userAgent()}, {"Accept", "*/*"}};
    if (spec.decodeContent)
        headers.append(HttpHeader{"Accept-Encoding", "gzip, deflate, br, zstd"});
    for (const HttpHeader &h : extraHeaders)
        headers.append(h);

    for (const HttpHeader &user : spec.headers) {
        bool replaced = false;
        for (qsizetype i = 0; i < headers.size(); ++i) {
            if (headers[i].name.compare(user.name, Qt::CaseInsensitive) == 0) {
                if (user.value.isEmpty())
                    headers.removeAt(i);
                else
                    headers[i] = user;
                replaced = true;
                break;
            }
        }
        if (!replaced && !user.value.isEmpty())
            headers.append(user);
    }
    const bool userFramed =
        hasHeader(spec.headers, "Content-Length") || hasHeader(spec.headers, "Transfer-Encoding");
    if (bodyLength > 0 && !userFramed)
        headers.append(HttpHeader{"Content-Length", QByteArray::number(bodyLength)});
    return headers;
}

Http1RequestHead Http1RequestWriter::build(const RequestSpec &spec, qint64 bodyLength,
                                           const HeaderList &extraHeaders)
{
    Http1RequestHead head;
    head.method = spec.method;
    head.target = spec.targetOverride.isEmpty() ? requestTarget(spec.url) : spec.targetOverride;
    HeaderList extra = extraHeaders;
    if (const RoutePlan route = planRoute(spec); route.httpForward) {
        // To a forwarding proxy (RFC 9112 §3.2.2): the absolute URL, and the proxy's own
        // headers as curl sends them (-H may replace or remove them like any default).
        if (spec.targetOverride.isEmpty()) {
            head.target = spec.url.adjusted(QUrl::RemoveFragment | QUrl::RemoveUserInfo)
                              .toEncoded(QUrl::FullyEncoded);
        }
        if (route.proxy->hasCredentials) {
            const QByteArray credentials =
                (route.proxy->user + QLatin1Char(':') + route.proxy->password).toUtf8();
            extra.append(HttpHeader{"Proxy-Authorization", "Basic " + credentials.toBase64()});
        }
        extra.append(HttpHeader{"Proxy-Connection", "Keep-Alive"});
    }
    head.headers = headers(spec, bodyLength, extra);

    QByteArray &b = head.bytes;
    b.reserve(256);
    b += head.method + ' ' + head.target + ' ' + head.version + "\r\n";
    for (const HttpHeader &h : head.headers)
        b += h.name + ": " + h.value + "\r\n";
    b += "\r\n";
    return head;
}

} // namespace hopscope
