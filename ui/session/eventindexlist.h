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
            reallocate(m_capacity * 2);
        mutableData()[m_size++] = index;
    }
    // Gives back what growing left spare: a finished exchange's list rarely grows again.
    void squeeze()
    {
        if (onHeap() && m_size < m_capacity)
            reallocate(m_size);
    }

private:
    bool onHeap() const { return m_capacity > kInline; }
    const int *data() const { return onHeap() ? m_heap : m_inline; }
    int *mutableData() { return onHeap() ? m_heap : m_inline; }

    // To `capacity` slots (at least m_size): inside the list when they fit, else one heap block.
    void reallocate(quint32 capacity)
    {
        capacity = std::max(capacity, kInline);
        if (capacity == m_capacity)
            return;
        int *const old = onHeap() ? m_heap : nullptr;
        const int *const from = data();
        if (capacity == kInline) {
            std::copy(from, from + m_size, m_inline); // only from the heap: the inline slots
        } else {                                      // and the pointer share their bytes
            int *const heap = new int[capacity];
            std::copy(from, from + m_size, heap);
            m_heap = heap;
        }
        delete[] old;
        m_capacity = capacity;
    }
    void copyFrom(const EventIndexList &other)
    {
        m_size = 0;
        m_capacity = kInline;
        reallocate(other.m_size);
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
