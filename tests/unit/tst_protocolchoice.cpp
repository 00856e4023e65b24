// The one mapping from a protocol choice (the GUI composer's mode, the CLI's flags) and a URL to
// RequestSpec fields: every choice against http, https, ws and wss, the errors, explicit ALPN
// lists, the custom token and the way back from a spec to its choice.

#include "core/protocolchoice.h"

#include <QtTest>

using namespace hopscope;
using Alpn = QList<QByteArray>;
using Error = ProtocolChoiceError;

class TestProtocolChoice : public QObject
{
    Q_OBJECT
private slots:
    void choiceAgainstScheme_data();
    void choiceAgainstScheme();
    void explicitAlpnWins();
    void h2cViaOptionsOnlyWithH2cUpgrade_data();
    void h2cViaOptionsOnlyWithH2cUpgrade();
    void errorLeavesSpecAsItWas();
    void userText_data();
    void userText();
    void httpToken_data();
    void httpToken();
    void choiceOfSpec_data();
    void choiceOfSpec();
};

void TestProtocolChoice::choiceAgainstScheme_data()
{
    QTest::addColumn<ProtocolChoice>("choice");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("url");
    QTest::addColumn<Error>("error");
    QTest::addColumn<ProtocolPolicy>("policy");
    QTest::addColumn<QByteArray>("upgrade");
    QTest::addColumn<Alpn>("alpn");
    QTest::addColumn<QString>("specUrl");

    const QString http = QStringLiteral("http://a.test:8080/p?q=1");
    const QString https = QStringLiteral("https://a.test:8443/p?q=1");
    const QString ws = QStringLiteral("ws://a.test:8080/p?q=1");
    const QString wss = QStringLiteral("wss://a.test:8443/p?q=1");
    const Alpn none;
    const Alpn h1{"http/1.1"};
    const Alpn h2{"h2"};
    const QByteArray noToken;
    const QByteArray websocket("websocket");
    auto ok = [](const char *name, ProtocolChoice c, const QByteArray &token, const QString &url,
                 ProtocolPolicy policy, const QByteArray &upgrade, const Alpn &alpn,
                 const QString &specUrl) {
        QTest::newRow(name) << c << token << url << Error::None << policy << upgrade << alpn
                            << specUrl;
    };
    auto fails = [](const char *name, ProtocolChoice c, const QByteArray &token, const QString &url,
                    Error error) {
        QTest::newRow(name) << c << token << url << error << ProtocolPolicy::Auto << QByteArray()
                            << Alpn() << QString();
    };
    using C = ProtocolChoice;
    using P = ProtocolPolicy;

    ok("auto http", C::Auto, noToken, http, P::Auto, {}, none, http);
    ok("auto https", C::Auto, noToken, https, P::Auto, {}, none, https);
    ok("auto ws means websocket", C::Auto, noToken, ws, P::Auto, websocket, none, http);
    ok("auto wss means websocket over TLS", C::Auto, noToken, wss, P::Auto, websocket, none, https);

    ok("http1 http", C::Http1Only, noToken, http, P::Http1Only, {}, h1, http);
    ok("http1 https", C::Http1Only, noToken, https, P::Http1Only, {}, h1, https);
    fails("http1 ws", C::Http1Only, noToken, ws, Error::WebSocketUrlConflict);
    fails("http1 wss", C::Http1Only, noToken, wss, Error::WebSocketUrlConflict);

    ok("h2c upgrade http", C::H2cUpgrade, noToken, http, P::H2cUpgrade, {}, none, http);
    fails("h2c upgrade https", C::H2cUpgrade, noToken, https, Error::H2cOverTls);
    fails("h2c upgrade ws", C::H2cUpgrade, noToken, ws, Error::WebSocketUrlConflict);
    fails("h2c upgrade wss", C::H2cUpgrade, noToken, wss, Error::H2cOverTls);

    ok("h2c prior http", C::H2cPrior, noToken, http, P::H2cPrior, {}, none, http);
    fails("h2c prior https", C::H2cPrior, noToken, https, Error::H2cOverTls);
    fails("h2c prior ws", C::H2cPrior, noToken, ws, Error::WebSocketUrlConflict);
    fails("h2c prior wss", C::H2cPrior, noToken, wss, Error::H2cOverTls);

    fails("h2 tls http", C::H2Tls, noToken, http, Error::H2TlsOverCleartext);
    ok("h2 tls https", C::H2Tls, noToken, https, P::Auto, {}, h2, https);
    fails("h2 tls ws", C::H2Tls, noToken, ws, Error::WebSocketUrlConflict);
    fails("h2 tls wss", C::H2Tls, noToken, wss, Error::WebSocketUrlConflict);

    // curl's --http2: an h2c upgrade on cleartext, ALPN h2 and http/1.1 over TLS.
    ok("curl http2 http", C::Http2, noToken, http, P::H2cUpgrade, {}, none, http);
    ok("curl http2 https", C::Http2, noToken, https, P::Auto, {}, none, https);
    fails("curl http2 ws", C::Http2, noToken, ws, Error::WebSocketUrlConflict);
    fails("curl http2 wss", C::Http2, noToken, wss, Error::WebSocketUrlConflict);

    ok("websocket http", C::WebSocket, noToken, http, P::Auto, websocket, none, http);
    ok("websocket https", C::WebSocket, noToken, https, P::Auto, websocket, none, https);
    ok("websocket ws", C::WebSocket, noToken, ws, P::Auto, websocket, none, http);
    ok("websocket wss", C::WebSocket, noToken, wss, P::Auto, websocket, none, https);

    // curl's --http3 and --http3-only: QUIC is TLS, so https:// only.
    ok("http3 https", C::Http3, noToken, https, P::Auto, {}, none, https);
    fails("http3 http", C::Http3, noToken, http, Error::H3OverCleartext);
    fails("http3 wss", C::Http3, noToken, wss, Error::WebSocketUrlConflict);
    ok("http3-only https", C::Http3Only, noToken, https, P::Auto, {}, none, https);
    fails("http3-only http", C::Http3Only, noToken, http, Error::H3OverCleartext);

    const QByteArray tcp("tcp");
    ok("custom tcp http", C::CustomUpgrade, tcp, http, P::Auto, tcp, none, http);
    ok("custom tcp https", C::CustomUpgrade, tcp, https, P::Auto, tcp, none, https);
    fails("custom tcp ws", C::CustomUpgrade, tcp, ws, Error::WebSocketUrlConflict);
    fails("custom tcp wss", C::CustomUpgrade, tcp, wss, Error::WebSocketUrlConflict);
    ok("custom websocket token on ws keeps its case", C::CustomUpgrade, "WebSocket", ws, P::Auto,
       "WebSocket", none, http);
    ok("custom h2c token", C::CustomUpgrade, "h2c", http, P::Auto, "h2c", none, http);
    fails("custom without token", C::CustomUpgrade, noToken, http, Error::MissingUpgradeToken);
    fails("custom token with a space", C::CustomUpgrade, "a b", http, Error::InvalidUpgradeToken);
    fails("custom token list", C::CustomUpgrade, "h2c,tcp", http, Error::InvalidUpgradeToken);
    fails("custom token with a version", C::CustomUpgrade, "tcp/1", http,
          Error::InvalidUpgradeToken);
    fails("custom token not ASCII", C::CustomUpgrade, "t\xc3\xa9", http,
          Error::InvalidUpgradeToken);
    fails("custom without token on ws", C::CustomUpgrade, noToken, ws, Error::WebSocketUrlConflict);
    ok("token ignored unless custom", C::Auto, tcp, http, P::Auto, {}, none, http);

    ok("scheme in capitals", C::Auto, noToken, QStringLiteral("WSS://a.test/"), P::Auto, websocket,
       none, QStringLiteral("https://a.test/"));
    fails("ftp", C::Auto, noToken, QStringLiteral("ftp://a.test/f"), Error::UnsupportedScheme);
    fails("file", C::Auto, noToken, QStringLiteral("file:///etc/passwd"), Error::UnsupportedScheme);
    fails("no host", C::Auto, noToken, QStringLiteral("http://"), Error::NoHost);
    fails("no host, ws", C::WebSocket, noToken, QStringLiteral("ws:///x"), Error::NoHost);
}

