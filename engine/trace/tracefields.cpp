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
    w.beginMap(key)
        .millis(Field::Dns, t.dnsStart, t.dnsEnd)
        .millis(Field::Connect, t.connectStart, t.connectEnd)
        .millis(Field::Tls, t.tlsStart, t.tlsEnd)
        .millis(Field::Send, t.sendStart, t.sendEnd)
        .millis(Field::Wait, t.sendEnd, t.firstByte)
        .millis(Field::Receive, t.firstByte, t.end)
        .millis(Field::Total, t.start, t.end)
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
