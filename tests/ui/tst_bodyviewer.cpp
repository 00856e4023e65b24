// BodyViewer: the mode picked from the Content-Type (or the bytes), pretty JSON that keeps key
// order, invalid JSON falling back to text, the hex dump model (under
// QAbstractItemModelTester), images with their size, decoded vs wire bytes, truncation, the
// request body, and the placeholders for no body and a body still to come.

#include "session/sessionstore.h"
#include "widgets/bodyviewer.h"

#include "tracefixture.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QCborArray>
#include <QComboBox>
#include <QImage>
#include <QSignalSpy>
#include <QtTest>

using namespace hopscope;
using hopscope::testing::fields;
using hopscope::testing::makeEvent;

namespace {

using Mode = BodyViewer::Mode;

QByteArray pngBytes(int width, int height)
{
    QImage image(width, height, QImage::Format_ARGB32);
    image.fill(Qt::red);
    QByteArray out;
    QBuffer buffer(&out);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return out;
}

QByteArray gzipHello()
{
    // gzip.compress(b"hello, gzip world\n", mtime=0)
    return QByteArray::fromHex(
        "1f8b0800000000000203cb48cdc9c9d75148afca2c5028cf2fca49e10200e07b8d0512000000");
}

// An HTTP/1.1 exchange, req 1; complete unless `running`. `wireBytes` goes to
// response.complete's bytes (-1: the wire body's size).
void addExchange(SessionStore &store, const QByteArray &requestContentType = {},
                 bool running = false, qint64 wireBytes = 0, bool failed = false)
{
    QCborArray requestHeaders{QCborArray{"Host", "h"}};
    if (!requestContentType.isEmpty())
        requestHeaders.append(QCborArray{"Content-Type", QString::fromLatin1(requestContentType)});
    TraceBatch events;
    events.append(makeEvent(1, 0, "request.start", {0, 1, -1}, Direction::None,
                            fields({{"method", "POST"}, {"url", "http://h/x"}})));
    events.append(makeEvent(2, 1, "h1.request", {1, 1, -1}, Direction::Out,
                            fields({{"method", "POST"},
                                    {"target", "/x"},
                                    {"version", "HTTP/1.1"},
                                    {"headers", requestHeaders}})));
    if (failed)
        events.append(makeEvent(3, 5, "request.failed", {1, 1, -1}, Direction::None,
                                fields({{"error", "no byte for 60 s"}, {"code", "timeout"}})));
    else if (!running)
        events.append(
            makeEvent(3, 5, "response.complete", {1, 1, -1}, Direction::None,
                      fields({{"status", 200}, {"bytes", wireBytes}, {"protocol", "http/1.1"}})));
    store.append(events);
}

ExchangeBody makeBody(const QByteArray &contentType, const QByteArray &decoded,
                      const QByteArray &wire = {}, const QByteArray &encoding = {})
{
    ExchangeBody body;
    body.req = 1;
    body.contentType = contentType;
    body.contentEncoding = encoding;
    body.decoded = decoded;
    body.wire = encoding.isEmpty() ? decoded : wire;
    return body;
}

} // namespace

class TestBodyViewer : public QObject
{
    Q_OBJECT

private slots:
    void autoMode_data();
    void autoMode();
    void prettyJsonKeepsOrder();
    void prettyJsonLines();
    void invalidJsonFallsBackToText();
    void hexRows_data();
    void hexRows();
    void imageShowsSize();
    void undecodableImageFallsBackToHex();
    void gzipDecodedVsWire();
    void noEncodingDisablesWireToggle();
    void truncatedBody();
    void placeholders();
    void bodyArrivesLater();
    void requestBody();
    void userModeSticksUntilAnotherExchange();
};

