// hopscope-cli against a real Apache httpd (mod_http2, mod_ssl), cleartext and TLS: the HTTP/1.1
// behaviour of issue 2 checked through the CLI's exit code, output files and JSON-lines trace.

#include "apachefixture.h"
#include "clirunner.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

// Peak memory allowed while a 64 MiB body streams to disk: enough for Qt, TLS and buffers,
// far too little to hold the body.
constexpr qint64 largeBodyRssLimitKiB = 80 * 1024;

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<missing file>");
}

QByteArray fileSha256(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return "<missing file>";
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result().toHex();
}

// The value of a header in an h1.request / h1.response event ([[name, value], ...]), matched
// case-insensitively as HTTP does; a null QString when absent.
QString headerValue(const QJsonObject &event, QStringView name)
{
    for (const QJsonValue &pair : event.value(QLatin1String("headers")).toArray()) {
        const QJsonArray nameValue = pair.toArray();
        if (nameValue.at(0).toString().compare(name, Qt::CaseInsensitive) == 0)
            return nameValue.at(1).toString();
    }
    return {};
}

QString str(const QJsonObject &event, const char *key)
{
    return event.value(QLatin1String(key)).toString();
}

qint64 num(const QJsonObject &event, const char *key)
{
    return event.value(QLatin1String(key)).toInteger(-1);
}

} // namespace

// Successful runs: the CLI ran, exited 0 and said nothing about an error.
#define VERIFY_SUCCESS(result)                                                                     \
    do {                                                                                           \
        HOPSCOPE_VERIFY_RAN(result);                                                               \
        QVERIFY2((result).exitCode == 0, qPrintable((result).describe()));                         \
        QVERIFY2(!(result).standardError.contains("hopscope-cli: error:"),                         \
                 qPrintable((result).describe()));                                                 \
        QVERIFY2(!(result).has(u"request.failed"), qPrintable((result).describe()));               \
    } while (false)

class CliApacheTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void keepAliveReuse_data() { addTlsRows(); }
    void keepAliveReuse();
    void chunked_data() { addTlsRows(); }
    void chunked();
    void largeBodyToFile_data();
    void largeBodyToFile();
    void head_data() { addTlsRows(); }
    void head();
    void noContent_data() { addTlsRows(); }
    void noContent();
    void notModified_data();
    void notModified();
    void tlsVerificationFailure_data();
    void tlsVerificationFailure();
    void tlsWithCacert_data();
    void tlsWithCacert();
    void tlsInsecure();
    void http11OnlyAlpn_data();
    void http11OnlyAlpn();
    void compressed_data();
    void compressed();
    void verbose_data() { addTlsRows(); }
    void verbose();
    void methodHeadersData_data();
    void methodHeadersData();
    void traceToStdoutDiscardsBodies();
    void traceCommonFields();

private:
    static void addTlsRows();
    // Arguments that make a TLS run trust the fixture's certificate.
    QStringList trust(bool tls) const;
    // The same, pinned to HTTP/1.1: over TLS the CLI would otherwise negotiate h2 with Apache,
    // and this suite checks the HTTP/1.1 path (the h1.* events) on both transports.
    QStringList h1(bool tls) const;

    ApacheFixture m_apache;
    QTemporaryDir m_scratch;
};

void CliApacheTest::addTlsRows()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("http") << false;
    QTest::newRow("https") << true;
}

QStringList CliApacheTest::trust(bool tls) const
{
    return tls ? QStringList{QStringLiteral("--cacert"), m_apache.caFile()} : QStringList{};
}

QStringList CliApacheTest::h1(bool tls) const
{
    return tls ? QStringList{QStringLiteral("--http1.1")} + trust(tls) : QStringList{};
}

void CliApacheTest::initTestCase()
{
    const QString cli = CliRunner().program();
    QVERIFY2(!cli.isEmpty(), "HOPSCOPE_CLI is not set: run through CTest");
    QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli + u" is not an executable"_s));
    QVERIFY2(m_scratch.isValid(), qPrintable(m_scratch.errorString()));
    QVERIFY2(m_apache.start(), qPrintable(m_apache.errorString()));
}

