#include "harrecorder.h"

#include "client.h"
#include "core/exchange.h"
#include "trace/tracestore.h"

#include <QFile>

namespace hopscope {

HarRecorder::HarRecorder(TraceStore *trace, Client *client, QString path, bool keepSecrets,
                         QObject *parent)
    : QObject(parent), m_trace(trace), m_path(std::move(path)), m_keepSecrets(keepSecrets)
{
    connect(trace, &TraceStore::eventsAppended, this,
            [this](const TraceBatch &batch) { m_collector.add(batch); });
    connect(client, &Client::exchangeFinished, this, &HarRecorder::onFinished);
}

std::unique_ptr<BodySink> HarRecorder::wrapSink(std::unique_ptr<BodySink> next,
                                                const RequestSpec &spec,
                                                std::shared_ptr<KeptBody> *kept)
{
    *kept = std::make_shared<KeptBody>();
    return std::make_unique<TeeSink>(std::move(next), *kept, spec.limits.maxHarBodyBytes);
}

void HarRecorder::keepBody(quint32 req, std::shared_ptr<KeptBody> kept)
{
    m_kept.insert(req, std::move(kept));
}

void HarRecorder::onFinished(Exchange *ex)
{
    const qsizetype limit = qMax<qsizetype>(ex->spec().limits.maxHarBodyBytes, 0);
    HarBody body;
    body.limit = limit;
    std::shared_ptr<KeptBody> kept = m_kept.take(ex->id());
    if (kept && ex->nextHop) {
        // A followed redirect: its body went nowhere, the sink (and the copy) moved on to the
        // next hop; this entry shows the redirect's own body from the exchange's preview.
        m_kept.insert(ex->nextHop, std::move(kept));
    }
    if (kept) {
        body.response = kept->bytes;
        body.responseSize = kept->total;
        body.responseTruncated = kept->truncated();
    } else if (!ex->spec().decodeContent) {
        // A request the CLI did not feed itself (the demo tour): the exchange's own preview of
        // the wire body, which is the body when nothing was decoded.
        body.response = ex->bodyPreview.left(limit);
        body.responseSize = ex->wireBodyBytes();
        body.responseTruncated = body.responseSize > body.response.size();
    }
    const RequestSpec &spec = ex->spec();
    if (!spec.bodyFile.isEmpty()) {
        QFile file(spec.bodyFile);
        if (file.open(QIODevice::ReadOnly)) {
            body.request = file.read(limit);
            body.requestSize = file.size();
        }
    } else {
        body.request = spec.body.left(limit);
        body.requestSize = spec.body.size();
    }
    body.requestTruncated = body.requestSize > body.request.size();
    m_bodies.insert(ex->id(), body);
}

bool HarRecorder::write(QString *error) const
{
    HarOptions options;
    options.traceStart = m_trace->wallClockStart();
    options.redactSecrets = !m_keepSecrets;
    options.bodies = [this](quint32 req, HarBody *body) {
        const auto it = m_bodies.constFind(req);
        if (it == m_bodies.cend())
            return false;
        *body = *it;
        return true;
    };
    return HarWriter(m_collector, std::move(options)).writeFile(m_path, error);
}

} // namespace hopscope
