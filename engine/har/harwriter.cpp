#include "har/harwriter.h"

#include "trace/tracefields.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStringDecoder>
#include <QUrl>

#include <algorithm>
#include <cmath>

namespace hopscope {

namespace {

// HAR times are milliseconds; a microsecond is as fine as the trace's own precision.
double roundMs(double ms)
{
    return std::round(ms * 1000.0) / 1000.0;
}

// Text a HAR can carry as is: valid UTF-8 without control characters other than tab, CR, LF
// and form feed. Anything else goes as base64, so no byte is lost or altered.
bool isText(const QByteArray &bytes)
{
    for (const char ch : bytes) {
        const auto u = uchar(ch);
        if ((u < 0x20 && u != '\t' && u != '\n' && u != '\r' && u != '\f') || u == 0x7f)
            return false;
    }
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder(bytes);
    return !decoder.hasError();
}

QJsonObject nameValue(const QString &name, const QString &value)
{
    return QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("value"), value}};
}

// name=value pairs split on '&', as Chrome does (NetworkRequest.parseParameters): no decoding.
QJsonArray parameters(const QString &text)
{
    QJsonArray out;
    for (const QString &pair : text.split(QLatin1Char('&'), Qt::SkipEmptyParts)) {
        const qsizetype eq = pair.indexOf(QLatin1Char('='));
        out.append(eq < 0 ? nameValue(pair, QString())
                          : nameValue(pair.left(eq), pair.mid(eq + 1)));
    }
    return out;
}

QJsonArray headerArray(const HeaderList &headers)
{
    QJsonArray out;
    for (const HttpHeader &h : headers)
        out.append(nameValue(wireText(h.name), wireText(h.value)));
    return out;
}

QString protocolOf(const HarExchange &ex, const HarConnection *c)
{
    if (!ex.protocol.isEmpty())
        return QString::fromUtf8(ex.protocol);
    if (ex.responseIsH2 || ex.requestIsH2)
        return QStringLiteral("h2");
    return c && !c->protocols.isEmpty() ? c->protocols.last() : QString();
}

} // namespace

HarWriter::HarWriter(const HarCollector &collector, HarOptions options)
    : m_collector(collector), m_options(std::move(options))
{
    if (!m_options.traceStart.isValid())
        m_options.traceStart = QDateTime::currentDateTime();
}

QString HarWriter::chromeHttpVersion(bool h2, const QByteArray &h1Version)
{
    if (h2)
        return QStringLiteral("http/2.0");
    return QString::fromLatin1(h1Version);
}

QString HarWriter::isoTime(const QDateTime &t)
{
    // With the local offset ("+02:00"), or "Z" in UTC: ISO 8601 with milliseconds either way.
    return t.toOffsetFromUtc(t.offsetFromUtc()).toString(Qt::ISODateWithMs);
}

QByteArray HarWriter::headerText(const HttpHeader &h) const
{
    return m_options.redactSecrets && isSecretHeader(h.name) ? QByteArray(kRedacted.data())
                                                             : h.value;
}

QList<const HarExchange *> HarWriter::selected() const
{
    QList<const HarExchange *> out;
    for (const HarExchange &ex : m_collector.exchanges()) {
        if (ex.startNs < 0 || (!m_options.only.isEmpty() && !m_options.only.contains(ex.req)))
            continue;
        out.append(&ex);
    }
    std::stable_sort(out.begin(), out.end(), [](const HarExchange *a, const HarExchange *b) {
        return a->startNs < b->startNs;
    });
    return out;
}

int HarWriter::entryCount() const
{
    return int(selected().size());
}

