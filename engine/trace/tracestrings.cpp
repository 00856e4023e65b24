#include "trace/tracestrings.h"

#include "trace/traceschema.h"

#include <cstdio>
#include <string_view>
#include <unordered_map>

namespace hopscope {

namespace {

const char *const kFieldNames[] = {
#define HOPSCOPE_X(e, name) name,
    HOPSCOPE_FIELDS(HOPSCOPE_X)
#undef HOPSCOPE_X
};

} // namespace

void appendJsonString(JsonOut &out, QByteArrayView s)
{
    out.put('"');
    const char *begin = s.data();
    const char *const end = begin + s.size();
    const char *run = begin; // bytes that need no escape are copied in runs
    for (const char *p = begin; p != end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.put(run, p - run);
        run = p + 1;
        switch (c) {
        case '"':
            out.put("\\\"");
            break;
        case '\\':
            out.put("\\\\");
            break;
        case '\n':
            out.put("\\n");
            break;
        case '\r':
            out.put("\\r");
            break;
        case '\t':
            out.put("\\t");
            break;
        default: {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out.put(buf, 6);
        }
        }
    }
    out.put(run, end - run);
    out.put('"');
}

void appendJsonString(QByteArray &out, QByteArrayView s)
{
    JsonOut o(out);
    appendJsonString(o, s);
}

TraceStrings &TraceStrings::instance()
{
    // Never destroyed: interned ids stay valid in events kept by anything torn down at exit (a
    // static TraceStore, a batch in flight), and every block stays reachable from here. A
    // function-local static destroyed its block table at exit while the blocks themselves lived
    // on, which LeakSanitizer rightly reported as leaked (issue 11).
    static TraceStrings *strings = new TraceStrings;
    return *strings;
}

TraceStrings::TraceStrings() : m_blocks(new std::atomic<Entry *>[kBlocks])
{
    for (quint32 i = 0; i < kBlocks; ++i)
        m_blocks[i].store(nullptr, std::memory_order_relaxed);
    // Field ids are the ids of their names: intern the known ones first, in enum order.
    for (const char *name : kFieldNames) {
        quint32 id = 0;
        intern(QByteArrayView(name), &id);
    }
    Q_ASSERT(m_size.load() == quint32(Field::KnownCount));
}

bool TraceStrings::intern(QByteArrayView utf8, quint32 *id)
{
    if (utf8.size() > kMaxInternedLength)
        return false;
    // Each thread remembers the ids it has seen, so the hot path (the same few dozen names,
    // frame by frame) takes no lock. Keys view the table's own bytes, which never move.
    thread_local std::unordered_map<std::string_view, quint32> seen;
    const std::string_view key(utf8.data(), std::size_t(utf8.size()));
    if (const auto it = seen.find(key); it != seen.end()) {
        *id = it->second;
        return true;
    }
    if (!internLocked(utf8, id))
        return false;
    const QByteArray &stored = entry(*id).utf8;
    seen.emplace(std::string_view(stored.constData(), std::size_t(stored.size())), *id);
    return true;
}

bool TraceStrings::internLocked(QByteArrayView utf8, quint32 *id)
{
    QMutexLocker lock(&m_mutex);
    // QByteArray::fromRawData: look up without copying the key.
    const QByteArray probe = QByteArray::fromRawData(utf8.data(), utf8.size());
    if (const auto it = m_ids.constFind(probe); it != m_ids.cend()) {
        *id = it.value();
        return true;
    }
    // The table is text (its JSON forms are made once, here); checked only for a new string.
    if (!utf8.isValidUtf8())
        return false;
    const quint32 next = m_size.load(std::memory_order_relaxed);
    if (next >= kMaxStrings)
        return false;
    Entry *block = m_blocks[next / kBlockSize].load(std::memory_order_relaxed);
    if (!block) {
        block = new Entry[kBlockSize]; // lives as long as the process
        m_blocks[next / kBlockSize].store(block, std::memory_order_release);
    }
    Entry &e = block[next % kBlockSize];
    e.utf8 = utf8.toByteArray();
    e.text = QString::fromUtf8(e.utf8);
    appendJsonString(e.json, e.utf8);
    m_ids.insert(e.utf8, next);
    m_size.store(next + 1, std::memory_order_release);
    *id = next;
    return true;
}

const TraceStrings::Entry &TraceStrings::entry(quint32 id) const
{
    static const Entry empty{{}, {}, QByteArrayLiteral("\"\"")};
    if (!isValid(id))
        return empty;
    return m_blocks[id / kBlockSize].load(std::memory_order_acquire)[id % kBlockSize];
}

} // namespace hopscope
