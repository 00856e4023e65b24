#include "models/tlsfacts.h"

#include "format/durationformat.h"
#include "format/errorhint.h"
#include "session/sessionstore.h"

#include <QCoreApplication>
#include <QDateTime>

namespace hopscope {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("TlsFacts", text);
}

// "2026-12-07T16:35:26Z" as "2026-12-07 16:35:26 UTC"; anything else as it came.
QString readableTime(const QString &iso)
{
    const QDateTime t = QDateTime::fromString(iso, Qt::ISODate);
    if (!t.isValid())
        return iso;
    return t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) + QStringLiteral(" UTC");
}

QString orNone(const QString &value)
{
    return value.isEmpty() ? tr("none") : value;
}

// A certificate as the trace summarises it (subject, issuer, dates, names, fingerprint).
TlsFactRow certificateRow(const QString &label, const FieldValue &cert)
{
    TlsFactRow row{label, cert.value(Field::Subject).toString(), {}, false};
    row.children.append({tr("Issuer"), cert.value(Field::Issuer).toString(), {}, false});
    const QString notBefore = cert.value(Field::NotBefore).toString();
    const QString notAfter = cert.value(Field::NotAfter).toString();
    const QDateTime until = QDateTime::fromString(notAfter, Qt::ISODate);
    const bool expired = until.isValid() && until < QDateTime::currentDateTimeUtc();
    row.children.append({tr("Valid"),
                         QStringLiteral("%1 → %2%3")
                             .arg(readableTime(notBefore), readableTime(notAfter),
                                  expired ? tr(" (expired)") : QString()),
                         {},
                         expired});
    QStringList names;
    for (const FieldValue name : cert.value(Field::Sans))
        names << name.toString();
    row.children.append(
        {tr("Names (SAN)"),
         names.isEmpty() ? tr("none in the trace") : names.join(QStringLiteral(", ")),
         {},
         false});
    row.children.append({tr("SHA-256"), cert.value(Field::Sha256).toString(), {}, false});
    return row;
}

QString ocspWords(const QString &status)
{
    if (status == QLatin1String("good"))
        return tr("good");
    if (status == QLatin1String("revoked"))
        return tr("REVOKED");
    if (status == QLatin1String("unknown"))
        return tr("unknown to the responder");
    if (status == QLatin1String("invalid"))
        return tr("invalid response");
    return tr("not stapled");
}

} // namespace

void TlsFacts::reset(quint32 req)
{
    *this = TlsFacts();
    m_req = req;
}

void TlsFacts::scan(const SessionStore &store)
{
    if (!m_conn) {
        const ExchangeInfo *x = store.exchange(m_req);
        m_conn = x ? x->conn : 0;
    }
    const ConnectionInfo *c = store.connection(m_conn);
    if (!c)
        return;
    for (; m_scanned < c->events.size(); ++m_scanned) {
        const int index = c->events.at(m_scanned);
        const TraceEvent ev = store.event(index);
        if (ev.is(EventType::TlsInsecure)) {
            m_insecureEvent = index;
        } else if (ev.is(EventType::TlsMessage)) {
            if (m_messages.size() < kMaxMessages)
                m_messages.append(index);
            ++m_messageCount;
        }
    }
}

bool TlsFacts::isTls(const SessionStore &store) const
{
    const ConnectionInfo *c = store.connection(m_conn);
    return c && (c->tls || c->tlsEvent >= 0 || m_messageCount > 0);
}

QString TlsFacts::failure(const SessionStore &store) const
{
    const ExchangeInfo *x = store.exchange(m_req);
    if (!x || !x->errorCode.startsWith(QLatin1String("tls")))
        return {};
    return x->error;
}

QString TlsFacts::hint(const SessionStore &store) const
{
    const ExchangeInfo *x = store.exchange(m_req);
    return x ? errorHint(x->errorCode) : QString();
}

QList<TlsFactRow> TlsFacts::rows(const SessionStore &store) const
{
    QList<TlsFactRow> out;
    const ConnectionInfo *c = store.connection(m_conn);
    if (c && c->tlsEvent >= 0) {
        out.append({tr("Handshake"), QString(), handshakeRows(store), false});
        out.append(ocspRow(store));
        out.append(chainRow(store));
        out.append(clientCertificateRow(store));
        const TraceEvent ev = store.event(c->tlsEvent);
        const QString keyLog = ev.field(Field::KeyLog).toString();
        TlsFactRow log{tr("Key log"), keyLog.isEmpty() ? tr("not logged") : keyLog, {}, false};
        if (const QString error = ev.field(Field::KeyLogError).toString(); !error.isEmpty()) {
            log.problem = true;
            log.children.append({tr("Error"), error, {}, true});
        }
        out.append(log);
    }
    if (m_messageCount > 0)
        out.append(messagesRow(store));
    return out;
}