void TestProtocolChoice::choiceAgainstScheme()
{
    QFETCH(ProtocolChoice, choice);
    QFETCH(QByteArray, token);
    QFETCH(QString, url);
    QFETCH(Error, error);
    QFETCH(ProtocolPolicy, policy);
    QFETCH(QByteArray, upgrade);
    QFETCH(Alpn, alpn);
    QFETCH(QString, specUrl);

    RequestSpec spec;
    QCOMPARE(applyProtocolChoice(spec, QUrl(url), choice, token), error);
    if (error != Error::None)
        return; // errorLeavesSpecAsItWas() covers the spec
    QCOMPARE(spec.url.toString(), specUrl);
    QCOMPARE(spec.protocol, policy);
    QCOMPARE(spec.upgrade, upgrade);
    QCOMPARE(spec.tls.alpn, alpn);
    // What the engine offers follows from the fields: h2c for the upgrade policy.
    QCOMPARE(spec.upgradeToken(),
             policy == ProtocolPolicy::H2cUpgrade ? QByteArray("h2c") : upgrade);
    QVERIFY(!spec.h2cViaOptions);
    // The way back gives a choice that makes the same spec.
    RequestSpec again;
    QCOMPARE(applyProtocolChoice(again, spec.url, protocolChoiceOf(spec), spec.upgrade),
             Error::None);
    QCOMPARE(again.protocol, spec.protocol);
    QCOMPARE(again.upgrade.toLower(), spec.upgrade.toLower()); // "WebSocket" is websocket
    QCOMPARE(again.tls.alpn, spec.tls.alpn);
    QCOMPARE(again.http3, spec.http3);
    QCOMPARE(spec.http3, choice == ProtocolChoice::Http3       ? Http3Mode::Try
                         : choice == ProtocolChoice::Http3Only ? Http3Mode::Only
                                                               : Http3Mode::Off);
}

