#include "core/copycommand.h"

#include "http1/http1requestwriter.h"

#include <QStringList>
#include <QUrl>
#include <algorithm>

namespace hopscope {

namespace {

constexpr QLatin1StringView kRedacted = kRedactedValue;
constexpr QByteArrayView kEngineEncodings{"gzip, deflate, br, zstd"}; // hopscope's --compressed

bool is(QByteArrayView name, const char *other)
{
    return name.compare(other, Qt::CaseInsensitive) == 0;
}

bool isValidUtf8(QByteArrayView bytes)
{
    // An invalid sequence becomes U+FFFD and does not come back as the same bytes.
    return QString::fromUtf8(bytes).toUtf8() == bytes;
}

bool isSafeChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           QByteArrayView("_./:=@%+,-").contains(c);
}

// printf's format: printable ASCII as is, everything else (and the format's own \ and %, and
// the quote) as a three-digit octal escape, which POSIX printf turns back into the byte.
QString printfWord(QByteArrayView bytes)
{
    QString out = QStringLiteral("'");
    for (char c : bytes) {
        const uchar u = uchar(c);
        if (u >= 0x20 && u < 0x7f && c != '\\' && c != '%' && c != '\'')
            out += QLatin1Char(c);
        else
            out += QStringLiteral("\\%1").arg(u, 3, 8, QLatin1Char('0'));
    }
    return out + QLatin1Char('\'');
}

bool toolUpgradesItself(CopyTool tool, ReplayMode mode)
{
    if (mode == ReplayMode::H2cUpgrade)
        return true;
    return tool == CopyTool::HopscopeCli &&
           (mode == ReplayMode::WebSocket || mode == ReplayMode::CustomUpgrade);
}

// The headers the tool's own upgrade writes, which the command must not repeat.
bool addedByToolUpgrade(CopyTool tool, ReplayMode mode, QByteArrayView name)
{
    if (!toolUpgradesItself(tool, mode))
        return false;
    if (is(name, "connection") || is(name, "upgrade"))
        return true;
    if (mode == ReplayMode::H2cUpgrade)
        return is(name, "http2-settings");
    return mode == ReplayMode::WebSocket &&
           (is(name, "sec-websocket-key") || is(name, "sec-websocket-version"));
}

// A default the tool sends with this very value: repeating it would change nothing.
bool toolDefault(CopyTool tool, const HttpHeader &h)
{
    if (is(h.name, "accept"))
        return h.value == "*/*";
    if (is(h.name, "user-agent"))
        return tool == CopyTool::HopscopeCli && h.value == Http1RequestWriter::userAgent();
    if (is(h.name, "accept-encoding"))
        return tool == CopyTool::Nghttp && h.value == "gzip, deflate";
    return false;
}

QByteArray authorityOf(const QUrl &url)
{
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    const bool tls = url.scheme() == u"https" || url.scheme() == u"wss";
    if (url.port(tls ? 443 : 80) != (tls ? 443 : 80))
        host += ':' + QByteArray::number(url.port());
    return host;
}

bool isTlsScheme(const QUrl &url)
{
    return url.scheme() == u"https" || url.scheme() == u"wss";
}

// The URL the tool takes: hopscope-cli says WebSocket by ws:// and wss://, the others by
// http:// and https:// with the handshake in headers.
QString urlFor(CopyTool tool, const ReplayRequest &r, const CopyCommandOptions &options)
{
    QUrl url(r.url);
    const bool tls = isTlsScheme(url);
    if (tool == CopyTool::HopscopeCli && r.mode == ReplayMode::WebSocket)
        url.setScheme(tls ? QStringLiteral("wss") : QStringLiteral("ws"));
    else if (url.scheme() == u"ws" || url.scheme() == u"wss")
        url.setScheme(tls ? QStringLiteral("https") : QStringLiteral("http"));
    if (options.includeSecrets || url.password().isEmpty())
        return url.toString(QUrl::FullyEncoded);
    // QUrl would percent-encode the brackets; the user should read the word.
    static const QString placeholder = QStringLiteral("hopscopeRedactedPassword");
    url.setPassword(placeholder);
    return url.toString(QUrl::FullyEncoded).replace(placeholder, kRedacted);
}

QString modeWords(ReplayMode mode)
{
    switch (mode) {
    case ReplayMode::Http1:
        return QStringLiteral("HTTP/1.1");
    case ReplayMode::TlsHttp1:
        return QStringLiteral("HTTP/1.1 over TLS");
    case ReplayMode::WebSocket:
        return QStringLiteral("an HTTP/1.1 WebSocket handshake");
    case ReplayMode::CustomUpgrade:
        return QStringLiteral("an HTTP/1.1 upgrade offer");
    default:
        return QStringLiteral("HTTP/2");
    }
}

class CommandBuilder
{
public:
    CommandBuilder(const ReplayRequest &r, CopyTool tool, const CopyCommandOptions &options)
        : m_r(r), m_tool(tool), m_options(options)
    {
    }

