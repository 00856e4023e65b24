#include "core/altsvc.h"

#include <QUrl>

namespace hopscope {

namespace {

// Splits on `sep` outside double quotes.
QList<QByteArrayView> splitOutsideQuotes(QByteArrayView s, char sep)
{
    QList<QByteArrayView> parts;
    bool quoted = false;
    qsizetype start = 0;
    for (qsizetype i = 0; i < s.size(); ++i) {
        const char c = s.at(i);
        if (c == '\\' && quoted) {
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == sep && !quoted) {
            parts.append(s.sliced(start, i - start).trimmed());
            start = i + 1;
        }
    }
    parts.append(s.sliced(start).trimmed());
    return parts;
}

QByteArray unquote(QByteArrayView v)
{
    if (v.size() < 2 || v.front() != '"' || v.back() != '"')
        return v.toByteArray();
    QByteArray out;
    for (qsizetype i = 1; i + 1 < v.size(); ++i) {
        if (v.at(i) == '\\' && i + 2 < v.size())
            ++i;
        out.append(v.at(i));
    }
    return out;
}

// One `protocol-id="authority"; ma=…; persist=1`, or why not.
QString parseAlternative(QByteArrayView text, AltService *out)
{
    const QList<QByteArrayView> params = splitOutsideQuotes(text, ';');
    const QByteArrayView first = params.first();
    const qsizetype eq = first.indexOf('=');
    if (eq <= 0)
        return QStringLiteral("no protocol=\"authority\" in \"%1\"")
            .arg(QString::fromLatin1(text.toByteArray()));
    out->protocol = QByteArray::fromPercentEncoding(first.first(eq).trimmed().toByteArray());
    const QByteArrayView rawAuthority = first.sliced(eq + 1).trimmed();
    if (rawAuthority.size() < 2 || rawAuthority.front() != '"')
        return QStringLiteral("the authority of %1 is not a quoted string")
            .arg(QString::fromLatin1(out->protocol));
    const QByteArray authority = unquote(rawAuthority);
    const qsizetype colon = authority.lastIndexOf(':');
    bool ok = false;
    const uint port = colon >= 0 ? authority.mid(colon + 1).toUInt(&ok) : 0;
    if (colon < 0 || !ok || port == 0 || port > 65535)
        return QStringLiteral("\"%1\" has no valid port").arg(QString::fromLatin1(authority));
    QByteArray host = authority.left(colon);
    if (host.startsWith('[') && host.endsWith(']'))
        host = host.mid(1, host.size() - 2);
    out->host = QString::fromLatin1(host);
    out->port = quint16(port);
    for (qsizetype i = 1; i < params.size(); ++i) {
        const QByteArrayView p = params.at(i);
        const qsizetype peq = p.indexOf('=');
        if (peq <= 0)
            continue; // RFC 7838 §3: unknown parameters are ignored
        const QByteArray name = p.first(peq).trimmed().toByteArray().toLower();
        const QByteArray value = unquote(p.sliced(peq + 1).trimmed());
        if (name == "ma") {
            bool valid = false;
            const qint64 ma = value.toLongLong(&valid);
            if (!valid || ma < 0)
                return QStringLiteral("ma=%1 is not a number of seconds")
                    .arg(QString::fromLatin1(value));
            out->maxAgeSeconds = ma;
        } else if (name == "persist") {
            out->persist = value == "1";
        }
    }
    return {};
}

} // namespace

QString AltService::authority() const
{
    const QString h = host.contains(u':') ? u'[' + host + u']' : host;
    return h + u':' + QString::number(port);
}

AltSvcHeader AltSvcHeader::parse(QByteArrayView value)
{
    AltSvcHeader header;
    const QByteArrayView trimmed = value.trimmed();
    if (trimmed.compare("clear", Qt::CaseInsensitive) == 0) {
        header.clear = true;
        return header;
    }
    for (const QByteArrayView part : splitOutsideQuotes(trimmed, ',')) {
        if (part.isEmpty())
            continue;
        if (header.services.size() >= kMaxAlternatives) {
            header.skipped << QStringLiteral("more than %1 alternatives; the rest are ignored")
                                  .arg(kMaxAlternatives);
            break;
        }
        AltService service;
        const QString why = parseAlternative(part, &service);
        if (why.isEmpty())
            header.services.append(service);
        else
            header.skipped << why;
    }
    return header;
}

} // namespace hopscope
