// The HAR exporter (engine/har) on the protocol changes: HTTP/2 over TLS, an h2c upgrade
// answered on stream 1, WebSocket messages, a declined offer, an `Upgrade: h2` advertisement
// followed, a retry, hostile ids, and the demo tour's real trace. Every document is checked
// against the HAR 1.2 structure (tests/support/harvalidator.h).

#include "harvalidator.h"
#include "harwritertraces.h"

#include "trace/tracefile.h"

#include <QJsonDocument>
#include <QTest>

using namespace hopscope;
using namespace hopscope::test;
using namespace Qt::StringLiterals;

class HarWriterTest : public QObject
{
    Q_OBJECT

private slots:
    void http2OverTls();
    void h2cUpgradeStreamOne();
    void webSocketMessages();
    void declinedOffer();
    void advertisedAndFollowed();
    void demoTourTrace();
    void hostileIdsAreIgnored();
    void retryStartsAfresh();
};

void HarWriterTest::http2OverTls()
{
    Trace t;
    t.add(0, EventType::RequestStart, 0, 1,
          {{u"method"_s, u"POST"_s}, {u"url"_s, u"https://example.test/up"_s}})
        .add(0.1, EventType::PoolOpen, 1, 1, {{u"origin"_s, u"https://example.test"_s}})
        .add(1, EventType::Connect, 1, 1, {{u"address"_s, u"2001:db8::1"_s}, {u"port"_s, 443}})
        .add(4, EventType::Tls, 1, 1,
             {{u"protocol"_s, u"TLSv1.3"_s},
              {u"cipher"_s, u"TLS_AES_128_GCM_SHA256"_s},
              {u"alpn"_s, u"h2"_s},
              {u"verified"_s, true},
              {u"alpnOffered"_s, QCborArray{u"h2"_s, u"http/1.1"_s}},
              {u"sni"_s, u"example.test"_s}})
        .add(4.2, EventType::H2Frame, 1, 1,
             {{u"frame"_s, u"HEADERS"_s}, {u"flags"_s, QCborArray{}}, {u"length"_s, 30}},
             Direction::Out, 1)
        .add(4.3, EventType::H2Headers, 1, 1,
             {{u"headers"_s, headerPairs({{":method", "POST"},
                                          {":scheme", "https"},
                                          {":authority", "example.test"},
                                          {":path", "/up"},
                                          {"content-type", "application/octet-stream"},
                                          {"user-agent", "hopscope/0.1.0"}})},
              {u"kind"_s, u"request"_s}},
             Direction::Out, 1)
        .add(4.4, EventType::H2Frame, 1, 1, {{u"frame"_s, u"DATA"_s}, {u"length"_s, 3}},
             Direction::Out, 1)
        .add(6, EventType::H2Frame, 1, 1, {{u"frame"_s, u"HEADERS"_s}, {u"length"_s, 20}},
             Direction::In, 1)
        .add(6.1, EventType::H2Headers, 1, 1,
             {{u"headers"_s, headerPairs({{":status", "201"},
                                          {"content-type", "application/octet-stream"},
                                          {"location", "/up/1"}})},
              {u"kind"_s, u"response"_s}},
             Direction::In, 1)
        .add(6.2, EventType::H2Frame, 1, 1, {{u"frame"_s, u"DATA"_s}, {u"length"_s, 4}},
             Direction::In, 1)
        .add(6.3, EventType::H2Frame, 1, 1, {{u"frame"_s, u"HEADERS"_s}, {u"length"_s, 9}},
             Direction::In, 1)
        .add(6.4, EventType::H2Headers, 1, 1,
             {{u"headers"_s, headerPairs({{"grpc-status", "0"}})}, {u"kind"_s, u"trailers"_s}},
             Direction::In, 1)
        .add(7, EventType::ResponseComplete, 1, 1,
             {{u"status"_s, 201},
              {u"bytes"_s, 4},
              {u"protocol"_s, u"h2"_s},
              {u"timings"_s, timingsMap(-1, 1, 3, 0.2, 1.6, 1, 7)}},
             Direction::None, 1);
    const QByteArray sent("\x01\x02\x03", 3);
    const QByteArray got("\x00\xff\x80\x7f", 4);
    const QJsonObject har =
        harOf(t.batch(), withBodies({{1, HarBody{got, 4, false, sent, 3, false, -1}}}));
    HOPSCOPE_VERIFY_HAR(har);
    const QJsonObject e = entriesOf(har).at(0).toObject();
    QCOMPARE(e.value(u"serverIPAddress"_s).toString(), u"2001:db8::1"_s);
    const QJsonObject timings = e.value(u"timings"_s).toObject();
    QCOMPARE(timings.value(u"connect"_s).toDouble(), 4.0); // TCP 1 + TLS 3: ssl within connect
    QCOMPARE(timings.value(u"ssl"_s).toDouble(), 3.0);
    QCOMPARE(timings.value(u"dns"_s).toDouble(), -1.0);

    const QJsonObject req = e.value(u"request"_s).toObject();
    QCOMPARE(req.value(u"httpVersion"_s).toString(), u"http/2.0"_s);
    QCOMPARE(headerNames(req.value(u"headers"_s)).mid(0, 4),
             QStringList({u":method"_s, u":scheme"_s, u":authority"_s, u":path"_s}));
    QCOMPARE(req.value(u"headersSize"_s).toInteger(), 30);
    QCOMPARE(req.value(u"bodySize"_s).toInteger(), 3);
    const QJsonObject post = req.value(u"postData"_s).toObject();
    QCOMPARE(post.value(u"mimeType"_s).toString(), u"application/octet-stream"_s);
    QCOMPARE(QByteArray::fromBase64(post.value(u"text"_s).toString().toLatin1()), sent);

    const QJsonObject resp = e.value(u"response"_s).toObject();
    QCOMPARE(resp.value(u"status"_s).toInt(), 201);
    QCOMPARE(resp.value(u"httpVersion"_s).toString(), u"http/2.0"_s);
    QCOMPARE(headerNames(resp.value(u"headers"_s)),
             QStringList({u"content-type"_s, u"location"_s})); // no :status, as Chrome
    QCOMPARE(resp.value(u"redirectURL"_s).toString(), u"/up/1"_s);
    QCOMPARE(resp.value(u"headersSize"_s).toInteger(), 20); // the trailers' block is not the head
    const QJsonObject content = resp.value(u"content"_s).toObject();
    QCOMPARE(content.value(u"encoding"_s).toString(), u"base64"_s);
    QCOMPARE(QByteArray::fromBase64(content.value(u"text"_s).toString().toLatin1()), got);

    const QJsonObject hop = e.value(u"_hopscope"_s).toObject();
    QCOMPARE(hop.value(u"stream"_s).toInt(), 1);
    QCOMPARE(hop.value(u"protocol"_s).toString(), u"h2"_s);
    QCOMPARE(hop.value(u"alpn"_s).toString(), u"h2"_s);
    QCOMPARE(hop.value(u"tlsVersion"_s).toString(), u"TLSv1.3"_s);
    QCOMPARE(hop.value(u"tlsCipher"_s).toString(), u"TLS_AES_128_GCM_SHA256"_s);
    QCOMPARE(hop.value(u"tlsVerified"_s).toBool(), true);
    QCOMPARE(hop.value(u"connectionProtocols"_s).toArray(), QJsonArray({u"h2"_s}));
    QCOMPARE(hop.value(u"trailers"_s).toArray().size(), 1);
}

