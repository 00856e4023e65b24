// The window's TLS facts: TlsFacts' rows and TlsView's tree and failure line over a recorded
// trace (data/tls.jsonl: hopscope-cli --cacert against Apache with OCSP stapling from
// `openssl ocsp`, as tst_cli_ocsp runs it: req 1 stapled good, req 2 stapled revoked, req 3
// stapling off, req 4 a certificate for other names), over hand-made events for what that run
// did not have (a client certificate, a key log, -k), and the timeline's handshake ticks.

#include "models/timelinemodel.h"
#include "models/tlsfacts.h"
#include "session/sessionstore.h"
#include "style/protocolstyle.h"
#include "views/timelinetooltips.h"
#include "views/timelineview.h"
#include "widgets/exchangedetail.h"
#include "widgets/tlsview.h"

#include "tracefixture.h"

#include <QCborArray>
#include <QLabel>
#include <QTabWidget>
#include <QTreeWidget>
#include <QtTest>

#include <functional>

using namespace hopscope;
using namespace Qt::StringLiterals;
using hopscope::testing::fields;
using hopscope::testing::makeEvent;

namespace {

QString tlsTracePath()
{
    return QStringLiteral(HOPSCOPE_UI_TEST_DATA "/tls.jsonl");
}

QString factsText(const SessionStore &store, quint32 req)
{
    TlsFacts facts;
    facts.reset(req);
    facts.scan(store);
    return TlsFacts::text(facts.rows(store));
}

// The row under `parent` labelled `label` (top level when parent is null), or null.
QTreeWidgetItem *item(QTreeWidget *tree, const QString &label, QTreeWidgetItem *parent = nullptr)
{
    QTreeWidgetItem *root = parent ? parent : tree->invisibleRootItem();
    for (int i = 0; i < root->childCount(); ++i) {
        if (root->child(i)->text(0) == label)
            return root->child(i);
    }
    return nullptr;
}

QCborMap certificate(const char *subject, const char *issuer, QCborArray sans)
{
    QCborMap m = fields({{"subject", subject},
                         {"issuer", issuer},
                         {"notBefore", "2026-01-01T00:00:00Z"},
                         {"notAfter", "2036-01-01T00:00:00Z"},
                         {"sha256", "aa:bb"}});
    if (!sans.isEmpty())
        m.insert(QStringLiteral("sans"), sans);
    return m;
}

// One https request on connection 1 whose tls event carries `tls` (plus what every one has).
void appendHandshake(SessionStore &store, QCborMap tls, bool insecure = false)
{
    quint64 seq = 0;
    store.append(makeEvent(++seq, 0, "request.start", {0, 1, -1}, Direction::None,
                           fields({{"method", "GET"}, {"url", "https://example.test/"}})));
    store.append(makeEvent(++seq, 1, "pool.open", {1, 1, -1}, Direction::None,
                           fields({{"origin", "https://example.test:443"}})));
    store.append(makeEvent(
        ++seq, 2, "connect", {1, 1, -1}, Direction::None,
        fields({{"host", "example.test"}, {"port", 443}, {"address", "127.0.0.1"}, {"ms", 1.0}})));
    if (insecure)
        store.append(makeEvent(++seq, 2, "tls.insecure", {1, 1, -1}, Direction::None,
                               fields({{"message", "certificate verification is OFF"}})));
    store.append(makeEvent(
        ++seq, 3, "tls.message", {1, 1, -1}, Direction::Out,
        fields({{"kind", "handshake"}, {"name", "ClientHello"}, {"value", 1}, {"bytes", 1}})));
    store.append(makeEvent(++seq, 4, "tls.message", {1, 1, -1}, Direction::In,
                           fields({{"kind", "alert"},
                                   {"level", "warning"},
                                   {"name", "close notify"},
                                   {"value", 0},
                                   {"bytes", 2}})));
    for (const auto &[key, value] : fields({{"protocol", "TLSv1.2"},
                                            {"cipher", "ECDHE-RSA-AES128-GCM-SHA256"},
                                            {"alpn", QCborValue(QCborValue::Null)},
                                            {"verified", !insecure},
                                            {"sni", "example.test"},
                                            {"ms", 2.5}})) {
        if (!tls.contains(key))
            tls.insert(key, value);
    }
    store.append(makeEvent(++seq, 5, "tls", {1, 1, -1}, Direction::None, tls));
}

} // namespace

