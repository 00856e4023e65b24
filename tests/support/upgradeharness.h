#pragma once

// One HTTP/1.1 exchange over an in-memory socket, wired the way the Client wires it, so that a
// test can play the server byte by byte and watch a protocol switch (tests/unit/).

#include "core/bodysink.h"
#include "core/exchange.h"
#include "core/requestspec.h"
#include "memorysocket.h"
#include "net/connection.h"
#include "trace/tracestore.h"
#include "upgrade/upgraderegistry.h"

#include <QList>
#include <QPointer>

#include <functional>
#include <memory>

namespace hopscope {
class Http1Driver;
class ProtocolDriver;
} // namespace hopscope

namespace hopscope::test {

// Keeps every body byte the exchange delivers.
class CollectingSink : public BodySink
{
public:
    explicit CollectingSink(QByteArray *out) : m_out(out) {}
    bool write(QByteArrayView data) override
    {
        m_out->append(data);
        return true;
    }

private:
    QByteArray *m_out;
};

// A Connection opened on a MemorySocket (the test is the peer), an Http1Driver with the
// client's upgrade registry (h2c, websocket, raw tunnel fallback), and what the Client does on
// a switch: wire the next driver's finished() and activate it. finished() of every driver is
// collected in `finished`.
class UpgradeHarness
{
public:
    explicit UpgradeHarness(const RequestSpec &spec);
    ~UpgradeHarness();

    // Sends the exchange's request; returns the bytes it put on the wire.
    QByteArray submit();
    // Sum of the `bytes` of every `net.read` on the connection.
    qint64 netReadBytes() const;
    // Sum of the `bytes` of every `net.write` on the connection.
    qint64 netWriteBytes() const;

    TraceStore trace;
    UpgradeRegistry registry;
    QByteArray body;                    // what the exchange's sink received
    std::unique_ptr<Exchange> exchange; // request 1
    std::unique_ptr<Connection> connection;
    MemorySocket *socket = nullptr; // owned by the connection
    Http1Driver *http1 = nullptr;   // owned by the connection
    QPointer<ProtocolDriver> next;  // the driver a 101 handed the connection to
    int switches = 0;               // switchedTo() signals
    // Called with the next driver between switchedTo() and activate(), where the Client emits
    // protocolSwitched().
    std::function<void(ProtocolDriver *)> beforeActivation;
    QList<Exchange *> finished; // finished() of any driver, in order
    QList<bool> retryable;
};

} // namespace hopscope::test