void HarWriterTest::h2cUpgradeStreamOne()
{
    Trace t;
    t.add(0, EventType::RequestStart, 0, 1,
          {{u"method"_s, u"GET"_s}, {u"url"_s, u"http://127.0.0.1:8080/a"_s}})
        .add(0.1, EventType::PoolOpen, 1, 1, {{u"origin"_s, u"http://127.0.0.1:8080"_s}})
        .add(0.5, EventType::Connect, 1, 1, {{u"address"_s, u"127.0.0.1"_s}, {u"port"_s, 8080}})
        .add(0.6, EventType::H1Request, 1, 1,
             {{u"method"_s, u"GET"_s},
              {u"target"_s, u"/a"_s},
              {u"version"_s, u"HTTP/1.1"_s},
              {u"headers"_s, headerPairs({{"Host", "127.0.0.1:8080"},
                                          {"Connection", "Upgrade, HTTP2-Settings"},
                                          {"Upgrade", "h2c"},
                                          {"HTTP2-Settings", "AAMAAABkAAQCAAAAAAIAAAAA"}})}},
             Direction::Out)
        .add(0.61, EventType::UpgradeOffer, 1, 1,
             {{u"protocol"_s, u"h2c"_s}, {u"withBody"_s, false}})
        .add(1, EventType::H1Response, 1, 1,
             {{u"status"_s, 101},
              {u"reason"_s, u"Switching Protocols"_s},
              {u"version"_s, u"HTTP/1.1"_s},
              {u"headers"_s, headerPairs({{"Connection", "Upgrade"}, {"Upgrade", "h2c"}})},
              {u"bytes"_s, 71}},
             Direction::In)
        .add(1.01, EventType::UpgradeSwitch, 1, 1,
             {{u"protocol"_s, u"h2c"_s}, {u"leftoverBytes"_s, 0}})
        .add(1.1, EventType::H2Frame, 1, 0, {{u"frame"_s, u"SETTINGS"_s}, {u"length"_s, 18}},
             Direction::In, 0)
        .add(1.5, EventType::RequestStart, 0, 2,
             {{u"method"_s, u"GET"_s}, {u"url"_s, u"http://127.0.0.1:8080/b"_s}})
        .add(1.6, EventType::PoolReuse, 1, 2, {{u"origin"_s, u"http://127.0.0.1:8080"_s}})
        .add(1.7, EventType::H2Headers, 1, 2,
             {{u"headers"_s, headerPairs({{":method", "GET"},
                                          {":scheme", "http"},
                                          {":authority", "127.0.0.1:8080"},
                                          {":path", "/b"}})},
              {u"kind"_s, u"request"_s}},
             Direction::Out, 3)
        .add(2, EventType::H2Frame, 1, 1, {{u"frame"_s, u"HEADERS"_s}, {u"length"_s, 59}},
             Direction::In, 1)
        .add(2.1, EventType::H2Headers, 1, 1,
             {{u"headers"_s, headerPairs({{":status", "200"}, {"content-type", "text/plain"}})},
              {u"kind"_s, u"response"_s}},
             Direction::In, 1)
        .add(2.5, EventType::ResponseComplete, 1, 1,
             {{u"status"_s, 200},
              {u"bytes"_s, 2},
              {u"protocol"_s, u"h2"_s},
              {u"timings"_s, timingsMap(-1, 0.4, -1, 0.1, 1.3, 0.5, 2.5)}},
             Direction::None, 1)
        .add(3, EventType::H2Headers, 1, 2,
             {{u"headers"_s, headerPairs({{":status", "204"}})}, {u"kind"_s, u"response"_s}},
             Direction::In, 3)
        .add(3.1, EventType::ResponseComplete, 1, 2,
             {{u"status"_s, 204},
              {u"bytes"_s, 0},
              {u"protocol"_s, u"h2"_s},
              {u"timings"_s, timingsMap(-1, -1, -1, 0.1, 1.3, 0, 1.6)}},
             Direction::None, 3);
    const QJsonObject har = harOf(t.batch());
    HOPSCOPE_VERIFY_HAR(har);
    const QJsonArray entries = entriesOf(har);
    QCOMPARE(entries.size(), 2);

    const QJsonObject first = entries.at(0).toObject();
    QCOMPARE(first.value(u"request"_s).toObject().value(u"httpVersion"_s).toString(),
             u"HTTP/1.1"_s);
    QCOMPARE(first.value(u"response"_s).toObject().value(u"httpVersion"_s).toString(),
             u"http/2.0"_s);
    QCOMPARE(first.value(u"response"_s).toObject().value(u"status"_s).toInt(), 200);
    // The HTTP/2 head's HPACK bytes, not the 101's.
    QCOMPARE(first.value(u"response"_s).toObject().value(u"headersSize"_s).toInteger(), 59);
    QCOMPARE(headerIn(first.value(u"request"_s).toObject().value(u"headers"_s), u"Upgrade"_s),
             u"h2c"_s);
    const QJsonObject hop = first.value(u"_hopscope"_s).toObject();
    QCOMPARE(hop.value(u"stream"_s).toInt(), 1);
    QCOMPARE(hop.value(u"requestHttpVersion"_s).toString(), u"HTTP/1.1"_s);
    QCOMPARE(hop.value(u"responseHttpVersion"_s).toString(), u"HTTP/2"_s);
    const QJsonObject upgrade = hop.value(u"upgrade"_s).toObject();
    QCOMPARE(upgrade.value(u"offered"_s).toString(), u"h2c"_s);
    QCOMPARE(upgrade.value(u"outcome"_s).toString(), u"switched"_s);
    QCOMPARE(upgrade.value(u"status"_s).toInt(), 101);
    QCOMPARE(headerIn(upgrade.value(u"switchingHeaders"_s), u"Upgrade"_s), u"h2c"_s);
    QVERIFY2(hop.value(u"note"_s).toString().contains(u"stream 1"_s),
             qPrintable(hop.value(u"note"_s).toString()));
    QCOMPARE(hop.value(u"connectionProtocols"_s).toArray(), QJsonArray({u"http/1.1"_s, u"h2c"_s}));

    const QJsonObject second = entries.at(1).toObject();
    QCOMPARE(second.value(u"connection"_s).toString(), u"1"_s);
    QCOMPARE(second.value(u"request"_s).toObject().value(u"httpVersion"_s).toString(),
             u"http/2.0"_s);
    QCOMPARE(second.value(u"response"_s).toObject().value(u"status"_s).toInt(), 204);
    QCOMPARE(second.value(u"_hopscope"_s).toObject().value(u"stream"_s).toInt(), 3);
    QVERIFY(!second.value(u"_hopscope"_s).toObject().contains(u"upgrade"_s));
}

