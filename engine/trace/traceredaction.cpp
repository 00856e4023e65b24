#include "trace/traceredaction.h"

#include "core/httpheader.h"
#include "trace/tracelog.h"

#include <QUrl>

namespace hopscope {

namespace {

bool isUrlField(Field key)
{
    return key == Field::Url || key == Field::From || key == Field::To;
}

// The URL with its password redacted, or an empty string when it has none.
QString redactedUrl(FieldValue v)
{
    if (!v.isString())
        return {};
    const QString text = v.toString();
    if (!text.contains(QLatin1Char('@')))
        return {};
    QUrl url(text);
    if (url.password().isEmpty())
        return {};
    url.setPassword(QStringLiteral("REDACTED"));
    return url.toString().replace(QLatin1String("REDACTED"), kRedactedValue);
}

bool hasSecretHeader(FieldValue headers)
{
    for (const FieldValue h : headers)
        if (isSecretHeader(h.at(0).toUtf8()))
            return true;
    return false;
}

bool needsRedaction(const TraceEvent &ev)
{
    for (auto it = ev.begin(); it != ev.end(); ++it) {
        if (it.key() == Field::Headers && hasSecretHeader(*it))
            return true;
        if (isUrlField(it.key()) && !redactedUrl(*it).isEmpty())
            return true;
    }
    return false;
}

void appendRedacted(TraceBatch &out, const TraceEvent &ev, int *redacted)
{
    FieldWriter w = out.append(ev.record());
    for (auto it = ev.begin(); it != ev.end(); ++it) {
        const FieldValue v = *it;
        if (it.key() == Field::Headers && v.isArray()) {
            w.beginArray(Field::Headers);
            for (const FieldValue h : v) {
                const QByteArray name = h.at(0).toUtf8();
                w.beginArray().atom(name);
                if (isSecretHeader(name)) {
                    w.bytes(QByteArrayView(kRedactedValue.data(), kRedactedValue.size()));
                    ++*redacted;
                } else {
                    w.bytes(h.at(1).toUtf8());
                }
                w.end();
            }
            w.end();
        } else if (const QString url = isUrlField(it.key()) ? redactedUrl(v) : QString();
                   !url.isEmpty()) {
            w.text(it.key(), url);
            ++*redacted;
        } else {
            w.copy(it.key(), v);
        }
    }
}

template<typename Events> TraceBatch redact(const Events &events, int *redacted)
{
    int count = 0;
    TraceBatch out;
    for (const TraceEvent ev : events) {
        if (needsRedaction(ev))
            appendRedacted(out, ev, &count);
        else
            out.append(ev);
    }
    if (redacted)
        *redacted = count;
    return out;
}

} // namespace

TraceBatch withSecretsRedacted(const TraceLog &events, int *redacted)
{
    return redact(events, redacted);
}

TraceBatch withSecretsRedacted(const TraceBatch &events, int *redacted)
{
    return redact(events, redacted);
}

} // namespace hopscope
