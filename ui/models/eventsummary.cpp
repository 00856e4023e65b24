#include "models/eventsummary.h"

#include "format/durationformat.h"
#include "trace/tracestrings.h"

namespace hopscope {

namespace {

QString fieldName(Field key)
{
    return TraceStrings::instance().entry(quint32(key)).text;
}

// Integers are the most common field (lengths, byte counts): written without a temporary.
void appendInteger(QString &out, qint64 value)
{
    char buf[24];
    char *end = buf + sizeof buf;
    char *p = end;
    const bool negative = value < 0;
    quint64 u = negative ? 0 - quint64(value) : quint64(value);
    do {
        *--p = char('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (negative)
        *--p = '-';
    out += QLatin1StringView(p, end - p);
}

// A scalar as text: strings as they are, numbers plainly, bools yes/no.
void appendScalar(QString &out, FieldValue v)
{
    if (v.isString())
        out += v.toString();
    else if (v.isInteger())
        appendInteger(out, v.toInteger());
    else if (v.isDouble())
        out += QString::number(v.toDouble(), 'g', 6);
    else if (v.isBool())
        out += v.toBool() ? QLatin1String("yes") : QLatin1String("no");
    else if (v.isNull())
        out += QLatin1String("null");
}

// Any value: arrays of pairs as "A=1 B=2", other arrays as "a, b", maps as "{k=v, …}".
void appendValue(QString &out, FieldValue v)
{
    if (v.isArray()) {
        bool first = true;
        for (const FieldValue e : v) {
            if (!first)
                out += e.isArray() ? QLatin1String(" ") : QLatin1String(", ");
            first = false;
            if (e.isArray()) {
                appendScalar(out, e.at(0));
                out += QLatin1Char('=');
                appendScalar(out, e.at(1));
            } else {
                appendValue(out, e);
            }
        }
    } else if (v.isMap()) {
        out += QLatin1Char('{');
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (!first)
                out += QLatin1String(", ");
            first = false;
            out += fieldName(it.key());
            out += QLatin1Char('=');
            appendValue(out, *it);
        }
        out += QLatin1Char('}');
    } else {
        appendScalar(out, v);
    }
}

void appendField(QString &out, const TraceEvent &ev, Field key)
{
    appendValue(out, ev.field(key));
}

// A phase's duration reads as in the timeline's tooltips.
void appendMs(QString &out, double ms)
{
    out += formatDurationNs(qint64(ms * 1e6));
}

// "Upgrade: h2c" when a header list carries one, for the request line of an upgrade offer.
QString headerValue(FieldValue headers, QLatin1StringView name)
{
    for (const FieldValue h : headers) {
        if (h.at(0).toString().compare(name, Qt::CaseInsensitive) == 0)
            return h.at(1).toString();
    }
    return {};
}

void appendFlags(QString &out, FieldValue flags)
{
    bool first = true;
    for (const FieldValue fl : flags) {
        out += first ? QLatin1Char(' ') : QLatin1Char('|');
        first = false;
        out += fl.toString();
    }
}

void appendH2Frame(QString &out, const TraceEvent &ev)
{
    const QString frame = ev.field(Field::Frame).toString();
    out += frame;
    appendFlags(out, ev.field(Field::Flags));
    // The fixed-size frames' lengths say nothing; SETTINGS' is six bytes a setting.
    const bool lengthSaysSomething =
        frame != QLatin1String("WINDOW_UPDATE") && frame != QLatin1String("RST_STREAM") &&
        frame != QLatin1String("PING") && frame != QLatin1String("PRIORITY") &&
        frame != QLatin1String("SETTINGS");
    if (lengthSaysSomething) {
        out += QLatin1String(" len=");
        appendField(out, ev, Field::Length);
    }
    for (auto it = ev.begin(); it != ev.end(); ++it) {
        const Field key = it.key();
        if (key == Field::Frame || key == Field::Flags || key == Field::Length)
            continue;
        out += QLatin1Char(' ');
        if (key == Field::Settings) {
            appendValue(out, *it); // "MAX_CONCURRENT_STREAMS=100 INITIAL_WINDOW_SIZE=…"
        } else if (key == Field::Discarded) {
            if ((*it).toBool())
                out += QLatin1String("discarded");
        } else if (key == Field::Debug) {
            out += QLatin1String("debug=");
            appendQuoted(out, (*it).toString(), 200);
        } else {
            out += fieldName(key);
            out += QLatin1Char('=');
            appendValue(out, *it);
        }
    }
    if (out.endsWith(QLatin1Char(' ')))
        out.chop(1);
}

void appendH2Headers(QString &out, const TraceEvent &ev)
{
    const QString kind = ev.field(Field::Kind).toString();
    const FieldValue headers = ev.field(Field::Headers);
    out += kind.isEmpty() ? QStringLiteral("headers") : kind;
    if (kind == QLatin1String("request")) {
        out += QLatin1Char(' ');
        out += headerValue(headers, QLatin1StringView(":method"));
        out += QLatin1Char(' ');
        out += headerValue(headers, QLatin1StringView(":path"));
    } else if (kind == QLatin1String("response") || kind == QLatin1String("interim")) {
        out += QLatin1Char(' ');
        out += headerValue(headers, QLatin1StringView(":status"));
    } else {
        // Trailers are few and what they say matters (grpc-status…): show them.
        for (const FieldValue h : headers) {
            out += QLatin1Char(' ');
            appendScalar(out, h.at(0));
            out += QLatin1String(": ");
            appendScalar(out, h.at(1));
        }
        return;
    }
    out += QStringLiteral(", %1 headers").arg(headers.size());
}

void appendWsMessage(QString &out, const TraceEvent &ev)
{
    if (ev.field(Field::Text).isValid()) {
        out += QLatin1String("ws text ");
        appendQuoted(out, ev.field(Field::Text).toString());
    } else {
        out += QLatin1String("ws binary ");
        appendField(out, ev, Field::Bytes);
        out += QLatin1String(" bytes");
        const QByteArray data = QByteArray::fromBase64(ev.field(Field::Data).toUtf8());
        constexpr qsizetype kHexShown = 32;
        if (!data.isEmpty()) {
            out += QLatin1String(": ");
            out += QString::fromLatin1(data.left(kHexShown).toHex(' '));
            if (data.size() > kHexShown)
                out += QLatin1String(" …");
        }
    }
    if (ev.field(Field::Truncated).toBool())
        out += QLatin1String(" (truncated in the trace)");
}

void appendGeneric(QString &out, const TraceEvent &ev)
{
    out += QString::fromUtf8(ev.typeName());
    for (auto it = ev.begin(); it != ev.end(); ++it) {
        if (it.key() == Field::TypeName && ev.type == EventType::Other)
            continue; // the name, shown first
        out += QLatin1Char(' ');
        out += fieldName(it.key());
        out += QLatin1Char('=');
        appendValue(out, *it);
    }
}

} // namespace

void appendQuoted(QString &out, QStringView text, qsizetype maxChars)
{
    out += QLatin1Char('"');
    const QStringView shown = text.left(maxChars);
    for (const QChar c : shown) {
        const char16_t u = c.unicode();
        if (u == u'\\' || u == u'"') {
            out += QLatin1Char('\\');
            out += c;
        } else if (u == u'\n') {
            out += QLatin1String("\\n");
        } else if (u == u'\r') {
            out += QLatin1String("\\r");
        } else if (u == u'\t') {
            out += QLatin1String("\\t");
        } else if (u < 0x20 || u == 0x7F) {
            static const char hex[] = "0123456789abcdef";
            out += QLatin1String("\\x");
            out += QLatin1Char(hex[u >> 4]);
            out += QLatin1Char(hex[u & 0xF]);
        } else {
            out += c;
        }
    }
    out += QLatin1Char('"');
    if (text.size() > maxChars)
        out += QChar(0x2026);
}

QString eventSummary(const TraceEvent &ev)
{
    QString out;
    out.reserve(64);
    switch (ev.type) {
    case EventType::RequestStart:
        out += QLatin1String("request ");
        appendField(out, ev, Field::Method);
        out += QLatin1Char(' ');
        appendField(out, ev, Field::Url);
        break;
    case EventType::Dns:
        out += QLatin1String("resolved ");
        appendField(out, ev, Field::Host);
        out += QLatin1String(" to ");
        appendField(out, ev, Field::Addresses);
        out += QLatin1String(" in ");
        appendMs(out, ev.field(Field::Ms).toDouble());
        break;
    case EventType::PoolOpen:
        out += QLatin1String("new connection to ");
        appendField(out, ev, Field::Origin);
        break;
    case EventType::PoolReuse:
        out += QLatin1String("reusing connection to ");
        appendField(out, ev, Field::Origin);
        break;
    case EventType::PoolRetry:
        out += QLatin1String("retrying on a new connection: ");
        appendField(out, ev, Field::Reason);
        break;
    case EventType::ConnectAttempt:
        out += QLatin1String("trying ");
        appendField(out, ev, Field::Address);
        out += QLatin1String(" port ");
        appendField(out, ev, Field::Port);
        if (ev.field(Field::Via).isValid()) {
            out += QLatin1String(" (via ");
            appendField(out, ev, Field::Via);
            out += QLatin1Char(')');
        }
        break;
    case EventType::ConnectFailed:
        out += QLatin1String("connect to ");
        appendField(out, ev, Field::Address);
        out += QLatin1String(" failed: ");
        appendField(out, ev, Field::Message);
        break;
    case EventType::Connect:
        out += QLatin1String("connected to ");
        appendField(out, ev, Field::Host);
        if (ev.field(Field::Host).toString() != ev.field(Field::Address).toString()) {
            out += QLatin1String(" (");
            appendField(out, ev, Field::Address);
            out += QLatin1Char(')');
        }
        out += QLatin1String(" port ");
        appendField(out, ev, Field::Port);
        if (ev.field(Field::Ms).isValid()) {
            out += QLatin1String(" in ");
            appendMs(out, ev.field(Field::Ms).toDouble());
        }
        break;
    case EventType::Tls:
        appendField(out, ev, Field::Protocol);
        out += QLatin1String(", ");
        appendField(out, ev, Field::Cipher);
        out += QLatin1String(", ALPN ");
        if (ev.field(Field::Alpn).isNull() || !ev.field(Field::Alpn).isValid())
            out += QLatin1String("none");
        else
            appendField(out, ev, Field::Alpn);
        out += ev.field(Field::Verified).toBool() ? QLatin1String(", certificate verified")
                                                  : QLatin1String(", certificate NOT VERIFIED");
        if (ev.field(Field::Group).isValid()) {
            out += QLatin1String(", group ");
            appendField(out, ev, Field::Group);
        }
        if (ev.field(Field::ClientCertificate).isValid())
            out += QLatin1String(", client certificate sent");
        else if (ev.field(Field::CertificateRequested).toBool())
            out += QLatin1String(", client certificate asked for, none sent");
        break;
    case EventType::TlsMessage:
        // "TLS ClientHello (517 bytes)", "TLS alert bad certificate (fatal)"
        out += ev.field(Field::Kind).toUtf8() == "alert" ? QLatin1String("TLS alert ")
                                                         : QLatin1String("TLS ");
        appendField(out, ev, Field::Name);
        if (ev.field(Field::Level).isValid()) {
            out += QLatin1String(" (");
            appendField(out, ev, Field::Level);
            out += QLatin1Char(')');
        } else {
            out += QLatin1String(" (");
            appendField(out, ev, Field::Bytes);
            out += QLatin1String(" bytes)");
        }
        break;
    case EventType::TlsInsecure:
        out += QLatin1String("WARNING: ");
        appendField(out, ev, Field::Message);
        break;
    case EventType::H1Request: {
        appendField(out, ev, Field::Method);
        out += QLatin1Char(' ');
        appendField(out, ev, Field::Target);
        out += QLatin1Char(' ');
        appendField(out, ev, Field::Version);
        const QString upgrade = headerValue(ev.field(Field::Headers), QLatin1StringView("upgrade"));
        if (!upgrade.isEmpty())
            out += QStringLiteral(" (Upgrade: %1)").arg(upgrade);
        break;
    }
    case EventType::H1Response: {
        appendField(out, ev, Field::Version);
        out += QLatin1Char(' ');
        appendField(out, ev, Field::Status);
        out += QLatin1Char(' ');
        appendField(out, ev, Field::Reason);
        const QString upgrade = headerValue(ev.field(Field::Headers), QLatin1StringView("upgrade"));
        if (!upgrade.isEmpty())
            out += QStringLiteral(" (Upgrade: %1)").arg(upgrade);
        break;
    }
    case EventType::H1Trailers:
        out += QLatin1String("trailers");
        for (const FieldValue h : ev.field(Field::Headers)) {
            out += QLatin1Char(' ');
            appendScalar(out, h.at(0));
            out += QLatin1String(": ");
            appendScalar(out, h.at(1));
        }
        break;
    case EventType::H1Body:
        out += ev.dir == Direction::Out ? QLatin1String("sent ") : QLatin1String("received ");
        appendField(out, ev, Field::Bytes);
        out += QLatin1String(" body bytes");
        break;
    case EventType::H1Violation:
        out += QLatin1String("tolerated: ");
        appendField(out, ev, Field::Message);
        out += QLatin1String(" (");
        appendField(out, ev, Field::Code);
        out += QLatin1Char(')');
        break;
    case EventType::NetRead:
    case EventType::NetWrite:
        out += ev.dir == Direction::Out ? QLatin1String("wrote ") : QLatin1String("read ");
        appendField(out, ev, Field::Bytes);
        out += QLatin1String(" bytes");
        if (ev.field(Field::Leftover).toBool())
            out += QLatin1String(" (arrived with the 101)");
        break;
    case EventType::ResponseComplete: {
        out += ev.scope.req ? QLatin1String("complete: ") : QLatin1String("upgrade probe: ");
        appendField(out, ev, Field::Status);
        out += QLatin1String(", ");
        appendField(out, ev, Field::Bytes);
        out += QLatin1String(" body bytes over ");
        appendField(out, ev, Field::Protocol);
        const double total = ev.field(Field::Timings).value(Field::Total).toDouble(-1);
        if (total >= 0) {
            out += QLatin1String(" in ");
            appendMs(out, total);
        }
        break;
    }
    case EventType::UpgradeOffer:
        out += QLatin1String("offering an upgrade to ");
        appendField(out, ev, Field::Protocol);
        if (ev.field(Field::WithBody).toBool())
            out += QLatin1String(" (the request has a body)");
        break;
    case EventType::UpgradeSwitch: {
        out += QStringLiteral("101 Switching Protocols → ");
        appendField(out, ev, Field::Protocol);
        const qint64 leftover = ev.field(Field::LeftoverBytes).toInteger();
        if (leftover > 0)
            out += QStringLiteral(" (%1 bytes came with the 101)").arg(leftover);
        break;
    }
    case EventType::UpgradeDeclined:
        out += QLatin1String("server declined the ");
        appendField(out, ev, Field::Protocol);
        out += QLatin1String(" upgrade (answered ");
        appendField(out, ev, Field::Status);
        if (ev.field(Field::WithBody).toBool())
            out += QLatin1String(", the request had a body");
        out += QLatin1String("); stays HTTP/1.1");
        break;
    case EventType::UpgradeSkipped:
        out += QLatin1String("no ");
        appendField(out, ev, Field::Protocol);
        out += QLatin1String(" upgrade offered: ");
        appendField(out, ev, Field::Reason);
        break;
    case EventType::UpgradeAdvertised:
        out += QLatin1String("server advertises Upgrade: ");
        appendField(out, ev, Field::Protocols);
        break;
    case EventType::UpgradeFollow:
        out += QLatin1String("following Upgrade: ");
        appendField(out, ev, Field::Protocol);
        out += QLatin1String(" advertised on connection #");
        appendField(out, ev, Field::From);
        out += QLatin1String(", offering ALPN ");
        appendField(out, ev, Field::Alpn);
        out += QLatin1String(" only");
        break;
    case EventType::UpgradeH2Refused:
        appendField(out, ev, Field::Message);
        break;
    case EventType::Redirect:
        // "302 redirect → GET http://localhost/next as request 2 (hop 1)"
        appendField(out, ev, Field::Status);
        out += QStringLiteral(" redirect → ");
        appendField(out, ev, Field::Method);
        out += QLatin1Char(' ');
        appendField(out, ev, Field::To);
        out += QLatin1String(" as request ");
        appendField(out, ev, Field::Next);
        out += QLatin1String(" (hop ");
        appendField(out, ev, Field::Hop);
        out += QLatin1Char(')');
        if (ev.field(Field::Downgrade).toBool())
            out += QStringLiteral(", https → http: no TLS from here on");
        if (ev.field(Field::Dropped).isValid()) {
            out += QLatin1String(", not sending ");
            appendField(out, ev, Field::Dropped);
        }
        break;
    case EventType::H2Frame:
        appendH2Frame(out, ev);
        break;
    case EventType::H2Headers:
    case EventType::H3Headers:
        appendH2Headers(out, ev);
        break;
    case EventType::DemoPhase:
        out += QLatin1String("== ");
        appendField(out, ev, Field::Phase);
        out += QLatin1String(". ");
        appendField(out, ev, Field::Title);
        out += QLatin1String(" ==");
        break;
    case EventType::RawData: {
        out += QLatin1String("raw ");
        appendField(out, ev, Field::Bytes);
        out += QLatin1String(" bytes ");
        const QString text = ev.field(Field::Text).toString();
        if (ev.field(Field::Hex).isValid() && text.contains(QChar::ReplacementCharacter)) {
            out += QLatin1String("hex ");
            const QString hex = ev.field(Field::Hex).toString();
            out += QStringView(hex).left(2000);
            if (hex.size() > 2000)
                out += QChar(0x2026);
        } else {
            appendQuoted(out, text);
        }
        if (ev.field(Field::Truncated).toBool())
            out += QLatin1String(" (truncated in the trace)");
        break;
    }
    case EventType::WsFrame: {
        out += QLatin1String("ws frame ");
        appendField(out, ev, Field::Opcode);
        out += ev.field(Field::Fin).toBool() ? QLatin1String(" fin") : QLatin1String(" no-fin");
        if (const qint64 rsv = ev.field(Field::Rsv).toInteger(); rsv != 0)
            out += QStringLiteral(" rsv=%1").arg(rsv);
        if (ev.field(Field::Masked).toBool())
            out += QLatin1String(" masked");
        out += QLatin1String(" len=");
        appendField(out, ev, Field::Length);
        break;
    }
    case EventType::WsMessage:
        appendWsMessage(out, ev);
        break;
    case EventType::WsClose: {
        const qint64 code = ev.field(Field::Code).toInteger();
        out += code == 1005 ? QStringLiteral("ws close (no code)")
                            : QStringLiteral("ws close %1").arg(code);
        const QString reason = ev.field(Field::Reason).toString();
        if (!reason.isEmpty()) {
            out += QLatin1Char(' ');
            appendQuoted(out, reason, 200);
        }
        break;
    }
    case EventType::WsCloseUnanswered:
        out += QLatin1String("ws close unanswered: ");
        appendField(out, ev, Field::Reason);
        break;
    case EventType::RequestFailed:
        out += QLatin1String("failed: ");
        appendField(out, ev, Field::Error);
        if (ev.field(Field::Code).isValid()) {
            out += QLatin1String(" [");
            appendField(out, ev, Field::Code);
            out += QLatin1Char(']');
        }
        break;
    case EventType::Error:
        out += QLatin1String("error: ");
        appendField(out, ev, Field::Message);
        if (ev.field(Field::Code).isValid()) {
            out += QLatin1String(" [");
            appendField(out, ev, Field::Code);
            out += QLatin1Char(']');
        }
        break;
    case EventType::Close:
        out += QLatin1String("connection closed: ");
        appendField(out, ev, Field::Reason);
        break;
    case EventType::ProxyConnect:
        out += QLatin1String("CONNECT ");
        appendField(out, ev, Field::Target);
        out += QLatin1String(" to the proxy ");
        appendField(out, ev, Field::Proxy);
        break;
    case EventType::ProxyResponse:
        out += QLatin1String("proxy answered ");
        appendField(out, ev, Field::Status);
        out += QLatin1Char(' ');
        appendField(out, ev, Field::Reason);
        break;
    case EventType::SocksGreeting:
        out += QLatin1String("SOCKS5 greeting to ");
        appendField(out, ev, Field::Proxy);
        out += QLatin1String(", methods ");
        appendField(out, ev, Field::Methods);
        break;
    case EventType::SocksMethod:
        out += QLatin1String("SOCKS5 method: ");
        appendField(out, ev, Field::Method);
        break;
    case EventType::SocksAuth:
        out += QLatin1String("SOCKS5 user ");
        appendField(out, ev, Field::User);
        break;
    case EventType::SocksAuthReply:
        out += QLatin1String("SOCKS5 authentication status ");
        appendField(out, ev, Field::Status);
        break;
    case EventType::SocksRequest:
        out += QLatin1String("SOCKS5 CONNECT ");
        appendField(out, ev, Field::Host);
        out += QLatin1String(" port ");
        appendField(out, ev, Field::Port);
        break;
    case EventType::SocksReply:
        out += QLatin1String("SOCKS5 reply ");
        appendField(out, ev, Field::Code);
        out += QLatin1String(": ");
        appendField(out, ev, Field::Reason);
        break;
    case EventType::ProxyEstablished:
        out += QLatin1String("tunnel to ");
        appendField(out, ev, Field::Target);
        out += QLatin1String(" through ");
        appendField(out, ev, Field::Proxy);
        out += QLatin1String(" in ");
        appendMs(out, ev.field(Field::Ms).toDouble());
        break;
    case EventType::Other:
        appendGeneric(out, ev);
        break;
    }
    return out;
}

bool isErrorEvent(const TraceEvent &ev)
{
    switch (ev.type) {
    case EventType::Error:
    case EventType::RequestFailed:
    case EventType::ConnectFailed:
    case EventType::UpgradeH2Refused:
        return true;
    case EventType::H2Frame: {
        if (ev.field(Field::Invalid).isValid())
            return true;
        const FieldValue error = ev.field(Field::Error);
        return error.isString() && error.toUtf8() != "NO_ERROR";
    }
    default:
        return false;
    }
}

bool isWarningEvent(const TraceEvent &ev)
{
    switch (ev.type) {
    case EventType::TlsInsecure:
    case EventType::H1Violation:
    case EventType::UpgradeDeclined:
    case EventType::UpgradeSkipped:
    case EventType::WsCloseUnanswered:
    case EventType::PoolRetry:
        return true;
    case EventType::TlsMessage:
        return ev.field(Field::Level).toUtf8() == "fatal";
    case EventType::H2Frame:
        return ev.field(Field::Discarded).toBool() && !ev.field(Field::Invalid).isValid();
    default:
        return false;
    }
}

} // namespace hopscope
