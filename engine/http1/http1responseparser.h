#pragma once

#include "core/httpheader.h"
#include "core/limits.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace hopscope {

// A response head exactly as received.
struct ResponseHead
{
    QByteArray version; // e.g. "HTTP/1.1"
    int status = 0;
    QByteArray reason;
    HeaderList headers; // wire order and case; obs-fold continuations joined with one space
    QByteArray raw;     // every byte of the head, status line to the blank line inclusive
};

// Incremental HTTP/1.1 response parser, written for an inspector:
// - resumable at any byte boundary (feeding a response one byte at a time gives exactly the same
//   callbacks as feeding it whole, apart from how body data is sliced);
// - body data is handed out as views into the caller's buffer, never copied;
// - lenient where real servers are commonly sloppy (bare LF line ends, obs-fold, missing reason
//   phrase, whitespace before the colon is NOT accepted), each leniency reported as a violation;
// - strict where ambiguity is dangerous (conflicting Content-Length, Content-Length together with
//   Transfer-Encoding, an invalid chunk size): those are errors.
class Http1ResponseParser
{
public:
    enum class Framing { None, ContentLength, Chunked, CloseDelimited };

    class Listener
    {
    public:
        virtual ~Listener() = default;
        // Every head, including interim 1xx ones (100 Continue, 103 ...) and 101.
        virtual void onResponseHead(const ResponseHead &head) = 0;
        // Message body bytes with any chunk framing removed. The view is only valid during the
        // call.
        virtual void onBodyData(QByteArrayView data) = 0;
        // Trailer fields of a chunked body (only called when there are some).
        virtual void onTrailers(const HeaderList &trailers) = 0;
        virtual void onMessageComplete() = 0;
        // Something the parser tolerated. code is a short stable id (e.g. "bare-lf").
        virtual void onViolation(const QByteArray &code, const QString &message) = 0;
    };

    enum class Result {
        NeedMore,        // everything offered was consumed; feed more
        MessageComplete, // a final response ended; *consumed says where
        Upgrade,         // a 101 head ended; the bytes after *consumed belong to the new protocol
        Error            // see errorString(); the parser stays in the error state
    };

    Http1ResponseParser(const Limits &limits, Listener *listener);

    // Prepares for the response to a request with this method (HEAD: no body, CONNECT: 2xx has
    // no body). Must be called before the first feed() of every response.
    void startResponse(QByteArrayView requestMethod);

    // Parses as much of data as belongs to the current response. Stops right after the end of a
    // final response or a 101 head; *consumed then tells how many bytes of data were used.
    Result feed(QByteArrayView data, qsizetype *consumed);

    // The peer closed the connection. Completes a close-delimited body (MessageComplete),
    // otherwise reports what was cut short (Error), e.g.
    // "connection closed mid-body: received 10 of 100 bytes".
    Result finish();

    QString errorString() const { return m_error; }
    // Short stable id of the error: "status-line", "header-syntax", "limit:maxHeaderBytes",
    // "content-length-conflict", "content-length-with-chunked", "chunk-size", "truncated-head",
    // "truncated-body", ...
    QByteArray errorCode() const { return m_errorCode; }

    bool inHead() const;         // no complete final head yet
    bool messageStarted() const; // at least one byte of the current response was seen
    Framing framing() const { return m_framing; }
    qint64 contentLength() const { return m_contentLength; } // -1 when not given
    qint64 bodyBytes() const { return m_bodyBytes; }         // body bytes delivered so far
    // Whether the connection may carry another request after this response (HTTP version and
    // the Connection header; a close-delimited body never allows it).
    bool keepAlive() const { return m_keepAlive; }
    // Bytes of the current head or trailer section held inside the parser. Never more than
    // Limits::maxHeaderBytes: oversized input fails instead of being buffered.
    qsizetype bufferedBytes() const { return m_buf.size(); }

private:
    enum class State : quint8 {
        StatusLine,   // status line, or empty lines before it
        Headers,      // header field lines up to the blank line
        Body,         // Content-Length or close-delimited body
        ChunkSize,    // chunk-size [chunk-ext] CRLF
        ChunkData,    // m_remaining bytes of chunk data
        ChunkDataEnd, // the CRLF after chunk data
        Trailers,     // trailer field lines up to the blank line
        Done,
        Upgraded,
        Failed
    };
    enum class ChunkLine : quint8 { Digits, Extension, LineFeed, Invalid };
    enum class LineRead : quint8 { Partial, Complete, Failed };

    Result fail(const QByteArray &code, const QString &message);
    void violation(const QByteArray &code, const QString &message);
    void noteBareLf();
    void resetHead(bool newMessage);
    Result run(QByteArrayView data, qsizetype &pos);
    LineRead readLine(QByteArrayView data, qsizetype &pos);
    bool handleStatusLine(QByteArrayView content);
    bool handleFieldLine(QByteArrayView content, HeaderList &fields);
    Result finishHead();
    bool decideFraming(const ResponseHead &head);
    bool parseChunkSize(QByteArrayView data, qsizetype &pos, bool *lineDone);
    void deliver(const char *data, qsizetype size);
    Result complete();

    Limits m_limits;
    Listener *m_listener;
    QByteArray m_method;
    Framing m_framing = Framing::None;
    qint64 m_contentLength = -1;
    qint64 m_bodyBytes = 0;
    bool m_keepAlive = true;
    QString m_error;
    QByteArray m_errorCode;

    State m_state = State::StatusLine;
    // The head (or trailer section) being read, as received; bounded by maxHeaderBytes.
    QByteArray m_buf;
    qsizetype m_lineStart = 0;    // offset in m_buf of the line being read
    qsizetype m_skippedBytes = 0; // empty lines before the status line: not in raw, still counted
    qint64 m_headBytesSeen = 0;   // all head bytes of this response, interim heads included
    qint64 m_interimBytes = 0;    // bytes of this response's completed interim heads
    int m_interimCount = 0;       // ... and how many there were
    QByteArray m_version;
    int m_status = 0;
    QByteArray m_reason;
    HeaderList m_fields; // headers, then trailers
    bool m_started = false;
    bool m_finalHead = false;
    bool m_bareLfReported = false;
    bool m_obsFoldReported = false;
    bool m_leadingReported = false;
    qint64 m_remaining = 0; // of the Content-Length body or of the current chunk
    ChunkLine m_chunkLine = ChunkLine::Digits;
    int m_chunkDigits = 0;
    qint64 m_chunkSize = 0;
    qsizetype m_chunkLineBytes = 0;
    bool m_chunkPrevCr = false;
    QByteArray m_chunkQuote; // start of the chunk-size line, for error messages

public:
    ~Http1ResponseParser();
    Http1ResponseParser(const Http1ResponseParser &) = delete;
    Http1ResponseParser &operator=(const Http1ResponseParser &) = delete;
};

} // namespace hopscope
