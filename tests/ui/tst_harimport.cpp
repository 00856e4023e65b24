// A HAR opened in the window (File ▸ Open, `hopscope FILE.har`): read-only like a saved trace,
// chosen by content whatever the file is called, its exchanges in the tree and on the timeline
// at their real start times and durations, its bodies in the store, and the notice above the
// panes saying what a HAR cannot show, and naming what it could not read.

#include "mainwindow.h"
#include "models/connectiontreemodel.h"
#include "models/headersmodel.h"
#include "models/timelinemodel.h"
#include "session/sessionstore.h"
#include "widgets/connectionspanel.h"
#include "widgets/requestcomposer.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QLabel>
#include <QTemporaryDir>
#include <QTest>

using namespace hopscope;
using namespace Qt::StringLiterals;

namespace {

const QString kChrome = QStringLiteral(HOPSCOPE_UI_TEST_DATA "/../../unit/data/har/chrome.har");

QString copyTo(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

QByteArray chromeBytes()
{
    QFile f(kChrome);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing %s", qPrintable(kChrome));
    return f.readAll();
}

MainWindow::Options optionsFor(const QString &path)
{
    MainWindow::Options options;
    options.traceFile = path;
    options.startDemo = false;
    options.restoreSettings = false;
    return options;
}

} // namespace

class HarImportWindowTest : public QObject
{
    Q_OBJECT

private slots:
    void chromeHarOpens_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow(".har") << u"shop.har"_s;
        QTest::newRow(".json") << u"shop.json"_s; // by content, not by name
        QTest::newRow("no extension") << u"capture"_s;
    }

    void chromeHarOpens()
    {
        QFETCH(QString, name);
        QTemporaryDir dir;
        MainWindow w(optionsFor(copyTo(dir, name, chromeBytes())));
        QAbstractItemModelTester tree(w.connectionsPanel()->model(),
                                      QAbstractItemModelTester::FailureReportingMode::QtTest);

        // Read-only, like a saved trace.
        QVERIFY(w.isReadOnly());
        QVERIFY(!w.composer()->isEnabled());
        QVERIFY(w.windowTitle().contains(name));

        // Seven exchanges on four connections: the three h2 requests and the POST share
        // Chrome's connection 48213; the font, the blocked tracker and the WebSocket have
        // their own.
        const SessionStore *store = w.store();
        QCOMPARE(store->exchangeCount(), 7);
        QCOMPARE(store->connectionCount(), 4);
        QCOMPARE(store->completeCount(), 6);
        QCOMPARE(store->failedCount(), 1);
        QCOMPARE(w.connectionsPanel()->model()->rowCount(), 4);
        const QModelIndex first = w.connectionsPanel()->model()->index(0, 0);
        QCOMPARE(w.connectionsPanel()->model()->rowCount(first), 4);
        QVERIFY2(first.data().toString().contains(u"h2"_s), qPrintable(first.data().toString()));
        QCOMPARE(store->exchange(1)->protocol, u"h2"_s);
        QCOMPARE(store->exchange(4)->protocol, u"HTTP/1.1"_s);
        QCOMPARE(store->exchange(7)->kind, ExchangeInfo::Kind::WebSocket);
        QCOMPARE(store->exchange(5)->error, u"net::ERR_BLOCKED_BY_CLIENT"_s);
        QCOMPARE(store->exchange(5)->errorCode, u"net::ERR_BLOCKED_BY_CLIENT"_s);
        QCOMPARE(store->exchange(2)->errorCode, QString());

        // Real start times and durations: the stylesheet starts 197 ms after the document and
        // takes its `time`; the wall clock is the document's startedDateTime.
        QCOMPARE(store->exchange(1)->startNs, 0);
        QCOMPARE(store->exchange(1)->durationMs(), 187.42);
        QCOMPARE(store->exchange(2)->startNs, qint64(197'000'000));
        QCOMPARE(store->exchange(2)->durationMs(), 24.9);
        QCOMPARE(store->traceStart().toMSecsSinceEpoch(),
                 QDateTime::fromString(u"2024-05-14T09:12:03.104Z"_s, Qt::ISODateWithMs)
                     .toMSecsSinceEpoch());

        // On the timeline: a lane per connection, a bar per exchange, ending where it ended.
        const TimelineModel *timeline = w.timelineModel();
        QCOMPARE(timeline->laneCount(), 4);
        for (quint32 req = 1; req <= 7; ++req) {
            const TimelineBar *bar = timeline->bar(req);
            QVERIFY2(bar && bar->isValid(), qPrintable(u"req %1 has no bar"_s.arg(req)));
            QCOMPARE(bar->endNs, store->exchange(req)->endNs);
        }
        QCOMPARE(timeline->bar(2)->conn, timeline->bar(1)->conn);
        QVERIFY(timeline->bar(5)->failed);

        // Bodies: the PNG decoded from base64, the POST's request body.
        QVERIFY(store->body(3).has_value());
        QVERIFY(store->body(3)->decoded.startsWith("\x89PNG"));
        QCOMPARE(store->body(6)->requestBody, QByteArray(R"({"sku":"A-1043","qty":2})"));

        // The notice says what a HAR cannot show, and nothing went wrong.
        QVERIFY(w.traceNotice()->isVisibleTo(&w));
        const QString notice = w.traceNotice()->text();
        QVERIFY2(notice.contains(u"HAR has no frame-level detail: no frames, no byte-level "
                                 "reads"_s),
                 qPrintable(notice));
        QVERIFY2(notice.contains(u"WebInspector 537.36"_s), qPrintable(notice));
        QVERIFY2(notice.contains(u"7 exchanges"_s), qPrintable(notice));
        QVERIFY2(!notice.contains(u"⚠"_s), qPrintable(notice));
    }

