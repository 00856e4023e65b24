#include "trace/textwriter.h"

#include "trace/tracestore.h"

#include "trace/tracestrings.h"

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

QString str(FieldValue v)
{
    if (v.isInteger())
        return QString::number(v.toInteger());
    if (v.isDouble())
        return QString::number(v.toDouble(), 'f', 1);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    return v.toString();
}

// A scalar as QVariant::toString() shows it (frame details: settings values, priorities).
QString plain(FieldValue v)
{
    if (v.isInteger())
        return QString::number(v.toInteger());
    if (v.isDouble())
        return QString::number(v.toDouble());
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return v.toString();
}

QString str(const TraceEvent &ev, Field key)
{
    return str(ev.field(key));
}

QString fieldName(Field key)
{
    return TraceStrings::instance().entry(quint32(key)).text;
}

// " (via …)" when the event says why it went where it went (a proxy, --connect-to, --resolve).
QString viaText(const TraceEvent &ev)
{
    const FieldValue via = ev.field(Field::Via);
    return via.isValid() ? QStringLiteral(" (via %1)").arg(via.toString()) : QString();
}

void appendHeaders(QStringList &lines, const QString &p, FieldValue headers)
{
    for (const FieldValue h : headers)
        lines << p + h.at(0).toString() + QStringLiteral(": ") + h.at(1).toString();
}

QString timingsText(FieldValue t)
{
    QStringList parts;
    for (auto it = t.begin(); it != t.end(); ++it) {
        const double ms = (*it).toDouble();
        if (ms >= 0)
            parts << QStringLiteral("%1 %2 ms").arg(fieldName(it.key())).arg(ms, 0, 'f', 2);
    }
    return parts.join(QStringLiteral(", "));
}

// QUIC and HTTP/3 events, one line each (as ngtcp2's and nghttp3's clients print them).
QString quicLine(const TraceEvent &ev, const QString &marker, const QString &bad)
{
    switch (ev.type) {
    case EventType::QuicPacket: {
        QStringList frames;
        for (const FieldValue f : ev.field(Field::Frames))
            frames << f.toString();
        return marker + QStringLiteral("QUIC %1 packet %2, %3 bytes: %4")
                            .arg(str(ev, Field::Kind), str(ev, Field::PacketNumber),
                                 str(ev, Field::Bytes), frames.join(QStringLiteral(", ")));
    }
    case EventType::QuicLost:
        return bad + QStringLiteral("QUIC %1 packet %2 lost (its frames are sent again)")
                         .arg(str(ev, Field::Kind), str(ev, Field::PacketNumber));
    case EventType::QuicClose: {
        if (str(ev, Field::Kind) == u"stateless_reset")
            return bad + QStringLiteral("the server sent a stateless reset");
        const QString reason = str(ev, Field::Reason);
        return marker + QStringLiteral("CONNECTION_CLOSE %1%2")
                            .arg(str(ev, Field::Code),
                                 reason.isEmpty() ? QString() : QStringLiteral(": %1").arg(reason));
    }
    case EventType::QuicFallback:
        return bad +
               QStringLiteral("HTTP/3 not used, going over TCP: %1").arg(str(ev, Field::Reason));
    case EventType::H3Data:
        return marker + QStringLiteral("DATA %1 bytes").arg(str(ev, Field::Bytes));
    case EventType::H3StreamEnd:
        return marker + QStringLiteral("stream %1 (%2)")
                            .arg(ev.field(Field::Reason).toBool() ? QStringLiteral("reset")
                                                                  : QStringLiteral("closed"),
                                 str(ev, Field::Code));
    case EventType::AltSvc: {
        if (str(ev, Field::Action) == QLatin1String("expired"))
            return marker + QStringLiteral("Alt-Svc: HTTP/3 at %1 (advertised on connection %2 "
                                           "for %3 s) has expired; this request goes to the "
                                           "origin")
                                .arg(str(ev, Field::Authority), str(ev, Field::From),
                                     str(ev, Field::MaxAge));
        QStringList offered;
        for (const FieldValue f : ev.field(Field::Protocols))
            offered << f.toString();
        QString line =
            marker + QStringLiteral("Alt-Svc: %1 (%2")
                         .arg(offered.join(QStringLiteral(", ")), str(ev, Field::Action));
        if (ev.field(Field::Authority).isValid())
            line += QStringLiteral(": HTTP/3 at %1 for %2 s")
                        .arg(str(ev, Field::Authority), str(ev, Field::MaxAge));
        if (ev.field(Field::Reason).isValid())
            line += QStringLiteral("; %1").arg(str(ev, Field::Reason));
        return line + u')';
    }
    case EventType::H3Goaway:
        return bad + QStringLiteral("GOAWAY: streams from %1 on are not processed")
                         .arg(str(ev, Field::LastStreamId));
    default:
        return marker + QString::fromUtf8(ev.typeName());
    }
}

} // namespace

