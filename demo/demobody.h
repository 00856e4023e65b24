#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

namespace hopscope {

// A response body the sessions pull from as the socket (HTTP/1.1) or nghttp2's flow control
// (HTTP/2) allows, so nothing is produced faster than the peer reads it and a 1 GiB body never
// exists in memory. A paced body may have nothing yet: it then emits ready() later.
class DemoBody : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // The total length, or -1 when it is known only at the end (chunked / DATA frames).
    virtual qint64 size() const = 0;
    // Copies up to maxSize bytes. 0 with !atEnd() means "nothing yet; wait for ready()".
    virtual qint64 read(char *data, qint64 maxSize) = 0;
    virtual bool atEnd() const = 0;
    // The response head went out: paced bodies start their clocks here, not at routing time.
    virtual void start() {}

signals:
    void ready();
};

// A body held in memory (index pages, JSON, error messages).
class DemoBufferBody : public DemoBody
{
    Q_OBJECT
public:
    explicit DemoBufferBody(QByteArray data, QObject *parent = nullptr)
        : DemoBody(parent), m_data(std::move(data))
    {
    }
    qint64 size() const override { return m_data.size(); }
    qint64 read(char *data, qint64 maxSize) override;
    bool atEnd() const override { return m_pos >= m_data.size(); }

private:
    QByteArray m_data;
    qint64 m_pos = 0;
};

// N deterministic bytes, byte i being i % 251, copied from one shared block whose length is a
// multiple of 251: any length streams from the same few hundred KiB. A client can check the
// bytes without a reference file (251 is prime, so the pattern never lines up with buffers).
class DemoPatternBody : public DemoBody
{
    Q_OBJECT
public:
    explicit DemoPatternBody(qint64 size, QObject *parent = nullptr)
        : DemoBody(parent), m_size(size)
    {
    }
    qint64 size() const override { return m_size; }
    qint64 read(char *data, qint64 maxSize) override;
    bool atEnd() const override { return m_pos >= m_size; }

    static char byteAt(qint64 offset) { return char(offset % 251); }

private:
    qint64 m_size;
    qint64 m_pos = 0;
};

// `count` pieces, the first at once and each next one `intervalMs` later, from a generator
// (index 0-based, ms since start()). The length is unknown up front on purpose: HTTP/1.1 sends
// it chunked and HTTP/2 as separate DATA frames, which is what a client should see arrive.
class DemoPacedBody : public DemoBody
{
    Q_OBJECT
public:
    using Generator = std::function<QByteArray(int index, qint64 elapsedMs)>;

    DemoPacedBody(int count, int intervalMs, Generator generator, QObject *parent = nullptr);
    qint64 size() const override { return -1; }
    qint64 read(char *data, qint64 maxSize) override;
    bool atEnd() const override { return m_produced >= m_count && m_pending.isEmpty(); }
    void start() override;

private:
    void produce();

    int m_count;
    int m_produced = 0;
    Generator m_generator;
    QByteArray m_pending;
    QTimer m_timer;
    QElapsedTimer m_clock;
};

// Bodies are released with deleteLater(): a session lets go of a body from inside a call that
// started in the body's own signal (ready() -> write -> the stream ends), and the body's timer
// must not be destroyed under it. Sessions parent their bodies, so none outlives its session.
struct DemoBodyDeleter
{
    void operator()(DemoBody *body) const
    {
        body->disconnect();
        body->deleteLater();
    }
};
using DemoBodyPtr = std::unique_ptr<DemoBody, DemoBodyDeleter>;

} // namespace hopscope
