// File ▸ Export HAR on a real window: after the demo tour (the engine thread, the embedded demo
// server, the bodies the store kept), for the selection in the tree, and from a read-only saved
// trace, which has no bodies. Every export is checked against the HAR 1.2 structure.

#include "harvalidator.h"

#include "mainwindow.h"
#include "models/connectiontreemodel.h"
#include "session/sessionstore.h"
#include "widgets/connectionspanel.h"

#include <QAction>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMenuBar>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace hopscope;
using namespace Qt::StringLiterals;

namespace {

QJsonObject readHar(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

QJsonArray entriesOf(const QJsonObject &har)
{
    return har.value(u"log"_s).toObject().value(u"entries"_s).toArray();
}

QList<qint64> requestsOf(const QJsonArray &entries)
{
    QList<qint64> out;
    for (const QJsonValue &e : entries)
        out << e.toObject().value(u"_hopscope"_s).toObject().value(u"request"_s).toInteger();
    std::sort(out.begin(), out.end());
    return out;
}

QAction *fileAction(MainWindow *w, const QString &objectName)
{
    for (QAction *menu : w->menuBar()->actions()) {
        if (!menu->menu())
            continue;
        for (QAction *a : menu->menu()->actions()) {
            if (a->objectName() == objectName)
                return a;
        }
    }
    return nullptr;
}

} // namespace

class TestHarExport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void tourExportsEveryExchange();
    void savedTraceExportsWithoutBodies();

private:
    QTemporaryDir m_dir;
};