void TestProtocolChoice::explicitAlpnWins()
{
    RequestSpec spec;
    spec.tls.alpn = {"h2", "http/1.1"};
    QCOMPARE(applyProtocolChoice(spec, QUrl(QStringLiteral("https://a.test/")),
                                 ProtocolChoice::Http1Only),
             Error::None);
    QCOMPARE(spec.tls.alpn, (Alpn{"h2", "http/1.1"}));
    QCOMPARE(spec.protocol, ProtocolPolicy::Http1Only);

    RequestSpec h2;
    h2.tls.alpn = {"http/1.1"};
    QCOMPARE(
        applyProtocolChoice(h2, QUrl(QStringLiteral("https://a.test/")), ProtocolChoice::H2Tls),
        Error::None);
    QCOMPARE(h2.tls.alpn, Alpn{"http/1.1"});
}

void TestProtocolChoice::h2cViaOptionsOnlyWithH2cUpgrade_data()
{
    QTest::addColumn<ProtocolChoice>("choice");
    QTest::addColumn<bool>("kept");
    QTest::newRow("h2c upgrade") << ProtocolChoice::H2cUpgrade << true;
    QTest::newRow("curl http2 on http is an h2c upgrade") << ProtocolChoice::Http2 << true;
    QTest::newRow("h2c prior") << ProtocolChoice::H2cPrior << false;
    QTest::newRow("auto") << ProtocolChoice::Auto << false;
    QTest::newRow("http1") << ProtocolChoice::Http1Only << false;
    QTest::newRow("websocket") << ProtocolChoice::WebSocket << false;
}

void TestProtocolChoice::h2cViaOptionsOnlyWithH2cUpgrade()
{
    QFETCH(ProtocolChoice, choice);
    QFETCH(bool, kept);
    RequestSpec spec;
    spec.h2cViaOptions = true;
    QCOMPARE(applyProtocolChoice(spec, QUrl(QStringLiteral("http://a.test/")), choice),
             Error::None);
    QCOMPARE(spec.h2cViaOptions, kept);
}

