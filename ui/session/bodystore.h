#pragma once

#include "core/exchangebody.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMetaType>
#include <QSet>

#include <deque>
#include <optional>

namespace hopscope {

// What is known of a kept body without copying its bytes.
struct BodyInfo
{
    QByteArray contentType;
    QByteArray contentEncoding;
    qsizetype wireSize = 0;
    qsizetype decodedSize = 0;
    qsizetype requestSize = 0;
    bool wireTruncated = false;
    bool decodedTruncated = false;
};

// The window's bodies, kept compact up to a byte budget; the oldest go first. A flood's small
// bodies would each cost a QByteArray, a hash node and five array headers (about 300 bytes for
// a 64-byte body); here a body is its bytes in a shared block plus a 28-byte slot, and the two
// header strings every response repeats are kept once. Readers get copies, so nothing they hold
// dangles when a body is evicted.
class BodyStore
{
public:
    // Keeps the body (replacing one kept for the same request) and evicts over the budget.
    void add(const ExchangeBody &body);
    std::optional<ExchangeBody> body(quint32 req) const;
    std::optional<BodyInfo> info(quint32 req) const;
    bool evicted(quint32 req) const { return m_evicted.contains(req); }
    // The requests whose bodies are kept, oldest first.
    QList<quint32> requests() const { return {m_order.cbegin(), m_order.cend()}; }

    void setBudget(qint64 bytes);
    qint64 bytes() const { return m_bytes; } // kept body bytes (wire, decoded, request)
    void clear();

private:
    struct Slot
    {
        qint32 block = 0;  // absolute block number (m_firstBlock is m_blocks[0])
        qint32 offset = 0; // of the wire bytes in the block; decoded and request follow
        qint32 wireSize = 0;
        qint32 decodedSize = -1; // -1: the decoded body is the wire body
        qint32 requestSize = 0;
        quint16 contentType = 0; // index into m_strings
        quint16 contentEncoding = 0;
        bool wireTruncated = false;
        bool decodedTruncated = false;
    };
    struct Block
    {
        QByteArray bytes; // reserved once; appended to, never reallocated
        int live = 0;     // bodies in it not yet evicted or replaced
    };

    quint16 intern(const QByteArray &s);
    const char *at(const Slot &slot) const;
    void release(const Slot &slot);
    void evict();

    static constexpr qsizetype kBlockBytes = 256 * 1024;
    QHash<quint32, Slot> m_slots;
    std::deque<quint32> m_order; // requests in the order their bodies came, oldest first
    std::deque<Block> m_blocks;
    qint32 m_firstBlock = 0;
    QSet<quint32> m_evicted;
    // Content types and encodings, kept once each. A run with more distinct ones than fit
    // stores the rest as empty (the viewer then sniffs).
    QList<QByteArray> m_strings{QByteArray()};
    QHash<QByteArray, quint16> m_stringIds;
    qint64 m_bytes = 0;
    qint64 m_budget = 256LL * 1024 * 1024;
};

} // namespace hopscope
