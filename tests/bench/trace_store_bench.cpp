// Appends 1,000,000 typical events (the mix of a multiplexed HTTP/2 run: frames with flags,
// header blocks, socket reads, response.complete with timings) to a TraceStore, then formats
// them as JSON lines, and prints the time and the bytes per event. Run by tests/bench/run.sh;
// never part of CTest (speed is measured, not asserted).

#include "core/httpheader.h"
#include "trace/jsonlineswriter.h"
#include "trace/tracestore.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <cstdio>

using namespace hopscope;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const qsizetype n = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1000000;
    // The engine's store hands batches on; the consumer keeps them all, as the window's
    // SessionStore does.
    TraceStore store;
    store.setRetainEvents(false);
    TraceBatch all;
    const bool keep = argc <= 2 || QByteArray(argv[2]) != "--no-keep";
    QObject::connect(&store, &TraceStore::eventsAppended, [&all, keep](const TraceBatch &b) {
        if (keep)
            all.append(b);
    });
    const HeaderList response{{":status", "200"},
                              {"server", "nghttpd nghttp2/1.52.0"},
                              {"content-length", "6"},
                              {"date", "Sun, 06 Dec 2026 22:00:00 GMT"}};
    QElapsedTimer timer;
    timer.start();
    for (qsizetype i = 0; i < n; ++i) {
        const auto req = quint32(i / 8 + 1);
        const auto stream = qint32(2 * (i / 8) + 1);
        switch (i % 8) {
        case 0:
        case 1:
        case 2: {
            FieldWriter w = store.record(EventType::H2Frame, {1, req, stream}, Direction::In);
            w.atom(Field::Frame, "DATA").beginArray(Field::Flags).atom("END_STREAM").end();
            w.integer(Field::Length, 6);
            break;
        }
        case 3:
            store.record(EventType::H2Headers, {1, req, stream}, Direction::In)
                .headers(Field::Headers, response)
                .atom(Field::Kind, "response");
            break;
        case 4:
        case 5:
        case 6:
            store.record(EventType::NetRead, {1, 0, -1}, Direction::In).integer(Field::Bytes, 1400);
            break;
        default: {
            FieldWriter w = store.record(EventType::ResponseComplete, {1, req, stream});
            w.integer(Field::Status, 200).integer(Field::Bytes, 6).atom(Field::Protocol, "h2");
            w.beginMap(Field::Timings);
            for (Field f : {Field::Dns, Field::Connect, Field::Tls, Field::Send, Field::Wait,
                            Field::Receive, Field::Total})
                w.real(f, 0.125);
            w.end();
        }
        }
    }
    store.flush();
    const double appendS = double(timer.nsecsElapsed()) / 1e9;
    timer.restart();
    QByteArray json;
    qsizetype jsonBytes = 0;
    for (const TraceEvent ev : all) {
        JsonLinesWriter::appendJson(json, ev);
        json.append('\n');
        if (json.size() > (1 << 20)) {
            jsonBytes += json.size();
            json.clear();
        }
    }
    jsonBytes += json.size();
    const double jsonS = double(timer.nsecsElapsed()) / 1e9;
    if (!keep) {
        std::printf("trace_store: %lld events appended in %.3f s (%.0f ns/event), record %zu "
                    "bytes; the consumer keeps nothing\n",
                    qlonglong(store.count()), appendS, appendS * 1e9 / double(n),
                    sizeof(TraceRecord));
        return 0;
    }
    std::printf("trace_store: %lld events appended and kept in %.3f s (%.0f ns/event); record "
                "%zu bytes, fields %.1f bytes/event; JSON %.3f s (%.0f MB/s)\n",
                qlonglong(all.size()), appendS, appendS * 1e9 / double(n), sizeof(TraceRecord),
                double(all.arena().size()) / double(all.size()), jsonS,
                double(jsonBytes) / 1e6 / jsonS);
    return 0;
}
