#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QMutex>
#include <QString>

#include <atomic>
#include <cstring>
#include <memory>

namespace hopscope {

// The strings the trace repeats (field names, frame and flag names, header names, methods,
// origins, error codes), each kept once for the whole process and named by a small id. Events
// then carry 1–3 bytes instead of a string, readers get a shared QString without allocating, and
// the JSON writer copies a ready-escaped form.
//
// Thread-safe: the engine thread interns while the GUI thread reads. Entries never move once
// made (fixed blocks), so a reader needs no lock; an id reaches a reader only through an event
// handed over by a queued signal, which orders the write before the read.
class TraceStrings
{
public:
    // At most this many distinct strings (a hostile trace file must not grow the table without
    // end); past it intern() fails and callers keep the string inline in the event.
    static constexpr quint32 kMaxStrings = 1u << 20;
    // Strings longer than this are never interned: they are data, not vocabulary.
    static constexpr qsizetype kMaxInternedLength = 256;

    struct Entry
    {
        QByteArray utf8;
        QString text;
        QByteArray json; // quoted and escaped for JSON
    };

    static TraceStrings &instance();

    // The id of this UTF-8 string, added if new. false: too long, or the table is full.
    bool intern(QByteArrayView utf8, quint32 *id);
    // An id that intern() returned (or a Field's value).
    const Entry &entry(quint32 id) const;
    bool isValid(quint32 id) const { return id < m_size.load(std::memory_order_acquire); }

private:
    TraceStrings();
    bool internLocked(QByteArrayView utf8, quint32 *id);

    static constexpr quint32 kBlockSize = 1024;
    static constexpr quint32 kBlocks = kMaxStrings / kBlockSize;

    QMutex m_mutex; // writers only
    QHash<QByteArray, quint32> m_ids;
    std::unique_ptr<std::atomic<Entry *>[]> m_blocks;
    std::atomic<quint32> m_size{0};
};

// Appends bytes to out. The JSON writer makes millions of tiny appends; QByteArray::append goes
// through its general insert path (aliasing and detach checks) for each, this only grows the
// buffer geometrically and copies.
inline void appendRaw(QByteArray &out, const char *data, qsizetype n)
{
    const qsizetype size = out.size();
    if (out.capacity() < size + n)
        out.reserve(qMax(2 * out.capacity(), size + n + 256));
    out.resize(size + n);
    std::memcpy(out.data() + size, data, std::size_t(n));
}
inline void appendRaw(QByteArray &out, char c)
{
    appendRaw(out, &c, 1);
}
inline void appendRaw(QByteArray &out, const QByteArray &bytes)
{
    appendRaw(out, bytes.constData(), bytes.size());
}
template<std::size_t N> inline void appendRaw(QByteArray &out, const char (&literal)[N])
{
    appendRaw(out, literal, qsizetype(N - 1));
}

// Appends s to out as a JSON string: quoted, with ", \ and control characters escaped. s must be
// valid UTF-8 (wire bytes go through wireText first).
void appendJsonString(QByteArray &out, QByteArrayView s);

} // namespace hopscope
