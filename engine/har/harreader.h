#pragma once

#include "core/httpheader.h"
#include "core/limits.h"
#include "trace/traceevent.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace hopscope {

// How much of a HAR file the reader takes (docs/har.md, "Import"). A HAR comes from anyone (a
// bug report, a colleague's browser), so every count and size it states is checked against one
// of these before it is kept; none of them sizes an allocation.
struct HarReadLimits
{
    // The largest file read at all. QJsonDocument holds the whole document (a few times the
    // file's size), so this bounds the import's memory.
    qint64 maxFileBytes = 512LL * 1024 * 1024;
    // Entries kept; later ones are dropped with a warning. Chrome's own export of a busy page
    // holds a few thousand.
    int maxEntries = 100'000;
    // Headers kept per request or response (more are dropped with a warning): the engine's own
    // Limits::maxHeaderCount.
    int maxHeaders = Limits{}.maxHeaderCount;
    // Body bytes kept per entry and direction, and per WebSocket message: what the window keeps
    // of a live exchange (Limits::maxBodyInMemory).
    qsizetype maxBodyBytes = Limits{}.maxBodyInMemory;
    // Problems listed one by one; past this, only counted.
    int maxWarnings = 20;
};

// One entry's bodies, as the HAR had them (content.text after its base64, postData.text).
struct HarImportedBody
{
    quint32 req = 0;
    QByteArray mimeType;        // content.mimeType, lower-cased
    QByteArray contentEncoding; // the response's Content-Encoding header ("" for none)
    QByteArray response;        // content.text: HAR keeps the decoded body
    bool responseTruncated = false;
    QByteArray request; // postData.text
    bool requestTruncated = false;
};

// What a HAR file becomes: the events a live window would have recorded (as far as a HAR says
// them), the bodies, and the wall clock of t = 0 (the earliest startedDateTime).
struct HarImport
{
    TraceBatch events;
    QList<HarImportedBody> bodies;
    QDateTime start;
    int entriesRead = 0;    // entries that became exchanges
    int entriesSkipped = 0; // broken or over maxEntries
    QString creator;        // log.creator: "name version"
    // What was dropped or doubtful, each naming where ("log.entries[3].request.url missing");
    // the first maxWarnings, then a count.
    QStringList warnings;
};

// Reads a HAR 1.2 file (Chrome, Firefox, HTTP Toolkit, mitmproxy, Hopscope's own export) into
// trace events (docs/har.md, "Import"). UI-free; the window converts the bodies itself.
//
// A file that is not JSON, not an object with `log.entries`, or over maxFileBytes fails with
// an error naming where. A broken entry is skipped with a warning naming it; the rest import.
// Ids are the reader's own (requests numbered in start order, connections in order of first
// use), never the file's.
class HarReader
{
public:
    explicit HarReader(HarReadLimits limits = {}) : m_limits(limits) {}

    bool readFile(const QString &path, HarImport *out, QString *error) const;
    // The same on a file already in memory; `name` is what errors call it.
    bool read(QByteArrayView data, const QString &name, HarImport *out, QString *error) const;

    // Whether bytes from the start of a file are a HAR: a JSON object whose first member is
    // `log` (every tool writes it first). A JSON-lines trace starts with `{"seq"`.
    static bool looksLikeHar(QByteArrayView head);

    // One spelling per protocol: "HTTP/1.1", "HTTP/1.0", "h2", "h3", or "" when the HAR's
    // httpVersion is empty or unknown (nothing is guessed).
    static QByteArray normalizedHttpVersion(QStringView version);

private:
    HarReadLimits m_limits;
};

} // namespace hopscope
