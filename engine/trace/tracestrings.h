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

    // The id of this UTF-8 string, added if new. false: too long, not valid UTF-8, or the table
    // is full.
    bool intern(QByteArrayView utf8, quint32 *id);
    // An id that intern() returned (or a Field's value).
    const Entry &entry(quint32 id) const;
    bool isValid(quint32 id) const { return id < m_size.load(std::memory_order_acquire); }
    // Ids run from 0 to size() - 1, in the order the strings were first interned.
    quint32 size() const { return m_size.load(std::memory_order_acquire); }

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

// A write cursor at the end of a QByteArray, for the JSON writer: it grows the array in large
// steps and writes through a plain pointer, so each of the millions of small pieces of a trace
// is a capacity check and a memcpy. The array gets its final size when the cursor goes away.
class JsonOut
{
public:
    explicit JsonOut(QByteArray &buffer) : m_buffer(buffer), m_used(buffer.size()) { grow(1024); }
    ~JsonOut() { m_buffer.resize(m_used); }
    JsonOut(const JsonOut &) = delete;
    JsonOut &operator=(const JsonOut &) = delete;

    void put(const char *data, qsizetype n)
    {
        if (n <= 0)
            return; // an empty view may have no data, and memcpy must not see null
        if (m_size - m_used < n)
            grow(n);
        std::memcpy(m_data + m_used, data, std::size_t(n));
        m_used += n;
    }
    void put(char c)
    {
        if (m_size == m_used)
            grow(1);
        m_data[m_used++] = c;
    }
    void put(const QByteArray &bytes) { put(bytes.constData(), bytes.size()); }
    template<std::size_t N> void put(const char (&literal)[N]) { put(literal, qsizetype(N - 1)); }

private:
    void grow(qsizetype n)
    {
        m_buffer.resize(qMax(m_used + n, qMax(2 * m_size, m_used + 4096)));
        m_data = m_buffer.data();
        m_size = m_buffer.size();
    }

    QByteArray &m_buffer;
    char *m_data = nullptr;
    qsizetype m_used = 0;
    qsizetype m_size = 0;
};

// Appends s to out as a JSON string: quoted, with ", \ and control characters escaped. s must be
// valid UTF-8 (wire bytes go through wireText first).
void appendJsonString(JsonOut &out, QByteArrayView s);
void appendJsonString(QByteArray &out, QByteArrayView s);

} // namespace hopscope
