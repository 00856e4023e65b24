// The names and fields of `h2.frame` events: the trace contract front ends and users rely on.

#include "http2/h2frametrace.h"
#include "http2/http2driver.h"

#include <QCborArray>
#include <QTest>

#include <cstring>

#include <nghttp2/nghttp2.h>

using hopscope::H2FrameTrace;

namespace {

nghttp2_frame_hd hd(size_t length, quint8 type, quint8 flags, qint32 stream = 0)
{
    nghttp2_frame_hd h{};
    h.length = length;
    h.type = type;
    h.flags = flags;
    h.stream_id = stream;
    return h;
}

} // namespace

class TestH2FrameTrace : public QObject
{
    Q_OBJECT
private slots:
    void frameTypeName_data();
    void frameTypeName();
    void flagNames_data();
    void flagNames();
    void errorCodeName_data();
    void errorCodeName();
    void settingName_data();
    void settingName();
    void printable_data();
    void printable();
    void describeSettings();
    void describeGoaway();
    void describeRstStream();
    void describeWindowUpdate();
    void describePing();
    void describeHeadersWithPriorityAndPadding();
    void describeDataUsesWireHeader();
    void headerList();
    void settingsPayload();
};

void TestH2FrameTrace::frameTypeName_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("name");
    QTest::newRow("DATA") << 0x0 << "DATA";
    QTest::newRow("HEADERS") << 0x1 << "HEADERS";
    QTest::newRow("PRIORITY") << 0x2 << "PRIORITY";
    QTest::newRow("RST_STREAM") << 0x3 << "RST_STREAM";
    QTest::newRow("SETTINGS") << 0x4 << "SETTINGS";
    QTest::newRow("PUSH_PROMISE") << 0x5 << "PUSH_PROMISE";
    QTest::newRow("PING") << 0x6 << "PING";
    QTest::newRow("GOAWAY") << 0x7 << "GOAWAY";
    QTest::newRow("WINDOW_UPDATE") << 0x8 << "WINDOW_UPDATE";
    QTest::newRow("CONTINUATION") << 0x9 << "CONTINUATION";
    QTest::newRow("ALTSVC is unknown here") << 0xa << "UNKNOWN(0x0a)";
    QTest::newRow("unknown 0xfa") << 0xfa << "UNKNOWN(0xfa)";
}

void TestH2FrameTrace::frameTypeName()
{
    QFETCH(int, type);
    QFETCH(QString, name);
    QCOMPARE(H2FrameTrace::frameTypeName(quint8(type)), name);
}

void TestH2FrameTrace::flagNames_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("flags");
    QTest::addColumn<QStringList>("names");
    QTest::newRow("none") << 0x1 << 0x0 << QStringList{};
    QTest::newRow("DATA END_STREAM") << 0x0 << 0x1 << QStringList{"END_STREAM"};
    QTest::newRow("DATA PADDED|END_STREAM") << 0x0 << 0x9 << QStringList{"END_STREAM", "PADDED"};
    QTest::newRow("HEADERS all") << 0x1 << 0x2d
                                 << QStringList{"END_STREAM", "END_HEADERS", "PADDED", "PRIORITY"};
    QTest::newRow("SETTINGS ACK") << 0x4 << 0x1 << QStringList{"ACK"};
    QTest::newRow("PING ACK") << 0x6 << 0x1 << QStringList{"ACK"};
    QTest::newRow("PUSH_PROMISE END_HEADERS") << 0x5 << 0x4 << QStringList{"END_HEADERS"};
    QTest::newRow("CONTINUATION END_HEADERS") << 0x9 << 0x4 << QStringList{"END_HEADERS"};
    // Bits without a meaning for the type stay visible.
    QTest::newRow("SETTINGS stray bit") << 0x4 << 0x2 << QStringList{"0x02"};
    QTest::newRow("DATA PRIORITY bit is not a flag") << 0x0 << 0x20 << QStringList{"0x20"};
    QTest::newRow("GOAWAY 0x1 is not ACK") << 0x7 << 0x1 << QStringList{"0x01"};
    QTest::newRow("unknown type") << 0xbb << 0x81 << QStringList{"0x01", "0x80"};
}

void TestH2FrameTrace::flagNames()
{
    QFETCH(int, type);
    QFETCH(int, flags);
    QFETCH(QStringList, names);
    QStringList got;
    for (const QCborValue &v : H2FrameTrace::flagNames(quint8(type), quint8(flags)))
        got << v.toString();
    QCOMPARE(got, names);
}

void TestH2FrameTrace::errorCodeName_data()
{
    QTest::addColumn<uint>("code");
    QTest::addColumn<QString>("name");
    const char *names[] = {"NO_ERROR",
                           "PROTOCOL_ERROR",
                           "INTERNAL_ERROR",
                           "FLOW_CONTROL_ERROR",
                           "SETTINGS_TIMEOUT",
                           "STREAM_CLOSED",
                           "FRAME_SIZE_ERROR",
                           "REFUSED_STREAM",
                           "CANCEL",
                           "COMPRESSION_ERROR",
                           "CONNECT_ERROR",
                           "ENHANCE_YOUR_CALM",
                           "INADEQUATE_SECURITY",
                           "HTTP_1_1_REQUIRED"};
    for (uint i = 0; i < std::size(names); ++i)
        QTest::newRow(names[i]) << i << QString::fromLatin1(names[i]);
    QTest::newRow("unknown 0xe") << 0xeu << "UNKNOWN(0xe)";
    QTest::newRow("unknown large") << 0xdeadbeefu << "UNKNOWN(0xdeadbeef)";
}

