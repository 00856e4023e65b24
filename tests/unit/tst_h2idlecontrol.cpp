// What counts towards maxIdleControlFrames (engine/http2/h2idlecontrol): RST_STREAM for a stream
// without a request, every WINDOW_UPDATE and PRIORITY; not a RST_STREAM that ends a request, nor
// any other frame type; progress starts the count again; the breakdown names what came.

#include "http2/h2idlecontrol.h"

#include <QTest>

#include <nghttp2/nghttp2.h>

using namespace hopscope;
using namespace Qt::StringLiterals;

namespace {

// One frame the server sent, or (type -1) progress on a request.
struct Step
{
    int type = -1;
    qint32 stream = 0;
    bool hasRequest = false;
};

constexpr Step kProgress{};

} // namespace

Q_DECLARE_METATYPE(QList<Step>)

class H2IdleControlTest : public QObject
{
    Q_OBJECT

private slots:
    void count_data();
    void count();
};

void H2IdleControlTest::count_data()
{
    QTest::addColumn<QList<Step>>("steps");
    QTest::addColumn<QList<bool>>("counted"); // per frame step
    QTest::addColumn<qint64>("total");
    QTest::addColumn<QString>("breakdown");

    const Step rstClosed{NGHTTP2_RST_STREAM, 1, false};
    const Step rstOpen{NGHTTP2_RST_STREAM, 3, true};
    const Step windowConn{NGHTTP2_WINDOW_UPDATE, 0, false};
    const Step windowOpen{NGHTTP2_WINDOW_UPDATE, 3, true};
    const Step windowClosed{NGHTTP2_WINDOW_UPDATE, 1, false};
    const Step priorityIdle{NGHTTP2_PRIORITY, 99, false};
    const Step priorityOpen{NGHTTP2_PRIORITY, 3, true};

    QTest::newRow("nothing") << QList<Step>{} << QList<bool>{} << qint64(0) << QString();
    QTest::newRow("RST_STREAM for a closed stream")
        << QList<Step>{rstClosed, rstClosed} << QList<bool>{true, true} << qint64(2)
        << u"2 RST_STREAM for closed or idle streams"_s;
    QTest::newRow("RST_STREAM ending a request is not idle")
        << QList<Step>{rstOpen} << QList<bool>{false} << qint64(0) << QString();
    QTest::newRow("WINDOW_UPDATE anywhere")
        << QList<Step>{windowConn, windowOpen, windowClosed} << QList<bool>{true, true, true}
        << qint64(3) << u"1 WINDOW_UPDATE on stream 0, 2 WINDOW_UPDATE on other streams"_s;
    QTest::newRow("PRIORITY on any stream")
        << QList<Step>{priorityIdle, priorityOpen} << QList<bool>{true, true} << qint64(2)
        << u"2 PRIORITY"_s;
    QTest::newRow("other frame types") << QList<Step>{{NGHTTP2_DATA, 3, true},
                                                      {NGHTTP2_HEADERS, 3, true},
                                                      {NGHTTP2_SETTINGS, 0, false},
                                                      {NGHTTP2_PING, 0, false},
                                                      {NGHTTP2_GOAWAY, 0, false},
                                                      {NGHTTP2_CONTINUATION, 3, true},
                                                      {0x42, 0, false}}
                                       << QList<bool>(7, false) << qint64(0) << QString();
    QTest::newRow("progress starts again")
        << QList<Step>{rstClosed, windowConn, kProgress, priorityIdle}
        << QList<bool>{true, true, true} << qint64(1) << u"1 PRIORITY"_s;
    QTest::newRow("all kinds, in their order")
        << QList<Step>{priorityIdle, windowClosed, windowConn, rstClosed}
        << QList<bool>{true, true, true, true} << qint64(4)
        << u"1 RST_STREAM for closed or idle streams, 1 WINDOW_UPDATE on stream 0, "
           u"1 WINDOW_UPDATE on other streams, 1 PRIORITY"_s;
}

void H2IdleControlTest::count()
{
    QFETCH(QList<Step>, steps);
    QFETCH(QList<bool>, counted);
    QFETCH(qint64, total);
    QFETCH(QString, breakdown);

    H2IdleControlCounter counter;
    qsizetype frame = 0;
    for (const Step &step : steps) {
        if (step.type < 0) {
            counter.progress();
            QCOMPARE(counter.total(), qint64(0));
            continue;
        }
        QCOMPARE(counter.count(quint8(step.type), step.stream, step.hasRequest),
                 counted.at(frame++));
    }
    QCOMPARE(frame, counted.size());
    QCOMPARE(counter.total(), total);
    QCOMPARE(counter.breakdown(), breakdown);
}

QTEST_GUILESS_MAIN(H2IdleControlTest)
#include "tst_h2idlecontrol.moc"
