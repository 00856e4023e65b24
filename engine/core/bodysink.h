#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>

class QIODevice;

namespace hopscope {

class Exchange;

// Where a response body goes (after content decoding, if any). Written as bytes arrive, so a
// body of any size passes through with flat memory.
class BodySink
{
public:
    virtual ~BodySink() = default;
    // The final response's head is in `exchange` (status, version, headers) and its body
    // follows: a sink that writes the head too (curl -i) or drops an error's body (curl -f)
    // decides here. false fails the exchange with errorString().
    virtual bool begin(const Exchange &exchange) { return true; }
    virtual bool write(QByteArrayView data) = 0;
    virtual bool finish() { return true; }
    virtual QString errorString() const { return {}; }
};

// Drops everything (the Exchange's in-memory preview still has the first bytes).
class DiscardSink : public BodySink
{
public:
    bool write(QByteArrayView) override { return true; }
};

// Writes to a file (created/truncated lazily on the first byte or at finish) or to stdout ("-").
class FileSink : public BodySink
{
public:
    explicit FileSink(QString path);
    ~FileSink() override;
    bool write(QByteArrayView data) override;
    bool finish() override;
    QString errorString() const override { return m_error; }

private:
    bool ensureOpen();
    bool writeOut(QByteArrayView data);
    bool flushGathered();
    QString m_path;
    // Small slices for a named file, gathered into larger writes (HTTP/3 hands a body over a
    // QUIC packet at a time); written before anything larger, at finish() and at the end.
    QByteArray m_gathered;
    std::unique_ptr<QIODevice> m_ownFile; // a named file; stdout is shared (stdoutDevice)
    QIODevice *m_file = nullptr;
    QString m_error;
};

// The first bytes of a body, kept on the side (hopscope-cli --har), and how many there were.
struct KeptBody
{
    QByteArray bytes;
    qint64 total = 0;
    bool truncated() const { return total > bytes.size(); }
};

// Passes everything on to the next sink (none: drops it) and keeps the first `limit` bytes in
// a KeptBody that outlives the exchange, so memory per body stays bounded.
class TeeSink : public BodySink
{
public:
    TeeSink(std::unique_ptr<BodySink> next, std::shared_ptr<KeptBody> kept, qsizetype limit);
    bool begin(const Exchange &exchange) override;
    bool write(QByteArrayView data) override;
    bool finish() override;
    QString errorString() const override;

private:
    std::unique_ptr<BodySink> m_next;
    std::shared_ptr<KeptBody> m_kept;
    qsizetype m_limit;
};

} // namespace hopscope
