#include "session/harimport.h"

#include "har/harreader.h"
#include "session/sessioncounts.h"

#include <QFile>
#include <QObject>

namespace hopscope {

namespace {

// The window's body for an imported entry. HAR keeps the body after content decoding, so
// the wire bytes are known only when there was no Content-Encoding.
ExchangeBody windowBody(const HarImportedBody &b)
{
    ExchangeBody body;
    body.req = b.req;
    body.contentType = b.mimeType;
    body.contentEncoding = b.contentEncoding;
    body.decoded = b.response;
    body.decodedTruncated = b.responseTruncated;
    if (b.contentEncoding.isEmpty()) {
        body.wire = b.response;
        body.wireTruncated = b.responseTruncated;
    }
    body.requestBody = b.request;
    return body;
}

} // namespace

bool isHarFile(const QString &path)
{
    // A file called .har is one even when `log` is not its first member (or it is broken):
    // the HAR reader then says what is wrong with it, not the trace reader.
    if (path.endsWith(QLatin1String(".har"), Qt::CaseInsensitive))
        return true;
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && HarReader::looksLikeHar(file.read(4096));
}

bool readHarForWindow(const QString &path, HarWindowInput *out, QString *error)
{
    HarImport har;
    if (!HarReader().readFile(path, &har, error))
        return false;
    out->events = std::move(har.events);
    out->start = har.start;
    out->bodies.reserve(har.bodies.size());
    for (const HarImportedBody &b : std::as_const(har.bodies))
        out->bodies.append(windowBody(b));
    out->problems = har.warnings;
    if (har.entriesRead == 0)
        out->problems.prepend(QObject::tr("The HAR holds no entry that could be read."));
    const QString from =
        har.creator.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(har.creator);
    out->notice =
        QObject::tr("Imported from a HAR file%1: %2. A HAR has no frame-level detail: no "
                    "frames, no byte-level reads or writes; the timings are the HAR's own.")
            .arg(from, SessionCounts::count(har.entriesRead, QT_TR_NOOP("1 exchange"),
                                            QT_TR_NOOP("%1 exchanges")));
    if (har.entriesSkipped > 0)
        out->notice += QLatin1Char(' ') + SessionCounts::count(har.entriesSkipped,
                                                               QT_TR_NOOP("1 entry was skipped."),
                                                               QT_TR_NOOP("%1 entries were "
                                                                          "skipped."));
    return true;
}

} // namespace hopscope