void CliApacheTest::cleanupTestCase()
{
    m_apache.stop();
}

void CliApacheTest::keepAliveReuse()
{
    QFETCH(bool, tls);
    CliRunner runner;
    const QString first = runner.scratchPath(QStringLiteral("first"));
    const QString second = runner.scratchPath(QStringLiteral("second"));
    const CliResult r = runner.run(h1(tls) + QStringList{
                                                 QStringLiteral("-o"),
                                                 first,
                                                 QStringLiteral("-o"),
                                                 second,
                                                 m_apache.url(tls, QStringLiteral("/small.txt")),
                                                 m_apache.url(tls, QStringLiteral("/etag.txt")),
                                             });
    VERIFY_SUCCESS(r);
    QCOMPARE(readFile(first), ApacheFixture::smallBody());
    QCOMPARE(readFile(second), ApacheFixture::etagBody());

    // One connection carried both requests.
    QVERIFY2(r.count(u"connect") == 1, qPrintable(r.describe()));
    const QJsonObject connect = r.first(u"connect");
    QCOMPARE(num(connect, "conn"), 1);
    QCOMPARE(num(connect, "port"), qint64(tls ? m_apache.tlsPort() : m_apache.plainPort()));
    QCOMPARE(str(connect, "address"), QStringLiteral("127.0.0.1"));
    QCOMPARE(r.count(u"tls"), tls ? 1 : 0);
    QVERIFY2(r.has(u"pool.reuse"), qPrintable(r.describe()));
    QVERIFY(!str(r.first(u"pool.reuse"), "origin").isEmpty());
    QCOMPARE(num(r.first(u"pool.reuse"), "req"), 2);

    const auto requests = r.events(u"h1.request");
    QCOMPARE(requests.size(), 2);
    QCOMPARE(str(requests.at(0), "target"), QStringLiteral("/small.txt"));
    QCOMPARE(str(requests.at(1), "target"), QStringLiteral("/etag.txt"));
    const QString port = QString::number(tls ? m_apache.tlsPort() : m_apache.plainPort());
    QCOMPARE(headerValue(requests.at(0), u"Host"), QStringLiteral("127.0.0.1:") + port);

    const auto complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 2);
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(num(complete.at(i), "req"), i + 1);
        QCOMPARE(num(complete.at(i), "conn"), 1);
        QCOMPARE(num(complete.at(i), "status"), 200);
        QCOMPARE(str(complete.at(i), "protocol"), QStringLiteral("http/1.1"));
    }
    QCOMPARE(num(complete.at(0), "bytes"), ApacheFixture::smallBody().size());
    QCOMPARE(num(complete.at(1), "bytes"), ApacheFixture::etagBody().size());
}

void CliApacheTest::chunked()
{
    QFETCH(bool, tls);
    CliRunner runner;
    const QString out = runner.scratchPath(QStringLiteral("chunked"));
    const CliResult r = runner.run(
        h1(tls) + QStringList{QStringLiteral("-o"), out, m_apache.url(tls, u"/cgi/chunked"_s)});
    VERIFY_SUCCESS(r);
    // The test only means something if Apache really chunked the body.
    QCOMPARE(headerValue(r.first(u"h1.response"), u"Transfer-Encoding"), QStringLiteral("chunked"));
    QVERIFY(headerValue(r.first(u"h1.response"), u"Content-Length").isNull());
    QCOMPARE(readFile(out), ApacheFixture::chunkedBody());
    const QJsonObject complete = r.first(u"response.complete");
    QCOMPARE(num(complete, "status"), 200);
    QCOMPARE(num(complete, "bytes"), ApacheFixture::chunkedBody().size());
}

void CliApacheTest::largeBodyToFile_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<bool>("pinHttp11");
    QTest::newRow("http") << false << true;
    QTest::newRow("https") << true << true;
    // Whatever protocol ALPN picks, the body must stream to disk the same way.
    QTest::newRow("https, negotiated protocol") << true << false;
}

