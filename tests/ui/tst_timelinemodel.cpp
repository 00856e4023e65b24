#include "models/eventsummary.h"
#include "models/timelinemodel.h"
#include "session/sessionstore.h"
#include "tracefixture.h"

#include <QCborArray>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace hopscope;
using namespace hopscope::testing;

namespace {

using PK = TimelinePhase::Kind;
using MK = TimelineMarker::Kind;

QList<PK> phaseKinds(const TimelineLane &lane)
{
    QList<PK> out;
    for (const TimelinePhase &p : lane.phases)
        out.append(p.kind);
    return out;
}

QList<int> markersOfKind(const TimelineModel &model, quint32 conn, MK kind)
{
    QList<int> out;
    for (int m : model.lane(conn)->markers)
        if (model.markerAt(m).kind == kind)
            out.append(m);
    return out;
}

const TimelinePhase *phaseOf(const TimelineLane &lane, PK kind)
{
    for (const TimelinePhase &p : lane.phases)
        if (p.kind == kind)
            return &p;
    return nullptr;
}

QCborArray headers(std::initializer_list<std::pair<const char *, const char *>> list)
{
    QCborArray out;
    for (const auto &[name, value] : list)
        out.append(QCborArray{QString::fromLatin1(name), QString::fromLatin1(value)});
    return out;
}

QCborArray strings(std::initializer_list<const char *> list)
{
    QCborArray out;
    for (const char *s : list)
        out.append(QString::fromLatin1(s));
    return out;
}

// Feeds events to a store in batches of `size` (0: everything at once).
void feed(SessionStore &store, const TraceBatch &events, int size)
{
    if (size <= 0) {
        store.append(events);
        return;
    }
    for (int i = 0; i < events.size(); i += size)
        store.append(events.mid(i, size));
}

// curl -L: req 1 on #1 (http) gets a 302 to https, followed as req 2 on #2 (TLS), which gets a
// 301 to the same origin, followed as req 3 on #2 (a keep-alive reuse).
TraceBatch redirectTrace()
{
    quint64 seq = 0;
    TraceBatch b;
    const auto start = [&](double ms, quint32 req, const char *method, const char *url) {
        addEvent(
            b, ++seq, ms, "request.start", {0, req, -1}, Direction::None,
            fields({{"method", QString::fromLatin1(method)}, {"url", QString::fromLatin1(url)}}));
    };
    const auto exchange = [&](double ms, quint32 conn, quint32 req, int status) {
        addEvent(b, ++seq, ms, "h1.request", {conn, req, -1}, Direction::Out,
                 fields({{"method", "GET"}, {"target", "/"}, {"version", "HTTP/1.1"}}));
        addEvent(b, ++seq, ms + 1, "h1.response", {conn, req, -1}, Direction::In,
                 fields({{"status", status}, {"reason", "x"}, {"version", "HTTP/1.1"}}));
        addEvent(b, ++seq, ms + 2, "response.complete", {conn, req, -1}, Direction::None,
                 fields({{"status", status}, {"bytes", 0}, {"protocol", "http/1.1"}}));
    };
    const auto redirect = [&](double ms, quint32 conn, quint32 req, int status, const char *from,
                              const char *to, int hop) {
        addEvent(b, ++seq, ms, "redirect", {conn, req, -1}, Direction::None,
                 fields({{"from", QString::fromLatin1(from)},
                         {"to", QString::fromLatin1(to)},
                         {"status", status},
                         {"hop", hop},
                         {"method", "GET"},
                         {"next", qint64(req + 1)},
                         {"first", 1}}));
    };
    start(1, 1, "GET", "http://h/a");
    addEvent(b, ++seq, 1.1, "pool.open", {1, 1, -1}, Direction::None,
             fields({{"origin", "http://h:80"}}));
    exchange(2, 1, 1, 302);
    redirect(4.5, 1, 1, 302, "http://h/a", "https://h/b", 1);
    start(5, 2, "GET", "https://h/b");
    addEvent(b, ++seq, 5.1, "pool.open", {2, 2, -1}, Direction::None,
             fields({{"origin", "https://h:443"}}));
    exchange(8, 2, 2, 301);
    redirect(10.5, 2, 2, 301, "https://h/b", "https://h/c", 2);
    start(11, 3, "GET", "https://h/c");
    exchange(12, 2, 3, 200);
    return b;
}

// An h2c upgrade that the server declines with a plain 200: HTTP/1.1 goes on.
TraceBatch declinedTrace()
{
    quint64 seq = 0;
    TraceBatch b;
    b.append(makeEvent(++seq, 1.0, "request.start", {0, 1, -1}, Direction::None,
                       QCborMap{{QStringLiteral("method"), QStringLiteral("GET")},
                                {QStringLiteral("url"), QStringLiteral("http://h:80/a")}}));
    b.append(makeEvent(++seq, 1.1, "pool.open", {1, 1, -1}, Direction::None,
                       QCborMap{{QStringLiteral("origin"), QStringLiteral("http://h:80")}}));
    b.append(makeEvent(++seq, 1.2, "connect.attempt", {1, 1, -1}));
    b.append(makeEvent(++seq, 2.0, "connect", {1, 1, -1}, Direction::None,
                       QCborMap{{QStringLiteral("address"), QStringLiteral("10.0.0.1")},
                                {QStringLiteral("port"), 80},
                                {QStringLiteral("ms"), 0.8}}));
    b.append(makeEvent(++seq, 2.1, "h1.request", {1, 1, -1}, Direction::Out,
                       QCborMap{{QStringLiteral("method"), QStringLiteral("GET")},
                                {QStringLiteral("headers"), headers({{"Upgrade", "h2c"}})}}));
    b.append(makeEvent(++seq, 2.1, "upgrade.offer", {1, 1, -1}, Direction::None,
                       QCborMap{{QStringLiteral("protocol"), QStringLiteral("h2c")},
                                {QStringLiteral("withBody"), false}}));
    b.append(makeEvent(++seq, 5.0, "h1.response", {1, 1, -1}, Direction::In,
                       QCborMap{{QStringLiteral("status"), 200}}));
    b.append(makeEvent(++seq, 5.0, "upgrade.declined", {1, 1, -1}, Direction::None,
                       QCborMap{{QStringLiteral("protocol"), QStringLiteral("h2c")},
                                {QStringLiteral("status"), 200},
                                {QStringLiteral("withBody"), false}}));
    b.append(makeEvent(++seq, 6.0, "response.complete", {1, 1, -1}, Direction::None,
                       QCborMap{{QStringLiteral("status"), 200},
                                {QStringLiteral("bytes"), 10},
                                {QStringLiteral("protocol"), QStringLiteral("http/1.1")}}));
    b.append(makeEvent(++seq, 9.0, "close", {1, 0, -1}, Direction::None,
                       QCborMap{{QStringLiteral("reason"), QStringLiteral("done")}}));
    return b;
}

// h2 over TLS (ALPN): stream 1 completes, stream 3 is reset by the server, then a GOAWAY.
TraceBatch failedStreamTrace()
{
    quint64 seq = 0;
    TraceBatch b;
    const auto start = [&](quint32 req, double ms, const char *url) {
        b.append(makeEvent(++seq, ms, "request.start", {0, req, -1}, Direction::None,
                           QCborMap{{QStringLiteral("method"), QStringLiteral("GET")},
                                    {QStringLiteral("url"), QString::fromLatin1(url)}}));
    };
    start(1, 0.5, "https://h/one");
    start(2, 0.6, "https://h/two");
    b.append(makeEvent(++seq, 1.0, "pool.open", {1, 1, -1}, Direction::None,
                       QCborMap{{QStringLiteral("origin"), QStringLiteral("https://h:443")}}));
    b.append(makeEvent(
        ++seq, 1.5, "dns", {1, 1, -1}, Direction::None,
        QCborMap{{QStringLiteral("host"), QStringLiteral("h")}, {QStringLiteral("ms"), 0.5}}));
    b.append(makeEvent(++seq, 1.6, "connect.attempt", {1, 1, -1}));
    b.append(makeEvent(++seq, 2.0, "connect", {1, 1, -1}, Direction::None,
                       QCborMap{{QStringLiteral("address"), QStringLiteral("10.0.0.2")},
                                {QStringLiteral("port"), 443},
                                {QStringLiteral("ms"), 0.4}}));
    b.append(makeEvent(++seq, 4.0, "tls", {1, 1, -1}, Direction::None,
                       QCborMap{{QStringLiteral("protocol"), QStringLiteral("TLSv1.3")},
                                {QStringLiteral("alpn"), QStringLiteral("h2")}}));
    const auto frame = [&](double ms, quint32 req, int stream, Direction dir, const char *type,
                           QCborArray flags, QCborMap extra = {}) {
        QCborMap f{{QStringLiteral("frame"), QString::fromLatin1(type)},
                   {QStringLiteral("flags"), flags},
                   {QStringLiteral("length"), 0}};
        for (auto it = extra.cbegin(); it != extra.cend(); ++it)
            f.insert(it.key(), it.value());
        b.append(makeEvent(++seq, ms, "h2.frame", {1, req, stream}, dir, f));
    };
    frame(4.1, 0, 0, Direction::Out, "SETTINGS", {});
    frame(4.2, 0, 0, Direction::In, "SETTINGS", {});
    frame(4.3, 0, 0, Direction::Out, "SETTINGS", strings({"ACK"}));
    const auto request = [&](double ms, quint32 req, int stream, const char *path) {
        b.append(makeEvent(
            ++seq, ms, "h2.headers", {1, req, stream}, Direction::Out,
            QCborMap{{QStringLiteral("kind"), QStringLiteral("request")},
                     {QStringLiteral("headers"), headers({{":method", "GET"}, {":path", path}})}}));
    };
    request(4.4, 1, 1, "/one");
    request(4.5, 2, 3, "/two");
    frame(5.0, 0, 0, Direction::In, "SETTINGS", strings({"ACK"}));
    frame(6.0, 2, 3, Direction::In, "RST_STREAM", {},
          QCborMap{{QStringLiteral("error"), QStringLiteral("REFUSED_STREAM")}});
    b.append(
        makeEvent(++seq, 6.1, "request.failed", {1, 2, 3}, Direction::None,
                  QCborMap{{QStringLiteral("error"), QStringLiteral("the server reset the stream")},
                           {QStringLiteral("code"), QStringLiteral("h2-rst:REFUSED_STREAM")}}));
    b.append(makeEvent(++seq, 8.0, "h2.headers", {1, 1, 1}, Direction::In,
                       QCborMap{{QStringLiteral("kind"), QStringLiteral("response")},
                                {QStringLiteral("headers"), headers({{":status", "200"}})}}));
    b.append(makeEvent(++seq, 9.0, "response.complete", {1, 1, 1}, Direction::None,
                       QCborMap{{QStringLiteral("status"), 200},
                                {QStringLiteral("bytes"), 5},
                                {QStringLiteral("protocol"), QStringLiteral("h2")}}));
    frame(10.0, 0, 0, Direction::In, "GOAWAY", {},
          QCborMap{{QStringLiteral("lastStreamId"), 1},
                   {QStringLiteral("error"), QStringLiteral("NO_ERROR")}});
    b.append(makeEvent(++seq, 10.5, "close", {1, 0, -1}, Direction::None,
                       QCborMap{{QStringLiteral("reason"), QStringLiteral("GOAWAY")}}));
    return b;
}

// One connection through a proxy (connect at 2 ms): an HTTP CONNECT or a SOCKS5 handshake from
// 2.1 ms, established at 3 ms unless `established` is false (the proxy refused: closed at 3.5),
// then TLS until 5 ms for https and an HTTP/1.1 exchange.
TraceBatch proxiedTrace(bool socks, bool tls, bool established)
{
    quint64 seq = 0;
    TraceBatch b;
    const QString origin = tls ? QStringLiteral("https://h:443") : QStringLiteral("http://h:80");
    b.append(makeEvent(++seq, 1.0, "request.start", {0, 1, -1}, Direction::None,
                       QCborMap{{QStringLiteral("method"), QStringLiteral("GET")},
                                {QStringLiteral("url"), origin + QStringLiteral("/")}}));
    b.append(makeEvent(++seq, 1.1, "pool.open", {1, 1, -1}, Direction::None,
                       QCborMap{{QStringLiteral("origin"), origin}}));
    b.append(makeEvent(++seq, 1.2, "connect.attempt", {1, 1, -1}));
    b.append(makeEvent(++seq, 2.0, "connect", {1, 1, -1}, Direction::None,
                       QCborMap{{QStringLiteral("address"), QStringLiteral("10.0.0.9")},
                                {QStringLiteral("port"), 3128},
                                {QStringLiteral("ms"), 0.8}}));
    if (socks) {
        b.append(makeEvent(++seq, 2.1, "socks.greeting", {1, 1, -1}, Direction::Out,
                           QCborMap{{QStringLiteral("methods"), strings({"none"})}}));
        b.append(makeEvent(++seq, 2.5, "socks.reply", {1, 1, -1}, Direction::In,
                           QCborMap{{QStringLiteral("code"), established ? 0 : 5}}));
    } else {
        b.append(makeEvent(++seq, 2.1, "proxy.connect", {1, 1, -1}, Direction::Out,
                           QCborMap{{QStringLiteral("target"), QStringLiteral("h:443")}}));
        b.append(makeEvent(++seq, 2.9, "proxy.response", {1, 1, -1}, Direction::In,
                           QCborMap{{QStringLiteral("status"), established ? 200 : 407}}));
    }
    if (!established) {
        b.append(makeEvent(++seq, 3.5, "close", {1, 0, -1}, Direction::None,
                           QCborMap{{QStringLiteral("reason"), QStringLiteral("refused")}}));
        return b;
    }
    b.append(makeEvent(++seq, 3.0, "proxy.established", {1, 1, -1}, Direction::None,
                       QCborMap{{QStringLiteral("target"), QStringLiteral("h:443")}}));
    double t = 3.0;
    if (tls) {
        t = 5.0;
        b.append(makeEvent(++seq, t, "tls", {1, 1, -1}, Direction::None,
                           QCborMap{{QStringLiteral("protocol"), QStringLiteral("TLSv1.3")},
                                    {QStringLiteral("alpn"), QStringLiteral("http/1.1")}}));
    }
    b.append(makeEvent(++seq, t + 0.1, "h1.request", {1, 1, -1}, Direction::Out,
                       QCborMap{{QStringLiteral("method"), QStringLiteral("GET")}}));
    b.append(makeEvent(++seq, t + 1, "h1.response", {1, 1, -1}, Direction::In,
                       QCborMap{{QStringLiteral("status"), 200}}));
    b.append(makeEvent(++seq, t + 1.1, "response.complete", {1, 1, -1}, Direction::None,
                       QCborMap{{QStringLiteral("status"), 200},
                                {QStringLiteral("bytes"), 0},
                                {QStringLiteral("protocol"), QStringLiteral("http/1.1")}}));
    return b;
}

} // namespace

