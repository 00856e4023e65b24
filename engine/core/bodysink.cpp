#include "core/bodysink.h"

#include <QFile>

#include <cstdio>
#include <sys/stat.h>
#include <unistd.h>

namespace hopscope {

namespace {

// One QFile on stdout for the whole process: thousands of bodies to stdout (`--repeat`) would
// otherwise each open, stat and flush their own.
QFile *stdoutDevice(QString *error)
{
    static QFile out;
    static const bool ok = out.open(stdout, QIODevice::WriteOnly | QIODevice::Unbuffered);
    if (!ok) {
        *error = QStringLiteral("cannot write -: %1").arg(out.errorString());
        return nullptr;
    }
    return &out;
}

// Whether a body written to stdout should reach the reader as soon as it is complete: yes for a
// terminal, a pipe or a socket (someone reads as it comes: `| jq`, a log tail), no for a file
// or /dev/null, where stdio's buffer saves a write(2) per body (20,000 bodies of a --repeat run
// are 20,000 syscalls otherwise) and everything is flushed at exit, as curl's stdout is.
bool stdoutIsLive()
{
    static const bool live = [] {
        struct stat st = {};
        if (::isatty(STDOUT_FILENO) || ::fstat(STDOUT_FILENO, &st) != 0)
            return true;
        return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
    }();
    return live;
}

// Slices below this are gathered for a named file: one write per 64 KiB instead of one per
// QUIC packet (about 1 KiB each), as stdio would. stdout is never held back: a terminal or a
// pipe may be reading a stream live.
constexpr qsizetype kGatherBytes = 64 * 1024;

} // namespace

FileSink::FileSink(QString path) : m_path(std::move(path)) {}

FileSink::~FileSink()
{
    // What came before a failure is kept, as curl keeps a partial download.
    if (m_file)
        flushGathered();
}

bool FileSink::ensureOpen()
{
    if (m_file)
        return true;
    if (m_path == u"-") {
        m_file = stdoutDevice(&m_error);
        return m_file != nullptr;
    }
    auto f = std::make_unique<QFile>(m_path);
    // Unbuffered: bodies arrive in large slices (16 KiB HTTP/2 DATA frames, 256 KiB reads);
    // QFile's own buffer would only add a copy of every byte.
    if (!f->open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered)) {
        m_error = QStringLiteral("cannot write %1: %2").arg(m_path, f->errorString());
        return false;
    }
    m_file = f.get();
    m_ownFile = std::move(f);
    return true;
}

bool FileSink::write(QByteArrayView data)
{
    if (!ensureOpen())
        return false;
    if (m_ownFile && data.size() < kGatherBytes) {
        m_gathered.append(data); // grows only as far as the body does
        return m_gathered.size() < kGatherBytes || flushGathered();
    }
    return flushGathered() && writeOut(data);
}

bool FileSink::flushGathered()
{
    if (m_gathered.isEmpty())
        return true;
    const bool ok = writeOut(m_gathered);
    m_gathered.resize(0); // keeps the capacity for the next 64 KiB
    return ok;
}

bool FileSink::writeOut(QByteArrayView data)
{
    if (m_file->write(data.data(), data.size()) != data.size()) {
        m_error = QStringLiteral("cannot write %1: %2").arg(m_path, m_file->errorString());
        return false;
    }
    return true;
}

bool FileSink::finish()
{
    // An empty body still creates the file, as curl -o does.
    if (!ensureOpen() || !flushGathered())
        return false;
    if (m_ownFile || stdoutIsLive())
        static_cast<QFile *>(m_file)->flush();
    return true;
}

TeeSink::TeeSink(std::unique_ptr<BodySink> next, std::shared_ptr<KeptBody> kept, qsizetype limit)
    : m_next(std::move(next)), m_kept(std::move(kept)), m_limit(qMax<qsizetype>(limit, 0))
{
}

bool TeeSink::begin(const Exchange &exchange)
{
    return !m_next || m_next->begin(exchange);
}

bool TeeSink::write(QByteArrayView data)
{
    const qsizetype room = m_limit - m_kept->bytes.size();
    if (room > 0)
        m_kept->bytes.append(data.first(qMin(room, data.size())));
    m_kept->total += data.size();
    return !m_next || m_next->write(data);
}

bool TeeSink::finish()
{
    return !m_next || m_next->finish();
}

QString TeeSink::errorString() const
{
    return m_next ? m_next->errorString() : QString();
}

} // namespace hopscope
