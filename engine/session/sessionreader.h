#pragma once

#include "core/exchangebody.h"
#include "trace/traceevent.h"

#include <QByteArray>
#include <QDateTime>
#include <QFile>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace hopscope {

// The bodies of an opened session file. Opening reads only each body chunk's head; a body's
// bytes are read (from the mapped file) when it is asked for, so opening a session with
// gigabytes of bodies costs what its events cost.
class SessionBodies
{
public:
    std::optional<ExchangeBody> body(quint32 req) const;
    bool contains(quint32 req) const { return m_chunks.contains(req); }
    QList<quint32> requests() const { return m_order; } // in file order, each once
    int count() const { return int(m_order.size()); }

private:
    friend class SessionReader;
    std::unique_ptr<QFile> m_file; // mapped; m_bytes points into it (or into m_data)
    QByteArray m_data;
    QByteArrayView m_bytes;
    QHash<quint32, qsizetype> m_chunks; // req -> its BODY chunk's payload offset
    QList<quint32> m_order;
};

// What a session file holds (docs/session-format.md).
struct SessionContents
{
    TraceBatch events;
    QDateTime traceStart; // invalid when the writer had none
    QJsonObject meta;     // who wrote it, when, from what
    std::shared_ptr<const SessionBodies> bodies;
};

// Whether these first bytes of a file are a session file's (its magic).
bool isSessionFile(QByteArrayView start);

// Reads a whole session file. False with *error naming the byte and what was expected there
// (a damaged, truncated, hostile or newer file); whatever was read before the problem is kept
// in *out. Memory stays within a small multiple of the file's size: no count or length in the
// file sizes anything before the bytes it describes are known to be there.
bool readSessionFile(const QString &path, SessionContents *out, QString *error);
// The same over bytes in memory; `name` is what errors call them.
bool readSessionData(const QByteArray &data, const QString &name, SessionContents *out,
                     QString *error);

} // namespace hopscope
