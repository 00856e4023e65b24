// The limit names (engine/core/limitregistry): each sets its own member of Limits and nothing
// else, numbers saturate instead of wrapping, and docs/limits.md lists exactly these names.

#include "core/limitregistry.h"

#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <cstring>

using namespace hopscope;
using namespace Qt::StringLiterals;

class TestLimitRegistry : public QObject
{
    Q_OBJECT
private slots:
    void namesAreUniqueAndFindable();
    void eachSetsItsOwnMember();
    void hugeNumbersSaturate();
    void docsListEveryLimit();
};

void TestLimitRegistry::namesAreUniqueAndFindable()
{
    QSet<QString> seen;
    for (const LimitDescriptor &d : limitDescriptors()) {
        const QString name = QString::fromLatin1(d.name);
        QVERIFY2(!seen.contains(name), d.name);
        seen.insert(name);
        QCOMPARE(findLimit(name), &d);
    }
    QCOMPARE(limitNames().size(), seen.size());
    QVERIFY(!findLimit(u"maxheaderbytes"));
    QVERIFY(!findLimit(u""));
}

// Setting one limit changes it and leaves every other at its default: a row that wrote the
// wrong member (a copy-paste slip in the table) fails here.
void TestLimitRegistry::eachSetsItsOwnMember()
{
    const Limits defaults;
    for (const LimitDescriptor &d : limitDescriptors()) {
        Limits l;
        const double value = d.get(defaults) + 7;
        d.set(l, value);
        QCOMPARE(d.get(l), value);
        for (const LimitDescriptor &other : limitDescriptors()) {
            if (&other != &d)
                QVERIFY2(other.get(l) == other.get(defaults),
                         qPrintable(u"setting %1 changed %2"_s.arg(QLatin1String(d.name),
                                                                   QLatin1String(other.name))));
        }
    }
}

void TestLimitRegistry::hugeNumbersSaturate()
{
    Limits l;
    findLimit(u"maxHeaderCount")->set(l, 1e30);
    QCOMPARE(l.maxHeaderCount, std::numeric_limits<int>::max());
    findLimit(u"maxHeaderBytes")->set(l, 1e30);
    QCOMPARE(l.maxHeaderBytes, std::numeric_limits<qsizetype>::max());
    findLimit(u"maxDecodeRatio")->set(l, 2.5);
    QCOMPARE(l.maxDecodeRatio, 2.5);
}

// docs/limits.md's first table ("Limits you can set") has one row per name, in backticks in its
// first column, and no others.
void TestLimitRegistry::docsListEveryLimit()
{
    QFile doc(QStringLiteral(HOPSCOPE_DOCS_DIR "/limits.md"));
    QVERIFY2(doc.open(QIODevice::ReadOnly), qPrintable(doc.fileName()));
    const QString text = QString::fromUtf8(doc.readAll());
    const qsizetype start = text.indexOf(u"## Limits you can set"_s);
    const qsizetype end = text.indexOf(u"\n## "_s, start + 1);
    QVERIFY(start >= 0 && end > start);
    const QString section = text.mid(start, end - start);
    QStringList documented;
    const QRegularExpression row(u"^\\| `([A-Za-z0-9]+)` \\|"_s,
                                 QRegularExpression::MultilineOption);
    for (auto it = row.globalMatch(section); it.hasNext();)
        documented << it.next().captured(1);
    QStringList known = limitNames();
    QCOMPARE(documented, known);
}

QTEST_GUILESS_MAIN(TestLimitRegistry)
#include "tst_limitregistry.moc"
