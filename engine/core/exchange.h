#pragma once

#include "core/bodysink.h"
#include "core/contentdecoder.h"
#include "core/httpheader.h"
#include "core/requestspec.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <memory>

namespace hopscope {

// Timestamps in ns on the trace clock; -1 = did not happen (e.g. no DNS on a reused connection).
// The phases of opening a connection, on the trace clock, as the Connection measured them (its
// own record, like nghttp's per-connection stats): -1 for a phase that did not happen.
struct ConnectionTimings
{
    qint64 dnsStart = -1, dnsEnd = -1;
    qint64 connectStart = -1, connectEnd = -1;
    qint64 tlsStart = -1, tlsEnd = -1;
};

struct ExchangeTimings
{
    qint64 start = -1;
    qint64 dnsStart = -1, dnsEnd = -1;
    qint64 connectStart = -1, connectEnd = -1;
    qint64 tlsStart = -1, tlsEnd = -1;
    qint64 sendStart = -1, sendEnd = -1;
    qint64 firstByte = -1;
    qint64 end = -1;

    static double ms(qint64 from, qint64 to)
    {
        return from < 0 || to < 0 ? -1.0 : double(to - from) / 1e6;
    }

    // The phases of opening a connection (DNS, connect, TLS), as that connection measured them:
    // they belong to the request that opened it.
    void setConnectionPhases(const ConnectionTimings &connection)
    {
        dnsStart = connection.dnsStart;
        dnsEnd = connection.dnsEnd;
        connectStart = connection.connectStart;
        connectEnd = connection.connectEnd;
        tlsStart = connection.tlsStart;
        tlsEnd = connection.tlsEnd;
    }
};

// Where an exchange stands in a chain of redirects (-L): the user's request is hop 0, each
// followed `Location` a new exchange with its own id and hop + 1.
struct RedirectChain
{
    quint32 firstId = 0;      // the user's request (the chain's first exchange); 0: this one
    int hop = 0;              // redirects followed before this exchange
    QUrl firstUrl;            // the user's URL: Authorization and Cookie stay with its origin
    qint64 firstStartNs = -1; // when the user's request started (trace clock)
    HeaderList headers;       // the user's headers, filtered again for each hop
};

// One request and its response: ids, timings, the response head, and the body on its way to the
// sink. Owned by the Client; drivers fill it in.
class Exchange
{
public:
    enum class State { Queued, Connecting, Sending, Waiting, Receiving, Complete, Failed };

    Exchange(quint32 id, RequestSpec spec, std::unique_ptr<BodySink> sink);

    quint32 id() const { return m_id; }
    const RequestSpec &spec() const { return m_spec; }
    // The pool adjusts the spec before dispatch (e.g. ALPN h2 only when following an
    // `Upgrade: h2` advertisement); nothing else should.
    RequestSpec &dispatchSpec() { return m_spec; }
    State state() const { return m_state; }
    void setState(State s) { m_state = s; }
    bool isFinished() const { return m_state == State::Complete || m_state == State::Failed; }

    quint32 connectionId = 0;
    qint32 stream = -1;
    QString remoteAddress; // the address of the connection it was sent on (curl's remote_ip)
    QByteArray protocol;   // "http/1.1", "h2", or the upgrade token of a session (e.g. "websocket")
    ExchangeTimings timings;

    int status = 0;
    QByteArray reason;
    QByteArray version;
    HeaderList responseHeaders;
    HeaderList trailers;
    QByteArray bodyPreview; // first Limits::maxBodyInMemory wire bytes of the body

    RedirectChain chain;
    quint32 firstId() const { return chain.firstId ? chain.firstId : m_id; }
    // The response is a redirect the spec follows (-L, a followed status with a Location): its
    // head goes to the sink (curl -i prints every hop's), its body does not, and the sink
    // moves on to the next hop (takeSink), so only the final response's body is written.
    bool isRedirecting() const { return m_redirecting; }
    std::unique_ptr<BodySink> takeSink();
    // Set by the client: the exchange the redirect led to (0: none, this one is final).
    quint32 nextHop = 0;
    // The resolved Location of a redirect response (curl's %{redirect_url}), followed or not.
    QUrl redirectUrl;

    // The final response's head is in: sets up content decoding for its Content-Encoding when
    // the spec asks for it and tells the sink (BodySink::begin). false (with error set) for an
    // unsupported coding or a sink that refused.
    bool prepareBody();
    // Wire body bytes in: preview, decode, sink. false on a decode or sink error (see error()).
    bool deliverBody(QByteArrayView wire);
    // End of body: flushes the decoder and the sink.
    bool finishBody();
    qint64 wireBodyBytes() const { return m_wireBytes; }
    BodySink *sink() const { return m_sink.get(); }
    qint64 decodedBodyBytes() const { return m_decodedBytes; }

    void fail(QByteArray code, QString message);
    // A complete response whose redirect cannot be followed (--max-redirs, a bad Location):
    // the request as a whole failed.
    void failAfterResponse(QByteArray code, QString message);
    // Before a retry: the next attempt starts from a clean slate, except for when the user's
    // request started (the total time includes every attempt).
    void startOver();
    QString error() const { return m_error; }
    QByteArray errorCode() const { return m_errorCode; }

private:
    bool toSink(QByteArrayView data);

    quint32 m_id;
    RequestSpec m_spec;
    std::unique_ptr<BodySink> m_sink;
    std::unique_ptr<ContentDecoder> m_decoder;
    QByteArray m_decoded; // reused buffer for decoder output
    State m_state = State::Queued;
    bool m_redirecting = false;
    qint64 m_wireBytes = 0;
    qint64 m_decodedBytes = 0;
    QString m_error;
    QByteArray m_errorCode;
};

} // namespace hopscope