TextWriter::TextWriter(QIODevice *out, QObject *parent) : QObject(parent), m_out(out) {}

void TextWriter::attach(TraceStore *store)
{
    connect(store, &TraceStore::eventsAppended, this, &TextWriter::write);
}

QStringList TextWriter::format(const TraceEvent &ev)
{
    const QString info = prefix(ev, QLatin1Char('*'));
    const QString out = prefix(ev, QLatin1Char('>'));
    const QString in = prefix(ev, QLatin1Char('<'));
    const QString bad = prefix(ev, QLatin1Char('!'));
    const QString t = QString::fromUtf8(ev.typeName());
    QStringList lines;

    if (ev.type == EventType::RequestStart) {
        lines << info + QStringLiteral("request %1 %2")
                            .arg(str(ev, Field::Method), str(ev, Field::Url));
    } else if (ev.type == EventType::Dns) {
        QStringList addrs;
        for (const FieldValue a : ev.field(Field::Addresses))
            addrs << a.toString();
        lines << info + QStringLiteral("resolved %1 to %2 in %3 ms%4")
                            .arg(str(ev, Field::Host), addrs.join(QStringLiteral(", ")),
                                 str(ev, Field::Ms), viaText(ev));
    } else if (ev.type == EventType::PoolOpen) {
        lines << info + QStringLiteral("new connection to %1").arg(str(ev, Field::Origin));
    } else if (ev.type == EventType::PoolReuse) {
        lines << info + QStringLiteral("reusing connection to %1").arg(str(ev, Field::Origin));
    } else if (ev.type == EventType::PoolRetry) {
        lines << info +
                     QStringLiteral("retrying on a new connection: %1").arg(str(ev, Field::Reason));
    } else if (ev.type == EventType::ConnectAttempt) {
        lines << info + QStringLiteral("trying %1 port %2%3")
                            .arg(str(ev, Field::Address), str(ev, Field::Port), viaText(ev));
    } else if (ev.type == EventType::ProxyConnect) {
        lines << out + QStringLiteral("CONNECT %1 HTTP/1.1 (to the proxy %2)")
                           .arg(str(ev, Field::Target), str(ev, Field::Proxy));
        appendHeaders(lines, out, ev.field(Field::Headers));
        lines << out;
    } else if (ev.type == EventType::ProxyResponse) {
        lines << in + QStringLiteral("%1 %2 %3 (from the proxy)")
                          .arg(str(ev, Field::Version), str(ev, Field::Status),
                               str(ev, Field::Reason));
        appendHeaders(lines, in, ev.field(Field::Headers));
        lines << in;
    } else if (ev.type == EventType::SocksGreeting) {
        QStringList methods;
        for (const FieldValue m : ev.field(Field::Methods))
            methods << m.toString();
        lines << out + QStringLiteral("SOCKS5 greeting to %1, methods: %2")
                           .arg(str(ev, Field::Proxy), methods.join(QStringLiteral(", ")));
    } else if (ev.type == EventType::SocksMethod) {
        lines << in + QStringLiteral("SOCKS5 method: %1").arg(str(ev, Field::Method));
    } else if (ev.type == EventType::SocksAuth) {
        lines << out + QStringLiteral("SOCKS5 user %1 (password not shown)")
                           .arg(str(ev, Field::User));
    } else if (ev.type == EventType::SocksAuthReply) {
        lines << in + QStringLiteral("SOCKS5 authentication status %1").arg(str(ev, Field::Status));
    } else if (ev.type == EventType::SocksRequest) {
        lines << out + QStringLiteral("SOCKS5 CONNECT %1 port %2 (%3)")
                           .arg(str(ev, Field::Host), str(ev, Field::Port), str(ev, Field::Kind));
    } else if (ev.type == EventType::SocksReply) {
        lines << in + QStringLiteral("SOCKS5 reply %1: %2")
                          .arg(str(ev, Field::Code), str(ev, Field::Reason));
    } else if (ev.type == EventType::ProxyEstablished) {
        lines << info + QStringLiteral("tunnel to %1 through %2 established in %3 ms")
                            .arg(str(ev, Field::Target), str(ev, Field::Proxy), str(ev, Field::Ms));
    } else if (ev.type == EventType::Connect) {
        lines << info + QStringLiteral("connected to %1 (%2) port %3%4")
                            .arg(str(ev, Field::Host), str(ev, Field::Address),
                                 str(ev, Field::Port),
                                 ev.field(Field::Protocol).toString() == u"udp"
                                     ? QStringLiteral(" over UDP (QUIC handshake next)")
                                     : QString());
    } else if (ev.type == EventType::Tls) {
        const QString alpn =
            ev.field(Field::Alpn).isNull() ? QStringLiteral("none") : str(ev, Field::Alpn);
        lines << info + QStringLiteral("TLS %1, cipher %2, ALPN %3, certificate %4")
                            .arg(str(ev, Field::Protocol), str(ev, Field::Cipher), alpn,
                                 ev.field(Field::Verified).toBool()
                                     ? QStringLiteral("verified")
                                     : QStringLiteral("NOT VERIFIED"));
        if (ev.field(Field::Group).isValid())
            lines << info + QStringLiteral("  key exchange group %1").arg(str(ev, Field::Group));
        if (ev.field(Field::ClientCertificate).isValid()) {
            lines << info + QStringLiteral("  client certificate sent: %1")
                                .arg(str(ev.field(Field::ClientCertificate).value(Field::Subject)));
        } else if (ev.field(Field::CertificateRequested).toBool()) {
            lines << info + QStringLiteral("  the server asked for a client certificate; none "
                                           "was sent (--cert)");
        }
        if (ev.field(Field::Ocsp).isValid())
            lines << info + QStringLiteral("  OCSP stapling: %1 (%2)")
                                .arg(str(ev, Field::Ocsp), str(ev, Field::OcspDetail));
        if (ev.field(Field::KeyLog).isValid())
            lines << info +
                         QStringLiteral("  TLS secrets logged to %1").arg(str(ev, Field::KeyLog));
        if (ev.field(Field::KeyLogError).isValid())
            lines << bad + QStringLiteral("key log: %1").arg(str(ev, Field::KeyLogError));
        for (const FieldValue cert : ev.field(Field::Chain)) {
            lines << info + QStringLiteral("  certificate: %1 (issuer %2, until %3)")
                                .arg(str(cert.value(Field::Subject)),
                                     str(cert.value(Field::Issuer)),
                                     str(cert.value(Field::NotAfter)));
        }
    } else if (ev.type == EventType::TlsMessage) {
        // As curl -v: "TLS handshake (OUT): ClientHello, 517 bytes".
        const bool outgoing = ev.dir == Direction::Out;
        const QString dir = outgoing ? QStringLiteral("OUT") : QStringLiteral("IN");
        if (ev.field(Field::Kind).toUtf8() == "alert") {
            const QString &prefix = ev.field(Field::Level).toUtf8() == "fatal" ? bad : info;
            lines << prefix + QStringLiteral("TLS alert (%1): %2, %3")
                                  .arg(dir, str(ev, Field::Name), str(ev, Field::Level));
        } else {
            lines << info + QStringLiteral("TLS handshake (%1): %2, %3 bytes")
                                .arg(dir, str(ev, Field::Name), str(ev, Field::Bytes));
        }
    } else if (ev.type == EventType::TlsInsecure) {
        lines << bad + QStringLiteral("WARNING: %1").arg(str(ev, Field::Message));
    } else if (ev.type == EventType::H1Request) {
        lines << out + QStringLiteral("%1 %2 %3")
                           .arg(str(ev, Field::Method), str(ev, Field::Target),
                                str(ev, Field::Version));
        appendHeaders(lines, out, ev.field(Field::Headers));
        lines << out;
    } else if (ev.type == EventType::H1Response) {
        lines << in + QStringLiteral("%1 %2 %3")
                          .arg(str(ev, Field::Version), str(ev, Field::Status),
                               str(ev, Field::Reason));
        appendHeaders(lines, in, ev.field(Field::Headers));
        lines << in;
    } else if (ev.type == EventType::H1Trailers) {
        appendHeaders(lines, in, ev.field(Field::Headers));
    } else if (ev.type == EventType::H1Body) {
        lines << info + QStringLiteral("%1 %2 body bytes")
                            .arg(ev.dir == Direction::Out ? QStringLiteral("sent")
                                                          : QStringLiteral("received"),
                                 str(ev, Field::Bytes));
    } else if (ev.type == EventType::H1Violation) {
        lines << bad + QStringLiteral("tolerated: %1 (%2)")
                           .arg(str(ev, Field::Message), str(ev, Field::Code));
    } else if (ev.type == EventType::NetRead || ev.type == EventType::NetWrite) {
        lines << info + QStringLiteral("%1 %2 bytes")
                            .arg(ev.type == EventType::NetRead ? QStringLiteral("read")
                                                               : QStringLiteral("wrote"),
                                 str(ev, Field::Bytes));
    } else if (ev.type == EventType::ResponseComplete) {
        const QString what = ev.scope.req ? QStringLiteral("request %1").arg(ev.scope.req)
                                          : QStringLiteral("upgrade probe");
        lines << info + QStringLiteral("%1 complete: %2, %3 body bytes over %4 (%5)")
                            .arg(what, str(ev, Field::Status), str(ev, Field::Bytes),
                                 str(ev, Field::Protocol), timingsText(ev.field(Field::Timings)));
    } else if (ev.type == EventType::UpgradeOffer) {
        lines << info + QStringLiteral("offering an upgrade to %1%2")
                            .arg(str(ev, Field::Protocol),
                                 ev.field(Field::WithBody).toBool()
                                     ? QStringLiteral(" (the request has a body: many servers "
                                                      "decline then)")
                                     : QString());
    } else if (ev.type == EventType::UpgradeSwitch) {
        lines << info + QStringLiteral("101 Switching Protocols: upgrading to %1… (%2 bytes that "
                                       "arrived with the 101 go to %1 first)")
                            .arg(str(ev, Field::Protocol), str(ev, Field::LeftoverBytes));
    } else if (ev.type == EventType::UpgradeDeclined) {
        lines << bad + QStringLiteral("the server declined the %1 upgrade (answered %2%3); the "
                                      "connection stays HTTP/1.1")
                           .arg(str(ev, Field::Protocol), str(ev, Field::Status),
                                ev.field(Field::WithBody).toBool()
                                    ? QStringLiteral(", the request had a body")
                                    : QString());
    } else if (ev.type == EventType::UpgradeSkipped) {
        lines << bad + QStringLiteral("no %1 upgrade offered: %2")
                           .arg(str(ev, Field::Protocol), str(ev, Field::Reason));
    } else if (ev.type == EventType::UpgradeAdvertised) {
        QStringList protos;
        for (const FieldValue p : ev.field(Field::Protocols))
            protos << p.toString();
        lines << info + QStringLiteral("the server advertises Upgrade: %1")
                            .arg(protos.join(QStringLiteral(", ")));
    } else if (ev.type == EventType::UpgradeFollow && str(ev, Field::Via) == u"Alt-Svc") {
        lines << info + QStringLiteral("following Alt-Svc: %1 advertised on connection %2: this "
                                       "new connection speaks HTTP/3 over QUIC")
                            .arg(str(ev, Field::Protocol), str(ev, Field::From));
    } else if (ev.type == EventType::UpgradeFollow) {
        lines << info +
                     QStringLiteral("following Upgrade: %1 advertised on connection %2: this new "
                                    "connection offers ALPN %3 only")
                         .arg(str(ev, Field::Protocol), str(ev, Field::From), str(ev, Field::Alpn));
    } else if (ev.type == EventType::Redirect) {
        // curl -v: "Issue another request to this URL: '…'".
        QString line = QStringLiteral("redirect %1 (hop %2): %3 %4 as request %5")
                           .arg(str(ev, Field::Status), str(ev, Field::Hop), str(ev, Field::Method),
                                str(ev, Field::To), str(ev, Field::Next));
        if (ev.field(Field::Downgrade).toBool())
            line += QStringLiteral(" (https → http: no TLS from here on)");
        QStringList dropped;
        for (const FieldValue name : ev.field(Field::Dropped))
            dropped << name.toString();
        if (!dropped.isEmpty())
            line += QStringLiteral(", not sending %1").arg(dropped.join(QStringLiteral(", ")));
        lines << info + line;
    } else if (ev.type == EventType::UpgradeH2Refused) {
        lines << bad + str(ev, Field::Message);
    } else if (ev.type == EventType::H2Frame) {
        const QString marker = ev.dir == Direction::Out ? out : in;
        QStringList flags;
        for (const FieldValue fl : ev.field(Field::Flags))
            flags << fl.toString();
        QString line =
            marker + QStringLiteral("%1 frame <length=%2, flags=%3")
                         .arg(str(ev, Field::Frame), str(ev, Field::Length),
                              flags.isEmpty() ? QStringLiteral("0") : flags.join(QLatin1Char('|')));
        for (auto it = ev.begin(); it != ev.end(); ++it) {
            const Field key = it.key();
            if (key == Field::Frame || key == Field::Flags || key == Field::Length)
                continue;
            const FieldValue v = *it;
            QString value;
            if (v.isArray()) {
                QStringList parts;
                for (const FieldValue e : v) {
                    if (e.isArray())
                        parts << plain(e.at(0)) + QLatin1Char('=') + plain(e.at(1));
                    else
                        parts << plain(e);
                }
                value = QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
            } else if (v.isMap()) {
                QStringList parts;
                for (auto mi = v.begin(); mi != v.end(); ++mi)
                    parts << fieldName(mi.key()) + QLatin1Char('=') + plain(*mi);
                value = QLatin1Char('{') + parts.join(QStringLiteral(", ")) + QLatin1Char('}');
            } else {
                value = plain(v);
            }
            line += QStringLiteral(", %1=%2").arg(fieldName(key), value);
        }
        lines << line + QLatin1Char('>');
    } else if (ev.type == EventType::H2Headers || ev.type == EventType::H3Headers) {
        appendHeaders(lines, ev.dir == Direction::Out ? out : in, ev.field(Field::Headers));
    } else if (ev.type == EventType::QuicPacket || ev.type == EventType::QuicLost ||
               ev.type == EventType::QuicClose || ev.type == EventType::QuicFallback ||
               ev.type == EventType::H3Data || ev.type == EventType::H3StreamEnd ||
               ev.type == EventType::H3Goaway || ev.type == EventType::AltSvc) {
        lines << quicLine(ev,
                          ev.dir == Direction::Out  ? out
                          : ev.dir == Direction::In ? in
                                                    : info,
                          bad);
    } else if (ev.type == EventType::DemoPhase) {
        lines << QString()
              << QStringLiteral("== %1. %2 ==").arg(str(ev, Field::Phase), str(ev, Field::Title));
    } else if (ev.type == EventType::RawData) {
        // One line per chunk, quoted with control characters escaped; data that is not UTF-8
        // (the text then holds U+FFFD) is shown in hex instead.
        const QString text = ev.field(Field::Text).toString();
        QString shown;
        if (ev.field(Field::Hex).isValid() && text.contains(QChar::ReplacementCharacter)) {
            shown = QStringLiteral("hex ") + str(ev, Field::Hex);
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
        if (ev.field(Field::Truncated).toBool())
            shown += QStringLiteral(" (truncated in the trace)");
        lines << (ev.dir == Direction::Out ? out : in) +
                     QStringLiteral("raw %1 bytes %2").arg(str(ev, Field::Bytes), shown);
    } else if (ev.type == EventType::WsFrame || ev.type == EventType::WsMessage ||
               ev.type == EventType::WsClose || ev.type == EventType::WsCloseUnanswered) {
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
        if (ev.type == EventType::WsFrame) {
            QString line =
                marker + QStringLiteral("ws frame %1 %2")
                             .arg(str(ev, Field::Opcode), ev.field(Field::Fin).toBool()
                                                              ? QStringLiteral("fin")
                                                              : QStringLiteral("no-fin"));
            if (const qint64 rsv = ev.field(Field::Rsv).toInteger(); rsv != 0)
                line += QStringLiteral(" rsv=%1").arg(rsv);
            if (ev.field(Field::Masked).toBool())
                line += QStringLiteral(" masked");
            lines << line + QStringLiteral(" len=%1").arg(str(ev, Field::Length));
        } else if (ev.type == EventType::WsMessage) {
            const QString cut = ev.field(Field::Truncated).toBool()
                                    ? QStringLiteral(" (truncated in the trace)")
                                    : QString();
            if (ev.field(Field::Text).isValid()) {
                lines << marker +
                             QStringLiteral("ws text %1%2").arg(quoted(str(ev, Field::Text)), cut);
            } else {
                const QByteArray data = QByteArray::fromBase64(str(ev, Field::Data).toLatin1());
                constexpr qsizetype kHexShown = 32;
                QString hex = QString::fromLatin1(data.left(kHexShown).toHex(' '));
                if (data.size() > kHexShown)
                    hex += QStringLiteral(" …");
                lines << marker + QStringLiteral("ws binary %1 bytes%2%3")
                                      .arg(str(ev, Field::Bytes),
                                           hex.isEmpty() ? QString() : QStringLiteral(": ") + hex,
                                           cut);
            }
        } else if (ev.type == EventType::WsClose) {
            // 1005 stands for a close frame without a code (RFC 6455 §7.1.5).
            const qint64 code = ev.field(Field::Code).toInteger();
            const QString reason = str(ev, Field::Reason);
            lines << marker +
                         (code == 1005 ? QStringLiteral("ws close (no code)")
                                       : QStringLiteral("ws close %1").arg(code)) +
                         (reason.isEmpty() ? QString() : QLatin1Char(' ') + quoted(reason));
        } else if (ev.type == EventType::WsCloseUnanswered) {
            lines << bad + QStringLiteral("ws close unanswered: %1").arg(str(ev, Field::Reason));
        } else {
            lines << info + t;
        }
    } else if (ev.type == EventType::RequestFailed) {
        lines << bad + QStringLiteral("request %1 failed: %2")
                           .arg(QString::number(ev.scope.req), str(ev, Field::Error));
    } else if (ev.type == EventType::Error) {
        lines << bad + QStringLiteral("error: %1").arg(str(ev, Field::Message));
    } else if (ev.type == EventType::Close) {
        QString line = info + QStringLiteral("connection closed: %1").arg(str(ev, Field::Reason));
        if (const qint64 unsent = ev.field(Field::Unsent).toInteger(0); unsent > 0)
            line += QStringLiteral(" (%1 written bytes could not be sent)").arg(unsent);
        lines << line;
    } else {
        // Unknown to this writer (a newer or user-registered type): show it generically.
        QStringList parts;
        for (auto it = ev.begin(); it != ev.end(); ++it) {
            if (it.key() == Field::TypeName && ev.type == EventType::Other)
                continue;
            parts << fieldName(it.key()) + QLatin1Char('=') +
                         ((*it).isMap() || (*it).isArray() ? QStringLiteral("…") : str(*it));
        }
        lines << info + t + QLatin1Char(' ') + parts.join(QLatin1Char(' '));
    }
    return lines;
}

void TextWriter::write(const TraceBatch &batch)
{
    QByteArray buf;
    for (const TraceEvent ev : batch) {
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
