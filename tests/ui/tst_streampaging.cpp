// StreamPaging, the connections tree's page arithmetic: where the threshold is, how many rows a
// connection and each page show, where a position lands.

#include "models/streampaging.h"

#include <QtTest>

using hopscope::StreamPaging;

class TestStreamPaging : public QObject
{
    Q_OBJECT

private slots:
    void layout_data();
    void layout();
    void positions_data();
    void positions();
    void defaultThreshold();
};

void TestStreamPaging::layout_data()
{
    QTest::addColumn<int>("pageSize");
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("paged");
    QTest::addColumn<int>("children");
    QTest::addColumn<QList<int>>("pageRows");

    QTest::newRow("empty") << 4 << 0 << false << 0 << QList<int>{};
    QTest::newRow("below") << 4 << 3 << false << 3 << QList<int>{};
    QTest::newRow("at") << 4 << 4 << false << 4 << QList<int>{};
    QTest::newRow("one above") << 4 << 5 << true << 2 << QList<int>{4, 1};
    QTest::newRow("two full pages") << 4 << 8 << true << 2 << QList<int>{4, 4};
    QTest::newRow("third page starts") << 4 << 9 << true << 3 << QList<int>{4, 4, 1};
    QTest::newRow("page size 1") << 1 << 3 << true << 3 << QList<int>{1, 1, 1};
    QTest::newRow("100k in 1000s") << 1000 << 100000 << true << 100 << QList<int>{};
    QTest::newRow("100k + 1") << 1000 << 100001 << true << 101 << QList<int>{};
}

void TestStreamPaging::layout()
{
    QFETCH(int, pageSize);
    QFETCH(int, count);
    QFETCH(bool, paged);
    QFETCH(int, children);
    QFETCH(QList<int>, pageRows);
    const StreamPaging p{pageSize};
    QCOMPARE(p.paged(count), paged);
    QCOMPARE(p.childCount(count), children);
    if (!paged)
        return;
    QCOMPARE(p.pageCount(count), children);
    int total = 0;
    for (int page = 0; page < p.pageCount(count); ++page) {
        const int rows = p.pageRowCount(count, page);
        QVERIFY(rows >= 1 && rows <= pageSize);
        if (!pageRows.isEmpty())
            QCOMPARE(rows, pageRows.at(page));
        total += rows;
    }
    QCOMPARE(total, count);
    QCOMPARE(p.pageRowCount(count, p.pageCount(count)), 0);
    QCOMPARE(p.pageRowCount(count, -1), 0);
}

void TestStreamPaging::positions_data()
{
    QTest::addColumn<int>("pageSize");
    QTest::addColumn<int>("pos");
    QTest::addColumn<int>("page");
    QTest::addColumn<int>("row");

    QTest::newRow("first") << 4 << 0 << 0 << 0;
    QTest::newRow("last of first page") << 4 << 3 << 0 << 3;
    QTest::newRow("first of second page") << 4 << 4 << 1 << 0;
    QTest::newRow("middle") << 4 << 10 << 2 << 2;
    QTest::newRow("1000s: 99,999") << 1000 << 99999 << 99 << 999;
    QTest::newRow("1000s: 1,000") << 1000 << 1000 << 1 << 0;
}

void TestStreamPaging::positions()
{
    QFETCH(int, pageSize);
    QFETCH(int, pos);
    QFETCH(int, page);
    QFETCH(int, row);
    const StreamPaging p{pageSize};
    QCOMPARE(p.pageOf(pos), page);
    QCOMPARE(p.rowInPage(pos), row);
    QCOMPARE(p.firstOfPage(page) + row, pos);
}

void TestStreamPaging::defaultThreshold()
{
    const StreamPaging p;
    QCOMPARE(p.pageSize, StreamPaging::kDefaultPageSize);
    QVERIFY(!p.paged(1000));
    QVERIFY(p.paged(1001));
}

QTEST_APPLESS_MAIN(TestStreamPaging)
#include "tst_streampaging.moc"
