#include "har/harentryparser.h"

#include <QDateTime>
#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace hopscope {

namespace {

// A HAR duration in ms: -1 when not applicable (HAR's own -1), negative, NaN or infinite;
// clamped to kHarMaxSpanMs.
double duration(const QJsonValue &v)
{
    if (!v.isDouble())
        return -1;
    const double d = v.toDouble();
    if (!std::isfinite(d) || d < 0)
        return -1;
    return std::min(d, kHarMaxSpanMs);
}

// A size a HAR states (bodySize, headersSize): -1 when unknown or absurd.
qint64 size(const QJsonValue &v)
{
    if (!v.isDouble())
        return -1;
    const double d = v.toDouble();
    if (!std::isfinite(d) || d < 0 || d > 9e15)
        return -1;
    return qint64(d);
}

QDateTime parseDate(const QString &text)
{
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(text, Qt::ISODate);
    return t;
}

// A string member's text, or a number's (some tools write `connection` as a number).
QString idText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 17);
    return {};
}

// Never a null QByteArray: the trace's writer copies header bytes with memcpy, which must not
// get the null pointer of one (an empty header value is common).
QByteArray utf8(QStringView text)
{
    QByteArray bytes = text.toUtf8();
    return bytes.isNull() ? QByteArray("") : bytes;
}

void note(QStringList *warnings, const QString &text)
{
    warnings->append(text);
}

} // namespace

bool HarEntryParser::parse(const QJsonObject &entry, int index, HarEntryDraft *out, QString *error,
                           QStringList *warnings) const
{
    const QString where = QStringLiteral("log.entries[%1]").arg(index);
    out->index = index;

    const QJsonValue started = entry.value(QLatin1String("startedDateTime"));
    if (!started.isString()) {
        *error = where + (started.isUndefined() ? QStringLiteral(".startedDateTime missing")
                                                : QStringLiteral(".startedDateTime is not a "
                                                                 "string"));
        return false;
    }
    const QDateTime start = parseDate(started.toString());
    if (!start.isValid()) {
        *error = QStringLiteral("%1.startedDateTime is not an ISO 8601 date: \"%2\"")
                     .arg(where, started.toString().left(64));
        return false;
    }
    out->startMs = start.toMSecsSinceEpoch();

    const QJsonValue request = entry.value(QLatin1String("request"));
    if (!request.isObject()) {
        *error = where + (request.isUndefined() ? QStringLiteral(".request missing")
                                                : QStringLiteral(".request is not an object"));
        return false;
    }
    if (!parseRequest(request.toObject(), where + QStringLiteral(".request"), out, error, warnings))
        return false;

    out->error = entry.value(QLatin1String("_error")).toString();
    const QJsonValue response = entry.value(QLatin1String("response"));
    if (response.isObject())
        parseResponse(response.toObject(), where + QStringLiteral(".response"), out, warnings);
    else if (!response.isUndefined() && !response.isNull())
        note(warnings, where + QStringLiteral(".response is not an object: read as no response"));
    out->version = HarReader::normalizedHttpVersion(out->rawVersion);

    out->timeMs = duration(entry.value(QLatin1String("time")));
    const QJsonObject timings = entry.value(QLatin1String("timings")).toObject();
    out->timings.blocked = duration(timings.value(QLatin1String("blocked")));
    out->timings.dns = duration(timings.value(QLatin1String("dns")));
    out->timings.connect = duration(timings.value(QLatin1String("connect")));
    out->timings.ssl = duration(timings.value(QLatin1String("ssl")));
    out->timings.send = duration(timings.value(QLatin1String("send")));
    out->timings.wait = duration(timings.value(QLatin1String("wait")));
    out->timings.receive = duration(timings.value(QLatin1String("receive")));

    out->connection = idText(entry.value(QLatin1String("connection"))).left(256);
    out->serverIp = entry.value(QLatin1String("serverIPAddress")).toString().left(256);
    if (out->serverIp.startsWith(QLatin1Char('[')) && out->serverIp.endsWith(QLatin1Char(']')))
        out->serverIp = out->serverIp.mid(1, out->serverIp.size() - 2);
    parseWebSocket(entry.value(QLatin1String("_webSocketMessages")),
                   where + QStringLiteral("._webSocketMessages"), out, warnings);
    return true;
}

