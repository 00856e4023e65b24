// The HTTP/2 frame splitter on bytes: where frames end however the bytes are chunked, what their
// headers say, that a declared length costs nothing, and which frames it holds back or hands out
// as unreported (the frames the trace shows although nghttp2 said nothing about them).

#include "http2/h2framesplitter.h"

#include <QTest>

using namespace hopscope;
using namespace Qt::StringLiterals;

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

constexpr quint8 kData = 0x0;
constexpr quint8 kHeaders = 0x1;
constexpr quint8 kSettings = 0x4;
constexpr quint8 kPushPromise = 0x5;
constexpr quint8 kPing = 0x6;
constexpr quint8 kGoaway = 0x7;
constexpr quint8 kContinuation = 0x9;
constexpr quint8 kEndStream = 0x1;
constexpr quint8 kAck = 0x1;
constexpr quint8 kEndHeaders = 0x4;

QByteArray frameHeader(quint32 length, quint8 type, quint8 flags, quint32 stream)
{
    QByteArray h(9, Qt::Uninitialized);
    h[0] = char(length >> 16);
    h[1] = char(length >> 8);
    h[2] = char(length);
    h[3] = char(type);
    h[4] = char(flags);
    h[5] = char(stream >> 24);
    h[6] = char(stream >> 16);
    h[7] = char(stream >> 8);
    h[8] = char(stream);
    return h;
}

QByteArray frame(quint8 type, quint8 flags, quint32 stream, const QByteArray &payload = {})
{
    return frameHeader(quint32(payload.size()), type, flags, stream) + payload;
}

// SETTINGS with MAX_CONCURRENT_STREAMS = 100 and INITIAL_WINDOW_SIZE = 65535.
QByteArray settings()
{
    return frame(kSettings, 0, 0,
                 QByteArray::fromHex("000300000064"
                                     "00040000ffff"));
}

// Heap bytes in use (glibc): what a buffer sized by a declared length would show up in.
qint64 heapInUse()
{
#if defined(__GLIBC__)
    const struct mallinfo2 info = mallinfo2();
    return qint64(info.uordblks) + qint64(info.hblkhd);
#else
    return -1;
#endif
}

QByteArray ping()
{
    return frame(kPing, 0, 0, "12345678");
}

QString typeName(quint8 type)
{
    switch (type) {
    case kData:
        return u"DATA"_s;
    case kHeaders:
        return u"HEADERS"_s;
    case kSettings:
        return u"SETTINGS"_s;
    case kPushPromise:
        return u"PUSH_PROMISE"_s;
    case kPing:
        return u"PING"_s;
    case kGoaway:
        return u"GOAWAY"_s;
    case kContinuation:
        return u"CONTINUATION"_s;
    default:
        return u"0x%1"_s.arg(type, 2, 16, QLatin1Char('0'));
    }
}

QString describe(const H2FrameHeader &f)
{
    return u"%1 flags=0x%2 s%3 len=%4"_s.arg(typeName(f.type))
        .arg(f.flags, 2, 16, QLatin1Char('0'))
        .arg(f.stream)
        .arg(f.length);
}

QString describe(const QList<H2FrameHeader> &frames)
{
    QStringList parts;
    for (const H2FrameHeader &f : frames)
        parts << describe(f);
    return parts.join(u", "_s);
}

// Feeds `wire` in chunks of these sizes (the last one takes what is left) the way the session
// does: advance() until a chunk is used up. Returns every frame that ended, with the offset in
// `wire` just past it.
QStringList splitAll(H2FrameSplitter &splitter, const QByteArray &wire, const QList<int> &chunks)
{
    QStringList ended;
    qsizetype pos = 0;
    qsizetype chunkIndex = 0;
    while (pos < wire.size()) {
        const qsizetype size = chunkIndex < chunks.size() ? chunks[chunkIndex] : wire.size() - pos;
        ++chunkIndex;
        QByteArrayView rest = QByteArrayView(wire).sliced(pos, qMin(size, wire.size() - pos));
        pos += rest.size();
        while (!rest.isEmpty()) {
            const qsizetype n = splitter.advance(rest);
            if (n <= 0 || n > rest.size())
                return {u"advance() took %1 of %2 bytes"_s.arg(n).arg(rest.size())};
            if (!splitter.frameEnded() && n != rest.size())
                return {u"advance() stopped inside a frame"_s};
            const qsizetype end = pos - rest.size() + n;
            rest = rest.sliced(n);
            if (splitter.frameEnded())
                ended << u"%1 end=%2"_s.arg(describe(splitter.frame())).arg(end);
        }
    }
    return ended;
}

} // namespace

