#include "session/sessionhar.h"

#include "har/harcollector.h"
#include "har/harwriter.h"
#include "session/sessionstore.h"

namespace hopscope {

namespace {

HarOptions harOptions(const SessionStore &store, const SessionHarOptions &options)
{
    HarOptions o;
    o.traceStart = store.traceStart();
    o.only = options.only;
    o.redactSecrets = !options.includeSecrets;
    o.bodies = [&store](quint32 req, HarBody *body) {
        const std::optional<ExchangeBody> kept = store.body(req);
        if (!kept)
            return false;
        body->response = kept->decoded;
        body->responseTruncated = kept->decodedTruncated;
        body->request = kept->requestBody;
        body->limitName = QStringLiteral("maxBodyInMemory");
        return true;
    };
    return o;
}

} // namespace

QJsonObject sessionHar(const SessionStore &store, const SessionHarOptions &options)
{
    HarCollector collector;
    collector.add(store.events());
    return HarWriter(collector, harOptions(store, options)).document();
}

bool writeSessionHar(const SessionStore &store, const QString &path,
                     const SessionHarOptions &options, QString *error, int *entries)
{
    HarCollector collector;
    collector.add(store.events());
    const HarWriter writer(collector, harOptions(store, options));
    if (entries)
        *entries = writer.entryCount();
    return writer.writeFile(path, error);
}

QSet<quint32> selectionRequests(const SessionStore &store, quint32 req, quint32 connection)
{
    if (req != 0)
        return {req};
    QSet<quint32> out;
    if (const ConnectionInfo *c = store.connection(connection)) {
        for (const quint32 r : c->exchanges)
            out.insert(r);
    }
    return out;
}

} // namespace hopscope
