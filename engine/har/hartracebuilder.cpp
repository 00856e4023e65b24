#include "har/hartracebuilder.h"

#include <QTimeZone>
#include <QUrl>

#include <algorithm>
#include <cmath>

namespace hopscope {

namespace {

qint64 nsOf(double ms)
{
    return qint64(std::llround(std::clamp(ms, 0.0, kHarMaxSpanMs) * 1e6));
}

// The engine's origin spelling ("https://example.com:443"); ws:// and wss:// are the http(s)
// connections they upgrade, as the engine records them.
QString originOf(const QUrl &url)
{
    QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("ws"))
        scheme = QStringLiteral("http");
    else if (scheme == QLatin1String("wss"))
        scheme = QStringLiteral("https");
    const int port = url.port(scheme == QLatin1String("https") ? 443 : 80);
    return QStringLiteral("%1://%2:%3").arg(scheme, url.host()).arg(port);
}

// FieldWriter::utf8 copies with memcpy, which must not be handed the null pointer of an empty
// QByteArray (undefined behaviour even for 0 bytes): a HAR leaves many strings empty.
QByteArrayView nonNull(const QByteArray &bytes)
{
    return bytes.isNull() ? QByteArrayView("") : QByteArrayView(bytes);
}

bool isHttp2Like(const QByteArray &version)
{
    return version == "h2" || version == "h3";
}

// response.complete's `protocol`: the engine's spellings ("http/1.1", "h2"), "unknown" when the
// HAR did not say.
QByteArray completeProtocol(const HarEntryDraft &entry, bool webSocket)
{
    if (webSocket)
        return "websocket";
    if (entry.version.isEmpty())
        return "unknown";
    return entry.version.startsWith("HTTP/") ? entry.version.toLower() : entry.version;
}

bool isWebSocket(const HarEntryDraft &entry, const QUrl &url)
{
    if (entry.status != 101)
        return false;
    return !entry.wsMessages.isEmpty() || url.scheme().startsWith(QLatin1String("ws")) ||
           headerHasToken(entry.responseHeaders, "upgrade", "websocket");
}

} // namespace

qint64 HarTraceBuilder::nsSinceStart(double epochMs) const
{
    return nsOf(epochMs - double(m_baseMs));
}

FieldWriter HarTraceBuilder::stage(qint64 tNs, EventType type, EventScope scope, Direction dir)
{
    m_order.append({tNs, m_staging.size()});
    TraceRecord head;
    head.tNs = tNs;
    head.type = type;
    head.scope = scope;
    head.dir = dir;
    return m_staging.append(head);
}

quint32 HarTraceBuilder::connectionFor(const HarEntryDraft &entry, const QString &origin,
                                       bool *isNew)
{
    // Firefox's `connection` is the server's port and Chrome's a socket id: only per origin do
    // they name one connection.
    if (!entry.connection.isEmpty()) {
        const QString key = origin + QLatin1Char(' ') + entry.connection;
        if (const auto it = m_connectionIds.constFind(key); it != m_connectionIds.cend()) {
            *isNew = false;
            return *it;
        }
        m_connectionIds.insert(key, m_connections + 1);
    }
    *isNew = true;
    return ++m_connections;
}

void HarTraceBuilder::build(const QList<HarEntryDraft> &entries, HarImport *out)
{
    if (entries.isEmpty())
        return;
    m_baseMs = entries.first().startMs;
    out->start = QDateTime::fromMSecsSinceEpoch(m_baseMs, QTimeZone::utc());
    for (qsizetype i = 0; i < entries.size(); ++i)
        addEntry(entries.at(i), quint32(i + 1), out);

    // By time; an entry's events keep their order, and entries their start order.
    std::stable_sort(m_order.begin(), m_order.end(),
                     [](const Staged &a, const Staged &b) { return a.tNs < b.tNs; });
    out->events.reserve(m_staging.size(), m_staging.arena().size());
    quint64 seq = 0;
    for (const Staged &s : std::as_const(m_order)) {
        TraceEvent ev = m_staging.at(s.index);
        ev.seq = ++seq;
        out->events.append(ev);
    }
    m_staging.clear();
    m_order.clear();
}