class TestTlsView : public QObject
{
    Q_OBJECT

private slots:
    void recordedFacts_data();
    void recordedFacts();
    void failureInPlainWords();
    void handMadeFacts_data();
    void handMadeFacts();
    void viewShowsTheRecordedValues();
    void viewFollowsTheEventsAsTheyCome();
    void tabEnabledForTlsOnly();
    void timelineTicksAndTooltips();
    void timelineHitsTheTicks();
    void longFailureDoesNotWidenTheWindow();
};

void TestTlsView::recordedFacts_data()
{
    QTest::addColumn<quint32>("req");
    QTest::addColumn<QStringList>("lines");
    const QStringList common{u"  Version: TLSv1.3"_s,
                             u"  Cipher: TLS_AES_256_GCM_SHA384"_s,
                             u"  Key exchange group: x25519"_s,
                             u"  ALPN: http/1.1 (offered: h2, http/1.1)"_s,
                             u"  Verified: yes: the chain is trusted and made out for this host"_s,
                             u"  Server: localhost"_s,
                             u"    Issuer: Hopscope Test CA"_s,
                             u"    Names (SAN): DNS:localhost, IP:127.0.0.1"_s,
                             u"Client certificate: not requested"_s,
                             u"Key log: not logged"_s};
    QTest::newRow("stapled good")
        << 1u
        << common + QStringList{u"  SNI: none (an IP address gets none)"_s,
                                u"OCSP stapling: good"_s,
                                u"  Says: the responder says the certificate is good"_s,
                                u"  This update: 2026-12-07 17:35:41 UTC"_s,
                                u"  Next update: 2026-12-07 18:35:41 UTC"_s,
                                u"Certificate chain: 2 certificates, as the server sent them"_s,
                                u"Handshake messages: 10"_s,
                                u"  → ClientHello: 315 bytes, at +13.1 ms"_s,
                                u"  → ChangeCipherSpec: 1 byte, at +42.2 ms"_s};
    QTest::newRow("stapled revoked")
        << 2u
        << common + QStringList{u"  SNI: none (an IP address gets none)"_s,
                                u"OCSP stapling: REVOKED"_s, u"  Reason: keyCompromise"_s,
                                u"  Revoked at: 2026-12-07 16:35:26 UTC"_s};
    QTest::newRow("stapling off") << 3u
                                  << common + QStringList{
                                                  u"OCSP stapling: not stapled"_s,
                                                  u"  Says: the server stapled no OCSP response"_s};
}

void TestTlsView::recordedFacts()
{
    QFETCH(quint32, req);
    QFETCH(QStringList, lines);
    SessionStore store;
    store.append(testing::loadJsonLines(tlsTracePath()));
    const QStringList text = factsText(store, req).split(QLatin1Char('\n'));
    for (const QString &line : lines)
        QVERIFY2(text.contains(line), qPrintable(line + u"\nnot in:\n"_s + text.join('\n')));
}

void TestTlsView::failureInPlainWords()
{
    SessionStore store;
    store.append(testing::loadJsonLines(tlsTracePath()));
    TlsFacts facts;
    facts.reset(4);
    facts.scan(store);
    QVERIFY(facts.isTls(store));
    QCOMPARE(facts.failure(store),
             u"TLS certificate verification failed for example.test: the certificate is made out "
             "for localhost, 127.0.0.1, not for example.test"_s);
    QVERIFY(facts.hint(store).startsWith(u"No CA file changes this"_s));
    // Verification failed before the `tls` event: what is known is the messages.
    const QList<TlsFactRow> rows = facts.rows(store);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().label, u"Handshake messages"_s);
    QCOMPARE(rows.first().value, u"8"_s);
    // A good exchange has no failure.
    facts.reset(1);
    facts.scan(store);
    QVERIFY(facts.failure(store).isEmpty());
}