void TestProtocolChoice::errorLeavesSpecAsItWas()
{
    RequestSpec spec;
    spec.url = QUrl(QStringLiteral("http://before.test/"));
    spec.protocol = ProtocolPolicy::H2cPrior;
    spec.upgrade = "tcp";
    spec.h2cViaOptions = true;
    QCOMPARE(
        applyProtocolChoice(spec, QUrl(QStringLiteral("wss://a.test/")), ProtocolChoice::Http1Only),
        Error::WebSocketUrlConflict);
    QCOMPARE(spec.url, QUrl(QStringLiteral("http://before.test/")));
    QCOMPARE(spec.protocol, ProtocolPolicy::H2cPrior);
    QCOMPARE(spec.upgrade, QByteArray("tcp"));
    QVERIFY(spec.tls.alpn.isEmpty());
    QVERIFY(spec.h2cViaOptions);
}

void TestProtocolChoice::userText_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("url");
    QTest::newRow("full") << "https://a.test/x" << true << "https://a.test/x";
    QTest::newRow("no scheme: http, as curl") << "a.test:8080/x" << true << "http://a.test:8080/x";
    QTest::newRow("spaces around") << "  ws://a.test/  " << true << "ws://a.test/";
    QTest::newRow("empty stays empty") << "" << false << "";
    QTest::newRow("space in the host") << "http://exa mple.com/" << false << "";
}

void TestProtocolChoice::userText()
{
    QFETCH(QString, typed);
    QFETCH(bool, valid);
    QFETCH(QString, url);
    const QUrl u = urlFromUserText(typed);
    QCOMPARE(u.isValid(), valid);
    if (valid)
        QCOMPARE(u.toString(), url);
}

void TestProtocolChoice::httpToken_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("token");
    QTest::newRow("GET") << QByteArray("GET") << true;
    QTest::newRow("custom method") << QByteArray("PURGE") << true;
    QTest::newRow("tchar symbols") << QByteArray("!#$%&'*+-.^_`|~09az") << true;
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("space") << QByteArray("GET ") << false;
    QTest::newRow("slash") << QByteArray("a/b") << false;
    QTest::newRow("comma") << QByteArray("a,b") << false;
    QTest::newRow("control") << QByteArray("a\tb") << false;
    QTest::newRow("non-ASCII") << QByteArray("\xc3\xa9") << false;
    QTest::newRow("DEL") << QByteArray("a\x7f") << false;
}

void TestProtocolChoice::httpToken()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, token);
    QCOMPARE(isHttpToken(text), token);
}

void TestProtocolChoice::choiceOfSpec_data()
{
    QTest::addColumn<RequestSpec>("spec");
    QTest::addColumn<ProtocolChoice>("choice");
    RequestSpec base;
    QTest::newRow("default") << base << ProtocolChoice::Auto;
    RequestSpec s = base;
    s.protocol = ProtocolPolicy::Http1Only;
    s.upgrade = "tcp"; // a policy that never upgrades wins over a token
    QTest::newRow("http1 with a stray token") << s << ProtocolChoice::Http1Only;
    s = base;
    s.protocol = ProtocolPolicy::H2cUpgrade;
    QTest::newRow("h2c upgrade") << s << ProtocolChoice::H2cUpgrade;
    s = base;
    s.protocol = ProtocolPolicy::H2cPrior;
    QTest::newRow("h2c prior") << s << ProtocolChoice::H2cPrior;
    s = base;
    s.tls.alpn = {"h2"};
    QTest::newRow("alpn h2 only") << s << ProtocolChoice::H2Tls;
    s.tls.alpn = {"h2", "http/1.1"};
    QTest::newRow("alpn list is not a mode") << s << ProtocolChoice::Auto;
    s = base;
    s.upgrade = "WEBSOCKET";
    s.tls.alpn = {"h2"};
    QTest::newRow("websocket, any case, before alpn") << s << ProtocolChoice::WebSocket;
    s = base;
    s.upgrade = "tcp";
    QTest::newRow("custom token") << s << ProtocolChoice::CustomUpgrade;
}

void TestProtocolChoice::choiceOfSpec()
{
    QFETCH(RequestSpec, spec);
    QFETCH(ProtocolChoice, choice);
    QCOMPARE(protocolChoiceOf(spec), choice);
}

QTEST_GUILESS_MAIN(TestProtocolChoice)
#include "tst_protocolchoice.moc"
