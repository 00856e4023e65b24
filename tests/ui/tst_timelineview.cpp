#include "models/timelinemodel.h"
#include "session/sessionstore.h"
#include "tracefixture.h"
#include "views/idlecompression.h"
#include "views/timelineframepainter.h"
#include "views/timelineview.h"

#include <QApplication>
#include <QCborArray>
#include <QElapsedTimer>
#include <QHelpEvent>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QToolTip>
#include <QWheelEvent>

#include <memory>

using namespace hopscope;
using namespace hopscope::testing;

namespace {

struct Fixture
{
    SessionStore store;
    TimelineModel model{&store};
    TimelineView view;

    explicit Fixture(const TraceBatch &events, QSize size = QSize(1200, 400))
    {
        view.setModel(&model);
        store.append(events);
        view.resize(size);
        view.show();
    }
};

int markerOfKind(const TimelineModel &model, quint32 conn, TimelineMarker::Kind kind)
{
    for (int m : model.lane(conn)->markers)
        if (model.markerAt(m).kind == kind)
            return m;
    return -1;
}

void sendWheel(QWidget *w, QPoint pos, int delta, Qt::KeyboardModifiers mods)
{
    QWheelEvent ev(QPointF(pos), QPointF(w->mapToGlobal(pos)), QPoint(), QPoint(0, delta),
                   Qt::NoButton, mods, Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &ev);
}

// Two connections: #1 offers h2c and is declined (HTTP/1.1 goes on); #2 speaks h2 (ALPN), one
// stream is reset by the server, another still runs when the server sends GOAWAY.
TraceBatch problemTrace()
{
    quint64 seq = 0;
    TraceBatch b;
    const auto ev = [&](double ms, const char *type, EventScope scope, Direction dir, QCborMap f) {
        b.append(makeEvent(++seq, ms, type, scope, dir, std::move(f)));
    };
    const auto start = [&](quint32 req, double ms, const char *url) {
        ev(ms, "request.start", {0, req, -1}, Direction::None,
           fields({{"method", QStringLiteral("GET")}, {"url", QString::fromLatin1(url)}}));
    };
    start(1, 0.0, "http://h/a");
    ev(0.1, "pool.open", {1, 1, -1}, Direction::None,
       fields({{"origin", QStringLiteral("http://h:80")}}));
    ev(0.2, "connect.attempt", {1, 1, -1}, Direction::None, {});
    ev(1.0, "connect", {1, 1, -1}, Direction::None,
       fields({{"address", QStringLiteral("10.0.0.1")}, {"port", 80}, {"ms", 0.8}}));
    ev(1.1, "h1.request", {1, 1, -1}, Direction::Out, {});
    ev(1.1, "upgrade.offer", {1, 1, -1}, Direction::None,
       fields({{"protocol", QStringLiteral("h2c")}}));
    ev(4.0, "h1.response", {1, 1, -1}, Direction::In, fields({{"status", 200}}));
    ev(4.0, "upgrade.declined", {1, 1, -1}, Direction::None,
       fields({{"protocol", QStringLiteral("h2c")}, {"status", 200}}));
    ev(5.0, "response.complete", {1, 1, -1}, Direction::None, fields({{"status", 200}}));
    start(2, 5.5, "http://h/b");
    ev(5.6, "pool.reuse", {1, 2, -1}, Direction::None, {});
    ev(5.7, "h1.request", {1, 2, -1}, Direction::Out, {});
    ev(8.0, "h1.response", {1, 2, -1}, Direction::In, fields({{"status", 404}}));
    ev(8.5, "response.complete", {1, 2, -1}, Direction::None, fields({{"status", 404}}));

    start(3, 6.0, "https://h/one");
    start(4, 6.0, "https://h/two");
    start(5, 6.0, "https://h/three");
    ev(6.1, "pool.open", {2, 3, -1}, Direction::None,
       fields({{"origin", QStringLiteral("https://h:443")}}));
    ev(6.2, "connect.attempt", {2, 3, -1}, Direction::None, {});
    ev(7.0, "connect", {2, 3, -1}, Direction::None,
       fields({{"address", QStringLiteral("10.0.0.1")}, {"port", 443}, {"ms", 0.8}}));
    ev(9.0, "tls", {2, 3, -1}, Direction::None,
       fields({{"protocol", QStringLiteral("TLSv1.3")}, {"alpn", QStringLiteral("h2")}}));
    ev(9.1, "h2.frame", {2, 0, 0}, Direction::Out,
       fields({{"frame", QStringLiteral("SETTINGS")}, {"flags", QCborArray{}}}));
    for (quint32 req : {3u, 4u, 5u})
        ev(9.2 + req * 0.1, "h2.headers", {2, req, int(req * 2 - 5)}, Direction::Out,
           fields({{"kind", QStringLiteral("request")}}));
    ev(10.0, "h2.frame", {2, 0, 0}, Direction::In,
       fields(
           {{"frame", QStringLiteral("SETTINGS")}, {"flags", QCborArray{QStringLiteral("ACK")}}}));
    ev(12.0, "h2.frame", {2, 4, 3}, Direction::In,
       fields(
           {{"frame", QStringLiteral("RST_STREAM")}, {"error", QStringLiteral("INTERNAL_ERROR")}}));
    ev(12.0, "request.failed", {2, 4, 3}, Direction::None,
       fields({{"code", QStringLiteral("h2-rst:INTERNAL_ERROR")},
               {"error", QStringLiteral("the server reset stream 3")}}));
    ev(14.0, "response.complete", {2, 3, 1}, Direction::None, fields({{"status", 200}}));
    ev(16.0, "h2.frame", {2, 0, 0}, Direction::In,
       fields({{"frame", QStringLiteral("GOAWAY")},
               {"lastStreamId", 3},
               {"error", QStringLiteral("ENHANCE_YOUR_CALM")}}));
    ev(16.0, "error", {2, 0, -1}, Direction::None,
       fields({{"code", QStringLiteral("h2-goaway:ENHANCE_YOUR_CALM")},
               {"message", QStringLiteral("the server went away")}}));
    ev(17.0, "h2.frame", {2, 0, 0}, Direction::In,
       fields({{"frame", QStringLiteral("PING")}, {"flags", QCborArray{}}}));
    return b;
}

} // namespace

