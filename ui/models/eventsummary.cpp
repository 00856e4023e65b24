#include "models/eventsummary.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>

#include <cstring>
#include <string_view>
#include <unordered_map>

namespace hopscope {

namespace {

enum class Type {
    Other,
    RequestStart,
    Dns,
    PoolOpen,
    PoolReuse,
    PoolRetry,
    ConnectAttempt,
    ConnectFailed,
    Connect,
    Tls,
    TlsInsecure,
    H1Request,
    H1Response,
    H1Trailers,
    H1Body,
    H1Violation,
    NetRead,
    NetWrite,
    ResponseComplete,
    UpgradeOffer,
    UpgradeSwitch,
    UpgradeDeclined,
    UpgradeSkipped,
    UpgradeAdvertised,
    UpgradeFollow,
    UpgradeH2Refused,
    H2Frame,
    H2Headers,
    DemoPhase,
    RawData,
    WsFrame,
    WsMessage,
    WsClose,
    WsCloseUnanswered,
    RequestFailed,
    Error,
    Close,
};

Type typeOf(const char *type)
{
    // Types are string literals; one hash of a string_view per call, no allocation.
    static const std::unordered_map<std::string_view, Type> types{
        {"request.start", Type::RequestStart},
        {"dns", Type::Dns},
        {"pool.open", Type::PoolOpen},
        {"pool.reuse", Type::PoolReuse},
        {"pool.retry", Type::PoolRetry},
        {"connect.attempt", Type::ConnectAttempt},
        {"connect.failed", Type::ConnectFailed},
        {"connect", Type::Connect},
        {"tls", Type::Tls},
        {"tls.insecure", Type::TlsInsecure},
        {"h1.request", Type::H1Request},
        {"h1.response", Type::H1Response},
        {"h1.trailers", Type::H1Trailers},
        {"h1.body", Type::H1Body},
        {"h1.violation", Type::H1Violation},
        {"net.read", Type::NetRead},
        {"net.write", Type::NetWrite},
        {"response.complete", Type::ResponseComplete},
        {"upgrade.offer", Type::UpgradeOffer},
        {"upgrade.switch", Type::UpgradeSwitch},
        {"upgrade.declined", Type::UpgradeDeclined},
        {"upgrade.skipped", Type::UpgradeSkipped},
        {"upgrade.advertised", Type::UpgradeAdvertised},
        {"upgrade.follow", Type::UpgradeFollow},
        {"upgrade.h2.refused", Type::UpgradeH2Refused},
        {"h2.frame", Type::H2Frame},
        {"h2.headers", Type::H2Headers},
        {"demo.phase", Type::DemoPhase},
        {"raw.data", Type::RawData},
        {"ws.frame", Type::WsFrame},
        {"ws.message", Type::WsMessage},
        {"ws.close", Type::WsClose},
        {"ws.close.unanswered", Type::WsCloseUnanswered},
        {"request.failed", Type::RequestFailed},
        {"error", Type::Error},
        {"close", Type::Close},
    };
    const auto it = types.find(std::string_view(type ? type : ""));
    return it == types.end() ? Type::Other : it->second;
}

QCborValue field(const QCborMap &f, const char *key)
{
    return f.value(QLatin1StringView(key));
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

// A scalar as text: strings as they are, byte arrays as UTF-8, numbers plainly, bools yes/no.
void appendScalar(QString &out, const QCborValue &v)
{
    if (v.isString())
        out += v.toString();
    else if (v.isByteArray())
        out += QString::fromUtf8(v.toByteArray());
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
void appendValue(QString &out, const QCborValue &v)
{
    if (v.isArray()) {
        const QCborArray a = v.toArray();
        bool first = true;
        for (const QCborValue &e : a) {
            if (!first)
                out += e.isArray() ? QLatin1String(" ") : QLatin1String(", ");
            first = false;
            if (e.isArray()) {
                const QCborArray pair = e.toArray();
                appendScalar(out, pair.at(0));
                out += QLatin1Char('=');
                appendScalar(out, pair.at(1));
            } else {
                appendValue(out, e);
            }
        }
    } else if (v.isMap()) {
        const QCborMap m = v.toMap();
        out += QLatin1Char('{');
        bool first = true;
        for (auto it = m.cbegin(); it != m.cend(); ++it) {
            if (!first)
                out += QLatin1String(", ");
            first = false;
            out += it.key().toString();
            out += QLatin1Char('=');
            appendValue(out, it.value());
        }
        out += QLatin1Char('}');
    } else {
        appendScalar(out, v);
    }
}

void appendField(QString &out, const QCborMap &f, const char *key)
{
    appendValue(out, field(f, key));
}

void appendMs(QString &out, double ms)
{
    out += QString::number(ms, 'f', ms < 10 ? 2 : 1);
    out += QLatin1String(" ms");
}

// "Upgrade: h2c" when a header list carries one, for the request line of an upgrade offer.
QString headerValue(const QCborValue &headers, QLatin1StringView name)
{
    for (const QCborValue &h : headers.toArray()) {
        const QCborArray pair = h.toArray();
        const QCborValue n = pair.at(0);
        const QString key = n.isByteArray() ? QString::fromUtf8(n.toByteArray()) : n.toString();
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            const QCborValue v = pair.at(1);
            return v.isByteArray() ? QString::fromUtf8(v.toByteArray()) : v.toString();
        }
    }
    return {};
}

void appendFlags(QString &out, const QCborValue &flags)
{
    bool first = true;
    for (const QCborValue &fl : flags.toArray()) {
        out += first ? QLatin1Char(' ') : QLatin1Char('|');
        first = false;
        out += fl.toString();
    }
}

void appendH2Frame(QString &out, const QCborMap &f)
{
    const QString frame = field(f, "frame").toString();
    out += frame;
    appendFlags(out, field(f, "flags"));
    // The fixed-size frames' lengths say nothing; SETTINGS' is six bytes a setting.
    const bool lengthSaysSomething =
        frame != QLatin1String("WINDOW_UPDATE") && frame != QLatin1String("RST_STREAM") &&
        frame != QLatin1String("PING") && frame != QLatin1String("PRIORITY") &&
        frame != QLatin1String("SETTINGS");
    if (lengthSaysSomething) {
        out += QLatin1String(" len=");
        appendField(out, f, "length");
    }
    if (f.size() <= 3)
        return; // frame, flags and length only: most DATA and HEADERS frames
    for (auto it = f.cbegin(); it != f.cend(); ++it) {
        const QString key = it.key().toString();
        if (key == QLatin1String("frame") || key == QLatin1String("flags") ||
            key == QLatin1String("length"))
            continue;
        out += QLatin1Char(' ');
        if (key == QLatin1String("settings")) {
            appendValue(out, it.value()); // "MAX_CONCURRENT_STREAMS=100 INITIAL_WINDOW_SIZE=…"
        } else if (key == QLatin1String("discarded")) {
            if (it.value().toBool())
                out += QLatin1String("discarded");
        } else if (key == QLatin1String("debug")) {
            out += QLatin1String("debug=");
            appendQuoted(out, it.value().toString(), 200);
        } else {
            out += key;
            out += QLatin1Char('=');
            appendValue(out, it.value());
        }
    }
    if (out.endsWith(QLatin1Char(' ')))
        out.chop(1);
}

void appendH2Headers(QString &out, const QCborMap &f)
{
    const QString kind = field(f, "kind").toString();
    const QCborValue headers = field(f, "headers");
    const qsizetype count = headers.toArray().size();
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
        for (const QCborValue &h : headers.toArray()) {
            const QCborArray pair = h.toArray();
            out += QLatin1Char(' ');
            appendScalar(out, pair.at(0));
            out += QLatin1String(": ");
            appendScalar(out, pair.at(1));
        }
        return;
    }
    out += QStringLiteral(", %1 headers").arg(count);
}

void appendWsMessage(QString &out, const QCborMap &f)
{
    if (f.contains(QLatin1StringView("text"))) {
        out += QLatin1String("ws text ");
        appendQuoted(out, field(f, "text").toString());
    } else {
        out += QLatin1String("ws binary ");
        appendField(out, f, "bytes");
        out += QLatin1String(" bytes");
        const QByteArray data = QByteArray::fromBase64(field(f, "data").toString().toLatin1());
        constexpr qsizetype kHexShown = 32;
        if (!data.isEmpty()) {
            out += QLatin1String(": ");
            out += QString::fromLatin1(data.left(kHexShown).toHex(' '));
            if (data.size() > kHexShown)
                out += QLatin1String(" …");
        }
    }
    if (field(f, "truncated").toBool())
        out += QLatin1String(" (truncated in the trace)");
}

void appendGeneric(QString &out, const TraceEvent &ev)
{
    out += QLatin1String(ev.type);
    for (auto it = ev.fields.cbegin(); it != ev.fields.cend(); ++it) {
        out += QLatin1Char(' ');
        out += it.key().toString();
        out += QLatin1Char('=');
        appendValue(out, it.value());
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
    const QCborMap &f = ev.fields;
    QString out;
    out.reserve(64);
    switch (typeOf(ev.type)) {
    case Type::RequestStart:
        out += QLatin1String("request ");
        appendField(out, f, "method");
        out += QLatin1Char(' ');
        appendField(out, f, "url");
        break;
    case Type::Dns:
        out += QLatin1String("resolved ");
        appendField(out, f, "host");
        out += QLatin1String(" to ");
        appendField(out, f, "addresses");
        out += QLatin1String(" in ");
        appendMs(out, field(f, "ms").toDouble());
        break;
    case Type::PoolOpen:
        out += QLatin1String("new connection to ");
        appendField(out, f, "origin");
        break;
    case Type::PoolReuse:
        out += QLatin1String("reusing connection to ");
        appendField(out, f, "origin");
        break;
    case Type::PoolRetry:
        out += QLatin1String("retrying on a new connection: ");
        appendField(out, f, "reason");
        break;
    case Type::ConnectAttempt:
        out += QLatin1String("trying ");
        appendField(out, f, "address");
        out += QLatin1String(" port ");
        appendField(out, f, "port");
        break;
    case Type::ConnectFailed:
        out += QLatin1String("connect to ");
        appendField(out, f, "address");
        out += QLatin1String(" failed: ");
        appendField(out, f, "message");
        break;
    case Type::Connect:
        out += QLatin1String("connected to ");
        appendField(out, f, "host");
        if (field(f, "host") != field(f, "address")) {
            out += QLatin1String(" (");
            appendField(out, f, "address");
            out += QLatin1Char(')');
        }
        out += QLatin1String(" port ");
        appendField(out, f, "port");
        if (f.contains(QLatin1StringView("ms"))) {
            out += QLatin1String(" in ");
            appendMs(out, field(f, "ms").toDouble());
        }
        break;
    case Type::Tls:
        appendField(out, f, "protocol");
        out += QLatin1String(", ");
        appendField(out, f, "cipher");
        out += QLatin1String(", ALPN ");
        if (field(f, "alpn").isNull() || field(f, "alpn").isUndefined())
            out += QLatin1String("none");
        else
            appendField(out, f, "alpn");
        out += field(f, "verified").toBool() ? QLatin1String(", certificate verified")
                                             : QLatin1String(", certificate NOT VERIFIED");
        break;
    case Type::TlsInsecure:
        out += QLatin1String("WARNING: ");
        appendField(out, f, "message");
        break;
    case Type::H1Request: {
        appendField(out, f, "method");
        out += QLatin1Char(' ');
        appendField(out, f, "target");
        out += QLatin1Char(' ');
        appendField(out, f, "version");
        const QString upgrade = headerValue(field(f, "headers"), QLatin1StringView("upgrade"));
        if (!upgrade.isEmpty())
            out += QStringLiteral(" (Upgrade: %1)").arg(upgrade);
        break;
    }
    case Type::H1Response: {
        appendField(out, f, "version");
        out += QLatin1Char(' ');
        appendField(out, f, "status");
        out += QLatin1Char(' ');
        appendField(out, f, "reason");
        const QString upgrade = headerValue(field(f, "headers"), QLatin1StringView("upgrade"));
        if (!upgrade.isEmpty())
            out += QStringLiteral(" (Upgrade: %1)").arg(upgrade);
        break;
    }
    case Type::H1Trailers:
        out += QLatin1String("trailers");
        for (const QCborValue &h : field(f, "headers").toArray()) {
            const QCborArray pair = h.toArray();
            out += QLatin1Char(' ');
            appendScalar(out, pair.at(0));
            out += QLatin1String(": ");
            appendScalar(out, pair.at(1));
        }
        break;
    case Type::H1Body:
        out += ev.dir == Direction::Out ? QLatin1String("sent ") : QLatin1String("received ");
        appendField(out, f, "bytes");
        out += QLatin1String(" body bytes");
        break;
    case Type::H1Violation:
        out += QLatin1String("tolerated: ");
        appendField(out, f, "message");
        out += QLatin1String(" (");
        appendField(out, f, "code");
        out += QLatin1Char(')');
        break;
    case Type::NetRead:
    case Type::NetWrite:
        out += ev.dir == Direction::Out ? QLatin1String("wrote ") : QLatin1String("read ");
        appendField(out, f, "bytes");
        out += QLatin1String(" bytes");
        if (field(f, "leftover").toBool())
            out += QLatin1String(" (arrived with the 101)");
        break;
    case Type::ResponseComplete: {
        out += ev.scope.req ? QLatin1String("complete: ") : QLatin1String("upgrade probe: ");
        appendField(out, f, "status");
        out += QLatin1String(", ");
        appendField(out, f, "bytes");
        out += QLatin1String(" body bytes over ");
        appendField(out, f, "protocol");
        const double total =
            field(f, "timings").toMap().value(QLatin1StringView("total")).toDouble(-1);
        if (total >= 0) {
            out += QLatin1String(" in ");
            appendMs(out, total);
        }
        break;
    }
    case Type::UpgradeOffer:
        out += QLatin1String("offering an upgrade to ");
        appendField(out, f, "protocol");
        if (field(f, "withBody").toBool())
            out += QLatin1String(" (the request has a body)");
        break;
    case Type::UpgradeSwitch: {
        out += QStringLiteral("101 Switching Protocols → ");
        appendField(out, f, "protocol");
        const qint64 leftover = field(f, "leftoverBytes").toInteger();
        if (leftover > 0)
            out += QStringLiteral(" (%1 bytes came with the 101)").arg(leftover);
        break;
    }
    case Type::UpgradeDeclined:
        out += QLatin1String("server declined the ");
        appendField(out, f, "protocol");
        out += QLatin1String(" upgrade (answered ");
        appendField(out, f, "status");
        if (field(f, "withBody").toBool())
            out += QLatin1String(", the request had a body");
        out += QLatin1String("); stays HTTP/1.1");
        break;
    case Type::UpgradeSkipped:
        out += QLatin1String("no ");
        appendField(out, f, "protocol");
        out += QLatin1String(" upgrade offered: ");
        appendField(out, f, "reason");
        break;
    case Type::UpgradeAdvertised:
        out += QLatin1String("server advertises Upgrade: ");
        appendField(out, f, "protocols");
        break;
    case Type::UpgradeFollow:
        out += QLatin1String("following Upgrade: ");
        appendField(out, f, "protocol");
        out += QLatin1String(" advertised on connection #");
        appendField(out, f, "from");
        out += QLatin1String(", offering ALPN ");
        appendField(out, f, "alpn");
        out += QLatin1String(" only");
        break;
    case Type::UpgradeH2Refused:
        appendField(out, f, "message");
        break;
    case Type::H2Frame:
        appendH2Frame(out, f);
        break;
    case Type::H2Headers:
        appendH2Headers(out, f);
        break;
    case Type::DemoPhase:
        out += QLatin1String("== ");
        appendField(out, f, "phase");
        out += QLatin1String(". ");
        appendField(out, f, "title");
        out += QLatin1String(" ==");
        break;
    case Type::RawData: {
        out += QLatin1String("raw ");
        appendField(out, f, "bytes");
        out += QLatin1String(" bytes ");
        const QString text = field(f, "text").toString();
        if (f.contains(QLatin1StringView("hex")) && text.contains(QChar::ReplacementCharacter)) {
            out += QLatin1String("hex ");
            const QString hex = field(f, "hex").toString();
            out += QStringView(hex).left(2000);
            if (hex.size() > 2000)
                out += QChar(0x2026);
        } else {
            appendQuoted(out, text);
        }
        if (field(f, "truncated").toBool())
            out += QLatin1String(" (truncated in the trace)");
        break;
    }
    case Type::WsFrame: {
        out += QLatin1String("ws frame ");
        appendField(out, f, "opcode");
        out += field(f, "fin").toBool() ? QLatin1String(" fin") : QLatin1String(" no-fin");
        if (const qint64 rsv = field(f, "rsv").toInteger(); rsv != 0)
            out += QStringLiteral(" rsv=%1").arg(rsv);
        if (field(f, "masked").toBool())
            out += QLatin1String(" masked");
        out += QLatin1String(" len=");
        appendField(out, f, "length");
        break;
    }
    case Type::WsMessage:
        appendWsMessage(out, f);
        break;
    case Type::WsClose: {
        const qint64 code = field(f, "code").toInteger();
        out += code == 1005 ? QStringLiteral("ws close (no code)")
                            : QStringLiteral("ws close %1").arg(code);
        const QString reason = field(f, "reason").toString();
        if (!reason.isEmpty()) {
            out += QLatin1Char(' ');
            appendQuoted(out, reason, 200);
        }
        break;
    }
    case Type::WsCloseUnanswered:
        out += QLatin1String("ws close unanswered: ");
        appendField(out, f, "reason");
        break;
    case Type::RequestFailed:
        out += QLatin1String("failed: ");
        appendField(out, f, "error");
        if (f.contains(QLatin1StringView("code"))) {
            out += QLatin1String(" [");
            appendField(out, f, "code");
            out += QLatin1Char(']');
        }
        break;
    case Type::Error:
        out += QLatin1String("error: ");
        appendField(out, f, "message");
        if (f.contains(QLatin1StringView("code"))) {
            out += QLatin1String(" [");
            appendField(out, f, "code");
            out += QLatin1Char(']');
        }
        break;
    case Type::Close:
        out += QLatin1String("connection closed: ");
        appendField(out, f, "reason");
        break;
    case Type::Other:
        appendGeneric(out, ev);
        break;
    }
    return out;
}

bool isErrorEvent(const TraceEvent &ev)
{
    switch (typeOf(ev.type)) {
    case Type::Error:
    case Type::RequestFailed:
    case Type::ConnectFailed:
    case Type::UpgradeH2Refused:
        return true;
    case Type::H2Frame: {
        if (ev.fields.contains(QLatin1StringView("invalid")))
            return true;
        const QCborValue error = ev.fields.value(QLatin1StringView("error"));
        return error.isString() && error.toString() != QLatin1String("NO_ERROR");
    }
    default:
        return false;
    }
}

bool isWarningEvent(const TraceEvent &ev)
{
    switch (typeOf(ev.type)) {
    case Type::TlsInsecure:
    case Type::H1Violation:
    case Type::UpgradeDeclined:
    case Type::UpgradeSkipped:
    case Type::WsCloseUnanswered:
    case Type::PoolRetry:
        return true;
    case Type::H2Frame:
        return ev.fields.value(QLatin1StringView("discarded")).toBool() &&
               !ev.fields.contains(QLatin1StringView("invalid"));
    default:
        return false;
    }
}

} // namespace hopscope