class H2FrameSplitterTest : public QObject
{
    Q_OBJECT

private slots:
    void boundaries_data();
    void boundaries();
    void partialHeaderIsKept();
    void hugeDeclaredLengthIsNotAllocated();
    void unreported_data();
    void unreported();
};

// Each case fed whole, one byte at a time, and split in two at every point: the frames and where
// they end must not depend on how the bytes arrive.
void H2FrameSplitterTest::boundaries_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QList<int>>("chunks");
    QTest::addColumn<QStringList>("expected");

    struct Case
    {
        const char *name;
        QByteArray wire;
        QStringList expected;
    };
    const QByteArray data1 = frame(kData, 0, 1, QByteArray(40, 'a'));
    const QByteArray data2 = frame(kData, kEndStream, 1, QByteArray(25, 'b'));
    const QByteArray headers = frame(kHeaders, kEndStream, 1, QByteArray::fromHex("8286"));
    const QByteArray continuation =
        frame(kContinuation, kEndHeaders, 1, QByteArray::fromHex("8441"));
    const QList<Case> cases{
        {"SETTINGS", settings(), {u"SETTINGS flags=0x00 s0 len=12 end=21"_s}},
        {"several frames",
         settings() + frame(kSettings, kAck, 0) + ping(),
         {u"SETTINGS flags=0x00 s0 len=12 end=21"_s, u"SETTINGS flags=0x01 s0 len=0 end=30"_s,
          u"PING flags=0x00 s0 len=8 end=47"_s}},
        // Its header is the whole frame: it ends where its header does.
        {"zero-length frame", frame(kSettings, kAck, 0), {u"SETTINGS flags=0x01 s0 len=0 end=9"_s}},
        {"zero-length between frames",
         ping() + frame(kData, kEndStream, 3) + ping(),
         {u"PING flags=0x00 s0 len=8 end=17"_s, u"DATA flags=0x01 s3 len=0 end=26"_s,
          u"PING flags=0x00 s0 len=8 end=43"_s}},
        {"HEADERS and CONTINUATION",
         headers + continuation,
         {u"HEADERS flags=0x01 s1 len=2 end=11"_s, u"CONTINUATION flags=0x04 s1 len=2 end=22"_s}},
        {"DATA frames",
         data1 + data2,
         {u"DATA flags=0x00 s1 len=40 end=49"_s, u"DATA flags=0x01 s1 len=25 end=83"_s}},
        // RFC 9113 §4.1: the reserved bit is not part of the stream id.
        {"reserved bit",
         frameHeader(0, kData, 0, 0x80000005u),
         {u"DATA flags=0x00 s5 len=0 end=9"_s}},
        {"unknown type", frame(0xfa, 0xff, 7, "xyz"), {u"0xfa flags=0xff s7 len=3 end=12"_s}},
    };
    for (const Case &c : cases) {
        QTest::addRow("%s, whole", c.name) << c.wire << QList<int>{} << c.expected;
        QTest::addRow("%s, 1 byte at a time", c.name)
            << c.wire << QList<int>(c.wire.size(), 1) << c.expected;
        for (int at = 1; at < c.wire.size(); ++at)
            QTest::addRow("%s, split at %d", c.name, at) << c.wire << QList<int>{at} << c.expected;
    }
}