class TimelineViewTest : public QObject
{
    Q_OBJECT

private:
    TraceBatch m_tour;

private slots:
    void initTestCase()
    {
        m_tour = loadJsonLines(tourTracePath());
        QVERIFY(m_tour.size() > 100);
    }

    void sizeHintIsSensible()
    {
        TimelineView view;
        QCOMPARE(view.sizeHint(), QSize(900, 300));
        QVERIFY(view.minimumSizeHint().width() < 900);
    }

    void hitTestFindsEveryBar()
    {
        Fixture f(m_tour);
        QVERIFY(QTest::qWaitForWindowExposed(&f.view));
        f.view.fitAll();
        QVERIFY(f.view.isAutoFit());
        for (quint32 req = 1; req <= 7; ++req) {
            const QRect r = f.view.barRect(req);
            QVERIFY2(!r.isEmpty(), qPrintable(QString::number(req)));
            QVERIFY2(f.view.timeArea().contains(r.center()), qPrintable(QString::number(req)));
            const TimelineView::Hit hit = f.view.hitTest(r.center());
            QCOMPARE(hit.kind, TimelineView::Hit::Bar);
            QCOMPARE(hit.req, req);
            QCOMPARE(hit.conn, f.model.bar(req)->conn);
            QVERIFY(f.view.laneRect(hit.conn).contains(r));
        }
        // The three multiplexed streams are stacked: same lane, different rows.
        QVERIFY(f.view.barRect(2).top() != f.view.barRect(3).top());
        QVERIFY(f.view.barRect(1).top() != f.view.barRect(2).top());
        // Lane headers.
        const TimelineView::Hit header = f.view.hitTest(f.view.laneHeaderRect(4).center());
        QCOMPARE(header.kind, TimelineView::Hit::Lane);
        QCOMPARE(header.conn, 4u);
        QVERIFY(header.inHeader);
        // The axis is nothing.
        QCOMPARE(f.view.hitTest(QPoint(600, 3)).kind, TimelineView::Hit::None);
    }

    void clickActivates()
    {
        Fixture f(m_tour);
        QVERIFY(QTest::qWaitForWindowExposed(&f.view));
        QSignalSpy exchanges(&f.view, &TimelineView::exchangeActivated);
        QSignalSpy connections(&f.view, &TimelineView::connectionActivated);

        QTest::mouseClick(f.view.viewport(), Qt::LeftButton, {}, f.view.barRect(2).center());
        QCOMPARE(exchanges.count(), 1);
        QCOMPARE(exchanges.first().first().value<quint32>(), 2u);
        QCOMPARE(f.view.selectedExchange(), 2u);

        QTest::mouseClick(f.view.viewport(), Qt::LeftButton, {}, f.view.barRect(6).center());
        QCOMPARE(exchanges.count(), 2);
        QCOMPARE(exchanges.last().first().value<quint32>(), 6u);

        QTest::mouseClick(f.view.viewport(), Qt::LeftButton, {}, f.view.laneHeaderRect(3).center());
        QCOMPARE(connections.count(), 1);
        QCOMPARE(connections.first().first().value<quint32>(), 3u);
        QCOMPARE(exchanges.count(), 2);
        QCOMPARE(f.view.selectedExchange(), 6u);
    }

