#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace hopscope {

// A growing array whose elements never move: references stay valid as it grows (as with
// std::deque), so a batch that adds 4,096 exchanges moves none of the 100,000 before them. It
// holds its elements in blocks of kBlock, default-constructed a block at a time; std::deque's
// 512-byte nodes cost a heap block per element once an element passes 256 bytes
// (ExchangeInfo), and a part of each node below that (TimelineBar).
template<typename T, std::size_t kBlock = 256> class StableArray
{
public:
    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    T &operator[](std::size_t i) { return m_blocks[i / kBlock][i % kBlock]; }
    const T &operator[](std::size_t i) const { return m_blocks[i / kBlock][i % kBlock]; }

    void push_back(T value)
    {
        reserveBlocksFor(m_size + 1);
        (*this)[m_size++] = std::move(value);
    }
    // Grows to n elements, the new ones default-constructed; never shrinks.
    void growTo(std::size_t n)
    {
        if (n <= m_size)
            return;
        reserveBlocksFor(n);
        m_size = n;
    }
    void clear()
    {
        m_blocks.clear();
        m_size = 0;
    }

private:
    void reserveBlocksFor(std::size_t n)
    {
        while (m_blocks.size() * kBlock < n)
            m_blocks.push_back(std::make_unique<T[]>(kBlock));
    }

    std::vector<std::unique_ptr<T[]>> m_blocks;
    std::size_t m_size = 0;
};

} // namespace hopscope
