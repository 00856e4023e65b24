// hopscope-cli -L/--location, --max-redirs and --location-trusted (issue 13) against a real
// Apache the test starts (tests/support/apachefixture: mod_alias `Redirect` lines and the
// /cgi/redirect CGI). Each hop is its own exchange with its own `req`, the trace's `redirect`
// event links them, only the final body reaches stdout, curl's method rules and exit codes hold.

#include "apachefixture.h"
#include "clirunner.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

// The /cgi/headers echo's line "NAME=value", or an empty string.
QString echoed(const QByteArray &echo, const QByteArray &name)
{
    for (const QByteArray &line : echo.split('\n')) {
        if (line.startsWith(name + '='))
            return QString::fromUtf8(line.mid(name.size() + 1));
    }
    return {};
}

QStringList strings(const QJsonValue &array)
{
    QStringList out;
    for (const QJsonValue &v : array.toArray())
        out << v.toString();
    return out;
}

} // namespace

#define VERIFY_EXIT(result, code)                                                                  \
    do {                                                                                           \
        HOPSCOPE_VERIFY_RAN(result);                                                               \
        QVERIFY2((result).exitCode == (code),                                                      \
                 qPrintable(u"expected exit %1\n"_s.arg(code) + (result).describe()));             \
    } while (false)

class CliRedirectTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void followStatus_data();
    void followStatus();
    void chainOfThree();
    void maxRedirs();
    void loop();
    void notFollowedWithoutL();
    void includeShowsEveryHead();
    void credentialsOnHostChange_data();
    void credentialsOnHostChange();
    void cookieEngineAcrossHops_data();
    void cookieEngineAcrossHops();
    void httpToHttps();
    void badLocation_data();
    void badLocation();
    void harHasEachHop();

private:
    QString url(const QString &path) const { return m_apache.url(false, path); }

    ApacheFixture m_apache;
};

void CliRedirectTest::initTestCase()
{
    const QString cli = CliRunner().program();
    QVERIFY2(!cli.isEmpty(), "HOPSCOPE_CLI is not set: run through CTest");
    QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli + u" is not an executable"_s));
    QVERIFY2(m_apache.start(), qPrintable(m_apache.errorString()));
}

void CliRedirectTest::cleanupTestCase()
{
    m_apache.stop();
}

// One redirect of each status, with and without a body: the method and body the next hop
// carries (seen by the /cgi/headers echo), and the `redirect` event that says so.
void CliRedirectTest::followStatus_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("method"); // of the second hop
    QTest::addColumn<QString>("body");   // what the echo received

    const QStringList post{u"-d"_s, u"a=1"_s};
    QTest::newRow("302 GET") << u"/redirect/302"_s << QStringList() << 302 << u"GET"_s << QString();
    QTest::newRow("302 after POST becomes GET")
        << u"/redirect/302"_s << post << 302 << u"GET"_s << QString();
    QTest::newRow("303 after POST becomes GET")
        << u"/redirect/303"_s << post << 303 << u"GET"_s << QString();
    QTest::newRow("303 after PUT becomes GET")
        << u"/redirect/303"_s << QStringList{u"-X"_s, u"PUT"_s, u"-d"_s, u"x"_s} << 303 << u"GET"_s
        << QString();
    QTest::newRow("307 keeps POST and body")
        << u"/redirect/307"_s << post << 307 << u"POST"_s << u"a=1"_s;
    QTest::newRow("308 keeps POST and body")
        << u"/redirect/308"_s << post << 308 << u"POST"_s << u"a=1"_s;
    QTest::newRow("relative Location")
        << u"/cgi/redirect?307&headers"_s << post << 307 << u"POST"_s << u"a=1"_s;
    QTest::newRow("dot-segments Location")
        << u"/cgi/redirect?303&../cgi/./headers"_s << post << 303 << u"GET"_s << QString();
}