    QString build()
    {
        if (m_tool == CopyTool::Nghttp &&
            (m_r.mode == ReplayMode::Http1 || m_r.mode == ReplayMode::TlsHttp1 ||
             m_r.mode == ReplayMode::WebSocket || m_r.mode == ReplayMode::CustomUpgrade))
            return QStringLiteral("# nghttp speaks only HTTP/2: this exchange used %1, which it "
                                  "cannot send (copy it as curl or hopscope-cli)")
                .arg(modeWords(m_r.mode));
        m_args << copyToolName(m_tool);
        protocolFlags();
        routeFlags();
        method();
        headers();
        body();
        m_args << shellQuote(urlFor(m_tool, m_r, m_options).toUtf8());
        QString command = m_envPrefix + m_args.join(QLatin1Char(' '));
        if (!m_bodyWriter.isEmpty())
            command = m_bodyWriter + command;
        QString out;
        for (const QString &note : std::as_const(m_notes))
            out += QLatin1String("# ") + note + QLatin1Char('\n');
        return out + command;
    }

private:
    bool hasBody() const { return !m_r.body.isEmpty(); }

    void protocolFlags()
    {
        const ReplayMode mode = m_r.mode;
        switch (m_tool) {
        case CopyTool::Curl:
            if (mode == ReplayMode::H2cPrior)
                m_args << QStringLiteral("--http2-prior-knowledge");
            else if (mode == ReplayMode::H2cUpgrade || mode == ReplayMode::TlsH2)
                m_args << QStringLiteral("--http2");
            else if (mode != ReplayMode::Unknown)
                m_args << QStringLiteral("--http1.1");
            if (mode == ReplayMode::H2cUpgrade && m_r.h2cViaOptions)
                m_notes << QStringLiteral("curl cannot upgrade on an OPTIONS request first: "
                                          "this request itself offers h2c");
            if (mode == ReplayMode::WebSocket || mode == ReplayMode::CustomUpgrade)
                m_args << QStringLiteral("--include") << QStringLiteral("--no-buffer");
            break;
        case CopyTool::Nghttp:
            m_args << QStringLiteral("-v");
            if (mode == ReplayMode::H2cUpgrade) {
                m_args << QStringLiteral("-u");
                if (hasBody())
                    m_notes << QStringLiteral("nghttp -u with a body upgrades on an OPTIONS "
                                              "request first and sends this one as stream 3");
            }
            if (isTlsScheme(QUrl(m_r.url)))
                m_notes << QStringLiteral("nghttp does not verify the server's certificate");
            break;
        case CopyTool::HopscopeCli:
            if (mode == ReplayMode::Http1 || mode == ReplayMode::TlsHttp1)
                m_args << QStringLiteral("--http1.1");
            else if (mode == ReplayMode::H2cUpgrade)
                m_args << QStringLiteral("--h2c");
            else if (mode == ReplayMode::H2cPrior)
                m_args << QStringLiteral("--h2c-prior");
            else if (mode == ReplayMode::TlsH2)
                m_args << QStringLiteral("--http2");
            else if (mode == ReplayMode::CustomUpgrade)
                m_args << QStringLiteral("--upgrade") << shellQuote(m_r.upgradeToken);
            if (mode == ReplayMode::H2cUpgrade && m_r.h2cViaOptions)
                m_args << QStringLiteral("--h2c-options");
            break;
        }
        if (m_tool != CopyTool::Nghttp) {
            if (m_r.insecure)
                m_args << QStringLiteral("-k");
            if (!m_r.caFile.isEmpty())
                m_args << QStringLiteral("--cacert") << shellQuote(m_r.caFile.toUtf8());
        }
    }

