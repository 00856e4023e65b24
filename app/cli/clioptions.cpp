#include "clioptions.h"

#include "core/limitregistry.h"

#include "core/protocolchoice.h"
#include "curlhabits.h"
#include "routingoptions.h"
#include "tlsclioptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QUrl>
#include <openssl/crypto.h>

#include <gnutls/gnutls.h>
#include <nghttp2/nghttp2.h>
#include <nghttp3/nghttp3.h>
#include <ngtcp2/ngtcp2.h>

#include <algorithm>
#include <optional>

namespace hopscope {

namespace {

// Named limits, so that `--limit maxHeaderBytes=1000` reads like the error that mentions it
// (the names: core/limitregistry).
bool setLimit(Limits &l, const QString &name, const QString &value, QString *error)
{
    const LimitDescriptor *limit = findLimit(name);
    if (!limit) {
        *error = QStringLiteral("--limit: unknown limit \"%1\" (known: %2)")
                     .arg(name, limitNames().join(QStringLiteral(", ")));
        return false;
    }
    bool ok = false;
    const double number = value.toDouble(&ok);
    if (!ok || !(number >= 0)) {
        *error = QStringLiteral("--limit %1: \"%2\" is not a non-negative number").arg(name, value);
        return false;
    }
    limit->set(l, number);
    return true;
}

// The shared rule's verdict in the CLI's words (its flags, not the GUI's modes).
QString protocolChoiceUsage(ProtocolChoiceError error, ProtocolChoice choice, const QString &typed,
                            const QUrl &url)
{
    switch (error) {
    case ProtocolChoiceError::None:
        break;
    case ProtocolChoiceError::UnsupportedScheme:
        return QStringLiteral("unsupported URL scheme \"%1\" in %2").arg(url.scheme(), typed);
    case ProtocolChoiceError::NoHost:
        return QStringLiteral("invalid URL \"%1\"").arg(typed);
    case ProtocolChoiceError::H2cOverTls:
        return QStringLiteral("%1: --h2c and --h2c-prior (--http2-prior-knowledge) are cleartext "
                              "only; over TLS, ALPN negotiates h2 (--http2)")
            .arg(typed);
    case ProtocolChoiceError::H2TlsOverCleartext:
        return QStringLiteral("%1: HTTP/2 over TLS needs an https:// URL").arg(typed);
    case ProtocolChoiceError::WebSocketUrlConflict:
        if (choice == ProtocolChoice::CustomUpgrade)
            return QStringLiteral("%1 implies --upgrade websocket").arg(typed);
        return QStringLiteral("%1 cannot be combined with --http1.1, --http2, --h2c, "
                              "--h2c-prior, --http3 or --http3-only")
            .arg(typed);
    case ProtocolChoiceError::MissingUpgradeToken:
    case ProtocolChoiceError::InvalidUpgradeToken:
        return QStringLiteral("--upgrade: one protocol token expected");
    case ProtocolChoiceError::H3OverCleartext:
        return QStringLiteral("%1: HTTP/3 needs an https:// URL (%2)")
            .arg(choice == ProtocolChoice::Http3 ? QStringLiteral("--http3")
                                                 : QStringLiteral("--http3-only"),
                 typed);
    }
    return {};
}

std::optional<int> seconds(const QString &text)
{
    bool ok = false;
    const double s = text.toDouble(&ok);
    if (!ok || s < 0)
        return std::nullopt;
    return int(s * 1000);
}

} // namespace

QString CliOptions::versionText()
{
    const nghttp2_info *ng = nghttp2_version(0);
    // The engine does TLS with OpenSSL itself (engine/tls), not through Qt's backend.
    // HTTP/3: ngtcp2 (QUIC, GnuTLS for its TLS) and nghttp3.
    return QStringLiteral("hopscope-cli %1\nQt %2, nghttp2 %3, TLS: %4\n"
                          "HTTP/3: ngtcp2 %5, nghttp3 %6, GnuTLS %7\n")
        .arg(QStringLiteral(HOPSCOPE_VERSION), QString::fromLatin1(qVersion()),
             QString::fromLatin1(ng->version_str),
             QString::fromLatin1(OpenSSL_version(OPENSSL_VERSION)),
             QString::fromLatin1(ngtcp2_version(0)->version_str),
             QString::fromLatin1(nghttp3_version(0)->version_str),
             QString::fromLatin1(gnutls_check_version(nullptr)));
}

CliOptions CliOptions::parse(const QStringList &arguments)
{
    CliOptions opts;
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Sends HTTP requests and shows, step by step, what crossed the connection.\n"
        "Requests run in the order given. Exit status, as curl's: 0 when every request got a\n"
        "complete response (whatever its status, unless -f), else the first failure's: 6 resolve,\n"
        "7 connect, 8 not HTTP, 16 HTTP/2, 18 body cut short, 22 status >= 400 with -f,\n"
        "23 write, 28 timeout or too slow (-m, --timeout, -Y), 35 TLS handshake, 52 empty reply,\n"
        "56 receive or CONNECT refused by the proxy, 60 certificate, 61 decoding, 92 stream "
        "reset,\n"
        "5 proxy not resolved, 97 proxy handshake, 1 any other; 2 usage error.\n"
        "Proxies as curl picks them: -x, else http_proxy (http://) or HTTPS_PROXY (https://),\n"
        "else ALL_PROXY (lower-case names first); --noproxy, else NO_PROXY, exempts hosts."));
    p.setSingleDashWordOptionMode(QCommandLineParser::ParseAsCompactedShortOptions);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    const QCommandLineOption version(
        QStringLiteral("version"), QStringLiteral("Show versions of Hopscope and its libraries."));
    const QCommandLineOption method(
        {QStringLiteral("X"), QStringLiteral("request")},
        QStringLiteral("Request method (default GET, or POST with data)."),
        QStringLiteral("METHOD"));
    const QCommandLineOption header({QStringLiteral("H"), QStringLiteral("header")},
                                    QStringLiteral("Extra header 'Name: value' (repeatable); "
                                                   "'Name:' removes a default header."),
                                    QStringLiteral("HEADER"));
    const QCommandLineOption data({QStringLiteral("d"), QStringLiteral("data")},
                                  QStringLiteral("Request body (as curl: POST, form content type; "
                                                 "@FILE reads a file without its line breaks)."),
                                  QStringLiteral("DATA"));
    const QCommandLineOption dataBinary(QStringLiteral("data-binary"),
                                        QStringLiteral("Request body as is; @FILE streams a file."),
                                        QStringLiteral("DATA"));
    const QCommandLineOption output({QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("Write the n-th response body to FILE "
                                                   "(repeatable; - for stdout)."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption verbose({QStringLiteral("v"), QStringLiteral("verbose")},
                                     QStringLiteral("Show the readable trace on stderr."));
    const QCommandLineOption traceJson(QStringLiteral("trace-json"),
                                       QStringLiteral("Write the trace as JSON lines to FILE "
                                                      "(- for stdout; bodies then need -o)."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption http11(
        QStringLiteral("http1.1"), QStringLiteral("Use HTTP/1.1 only (TLS offers ALPN http/1.1)."));
    const QCommandLineOption alpn(QStringLiteral("alpn"),
                                  QStringLiteral("ALPN protocols to offer, comma-separated."),
                                  QStringLiteral("LIST"));
    const QCommandLineOption cacert(
        QStringLiteral("cacert"),
        QStringLiteral("Verify the server against the CA "
                       "certificates in FILE (instead of the system's)."),
        QStringLiteral("FILE"));
    const QCommandLineOption insecure({QStringLiteral("k"), QStringLiteral("insecure")},
                                      QStringLiteral("Do not verify the server's certificate."));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("Give up on the whole run after SECONDS."),
                                     QStringLiteral("SECONDS"));
    const QCommandLineOption connectTimeout(QStringLiteral("connect-timeout"),
                                            QStringLiteral("Give up connecting (DNS, TCP, TLS) "
                                                           "after SECONDS (default 30)."),
                                            QStringLiteral("SECONDS"));
    const QCommandLineOption idleTimeout(QStringLiteral("idle-timeout"),
                                         QStringLiteral("Fail a request when no byte moves for "
                                                        "SECONDS (default 60)."),
                                         QStringLiteral("SECONDS"));
    const QCommandLineOption compressed(
        QStringLiteral("compressed"),
        QStringLiteral("Ask for and decode gzip, deflate, br, zstd."));
    const QCommandLineOption limit(QStringLiteral("limit"),
                                   QStringLiteral("Set a named limit, e.g. maxHeaderBytes=307200 "
                                                  "(repeatable; see the README for the names)."),
                                   QStringLiteral("NAME=VALUE"));
    const QCommandLineOption h2c(
        QStringLiteral("h2c"), QStringLiteral("Cleartext: offer Upgrade: h2c on the first request "
                                              "of each connection (RFC 7540 §3.2)."));
    const QCommandLineOption h2cPrior(
        {QStringLiteral("h2c-prior"), QStringLiteral("http2-prior-knowledge")},
        QStringLiteral("Cleartext: HTTP/2 with prior knowledge."));
    const QCommandLineOption http2(QStringLiteral("http2"),
                                   QStringLiteral("HTTP/2 as curl reaches it: ALPN h2 (or "
                                                  "http/1.1) over TLS, Upgrade: h2c on http://."));
    const QCommandLineOption http3(
        QStringLiteral("http3"),
        QStringLiteral("HTTP/3 over QUIC for https:// URLs; if QUIC fails, the request goes "
                       "over TCP instead (the trace says why)."));
    const QCommandLineOption http3Only(QStringLiteral("http3-only"),
                                       QStringLiteral("HTTP/3 over QUIC only: fail when QUIC "
                                                      "fails."));
    const QCommandLineOption noAltSvc(QStringLiteral("no-alt-svc"),
                                      QStringLiteral("Do not follow an Alt-Svc: h3 advertisement "
                                                     "to HTTP/3."));
    const QCommandLineOption h2cOptions(
        QStringLiteral("h2c-options"), QStringLiteral("With --h2c: upgrade on a bodiless OPTIONS * "
                                                      "first, then send the request as a stream."));
    const QCommandLineOption upgrade(QStringLiteral("upgrade"),
                                     QStringLiteral("Offer Upgrade: TOKEN on the first request of "
                                                    "each connection."),
                                     QStringLiteral("TOKEN"));
    const QCommandLineOption noUpgradeH2(
        QStringLiteral("no-upgrade-h2"),
        QStringLiteral("Do not follow an `Upgrade: h2` "
                       "advertisement to a new HTTP/2 connection."));
    const QCommandLineOption parallel(QStringLiteral("parallel"),
                                      QStringLiteral("Send all requests at once (HTTP/2: as "
                                                     "concurrent streams on one connection)."));
    const QCommandLineOption maxConnections(QStringLiteral("max-connections"),
                                            QStringLiteral("HTTP/1.1 connections per origin with "
                                                           "--parallel (default 6)."),
                                            QStringLiteral("N"));
    const QCommandLineOption repeat(
        QStringLiteral("repeat"), QStringLiteral("Request each URL N times."), QStringLiteral("N"));
    const QCommandLineOption wsSend(QStringLiteral("ws-send"),
                                    QStringLiteral("WebSocket: send a text message (repeatable, "
                                                   "in order)."),
                                    QStringLiteral("TEXT"));
    const QCommandLineOption wsSendBinary(QStringLiteral("ws-send-binary"),
                                          QStringLiteral("WebSocket: send a binary message, "
                                                         "@FILE reads it (repeatable)."),
                                          QStringLiteral("DATA"));
    const QCommandLineOption send(QStringLiteral("send"),
                                  QStringLiteral("Raw tunnel (any other --upgrade token): send "
                                                 "these bytes (repeatable, in order)."),
                                  QStringLiteral("TEXT"));
    const QCommandLineOption linger(QStringLiteral("linger"),
                                    QStringLiteral("After the last send, close the session once "
                                                   "the peer was quiet for SECONDS (default 1)."),
                                    QStringLiteral("SECONDS"));
    const QCommandLineOption demo(QStringLiteral("demo"),
                                  QStringLiteral("Start the embedded demo server and run the "
                                                 "tour of protocol switches (implies -v)."));
    const QCommandLineOption serveDemo(QStringLiteral("serve-demo"),
                                       QStringLiteral("Run the embedded demo server and print "
                                                      "its URLs, until interrupted."));
    p.addOption(demo);
    p.addOption(serveDemo);
    // HAR 1.2 export (docs/har.md), kept apart from the curl-like options above.
    const QCommandLineOption har(QStringLiteral("har"),
                                 QStringLiteral("Write the run as HAR 1.2 to FILE, bodies "
                                                "included (see docs/har.md)."),
                                 QStringLiteral("FILE"));
    const QCommandLineOption harSecrets(
        QStringLiteral("har-secrets"),
        QStringLiteral("Keep Authorization, Proxy-Authorization, Cookie and Set-Cookie values in "
                       "the HAR (redacted by default)."));
    p.addOptions({har, harSecrets});
    // A session file (docs/session-format.md) that the window opens with every body.
    const QCommandLineOption save(QStringLiteral("save"),
                                  QStringLiteral("Save the run as a Hopscope session file "
                                                 "(every event and body, secrets included) "
                                                 "that `hopscope FILE` opens."),
                                  QStringLiteral("FILE"));
    p.addOption(save);
    p.addOptions({help,           version,     method,     header,       data,
                  dataBinary,     output,      verbose,    traceJson,    http11,
                  http2,          alpn,        cacert,     insecure,     timeout,
                  connectTimeout, idleTimeout, compressed, limit,        h2c,
                  h2cPrior,       h2cOptions,  upgrade,    noUpgradeH2,  parallel,
                  maxConnections, repeat,      wsSend,     wsSendBinary, send,
                  linger,         http3,       http3Only,  noAltSvc});
    const CurlHabits curl(p);
    const TlsCliOptions tlsOptions(p);
    const RoutingOptions routing(p);
    p.addPositionalArgument(QStringLiteral("URL"),
                            QStringLiteral("http://, https://, ws:// or wss:// URLs."),
                            QStringLiteral("URL..."));

    auto usage = [&](const QString &msg) {
        opts.action = Action::UsageError;
        opts.message = msg;
        return opts;
    };
    if (!p.parse(arguments))
        return usage(p.errorText());
    if (p.isSet(help)) {
        opts.action = Action::Help;
        opts.message = p.helpText();
        return opts;
    }
    if (p.isSet(version)) {
        opts.action = Action::Version;
        opts.message = versionText();
        return opts;
    }
    const QStringList urls = p.positionalArguments();
    if (p.isSet(demo) || p.isSet(serveDemo)) {
        if (!urls.isEmpty())
            return usage(QStringLiteral("--demo and --serve-demo take no URL"));
        if (p.isSet(demo) && p.isSet(serveDemo))
            return usage(QStringLiteral("--demo and --serve-demo exclude each other"));
        opts.action = p.isSet(demo) ? Action::Demo : Action::ServeDemo;
        opts.verbose = true;
        opts.traceJson = p.value(traceJson);
        opts.har = p.value(har);
        opts.harSecrets = p.isSet(harSecrets);
        opts.save = p.value(save);
        return opts;
    }
    if (urls.isEmpty())
        return usage(QStringLiteral("no URL given (see --help)"));

    RequestSpec base;
    for (const QString &h : p.values(header)) {
        const qsizetype colon = h.indexOf(QLatin1Char(':'));
        if (colon <= 0)
            return usage(QStringLiteral("-H \"%1\": expected 'Name: value'").arg(h));
        base.headers.append(
            HttpHeader{h.left(colon).trimmed().toLatin1(), h.mid(colon + 1).trimmed().toUtf8()});
    }
    const bool formData = p.isSet(data) || p.isSet(curl.dataRaw);
    if (formData && p.isSet(dataBinary))
        return usage(QStringLiteral("-d and --data-binary cannot be combined"));
    if (p.isSet(curl.head) && (formData || p.isSet(dataBinary)))
        return usage(QStringLiteral("-I (HEAD) cannot be combined with -d or --data-binary"));
    if (p.isSet(curl.get) && p.isSet(dataBinary))
        return usage(QStringLiteral("-G takes -d or --data-raw, not --data-binary"));
    if (QString error = curl.applyToRequest(p, base); !error.isEmpty())
        return usage(error);
    if (QString error = routing.applyToRequest(p, QProcessEnvironment::systemEnvironment(), base);
        !error.isEmpty())
        return usage(error);
    // Every -d and --data-raw, in the order given, joined with '&' (as curl joins them): the
    // body, or with -G the query each URL gets.
    QByteArray joinedData;
    {
        const QStringList ds = p.values(data);
        const QStringList raws = p.values(curl.dataRaw);
        qsizetype nextD = 0;
        qsizetype nextRaw = 0;
        bool first = true;
        for (const QString &name : p.optionNames()) {
            QByteArray part;
            if (name == u"d" || name == u"data") {
                const QString d = ds.value(nextD++);
                if (d.startsWith(QLatin1Char('@'))) {
                    QFile f(d.mid(1));
                    if (!f.open(QIODevice::ReadOnly))
                        return usage(QStringLiteral("-d %1: %2").arg(d, f.errorString()));
                    part = f.readAll();
                    part.replace("\r", "").replace("\n", "");
                } else {
                    part = d.toUtf8();
                }
            } else if (name == u"data-raw") {
                part = raws.value(nextRaw++).toUtf8();
            } else {
                continue;
            }
            if (!first)
                joinedData += '&';
            joinedData += part;
            first = false;
        }
    }
    const bool dataInQuery = formData && p.isSet(curl.get);
    if (p.isSet(curl.get) && !p.isSet(curl.head))
        base.method = "GET";
    if (formData && !dataInQuery) {
        base.body = joinedData;
        base.method = "POST";
        if (!hasHeader(base.headers, "Content-Type"))
            base.headers.append(HttpHeader{"Content-Type", "application/x-www-form-urlencoded"});
    }
    if (p.isSet(dataBinary)) {
        const QString d = p.value(dataBinary);
        if (d.startsWith(QLatin1Char('@'))) {
            base.bodyFile = d.mid(1);
            if (!QFile::exists(base.bodyFile))
                return usage(QStringLiteral("--data-binary %1: no such file").arg(d));
        } else {
            base.body = d.toUtf8();
        }
        base.method = "POST";
        if (!hasHeader(base.headers, "Content-Type"))
            base.headers.append(HttpHeader{"Content-Type", "application/octet-stream"});
    }
    if (p.isSet(method)) {
        base.method = p.value(method).toLatin1();
        if (!isHttpToken(base.method))
            return usage(QStringLiteral("-X: invalid method \"%1\"").arg(p.value(method)));
    }
    const int modes =
        int(p.isSet(http11)) + int(p.isSet(h2c)) + int(p.isSet(h2cPrior)) + int(p.isSet(http2));
    if (modes > 1)
        return usage(QStringLiteral("--http1.1, --http2, --h2c and --h2c-prior "
                                    "(--http2-prior-knowledge) exclude each other"));
    // How to reach the origin; applyProtocolChoice() sets the spec's fields per URL below.
    ProtocolChoice choice = ProtocolChoice::Auto;
    if (p.isSet(http11))
        choice = ProtocolChoice::Http1Only;
    if (p.isSet(http2))
        choice = ProtocolChoice::Http2;
    if (p.isSet(h2c))
        choice = ProtocolChoice::H2cUpgrade;
    if (p.isSet(h2cPrior))
        choice = ProtocolChoice::H2cPrior;
    if (p.isSet(h2cOptions)) {
        if (!p.isSet(h2c) && !p.isSet(http2))
            return usage(QStringLiteral("--h2c-options needs --h2c"));
        base.h2cViaOptions = true;
    }
    QByteArray upgradeToken;
    if (p.isSet(upgrade)) {
        if (modes > 0)
            return usage(QStringLiteral("--upgrade cannot be combined with --http1.1, --http2, "
                                        "--h2c or --h2c-prior"));
        choice = ProtocolChoice::CustomUpgrade;
        upgradeToken = p.value(upgrade).trimmed().toLatin1();
        if (!isHttpToken(upgradeToken))
            return usage(QStringLiteral("--upgrade: one protocol token expected"));
    }
    base.followUpgradeH2 = !p.isSet(noUpgradeH2);
    if (p.isSet(http3) && p.isSet(http3Only))
        return usage(QStringLiteral("--http3 and --http3-only exclude each other"));
    if ((p.isSet(http3) || p.isSet(http3Only)) &&
        (p.isSet(http11) || p.isSet(h2c) || p.isSet(h2cPrior) || p.isSet(upgrade)))
        return usage(QStringLiteral("--http3 and --http3-only cannot be combined with "
                                    "--http1.1, --h2c, --h2c-prior or --upgrade"));
    base.followAltSvc = !p.isSet(noAltSvc);
    if (p.isSet(http3))
        choice = ProtocolChoice::Http3;
    if (p.isSet(http3Only))
        choice = ProtocolChoice::Http3Only;
    opts.parallel = p.isSet(parallel);
    if (p.isSet(maxConnections)) {
        bool ok = false;
        opts.maxConnections = p.value(maxConnections).toInt(&ok);
        if (!ok || opts.maxConnections < 1)
            return usage(QStringLiteral("--max-connections: a positive number expected"));
    }
    int repeatCount = 1;
    if (p.isSet(repeat)) {
        bool ok = false;
        repeatCount = p.value(repeat).toInt(&ok);
        if (!ok || repeatCount < 1 || repeatCount > 1'000'000)
            return usage(QStringLiteral("--repeat: a number from 1 to 1000000 expected"));
    }
    if (p.isSet(alpn)) {
        for (const QString &a : p.value(alpn).split(QLatin1Char(','), Qt::SkipEmptyParts))
            base.tls.alpn.append(a.trimmed().toLatin1());
        if (base.tls.alpn.isEmpty())
            return usage(QStringLiteral("--alpn: empty list"));
    }
    if (p.isSet(cacert)) {
        base.tls.caFile = p.value(cacert);
        if (!QFile::exists(base.tls.caFile))
            return usage(QStringLiteral("--cacert %1: no such file").arg(base.tls.caFile));
    }
    base.tls.insecure = p.isSet(insecure);
    if (QString error = tlsOptions.apply(p, base.tls); !error.isEmpty())
        return usage(error);
    base.decodeContent = p.isSet(compressed);
    if (p.isSet(connectTimeout)) {
        const auto ms = seconds(p.value(connectTimeout));
        if (!ms)
            return usage(QStringLiteral("--connect-timeout: not a number of seconds"));
        base.timeouts.connectMs = *ms;
    }
    if (p.isSet(idleTimeout)) {
        const auto ms = seconds(p.value(idleTimeout));
        if (!ms)
            return usage(QStringLiteral("--idle-timeout: not a number of seconds"));
        base.timeouts.idleMs = *ms;
    }
    if (p.isSet(timeout)) {
        const auto ms = seconds(p.value(timeout));
        if (!ms)
            return usage(QStringLiteral("--timeout: not a number of seconds"));
        opts.runTimeoutMs = *ms;
    }
    for (const QString &l : p.values(limit)) {
        const qsizetype eq = l.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return usage(QStringLiteral("--limit %1: expected NAME=VALUE").arg(l));
        QString error;
        if (!setLimit(base.limits, l.left(eq), l.mid(eq + 1), &error))
            return usage(error);
    }

    // Sends keep their command-line order across the three options.
    {
        QList<QPair<int, SessionSend>> ordered;
        const QStringList args = arguments;
        auto indexOfValue = [&](const QString &name, int occurrence) {
            int seen = 0;
            for (int i = 0; i < args.size(); ++i) {
                const QString a = args.at(i);
                if (a == QStringLiteral("--") + name ||
                    a.startsWith(QStringLiteral("--") + name + QLatin1Char('='))) {
                    if (seen++ == occurrence)
                        return i;
                }
            }
            return int(args.size());
        };
        const QStringList texts = p.values(wsSend);
        for (int i = 0; i < texts.size(); ++i)
            ordered.append({indexOfValue(QStringLiteral("ws-send"), i),
                            {SessionSend::Kind::Text, texts.at(i).toUtf8()}});
        const QStringList raws = p.values(send);
        for (int i = 0; i < raws.size(); ++i)
            ordered.append({indexOfValue(QStringLiteral("send"), i),
                            {SessionSend::Kind::Text, raws.at(i).toUtf8()}});
        const QStringList binaries = p.values(wsSendBinary);
        for (int i = 0; i < binaries.size(); ++i) {
            QByteArray bytes = binaries.at(i).toUtf8();
            if (binaries.at(i).startsWith(QLatin1Char('@'))) {
                QFile f(binaries.at(i).mid(1));
                if (!f.open(QIODevice::ReadOnly))
                    return usage(QStringLiteral("--ws-send-binary %1: %2")
                                     .arg(binaries.at(i), f.errorString()));
                bytes = f.readAll();
            }
            ordered.append({indexOfValue(QStringLiteral("ws-send-binary"), i),
                            {SessionSend::Kind::Binary, bytes}});
        }
        std::stable_sort(ordered.begin(), ordered.end(),
                         [](const auto &a, const auto &b) { return a.first < b.first; });
        for (const auto &o : ordered)
            opts.sessionSends.append(o.second);
    }
    if (p.isSet(linger)) {
        const auto ms = seconds(p.value(linger));
        if (!ms)
            return usage(QStringLiteral("--linger: not a number of seconds"));
        opts.lingerMs = *ms;
    }
    const bool wsOptions = p.isSet(wsSend) || p.isSet(wsSendBinary);

    for (const QString &u : urls) {
        const QUrl url = urlFromUserText(u);
        if (!url.isValid())
            return usage(QStringLiteral("invalid URL \"%1\"").arg(u));
        RequestSpec spec = base;
        QUrl target = url;
        if (dataInQuery) {
            const QString query = target.query(QUrl::FullyEncoded);
            target.setQuery((query.isEmpty() ? QString() : query + QLatin1Char('&')) +
                                QString::fromUtf8(joinedData),
                            QUrl::TolerantMode);
        }
        const ProtocolChoiceError error = applyProtocolChoice(spec, target, choice, upgradeToken);
        if (error != ProtocolChoiceError::None)
            return usage(protocolChoiceUsage(error, choice, u, url));
        if (wsOptions && spec.upgrade.toLower() != "websocket")
            return usage(QStringLiteral("--ws-send needs a ws:// or wss:// URL or --upgrade "
                                        "websocket"));
        if (p.isSet(send) && (spec.upgrade.isEmpty() || spec.upgrade.toLower() == "websocket"))
            return usage(QStringLiteral("--send needs --upgrade TOKEN (a raw tunnel)"));
        opts.urls.append(spec);
    }
    opts.repeat = repeatCount;
    opts.outputs = p.values(output);
    if (opts.outputs.size() > opts.requestCount())
        return usage(QStringLiteral("more -o options (%1) than URLs (%2)")
                         .arg(opts.outputs.size())
                         .arg(opts.requestCount()));
    opts.verbose = p.isSet(verbose);
    opts.traceJson = p.value(traceJson);
    if (QString error = curl.applyToRun(p, opts); !error.isEmpty())
        return usage(error);
    opts.har = p.value(har);
    opts.harSecrets = p.isSet(harSecrets);
    opts.save = p.value(save);
    return opts;
}

} // namespace hopscope
