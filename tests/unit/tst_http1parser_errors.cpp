// Http1ResponseParser on broken and hostile responses: each error with its code and a precise
// message, the same however the input is sliced, and oversized input refused as soon as a limit
// is passed rather than after buffering it.

#include "http1parserharness.h"

#include <QTest>

using namespace hopscope;
using namespace hopscope::test::http1;

struct ErrorCase
{
    QByteArray input;
    QByteArray code;
    QString message = {}; // part of errorString() for the unsplit input
    QByteArray method = "GET";
    bool finish = false;
    Limits limits = {};
};

Q_DECLARE_METATYPE(ErrorCase)

class TestHttp1ParserErrors : public QObject
{
    Q_OBJECT

private slots:
    void errors_data();
    void errors();
    void errorsAnySplit_data() { errors_data(); }
    void errorsAnySplit();
    void oversizedInputFailsEarly_data();
    void oversizedInputFailsEarly();

private:
    static void addError(const char *name, const ErrorCase &c) { QTest::newRow(name) << c; }
};

void TestHttp1ParserErrors::errors_data()
{
    QTest::addColumn<ErrorCase>("c");

    const QByteArray ok = "HTTP/1.1 200 OK\r\n";
    const QByteArray chunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

    // Status line.
    addError("status-digit-letters", {.input = "HTTP/1.1 2OO OK\r\n\r\n",
                                      .code = "status-line",
                                      .message = "malformed status line: \"HTTP/1.1 2OO OK\""});
    addError("status-wrong-protocol", {.input = "HTTX/1.1 200 OK\r\n\r\n",
                                       .code = "status-line",
                                       .message = "malformed status line: \"HTTX/1.1 200 OK\""});
    addError("status-not-http", {.input = "SSH-2.0-OpenSSH_9.2\r\n",
                                 .code = "status-line",
                                 .message = "SSH-2.0-OpenSSH_9.2"});
    addError("status-binary-without-lf", {.input = QByteArray("\x16\x03\x03\x00\x02\x02\x28", 7),
                                          .code = "status-line",
                                          .message = "malformed status line"});
    addError("status-lowercase", {.input = "http/1.1 200 OK\r\n\r\n", .code = "status-line"});
    addError("status-http2", {.input = "HTTP/2.0 200 OK\r\n\r\n",
                              .code = "status-line",
                              .message = "unsupported HTTP version"});
    addError("status-http12", {.input = "HTTP/1.2 200 OK\r\n\r\n", .code = "status-line"});
    addError("status-version-only", {.input = "HTTP/1.1\r\n\r\n", .code = "status-line"});
    addError("status-two-spaces", {.input = "HTTP/1.1  200 OK\r\n\r\n", .code = "status-line"});
    addError("status-four-digits", {.input = "HTTP/1.1 2000 OK\r\n\r\n", .code = "status-line"});
    addError("status-below-100", {.input = "HTTP/1.1 099 Low\r\n\r\n", .code = "status-line"});
    addError("status-bare-cr", {.input = "HTTP/1.1 200 O\rK\r\n\r\n", .code = "status-line"});
    addError("status-after-crlf", {.input = "\r\nHTTP/1.1 2x0 OK\r\n\r\n", .code = "status-line"});
    addError("status-cr-not-line-end",
             {.input = "\rHTTP/1.1 200 OK\r\n\r\n", .code = "status-line"});
    addError("status-long-garbage-quoted-short",
             {.input = QByteArray(300, 'x') + "\r\n",
              .code = "status-line",
              .message = "\"" + QString(80, QLatin1Char('x')) + "...\""});

    // Header lines.
    addError(
        "header-no-colon",
        {.input = ok + "NoColonHere\r\n\r\n", .code = "header-syntax", .message = "NoColonHere"});
    addError("header-space-before-colon",
             {.input = ok + "Content-Length : 5\r\n\r\nhello", .code = "header-syntax"});
    addError("header-tab-before-colon", {.input = ok + "X\t: 5\r\n\r\n", .code = "header-syntax"});
    addError("header-empty-name", {.input = ok + ": value\r\n\r\n", .code = "header-syntax"});
    addError("header-fold-without-field",
             {.input = ok + " folded\r\nA: b\r\n\r\n", .code = "header-syntax"});
    addError("header-bare-cr", {.input = ok + "X: a\rb\r\n\r\n", .code = "header-syntax"});
    addError("header-nul",
             {.input = ok + QByteArray("X: a\0b\r\n\r\n", 10), .code = "header-syntax"});
    addError("header-bad-name-char", {.input = ok + "X(y): z\r\n\r\n", .code = "header-syntax"});
    addError("trailer-no-colon",
             {.input = chunkedHead + "0\r\nbroken\r\n\r\n", .code = "header-syntax"});

    // Framing.
    addError("chunked-with-content-length",
             {.input = ok + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
              .code = "content-length-with-chunked"});
    addError("te-gzip-with-content-length",
             {.input = ok + "Content-Length: 5\r\nTransfer-Encoding: gzip\r\n\r\nhello",
              .code = "content-length-with-chunked"});
    addError("content-length-conflict-fields",
             {.input = ok + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
              .code = "content-length-conflict",
              .message = "5, 6"});
    addError("content-length-conflict-list", {.input = ok + "Content-Length: 5, 6\r\n\r\nhello!",
                                              .code = "content-length-conflict"});
    addError("content-length-letters", {.input = ok + "Content-Length: abc\r\n\r\n",
                                        .code = "content-length-invalid",
                                        .message = "\"abc\""});
    addError("content-length-negative",
             {.input = ok + "Content-Length: -1\r\n\r\n", .code = "content-length-invalid"});
    addError("content-length-plus",
             {.input = ok + "Content-Length: +5\r\n\r\nhello", .code = "content-length-invalid"});
    addError("content-length-empty",
             {.input = ok + "Content-Length:\r\n\r\n", .code = "content-length-invalid"});
    addError("content-length-inner-space",
             {.input = ok + "Content-Length: 5 5\r\n\r\nhello", .code = "content-length-invalid"});
    addError("content-length-empty-element",
             {.input = ok + "Content-Length: 5,\r\n\r\nhello", .code = "content-length-invalid"});
    addError("content-length-overflow",
             {.input = ok + "Content-Length: 99999999999999999999\r\n\r\n",
              .code = "content-length-invalid"});

    // Chunked body.
    addError("chunk-size-not-hex", {.input = chunkedHead + "zz\r\nhello\r\n0\r\n\r\n",
                                    .code = "chunk-size",
                                    .message = "invalid chunk size line: \"zz\""});
    addError("chunk-size-empty", {.input = chunkedHead + "\r\nhello\r\n", .code = "chunk-size"});
    addError("chunk-size-negative",
             {.input = chunkedHead + "-5\r\nhello\r\n", .code = "chunk-size"});
    addError("chunk-size-0x", {.input = chunkedHead + "0x5\r\nhello\r\n", .code = "chunk-size"});
    addError("chunk-size-cr-garbage",
             {.input = chunkedHead + "5\rX\nhello\r\n", .code = "chunk-size"});
    addError("chunk-size-too-many-digits",
             {.input = chunkedHead + "00000000000000005\r\nhello\r\n",
              .code = "chunk-size",
              .message = "more than 16 hex digits (limit maxChunkSizeDigits)"});
    addError("chunk-size-overflow",
             {.input = chunkedHead + "FFFFFFFFFFFFFFFF\r\n", .code = "chunk-size"});
    addError("chunk-size-over-small-limit", {.input = chunkedHead + "00005\r\nhello\r\n0\r\n\r\n",
                                             .code = "chunk-size",
                                             .limits = limitsWith(1000, 1000, 1000, 10, 4)});
    addError("chunk-data-not-followed-by-crlf",
             {.input = chunkedHead + "5\r\nhelloX\r\n0\r\n\r\n", .code = "chunk-framing"});
    addError("chunk-data-cr-cr",
             {.input = chunkedHead + "5\r\nhello\r\r\n0\r\n\r\n", .code = "chunk-framing"});
    addError("chunk-data-too-long",
             {.input = chunkedHead + "5\r\nhello0\r\n\r\n", .code = "chunk-framing"});
    addError("chunk-extension-too-long",
             {.input = chunkedHead + "5;" + QByteArray(100, 'e') + "\r\nhello\r\n0\r\n\r\n",
              .code = "limit:maxHeaderLineBytes",
              .limits = limitsWith(1000, 64, 1000, 10, 16)});

    // Limits, one past what the valid cases accept.
    addError("status-line-over-limit",
             {.input = "HTTP/1.1 200 " + QByteArray(18, 'r') + "\r\nContent-Length: 0\r\n\r\n",
              .code = "limit:maxStatusLineBytes",
              .message = "status line exceeds 32 bytes (limit maxStatusLineBytes)",
              .limits = limitsWith(32, 1000, 1000, 10, 16)});
    addError("header-line-over-limit",
             {.input = ok + "X-A: " + QByteArray(26, 'v') + "\r\nContent-Length: 0\r\n\r\n",
              .code = "limit:maxHeaderLineBytes",
              .message = "response header line exceeds 32 bytes (limit maxHeaderLineBytes)",
              .limits = limitsWith(1000, 32, 1000, 10, 16)});
    addError("header-count-over-limit",
             {.input = ok + "A: 1\r\nB: 2\r\nC: 3\r\nContent-Length: 0\r\n\r\n",
              .code = "limit:maxHeaderCount",
              .message = "more than 3 header fields (limit maxHeaderCount)",
              .limits = limitsWith(1000, 1000, 1000, 3, 16)});
    addError("head-bytes-over-limit",
             {.input = ok + "Content-Length: 0\r\nX-Fill: " + QByteArray(81, 'f') + "\r\n\r\n",
              .code = "limit:maxHeaderBytes",
              .message = "response headers exceed 128 bytes (limit maxHeaderBytes)",
              .limits = limitsWith(1000, 1000, 128, 10, 16)});
    addError("head-bytes-over-limit-in-blank-line",
             {.input = ok + "Content-Length: 0\r\nX-Fill: " + QByteArray(80, 'f') + "\r\n\r\n",
              .code = "limit:maxHeaderBytes",
              .limits = limitsWith(1000, 1000, 127, 10, 16)});
    addError("leading-crlf-over-head-limit", {.input = QByteArray("\r\n").repeated(65) + ok,
                                              .code = "limit:maxHeaderBytes",
                                              .limits = limitsWith(1000, 1000, 128, 10, 16)});
    addError("trailer-count-over-limit",
             {.input = chunkedHead + "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
              .code = "limit:maxHeaderCount",
              .message = "more than 2 trailer fields",
              .limits = limitsWith(1000, 1000, 1000, 2, 16)});
    addError("trailer-line-over-limit",
             {.input = chunkedHead + "0\r\nX-T: " + QByteArray(40, 't') + "\r\n\r\n",
              .code = "limit:maxHeaderLineBytes",
              .message = "response trailer line exceeds 40 bytes",
              .limits = limitsWith(1000, 40, 1000, 10, 16)});
    addError("trailer-bytes-over-limit", {.input = chunkedHead + "0\r\nA: " + QByteArray(30, 'a') +
                                                   "\r\nB: " + QByteArray(30, 'b') + "\r\n\r\n",
                                          .code = "limit:maxHeaderBytes",
                                          .message = "response trailers exceed 64 bytes",
                                          .limits = limitsWith(1000, 1000, 64, 10, 16)});

    // The connection closing early.
    addError("no-response", {.input = "",
                             .code = "no-response",
                             .message = "connection closed before any response byte",
                             .finish = true});
    addError("no-response-after-empty-lines",
             {.input = "\r\n\r\n", .code = "no-response", .finish = true});
    addError("truncated-status-line",
             {.input = "HTTP/1.1 2",
              .code = "truncated-head",
              .message = "connection closed in the response head after 10 bytes",
              .finish = true});
    addError("truncated-head", {.input = ok + "Content-Le",
                                .code = "truncated-head",
                                .message = "connection closed in the response head after 27 bytes",
                                .finish = true});
    addError("truncated-after-100-continue", {.input = "HTTP/1.1 100 Continue\r\n\r\n",
                                              .code = "truncated-head",
                                              .message = "after 25 bytes",
                                              .finish = true});
    addError("truncated-body-content-length",
             {.input = ok + "Content-Length: 10\r\n\r\nabc",
              .code = "truncated-body",
              .message = "connection closed mid-body: received 3 of 10 bytes",
              .finish = true});
    addError("truncated-body-chunked-between-chunks",
             {.input = chunkedHead + "5\r\nhello\r\n",
              .code = "truncated-body",
              .message = "connection closed mid-body: chunked body ended without the last chunk "
                         "(5 bytes received)",
              .finish = true});
    addError("truncated-body-chunked-mid-chunk", {.input = chunkedHead + "5\r\nhello\r\n8\r\nwor",
                                                  .code = "truncated-body",
                                                  .message = "(8 bytes received)",
                                                  .finish = true});
    addError("truncated-body-in-trailers", {.input = chunkedHead + "3\r\nabc\r\n0\r\nX-T: 1\r\n",
                                            .code = "truncated-body",
                                            .finish = true});
}