void TestBodyViewer::autoMode_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<Mode>("mode");

    QTest::newRow("json") << QByteArray("application/json") << QByteArray("{}") << Mode::Json;
    QTest::newRow("problem+json") << QByteArray("application/problem+json; charset=utf-8")
                                  << QByteArray("{}") << Mode::Json;
    QTest::newRow("ndjson") << QByteArray("application/x-ndjson") << QByteArray("{}\n{}\n")
                            << Mode::Json;
    QTest::newRow("text") << QByteArray("text/plain; charset=utf-8") << QByteArray("hi")
                          << Mode::Text;
    QTest::newRow("html") << QByteArray("text/html") << QByteArray("<p>") << Mode::Text;
    QTest::newRow("svg is text") << QByteArray("image/svg+xml") << QByteArray("<svg/>")
                                 << Mode::Text;
    QTest::newRow("png") << QByteArray("image/png") << pngBytes(2, 2) << Mode::Image;
    QTest::newRow("octets") << QByteArray("application/octet-stream")
                            << QByteArray("\x00\x01\x41\x42", 4) << Mode::Hex;
    QTest::newRow("octets that are text")
        << QByteArray("application/octet-stream") << QByteArray("plain words\n") << Mode::Text;
    QTest::newRow("sniffed png") << QByteArray() << pngBytes(2, 2) << Mode::Image;
    QTest::newRow("sniffed json") << QByteArray() << QByteArray(" {\"a\": 1}") << Mode::Json;
    QTest::newRow("sniffed broken json is text")
        << QByteArray() << QByteArray("{\"a\": ") << Mode::Text;
    QTest::newRow("gzip bytes") << QByteArray() << gzipHello() << Mode::Hex;
}

void TestBodyViewer::autoMode()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, bytes);
    QFETCH(Mode, mode);
    QCOMPARE(BodyViewer::modeFor(contentType, bytes), mode);

    SessionStore store;
    addExchange(store, {}, false, bytes.size());
    store.addBody(makeBody(contentType, bytes));
    BodyViewer viewer(&store);
    viewer.setExchange(1);
    QVERIFY(viewer.hasBody());
    QCOMPARE(viewer.mode(), mode);
    QCOMPARE(viewer.currentBytes(), bytes);
}

void TestBodyViewer::prettyJsonKeepsOrder()
{
    const QByteArray json = R"({"b":1,"a":[1,2.50],"c":{},"d":"x,{y}:\"z\"","e":[]})";
    SessionStore store;
    addExchange(store, {}, false, json.size());
    store.addBody(makeBody("application/json", json));
    BodyViewer viewer(&store);
    viewer.setExchange(1);
    QCOMPARE(viewer.mode(), Mode::Json);
    QCOMPARE(viewer.messageText(), QString());
    QCOMPARE(viewer.displayedText(), QStringLiteral("{\n"
                                                    "    \"b\": 1,\n"
                                                    "    \"a\": [\n"
                                                    "        1,\n"
                                                    "        2.50\n"
                                                    "    ],\n"
                                                    "    \"c\": {},\n"
                                                    "    \"d\": \"x,{y}:\\\"z\\\"\",\n"
                                                    "    \"e\": []\n"
                                                    "}"));
    viewer.setMode(Mode::Text);
    QCOMPARE(viewer.displayedText(), QString::fromUtf8(json));
}

void TestBodyViewer::prettyJsonLines()
{
    QCOMPARE(BodyViewer::prettyJson("{\"n\":1}\n{\"n\":2}\n"),
             QStringLiteral("{\n    \"n\": 1\n}\n{\n    \"n\": 2\n}"));
}

void TestBodyViewer::invalidJsonFallsBackToText()
{
    const QByteArray broken = "{\"a\": [1, 2";
    SessionStore store;
    addExchange(store, {}, false, broken.size());
    store.addBody(makeBody("application/json", broken));
    BodyViewer viewer(&store);
    viewer.setExchange(1);
    QCOMPARE(viewer.mode(), Mode::Json); // what was asked for stays selected
    QVERIFY2(viewer.messageText().startsWith(QLatin1String("Not valid JSON")),
             qPrintable(viewer.messageText()));
    QCOMPARE(viewer.displayedText(), QString::fromUtf8(broken));
    QString error;
    QVERIFY(BodyViewer::prettyJson(broken, &error).isNull());
    QVERIFY(error.contains(QLatin1String("offset")));
}

