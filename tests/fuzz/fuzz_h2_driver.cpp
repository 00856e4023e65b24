// The HTTP/2 driver (Http2Driver over H2Session, nghttp2 and H2FrameSplitter) fed whatever a
// server sends after a valid server preface: a Connection on the in-memory socket of the unit
// tests (tests/support/memorysocket.h), HTTP/2 by prior knowledge, up to four requests in flight
// (a GET, a POST with a body larger than a small window, a HEAD, a GET asking for gzip), the
// rest submitted as the driver allows, as the Client does.
//
// Input: byte 0 bit 0 chooses how the rest is read: raw bytes (0) or a frame script (1: records
// of type, flags, stream, length and payload made into well-formed frame headers, so mutations
// reach the frame handlers instead of failing at the framing); bit 1 small windows and limits;
// bit 2 ends with our close instead of the peer's; bits 3-4 how many requests (1-4); byte 1 seeds
// how the bytes are cut into reads.
//
// Checked beyond ASan/UBSan: every submitted exchange ends exactly once by the time the
// connection is gone, and the trace's net.read / net.write add up to what crossed the socket.

#include "core/bodysink.h"
#include "core/exchange.h"
#include "core/origin.h"
#include "fuzzinput.h"
#include "fuzzmain.h"
#include "http2/http2driver.h"
#include "memorysocket.h"
#include "net/connection.h"
#include "trace/tracestore.h"
#include "upgradepeerbytes.h"

#include <QHash>
#include <QUrl>

#include <memory>
#include <vector>

using namespace hopscope;
using namespace hopscope::fuzz;
using namespace hopscope::test;

HOPSCOPE_FUZZ_QT_INIT

namespace {

class FuzzDiscardSink : public BodySink
{
public:
    bool write(QByteArrayView) override { return true; }
};

// A frame script: every record is [type][flags][stream][length][payload...], the stream byte's
// top bit reaching the high stream ids; the last payload may be cut short by the input's end.
QByteArray framesFromScript(QByteArrayView script)
{
    QByteArray out;
    qsizetype pos = 0;
    while (pos + 4 <= script.size()) {
        const auto type = quint8(script[pos]);
        const auto flags = quint8(script[pos + 1]);
        const auto s = quint8(script[pos + 2]);
        const quint32 stream = (s & 0x80) ? 0x7fffff00u | (s & 0x7f) : s;
        const qsizetype len = qMin<qsizetype>(quint8(script[pos + 3]), script.size() - pos - 4);
        out += h2Frame(type, flags, stream, script.sliced(pos + 4, len).toByteArray());
        pos += 4 + len;
    }
    return out;
}

qint64 sumBytes(const TraceStore &trace, EventType type)
{
    qint64 sum = 0;
    for (const TraceEvent &e : trace.events()) {
        if (e.is(type))
            sum += e.field(Field::Bytes).toInteger();
    }
    return sum;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const bool script = data[0] & 1;
    const bool small = data[0] & 2;
    const bool weClose = data[0] & 4;
    const int requests = 1 + ((data[0] >> 3) & 3);
    const QByteArrayView rest(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));
    // The server's preface (an empty SETTINGS), then the input.
    const QByteArray wire =
        h2Frame(0x4, 0, 0, {}) + (script ? framesFromScript(rest) : rest.toByteArray());

    Http2Options options;
    options.idleMs = 0; // nothing may depend on time
    if (small) {
        options.streamWindow = 1024;
        options.connectionWindow = 65535;
        options.maxConcurrentStreams = 2;
        options.maxHeaderListSize = 512;
        options.maxContinuations = 2;
    }

    TraceStore trace;
    std::vector<std::unique_ptr<Exchange>> exchanges;
    for (int i = 0; i < requests; ++i) {
        RequestSpec spec;
        spec.url = QUrl(QStringLiteral("http://peer.test/%1").arg(i));
        spec.timeouts.idleMs = 0;
        switch (i) {
        case 1:
            spec.method = "POST";
            spec.body = QByteArray(3000, 'b');
            break;
        case 2:
            spec.method = "HEAD";
            break;
        case 3:
            spec.headers.append(HttpHeader{"accept-encoding", "gzip, br, zstd"});
            break;
        }
        exchanges.push_back(
            std::make_unique<Exchange>(quint32(i + 1), spec, std::make_unique<FuzzDiscardSink>()));
        exchanges.back()->timings.start = trace.elapsedNs();
    }

    QHash<Exchange *, int> ends;
    {
        const RequestSpec &first = exchanges.front()->spec();
        Connection conn(1, Origin::fromUrl(first.url), first, &trace);
        auto *socket = new MemorySocket; // the connection's child once open
        Http2Driver *driver = nullptr;
        qsizetype next = 0;
        const auto pump = [&] {
            while (driver && next < qsizetype(exchanges.size()) && driver->canSubmit())
                driver->submit(exchanges[size_t(next++)].get());
        };
        QObject::connect(&conn, &Connection::ready, &conn, [&] {
            driver = new Http2Driver(&conn, options, &conn);
            QObject::connect(driver, &ProtocolDriver::finished, &conn,
                             [&](Exchange *ex, bool) { ends[ex]++; });
            QObject::connect(driver, &ProtocolDriver::capacityAvailable, &conn, pump);
            driver->startPriorKnowledge();
            pump();
        });
        conn.openOn(socket);
        turnEventLoop(1);
        for (QByteArrayView piece : slices(wire, data[1])) {
            socket->peerWrite(piece);
            turnEventLoop(1);
        }
        const qint64 delivered = socket->bytesDelivered();
        if (weClose)
            conn.close(QStringLiteral("fuzz run over"));
        else
            socket->peerClose();
        turnEventLoop();

        for (qsizetype i = 0; i < next; ++i)
            check(ends.value(exchanges[size_t(i)].get()) == 1,
                  "a submitted exchange did not end exactly once");
        check(ends.size() == next, "an exchange ended that was never submitted");
        check(sumBytes(trace, EventType::NetRead) == delivered, "net.read != bytes delivered");
        check(sumBytes(trace, EventType::NetWrite) == socket->bytesSent(),
              "net.write != bytes sent");
    }
    turnEventLoop();
    return 0;
}
