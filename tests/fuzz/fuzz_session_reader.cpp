// The session file reader (engine/session: File ▸ Open, `hopscope FILE`) on whatever file a
// colleague sends, then what the window does with it: the session store indexes the events and
// reads every body on demand from the file's bytes.
//
// Input: the file's bytes.
//
// Checked beyond ASan/UBSan (and libFuzzer's memory limit, which catches a count or length that
// sizes an allocation): what the reader accepted, saved again, reads back without an error into
// the same events and bodies, and saving that gives the same bytes.

#include "fuzzinput.h"
#include "fuzzmain.h"
#include "session/sessionreader.h"
#include "session/sessionstore.h"
#include "session/sessionwriter.h"
#include "trace/textwriter.h"

#include <QBuffer>

using namespace hopscope;
using namespace hopscope::fuzz;

HOPSCOPE_FUZZ_QT_INIT

namespace {

QByteArray save(const SessionContents &s)
{
    QBuffer out;
    out.open(QIODevice::WriteOnly);
    SessionWriter w(&out);
    w.begin(s.traceStart, s.meta);
    w.writeEvents(s.events);
    for (quint32 req : s.bodies->requests())
        w.writeBody(*s.bodies->body(req));
    check(w.finish(), "writing to a buffer failed");
    return out.data();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray file(reinterpret_cast<const char *>(data), qsizetype(size));
    SessionContents s;
    QString error;
    const bool ok = readSessionData(file, QStringLiteral("fuzz.hopscope"), &s, &error);
    check(ok || !error.isEmpty(), "a failed read without an error");
    check(s.bodies != nullptr, "no body index after a read");

    for (const TraceEvent ev : s.events)
        (void)TextWriter::format(ev);
    {
        SessionStore store;
        store.setFileBodies(s.bodies);
        store.append(s.events);
        for (int i = 0; i < store.connectionCount(); ++i)
            (void)store.connectionAt(i).title();
        for (quint32 req : store.bodyRequests()) {
            (void)store.body(req);
            (void)store.bodyInfo(req);
        }
    }

    // What was read, saved again, reads back the same; saving that changes nothing.
    const QByteArray saved = save(s);
    SessionContents again;
    if (!readSessionData(saved, QStringLiteral("saved.hopscope"), &again, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        broken("what the writer wrote does not read back");
    }
    check(again.events.size() == s.events.size(), "saved again, another event count");
    check(again.bodies->requests() == s.bodies->requests(), "saved again, other bodies");
    check(save(again) == saved, "saving what was read back changed the file");
    turnEventLoop(1);
    return 0;
}
