// SessionStore: the GUI thread's indexes over the trace, fed in batches.

#include "models/timelinemodel.h"
#include "session/sessionstore.h"
#include "tracefixture.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace hopscope;
using namespace hopscope::testing;

class TestSessionStore : public QObject
{
    Q_OBJECT

    static void feed(SessionStore &store, const TraceBatch &all, int batchSize)
    {
        for (qsizetype i = 0; i < all.size(); i += batchSize)
            store.append(all.mid(i, batchSize));
    }

private slots:
    void tourIndexes_data()
    {
        QTest::addColumn<int>("batchSize");
        QTest::newRow("one event per batch") << 1;
        QTest::newRow("7 per batch") << 7;
        QTest::newRow("one batch") << 100000;
    }

    void tourIndexes()
    {
        QFETCH(int, batchSize);
        const TraceBatch all = loadJsonLines(tourTracePath());
        QVERIFY(all.size() > 100);
        SessionStore store;
        QSignalSpy changed(&store, &SessionStore::changed);
        feed(store, all, batchSize);
        QCOMPARE(changed.size(), (all.size() + batchSize - 1) / batchSize);
        QCOMPARE(store.events().size(), all.size());

        // Five connections: h2c upgrade, TLS HTTP/1.1 advertising h2, the HTTP/2 connection it
        // led to, WebSocket, tcp tunnel.
        QCOMPARE(store.connectionCount(), 5);
        const ConnectionInfo *c1 = store.connection(1);
        QVERIFY(c1);
        QCOMPARE(c1->history.size(), 2);
        QCOMPARE(c1->history.at(0).protocol, QStringLiteral("HTTP/1.1"));
        QCOMPARE(c1->history.at(1).protocol, QStringLiteral("h2c"));
        QVERIFY(c1->history.at(1).viaUpgrade);
        QVERIFY2(c1->title().contains(QStringLiteral("HTTP/1.1 → h2c at ")),
                 qPrintable(c1->title()));
        QCOMPARE(c1->exchanges, (QList<quint32>{1, 2, 3}));

        const ConnectionInfo *c2 = store.connection(2);
        QVERIFY(c2->tls);
        QCOMPARE(c2->alpn, QStringLiteral("http/1.1"));
        QCOMPARE(c2->advertised, QStringList{QStringLiteral("h2")});
        QVERIFY(c2->closeNs > 0);
        const ConnectionInfo *c3 = store.connection(3);
        QCOMPARE(c3->followedFrom, 2u);
        QCOMPARE(c3->currentProtocol(), QStringLiteral("h2"));
        QCOMPARE(store.connection(4)->currentProtocol(), QStringLiteral("websocket"));
        QCOMPARE(store.connection(5)->currentProtocol(), QStringLiteral("tcp"));

        QCOMPARE(store.exchangeCount(), 7);
        const ExchangeInfo *x1 = store.exchange(1);
        QCOMPARE(x1->stream, 1);
        QCOMPARE(x1->status, 200);
        QCOMPARE(x1->protocol, QStringLiteral("h2c"));
        QCOMPARE(x1->state, ExchangeInfo::State::Complete);
        QCOMPARE(store.exchange(2)->stream, 3);
        QCOMPARE(store.exchange(2)->path, QStringLiteral("/delay/300"));
        QCOMPARE(store.exchange(3)->stream, 5);
        QCOMPARE(store.exchange(5)->conn, 3u);
        QCOMPARE(store.exchange(6)->kind, ExchangeInfo::Kind::WebSocket);
        QCOMPARE(store.exchange(7)->kind, ExchangeInfo::Kind::RawTunnel);
        QCOMPARE(store.completeCount(), 7);
        QCOMPARE(store.failedCount(), 0);
        QVERIFY(store.bytesIn() > 0 && store.bytesOut() > 0);
        for (int i = 0; i < store.exchangeCount(); ++i) {
            const ExchangeInfo &x = store.exchangeAt(i);
            QVERIFY(x.startNs >= 0 && x.endNs >= x.startNs);
            QVERIFY(x.requestSentNs >= x.startNs);
            for (int e : x.events)
                QCOMPARE(store.event(e).scope.req, x.req);
        }
    }