    void markersAreHitAndActivate()
    {
        Fixture f(m_tour);
        QVERIFY(QTest::qWaitForWindowExposed(&f.view));
        // Offer and switch are 1 ms apart: zoom in on them.
        f.view.setVisibleRange(17'000'000, 22'000'000);
        const int sw = markerOfKind(f.model, 1, TimelineMarker::Kind::UpgradeSwitch);
        QVERIFY(sw >= 0);
        const QPoint at = f.view.markerPos(sw);
        QVERIFY(f.view.timeArea().contains(at));
        const TimelineView::Hit hit = f.view.hitTest(at);
        QCOMPARE(hit.kind, TimelineView::Hit::Marker);
        QCOMPARE(hit.markerIndex, sw);
        QCOMPARE(hit.conn, 1u);
        QVERIFY(f.view.toolTipAt(at).contains(QStringLiteral("→ h2c")));
        QVERIFY(f.view.toolTipAt(at).contains(QLatin1String("19.125 ms")));

        QSignalSpy events(&f.view, &TimelineView::eventActivated);
        QTest::mouseClick(f.view.viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(events.count(), 1);
        QVERIFY(f.store.event(events.first().first().toInt()).is(EventType::UpgradeSwitch));

        const int offer = markerOfKind(f.model, 1, TimelineMarker::Kind::UpgradeOffer);
        QCOMPARE(f.view.hitTest(f.view.markerPos(offer)).markerIndex, offer);

        // A phase: the Http1Request segment between offer and switch.
        const QPoint phasePoint((f.view.markerPos(offer).x() + f.view.markerPos(sw).x()) / 2,
                                f.view.markerPos(sw).y());
        const TimelineView::Hit phase = f.view.hitTest(phasePoint);
        QCOMPARE(phase.kind, TimelineView::Hit::Phase);
        QCOMPARE(f.model.lane(1)->phases[phase.phaseIndex].kind, TimelinePhase::Kind::Http1Request);
        QVERIFY(f.view.toolTipAt(phasePoint).contains(QLatin1String("18.139 ms")));
    }

    void tooltipShowsTimes()
    {
        Fixture f(m_tour);
        QVERIFY(QTest::qWaitForWindowExposed(&f.view));
        const QPoint c = f.view.barRect(2).center();
        const QString text = f.view.toolTipAt(c);
        QVERIFY2(text.contains(QStringLiteral("req 2, stream 3, GET /delay/300 → 200")),
                 qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("sent at 19.342 ms")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("done at 321.500 ms")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("302.2 ms")), qPrintable(text));

        // Through the real tooltip event.
        QHelpEvent help(QEvent::ToolTip, c, f.view.viewport()->mapToGlobal(c));
        QApplication::sendEvent(f.view.viewport(), &help);
        QTRY_VERIFY(QToolTip::isVisible());
        QVERIFY(QToolTip::text().contains(QLatin1String("19.342 ms")));
        QToolTip::hideText();
    }

    void zoomMakesBarsWider()
    {
        Fixture f(m_tour);
        QVERIFY(QTest::qWaitForWindowExposed(&f.view));
        const QRect before = f.view.barRect(2);
        const double nsPerPx = f.view.nsPerPixel();
        f.view.zoomBy(2.0, before.left());
        QVERIFY(!f.view.isAutoFit());
        const QRect after = f.view.barRect(2);
        QVERIFY2(after.width() > before.width() * 1.8,
                 qPrintable(QStringLiteral("%1 → %2").arg(before.width()).arg(after.width())));
        QVERIFY(std::abs(after.left() - before.left()) <= 1); // anchored
        QCOMPARE(f.view.nsPerPixel(), nsPerPx / 2);

        // Ctrl+wheel zooms around the cursor; plain wheel does not zoom.
        const double z = f.view.nsPerPixel();
        sendWheel(f.view.viewport(), QPoint(600, 100), 120, Qt::ControlModifier);
        QVERIFY(f.view.nsPerPixel() < z);
        const double z2 = f.view.nsPerPixel();
        sendWheel(f.view.viewport(), QPoint(600, 100), 120, Qt::NoModifier);
        QCOMPARE(f.view.nsPerPixel(), z2);
        // Shift+wheel pans time.
        const qint64 start = f.view.visibleStartNs();
        sendWheel(f.view.viewport(), QPoint(600, 100), -120, Qt::ShiftModifier);
        QVERIFY(f.view.visibleStartNs() > start);

        // Keys: + zooms in, F fits and follows again.
        f.view.setFocus();
        const double z3 = f.view.nsPerPixel();
        QTest::keyClick(&f.view, Qt::Key_Plus);
        QVERIFY(f.view.nsPerPixel() < z3);
        QTest::keyClick(&f.view, Qt::Key_Minus);
        QVERIFY(std::abs(f.view.nsPerPixel() - z3) < z3 * 1e-9);
        QTest::keyClick(&f.view, Qt::Key_F);
        QVERIFY(f.view.isAutoFit());
        QCOMPARE(f.view.barRect(2), before);
    }

