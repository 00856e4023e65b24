// The HTTP/1.1 response parser (engine/http1/http1responseparser) on whatever a server sends:
// status lines, headers, interim heads, Content-Length, chunked bodies with extensions and
// trailers, close-delimited bodies, several responses back to back on a keep-alive connection.
//
// Input: byte 0 chooses the request method (bits 0-1: GET, HEAD, CONNECT, POST) and tight limits
// (bit 2); byte 1 seeds how the rest is cut into reads; the rest is the server's bytes.
//
// Beyond ASan/UBSan it checks what the parser promises (http1responseparser.h): `consumed` stays
// within what was fed, body views point into the fed buffer, a head never holds more than
// maxHeaderBytes, and it is resumable at any byte: the same bytes fed whole and fed in pieces
// give the same heads, body, trailers, violations, result and error code.

#include "fuzzinput.h"
#include "http1/http1responseparser.h"

#include <QByteArray>
#include <QStringList>

using namespace hopscope;
using namespace hopscope::fuzz;
using Parser = Http1ResponseParser;
using Result = Parser::Result;

namespace {

class Recorder : public Parser::Listener
{
public:
    QStringList log;
    QByteArrayView fed;

    void onResponseHead(const ResponseHead &head) override
    {
        QString line =
            QStringLiteral("head %1 %2 %3")
                .arg(head.status)
                .arg(QString::fromLatin1(head.version), QString::fromLatin1(head.reason));
        for (const HttpHeader &h : head.headers)
            line += QStringLiteral(" | %1: %2")
                        .arg(QString::fromLatin1(h.name), QString::fromLatin1(h.value));
        line += QStringLiteral(" raw %1").arg(QString::fromLatin1(head.raw.toHex()));
        log << line;
    }
    void onBodyData(QByteArrayView data) override
    {
        check(!data.isEmpty(), "empty body piece");
        check(data.data() >= fed.data() && data.data() + data.size() <= fed.data() + fed.size(),
              "body view outside the fed buffer");
        const QString text = QString::fromLatin1(data.toByteArray().toHex());
        if (!log.isEmpty() && log.last().startsWith(QLatin1String("body ")))
            log.last() += text;
        else
            log << QStringLiteral("body ") + text;
    }
    void onTrailers(const HeaderList &trailers) override
    {
        check(!trailers.isEmpty(), "onTrailers without trailers");
        QStringList parts;
        for (const HttpHeader &h : trailers)
            parts << QString::fromLatin1(h.name + ": " + h.value);
        log << QStringLiteral("trailers ") + parts.join(QLatin1String(" | "));
    }
    void onMessageComplete() override { log << QStringLiteral("complete"); }
    void onViolation(const QByteArray &code, const QString &message) override
    {
        check(!message.isEmpty(), "violation without a message");
        log << QStringLiteral("violation ") + QString::fromLatin1(code);
    }
};

struct Run
{
    QStringList log;
    QByteArray errorCode;
};

// Feeds `wire` in the given pieces, starting a new response after each one that completes on a
// keep-alive connection (a pipelining server), until an upgrade, an error or the end.
Run run(const QList<QByteArrayView> &pieces, QByteArrayView method, const Limits &limits)
{
    Recorder rec;
    Parser parser(limits, &rec);
    parser.startResponse(method);
    Result result = Result::NeedMore;
    int responses = 0;
    bool stopped = false;
    for (QByteArrayView piece : pieces) {
        const QByteArray input = piece.toByteArray(); // its own allocation, like a read
        QByteArrayView rest = input;
        while (!rest.isEmpty()) {
            rec.fed = rest;
            qsizetype used = -1;
            result = parser.feed(rest, &used);
            check(used >= 0 && used <= rest.size(), "consumed out of range");
            check(parser.bufferedBytes() <= limits.maxHeaderBytes, "head buffered past the limit");
            rest = rest.sliced(used);
            if (result == Result::NeedMore) {
                check(rest.isEmpty(), "NeedMore without consuming everything");
                break;
            }
            if (result == Result::MessageComplete && parser.keepAlive() && ++responses < 8) {
                rec.log << QStringLiteral("next");
                parser.startResponse(method);
                continue;
            }
            stopped = true;
            break;
        }
        if (stopped)
            break;
    }
    if (!stopped) {
        result = parser.finish();
        check(result != Result::NeedMore && result != Result::Upgrade, "finish() left it open");
    }
    rec.log << QStringLiteral("result %1").arg(int(result));
    if (result == Result::Error) {
        check(!parser.errorCode().isEmpty() && !parser.errorString().isEmpty(),
              "an error without code or message");
        // It stays failed.
        qsizetype used = -1;
        check(parser.feed("HTTP/1.1 200 OK\r\n\r\n", &used) == Result::Error, "error state left");
    }
    return {rec.log, parser.errorCode()};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const QByteArrayView methods[] = {"GET", "HEAD", "CONNECT", "POST"};
    const QByteArrayView method = methods[data[0] & 3];
    Limits limits;
    if (data[0] & 4) {
        limits.maxStatusLineBytes = 64;
        limits.maxHeaderLineBytes = 48;
        limits.maxHeaderBytes = 256;
        limits.maxHeaderCount = 6;
        limits.maxChunkSizeDigits = 4;
        limits.maxInterimResponses = 3;
    }
    const QByteArrayView wire(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));
    const Run whole = run(slices(wire, 0), method, limits);
    const Run cut = run(slices(wire, data[1] | 1), method, limits);
    if (whole.log != cut.log || whole.errorCode != cut.errorCode) {
        std::fprintf(stderr, "whole:\n%s\ncut:\n%s\n",
                     qPrintable(whole.log.join(QLatin1Char('\n'))),
                     qPrintable(cut.log.join(QLatin1Char('\n'))));
        broken("feeding in pieces changed the outcome");
    }
    return 0;
}
