// Http1ResponseParser on valid responses: Content-Length, chunked (extensions, trailers),
// close-delimited, bodiless (HEAD, 204, CONNECT 2xx), interim 1xx heads and 101, bare LF, obsolete
// line folding, limits met exactly; each fed whole, cut at every byte and at random (what it
// reports must not depend on the slicing). Shared harness: tests/support/http1parserharness.h.

#include "http1parserharness.h"

#include <QRandomGenerator>
#include <QTest>

using namespace hopscope;
using namespace hopscope::test::http1;

struct ValidCase
{
    QByteArray input;
    QStringList log;
    QByteArray method = "GET";
    Result result = Result::MessageComplete;
    qsizetype unconsumed = 0; // bytes at the end of input that must be left alone
    bool finish = false;      // the connection closes after the input
    bool keepAlive = true;
    Framing framing = Framing::ContentLength;
    Limits limits = {};
};

Q_DECLARE_METATYPE(ValidCase)

class TestHttp1ParserResponses : public QObject
{
    Q_OBJECT

private slots:
    void validResponses_data();
    void validResponses();
    void validResponsesAnySplit_data() { validResponses_data(); }
    void validResponsesAnySplit();

private:
    static void addValid(const char *name, const ValidCase &c) { QTest::newRow(name) << c; }
};