    void selectionScrollsIntoView()
    {
        Fixture f(m_tour, QSize(1200, 170));
        QVERIFY(QTest::qWaitForWindowExposed(&f.view));
        f.view.setVisibleRange(17'000'000, 25'000'000);
        QVERIFY(!f.view.timeArea().intersects(f.view.barRect(7)));
        QSignalSpy exchanges(&f.view, &TimelineView::exchangeActivated);
        f.view.setSelectedExchange(7);
        QCOMPARE(f.view.selectedExchange(), 7u);
        QCOMPARE(exchanges.count(), 0);
        const QRect r = f.view.barRect(7);
        QVERIFY2(f.view.timeArea().intersects(r), qPrintable(QStringLiteral("%1,%2 %3x%4")
                                                                 .arg(r.x())
                                                                 .arg(r.y())
                                                                 .arg(r.width())
                                                                 .arg(r.height())));
        QVERIFY(f.view.timeArea().contains(r.center()) || r.width() > f.view.timeArea().width());
        QCOMPARE(f.view.hitTest(r.center()).req, 7u);
        // And back up to the first lane.
        f.view.setSelectedExchange(1);
        QVERIFY(f.view.timeArea().contains(f.view.barRect(1).center()));
    }

    void followsUntilTheUserZooms()
    {
        SessionStore store;
        TimelineModel model(&store);
        TimelineView view;
        view.setModel(&model);
        view.resize(1000, 350);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        store.append(m_tour.mid(0, 60));
        QVERIFY(view.isAutoFit());
        QVERIFY(view.visibleEndNs() >= store.lastEventNs());
        store.append(m_tour.mid(60, 40));
        QVERIFY(view.visibleEndNs() >= store.lastEventNs());
        QVERIFY(view.visibleStartNs() <= model.startNs());

        QSignalSpy following(&view, &TimelineView::autoFitChanged);
        view.zoomBy(3, 500);
        QCOMPARE(following.count(), 1);
        const qint64 start = view.visibleStartNs(), end = view.visibleEndNs();
        store.append(m_tour.mid(100));
        QVERIFY(!view.isAutoFit());
        QCOMPARE(view.visibleStartNs(), start);
        QCOMPARE(view.visibleEndNs(), end);
        view.fitAll();
        QVERIFY(view.isAutoFit());
        QVERIFY(view.visibleEndNs() >= store.lastEventNs());
    }