bool HarEntryParser::parseRequest(const QJsonObject &request, const QString &where,
                                  HarEntryDraft *out, QString *error, QStringList *warnings) const
{
    const QJsonValue method = request.value(QLatin1String("method"));
    const QJsonValue url = request.value(QLatin1String("url"));
    for (const auto &[value, name] : {std::pair{method, "method"}, std::pair{url, "url"}}) {
        if (!value.isString()) {
            *error = QStringLiteral("%1.%2 %3")
                         .arg(where, QLatin1String(name),
                              value.isUndefined() ? QStringLiteral("missing")
                                                  : QStringLiteral("is not a string"));
            return false;
        }
    }
    // A method is a token and a URL one line: anything longer is no request anyone made.
    out->method = method.toString().left(256).toUtf8();
    out->url = url.toString().left(64 * 1024);
    out->rawVersion = request.value(QLatin1String("httpVersion")).toString().left(64);
    out->requestVersion = HarReader::normalizedHttpVersion(out->rawVersion);
    out->requestHeaders = headers(request.value(QLatin1String("headers")),
                                  where + QStringLiteral(".headers"), warnings);
    out->requestHeadersSize = size(request.value(QLatin1String("headersSize")));
    const QJsonValue postData = request.value(QLatin1String("postData"));
    if (postData.isObject())
        out->requestBody = body(postData.toObject(), where + QStringLiteral(".postData"),
                                &out->requestBodyTruncated, warnings);
    return true;
}

void HarEntryParser::parseResponse(const QJsonObject &response, const QString &where,
                                   HarEntryDraft *out, QStringList *warnings) const
{
    const double status = response.value(QLatin1String("status")).toDouble(0);
    // Chrome and Firefox write status 0 for a request that got no response.
    if (std::isfinite(status) && status >= 100 && status <= 999) {
        out->status = int(status);
        out->hasResponse = true;
    } else if (status != 0) {
        note(warnings, QStringLiteral("%1.status %2 is no HTTP status: read as no response")
                           .arg(where, QString::number(status, 'g', 17)));
    }
    if (out->error.isEmpty())
        out->error = response.value(QLatin1String("_error")).toString().left(1024);
    out->statusText = response.value(QLatin1String("statusText")).toString().left(1024).toUtf8();
    const QString version = response.value(QLatin1String("httpVersion")).toString().left(64);
    if (!version.isEmpty())
        out->rawVersion = version; // the response says what was spoken
    out->responseHeaders = headers(response.value(QLatin1String("headers")),
                                   where + QStringLiteral(".headers"), warnings);
    // HTTP Toolkit lists an HTTP/2 response's `:status` among its headers. The status field is
    // the one HAR defines; a `:status` that says otherwise takes its value. Kept as it was, the
    // file's contradiction made an import export and read back as another status
    // (fuzz_har_reader).
    if (out->hasResponse) {
        const QByteArray status = QByteArray::number(out->status);
        for (HttpHeader &h : out->responseHeaders) {
            if (h.name != ":status" || h.value == status)
                continue;
            note(warnings, QStringLiteral("%1.headers: :status \"%2\" disagrees with status %3: "
                                          "read as %3")
                               .arg(where, QString::fromLatin1(h.value.left(32)),
                                    QString::number(out->status)));
            h.value = status;
        }
    }
    out->responseHeadersSize = size(response.value(QLatin1String("headersSize")));
    const QJsonObject content = response.value(QLatin1String("content")).toObject();
    out->bodySize = size(response.value(QLatin1String("bodySize")));
    if (out->bodySize < 0)
        out->bodySize = size(content.value(QLatin1String("size")));
    out->mimeType = content.value(QLatin1String("mimeType")).toString().left(256).toUtf8();
    out->responseBody =
        body(content, where + QStringLiteral(".content"), &out->responseBodyTruncated, warnings);
}