void TestHttp1ParserErrors::errors()
{
    QFETCH(ErrorCase, c);
    Recorder rec;
    Parser parser(c.limits, &rec);
    parser.startResponse(c.method);
    rec.fed = c.input;
    qsizetype used = -1;
    Result r = parser.feed(c.input, &used);
    QVERIFY(used >= 0 && used <= c.input.size());
    if (c.finish) {
        QCOMPARE(r, Result::NeedMore);
        QCOMPARE(used, c.input.size());
        r = parser.finish();
    }
    QCOMPARE(r, Result::Error);
    QCOMPARE(parser.errorCode(), c.code);
    QVERIFY2(parser.errorString().contains(c.message),
             qPrintable(QStringLiteral("'%1' lacks '%2'").arg(parser.errorString(), c.message)));
    QVERIFY(!parser.errorString().isEmpty());
    QVERIFY(parser.errorString().size() < 200); // quoted input is cut short
    QVERIFY(parser.bufferedBytes() <= c.limits.maxHeaderBytes);
    QVERIFY(!rec.log.contains(QStringLiteral("complete")));
}

void TestHttp1ParserErrors::errorsAnySplit()
{
    QFETCH(ErrorCase, c);
    const Outcome whole = runParser(c.method, c.input, {}, c.finish, c.limits);
    QCOMPARE(whole.errorCode, c.code);
    const QString expected = whole.describe();

    const auto check = [&](const QList<qsizetype> &cuts, const QString &what) {
        const Outcome o = runParser(c.method, c.input, cuts, c.finish, c.limits);
        if (o.describe() != expected)
            QFAIL(qPrintable(QStringLiteral("%1\n--- got\n%2\n--- whole\n%3")
                                 .arg(what, o.describe(), expected)));
    };
    for (qsizetype i = 1; i < c.input.size(); ++i) {
        check({i}, QStringLiteral("cut at %1").arg(i));
        if (QTest::currentTestFailed())
            return;
    }
    QList<qsizetype> everyByte;
    for (qsizetype i = 1; i < c.input.size(); ++i)
        everyByte << i;
    check(everyByte, QStringLiteral("one byte at a time"));
}

