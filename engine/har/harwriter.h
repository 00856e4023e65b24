#pragma once

#include "har/harcollector.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QSet>
#include <QString>

#include <functional>

class QIODevice;

namespace hopscope {

// The bodies of one exchange, as far as they were kept (docs/har.md, "Limits").
struct HarBody
{
    QByteArray response;      // the response body after content decoding (what -o writes)
    qint64 responseSize = -1; // its full size, -1 when only `response` is known
    bool responseTruncated = false;
    QByteArray request; // what was sent
    qint64 requestSize = -1;
    bool requestTruncated = false;
    qint64 limit = -1; // the limit that truncated them, and its name, for the comment
    QString limitName = QStringLiteral("maxHarBodyBytes");
};

struct HarOptions
{
    // Wall-clock time of the trace's t = 0: startedDateTime and the WebSocket message times are
    // this plus the events' trace times.
    QDateTime traceStart;
    QString creatorVersion = QStringLiteral(HOPSCOPE_VERSION);
    // The bodies of request `req`; false when none were kept. Unset: no bodies at all.
    std::function<bool(quint32 req, HarBody *body)> bodies;
    // Only these requests (a selection); empty: every request.
    QSet<quint32> only;
    // Authorization, Proxy-Authorization, Cookie and Set-Cookie values replaced by kRedacted
    // (cookies keep their names), as Chrome's sanitized export since version 130.
    bool redactSecrets = true;
    QString comment; // log.comment, e.g. where the trace came from
};

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) from what a HarCollector gathered,
// with Chrome's spellings and extensions (`httpVersion`, `_webSocketMessages`) and Hopscope's
// own `_hopscope` object per entry (docs/har.md). UI-free: the CLI and the window share it.
class HarWriter
{
public:
    static constexpr QLatin1StringView kRedacted = kRedactedValue;

    HarWriter(const HarCollector &collector, HarOptions options);

    // One entry per exchange that started, in order of start; a whole document.
    QJsonObject entry(const HarExchange &ex) const;
    QJsonObject document() const;
    // Writes the document (entries one per line, so a large HAR is not one huge line).
    bool write(QIODevice *out) const;
    bool writeFile(const QString &path, QString *error) const;
    int entryCount() const;

    // Chrome's spelling of a protocol version: "HTTP/1.1" for an HTTP/1.x head as written,
    // "http/2.0" for HTTP/2 (NetworkRequest.getFilteredProtocolName: "h2" → "http/2.0").
    static QString chromeHttpVersion(bool h2, const QByteArray &h1Version);
    static QString isoTime(const QDateTime &t);

private:
    QList<const HarExchange *> selected() const;
    QJsonObject logFrame() const; // log without entries
    QJsonObject request(const HarExchange &ex, const HarBody *body) const;
    QJsonObject response(const HarExchange &ex, const HarBody *body) const;
    QJsonObject hopscope(const HarExchange &ex) const;
    QJsonObject timings(const HarExchange &ex, double *time) const;
    QByteArray headerText(const HttpHeader &h) const;

    const HarCollector &m_collector;
    HarOptions m_options;
};

} // namespace hopscope