HeaderList HarEntryParser::headers(const QJsonValue &list, const QString &where,
                                   QStringList *warnings) const
{
    HeaderList out;
    if (list.isUndefined() || list.isNull())
        return out;
    if (!list.isArray()) {
        note(warnings, where + QStringLiteral(" is not an array: no headers read"));
        return out;
    }
    const QJsonArray array = list.toArray();
    int skipped = 0;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject h = array.at(i).toObject();
        const QJsonValue name = h.value(QLatin1String("name"));
        if (!name.isString() || name.toString().isEmpty()) {
            if (skipped++ == 0)
                note(warnings,
                     QStringLiteral("%1[%2].name missing: header skipped").arg(where).arg(i));
            continue;
        }
        if (out.size() >= m_limits.maxHeaders) {
            note(warnings, QStringLiteral("%1: %2 headers, only the first %3 kept")
                               .arg(where)
                               .arg(array.size())
                               .arg(m_limits.maxHeaders));
            break;
        }
        // Header lines longer than the engine's own limit were never on a wire.
        out.append(
            {utf8(name.toString().left(Limits{}.maxHeaderLineBytes)),
             utf8(h.value(QLatin1String("value")).toString().left(Limits{}.maxHeaderLineBytes))});
    }
    return out;
}

QByteArray HarEntryParser::body(const QJsonObject &holder, const QString &where, bool *truncated,
                                QStringList *warnings) const
{
    const QJsonValue textValue = holder.value(QLatin1String("text"));
    if (!textValue.isString())
        return {};
    const QString text = textValue.toString();
    const qsizetype max = m_limits.maxBodyBytes;
    QByteArray out;
    if (holder.value(QLatin1String("encoding")).toString() == QLatin1String("base64")) {
        // Only the base64 that decodes to what is kept is decoded.
        const qsizetype chars = (max + 2) / 3 * 4;
        const auto decoded = QByteArray::fromBase64Encoding(
            text.left(chars).toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            note(warnings, where + QStringLiteral(".text is not valid base64: body not kept"));
            return {};
        }
        out = decoded.decoded;
        *truncated = text.size() > chars || out.size() > max;
    } else {
        out = text.left(max).toUtf8();
        *truncated = text.size() > max || out.size() > max;
    }
    if (out.size() > max)
        out.truncate(max);
    return out;
}

void HarEntryParser::parseWebSocket(const QJsonValue &messages, const QString &where,
                                    HarEntryDraft *out, QStringList *warnings) const
{
    if (!messages.isArray())
        return;
    const QJsonArray array = messages.toArray();
    int skipped = 0;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject m = array.at(i).toObject();
        const int opcode = m.value(QLatin1String("opcode")).toInt(-1);
        if (opcode != 1 && opcode != 2 && opcode != 8) {
            // Chrome records text and binary messages, our export also close frames; anything
            // else is no message.
            if (skipped++ == 0)
                note(warnings, QStringLiteral("%1[%2].opcode is not 1, 2 or 8: message skipped")
                                   .arg(where)
                                   .arg(i));
            continue;
        }
        HarWsDraft ws;
        ws.sent = m.value(QLatin1String("type")).toString() == QLatin1String("send");
        ws.binary = opcode == 2;
        ws.close = opcode == 8;
        // Chrome's time is seconds since the epoch, as a double.
        const double seconds = m.value(QLatin1String("time")).toDouble(std::nan(""));
        if (std::isfinite(seconds))
            ws.epochMs = seconds * 1000.0;
        const QString data = m.value(QLatin1String("data")).toString();
        // A binary message's size from its base64, less the padding.
        const qsizetype padding = data.endsWith(QLatin1String("==")) ? 2
                                  : data.endsWith(QLatin1Char('='))  ? 1
                                                                     : 0;
        ws.bytes = ws.binary ? std::max<qsizetype>(0, data.size() / 4 * 3 - padding)
                             : data.toUtf8().size();
        ws.data = data.left(m_limits.maxBodyBytes).toUtf8();
        ws.truncated =
            data.size() > m_limits.maxBodyBytes || ws.data.size() > m_limits.maxBodyBytes;
        if (ws.data.size() > m_limits.maxBodyBytes)
            ws.data.truncate(m_limits.maxBodyBytes);
        out->wsMessages.append(ws);
    }
}

} // namespace hopscope
