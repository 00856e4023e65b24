// The 101 hand-over with whatever the server sends after a valid 101, for each upgrade handler:
// h2c (Http2Driver after the upgrade, stream 1 answering the upgraded request), websocket
// (WebSocketDriver: FrameInspector, then libwslay) and a token without a handler of its own (the
// raw tunnel). Runs the real Connection and drivers over the in-memory socket of the unit tests
// (tests/support/upgradeharness.h), wired as the Client wires them, without a network.
//
// Input: byte 0 bits 0-1 choose the handler (0 h2c, 1 websocket, 2 "tcp", 3 an unknown token
// with the raw tunnel as fallback), bit 2 makes the client send and close during the session,
// bit 3 ends with our close instead of the peer's; byte 1 seeds how the 101 and the rest are cut
// into reads; the rest is what the server sends after the 101 head.
//
// Checked beyond ASan/UBSan: the exchange ends exactly once by the time the connection is gone
// (no hang, no double finish), and the trace's net.read / net.write add up to the bytes that
// crossed the socket (docs/trace-format.md).

#include "core/requestspec.h"
#include "fuzzinput.h"
#include "fuzzmain.h"
#include "net/sessiondriver.h"
#include "upgradeharness.h"
#include "upgradepeerbytes.h"

#include <QUrl>

using namespace hopscope;
using namespace hopscope::fuzz;
using namespace hopscope::test;

HOPSCOPE_FUZZ_QT_INIT

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const int handler = data[0] & 3;
    const bool clientSends = data[0] & 4;
    const bool weClose = data[0] & 8;
    const QByteArrayView after(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));

    RequestSpec spec;
    spec.url = QUrl(QStringLiteral("http://peer.test/fuzz"));
    spec.timeouts.idleMs = 0; // nothing may depend on time
    static const QByteArray tokens[] = {"h2c", "websocket", "tcp", "x-fuzz"};
    if (handler == 0)
        spec.protocol = ProtocolPolicy::H2cUpgrade;
    else
        spec.upgrade = tokens[handler];

    {
        UpgradeHarness h(spec);
        const QByteArray request = h.submit();
        const QByteArray head = handler == 0   ? h2cSwitchHead()
                                : handler == 1 ? webSocketSwitchHead(request)
                                               : tunnelSwitchHead(tokens[handler]);
        const QByteArray wire = head + after.toByteArray();
        const QList<QByteArrayView> pieces = slices(wire, data[1]);
        for (qsizetype i = 0; i < pieces.size(); ++i) {
            h.socket->peerWrite(pieces[i]);
            turnEventLoop(1);
            if (clientSends && i == pieces.size() / 2) {
                if (auto *session = qobject_cast<SessionDriver *>(h.next.data())) {
                    session->sendText("fuzz");
                    session->sendBinary(QByteArray("\x00\xff", 2));
                    session->sendPing("p");
                    session->closeSession(1000, QStringLiteral("bye"));
                }
                turnEventLoop(1);
            }
        }
        if (weClose)
            h.connection->close(QStringLiteral("fuzz run over"));
        else
            h.socket->peerClose();
        turnEventLoop();

        check(h.switches <= 1, "more than one switch");
        check(h.finished.size() == 1, "the exchange did not end exactly once");
        check(h.finished.first() == h.exchange.get(), "another exchange finished");
        check(h.netReadBytes() == h.socket->bytesDelivered(), "net.read != bytes delivered");
        check(h.netWriteBytes() == h.socket->bytesSent(), "net.write != bytes sent");
    }
    turnEventLoop();
    return 0;
}
