#include "trace/tracefields.h"

#include <QStringDecoder>

#include "core/exchange.h"
#include "trace/tracestore.h"

namespace hopscope {

QString wireText(const QByteArray &bytes)
{
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString s = utf8(bytes);
    if (utf8.hasError())
        return QString::fromLatin1(bytes);
    return s;
}

QCborArray headersToCbor(const HeaderList &headers)
{
    QCborArray arr;
    for (const HttpHeader &h : headers)
        arr.append(QCborArray{wireText(h.name), wireText(h.value)});
    return arr;
}

QCborMap timingsToCbor(const ExchangeTimings &t)
{
    using T = ExchangeTimings;
    return QCborMap{{QStringLiteral("dns"), T::ms(t.dnsStart, t.dnsEnd)},
                    {QStringLiteral("connect"), T::ms(t.connectStart, t.connectEnd)},
                    {QStringLiteral("tls"), T::ms(t.tlsStart, t.tlsEnd)},
                    {QStringLiteral("send"), T::ms(t.sendStart, t.sendEnd)},
                    {QStringLiteral("wait"), T::ms(t.sendEnd, t.firstByte)},
                    {QStringLiteral("receive"), T::ms(t.firstByte, t.end)},
                    {QStringLiteral("total"), T::ms(t.start, t.end)}};
}

void recordResponseComplete(TraceStore *trace, EventScope scope, const Exchange &ex)
{
    QCborMap fields{{QStringLiteral("status"), ex.status},
                    {QStringLiteral("bytes"), ex.wireBodyBytes()},
                    {QStringLiteral("protocol"), QString::fromLatin1(ex.protocol)}};
    if (ex.spec().decodeContent)
        fields.insert(QStringLiteral("decodedBytes"), ex.decodedBodyBytes());
    fields.insert(QStringLiteral("timings"), timingsToCbor(ex.timings));
    trace->record("response.complete", scope, std::move(fields));
}

} // namespace hopscope