class TimelineModelTest : public QObject
{
    Q_OBJECT

private:
    TraceBatch m_tour;

private slots:
    void initTestCase()
    {
        m_tour = loadJsonLines(tourTracePath());
        QVERIFY2(m_tour.size() > 100, qPrintable(tourTracePath()));
    }

    // The proxy hop is a phase of its own between TCP and TLS (or the origin's protocol).
    void proxyPhase_data()
    {
        QTest::addColumn<bool>("socks");
        QTest::addColumn<bool>("tls");
        QTest::addColumn<bool>("established");
        QTest::addColumn<QList<PK>>("kinds");
        QTest::addColumn<QString>("label");

        QTest::newRow("CONNECT, then TLS")
            << false << true << true
            << QList<PK>{PK::Connect, PK::Proxy, PK::Tls, PK::Http1Request, PK::Http1}
            << QStringLiteral("proxy CONNECT h:443");
        QTest::newRow("SOCKS5, cleartext")
            << true << false << true
            << QList<PK>{PK::Connect, PK::Proxy, PK::Http1Request, PK::Http1}
            << QStringLiteral("SOCKS5 proxy to h:443");
        QTest::newRow("CONNECT refused: no TLS phase")
            << false << true << false << QList<PK>{PK::Connect, PK::Proxy}
            << QStringLiteral("proxy CONNECT h:443");
    }