void H2FrameSplitterTest::boundaries()
{
    QFETCH(QByteArray, wire);
    QFETCH(QList<int>, chunks);
    QFETCH(QStringList, expected);
    H2FrameSplitter splitter;
    QCOMPARE(splitAll(splitter, wire, chunks), expected);
    QCOMPARE(splitter.headerBytes(), 0);
    QCOMPARE(splitter.payloadLeft(), 0u);
}

void H2FrameSplitterTest::partialHeaderIsKept()
{
    const QByteArray wire = settings();
    H2FrameSplitter splitter;
    QCOMPARE(splitter.advance(QByteArrayView(wire).first(4)), qsizetype(4));
    QVERIFY(!splitter.frameEnded());
    QCOMPARE(splitter.headerBytes(), 4);
    QCOMPARE(splitter.advance(QByteArrayView(wire).sliced(4, 5)), qsizetype(5));
    QVERIFY(!splitter.frameEnded());
    QCOMPARE(splitter.headerBytes(), 0);
    QCOMPARE(describe(splitter.frame()), u"SETTINGS flags=0x00 s0 len=12"_s);
    QCOMPARE(splitter.payloadLeft(), 12u);
    // The bytes of the next frame stay for the next call.
    const QByteArray rest = wire.sliced(9) + ping();
    QCOMPARE(splitter.advance(rest), qsizetype(12));
    QVERIFY(splitter.frameEnded());
}

// A server may declare 16 MiB - 1 (or more than we allow: nghttp2 then ends the session on the
// header alone). The splitter skips payloads, so neither case may cost memory.
void H2FrameSplitterTest::hugeDeclaredLengthIsNotAllocated()
{
    constexpr quint32 kLength = 0xffffff;
    const QByteArray header = frameHeader(kLength, kData, 0, 1);
    const QByteArray chunk(64 * 1024, 'x'); // the payload, streamed through one buffer
    const QByteArray next = frame(kPing, kAck, 0, "abcdefgh");
    H2FrameSplitter splitter;

    const qint64 before = heapInUse();
    QCOMPARE(splitter.advance(header), header.size());
    QVERIFY(!splitter.frameEnded());
    QCOMPARE(splitter.frame().length, kLength);
    QCOMPARE(splitter.payloadLeft(), kLength);
    quint32 fed = 0;
    while (kLength - fed > quint32(chunk.size())) {
        if (splitter.advance(chunk) != chunk.size() || splitter.frameEnded())
            QFAIL(qPrintable(u"the frame ended early, after %1 payload bytes"_s.arg(fed)));
        fed += quint32(chunk.size());
    }
    // All but the last chunk went through: a splitter that kept the payload, or reserved room
    // for the declared length, would hold about 16 MiB now.
    if (before >= 0) {
        const qint64 grown = heapInUse() - before;
        QVERIFY2(grown < 1024 * 1024, qPrintable(u"the heap grew by %1 bytes"_s.arg(grown)));
    }

    QCOMPARE(splitter.payloadLeft(), kLength - fed);
    const QByteArray last = chunk.first(kLength - fed) + next;
    QCOMPARE(splitter.advance(last), qsizetype(kLength - fed));
    QVERIFY(splitter.frameEnded());
    QCOMPARE(splitter.advance(QByteArrayView(last).sliced(kLength - fed)), next.size());
    QVERIFY(splitter.frameEnded());
    QCOMPARE(describe(splitter.frame()), u"PING flags=0x01 s0 len=8"_s);
}