void CliRedirectTest::followStatus()
{
    QFETCH(QString, path);
    QFETCH(QStringList, args);
    QFETCH(int, status);
    QFETCH(QString, method);
    QFETCH(QString, body);
    CliRunner cli;
    const CliResult r = cli.run(QStringList{u"-L"_s, url(path)} + args);
    VERIFY_EXIT(r, 0);
    const QList<QJsonObject> redirects = r.events(u"redirect");
    QCOMPARE(redirects.size(), 1);
    const QJsonObject ev = redirects.first();
    QCOMPARE(ev.value(u"status"_s).toInt(), status);
    QCOMPARE(ev.value(u"req"_s).toInt(), 1);
    QCOMPARE(ev.value(u"next"_s).toInt(), 2);
    QCOMPARE(ev.value(u"hop"_s).toInt(), 1);
    QCOMPARE(ev.value(u"first"_s).toInt(), 1);
    QCOMPARE(ev.value(u"method"_s).toString(), method);
    QCOMPARE(ev.value(u"from"_s).toString(), url(path));
    QCOMPARE(ev.value(u"to"_s).toString(), url(u"/cgi/headers"_s));
    // Two exchanges, each complete, the second's request.start right after the redirect.
    const QList<QJsonObject> starts = r.events(u"request.start");
    QCOMPARE(starts.size(), 2);
    QCOMPARE(starts.at(1).value(u"req"_s).toInt(), 2);
    QCOMPARE(starts.at(1).value(u"method"_s).toString(), method);
    QCOMPARE(r.count(u"response.complete"), 2);
    QCOMPARE(echoed(r.standardOutput, "REQUEST_METHOD"), method);
    QCOMPARE(r.standardOutput.mid(r.standardOutput.indexOf("BODY=") + 5), body.toUtf8());
    if (body.isEmpty()) // a body that was dropped takes its Content-Type with it
        QCOMPARE(echoed(r.standardOutput, "CONTENT_TYPE"), QString());
}

void CliRedirectTest::chainOfThree()
{
    CliRunner cli;
    const CliResult r = cli.run({u"-L"_s, url(u"/chain/3"_s), u"-w"_s,
                                 u"\\n%{num_redirects} %{url_effective} %{url} %{http_code}"_s});
    VERIFY_EXIT(r, 0);
    const QList<QJsonObject> redirects = r.events(u"redirect");
    QCOMPARE(redirects.size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(redirects.at(i).value(u"hop"_s).toInt(), i + 1);
        QCOMPARE(redirects.at(i).value(u"req"_s).toInt(), i + 1);
        QCOMPARE(redirects.at(i).value(u"next"_s).toInt(), i + 2);
        QCOMPARE(redirects.at(i).value(u"first"_s).toInt(), 1);
        QCOMPARE(redirects.at(i).value(u"status"_s).toInt(), 302);
    }
    QCOMPARE(r.count(u"request.start"), 4);
    // Only the final body, then -w once for the user's request.
    QCOMPARE(r.standardOutput, ApacheFixture::smallBody() + "\n3 " + url(u"/small.txt"_s).toUtf8() +
                                   ' ' + url(u"/chain/3"_s).toUtf8() + " 200");
    // One keep-alive connection carries every hop (same origin).
    QCOMPARE(r.count(u"pool.open"), 1);
    QCOMPARE(r.count(u"pool.reuse"), 3);
}

void CliRedirectTest::maxRedirs()
{
    CliRunner cli;
    const CliResult r = cli.run({u"-L"_s, u"--max-redirs"_s, u"2"_s, url(u"/chain/3"_s), u"-w"_s,
                                 u"%{num_redirects} %{redirect_url} %{exitcode}"_s});
    VERIFY_EXIT(r, 47);
    QCOMPARE(r.count(u"redirect"), 2);
    QCOMPARE(r.count(u"request.start"), 3);
    QVERIFY2(r.errorMessage().contains(
                 u"maximum (2) redirects followed: the 302 to %1 was not (--max-redirs 2)"_s.arg(
                     url(u"/small.txt"_s))),
             qPrintable(r.describe()));
    const QJsonObject error = r.first(u"error");
    QCOMPARE(error.value(u"code"_s).toString(), u"too-many-redirects"_s);
    QCOMPARE(error.value(u"req"_s).toInt(), 3);
    // No body (not the last redirect's either); -w tells where it would have gone.
    QCOMPARE(r.standardOutput, "2 " + url(u"/small.txt"_s).toUtf8() + " 47");
}

