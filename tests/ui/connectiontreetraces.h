// Hand-made traces for the connection tree's tests, one per protocol path (h2c upgrade, TLS
// with an `Upgrade: h2` follow, a failed connect, an HTTP/2 reset, a retry), and the helpers that
// dump a model and follow its signals.
#pragma once

#include "session/sessionstore.h"
#include "tracefixture.h"

#include <QAbstractItemModel>
#include <QCborArray>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStringList>

namespace hopscope::testing::tree {

using hopscope::testing::fields;
using hopscope::testing::makeEvent;

// Builds events with increasing seq; times in ms.
class TraceBuilder
{
public:
    TraceBuilder &add(double ms, const char *type, quint32 conn, quint32 req, qint32 stream = -1,
                      Direction dir = Direction::None, QCborMap fields = {})
    {
        EventScope scope;
        scope.conn = conn;
        scope.req = req;
        scope.stream = stream;
        m_events.append(makeEvent(++m_seq, ms, type, scope, dir, std::move(fields)));
        return *this;
    }
    TraceBatch events() const { return m_events; }

private:
    TraceBatch m_events;
    quint64 m_seq = 0;
};

inline QCborArray headerList(std::initializer_list<std::pair<const char *, const char *>> list)
{
    QCborArray out;
    for (const auto &[name, value] : list)
        out.append(QCborArray{QString::fromLatin1(name), QString::fromUtf8(value)});
    return out;
}

inline void connectTo(TraceBuilder &b, double ms, quint32 conn, quint32 req, const char *origin,
                      int port)
{
    b.add(ms, "pool.open", conn, req, -1, Direction::None, fields({{"origin", origin}}))
        .add(
            ms + 0.1, "connect", conn, req, -1, Direction::None,
            fields({{"host", "127.0.0.1"}, {"port", port}, {"address", "127.0.0.1"}, {"ms", 0.1}}));
}

// HTTP/1.1 -> h2c by a 101 on request 1 (stream 1); requests 2 and 3 wait for the connection and
// ride on streams 3 and 5.
inline TraceBatch h2cUpgradeTrace()
{
    TraceBuilder b;
    b.add(0.5, "request.start", 0, 1, -1, Direction::None,
          fields({{"method", "GET"}, {"url", "http://127.0.0.1:8080/a"}}));
    connectTo(b, 1.0, 1, 1, "http://127.0.0.1:8080", 8080);
    b.add(1.2, "request.start", 0, 2, -1, Direction::None,
          fields({{"method", "GET"}, {"url", "http://127.0.0.1:8080/b"}}))
        .add(1.3, "request.start", 0, 3, -1, Direction::None,
             fields({{"method", "POST"}, {"url", "http://127.0.0.1:8080/c?x=1"}}))
        .add(1.4, "h1.request", 1, 1, -1, Direction::Out,
             fields({{"method", "GET"},
                     {"target", "/a"},
                     {"version", "HTTP/1.1"},
                     {"headers", headerList({{"Host", "127.0.0.1:8080"},
                                             {"Connection", "Upgrade, HTTP2-Settings"},
                                             {"Upgrade", "h2c"},
                                             {"HTTP2-Settings", "AAA"},
                                             {"X-Trace", "it's"}})}}))
        .add(2.4, "h1.response", 1, 1, -1, Direction::In,
             fields({{"status", 101}, {"reason", "Switching Protocols"}}))
        .add(2.5, "upgrade.switch", 1, 1, -1, Direction::None,
             fields({{"protocol", "h2c"}, {"leftoverBytes", 0}}))
        .add(2.6, "h2.frame", 1, 0, 0, Direction::Out, fields({{"frame", "SETTINGS"}}))
        .add(2.7, "pool.reuse", 1, 2, -1, Direction::None,
             fields({{"origin", "http://127.0.0.1:8080"}}))
        .add(2.8, "pool.reuse", 1, 3, -1, Direction::None,
             fields({{"origin", "http://127.0.0.1:8080"}}))
        .add(2.9, "h2.headers", 1, 2, 3, Direction::Out,
             fields({{"kind", "request"},
                     {"headers", headerList({{":method", "GET"}, {":path", "/b"}})}}))
        .add(3.0, "h2.headers", 1, 3, 5, Direction::Out,
             fields({{"kind", "request"},
                     {"headers", headerList({{":method", "POST"}, {":path", "/c?x=1"}})}}))
        .add(3.5, "h2.headers", 1, 1, 1, Direction::In,
             fields({{"kind", "response"}, {"headers", headerList({{":status", "200"}})}}))
        .add(3.6, "response.complete", 1, 1, 1, Direction::None,
             fields({{"status", 200}, {"bytes", 12}, {"protocol", "h2"}}))
        .add(4.0, "h2.headers", 1, 2, 3, Direction::In,
             fields({{"kind", "response"}, {"headers", headerList({{":status", "200"}})}}))
        .add(4.5, "response.complete", 1, 2, 3, Direction::None,
             fields({{"status", 200}, {"bytes", 4096}, {"protocol", "h2"}}))
        .add(5.0, "h2.headers", 1, 3, 5, Direction::In,
             fields({{"kind", "response"}, {"headers", headerList({{":status", "404"}})}}))
        .add(5.5, "response.complete", 1, 3, 5, Direction::None,
             fields({{"status", 404}, {"bytes", 0}, {"protocol", "h2"}}))
        .add(9.0, "close", 1, 0, -1, Direction::None, fields({{"reason", "run finished"}}));
    return b.events();
}

// Connection 2 (TLS, HTTP/1.1 by ALPN) advertises `Upgrade: h2`; request 3 opens connection 3,
// which follows it and speaks h2. Connection 1 is a plain one before.
inline TraceBatch tlsFollowTrace()
{
    TraceBuilder b;
    b.add(0.1, "request.start", 0, 1, -1, Direction::None,
          fields({{"method", "GET"}, {"url", "http://127.0.0.1:8080/"}}));
    connectTo(b, 0.2, 1, 1, "http://127.0.0.1:8080", 8080);
    b.add(0.4, "h1.request", 1, 1, -1, Direction::Out, fields({{"method", "GET"}}))
        .add(0.6, "h1.response", 1, 1, -1, Direction::In, fields({{"status", 200}}))
        .add(0.7, "response.complete", 1, 1, -1, Direction::None,
             fields({{"status", 200}, {"bytes", 100}, {"protocol", "http/1.1"}}))
        .add(1.0, "request.start", 0, 2, -1, Direction::None,
             fields({{"method", "GET"}, {"url", "https://127.0.0.1:8443/status/200"}}));
    connectTo(b, 1.1, 2, 2, "https://127.0.0.1:8443", 8443);
    b.add(1.5, "tls", 2, 2, -1, Direction::None,
          fields({{"protocol", "TLSv1.3"}, {"alpn", "http/1.1"}, {"verified", true}}))
        .add(1.6, "h1.request", 2, 2, -1, Direction::Out,
             fields({{"method", "GET"},
                     {"headers", headerList({{"Host", "127.0.0.1:8443"}, {"Accept", "*/*"}})}}))
        .add(2.0, "h1.response", 2, 2, -1, Direction::In, fields({{"status", 200}}))
        .add(2.0, "upgrade.advertised", 2, 2, -1, Direction::None,
             fields({{"protocols", QCborArray{QStringLiteral("h2")}}}))
        .add(2.1, "response.complete", 2, 2, -1, Direction::None,
             fields({{"status", 200}, {"bytes", 7}, {"protocol", "http/1.1"}}))
        .add(2.2, "request.start", 0, 3, -1, Direction::None,
             fields({{"method", "GET"}, {"url", "https://127.0.0.1:8443/bytes/4096"}}))
        .add(2.3, "pool.open", 3, 3, -1, Direction::None,
             fields({{"origin", "https://127.0.0.1:8443"}}))
        .add(2.3, "upgrade.follow", 3, 3, -1, Direction::None,
             fields({{"protocol", "h2"}, {"from", 2}, {"alpn", "h2"}}))
        .add(2.5, "connect", 3, 3, -1, Direction::None,
             fields({{"host", "127.0.0.1"}, {"port", 8443}, {"address", "127.0.0.1"}}))
        .add(2.9, "tls", 3, 3, -1, Direction::None,
             fields({{"protocol", "TLSv1.3"}, {"alpn", "h2"}, {"verified", true}}))
        .add(3.0, "h2.headers", 3, 3, 1, Direction::Out, fields({{"kind", "request"}}))
        .add(3.2, "close", 2, 0, -1, Direction::None,
             fields({{"reason", "replaced by HTTP/2 connection 3 (Upgrade: h2)"}}))
        .add(3.5, "h2.headers", 3, 3, 1, Direction::In,
             fields({{"kind", "response"}, {"headers", headerList({{":status", "200"}})}}))
        .add(3.9, "response.complete", 3, 3, 1, Direction::None,
             fields({{"status", 200}, {"bytes", 4096}, {"protocol", "h2"}}));
    return b.events();
}

// A request that never got a connection.
inline TraceBatch failedConnectTrace()
{
    TraceBuilder b;
    b.add(0.1, "request.start", 0, 1, -1, Direction::None,
          fields({{"method", "GET"}, {"url", "http://127.0.0.1:1/"}}))
        .add(0.3, "error", 0, 1, -1, Direction::None,
             fields({{"message", "connect to 127.0.0.1:1 failed: Connection refused"},
                     {"code", "connect"}}))
        .add(0.3, "request.failed", 0, 1, -1, Direction::None,
             fields({{"error", "connect to 127.0.0.1:1 failed: Connection refused"},
                     {"code", "connect"}}));
    return b.events();
}

// Prior-knowledge h2c; the server resets stream 1 (request 1), stream 3 (request 2) succeeds,
// then the connection reports an error of its own.
inline TraceBatch h2ResetTrace()
{
    TraceBuilder b;
    b.add(0.1, "request.start", 0, 1, -1, Direction::None,
          fields({{"method", "GET"}, {"url", "http://127.0.0.1:8080/slow"}}))
        .add(0.1, "request.start", 0, 2, -1, Direction::None,
             fields({{"method", "GET"}, {"url", "http://127.0.0.1:8080/fast"}}));
    connectTo(b, 0.2, 1, 1, "http://127.0.0.1:8080", 8080);
    b.add(0.4, "h2.frame", 1, 0, 0, Direction::Out, fields({{"frame", "SETTINGS"}}))
        .add(0.5, "h2.headers", 1, 1, 1, Direction::Out, fields({{"kind", "request"}}))
        .add(0.5, "pool.reuse", 1, 2, -1, Direction::None, {})
        .add(0.6, "h2.headers", 1, 2, 3, Direction::Out, fields({{"kind", "request"}}))
        .add(0.9, "h2.frame", 1, 1, 1, Direction::In,
             fields({{"frame", "RST_STREAM"}, {"error", "REFUSED_STREAM"}}))
        .add(0.9, "request.failed", 1, 1, 1, Direction::None,
             fields({{"error", "the server reset the stream: REFUSED_STREAM"},
                     {"code", "h2-rst:REFUSED_STREAM"}}))
        .add(1.0, "h2.headers", 1, 2, 3, Direction::In,
             fields({{"kind", "response"}, {"headers", headerList({{":status", "204"}})}}))
        .add(1.1, "response.complete", 1, 2, 3, Direction::None,
             fields({{"status", 204}, {"bytes", 0}, {"protocol", "h2"}}))
        .add(1.5, "error", 1, 0, -1, Direction::None,
             fields({{"message", "GOAWAY PROTOCOL_ERROR"}, {"code", "h2-goaway:PROTOCOL_ERROR"}}));
    return b.events();
}

// Request 1 goes to a kept-alive connection that closes before answering; it is retried on #2.
inline TraceBatch retryTrace()
{
    TraceBuilder b;
    b.add(0.1, "request.start", 0, 1, -1, Direction::None,
          fields({{"method", "GET"}, {"url", "http://127.0.0.1:8080/r"}}));
    connectTo(b, 0.2, 1, 1, "http://127.0.0.1:8080", 8080);
    b.add(0.4, "h1.request", 1, 1, -1, Direction::Out, fields({{"method", "GET"}}))
        .add(0.5, "pool.retry", 1, 1, -1, Direction::None, fields({{"reason", "closed"}}))
        .add(0.5, "close", 1, 0, -1, Direction::None, fields({{"reason", "peer closed"}}));
    connectTo(b, 0.6, 2, 1, "http://127.0.0.1:8080", 8080);
    b.add(0.8, "h1.request", 2, 1, -1, Direction::Out, fields({{"method", "GET"}}))
        .add(0.9, "h1.response", 2, 1, -1, Direction::In, fields({{"status", 200}}))
        .add(1.0, "response.complete", 2, 1, -1, Direction::None,
             fields({{"status", 200}, {"bytes", 2048}, {"protocol", "http/1.1"}}));
    return b.events();
}

// The same events as if they came later in a run: connection and request ids moved on.
inline TraceBatch shifted(const TraceBatch &events, quint32 conns, quint32 reqs, quint64 seqs)
{
    TraceBatch out;
    for (qsizetype i = 0; i < events.size(); ++i) {
        TraceRecord ev = events.record(i);
        ev.seq += seqs;
        ev.tNs += qint64(seqs) * 1000000;
        if (ev.scope.conn)
            ev.scope.conn += conns;
        if (ev.scope.req)
            ev.scope.req += reqs;
        out.append(ev, events.at(i).toCborMap());
    }
    return out;
}

inline void appendInBatches(SessionStore &store, const TraceBatch &events, int batchSize,
                            const std::function<void()> &afterEach = {})
{
    for (qsizetype i = 0; i < events.size(); i += batchSize) {
        store.append(events.mid(i, batchSize));
        if (afterEach)
            afterEach();
        if (QTest::currentTestFailed())
            return; // one report, not one per batch
    }
}

// Every row's display texts, children indented: two trees are the same when these are.
inline QStringList dump(const QAbstractItemModel &model, const QModelIndex &parent = {},
                        int depth = 0)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(parent); ++row) {
        QStringList cells;
        for (int col = 0; col < model.columnCount(parent); ++col)
            cells << model.index(row, col, parent).data().toString();
        const QModelIndex index = model.index(row, 0, parent);
        out << QString(depth * 2, QLatin1Char(' ')) + cells.join(QLatin1Char('|')) +
                   (index.data(ConnectionTreeModel::IsErrorRole).toBool() ? QStringLiteral(" !")
                                                                          : QString());
        out += dump(model, index, depth + 1);
    }
    return out;
}

// The tester checks the signals the model sends, not the ones it forgets. A sort/filter proxy
// caches the rows it was told about: if it disagrees with the model, a signal was missing.
class SignalFollower
{
public:
    explicit SignalFollower(QAbstractItemModel *model)
    {
        m_proxy.setSourceModel(model);
        m_proxy.setRecursiveFilteringEnabled(true);
        dump(m_proxy); // creates the proxy's mapping for every parent
    }
    bool agrees(const QAbstractItemModel &model)
    {
        const QStringList mine = dump(m_proxy), theirs = dump(model);
        if (mine != theirs)
            qWarning().noquote() << "proxy:\n"
                                 << mine.join('\n') << "\nmodel:\n"
                                 << theirs.join('\n');
        return mine == theirs;
    }

private:
    QSortFilterProxyModel m_proxy;
};

inline QString cell(const QAbstractItemModel &model, const QModelIndex &parent, int row, int column,
                    int role = Qt::DisplayRole)
{
    return model.index(row, column, parent).data(role).toString();
}

} // namespace hopscope::testing::tree