void HarWriterTest::webSocketMessages()
{
    const QByteArray binary("\x00\x01\x02\xff", 4);
    Trace t;
    t.add(0, EventType::RequestStart, 0, 1,
          {{u"method"_s, u"GET"_s}, {u"url"_s, u"http://127.0.0.1:8080/ws"_s}})
        .add(0.1, EventType::PoolOpen, 1, 1, {{u"origin"_s, u"http://127.0.0.1:8080"_s}})
        .add(0.6, EventType::H1Request, 1, 1,
             {{u"method"_s, u"GET"_s},
              {u"target"_s, u"/ws"_s},
              {u"version"_s, u"HTTP/1.1"_s},
              {u"headers"_s, headerPairs({{"Upgrade", "websocket"}})}},
             Direction::Out)
        .add(0.61, EventType::UpgradeOffer, 1, 1,
             {{u"protocol"_s, u"websocket"_s}, {u"withBody"_s, false}})
        .add(1, EventType::H1Response, 1, 1,
             {{u"status"_s, 101},
              {u"reason"_s, u"Switching Protocols"_s},
              {u"version"_s, u"HTTP/1.1"_s},
              {u"headers"_s, headerPairs({{"Upgrade", "websocket"}})},
              {u"bytes"_s, 90}},
             Direction::In)
        .add(1.01, EventType::UpgradeSwitch, 1, 1,
             {{u"protocol"_s, u"websocket"_s}, {u"leftoverBytes"_s, 0}})
        .add(500, EventType::WsMessage, 1, 1,
             {{u"opcode"_s, u"text"_s}, {u"text"_s, u"héllo"_s}, {u"bytes"_s, 6}}, Direction::Out)
        .add(501, EventType::WsFrame, 1, 1, {{u"opcode"_s, u"text"_s}}, Direction::Out)
        .add(502, EventType::WsMessage, 1, 1,
             {{u"opcode"_s, u"text"_s}, {u"text"_s, u"héllo"_s}, {u"bytes"_s, 6}}, Direction::In)
        .add(503, EventType::WsMessage, 1, 1,
             {{u"opcode"_s, u"binary"_s},
              {u"data"_s, QString::fromLatin1(binary.toBase64())},
              {u"bytes"_s, 4}},
             Direction::Out)
        .add(504, EventType::WsMessage, 1, 1,
             {{u"opcode"_s, u"binary"_s},
              {u"data"_s, QString::fromLatin1(binary.toBase64())},
              {u"bytes"_s, 4}},
             Direction::In)
        .add(600, EventType::WsClose, 1, 1, {{u"code"_s, 1000}, {u"reason"_s, u""_s}},
             Direction::Out)
        .add(601, EventType::WsClose, 1, 1, {{u"code"_s, 1000}, {u"reason"_s, u"bye"_s}},
             Direction::In)
        .add(602, EventType::ResponseComplete, 1, 1,
             {{u"status"_s, 101},
              {u"bytes"_s, 0},
              {u"protocol"_s, u"websocket"_s},
              {u"timings"_s, timingsMap(-1, 0.4, -1, 0.1, 0.3, 601, 602)}});
    const QJsonObject har = harOf(t.batch());
    HOPSCOPE_VERIFY_HAR(har);
    const QJsonObject e = entriesOf(har).at(0).toObject();
    QCOMPARE(e.value(u"response"_s).toObject().value(u"status"_s).toInt(), 101);
    QCOMPARE(e.value(u"response"_s).toObject().value(u"httpVersion"_s).toString(), u"HTTP/1.1"_s);
    QCOMPARE(e.value(u"_hopscope"_s).toObject().value(u"connectionProtocols"_s).toArray(),
             QJsonArray({u"http/1.1"_s, u"websocket"_s}));
    const QJsonArray messages = e.value(u"_webSocketMessages"_s).toArray();
    QCOMPARE(messages.size(), 6); // the frame event is not a message
    const double anchor = double(kAnchor.toMSecsSinceEpoch()) / 1000.0;
    struct Expected
    {
        const char *type;
        int opcode;
        double ms;
    };
    const Expected expected[] = {{"send", 1, 500},    {"receive", 1, 502}, {"send", 2, 503},
                                 {"receive", 2, 504}, {"send", 8, 600},    {"receive", 8, 601}};
    for (int i = 0; i < 6; ++i) {
        const QJsonObject m = messages.at(i).toObject();
        QCOMPARE(m.keys(), QStringList({u"data"_s, u"opcode"_s, u"time"_s, u"type"_s}));
        QCOMPARE(m.value(u"type"_s).toString(), QLatin1String(expected[i].type));
        QCOMPARE(m.value(u"opcode"_s).toInt(), expected[i].opcode);
        QVERIFY(qAbs(m.value(u"time"_s).toDouble() - (anchor + expected[i].ms / 1000.0)) < 1e-6);
    }
    QCOMPARE(messages.at(0).toObject().value(u"data"_s).toString(), u"héllo"_s);
    QCOMPARE(
        QByteArray::fromBase64(messages.at(3).toObject().value(u"data"_s).toString().toLatin1()),
        binary);
    QCOMPARE(messages.at(5).toObject().value(u"data"_s).toString(), u"bye"_s);
}

