#pragma once

#include "trace/traceevent.h"

#include <vector>

namespace hopscope {

// Every event of a session, append-only, in chunks. A single growing array would copy everything
// it holds each time it grows: at a million events that is a 40 MB copy inside one batch's
// append, a stall the window can see. A batch of kAdoptEvents or more (the engine's full batches)
// is kept as its own chunk, shared with the sender, without a copy; smaller ones are gathered
// into a tail chunk of at most kChunkEvents, squeezed to its size once closed. Indexes are global
// (0 .. size()-1); at(i) finds the chunk by binary search.
class TraceLog
{
public:
    static constexpr qsizetype kChunkEvents = 65536;
    static constexpr qsizetype kAdoptEvents = 1024;

    qsizetype size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    TraceEvent at(qsizetype i) const;
    TraceEvent last() const { return at(m_size - 1); }
    void append(const TraceBatch &batch);
    void clear();
    // Bytes held (records and fields, capacity included): for memory budgets and benchmarks.
    qsizetype bytesUsed() const;

    class Iterator
    {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = TraceEvent;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = TraceEvent;
        Iterator(const TraceLog *log, std::size_t chunk, qsizetype offset)
            : m_log(log), m_chunk(chunk), m_offset(offset)
        {
        }
        TraceEvent operator*() const { return m_log->m_chunks[m_chunk].at(m_offset); }
        Iterator &operator++()
        {
            if (++m_offset == m_log->m_chunks[m_chunk].size()) {
                ++m_chunk;
                m_offset = 0;
            }
            return *this;
        }
        bool operator==(const Iterator &o) const
        {
            return m_chunk == o.m_chunk && m_offset == o.m_offset;
        }
        bool operator!=(const Iterator &o) const { return !(*this == o); }

    private:
        const TraceLog *m_log;
        std::size_t m_chunk;
        qsizetype m_offset;
    };
    Iterator begin() const { return {this, 0, 0}; }
    Iterator end() const { return {this, m_chunks.size(), 0}; }

private:
    void closeTail();

    std::vector<TraceBatch> m_chunks;
    bool m_tailOpen = false; // the last chunk gathers small batches (it is not an adopted one)
    std::vector<qsizetype> m_starts; // global index of each chunk's first event
    qsizetype m_size = 0;
};

} // namespace hopscope
