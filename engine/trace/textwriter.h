#pragma once

#include "trace/traceevent.h"

#include <QObject>

class QIODevice;

namespace hopscope {

class TraceStore;

// The readable trace of -v, in the spirit of curl -v and httpx's debug output: every line starts
// with a marker ("*" info, ">" sent, "<" received, "!" problem) and the connection (and stream)
// it belongs to, e.g. "> [c1 r1] GET / HTTP/1.1". Format documented in docs/trace-format.md.
class TextWriter : public QObject
{
    Q_OBJECT
public:
    TextWriter(QIODevice *out, QObject *parent = nullptr);
    void attach(TraceStore *store);
    void write(const TraceBatch &batch);

    // The lines for one event (possibly none, possibly several), without trailing newline.
    static QStringList format(const TraceEvent &ev);

private:
    QIODevice *m_out;
};

} // namespace hopscope