    // The Headers tab over imported heads: no stream id a HAR does not have, the version the
    // HAR said, and Firefox's h2 heads (no pseudo-headers) still name their method and path.
    void headerBlocksSayWhatTheHarSaid_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<quint32>("req");
        QTest::addColumn<QStringList>("titles");
        QTest::addColumn<QStringList>("firstLines");
        QTest::newRow("chrome h2")
            << kChrome << 1u
            << QStringList{u"HTTP/2 request (conn #1)"_s, u"HTTP/2 response (conn #1)"_s}
            << QStringList{u"GET / HTTP/2"_s, u"HTTP/2 200"_s};
        QTest::newRow("firefox h2")
            << QStringLiteral(HOPSCOPE_UI_TEST_DATA "/../../unit/data/har/firefox.har") << 2u
            << QStringList{u"HTTP/2 request (conn #1)"_s, u"HTTP/2 response (conn #1)"_s}
            << QStringList{u"GET /guide/style.css HTTP/2"_s, u"HTTP/2 304"_s};
        QTest::newRow("mitmproxy HTTP/1.1 answered in 1.0")
            << QStringLiteral(HOPSCOPE_UI_TEST_DATA "/../../unit/data/har/mitmproxy.har") << 2u
            << QStringList{u"HTTP/1.1 request (conn #2)"_s, u"HTTP/1.0 response (conn #2)"_s}
            << QStringList{u"GET /status HTTP/1.1"_s, u"HTTP/1.0 302 Found"_s};
    }

    void headerBlocksSayWhatTheHarSaid()
    {
        QFETCH(QString, file);
        QFETCH(quint32, req);
        QFETCH(QStringList, titles);
        QFETCH(QStringList, firstLines);
        MainWindow w(optionsFor(file));
        HeadersModel headers(w.store());
        QAbstractItemModelTester tester(&headers,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        headers.setExchange(req);
        QCOMPARE(headers.blockCount(), titles.size());
        for (int i = 0; i < titles.size(); ++i) {
            QCOMPARE(headers.blockTitle(i), titles.at(i));
            QCOMPARE(headers.firstLine(i), firstLines.at(i));
        }
    }

    // What could not be read is named in the notice, where it is in the file.
    void brokenHarSaysWhere_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<int>("exchanges");
        QTest::addColumn<QString>("says");

        QByteArray oneBad = chromeBytes();
        // The stylesheet's URL, renamed: entry 1 has none.
        oneBad.replace("\"url\": \"https:/"
                       "/shop.example.com/app.css?v=3\"",
                       "\"uri\": \"x\"");
        QTest::newRow("entry without url")
            << oneBad << 6 << u"log.entries[1].request.url missing: entry skipped"_s;
        QTest::newRow("not JSON") << QByteArray(R"({"log": {"entries": [}})") << 0
                                  << u"is not JSON: object is missing after a comma at offset 22"_s;
        QTest::newRow("no entries")
            << QByteArray(R"({"log": {"version": "1.2"}})") << 0 << u"log.entries missing"_s;
        QTest::newRow("empty") << QByteArray(R"({"log": {"entries": []}})") << 0
                               << u"The HAR holds no entry that could be read."_s;
        // Named .har, so the HAR reader says what is wrong even though `log` is not first.
        QTest::newRow("log not first")
            << QByteArray(R"({"version": "1.2", "log": {"entries": []}})") << 0
            << u"The HAR holds no entry that could be read."_s;
        QTest::newRow("array") << QByteArray("[]") << 0
                               << u"is no HAR: the document is not a JSON object"_s;
    }

    void brokenHarSaysWhere()
    {
        QFETCH(QByteArray, content);
        QFETCH(int, exchanges);
        QFETCH(QString, says);
        QTemporaryDir dir;
        MainWindow w(optionsFor(copyTo(dir, u"broken.har"_s, content)));
        QAbstractItemModelTester tree(w.connectionsPanel()->model(),
                                      QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(w.store()->exchangeCount(), exchanges);
        QVERIFY(w.traceNotice()->isVisibleTo(&w));
        QVERIFY2(w.traceNotice()->text().contains(says), qPrintable(w.traceNotice()->text()));
        QVERIFY(w.traceNotice()->text().contains(u"⚠"_s));
    }
};

QTEST_MAIN(HarImportWindowTest)
#include "tst_harimport.moc"