void CliRedirectTest::loop()
{
    CliRunner cli;
    const CliResult r = cli.run({u"-L"_s, url(u"/loop"_s)});
    VERIFY_EXIT(r, 47);
    QCOMPARE(r.count(u"redirect"), 50); // curl's default --max-redirs with -L
    QVERIFY2(r.errorMessage().contains(u"maximum (50) redirects followed"_s),
             qPrintable(r.describe()));
    QVERIFY(r.standardOutput.isEmpty());
    // --max-redirs -1 is unlimited: the run's --timeout ends it instead.
    const CliResult unlimited =
        cli.run({u"-L"_s, u"--max-redirs"_s, u"-1"_s, u"--timeout"_s, u"1"_s, url(u"/loop"_s)});
    VERIFY_EXIT(unlimited, 28);
    QVERIFY2(unlimited.count(u"redirect") > 50, qPrintable(unlimited.describe()));
}

void CliRedirectTest::notFollowedWithoutL()
{
    CliRunner cli;
    const CliResult r = cli.run(
        {url(u"/cgi/redirect?302&/small.txt"_s), u"-w"_s, u"|%{redirect_url}|%{num_redirects}"_s});
    VERIFY_EXIT(r, 0);
    QCOMPARE(r.count(u"redirect"), 0);
    QCOMPARE(r.standardOutput, "redirect body\n|" + url(u"/small.txt"_s).toUtf8() + "|0");
}

void CliRedirectTest::includeShowsEveryHead()
{
    CliRunner cli;
    const CliResult r = cli.run({u"-L"_s, u"-i"_s, url(u"/cgi/redirect?301&/small.txt"_s)});
    VERIFY_EXIT(r, 0);
    const QByteArray out = r.standardOutput;
    QVERIFY2(out.startsWith("HTTP/1.1 301 Moved Permanently\r\n"), out.constData());
    const qsizetype second = out.indexOf("HTTP/1.1 200 OK\r\n");
    QVERIFY2(second > 0, out.constData());
    QVERIFY2(!out.contains("redirect body"), out.constData()); // the 301's own body
    QVERIFY(out.endsWith("\r\n\r\n" + ApacheFixture::smallBody()));
}

// curl: Authorization and Cookie given by the user go only to the first origin (127.0.0.1 and
// localhost are two hosts), unless --location-trusted.
void CliRedirectTest::credentialsOnHostChange_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("sent");
    const QStringList creds{u"-u"_s, u"me:secret"_s, u"-H"_s, u"Cookie: c=1"_s};
    QTest::newRow("same host") << u"/redirect/302"_s << QStringList{u"-L"_s} + creds << true;
    QTest::newRow("other host") << u"/redirect/otherhost"_s << QStringList{u"-L"_s} + creds
                                << false;
    QTest::newRow("other host, --location-trusted")
        << u"/redirect/otherhost"_s << QStringList{u"--location-trusted"_s} + creds << true;
}

void CliRedirectTest::credentialsOnHostChange()
{
    QFETCH(QString, path);
    QFETCH(QStringList, args);
    QFETCH(bool, sent);
    CliRunner cli;
    const CliResult r = cli.run(args + QStringList{url(path)});
    VERIFY_EXIT(r, 0);
    QCOMPARE(r.count(u"redirect"), 1);
    const QString auth = echoed(r.standardOutput, "HTTP_AUTHORIZATION");
    QCOMPARE(auth, sent ? u"Basic bWU6c2VjcmV0"_s : QString());
    QCOMPARE(echoed(r.standardOutput, "HTTP_COOKIE"), sent ? u"c=1"_s : QString());
    const QStringList dropped = strings(r.first(u"redirect").value(u"dropped"_s));
    QCOMPARE(dropped.contains(u"Authorization"_s), !sent);
    QCOMPARE(dropped.contains(u"Cookie"_s), !sent);
    if (!sent)
        QCOMPARE(r.count(u"pool.open"), 2); // localhost is a new connection
}

// With the cookie engine (-b, -c), the next hop gets the cookies held for its URL, the one the
// redirect itself set included; a host it was not set for gets none.
void CliRedirectTest::cookieEngineAcrossHops_data()
{
    QTest::addColumn<QString>("location");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("cookie");
    QTest::newRow("same host") << u"/cgi/headers"_s << QStringList{u"-b"_s, QString()}
                               << u"hop=1"_s;
    QTest::newRow("no cookie engine") << u"/cgi/headers"_s << QStringList() << QString();
    QTest::newRow("other host") << url(u"/cgi/headers"_s).replace(u"127.0.0.1"_s, u"localhost"_s)
                                << QStringList{u"-b"_s, QString()} << QString();
}

