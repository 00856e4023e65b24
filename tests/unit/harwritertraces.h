#pragma once

// Synthetic traces and readers shared by the HAR exporter's suites (tst_harwriter*).

#include "har/harcollector.h"
#include "har/harwriter.h"

#include <QCborArray>
#include <QCborMap>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

namespace hopscope::test {

using namespace Qt::StringLiterals;

inline const QDateTime kAnchor = QDateTime(QDate(2024, 5, 1), QTime(10, 0), Qt::UTC);

inline QCborArray headerPairs(std::initializer_list<std::pair<const char *, const char *>> list)
{
    QCborArray out;
    for (const auto &[name, value] : list)
        out.append(QCborArray{QString::fromLatin1(name), QString::fromLatin1(value)});
    return out;
}

// Builds a trace event by event; times in ms.
class Trace
{
public:
    Trace &add(double ms, EventType type, quint32 conn, quint32 req, QCborMap fields = {},
               Direction dir = Direction::None, qint32 stream = -1)
    {
        TraceRecord head;
        head.seq = ++m_seq;
        head.tNs = qint64(ms * 1e6);
        head.type = type;
        head.scope = {conn, req, stream};
        head.dir = dir;
        m_batch.append(head, fields);
        return *this;
    }
    const TraceBatch &batch() const { return m_batch; }

private:
    TraceBatch m_batch;
    quint64 m_seq = 0;
};

inline QCborMap timingsMap(double dns, double connect, double tls, double send, double wait,
                           double receive, double total)
{
    return QCborMap{{u"dns"_s, dns},    {u"connect"_s, connect}, {u"tls"_s, tls},
                    {u"send"_s, send},  {u"wait"_s, wait},       {u"receive"_s, receive},
                    {u"total"_s, total}};
}

// request 1: GET over HTTP/1.1 with cookies, a query and a text body.
inline void addHttp1(Trace &t)
{
    t.add(1, EventType::RequestStart, 0, 1,
          {{u"method"_s, u"GET"_s}, {u"url"_s, u"http://example.test:8080/p?a=1&b=x%20y&c"_s}})
        .add(1.1, EventType::PoolOpen, 1, 1, {{u"origin"_s, u"http://example.test:8080"_s}})
        .add(2, EventType::Dns, 1, 1, {{u"host"_s, u"example.test"_s}, {u"ms"_s, 1.0}})
        .add(4, EventType::Connect, 1, 1,
             {{u"host"_s, u"example.test"_s},
              {u"port"_s, 8080},
              {u"address"_s, u"192.0.2.7"_s},
              {u"ms"_s, 2.0},
              {u"localPort"_s, 50412}})
        .add(4.5, EventType::H1Request, 1, 1,
             {{u"method"_s, u"GET"_s},
              {u"target"_s, u"/p?a=1&b=x%20y&c"_s},
              {u"version"_s, u"HTTP/1.1"_s},
              {u"headers"_s, headerPairs({{"Host", "example.test:8080"},
                                          {"X-Zeta", "1"},
                                          {"Accept", "*/*"},
                                          {"Cookie", "sid=abc; theme=dark"},
                                          {"Authorization", "Bearer secret"}})}},
             Direction::Out)
        .add(8, EventType::H1Response, 1, 1,
             {{u"status"_s, 200},
              {u"reason"_s, u"OK"_s},
              {u"version"_s, u"HTTP/1.1"_s},
              {u"headers"_s,
               headerPairs({{"Content-Type", "text/plain; charset=utf-8"},
                            {"Set-Cookie", "sid=new; Path=/; HttpOnly; Secure; SameSite=Lax"},
                            {"Content-Length", "5"}})},
              {u"bytes"_s, 120}},
             Direction::In)
        .add(9, EventType::ResponseComplete, 1, 1,
             {{u"status"_s, 200},
              {u"bytes"_s, 5},
              {u"protocol"_s, u"http/1.1"_s},
              {u"timings"_s, timingsMap(1, 2, -1, 0.5, 3, 1, 10)}});
}

inline QJsonObject harOf(const TraceBatch &batch, HarOptions options = {})
{
    HarCollector collector;
    collector.add(batch);
    if (!options.traceStart.isValid())
        options.traceStart = kAnchor;
    return HarWriter(collector, std::move(options)).document();
}

inline QJsonArray entriesOf(const QJsonObject &har)
{
    return har.value(u"log"_s).toObject().value(u"entries"_s).toArray();
}

inline QStringList headerNames(const QJsonValue &headers)
{
    QStringList out;
    for (const QJsonValue &h : headers.toArray())
        out << h.toObject().value(u"name"_s).toString();
    return out;
}

inline QString headerIn(const QJsonValue &headers, const QString &name)
{
    for (const QJsonValue &h : headers.toArray()) {
        if (h.toObject().value(u"name"_s).toString().compare(name, Qt::CaseInsensitive) == 0)
            return h.toObject().value(u"value"_s).toString();
    }
    return {};
}

inline HarOptions withBodies(QHash<quint32, HarBody> bodies)
{
    HarOptions o;
    o.bodies = [bodies](quint32 req, HarBody *body) {
        if (!bodies.contains(req))
            return false;
        *body = bodies.value(req);
        return true;
    };
    return o;
}

} // namespace hopscope::test