void TestHttp1ParserResponses::validResponses_data()
{
    QTest::addColumn<ValidCase>("c");

    const QStringList emptyOk{QStringLiteral("head 200 OK | Content-Length: 0"),
                              QStringLiteral("complete")};

    addValid("content-length",
             {.input = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\n"
                       "hello",
              .log = {"head 200 OK | Content-Length: 5 | Content-Type: text/plain", "body hello",
                      "complete"}});
    addValid("content-length-zero",
             {.input = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", .log = emptyOk});
    addValid("content-length-leaves-rest",
             {.input = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",
              .log = {"head 200 OK | Content-Length: 2", "body ok", "complete"},
              .unconsumed = 5});
    addValid(
        "content-length-binary-body",
        {.input = QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n\0\r\n\xff\n\r", 44),
         .log = {"head 200 OK | Content-Length: 6",
                 QStringLiteral("body ") + QString::fromLatin1(QByteArray("\0\r\n\xff\n\r", 6)),
                 "complete"}});
    addValid("chunked-extensions",
             {.input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5;name=value\r\nhello\r\n"
                       "7;a=\"b;c\";flag\r\n, world\r\n"
                       "1A ; ext\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                       "0;last\r\n\r\n",
              .log = {"head 200 OK | Transfer-Encoding: chunked",
                      "body hello, worldabcdefghijklmnopqrstuvwxyz", "complete"},
              .framing = Framing::Chunked});
    addValid("chunked-trailers",
             {.input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"
                       "0\r\nExpires: never\r\nX-Checksum:  sha-256=abc \r\n\r\n",
              .log = {"head 200 OK | Transfer-Encoding: chunked", "body abc",
                      "trailers Expires: never | X-Checksum: sha-256=abc", "complete"},
              .framing = Framing::Chunked});
    addValid("chunked-after-gzip",
             {.input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                       "2\r\nxy\r\n0\r\n\r\n",
              .log = {"head 200 OK | Transfer-Encoding: gzip, chunked", "body xy", "complete"},
              .framing = Framing::Chunked});
    addValid("chunked-case-insensitive",
             {.input = "HTTP/1.1 200 OK\r\ntransfer-encoding: CHUNKED\r\n\r\n"
                       "00a\r\n0123456789\r\n0\r\n\r\n",
              .log = {"head 200 OK | transfer-encoding: CHUNKED", "body 0123456789", "complete"},
              .framing = Framing::Chunked});
    addValid("chunked-leaves-rest",
             {.input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "1\r\nz\r\n0\r\n\r\nHTTP/1.1",
              .log = {"head 200 OK | Transfer-Encoding: chunked", "body z", "complete"},
              .unconsumed = 8,
              .framing = Framing::Chunked});
    addValid("close-delimited", {.input = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                                          "until the connection closes",
                                 .log = {"head 200 OK | Content-Type: text/plain",
                                         "body until the connection closes", "complete"},
                                 .finish = true,
                                 .keepAlive = false,
                                 .framing = Framing::CloseDelimited});
    addValid("close-delimited-empty", {.input = "HTTP/1.1 200 OK\r\n\r\n",
                                       .log = {"head 200 OK", "complete"},
                                       .finish = true,
                                       .keepAlive = false,
                                       .framing = Framing::CloseDelimited});
    addValid("close-delimited-http10",
             {.input = "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nabc",
              .log = {"head 200 OK | Connection: keep-alive", "body abc", "complete"},
              .finish = true,
              .keepAlive = false,
              .framing = Framing::CloseDelimited});
    addValid("te-not-chunked",
             {.input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nraw",
              .log = {"violation te-not-chunked", "head 200 OK | Transfer-Encoding: chunked, gzip",
                      "body raw", "complete"},
              .finish = true,
              .keepAlive = false,
              .framing = Framing::CloseDelimited});
    addValid("head-with-content-length",
             {.input = "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
              .log = {"head 200 OK | Content-Length: 1234", "complete"},
              .method = "HEAD",
              .framing = Framing::None});
    addValid("head-with-chunked",
             {.input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nHTTP/1.1 200",
              .log = {"head 200 OK | Transfer-Encoding: chunked", "complete"},
              .method = "HEAD",
              .unconsumed = 12,
              .framing = Framing::None});
    addValid("204-ignores-length",
             {.input = "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\nHTTP/1.1 200 OK\r\n",
              .log = {"head 204 No Content | Content-Length: 10", "complete"},
              .unconsumed = 17,
              .framing = Framing::None});
    addValid(
        "304-ignores-chunked",
        {.input = "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n",
         .log = {"head 304 Not Modified | ETag: \"v1\" | Transfer-Encoding: chunked", "complete"},
         .framing = Framing::None});
    addValid("connect-2xx-has-no-body",
             {.input = "HTTP/1.1 200 Connection Established\r\n\r\n\x16\x03\x01hello",
              .log = {"head 200 Connection Established", "complete"},
              .method = "CONNECT",
              .unconsumed = 8,
              .framing = Framing::None});
    addValid("connect-407-has-body",
             {.input = "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\n"
                       "deny",
              .log = {"head 407 Proxy Authentication Required | Content-Length: 4", "body deny",
                      "complete"},
              .method = "CONNECT"});
    addValid(
        "100-continue",
        {.input = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
         .log = {"head 100 Continue", "head 200 OK | Content-Length: 2", "body ok", "complete"}});
    addValid("103-early-hints",
             {.input = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                       "HTTP/1.1 103 Early Hints\r\nLink: </app.js>; rel=preload\r\n\r\n"
                       "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
              .log = {"head 103 Early Hints | Link: </style.css>; rel=preload",
                      "head 103 Early Hints | Link: </app.js>; rel=preload",
                      "head 200 OK | Content-Length: 0", "complete"}});
    addValid("101-upgrade",
             {.input = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\n\r\n\x81\x05hello",
              .log = {"head 101 Switching Protocols | Upgrade: websocket | Connection: Upgrade"},
              .result = Result::Upgrade,
              .unconsumed = 7,
              .keepAlive = false,
              .framing = Framing::None});
    addValid("100-then-101",
             {.input = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 Switching Protocols\r\n"
                       "Upgrade: h2c\r\n\r\nPRI * HTTP/2.0",
              .log = {"head 100 Continue", "head 101 Switching Protocols | Upgrade: h2c"},
              .result = Result::Upgrade,
              .unconsumed = 14,
              .keepAlive = false,
              .framing = Framing::None});
    addValid("bare-lf-head",
             {.input = "HTTP/1.1 200 OK\nContent-Length: 3\r\nX-Mixed: yes\n\nabc",
              .log = {"violation bare-lf", "head 200 OK | Content-Length: 3 | X-Mixed: yes",
                      "body abc", "complete"}});
    addValid("bare-lf-chunked",
             {.input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5\nhello\n5;x\nworld\r\n0\nX-T: 1\n\n",
              .log = {"head 200 OK | Transfer-Encoding: chunked", "violation bare-lf",
                      "body helloworld", "trailers X-T: 1", "complete"},
              .framing = Framing::Chunked});
    addValid("bare-lf-once-per-message",
             {.input = "HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nContent-Length: 0\n\n",
              .log = {"violation bare-lf", "head 100 Continue", "violation bare-lf",
                      "head 200 OK | Content-Length: 0", "complete"}});
    addValid("obs-fold", {.input = "HTTP/1.1 200 OK\r\nX-Long: first\r\n  second\r\n\tthird \r\n"
                                   "X-Empty:\r\n next\r\nContent-Length: 0\r\n\r\n",
                          .log = {"violation obs-fold",
                                  "head 200 OK | X-Long: first second third | X-Empty: next | "
                                  "Content-Length: 0",
                                  "complete"}});
    addValid("missing-reason",
             {.input = "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
              .log = {"violation missing-reason", "head 200 | Content-Length: 0", "complete"}});
    addValid("empty-reason", {.input = "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n",
                              .log = {"head 200 | Content-Length: 0", "complete"}});
    addValid("reason-with-spaces-and-obs-text",
             {.input = "HTTP/1.1 404 Not  Found \xe2\x9c\x97\r\nContent-Length: 0\r\n\r\n",
              .log = {QString::fromLatin1("head 404 Not  Found \xe2\x9c\x97 | Content-Length: 0"),
                      "complete"}});
    addValid("leading-crlf",
             {.input = "\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
              .log = {"violation leading-crlf", "head 200 OK | Content-Length: 0", "complete"}});
    addValid("leading-bare-lf", {.input = "\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                                 .log = {"violation bare-lf", "violation leading-crlf",
                                         "head 200 OK | Content-Length: 0", "complete"}});
    addValid("status-599-http10",
             {.input = "HTTP/1.0 599 Odd\r\nContent-Length: 1\r\n\r\n!",
              .log = {"head 599 Odd | Content-Length: 1", "body !", "complete"},
              .keepAlive = false});
    addValid("http11-connection-close",
             {.input = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
              .log = {"head 200 OK | Connection: close | Content-Length: 0", "complete"},
              .keepAlive = false});
    addValid(
        "http11-connection-list-with-close",
        {.input = "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\n"
                  "Content-Length: 0\r\n\r\n",
         .log = {"head 200 OK | Connection: keep-alive, Close | Content-Length: 0", "complete"},
         .keepAlive = false});
    addValid("http10-default-close", {.input = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
                                      .log = emptyOk,
                                      .keepAlive = false});
    addValid("http10-keep-alive",
             {.input = "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n",
              .log = {"head 200 OK | Connection: Keep-Alive | Content-Length: 0", "complete"}});
    addValid(
        "content-length-repeated-fields",
        {.input = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\nabc",
         .log = {"violation content-length-repeated",
                 "head 200 OK | Content-Length: 3 | content-length: 3", "body abc", "complete"}});
    addValid("content-length-repeated-list",
             {.input = "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc",
              .log = {"violation content-length-repeated", "head 200 OK | Content-Length: 3, 3",
                      "body abc", "complete"}});
    addValid("header-ows-and-case",
             {.input = "HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh:3 \t\r\nX-Empty:\r\n"
                       "X-Spaces: \t a  b \t\r\n\r\nabc",
              .log = {"head 200 OK | cOnTeNt-LeNgTh: 3 | X-Empty:  | X-Spaces: a  b", "body abc",
                      "complete"}});

    // Exactly at each limit passes (line lengths count their CRLF).
    addValid(
        "status-line-at-limit",
        {.input = "HTTP/1.1 200 " + QByteArray(17, 'r') + "\r\nContent-Length: 0\r\n\r\n",
         .log = {"head 200 " + QString(17, QLatin1Char('r')) + " | Content-Length: 0", "complete"},
         .limits = limitsWith(32, 1000, 1000, 10, 16)});
    addValid(
        "header-line-at-limit",
        {.input =
             "HTTP/1.1 200 OK\r\nX-A: " + QByteArray(25, 'v') + "\r\nContent-Length: 0\r\n\r\n",
         .log = {"head 200 OK | X-A: " + QString(25, QLatin1Char('v')) + " | Content-Length: 0",
                 "complete"},
         .limits = limitsWith(1000, 32, 1000, 10, 16)});
    addValid("header-count-at-limit",
             {.input = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nContent-Length: 0\r\n\r\n",
              .log = {"head 200 OK | A: 1 | B: 2 | Content-Length: 0", "complete"},
              .limits = limitsWith(1000, 1000, 1000, 3, 16)});
    addValid("head-bytes-at-limit",
             {.input = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Fill: " + QByteArray(80, 'f') +
                       "\r\n\r\n",
              .log = {"head 200 OK | Content-Length: 0 | X-Fill: " + QString(80, QLatin1Char('f')),
                      "complete"},
              .limits = limitsWith(1000, 1000, 128, 10, 16)});
    addValid("chunk-digits-at-limit",
             {.input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "0005\r\nhello\r\n0000\r\n\r\n",
              .log = {"head 200 OK | Transfer-Encoding: chunked", "body hello", "complete"},
              .framing = Framing::Chunked,
              .limits = limitsWith(1000, 1000, 1000, 10, 4)});
    addValid(
        "trailer-count-at-limit",
        {.input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "0\r\nA: 1\r\nB: 2\r\n\r\n",
         .log = {"head 200 OK | Transfer-Encoding: chunked", "trailers A: 1 | B: 2", "complete"},
         .framing = Framing::Chunked,
         .limits = limitsWith(1000, 1000, 1000, 2, 16)});
}

void TestHttp1ParserResponses::validResponses()
{
    QFETCH(ValidCase, c);
    const Outcome o = runParser(c.method, c.input, {}, c.finish, c.limits);

    QCOMPARE(o.log, c.log);
    QCOMPARE(o.result, c.result);
    QCOMPARE(o.consumed, c.input.size() - c.unconsumed);
    QCOMPARE(o.errorCode, QByteArray());
    QCOMPARE(o.keepAlive, c.keepAlive);
    QCOMPARE(o.framing, c.framing);

    // Body accounting agrees with what was delivered.
    qint64 delivered = 0;
    for (const QString &line : o.log) {
        if (line.startsWith(QLatin1String("body ")))
            delivered += line.size() - 5;
    }
    QCOMPARE(o.bodyBytes, delivered);
    if (c.framing == Framing::ContentLength)
        QCOMPARE(o.contentLength, delivered);
    if (c.framing == Framing::Chunked || c.framing == Framing::CloseDelimited)
        QCOMPARE(o.contentLength, qint64(-1));

    // Each head's raw bytes are a contiguous piece of the input, in order, status line to the
    // blank line.
    qsizetype from = 0;
    for (const QByteArray &raw : o.raws) {
        QVERIFY(raw.startsWith("HTTP/1."));
        QVERIFY(raw.endsWith("\n\n") || raw.endsWith("\r\n\r\n"));
        const qsizetype at = c.input.indexOf(raw, from);
        QVERIFY2(at >= from, raw.constData());
        from = at + raw.size();
    }
}

void TestHttp1ParserResponses::validResponsesAnySplit()
{
    QFETCH(ValidCase, c);
    const Outcome whole = runParser(c.method, c.input, {}, c.finish, c.limits);
    QCOMPARE(whole.log, c.log); // the reference itself must be right
    const QString expected = whole.describe();

    const auto check = [&](const QList<qsizetype> &cuts) {
        const Outcome o = runParser(c.method, c.input, cuts, c.finish, c.limits);
        const QString got = o.describe();
        if (got != expected) {
            QStringList at;
            for (qsizetype cut : cuts)
                at << QString::number(cut);
            QFAIL(qPrintable(QStringLiteral("cuts at %1\n--- got\n%2\n--- whole\n%3")
                                 .arg(at.join(QLatin1Char(',')), got, expected)));
        }
    };

    for (qsizetype i = 1; i < c.input.size(); ++i) {
        check({i});
        if (QTest::currentTestFailed())
            return;
    }
    QList<qsizetype> everyByte;
    for (qsizetype i = 1; i < c.input.size(); ++i)
        everyByte << i;
    check(everyByte);
    if (QTest::currentTestFailed())
        return;
    // Some random multi-way slicings, reproducible.
    QRandomGenerator rng(42);
    for (int round = 0; round < 50 && c.input.size() > 2; ++round) {
        QList<qsizetype> cuts;
        for (qsizetype i = 1; i < c.input.size(); ++i) {
            if (rng.bounded(4) == 0)
                cuts << i;
        }
        check(cuts);
        if (QTest::currentTestFailed())
            return;
    }
}

QTEST_GUILESS_MAIN(TestHttp1ParserResponses)
#include "tst_http1parser_responses.moc"
