#pragma once

#include "demorequest.h"

#include <QByteArray>
#include <QByteArrayView>

namespace hopscope {

// Incremental HTTP/1.1 request parser for the demo server: the head (request line and header
// fields), then a Content-Length or chunked body, which is counted and dropped. Strict where
// the client engine is lenient, because a server has to refuse ambiguity: every error names
// the status to answer with (400, 414, 431, 501, 505) and a precise message for the body.
class DemoRequestParser
{
public:
    enum class Result {
        NeedMore,     // all input consumed, the message is not complete yet
        HeadComplete, // the head ended (request() holds it; a body may follow)
        Complete,     // the whole message ended; bytes after *consumed are the next message
        Error         // errorStatus() and errorMessage() say what to answer
    };

    static constexpr qsizetype maxRequestLine = 8 * 1024;
    static constexpr qsizetype maxHeaderBytes = 64 * 1024;
    static constexpr int maxHeaderCount = 100;

    explicit DemoRequestParser(bool tls) : m_tls(tls) {}
    // Copied into every request (for /alt-svc); 0 when HTTP/3 is not running.
    void setH3Port(quint16 port) { m_h3Port = port; }

    // Forgets the previous message; call before each request on a kept-alive connection.
    void reset();
    // Consumes a prefix of data. Returns at the end of the head and at the end of the message,
    // so the caller can react between them (100-continue) and stop at the message boundary.
    Result feed(QByteArrayView data, qsizetype *consumed);

    const DemoRequest &request() const { return m_request; }
    DemoRequest &request() { return m_request; }
    bool hasBody() const { return m_chunked || m_contentLength > 0; }
    // HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    bool keepAlive() const { return m_keepAlive; }
    // Whether nothing of the current message has arrived yet (only empty lines, if anything).
    bool idle() const { return m_state == State::RequestLine && m_line.isEmpty(); }
    int errorStatus() const { return m_errorStatus; }
    QByteArray errorMessage() const { return m_errorMessage; }

private:
    enum class State : quint8 {
        RequestLine,
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        Complete,
        Failed
    };

    Result fail(int status, const QByteArray &message);
    // Appends bytes up to and including LF to m_line; true once a line is complete.
    bool takeLine(QByteArrayView data, qsizetype &pos, qsizetype limit, int status,
                  const QByteArray &what, bool *failed);
    bool parseRequestLine(const QByteArray &line);
    bool parseHeaderLine(const QByteArray &line, bool trailer);
    bool finishHead();
    bool parseChunkSize(const QByteArray &line);

    bool m_tls;
    quint16 m_h3Port = 0;
    State m_state = State::RequestLine;
    DemoRequest m_request;
    QByteArray m_line;
    qsizetype m_headerBytes = 0;
    qint64 m_contentLength = 0;
    qint64 m_remaining = 0;
    bool m_chunked = false;
    bool m_keepAlive = true;
    int m_errorStatus = 0;
    QByteArray m_errorMessage;
};

} // namespace hopscope