void HarWriterTest::declinedOffer()
{
    Trace t;
    t.add(0, EventType::RequestStart, 0, 1,
          {{u"method"_s, u"POST"_s}, {u"url"_s, u"http://127.0.0.1:8080/form"_s}})
        .add(0.6, EventType::H1Request, 1, 1,
             {{u"method"_s, u"POST"_s},
              {u"target"_s, u"/form"_s},
              {u"version"_s, u"HTTP/1.1"_s},
              {u"headers"_s, headerPairs({{"Content-Type", "application/x-www-form-urlencoded"},
                                          {"Upgrade", "h2c"}})}},
             Direction::Out)
        .add(0.61, EventType::UpgradeOffer, 1, 1,
             {{u"protocol"_s, u"h2c"_s}, {u"withBody"_s, true}})
        .add(0.7, EventType::H1Body, 1, 1, {{u"bytes"_s, 7}}, Direction::Out)
        .add(1, EventType::H1Response, 1, 1,
             {{u"status"_s, 200},
              {u"reason"_s, u"OK"_s},
              {u"version"_s, u"HTTP/1.1"_s},
              {u"headers"_s, QCborArray{}},
              {u"bytes"_s, 19}},
             Direction::In)
        .add(1.01, EventType::UpgradeDeclined, 1, 1,
             {{u"protocol"_s, u"h2c"_s}, {u"status"_s, 200}, {u"withBody"_s, true}})
        .add(2, EventType::ResponseComplete, 1, 1,
             {{u"status"_s, 200},
              {u"bytes"_s, 0},
              {u"protocol"_s, u"http/1.1"_s},
              {u"timings"_s, timingsMap(-1, -1, -1, 0.1, 0.3, 0.1, 2)}});
    const QJsonObject har =
        harOf(t.batch(), withBodies({{1, HarBody{{}, 0, false, "a=1&b=2", 7, false, -1}}}));
    HOPSCOPE_VERIFY_HAR(har);
    const QJsonObject e = entriesOf(har).at(0).toObject();
    const QJsonObject post = e.value(u"request"_s).toObject().value(u"postData"_s).toObject();
    QCOMPARE(post.value(u"text"_s).toString(), u"a=1&b=2"_s);
    QCOMPARE(post.value(u"params"_s).toArray().size(), 2);
    QCOMPARE(e.value(u"request"_s).toObject().value(u"bodySize"_s).toInteger(), 7);
    const QJsonObject upgrade = e.value(u"_hopscope"_s).toObject().value(u"upgrade"_s).toObject();
    QCOMPARE(upgrade.value(u"outcome"_s).toString(), u"declined"_s);
    QCOMPARE(upgrade.value(u"status"_s).toInt(), 200);
    QCOMPARE(upgrade.value(u"withBody"_s).toBool(), true);
}