void CliApacheTest::largeBodyToFile()
{
    QFETCH(bool, tls);
    QFETCH(bool, pinHttp11);
    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(60));
    runner.setMeasureMemory(true);
    const QString out = runner.scratchPath(QStringLiteral("large.bin"));
    const CliResult r =
        runner.run((pinHttp11 ? h1(tls) : trust(tls)) +
                   QStringList{QStringLiteral("-o"), out, m_apache.url(tls, u"/large.bin"_s)});
    VERIFY_SUCCESS(r);
    QCOMPARE(QFileInfo(out).size(), ApacheFixture::largeSize);
    QCOMPARE(fileSha256(out), m_apache.largeSha256());
    QFile::remove(out);
    QCOMPARE(num(r.first(u"response.complete"), "bytes"), ApacheFixture::largeSize);
    QVERIFY2(r.standardOutput.isEmpty(), "the body went to the file, not to stdout");

    // Streamed to disk: memory stays well below the body's size.
    qInfo("peak RSS %lld KiB, %lld ms", r.peakRssKiB, r.elapsedMs);
    QVERIFY2(r.peakRssKiB > 0, "could not sample the CLI's memory");
    QVERIFY2(!rssBudgetsApply() || r.peakRssKiB < largeBodyRssLimitKiB,
             qPrintable(QStringLiteral("peak RSS %1 KiB for a 64 MiB body, limit %2 KiB")
                            .arg(r.peakRssKiB)
                            .arg(largeBodyRssLimitKiB)));
}

void CliApacheTest::head()
{
    QFETCH(bool, tls);
    CliRunner runner;
    // 64 MiB announced and never sent: a client that waits for the body hangs here.
    const CliResult r =
        runner.run(h1(tls) + QStringList{QStringLiteral("-X"), QStringLiteral("HEAD"),
                                         m_apache.url(tls, u"/large.bin"_s),
                                         m_apache.url(tls, u"/small.txt"_s)});
    VERIFY_SUCCESS(r);
    QVERIFY2(r.standardOutput.isEmpty(), r.standardOutput.left(200).constData());
    const auto responses = r.events(u"h1.response");
    QCOMPARE(responses.size(), 2);
    QCOMPARE(headerValue(responses.at(0), u"Content-Length"),
             QString::number(ApacheFixture::largeSize));
    const auto complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 2);
    for (const QJsonObject &event : complete) {
        QCOMPARE(num(event, "status"), 200);
        QCOMPARE(num(event, "bytes"), 0);
    }
    QCOMPARE(str(r.first(u"h1.request"), "method"), QStringLiteral("HEAD"));
    // The connection stayed usable: no body bytes were expected after the HEAD response.
    QCOMPARE(r.count(u"connect"), 1);
}

void CliApacheTest::noContent()
{
    QFETCH(bool, tls);
    CliRunner runner;
    const CliResult r = runner.run(h1(tls) + QStringList{m_apache.url(tls, u"/cgi/status?204"_s),
                                                         m_apache.url(tls, u"/small.txt"_s)});
    VERIFY_SUCCESS(r);
    const auto complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 2);
    QCOMPARE(num(complete.at(0), "status"), 204);
    QCOMPARE(num(complete.at(0), "bytes"), 0);
    QCOMPARE(num(complete.at(1), "status"), 200);
    // Both bodies went to stdout; the 204 has none, and the next response on the same
    // connection was framed right after it.
    QCOMPARE(r.standardOutput, ApacheFixture::smallBody());
    QCOMPARE(r.count(u"connect"), 1);
}

void CliApacheTest::notModified_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<bool>("useEtag");
    QTest::newRow("If-None-Match, http") << false << true;
    QTest::newRow("If-None-Match, https") << true << true;
    QTest::newRow("If-Modified-Since, http") << false << false;
}

