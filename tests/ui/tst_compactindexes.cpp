// The window's compact per-exchange storage (issue 9): EventIndexList keeps up to ten event
// indices inside itself and the rest on the heap; StableArray grows in blocks without moving
// what it holds. Both must behave as the QList and std::deque they replaced.

#include "session/eventindexlist.h"
#include "session/stablearray.h"

#include <QList>
#include <QTest>

#include <string>
#include <utility>

using namespace hopscope;

namespace {

QList<int> toList(const EventIndexList &l)
{
    return QList<int>(l.begin(), l.end());
}

QList<int> counting(int n, int from = 100)
{
    QList<int> out;
    for (int i = 0; i < n; ++i)
        out.append(from + i * 3);
    return out;
}

EventIndexList filled(const QList<int> &values)
{
    EventIndexList l;
    for (int v : values)
        l.append(v);
    return l;
}

} // namespace

class CompactIndexesTest : public QObject
{
    Q_OBJECT

private slots:
    void eventIndexList_data()
    {
        QTest::addColumn<int>("count");
        QTest::newRow("empty") << 0;
        QTest::newRow("one") << 1;
        QTest::newRow("a flood's nine") << 9;
        QTest::newRow("inline, full") << int(EventIndexList::kInline);
        QTest::newRow("one past inline") << int(EventIndexList::kInline) + 1;
        QTest::newRow("a download's frames") << 5000;
    }
    void eventIndexList()
    {
        QFETCH(int, count);
        const QList<int> expected = counting(count);
        EventIndexList l = filled(expected);
        QCOMPARE(l.size(), expected.size());
        QCOMPARE(l.isEmpty(), expected.isEmpty());
        QCOMPARE(toList(l), expected);
        if (count > 0) {
            QCOMPARE(l.first(), expected.first());
            QCOMPARE(l.last(), expected.last());
            QCOMPARE(l.at(count / 2), expected.at(count / 2));
            QCOMPARE(*l.crbegin(), expected.last());
        }
        QList<int> reversed(l.crbegin(), l.crend());
        std::reverse(reversed.begin(), reversed.end());
        QCOMPARE(reversed, expected);

        // Copies are deep, moves leave the source empty, squeeze keeps every index.
        EventIndexList copy = l;
        l.append(7);
        QCOMPARE(toList(copy), expected);
        QCOMPARE(l.last(), 7);
        EventIndexList assigned;
        assigned.append(1);
        assigned = copy;
        QCOMPARE(toList(assigned), expected);
        EventIndexList moved = std::move(copy);
        QCOMPARE(toList(moved), expected);
        QVERIFY(copy.isEmpty());
        copy.append(42); // a moved-from list is usable
        QCOMPARE(toList(copy), QList<int>{42});
        EventIndexList moveAssigned = filled(counting(30, 1));
        moveAssigned = std::move(moved);
        QCOMPARE(toList(moveAssigned), expected);
        moveAssigned.squeeze();
        QCOMPARE(toList(moveAssigned), expected);
        moveAssigned.append(5);
        QCOMPARE(moveAssigned.size(), expected.size() + 1);
        QCOMPARE(moveAssigned.last(), 5);
    }

    // Squeezing a list that grew on the heap keeps every index, and it grows again after.
    void squeezeThenGrow()
    {
        EventIndexList l = filled(counting(11)); // capacity 20 on the heap
        l.squeeze();
        QCOMPARE(toList(l), counting(11));
        l.append(1);
        QCOMPARE(l.size(), 12);
        QCOMPARE(l.last(), 1);
        QCOMPARE(l.at(10), counting(11).last());
        EventIndexList small = filled(counting(3)); // inline: nothing to give back
        small.squeeze();
        QCOMPARE(toList(small), counting(3));
    }

    void stableArray_data()
    {
        QTest::addColumn<int>("count");
        QTest::newRow("empty") << 0;
        QTest::newRow("one") << 1;
        QTest::newRow("a block") << 256;
        QTest::newRow("a block and one") << 257;
        QTest::newRow("many blocks") << 10'000;
    }
    // References stay valid as it grows; growTo default-constructs; clear empties it.
    void stableArray()
    {
        QFETCH(int, count);
        StableArray<std::string> a;
        QVERIFY(a.empty());
        a.push_back("first");
        const std::string *first = &a[0];
        for (int i = 1; i < count; ++i)
            a.push_back(std::to_string(i));
        QCOMPARE(a.size(), size_t(qMax(count, 1)));
        QCOMPARE(&a[0], first);
        QCOMPARE(a[0], std::string("first"));
        if (count > 1)
            QCOMPARE(a[size_t(count - 1)], std::to_string(count - 1));

        const size_t before = a.size();
        a.growTo(before + 300);
        QCOMPARE(a.size(), before + 300);
        QVERIFY(a[before + 299].empty());
        QCOMPARE(&a[0], first);
        a.growTo(1); // never shrinks
        QCOMPARE(a.size(), before + 300);

        a.clear();
        QVERIFY(a.empty());
        a.growTo(2);
        QVERIFY(a[1].empty());
    }
};

QTEST_GUILESS_MAIN(CompactIndexesTest)
#include "tst_compactindexes.moc"
