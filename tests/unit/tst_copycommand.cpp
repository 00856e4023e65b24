// engine/core/copycommand, replayrequest and routewords: each protocol mode with each tool,
// shell quoting that survives any byte (checked by running bash), bodies, methods, redaction,
// and the route (proxy, --resolve, --connect-to, -4/-6, client certificate, key log).
#include "core/copycommand.h"
#include "core/replayrequest.h"
#include "core/routewords.h"
#include "http1/http1requestwriter.h"

#include <QProcess>
#include <QTest>

using namespace hopscope;

Q_DECLARE_METATYPE(hopscope::ReplayMode)
Q_DECLARE_METATYPE(hopscope::CopyTool)
Q_DECLARE_METATYPE(hopscope::RequestSpec)

namespace {

const QByteArray kUa = Http1RequestWriter::userAgent();

HeaderList h1Head(const QByteArray &host, const HeaderList &middle = {})
{
    HeaderList h{{"Host", host}, {"User-Agent", kUa}, {"Accept", "*/*"}};
    h += middle;
    h.append(HttpHeader{"X-Test", "1"});
    return h;
}

HeaderList h2Head(const QByteArray &scheme, const QByteArray &authority)
{
    return {{":method", "GET"}, {":scheme", scheme}, {":authority", authority},
            {":path", "/a"},    {"user-agent", kUa}, {"accept", "*/*"},
            {"x-test", "1"}};
}

// The request each mode's row copies, with the head hopscope's engine sends in that mode.
ReplayRequest requestIn(ReplayMode mode)
{
    ReplayRequest r;
    r.mode = mode;
    r.url = QStringLiteral("http://127.0.0.1:8080/a");
    switch (mode) {
    case ReplayMode::Unknown:
    case ReplayMode::Http1:
        r.headers = h1Head("127.0.0.1:8080");
        break;
    case ReplayMode::H2cUpgrade:
        r.headers = h1Head("127.0.0.1:8080", {{"Connection", "Upgrade, HTTP2-Settings"},
                                              {"Upgrade", "h2c"},
                                              {"HTTP2-Settings", "AAMAAABkAAQAAP__"}});
        break;
    case ReplayMode::H2cPrior:
        r.headers = h2Head("http", "127.0.0.1:8080");
        break;
    case ReplayMode::TlsH2:
        r.url = QStringLiteral("https://127.0.0.1:8443/a");
        r.headers = h2Head("https", "127.0.0.1:8443");
        r.insecure = true;
        break;
    case ReplayMode::TlsHttp1:
        r.url = QStringLiteral("https://127.0.0.1:8443/a");
        r.headers = h1Head("127.0.0.1:8443");
        r.caFile = QStringLiteral("/tmp/my ca.pem");
        break;
    case ReplayMode::WebSocket:
        r.url = QStringLiteral("ws://127.0.0.1:8080/ws");
        r.headers = h1Head("127.0.0.1:8080", {{"Upgrade", "websocket"},
                                              {"Connection", "Upgrade"},
                                              {"Sec-WebSocket-Key", "dGhlIHNhbXBsZQ=="},
                                              {"Sec-WebSocket-Version", "13"}});
        break;
    case ReplayMode::CustomUpgrade:
        r.upgradeToken = "tcp";
        r.headers = h1Head("127.0.0.1:8080", {{"Connection", "Upgrade"}, {"Upgrade", "tcp"}});
        break;
    }
    return r;
}

// What bash makes of `word`: the bytes of the one argument it reads.
QByteArray bashReads(const QString &word)
{
    QProcess bash;
    bash.start(QStringLiteral("/bin/bash"),
               {QStringLiteral("-c"), QStringLiteral("printf %s ") + word});
    if (!bash.waitForFinished(10000))
        return "<bash timed out>";
    return bash.readAllStandardOutput();
}

} // namespace

class TestCopyCommand : public QObject
{
    Q_OBJECT
private slots:
    void modes_data();
    void modes();
    void quoting_data();
    void quoting();
    void quotingSurvivesEveryByte();
    void bodies_data();
    void bodies();
    void binaryBodyIsWrittenByPrintf_data();
    void binaryBodyIsWrittenByPrintf();
    void methods_data();
    void methods();
    void redaction_data();
    void redaction();
    void missingAndOversizedBodies();
    void leftOutDefaults();
    void h2cOnOptionsAndCompressed();
    void replaySpecs_data();
    void replaySpecs();
    void routeWordsOfSpec_data();
    void routeWordsOfSpec();
    void routedCommands_data();
    void routedCommands();
    void replaySpecKeepsTheRoute();
    void replaySpecDropsARouteItCannotRead();
};