void CliApacheTest::notModified()
{
    QFETCH(bool, tls);
    QFETCH(bool, useEtag);
    CliRunner runner;
    QString condition =
        QStringLiteral("If-Modified-Since: Wed, 01 Jan 2020 00:00:00 GMT"); // fixture's mtime
    if (useEtag) {
        const CliResult first =
            runner.run(h1(tls) + QStringList{m_apache.url(tls, u"/etag.txt"_s)});
        VERIFY_SUCCESS(first);
        QCOMPARE(first.standardOutput, ApacheFixture::etagBody());
        const QString etag = headerValue(first.first(u"h1.response"), u"ETag");
        QVERIFY2(!etag.isEmpty(), qPrintable(first.describe()));
        condition = QStringLiteral("If-None-Match: ") + etag;
    }
    const CliResult r = runner.run(h1(tls) + QStringList{QStringLiteral("-H"), condition,
                                                         m_apache.url(tls, u"/etag.txt"_s),
                                                         m_apache.url(tls, u"/small.txt"_s)});
    VERIFY_SUCCESS(r);
    const auto complete = r.events(u"response.complete");
    QCOMPARE(complete.size(), 2);
    QCOMPARE(num(complete.at(0), "status"), 304);
    QCOMPARE(num(complete.at(0), "bytes"), 0);
    QCOMPARE(num(complete.at(1), "status"), 200);
    QCOMPARE(r.standardOutput, ApacheFixture::smallBody());
    QCOMPARE(r.count(u"connect"), 1);
}

void CliApacheTest::tlsVerificationFailure_data()
{
    QTest::addColumn<QStringList>("extraArgs");
    QTest::newRow("system CAs") << QStringList{};
    QTest::newRow("unrelated CA file") << QStringList{
        QStringLiteral("--cacert"), QStringLiteral("/etc/ssl/certs/ca-certificates.crt")};
}

