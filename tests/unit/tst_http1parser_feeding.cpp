// Http1ResponseParser across feeds and responses: raw head bytes kept exactly, chunks spanning
// feeds streamed zero-copy, back-to-back responses, bytes after an upgrade left alone, state
// accessors, sticky errors, startResponse() resetting, and linear time fed a byte at a time.

#include "http1parserharness.h"

#include <QElapsedTimer>
#include <QTest>

using namespace hopscope;
using namespace hopscope::test::http1;

class TestHttp1ParserFeeding : public QObject
{
    Q_OBJECT

private slots:
    void rawIsExactBytes();
    void chunkSpanningFeedsIsStreamedZeroCopy();
    void backToBackResponses();
    void upgradeLeavesFollowingBytes();
    void stateAccessors();
    void errorIsSticky();
    void startResponseResets();
    void byteAtATimeIsLinear();
};

void TestHttp1ParserFeeding::rawIsExactBytes()
{
    const QByteArray first = "HTTP/1.1 100 Continue\n\n";
    const QByteArray second = "HTTP/1.1 200\r\nX-Fold: a\r\n b\nContent-Length: 1\r\n\r\n";
    const QByteArray input = "\r\n" + first + "\n" + second + "!";
    Recorder rec;
    Parser parser(Limits{}, &rec);
    parser.startResponse("GET");
    rec.fed = input;
    qsizetype used = 0;
    QCOMPARE(parser.feed(input, &used), Result::MessageComplete);
    QCOMPARE(used, input.size());
    QCOMPARE(rec.heads.size(), 2);
    QCOMPARE(rec.heads[0].raw, first);
    QCOMPARE(rec.heads[0].version, QByteArray("HTTP/1.1"));
    QCOMPARE(rec.heads[0].status, 100);
    QCOMPARE(rec.heads[0].reason, QByteArray("Continue"));
    QCOMPARE(rec.heads[1].raw, second);
    QCOMPARE(rec.heads[1].reason, QByteArray());
    const HeaderList expected{{"X-Fold", "a b"}, {"Content-Length", "1"}};
    QCOMPARE(rec.heads[1].headers, expected);
    QCOMPARE(parser.bufferedBytes(), qsizetype(0));
}

void TestHttp1ParserFeeding::chunkSpanningFeedsIsStreamedZeroCopy()
{
    Recorder rec;
    Parser parser(Limits{}, &rec);
    parser.startResponse("GET");

    const QByteArray a = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\nhello";
    rec.fed = a;
    qsizetype used = 0;
    QCOMPARE(parser.feed(a, &used), Result::NeedMore);
    QCOMPARE(used, a.size());
    // The first half of the chunk is handed out before the rest arrives, as a view into a.
    QCOMPARE(rec.views.size(), 1);
    QVERIFY(rec.views[0].data() == a.constData() + a.size() - 5);
    QCOMPARE(rec.views[0].size(), qsizetype(5));
    QCOMPARE(parser.bodyBytes(), qint64(5));

    const QByteArray b = "world\r\n3\r\n!!!\r\n0\r\n\r\n";
    rec.fed = b;
    QCOMPARE(parser.feed(b, &used), Result::MessageComplete);
    QCOMPARE(used, b.size());
    QCOMPARE(rec.views.size(), 3);
    QVERIFY(rec.views[1].data() == b.constData());
    QCOMPARE(rec.views[1].size(), qsizetype(5));
    QVERIFY(rec.views[2].data() == b.constData() + 10);
    QCOMPARE(parser.bodyBytes(), qint64(13));
    QCOMPARE(rec.log.last(), QStringLiteral("complete"));

    // Content-Length bodies too.
    Recorder rec2;
    Parser p2(Limits{}, &rec2);
    p2.startResponse("GET");
    const QByteArray c = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbodyNEXT";
    rec2.fed = c;
    QCOMPARE(p2.feed(c, &used), Result::MessageComplete);
    QCOMPARE(used, c.size() - 4);
    QCOMPARE(rec2.views.size(), 1);
    QVERIFY(rec2.views[0].data() == c.constData() + c.size() - 8);
}