void TestCopyCommand::modes_data()
{
    QTest::addColumn<CopyTool>("tool");
    QTest::addColumn<ReplayMode>("mode");
    QTest::addColumn<QString>("expected");

    const QString ua = QStringLiteral("'User-Agent: %1'").arg(QString::fromLatin1(kUa));
    const QString ua2 = QStringLiteral("'user-agent: %1'").arg(QString::fromLatin1(kUa));
    const QString h1 = QStringLiteral("http://127.0.0.1:8080/a");
    const QString tls = QStringLiteral("https://127.0.0.1:8443/a");
    const QString onlyH2 = QStringLiteral("# nghttp speaks only HTTP/2: this exchange used %1, "
                                          "which it cannot send (copy it as curl or "
                                          "hopscope-cli)");
    const QString wsHeaders =
        QStringLiteral("-H 'Upgrade: websocket' -H 'Connection: Upgrade' -H 'Sec-WebSocket-Key: "
                       "dGhlIHNhbXBsZQ==' -H 'Sec-WebSocket-Version: 13'");

    using M = ReplayMode;
    const auto row = [](CopyTool tool, M mode, const QString &expected) {
        QTest::addRow("%s %d", qPrintable(copyToolName(tool)), int(mode))
            << tool << mode << expected;
    };
    row(CopyTool::Curl, M::Unknown, QStringLiteral("curl -H %1 -H 'X-Test: 1' %2").arg(ua, h1));
    row(CopyTool::Curl, M::Http1,
        QStringLiteral("curl --http1.1 -H %1 -H 'X-Test: 1' %2").arg(ua, h1));
    row(CopyTool::Curl, M::H2cUpgrade,
        QStringLiteral("curl --http2 -H %1 -H 'X-Test: 1' %2").arg(ua, h1));
    row(CopyTool::Curl, M::H2cPrior,
        QStringLiteral("curl --http2-prior-knowledge -H %1 -H 'x-test: 1' %2").arg(ua2, h1));
    row(CopyTool::Curl, M::TlsH2,
        QStringLiteral("curl --http2 -k -H %1 -H 'x-test: 1' %2").arg(ua2, tls));
    row(CopyTool::Curl, M::TlsHttp1,
        QStringLiteral("curl --http1.1 --cacert '/tmp/my ca.pem' -H %1 -H 'X-Test: 1' %2")
            .arg(ua, tls));
    row(CopyTool::Curl, M::WebSocket,
        QStringLiteral("curl --http1.1 --include --no-buffer -H %1 %2 -H 'X-Test: 1' "
                       "http://127.0.0.1:8080/ws")
            .arg(ua, wsHeaders));
    row(CopyTool::Curl, M::CustomUpgrade,
        QStringLiteral("curl --http1.1 --include --no-buffer -H %1 -H 'Connection: Upgrade' -H "
                       "'Upgrade: tcp' -H 'X-Test: 1' %2")
            .arg(ua, h1));

    row(CopyTool::Nghttp, M::Unknown,
        QStringLiteral("nghttp -v -H %1 -H 'X-Test: 1' %2").arg(ua, h1));
    row(CopyTool::Nghttp, M::Http1, onlyH2.arg(QStringLiteral("HTTP/1.1")));
    row(CopyTool::Nghttp, M::H2cUpgrade,
        QStringLiteral("nghttp -v -u -H %1 -H 'X-Test: 1' %2").arg(ua, h1));
    row(CopyTool::Nghttp, M::H2cPrior,
        QStringLiteral("nghttp -v -H %1 -H 'x-test: 1' %2").arg(ua2, h1));
    row(CopyTool::Nghttp, M::TlsH2,
        QStringLiteral("# nghttp does not verify the server's certificate\n"
                       "nghttp -v -H %1 -H 'x-test: 1' %2")
            .arg(ua2, tls));
    row(CopyTool::Nghttp, M::TlsHttp1, onlyH2.arg(QStringLiteral("HTTP/1.1 over TLS")));
    row(CopyTool::Nghttp, M::WebSocket,
        onlyH2.arg(QStringLiteral("an HTTP/1.1 WebSocket handshake")));
    row(CopyTool::Nghttp, M::CustomUpgrade,
        onlyH2.arg(QStringLiteral("an HTTP/1.1 upgrade offer")));

    row(CopyTool::HopscopeCli, M::Unknown,
        QStringLiteral("hopscope-cli -H 'X-Test: 1' %1").arg(h1));
    row(CopyTool::HopscopeCli, M::Http1,
        QStringLiteral("hopscope-cli --http1.1 -H 'X-Test: 1' %1").arg(h1));
    row(CopyTool::HopscopeCli, M::H2cUpgrade,
        QStringLiteral("hopscope-cli --h2c -H 'X-Test: 1' %1").arg(h1));
    row(CopyTool::HopscopeCli, M::H2cPrior,
        QStringLiteral("hopscope-cli --h2c-prior -H 'x-test: 1' %1").arg(h1));
    row(CopyTool::HopscopeCli, M::TlsH2,
        QStringLiteral("hopscope-cli --http2 -k -H 'x-test: 1' %1").arg(tls));
    row(CopyTool::HopscopeCli, M::TlsHttp1,
        QStringLiteral("hopscope-cli --http1.1 --cacert '/tmp/my ca.pem' -H 'X-Test: 1' %1")
            .arg(tls));
    row(CopyTool::HopscopeCli, M::WebSocket,
        QStringLiteral("hopscope-cli -H 'X-Test: 1' ws://127.0.0.1:8080/ws"));
    row(CopyTool::HopscopeCli, M::CustomUpgrade,
        QStringLiteral("hopscope-cli --upgrade tcp -H 'X-Test: 1' %1").arg(h1));
}