    void dragPansAndDoubleClickFits()
    {
        Fixture f(m_tour);
        QVERIFY(QTest::qWaitForWindowExposed(&f.view));
        f.view.zoomBy(4, 700);
        // An empty spot: lane 2's bar row, far right (#2 closed at 333 ms).
        f.view.fitAll();
        f.view.zoomBy(1.5, f.view.timeArea().left());
        const QRect lane2 = f.view.laneRect(2);
        const QPoint empty(f.view.timeArea().right() - 20, lane2.bottom() - 8);
        QCOMPARE(f.view.hitTest(empty).kind, TimelineView::Hit::None);
        QCOMPARE(f.view.hitTest(empty).conn, 2u);

        QSignalSpy exchanges(&f.view, &TimelineView::exchangeActivated);
        const qint64 start = f.view.visibleStartNs();
        QTest::mousePress(f.view.viewport(), Qt::LeftButton, {}, empty);
        QMouseEvent move(QEvent::MouseMove, QPointF(empty - QPoint(200, 0)),
                         QPointF(f.view.viewport()->mapToGlobal(empty - QPoint(200, 0))),
                         Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(f.view.viewport(), &move);
        QTest::mouseRelease(f.view.viewport(), Qt::LeftButton, {}, empty - QPoint(200, 0));
        QVERIFY(f.view.visibleStartNs() > start);
        QVERIFY(!f.view.isAutoFit());
        QCOMPARE(exchanges.count(), 0);

        // Double-click on the ruler: everything again.
        QTest::mouseDClick(f.view.viewport(), Qt::LeftButton, {},
                           QPoint(f.view.timeArea().center().x(), f.view.timeArea().top() - 4));
        QVERIFY(f.view.isAutoFit());
    }

    // Double-click a lane (an empty spot, its phase strip or its header): the view shows that
    // connection's life, from its start to its end, with a small margin.
    void doubleClickZoomsToTheConnection_data()
    {
        QTest::addColumn<quint32>("conn");
        QTest::addColumn<QString>("where");
        for (quint32 conn : {1u, 2u, 4u}) {
            QTest::addRow("#%u empty", conn) << conn << QStringLiteral("empty");
            QTest::addRow("#%u header", conn) << conn << QStringLiteral("header");
        }
    }
    void doubleClickZoomsToTheConnection()
    {
        QFETCH(quint32, conn);
        QFETCH(QString, where);
        Fixture f(m_tour, QSize(1200, 600));
        QVERIFY(QTest::qWaitForWindowExposed(&f.view));
        const TimelineLane &lane = *f.model.lane(conn);
        const QRect rect = f.view.laneRect(conn);
        QPoint pos = where == QLatin1String("header")
                         ? f.view.laneHeaderRect(conn).center()
                         : QPoint(f.view.timeArea().right() - 3, rect.bottom() - 3);
        if (where != QLatin1String("header")) {
            QCOMPARE(f.view.hitTest(pos).kind, TimelineView::Hit::None);
            QCOMPARE(f.view.hitTest(pos).conn, conn);
        }
        QSignalSpy following(&f.view, &TimelineView::autoFitChanged);
        QTest::mouseDClick(f.view.viewport(), Qt::LeftButton, {}, pos);
        QVERIFY(!f.view.isAutoFit());
        QCOMPARE(following.count(), 1);
        const qint64 start = lane.startNs, end = f.model.effectiveEnd(lane.endNs);
        const qint64 span = end - start;
        QVERIFY2(f.view.visibleStartNs() <= start && f.view.visibleEndNs() >= end,
                 qPrintable(QStringLiteral("%1..%2 shows %3..%4")
                                .arg(start)
                                .arg(end)
                                .arg(f.view.visibleStartNs())
                                .arg(f.view.visibleEndNs())));
        // A small margin: the lane fills most of the width.
        QVERIFY(f.view.visibleStartNs() >= start - span / 10);
        QVERIFY(f.view.visibleEndNs() <= end + span / 10);
    }

    // The switch is a few milliseconds of a connection that lives seconds: zoomed to #1 on a
    // plain axis it is a sliver; with idle time compressed it is wide enough to read, every
    // compressed stretch is marked on the ruler, and no tick claims a time inside one.
    void idleCompressionMakesTheSwitchReadable()
    {
        Fixture f(m_tour, QSize(1200, 460));
        QVERIFY(QTest::qWaitForWindowExposed(&f.view));
        const TimelineLane &lane = *f.model.lane(1);
        qint64 switchStart = -1, switchEnd = -1;
        for (const TimelinePhase &ph : lane.phases) {
            if (ph.kind == TimelinePhase::Kind::Http1Request && switchStart < 0)
                switchStart = ph.startNs;
            if (ph.kind == TimelinePhase::Kind::Preface)
                switchEnd = f.model.effectiveEnd(ph.endNs);
        }
        QVERIFY(switchStart >= 0 && switchEnd > switchStart);
        const int offer = markerOfKind(f.model, 1, TimelineMarker::Kind::UpgradeOffer);
        QVERIFY(offer >= 0);
        auto switchPx = [&] {
            const int y = f.view.markerPos(offer).y();
            int px = 0;
            for (int x = f.view.timeArea().left(); x <= f.view.timeArea().right(); ++x) {
                const TimelineView::Hit hit = f.view.hitTest(QPoint(x, y));
                if (hit.ns >= switchStart && hit.ns <= switchEnd)
                    ++px;
            }
            return px;
        };
        f.view.zoomToConnection(1);
        const int plain = switchPx();
        QSignalSpy changed(&f.view, &TimelineView::idleCompressedChanged);
        f.view.setIdleCompressed(true);
        QCOMPARE(changed.count(), 1);
        QVERIFY(f.view.isIdleCompressed());
        // Kept what was in view (the whole connection) across the change of axis.
        QVERIFY(f.view.visibleStartNs() <= lane.startNs);
        QVERIFY(f.view.visibleEndNs() >= f.model.effectiveEnd(lane.endNs));
        f.view.zoomToConnection(1);
        const int compressed = switchPx();
        // About a tenth of the width: the connections' set-ups of the tour (TLS, connects) are
        // busy time too, and stay to scale.
        QVERIFY2(plain < 5 && compressed >= 70,
                 qPrintable(QStringLiteral("switch: %1 px plain, %2 px compressed")
                                .arg(plain)
                                .arg(compressed)));
        // Times still map both ways: a bar's tooltip tells its real times.
        const QPoint bar = f.view.barRect(2).center();
        QCOMPARE(f.view.hitTest(bar).req, 2u);
        QVERIFY(f.view.toolTipAt(bar).contains(QLatin1String("/delay/300")));
        // The I key turns it off again.
        f.view.setFocus();
        QTest::keyClick(&f.view, Qt::Key_I);
        QVERIFY(!f.view.isIdleCompressed());
        QCOMPARE(changed.count(), 2);
        if (const QString dir = qEnvironmentVariable("HOPSCOPE_SCREENSHOT_DIR"); !dir.isEmpty()) {
            f.view.setIdleCompressed(true);
            f.view.zoomToConnection(1);
            f.view.grab().save(dir + QStringLiteral("/timeline-compressed.png"));
        }
    }

    // A lane that closed before speaking says how far it got: a refused connect "never
    // connected", a TCP connection whose TLS handshake failed "TLS failed".
    void laneSaysWhatFailed_data()
    {
        QTest::addColumn<QString>("origin");
        QTest::addColumn<bool>("connected");
        QTest::addColumn<QString>("text");
        QTest::addRow("connect refused") << "https://h:443" << false << "never connected";
        QTest::addRow("TLS failed") << "https://h:443" << true << "TLS failed";
        QTest::addRow("plain, closed") << "http://h:80" << true << "closed before a request";
    }
    void laneSaysWhatFailed()
    {
        QFETCH(QString, origin);
        QFETCH(bool, connected);
        QFETCH(QString, text);
        quint64 seq = 0;
        TraceBatch b;
        const auto ev = [&](double ms, const char *type, QCborMap f) {
            b.append(makeEvent(++seq, ms, type, {1, 1, -1}, Direction::None, std::move(f)));
        };
        b.append(makeEvent(
            ++seq, 0.0, "request.start", {0, 1, -1}, Direction::None,
            fields({{"method", QStringLiteral("GET")}, {"url", origin + QStringLiteral("/")}})));
        ev(0.1, "pool.open", fields({{"origin", origin}}));
        ev(0.2, "connect.attempt", {});
        if (connected)
            ev(1.0, "connect", fields({{"address", QStringLiteral("10.0.0.1")}, {"port", 443}}));
        ev(2.0, "error",
           fields({{"code", QStringLiteral("tls")}, {"message", QStringLiteral("x")}}));
        ev(2.0, "close", fields({{"reason", QStringLiteral("error")}}));
        Fixture f(b);
        const TimelineLane *lane = f.model.lane(1);
        QVERIFY(lane && !lane->isOpen() && lane->protocols.isEmpty());
        QCOMPARE(TimelineFramePainter::notSpokenText(lane->reached), text);
    }

    // A lane taller than the view (40 parallel streams) keeps its name in sight while it is
    // scrolled: the header's text follows the top of the time area.
    void laneNameStaysWhenScrolled()
    {
        quint64 seq = 0;
        TraceBatch b;
        const auto ev = [&](double ms, const char *type, EventScope scope, QCborMap f) {
            b.append(makeEvent(++seq, ms, type, scope, Direction::None, std::move(f)));
        };
        ev(0.0, "pool.open", {1, 1, -1}, fields({{"origin", QStringLiteral("https://h:443")}}));
        ev(1.0, "connect", {1, 1, -1},
           fields({{"address", QStringLiteral("10.0.0.1")}, {"port", 443}, {"ms", 0.8}}));
        ev(2.0, "tls", {1, 1, -1},
           fields({{"protocol", QStringLiteral("TLSv1.3")}, {"alpn", QStringLiteral("h2")}}));
        for (quint32 req = 1; req <= 40; ++req) {
            ev(2.0 + req * 0.01, "request.start", {0, req, -1},
               fields({{"method", QStringLiteral("GET")}, {"url", QStringLiteral("https://h/x")}}));
            ev(2.1 + req * 0.01, "h2.headers", {1, req, int(req * 2 - 1)},
               fields({{"kind", QStringLiteral("request")}}));
        }
        ev(50.0, "h2.frame", {1, 0, 0},
           fields({{"frame", QStringLiteral("PING")}, {"flags", QCborArray{}}}));
        Fixture f(b, QSize(900, 300));
        QVERIFY(QTest::qWaitForWindowExposed(&f.view));
        QVERIFY(f.model.lane(1)->rowCount() >= 40);
        QScrollBar *v = f.view.verticalScrollBar();
        QVERIFY(v->maximum() > 200);
        v->setValue(v->maximum() / 2);
        const QRect lane = f.view.laneRect(1);
        const int top = f.view.timeArea().top();
        QVERIFY(lane.top() < top - 100 && lane.bottom() > f.view.timeArea().bottom());
        const QImage img = f.view.viewport()->grab().toImage();
        const QRgb bg = img.pixel(f.view.laneHeaderRect(1).right() - 4, top + 60);
        int ink = 0;
        for (int y = top + 2; y < top + 24; ++y)
            for (int x = 40; x < 160; ++x)
                ink += img.pixel(x, y) != bg;
        QVERIFY2(ink > 30, qPrintable(QString::number(ink))); // "#1 10.0.0.1:443"
    }

    // IdleCompression on its own: which stretches are idle, and that the axis maps both ways,
    // monotone, with the idle stretches drawn kShownNs long.
    void idleCompressionMapping_data()
    {
        QTest::addColumn<QList<qint64>>("moments");
        QTest::addColumn<int>("gaps");
        constexpr qint64 ms = 1'000'000;
        QTest::addRow("none") << QList<qint64>{0, 5 * ms, 10 * ms} << 0;
        QTest::addRow("one 2 s") << QList<qint64>{0, 1 * ms, 2001 * ms, 2002 * ms} << 1;
        QTest::addRow("unsorted, two") << QList<qint64>{500 * ms, 0, 1 * ms, 100 * ms} << 2;
        QTest::addRow("just not idle") << QList<qint64>{0, IdleCompression::kMinIdleNs} << 0;
    }
    void idleCompressionMapping()
    {
        QFETCH(QList<qint64>, moments);
        QFETCH(int, gaps);
        IdleCompression idle;
        idle.setMoments(std::vector<qint64>(moments.begin(), moments.end()));
        QCOMPARE(int(idle.gaps().size()), gaps);
        double last = -1e18;
        for (qint64 t = -10'000'000; t <= 2'100'000'000; t += 3'000'000) {
            const double a = idle.toAxis(double(t));
            QVERIFY(a > last);
            last = a;
            QVERIFY(std::abs(idle.toTrace(a) - double(t)) < 1.0);
        }
        for (const IdleCompression::Gap &g : idle.gaps()) {
            QVERIFY(g.length() > IdleCompression::kMinIdleNs);
            QCOMPARE(idle.toAxis(double(g.endNs)) - idle.toAxis(double(g.startNs)),
                     double(IdleCompression::kShownNs));
        }
    }

    // An empty timeline has no times to show: its ruler stays blank (it once showed ticks from
    // 0.1 µs); a filled one never shows a label cut by the lane headers.
    void rulerIsHonest()
    {
        SessionStore store;
        TimelineModel model(&store);
        TimelineView view;
        view.setModel(&model);
        view.resize(900, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QRect area = view.timeArea();
        auto axisInk = [&](int left, int right, int bottom) {
            const QImage img = view.viewport()->grab().toImage();
            const QRgb bg = img.pixel(right, 2);
            int ink = 0;
            for (int x = left; x <= right; ++x)
                for (int y = 1; y < bottom; ++y)
                    ink += img.pixel(x, y) != bg;
            return ink;
        };
        QCOMPARE(axisInk(area.left() + 1, area.right() - 1, area.top() - 2), 0);

        store.append(m_tour);
        // At many pan positions, the first columns of the ruler (above the tick marks) are
        // clear: no label starts left of the time area.
        view.setVisibleRange(0, 40'000'000);
        for (int step = 0; step < 12; ++step) {
            view.setVisibleRange(step * 1'700'000, step * 1'700'000 + 40'000'000);
            const int ink = axisInk(area.left(), area.left() + 2, area.top() - 8);
            if (ink)
                view.viewport()->grab().save(QStringLiteral("/tmp/polish-ruler.png"));
            QCOMPARE(ink, 0);
        }
    }

    void problemsAreVisible()
    {
        Fixture f(problemTrace());
        QVERIFY(QTest::qWaitForWindowExposed(&f.view));
        // The reset stream: a failed bar and a red triangle on its lane.
        QVERIFY(f.model.bar(4)->failed);
        const QPoint bar = f.view.barRect(4).center();
        QCOMPARE(f.view.hitTest(bar).req, 4u);
        QVERIFY(f.view.toolTipAt(bar).contains(QLatin1String("failed at 12.000 ms")));
        QVERIFY(f.view.toolTipAt(bar).contains(QLatin1String("h2-rst:INTERNAL_ERROR")));
        const int rst = markerOfKind(f.model, 2, TimelineMarker::Kind::RstStream);
        const int goaway = markerOfKind(f.model, 2, TimelineMarker::Kind::GoAway);
        QVERIFY(rst >= 0 && goaway >= 0);
        f.view.setVisibleRange(11'000'000, 18'000'000);
        const TimelineView::Hit hit = f.view.hitTest(f.view.markerPos(goaway));
        QCOMPARE(hit.kind, TimelineView::Hit::Marker);
        QVERIFY(f.model.markerAt(hit.markerIndex).isProblem());
        // The still running stream 5 reaches "now".
        QVERIFY(f.model.bar(5)->isRunning());
        QCOMPARE(f.view.barRect(5).right(), f.view.barRect(5).right()); // painted
        QVERIFY(f.view.toolTipAt(f.view.barRect(5).center()).contains(QLatin1String("running")));
        // The declined offer.
        f.view.fitAll();
        const int declined = markerOfKind(f.model, 1, TimelineMarker::Kind::UpgradeDeclined);
        QVERIFY(declined >= 0);
        QVERIFY(f.view.toolTipAt(f.view.markerPos(declined)).contains(QLatin1String("declined")));
        if (const QString dir = qEnvironmentVariable("HOPSCOPE_SCREENSHOT_DIR"); !dir.isEmpty())
            f.view.grab().save(dir + QStringLiteral("/timeline-problems.png"));
    }

    void emptyAndReset()
    {
        SessionStore store;
        TimelineModel model(&store);
        TimelineView view;
        view.setModel(&model);
        view.resize(900, 300);
        QVERIFY(!view.grab().isNull()); // paints the placeholder
        QCOMPARE(view.hitTest(QPoint(400, 100)).kind, TimelineView::Hit::None);
        store.append(m_tour);
        view.setSelectedExchange(3);
        store.clear();
        QCOMPARE(view.selectedExchange(), 0u);
        QVERIFY(view.barRect(3).isNull());
        QVERIFY(!view.grab().isNull());
    }

    void paletteAware()
    {
        Fixture f(m_tour);
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x20, 0x20, 0x20));
        dark.setColor(QPalette::Base, QColor(0x18, 0x18, 0x18));
        dark.setColor(QPalette::AlternateBase, QColor(0x24, 0x24, 0x24));
        dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
        dark.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
        f.view.setPalette(dark);
        const QImage img = f.view.grab().toImage();
        // The background follows the palette.
        const QRect area = f.view.timeArea();
        QCOMPARE(
            img.pixelColor(f.view.viewport()->mapTo(&f.view, area.bottomRight() - QPoint(3, 3))),
            QColor(0x18, 0x18, 0x18));
    }