QList<TlsFactRow> TlsFacts::handshakeRows(const SessionStore &store) const
{
    const TraceEvent ev = store.event(store.connection(m_conn)->tlsEvent);
    QList<TlsFactRow> rows;
    rows.append({tr("Version"), ev.field(Field::Protocol).toString(), {}, false});
    rows.append({tr("Cipher"), ev.field(Field::Cipher).toString(), {}, false});
    rows.append({tr("Key exchange group"), orNone(ev.field(Field::Group).toString()), {}, false});
    QStringList offered;
    for (const FieldValue p : ev.field(Field::AlpnOffered))
        offered << p.toString();
    const QString alpn =
        ev.field(Field::Alpn).isNull() ? QString() : ev.field(Field::Alpn).toString();
    rows.append({tr("ALPN"),
                 QStringLiteral("%1 (offered: %2)")
                     .arg(orNone(alpn), orNone(offered.join(QStringLiteral(", ")))),
                 {},
                 false});
    rows.append({tr("SNI"),
                 ev.field(Field::Sni).isNull() ? tr("none (an IP address gets none)")
                                               : ev.field(Field::Sni).toString(),
                 {},
                 false});
    const bool verified = ev.field(Field::Verified).toBool();
    rows.append({tr("Verified"),
                 verified ? tr("yes: the chain is trusted and made out for this host")
                 : m_insecureEvent >= 0
                     ? tr("NO: Insecure (-k) was on, the server's identity was not checked")
                     : tr("no"),
                 {},
                 !verified});
    if (ev.field(Field::Ms).isValid())
        rows.append({tr("Took"), formatMilliseconds(ev.field(Field::Ms).toDouble()), {}, false});
    return rows;
}

TlsFactRow TlsFacts::ocspRow(const SessionStore &store) const
{
    const TraceEvent ev = store.event(store.connection(m_conn)->tlsEvent);
    const QString status = ev.field(Field::Ocsp).toString();
    if (status.isEmpty())
        return {tr("OCSP stapling"), tr("not in the trace"), {}, false};
    TlsFactRow row{tr("OCSP stapling"), ocspWords(status), {}, false};
    row.problem = status == QLatin1String("revoked") || status == QLatin1String("invalid") ||
                  status == QLatin1String("unknown");
    row.children.append({tr("Says"), ev.field(Field::OcspDetail).toString(), {}, row.problem});
    const struct
    {
        const char *label;
        Field field;
    } times[] = {{"This update", Field::OcspThisUpdate},
                 {"Next update", Field::OcspNextUpdate},
                 {"Revoked at", Field::OcspRevokedAt}};
    for (const auto &t : times) {
        if (const QString v = ev.field(t.field).toString(); !v.isEmpty())
            row.children.append({tr(t.label), readableTime(v), {}, false});
    }
    if (const QString reason = ev.field(Field::OcspReason).toString(); !reason.isEmpty())
        row.children.append({tr("Reason"), reason, {}, true});
    return row;
}

TlsFactRow TlsFacts::chainRow(const SessionStore &store) const
{
    const TraceEvent ev = store.event(store.connection(m_conn)->tlsEvent);
    const FieldValue chain = ev.field(Field::Chain);
    TlsFactRow row{tr("Certificate chain"), QString(), {}, false};
    int i = 0;
    for (const FieldValue cert : chain) {
        row.children.append(certificateRow(i == 0 ? tr("Server") : tr("#%1").arg(i), cert));
        ++i;
    }
    row.value = i == 1 ? tr("1 certificate, as the server sent it")
                       : tr("%1 certificates, as the server sent them").arg(i);
    return row;
}

TlsFactRow TlsFacts::clientCertificateRow(const SessionStore &store) const
{
    const TraceEvent ev = store.event(store.connection(m_conn)->tlsEvent);
    const bool requested = ev.field(Field::CertificateRequested).toBool();
    const FieldValue sent = ev.field(Field::ClientCertificate);
    if (sent.isValid()) {
        TlsFactRow row = certificateRow(tr("Client certificate"), sent);
        row.value = tr("requested; sent %1").arg(sent.value(Field::Subject).toString());
        return row;
    }
    return {tr("Client certificate"),
            requested ? tr("requested; none sent (choose one under Options)") : tr("not requested"),
            {},
            false};
}

TlsFactRow TlsFacts::messagesRow(const SessionStore &store) const
{
    TlsFactRow row{tr("Handshake messages"),
                   m_messageCount > m_messages.size()
                       ? tr("%1 (the first %2 shown; the trace log has all)")
                             .arg(m_messageCount)
                             .arg(m_messages.size())
                       : QString::number(m_messageCount),
                   {},
                   false};
    const ConnectionInfo *c = store.connection(m_conn);
    const qint64 base = c && c->connectEndNs >= 0 ? c->connectEndNs : -1;
    for (const int index : m_messages) {
        const TraceEvent ev = store.event(index);
        const bool out = ev.dir == Direction::Out;
        const bool alert = ev.field(Field::Kind).toUtf8() == "alert";
        const qint64 bytes = ev.field(Field::Bytes).toInteger();
        QString value = bytes == 1 ? tr("1 byte") : tr("%1 bytes").arg(bytes);
        if (alert)
            value = ev.field(Field::Level).toString();
        if (base >= 0)
            value += tr(", at +%1").arg(formatDurationNs(ev.tNs - base));
        row.children.append({(out ? QStringLiteral("→ ") : QStringLiteral("← ")) +
                                 (alert ? tr("alert: %1") : QStringLiteral("%1"))
                                     .arg(ev.field(Field::Name).toString()),
                             value,
                             {},
                             alert && ev.field(Field::Level).toUtf8() == "fatal"});
    }
    return row;
}

QString TlsFacts::text(const QList<TlsFactRow> &rows, int depth)
{
    QString out;
    for (const TlsFactRow &r : rows) {
        out += QString(depth * 2, QLatin1Char(' ')) + r.label;
        if (!r.value.isEmpty())
            out += QStringLiteral(": ") + r.value;
        out += QLatin1Char('\n') + text(r.children, depth + 1);
    }
    return out;
}

} // namespace hopscope
