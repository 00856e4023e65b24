#include "responsesink.h"

#include "core/exchange.h"

namespace hopscope {

ResponseSink::ResponseSink(std::unique_ptr<BodySink> output, bool includeHead, bool failOnHttpError)
    : m_output(output ? std::move(output) : std::make_unique<DiscardSink>()),
      m_includeHead(includeHead), m_failOnHttpError(failOnHttpError)
{
}

QByteArray ResponseSink::headText(const QByteArray &version, int status, const QByteArray &reason,
                                  const HeaderList &headers)
{
    QByteArray text =
        (version.isEmpty() ? QByteArray("HTTP/1.1") : version) + ' ' + QByteArray::number(status);
    if (!reason.isEmpty())
        text += ' ' + reason;
    text += "\r\n";
    for (const HttpHeader &h : headers)
        text += h.name + ": " + h.value + "\r\n";
    text += "\r\n";
    return text;
}

bool ResponseSink::begin(const Exchange &exchange)
{
    // curl -f: a status of 400 or more writes nothing, head included.
    m_discard = m_failOnHttpError && exchange.status >= 400;
    if (m_discard || !m_includeHead)
        return true;
    return m_output->write(
        headText(exchange.version, exchange.status, exchange.reason, exchange.responseHeaders));
}

bool ResponseSink::writeSwitchHead(const Exchange &exchange)
{
    if (!m_includeHead)
        return true;
    return m_output->write(
        headText(exchange.version, exchange.status, exchange.reason, exchange.responseHeaders));
}

bool ResponseSink::write(QByteArrayView data)
{
    return m_discard || m_output->write(data);
}

bool ResponseSink::finish()
{
    return m_discard || m_output->finish();
}

} // namespace hopscope
