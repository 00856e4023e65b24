#include "har/harreader.h"

#include "har/harentryparser.h"
#include "har/hartracebuilder.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace hopscope {

namespace {

QString mib(qint64 bytes)
{
    return QStringLiteral("%1 MiB").arg(double(bytes) / (1024.0 * 1024.0), 0, 'f', 0);
}

// Keeps the first `max` warnings and counts the rest, so a file of a million odd headers costs
// a count, not a million strings.
class WarningList
{
public:
    WarningList(QStringList *out, int max) : m_out(out), m_max(max) {}
    ~WarningList()
    {
        if (m_dropped > 0)
            m_out->append(QStringLiteral("… and %1 more").arg(m_dropped));
    }
    void add(const QString &warning)
    {
        if (m_out->size() < m_max)
            m_out->append(warning);
        else
            ++m_dropped;
    }
    void add(const QStringList &warnings)
    {
        for (const QString &w : warnings)
            add(w);
    }

private:
    QStringList *m_out;
    int m_max;
    qint64 m_dropped = 0;
};

} // namespace

QByteArray HarReader::normalizedHttpVersion(QStringView version)
{
    const QString v = version.trimmed().toString().toLower();
    if (v == QLatin1String("h2") || v == QLatin1String("http/2") || v == QLatin1String("http/2.0"))
        return "h2";
    if (v == QLatin1String("h3") || v == QLatin1String("http/3") ||
        v == QLatin1String("http/3.0") || v.startsWith(QLatin1String("h3-")))
        return "h3";
    if (v == QLatin1String("http/1.1"))
        return "HTTP/1.1";
    if (v == QLatin1String("http/1.0"))
        return "HTTP/1.0";
    return {};
}

bool HarReader::looksLikeHar(QByteArrayView head)
{
    qsizetype i = 0;
    if (head.startsWith("\xEF\xBB\xBF"))
        i = 3;
    const auto skipSpace = [&] {
        while (i < head.size() &&
               (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r'))
            ++i;
    };
    skipSpace();
    if (i >= head.size() || head[i] != '{')
        return false;
    ++i;
    skipSpace();
    return head.sliced(i).startsWith("\"log\"");
}

bool HarReader::readFile(const QString &path, HarImport *out, QString *error) const
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("Cannot open the HAR %1: %2.").arg(path, file.errorString());
        return false;
    }
    if (file.size() > m_limits.maxFileBytes) {
        *error = QStringLiteral("The HAR %1 is %2, more than the %3 the import reads.")
                     .arg(path, mib(file.size()), mib(m_limits.maxFileBytes));
        return false;
    }
    // read() with a bound: a file that grows after size() does not grow the buffer past it.
    const QByteArray data = file.read(m_limits.maxFileBytes + 1);
    if (file.error() != QFileDevice::NoError) {
        *error = QStringLiteral("Cannot read the HAR %1: %2.").arg(path, file.errorString());
        return false;
    }
    return read(data, path, out, error);
}

bool HarReader::read(QByteArrayView data, const QString &name, HarImport *out, QString *error) const
{
    if (data.size() > m_limits.maxFileBytes) {
        *error = QStringLiteral("The HAR %1 is %2, more than the %3 the import reads.")
                     .arg(name, mib(data.size()), mib(m_limits.maxFileBytes));
        return false;
    }
    QJsonParseError parseError;
    // QJsonDocument stops at 1,024 levels of nesting (DeepNesting), so depth cannot recurse
    // the parser off the stack.
    // Raw data: the file's bytes are not copied again (they may be hundreds of MiB).
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray::fromRawData(data.data(), data.size()), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("%1 is not JSON: %2 at offset %3.")
                     .arg(name, parseError.errorString())
                     .arg(parseError.offset);
        return false;
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("%1 is no HAR: the document is not a JSON object.").arg(name);
        return false;
    }
    const QJsonValue log = doc.object().value(QLatin1String("log"));
    if (!log.isObject()) {
        *error = QStringLiteral("%1 is no HAR: %2.")
                     .arg(name, log.isUndefined() ? QStringLiteral("log missing")
                                                  : QStringLiteral("log is not an object"));
        return false;
    }
    const QJsonObject logObject = log.toObject();
    const QJsonValue entries = logObject.value(QLatin1String("entries"));
    if (!entries.isArray()) {
        *error =
            QStringLiteral("%1 is no HAR: %2.")
                .arg(name, entries.isUndefined() ? QStringLiteral("log.entries missing")
                                                 : QStringLiteral("log.entries is not an array"));
        return false;
    }
    const QJsonObject creator = logObject.value(QLatin1String("creator")).toObject();
    out->creator = (creator.value(QLatin1String("name")).toString() + QLatin1Char(' ') +
                    creator.value(QLatin1String("version")).toString())
                       .trimmed()
                       .left(256);

    WarningList warnings(&out->warnings, m_limits.maxWarnings);
    const QJsonArray array = entries.toArray();
    const qsizetype count = std::min<qsizetype>(array.size(), m_limits.maxEntries);
    if (array.size() > count) {
        out->entriesSkipped += int(array.size() - count);
        warnings.add(QStringLiteral("log.entries holds %1 entries: only the first %2 are read")
                         .arg(array.size())
                         .arg(m_limits.maxEntries));
    }
    const HarEntryParser parser(m_limits);
    QList<HarEntryDraft> drafts;
    for (qsizetype i = 0; i < count; ++i) {
        const QJsonValue entry = array.at(i);
        HarEntryDraft draft;
        QString entryError;
        QStringList entryWarnings;
        if (!entry.isObject()) {
            entryError = QStringLiteral("log.entries[%1] is not an object").arg(i);
        } else if (parser.parse(entry.toObject(), int(i), &draft, &entryError, &entryWarnings)) {
            drafts.append(std::move(draft));
        }
        warnings.add(entryWarnings);
        if (!entryError.isEmpty()) {
            ++out->entriesSkipped;
            warnings.add(entryError + QStringLiteral(": entry skipped"));
        }
    }
    // Tools write entries in start order, mostly; the trace must be.
    std::stable_sort(
        drafts.begin(), drafts.end(),
        [](const HarEntryDraft &a, const HarEntryDraft &b) { return a.startMs < b.startMs; });
    out->entriesRead = int(drafts.size());
    HarTraceBuilder().build(drafts, out);
    return true;
}

} // namespace hopscope
