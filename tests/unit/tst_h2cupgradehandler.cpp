// The h2c upgrade handler on its own (engine/upgrade/h2cupgradehandler.h): the offer it puts on
// the request (RFC 7540 §3.2.1: HTTP2-Settings, base64url of the SETTINGS payload, named in
// Connection), the driver it hands back (not running before activate()), and the precise error
// of a 101 that does not name h2c, over an in-memory socket.

#include "core/exchange.h"
#include "core/httpheader.h"
#include "http2/http2driver.h"
#include "traceevents.h"
#include "upgrade/h2cupgradehandler.h"
#include "upgradeharness.h"

#include <QTest>

using namespace hopscope;
using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

RequestSpec h2cSpec()
{
    RequestSpec spec;
    spec.url = QUrl(u"http://peer.test/"_s);
    spec.protocol = ProtocolPolicy::H2cUpgrade;
    spec.timeouts.idleMs = 0;
    return spec;
}

// The value of a header line in a serialized request head, or a null array.
QByteArray headerLine(const QByteArray &request, const QByteArray &name)
{
    for (const QByteArray &line : request.split('\n')) {
        const QByteArray l = line.trimmed();
        if (l.startsWith(name + ": "))
            return l.mid(name.size() + 2);
    }
    return {};
}

} // namespace

class H2cUpgradeHandlerTest : public QObject
{
    Q_OBJECT
private slots:
    void offerCarriesTheSettingsPayload();
    void requestOffersH2c();
    void takeOverWaitsForActivation();
    void bad101_data();
    void bad101();
};

void H2cUpgradeHandlerTest::offerCarriesTheSettingsPayload()
{
    H2cUpgradeHandler handler;
    QCOMPARE(handler.token(), "h2c"_ba);
    const Exchange ex(1, h2cSpec(), nullptr);
    const UpgradeOffer offer = handler.offer(ex);

    QCOMPARE(offer.headers.size(), 1);
    QCOMPARE(offer.headers.first().name, "HTTP2-Settings"_ba);
    const QByteArray value = offer.headers.first().value;
    // token68 of base64url without padding: no '+', '/' or '='.
    QVERIFY(!value.isEmpty());
    QVERIFY(!value.contains('+') && !value.contains('/') && !value.contains('='));
    const auto decoded = QByteArray::fromBase64Encoding(
        value, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    QVERIFY(decoded);
    // Exactly the SETTINGS the driver will use for the connection (6 bytes per setting).
    const Http2Options opts = Http2Options::fromLimits(ex.spec().limits, ex.spec().timeouts.idleMs);
    QCOMPARE(decoded.decoded, Http2Driver::settingsPayload(opts));
    QCOMPARE(decoded.decoded.size() % 6, 0);
    QCOMPARE(offer.connectionOptions, QList<QByteArray>{"HTTP2-Settings"});
}

void H2cUpgradeHandlerTest::requestOffersH2c()
{
    UpgradeHarness h(h2cSpec());
    const QByteArray request = h.submit();
    QVERIFY2(request.startsWith("GET / HTTP/1.1\r\n"), request.constData());
    QCOMPARE(headerLine(request, "Upgrade"), "h2c"_ba);
    QCOMPARE(headerLine(request, "Connection"), "Upgrade, HTTP2-Settings"_ba);
    QVERIFY(!headerLine(request, "HTTP2-Settings").isEmpty());
    QCOMPARE(eventsOf(h.trace, EventType::UpgradeOffer).size(), 1);
}

// The handler stores the start; nothing runs (no preface, no stream 1) until the owner of
// activation calls activate() once it listens to the driver.
void H2cUpgradeHandlerTest::takeOverWaitsForActivation()
{
    UpgradeHarness h(h2cSpec());
    h.submit();
    H2cUpgradeHandler handler;
    ResponseHead head;
    head.status = 101;
    UpgradeContext ctx{h.connection.get(), h.exchange.get(), head, {}, {}};
    QString error;
    ProtocolDriver *driver = handler.takeOver(ctx, &error);
    QVERIFY2(driver, qPrintable(error));
    QCOMPARE(driver->protocol(), "h2"_ba);
    QCOMPARE(driver->parent(), h.connection.get());
    QVERIFY(!driver->isReusable());
    QVERIFY(h.socket->takeWritten().isEmpty());

    driver->activate();
    QVERIFY(driver->isReusable());
    QCOMPARE(driver->inFlight(), 1); // the upgrading request is stream 1
    QCOMPARE(h.exchange->stream, 1);
    const QByteArray preface = h.socket->takeWritten();
    QVERIFY(preface.startsWith("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));

    driver->activate(); // a second activation does nothing
    QVERIFY(h.socket->takeWritten().isEmpty());
}

void H2cUpgradeHandlerTest::bad101_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<QString>("error");

    QTest::newRow("no Upgrade header")
        << "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n"_ba
        << u"101 without an Upgrade header (offered h2c)"_s;
    QTest::newRow("another protocol")
        << "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"_ba
        << u"101 switched to websocket, but h2c was offered"_s;
    QTest::newRow("h2 is not h2c")
        << "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2\r\n\r\n"_ba
        << u"101 switched to h2, but h2c was offered"_s;
}

void H2cUpgradeHandlerTest::bad101()
{
    QFETCH(QByteArray, head);
    QFETCH(QString, error);

    UpgradeHarness h(h2cSpec());
    h.submit();
    // Even with HTTP/2 frames right behind it, the 101 is refused as it stands.
    h.socket->peerWrite(head + "\0\0\0\x04\0\0\0\0\0"_ba);

    QCOMPARE(h.switches, 0);
    QCOMPARE(h.finished.size(), 1);
    const Exchange &ex = *h.exchange;
    QCOMPARE(ex.state(), Exchange::State::Failed);
    QCOMPARE(ex.errorCode(), "upgrade"_ba);
    QCOMPARE(ex.error(), error);
    const TraceBatch errors = eventsOf(h.trace, EventType::Error);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().field(Field::Code).toString(), u"upgrade"_s);
    QCOMPARE(errors.first().field(Field::Message).toString(), error);
    QVERIFY(eventsOf(h.trace, EventType::UpgradeSwitch).isEmpty());
    QCOMPARE(h.connection->state(), Connection::State::Closed);
    QVERIFY(h.socket->isClosedLocally());
    // The bytes were read once, and never handed to anyone.
    QCOMPARE(h.netReadBytes(), h.socket->bytesDelivered());
}

QTEST_GUILESS_MAIN(H2cUpgradeHandlerTest)
#include "tst_h2cupgradehandler.moc"
