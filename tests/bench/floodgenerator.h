#pragma once

// The synthetic session of gui_flood: ~100,000 exchanges and ~1,000,000 trace events shaped like
// the engine's (h2c upgrades with many streams per connection, some WebSocket sessions, a few
// resets), in batches as the engine delivers them.

#include "trace/traceevent.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <deque>
#include <initializer_list>
#include <utility>
#include <vector>

namespace hopscope::bench {

class Generator
{
public:
    explicit Generator(int exchanges) : m_targetExchanges(exchanges) {}

    // Everything, in batches of at most `batchSize` events.
    std::deque<TraceBatch> generate(int batchSize)
    {
        // Eight connections are busy at any time, taking turns one exchange at a time, so every
        // batch touches several connections and many exchanges (as a parallel load does).
        constexpr int kActive = 8;
        std::vector<Conn> active;
        while (m_reqs < m_targetExchanges || !active.empty()) {
            while (int(active.size()) < kActive && m_reqs < m_targetExchanges)
                active.push_back(openConnection());
            for (size_t i = 0; i < active.size();) {
                Conn &c = active[i];
                if (c.websocket) {
                    webSocketSession(c);
                    c.remaining = 0;
                } else if (m_reqs < m_targetExchanges) {
                    h2Exchange(c);
                    --c.remaining;
                }
                if (c.remaining <= 0 || m_reqs >= m_targetExchanges) {
                    event(EventType::Close, c.id, 0, -1).atom(Field::Reason, "run finished");
                    active.erase(active.begin() + qsizetype(i));
                } else {
                    ++i;
                }
            }
        }
        std::deque<TraceBatch> batches;
        for (qsizetype i = 0; i < m_events.size(); i += batchSize)
            batches.push_back(m_events.mid(i, batchSize));
        m_events.clear();
        m_events.squeeze();
        return batches;
    }

    int exchanges() const { return m_reqs; }
    int connections() const { return int(m_conns); }

private:
    struct Conn
    {
        quint32 id = 0;
        int nextStream = 3;
        int remaining = 0;
        bool websocket = false;
        quint32 wsReq = 0; // the WebSocket upgrade request, whose session the connection carries
    };

    // Records an event as the engine does; the caller writes its fields on the returned writer.
    FieldWriter event(EventType type, quint32 conn, quint32 req, qint32 stream,
                      Direction dir = Direction::None)
    {
        TraceRecord head;
        head.seq = ++m_seq;
        m_tNs += 3000 + qint64(m_seq % 7) * 1000; // a few µs apart, like a busy loopback run
        head.tNs = m_tNs;
        head.type = type;
        head.scope = {conn, req, stream};
        head.dir = dir;
        return m_events.append(head);
    }

    static QByteArray origin() { return QByteArrayLiteral("http://127.0.0.1:8080"); }

    // frame, flags and length; the caller adds the frame's own fields.
    FieldWriter frame(quint32 conn, quint32 req, qint32 stream, Direction dir, QByteArrayView type,
                      const QList<QByteArray> &flags, qint64 length)
    {
        FieldWriter w = event(EventType::H2Frame, conn, req, stream, dir);
        w.atom(Field::Frame, type).atoms(Field::Flags, flags).integer(Field::Length, length);
        return w;
    }

    static void settings(FieldWriter &w, std::initializer_list<std::pair<const char *, int>> list)
    {
        w.beginArray(Field::Settings);
        for (const auto &[name, value] : list)
            w.beginArray().atom(name).integer(value).end();
        w.end();
    }

    void net(EventType type, quint32 conn, quint32 req, qint64 bytes)
    {
        event(type, conn, req, -1, type == EventType::NetWrite ? Direction::Out : Direction::In)
            .integer(Field::Bytes, bytes);
    }

    quint32 requestStart(const QByteArray &path)
    {
        const quint32 req = quint32(++m_reqs);
        event(EventType::RequestStart, 0, req, -1)
            .atom(Field::Method, "GET")
            .utf8(Field::Url, origin() + path);
        return req;
    }