void TestTlsView::handMadeFacts_data()
{
    QTest::addColumn<QCborMap>("tls");
    QTest::addColumn<bool>("insecure");
    QTest::addColumn<QStringList>("lines");
    QTest::addColumn<QStringList>("problems"); // labels of rows marked as a problem

    QCborMap sent = fields({{"certificateRequested", true}});
    sent.insert(u"clientCertificate"_s,
                certificate("hopscope test client", "hopscope test client", {}));
    QTest::newRow("client certificate sent")
        << sent << false
        << QStringList{u"Client certificate: requested; sent hopscope test client"_s,
                       u"  Names (SAN): none in the trace"_s,
                       u"  Valid: 2026-01-01 00:00:00 UTC → 2036-01-01 00:00:00 UTC"_s}
        << QStringList{};
    QTest::newRow("client certificate asked for, none sent")
        << fields({{"certificateRequested", true}}) << false
        << QStringList{u"Client certificate: requested; none sent (choose one under "
                       "Options)"_s}
        << QStringList{};
    QTest::newRow("key log") << fields({{"keyLog", "/tmp/keys.log"}}) << false
                             << QStringList{u"Key log: /tmp/keys.log"_s} << QStringList{};
    QTest::newRow("key log that failed")
        << fields({{"keyLog", "/ro/keys.log"},
                   {"keyLogError", "/ro/keys.log could not be "
                                   "written"}})
        << false
        << QStringList{u"Key log: /ro/keys.log"_s, u"  Error: /ro/keys.log could not be written"_s}
        << QStringList{u"Key log"_s, u"Error"_s};
    QTest::newRow("insecure, invalid staple")
        << fields({{"ocsp", "invalid"},
                   {"ocspDetail", "the stapled OCSP response's signature "
                                  "does not verify"}})
        << true
        << QStringList{u"  Verified: NO: Insecure (-k) was on, the server's identity was not "
                       "checked"_s,
                       u"OCSP stapling: invalid response"_s,
                       u"  SNI: example.test"_s,
                       u"  ALPN: none (offered: none)"_s,
                       u"  → ClientHello: 1 byte, at +1.00 ms"_s,
                       u"  ← alert: close notify: warning, at +2.00 ms"_s}
        << QStringList{u"Verified"_s, u"OCSP stapling"_s, u"Says"_s};
    QTest::newRow("an old trace: no OCSP fields")
        << QCborMap() << false << QStringList{u"OCSP stapling: not in the trace"_s}
        << QStringList{};
}

void TestTlsView::handMadeFacts()
{
    QFETCH(QCborMap, tls);
    QFETCH(bool, insecure);
    QFETCH(QStringList, lines);
    QFETCH(QStringList, problems);
    SessionStore store;
    appendHandshake(store, tls, insecure);
    const QStringList text = factsText(store, 1).split(QLatin1Char('\n'));
    for (const QString &line : lines)
        QVERIFY2(text.contains(line), qPrintable(line + u"\nnot in:\n"_s + text.join('\n')));

    TlsFacts facts;
    facts.reset(1);
    facts.scan(store);
    QStringList marked;
    const std::function<void(const QList<TlsFactRow> &)> collect =
        [&](const QList<TlsFactRow> &rows) {
            for (const TlsFactRow &r : rows) {
                if (r.problem)
                    marked << r.label;
                collect(r.children);
            }
        };
    collect(facts.rows(store));
    QCOMPARE(marked, problems);
}

