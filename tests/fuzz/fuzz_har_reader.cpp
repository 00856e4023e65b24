// The HAR import (engine/har/harreader: File ▸ Open and `hopscope FILE.har` on a HAR from anyone)
// and what the window builds from it (ui/session/SessionStore, with its body store).
//
// Input: the file's bytes; the first byte picks default or tight limits (few entries, headers
// and body bytes), so the limit paths are reached by small inputs too.
//
// Checked beyond ASan/UBSan and libFuzzer's memory limit: a failed read says why; the events are
// numbered 1, 2, … in time order and every id is one the window indexes (the reader's own ids,
// never the file's); the import exported again with HarWriter reads back into as many exchanges
// with the same statuses (what the window shows survives File ▸ Export HAR).

#include "fuzzinput.h"
#include "fuzzmain.h"
#include "har/harcollector.h"
#include "har/harreader.h"
#include "har/harwriter.h"
#include "session/sessionstore.h"

#include <QBuffer>

using namespace hopscope;
using namespace hopscope::fuzz;

HOPSCOPE_FUZZ_QT_INIT

namespace {

void checkEvents(const HarImport &har)
{
    qint64 lastT = 0;
    for (qsizetype i = 0; i < har.events.size(); ++i) {
        const TraceEvent ev = har.events.at(i);
        check(ev.seq == quint64(i + 1), "events are not numbered 1, 2, …");
        check(ev.tNs >= lastT, "an event goes back in time");
        check(ev.scope.conn <= quint64(i + 1) && ev.scope.req <= quint64(i + 1),
              "an id no trace could have reached yet");
        lastT = ev.tNs;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    HarReadLimits limits;
    if (data[0] & 1) {
        limits.maxEntries = 3;
        limits.maxHeaders = 2;
        limits.maxBodyBytes = 8;
        limits.maxWarnings = 2;
    }
    const QByteArrayView file(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    HarImport har;
    QString error;
    const bool ok = HarReader(limits).read(file, QStringLiteral("fuzz.har"), &har, &error);
    check(ok || !error.isEmpty(), "a failed read without an error");
    if (!ok)
        return 0;
    check(har.warnings.size() <= limits.maxWarnings + 1, "more warnings than the limit keeps");
    checkEvents(har);

    {
        SessionStore store;
        store.append(har.events);
        check(store.unindexedIdEvents() == 0, "the window left an imported event unindexed");
        check(store.exchangeCount() == har.entriesRead, "not one exchange per entry read");
        for (const HarImportedBody &b : std::as_const(har.bodies)) {
            check(b.response.size() <= limits.maxBodyBytes, "a body over maxBodyBytes");
            ExchangeBody body;
            body.req = b.req;
            body.decoded = b.response;
            body.requestBody = b.request;
            store.addBody(body);
        }
    }

    // Exported and read again: as many exchanges, the same statuses.
    HarCollector collector;
    collector.add(har.events);
    HarOptions options;
    options.traceStart = har.start;
    options.redactSecrets = false;
    QBuffer out;
    out.open(QIODevice::WriteOnly);
    check(HarWriter(collector, options).write(&out), "the export failed");
    HarImport again;
    if (!HarReader().read(out.data(), QStringLiteral("exported.har"), &again, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        broken("our export of an import does not read back");
    }
    check(again.entriesRead == har.entriesRead, "the export reads back as another entry count");
    HarCollector back;
    back.add(again.events);
    check(back.exchanges().size() == collector.exchanges().size(), "exchanges lost on export");
    for (size_t i = 0; i < back.exchanges().size(); ++i)
        check(back.exchanges().at(i).status == collector.exchanges().at(i).status,
              "a status changed on export");
    return 0;
}