void TestCopyCommand::modes()
{
    QFETCH(CopyTool, tool);
    QFETCH(ReplayMode, mode);
    QFETCH(QString, expected);
    QCOMPARE(copyCommand(requestIn(mode), tool), expected);
}

void TestCopyCommand::quoting_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << QByteArray("a-b_c.d/e:f=g@h%i+j,k") << "a-b_c.d/e:f=g@h%i+j,k";
    QTest::newRow("empty") << QByteArray() << "''";
    QTest::newRow("space") << QByteArray("a b") << "'a b'";
    QTest::newRow("quote") << QByteArray("it's") << R"('it'\''s')";
    QTest::newRow("expansions") << QByteArray("$(id) `id` $HOME !! *") << "'$(id) `id` $HOME !! *'";
    QTest::newRow("utf-8") << QByteArray("caf\xc3\xa9") << QString::fromUtf8("'caf\xc3\xa9'");
    QTest::newRow("control") << QByteArray("a\nb\x01'\\") << R"($'a\x0ab\x01\'\\')";
    QTest::newRow("invalid utf-8") << QByteArray("\xff\xfe") << R"($'\xff\xfe')";
    QTest::newRow("delete") << QByteArray("\x7f") << R"($'\x7f')";
}

void TestCopyCommand::quoting()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QCOMPARE(shellQuote(bytes), expected);
    QCOMPARE(bashReads(expected), bytes);
}

void TestCopyCommand::quotingSurvivesEveryByte()
{
    // Every byte but NUL (which no argument can hold), alone and between quotes and escapes.
    QByteArray all;
    for (int b = 1; b < 256; ++b)
        all += char(b);
    QCOMPARE(bashReads(shellQuote(all)), all);
    for (int b = 1; b < 256; ++b) {
        const QByteArray hostile = QByteArray("'\\") + char(b) + QByteArray("\"$'");
        QCOMPARE(bashReads(shellQuote(hostile)), hostile);
    }
}

void TestCopyCommand::bodies_data()
{
    QTest::addColumn<CopyTool>("tool");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QString>("expected");
    const QString url = QStringLiteral("http://127.0.0.1:8080/a");
    QTest::newRow("curl typed") << CopyTool::Curl << QByteArray("application/json")
                                << QStringLiteral("curl --http1.1 -H 'Content-Type: "
                                                  "application/json' --data-binary "
                                                  "'{\"a\": 1}' %1")
                                       .arg(url);
    QTest::newRow("curl untyped")
        << CopyTool::Curl << QByteArray()
        << QStringLiteral("curl --http1.1 -H Content-Type: --data-binary '{\"a\": 1}' %1").arg(url);
    QTest::newRow("hopscope-cli untyped")
        << CopyTool::HopscopeCli << QByteArray()
        << QStringLiteral("hopscope-cli --http1.1 -H Content-Type: --data-binary '{\"a\": 1}' %1")
               .arg(url);
    QTest::newRow("nghttp typed")
        << CopyTool::Nghttp << QByteArray("application/json")
        << QStringLiteral("# nghttp speaks only HTTP/2: this exchange used HTTP/1.1, which it "
                          "cannot send (copy it as curl or hopscope-cli)");
}

void TestCopyCommand::bodies()
{
    QFETCH(CopyTool, tool);
    QFETCH(QByteArray, contentType);
    QFETCH(QString, expected);
    ReplayRequest r;
    r.mode = ReplayMode::Http1;
    r.method = "POST";
    r.url = QStringLiteral("http://127.0.0.1:8080/a");
    r.headers = {{"Host", "127.0.0.1:8080"}, {"User-Agent", kUa}, {"Accept", "*/*"}};
    if (!contentType.isEmpty())
        r.headers.append(HttpHeader{"Content-Type", contentType});
    r.headers.append(HttpHeader{"Content-Length", "8"});
    r.body = R"({"a": 1})";
    const QString command = copyCommand(r, tool);
    if (tool == CopyTool::Curl)
        QVERIFY(command.startsWith(QLatin1String("curl --http1.1 -H 'User-Agent: ")));
    QString trimmed = command;
    trimmed.remove(QStringLiteral(" -H 'User-Agent: %1'").arg(QString::fromLatin1(kUa)));
    QCOMPARE(trimmed, expected);
}

