// UpgradeRegistry (engine/upgrade/upgraderegistry.h): token -> handler, compared without regard
// to ASCII case (RFC 9110 §7.8: tokens; only letters have a case), a fallback for every other
// token except those with framing of their own, and a later registration replacing an earlier
// one of the same token.

#include "upgrade/upgraderegistry.h"

#include <QTest>

#include <memory>

using namespace hopscope;
using namespace Qt::StringLiterals;

namespace {

// A handler that only has a token: the registry never calls offer() or takeOver().
class NamedHandler : public UpgradeHandler
{
public:
    explicit NamedHandler(QByteArray token) : m_token(std::move(token)) {}
    QByteArray token() const override { return m_token; }
    UpgradeOffer offer(const Exchange &) override { return {}; }
    ProtocolDriver *takeOver(UpgradeContext &, QString *error) override
    {
        *error = u"not used"_s;
        return nullptr;
    }

private:
    QByteArray m_token;
};

} // namespace

class UpgradeRegistryTest : public QObject
{
    Q_OBJECT
private slots:
    void lookup_data();
    void lookup();
    void laterRegistrationReplaces();
    void fallbackServesOnlyUnclaimedTokens_data();
    void fallbackServesOnlyUnclaimedTokens();
    void fallbackCanBeRemoved();
};

void UpgradeRegistryTest::lookup_data()
{
    QTest::addColumn<QByteArray>("registered");
    QTest::addColumn<QByteArray>("asked");
    QTest::addColumn<bool>("found");

    QTest::newRow("same spelling") << "websocket"_ba
                                   << "websocket"_ba << true;
    QTest::newRow("upper case asked") << "websocket"_ba
                                      << "WEBSOCKET"_ba << true;
    QTest::newRow("mixed case registered") << "X-Lab-Proto"_ba
                                           << "x-lab-proto"_ba << true;
    QTest::newRow("digits and tchars") << "proto/2.0+x"_ba
                                       << "PROTO/2.0+X"_ba << true;
    QTest::newRow("unknown token") << "websocket"_ba
                                   << "tcp"_ba << false;
    QTest::newRow("prefix is not the token") << "websocket"_ba
                                             << "web"_ba << false;
    QTest::newRow("longer is not the token") << "h2c"_ba
                                             << "h2c2"_ba << false;
    QTest::newRow("empty token") << "websocket"_ba << QByteArray() << false;
    // Case folding is ASCII's: bytes beyond it are not letters of a token.
    QTest::newRow("no folding beyond ASCII") << "x-\xc4"_ba
                                             << "x-\xe4"_ba << false;
}

void UpgradeRegistryTest::lookup()
{
    QFETCH(QByteArray, registered);
    QFETCH(QByteArray, asked);
    QFETCH(bool, found);

    UpgradeRegistry registry;
    auto handler = std::make_shared<NamedHandler>(registered);
    registry.registerHandler(handler);
    QCOMPARE(registry.handler(asked), found ? handler.get() : nullptr);
    // The token keeps the spelling of its handler.
    QCOMPARE(registry.tokens(), QList<QByteArray>{registered});
}

void UpgradeRegistryTest::laterRegistrationReplaces()
{
    UpgradeRegistry registry;
    auto first = std::make_shared<NamedHandler>("x-chat");
    auto second = std::make_shared<NamedHandler>("X-Chat");
    auto other = std::make_shared<NamedHandler>("x-other");
    registry.registerHandler(first);
    registry.registerHandler(other);
    registry.registerHandler(second); // same token, other case: replaces the first

    QCOMPARE(registry.handler("x-chat"), second.get());
    QCOMPARE(registry.handler("X-CHAT"), second.get());
    QCOMPARE(registry.handler("x-other"), other.get());
    QList<QByteArray> tokens = registry.tokens();
    std::sort(tokens.begin(), tokens.end());
    QCOMPARE(tokens, (QList<QByteArray>{"X-Chat", "x-other"}));

    // Registering the very same handler again changes nothing.
    registry.registerHandler(second);
    QCOMPARE(registry.tokens().size(), 2);
    QCOMPARE(registry.handler("x-chat"), second.get());
}

void UpgradeRegistryTest::fallbackServesOnlyUnclaimedTokens_data()
{
    QTest::addColumn<QByteArray>("asked");
    QTest::addColumn<QString>("expected"); // "dedicated", "fallback" or "none"

    QTest::newRow("dedicated handler wins") << "x-chat"_ba << u"dedicated"_s;
    QTest::newRow("dedicated, other case") << "X-CHAT"_ba << u"dedicated"_s;
    QTest::newRow("unknown token") << "tcp"_ba << u"fallback"_s;
    QTest::newRow("unknown, odd case") << "TcP"_ba << u"fallback"_s;
    // Protocols with framing of their own must never pass as a byte stream.
    QTest::newRow("h2c excluded") << "h2c"_ba << u"none"_s;
    QTest::newRow("H2C excluded") << "H2C"_ba << u"none"_s;
    QTest::newRow("h2 excluded") << "h2"_ba << u"none"_s;
    QTest::newRow("websocket excluded") << "WebSocket"_ba << u"none"_s;
    QTest::newRow("empty token") << QByteArray() << u"none"_s;
}

void UpgradeRegistryTest::fallbackServesOnlyUnclaimedTokens()
{
    QFETCH(QByteArray, asked);
    QFETCH(QString, expected);

    UpgradeRegistry registry;
    auto dedicated = std::make_shared<NamedHandler>("x-chat");
    auto fallback = std::make_shared<NamedHandler>(QByteArray());
    registry.registerHandler(dedicated);
    registry.setFallback(fallback);
    QCOMPARE(registry.fallback(), fallback.get());
    // The fallback has no token of its own.
    QCOMPARE(registry.tokens(), QList<QByteArray>{"x-chat"});

    UpgradeHandler *want = expected == u"dedicated"_s  ? dedicated.get()
                           : expected == u"fallback"_s ? fallback.get()
                                                       : nullptr;
    QCOMPARE(registry.handler(asked), want);
    QCOMPARE(UpgradeRegistry::isFallbackExcluded(asked), expected == u"none"_s && !asked.isEmpty());
}

void UpgradeRegistryTest::fallbackCanBeRemoved()
{
    UpgradeRegistry registry;
    QCOMPARE(registry.fallback(), nullptr);
    QCOMPARE(registry.handler("tcp"), nullptr); // nothing registered: no handler at all
    auto fallback = std::make_shared<NamedHandler>(QByteArray());
    registry.setFallback(fallback);
    QCOMPARE(registry.handler("tcp"), fallback.get());
    registry.setFallback(nullptr);
    QCOMPARE(registry.fallback(), nullptr);
    QCOMPARE(registry.handler("tcp"), nullptr);
}

QTEST_GUILESS_MAIN(UpgradeRegistryTest)
#include "tst_upgraderegistry.moc"