void TestHttp1ParserFeeding::backToBackResponses()
{
    const QByteArray r1 = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none";
    const QByteArray r2 =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n";
    const QByteArray r3 = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"; // answer to HEAD
    const QByteArray r4 = "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nfour";
    const QByteArray all = r1 + r2 + r3 + r4;
    const QList<QByteArray> methods{"GET", "GET", "HEAD", "GET"};
    const QList<qsizetype> sizes{r1.size(), r2.size(), r3.size(), r4.size()};

    Recorder rec;
    Parser parser(Limits{}, &rec);
    QByteArrayView rest(all);
    for (int i = 0; i < 4; ++i) {
        parser.startResponse(methods[i]);
        QVERIFY(!parser.messageStarted());
        rec.fed = rest;
        qsizetype used = -1;
        QCOMPARE(parser.feed(rest, &used), Result::MessageComplete);
        QCOMPARE(used, sizes[i]);
        QVERIFY(parser.keepAlive());
        // Without startResponse() the parser does not touch the next response.
        QCOMPARE(parser.feed(rest.sliced(used), &used), Result::MessageComplete);
        QCOMPARE(used, qsizetype(0));
        rest = rest.sliced(sizes[i]);
    }
    QVERIFY(rest.isEmpty());
    const QStringList expected{"head 200 OK | Content-Length: 3",
                               "body one",
                               "complete",
                               "head 200 OK | Transfer-Encoding: chunked",
                               "body two",
                               "complete",
                               "head 200 OK | Content-Length: 5",
                               "complete",
                               "head 404 Not Found | Content-Length: 4",
                               "body four",
                               "complete"};
    QCOMPARE(rec.log, expected);
    QCOMPARE(parser.contentLength(), qint64(4));
}

void TestHttp1ParserFeeding::upgradeLeavesFollowingBytes()
{
    const QByteArray head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
    const QByteArray input = head + "\x81\x02hi";
    Recorder rec;
    Parser parser(Limits{}, &rec);
    parser.startResponse("GET");
    qsizetype used = -1;
    QCOMPARE(parser.feed(input, &used), Result::Upgrade);
    QCOMPARE(used, head.size());
    QCOMPARE(input.sliced(used), QByteArray("\x81\x02hi"));
    QCOMPARE(rec.heads.size(), 1);
    QCOMPARE(rec.heads[0].status, 101);
    QCOMPARE(rec.heads[0].raw, head);
    QVERIFY(!rec.log.contains(QStringLiteral("complete")));
    QVERIFY(!parser.keepAlive());
    // Feeding on is a caller bug, but harmless: nothing is consumed.
    QCOMPARE(parser.feed(input.sliced(used), &used), Result::Upgrade);
    QCOMPARE(used, qsizetype(0));
    QCOMPARE(parser.finish(), Result::Upgrade);
    QCOMPARE(rec.heads.size(), 1);
}

void TestHttp1ParserFeeding::stateAccessors()
{
    Recorder rec;
    Parser parser(Limits{}, &rec);
    parser.startResponse("GET");
    qsizetype used = 0;
    QVERIFY(parser.inHead());
    QVERIFY(!parser.messageStarted());
    QCOMPARE(parser.contentLength(), qint64(-1));

    // Empty lines before the status line are not part of the response.
    parser.feed("\r\n\r", &used);
    QVERIFY(!parser.messageStarted());
    parser.feed("\nH", &used);
    QVERIFY(parser.messageStarted());
    QVERIFY(parser.inHead());

    parser.feed("TTP/1.1 100 Continue\r\n\r\n", &used);
    QVERIFY(parser.inHead());
    QVERIFY(parser.messageStarted());

    QCOMPARE(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", &used), Result::NeedMore);
    QVERIFY(!parser.inHead());
    QCOMPARE(parser.framing(), Framing::ContentLength);
    QCOMPARE(parser.contentLength(), qint64(10));
    QCOMPARE(parser.bodyBytes(), qint64(0));
    QCOMPARE(parser.bufferedBytes(), qsizetype(0));

    parser.feed("1234", &used);
    QCOMPARE(parser.bodyBytes(), qint64(4));
    QCOMPARE(parser.feed("567890", &used), Result::MessageComplete);
    QCOMPARE(parser.bodyBytes(), qint64(10));

    // A new response starts from scratch.
    parser.startResponse("GET");
    QVERIFY(parser.inHead());
    QVERIFY(!parser.messageStarted());
    QCOMPARE(parser.bodyBytes(), qint64(0));
    QCOMPARE(parser.contentLength(), qint64(-1));
    QCOMPARE(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &used),
             Result::MessageComplete);
    QCOMPARE(parser.finish(), Result::MessageComplete);
}

