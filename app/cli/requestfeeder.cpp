#include "requestfeeder.h"

#include "harrecorder.h"

#include "client.h"
#include "cookiejar.h"
#include "core/exchange.h"
#include "responsesink.h"

#include <QDateTime>

namespace hopscope {

RequestFeeder::RequestFeeder(Client *client, const CliOptions &options, const CookieJar *cookies,
                             QObject *parent)
    : QObject(parent), m_client(client), m_options(options), m_cookies(cookies)
{
    connect(m_client, &Client::exchangeFinished, this, &RequestFeeder::onFinished);
}

void RequestFeeder::start()
{
    const qsizetype first = m_options.parallel ? kParallelWindow : 1;
    while (m_next < first && m_next < m_options.requestCount())
        enqueueNext();
}

void RequestFeeder::enqueueRest()
{
    while (m_next < m_options.requestCount())
        enqueueNext();
}

void RequestFeeder::enqueueNext()
{
    const qsizetype n = m_next++;
    std::unique_ptr<BodySink> output;
    if (n < m_options.outputs.size())
        output = std::make_unique<FileSink>(m_options.outputs.at(n));
    else if (m_options.traceJson != u"-") // stdout carries the bodies unless it has the trace
        output = std::make_unique<FileSink>(QStringLiteral("-"));
    std::unique_ptr<BodySink> sink = std::make_unique<ResponseSink>(
        std::move(output), m_options.includeHead, m_options.failOnHttpError);
    RequestSpec spec = m_options.request(n);
    if (m_cookies || !m_options.cookieLiteral.isEmpty()) {
        // -b data first, then what the cookie engine holds for this URL; -H Cookie replaces both.
        QByteArray cookie = m_options.cookieLiteral;
        if (m_cookies) {
            const QByteArray held =
                m_cookies->cookieHeader(spec.url, QDateTime::currentSecsSinceEpoch());
            if (!held.isEmpty())
                cookie += (cookie.isEmpty() ? "" : "; ") + held;
        }
        if (!cookie.isEmpty() && !hasHeader(spec.headers, "Cookie"))
            spec.headers.append(HttpHeader{"Cookie", cookie});
    }
    // The HAR keeps what the response sink is handed: the body as -o writes it.
    std::shared_ptr<KeptBody> kept;
    if (m_har)
        sink = m_har->wrapSink(std::move(sink), spec, &kept);
    const quint32 req = m_client->enqueue(std::move(spec), std::move(sink));
    if (m_har)
        m_har->keepBody(req, std::move(kept));
}

// Enqueued within the finished request's signal, the next one is started by the same dispatch
// pass that would have started it had it waited in the client all along.
void RequestFeeder::onFinished(Exchange *exchange)
{
    if (exchange->nextHop)
        return; // a followed redirect: the user's request goes on as the next hop
    if (m_next < m_options.requestCount())
        enqueueNext();
}

} // namespace hopscope
