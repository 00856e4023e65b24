#include "demorequestparser.h"

#include <QList>

#include <cstring>

namespace hopscope {

namespace {

constexpr qsizetype kMaxChunkLine = 1024;
constexpr int kMaxChunkDigits = 16; // as curl: 64 bits of size
constexpr int kMaxContentLengthDigits = 18;

bool isTchar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool isToken(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        if (!isTchar(c))
            return false;
    }
    return true;
}

bool isDigits(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
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

QByteArray printable(QByteArrayView s, qsizetype max = 60)
{
    QByteArray out;
    for (char c : s.first(qMin(s.size(), max))) {
        const auto u = uchar(c);
        if (u >= 0x20 && u < 0x7f)
            out += c;
        else
            out += "\\x" + QByteArray::number(u, 16).rightJustified(2, '0');
    }
    if (s.size() > max)
        out += "...";
    return out;
}

} // namespace

void DemoRequestParser::reset()
{
    m_state = State::RequestLine;
    m_request = DemoRequest{};
    m_request.tls = m_tls;
    m_request.h3Port = m_h3Port;
    m_line.clear();
    m_headerBytes = 0;
    m_contentLength = 0;
    m_remaining = 0;
    m_chunked = false;
    m_keepAlive = true;
    m_errorStatus = 0;
    m_errorMessage.clear();
}

DemoRequestParser::Result DemoRequestParser::fail(int status, const QByteArray &message)
{
    m_state = State::Failed;
    m_errorStatus = status;
    m_errorMessage = message;
    return Result::Error;
}

bool DemoRequestParser::takeLine(QByteArrayView data, qsizetype &pos, qsizetype limit, int status,
                                 const QByteArray &what, bool *failed)
{
    const qsizetype lf = data.indexOf('\n', pos);
    const qsizetype end = lf < 0 ? data.size() : lf;
    // The limit is checked before buffering, so an endless line costs at most `limit` bytes.
    if (m_line.size() + (end - pos) > limit) {
        fail(status, what + " longer than " + QByteArray::number(limit) + " bytes");
        *failed = true;
        return false;
    }
    m_line.append(data.sliced(pos, end - pos));
    if (lf < 0) {
        pos = data.size();
        return false;
    }
    pos = lf + 1;
    // CRLF, or a bare LF (RFC 9112 §2.2 lets a recipient accept it); a CR anywhere else is
    // refused because it splits lines differently for different parsers.
    if (m_line.endsWith('\r'))
        m_line.chop(1);
    if (m_line.contains('\r')) {
        fail(400, "bare CR inside " + what);
        *failed = true;
        return false;
    }
    return true;
}

DemoRequestParser::Result DemoRequestParser::feed(QByteArrayView data, qsizetype *consumed)
{
    qsizetype pos = 0;
    bool failed = false;
    auto done = [&](Result r) {
        *consumed = pos;
        return r;
    };
    if (m_state == State::Failed)
        return done(Result::Error);
    if (m_state == State::Complete)
        return done(Result::Complete);

    while (pos < data.size()) {
        switch (m_state) {
        case State::RequestLine: {
            if (!takeLine(data, pos, maxRequestLine, 414, "request line", &failed))
                return done(failed ? Result::Error : Result::NeedMore);
            const QByteArray line = std::exchange(m_line, {});
            if (line.isEmpty()) {
                // RFC 9112 §2.2: empty lines before a request line are ignored, within reason.
                m_headerBytes += 2;
                if (m_headerBytes > maxRequestLine)
                    return done(fail(400, "too many empty lines before the request line"));
                continue;
            }
            m_headerBytes = line.size() + 2;
            if (!parseRequestLine(line))
                return done(Result::Error);
            m_state = State::Headers;
            break;
        }
        case State::Headers:
        case State::Trailers: {
            const bool trailer = m_state == State::Trailers;
            const qsizetype room = maxHeaderBytes - m_headerBytes;
            if (!takeLine(data, pos, qMax<qsizetype>(0, room), 431,
                          trailer ? "trailer section" : "request header section", &failed)) {
                if (failed && m_errorStatus == 431) {
                    m_errorMessage = QByteArray(trailer ? "trailer" : "request header") +
                                     " section larger than " + QByteArray::number(maxHeaderBytes) +
                                     " bytes";
                }
                return done(failed ? Result::Error : Result::NeedMore);
            }
            const QByteArray line = std::exchange(m_line, {});
            m_headerBytes += line.size() + 2;
            if (!line.isEmpty()) {
                if (!parseHeaderLine(line, trailer))
                    return done(Result::Error);
                break;
            }
            if (trailer) {
                m_state = State::Complete;
                return done(Result::Complete);
            }
            if (!finishHead())
                return done(Result::Error);
            m_state = m_chunked ? State::ChunkSize
                                : (m_contentLength > 0 ? State::Body : State::Complete);
            m_remaining = m_contentLength;
            return done(m_state == State::Complete ? Result::Complete : Result::HeadComplete);
        }
        case State::Body:
        case State::ChunkData: {
            const qint64 take = qMin<qint64>(m_remaining, data.size() - pos);
            pos += take;
            m_remaining -= take;
            m_request.bodyBytes += take;
            if (m_remaining > 0)
                break;
            if (m_state == State::ChunkData) {
                m_state = State::ChunkDataEnd;
                break;
            }
            m_state = State::Complete;
            return done(Result::Complete);
        }
        case State::ChunkSize: {
            if (!takeLine(data, pos, kMaxChunkLine, 400, "chunk size line", &failed))
                return done(failed ? Result::Error : Result::NeedMore);
            if (!parseChunkSize(std::exchange(m_line, {})))
                return done(Result::Error);
            m_state = m_remaining > 0 ? State::ChunkData : State::Trailers;
            break;
        }
        case State::ChunkDataEnd: {
            if (!takeLine(data, pos, 2, 400, "end of chunk data", &failed)) {
                if (failed)
                    m_errorMessage = "chunk data longer than its chunk size";
                return done(failed ? Result::Error : Result::NeedMore);
            }
            if (!std::exchange(m_line, {}).isEmpty())
                return done(fail(400, "chunk data longer than its chunk size"));
            m_state = State::ChunkSize;
            break;
        }
        case State::Complete:
            return done(Result::Complete);
        case State::Failed:
            return done(Result::Error);
        }
    }
    return done(Result::NeedMore);
}

bool DemoRequestParser::parseRequestLine(const QByteArray &line)
{
    const QList<QByteArray> parts = line.split(' ');
    if (parts.size() != 3 || parts.at(0).isEmpty() || parts.at(1).isEmpty() ||
        parts.at(2).isEmpty()) {
        fail(400, "malformed request line \"" + printable(line) +
                      "\": expected METHOD SP TARGET SP HTTP-VERSION, single spaces");
        return false;
    }
    const QByteArray &method = parts.at(0);
    const QByteArray &target = parts.at(1);
    const QByteArray &version = parts.at(2);
    if (!isToken(method)) {
        fail(400, "invalid character in method \"" + printable(method) + "\"");
        return false;
    }
    for (char c : target) {
        if (uchar(c) <= 0x20 || uchar(c) == 0x7f) {
            fail(400, "invalid character in request target \"" + printable(target) + "\"");
            return false;
        }
    }
    if (version.size() != 8 || !version.startsWith("HTTP/") || version.at(6) != '.' ||
        !isDigits(version.sliced(5, 1)) || !isDigits(version.sliced(7, 1))) {
        fail(400, "malformed HTTP version \"" + printable(version) + "\"");
        return false;
    }
    if (version.at(5) != '1') {
        fail(505, version + " is not an HTTP/1.x request line" +
                      (version.at(5) == '2'
                           ? ": HTTP/2 starts with the connection preface (prior knowledge) "
                             "at the start of a connection, or is chosen by ALPN h2"
                           : ""));
        return false;
    }
    m_request.method = method;
    m_request.target = target;
    // A later minor version is answered as HTTP/1.1 (RFC 9110 §2.5).
    m_request.version = version.at(7) == '0' ? QByteArrayLiteral("HTTP/1.0") : "HTTP/1.1";

    if (target.startsWith('/')) {
        qsizetype end = target.indexOf('?');
        m_request.path = end < 0 ? target : target.left(end);
    } else if (target == "*") {
        if (method != "OPTIONS") {
            fail(400, "the asterisk-form target \"*\" is only for OPTIONS");
            return false;
        }
        m_request.path = target;
    } else if (target.startsWith("http://") || target.startsWith("https://")) {
        const qsizetype authorityStart = target.indexOf("//") + 2;
        qsizetype pathStart = target.indexOf('/', authorityStart);
        const qsizetype query = target.indexOf('?', authorityStart);
        if (pathStart < 0 || (query >= 0 && query < pathStart))
            pathStart = query < 0 ? target.size() : query;
        m_request.authority = target.sliced(authorityStart, pathStart - authorityStart);
        QByteArray rest = target.sliced(pathStart);
        const qsizetype q = rest.indexOf('?');
        m_request.path = q < 0 ? rest : rest.left(q);
        if (m_request.path.isEmpty())
            m_request.path = "/";
    } else if (method == "CONNECT") {
        m_request.authority = target; // authority-form; the routes refuse CONNECT anyway
    } else {
        fail(400, "request target \"" + printable(target) +
                      "\" is neither an absolute path (/...), an absolute URL nor \"*\"");
        return false;
    }
    return true;
}

bool DemoRequestParser::parseHeaderLine(const QByteArray &line, bool trailer)
{
    const char *section = trailer ? "trailer" : "header";
    if (line.startsWith(' ') || line.startsWith('\t')) {
        fail(400, QByteArray("obsolete line folding (a ") + section +
                      " line starting with whitespace) is not accepted");
        return false;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon < 0) {
        fail(400, QByteArray(section) + " line without a colon: \"" + printable(line) + "\"");
        return false;
    }
    const QByteArray name = line.left(colon);
    if (name.endsWith(' ') || name.endsWith('\t')) {
        fail(400, "whitespace between " + QByteArray(section) + " field name \"" +
                      printable(name.trimmed()) + "\" and the colon");
        return false;
    }
    if (!isToken(name)) {
        fail(400, "invalid " + QByteArray(section) + " field name \"" + printable(name) + "\"");
        return false;
    }
    const QByteArray value = line.mid(colon + 1).trimmed();
    for (char c : value) {
        const auto u = uchar(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f) {
            fail(400, "invalid character 0x" + QByteArray::number(u, 16).rightJustified(2, '0') +
                          " in the value of " + section + " field " + name);
            return false;
        }
    }
    if (trailer)
        return true; // trailers are read and dropped
    if (m_request.headers.size() >= maxHeaderCount) {
        fail(431, "more than " + QByteArray::number(maxHeaderCount) + " header fields");
        return false;
    }
    m_request.headers.append(HttpHeader{name, value});
    return true;
}

bool DemoRequestParser::finishHead()
{
    const HeaderList &headers = m_request.headers;
    const bool http10 = m_request.version == "HTTP/1.0";

    const QList<QByteArray> hosts = headerValues(headers, "Host");
    if (hosts.size() > 1) {
        fail(400, QByteArray::number(hosts.size()) + " Host header fields: exactly one is allowed");
        return false;
    }
    if (hosts.isEmpty() && !http10) {
        fail(400, "missing Host header field (required in HTTP/1.1)");
        return false;
    }
    if (m_request.authority.isEmpty())
        m_request.authority = hosts.value(0);

    const QList<QByteArray> lengths = headerTokens(headers, "Content-Length");
    const QList<QByteArray> codings = headerTokens(headers, "Transfer-Encoding");
    const bool hasTransferEncoding = hasHeader(headers, "Transfer-Encoding");
    if (hasTransferEncoding) {
        // RFC 9112 §6.1 / §6.3: each of these is a framing the server must not guess at.
        if (!lengths.isEmpty() || hasHeader(headers, "Content-Length")) {
            fail(400, "both Content-Length and Transfer-Encoding: ambiguous framing");
            return false;
        }
        if (http10) {
            fail(400, "Transfer-Encoding in an HTTP/1.0 request");
            return false;
        }
        for (const QByteArray &c : codings) {
            if (c.compare("chunked", Qt::CaseInsensitive) != 0) {
                fail(501, "transfer coding \"" + printable(c) + "\" is not implemented");
                return false;
            }
        }
        if (codings.size() != 1) {
            fail(400, codings.isEmpty() ? QByteArray("empty Transfer-Encoding")
                                        : QByteArray("chunked applied more than once"));
            return false;
        }
        m_chunked = true;
    } else if (!lengths.isEmpty() || hasHeader(headers, "Content-Length")) {
        QByteArray first;
        for (const QByteArray &l : lengths) {
            if (!isDigits(l) || l.size() > kMaxContentLengthDigits) {
                fail(400, "invalid Content-Length \"" + printable(l) + "\"");
                return false;
            }
            if (!first.isEmpty() && l.toLongLong() != first.toLongLong()) {
                fail(400, "conflicting Content-Length values " + first + " and " + l);
                return false;
            }
            first = l;
        }
        if (first.isEmpty()) {
            fail(400, "empty Content-Length");
            return false;
        }
        m_contentLength = first.toLongLong();
    }

    if (headerHasToken(headers, "Connection", "close"))
        m_keepAlive = false;
    else if (http10)
        m_keepAlive = headerHasToken(headers, "Connection", "keep-alive");
    return true;
}

bool DemoRequestParser::parseChunkSize(const QByteArray &line)
{
    qsizetype i = 0;
    qint64 size = 0;
    while (i < line.size() && hexValue(line.at(i)) >= 0) {
        if (i >= kMaxChunkDigits) {
            fail(400, "chunk size with more than " + QByteArray::number(kMaxChunkDigits) +
                          " hex digits");
            return false;
        }
        size = size * 16 + hexValue(line.at(i));
        ++i;
    }
    if (i == 0) {
        fail(400, "invalid chunk size line \"" + printable(line) + "\"");
        return false;
    }
    while (i < line.size() && (line.at(i) == ' ' || line.at(i) == '\t'))
        ++i;
    if (i < line.size() && line.at(i) != ';') {
        fail(400, "invalid chunk size line \"" + printable(line) + "\"");
        return false;
    }
    if (size < 0) {
        fail(400, "chunk size out of range");
        return false;
    }
    m_remaining = size;
    return true;
}

} // namespace hopscope