    void manyLanesAndBarsStaySmooth()
    {
        // 1000 connections with 100 HTTP/2 streams each, 10 in flight at a time.
        TraceBatch events;
        quint64 seq = 0;
        quint32 req = 0;
        for (quint32 c = 1; c <= 1000; ++c) {
            const double t0 = c * 2.0;
            addEvent(events, ++seq, t0, "pool.open", {c, 0, -1}, Direction::None,
                     QCborMap{{QStringLiteral("origin"), QStringLiteral("https://h")}});
            addEvent(events, ++seq, t0 + 0.1, "connect", {c, 0, -1}, Direction::None,
                     QCborMap{{QStringLiteral("address"), QStringLiteral("10.0.0.1")},
                              {QStringLiteral("port"), 443},
                              {QStringLiteral("ms"), 0.1}});
            for (int s = 0; s < 100; ++s) {
                ++req;
                const double t = t0 + 0.2 + s * 0.01;
                addEvent(events, ++seq, t, "h2.headers", {c, req, 2 * s + 1}, Direction::Out,
                         QCborMap{{QStringLiteral("kind"), QStringLiteral("request")}});
            }
        }
        // Completions in one more pass (times are not monotonic across lanes; fine here).
        req = 0;
        for (quint32 c = 1; c <= 1000; ++c)
            for (int s = 0; s < 100; ++s) {
                ++req;
                addEvent(events, ++seq, c * 2.0 + 0.3 + s * 0.01, "response.complete",
                         {c, req, 2 * s + 1}, Direction::None,
                         QCborMap{{QStringLiteral("status"), 200}});
            }
        SessionStore store;
        TimelineModel model(&store);
        store.append(events);
        QCOMPARE(model.laneCount(), 1000);
        QVERIFY(model.bar(100'000));
        QVERIFY(model.lane(1)->rowCount() >= 10 && model.lane(1)->rowCount() <= 11);

        // At this scale the view still paints and hit-tests exactly; how fast is measured by
        // tests/bench/gui_flood.sh, not asserted here.
        TimelineView view;
        view.setModel(&model);
        view.resize(1200, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(!view.viewport()->grab().isNull());
        view.setVisibleRange(0, 1'000'000'000);
        QVERIFY(!view.viewport()->grab().isNull());
        const TimelineBar *target = model.bar(50'000); // lane 500, among 10 parallel streams
        view.setVisibleRange(target->startNs - 200'000, target->endNs + 200'000);
        view.setSelectedExchange(50'000); // scrolled into view
        QVERIFY(!view.viewport()->grab().isNull());
        const QRect bar = view.barRect(50'000);
        QVERIFY(bar.isValid());
        const TimelineView::Hit hit = view.hitTest(bar.center());
        QCOMPARE(hit.kind, TimelineView::Hit::Bar);
        QCOMPARE(hit.req, 50'000u);
    }

    void screenshot()
    {
        // Pictures of the tour (light, dark, zoomed) next to the test binary, to look at; set
        // HOPSCOPE_SCREENSHOT_DIR to put them elsewhere.
        const QString dir =
            qEnvironmentVariable("HOPSCOPE_SCREENSHOT_DIR", QCoreApplication::applicationDirPath());
        Fixture f(m_tour, QSize(1200, 460));
        QVERIFY(QTest::qWaitForWindowExposed(&f.view));
        f.view.setSelectedExchange(2);
        QVERIFY(f.view.grab().save(dir + QStringLiteral("/timeline.png")));
        f.view.setVisibleRange(17'000'000, 24'000'000);
        QVERIFY(f.view.grab().save(dir + QStringLiteral("/timeline-zoomed.png")));
        f.view.setVisibleRange(320'000'000, 338'000'000);
        QVERIFY(f.view.grab().save(dir + QStringLiteral("/timeline-follow.png")));
        // Connection #3 zoomed to, idle time compressed: its TLS set-up and its 2 s of h2.
        f.view.setIdleCompressed(true);
        f.view.zoomToConnection(3);
        QVERIFY(f.view.grab().save(dir + QStringLiteral("/timeline-conn3.png")));
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
        dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
        dark.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
        dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
        dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
        dark.setColor(QPalette::PlaceholderText, QColor(0x99, 0x99, 0x99));
        dark.setColor(QPalette::Mid, QColor(0x55, 0x55, 0x55));
        dark.setColor(QPalette::Midlight, QColor(0x3a, 0x3a, 0x3a));
        QApplication::setPalette(dark); // protocolColor() follows the application palette
        f.view.setPalette(dark);
        QVERIFY(f.view.grab().save(dir + QStringLiteral("/timeline-conn3-dark.png")));
        f.view.setIdleCompressed(false);
        f.view.fitAll();
        QVERIFY(f.view.grab().save(dir + QStringLiteral("/timeline-dark.png")));
        QApplication::setPalette(QPalette());
    }
};

QTEST_MAIN(TimelineViewTest)
#include "tst_timelineview.moc"
