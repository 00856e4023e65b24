// Alt-Svc (RFC 7838): what a header says (AltSvcHeader::parse, every entry a server may write,
// broken ones named and skipped), what the pool remembers of it and how a request follows it
// (AltProtocols), the QUIC error names, and the qlog frames as the trace words them.

#include "core/altsvc.h"
#include "net/altprotocols.h"
#include "net/connectionpool.h"
#include "quic/quicerrortext.h"
#include "quic/quicqlogtap.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QThread>

using namespace hopscope;
using namespace Qt::StringLiterals;

class AltSvcTest : public QObject
{
    Q_OBJECT
private slots:
    void parse_data();
    void parse();
    void boundedAlternatives();
    void follow_data();
    void follow();
    void quicFailureStopsTheFollow();
    void expiredAlternativeIsReportedOnce();
    void errorNames_data();
    void errorNames();
    void frameText_data();
    void frameText();
    void qlogJsonMembers();
    void qlogJsonMalformed_data();
    void qlogJsonMalformed();
};

void AltSvcTest::parse_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<bool>("clear");
    QTest::addColumn<QStringList>("services"); // "proto host port ma persist"
    QTest::addColumn<int>("skipped");
    QTest::newRow("h3 on another port")
        << QByteArray(R"(h3=":4433")") << false << QStringList{u"h3  4433 86400 0"_s} << 0;
    QTest::newRow("ma and persist") << QByteArray(R"(h3=":443"; ma=3600; persist=1)") << false
                                    << QStringList{u"h3  443 3600 1"_s} << 0;
    QTest::newRow("several, another host, IPv6")
        << QByteArray(R"(h3-29=":443", h3="alt.example:8443"; ma=60, h2="[::1]:443")") << false
        << QStringList{u"h3-29  443 86400 0"_s, u"h3 alt.example 8443 60 0"_s,
                       u"h2 ::1 443 86400 0"_s}
        << 0;
    QTest::newRow("percent-encoded protocol id")
        << QByteArray(R"(w%3Dx%3Ay=":80")") << false << QStringList{u"w=x:y  80 86400 0"_s} << 0;
    QTest::newRow("unknown parameter ignored") << QByteArray(R"(h3=":443"; foo="a;b,c"; ma=5)")
                                               << false << QStringList{u"h3  443 5 0"_s} << 0;
    QTest::newRow("clear") << QByteArray("clear") << true << QStringList{} << 0;
    QTest::newRow("unquoted authority skipped")
        << QByteArray(R"(h3=:443, h3=":444")") << false << QStringList{u"h3  444 86400 0"_s} << 1;
    QTest::newRow("port out of range")
        << QByteArray(R"(h3=":70000")") << false << QStringList{} << 1;
    QTest::newRow("no port") << QByteArray(R"(h3="example.org")") << false << QStringList{} << 1;
    QTest::newRow("bad ma") << QByteArray(R"(h3=":443"; ma=soon)") << false << QStringList{} << 1;
    QTest::newRow("empty") << QByteArray("") << false << QStringList{} << 0;
}

void AltSvcTest::parse()
{
    QFETCH(QByteArray, header);
    QFETCH(bool, clear);
    QFETCH(QStringList, services);
    QFETCH(int, skipped);
    const AltSvcHeader h = AltSvcHeader::parse(header);
    QCOMPARE(h.clear, clear);
    QStringList got;
    for (const AltService &s : h.services)
        got << u"%1 %2 %3 %4 %5"_s.arg(QString::fromLatin1(s.protocol), s.host)
                   .arg(s.port)
                   .arg(s.maxAgeSeconds)
                   .arg(int(s.persist));
    QCOMPARE(got, services);
    QCOMPARE(h.skipped.size(), skipped);
}