void CliApacheTest::tlsVerificationFailure()
{
    QFETCH(QStringList, extraArgs);
    if (extraArgs.size() == 2)
        QVERIFY2(QFileInfo::exists(extraArgs.at(1)), "install Debian's ca-certificates");
    CliRunner runner;
    const CliResult r = runner.run(extraArgs + QStringList{m_apache.url(true, u"/small.txt"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode != 0, qPrintable(r.describe()));
    const QString message = r.errorMessage();
    QVERIFY2(!message.isEmpty(), qPrintable(r.describe()));
    QVERIFY2(message.contains(QLatin1String("certificate"), Qt::CaseInsensitive),
             qPrintable(r.describe()));
    QVERIFY2(r.has(u"request.failed"), qPrintable(r.describe()));
    QCOMPARE(num(r.first(u"request.failed"), "req"), 1);
    QVERIFY2(r.has(u"error"), qPrintable(r.describe()));
    QVERIFY(!r.has(u"response.complete"));
    // Nothing may be sent to a server that failed verification.
    QVERIFY2(!r.has(u"h1.request"), qPrintable(r.describe()));
    QVERIFY(r.standardOutput.isEmpty());
}

void CliApacheTest::tlsWithCacert_data()
{
    QTest::addColumn<QString>("host");
    QTest::newRow("IP address") << QStringLiteral("127.0.0.1");
    QTest::newRow("host name") << QStringLiteral("localhost");
}

void CliApacheTest::tlsWithCacert()
{
    QFETCH(QString, host);
    CliRunner runner;
    const QString url = QStringLiteral("https://%1:%2/small.txt").arg(host).arg(m_apache.tlsPort());
    const CliResult r = runner.run(trust(true) + QStringList{url});
    VERIFY_SUCCESS(r);
    QCOMPARE(r.standardOutput, ApacheFixture::smallBody());

    QCOMPARE(r.count(u"tls"), 1);
    const QJsonObject tlsEvent = r.first(u"tls");
    QVERIFY2(tlsEvent.value(QLatin1String("verified")).isBool(), qPrintable(r.describe()));
    QVERIFY(tlsEvent.value(QLatin1String("verified")).toBool());
    QVERIFY2(str(tlsEvent, "protocol").contains(QLatin1String("TLS"), Qt::CaseInsensitive),
             qPrintable(r.describe()));
    QVERIFY2(!str(tlsEvent, "cipher").isEmpty(), qPrintable(r.describe()));
    QCOMPARE(num(tlsEvent, "conn"), num(r.first(u"connect"), "conn"));
    // ALPN: whatever was negotiated must be what the response was spoken in.
    QVERIFY2(tlsEvent.contains(QLatin1String("alpn")), qPrintable(r.describe()));
    const QJsonValue alpn = tlsEvent.value(QLatin1String("alpn"));
    QVERIFY(alpn.isString() || alpn.isNull());
    if (alpn.isString())
        QCOMPARE(alpn.toString(), str(r.first(u"response.complete"), "protocol"));
    if (host == QLatin1String("localhost"))
        QCOMPARE(str(tlsEvent, "sni"), QStringLiteral("localhost"));

    const QJsonArray chain = tlsEvent.value(QLatin1String("chain")).toArray();
    QVERIFY2(!chain.isEmpty(), qPrintable(r.describe()));
    const QJsonObject leaf = chain.at(0).toObject();
    QVERIFY2(leaf.value(QLatin1String("subject")).toString().contains(QLatin1String("localhost")),
             qPrintable(r.describe()));
    QVERIFY(!leaf.value(QLatin1String("issuer")).toString().isEmpty());
    QVERIFY(!leaf.value(QLatin1String("notBefore")).toString().isEmpty());
    QVERIFY(!leaf.value(QLatin1String("notAfter")).toString().isEmpty());
}

void CliApacheTest::tlsInsecure()
{
    CliRunner runner;
    const CliResult r =
        runner.run({QStringLiteral("-k"), m_apache.url(true, QStringLiteral("/small.txt"))});
    VERIFY_SUCCESS(r);
    QCOMPARE(r.standardOutput, ApacheFixture::smallBody());
    const QJsonObject tlsEvent = r.first(u"tls");
    QVERIFY2(tlsEvent.value(QLatin1String("verified")).isBool(), qPrintable(r.describe()));
    QCOMPARE(tlsEvent.value(QLatin1String("verified")).toBool(), false);
    // -k must be loud in the trace.
    QVERIFY2(r.has(u"tls.insecure"), qPrintable(r.describe()));
    QVERIFY(!str(r.first(u"tls.insecure"), "message").isEmpty());
}

void CliApacheTest::http11OnlyAlpn_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("--http1.1") << QStringList{QStringLiteral("--http1.1")};
    QTest::newRow("--alpn http/1.1")
        << QStringList{QStringLiteral("--alpn"), QStringLiteral("http/1.1")};
}

void CliApacheTest::http11OnlyAlpn()
{
    QFETCH(QStringList, args);
    CliRunner runner;
    // Apache prefers h2 when it is offered, so "http/1.1" shows that only http/1.1 was offered.
    const CliResult r =
        runner.run(trust(true) + args + QStringList{m_apache.url(true, u"/small.txt"_s)});
    VERIFY_SUCCESS(r);
    QCOMPARE(str(r.first(u"tls"), "alpn"), QStringLiteral("http/1.1"));
    QCOMPARE(str(r.first(u"response.complete"), "protocol"), QStringLiteral("http/1.1"));
    QCOMPARE(r.standardOutput, ApacheFixture::smallBody());
}

void CliApacheTest::compressed_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<bool>("compressed");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("encoding");
    QTest::newRow("gzip") << false << true << u"/compress/gzip/text.txt"_s << u"gzip"_s;
    QTest::newRow("br") << false << true << u"/compress/br/text.txt"_s << u"br"_s;
    QTest::newRow("br, https") << true << true << u"/compress/br/text.txt"_s << u"br"_s;
    QTest::newRow("not asked") << false << false << u"/compress/text.txt"_s << QString();
}