void HarTraceBuilder::addEntry(const HarEntryDraft &entry, quint32 req, HarImport *out)
{
    const QUrl url(entry.url);
    const QString origin = originOf(url);
    const bool webSocket = isWebSocket(entry, url);
    const bool h2 = isHttp2Like(entry.version);
    const HarTimingsMs &tm = entry.timings;
    const qint64 startNs = nsSinceStart(double(entry.startMs));
    qint64 cursor = startNs;
    const auto after = [&cursor](double ms) {
        if (ms > 0)
            cursor += nsOf(ms);
        return cursor;
    };

    stage(startNs, EventType::RequestStart, {0, req})
        .utf8(Field::Method, nonNull(entry.method))
        .text(Field::Url, entry.url);

    // HAR's `connect` includes `ssl`; the trace's is TCP alone, its TLS separate.
    const double tcp = tm.connect >= 0 ? std::max(0.0, tm.connect - std::max(0.0, tm.ssl)) : -1;
    bool isNew = false;
    const quint32 conn = connectionFor(entry, origin, &isNew);
    const EventScope scope{conn, req};
    after(tm.blocked);
    if (!isNew) {
        stage(cursor, EventType::PoolReuse, scope).text(Field::Origin, origin);
    } else {
        stage(cursor, EventType::PoolOpen, scope).text(Field::Origin, origin);
        if (tm.dns >= 0)
            stage(after(tm.dns), EventType::Dns, scope)
                .text(Field::Host, url.host())
                .real(Field::Ms, tm.dns);
        if (tcp >= 0 || !entry.serverIp.isEmpty()) {
            FieldWriter w = stage(after(tcp), EventType::Connect, scope);
            w.text(Field::Host, url.host())
                .integer(Field::Port,
                         url.port(origin.startsWith(QLatin1String("https")) ? 443 : 80));
            if (!entry.serverIp.isEmpty())
                w.text(Field::Address, entry.serverIp);
            w.real(Field::Ms, std::max(0.0, tcp));
        }
        // HTTP/2 over TLS was negotiated by ALPN; QUIC (h3) has no separate handshake here.
        if (origin.startsWith(QLatin1String("https")) && entry.version != "h3" &&
            (tm.ssl >= 0 || h2)) {
            FieldWriter w = stage(after(tm.ssl), EventType::Tls, scope);
            if (h2)
                w.atom(Field::Alpn, "h2");
            w.real(Field::Ms, std::max(0.0, tm.ssl));
        }
    }

    // The request head.
    if (h2) {
        stage(cursor, EventType::H2Headers, scope, Direction::Out)
            .headers(Field::Headers, entry.requestHeaders)
            .atom(Field::Kind, "request");
    } else {
        QByteArray target = url.path(QUrl::FullyEncoded).toUtf8();
        if (target.isEmpty())
            target = "/";
        if (url.hasQuery())
            target += '?' + url.query(QUrl::FullyEncoded).toUtf8();
        // The request's own HTTP/1.x version when it gave one, else the entry's.
        const QByteArray version =
            entry.requestVersion.startsWith("HTTP/1.") ? entry.requestVersion : entry.version;
        stage(cursor, EventType::H1Request, scope, Direction::Out)
            .utf8(Field::Method, nonNull(entry.method))
            .utf8(Field::Target, target)
            .atom(Field::Version, version.isEmpty() ? QByteArray("unknown") : version)
            .headers(Field::Headers, entry.requestHeaders);
    }
    after(tm.send);

    qint64 end = cursor;
    if (entry.hasResponse) {
        after(tm.wait);
        if (h2) {
            HeaderList headers = entry.responseHeaders;
            if (!hasHeader(headers, ":status"))
                headers.prepend({":status", QByteArray::number(entry.status)});
            stage(cursor, EventType::H2Headers, scope, Direction::In)
                .headers(Field::Headers, headers)
                .atom(Field::Kind, "response");
        } else {
            FieldWriter w = stage(cursor, EventType::H1Response, scope, Direction::In);
            w.integer(Field::Status, entry.status)
                .utf8(Field::Reason, nonNull(entry.statusText))
                .atom(Field::Version,
                      entry.version.isEmpty() ? QByteArray("unknown") : entry.version)
                .headers(Field::Headers, entry.responseHeaders);
            if (entry.responseHeadersSize >= 0)
                w.integer(Field::Bytes, entry.responseHeadersSize);
        }
        if (webSocket)
            stage(cursor, EventType::UpgradeSwitch, scope).atom(Field::Protocol, "websocket");
        const qint64 head = cursor;
        for (const HarWsDraft &m : entry.wsMessages) {
            const qint64 t = std::isnan(m.epochMs) ? head : std::max(head, nsSinceStart(m.epochMs));
            end = std::max(end, t);
            const Direction dir = m.sent ? Direction::Out : Direction::In;
            if (m.close) {
                // A HAR keeps no close code: 1005 is the trace's "no code".
                stage(t, EventType::WsClose, scope, dir)
                    .integer(Field::Code, 1005)
                    .utf8(Field::Reason, nonNull(m.data));
                continue;
            }
            FieldWriter w = stage(t, EventType::WsMessage, scope, dir);
            w.atom(Field::Opcode, m.binary ? "binary" : "text");
            m.binary ? w.utf8(Field::Data, nonNull(m.data)) : w.utf8(Field::Text, nonNull(m.data));
            w.integer(Field::Bytes, m.bytes);
            if (m.truncated)
                w.boolean(Field::Truncated, true);
        }
        after(tm.receive);
    }
    end = std::max(end, cursor);
    if (entry.timeMs >= 0)
        end = std::max(end, startNs + nsOf(entry.timeMs));

    if (entry.hasResponse) {
        FieldWriter w = stage(end, EventType::ResponseComplete, scope);
        w.integer(Field::Status, entry.status);
        if (entry.bodySize >= 0)
            w.integer(Field::Bytes, entry.bodySize);
        w.atom(Field::Protocol, completeProtocol(entry, webSocket));
        w.beginMap(Field::Timings)
            .real(Field::Dns, tm.dns)
            .real(Field::Connect, tcp)
            .real(Field::Tls, tm.ssl)
            .real(Field::Send, tm.send)
            .real(Field::Wait, tm.wait)
            .real(Field::Receive, tm.receive)
            .real(Field::Total, double(end - startNs) / 1e6)
            .end();
    } else {
        // Chrome's error is a code already ("net::ERR_BLOCKED_BY_CLIENT"): the tree shows it.
        const bool errorIsCode = !entry.error.isEmpty() && entry.error.size() <= 64 &&
                                 !entry.error.contains(QLatin1Char(' '));
        stage(end, EventType::RequestFailed, scope)
            .text(Field::Error, entry.error.isEmpty()
                                    ? QStringLiteral("the HAR holds no response for this request")
                                    : entry.error)
            .atom(Field::Code, errorIsCode ? entry.error.toUtf8() : QByteArray("har-no-response"));
        // An entry of its own that got no response never used its connection: it ends here,
        // rather than showing as still connecting.
        if (entry.connection.isEmpty())
            stage(end, EventType::Close, scope)
                .text(Field::Reason, QStringLiteral("no response in the HAR"));
    }

    if (entry.hasResponse || !entry.requestBody.isEmpty()) {
        HarImportedBody body;
        body.req = req;
        body.mimeType = entry.mimeType.toLower();
        body.contentEncoding = headerValue(entry.responseHeaders, "content-encoding");
        body.response = entry.responseBody;
        body.responseTruncated = entry.responseBodyTruncated;
        body.request = entry.requestBody;
        body.requestTruncated = entry.requestBodyTruncated;
        out->bodies.append(body);
    }
}

} // namespace hopscope