    void proxyPhase()
    {
        QFETCH(bool, socks);
        QFETCH(bool, tls);
        QFETCH(bool, established);
        QFETCH(QList<PK>, kinds);
        SessionStore store;
        TimelineModel model(&store);
        store.append(proxiedTrace(socks, tls, established));
        const TimelineLane &lane = *model.lane(1);
        QCOMPARE(phaseKinds(lane), kinds);
        const TimelinePhase *proxy = phaseOf(lane, PK::Proxy);
        QTEST(proxy->label, "label");
        QCOMPARE(proxy->startNs, qint64(2'000'000));                                 // connect
        QCOMPARE(proxy->endNs, established ? qint64(3'000'000) : qint64(3'500'000)); // or close
        if (const TimelinePhase *tlsPhase = phaseOf(lane, PK::Tls)) {
            QCOMPARE(tlsPhase->startNs, qint64(3'000'000)); // TLS starts once the tunnel is up
            QCOMPARE(tlsPhase->endNs, qint64(5'000'000));
        }
        QCOMPARE(TimelineModel::phaseKindName(PK::Proxy), QStringLiteral("Proxy tunnel"));
        for (int p = 1; p < lane.phases.size(); ++p)
            QVERIFY(lane.phases[p].startNs >= lane.phases[p - 1].endNs);
    }

