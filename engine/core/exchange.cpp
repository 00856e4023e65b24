#include "core/exchange.h"

#include "core/redirectpolicy.h"

namespace hopscope {

Exchange::Exchange(quint32 id, RequestSpec spec, std::unique_ptr<BodySink> sink)
    : m_id(id), m_spec(std::move(spec)), m_sink(std::move(sink))
{
    if (!m_sink)
        m_sink = std::make_unique<DiscardSink>();
}

bool Exchange::prepareBody()
{
    m_decoder.reset();
    m_wireBytes = 0;
    m_decodedBytes = 0;
    bodyPreview.clear();
    const QByteArray location = headerValue(responseHeaders, "Location").trimmed();
    const bool redirect = isFollowedRedirect(status) && !location.isEmpty();
    // curl's %{redirect_url}: where it would go, followed or not (empty when not a URL).
    redirectUrl = redirect ? resolveLocation(m_spec.url, location).url : QUrl();
    m_redirecting = m_spec.redirects.follow && redirect;
    if (m_spec.decodeContent && !m_redirecting) {
        const QList<QByteArray> codings = headerTokens(responseHeaders, "Content-Encoding");
        if (!codings.isEmpty()) {
            QString error;
            m_decoder = ContentDecoder::create(codings, m_spec.limits, &error);
            if (!m_decoder) {
                fail("content-encoding", error);
                return false;
            }
        }
    }
    if (!m_sink->begin(*this)) {
        fail("output", m_sink->errorString());
        return false;
    }
    return true;
}

bool Exchange::deliverBody(QByteArrayView wire)
{
    m_wireBytes += wire.size();
    const qsizetype room = m_spec.limits.maxBodyInMemory - bodyPreview.size();
    if (room > 0)
        bodyPreview.append(wire.first(qMin(room, wire.size())));
    if (m_redirecting)
        return true; // only the final response's body is written (curl -L)
    if (!m_decoder)
        return toSink(wire);
    m_decoded.resize(0);
    if (!m_decoder->decode(wire, &m_decoded)) {
        fail(m_decoder->errorCode(), m_decoder->errorString());
        return false;
    }
    return toSink(m_decoded);
}

bool Exchange::finishBody()
{
    if (m_redirecting)
        return true; // the sink goes on to the next hop
    if (m_decoder) {
        m_decoded.resize(0);
        if (!m_decoder->finish(&m_decoded)) {
            fail(m_decoder->errorCode(), m_decoder->errorString());
            return false;
        }
        if (!toSink(m_decoded))
            return false;
    }
    if (!m_sink->finish()) {
        fail("output", m_sink->errorString());
        return false;
    }
    return true;
}

bool Exchange::toSink(QByteArrayView data)
{
    if (data.isEmpty())
        return true;
    m_decodedBytes += data.size();
    if (!m_sink->write(data)) {
        fail("output", m_sink->errorString());
        return false;
    }
    return true;
}

void Exchange::fail(QByteArray code, QString message)
{
    if (isFinished())
        return;
    m_state = State::Failed;
    m_errorCode = std::move(code);
    m_error = std::move(message);
}

void Exchange::failAfterResponse(QByteArray code, QString message)
{
    m_state = State::Failed;
    m_errorCode = std::move(code);
    m_error = std::move(message);
}

std::unique_ptr<BodySink> Exchange::takeSink()
{
    auto sink = std::move(m_sink);
    m_sink = std::make_unique<DiscardSink>();
    return sink;
}

void Exchange::startOver()
{
    // What the failed attempt measured must not mix with the next one: a request sent again
    // would otherwise keep the old attempt's sendEnd and show a negative send time.
    timings = ExchangeTimings{.start = timings.start};
    m_state = State::Queued;
    stream = -1;
    status = 0;
    m_redirecting = false;
    redirectUrl.clear();
    reason.clear();
    version.clear();
    responseHeaders.clear();
    trailers.clear();
    m_error.clear();
    m_errorCode.clear();
}

} // namespace hopscope
