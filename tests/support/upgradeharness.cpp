#include "upgradeharness.h"

#include "http1/http1driver.h"
#include "net/protocoldriver.h"
#include "upgrade/h2cupgradehandler.h"
#include "upgrade/rawtunnelhandler.h"
#include "websocket/websocketupgradehandler.h"

namespace hopscope::test {

UpgradeHarness::UpgradeHarness(const RequestSpec &spec)
{
    registry.registerHandler(std::make_shared<H2cUpgradeHandler>());
    registry.registerHandler(std::make_shared<WebSocketUpgradeHandler>());
    registry.setFallback(std::make_shared<RawTunnelHandler>());
    exchange = std::make_unique<Exchange>(1, spec, std::make_unique<CollectingSink>(&body));
    exchange->timings.start = trace.elapsedNs();
    connection = std::make_unique<Connection>(1, Origin::fromUrl(spec.url), spec, &trace);
    socket = new MemorySocket;
    connection->openOn(socket);
    http1 = new Http1Driver(connection.get(), &registry, connection.get());
    auto collect = [this](Exchange *ex, bool retry) {
        finished.append(ex);
        retryable.append(retry);
    };
    QObject::connect(http1, &ProtocolDriver::finished, connection.get(), collect);
    QObject::connect(http1, &ProtocolDriver::switchedTo, connection.get(),
                     [this, collect](ProtocolDriver *driver) {
                         ++switches;
                         next = driver;
                         QObject::connect(driver, &ProtocolDriver::finished, connection.get(),
                                          collect);
                         if (beforeActivation)
                             beforeActivation(driver);
                         // As the Client: the one owner of activation, once wired.
                         driver->activate();
                     });
}

UpgradeHarness::~UpgradeHarness()
{
    // The drivers (children of the connection) go first: they point at the exchange.
    connection.reset();
}

QByteArray UpgradeHarness::submit()
{
    http1->submit(exchange.get());
    return socket->takeWritten();
}

namespace {

qint64 sumBytes(const TraceStore &trace, EventType type, quint32 conn)
{
    qint64 sum = 0;
    for (const TraceEvent &e : trace.events()) {
        if (e.is(type) && e.scope.conn == conn)
            sum += e.field(Field::Bytes).toInteger();
    }
    return sum;
}

} // namespace

qint64 UpgradeHarness::netReadBytes() const
{
    return sumBytes(trace, EventType::NetRead, connection->id());
}

qint64 UpgradeHarness::netWriteBytes() const
{
    return sumBytes(trace, EventType::NetWrite, connection->id());
}

} // namespace hopscope::test
