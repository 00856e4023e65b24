#include "tls/keylogfile.h"

#include <QFile>
#include <QHash>
#include <QMutex>
#include <QMutexLocker>

#include <memory>

namespace hopscope {

namespace {

struct OpenFiles
{
    QMutex mutex;
    QHash<QString, std::shared_ptr<QFile>> files;
};

OpenFiles &openFiles()
{
    static OpenFiles instance;
    return instance;
}

} // namespace

QString KeyLogFile::pathFor(const QString &configured)
{
    if (!configured.isEmpty())
        return configured;
    return qEnvironmentVariable("SSLKEYLOGFILE");
}

bool KeyLogFile::append(const QString &path, const char *line)
{
    OpenFiles &all = openFiles();
    const QMutexLocker lock(&all.mutex);
    std::shared_ptr<QFile> &file = all.files[path];
    if (!file) {
        file = std::make_shared<QFile>(path);
        // Secrets: readable by the user only, as curl creates it.
        if (!file->open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered,
                        QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
            all.files.remove(path);
            return false;
        }
    }
    // Unbuffered and one write per line: a reader (Wireshark) sees whole lines, and a run that is
    // killed has logged every connection it made.
    QByteArray out(line);
    out.append('\n');
    return file->write(out) == out.size();
}

} // namespace hopscope