void AltSvcTest::boundedAlternatives()
{
    // A server cannot make us keep more than kMaxAlternatives, whatever it sends.
    QByteArray header;
    for (int i = 0; i < 10000; ++i)
        header += "h3=\":" + QByteArray::number(1000 + i) + "\", ";
    const AltSvcHeader h = AltSvcHeader::parse(header);
    QCOMPARE(h.services.size(), AltSvcHeader::kMaxAlternatives);
    QVERIFY(h.skipped.last().contains(u"more than"));
}

void AltSvcTest::follow_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("url");
    QTest::addColumn<int>("policy"); // ProtocolPolicy
    QTest::addColumn<bool>("followAltSvc");
    QTest::addColumn<bool>("follows");
    QTest::addColumn<int>("port");
    QTest::newRow("h3 alternative") << QByteArray(R"(h3=":4433")") << u"https://a.test/x"_s
                                    << int(ProtocolPolicy::Auto) << true << true << 4433;
    QTest::newRow("another host") << QByteArray(R"(h3="b.test:443")") << u"https://a.test/x"_s
                                  << int(ProtocolPolicy::Auto) << true << true << 443;
    QTest::newRow("only a draft") << QByteArray(R"(h3-29=":4433")") << u"https://a.test/x"_s
                                  << int(ProtocolPolicy::Auto) << true << false << 0;
    QTest::newRow("--no-alt-svc") << QByteArray(R"(h3=":4433")") << u"https://a.test/x"_s
                                  << int(ProtocolPolicy::Auto) << false << false << 0;
    QTest::newRow("--http1.1") << QByteArray(R"(h3=":4433")") << u"https://a.test/x"_s
                               << int(ProtocolPolicy::Http1Only) << true << false << 0;
    QTest::newRow("another origin") << QByteArray(R"(h3=":4433")") << u"https://c.test/x"_s
                                    << int(ProtocolPolicy::Auto) << true << false << 0;
    QTest::newRow("ma=0 removes") << QByteArray(R"(h3=":4433"; ma=0)") << u"https://a.test/x"_s
                                  << int(ProtocolPolicy::Auto) << true << false << 0;
    QTest::newRow("clear") << QByteArray("clear") << u"https://a.test/x"_s
                           << int(ProtocolPolicy::Auto) << true << false << 0;
}

void AltSvcTest::follow()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, url);
    QFETCH(int, policy);
    QFETCH(bool, followAltSvc);
    QFETCH(bool, follows);
    QFETCH(int, port);
    AltProtocols alt;
    const QString origin = u"https://a.test:443"_s;
    // An earlier advertisement that this header replaces or clears.
    alt.noteAltSvc(origin, 1, AltSvcHeader::parse(R"(h3=":9999")"));
    alt.noteAltSvc(origin, 1, AltSvcHeader::parse(header));
    RequestSpec spec;
    spec.url = QUrl(url);
    spec.protocol = ProtocolPolicy(policy);
    spec.followAltSvc = followAltSvc;
    const QString before = ConnectionPool::key(spec);
    const bool followed = alt.followAltSvc(spec, [](const QString &) { return false; });
    // A header replaces what the origin advertised before (RFC 7838 §3): the earlier h3 on
    // 9999 is never followed.
    QCOMPARE(followed, follows);
    if (!follows) {
        QCOMPARE(ConnectionPool::key(spec), before);
        return;
    }
    QCOMPARE(int(spec.route.altSvcPort), port);
    QCOMPARE(spec.http3, Http3Mode::Try);
    QVERIFY(ConnectionPool::key(spec) != before);
    // The new connection knows where its arrow starts.
    const auto f = alt.takeFollow(ConnectionPool::key(spec), 2);
    QVERIFY(f.has_value());
    QCOMPARE(f->from, 1u);
    QCOMPARE(f->protocol, QByteArray("h3"));
    QCOMPARE(f->oldKey, before);
}