void TestCopyCommand::binaryBodyIsWrittenByPrintf_data()
{
    QTest::addColumn<CopyTool>("tool");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("tail");
    QByteArray nul("a\0b'%\\\n\xff", 8);
    QTest::newRow("curl nul") << CopyTool::Curl << nul
                              << "curl --http2-prior-knowledge --data-binary @- "
                                 "http://127.0.0.1:8080/a";
    QTest::newRow("curl leading @") << CopyTool::Curl << QByteArray("@/etc/passwd")
                                    << "curl --http2-prior-knowledge --data-binary @- "
                                       "http://127.0.0.1:8080/a";
    QTest::newRow("nghttp") << CopyTool::Nghttp << QByteArray("plain")
                            << "nghttp -v -d - http://127.0.0.1:8080/a";
    QTest::newRow("hopscope-cli invalid utf-8")
        << CopyTool::HopscopeCli << QByteArray("\xc3(")
        << "hopscope-cli --h2c-prior --data-binary @\"$body\" http://127.0.0.1:8080/a";
}

void TestCopyCommand::binaryBodyIsWrittenByPrintf()
{
    QFETCH(CopyTool, tool);
    QFETCH(QByteArray, body);
    QFETCH(QString, tail);
    ReplayRequest r;
    r.mode = ReplayMode::H2cPrior;
    r.method = "POST";
    r.url = QStringLiteral("http://127.0.0.1:8080/a");
    r.body = body;
    const QString command = copyCommand(r, tool);
    QVERIFY2(command.endsWith(tail), qPrintable(command));
    // The printf in front writes exactly the body.
    QVERIFY2(command.startsWith(QLatin1String("printf '")) ||
                 command.startsWith(QLatin1String("body=$(mktemp) && printf '")),
             qPrintable(command));
    const qsizetype start = command.indexOf(QLatin1String("printf '"));
    const qsizetype end = command.indexOf(QLatin1Char('\''), start + 8);
    QProcess sh;
    sh.start(QStringLiteral("/bin/sh"),
             {QStringLiteral("-c"), command.mid(start, end + 1 - start)});
    QVERIFY(sh.waitForFinished(10000));
    QCOMPARE(sh.readAllStandardOutput(), body);
}

void TestCopyCommand::methods_data()
{
    QTest::addColumn<CopyTool>("tool");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expected");
    const QString url = QStringLiteral(" http://127.0.0.1:8080/a");
    QTest::newRow("curl HEAD") << CopyTool::Curl << QByteArray("HEAD") << QByteArray()
                               << "curl --http2-prior-knowledge --head" + url;
    QTest::newRow("curl PUT") << CopyTool::Curl << QByteArray("PUT") << QByteArray("x")
                              << "curl --http2-prior-knowledge -X PUT --data-binary x" + url;
    QTest::newRow("curl POST") << CopyTool::Curl << QByteArray("POST") << QByteArray("x")
                               << "curl --http2-prior-knowledge --data-binary x" + url;
    QTest::newRow("curl POST bodiless") << CopyTool::Curl << QByteArray("POST") << QByteArray()
                                        << "curl --http2-prior-knowledge -X POST" + url;
    QTest::newRow("nghttp HEAD") << CopyTool::Nghttp << QByteArray("HEAD") << QByteArray()
                                 << "nghttp -v -H ':method: HEAD'" + url;
    QTest::newRow("cli HEAD") << CopyTool::HopscopeCli << QByteArray("HEAD") << QByteArray()
                              << "hopscope-cli --h2c-prior -X HEAD" + url;
    QTest::newRow("cli GET with body")
        << CopyTool::HopscopeCli << QByteArray("GET") << QByteArray("x")
        << "hopscope-cli --h2c-prior -X GET --data-binary x" + url;
}

void TestCopyCommand::methods()
{
    QFETCH(CopyTool, tool);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, body);
    QFETCH(QString, expected);
    ReplayRequest r;
    r.mode = ReplayMode::H2cPrior;
    r.method = method;
    r.url = QStringLiteral("http://127.0.0.1:8080/a");
    r.body = body;
    const QString command = copyCommand(r, tool);
    QCOMPARE(command.mid(command.lastIndexOf(QLatin1Char('\n')) + 1), expected);
}

void TestCopyCommand::redaction_data()
{
    QTest::addColumn<CopyTool>("tool");
    QTest::addColumn<bool>("includeSecrets");
    for (CopyTool tool : {CopyTool::Curl, CopyTool::Nghttp, CopyTool::HopscopeCli}) {
        QTest::addRow("%s redacted", qPrintable(copyToolName(tool))) << tool << false;
        QTest::addRow("%s included", qPrintable(copyToolName(tool))) << tool << true;
    }
}

