#include "demobody.h"

#include <algorithm>
#include <cstring>

namespace hopscope {

namespace {

// 1021 * 251 bytes (~250 KiB): large enough that one read fills any socket or frame buffer.
constexpr qint64 kPatternBlock = 1021 * 251;

const QByteArray &patternBlock()
{
    static const QByteArray block = [] {
        QByteArray b(kPatternBlock, Qt::Uninitialized);
        for (qint64 i = 0; i < kPatternBlock; ++i)
            b[i] = DemoPatternBody::byteAt(i);
        return b;
    }();
    return block;
}

} // namespace

qint64 DemoBufferBody::read(char *data, qint64 maxSize)
{
    const qint64 n = qMin(maxSize, m_data.size() - m_pos);
    if (n <= 0)
        return 0;
    std::memcpy(data, m_data.constData() + m_pos, size_t(n));
    m_pos += n;
    return n;
}

qint64 DemoPatternBody::read(char *data, qint64 maxSize)
{
    const QByteArray &block = patternBlock();
    qint64 copied = 0;
    while (copied < maxSize && m_pos < m_size) {
        // The block is a whole number of periods, so offset m_pos maps to m_pos % block.
        const qint64 at = m_pos % kPatternBlock;
        const qint64 n = std::min({maxSize - copied, m_size - m_pos, kPatternBlock - at});
        std::memcpy(data + copied, block.constData() + at, size_t(n));
        copied += n;
        m_pos += n;
    }
    return copied;
}

DemoPacedBody::DemoPacedBody(int count, int intervalMs, Generator generator, QObject *parent)
    : DemoBody(parent), m_count(count), m_generator(std::move(generator))
{
    m_timer.setInterval(intervalMs);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &DemoPacedBody::produce);
}

void DemoPacedBody::start()
{
    if (m_clock.isValid())
        return;
    m_clock.start();
    produce();
    if (m_produced < m_count)
        m_timer.start();
}

void DemoPacedBody::produce()
{
    if (m_produced >= m_count) {
        m_timer.stop();
        return;
    }
    m_pending += m_generator(m_produced, m_clock.elapsed());
    if (++m_produced >= m_count)
        m_timer.stop();
    emit ready();
}

qint64 DemoPacedBody::read(char *data, qint64 maxSize)
{
    const qint64 n = qMin(maxSize, m_pending.size());
    if (n <= 0)
        return 0;
    std::memcpy(data, m_pending.constData(), size_t(n));
    m_pending.remove(0, n);
    return n;
}

} // namespace hopscope