QJsonObject HarWriter::timings(const HarExchange &ex, double *time) const
{
    double dns = -1, connect = -1, ssl = -1, send = 0, wait = 0, receive = 0, blocked = 0;
    double total = ex.total;
    if (ex.complete) {
        dns = ex.dns >= 0 ? roundMs(ex.dns) : -1;
        ssl = ex.tls >= 0 ? roundMs(ex.tls) : -1;
        // HAR 1.2: `connect` includes `ssl`.
        if (ex.connect >= 0 || ex.tls >= 0)
            connect = roundMs(qMax(ex.connect, 0.0) + qMax(ex.tls, 0.0));
        send = roundMs(qMax(ex.send, 0.0));
        wait = roundMs(qMax(ex.wait, 0.0));
        receive = roundMs(qMax(ex.receive, 0.0));
    } else if (ex.startNs >= 0 && ex.endNs >= ex.startNs) {
        total = double(ex.endNs - ex.startNs) / 1e6; // failed: all of it was waiting for it
    }
    if (total >= 0) {
        // Queueing, and the gaps between phases (a connection that opened for another request).
        blocked =
            roundMs(qMax(0.0, total - qMax(dns, 0.0) - qMax(connect, 0.0) - send - wait - receive));
    }
    *time = roundMs(blocked + qMax(dns, 0.0) + qMax(connect, 0.0) + send + wait + receive);
    return QJsonObject{{QStringLiteral("blocked"), blocked}, {QStringLiteral("dns"), dns},
                       {QStringLiteral("connect"), connect}, {QStringLiteral("ssl"), ssl},
                       {QStringLiteral("send"), send},       {QStringLiteral("wait"), wait},
                       {QStringLiteral("receive"), receive}};
}

