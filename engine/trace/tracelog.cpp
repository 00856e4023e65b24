#include "trace/tracelog.h"

#include <algorithm>

namespace hopscope {

TraceEvent TraceLog::at(qsizetype i) const
{
    const auto it = std::upper_bound(m_starts.begin(), m_starts.end(), i);
    const std::size_t chunk = std::size_t(it - m_starts.begin()) - 1;
    return m_chunks[chunk].at(i - m_starts[chunk]);
}

void TraceLog::append(const TraceBatch &batch)
{
    if (batch.isEmpty())
        return;
    if (batch.size() >= kAdoptEvents) {
        // A full batch from the engine becomes a chunk of its own, shared with the sender: the
        // window's thread copies none of its events.
        closeTail();
        m_starts.push_back(m_size);
        m_chunks.push_back(batch);
    } else if (!m_tailOpen || m_chunks.back().size() + batch.size() > kChunkEvents) {
        closeTail();
        m_starts.push_back(m_size);
        m_chunks.push_back(batch); // shared with the sender: no copy until the next append
        m_tailOpen = true;
    } else {
        m_chunks.back().append(batch);
    }
    m_size += batch.size();
}

void TraceLog::closeTail()
{
    if (m_tailOpen)
        m_chunks.back().squeeze();
    m_tailOpen = false;
}

void TraceLog::clear()
{
    m_chunks.clear();
    m_starts.clear();
    m_size = 0;
    m_tailOpen = false;
}

qsizetype TraceLog::bytesUsed() const
{
    qsizetype n = 0;
    for (const TraceBatch &c : m_chunks)
        n += c.bytesUsed();
    return n;
}

} // namespace hopscope