    // The route words (request.start's `route`) as the tool takes them. curl and hopscope-cli
    // share their spelling, except that curl reads a key-log file from SSLKEYLOGFILE; nghttp
    // knows only --cert and --key, the rest is left out with a note saying so.
    void routeFlags()
    {
        const QStringList &words = m_r.route;
        QStringList redacted;
        for (qsizetype i = 0; i < words.size(); ++i) {
            const QString &flag = words.at(i);
            // The words come from a trace, maybe a crafted one: only the route's own options
            // reach a command line (a stray -o or -K would write or read files when pasted).
            static const QStringList known{
                QStringLiteral("-x"),           QStringLiteral("--proxy-user"),
                QStringLiteral("--noproxy"),    QStringLiteral("--resolve"),
                QStringLiteral("--connect-to"), QStringLiteral("-4"),
                QStringLiteral("-6"),           QStringLiteral("--cert"),
                QStringLiteral("--pass"),       QStringLiteral("--key"),
                QStringLiteral("--keylog")};
            if (!known.contains(flag)) {
                m_notes << QStringLiteral("the trace's route holds %1, which is not a routing "
                                          "option: the rest of its route is left out")
                               .arg(shellQuote(flag.toUtf8()));
                break;
            }
            const bool valued = flag != u"-4" && flag != u"-6";
            const QString value = valued && i + 1 < words.size() ? words.at(++i) : QString();
            if (value.contains(kRedacted))
                redacted << flag;
            if (m_tool == CopyTool::Nghttp) {
                nghttpRoute(flag, value);
            } else if (m_tool == CopyTool::Curl && flag == u"--keylog") {
                m_envPrefix = QStringLiteral("SSLKEYLOGFILE=%1 ").arg(shellQuote(value.toUtf8()));
            } else {
                m_args << flag;
                if (valued)
                    m_args << shellQuote(value.toUtf8());
            }
        }
        if (!redacted.isEmpty() && m_tool != CopyTool::Nghttp)
            m_notes << QStringLiteral("the trace never holds a password: replace %1 in %2 with it")
                           .arg(kRedacted, redacted.join(QLatin1String(" and ")));
    }

    void nghttpRoute(const QString &flag, const QString &value)
    {
        if (flag == u"-x" && !value.isEmpty()) {
            m_notes << QStringLiteral("nghttp has no proxy options: this exchange went through "
                                      "%1, the command below connects directly")
                           .arg(value);
        } else if (flag == u"--resolve" || flag == u"--connect-to") {
            m_notes << QStringLiteral("nghttp has no %1: this exchange used %1 %2, the command "
                                      "below connects where DNS says")
                           .arg(flag, value);
        } else if (flag == u"-4" || flag == u"-6") {
            m_notes << QStringLiteral("nghttp has no %1: the command below may use either "
                                      "address family")
                           .arg(flag);
        } else if (flag == u"--cert") {
            const QString file = QString(value).replace(QLatin1String("\\:"), QLatin1String(":"));
            m_args << QStringLiteral("--cert") << shellQuote(file.toUtf8());
            if (!m_r.route.contains(QStringLiteral("--key"))) {
                // nghttp loads no key from the certificate file by itself.
                m_args << QStringLiteral("--key") << shellQuote(file.toUtf8());
            }
            m_notes << QStringLiteral("nghttp reads the client certificate and key as PEM only "
                                      "(convert a PKCS#12 file with openssl pkcs12 -nodes)");
        } else if (flag == u"--key") {
            m_args << QStringLiteral("--key") << shellQuote(value.toUtf8());
        } else if (flag == u"--pass") {
            m_notes << QStringLiteral("nghttp takes no key password: the key must be "
                                      "unencrypted");
        } else if (flag == u"--keylog") {
            m_notes << QStringLiteral("nghttp writes no key log (this exchange logged its keys "
                                      "to %1): copy as curl or hopscope-cli for that")
                           .arg(value);
        }
        // --proxy-user goes with the proxy; --noproxy and -x "" say what nghttp does anyway.
    }

    void method()
    {
        const QByteArray method = m_r.method.isEmpty() ? QByteArrayLiteral("GET") : m_r.method;
        const QByteArrayView implied = hasBody() ? "POST" : "GET";
        if (method == implied)
            return;
        if (m_tool == CopyTool::Curl && method == "HEAD")
            m_args << QStringLiteral("--head"); // -X HEAD would wait for a body
        else if (m_tool == CopyTool::Nghttp)
            m_args << QStringLiteral("-H") << shellQuote(":method: " + method);
        else
            m_args << QStringLiteral("-X") << shellQuote(method);
    }

    void header(QByteArrayView name, QByteArrayView value)
    {
        QByteArray line = name.toByteArray() + ':';
        if (!value.isEmpty())
            line += ' ' + value.toByteArray();
        if (line.contains('\0')) {
            m_notes << QStringLiteral("the %1 header holds a NUL byte, which no command line "
                                      "can carry: it is left out")
                           .arg(QString::fromLatin1(name));
            return;
        }
        m_args << QStringLiteral("-H") << shellQuote(line);
    }

