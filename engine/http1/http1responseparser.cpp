#include "http1/http1responseparser.h"

#include <array>
#include <cstring>
#include <limits>
#include <string_view>

namespace hopscope {

namespace {

// Error messages quote at most this many bytes of the offending input.
constexpr qsizetype kQuoteMax = 80;

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

// RFC 9110 §5.6.2 tchar.
constexpr std::array<bool, 256> makeTcharTable()
{
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c)
        table[c] = true;
    for (int c = 'a'; c <= 'z'; ++c)
        table[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c)
        table[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~"))
        table[static_cast<unsigned char>(c)] = true;
    return table;
}
constexpr std::array<bool, 256> kTchar = makeTcharTable();

QByteArrayView trimOws(QByteArrayView v)
{
    qsizetype b = 0;
    qsizetype e = v.size();
    while (b < e && isOws(v[b]))
        ++b;
    while (e > b && isOws(v[e - 1]))
        --e;
    return v.sliced(b, e - b);
}

bool contains(QByteArrayView v, char c)
{
    return !v.isEmpty() && std::memchr(v.data(), c, size_t(v.size())) != nullptr;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Input bytes shown in a message: the peer controls them, so they are escaped and cut short to
// keep messages printable and small.
QString quoted(QByteArrayView bytes)
{
    QString out = QStringLiteral("\"");
    const qsizetype n = qMin(bytes.size(), kQuoteMax);
    for (qsizetype i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c == '\r')
            out += QLatin1String("\\r");
        else if (c == '\n')
            out += QLatin1String("\\n");
        else if (c == '\t')
            out += QLatin1String("\\t");
        else if (c == '"' || c == '\\')
            out += QLatin1Char('\\') + QString(QLatin1Char(char(c)));
        else if (c >= 0x20 && c < 0x7f)
            out += QLatin1Char(char(c));
        else
            out += QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
    }
    if (bytes.size() > kQuoteMax)
        out += QLatin1String("...");
    out += QLatin1Char('"');
    return out;
}

QByteArrayView stripLineEnd(QByteArrayView line)
{
    if (line.endsWith('\n'))
        line.chop(1);
    if (line.endsWith('\r'))
        line.chop(1);
    return line;
}

enum class LengthCheck { Ok, Invalid, Conflict };

// Content-Length may legitimately arrive as a list of one repeated value ("5, 5", or two
// fields); anything else makes the framing ambiguous.
LengthCheck parseContentLength(const QList<QByteArray> &fields, qint64 *length, int *count,
                               QByteArrayView *bad)
{
    constexpr qint64 max = std::numeric_limits<qint64>::max();
    QList<qint64> values;
    for (const QByteArray &field : fields) {
        QByteArrayView rest(field);
        while (true) {
            const qsizetype comma = rest.indexOf(',');
            const QByteArrayView element = trimOws(comma < 0 ? rest : rest.first(comma));
            if (element.isEmpty()) {
                *bad = field;
                return LengthCheck::Invalid;
            }
            qint64 v = 0;
            for (char c : element) {
                if (c < '0' || c > '9' || v > (max - (c - '0')) / 10) {
                    *bad = field;
                    return LengthCheck::Invalid;
                }
                v = v * 10 + (c - '0');
            }
            values.append(v);
            if (comma < 0)
                break;
            rest = rest.sliced(comma + 1);
        }
    }
    *count = int(values.size());
    *length = values.first();
    for (qint64 v : values) {
        if (v != *length)
            return LengthCheck::Conflict;
    }
    return LengthCheck::Ok;
}

} // namespace

Http1ResponseParser::Http1ResponseParser(const Limits &limits, Listener *listener)
    : m_limits(limits), m_listener(listener)
{
    startResponse({});
}

Http1ResponseParser::~Http1ResponseParser() = default;

void Http1ResponseParser::startResponse(QByteArrayView requestMethod)
{
    m_method = requestMethod.toByteArray();
    m_framing = Framing::None;
    m_contentLength = -1;
    m_bodyBytes = 0;
    m_keepAlive = true;
    m_error.clear();
    m_errorCode.clear();
    m_state = State::StatusLine;
    m_headBytesSeen = 0;
    m_interimBytes = 0;
    m_interimCount = 0;
    m_started = false;
    m_finalHead = false;
    m_remaining = 0;
    resetHead(true);
}

// Forgets the head just read. Each head (interim ones too) starts a new message, after which the
// once-per-message violations may be reported again; a final head's body is the same message.
void Http1ResponseParser::resetHead(bool newMessage)
{
    m_buf.clear();
    m_lineStart = 0;
    m_skippedBytes = 0;
    m_version.clear();
    m_status = 0;
    m_reason.clear();
    m_fields.clear();
    if (!newMessage)
        return;
    m_bareLfReported = false;
    m_obsFoldReported = false;
    m_leadingReported = false;
}

bool Http1ResponseParser::inHead() const
{
    return !m_finalHead;
}

bool Http1ResponseParser::messageStarted() const
{
    return m_started;
}

Http1ResponseParser::Result Http1ResponseParser::fail(const QByteArray &code,
                                                      const QString &message)
{
    m_state = State::Failed;
    m_errorCode = code;
    m_error = message;
    return Result::Error;
}

void Http1ResponseParser::violation(const QByteArray &code, const QString &message)
{
    m_listener->onViolation(code, message);
}

void Http1ResponseParser::noteBareLf()
{
    if (m_bareLfReported)
        return;
    m_bareLfReported = true;
    violation("bare-lf", QStringLiteral("line ended with a bare LF instead of CRLF"));
}

void Http1ResponseParser::deliver(const char *data, qsizetype size)
{
    if (size <= 0)
        return;
    m_bodyBytes += size;
    m_listener->onBodyData(QByteArrayView(data, size));
}

Http1ResponseParser::Result Http1ResponseParser::complete()
{
    m_state = State::Done;
    m_listener->onMessageComplete();
    return Result::MessageComplete;
}

Http1ResponseParser::Result Http1ResponseParser::feed(QByteArrayView data, qsizetype *consumed)
{
    qsizetype pos = 0;
    const Result result = run(data, pos);
    if (consumed)
        *consumed = pos;
    return result;
}

Http1ResponseParser::Result Http1ResponseParser::run(QByteArrayView data, qsizetype &pos)
{
    const qsizetype end = data.size();
    while (true) {
        switch (m_state) {
        case State::Failed:
            return Result::Error;
        case State::Done:
            return Result::MessageComplete;
        case State::Upgraded:
            return Result::Upgrade;

        case State::StatusLine:
        case State::Headers:
        case State::Trailers: {
            if (pos == end)
                return Result::NeedMore;
            const LineRead read = readLine(data, pos);
            if (read == LineRead::Failed)
                return Result::Error;
            if (read == LineRead::Partial)
                return Result::NeedMore;
            const QByteArrayView line = QByteArrayView(m_buf).sliced(m_lineStart);
            if (line.size() < 2 || line[line.size() - 2] != '\r')
                noteBareLf();
            const QByteArrayView content = stripLineEnd(line);
            if (m_state == State::StatusLine) {
                if (!handleStatusLine(content))
                    return Result::Error;
                break;
            }
            if (!content.isEmpty()) {
                if (!handleFieldLine(content, m_fields))
                    return Result::Error;
                m_lineStart = m_buf.size();
                break;
            }
            if (m_state == State::Trailers) {
                if (!m_fields.isEmpty())
                    m_listener->onTrailers(m_fields);
                m_buf.clear();
                m_fields.clear();
                return complete();
            }
            // NeedMore here means parsing goes on: with the next head or with the body.
            const Result result = finishHead();
            if (result != Result::NeedMore)
                return result;
            break;
        }

        case State::Body: {
            if (m_framing == Framing::CloseDelimited) {
                deliver(data.data() + pos, end - pos);
                pos = end;
                return Result::NeedMore;
            }
            const qsizetype n = qsizetype(qMin<qint64>(m_remaining, end - pos));
            deliver(data.data() + pos, n);
            pos += n;
            m_remaining -= n;
            if (m_remaining == 0)
                return complete();
            return Result::NeedMore;
        }

        case State::ChunkSize: {
            bool lineDone = false;
            if (!parseChunkSize(data, pos, &lineDone))
                return Result::Error;
            if (!lineDone)
                return Result::NeedMore;
            if (m_chunkSize == 0) {
                m_state = State::Trailers;
                m_buf.clear();
                m_lineStart = 0;
                m_skippedBytes = 0;
                m_fields.clear();
            } else {
                m_state = State::ChunkData;
                m_remaining = m_chunkSize;
            }
            break;
        }

        case State::ChunkData: {
            const qsizetype n = qsizetype(qMin<qint64>(m_remaining, end - pos));
            deliver(data.data() + pos, n);
            pos += n;
            m_remaining -= n;
            if (m_remaining > 0)
                return Result::NeedMore;
            m_state = State::ChunkDataEnd;
            m_chunkPrevCr = false;
            break;
        }

        case State::ChunkDataEnd: {
            if (pos == end)
                return Result::NeedMore;
            const char c = data[pos];
            if (c == '\n') {
                ++pos;
                if (!m_chunkPrevCr)
                    noteBareLf();
                m_state = State::ChunkSize;
                m_chunkLine = ChunkLine::Digits;
                m_chunkDigits = 0;
                m_chunkSize = 0;
                m_chunkLineBytes = 0;
                m_chunkPrevCr = false;
                m_chunkQuote.clear();
            } else if (c == '\r' && !m_chunkPrevCr) {
                ++pos;
                m_chunkPrevCr = true;
            } else {
                return fail("chunk-framing",
                            QStringLiteral("chunk data not followed by CRLF (found %1 after %2 "
                                           "body bytes)")
                                .arg(quoted(data.sliced(pos, qMin<qsizetype>(end - pos, 16))))
                                .arg(m_bodyBytes));
            }
            break;
        }
        }
    }
}

// Takes the next piece of a head line from data, up to and including its LF. Limits are
// checked before anything is buffered, so an endless line fails once it passes the limit
// instead of growing the buffer. Every check depends only on byte positions, never on how the
// input was sliced, so any split gives the same outcome.
Http1ResponseParser::LineRead Http1ResponseParser::readLine(QByteArrayView data, qsizetype &pos)
{
    const char *begin = data.data() + pos;
    const qsizetype avail = data.size() - pos;
    const auto *lf = static_cast<const char *>(std::memchr(begin, '\n', size_t(avail)));
    const qsizetype n = lf ? lf - begin + 1 : avail;

    if (m_state == State::StatusLine && m_buf.size() < 5) {
        // Reject a peer that is not speaking HTTP/1 at once rather than after maxStatusLineBytes.
        char start[5];
        qsizetype have = 0;
        for (; have < m_buf.size(); ++have)
            start[have] = m_buf[have];
        for (qsizetype i = 0; have < 5 && i < n; ++i)
            start[have++] = begin[i];
        bool plausible;
        if (start[0] == '\n')
            plausible = true;
        else if (start[0] == '\r')
            plausible = have == 1 || start[1] == '\n';
        else
            plausible = std::memcmp(start, "HTTP/", size_t(have)) == 0;
        if (!plausible) {
            QByteArray line = m_buf + QByteArrayView(begin, n).toByteArray();
            fail("status-line",
                 QStringLiteral("malformed status line: %1").arg(quoted(stripLineEnd(line))));
            return LineRead::Failed;
        }
    }

    const bool trailers = m_state == State::Trailers;
    const qsizetype lineLimit =
        m_state == State::StatusLine ? m_limits.maxStatusLineBytes : m_limits.maxHeaderLineBytes;
    const qsizetype lineRoom = lineLimit - (m_buf.size() - m_lineStart);
    // Interim heads count too: 100,000 small `100 Continue`s are as much head as one huge one.
    const qsizetype sectionRoom =
        m_limits.maxHeaderBytes -
        (m_buf.size() + m_skippedBytes + (trailers ? 0 : qsizetype(m_interimBytes)));
    if (n > lineRoom || n > sectionRoom) {
        if (lineRoom <= sectionRoom && m_state == State::StatusLine) {
            fail("limit:maxStatusLineBytes",
                 QStringLiteral("status line exceeds %1 bytes (limit maxStatusLineBytes)")
                     .arg(m_limits.maxStatusLineBytes));
        } else if (lineRoom <= sectionRoom) {
            fail("limit:maxHeaderLineBytes",
                 QStringLiteral("response %1 line exceeds %2 bytes (limit maxHeaderLineBytes)")
                     .arg(trailers ? QLatin1String("trailer") : QLatin1String("header"))
                     .arg(m_limits.maxHeaderLineBytes));
        } else if (!trailers && m_interimCount > 0) {
            fail("limit:maxHeaderBytes",
                 QStringLiteral("response headers, with the %1 interim (1xx) responses before "
                                "them, exceed %2 bytes (limit maxHeaderBytes)")
                     .arg(m_interimCount)
                     .arg(m_limits.maxHeaderBytes));
        } else {
            fail("limit:maxHeaderBytes",
                 QStringLiteral("response %1 exceed %2 bytes (limit maxHeaderBytes)")
                     .arg(trailers ? QLatin1String("trailers") : QLatin1String("headers"))
                     .arg(m_limits.maxHeaderBytes));
        }
        return LineRead::Failed;
    }

    m_buf.append(begin, n);
    pos += n;
    if (!trailers)
        m_headBytesSeen += n;
    if (!m_started && m_state == State::StatusLine && m_buf[0] != '\r' && m_buf[0] != '\n')
        m_started = true;
    return lf ? LineRead::Complete : LineRead::Partial;
}

bool Http1ResponseParser::handleStatusLine(QByteArrayView content)
{
    if (content.isEmpty()) {
        // RFC 9112 §2.2: a client should ignore empty lines before the status line.
        if (!m_leadingReported) {
            m_leadingReported = true;
            violation("leading-crlf", QStringLiteral("empty line before the status line"));
        }
        m_skippedBytes += m_buf.size();
        m_buf.clear();
        m_lineStart = 0;
        return true;
    }

    const auto malformed = [&] {
        fail("status-line", QStringLiteral("malformed status line: %1").arg(quoted(content)));
        return false;
    };
    const auto digit = [&](qsizetype i) { return content[i] >= '0' && content[i] <= '9'; };
    // HTTP-version SP 3DIGIT [SP reason]; a bare CR anywhere is invalid (RFC 9112 §2.2).
    if (content.size() < 12 || !content.startsWith("HTTP/") || !digit(5) || content[6] != '.' ||
        !digit(7) || content[8] != ' ' || !digit(9) || !digit(10) || !digit(11) ||
        content[9] == '0' || (content.size() > 12 && content[12] != ' ') || contains(content, '\r'))
        return malformed();
    if (content[5] != '1' || (content[7] != '0' && content[7] != '1')) {
        fail("status-line",
             QStringLiteral("unsupported HTTP version in status line: %1").arg(quoted(content)));
        return false;
    }
    m_version = content.first(8).toByteArray();
    m_status = (content[9] - '0') * 100 + (content[10] - '0') * 10 + (content[11] - '0');
    if (content.size() == 12) {
        violation("missing-reason", QStringLiteral("status line without a reason phrase"));
        m_reason.clear();
    } else {
        m_reason = content.sliced(13).toByteArray();
    }
    m_state = State::Headers;
    m_lineStart = m_buf.size();
    return true;
}

bool Http1ResponseParser::handleFieldLine(QByteArrayView content, HeaderList &fields)
{
    const auto syntax = [&](const QString &what) {
        fail("header-syntax", QStringLiteral("%1: %2").arg(what, quoted(content)));
        return false;
    };
    // RFC 9110 §5.5: CR and NUL in a field are dangerous; rejecting is the only safe choice
    // that still shows the field exactly as received.
    if (contains(content, '\r') || contains(content, '\0'))
        return syntax(QStringLiteral("invalid CR or NUL in header line"));

    if (isOws(content[0])) {
        if (fields.isEmpty())
            return syntax(QStringLiteral("continuation line without a header field"));
        if (!m_obsFoldReported) {
            m_obsFoldReported = true;
            violation("obs-fold", QStringLiteral("header value continued on the next line "
                                                 "(obsolete line folding)"));
        }
        const QByteArrayView more = trimOws(content);
        QByteArray &value = fields.last().value;
        if (!more.isEmpty()) {
            if (!value.isEmpty())
                value += ' ';
            value += more;
        }
        return true;
    }

    const auto *colon =
        static_cast<const char *>(std::memchr(content.data(), ':', size_t(content.size())));
    if (!colon)
        return syntax(QStringLiteral("header line without a colon"));
    const QByteArrayView name = content.first(colon - content.data());
    if (name.isEmpty())
        return syntax(QStringLiteral("header line with an empty name"));
    if (isOws(name.back()))
        return syntax(QStringLiteral("whitespace between header name and colon"));
    for (char c : name) {
        if (!kTchar[static_cast<unsigned char>(c)])
            return syntax(QStringLiteral("invalid character in header name"));
    }
    if (fields.size() >= m_limits.maxHeaderCount) {
        fail("limit:maxHeaderCount",
             QStringLiteral("response has more than %1 %2 fields (limit maxHeaderCount)")
                 .arg(m_limits.maxHeaderCount)
                 .arg(m_state == State::Trailers ? QLatin1String("trailer")
                                                 : QLatin1String("header")));
        return false;
    }
    fields.append(
        HttpHeader{name.toByteArray(), trimOws(content.sliced(name.size() + 1)).toByteArray()});
    return true;
}

Http1ResponseParser::Result Http1ResponseParser::finishHead()
{
    ResponseHead head;
    head.version = m_version;
    head.status = m_status;
    head.reason = m_reason;
    head.headers = m_fields;
    head.raw = m_buf;

    if (head.status < 200) {
        if (head.status == 101) {
            // Whatever follows belongs to the new protocol, never to another HTTP/1 response.
            m_keepAlive = false;
            m_state = State::Upgraded;
            m_listener->onResponseHead(head);
            resetHead(true);
            return Result::Upgrade;
        }
        m_listener->onResponseHead(head);
        m_interimBytes += m_buf.size() + m_skippedBytes;
        resetHead(true);
        if (++m_interimCount > m_limits.maxInterimResponses)
            return fail("limit:maxInterimResponses",
                        QStringLiteral("more than %1 interim (1xx) responses before the final "
                                       "one (limit maxInterimResponses)")
                            .arg(m_limits.maxInterimResponses));
        m_state = State::StatusLine;
        return Result::NeedMore;
    }

    m_finalHead = true;
    m_state = State::Body;
    resetHead(false);
    // The head is reported even when its framing is unusable: an inspector wants to show it.
    const bool framed = decideFraming(head);
    m_listener->onResponseHead(head);
    if (!framed)
        return fail(m_errorCode, m_error);
    if (m_framing == Framing::None || (m_framing == Framing::ContentLength && m_contentLength == 0))
        return complete();
    if (m_framing == Framing::Chunked) {
        m_state = State::ChunkSize;
        m_chunkLine = ChunkLine::Digits;
        m_chunkDigits = 0;
        m_chunkSize = 0;
        m_chunkLineBytes = 0;
        m_chunkPrevCr = false;
        m_chunkQuote.clear();
    }
    return Result::NeedMore;
}

// RFC 9112 §6.3. Sets m_framing, m_contentLength, m_remaining, m_keepAlive. On failure leaves
// the error in m_errorCode/m_error for the caller to raise after the head has been reported.
bool Http1ResponseParser::decideFraming(const ResponseHead &head)
{
    const HeaderList &h = head.headers;
    if (head.version == "HTTP/1.1")
        m_keepAlive = !headerHasToken(h, "Connection", "close");
    else
        m_keepAlive = headerHasToken(h, "Connection", "keep-alive") &&
                      !headerHasToken(h, "Connection", "close");

    const QList<QByteArray> lengths = headerValues(h, "Content-Length");
    qint64 length = -1;
    int count = 0;
    QByteArrayView bad;

    const bool noBody = m_method == "HEAD" || head.status == 204 || head.status == 304 ||
                        (m_method == "CONNECT" && head.status / 100 == 2);
    if (noBody) {
        // The length still describes the resource (HEAD); being informational, a broken value
        // is no reason to fail.
        m_framing = Framing::None;
        if (!lengths.isEmpty() &&
            parseContentLength(lengths, &length, &count, &bad) == LengthCheck::Ok)
            m_contentLength = length;
        return true;
    }

    if (hasHeader(h, "Transfer-Encoding")) {
        if (!lengths.isEmpty()) {
            m_errorCode = "content-length-with-chunked";
            m_error = QStringLiteral("response has both Transfer-Encoding and Content-Length "
                                     "(ambiguous framing)");
            return false;
        }
        const QList<QByteArray> codings = headerTokens(h, "Transfer-Encoding");
        if (!codings.isEmpty() && codings.last().compare("chunked", Qt::CaseInsensitive) == 0) {
            m_framing = Framing::Chunked;
            return true;
        }
        violation("te-not-chunked",
                  QStringLiteral("Transfer-Encoding %1 does not end in chunked; the body ends "
                                 "when the connection closes")
                      .arg(quoted(headerValue(h, "Transfer-Encoding"))));
        m_framing = Framing::CloseDelimited;
        m_keepAlive = false;
        return true;
    }

    if (!lengths.isEmpty()) {
        switch (parseContentLength(lengths, &length, &count, &bad)) {
        case LengthCheck::Invalid:
            m_errorCode = "content-length-invalid";
            m_error = QStringLiteral("invalid Content-Length: %1").arg(quoted(bad));
            return false;
        case LengthCheck::Conflict:
            m_errorCode = "content-length-conflict";
            m_error = QStringLiteral("conflicting Content-Length values: %1")
                          .arg(quoted(lengths.join(", ")));
            return false;
        case LengthCheck::Ok:
            break;
        }
        if (count > 1) {
            violation(
                "content-length-repeated",
                QStringLiteral("Content-Length repeated with the same value (%1)").arg(length));
        }
        m_framing = Framing::ContentLength;
        m_contentLength = length;
        m_remaining = length;
        return true;
    }

    m_framing = Framing::CloseDelimited;
    m_keepAlive = false;
    return true;
}

// chunk-size [ chunk-ext ] CRLF, byte by byte: the line is short, except for extensions, which
// are skipped with memchr and never buffered.
bool Http1ResponseParser::parseChunkSize(QByteArrayView data, qsizetype &pos, bool *lineDone)
{
    const qsizetype end = data.size();
    const auto lineLimit = [&] {
        fail("limit:maxHeaderLineBytes",
             QStringLiteral("chunk size line exceeds %1 bytes (limit maxHeaderLineBytes)")
                 .arg(m_limits.maxHeaderLineBytes));
        return false;
    };
    const auto take = [&](char c) {
        ++pos;
        ++m_chunkLineBytes;
        if (m_chunkQuote.size() < kQuoteMax + 1)
            m_chunkQuote += c;
    };
    while (pos < end) {
        if (m_chunkLineBytes >= m_limits.maxHeaderLineBytes)
            return lineLimit();
        const char c = data[pos];
        switch (m_chunkLine) {
        case ChunkLine::Digits: {
            const int v = hexValue(c);
            if (v >= 0) {
                if (m_chunkDigits >= m_limits.maxChunkSizeDigits) {
                    fail("chunk-size",
                         QStringLiteral("chunk size has more than %1 hex digits (limit "
                                        "maxChunkSizeDigits)")
                             .arg(m_limits.maxChunkSizeDigits));
                    return false;
                }
                if (m_chunkSize > (std::numeric_limits<qint64>::max() - v) / 16) {
                    m_chunkQuote += c;
                    fail("chunk-size",
                         QStringLiteral("chunk size too large: %1").arg(quoted(m_chunkQuote)));
                    return false;
                }
                m_chunkSize = m_chunkSize * 16 + v;
                ++m_chunkDigits;
                take(c);
            } else if (m_chunkDigits == 0) {
                m_chunkLine = ChunkLine::Invalid;
            } else if (c == ';' || isOws(c)) {
                m_chunkLine = ChunkLine::Extension;
                m_chunkPrevCr = false;
            } else if (c == '\r') {
                take(c);
                m_chunkLine = ChunkLine::LineFeed;
            } else if (c == '\n') {
                take(c);
                noteBareLf();
                *lineDone = true;
                return true;
            } else {
                m_chunkLine = ChunkLine::Invalid;
            }
            break;
        }
        case ChunkLine::Extension: {
            // Extensions carry nothing this parser uses; they are only bounded, not parsed.
            const char *begin = data.data() + pos;
            const qsizetype avail = end - pos;
            const auto *lf = static_cast<const char *>(std::memchr(begin, '\n', size_t(avail)));
            const qsizetype n = lf ? lf - begin + 1 : avail;
            if (m_chunkLineBytes + n > m_limits.maxHeaderLineBytes)
                return lineLimit();
            m_chunkLineBytes += n;
            pos += n;
            if (!lf) {
                m_chunkPrevCr = begin[n - 1] == '\r';
                break;
            }
            if (!(n >= 2 ? begin[n - 2] == '\r' : m_chunkPrevCr))
                noteBareLf();
            *lineDone = true;
            return true;
        }
        case ChunkLine::LineFeed:
            if (c == '\n') {
                take(c);
                *lineDone = true;
                return true;
            }
            m_chunkLine = ChunkLine::Invalid;
            break;
        case ChunkLine::Invalid:
            // Collect the rest of the line (bounded) so the message shows what was sent.
            if (c == '\n' || m_chunkQuote.size() > kQuoteMax) {
                fail("chunk-size", QStringLiteral("invalid chunk size line: %1")
                                       .arg(quoted(stripLineEnd(m_chunkQuote))));
                return false;
            }
            take(c);
            break;
        }
    }
    return true;
}

Http1ResponseParser::Result Http1ResponseParser::finish()
{
    switch (m_state) {
    case State::Failed:
        return Result::Error;
    case State::Done:
        return Result::MessageComplete;
    case State::Upgraded:
        return Result::Upgrade;
    case State::StatusLine:
    case State::Headers:
        if (!m_started)
            return fail("no-response", QStringLiteral("connection closed before any response "
                                                      "byte"));
        return fail("truncated-head",
                    QStringLiteral("connection closed in the response head after %1 bytes")
                        .arg(m_headBytesSeen));
    case State::Body:
        if (m_framing == Framing::CloseDelimited)
            return complete();
        return fail("truncated-body",
                    QStringLiteral("connection closed mid-body: received %1 of %2 bytes")
                        .arg(m_bodyBytes)
                        .arg(m_contentLength));
    case State::ChunkSize:
    case State::ChunkData:
    case State::ChunkDataEnd:
        return fail("truncated-body",
                    QStringLiteral("connection closed mid-body: chunked body ended without the "
                                   "last chunk (%1 bytes received)")
                        .arg(m_bodyBytes));
    case State::Trailers:
        return fail("truncated-body",
                    QStringLiteral("connection closed mid-body: chunked body ended in the "
                                   "trailer section (%1 bytes received)")
                        .arg(m_bodyBytes));
    }
    return Result::Error;
}

} // namespace hopscope