QJsonObject HarWriter::request(const HarExchange &ex, const HarBody *body) const
{
    QJsonObject r;
    r.insert(QStringLiteral("method"), QString::fromLatin1(ex.method));
    r.insert(QStringLiteral("url"), ex.url);
    r.insert(QStringLiteral("httpVersion"),
             !ex.requestSent ? QString()
             : ex.isH3       ? QStringLiteral("h3") // Chrome's spelling
                             : chromeHttpVersion(ex.requestIsH2, ex.requestVersion));
    QJsonArray headers, cookies;
    for (const HttpHeader &h : ex.requestHeaders) {
        headers.append(nameValue(wireText(h.name), wireText(headerText(h))));
        if (h.name.compare("cookie", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &piece : h.value.split(';')) {
            const QByteArray c = piece.trimmed();
            if (c.isEmpty())
                continue;
            const qsizetype eq = c.indexOf('=');
            const QString name = wireText(eq < 0 ? c : c.left(eq));
            const QString value = m_options.redactSecrets ? QString(kRedacted)
                                  : eq < 0                ? QString()
                                                          : wireText(c.mid(eq + 1));
            cookies.append(nameValue(name, value));
        }
    }
    r.insert(QStringLiteral("headers"), headers);
    r.insert(QStringLiteral("cookies"), cookies);
    r.insert(QStringLiteral("queryString"), parameters(QUrl(ex.url).query(QUrl::FullyEncoded)));
    r.insert(QStringLiteral("headersSize"), ex.requestSent ? ex.requestHeadersSize : -1);
    const qint64 bodySize = ex.requestSent ? ex.requestBodyBytes : -1;
    r.insert(QStringLiteral("bodySize"), bodySize);
    const bool hasBody = bodySize > 0 || (body && !body->request.isEmpty());
    if (hasBody) {
        const QString mime = wireText(headerValue(ex.requestHeaders, "content-type"));
        QJsonObject post{{QStringLiteral("mimeType"), mime}};
        if (body && !body->request.isEmpty()) {
            if (isText(body->request)) {
                const QString text = QString::fromUtf8(body->request);
                post.insert(QStringLiteral("text"), text);
                if (mime.startsWith(u"application/x-www-form-urlencoded", Qt::CaseInsensitive))
                    post.insert(QStringLiteral("params"), parameters(text));
            } else {
                post.insert(QStringLiteral("text"), QString::fromLatin1(body->request.toBase64()));
                post.insert(QStringLiteral("_encoding"), QStringLiteral("base64"));
            }
            if (body->requestTruncated)
                post.insert(QStringLiteral("comment"),
                            QStringLiteral("truncated: the first %1 of %2 bytes (%3)")
                                .arg(body->request.size())
                                .arg(qMax(body->requestSize, bodySize))
                                .arg(body->limitName));
        } else {
            post.insert(QStringLiteral("text"), QString());
            post.insert(QStringLiteral("comment"), QStringLiteral("the body was not kept"));
        }
        if (!post.contains(QStringLiteral("params")))
            post.insert(QStringLiteral("params"), QJsonArray());
        r.insert(QStringLiteral("postData"), post);
    }
    return r;
}

QJsonObject HarWriter::response(const HarExchange &ex, const HarBody *body) const
{
    QJsonObject r;
    const bool received = ex.status != 0;
    r.insert(QStringLiteral("status"), ex.status);
    r.insert(QStringLiteral("statusText"), QString::fromLatin1(ex.reason));
    r.insert(QStringLiteral("httpVersion"),
             !received ? QString()
             : ex.isH3 ? QStringLiteral("h3")
                       : chromeHttpVersion(ex.responseIsH2, ex.responseVersion));
    QJsonArray headers, cookies;
    for (const HttpHeader &h : ex.responseHeaders) {
        headers.append(nameValue(wireText(h.name), wireText(headerText(h))));
        if (h.name.compare("set-cookie", Qt::CaseInsensitive) != 0)
            continue;
        const QList<QByteArray> parts = h.value.split(';');
        const QByteArray first = parts.value(0).trimmed();
        const qsizetype eq = first.indexOf('=');
        QJsonObject cookie = nameValue(wireText(eq < 0 ? first : first.left(eq)),
                                       m_options.redactSecrets ? QString(kRedacted)
                                       : eq < 0                ? QString()
                                                               : wireText(first.mid(eq + 1)));
        for (qsizetype i = 1; i < parts.size(); ++i) {
            const QByteArray attr = parts.at(i).trimmed();
            const qsizetype aeq = attr.indexOf('=');
            const QByteArray key = (aeq < 0 ? attr : attr.left(aeq)).toLower();
            const QString value = aeq < 0 ? QString() : wireText(attr.mid(aeq + 1));
            if (key == "path" || key == "domain") {
                cookie.insert(QString::fromLatin1(key), value);
            } else if (key == "expires") {
                const QDateTime t = QDateTime::fromString(value, Qt::RFC2822Date);
                cookie.insert(QStringLiteral("expires"), t.isValid() ? isoTime(t) : value);
            } else if (key == "httponly") {
                cookie.insert(QStringLiteral("httpOnly"), true);
            } else if (key == "secure") {
                cookie.insert(QStringLiteral("secure"), true);
            } else if (key == "samesite") {
                cookie.insert(QStringLiteral("sameSite"), value);
            }
        }
        cookies.append(cookie);
    }
    r.insert(QStringLiteral("headers"), headers);
    r.insert(QStringLiteral("cookies"), cookies);

    QJsonObject content;
    qint64 size = 0;
    // A session (WebSocket, raw tunnel) has no body: its messages and bytes are elsewhere.
    const bool session = ex.status == 101;
    if (session)
        size = 0;
    else if (body && body->responseSize >= 0)
        size = body->responseSize;
    else if (ex.decodedBytes >= 0)
        size = ex.decodedBytes;
    else if (ex.bodyBytes >= 0)
        size = ex.bodyBytes;
    else if (body)
        size = body->response.size();
    content.insert(QStringLiteral("size"), size);
    if (!session && ex.bodyBytes >= 0 && size > ex.bodyBytes)
        content.insert(QStringLiteral("compression"), size - ex.bodyBytes);
    const QByteArray mime = headerValue(ex.responseHeaders, "content-type");
    content.insert(QStringLiteral("mimeType"),
                   mime.isEmpty() ? QStringLiteral("x-unknown") : wireText(mime));
    if (!session && body && !body->response.isEmpty()) {
        if (isText(body->response)) {
            content.insert(QStringLiteral("text"), QString::fromUtf8(body->response));
        } else {
            content.insert(QStringLiteral("text"), QString::fromLatin1(body->response.toBase64()));
            content.insert(QStringLiteral("encoding"), QStringLiteral("base64"));
        }
        if (body->responseTruncated)
            content.insert(QStringLiteral("comment"),
                           QStringLiteral("truncated: the first %1 of %2 bytes (%3)")
                               .arg(body->response.size())
                               .arg(size)
                               .arg(body->limitName));
    } else if (size > 0) {
        content.insert(QStringLiteral("comment"), QStringLiteral("the body was not kept"));
    }
    r.insert(QStringLiteral("content"), content);
    r.insert(QStringLiteral("redirectURL"), wireText(headerValue(ex.responseHeaders, "location")));
    r.insert(QStringLiteral("headersSize"), received ? ex.responseHeadersSize : -1);
    r.insert(QStringLiteral("bodySize"), session             ? 0
                                         : ex.bodyBytes >= 0 ? ex.bodyBytes
                                                             : (received ? 0 : -1));
    if (ex.failed)
        r.insert(QStringLiteral("_error"), ex.error);
    return r;
}

QJsonObject HarWriter::hopscope(const HarExchange &ex) const
{
    const HarConnection *c = m_collector.connection(ex.conn);
    QJsonObject h;
    h.insert(QStringLiteral("request"), qint64(ex.req));
    const QString protocol = protocolOf(ex, c);
    if (!protocol.isEmpty())
        h.insert(QStringLiteral("protocol"), protocol);
    if (ex.stream >= 0)
        h.insert(QStringLiteral("stream"), ex.stream);
    if (ex.requestSent)
        h.insert(QStringLiteral("requestHttpVersion"),
                 ex.isH3          ? QStringLiteral("HTTP/3")
                 : ex.requestIsH2 ? QStringLiteral("HTTP/2")
                                  : QString::fromLatin1(ex.requestVersion));
    if (ex.status != 0)
        h.insert(QStringLiteral("responseHttpVersion"),
                 ex.isH3           ? QStringLiteral("HTTP/3")
                 : ex.responseIsH2 ? QStringLiteral("HTTP/2")
                                   : QString::fromLatin1(ex.responseVersion));
    if (ex.upgrade != HarExchange::Upgrade::None) {
        QJsonObject u{{QStringLiteral("offered"), QString::fromLatin1(ex.upgradeOffered)},
                      {QStringLiteral("withBody"), ex.upgradeWithBody}};
        switch (ex.upgrade) {
        case HarExchange::Upgrade::Switched:
            u.insert(QStringLiteral("outcome"), QStringLiteral("switched"));
            u.insert(QStringLiteral("status"), 101);
            u.insert(QStringLiteral("switchingHeaders"), headerArray(ex.switchHeaders));
            break;
        case HarExchange::Upgrade::Declined:
            u.insert(QStringLiteral("outcome"), QStringLiteral("declined"));
            u.insert(QStringLiteral("status"), ex.upgradeStatus);
            break;
        default:
            u.insert(QStringLiteral("outcome"), QStringLiteral("unanswered"));
            break;
        }
        h.insert(QStringLiteral("upgrade"), u);
        if (ex.upgrade == HarExchange::Upgrade::Switched && ex.responseIsH2 && !ex.requestIsH2)
            h.insert(QStringLiteral("note"),
                     QStringLiteral("h2c upgrade: the request went out as HTTP/1.1 with Upgrade: "
                                    "%1; the server switched (101) and answered on HTTP/2 "
                                    "stream %2")
                         .arg(QString::fromLatin1(ex.upgradeOffered))
                         .arg(ex.stream));
    }
    if (!ex.upgradeSkipped.isEmpty())
        h.insert(QStringLiteral("upgradeSkipped"),
                 QJsonObject{{QStringLiteral("protocol"), QString::fromLatin1(ex.upgradeSkipped)},
                             {QStringLiteral("reason"), ex.upgradeSkippedReason}});
    if (!ex.advertised.isEmpty()) {
        QJsonArray followers;
        if (c) {
            for (const quint32 id : m_collector.followersOf(c->id))
                followers.append(QString::number(id));
        }
        h.insert(
            QStringLiteral("advertised"),
            QJsonObject{{QStringLiteral("protocols"), QJsonArray::fromStringList(ex.advertised)},
                        {QStringLiteral("followedBy"), followers}});
    }
    if (c) {
        h.insert(QStringLiteral("connectionProtocols"), QJsonArray::fromStringList(c->protocols));
        if (c->followedFrom != 0)
            h.insert(QStringLiteral("followed"),
                     QJsonObject{{QStringLiteral("from"), QString::number(c->followedFrom)},
                                 {QStringLiteral("protocol"), c->followedProtocol},
                                 {QStringLiteral("refused"), c->h2Refused}});
        if (c->port >= 0)
            h.insert(QStringLiteral("serverPort"), c->port);
        if (c->localPort >= 0)
            h.insert(QStringLiteral("localPort"), c->localPort);
        if (c->tls) {
            h.insert(QStringLiteral("tlsVersion"), c->tlsProtocol);
            h.insert(QStringLiteral("tlsCipher"), c->tlsCipher);
            h.insert(QStringLiteral("alpn"),
                     c->alpn.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(c->alpn));
            h.insert(QStringLiteral("alpnOffered"), QJsonArray::fromStringList(c->alpnOffered));
            h.insert(QStringLiteral("tlsVerified"), c->tlsVerified);
            if (!c->sni.isEmpty())
                h.insert(QStringLiteral("sni"), c->sni);
        }
    }
    if (!ex.interimStatuses.isEmpty()) {
        QJsonArray interim;
        for (const int s : ex.interimStatuses)
            interim.append(s);
        h.insert(QStringLiteral("interimStatuses"), interim);
    }
    if (!ex.trailers.isEmpty())
        h.insert(QStringLiteral("trailers"), headerArray(ex.trailers));
    if (ex.retried)
        h.insert(QStringLiteral("retried"), true);
    if (ex.failed || !ex.error.isEmpty())
        h.insert(QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), ex.errorCode},
                                                      {QStringLiteral("message"), ex.error}});
    if (!ex.complete && !ex.failed)
        h.insert(QStringLiteral("unfinished"), true);
    if (ex.tunnelBytesIn > 0 || ex.tunnelBytesOut > 0)
        h.insert(QStringLiteral("tunnel"),
                 QJsonObject{{QStringLiteral("bytesIn"), ex.tunnelBytesIn},
                             {QStringLiteral("bytesOut"), ex.tunnelBytesOut}});
    return h;
}