void HarWriterTest::advertisedAndFollowed()
{
    Trace t;
    t.add(0, EventType::RequestStart, 0, 1,
          {{u"method"_s, u"GET"_s}, {u"url"_s, u"https://example.test/"_s}})
        .add(0.1, EventType::PoolOpen, 1, 1, {{u"origin"_s, u"https://example.test"_s}})
        .add(1, EventType::Tls, 1, 1, {{u"protocol"_s, u"TLSv1.3"_s}, {u"alpn"_s, u"http/1.1"_s}})
        .add(2, EventType::H1Response, 1, 1,
             {{u"status"_s, 200},
              {u"reason"_s, u"OK"_s},
              {u"version"_s, u"HTTP/1.1"_s},
              {u"headers"_s, headerPairs({{"Upgrade", "h2"}})},
              {u"bytes"_s, 30}},
             Direction::In)
        .add(2.1, EventType::UpgradeAdvertised, 1, 1, {{u"protocols"_s, QCborArray{u"h2"_s}}})
        .add(3, EventType::ResponseComplete, 1, 1,
             {{u"status"_s, 200},
              {u"bytes"_s, 0},
              {u"protocol"_s, u"http/1.1"_s},
              {u"timings"_s, timingsMap(-1, 0.5, 0.5, 0.1, 1, 0.1, 3)}})
        .add(4, EventType::RequestStart, 0, 2,
             {{u"method"_s, u"GET"_s}, {u"url"_s, u"https://example.test/next"_s}})
        .add(4.1, EventType::PoolOpen, 2, 2, {{u"origin"_s, u"https://example.test"_s}})
        .add(4.2, EventType::UpgradeFollow, 2, 2,
             {{u"protocol"_s, u"h2"_s}, {u"from"_s, 1}, {u"alpn"_s, QCborArray{u"h2"_s}}})
        .add(5, EventType::Tls, 2, 2, {{u"protocol"_s, u"TLSv1.3"_s}, {u"alpn"_s, u"h2"_s}})
        .add(6, EventType::ResponseComplete, 2, 2,
             {{u"status"_s, 200},
              {u"bytes"_s, 0},
              {u"protocol"_s, u"h2"_s},
              {u"timings"_s, timingsMap(-1, 0.5, 0.4, 0.1, 0.5, 0.1, 2)}},
             Direction::None, 1);
    const QJsonObject har = harOf(t.batch());
    HOPSCOPE_VERIFY_HAR(har);
    const QJsonArray entries = entriesOf(har);
    const QJsonObject advertised =
        entries.at(0).toObject().value(u"_hopscope"_s).toObject().value(u"advertised"_s).toObject();
    QCOMPARE(advertised.value(u"protocols"_s).toArray(), QJsonArray({u"h2"_s}));
    QCOMPARE(advertised.value(u"followedBy"_s).toArray(), QJsonArray({u"2"_s}));
    const QJsonObject followed =
        entries.at(1).toObject().value(u"_hopscope"_s).toObject().value(u"followed"_s).toObject();
    QCOMPARE(followed.value(u"from"_s).toString(), u"1"_s);
    QCOMPARE(followed.value(u"protocol"_s).toString(), u"h2"_s);
    QCOMPARE(entries.at(1).toObject().value(u"_hopscope"_s).toObject().value(u"alpn"_s), u"h2"_s);
}

