// The HTTP/1.1 request head: curl-like defaults, user overrides and removals, framing, and the
// exact bytes on the wire.
#include "http1/http1requestwriter.h"

#include <QTest>

using namespace hopscope;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(hopscope::HeaderList)

class Http1RequestWriterTest : public QObject
{
    Q_OBJECT

private slots:
    void heads_data();
    void heads();
    void exactBytes();
    void upgradeOfferHeadersGoLast();
};

void Http1RequestWriterTest::heads_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<HeaderList>("user");
    QTest::addColumn<qint64>("bodyLength");
    QTest::addColumn<bool>("compressed");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<HeaderList>("expected");
    const HttpHeader ua{"User-Agent", "hopscope/" HOPSCOPE_VERSION};
    const HttpHeader accept{"Accept", "*/*"};
    QTest::newRow("defaults") << u"http://example.test/a/b?x=1"_s << HeaderList{} << qint64(0)
                              << false << QByteArray("/a/b?x=1")
                              << HeaderList{{"Host", "example.test"}, ua, accept};
    QTest::newRow("port and empty path")
        << u"http://example.test:8080"_s << HeaderList{} << qint64(0) << false << QByteArray("/")
        << HeaderList{{"Host", "example.test:8080"}, ua, accept};
    QTest::newRow("default https port")
        << u"https://example.test:443/"_s << HeaderList{} << qint64(0) << false << QByteArray("/")
        << HeaderList{{"Host", "example.test"}, ua, accept};
    QTest::newRow("ipv6") << u"http://[::1]:81/"_s << HeaderList{} << qint64(0) << false
                          << QByteArray("/") << HeaderList{{"Host", "[::1]:81"}, ua, accept};
    QTest::newRow("override keeps place and case")
        << u"http://h/"_s << HeaderList{{"accept", "text/plain"}, {"X-Mine", "1"}} << qint64(0)
        << false << QByteArray("/")
        << HeaderList{{"Host", "h"}, ua, {"accept", "text/plain"}, {"X-Mine", "1"}};
    QTest::newRow("empty value removes")
        << u"http://h/"_s << HeaderList{{"User-Agent", ""}} << qint64(0) << false << QByteArray("/")
        << HeaderList{{"Host", "h"}, accept};
    QTest::newRow("body gets Content-Length")
        << u"http://h/"_s << HeaderList{} << qint64(5) << false << QByteArray("/")
        << HeaderList{{"Host", "h"}, ua, accept, {"Content-Length", "5"}};
    QTest::newRow("user framing wins")
        << u"http://h/"_s << HeaderList{{"Transfer-Encoding", "chunked"}} << qint64(5) << false
        << QByteArray("/")
        << HeaderList{{"Host", "h"}, ua, accept, {"Transfer-Encoding", "chunked"}};
    QTest::newRow("compressed")
        << u"http://h/"_s << HeaderList{} << qint64(0) << true << QByteArray("/")
        << HeaderList{{"Host", "h"}, ua, accept, {"Accept-Encoding", "gzip, deflate, br, zstd"}};
    QTest::newRow("encoded path") << u"http://h/a%20b/%C3%A9"_s << HeaderList{} << qint64(0)
                                  << false << QByteArray("/a%20b/%C3%A9")
                                  << HeaderList{{"Host", "h"}, ua, accept};
}

void Http1RequestWriterTest::heads()
{
    QFETCH(QString, url);
    QFETCH(HeaderList, user);
    QFETCH(qint64, bodyLength);
    QFETCH(bool, compressed);
    QFETCH(QByteArray, target);
    QFETCH(HeaderList, expected);
    RequestSpec spec;
    spec.url = QUrl(url);
    spec.headers = user;
    spec.decodeContent = compressed;
    const Http1RequestHead head = Http1RequestWriter::build(spec, bodyLength);
    QCOMPARE(head.method, QByteArray("GET"));
    QCOMPARE(head.target, target);
    QCOMPARE(head.headers, expected);
}

void Http1RequestWriterTest::exactBytes()
{
    RequestSpec spec;
    spec.method = "POST";
    spec.url = QUrl(u"http://h:1/p"_s);
    spec.headers = {{"User-Agent", ""}, {"Accept", ""}};
    const Http1RequestHead head = Http1RequestWriter::build(spec, 3);
    QCOMPARE(head.bytes, QByteArray("POST /p HTTP/1.1\r\nHost: h:1\r\nContent-Length: 3\r\n\r\n"));
}

void Http1RequestWriterTest::upgradeOfferHeadersGoLast()
{
    RequestSpec spec;
    spec.url = QUrl(u"http://h/"_s);
    spec.targetOverride = "*";
    spec.method = "OPTIONS";
    const Http1RequestHead head = Http1RequestWriter::build(
        spec, 0, {{"Connection", "Upgrade, HTTP2-Settings"}, {"Upgrade", "h2c"}});
    QCOMPARE(head.target, QByteArray("*"));
    QCOMPARE(head.headers.size(), 5);
    QCOMPARE(head.headers.at(3), (HttpHeader{"Connection", "Upgrade, HTTP2-Settings"}));
    QCOMPARE(head.headers.at(4), (HttpHeader{"Upgrade", "h2c"}));
    QVERIFY(head.bytes.startsWith("OPTIONS * HTTP/1.1\r\n"));
}

QTEST_GUILESS_MAIN(Http1RequestWriterTest)
#include "tst_http1requestwriter.moc"