void TestCopyCommand::redaction()
{
    QFETCH(CopyTool, tool);
    QFETCH(bool, includeSecrets);
    ReplayRequest r;
    r.mode = ReplayMode::TlsH2;
    r.url = QStringLiteral("https://alice:pw-secret@127.0.0.1:8443/a");
    r.headers = {{"authorization", "Bearer tok-secret"},
                 {"proxy-authorization", "Basic proxy-secret"},
                 {"cookie", "sid=cookie-secret"},
                 {"x-visible", "shown"}};
    CopyCommandOptions options;
    options.includeSecrets = includeSecrets;
    const QString command = copyCommand(r, tool, options);
    QVERIFY(command.contains(QLatin1String("'x-visible: shown'")));
    for (const char *secret : {"tok-secret", "proxy-secret", "cookie-secret", "pw-secret"})
        QVERIFY2(command.contains(QLatin1String(secret)) == includeSecrets, qPrintable(command));
    QCOMPARE(command.count(QLatin1String("[redacted]")), includeSecrets ? 0 : 4);
    if (!includeSecrets) {
        QVERIFY(command.contains(QLatin1String("'authorization: [redacted]'")));
        QVERIFY(command.contains(QLatin1String("'https://alice:[redacted]@127.0.0.1:8443/a'")));
    }
}

void TestCopyCommand::missingAndOversizedBodies()
{
    ReplayRequest r;
    r.mode = ReplayMode::H2cPrior;
    r.method = "POST";
    r.url = QStringLiteral("http://127.0.0.1:8080/up");
    r.bodyMissing = true;
    r.missingBodyLength = 5000;
    QCOMPARE(copyCommand(r, CopyTool::Curl),
             QStringLiteral("# the request body (5000 bytes) was not kept: add it from a file\n"
                            "curl --http2-prior-knowledge -X POST http://127.0.0.1:8080/up"));
    r.bodyMissing = false;
    r.body = QByteArray(kMaxCopiedBody + 1, 'x');
    const QString big = copyCommand(r, CopyTool::HopscopeCli);
    QVERIFY2(big.startsWith(QLatin1String("# the request body (1048577 bytes) is larger")),
             qPrintable(big.left(200)));
    QVERIFY(big.size() < 1000);
}

void TestCopyCommand::leftOutDefaults()
{
    // A request sent with -H 'Accept:' and -H 'User-Agent:' is copied the same way.
    ReplayRequest r;
    r.mode = ReplayMode::Http1;
    r.url = QStringLiteral("http://[::1]:8080/a");
    r.headers = {{"Host", "[::1]:8080"}, {"X-A", "1"}};
    QCOMPARE(copyCommand(r, CopyTool::HopscopeCli),
             QStringLiteral("hopscope-cli --http1.1 -H 'X-A: 1' -H User-Agent: -H Accept: "
                            "'http://[::1]:8080/a'"));
    QCOMPARE(replayHeaders(r), (HeaderList{{"X-A", "1"}, {"User-Agent", {}}, {"Accept", {}}}));
    // Another Host than the URL's is kept.
    r.headers = {{"Host", "example.test"}, {"User-Agent", kUa}, {"Accept", "*/*"}};
    QCOMPARE(copyCommand(r, CopyTool::HopscopeCli),
             QStringLiteral("hopscope-cli --http1.1 -H 'Host: example.test' "
                            "'http://[::1]:8080/a'"));
}

void TestCopyCommand::h2cOnOptionsAndCompressed()
{
    ReplayRequest r = requestIn(ReplayMode::H2cUpgrade);
    r.h2cViaOptions = true;
    r.headers.insert(3, HttpHeader{"Accept-Encoding", "gzip, deflate, br, zstd"});
    QCOMPARE(copyCommand(r, CopyTool::HopscopeCli),
             QStringLiteral("hopscope-cli --h2c --h2c-options --compressed -H 'X-Test: 1' "
                            "http://127.0.0.1:8080/a"));
    const QString curl = copyCommand(r, CopyTool::Curl);
    QVERIFY2(curl.startsWith(QStringLiteral("# curl cannot upgrade on an OPTIONS request first: "
                                            "this request itself offers h2c\ncurl --http2 -H")),
             qPrintable(curl));
    QVERIFY(curl.contains(QStringLiteral("-H 'Accept-Encoding: gzip, deflate, br, zstd'")));
    const RequestSpec spec = replaySpec(r);
    QVERIFY(spec.h2cViaOptions);
    QVERIFY(spec.decodeContent); // the engine's own Accept-Encoding: decoded on Re-send too
    QVERIFY(!hasHeader(spec.headers, "accept-encoding"));
    QCOMPARE(spec.protocol, ProtocolPolicy::H2cUpgrade);
}