void TestBodyViewer::hexRows_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QStringList>("offsets");
    QTest::addColumn<QStringList>("hex");
    QTest::addColumn<QStringList>("ascii");

    QTest::newRow("four bytes") << QByteArray("\x00\x01"
                                              "AB",
                                              4)
                                << QStringList{"00000000"} << QStringList{"00 01 41 42"}
                                << QStringList{"..AB"};
    QByteArray twenty;
    for (int i = 0; i < 20; ++i)
        twenty.append(char(0x30 + i));
    QTest::newRow("two rows") << twenty << QStringList{"00000000", "00000010"}
                              << QStringList{"30 31 32 33 34 35 36 37  38 39 3a 3b 3c 3d 3e 3f",
                                             "40 41 42 43"}
                              << QStringList{"0123456789:;<=>?", "@ABC"};
    QTest::newRow("high bytes") << QByteArray("\x7f\x80\xff\x20", 4) << QStringList{"00000000"}
                                << QStringList{"7f 80 ff 20"} << QStringList{"... "};
}

void TestBodyViewer::hexRows()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QStringList, offsets);
    QFETCH(QStringList, hex);
    QFETCH(QStringList, ascii);

    SessionStore store;
    addExchange(store, {}, false, bytes.size());
    store.addBody(makeBody("application/octet-stream", bytes));
    BodyViewer viewer(&store);
    QAbstractItemModelTester tester(viewer.hexModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    viewer.setExchange(1);
    viewer.setMode(Mode::Hex);
    const HexBytesModel *model = viewer.hexModel();
    QCOMPARE(model->rowCount(), offsets.size());
    QCOMPARE(model->columnCount(), 3);
    for (int row = 0; row < offsets.size(); ++row) {
        QCOMPARE(model->index(row, HexBytesModel::OffsetColumn).data().toString(), offsets.at(row));
        QCOMPARE(model->index(row, HexBytesModel::HexColumn).data().toString(), hex.at(row));
        QCOMPARE(model->index(row, HexBytesModel::AsciiColumn).data().toString(), ascii.at(row));
    }
    viewer.setMode(Mode::Text); // the hex model lets go of the bytes
    QCOMPARE(model->rowCount(), 0);
}

void TestBodyViewer::imageShowsSize()
{
    const QByteArray png = pngBytes(7, 5);
    SessionStore store;
    addExchange(store, {}, false, png.size());
    store.addBody(makeBody("image/png", png));
    BodyViewer viewer(&store);
    viewer.setExchange(1);
    QCOMPARE(viewer.mode(), Mode::Image);
    QCOMPARE(viewer.image().size(), QSize(7, 5));
    QCOMPARE(viewer.imageFormat(), QByteArray("png"));
    QVERIFY2(viewer.statusText().contains(QStringLiteral("PNG image, 7 × 5 px")),
             qPrintable(viewer.statusText()));
    QVERIFY(viewer.statusText().startsWith(QStringLiteral("%1 bytes").arg(png.size())));
}

void TestBodyViewer::undecodableImageFallsBackToHex()
{
    const QByteArray notPng("\x89PNG\r\n\x1a\n-broken-", 17);
    SessionStore store;
    addExchange(store, {}, false, notPng.size());
    store.addBody(makeBody("image/png", notPng));
    BodyViewer viewer(&store);
    viewer.setExchange(1);
    QCOMPARE(viewer.mode(), Mode::Image);
    QVERIFY(viewer.image().isNull());
    QVERIFY(viewer.messageText().startsWith(QLatin1String("Not an image Qt can decode")));
    QCOMPARE(viewer.hexModel()->rowCount(), 2);
}

