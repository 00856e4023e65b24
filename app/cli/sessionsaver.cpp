#include "sessionsaver.h"

#include "client.h"
#include "core/exchange.h"
#include "trace/tracestore.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace hopscope {

SessionSaver::SessionSaver(TraceStore *trace, Client *client, QString path, QObject *parent)
    : QObject(parent), m_trace(trace), m_file(path), m_writer(&m_file)
{
    connect(trace, &TraceStore::eventsAppended, this,
            [this](const TraceBatch &batch) { m_writer.writeEvents(batch); });
    connect(client, &Client::exchangeFinished, this, &SessionSaver::onFinished);
}

bool SessionSaver::open(QString *error)
{
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        *error = QStringLiteral("cannot write the session %1: %2")
                     .arg(m_file.fileName(), m_file.errorString());
        return false;
    }
    const QJsonObject meta{
        {QStringLiteral("producer"),
         QStringLiteral("hopscope-cli %1").arg(QCoreApplication::applicationVersion())},
        {QStringLiteral("arguments"),
         QJsonArray::fromStringList(QCoreApplication::arguments().mid(1))},
    };
    if (!m_writer.begin(m_trace->wallClockStart(), meta)) {
        *error = QStringLiteral("cannot write the session %1: %2")
                     .arg(m_file.fileName(), m_writer.errorString());
        return false;
    }
    return true;
}

void SessionSaver::onFinished(Exchange *ex)
{
    const ExchangeBody body = bodyOfExchange(*ex);
    if (!body.wire.isEmpty() || !body.requestBody.isEmpty())
        m_writer.writeBody(body);
}

bool SessionSaver::finish(QString *error)
{
    if (!m_writer.finish() || !m_file.flush()) {
        *error =
            QStringLiteral("cannot write the session %1: %2")
                .arg(m_file.fileName(), m_writer.errorString().isEmpty() ? m_file.errorString()
                                                                         : m_writer.errorString());
        return false;
    }
    m_file.close();
    return true;
}

} // namespace hopscope