void TestCopyCommand::replaySpecs_data()
{
    QTest::addColumn<ReplayMode>("mode");
    QTest::addColumn<int>("policy");
    QTest::addColumn<QByteArray>("upgrade");
    QTest::addColumn<QString>("url");
    using M = ReplayMode;
    using P = ProtocolPolicy;
    QTest::newRow("unknown") << M::Unknown << int(P::Auto) << QByteArray()
                             << "http://127.0.0.1:8080/a";
    QTest::newRow("http1") << M::Http1 << int(P::Http1Only) << QByteArray()
                           << "http://127.0.0.1:8080/a";
    QTest::newRow("h2c") << M::H2cUpgrade << int(P::H2cUpgrade) << QByteArray()
                         << "http://127.0.0.1:8080/a";
    QTest::newRow("h2c prior") << M::H2cPrior << int(P::H2cPrior) << QByteArray()
                               << "http://127.0.0.1:8080/a";
    QTest::newRow("tls h2") << M::TlsH2 << int(P::Auto) << QByteArray()
                            << "https://127.0.0.1:8443/a";
    QTest::newRow("tls http1") << M::TlsHttp1 << int(P::Http1Only) << QByteArray()
                               << "https://127.0.0.1:8443/a";
    QTest::newRow("websocket") << M::WebSocket << int(P::Auto) << QByteArray("websocket")
                               << "http://127.0.0.1:8080/ws";
    QTest::newRow("custom") << M::CustomUpgrade << int(P::Auto) << QByteArray("tcp")
                            << "http://127.0.0.1:8080/a";
}

void TestCopyCommand::replaySpecs()
{
    QFETCH(ReplayMode, mode);
    QFETCH(int, policy);
    QFETCH(QByteArray, upgrade);
    QFETCH(QString, url);
    const ReplayRequest r = requestIn(mode);
    const RequestSpec spec = replaySpec(r);
    QCOMPARE(int(spec.protocol), policy);
    QCOMPARE(spec.upgrade, upgrade);
    QCOMPARE(spec.url.toString(), url);
    QCOMPARE(spec.tls.insecure, r.insecure);
    QCOMPARE(spec.tls.caFile, r.caFile);
    // Only what the engine would not add itself; wire case kept.
    const bool h2 = mode == ReplayMode::H2cPrior || mode == ReplayMode::TlsH2;
    const QByteArray test = h2 ? "x-test" : "X-Test";
    QCOMPARE(spec.headers, (HeaderList{{test, "1"}}));
}

void TestCopyCommand::routeWordsOfSpec_data()
{
    QTest::addColumn<RequestSpec>("spec");
    QTest::addColumn<QStringList>("words");
    RequestSpec base;
    base.url = QUrl(QStringLiteral("https://example.org/a"));
    QTest::newRow("direct") << base << QStringList();

    RequestSpec s = base;
    s.route.proxySet = true;
    s.route.proxy = QStringLiteral("http://bob:pw@proxy.test:3128");
    QTest::newRow("-x with a user in its URL")
        << s << QStringList{"-x", "http://proxy.test:3128", "--proxy-user", "bob:[redacted]"};
    s.route.proxy = QStringLiteral("proxy.test");
    s.route.proxyUser = QStringLiteral("alice:secret");
    QTest::newRow("--proxy-user, curl's default scheme and port")
        << s << QStringList{"-x", "http://proxy.test:1080", "--proxy-user", "alice:[redacted]"};

    s = base;
    s.route.environment.httpsProxy = QStringLiteral("socks5h://sock.test:1080");
    QTest::newRow("https_proxy from the environment")
        << s << QStringList{"-x", "socks5h://sock.test:1080"};
    s.route.environment.noProxy = QStringLiteral("other.test");
    QTest::newRow("NO_PROXY for other hosts") << s << QStringList{"-x", "socks5h://sock.test:1080"};
    s.route.environment.noProxy = QStringLiteral("other.test,example.org");
    QTest::newRow("NO_PROXY that kept the host direct")
        << s << QStringList{"--noproxy", "other.test,example.org"};
    s.route.proxySet = true;
    QTest::newRow("-x \"\"") << s << QStringList{"-x", "", "--noproxy", "other.test,example.org"};

    s = base;
    s.route.noProxySet = true;
    s.route.noProxy = QStringLiteral("localhost");
    QTest::newRow("--noproxy") << s << QStringList{"--noproxy", "localhost"};

    s = base;
    s.route.resolve.append(ResolveOverride{
        QStringLiteral("example.org"),
        443,
        {QHostAddress(QStringLiteral("::1")), QHostAddress(QStringLiteral("127.0.0.1"))}});
    s.route.connectTo.append(ConnectToRule{{}, 0, QStringLiteral("backend.test"), 8443});
    s.route.family = IpFamily::V6;
    QTest::newRow("--resolve, --connect-to, -6")
        << s
        << QStringList{"--resolve", "example.org:443:[::1],127.0.0.1", "--connect-to",
                       "::backend.test:8443", "-6"};

    s = base;
    s.tls.certFile = QStringLiteral("/tmp/a:b.p12");
    s.tls.certPassword = QStringLiteral("pw");
    s.tls.keyFile = QStringLiteral("/tmp/k.pem");
    s.tls.keyLogFile = QStringLiteral("/tmp/keys");
    QTest::newRow("client certificate and key log")
        << s << QStringList{"--cert", "/tmp/a\\:b.p12", "--pass",   "[redacted]",
                            "--key",  "/tmp/k.pem",     "--keylog", "/tmp/keys"};
}

