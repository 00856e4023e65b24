#pragma once

// What the tst_http1parser_* suites share: a listener that logs every callback (Recorder), a
// runner that feeds a response in the pieces a socket might deliver (runParser) and compares
// what must not depend on the slicing (Outcome::describe), and limits built in one call.

#include "http1/http1responseparser.h"

#include <QList>
#include <QStringList>
#include <QTest>

namespace hopscope::test::http1 {

using Parser = Http1ResponseParser;
using Result = Http1ResponseParser::Result;
using Framing = Http1ResponseParser::Framing;

inline const char *resultName(Result r)
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

inline const char *framingName(Framing f)
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
inline Outcome runParser(const QByteArray &method, const QByteArray &input, QList<qsizetype> cuts,
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

inline Limits limitsWith(qsizetype statusLine, qsizetype headerLine, qsizetype headerBytes,
                         int count, int chunkDigits)
{
    Limits l;
    l.maxStatusLineBytes = statusLine;
    l.maxHeaderLineBytes = headerLine;
    l.maxHeaderBytes = headerBytes;
    l.maxHeaderCount = count;
    l.maxChunkSizeDigits = chunkDigits;
    return l;
}

} // namespace hopscope::test::http1

namespace QTest {
template<> inline char *toString(const hopscope::test::http1::Result &r)
{
    return qstrdup(hopscope::test::http1::resultName(r));
}
template<> inline char *toString(const hopscope::test::http1::Framing &f)
{
    return qstrdup(hopscope::test::http1::framingName(f));
}
} // namespace QTest