void TestBodyViewer::gzipDecodedVsWire()
{
    const QByteArray plain = "hello, gzip world\n";
    SessionStore store;
    addExchange(store, {}, false, gzipHello().size());
    store.addBody(makeBody("text/plain", plain, gzipHello(), "gzip"));
    BodyViewer viewer(&store);
    viewer.setExchange(1);
    QVERIFY(viewer.canShowWire());
    QVERIFY(!viewer.showWire());
    QCOMPARE(viewer.mode(), Mode::Text);
    QCOMPARE(viewer.displayedText(), QString::fromUtf8(plain));
    QVERIFY2(viewer.statusText().contains(QLatin1String("decoded from gzip")),
             qPrintable(viewer.statusText()));
    auto *encodingBox = viewer.findChild<QComboBox *>(QStringLiteral("encodingBox"));
    QVERIFY(encodingBox->isEnabled());
    QVERIFY(encodingBox->toolTip().contains(QLatin1String("gzip")));

    viewer.setShowWire(true);
    QVERIFY(viewer.showWire());
    QCOMPARE(viewer.currentBytes(), gzipHello());
    QCOMPARE(viewer.mode(), Mode::Hex); // compressed bytes are no text
    QVERIFY(viewer.hexModel()
                ->index(0, HexBytesModel::HexColumn)
                .data()
                .toString()
                .startsWith(QLatin1String("1f 8b 08")));
    QVERIFY2(viewer.statusText().startsWith(
                 QStringLiteral("%1 bytes · gzip as on the wire").arg(gzipHello().size())),
             qPrintable(viewer.statusText()));
    QCOMPARE(encodingBox->currentIndex(), 1);

    viewer.setShowWire(false);
    QCOMPARE(viewer.currentBytes(), plain);
}

void TestBodyViewer::noEncodingDisablesWireToggle()
{
    SessionStore store;
    addExchange(store, {}, false, 2);
    store.addBody(makeBody("text/plain", "hi"));
    BodyViewer viewer(&store);
    viewer.setExchange(1);
    QVERIFY(!viewer.canShowWire());
    viewer.setShowWire(true); // asked for, but there is nothing else to show
    QVERIFY(!viewer.showWire());
    QCOMPARE(viewer.currentBytes(), QByteArray("hi"));
    auto *encodingBox = viewer.findChild<QComboBox *>(QStringLiteral("encodingBox"));
    QVERIFY(!encodingBox->isEnabled());
    QVERIFY(encodingBox->toolTip().contains(QLatin1String("no Content-Encoding")));
    QCOMPARE(viewer.statusText(), QStringLiteral("2 bytes · text/plain"));
}

void TestBodyViewer::truncatedBody()
{
    const QByteArray kept(1024 * 1024, 'x');
    SessionStore store;
    addExchange(store, {}, false, 5'000'000);
    ExchangeBody body = makeBody("text/plain", kept);
    body.wireTruncated = body.decodedTruncated = true;
    store.addBody(body);
    BodyViewer viewer(&store);
    viewer.setExchange(1);
    QVERIFY2(viewer.statusText().startsWith(QLatin1String("5000000 bytes (truncated after 1 MiB)")),
             qPrintable(viewer.statusText()));
    viewer.setMode(Mode::Hex);
    QCOMPARE(viewer.hexModel()->rowCount(), 65536);
    QCOMPARE(viewer.hexModel()->index(65535, 0).data().toString(), QStringLiteral("000ffff0"));
}