void TestCopyCommand::routeWordsOfSpec()
{
    QFETCH(RequestSpec, spec);
    QFETCH(QStringList, words);
    QCOMPARE(routeWords(spec), words);
    // Read back, the words say the same (the redacted passwords stay redacted, and a password
    // the words do not hold cannot come back as one).
    RequestSpec again;
    again.url = spec.url;
    QCOMPARE(applyRouteWords(words, &again), QString());
    QStringList expected = words;
    if (const qsizetype pass = expected.indexOf(QStringLiteral("--pass")); pass >= 0)
        expected.remove(pass, 2);
    QCOMPARE(routeWords(again), expected);
    QVERIFY(again.tls.certPassword.isEmpty());
    QVERIFY(!again.route.proxyUser.contains(QStringLiteral("secret")));
}

void TestCopyCommand::routedCommands_data()
{
    QTest::addColumn<CopyTool>("tool");
    QTest::addColumn<QStringList>("route");
    QTest::addColumn<QString>("expected");
    const QString url = QStringLiteral("https://example.org/a");
    const QString unverified =
        QStringLiteral("# nghttp does not verify the server's certificate\n");
    const QString password =
        QStringLiteral("# the trace never holds a password: replace [redacted] in %1 with it\n");

    const QStringList proxy{"-x", "http://proxy.test:3128", "--proxy-user", "alice:[redacted]"};
    const QString proxied =
        QStringLiteral("%1 --http2 -x http://proxy.test:3128 --proxy-user 'alice:[redacted]' %2");
    QTest::newRow("curl, proxy") << CopyTool::Curl << proxy
                                 << password.arg("--proxy-user") + proxied.arg("curl", url);
    QTest::newRow("hopscope-cli, proxy")
        << CopyTool::HopscopeCli << proxy
        << password.arg("--proxy-user") + proxied.arg("hopscope-cli", url);
    QTest::newRow("nghttp, proxy")
        << CopyTool::Nghttp << proxy
        << unverified +
               "# nghttp has no proxy options: this exchange went through "
               "http://proxy.test:3128, the command below connects directly\nnghttp -v " +
               url;

    const QStringList routing{"--resolve", "example.org:443:127.0.0.1", "--connect-to",
                              "example.org:443:backend.test:8443", "-4"};
    const QString routed = QStringLiteral("%1 --http2 --resolve example.org:443:127.0.0.1 "
                                          "--connect-to example.org:443:backend.test:8443 -4 %2");
    QTest::newRow("curl, routing") << CopyTool::Curl << routing << routed.arg("curl", url);
    QTest::newRow("hopscope-cli, routing")
        << CopyTool::HopscopeCli << routing << routed.arg("hopscope-cli", url);
    QTest::newRow("nghttp, routing")
        << CopyTool::Nghttp << routing
        << unverified +
               "# nghttp has no --resolve: this exchange used --resolve "
               "example.org:443:127.0.0.1, the command below connects where DNS says\n"
               "# nghttp has no --connect-to: this exchange used --connect-to "
               "example.org:443:backend.test:8443, the command below connects where DNS says\n"
               "# nghttp has no -4: the command below may use either address family\n"
               "nghttp -v " +
               url;
    const QStringList noProxy{"--noproxy", "localhost,.internal"};
    QTest::newRow("curl, --noproxy")
        << CopyTool::Curl << noProxy << "curl --http2 --noproxy localhost,.internal " + url;
    QTest::newRow("nghttp, --noproxy: it uses no proxy anyway")
        << CopyTool::Nghttp << noProxy << unverified + "nghttp -v " + url;

    const QStringList tls{"--cert", "/tmp/client\\:1.p12", "--pass",   "[redacted]",
                          "--key",  "/tmp/key.pem",        "--keylog", "/tmp/keys.log"};
    QTest::newRow("curl, client certificate and key log")
        << CopyTool::Curl << tls
        << password.arg("--pass") +
               "SSLKEYLOGFILE=/tmp/keys.log curl --http2 --cert '/tmp/client\\:1.p12' --pass "
               "'[redacted]' --key /tmp/key.pem " +
               url;
    QTest::newRow("hopscope-cli, client certificate and key log")
        << CopyTool::HopscopeCli << tls
        << password.arg("--pass") +
               "hopscope-cli --http2 --cert '/tmp/client\\:1.p12' --pass '[redacted]' --key "
               "/tmp/key.pem --keylog /tmp/keys.log " +
               url;
    const QString pem = QStringLiteral("# nghttp reads the client certificate and key as PEM "
                                       "only (convert a PKCS#12 file with openssl pkcs12 "
                                       "-nodes)\n");
    QTest::newRow("nghttp, client certificate and key log")
        << CopyTool::Nghttp << tls
        << unverified + pem +
               "# nghttp takes no key password: the key must be unencrypted\n"
               "# nghttp writes no key log (this exchange logged its keys to /tmp/keys.log): "
               "copy as curl or hopscope-cli for that\n"
               "nghttp -v --cert /tmp/client:1.p12 --key /tmp/key.pem " +
               url;
    QTest::newRow("curl, a word that is no routing option stops the route")
        << CopyTool::Curl << QStringList{"-4", "-o", "/tmp/x", "-6"}
        << "# the trace's route holds -o, which is not a routing option: the rest of its route "
           "is left out\ncurl --http2 -4 " +
               url;
    QTest::newRow("nghttp, a certificate that holds its key")
        << CopyTool::Nghttp << QStringList{"--cert", "/tmp/client.pem"}
        << unverified + pem + "nghttp -v --cert /tmp/client.pem --key /tmp/client.pem " + url;
}