void AltSvcTest::quicFailureStopsTheFollow()
{
    AltProtocols alt;
    alt.noteAltSvc(u"https://a.test:443"_s, 1, AltSvcHeader::parse(R"(h3=":4433")"));
    RequestSpec spec;
    spec.url = QUrl(u"https://a.test/"_s);
    RequestSpec followed = spec;
    QVERIFY(alt.followAltSvc(followed, [](const QString &) { return false; }));
    alt.noteQuicFailed(ConnectionPool::key(followed), u"no answer"_s);
    RequestSpec again = spec;
    QVERIFY(!alt.followAltSvc(again, [](const QString &) { return false; }));
    QCOMPARE(again.http3, Http3Mode::Off);
    QCOMPARE(alt.quicFailure(ConnectionPool::key(followed)), u"no answer"_s);
}

// `ma=1`: followed at once, not after a second; the request that finds it expired learns so
// (for its `alt-svc` "expired" event) once, and the alternative is gone.
void AltSvcTest::expiredAlternativeIsReportedOnce()
{
    AltProtocols alt;
    alt.noteAltSvc(u"https://a.test:443"_s, 7, AltSvcHeader::parse(R"(h3=":4433"; ma=1)"));
    RequestSpec spec;
    spec.url = QUrl(u"https://a.test/"_s);
    RequestSpec first = spec;
    QVERIFY(alt.followAltSvc(first, [](const QString &) { return false; }));
    QVERIFY(!alt.takeExpired());
    QThread::msleep(1100);
    RequestSpec late = spec;
    QVERIFY(!alt.followAltSvc(late, [](const QString &) { return false; }));
    QCOMPARE(late.http3, Http3Mode::Off);
    const std::optional<AltProtocols::Expired> expired = alt.takeExpired();
    QVERIFY(expired);
    QCOMPARE(expired->from, 7u);
    QCOMPARE(expired->service.port, quint16(4433));
    QCOMPARE(expired->service.maxAgeSeconds, qint64(1));
    QVERIFY(!alt.takeExpired());
    RequestSpec after = spec;
    QVERIFY(!alt.followAltSvc(after, [](const QString &) { return false; }));
    QVERIFY(!alt.takeExpired()); // forgotten, not expired again
}

void AltSvcTest::errorNames_data()
{
    QTest::addColumn<bool>("application");
    QTest::addColumn<quint64>("code");
    QTest::addColumn<QString>("name");
    QTest::newRow("NO_ERROR") << false << quint64(0) << u"NO_ERROR"_s;
    QTest::newRow("PROTOCOL_VIOLATION") << false << quint64(0xa) << u"PROTOCOL_VIOLATION"_s;
    QTest::newRow("TLS alert") << false << quint64(0x12a) << u"CRYPTO_ERROR (TLS alert 42)"_s;
    QTest::newRow("unknown transport") << false << quint64(0x99) << u"0x99"_s;
    QTest::newRow("H3_NO_ERROR") << true << quint64(0x100) << u"H3_NO_ERROR"_s;
    QTest::newRow("H3_REQUEST_REJECTED") << true << quint64(0x10b) << u"H3_REQUEST_REJECTED"_s;
    QTest::newRow("QPACK") << true << quint64(0x200) << u"QPACK_DECOMPRESSION_FAILED"_s;
    QTest::newRow("unknown application") << true << quint64(0x1f) << u"0x1f"_s;
}

void AltSvcTest::errorNames()
{
    QFETCH(bool, application);
    QFETCH(quint64, code);
    QFETCH(QString, name);
    QCOMPARE(application ? QuicErrorText::applicationErrorName(code)
                         : QuicErrorText::transportErrorName(code),
             name);
}

