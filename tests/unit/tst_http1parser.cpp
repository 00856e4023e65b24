#include "http1/http1responseparser.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTest>

using namespace hopscope;
using Parser = Http1ResponseParser;
using Result = Http1ResponseParser::Result;
using Framing = Http1ResponseParser::Framing;

namespace {

const char *resultName(Result r)
{
    switch (r) {
    case Result::NeedMore:
        return "NeedMore";
    case Result::MessageComplete:
        return "MessageComplete";
    case Result::Upgrade:
        return "Upgrade";
    case Result::Error:
        return "Error";
    }
    return "?";
}

const char *framingName(Framing f)
{
    switch (f) {
    case Framing::None:
        return "None";
    case Framing::ContentLength:
        return "ContentLength";
    case Framing::Chunked:
        return "Chunked";
    case Framing::CloseDelimited:
        return "CloseDelimited";
    }
    return "?";
}

// Records every callback as one line of a log. Adjacent body pieces are joined, so the log does
// not depend on how the input was sliced. Body views must point into the buffer being fed
// (zero copy); anything else is logged as a failure marker.
class Recorder : public Parser::Listener
{
public:
    QStringList log;
    QList<ResponseHead> heads;
    QList<QByteArrayView> views; // only valid while the fed buffer lives
    QByteArrayView fed;

    void onResponseHead(const ResponseHead &head) override
    {
        heads.append(head);
        QString line = QStringLiteral("head %1").arg(head.status);
        if (!head.reason.isEmpty())
            line += QLatin1Char(' ') + QString::fromLatin1(head.reason);
        for (const HttpHeader &h : head.headers)
            line += QStringLiteral(" | %1: %2")
                        .arg(QString::fromLatin1(h.name), QString::fromLatin1(h.value));
        log << line;
    }
    void onBodyData(QByteArrayView data) override
    {
        views.append(data);
        if (data.isEmpty())
            log << QStringLiteral("!empty-body-piece");
        if (data.data() < fed.data() || data.data() + data.size() > fed.data() + fed.size())
            log << QStringLiteral("!body-not-in-fed-buffer");
        const QString text = QString::fromLatin1(data);
        if (!log.isEmpty() && log.last().startsWith(QLatin1String("body ")))
            log.last() += text;
        else
            log << QStringLiteral("body ") + text;
    }
    void onTrailers(const HeaderList &trailers) override
    {
        QStringList parts;
        for (const HttpHeader &h : trailers)
            parts << QString::fromLatin1(h.name + ": " + h.value);
        log << QStringLiteral("trailers ") + parts.join(QLatin1String(" | "));
    }
    void onMessageComplete() override { log << QStringLiteral("complete"); }
    void onViolation(const QByteArray &code, const QString &message) override
    {
        log << QStringLiteral("violation ") + QString::fromLatin1(code);
        if (message.isEmpty())
            log << QStringLiteral("!violation-without-message");
    }
};

struct Outcome
{
    QStringList log;
    QList<QByteArray> raws;
    Result result = Result::NeedMore;
    qsizetype consumed = 0; // input bytes used in total
    QByteArray errorCode;
    QString error;
    bool keepAlive = false;
    Framing framing = Framing::None;
    qint64 contentLength = -1;
    qint64 bodyBytes = 0;

