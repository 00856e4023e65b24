#include "trace/textwriter.h"

#include "trace/tracestore.h"

#include <QCborArray>
#include <QFileDevice>
#include <QIODevice>

namespace hopscope {

namespace {

QString prefix(const TraceEvent &ev, QChar marker)
{
    QString p = QString(marker) + QLatin1Char(' ');
    QStringList ids;
    if (ev.scope.conn)
        ids << QStringLiteral("c%1").arg(ev.scope.conn);
    if (ev.scope.req)
        ids << QStringLiteral("r%1").arg(ev.scope.req);
    if (ev.scope.stream >= 0)
        ids << QStringLiteral("s%1").arg(ev.scope.stream);
    if (!ids.isEmpty())
        p += QLatin1Char('[') + ids.join(QLatin1Char(' ')) + QStringLiteral("] ");
    return p;
}

QString str(const QCborMap &m, const char *key)
{
    const QCborValue v = m.value(QLatin1StringView(key));
    if (v.isByteArray())
        return QString::fromUtf8(v.toByteArray());
    if (v.isInteger())
        return QString::number(v.toInteger());
    if (v.isDouble())
        return QString::number(v.toDouble(), 'f', 1);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    return v.toString();
}

void appendHeaders(QStringList &lines, const QString &p, const QCborValue &headers)
{
    for (const QCborValue &h : headers.toArray()) {
        const QCborArray pair = h.toArray();
        auto text = [](const QCborValue &v) {
            return v.isByteArray() ? QString::fromUtf8(v.toByteArray()) : v.toString();
        };
        lines << p + text(pair.at(0)) + QStringLiteral(": ") + text(pair.at(1));
    }
}

QString timingsText(const QCborMap &t)
{
    QStringList parts;
    for (auto it = t.cbegin(); it != t.cend(); ++it) {
        const double ms = it.value().toDouble();
        if (ms >= 0)
            parts << QStringLiteral("%1 %2 ms").arg(it.key().toString()).arg(ms, 0, 'f', 2);
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace

TextWriter::TextWriter(QIODevice *out, QObject *parent) : QObject(parent), m_out(out) {}

void TextWriter::attach(TraceStore *store)
{
    connect(store, &TraceStore::eventsAppended, this, &TextWriter::write);
}

QStringList TextWriter::format(const TraceEvent &ev)
{
    const QCborMap &f = ev.fields;
    const QString info = prefix(ev, QLatin1Char('*'));
    const QString out = prefix(ev, QLatin1Char('>'));
    const QString in = prefix(ev, QLatin1Char('<'));
    const QString bad = prefix(ev, QLatin1Char('!'));
    const QString t = QString::fromLatin1(ev.type);
    QStringList lines;

    if (t == u"request.start") {
        lines << info + QStringLiteral("request %1 %2").arg(str(f, "method"), str(f, "url"));
    } else if (t == u"dns") {
        QStringList addrs;
        for (const QCborValue &a : f.value(QLatin1StringView("addresses")).toArray())
            addrs << a.toString();
        lines << info + QStringLiteral("resolved %1 to %2 in %3 ms")
                            .arg(str(f, "host"), addrs.join(QStringLiteral(", ")), str(f, "ms"));
    } else if (t == u"pool.open") {
        lines << info + QStringLiteral("new connection to %1").arg(str(f, "origin"));
    } else if (t == u"pool.reuse") {
        lines << info + QStringLiteral("reusing connection to %1").arg(str(f, "origin"));
    } else if (t == u"pool.retry") {
        lines << info + QStringLiteral("retrying on a new connection: %1").arg(str(f, "reason"));
    } else if (t == u"connect.attempt") {
        lines << info + QStringLiteral("trying %1 port %2").arg(str(f, "address"), str(f, "port"));
    } else if (t == u"connect") {
        lines << info + QStringLiteral("connected to %1 (%2) port %3")
                            .arg(str(f, "host"), str(f, "address"), str(f, "port"));
    } else if (t == u"tls") {
        const QString alpn =
            f.value(QLatin1StringView("alpn")).isNull() ? QStringLiteral("none") : str(f, "alpn");
        lines << info + QStringLiteral("TLS %1, cipher %2, ALPN %3, certificate %4")
                            .arg(str(f, "protocol"), str(f, "cipher"), alpn,
                                 f.value(QLatin1StringView("verified")).toBool()
                                     ? QStringLiteral("verified")
                                     : QStringLiteral("NOT VERIFIED"));
        for (const QCborValue &c : f.value(QLatin1StringView("chain")).toArray()) {
            const QCborMap cert = c.toMap();
            lines << info +
                         QStringLiteral("  certificate: %1 (issuer %2, until %3)")
                             .arg(str(cert, "subject"), str(cert, "issuer"), str(cert, "notAfter"));
        }
    } else if (t == u"tls.insecure") {
        lines << bad + QStringLiteral("WARNING: %1").arg(str(f, "message"));
    } else if (t == u"h1.request") {
        lines << out + QStringLiteral("%1 %2 %3")
                           .arg(str(f, "method"), str(f, "target"), str(f, "version"));
        appendHeaders(lines, out, f.value(QLatin1StringView("headers")));
        lines << out;
    } else if (t == u"h1.response") {
        lines << in + QStringLiteral("%1 %2 %3")
                          .arg(str(f, "version"), str(f, "status"), str(f, "reason"));
        appendHeaders(lines, in, f.value(QLatin1StringView("headers")));
        lines << in;
    } else if (t == u"h1.trailers") {
        appendHeaders(lines, in, f.value(QLatin1StringView("headers")));
    } else if (t == u"h1.body") {
        lines << info + QStringLiteral("%1 %2 body bytes")
                            .arg(ev.dir == Direction::Out ? QStringLiteral("sent")
                                                          : QStringLiteral("received"),
                                 str(f, "bytes"));
    } else if (t == u"h1.violation") {
        lines << bad + QStringLiteral("tolerated: %1 (%2)").arg(str(f, "message"), str(f, "code"));
    } else if (t == u"net.read" || t == u"net.write") {
        lines << info +
                     QStringLiteral("%1 %2 bytes")
                         .arg(t == u"net.read" ? QStringLiteral("read") : QStringLiteral("wrote"),
                              str(f, "bytes"));
    } else if (t == u"response.complete") {
        const QString what = ev.scope.req ? QStringLiteral("request %1").arg(ev.scope.req)
                                          : QStringLiteral("upgrade probe");
        lines << info + QStringLiteral("%1 complete: %2, %3 body bytes over %4 (%5)")
                            .arg(what, str(f, "status"), str(f, "bytes"), str(f, "protocol"),
                                 timingsText(f.value(QLatin1StringView("timings")).toMap()));
    } else if (t == u"upgrade.offer") {
        lines << info + QStringLiteral("offering an upgrade to %1%2")
                            .arg(str(f, "protocol"),
                                 f.value(QLatin1StringView("withBody")).toBool()
                                     ? QStringLiteral(" (the request has a body: many servers "
                                                      "decline then)")
                                     : QString());
    } else if (t == u"upgrade.switch") {
        lines << info + QStringLiteral("101 Switching Protocols: upgrading to %1… (%2 bytes that "
                                       "arrived with the 101 go to %1 first)")
                            .arg(str(f, "protocol"), str(f, "leftoverBytes"));
    } else if (t == u"upgrade.declined") {
        lines << bad + QStringLiteral("the server declined the %1 upgrade (answered %2%3); the "
                                      "connection stays HTTP/1.1")
                           .arg(str(f, "protocol"), str(f, "status"),
                                f.value(QLatin1StringView("withBody")).toBool()
                                    ? QStringLiteral(", the request had a body")
                                    : QString());
    } else if (t == u"upgrade.skipped") {
        lines << bad + QStringLiteral("no %1 upgrade offered: %2")
                           .arg(str(f, "protocol"), str(f, "reason"));
    } else if (t == u"upgrade.advertised") {
        QStringList protos;
        for (const QCborValue &p : f.value(QLatin1StringView("protocols")).toArray())
            protos << p.toString();
        lines << info + QStringLiteral("the server advertises Upgrade: %1")
                            .arg(protos.join(QStringLiteral(", ")));
    } else if (t == u"upgrade.follow") {
        lines << info +
                     QStringLiteral("following Upgrade: %1 advertised on connection %2: this new "
                                    "connection offers ALPN %3 only")
                         .arg(str(f, "protocol"), str(f, "from"), str(f, "alpn"));
    } else if (t == u"upgrade.h2.refused") {
        lines << bad + str(f, "message");
    } else if (t == u"h2.frame") {
        const QString marker = ev.dir == Direction::Out ? out : in;
        QStringList flags;
        for (const QCborValue &fl : f.value(QLatin1StringView("flags")).toArray())
            flags << fl.toString();
        QString line =
            marker + QStringLiteral("%1 frame <length=%2, flags=%3")
                         .arg(str(f, "frame"), str(f, "length"),
                              flags.isEmpty() ? QStringLiteral("0") : flags.join(QLatin1Char('|')));
        for (auto it = f.cbegin(); it != f.cend(); ++it) {
            const QString key = it.key().toString();
            if (key == u"frame" || key == u"flags" || key == u"length")
                continue;
            QString value;
            if (it.value().isArray()) {
                QStringList parts;
                for (const QCborValue &e : it.value().toArray()) {
                    if (e.isArray())
                        parts << e.toArray().at(0).toVariant().toString() + QLatin1Char('=') +
                                     e.toArray().at(1).toVariant().toString();
                    else
                        parts << e.toVariant().toString();
                }
                value = QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
            } else if (it.value().isMap()) {
                QStringList parts;
                const QCborMap m = it.value().toMap();
                for (auto mi = m.cbegin(); mi != m.cend(); ++mi)
                    parts << mi.key().toString() + QLatin1Char('=') +
                                 mi.value().toVariant().toString();
                value = QLatin1Char('{') + parts.join(QStringLiteral(", ")) + QLatin1Char('}');
            } else {
                value = it.value().toVariant().toString();
            }
            line += QStringLiteral(", %1=%2").arg(key, value);
        }
        lines << line + QLatin1Char('>');
    } else if (t == u"h2.headers") {
        appendHeaders(lines, ev.dir == Direction::Out ? out : in,
                      f.value(QLatin1StringView("headers")));
    } else if (t == u"demo.phase") {
        lines << QString() << QStringLiteral("== %1. %2 ==").arg(str(f, "phase"), str(f, "title"));
    } else if (t == u"raw.data") {
        // One line per chunk, quoted with control characters escaped; data that is not UTF-8
        // (the text then holds U+FFFD) is shown in hex instead.
        const QString text = f.value(QLatin1StringView("text")).toString();
        QString shown;
        if (f.contains(QLatin1StringView("hex")) && text.contains(QChar::ReplacementCharacter)) {
            shown = QStringLiteral("hex ") + str(f, "hex");
        } else {
            shown = QStringLiteral("\"");
            for (const QChar c : text) {
                if (c == u'\\' || c == u'"')
                    shown.append(QLatin1Char('\\')).append(c);
                else if (c == u'\n')
                    shown += QStringLiteral("\\n");
                else if (c == u'\r')
                    shown += QStringLiteral("\\r");
                else if (c == u'\t')
                    shown += QStringLiteral("\\t");
                else if (c.unicode() < 0x20 || c.unicode() == 0x7F)
                    shown += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
                else
                    shown += c;
            }
            shown += QLatin1Char('"');
        }
        if (f.value(QLatin1StringView("truncated")).toBool())
            shown += QStringLiteral(" (truncated in the trace)");
        lines << (ev.dir == Direction::Out ? out : in) +
                     QStringLiteral("raw %1 bytes %2").arg(str(f, "bytes"), shown);
    } else if (t.startsWith(u"ws.")) {
        // WebSocket: frames, messages (text quoted and escaped, binary as a hex preview), close.
        const QString marker = ev.dir == Direction::Out ? out : ev.dir == Direction::In ? in : bad;
        auto quoted = [](const QString &text) {
            constexpr qsizetype kMaxShown = 1000;
            QString q = QStringLiteral("\"");
            for (const QChar c : text.left(kMaxShown)) {
                if (c == u'\\' || c == u'"')
                    q.append(QLatin1Char('\\')).append(c);
                else if (c == u'\n')
                    q += QStringLiteral("\\n");
                else if (c == u'\r')
                    q += QStringLiteral("\\r");
                else if (c == u'\t')
                    q += QStringLiteral("\\t");
                else if (c.unicode() < 0x20 || c.unicode() == 0x7F)
                    q += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
                else
                    q += c;
            }
            return q + (text.size() > kMaxShown ? QStringLiteral("\"…") : QStringLiteral("\""));
        };
        if (t == u"ws.frame") {
            QString line =
                marker + QStringLiteral("ws frame %1 %2")
                             .arg(str(f, "opcode"), f.value(QLatin1StringView("fin")).toBool()
                                                        ? QStringLiteral("fin")
                                                        : QStringLiteral("no-fin"));
            if (const qint64 rsv = f.value(QLatin1StringView("rsv")).toInteger(); rsv != 0)
                line += QStringLiteral(" rsv=%1").arg(rsv);
            if (f.value(QLatin1StringView("masked")).toBool())
                line += QStringLiteral(" masked");
            lines << line + QStringLiteral(" len=%1").arg(str(f, "length"));
        } else if (t == u"ws.message") {
            const QString cut = f.value(QLatin1StringView("truncated")).toBool()
                                    ? QStringLiteral(" (truncated in the trace)")
                                    : QString();
            if (f.contains(QLatin1StringView("text"))) {
                lines << marker + QStringLiteral("ws text %1%2").arg(quoted(str(f, "text")), cut);
            } else {
                const QByteArray data = QByteArray::fromBase64(str(f, "data").toLatin1());
                constexpr qsizetype kHexShown = 32;
                QString hex = QString::fromLatin1(data.left(kHexShown).toHex(' '));
                if (data.size() > kHexShown)
                    hex += QStringLiteral(" …");
                lines << marker + QStringLiteral("ws binary %1 bytes%2%3")
                                      .arg(str(f, "bytes"),
                                           hex.isEmpty() ? QString() : QStringLiteral(": ") + hex,
                                           cut);
            }
        } else if (t == u"ws.close") {
            // 1005 stands for a close frame without a code (RFC 6455 §7.1.5).
            const qint64 code = f.value(QLatin1StringView("code")).toInteger();
            const QString reason = str(f, "reason");
            lines << marker +
                         (code == 1005 ? QStringLiteral("ws close (no code)")
                                       : QStringLiteral("ws close %1").arg(code)) +
                         (reason.isEmpty() ? QString() : QLatin1Char(' ') + quoted(reason));
        } else if (t == u"ws.close.unanswered") {
            lines << bad + QStringLiteral("ws close unanswered: %1").arg(str(f, "reason"));
        } else {
            lines << info + t;
        }
    } else if (t == u"request.failed") {
        lines << bad + QStringLiteral("request %1 failed: %2")
                           .arg(QString::number(ev.scope.req), str(f, "error"));
    } else if (t == u"error") {
        lines << bad + QStringLiteral("error: %1").arg(str(f, "message"));
    } else if (t == u"close") {
        lines << info + QStringLiteral("connection closed: %1").arg(str(f, "reason"));
    } else {
        // Unknown to this writer (a newer or user-registered type): show it generically.
        QStringList parts;
        for (auto it = f.cbegin(); it != f.cend(); ++it)
            parts << it.key().toString() + QLatin1Char('=') +
                         (it.value().isMap() || it.value().isArray()
                              ? QStringLiteral("…")
                              : str(f, it.key().toString().toLatin1().constData()));
        lines << info + t + QLatin1Char(' ') + parts.join(QLatin1Char(' '));
    }
    return lines;
}

void TextWriter::write(const TraceBatch &batch)
{
    QByteArray buf;
    for (const TraceEvent &ev : batch) {
        for (const QString &line : format(ev)) {
            buf.append(line.toUtf8());
            buf.append('\n');
        }
    }
    m_out->write(buf);
    if (auto *f = qobject_cast<QFileDevice *>(m_out))
        f->flush();
}

} // namespace hopscope
