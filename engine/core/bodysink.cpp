#include "core/bodysink.h"

#include <QFile>

#include <cstdio>

namespace hopscope {

FileSink::FileSink(QString path) : m_path(std::move(path)) {}

FileSink::~FileSink() = default;

bool FileSink::ensureOpen()
{
    if (m_file)
        return true;
    auto f = std::make_unique<QFile>(m_path);
    // Unbuffered: bodies arrive in large slices (16 KiB HTTP/2 DATA frames, 256 KiB reads);
    // QFile's own buffer would only add a copy of every byte.
    const bool ok =
        m_path == u"-"
            ? f->open(stdout, QIODevice::WriteOnly | QIODevice::Unbuffered)
            : f->open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered);
    if (!ok) {
        m_error = QStringLiteral("cannot write %1: %2").arg(m_path, f->errorString());
        return false;
    }
    m_file = std::move(f);
    return true;
}

bool FileSink::write(QByteArrayView data)
{
    if (!ensureOpen())
        return false;
    if (m_file->write(data.data(), data.size()) != data.size()) {
        m_error = QStringLiteral("cannot write %1: %2").arg(m_path, m_file->errorString());
        return false;
    }
    return true;
}

bool FileSink::finish()
{
    // An empty body still creates the file, as curl -o does.
    if (!ensureOpen())
        return false;
    static_cast<QFile *>(m_file.get())->flush();
    return true;
}

} // namespace hopscope
