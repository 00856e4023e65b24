#include "net/protocoldriver.h"

#include "core/exchange.h"
#include "net/connection.h"

namespace hopscope {

EventScope ProtocolDriver::exchangeScope(const Exchange *exchange) const
{
    return {m_conn->id(), exchange->id(), exchange->stream};
}

void ProtocolDriver::failExchange(Exchange *exchange, const QByteArray &code,
                                  const QString &message, bool retryable, ErrorEvent event)
{
    markExchangeFailed(m_conn->trace(), exchangeScope(exchange), exchange, code, message, event);
    emit finished(exchange, retryable);
}

void ProtocolDriver::completeExchange(Exchange *exchange)
{
    markExchangeComplete(m_conn->trace(), exchangeScope(exchange), exchange);
    emit finished(exchange, false);
}

} // namespace hopscope