QJsonObject HarWriter::entry(const HarExchange &ex) const
{
    HarBody body;
    const bool haveBody = m_options.bodies && m_options.bodies(ex.req, &body);
    const HarBody *b = haveBody ? &body : nullptr;
    const qint64 startMs = m_options.traceStart.toMSecsSinceEpoch();

    QJsonObject e;
    e.insert(QStringLiteral("startedDateTime"),
             isoTime(m_options.traceStart.addMSecs(std::llround(double(ex.startNs) / 1e6))));
    double time = 0;
    e.insert(QStringLiteral("timings"), timings(ex, &time));
    e.insert(QStringLiteral("time"), time);
    e.insert(QStringLiteral("request"), request(ex, b));
    e.insert(QStringLiteral("response"), response(ex, b));
    e.insert(QStringLiteral("cache"), QJsonObject());
    if (const HarConnection *c = m_collector.connection(ex.conn)) {
        if (!c->address.isEmpty())
            e.insert(QStringLiteral("serverIPAddress"), c->address);
    }
    if (ex.conn != 0)
        e.insert(QStringLiteral("connection"), QString::number(ex.conn));
    QStringList comments;
    if (ex.failed)
        comments << QStringLiteral("failed: %1").arg(ex.error);
    else if (!ex.complete)
        comments << QStringLiteral("did not finish before the export");
    if (!ex.wsMessages.isEmpty() || ex.protocol == "websocket") {
        QJsonArray messages;
        bool truncated = false;
        for (const HarWsMessage &m : ex.wsMessages) {
            truncated |= m.truncated;
            messages.append(QJsonObject{
                {QStringLiteral("type"),
                 m.sent ? QStringLiteral("send") : QStringLiteral("receive")},
                {QStringLiteral("time"), (double(startMs) + double(m.tNs) / 1e6) / 1000.0},
                {QStringLiteral("opcode"), m.opcode},
                {QStringLiteral("data"), QString::fromUtf8(m.data)}});
        }
        e.insert(QStringLiteral("_webSocketMessages"), messages);
        if (truncated)
            comments << QStringLiteral("WebSocket messages longer than maxBodyInMemory are "
                                       "truncated in `data`");
    }
    if (!comments.isEmpty())
        e.insert(QStringLiteral("comment"), comments.join(QStringLiteral("; ")));
    e.insert(QStringLiteral("_hopscope"), hopscope(ex));
    return e;
}