void TestTlsView::viewShowsTheRecordedValues()
{
    SessionStore store;
    store.append(testing::loadJsonLines(tlsTracePath()));
    TlsView view(&store);
    view.setExchange(2);
    QVERIFY(view.hasTls());
    QVERIFY(view.failureText().isEmpty());
    QTreeWidget *tree = view.tree();
    QStringList top;
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        top << tree->topLevelItem(i)->text(0);
    QCOMPARE(top, (QStringList{u"Handshake"_s, u"OCSP stapling"_s, u"Certificate chain"_s,
                               u"Client certificate"_s, u"Key log"_s, u"Handshake messages"_s}));
    QTreeWidgetItem *handshake = item(tree, u"Handshake"_s);
    QCOMPARE(item(tree, u"Version"_s, handshake)->text(1), u"TLSv1.3"_s);
    QCOMPARE(item(tree, u"Key exchange group"_s, handshake)->text(1), u"x25519"_s);
    QTreeWidgetItem *ocsp = item(tree, u"OCSP stapling"_s);
    QCOMPARE(ocsp->text(1), u"REVOKED"_s);
    QCOMPARE(ocsp->foreground(1).color(), errorColor());
    QTreeWidgetItem *server = item(tree, u"Server"_s, item(tree, u"Certificate chain"_s));
    QCOMPARE(server->text(1), u"localhost"_s);
    // A fingerprint is shown in lines (no "…"), and copied whole.
    QTreeWidgetItem *sha = item(tree, u"SHA-256"_s, server);
    QCOMPARE(sha->data(1, Qt::UserRole).toString().size(), 95);
    QVERIFY(sha->text(1).contains(QLatin1Char('\n')));
    QCOMPARE(QString(sha->text(1)).remove(QLatin1Char('\n')), sha->data(1, Qt::UserRole));

    view.setExchange(4);
    QVERIFY(view.failureText().contains(u"made out for localhost, 127.0.0.1, not for "
                                        "example.test"_s));
    QVERIFY(view.failureText().contains(u"Insecure (-k)"_s)); // the window's hint
    view.setExchange(1);
    QVERIFY(view.failureText().isEmpty());
    QCOMPARE(item(tree, u"OCSP stapling"_s)->text(1), u"good"_s);
}

void TestTlsView::viewFollowsTheEventsAsTheyCome()
{
    // One event per batch, as a live run delivers them: the messages show before the `tls`
    // event, the whole story once it came, and the end is what one batch gives.
    const TraceBatch all = testing::loadJsonLines(tlsTracePath());
    SessionStore store;
    TlsView view(&store);
    bool sawMessagesFirst = false;
    for (qsizetype i = 0; i < all.size(); ++i) {
        store.append(all.mid(i, 1));
        if (i == 0)
            view.setExchange(1);
        const ConnectionInfo *c = store.connection(1);
        if (c && c->tlsEvent < 0 && view.factsText().startsWith(u"Handshake messages: "_s))
            sawMessagesFirst = true;
    }
    QVERIFY(sawMessagesFirst);
    QVERIFY(view.factsText().contains(u"OCSP stapling: good"_s));
    QCOMPARE(view.factsText(), factsText(store, 1));
}

void TestTlsView::tabEnabledForTlsOnly()
{
    SessionStore store;
    store.append(testing::loadJsonLines(tlsTracePath()));
    ExchangeDetail detail(&store);
    detail.setExchange(1);
    QVERIFY(detail.isTabEnabled(ExchangeDetail::TlsTab));
    detail.setCurrentTab(ExchangeDetail::TlsTab);
    QCOMPARE(detail.currentTab(), ExchangeDetail::TlsTab);
    QCOMPARE(detail.tabWidget()->tabText(ExchangeDetail::TlsTab), u"TLS"_s);

    // The demo tour's first exchange is cleartext: no TLS tab, and the detail falls back.
    SessionStore tour;
    tour.append(testing::loadJsonLines(testing::tourTracePath()));
    ExchangeDetail cleartext(&tour);
    cleartext.setCurrentTab(ExchangeDetail::TlsTab);
    cleartext.setExchange(1);
    QVERIFY(!cleartext.isTabEnabled(ExchangeDetail::TlsTab));
    QCOMPARE(cleartext.currentTab(), ExchangeDetail::HeadersTab);
}

