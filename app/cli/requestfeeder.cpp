#include "requestfeeder.h"

#include "harrecorder.h"

#include "client.h"
#include "core/exchange.h"

namespace hopscope {

RequestFeeder::RequestFeeder(Client *client, const CliOptions &options, QObject *parent)
    : QObject(parent), m_client(client), m_options(options)
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
    std::unique_ptr<BodySink> sink;
    if (n < m_options.outputs.size())
        sink = std::make_unique<FileSink>(m_options.outputs.at(n));
    else if (m_options.traceJson != u"-") // stdout carries the bodies unless it has the trace
        sink = std::make_unique<FileSink>(QStringLiteral("-"));
    std::shared_ptr<KeptBody> kept;
    if (m_har)
        sink = m_har->wrapSink(std::move(sink), m_options.request(n), &kept);
    const quint32 req = m_client->enqueue(m_options.request(n), std::move(sink));
    if (m_har)
        m_har->keepBody(req, std::move(kept));
}

// Enqueued within the finished request's signal, the next one is started by the same dispatch
// pass that would have started it had it waited in the client all along.
void RequestFeeder::onFinished(Exchange *)
{
    if (m_next < m_options.requestCount())
        enqueueNext();
}

} // namespace hopscope