void TestHarExport::tourExportsEveryExchange()
{
    MainWindow::Options options;
    options.runTour = true;
    options.restoreSettings = false;
    MainWindow w(options);
    w.resize(1400, 900);
    w.show();
    QVERIFY(fileAction(&w, u"exportHar"_s));
    QVERIFY(fileAction(&w, u"exportHarSelection"_s));
    QSignalSpy finished(&w, &MainWindow::tourFinished);
    QVERIFY(finished.wait(30000));
    SessionStore *store = w.store();
    QTRY_COMPARE_WITH_TIMEOUT(store->completeCount(), 9, 5000);
    QTRY_VERIFY(store->body(1) && store->body(5));

    // The whole session.
    const QString path = m_dir.filePath(u"session.har"_s);
    QString error;
    QVERIFY2(w.exportHar(path, false, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    HOPSCOPE_VERIFY_HAR(file.readAll());
    const QJsonObject har = readHar(path);
    const QJsonArray entries = entriesOf(har);
    QCOMPARE(entries.size(), store->exchangeCount());
    QVERIFY(har.value(u"log"_s).toObject().value(u"comment"_s).toString().contains(u"redacted"_s));
    bool sawBody = false, sawWebSocket = false, sawHttp3 = false;
    for (const QJsonValue &v : entries) {
        const QJsonObject e = v.toObject();
        const quint32 req = quint32(e.value(u"_hopscope"_s).toObject().value(u"request"_s).toInt());
        const QJsonObject content =
            e.value(u"response"_s).toObject().value(u"content"_s).toObject();
        if (const std::optional<ExchangeBody> body = store->body(req);
            body && !body->decoded.isEmpty() &&
            e.value(u"response"_s).toObject().value(u"status"_s).toInt() != 101) {
            const QString text = content.value(u"text"_s).toString();
            const QByteArray bytes = content.value(u"encoding"_s) == u"base64"_s
                                         ? QByteArray::fromBase64(text.toLatin1())
                                         : text.toUtf8();
            QCOMPARE(bytes, body->decoded);
            sawBody = true;
        }
        sawWebSocket |= !e.value(u"_webSocketMessages"_s).toArray().isEmpty();
        sawHttp3 |= e.value(u"response"_s).toObject().value(u"httpVersion"_s) == u"h3"_s;
        // Each entry's connection is the store's.
        QCOMPARE(e.value(u"connection"_s).toString(), QString::number(store->exchange(req)->conn));
    }
    QVERIFY(sawBody);
    QVERIFY(sawWebSocket);
    QVERIFY(sawHttp3); // the tour's last chapter, over QUIC
    // startedDateTime is wall-clock time of this run.
    const QDateTime first = QDateTime::fromString(
        entries.at(0).toObject().value(u"startedDateTime"_s).toString(), Qt::ISODateWithMs);
    QVERIFY(qAbs(first.secsTo(QDateTime::currentDateTime())) < 120);

    // The selection: one exchange, then a whole connection.
    w.selectExchange(3);
    QCOMPARE(w.connectionsPanel()->currentExchange(), 3u);
    const QString one = m_dir.filePath(u"one.har"_s);
    QVERIFY2(w.exportHar(one, true, &error), qPrintable(error));
    HOPSCOPE_VERIFY_HAR(readHar(one));
    QCOMPARE(requestsOf(entriesOf(readHar(one))), QList<qint64>({3}));

    w.connectionsPanel()->selectConnection(1);
    QCOMPARE(w.connectionsPanel()->currentExchange(), 0u);
    const QString conn = m_dir.filePath(u"conn.har"_s);
    QVERIFY2(w.exportHar(conn, true, &error), qPrintable(error));
    QList<qint64> expected;
    for (const quint32 req : store->connection(1)->exchanges)
        expected << req;
    std::sort(expected.begin(), expected.end());
    QCOMPARE(requestsOf(entriesOf(readHar(conn))), expected);

    // A page row (connection 1's three exchanges in pages of two): the page's exchanges.
    ConnectionsPanel *panel = w.connectionsPanel();
    panel->model()->setPageSize(2);
    const QModelIndex page = panel->model()->index(0, 0, panel->model()->indexForConnection(1));
    QVERIFY(panel->model()->isPage(page));
    panel->view()->setCurrentIndex(panel->proxyModel()->mapFromSource(page));
    const QString pageHar = m_dir.filePath(u"page.har"_s);
    QVERIFY2(w.exportHar(pageHar, true, &error), qPrintable(error));
    HOPSCOPE_VERIFY_HAR(readHar(pageHar));
    QList<qint64> firstTwo{store->connection(1)->exchanges.at(0),
                           store->connection(1)->exchanges.at(1)};
    std::sort(firstTwo.begin(), firstTwo.end());
    QCOMPARE(requestsOf(entriesOf(readHar(pageHar))), firstTwo);
    panel->model()->setPageSize(StreamPaging::kDefaultPageSize);
    panel->selectConnection(1);

    // Secrets kept on request: the log no longer says they were redacted.
    w.harSecretsAction()->setChecked(true);
    QVERIFY2(w.exportHar(path, false, &error), qPrintable(error));
    QVERIFY(!readHar(path).value(u"log"_s).toObject().contains(u"comment"_s));
}

void TestHarExport::savedTraceExportsWithoutBodies()
{
    const QString trace = m_dir.filePath(u"tour.jsonl"_s);
    QVERIFY(QFile::copy(QStringLiteral(HOPSCOPE_UI_TEST_DATA "/tour.jsonl"), trace));
    MainWindow::Options options;
    options.traceFile = trace;
    options.restoreSettings = false;
    MainWindow w(options);
    const QString path = m_dir.filePath(u"saved.har"_s);
    QString error;
    QVERIFY2(w.exportHar(path, false, &error), qPrintable(error));
    const QJsonObject har = readHar(path);
    HOPSCOPE_VERIFY_HAR(har);
    const QJsonArray entries = entriesOf(har);
    QCOMPARE(entries.size(), w.store()->exchangeCount());
    bool saidNotKept = false;
    for (const QJsonValue &v : entries) {
        const QJsonObject content =
            v.toObject().value(u"response"_s).toObject().value(u"content"_s).toObject();
        QVERIFY(!content.contains(u"text"_s));
        saidNotKept |= content.value(u"comment"_s).toString().contains(u"not kept"_s);
    }
    QVERIFY(saidNotKept);
    // The file's time stands for its last event: every entry started before it.
    const QDateTime written = QFileInfo(trace).lastModified();
    for (const QJsonValue &v : entries) {
        const QDateTime started = QDateTime::fromString(
            v.toObject().value(u"startedDateTime"_s).toString(), Qt::ISODateWithMs);
        QVERIFY(started <= written);
        QVERIFY(started.secsTo(written) < 10);
    }
    // Nothing selected: the selection export says so instead of writing an empty HAR.
    QVERIFY(!w.exportHar(m_dir.filePath(u"none.har"_s), true, &error));
    QVERIFY(!error.isEmpty());
}

QTEST_MAIN(TestHarExport)
#include "tst_harexport.moc"