void CliApacheTest::compressed()
{
    QFETCH(bool, tls);
    QFETCH(bool, compressed);
    QFETCH(QString, path);
    QFETCH(QString, encoding);
    CliRunner runner;
    const QString out = runner.scratchPath(QStringLiteral("decoded"));
    QStringList args = h1(tls) << QStringLiteral("-o") << out << m_apache.url(tls, path);
    if (compressed)
        args.prepend(QStringLiteral("--compressed"));
    const CliResult r = runner.run(args);
    VERIFY_SUCCESS(r);
    const QByteArray text = ApacheFixture::compressibleText();
    QCOMPARE(readFile(out), text);

    const QJsonObject request = r.first(u"h1.request");
    const QJsonObject response = r.first(u"h1.response");
    const qint64 wireBytes = num(r.first(u"response.complete"), "bytes");
    if (!compressed) {
        // curl's default: no Accept-Encoding offered, the identity body arrives.
        QVERIFY2(headerValue(request, u"Accept-Encoding").isNull(), qPrintable(r.describe()));
        QVERIFY(headerValue(response, u"Content-Encoding").isNull());
        QCOMPARE(wireBytes, text.size());
        return;
    }
    QVERIFY2(headerValue(request, u"Accept-Encoding").contains(encoding), qPrintable(r.describe()));
    QCOMPARE(headerValue(response, u"Content-Encoding"), encoding);
    // The trace keeps wire bytes: the encoded length, well below the decoded size.
    QCOMPARE(QString::number(wireBytes), headerValue(response, u"Content-Length"));
    QVERIFY2(wireBytes > 0 && wireBytes < text.size() / 3, qPrintable(r.describe()));
}

void CliApacheTest::verbose()
{
    QFETCH(bool, tls);
    CliRunner runner;
    runner.setTraceMode(CliRunner::TraceMode::None);
    const CliResult r =
        runner.run(h1(tls) + QStringList{QStringLiteral("-v"), m_apache.url(tls, u"/small.txt"_s)});
    VERIFY_SUCCESS(r);
    QCOMPARE(r.standardOutput, ApacheFixture::smallBody());
    const QString err = QString::fromUtf8(r.standardError);
    const QString port = QString::number(tls ? m_apache.tlsPort() : m_apache.plainPort());
    // Head lines as curl shows them, optionally tagged with their connection and request
    // ("> [c1 r1] GET ..."), which keeps interleaved connections readable.
    const QString tag = QStringLiteral("(\\[[^\\]]*\\] )?");
    for (const QString &pattern : {
             QStringLiteral("^> %1GET /small\\.txt HTTP/1\\.1\\r?$").arg(tag),
             QStringLiteral("^> %1Host: 127\\.0\\.0\\.1:%2\\r?$").arg(tag, port),
             QStringLiteral("^< %1HTTP/1\\.1 200 OK\\r?$").arg(tag),
             QStringLiteral("^< %1Content-Length: %2\\r?$")
                 .arg(tag)
                 .arg(ApacheFixture::smallBody().size()),
         }) {
        const QRegularExpression re(pattern, QRegularExpression::MultilineOption |
                                                 QRegularExpression::CaseInsensitiveOption);
        QVERIFY2(
            re.match(err).hasMatch(),
            qPrintable(QStringLiteral("no line matching %1 in -v output:\n%2").arg(pattern, err)));
    }
}