    void tourChapters()
    {
        SessionStore store;
        TimelineModel model(&store);
        store.append(m_tour);
        const QList<TimelineChapter> &chapters = model.chapters();
        QCOMPARE(chapters.size(), 4);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(chapters[i].number, i + 1);
            QVERIFY(!chapters[i].title.isEmpty());
            if (i)
                QVERIFY(chapters[i].ns > chapters[i - 1].ns);
        }
        QVERIFY(chapters[0].title.startsWith(QStringLiteral("h2c upgrade")));
        // Chapters are moments of the run, not connections: no lane for them.
        QCOMPARE(model.laneCount(), 5);
    }

    void tourLanes()
    {
        SessionStore store;
        TimelineModel model(&store);
        store.append(m_tour);

        QCOMPARE(model.laneCount(), 5);
        for (int i = 0; i < model.laneCount(); ++i) {
            const TimelineLane &lane = model.laneAt(i);
            QCOMPARE(lane.conn, quint32(i + 1));
            QVERIFY(!lane.title.isEmpty());
            QVERIFY(!lane.isOpen()); // the tour closes every connection
            QVERIFY(lane.endNs > lane.startNs);
            // Phases are in order and do not overlap.
            for (int p = 1; p < lane.phases.size(); ++p)
                QVERIFY(lane.phases[p].startNs >= lane.phases[p - 1].endNs);
        }
        QVERIFY(model.laneAt(0).title.startsWith(QLatin1String("#1 ")));
        QCOMPARE(model.laneAt(0).protocols, (QStringList{"HTTP/1.1", "h2c"}));
        QCOMPARE(model.startNs(), model.laneAt(0).startNs);
        QCOMPARE(model.endNs(), store.lastEventNs());
    }

    void tourUpgradeLane()
    {
        SessionStore store;
        TimelineModel model(&store);
        store.append(m_tour);
        const TimelineLane &lane = *model.lane(1);

        QCOMPARE(phaseKinds(lane),
                 (QList<PK>{PK::Connect, PK::Http1Request, PK::Switch101, PK::Preface, PK::Http2}));
        const TimelinePhase *request = phaseOf(lane, PK::Http1Request);
        QCOMPARE(request->startNs, qint64(18'139'000)); // h1.request
        QCOMPARE(request->endNs, qint64(19'119'000));   // the 101 head
        const TimelinePhase *sw = phaseOf(lane, PK::Switch101);
        QCOMPARE(sw->endNs, qint64(19'125'000)); // upgrade.switch
        QCOMPARE(sw->protocol, QStringLiteral("h2c"));
        const TimelinePhase *preface = phaseOf(lane, PK::Preface);
        QCOMPARE(preface->startNs, qint64(19'225'000)); // first frame out
        QCOMPARE(preface->endNs, qint64(20'138'000));   // SETTINGS ACK in
        const TimelinePhase *h2 = phaseOf(lane, PK::Http2);
        QCOMPARE(h2->protocol, QStringLiteral("h2c"));
        QCOMPARE(h2->endNs, lane.endNs);
        QCOMPARE(lane.switchNs, qint64(19'125'000));

        const QList<int> offers = markersOfKind(model, 1, MK::UpgradeOffer);
        const QList<int> switches = markersOfKind(model, 1, MK::UpgradeSwitch);
        QCOMPARE(offers.size(), 1);
        QCOMPARE(switches.size(), 1);
        QCOMPARE(model.markerAt(offers[0]).protocol, QStringLiteral("h2c"));
        QCOMPARE(model.markerAt(switches[0]).protocol, QStringLiteral("h2c"));
        QCOMPARE(model.markerAt(switches[0]).label, QStringLiteral("→ h2c"));
        QCOMPARE(model.markerAt(switches[0]).req, 1u);
        QVERIFY(store.event(model.markerAt(switches[0]).eventIndex).is(EventType::UpgradeSwitch));
        QCOMPARE(markersOfKind(model, 1, MK::Close).size(), 1);
        QVERIFY(model.markerAt(offers[0]).ns < model.markerAt(switches[0]).ns);

        // Three streams, multiplexed: overlapping in time, each in its own sub-row.
        QCOMPARE(lane.rowCount(), 3);
        QList<qint32> streams;
        QSet<int> rows;
        for (quint32 req : {1u, 2u, 3u}) {
            const TimelineBar *b = model.bar(req);
            QVERIFY(b);
            QCOMPARE(b->conn, 1u);
            QVERIFY(!b->failed);
            QVERIFY(!b->isRunning());
            streams.append(b->stream);
            rows.insert(b->row);
            QVERIFY(lane.rows[b->row].contains(req));
        }
        std::sort(streams.begin(), streams.end());
        QCOMPARE(streams, (QList<qint32>{1, 3, 5}));
        QCOMPARE(rows.size(), 3);
        const TimelineBar *s3 = model.bar(2);
        QCOMPARE(model.barLabel(*s3), QStringLiteral("s3 GET /delay/300 200"));
        QCOMPARE(s3->startNs, qint64(19'342'000)); // the request's HEADERS
        QCOMPARE(s3->endNs, qint64(321'500'000));  // response.complete
        // s1 (the upgraded request) overlaps with both others; s3 and s5 overlap for ~200 ms.
        const qint64 at = 20'000'000;
        QCOMPARE(model.barsAt(1, at).size(), 3);
        QCOMPARE(model.barsAt(1, 100'000'000).size(), 2);
        QCOMPARE(model.barsAt(1, 300'000'000), QList<quint32>{2});
    }

    // A real hopscope-cli run (data/altsvc-h3.jsonl): Apache over h2 answers with
    // `Alt-Svc: h3=":4433"`, and the next request goes to gtlsserver over HTTP/3 on a new QUIC
    // connection. The lane says UDP and QUIC, not TCP and HTTP/1.1; the arrow says Alt-Svc.
    void altSvcFollowedToHttp3()
    {
        SessionStore store;
        TimelineModel model(&store);
        store.append(loadJsonLines(QStringLiteral(HOPSCOPE_UI_TEST_DATA "/altsvc-h3.jsonl")));
        QCOMPARE(model.laneCount(), 2);
        const QList<int> adv = markersOfKind(model, 1, MK::Advertised);
        QCOMPARE(adv.size(), 1);
        QCOMPARE(model.markerAt(adv[0]).label, QStringLiteral("Alt-Svc: h3 at :4433"));
        QCOMPARE(model.arrows().size(), 1);
        const TimelineArrow &a = model.arrows().first();
        QCOMPARE(a.fromConn, 1u);
        QCOMPARE(a.toConn, 2u);
        QCOMPARE(a.protocol, QStringLiteral("h3"));
        QCOMPARE(a.label, QStringLiteral("Alt-Svc: h3 → new QUIC connection"));
        QCOMPARE(phaseKinds(*model.lane(2)), (QList<PK>{PK::Connect, PK::Tls, PK::Http2}));
        QCOMPARE(phaseOf(*model.lane(2), PK::Connect)->label, QStringLiteral("UDP"));
        QVERIFY(phaseOf(*model.lane(2), PK::Tls)->label.startsWith(QLatin1String("QUIC")));
        QCOMPARE(phaseOf(*model.lane(2), PK::Http2)->label, QStringLiteral("HTTP/3 over QUIC"));

        const ConnectionInfo *quic = store.connection(2);
        QVERIFY(quic->quic);
        QCOMPARE(quic->currentProtocol(), QStringLiteral("h3"));
        QCOMPARE(quic->followedVia, QStringLiteral("Alt-Svc h3"));
        QVERIFY(quic->title().contains(QLatin1String("QUIC, from #1")));
        QVERIFY(store.connection(1)->title().contains(QLatin1String("advertised Alt-Svc h3")));
        // HTTP/3's first request stream is 0 (HTTP/2's stream 0 is the connection's).
        const ExchangeInfo *second = store.exchange(2);
        QCOMPARE(second->stream, 0);
        QCOMPARE(second->status, 200);
        QCOMPARE(second->protocol, QStringLiteral("h3"));
    }

    void tourAdvertisedAndFollowed()
    {
        SessionStore store;
        TimelineModel model(&store);
        store.append(m_tour);

        const QList<int> adv = markersOfKind(model, 2, MK::Advertised);
        QCOMPARE(adv.size(), 1);
        QCOMPARE(model.markerAt(adv[0]).label, QStringLiteral("Upgrade: h2"));
        QCOMPARE(model.markerAt(adv[0]).protocol, QStringLiteral("h2"));
        QCOMPARE(markersOfKind(model, 3, MK::Follow).size(), 1);

        QCOMPARE(model.arrows().size(), 1);
        const TimelineArrow &a = model.arrows().first();
        QCOMPARE(a.fromConn, 2u);
        QCOMPARE(a.toConn, 3u);
        QCOMPARE(a.fromNs, model.markerAt(adv[0]).ns);
        QCOMPARE(a.toNs, qint64(328'695'000)); // upgrade.follow
        QCOMPARE(a.label, QStringLiteral("Upgrade: h2 → new connection"));

        // #2 stays HTTP/1.1 over TLS; #3 speaks h2 from the TLS handshake on.
        QCOMPARE(phaseKinds(*model.lane(2)),
                 (QList<PK>{PK::Connect, PK::Tls, PK::Http1Request, PK::Http1}));
        QVERIFY(phaseOf(*model.lane(2), PK::Tls)->label.contains(QLatin1String("http/1.1")));
        QCOMPARE(phaseKinds(*model.lane(3)),
                 (QList<PK>{PK::Connect, PK::Tls, PK::Preface, PK::Http2}));
        QCOMPARE(phaseOf(*model.lane(3), PK::Http2)->protocol, QStringLiteral("h2"));
        QCOMPARE(model.bar(5)->stream, 1);
        QCOMPARE(model.bar(5)->conn, 3u);
    }

    void tourWebSocketAndTunnel()
    {
        SessionStore store;
        TimelineModel model(&store);
        store.append(m_tour);

        const TimelinePhase *ws = phaseOf(*model.lane(4), PK::WebSocketSession);
        QVERIFY(ws);
        QCOMPARE(ws->protocol, QStringLiteral("websocket"));
        QCOMPARE(ws->startNs, qint64(336'156'000));
        QCOMPARE(ws->endNs, model.lane(4)->endNs);
        QVERIFY(phaseOf(*model.lane(4), PK::Switch101));
        const QList<int> wsSwitch = markersOfKind(model, 4, MK::UpgradeSwitch);
        QCOMPARE(wsSwitch.size(), 1);
        QCOMPARE(model.markerAt(wsSwitch[0]).label, QStringLiteral("→ WebSocket"));

        const TimelinePhase *tunnel = phaseOf(*model.lane(5), PK::Tunnel);
        QVERIFY(tunnel);
        QCOMPARE(tunnel->protocol, QStringLiteral("tcp"));
        QCOMPARE(tunnel->label, QStringLiteral("tcp tunnel"));
        QCOMPARE(model.bar(7)->conn, 5u);
        QCOMPARE(model.barLabel(*model.bar(6)), QStringLiteral("GET /ws 101"));
        QVERIFY(!phaseOf(*model.lane(5), PK::Http2));
    }

    void incrementalMatchesOneBatch_data()
    {
        QTest::addColumn<int>("batchSize");
        QTest::newRow("1") << 1;
        QTest::newRow("2") << 2;
        QTest::newRow("7") << 7;
        QTest::newRow("50") << 50;
    }

    void incrementalMatchesOneBatch()
    {
        QFETCH(int, batchSize);
        SessionStore whole;
        TimelineModel expected(&whole);
        whole.append(m_tour);

        SessionStore pieces;
        TimelineModel model(&pieces);
        QSignalSpy changed(&model, &TimelineModel::changed);
        feed(pieces, m_tour, batchSize);
        QCOMPARE(changed.count(), (m_tour.size() + batchSize - 1) / batchSize);

        QCOMPARE(model.laneCount(), expected.laneCount());
        for (int i = 0; i < model.laneCount(); ++i)
            QCOMPARE(model.laneAt(i), expected.laneAt(i));
        for (quint32 req = 1; req <= 7; ++req) {
            QVERIFY(model.bar(req));
            QCOMPARE(*model.bar(req), *expected.bar(req));
        }
        QCOMPARE(model.markerCount(), expected.markerCount());
        for (int m = 0; m < model.markerCount(); ++m)
            QCOMPARE(model.markerAt(m), expected.markerAt(m));
        QCOMPARE(model.arrows(), expected.arrows());
    }

    void attachesToAFilledStore()
    {
        SessionStore store;
        store.append(m_tour);
        TimelineModel late(&store);
        SessionStore store2;
        TimelineModel early(&store2);
        store2.append(m_tour);
        QCOMPARE(late.laneCount(), 5);
        for (int i = 0; i < late.laneCount(); ++i)
            QCOMPARE(late.laneAt(i), early.laneAt(i));
        QCOMPARE(late.arrows(), early.arrows());
    }

    void runningBarsEndNow()
    {
        SessionStore store;
        TimelineModel model(&store);
        // Up to the moment /delay/300 was sent: it runs.
        int cut = 0;
        while (!(m_tour[cut].is(EventType::H2Headers) && m_tour[cut].scope.req == 2))
            ++cut;
        store.append(m_tour.mid(0, cut + 1));
        const TimelineBar *b = model.bar(2);
        QVERIFY(b);
        QVERIFY(b->isRunning());
        QCOMPARE(model.barLabel(*b), QStringLiteral("s3 GET /delay/300 …"));
        QCOMPARE(model.effectiveEnd(b->endNs), store.lastEventNs());
        QVERIFY(model.lane(1)->isOpen());
        QVERIFY(model.lane(1)->phases.last().isOpen()); // the preface, waiting for the ACK
        // Running bars overlap everything after them: s5 gets the next row.
        store.append(m_tour.mid(cut + 1, 4));
        QVERIFY(model.bar(3));
        QVERIFY(model.bar(3)->row != model.bar(2)->row);
        QVERIFY(model.effectiveEnd(model.bar(2)->endNs) > b->startNs);
    }

    void declinedOffer()
    {
        SessionStore store;
        TimelineModel model(&store);
        store.append(declinedTrace());
        QCOMPARE(model.laneCount(), 1);
        const TimelineLane &lane = *model.lane(1);
        QCOMPARE(phaseKinds(lane), (QList<PK>{PK::Connect, PK::Http1Request, PK::Http1}));
        QCOMPARE(phaseOf(lane, PK::Http1)->label, QStringLiteral("HTTP/1.1 keep-alive"));
        QCOMPARE(phaseOf(lane, PK::Http1)->endNs, qint64(9'000'000));
        QCOMPARE(markersOfKind(model, 1, MK::UpgradeOffer).size(), 1);
        const QList<int> declined = markersOfKind(model, 1, MK::UpgradeDeclined);
        QCOMPARE(declined.size(), 1);
        QCOMPARE(model.markerAt(declined[0]).label, QStringLiteral("h2c declined (200)"));
        QCOMPARE(markersOfKind(model, 1, MK::UpgradeSwitch).size(), 0);
        QCOMPARE(lane.switchNs, qint64(-1));
        QCOMPARE(model.barLabel(*model.bar(1)), QStringLiteral("GET /a 200"));
        QCOMPARE(model.bar(1)->stream, -1);
        QVERIFY(!model.bar(1)->failed);
        QVERIFY(model.arrows().isEmpty());
    }

    void failedStream()
    {
        SessionStore store;
        TimelineModel model(&store);
        store.append(failedStreamTrace());
        const TimelineLane &lane = *model.lane(1);
        QCOMPARE(phaseKinds(lane),
                 (QList<PK>{PK::Dns, PK::Connect, PK::Tls, PK::Preface, PK::Http2}));
        QCOMPARE(phaseOf(lane, PK::Dns)->startNs, qint64(1'000'000));
        QCOMPARE(phaseOf(lane, PK::Preface)->endNs, qint64(5'000'000)); // the ACK *in*

        const TimelineBar *failed = model.bar(2);
        QVERIFY(failed);
        QVERIFY(failed->failed);
        QCOMPARE(failed->endNs, qint64(6'100'000));
        QCOMPARE(model.barLabel(*failed), QStringLiteral("s3 GET /two h2-rst:REFUSED_STREAM"));
        QVERIFY(!model.bar(1)->failed);
        QVERIFY(model.bar(1)->row != failed->row);

        const QList<int> rst = markersOfKind(model, 1, MK::RstStream);
        QCOMPARE(rst.size(), 1);
        QCOMPARE(model.markerAt(rst[0]).label, QStringLiteral("RST_STREAM s3 REFUSED_STREAM"));
        QCOMPARE(model.markerAt(rst[0]).req, 2u);
        QVERIFY(model.markerAt(rst[0]).isProblem());
        const QList<int> errors = markersOfKind(model, 1, MK::Error);
        QCOMPARE(errors.size(), 1);
        QVERIFY(model.markerAt(errors[0]).label.contains(QLatin1String("h2-rst:REFUSED_STREAM")));
        const QList<int> goaway = markersOfKind(model, 1, MK::GoAway);
        QCOMPARE(goaway.size(), 1);
        QCOMPARE(model.markerAt(goaway[0]).label, QStringLiteral("GOAWAY NO_ERROR, last stream 1"));

        // Queries: nearest marker first, within the tolerance only.
        QCOMPARE(model.markersNear(1, 6'070'000, 100'000), (QList<int>{errors[0], rst[0]}));
        QCOMPARE(model.markersNear(1, 7'000'000, 100'000), QList<int>{});
        QCOMPARE(model.barsAt(1, 5'000'000).size(), 2);
        QCOMPARE(model.barsAt(1, 8'500'000), QList<quint32>{1});
        QCOMPARE(model.barsAt(1, 20'000'000), QList<quint32>{});
    }

    // A followed redirect is an arrow from the exchange that got the 3xx to the next hop's bar,
    // whether the hop opened a new connection (http → https) or reused the same one; the store
    // links the exchanges both ways. Fed at once or event by event, the result is the same.
    void redirectArrows_data()
    {
        QTest::addColumn<int>("batchSize");
        QTest::newRow("one batch") << 0;
        QTest::newRow("event by event") << 1;
    }
    void redirectArrows()
    {
        QFETCH(int, batchSize);
        SessionStore store;
        TimelineModel model(&store);
        feed(store, redirectTrace(), batchSize);
        QCOMPARE(model.arrows().size(), 2);
        const TimelineArrow &up = model.arrows().at(0);
        QCOMPARE(up.kind, TimelineArrow::Kind::Redirect);
        QCOMPARE(up.fromReq, 1u);
        QCOMPARE(up.toReq, 2u);
        QCOMPARE(up.fromConn, 1u);
        QCOMPARE(up.toConn, 2u);
        QCOMPARE(up.status, 302);
        QCOMPARE(up.fromNs, qint64(4'500'000));
        QCOMPARE(up.toNs, model.bar(2)->startNs);
        QCOMPARE(up.label, QStringLiteral("302 → req 2 (http → https)"));
        const TimelineArrow &same = model.arrows().at(1);
        QCOMPARE(same.fromConn, 2u);
        QCOMPARE(same.toConn, 2u);
        QCOMPARE(same.toReq, 3u);
        QCOMPARE(same.label, QStringLiteral("301 → req 3"));
        QCOMPARE(store.exchange(1)->redirectTo, 2u);
        QCOMPARE(store.exchange(2)->redirectFrom, 1u);
        QCOMPARE(store.exchange(2)->redirectTo, 3u);
        QCOMPARE(store.exchange(3)->redirectTo, 0u);
        QCOMPARE(store.exchange(3)->redirectFrom, 2u);
        // The trace log and the tree's event rows say it in words.
        const TraceEvent &ev = store.event(store.exchange(1)->events.last());
        QVERIFY(ev.is(EventType::Redirect));
        QCOMPARE(eventSummary(ev),
                 QStringLiteral("302 redirect → GET https://h/b as request 2 (hop 1)"));
    }

    void resetClears()
    {
        SessionStore store;
        TimelineModel model(&store);
        store.append(m_tour);
        QSignalSpy reset(&model, &TimelineModel::reset);
        store.clear();
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.laneCount(), 0);
        QCOMPARE(model.markerCount(), 0);
        QVERIFY(model.arrows().isEmpty());
        QVERIFY(!model.bar(1));
        store.append(m_tour);
        QCOMPARE(model.laneCount(), 5);
        QCOMPARE(model.arrows().size(), 1);
    }
};

QTEST_MAIN(TimelineModelTest)
#include "tst_timelinemodel.moc"