void TestTlsView::timelineTicksAndTooltips()
{
    SessionStore store;
    TimelineModel model(&store);
    store.append(testing::loadJsonLines(tlsTracePath()));
    QCOMPARE(model.laneCount(), 4);
    const QList<int> expected{10, 10, 10, 8}; // each connection's tls.message events
    for (int i = 0; i < 4; ++i)
        QCOMPARE(model.laneAt(i).tlsTicks.size(), expected.at(i));
    const TimelineLane &lane = model.laneAt(0);
    const TimelineTlsTick &first = lane.tlsTicks.first();
    QVERIFY(first.outgoing);
    QVERIFY(!first.alert);
    QCOMPARE(model.tlsTickLabel(first), u"TLS handshake (OUT): ClientHello, 315 bytes"_s);
    QVERIFY(!lane.tlsTicks.at(1).outgoing);
    for (int k = 1; k < lane.tlsTicks.size(); ++k)
        QVERIFY(lane.tlsTicks.at(k - 1).ns <= lane.tlsTicks.at(k).ns);

    QCOMPARE(TimelineModel::tlsTickNear(lane, first.ns + 500, 1000), 0);
    QCOMPARE(TimelineModel::tlsTickNear(lane, first.ns - 5'000'000, 1000), -1);

    TimelineHit hit;
    hit.kind = TimelineHit::TlsTick;
    hit.conn = 1;
    hit.tickIndex = 0;
    const QString tip = TimelineTooltips::text(model, hit);
    QVERIFY2(tip.startsWith(u"TLS handshake (OUT): ClientHello, 315 bytes\nat "_s),
             qPrintable(tip));
    QVERIFY2(tip.endsWith(u" on #1 (event 5)"_s), qPrintable(tip));
}

// Pointing at the strip where the handshake happened finds the ticks, ClientHello first.
void TestTlsView::timelineHitsTheTicks()
{
    SessionStore store;
    TimelineModel model(&store);
    TimelineView view;
    view.setModel(&model);
    store.append(testing::loadJsonLines(tlsTracePath()));
    view.resize(1200, 400);
    view.show();
    const TimelineLane &lane = model.laneAt(0);
    view.setVisibleRange(lane.tlsTicks.first().ns - 2'000'000, lane.tlsTicks.last().ns + 2'000'000);
    const QRect header = view.laneHeaderRect(1);
    QSet<int> found;
    for (int y = header.top(); y <= header.bottom(); ++y) {
        for (int x = header.right() + 1; x < view.viewport()->width(); ++x) {
            const TimelineView::Hit hit = view.hitTest(QPoint(x, y));
            if (hit.kind == TimelineHit::TlsTick) {
                QCOMPARE(hit.conn, 1u);
                found.insert(hit.tickIndex);
            }
        }
    }
    QVERIFY(found.contains(0));
    QVERIFY2(found.size() >= 5, qPrintable(QString::number(found.size())));
}

// A long failure message wraps: the details (and so the window) need no more width for it.
void TestTlsView::longFailureDoesNotWidenTheWindow()
{
    SessionStore store;
    store.append(testing::loadJsonLines(tlsTracePath()));
    ExchangeDetail detail(&store);
    detail.setExchange(1);
    const int calm = detail.minimumSizeHint().width();
    const int calmTls = detail.tlsView()->minimumSizeHint().width();
    detail.setExchange(4);
    QCOMPARE(detail.tlsView()->minimumSizeHint().width(), calmTls);
    QCOMPARE(detail.minimumSizeHint().width(), calm);
}

QTEST_MAIN(TestTlsView)
#include "tst_tlsview.moc"