    // pool.open … 101 → h2c … SETTINGS exchange; the upgrade request is answered on stream 1.
    Conn openConnection()
    {
        Conn c;
        c.id = ++m_conns;
        c.websocket = c.id % 25 == 0;
        c.remaining = 100;
        const QByteArray path = c.websocket ? "/ws/" + QByteArray::number(c.id)
                                            : "/item/" + QByteArray::number(m_reqs + 1);
        const quint32 req = requestStart(path);
        const QByteArray token = c.websocket ? "websocket" : "h2c";
        event(EventType::PoolOpen, c.id, req, -1).atom(Field::Origin, origin());
        event(EventType::ConnectAttempt, c.id, req, -1)
            .atom(Field::Address, "127.0.0.1")
            .integer(Field::Port, 8080);
        event(EventType::Connect, c.id, req, -1)
            .atom(Field::Host, "127.0.0.1")
            .integer(Field::Port, 8080)
            .atom(Field::Address, "127.0.0.1")
            .real(Field::Ms, 0.21);
        event(EventType::H1Request, c.id, req, -1, Direction::Out)
            .atom(Field::Method, "GET")
            .bytes(Field::Target, path)
            .atom(Field::Version, "HTTP/1.1")
            .headers(Field::Headers, {{"Host", "127.0.0.1:8080"},
                                      {"User-Agent", "hopscope/0.1.0"},
                                      {"Accept", "*/*"},
                                      {"Connection", "Upgrade"},
                                      {"Upgrade", token}});
        event(EventType::UpgradeOffer, c.id, req, -1)
            .atom(Field::Protocol, token)
            .boolean(Field::WithBody, false);
        net(EventType::NetWrite, c.id, req, 198);
        net(EventType::NetRead, c.id, req, 111);
        event(EventType::H1Response, c.id, req, -1, Direction::In)
            .integer(Field::Status, 101)
            .atom(Field::Reason, "Switching Protocols")
            .atom(Field::Version, "HTTP/1.1")
            .headers(Field::Headers, {{"Connection", "Upgrade"}, {"Upgrade", token}})
            .integer(Field::Bytes, 71);
        event(EventType::UpgradeSwitch, c.id, req, -1)
            .atom(Field::Protocol, token)
            .integer(Field::LeftoverBytes, c.websocket ? 0 : 40);
        if (c.websocket) {
            c.wsReq = req;
            return c;
        }
        FieldWriter ours = frame(c.id, 0, 0, Direction::Out, "SETTINGS", {}, 18);
        settings(ours, {{"ENABLE_PUSH", 0},
                        {"INITIAL_WINDOW_SIZE", 33554432},
                        {"MAX_CONCURRENT_STREAMS", 100}});
        frame(c.id, 0, 0, Direction::Out, "WINDOW_UPDATE", {}, 4)
            .integer(Field::Increment, 1073676289);
        net(EventType::NetWrite, c.id, 0, 76);
        net(EventType::NetRead, c.id, 0, 40);
        FieldWriter theirs = frame(c.id, 0, 0, Direction::In, "SETTINGS", {}, 12);
        settings(theirs, {{"MAX_CONCURRENT_STREAMS", 100}, {"INITIAL_WINDOW_SIZE", 16777216}});
        FieldWriter ack = frame(c.id, 0, 0, Direction::Out, "SETTINGS", {"ACK"}, 0);
        settings(ack, {});
        response(c.id, req, 1);
        --c.remaining;
        return c;
    }