void CliRedirectTest::cookieEngineAcrossHops()
{
    QFETCH(QString, location);
    QFETCH(QStringList, args);
    QFETCH(QString, cookie);
    CliRunner cli;
    const CliResult r =
        cli.run(QStringList{u"-L"_s, url(u"/cgi/redirect?302&"_s + location)} + args);
    VERIFY_EXIT(r, 0);
    QCOMPARE(r.count(u"redirect"), 1);
    QCOMPARE(echoed(r.standardOutput, "HTTP_COOKIE"), cookie);
}

void CliRedirectTest::httpToHttps()
{
    CliRunner cli;
    const CliResult r = cli.run({u"-L"_s, u"--cacert"_s, m_apache.caFile(), url(u"/redirect/tls"_s),
                                 u"-w"_s, u"\\n%{url_effective}"_s});
    VERIFY_EXIT(r, 0);
    QCOMPARE(r.count(u"redirect"), 1);
    QVERIFY(!r.first(u"redirect").contains(u"downgrade"_s));
    QCOMPARE(r.count(u"pool.open"), 2);
    QCOMPARE(r.count(u"tls"), 1);
    const QString tlsUrl = m_apache.url(true, u"/small.txt"_s);
    QCOMPARE(r.standardOutput, ApacheFixture::smallBody() + '\n' + tlsUrl.toUtf8());
    // And back down: https → http is followed, and the trace says it is a downgrade.
    const CliResult down =
        cli.run({u"-L"_s, u"--cacert"_s, m_apache.caFile(),
                 m_apache.url(true, u"/cgi/redirect?302&"_s + url(u"/small.txt"_s))});
    VERIFY_EXIT(down, 0);
    QCOMPARE(down.first(u"redirect").value(u"downgrade"_s).toBool(), true);
    QCOMPARE(down.standardOutput, ApacheFixture::smallBody());
}

void CliRedirectTest::badLocation_data()
{
    QTest::addColumn<QString>("location");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("code");
    QTest::newRow("unsupported scheme") << u"ftp://127.0.0.1/x"_s << 1 << u"redirect-scheme"_s;
    QTest::newRow("bad port") << u"http://127.0.0.1:99999/"_s << 3 << u"redirect-url"_s;
    QTest::newRow("no host") << u"http:///x"_s << 3 << u"redirect-url"_s;
}

void CliRedirectTest::badLocation()
{
    QFETCH(QString, location);
    QFETCH(int, exitCode);
    QFETCH(QString, code);
    CliRunner cli;
    const CliResult r = cli.run({u"-L"_s, url(u"/cgi/redirect?302&"_s + location)});
    VERIFY_EXIT(r, exitCode);
    QCOMPARE(r.count(u"redirect"), 0);
    QCOMPARE(r.count(u"request.start"), 1);
    QCOMPARE(r.first(u"error"_s).value(u"code"_s).toString(), code);
    QCOMPARE(r.first(u"request.failed"_s).value(u"code"_s).toString(), code);
    QVERIFY(r.standardOutput.isEmpty());
}

void CliRedirectTest::harHasEachHop()
{
    CliRunner cli;
    const QString har = cli.scratchPath(u"redirect.har"_s);
    const CliResult r = cli.run({u"-L"_s, u"--har"_s, har, url(u"/chain/1"_s)});
    VERIFY_EXIT(r, 0);
    QFile file(har);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonArray entries =
        QJsonDocument::fromJson(file.readAll()).object()[u"log"_s][u"entries"_s].toArray();
    QCOMPARE(entries.size(), 2);
    const QJsonObject first = entries.at(0).toObject();
    QCOMPARE(first[u"response"_s][u"status"_s].toInt(), 302);
    QCOMPARE(first[u"response"_s][u"redirectURL"_s].toString(), url(u"/small.txt"_s));
    const QJsonObject last = entries.at(1).toObject();
    QCOMPARE(last[u"request"_s][u"url"_s].toString(), url(u"/small.txt"_s));
    QCOMPARE(last[u"response"_s][u"redirectURL"_s].toString(), QString());
    QCOMPARE(last[u"response"_s][u"content"_s][u"text"_s].toString(),
             QString::fromUtf8(ApacheFixture::smallBody()));
}

QTEST_GUILESS_MAIN(CliRedirectTest)
#include "tst_cli_redirect.moc"
