#include "session/bodystore.h"

#include <QTest>

using namespace hopscope;

namespace {

ExchangeBody makeBody(quint32 req, const QByteArray &wire, const QByteArray &decoded = {},
                      const QByteArray &request = {})
{
    ExchangeBody b;
    b.req = req;
    b.contentType = "text/plain; charset=utf-8";
    b.wire = wire;
    b.decoded = decoded.isNull() ? wire : decoded;
    b.requestBody = request;
    return b;
}

} // namespace

class TestBodyStore : public QObject
{
    Q_OBJECT
private slots:
    void keepsWhatItWasGiven_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<QByteArray>("decoded");
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("encoding");
        QTest::addColumn<qint64>("kept");

        QTest::newRow("empty") << QByteArray() << QByteArray() << QByteArray() << QByteArray()
                               << qint64(0);
        QTest::newRow("identity, kept once") << QByteArray("hello") << QByteArray("hello")
                                             << QByteArray() << QByteArray() << qint64(5);
        QTest::newRow("gzip: wire and decoded differ")
            << QByteArray("\x1f\x8b\x08zz", 5) << QByteArray("hello world") << QByteArray()
            << QByteArray("gzip") << qint64(16);
        QTest::newRow("with a request body") << QByteArray("ok") << QByteArray("ok")
                                             << QByteArray("a=1&b=2") << QByteArray() << qint64(9);
        QTest::newRow("binary with NULs") << QByteArray("\0\1\2\0", 4) << QByteArray("\0\1\2\0", 4)
                                          << QByteArray("\0", 1) << QByteArray() << qint64(5);
        QTest::newRow("larger than a block")
            << QByteArray(300 * 1024, 'w') << QByteArray(300 * 1024, 'w') << QByteArray()
            << QByteArray() << qint64(300 * 1024);
    }

    void keepsWhatItWasGiven()
    {
        QFETCH(QByteArray, wire);
        QFETCH(QByteArray, decoded);
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, encoding);
        QFETCH(qint64, kept);

        BodyStore store;
        // Neighbours on both sides, so that offsets inside a shared block are exercised.
        store.add(makeBody(1, "before"));
        ExchangeBody b = makeBody(2, wire, decoded, request);
        b.contentEncoding = encoding;
        b.wireTruncated = true;
        store.add(b);
        store.add(makeBody(3, "after"));

        const std::optional<ExchangeBody> got = store.body(2);
        QVERIFY(got);
        QCOMPARE(got->req, 2u);
        QCOMPARE(got->wire, wire);
        QCOMPARE(got->decoded, decoded);
        QCOMPARE(got->requestBody, request);
        QCOMPARE(got->contentType, QByteArray("text/plain; charset=utf-8"));
        QCOMPARE(got->contentEncoding, encoding);
        QVERIFY(got->wireTruncated);
        QVERIFY(!got->decodedTruncated);
        QCOMPARE(store.body(1)->wire, QByteArray("before"));
        QCOMPARE(store.body(3)->wire, QByteArray("after"));

        const std::optional<BodyInfo> info = store.info(2);
        QVERIFY(info);
        QCOMPARE(info->wireSize, wire.size());
        QCOMPARE(info->decodedSize, decoded.size());
        QCOMPARE(info->requestSize, request.size());
        QCOMPARE(info->contentEncoding, encoding);
        QCOMPARE(store.bytes(), kept + 6 + 5);
    }

    void unknownRequestHasNone()
    {
        BodyStore store;
        store.add(makeBody(1, "x"));
        QVERIFY(!store.body(2));
        QVERIFY(!store.info(2));
        QVERIFY(!store.evicted(2));
    }

    void replacingABodyKeepsTheNewOne()
    {
        BodyStore store;
        store.add(makeBody(1, "first"));
        store.add(makeBody(2, "other"));
        store.add(makeBody(1, "second, longer"));
        QCOMPARE(store.body(1)->wire, QByteArray("second, longer"));
        QCOMPARE(store.body(2)->wire, QByteArray("other"));
        QCOMPARE(store.bytes(), qint64(14 + 5));
    }

    void budgetDropsTheOldestFirst_data()
    {
        QTest::addColumn<int>("bodySize");
        QTest::addColumn<int>("bodies");
        QTest::addColumn<qint64>("budget");
        QTest::addColumn<int>("firstKept");

        QTest::newRow("small bodies in shared blocks") << 64 << 10000 << qint64(64 * 1000) << 9001;
        QTest::newRow("large bodies, a block each") << 100 * 1024 << 20 << qint64(500 * 1024) << 16;
        QTest::newRow("everything fits") << 10 << 100 << qint64(1000) << 1;
    }

    void budgetDropsTheOldestFirst()
    {
        QFETCH(int, bodySize);
        QFETCH(int, bodies);
        QFETCH(qint64, budget);
        QFETCH(int, firstKept);

        BodyStore store;
        store.setBudget(budget);
        for (int req = 1; req <= bodies; ++req)
            store.add(makeBody(quint32(req), QByteArray(bodySize, char('a' + req % 26))));
        QVERIFY(store.bytes() <= budget);
        for (int req = 1; req <= bodies; ++req) {
            const bool kept = req >= firstKept;
            QCOMPARE(bool(store.body(quint32(req))), kept);
            QCOMPARE(store.evicted(quint32(req)), !kept);
            if (kept)
                QCOMPARE(store.body(quint32(req))->wire,
                         QByteArray(bodySize, char('a' + req % 26)));
        }
    }

    void loweringTheBudgetEvictsAtOnce()
    {
        BodyStore store;
        for (quint32 req = 1; req <= 4; ++req)
            store.add(makeBody(req, QByteArray(100, 'x')));
        store.setBudget(250);
        QVERIFY(store.evicted(1) && store.evicted(2));
        QVERIFY(store.body(3) && store.body(4));
        QCOMPARE(store.bytes(), qint64(200));
    }

    void aBodyAddedAgainAfterEvictionIsKept()
    {
        BodyStore store;
        store.setBudget(10);
        store.add(makeBody(1, "0123456789"));
        store.add(makeBody(2, "abcdefghij"));
        QVERIFY(store.evicted(1));
        store.add(makeBody(1, "again"));
        QVERIFY(!store.evicted(1));
        QCOMPARE(store.body(1)->wire, QByteArray("again"));
    }

    void clearForgetsEverything()
    {
        BodyStore store;
        store.setBudget(5);
        store.add(makeBody(1, "abcdef"));
        store.add(makeBody(2, "xyz"));
        QVERIFY(store.evicted(1));
        store.clear();
        QVERIFY(!store.body(2));
        QVERIFY(!store.evicted(1));
        QCOMPARE(store.bytes(), qint64(0));
        store.add(makeBody(7, "new"));
        QCOMPARE(store.body(7)->wire, QByteArray("new"));
        QCOMPARE(store.body(7)->contentType, QByteArray("text/plain; charset=utf-8"));
    }
};

QTEST_GUILESS_MAIN(TestBodyStore)
#include "tst_bodystore.moc"