    void response(quint32 conn, quint32 req, qint32 stream)
    {
        frame(conn, req, stream, Direction::In, "HEADERS", {"END_HEADERS"}, 59);
        event(EventType::H2Headers, conn, req, stream, Direction::In)
            .headers(Field::Headers, {{":status", "200"},
                                      {"server", "hopscope-demo/0.1.0"},
                                      {"content-type", "text/plain"},
                                      {"content-length", "32768"}})
            .atom(Field::Kind, "response");
        frame(conn, req, stream, Direction::In, "DATA", {}, 16384);
        frame(conn, req, stream, Direction::In, "DATA", {"END_STREAM"}, 16384);
        event(EventType::ResponseComplete, conn, req, stream)
            .integer(Field::Status, 200)
            .integer(Field::Bytes, 32768)
            .atom(Field::Protocol, "h2")
            .beginMap(Field::Timings)
            .real(Field::Dns, -1)
            .real(Field::Connect, -1)
            .real(Field::Tls, -1)
            .real(Field::Send, 0.02)
            .real(Field::Wait, 0.4)
            .real(Field::Receive, 0.1)
            .real(Field::Total, 0.55)
            .end();
    }

    // One more stream on an h2c connection; every 500th is refused with RST_STREAM.
    void h2Exchange(Conn &c)
    {
        const QByteArray path = "/item/" + QByteArray::number(m_reqs + 1);
        const quint32 req = requestStart(path);
        const qint32 stream = c.nextStream;
        c.nextStream += 2;
        event(EventType::PoolReuse, c.id, req, -1).atom(Field::Origin, origin());
        frame(c.id, req, stream, Direction::Out, "HEADERS", {"END_STREAM", "END_HEADERS"}, 24);
        event(EventType::H2Headers, c.id, req, stream, Direction::Out)
            .headers(Field::Headers, {{":method", "GET"},
                                      {":scheme", "http"},
                                      {":authority", "127.0.0.1:8080"},
                                      {":path", path},
                                      {"user-agent", "hopscope/0.1.0"}})
            .atom(Field::Kind, "request");
        net(EventType::NetWrite, c.id, 0, 33);
        net(EventType::NetRead, c.id, 0, 32837);
        if (req % 500 == 0) {
            frame(c.id, req, stream, Direction::In, "RST_STREAM", {}, 4)
                .atom(Field::Error, "REFUSED_STREAM");
            event(EventType::RequestFailed, c.id, req, stream)
                .text(Field::Error, QStringLiteral("the server reset the stream"))
                .atom(Field::Code, "h2-rst:REFUSED_STREAM");
            return;
        }
        response(c.id, req, stream);
    }

    // A WebSocket session of 20 echoed messages (four events each), then the close handshake.
    void webSocketSession(const Conn &c)
    {
        const quint32 req = c.wsReq;
        for (int i = 0; i < 20; ++i) {
            const QString text = QStringLiteral("message %1 on connection %2").arg(i).arg(c.id);
            const qint64 len = text.size();
            const auto message = [&](Direction dir) {
                event(EventType::WsMessage, c.id, req, -1, dir)
                    .atom(Field::Opcode, "text")
                    .text(Field::Text, text)
                    .integer(Field::Bytes, len);
            };
            const auto wsFrame = [&](Direction dir) {
                event(EventType::WsFrame, c.id, req, -1, dir)
                    .atom(Field::Opcode, "text")
                    .boolean(Field::Fin, true)
                    .integer(Field::Rsv, 0)
                    .boolean(Field::Masked, dir == Direction::Out)
                    .integer(Field::Length, len);
            };
            message(Direction::Out);
            wsFrame(Direction::Out);
            wsFrame(Direction::In);
            message(Direction::In);
        }
        for (const Direction dir : {Direction::Out, Direction::In})
            event(EventType::WsClose, c.id, req, -1, dir)
                .integer(Field::Code, 1000)
                .text(Field::Reason, QString());
        event(EventType::ResponseComplete, c.id, req, -1)
            .integer(Field::Status, 101)
            .integer(Field::Bytes, 0)
            .atom(Field::Protocol, "websocket");
    }

    int m_targetExchanges;
    int m_reqs = 0;
    quint32 m_conns = 0;
    quint64 m_seq = 0;
    qint64 m_tNs = 0;
    TraceBatch m_events;
};

} // namespace hopscope::bench