void TestCopyCommand::routedCommands()
{
    QFETCH(CopyTool, tool);
    QFETCH(QStringList, route);
    QFETCH(QString, expected);
    ReplayRequest r;
    r.mode = ReplayMode::TlsH2;
    r.url = QStringLiteral("https://example.org/a");
    r.route = route;
    QCOMPARE(copyCommand(r, tool), expected);
}

void TestCopyCommand::replaySpecKeepsTheRoute()
{
    ReplayRequest r = requestIn(ReplayMode::TlsH2);
    r.route = QStringList{"-x",
                          "socks5://sock.test:1080",
                          "--proxy-user",
                          "alice:[redacted]",
                          "--noproxy",
                          "localhost",
                          "--resolve",
                          "127.0.0.1:8443:127.0.0.2",
                          "--connect-to",
                          "::backend.test:9443",
                          "-6",
                          "--cert",
                          "/tmp/c\\:1.pem",
                          "--pass",
                          "[redacted]",
                          "--keylog",
                          "/tmp/keys.log"};
    const RequestSpec spec = replaySpec(r);
    QCOMPARE(spec.route.proxy, QStringLiteral("socks5://sock.test:1080"));
    QVERIFY(spec.route.proxySet);
    QCOMPARE(spec.route.proxyUser, QStringLiteral("alice")); // the password is asked for
    QCOMPARE(spec.route.noProxy, QStringLiteral("localhost"));
    QCOMPARE(spec.route.resolve.size(), 1);
    QCOMPARE(spec.route.resolve.first().addresses.first(),
             QHostAddress(QStringLiteral("127.0.0.2")));
    QCOMPARE(spec.route.connectTo.size(), 1);
    QCOMPARE(spec.route.connectTo.first().toPort, quint16(9443));
    QCOMPARE(spec.route.family, IpFamily::V6);
    QCOMPARE(spec.tls.certFile, QStringLiteral("/tmp/c:1.pem"));
    QVERIFY(spec.tls.certPassword.isEmpty());
    QCOMPARE(spec.tls.keyLogFile, QStringLiteral("/tmp/keys.log"));
    // The rest of the spec is as without a route.
    QCOMPARE(spec.tls.insecure, true);
    QCOMPARE(spec.url.toString(), QStringLiteral("https://127.0.0.1:8443/a"));
}

void TestCopyCommand::replaySpecDropsARouteItCannotRead()
{
    ReplayRequest r = requestIn(ReplayMode::TlsH2);
    r.route = QStringList{"-x", "http://proxy.test:3128", "--resolve", "not a resolve entry"};
    const RequestSpec spec = replaySpec(r);
    QVERIFY(!spec.route.proxySet); // all or nothing: not half a route
    QVERIFY(spec.route.resolve.isEmpty());
    QCOMPARE(spec.url.toString(), QStringLiteral("https://127.0.0.1:8443/a"));
}

QTEST_GUILESS_MAIN(TestCopyCommand)
#include "tst_copycommand.moc"