void TestH2FrameTrace::errorCodeName()
{
    QFETCH(uint, code);
    QFETCH(QString, name);
    QCOMPARE(H2FrameTrace::errorCodeName(code), name);
}

void TestH2FrameTrace::settingName_data()
{
    QTest::addColumn<int>("id");
    QTest::addColumn<QString>("name");
    QTest::newRow("1") << 1 << "HEADER_TABLE_SIZE";
    QTest::newRow("2") << 2 << "ENABLE_PUSH";
    QTest::newRow("3") << 3 << "MAX_CONCURRENT_STREAMS";
    QTest::newRow("4") << 4 << "INITIAL_WINDOW_SIZE";
    QTest::newRow("5") << 5 << "MAX_FRAME_SIZE";
    QTest::newRow("6") << 6 << "MAX_HEADER_LIST_SIZE";
    QTest::newRow("8") << 8 << "ENABLE_CONNECT_PROTOCOL";
    QTest::newRow("9") << 9 << "NO_RFC7540_PRIORITIES";
    QTest::newRow("7 unassigned") << 7 << "UNKNOWN(0x7)";
    QTest::newRow("grease-like") << 0x0a0a << "UNKNOWN(0xa0a)";
}

void TestH2FrameTrace::settingName()
{
    QFETCH(int, id);
    QFETCH(QString, name);
    QCOMPARE(H2FrameTrace::settingName(id), name);
}

void TestH2FrameTrace::printable_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << QByteArray() << QString();
    QTest::newRow("ascii") << QByteArray("too many streams") << "too many streams";
    QTest::newRow("control") << QByteArray("a\r\n\0b", 5) << "a\\x0d\\x0a\\x00b";
    QTest::newRow("high bytes") << QByteArray("\xc3\xa9") << "\\xc3\\xa9";
    QTest::newRow("backslash") << QByteArray("a\\b") << "a\\\\b";
}

void TestH2FrameTrace::printable()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, text);
    QCOMPARE(H2FrameTrace::printable(bytes), text);
}

void TestH2FrameTrace::describeSettings()
{
    nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                   {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 33554432},
                                   {0x42, 7}};
    nghttp2_frame f{};
    f.hd = hd(18, NGHTTP2_SETTINGS, 0);
    f.settings.niv = 3;
    f.settings.iv = iv;
    const QCborMap m = H2FrameTrace::describe(f);
    QCOMPARE(m.keys(), (QList<QCborValue>{"frame", "flags", "length", "settings"}));
    QCOMPARE(m.value("frame").toString(), "SETTINGS");
    QCOMPARE(m.value("flags").toArray().size(), 0);
    QCOMPARE(m.value("length").toInteger(), 18);
    const QCborArray s = m.value("settings").toArray();
    QCOMPARE(s.size(), 3);
    QCOMPARE(s.at(0).toArray().at(0).toString(), "ENABLE_PUSH");
    QCOMPARE(s.at(0).toArray().at(1).toInteger(), 0);
    QCOMPARE(s.at(1).toArray().at(0).toString(), "INITIAL_WINDOW_SIZE");
    QCOMPARE(s.at(1).toArray().at(1).toInteger(), 33554432);
    QCOMPARE(s.at(2).toArray().at(0).toString(), "UNKNOWN(0x42)");

    f.hd = hd(0, NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK);
    f.settings.niv = 0;
    const QCborMap ack = H2FrameTrace::describe(f);
    QCOMPARE(ack.value("flags").toArray(), QCborArray{"ACK"});
    QCOMPARE(ack.value("settings").toArray().size(), 0);
}

void TestH2FrameTrace::describeGoaway()
{
    QByteArray debug("bye\n");
    nghttp2_frame f{};
    f.hd = hd(size_t(8 + debug.size()), NGHTTP2_GOAWAY, 0);
    f.goaway.last_stream_id = 5;
    f.goaway.error_code = NGHTTP2_ENHANCE_YOUR_CALM;
    f.goaway.opaque_data = reinterpret_cast<uint8_t *>(debug.data());
    f.goaway.opaque_data_len = size_t(debug.size());
    const QCborMap m = H2FrameTrace::describe(f);
    QCOMPARE(m.keys(),
             (QList<QCborValue>{"frame", "flags", "length", "lastStreamId", "error", "debug"}));
    QCOMPARE(m.value("lastStreamId").toInteger(), 5);
    QCOMPARE(m.value("error").toString(), "ENHANCE_YOUR_CALM");
    QCOMPARE(m.value("debug").toString(), "bye\\x0a");
}

