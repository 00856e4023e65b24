// Where a timeline phase's label starts: clear of the glyphs drawn on the phase (issue 14: the
// offer's ◇, recorded a moment after its request began, sat on "HTTP/1.1 request").

#include "views/timelinestyle.h"

#include <QTest>

using namespace hopscope;

class TestTimelineLabels : public QObject
{
    Q_OBJECT
private slots:
    void labelLeftClearOf_data()
    {
        QTest::addColumn<QList<double>>("glyphs");
        QTest::addColumn<double>("expected");
        // The text spans 100..160; glyphs are 10 wide (5 each side).
        QTest::newRow("no glyph") << QList<double>{} << 100.0;
        QTest::newRow("glyph on the text") << QList<double>{120.0} << 127.0;
        QTest::newRow("glyph at the start (the switch)") << QList<double>{100.0} << 107.0;
        QTest::newRow("glyph just before the text") << QList<double>{94.0} << 100.0;
        QTest::newRow("glyph past the text") << QList<double>{170.0} << 100.0;
        // Pushed past the first, the text then covers the second: past that one too.
        QTest::newRow("two glyphs, in any order") << QList<double>{180.0, 110.0} << 187.0;
    }
    void labelLeftClearOf()
    {
        QFETCH(QList<double>, glyphs);
        QFETCH(double, expected);
        QCOMPARE(TimelineStyle::labelLeftClearOf(100.0, 60.0, glyphs, 5.0), expected);
    }
};

QTEST_MAIN(TestTimelineLabels)
#include "tst_timelinelabels.moc"
