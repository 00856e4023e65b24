// withSecretsRedacted (engine/trace/traceredaction): what the window's JSON-lines export writes
// by default. Secret header values and URL passwords become "[redacted]"; everything else,
// order and kinds included, is as recorded.

#include "trace/jsonlineswriter.h"
#include "trace/traceredaction.h"

#include <QTest>

using namespace hopscope;
using namespace Qt::StringLiterals;

namespace {

TraceRecord head(EventType type, quint64 seq)
{
    TraceRecord r;
    r.seq = seq;
    r.tNs = qint64(seq) * 1000;
    r.type = type;
    r.scope = {1, 1, -1};
    return r;
}

QByteArray json(const TraceEvent &ev)
{
    QByteArray out;
    JsonLinesWriter::appendJson(out, ev);
    return out;
}

} // namespace

class TraceRedactionTest : public QObject
{
    Q_OBJECT
private slots:
    void redacts_data();
    void redacts();
    void eventsWithoutSecretsAreCopiedUnchanged();
};

void TraceRedactionTest::redacts_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<HeaderList>("headers");
    QTest::addColumn<QString>("url");
    QTest::addColumn<int>("redacted");
    QTest::addColumn<QList<QByteArray>>("gone");  // never in the output
    QTest::addColumn<QList<QByteArray>>("stays"); // in the output, in this order

    QTest::newRow("HTTP/1.1 Authorization")
        << int(EventType::H1Request)
        << HeaderList{{"Host", "a"}, {"Authorization", "Bearer s3cret"}, {"Accept", "*/*"}}
        << QString() << 1 << QList<QByteArray>{"s3cret"}
        << QList<QByteArray>{"\"Host\",\"a\"", "\"Authorization\",\"[redacted]\"", "\"Accept\""};
    QTest::newRow("HTTP/2 cookie, lower case")
        << int(EventType::H2Headers)
        << HeaderList{{":method", "GET"}, {"cookie", "sid=42"}, {"cookie", "theme=dark"}}
        << QString() << 2 << QList<QByteArray>{"sid=42", "theme=dark"}
        << QList<QByteArray>{"\":method\",\"GET\"", "\"cookie\",\"[redacted]\""};
    QTest::newRow("Set-Cookie and Proxy-Authorization")
        << int(EventType::H1Response)
        << HeaderList{{"Set-Cookie", "a=1"}, {"PROXY-AUTHORIZATION", "Basic eA=="}} << QString()
        << 2 << QList<QByteArray>{"a=1", "eA=="}
        << QList<QByteArray>{"\"Set-Cookie\",\"[redacted]\""};
    QTest::newRow("a URL's password, not its user")
        << int(EventType::RequestStart) << HeaderList{} << u"http://bob:hunter2@h.test/p"_s << 1
        << QList<QByteArray>{"hunter2"} << QList<QByteArray>{"bob:", "@h.test/p"};
    QTest::newRow("a URL without a password")
        << int(EventType::RequestStart) << HeaderList{} << u"http://bob@h.test/p?a=1"_s << 0
        << QList<QByteArray>{"[redacted]"} << QList<QByteArray>{"http://bob@h.test/p?a=1"};
}

void TraceRedactionTest::redacts()
{
    QFETCH(int, type);
    QFETCH(HeaderList, headers);
    QFETCH(QString, url);
    QFETCH(int, redacted);
    QFETCH(QList<QByteArray>, gone);
    QFETCH(QList<QByteArray>, stays);

    TraceBatch in;
    FieldWriter w = in.append(head(EventType(type), 1));
    if (!url.isEmpty())
        w.text(Field::Url, url);
    if (!headers.isEmpty())
        w.headers(Field::Headers, headers);
    w.integer(Field::Bytes, 7);
    int count = -1;
    const TraceBatch out = withSecretsRedacted(in, &count);
    QCOMPARE(count, redacted);
    QCOMPARE(out.size(), 1);
    const QByteArray line = json(out.at(0));
    for (const QByteArray &g : gone)
        QVERIFY2(!line.contains(g), line.constData());
    qsizetype at = 0;
    for (const QByteArray &s : stays) {
        const qsizetype found = line.indexOf(s, at);
        QVERIFY2(found >= 0, qPrintable(QString::fromUtf8(s + " in " + line)));
        at = found;
    }
    // The other fields, and where they are, are the recorded ones.
    QCOMPARE(out.at(0).field(Field::Bytes).toInteger(), 7);
    QCOMPARE(out.at(0).seq, in.at(0).seq);
    QCOMPARE(out.at(0).type, in.at(0).type);
    QCOMPARE(out.at(0).field(Field::Headers).size(), in.at(0).field(Field::Headers).size());
}

void TraceRedactionTest::eventsWithoutSecretsAreCopiedUnchanged()
{
    TraceBatch in;
    in.append(head(EventType::H1Request, 1))
        .headers(Field::Headers, {{"Host", "a"}, {"X-Auth-Hint", "none"}})
        .bytes(Field::Data, QByteArray("\xff\x00", 2))
        .millis(Field::Ms, 0, 1'250'000);
    in.append(head(EventType::NetRead, 2)).integer(Field::Bytes, 10);
    int count = -1;
    const TraceBatch out = withSecretsRedacted(in, &count);
    QCOMPARE(count, 0);
    QCOMPARE(out.size(), in.size());
    for (qsizetype i = 0; i < in.size(); ++i)
        QCOMPARE(QByteArray(out.at(i).fieldData, out.at(i).fieldSize),
                 QByteArray(in.at(i).fieldData, in.at(i).fieldSize));
}

QTEST_GUILESS_MAIN(TraceRedactionTest)
#include "tst_traceredaction.moc"
