// The trace reader (engine/trace/tracefile: File ▸ Open, `hopscope --trace`) on whatever file a
// colleague sends, then what the window does with it: the session store (ui/session/SessionStore
// indexes connections, requests and streams by the ids in the file) and both writers (File ▸ Save,
// the CLI's text and JSON output).
//
// Input: the file's bytes.
//
// Checked beyond ASan/UBSan (and libFuzzer's memory limit, which catches an id that sizes an
// allocation): what the reader accepted, written back as JSON lines, reads again without an error
// into as many events, and writing those gives the same bytes (File ▸ Save of an opened trace
// opens again unchanged).

#include "fuzzinput.h"
#include "fuzzmain.h"
#include "session/sessionstore.h"
#include "trace/jsonlineswriter.h"
#include "trace/textwriter.h"
#include "trace/tracefile.h"

using namespace hopscope;
using namespace hopscope::fuzz;

HOPSCOPE_FUZZ_QT_INIT

namespace {

QByteArray writeJson(const TraceBatch &events)
{
    QByteArray out;
    for (const TraceEvent ev : events) {
        JsonLinesWriter::appendJson(out, ev);
        out += '\n';
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView file(reinterpret_cast<const char *>(data), qsizetype(size));
    TraceBatch events;
    QString error;
    const bool ok = readTraceData(file, QStringLiteral("fuzz.jsonl"), &events, &error);
    check(ok || !error.isEmpty(), "a failed read without an error");

    for (const TraceEvent ev : events)
        (void)TextWriter::format(ev);
    {
        SessionStore store;
        store.append(events);
        for (int i = 0; i < store.connectionCount(); ++i)
            (void)store.connectionAt(i);
        for (int i = 0; i < store.exchangeCount(); ++i)
            (void)store.body(store.exchangeAt(i).req);
    }

    const QByteArray json = writeJson(events);
    TraceBatch again;
    if (!readTraceData(json, QStringLiteral("written.jsonl"), &again, &error)) {
        std::fprintf(stderr, "%s\n%s\n", qPrintable(error), json.constData());
        broken("what the writer wrote does not read back");
    }
    check(again.size() == events.size(), "the written trace reads back as another event count");
    const QByteArray json2 = writeJson(again);
    if (json2 != json) {
        std::fprintf(stderr, "first:\n%s\nsecond:\n%s\n", json.constData(), json2.constData());
        broken("writing what was read back changed the trace");
    }
    turnEventLoop(1);
    return 0;
}