// The demo tour as hopscope-cli --trace-json wrote it: an h2c upgrade with streams 3 and 5, TLS
// with `Upgrade: h2` followed, a WebSocket and a tcp tunnel. No bodies: a saved trace has none.
void HarWriterTest::demoTourTrace()
{
    const QString path = QFINDTESTDATA("../ui/data/tour.jsonl");
    QVERIFY(!path.isEmpty());
    TraceBatch events;
    QString error;
    QVERIFY2(readTraceFile(path, &events, &error), qPrintable(error));
    int starts = 0;
    for (const TraceEvent &ev : events)
        starts += ev.is(EventType::RequestStart);
    const QJsonObject har = harOf(events);
    HOPSCOPE_VERIFY_HAR(har);
    const QJsonArray entries = entriesOf(har);
    QCOMPARE(entries.size(), starts);
    int webSockets = 0, h2cSwitched = 0, followed = 0;
    for (const QJsonValue &v : entries) {
        const QJsonObject e = v.toObject();
        const QJsonObject hop = e.value(u"_hopscope"_s).toObject();
        if (e.contains(u"_webSocketMessages"_s)) {
            ++webSockets;
            QVERIFY(!e.value(u"_webSocketMessages"_s).toArray().isEmpty());
        }
        if (hop.value(u"upgrade"_s).toObject().value(u"offered"_s) == u"h2c"_s &&
            hop.value(u"upgrade"_s).toObject().value(u"outcome"_s) == u"switched"_s) {
            ++h2cSwitched;
            QCOMPARE(hop.value(u"stream"_s).toInt(), 1);
            QCOMPARE(e.value(u"response"_s).toObject().value(u"httpVersion"_s), u"http/2.0"_s);
        }
        followed += hop.contains(u"followed"_s);
    }
    QCOMPARE(webSockets, 1);
    QCOMPARE(h2cSwitched, 1);
    QVERIFY(followed >= 1);
}