void TestHttp1ParserFeeding::errorIsSticky()
{
    Recorder rec;
    Parser parser(Limits{}, &rec);
    parser.startResponse("GET");
    qsizetype used = -1;
    QCOMPARE(parser.feed("HTTP/1.1 200 OK\r\nBad Header: x\r\n", &used), Result::Error);
    QCOMPARE(parser.errorCode(), QByteArray("header-syntax"));
    const QString message = parser.errorString();
    QVERIFY(message.contains(QLatin1String("Bad Header: x")));

    QCOMPARE(parser.feed("Content-Length: 0\r\n\r\n", &used), Result::Error);
    QCOMPARE(used, qsizetype(0));
    QCOMPARE(parser.finish(), Result::Error);
    QCOMPARE(parser.errorCode(), QByteArray("header-syntax"));
    QCOMPARE(parser.errorString(), message);
    QVERIFY(rec.heads.isEmpty());
}

void TestHttp1ParserFeeding::startResponseResets()
{
    Recorder rec;
    Parser parser(Limits{}, &rec);
    parser.startResponse("GET");
    qsizetype used = -1;
    QCOMPARE(parser.feed("garbage\r\n", &used), Result::Error);
    parser.startResponse("GET");
    QCOMPARE(parser.errorCode(), QByteArray());
    QVERIFY(parser.errorString().isEmpty());
    QCOMPARE(parser.feed("HTTP/1.1 204 No Content\r\n\r\n", &used), Result::MessageComplete);
    QCOMPARE(rec.log, QStringList({"head 204 No Content", "complete"}));
}

// Feeding a large response one byte at a time must stay linear. The limits are raised so a head
// line can be 4 MiB: re-scanning the buffered line per byte (even with memchr) would take
// minutes, the linear parser well under a second.
void TestHttp1ParserFeeding::byteAtATimeIsLinear()
{
    class Counter : public Parser::Listener
    {
    public:
        qint64 body = 0;
        int heads = 0;
        int fields = 0;
        bool complete = false;
        void onResponseHead(const ResponseHead &h) override
        {
            ++heads;
            fields = int(h.headers.size());
        }
        void onBodyData(QByteArrayView d) override { body += d.size(); }
        void onTrailers(const HeaderList &) override {}
        void onMessageComplete() override { complete = true; }
        void onViolation(const QByteArray &, const QString &) override {}
    };

    QByteArray input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n";
    for (int i = 0; i < 1000; ++i)
        input += "X-Header-" + QByteArray::number(i) + ": " + QByteArray(90, 'v') + "\r\n";
    input += "X-Long: " + QByteArray(4 * 1024 * 1024, 'l') + "\r\n\r\n";
    for (int i = 0; i < 256; ++i)
        input += "1000\r\n" + QByteArray(4096, 'b') + "\r\n";
    input += "0\r\n\r\n";

    Limits limits;
    limits.maxHeaderLineBytes = 8 * 1024 * 1024;
    limits.maxHeaderBytes = 16 * 1024 * 1024;
    Counter counter;
    Parser parser(limits, &counter);
    parser.startResponse("GET");
    QElapsedTimer timer;
    timer.start();
    Result r = Result::NeedMore;
    for (qsizetype i = 0; i < input.size() && r == Result::NeedMore; ++i)
        r = parser.feed(QByteArrayView(input.constData() + i, 1), nullptr);
    QCOMPARE(r, Result::MessageComplete);
    QCOMPARE(counter.heads, 1);
    QCOMPARE(counter.fields, 1002);
    QCOMPARE(counter.body, qint64(256 * 4096));
    QVERIFY(counter.complete);
    QVERIFY2(timer.elapsed() < 20000, qPrintable(QString::number(timer.elapsed())));
}

QTEST_GUILESS_MAIN(TestHttp1ParserFeeding)
#include "tst_http1parser_feeding.moc"