void CliApacheTest::methodHeadersData_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QByteArrayList>("expectedLines");
    QTest::addColumn<QByteArray>("expectedBody");

    const QString bodyFile = m_scratch.filePath(QStringLiteral("request-body.bin"));
    const QByteArray binaryBody("line one\r\nline two\n\0\x01\x02 end", 24);
    {
        QFile file(bodyFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(binaryBody);
    }

    QTest::newRow("-X PUT, -H, -d")
        << QStringList{u"-X"_s, u"PUT"_s,        u"-H"_s, u"X-Hopscope-Test: yes"_s,
                       u"-d"_s, u"hello=world"_s}
        << u"PUT"_s
        << QByteArrayList{"REQUEST_METHOD=PUT", "HTTP_X_HOPSCOPE_TEST=yes", "CONTENT_LENGTH=11"}
        << QByteArray("hello=world");
    QTest::newRow("-d implies POST")
        << QStringList{u"-d"_s, u"a=1&b=2"_s} << u"POST"_s
        << QByteArrayList{"REQUEST_METHOD=POST", "CONTENT_LENGTH=7"} << QByteArray("a=1&b=2");
    QTest::newRow("--data-binary @file")
        << QStringList{u"--data-binary"_s, u"@"_s + bodyFile} << u"POST"_s
        << QByteArrayList{"REQUEST_METHOD=POST", "CONTENT_LENGTH=24"} << binaryBody;
    QTest::newRow("-X DELETE without body")
        << QStringList{u"-X"_s, u"DELETE"_s} << u"DELETE"_s
        << QByteArrayList{"REQUEST_METHOD=DELETE", "CONTENT_LENGTH="} << QByteArray();
    QTest::newRow("several -H, custom User-Agent")
        << QStringList{u"-H"_s, u"X-First: 1"_s,
                       u"-H"_s, u"X-Second: two words"_s,
                       u"-H"_s, u"User-Agent: hopscope-test/1"_s}
        << u"GET"_s
        << QByteArrayList{"REQUEST_METHOD=GET", "HTTP_X_FIRST=1", "HTTP_X_SECOND=two words",
                          "HTTP_USER_AGENT=hopscope-test/1"}
        << QByteArray();
}

void CliApacheTest::methodHeadersData()
{
    QFETCH(QStringList, args);
    QFETCH(QString, method);
    QFETCH(QByteArrayList, expectedLines);
    QFETCH(QByteArray, expectedBody);
    CliRunner runner;
    const CliResult r = runner.run(args + QStringList{m_apache.url(false, u"/cgi/headers?x=1"_s)});
    VERIFY_SUCCESS(r);
    const QByteArray echo = r.standardOutput;
    const QByteArrayList lines = echo.left(echo.indexOf("\n\nBODY=")).split('\n');
    for (const QByteArray &line : expectedLines)
        QVERIFY2(lines.contains(line), qPrintable("missing " + line + " in echo:\n" + echo));
    QVERIFY2(lines.contains("QUERY_STRING=x=1"), echo.constData());
    QVERIFY2(echo.endsWith("\n\nBODY=" + expectedBody), echo.constData());

    const QJsonObject request = r.first(u"h1.request");
    QCOMPARE(str(request, "method"), method);
    QCOMPARE(str(request, "target"), QStringLiteral("/cgi/headers?x=1"));
    QCOMPARE(str(request, "version"), QStringLiteral("HTTP/1.1"));
    // Each -H header reaches the wire once, with its value and case; extension headers keep the
    // order they were given in (a replaced default such as User-Agent may keep its own place).
    QStringList given;
    for (int i = 0; i + 1 < args.size(); ++i) {
        if (args.at(i) == QLatin1String("-H"))
            given.append(args.at(i + 1));
    }
    QStringList sent;
    QStringList sentExtensions;
    for (const QJsonValue &pair : request.value(QLatin1String("headers")).toArray()) {
        const QJsonArray nameValue = pair.toArray();
        const QString line = nameValue.at(0).toString() + u": "_s + nameValue.at(1).toString();
        sent.append(line);
        if (line.startsWith(u"X-"_s))
            sentExtensions.append(line);
    }
    for (const QString &header : given) {
        QVERIFY2(sent.count(header) == 1,
                 qPrintable(header + u" not sent exactly once: "_s + sent.join(u" | "_s)));
        const QString name = header.section(QLatin1Char(':'), 0, 0);
        QCOMPARE(headerValue(request, name), header.section(u": "_s, 1));
    }
    QStringList givenExtensions;
    for (const QString &header : given) {
        if (header.startsWith(u"X-"_s))
            givenExtensions.append(header);
    }
    QCOMPARE(sentExtensions, givenExtensions);
    // Request body bytes are traced as outgoing body.
    if (!expectedBody.isEmpty()) {
        qint64 outBytes = 0;
        for (const QJsonObject &event : r.events(u"h1.body")) {
            if (str(event, "dir") == QLatin1String("out"))
                outBytes += num(event, "bytes");
        }
        QCOMPARE(outBytes, expectedBody.size());
    }
}

