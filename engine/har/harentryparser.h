#pragma once

#include "har/harentry.h"
#include "har/harreader.h"

#include <QJsonObject>

namespace hopscope {

// Reads one `log.entries[i]` object into a draft, keeping what the limits allow. A missing or
// mistyped required member (`request`, `request.method`, `request.url`, `startedDateTime`)
// fails the entry with an error naming it ("log.entries[12].request.url missing"); anything
// optional that is odd is dropped with a warning or read as unknown.
class HarEntryParser
{
public:
    explicit HarEntryParser(const HarReadLimits &limits) : m_limits(limits) {}

    bool parse(const QJsonObject &entry, int index, HarEntryDraft *out, QString *error,
               QStringList *warnings) const;

private:
    bool parseRequest(const QJsonObject &request, const QString &where, HarEntryDraft *out,
                      QString *error, QStringList *warnings) const;
    void parseResponse(const QJsonObject &response, const QString &where, HarEntryDraft *out,
                       QStringList *warnings) const;
    HeaderList headers(const QJsonValue &list, const QString &where, QStringList *warnings) const;
    QByteArray body(const QJsonObject &holder, const QString &where, bool *truncated,
                    QStringList *warnings) const;
    void parseWebSocket(const QJsonValue &messages, const QString &where, HarEntryDraft *out,
                        QStringList *warnings) const;

    const HarReadLimits &m_limits;
};

} // namespace hopscope