    // A QUIC connection's traffic is its packets (it has no net.* events): the counters add
    // them to the TCP connections' bytes, each way.
    void quicPacketsCountAsTraffic()
    {
        const TraceBatch events = hopscope::testing::loadJsonLines(
            QStringLiteral(HOPSCOPE_UI_TEST_DATA "/altsvc-h3.jsonl"));
        qint64 in = 0, out = 0, quicIn = 0;
        for (const TraceEvent &ev : events) {
            const qint64 bytes = ev.field(Field::Bytes).toInteger();
            if (ev.is(EventType::NetRead))
                in += bytes;
            else if (ev.is(EventType::NetWrite))
                out += bytes;
            else if (ev.is(EventType::QuicPacket))
                (ev.dir == Direction::In ? quicIn : out) += bytes;
        }
        QVERIFY(quicIn > 1000);
        SessionStore store;
        store.append(events);
        QCOMPARE(store.bytesIn(), in + quicIn);
        QCOMPARE(store.bytesOut(), out);
    }

    void deltaNamesEachChangeOnce()
    {
        SessionStore store;
        QSignalSpy changed(&store, &SessionStore::changed);
        store.append(
            batchOf({makeEvent(1, 0, "request.start", {0, 1, -1}, Direction::None,
                               {{QStringLiteral("method"), QStringLiteral("GET")},
                                {QStringLiteral("url"), QStringLiteral("http://a/x?y=1")}}),
                     makeEvent(2, 1, "pool.open", {1, 1, -1}, Direction::None,
                               {{QStringLiteral("origin"), QStringLiteral("http://a")}}),
                     makeEvent(3, 2, "net.write", {1, 1, -1}, Direction::Out,
                               {{QStringLiteral("bytes"), 10}})}));
        auto delta = changed.takeFirst().at(0).value<SessionDelta>();
        QCOMPARE(delta.firstNewEvent, 0);
        QCOMPARE(delta.newConnections, QList<quint32>{1});
        QCOMPARE(delta.newExchanges, QList<quint32>{1});
        QVERIFY(delta.changedConnections.isEmpty());
        QVERIFY(delta.changedExchanges.isEmpty());
        QCOMPARE(store.exchange(1)->path, QStringLiteral("/x?y=1"));

        store.append(
            batchOf({makeEvent(4, 3, "request.failed", {1, 1, -1}, Direction::None,
                               {{QStringLiteral("error"), QStringLiteral("boom")},
                                {QStringLiteral("code"), QStringLiteral("connection-closed")}}),
                     makeEvent(5, 4, "close", {1, 0, -1}, Direction::None,
                               {{QStringLiteral("reason"), QStringLiteral("peer closed")}})}));
        delta = changed.takeFirst().at(0).value<SessionDelta>();
        QCOMPARE(delta.firstNewEvent, 3);
        QVERIFY(delta.newConnections.isEmpty());
        QCOMPARE(delta.changedConnections, QList<quint32>{1});
        QCOMPARE(delta.changedExchanges, QList<quint32>{1});
        QCOMPARE(store.failedCount(), 1);
        QCOMPARE(store.exchange(1)->errorCode, QStringLiteral("connection-closed"));
        QCOMPARE(store.connection(1)->closeReason, QStringLiteral("peer closed"));
        QCOMPARE(store.bytesOut(), 10);

        QSignalSpy reset(&store, &SessionStore::reset);
        store.clear();
        QCOMPARE(reset.size(), 1);
        QCOMPARE(store.connectionCount(), 0);
        QCOMPARE(store.exchangeCount(), 0);
    }