void TestHttp1ParserErrors::oversizedInputFailsEarly_data()
{
    QTest::addColumn<QByteArray>("prefix");
    QTest::addColumn<QByteArray>("unit");
    QTest::addColumn<QByteArray>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<qsizetype>("failsBy"); // the limit is passed before this many bytes

    const Limits d;
    const QByteArray chunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    QTest::newRow("one huge header line")
        << QByteArray("HTTP/1.1 200 OK\r\nX-Big: ") << QByteArray("a")
        << QByteArray("limit:maxHeaderLineBytes")
        << QStringLiteral("response header line exceeds 102400 bytes (limit maxHeaderLineBytes)")
        << d.maxHeaderLineBytes + 17 + 1;
    QTest::newRow("many header lines")
        << QByteArray("HTTP/1.1 200 OK\r\n") << "X-Filler: " + QByteArray(988, 'a') + "\r\n"
        << QByteArray("limit:maxHeaderBytes")
        << QStringLiteral("response headers exceed 307200 bytes (limit maxHeaderBytes)")
        << d.maxHeaderBytes + 1;
    QTest::newRow("many tiny fields")
        << QByteArray("HTTP/1.1 200 OK\r\n") << QByteArray("A: b\r\n")
        << QByteArray("limit:maxHeaderCount")
        << QStringLiteral("response has more than 5000 header fields (limit maxHeaderCount)")
        << qsizetype(17 + 6 * (d.maxHeaderCount + 1));
    QTest::newRow("huge status line")
        << QByteArray("HTTP/1.1 200 ") << QByteArray("r") << QByteArray("limit:maxStatusLineBytes")
        << QStringLiteral("status line exceeds 8192 bytes (limit maxStatusLineBytes)")
        << d.maxStatusLineBytes + 1;
    QTest::newRow("endless empty lines")
        << QByteArray() << QByteArray("\r\n") << QByteArray("limit:maxHeaderBytes")
        << QStringLiteral("response headers exceed 307200 bytes") << d.maxHeaderBytes + 1;
    QTest::newRow("endless trailers")
        << chunkedHead + "0\r\n"
        << "X-Trailer: " + QByteArray(987, 't') + "\r\n"
        << QByteArray("limit:maxHeaderBytes") << QStringLiteral("response trailers exceed")
        << chunkedHead.size() + 3 + d.maxHeaderBytes + 1;
    const QByteArray interim = "HTTP/1.1 100 Continue\r\n\r\n";
    QTest::newRow("endless 100 Continue")
        << QByteArray() << interim << QByteArray("limit:maxInterimResponses")
        << QStringLiteral("more than 100 interim (1xx) responses before the final one (limit "
                          "maxInterimResponses)")
        << interim.size() * (d.maxInterimResponses + 1);
    // Fewer, fatter interim heads: their bytes add up against the head limit.
    const QByteArray fatInterim =
        "HTTP/1.1 103 Early Hints\r\nLink: " + QByteArray(8000, 'l') + "\r\n\r\n";
    QTest::newRow("fat 103 Early Hints")
        << QByteArray() << fatInterim << QByteArray("limit:maxHeaderBytes")
        << QStringLiteral("response headers, with the 38 interim (1xx) responses before them, "
                          "exceed 307200 bytes (limit maxHeaderBytes)")
        << d.maxHeaderBytes + 1;
    QTest::newRow("endless chunk extension")
        << chunkedHead + "5;" << QByteArray("e") << QByteArray("limit:maxHeaderLineBytes")
        << QStringLiteral("chunk size line exceeds 102400 bytes")
        << chunkedHead.size() + d.maxHeaderLineBytes + 1;
}

