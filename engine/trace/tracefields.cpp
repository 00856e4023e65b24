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

void writeTimings(FieldWriter &w, Field key, const ExchangeTimings &t)
{
    using T = ExchangeTimings;
    w.beginMap(key)
        .real(Field::Dns, T::ms(t.dnsStart, t.dnsEnd))
        .real(Field::Connect, T::ms(t.connectStart, t.connectEnd))
        .real(Field::Tls, T::ms(t.tlsStart, t.tlsEnd))
        .real(Field::Send, T::ms(t.sendStart, t.sendEnd))
        .real(Field::Wait, T::ms(t.sendEnd, t.firstByte))
        .real(Field::Receive, T::ms(t.firstByte, t.end))
        .real(Field::Total, T::ms(t.start, t.end))
        .end();
}

void recordResponseComplete(TraceStore *trace, EventScope scope, const Exchange &ex)
{
    FieldWriter w = trace->record(EventType::ResponseComplete, scope);
    w.integer(Field::Status, ex.status)
        .integer(Field::Bytes, ex.wireBodyBytes())
        .atom(Field::Protocol, ex.protocol);
    if (ex.spec().decodeContent)
        w.integer(Field::DecodedBytes, ex.decodedBodyBytes());
    writeTimings(w, Field::Timings, ex.timings);
}

} // namespace hopscope