void TestH2FrameTrace::describeRstStream()
{
    nghttp2_frame f{};
    f.hd = hd(4, NGHTTP2_RST_STREAM, 0, 3);
    f.rst_stream.error_code = NGHTTP2_REFUSED_STREAM;
    const QCborMap m = H2FrameTrace::describe(f);
    QCOMPARE(m.value("frame").toString(), "RST_STREAM");
    QCOMPARE(m.value("error").toString(), "REFUSED_STREAM");
}

void TestH2FrameTrace::describeWindowUpdate()
{
    nghttp2_frame f{};
    f.hd = hd(4, NGHTTP2_WINDOW_UPDATE, 0);
    f.window_update.window_size_increment = 1073676289;
    const QCborMap m = H2FrameTrace::describe(f);
    QCOMPARE(m.value("increment").toInteger(), 1073676289);
}

void TestH2FrameTrace::describePing()
{
    nghttp2_frame f{};
    f.hd = hd(8, NGHTTP2_PING, NGHTTP2_FLAG_ACK);
    const uint8_t opaque[8] = {0, 1, 2, 3, 0xfc, 0xfd, 0xfe, 0xff};
    std::memcpy(f.ping.opaque_data, opaque, 8);
    const QCborMap m = H2FrameTrace::describe(f);
    QCOMPARE(m.value("flags").toArray(), QCborArray{"ACK"});
    QCOMPARE(m.value("opaque").toString(), "00010203fcfdfeff");
}

void TestH2FrameTrace::describeHeadersWithPriorityAndPadding()
{
    nghttp2_frame f{};
    f.hd = hd(100, NGHTTP2_HEADERS,
              NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_PADDED | NGHTTP2_FLAG_PRIORITY, 1);
    f.headers.padlen = 11; // nghttp2 counts the Pad Length field: 10 bytes of padding
    f.headers.pri_spec = {3, 200, 1};
    const QCborMap m = H2FrameTrace::describe(f);
    QCOMPARE(m.keys(), (QList<QCborValue>{"frame", "flags", "length", "padding", "priority"}));
    QCOMPARE(m.value("padding").toInteger(), 10);
    const QCborMap p = m.value("priority").toMap();
    QCOMPARE(p.value("dependency").toInteger(), 3);
    QCOMPARE(p.value("weight").toInteger(), 200);
    QCOMPARE(p.value("exclusive").toBool(), true);

    nghttp2_frame pri{};
    pri.hd = hd(5, NGHTTP2_PRIORITY, 0, 5);
    pri.priority.pri_spec = {1, 16, 0};
    const QCborMap pm = H2FrameTrace::describe(pri);
    QCOMPARE(pm.value("priority").toMap().value("weight").toInteger(), 16);
    QCOMPARE(pm.value("priority").toMap().value("exclusive").toBool(), false);
}

void TestH2FrameTrace::describeDataUsesWireHeader()
{
    // nghttp2 merges CONTINUATIONs into the HEADERS it reports; the driver passes the wire header.
    nghttp2_frame f{};
    f.hd = hd(40000, NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 1);
    const QCborMap m = H2FrameTrace::describe(f, 0, 16384);
    QCOMPARE(m.value("length").toInteger(), 16384);
    QCOMPARE(m.value("flags").toArray().size(), 0);
}

void TestH2FrameTrace::headerList()
{
    QByteArray n1(":status"), v1("200"), n2("x-bin"), v2("\xff\x00", 2);
    nghttp2_nv nva[] = {
        {reinterpret_cast<uint8_t *>(n1.data()), reinterpret_cast<uint8_t *>(v1.data()),
         size_t(n1.size()), size_t(v1.size()), 0},
        {reinterpret_cast<uint8_t *>(n2.data()), reinterpret_cast<uint8_t *>(v2.data()),
         size_t(n2.size()), size_t(v2.size()), 0}};
    const QCborArray a = H2FrameTrace::headerList(nva, 2);
    QCOMPARE(a.size(), 2);
    QCOMPARE(a.at(0).toArray().at(0).toString(), QStringLiteral(":status"));
    QCOMPARE(a.at(0).toArray().at(1).toString(), QStringLiteral("200"));
    // Not UTF-8: Latin-1, one character per byte, so no byte is lost.
    QCOMPARE(a.at(1).toArray().at(1).toString().toLatin1(), v2);
}

void TestH2FrameTrace::settingsPayload()
{
    // The HTTP2-Settings header of an h2c offer and the SETTINGS frame come from the same list.
    hopscope::Http2Options o;
    o.streamWindow = 1 << 20;
    o.maxConcurrentStreams = 50;
    o.maxFrameSize = 100; // below the protocol minimum: clamped, never an invalid payload
    o.maxHeaderListSize = 4096;
    const QByteArray payload = hopscope::Http2Driver::settingsPayload(o);
    QCOMPARE(payload.size(), 5 * 6);
    const QByteArray expected = QByteArray::fromHex("000200000000"
                                                    "000400100000"
                                                    "000300000032"
                                                    "000500004000"
                                                    "000600001000");
    QCOMPARE(payload.toHex(), expected.toHex());
}

QTEST_GUILESS_MAIN(TestH2FrameTrace)
#include "tst_h2frametrace.moc"
