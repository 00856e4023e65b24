#pragma once

#include <QtGlobal>

#include <algorithm>
#include <iterator>

namespace hopscope {

// The indices of one exchange's trace events (ExchangeInfo::events), in order. A flood's
// exchange has about nine: up to kInline live inside the list, with no heap block of their own;
// a longer list (a download's DATA frames) moves to the heap and grows geometrically. A
// QList<int> cost 24 bytes plus a 64-byte block for the same nine, 40 bytes more an exchange
// (docs/performance.md, the window).
class EventIndexList
{
public:
    static constexpr quint32 kInline = 10;

    EventIndexList() = default;
    EventIndexList(const EventIndexList &other) { copyFrom(other); }
    EventIndexList(EventIndexList &&other) noexcept { takeFrom(other); }
    EventIndexList &operator=(const EventIndexList &other)
    {
        if (this != &other) {
            release();
            copyFrom(other);
        }
        return *this;
    }
    EventIndexList &operator=(EventIndexList &&other) noexcept
    {
        if (this != &other) {
            release();
            takeFrom(other);
        }
        return *this;
    }
    ~EventIndexList() { release(); }

    qsizetype size() const { return qsizetype(m_size); }
    bool isEmpty() const { return m_size == 0; }
    int at(qsizetype i) const
    {
        Q_ASSERT(i >= 0 && i < size());
        return data()[i];
    }
    int first() const { return at(0); }
    int last() const { return at(size() - 1); }
    const int *begin() const { return data(); }
    const int *end() const { return data() + m_size; }
    std::reverse_iterator<const int *> crbegin() const
    {
        return std::reverse_iterator<const int *>(end());
    }
    std::reverse_iterator<const int *> crend() const
    {
        return std::reverse_iterator<const int *>(begin());
    }

    void append(int index)
    {
        if (m_size == m_capacity)
            moveToHeap(m_capacity * 2);
        mutableData()[m_size++] = index;
    }
    // Gives back what growing left spare: a finished exchange's list rarely grows again. A list
    // on the heap holds more than kInline (lists only grow), so it stays there.
    void squeeze()
    {
        if (onHeap() && m_size < m_capacity)
            moveToHeap(m_size);
    }

private:
    bool onHeap() const { return m_capacity > kInline; }
    const int *data() const { return onHeap() ? m_heap : m_inline; }
    int *mutableData() { return onHeap() ? m_heap : m_inline; }

    // The indices into one heap block of `capacity` (more than kInline, at least m_size).
    void moveToHeap(quint32 capacity)
    {
        Q_ASSERT(capacity > kInline && capacity >= m_size);
        int *const heap = new int[capacity];
        std::copy(data(), data() + m_size, heap);
        if (onHeap())
            delete[] m_heap;
        m_heap = heap; // over the inline slots, which were copied above
        m_capacity = capacity;
    }
    void copyFrom(const EventIndexList &other)
    {
        m_size = 0;
        m_capacity = kInline;
        if (other.m_size > kInline)
            moveToHeap(other.m_size);
        std::copy(other.begin(), other.end(), mutableData());
        m_size = other.m_size;
    }
    void takeFrom(EventIndexList &other)
    {
        m_size = other.m_size;
        m_capacity = other.m_capacity;
        if (other.onHeap())
            m_heap = other.m_heap;
        else
            std::copy(other.m_inline, other.m_inline + other.m_size, m_inline);
        other.m_size = 0;
        other.m_capacity = kInline;
    }
    void release()
    {
        if (onHeap())
            delete[] m_heap;
        m_size = 0;
        m_capacity = kInline;
    }

    quint32 m_size = 0;
    quint32 m_capacity = kInline; // above kInline: the indices are on the heap
    union {
        int m_inline[kInline] = {};
        int *m_heap;
    };
};

static_assert(sizeof(EventIndexList) == 48, "ten indices and two counts, no more");

} // namespace hopscope