    void headers()
    {
        const QUrl url(m_r.url);
        const QByteArray authority = authorityOf(url);
        bool sawAgent = false, sawAccept = false, sawType = false;
        for (const HttpHeader &h : m_r.headers) {
            if (is(h.name, "host") || is(h.name, ":authority")) {
                if (h.value != authority)
                    header(m_tool == CopyTool::Nghttp ? ":authority" : "Host", h.value);
                continue;
            }
            sawAgent |= is(h.name, "user-agent");
            sawAccept |= is(h.name, "accept");
            sawType |= is(h.name, "content-type");
            if (h.name.startsWith(':') || is(h.name, "content-length") ||
                addedByToolUpgrade(m_tool, m_r.mode, h.name) || toolDefault(m_tool, h))
                continue;
            if (m_tool == CopyTool::HopscopeCli && is(h.name, "accept-encoding") &&
                h.value == kEngineEncodings) {
                m_args << QStringLiteral("--compressed");
                continue;
            }
            if (!m_options.includeSecrets && isSecretHeader(h.name))
                header(h.name, QByteArrayView(kRedacted.data(), kRedacted.size()));
            else
                header(h.name, h.value);
        }
        // curl and hopscope-cli drop a default given without a value: the head stays as sent.
        if (m_r.headers.isEmpty() || m_tool == CopyTool::Nghttp)
            return;
        if (!sawAgent)
            header("User-Agent", {});
        if (!sawAccept)
            header("Accept", {});
        if (hasBody() && !sawType)
            header("Content-Type", {});
    }

    void body()
    {
        if (m_r.bodyMissing) {
            m_notes << QStringLiteral("the request body (%1 bytes) was not kept: add it from "
                                      "a file")
                           .arg(m_r.missingBodyLength);
            return;
        }
        if (!hasBody())
            return;
        if (qsizetype(m_r.body.size()) > kMaxCopiedBody) {
            m_notes << QStringLiteral("the request body (%1 bytes) is larger than a copied "
                                      "command holds (%2 bytes): save it and add it as a file")
                           .arg(m_r.body.size())
                           .arg(kMaxCopiedBody);
            return;
        }
        const QByteArray &b = m_r.body;
        bool argvSafe = !b.contains('\0') && !b.startsWith('@');
        if (m_tool == CopyTool::HopscopeCli)
            argvSafe = argvSafe && isValidUtf8(b); // Qt reads arguments as UTF-8 text
        switch (m_tool) {
        case CopyTool::Nghttp:
            m_bodyWriter = QStringLiteral("printf %1 | ").arg(printfWord(b));
            m_args << QStringLiteral("-d") << QStringLiteral("-");
            break;
        case CopyTool::Curl:
            if (argvSafe) {
                m_args << QStringLiteral("--data-binary") << shellQuote(b);
            } else {
                m_bodyWriter = QStringLiteral("printf %1 | ").arg(printfWord(b));
                m_args << QStringLiteral("--data-binary") << QStringLiteral("@-");
            }
            break;
        case CopyTool::HopscopeCli:
            if (argvSafe) {
                m_args << QStringLiteral("--data-binary") << shellQuote(b);
            } else {
                // hopscope-cli sizes a body file before sending it: no pipe, a file.
                m_bodyWriter =
                    QStringLiteral("body=$(mktemp) && printf %1 >\"$body\" && ").arg(printfWord(b));
                m_args << QStringLiteral("--data-binary") << QStringLiteral("@\"$body\"");
            }
            break;
        }
    }

    const ReplayRequest &m_r;
    const CopyTool m_tool;
    const CopyCommandOptions m_options;
    QStringList m_args;
    QStringList m_notes;
    QString m_bodyWriter; // a printf that feeds a body no argument can carry
    QString m_envPrefix;  // SSLKEYLOGFILE=… for curl's key log
};

} // namespace

QString shellQuote(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return QStringLiteral("''");
    if (std::all_of(bytes.begin(), bytes.end(), isSafeChar))
        return QString::fromLatin1(bytes);
    bool printable = isValidUtf8(bytes);
    for (char c : bytes)
        printable = printable && !(uchar(c) < 0x20 || uchar(c) == 0x7f);
    if (printable) {
        QString out = QString::fromUtf8(bytes);
        out.replace(QLatin1Char('\''), QLatin1String("'\\''"));
        return QLatin1Char('\'') + out + QLatin1Char('\'');
    }
    QString out = QStringLiteral("$'");
    for (char c : bytes) {
        const uchar u = uchar(c);
        if (c == '\'' || c == '\\')
            out += QLatin1String("\\") + QLatin1Char(c);
        else if (u >= 0x20 && u < 0x7f)
            out += QLatin1Char(c);
        else
            out += QStringLiteral("\\x%1").arg(u, 2, 16, QLatin1Char('0'));
    }
    return out + QLatin1Char('\'');
}

QString copyToolName(CopyTool tool)
{
    switch (tool) {
    case CopyTool::Curl:
        return QStringLiteral("curl");
    case CopyTool::Nghttp:
        return QStringLiteral("nghttp");
    case CopyTool::HopscopeCli:
        return QStringLiteral("hopscope-cli");
    }
    return {};
}

QString copyCommand(const ReplayRequest &request, CopyTool tool, const CopyCommandOptions &options)
{
    return CommandBuilder(request, tool, options).build();
}

} // namespace hopscope