    // Everything that must not depend on slicing. The error message may quote less of a line
    // that failed early, and how much of the input was taken before an error depends on where
    // the pieces ended, so for errors only the code counts.
    QString describe() const
    {
        QStringList parts{QStringLiteral("log:"), log.join(QLatin1String("\n  ")),
                          QStringLiteral("raws:")};
        for (const QByteArray &r : raws)
            parts << QString::fromLatin1(r.toPercentEncoding());
        parts << QStringLiteral("result") << QLatin1String(resultName(result));
        if (result != Result::Error)
            parts << QStringLiteral("consumed") << QString::number(consumed);
        parts << QStringLiteral("code") << QString::fromLatin1(errorCode)
              << QStringLiteral("keepAlive") << QString::number(keepAlive)
              << QStringLiteral("framing") << QLatin1String(framingName(framing))
              << QStringLiteral("length") << QString::number(contentLength)
              << QStringLiteral("body") << QString::number(bodyBytes);
        return parts.join(QLatin1Char('\n'));
    }
};

// Feeds input as separate buffers ending at the given offsets, the way a socket delivers data,
// and stops where the parser stops. With finish, a NeedMore at the end is followed by finish().
Outcome runParser(const QByteArray &method, const QByteArray &input, QList<qsizetype> cuts,
                  bool finish, const Limits &limits)
{
    Recorder rec;
    Parser parser(limits, &rec);
    parser.startResponse(method);
    Outcome o;
    cuts.append(input.size());
    qsizetype offset = 0;
    for (qsizetype end : cuts) {
        if (end <= offset)
            continue;
        const QByteArray piece(input.constData() + offset, end - offset); // its own allocation
        rec.fed = piece;
        qsizetype used = -1;
        o.result = parser.feed(piece, &used);
        rec.fed = {};
        if (used < 0 || used > piece.size())
            rec.log << QStringLiteral("!consumed-out-of-range %1").arg(used);
        offset += qMax<qsizetype>(used, 0);
        if (o.result != Result::NeedMore)
            break;
        if (used != piece.size())
            rec.log << QStringLiteral("!need-more-without-consuming-all");
    }
    if (o.result == Result::NeedMore && finish)
        o.result = parser.finish();
    o.log = rec.log;
    for (const ResponseHead &h : rec.heads)
        o.raws << h.raw;
    o.consumed = offset;
    o.errorCode = parser.errorCode();
    o.error = parser.errorString();
    o.keepAlive = parser.keepAlive();
    o.framing = parser.framing();
    o.contentLength = parser.contentLength();
    o.bodyBytes = parser.bodyBytes();
    return o;
}

Limits limitsWith(qsizetype statusLine, qsizetype headerLine, qsizetype headerBytes, int count,
                  int chunkDigits)
{
    Limits l;
    l.maxStatusLineBytes = statusLine;
    l.maxHeaderLineBytes = headerLine;
    l.maxHeaderBytes = headerBytes;
    l.maxHeaderCount = count;
    l.maxChunkSizeDigits = chunkDigits;
    return l;
}

} // namespace

namespace QTest {
template<> char *toString(const Result &r)
{
    return qstrdup(resultName(r));
}
template<> char *toString(const Framing &f)
{
    return qstrdup(framingName(f));
}
} // namespace QTest

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

struct ErrorCase
{
    QByteArray input;
    QByteArray code;
    QString message = {}; // part of errorString() for the unsplit input
    QByteArray method = "GET";
    bool finish = false;
    Limits limits = {};
};

Q_DECLARE_METATYPE(ValidCase)
Q_DECLARE_METATYPE(ErrorCase)

class TestHttp1Parser : public QObject
{
    Q_OBJECT

private slots:
    void validResponses_data();
    void validResponses();
    void validResponsesAnySplit_data() { validResponses_data(); }
    void validResponsesAnySplit();

    void errors_data();
    void errors();
    void errorsAnySplit_data() { errors_data(); }
    void errorsAnySplit();

    void rawIsExactBytes();
    void oversizedInputFailsEarly_data();
    void oversizedInputFailsEarly();
    void chunkSpanningFeedsIsStreamedZeroCopy();
    void backToBackResponses();
    void upgradeLeavesFollowingBytes();
    void stateAccessors();
    void errorIsSticky();
    void startResponseResets();
    void byteAtATimeIsLinear();

private:
    static void addValid(const char *name, const ValidCase &c) { QTest::newRow(name) << c; }
    static void addError(const char *name, const ErrorCase &c) { QTest::newRow(name) << c; }
};

void TestHttp1Parser::validResponses_data()
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

void TestHttp1Parser::validResponses()
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

void TestHttp1Parser::validResponsesAnySplit()
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

void TestHttp1Parser::errors_data()
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

void TestHttp1Parser::errors()
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

void TestHttp1Parser::errorsAnySplit()
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

void TestHttp1Parser::rawIsExactBytes()
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

void TestHttp1Parser::oversizedInputFailsEarly_data()
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
    QTest::newRow("endless chunk extension")
        << chunkedHead + "5;" << QByteArray("e") << QByteArray("limit:maxHeaderLineBytes")
        << QStringLiteral("chunk size line exceeds 102400 bytes")
        << chunkedHead.size() + d.maxHeaderLineBytes + 1;
}

void TestHttp1Parser::oversizedInputFailsEarly()
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

void TestHttp1Parser::chunkSpanningFeedsIsStreamedZeroCopy()
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

void TestHttp1Parser::backToBackResponses()
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

void TestHttp1Parser::upgradeLeavesFollowingBytes()
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

void TestHttp1Parser::stateAccessors()
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

void TestHttp1Parser::errorIsSticky()
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

void TestHttp1Parser::startResponseResets()
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
void TestHttp1Parser::byteAtATimeIsLinear()
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

QTEST_GUILESS_MAIN(TestHttp1Parser)
#include "tst_http1parser.moc"
