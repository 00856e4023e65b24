#pragma once

#include "core/bodysink.h"
#include "har/harcollector.h"
#include "har/harwriter.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <memory>

namespace hopscope {

class Client;
class Exchange;
class TraceStore;
struct RequestSpec;

// hopscope-cli --har FILE: gathers the HAR while the run goes on (the CLI keeps no trace, so the
// events are folded in batch by batch) and keeps each exchange's bodies up to
// Limits::maxHarBodyBytes: the response through a TeeSink in front of its -o or stdout sink,
// the request from its spec. Writes the file once the run ended.
class HarRecorder : public QObject
{
    Q_OBJECT
public:
    HarRecorder(TraceStore *trace, Client *client, QString path, bool keepSecrets,
                QObject *parent = nullptr);

    // The sink for a request about to be enqueued: `next`, with a bounded copy kept on the side.
    // Pass the request number Client::enqueue returned to keepBody() right after.
    std::unique_ptr<BodySink> wrapSink(std::unique_ptr<BodySink> next, const RequestSpec &spec,
                                       std::shared_ptr<KeptBody> *kept);
    void keepBody(quint32 req, std::shared_ptr<KeptBody> kept);

    QString path() const { return m_path; }
    bool write(QString *error) const;

private:
    void onFinished(Exchange *exchange);

    TraceStore *m_trace;
    QString m_path;
    bool m_keepSecrets;
    HarCollector m_collector;
    QHash<quint32, std::shared_ptr<KeptBody>> m_kept; // until the exchange finished
    QHash<quint32, HarBody> m_bodies;
};

} // namespace hopscope