void TestHttp1ParserErrors::oversizedInputFailsEarly()
{
    QFETCH(QByteArray, prefix);
    QFETCH(QByteArray, unit);
    QFETCH(QByteArray, code);
    QFETCH(QString, message);
    QFETCH(qsizetype, failsBy);

    constexpr qsizetype total = 8 * 1024 * 1024;
    constexpr qsizetype piece = 16 * 1024;
    QByteArray input = prefix;
    input.reserve(total);
    while (input.size() < total)
        input += unit;

    Recorder rec;
    const Limits limits;
    Parser parser(limits, &rec);
    parser.startResponse("GET");
    qsizetype fed = 0;
    Result r = Result::NeedMore;
    while (fed < input.size() && r == Result::NeedMore) {
        const QByteArrayView chunk =
            QByteArrayView(input).sliced(fed, qMin(piece, input.size() - fed));
        rec.fed = chunk;
        qsizetype used = 0;
        r = parser.feed(chunk, &used);
        fed += chunk.size();
        // Memory stays within the limits whatever arrives.
        QVERIFY(parser.bufferedBytes() <= limits.maxHeaderBytes);
    }
    QCOMPARE(r, Result::Error);
    QCOMPARE(parser.errorCode(), code);
    QVERIFY2(parser.errorString().contains(message), qPrintable(parser.errorString()));
    // It failed in the piece that passed the limit, not at the end of the 8 MiB.
    QVERIFY2(fed >= failsBy - piece && fed < failsBy + piece,
             qPrintable(QStringLiteral("failed after %1 bytes").arg(fed)));
    QCOMPARE(parser.feed("more", nullptr), Result::Error);
}

QTEST_GUILESS_MAIN(TestHttp1ParserErrors)
#include "tst_http1parser_errors.moc"