void CliApacheTest::traceToStdoutDiscardsBodies()
{
    CliRunner runner;
    runner.setTraceMode(CliRunner::TraceMode::Stdout);
    const CliResult r = runner.run({m_apache.url(false, QStringLiteral("/small.txt"))});
    // Every stdout line parsed as a JSON object (HOPSCOPE_VERIFY_RAN): no body got mixed in.
    VERIFY_SUCCESS(r);
    QVERIFY2(!r.standardOutput.contains(ApacheFixture::smallBody()), r.standardOutput.constData());
    QCOMPARE(num(r.first(u"response.complete"), "bytes"), ApacheFixture::smallBody().size());
}

void CliApacheTest::traceCommonFields()
{
    CliRunner runner;
    const CliResult r = runner.run(h1(true) + QStringList{m_apache.url(true, u"/small.txt"_s),
                                                          m_apache.url(true, u"/etag.txt"_s)});
    VERIFY_SUCCESS(r);
    QVERIFY(r.trace.size() > 5);
    qint64 lastSeq = -1;
    double lastT = 0;
    for (const QJsonObject &event : r.trace) {
        const QString line = QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact));
        QVERIFY2(event.value(QLatin1String("seq")).isDouble(), qPrintable(line));
        const qint64 seq = num(event, "seq");
        QVERIFY2(seq > lastSeq, qPrintable(line));
        lastSeq = seq;
        QVERIFY2(event.value(QLatin1String("t")).isDouble(), qPrintable(line));
        const double t = event.value(QLatin1String("t")).toDouble();
        QVERIFY2(t >= lastT && t < 60, qPrintable(line));
        lastT = t;
        QVERIFY2(!str(event, "type").isEmpty(), qPrintable(line));
        if (event.contains(QLatin1String("dir"))) {
            QVERIFY2(str(event, "dir") == QLatin1String("out") ||
                         str(event, "dir") == QLatin1String("in"),
                     qPrintable(line));
        }
    }
    // Events that belong to a request say which one, in the order given on the command line.
    for (const char *type : {"request.start", "h1.request", "h1.response", "response.complete"}) {
        const auto events = r.events(QString::fromLatin1(type));
        QCOMPARE(events.size(), 2);
        QCOMPARE(num(events.at(0), "req"), 1);
        QCOMPARE(num(events.at(1), "req"), 2);
    }
    // Events on the wire say which connection they crossed.
    for (const char *type : {"connect", "tls", "h1.request", "h1.response", "response.complete"}) {
        for (const QJsonObject &event : r.events(QString::fromLatin1(type)))
            QCOMPARE(num(event, "conn"), 1);
    }
    QCOMPARE(str(r.first(u"request.start"), "method"), QStringLiteral("GET"));
    QCOMPARE(str(r.first(u"request.start"), "url"), m_apache.url(true, u"/small.txt"_s));
    QCOMPARE(str(r.first(u"h1.response"), "reason"), QStringLiteral("OK"));
    QCOMPARE(num(r.first(u"h1.response"), "status"), 200);
    QCOMPARE(str(r.first(u"h1.response"), "version"), QStringLiteral("HTTP/1.1"));

    const QJsonObject timings =
        r.first(u"response.complete").value(QLatin1String("timings")).toObject();
    for (const char *phase : {"dns", "connect", "tls", "send", "wait", "receive"}) {
        QVERIFY2(timings.value(QLatin1String(phase)).isDouble(),
                 qPrintable(QStringLiteral("timings.%1 missing: ").arg(QLatin1String(phase)) +
                            r.describe()));
    }
    QVERIFY(timings.value(QLatin1String("tls")).toDouble() >= 0);
    QVERIFY2(r.has(u"close") || r.has(u"pool.open"), qPrintable(r.describe()));
}

QTEST_GUILESS_MAIN(CliApacheTest)
#include "tst_cli_apache.moc"