void TestBodyViewer::placeholders()
{
    {
        SessionStore store;
        BodyViewer viewer(&store);
        QCOMPARE(viewer.messageText(), QStringLiteral("No exchange selected."));
    }
    {
        SessionStore store;
        addExchange(store, {}, /*running*/ true);
        BodyViewer viewer(&store);
        viewer.setExchange(1);
        QVERIFY(!viewer.hasBody());
        QCOMPARE(viewer.messageText(), QStringLiteral("Waiting for the response…"));
    }
    {
        SessionStore store;
        addExchange(store, {}, false, 0);
        store.addBody(makeBody("text/plain", {}));
        BodyViewer viewer(&store);
        viewer.setExchange(1);
        QVERIFY(!viewer.hasBody());
        QCOMPARE(viewer.messageText(), QStringLiteral("No body."));
        QCOMPARE(viewer.statusText(), QString());
    }
    {
        SessionStore store;
        addExchange(store, {}, false, 0, /*failed*/ true);
        BodyViewer viewer(&store);
        viewer.setExchange(1);
        QCOMPARE(viewer.messageText(), QStringLiteral("No body: the request failed (timeout)."));
    }
    {
        SessionStore store;
        store.append(testing::loadJsonLines(testing::tourTracePath()));
        BodyViewer viewer(&store);
        viewer.setExchange(6); // the WebSocket
        QVERIFY(viewer.messageText().contains(QLatin1String("WebSocket session")));
        viewer.setExchange(7);
        QVERIFY(viewer.messageText().contains(QLatin1String("raw tunnel")));
    }
}

void TestBodyViewer::bodyArrivesLater()
{
    SessionStore store;
    addExchange(store, {}, true);
    BodyViewer viewer(&store);
    viewer.setExchange(1);
    QCOMPARE(viewer.messageText(), QStringLiteral("Waiting for the response…"));
    store.append({makeEvent(10, 9, "response.complete", {1, 1, -1}, Direction::None,
                            fields({{"status", 200}, {"bytes", 9}, {"protocol", "http/1.1"}}))});
    QCOMPARE(viewer.messageText(), QStringLiteral("Waiting for the body…"));
    QSignalSpy modes(&viewer, &BodyViewer::modeChanged);
    store.addBody(makeBody("application/json", "{\"ok\":1}"));
    QVERIFY(viewer.hasBody());
    QCOMPARE(viewer.mode(), Mode::Json);
    QCOMPARE(modes.size(), 1);
    QCOMPARE(viewer.displayedText(), QStringLiteral("{\n    \"ok\": 1\n}"));
}

void TestBodyViewer::requestBody()
{
    SessionStore store;
    addExchange(store, "application/json", false, 2);
    ExchangeBody body = makeBody("text/plain", "ok");
    body.requestBody = "[1,2]";
    store.addBody(body);
    BodyViewer viewer(&store);
    viewer.setExchange(1);
    QCOMPARE(viewer.currentBytes(), QByteArray("ok"));
    viewer.setPart(BodyViewer::Part::Request);
    QCOMPARE(viewer.currentBytes(), QByteArray("[1,2]"));
    QCOMPARE(viewer.mode(), Mode::Json); // from the request's own Content-Type
    QCOMPARE(viewer.displayedText(), QStringLiteral("[\n    1,\n    2\n]"));
    QCOMPARE(viewer.statusText(), QStringLiteral("5 bytes · application/json"));
    QVERIFY(!viewer.canShowWire());

    ExchangeBody none = makeBody("text/plain", "ok");
    store.addBody(none);
    QCOMPARE(viewer.messageText(), QStringLiteral("No request body."));
}

void TestBodyViewer::userModeSticksUntilAnotherExchange()
{
    SessionStore store;
    addExchange(store, {}, false, 2);
    store.addBody(makeBody("application/json", "{}"));
    BodyViewer viewer(&store);
    viewer.setExchange(1);
    QCOMPARE(viewer.mode(), Mode::Json);
    viewer.setMode(Mode::Hex);
    store.addBody(makeBody("application/json", "[]")); // a refresh keeps the user's pick
    QCOMPARE(viewer.mode(), Mode::Hex);
    viewer.setExchange(0);
    viewer.setExchange(1); // another selection: auto again
    QCOMPARE(viewer.mode(), Mode::Json);
}

QTEST_MAIN(TestBodyViewer)
#include "tst_bodyviewer.moc"