// Which frames the session would trace as `discarded`, report as one header block, or find left
// over when it stops. `reports`: the frames (by index) the parser behind reports; the test then
// does what H2Session does: a header block is taken as a whole (takeUnreported), any other frame
// is marked reported. After each frame finishFrame() says what went unreported.
void H2FrameSplitterTest::unreported_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QList<int>>("reports");
    QTest::addColumn<QStringList>("expected");

    const QByteArray headersOpen = frame(kHeaders, 0, 1, "hh");
    const QByteArray continuationOpen = frame(kContinuation, 0, 1, "cc");
    const QByteArray continuationEnd = frame(kContinuation, kEndHeaders, 1, "ee");
    const QByteArray data = frame(kData, kEndStream, 1, "body");

    QTest::newRow("reported frames") << settings() + ping() << QList<int>{0, 1} << QStringList{};
    QTest::newRow("an ignored frame") << settings() + data << QList<int>{0}
                                      << QStringList{u"discarded: DATA flags=0x01 s1 len=4"_s};
    // nghttp2 reports HEADERS and its CONTINUATIONs as one frame, when the block ends.
    QTest::newRow("header block reported")
        << headersOpen + continuationOpen + continuationEnd + ping() << QList<int>{2, 3}
        << QStringList{u"block: HEADERS flags=0x00 s1 len=2, CONTINUATION flags=0x00 s1 len=2, "
                       u"CONTINUATION flags=0x04 s1 len=2"_s};
    QTest::newRow("header block rejected")
        << headersOpen + continuationEnd << QList<int>{}
        << QStringList{
               u"discarded: HEADERS flags=0x00 s1 len=2, CONTINUATION flags=0x04 s1 len=2"_s};
    QTest::newRow("HEADERS with END_HEADERS")
        << frame(kHeaders, kEndHeaders, 1, "hh") << QList<int>{}
        << QStringList{u"discarded: HEADERS flags=0x04 s1 len=2"_s};
    QTest::newRow("PUSH_PROMISE block held back")
        << frame(kPushPromise, 0, 1, "pppp") << QList<int>{}
        << QStringList{u"left: PUSH_PROMISE flags=0x00 s1 len=4"_s};
    // The session stops mid-block (too many CONTINUATIONs): the block so far is left over.
    QTest::newRow("open block at the end")
        << headersOpen + continuationOpen << QList<int>{}
        << QStringList{u"left: HEADERS flags=0x00 s1 len=2, CONTINUATION flags=0x00 s1 len=2"_s};
    // A frame whose header came but not all its payload: known, and unreported so far.
    QTest::newRow("frame cut short")
        << settings() + frameHeader(100, kGoaway, 0, 0) + "abc" << QList<int>{0}
        << QStringList{u"left: GOAWAY flags=0x00 s0 len=100"_s};
    QTest::newRow("header cut short")
        << settings() + frameHeader(100, kGoaway, 0, 0).first(5) << QList<int>{0} << QStringList{};
}

void H2FrameSplitterTest::unreported()
{
    QFETCH(QByteArray, wire);
    QFETCH(QList<int>, reports);
    QFETCH(QStringList, expected);
    for (const bool bytewise : {false, true}) {
        H2FrameSplitter splitter;
        QStringList log;
        int index = 0;
        const qsizetype chunk = bytewise ? 1 : wire.size();
        for (qsizetype pos = 0; pos < wire.size(); pos += chunk) {
            QByteArrayView rest = QByteArrayView(wire).sliced(pos, qMin(chunk, wire.size() - pos));
            while (!rest.isEmpty()) {
                rest = rest.sliced(splitter.advance(rest));
                if (!splitter.frameEnded())
                    continue;
                if (reports.contains(index)) {
                    const quint8 type = splitter.frame().type;
                    if (type == kHeaders || type == kPushPromise || type == kContinuation)
                        log << u"block: "_s + describe(splitter.takeUnreported());
                    else
                        splitter.markReported();
                }
                if (const QList<H2FrameHeader> discarded = splitter.finishFrame();
                    !discarded.isEmpty())
                    log << u"discarded: "_s + describe(discarded);
                ++index;
            }
        }
        if (const QList<H2FrameHeader> left = splitter.takeUnreported(); !left.isEmpty())
            log << u"left: "_s + describe(left);
        QVERIFY(splitter.takeUnreported().isEmpty()); // taken once
        QCOMPARE(log, expected);
    }
}

QTEST_APPLESS_MAIN(H2FrameSplitterTest)
#include "tst_h2framesplitter.moc"
