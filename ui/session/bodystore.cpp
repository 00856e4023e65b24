#include "session/bodystore.h"

namespace hopscope {

void BodyStore::add(const ExchangeBody &body)
{
    const bool decodedIsWire = body.decoded == body.wire;
    const qsizetype decodedSize = decodedIsWire ? 0 : body.decoded.size();
    const qsizetype total = body.wire.size() + decodedSize + body.requestBody.size();

    if (const auto old = m_slots.constFind(body.req); old != m_slots.cend())
        release(*old);
    else
        m_order.push_back(body.req);
    m_evicted.remove(body.req);

    // A body larger than a quarter block gets a block of its own, so that small bodies after
    // it do not leave most of a block empty.
    if (m_blocks.empty() ||
        m_blocks.back().bytes.capacity() - m_blocks.back().bytes.size() < total) {
        Block block;
        block.bytes.reserve(total > kBlockBytes / 4 ? total : kBlockBytes);
        m_blocks.push_back(std::move(block));
    }
    Block &block = m_blocks.back();
    Slot slot;
    slot.block = m_firstBlock + qint32(m_blocks.size() - 1);
    slot.offset = qint32(block.bytes.size());
    slot.wireSize = qint32(body.wire.size());
    slot.decodedSize = decodedIsWire ? -1 : qint32(body.decoded.size());
    slot.requestSize = qint32(body.requestBody.size());
    slot.contentType = intern(body.contentType);
    slot.contentEncoding = intern(body.contentEncoding);
    slot.wireTruncated = body.wireTruncated;
    slot.decodedTruncated = body.decodedTruncated;
    block.bytes.append(body.wire);
    if (!decodedIsWire)
        block.bytes.append(body.decoded);
    block.bytes.append(body.requestBody);
    ++block.live;
    m_bytes += total;
    m_slots.insert(body.req, slot);
    evict();
}

std::optional<BodyInfo> BodyStore::info(quint32 req) const
{
    const auto it = m_slots.constFind(req);
    if (it == m_slots.cend())
        return std::nullopt;
    const Slot &s = *it;
    BodyInfo info;
    info.contentType = m_strings.at(s.contentType);
    info.contentEncoding = m_strings.at(s.contentEncoding);
    info.wireSize = s.wireSize;
    info.decodedSize = s.decodedSize < 0 ? s.wireSize : s.decodedSize;
    info.requestSize = s.requestSize;
    info.wireTruncated = s.wireTruncated;
    info.decodedTruncated = s.decodedTruncated;
    return info;
}

std::optional<ExchangeBody> BodyStore::body(quint32 req) const
{
    const auto it = m_slots.constFind(req);
    if (it == m_slots.cend())
        return std::nullopt;
    const Slot &s = *it;
    const char *p = at(s);
    ExchangeBody body;
    body.req = req;
    body.contentType = m_strings.at(s.contentType);
    body.contentEncoding = m_strings.at(s.contentEncoding);
    body.wire = QByteArray(p, s.wireSize);
    p += s.wireSize;
    if (s.decodedSize < 0) {
        body.decoded = body.wire; // shared, as the engine handed it over
    } else {
        body.decoded = QByteArray(p, s.decodedSize);
        p += s.decodedSize;
    }
    body.requestBody = QByteArray(p, s.requestSize);
    body.wireTruncated = s.wireTruncated;
    body.decodedTruncated = s.decodedTruncated;
    return body;
}

void BodyStore::setBudget(qint64 bytes)
{
    m_budget = bytes;
    evict();
}

void BodyStore::clear()
{
    m_slots.clear();
    m_order.clear();
    m_blocks.clear();
    m_firstBlock = 0;
    m_evicted.clear();
    m_strings = {QByteArray()};
    m_stringIds.clear();
    m_bytes = 0;
}

quint16 BodyStore::intern(const QByteArray &s)
{
    if (s.isEmpty())
        return 0;
    if (const auto it = m_stringIds.constFind(s); it != m_stringIds.cend())
        return *it;
    if (m_strings.size() > 0xffff)
        return 0; // more distinct content types than any real run has: not kept
    const auto id = quint16(m_strings.size());
    m_strings.append(s);
    m_stringIds.insert(s, id);
    return id;
}

const char *BodyStore::at(const Slot &slot) const
{
    return m_blocks[size_t(slot.block - m_firstBlock)].bytes.constData() + slot.offset;
}

// Forgets a slot's bytes: its block is freed once nothing in it (or before it) lives.
void BodyStore::release(const Slot &slot)
{
    --m_blocks[size_t(slot.block - m_firstBlock)].live;
    m_bytes -= slot.wireSize + qMax(slot.decodedSize, 0) + slot.requestSize;
}

// Bodies came in order and fill blocks in order, so the oldest bodies free the oldest blocks.
void BodyStore::evict()
{
    while (m_bytes > m_budget && !m_order.empty()) {
        const quint32 req = m_order.front();
        m_order.pop_front();
        const auto it = m_slots.constFind(req);
        if (it == m_slots.cend())
            continue;
        release(*it);
        m_slots.erase(it);
        m_evicted.insert(req);
    }
    while (!m_blocks.empty() && m_blocks.front().live == 0) {
        m_blocks.pop_front();
        ++m_firstBlock;
    }
}

} // namespace hopscope