void AltSvcTest::frameText_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("text");
    QTest::newRow("stream")
        << QByteArray(R"({"frame_type":"stream","stream_id":4,"offset":0,"length":52,"fin":true})")
        << u"STREAM 4 off 0 len 52 FIN"_s;
    QTest::newRow("ack ranges")
        << QByteArray(R"({"frame_type":"ack","ack_delay":0,"acked_ranges":[[5,9],[2],[0,1]]})")
        << u"ACK 5-9,2,0-1"_s;
    QTest::newRow("crypto") << QByteArray(R"({"frame_type":"crypto","offset":0,"length":245})")
                            << u"CRYPTO off 0 len 245"_s;
    QTest::newRow("connection close")
        << QByteArray(
               R"({"frame_type":"connection_close","error_space":"application","error_code":256,"reason":"bye"})")
        << u"CONNECTION_CLOSE application error 256 \"bye\""_s;
    QTest::newRow("other") << QByteArray(R"({"frame_type":"max_data","maximum":1048576})")
                           << u"MAX_DATA maximum 1048576"_s;
    QTest::newRow("spaces, an escaped reason")
        << QByteArray(
               R"( { "frame_type" : "connection_close" , "error_space":"transport", "error_code" : 10, "reason":"a \"quoted\" \u00e9" } )")
        << u"CONNECTION_CLOSE transport error 10 \"a \"quoted\" \u00e9\""_s;
    QTest::newRow("nested values skipped")
        << QByteArray(
               R"({"frame_type":"new_token","token":{"data":"ab]}","raw":[[1,[2]],{"x":"}"}]},"length":2})")
        << u"NEW_TOKEN length 2"_s;
}

void AltSvcTest::frameText()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, text);
    QCOMPARE(QuicQlogTap::describeFrame(QlogJson(json)), text);
}

// A packet record as ngtcp2 writes it: the members the tap reads, found where they lie.
void AltSvcTest::qlogJsonMembers()
{
    const QByteArray record =
        R"({"time":12,"name":"transport:packet_received","data":{"header":{"packet_type":"1RTT","packet_number":-3},"raw":{"length":1252},"frames":[{"frame_type":"ping"},{"frame_type":"padding"}]}})";
    const QlogJson data = QlogJson(record)["data"];
    QVERIFY(data.isObject());
    QCOMPARE(data["header"]["packet_type"].toString(), u"1RTT"_s);
    QCOMPARE(data["header"]["packet_number"].toInteger(), -3);
    QCOMPARE(data["raw"]["length"].toInteger(), 1252);
    QStringList types;
    data["frames"].forEachElement([&](const QlogJson &f) { types << f["frame_type"].toString(); });
    QCOMPARE(types, (QStringList{u"ping"_s, u"padding"_s}));
    QVERIFY(!data["absent"].isValid());
    QVERIFY(!data["header"]["packet_type"]["x"].isValid()); // a string has no members
    QCOMPARE(data["raw"].toInteger(7), 7);                  // an object is no number
}

void AltSvcTest::qlogJsonMalformed_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("truncated object") << QByteArray(R"({"data":{"header":{"packet_type":"1R)");
    QTest::newRow("unterminated string") << QByteArray(R"({"data":"abc)");
    QTest::newRow("escape at the end") << QByteArray(R"({"data":"abc\)");
    QTest::newRow("100,000 brackets") << QByteArray(100'000, '[');
    QTest::newRow("100,000 nested objects") << QByteArray(R"({"a":)").repeated(100'000);
    QTest::newRow("missing colon") << QByteArray(R"({"data" 1})");
    QTest::newRow("double comma") << QByteArray(R"({"x":1,,"data":2})");
    QTest::newRow("binary") << QByteArray("\x00\xff{\x01\"data\":", 11);
}

// Whatever the text, reading it ends, stays inside it and finds nothing that is not there.
void AltSvcTest::qlogJsonMalformed()
{
    QFETCH(QByteArray, text);
    const QlogJson v(text);
    QVERIFY(!v["data"].isValid());
    int elements = 0;
    v.forEachElement([&](const QlogJson &) { ++elements; });
    QCOMPARE(elements, 0);
    QVERIFY(!QuicQlogTap::describeFrame(v).contains(u"data"_s)); // ends, and sees no "data"
}

QTEST_GUILESS_MAIN(AltSvcTest)
#include "tst_altsvc.moc"