QJsonObject HarWriter::logFrame() const
{
    QJsonObject log{{QStringLiteral("version"), QStringLiteral("1.2")},
                    {QStringLiteral("creator"),
                     QJsonObject{{QStringLiteral("name"), QStringLiteral("Hopscope")},
                                 {QStringLiteral("version"), m_options.creatorVersion}}},
                    {QStringLiteral("pages"), QJsonArray()},
                    {QStringLiteral("entries"), QJsonArray()}};
    QStringList comments;
    if (!m_options.comment.isEmpty())
        comments << m_options.comment;
    if (m_options.redactSecrets)
        comments << QStringLiteral("Authorization, Proxy-Authorization, Cookie and Set-Cookie "
                                   "values are redacted");
    if (!comments.isEmpty())
        log.insert(QStringLiteral("comment"), comments.join(QStringLiteral(". ")));
    return log;
}

QJsonObject HarWriter::document() const
{
    QJsonArray entries;
    for (const HarExchange *ex : selected())
        entries.append(entry(*ex));
    QJsonObject log = logFrame();
    log.insert(QStringLiteral("entries"), entries);
    return QJsonObject{{QStringLiteral("log"), log}};
}

bool HarWriter::write(QIODevice *out) const
{
    // The document's frame as document() has it, the entries streamed in one by one.
    const QByteArray head = QJsonDocument(QJsonObject{{QStringLiteral("log"), logFrame()}})
                                .toJson(QJsonDocument::Compact);
    // ...,"entries":[]...}} : split at the empty array.
    const qsizetype at = head.indexOf("\"entries\":[]");
    if (at < 0)
        return false;
    const qsizetype split = at + qsizetype(sizeof("\"entries\":[") - 1);
    if (out->write(head.left(split)) < 0)
        return false;
    bool first = true;
    for (const HarExchange *ex : selected()) {
        QByteArray line = first ? QByteArray("\n") : QByteArray(",\n");
        first = false;
        line += QJsonDocument(entry(*ex)).toJson(QJsonDocument::Compact);
        if (out->write(line) < 0)
            return false;
    }
    return out->write("\n" + head.mid(split) + "\n") >= 0;
}

bool HarWriter::writeFile(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    if (!write(&file) || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace hopscope