// A trace file naming request 4000000000 must not make the collector allocate for it.
void HarWriterTest::hostileIdsAreIgnored()
{
    Trace t;
    addHttp1(t);
    t.add(30, EventType::RequestStart, 3'000'000'000u, 4'000'000'000u,
          {{u"method"_s, u"GET"_s}, {u"url"_s, u"http://x/"_s}});
    HarCollector collector;
    collector.add(t.batch());
    QCOMPARE(collector.exchanges().size(), size_t(1));
    HOPSCOPE_VERIFY_HAR(harOf(t.batch()));
}

// A request retried on a new connection (GOAWAY, REFUSED_STREAM): the entry is the attempt that
// answered, on its connection, and says it was retried.
void HarWriterTest::retryStartsAfresh()
{
    Trace t;
    const QCborMap headers{{u"headers"_s, headerPairs({{":method", "GET"}, {":path", "/"}})},
                           {u"kind"_s, u"request"_s}};
    t.add(0, EventType::RequestStart, 0, 1,
          {{u"method"_s, u"GET"_s}, {u"url"_s, u"http://127.0.0.1:8080/"_s}})
        .add(0.1, EventType::PoolReuse, 1, 1, {{u"origin"_s, u"http://127.0.0.1:8080"_s}})
        .add(0.2, EventType::H2Frame, 1, 1, {{u"frame"_s, u"HEADERS"_s}, {u"length"_s, 30}},
             Direction::Out, 5)
        .add(0.3, EventType::H2Headers, 1, 1, headers, Direction::Out, 5)
        .add(1, EventType::PoolRetry, 1, 1, {{u"reason"_s, u"GOAWAY"_s}})
        .add(1.1, EventType::PoolOpen, 2, 1, {{u"origin"_s, u"http://127.0.0.1:8080"_s}})
        .add(1.2, EventType::H2Frame, 2, 1, {{u"frame"_s, u"HEADERS"_s}, {u"length"_s, 31}},
             Direction::Out, 1)
        .add(1.3, EventType::H2Headers, 2, 1, headers, Direction::Out, 1)
        .add(2, EventType::H2Headers, 2, 1,
             {{u"headers"_s, headerPairs({{":status", "200"}})}, {u"kind"_s, u"response"_s}},
             Direction::In, 1)
        .add(2.1, EventType::ResponseComplete, 2, 1,
             {{u"status"_s, 200},
              {u"bytes"_s, 0},
              {u"protocol"_s, u"h2"_s},
              {u"timings"_s, timingsMap(-1, 0.1, -1, 0.1, 0.5, 0, 2.1)}},
             Direction::None, 1);
    const QJsonObject har = harOf(t.batch());
    HOPSCOPE_VERIFY_HAR(har);
    const QJsonObject e = entriesOf(har).at(0).toObject();
    QCOMPARE(e.value(u"connection"_s).toString(), u"2"_s);
    QCOMPARE(e.value(u"request"_s).toObject().value(u"headersSize"_s).toInteger(), 31);
    QCOMPARE(e.value(u"_hopscope"_s).toObject().value(u"stream"_s).toInt(), 1);
    QCOMPARE(e.value(u"_hopscope"_s).toObject().value(u"retried"_s).toBool(), true);
}

QTEST_GUILESS_MAIN(HarWriterTest)
#include "tst_harwriter_protocols.moc"
