// DispatchQueues: one FIFO of waiting requests per pool key, removal by handle, and the keys
// marked as able to make progress (each once, in the order they were marked).

#include "core/exchange.h"
#include "dispatchqueues.h"

#include <QTest>

#include <memory>
#include <vector>

using namespace hopscope;
using namespace Qt::StringLiterals;

class DispatchQueuesTest : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void fifoPerKey();
    void retryGoesFirst();
    void removeByHandle_data();
    void removeByHandle();
    void readyKeysOnceInOrder();

private:
    Exchange *ex(int n) { return m_exchanges.at(n).get(); }
    std::vector<std::unique_ptr<Exchange>> m_exchanges;
};

void DispatchQueuesTest::init()
{
    m_exchanges.clear();
    for (quint32 id = 1; id <= 6; ++id)
        m_exchanges.push_back(std::make_unique<Exchange>(id, RequestSpec{}, nullptr));
}

void DispatchQueuesTest::fifoPerKey()
{
    DispatchQueues q;
    QVERIFY(q.isEmpty());
    QCOMPARE(q.front(u"a"_s), nullptr);
    q.pushBack(u"a"_s, ex(0));
    q.pushBack(u"b"_s, ex(1));
    q.pushBack(u"a"_s, ex(2));
    QCOMPARE(q.size(u"a"_s), 2);
    QCOMPARE(q.size(u"b"_s), 1);
    QCOMPARE(q.front(u"a"_s), ex(0));
    QCOMPARE(q.front(u"b"_s), ex(1));
    QCOMPARE(q.waiting(u"a"_s), (QList<Exchange *>{ex(0), ex(2)}));
    QCOMPARE(q.all().size(), 3);
}

void DispatchQueuesTest::retryGoesFirst()
{
    DispatchQueues q;
    q.pushBack(u"a"_s, ex(0));
    q.pushBack(u"a"_s, ex(1));
    q.pushFront(u"a"_s, ex(2));
    QCOMPARE(q.waiting(u"a"_s), (QList<Exchange *>{ex(2), ex(0), ex(1)}));
}

void DispatchQueuesTest::removeByHandle_data()
{
    QTest::addColumn<int>("removed"); // which of four waiting requests goes (a timeout)
    QTest::newRow("first") << 0;
    QTest::newRow("middle") << 2;
    QTest::newRow("last") << 3;
}

void DispatchQueuesTest::removeByHandle()
{
    QFETCH(int, removed);
    DispatchQueues q;
    QList<DispatchQueues::Handle> handles;
    QList<Exchange *> expected;
    for (int i = 0; i < 4; ++i) {
        handles.append(q.pushBack(u"a"_s, ex(i)));
        if (i != removed)
            expected.append(ex(i));
    }
    q.pushBack(u"b"_s, ex(4));
    q.remove(u"a"_s, handles.at(removed));
    QCOMPARE(q.waiting(u"a"_s), expected);
    QCOMPARE(q.front(u"b"_s), ex(4));
    // The last one out removes the key's queue: many origins leave nothing behind.
    for (int i = 0; i < 4; ++i) {
        if (i != removed)
            q.remove(u"a"_s, handles.at(i));
    }
    QCOMPARE(q.size(u"a"_s), 0);
    QCOMPARE(q.all(), QList<Exchange *>{ex(4)});
}

void DispatchQueuesTest::readyKeysOnceInOrder()
{
    DispatchQueues q;
    QVERIFY(q.takeReady().isEmpty());
    q.markReady(u"b"_s);
    q.markReady(u"a"_s);
    q.markReady(u"b"_s);
    QCOMPARE(q.takeReady(), (QList<QString>{u"b"_s, u"a"_s}));
    QVERIFY(q.takeReady().isEmpty());
    q.markReady(u"a"_s); // marked again after it was taken
    QCOMPARE(q.takeReady(), QList<QString>{u"a"_s});
}

QTEST_GUILESS_MAIN(DispatchQueuesTest)
#include "tst_dispatchqueues.moc"
