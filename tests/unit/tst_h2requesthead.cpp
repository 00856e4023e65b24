// The HTTP/2 request header list: pseudo-headers first and in order, names lower-cased,
// connection-specific fields dropped, Host as :authority, and the HTTP/1.1 writer's defaults and
// override rules (an empty value removes a default).

#include "http2/h2requesthead.h"

#include <QTest>

using namespace hopscope;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(hopscope::HeaderList)

class H2RequestHeadTest : public QObject
{
    Q_OBJECT

private slots:
    void build_data();
    void build();
    void isConnectionSpecific_data();
    void isConnectionSpecific();
};

void H2RequestHeadTest::build_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("url");
    QTest::addColumn<HeaderList>("user");
    QTest::addColumn<QByteArray>("targetOverride");
    QTest::addColumn<qint64>("bodySize");
    QTest::addColumn<HeaderList>("expected");

    const HttpHeader ua{"user-agent", "hopscope/" HOPSCOPE_VERSION};
    const HttpHeader accept{"accept", "*/*"};

    QTest::newRow("defaults") << QByteArray("GET") << u"http://example.test/a/b?x=1"_s
                              << HeaderList{} << QByteArray() << qint64(0)
                              << HeaderList{{":method", "GET"},
                                            {":scheme", "http"},
                                            {":authority", "example.test"},
                                            {":path", "/a/b?x=1"},
                                            ua,
                                            accept};
    QTest::newRow("https with a port and no path")
        << QByteArray("GET") << u"https://example.test:8443"_s << HeaderList{} << QByteArray()
        << qint64(0)
        << HeaderList{{":method", "GET"},
                      {":scheme", "https"},
                      {":authority", "example.test:8443"},
                      {":path", "/"},
                      ua,
                      accept};
    // RFC 9113 §8.2.2: a request with any of these is malformed; Host is carried by :authority.
    QTest::newRow("connection-specific dropped")
        << QByteArray("GET") << u"http://example.test/"_s
        << HeaderList{{"Connection", "keep-alive"},       {"Keep-Alive", "timeout=5"},
                      {"Proxy-Connection", "keep-alive"}, {"Transfer-Encoding", "chunked"},
                      {"Upgrade", "websocket"},           {"X-Kept", "1"}}
        << QByteArray() << qint64(0) << HeaderList{{":method", "GET"},
                                                   {":scheme", "http"},
                                                   {":authority", "example.test"},
                                                   {":path", "/"},
                                                   ua,
                                                   accept,
                                                   {"x-kept", "1"}};
    QTest::newRow("user Host becomes :authority")
        << QByteArray("GET") << u"http://example.test/"_s << HeaderList{{"HOST", "other.test:81"}}
        << QByteArray() << qint64(0)
        << HeaderList{{":method", "GET"},
                      {":scheme", "http"},
                      {":authority", "other.test:81"},
                      {":path", "/"},
                      ua,
                      accept};
    QTest::newRow("empty Host removes :authority")
        << QByteArray("GET") << u"http://example.test/"_s << HeaderList{{"Host", ""}}
        << QByteArray() << qint64(0)
        << HeaderList{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, ua, accept};
    QTest::newRow("names lower-cased, values kept")
        << QByteArray("GET") << u"http://example.test/"_s
        << HeaderList{{"X-Mixed-Case", "Value With CAPS"}, {"ACCEPT", "Text/HTML"}} << QByteArray()
        << qint64(0)
        << HeaderList{{":method", "GET"},
                      {":scheme", "http"},
                      {":authority", "example.test"},
                      {":path", "/"},
                      ua,
                      {"accept", "Text/HTML"},
                      {"x-mixed-case", "Value With CAPS"}};
    QTest::newRow("empty value removes a default")
        << QByteArray("GET") << u"http://example.test/"_s
        << HeaderList{{"Accept", ""}, {"User-Agent", ""}} << QByteArray() << qint64(0)
        << HeaderList{{":method", "GET"},
                      {":scheme", "http"},
                      {":authority", "example.test"},
                      {":path", "/"}};
    QTest::newRow("body gets content-length")
        << QByteArray("POST") << u"http://example.test/upload"_s
        << HeaderList{{"Content-Type", "text/plain"}} << QByteArray() << qint64(5)
        << HeaderList{{":method", "POST"},
                      {":scheme", "http"},
                      {":authority", "example.test"},
                      {":path", "/upload"},
                      ua,
                      accept,
                      {"content-type", "text/plain"},
                      {"content-length", "5"}};
    QTest::newRow("target override") << QByteArray("OPTIONS") << u"http://example.test/x"_s
                                     << HeaderList{} << QByteArray("*") << qint64(0)
                                     << HeaderList{{":method", "OPTIONS"},
                                                   {":scheme", "http"},
                                                   {":authority", "example.test"},
                                                   {":path", "*"},
                                                   ua,
                                                   accept};
}

void H2RequestHeadTest::build()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, url);
    QFETCH(HeaderList, user);
    QFETCH(QByteArray, targetOverride);
    QFETCH(qint64, bodySize);
    QFETCH(HeaderList, expected);
    RequestSpec spec;
    spec.method = method;
    spec.url = QUrl(url);
    spec.headers = user;
    spec.targetOverride = targetOverride;
    const HeaderList fields = H2RequestHead::build(spec, bodySize);
    QStringList got;
    for (const HttpHeader &h : fields)
        got << QString::fromLatin1(h.name + ": " + h.value);
    QStringList want;
    for (const HttpHeader &h : expected)
        want << QString::fromLatin1(h.name + ": " + h.value);
    QCOMPARE(got, want);
}

void H2RequestHeadTest::isConnectionSpecific_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<bool>("specific");
    for (const char *name : {"connection", "Connection", "KEEP-ALIVE", "proxy-connection",
                             "Transfer-Encoding", "upgrade", "Host"})
        QTest::newRow(name) << QByteArray(name) << true;
    for (const char *name : {"x-connection", "connections", "hostname", "upgrade-insecure-requests",
                             "te", "content-length", ""})
        QTest::newRow(*name ? name : "(empty)") << QByteArray(name) << false;
}

void H2RequestHeadTest::isConnectionSpecific()
{
    QFETCH(QByteArray, name);
    QFETCH(bool, specific);
    QCOMPARE(H2RequestHead::isConnectionSpecific(name), specific);
}

QTEST_APPLESS_MAIN(H2RequestHeadTest)
#include "tst_h2requesthead.moc"