    void traceFileRoundTrip()
    {
        const TraceBatch tour = loadJsonLines(tourTracePath());
        QVERIFY(tour.size() > 100);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("again.jsonl"));
        QString error;
        QVERIFY2(writeTraceFile(path, tour, &error), qPrintable(error));
        TraceBatch again;
        QVERIFY2(readTraceFile(path, &again, &error), qPrintable(error));
        QCOMPARE(again.size(), tour.size());
        // Byte for byte what the CLI wrote: field order and values survive the round trip.
        QFile original(tourTracePath());
        QVERIFY(original.open(QIODevice::ReadOnly));
        QFile written(path);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QList<QByteArray> a = written.readAll().split('\n'),
                                b = original.readAll().split('\n');
        QCOMPARE(a.size(), b.size());
        for (qsizetype i = 0; i < a.size(); ++i)
            QCOMPARE(a.at(i), b.at(i));
    }

    void traceFileErrorsNameTheLine()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.jsonl"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"seq\":1,\"t\":0.1,\"type\":\"close\",\"conn\":1,\"reason\":\"x\"}\n{oops\n");
        f.close();
        TraceBatch events;
        QString error;
        QVERIFY(!readTraceFile(path, &events, &error));
        QVERIFY2(error.contains(QStringLiteral("line 2")), qPrintable(error));
        QCOMPARE(events.size(), 1); // what was read is kept
        QVERIFY(events.first().is(EventType::Close));
        QVERIFY(!readTraceFile(dir.filePath(QStringLiteral("missing.jsonl")), &events, &error));
    }

    // Ids a file chooses must not size the store's tables (issue: one line with
    // "conn":4294967295 grew them per id up to it). The rest of the file is indexed as usual.
    void hostileIdsSizeNothing_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("conn 2^32-1") << QByteArray(
            "{\"seq\":9,\"t\":0.2,\"type\":\"close\",\"conn\":4294967295,\"reason\":\"x\"}");
        QTest::newRow("conn -1") << QByteArray(
            "{\"seq\":9,\"t\":0.2,\"type\":\"close\",\"conn\":-1,\"reason\":\"x\"}");
        QTest::newRow("req 10^7") << QByteArray(
            "{\"seq\":9,\"t\":0.2,\"type\":\"request.start\",\"req\":10000000,\"method\":\"GET\","
            "\"url\":\"http://a/\"}");
        QTest::newRow("both huge")
            << QByteArray("{\"seq\":9,\"t\":0.2,\"type\":\"h1.response\",\"conn\":3000000000,"
                          "\"req\":3000000000,\"status\":200}");
    }

    void hostileIdsSizeNothing()
    {
        QFETCH(QByteArray, line);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ids.jsonl"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"seq\":1,\"t\":0.1,\"type\":\"request.start\",\"req\":1,\"method\":\"GET\","
                "\"url\":\"http://a/\"}"
                "\n" +
                line + "\n" +
                "{\"seq\":10,\"t\":0.3,\"type\":\"pool.open\",\"conn\":1,\"req\":1,\"origin\":"
                "\"http://a:80\"}"
                "\n");
        f.close();
        TraceBatch events;
        QString error;
        QVERIFY2(readTraceFile(path, &events, &error), qPrintable(error));
        QCOMPARE(events.size(), 3);

        SessionStore store;
        TimelineModel timeline(&store);
        store.append(events);
        QCOMPARE(store.events().size(), 3); // the event stays in the log
        QCOMPARE(store.unindexedIdEvents(), 1);
        QCOMPARE(store.firstUnindexedSeq(), quint64(9));
        QCOMPARE(store.exchangeCount(), 1);
        QCOMPARE(store.connectionCount(), 1);
        QCOMPARE(store.exchange(1)->conn, 1u);
        QCOMPARE(timeline.laneCount(), 1);

        store.clear();
        QCOMPARE(store.unindexedIdEvents(), 0);
    }

    void bodyBudgetDropsOldestFirst()
    {
        SessionStore store;
        // Three 50-byte bodies (decoded == wire is kept once): the first goes.
        store.setBodyBudget(120);
        QSignalSpy added(&store, &SessionStore::bodyAdded);
        for (quint32 req = 1; req <= 3; ++req) {
            ExchangeBody b;
            b.req = req;
            b.wire = QByteArray(50, 'x');
            b.decoded = b.wire;
            store.addBody(b);
        }
        QCOMPARE(added.size(), 3);
        QVERIFY(!store.body(1));
        QVERIFY(store.bodyEvicted(1));
        QVERIFY(store.body(2) && store.body(3));
        QVERIFY(!store.bodyEvicted(3));
    }
};

QTEST_GUILESS_MAIN(TestSessionStore)
#include "tst_sessionstore.moc"
