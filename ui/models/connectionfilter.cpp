#include "models/connectionfilter.h"

#include <QRegularExpression>

namespace hopscope {

namespace {

struct FieldName
{
    const char *name;
    ConnectionFilter::Field field;
};

constexpr FieldName kFields[] = {
    {"status", ConnectionFilter::Field::Status}, {"path", ConnectionFilter::Field::Path},
    {"proto", ConnectionFilter::Field::Proto},   {"conn", ConnectionFilter::Field::Conn},
    {"method", ConnectionFilter::Field::Method}, {"req", ConnectionFilter::Field::Req},
};

bool isDigits(const QString &s)
{
    if (s.isEmpty())
        return false;
    for (QChar c : s)
        if (!c.isDigit())
            return false;
    return true;
}

// "h2c" is h2c, "http/1.1" and "1.1" are HTTP/1.1, "ws" is websocket: the names the tree shows
// and the ones people type.
bool protocolIs(const QString &protocol, const QString &asked)
{
    const QString p = protocol.toLower(), a = asked.toLower();
    if (p == a)
        return true;
    if (a == QLatin1String("ws") || a == QLatin1String("websocket"))
        return p == QLatin1String("websocket");
    if (a == QLatin1String("1.1") || a == QLatin1String("http1") || a == QLatin1String("h1"))
        return p == QLatin1String("http/1.1");
    return false;
}

} // namespace

QStringList ConnectionFilter::fieldNames()
{
    QStringList out;
    for (const FieldName &f : kFields)
        out << QString::fromLatin1(f.name);
    return out;
}

ConnectionFilter ConnectionFilter::parse(const QString &input)
{
    ConnectionFilter out;
    QStringList plain;
    const QStringList words = input.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &word : words) {
        const qsizetype colon = word.indexOf(QLatin1Char(':'));
        const FieldName *field = nullptr;
        if (colon > 0) {
            const QString name = word.left(colon).toLower();
            for (const FieldName &f : kFields)
                if (name == QLatin1String(f.name))
                    field = &f;
        }
        if (!field) {
            plain << word;
            continue;
        }
        Term term;
        term.field = field->field;
        term.value = word.mid(colon + 1);
        auto fail = [&](const QString &why) {
            if (out.error.isEmpty())
                out.error = QStringLiteral("%1: %2").arg(word, why);
        };
        if (term.value.isEmpty()) {
            fail(QStringLiteral("no value (for example %1:%2)")
                     .arg(QString::fromLatin1(field->name),
                          term.field == Field::Status   ? QStringLiteral("404")
                          : term.field == Field::Path   ? QStringLiteral("/headers")
                          : term.field == Field::Proto  ? QStringLiteral("h2c")
                          : term.field == Field::Method ? QStringLiteral("POST")
                                                        : QStringLiteral("3")));
            continue;
        }
        switch (term.field) {
        case Field::Status: {
            static const QRegularExpression statusClass(QStringLiteral("^([1-5])[xX][xX]$"));
            const QRegularExpressionMatch m = statusClass.match(term.value);
            if (m.hasMatch()) {
                term.statusClass = true;
                term.number = m.captured(1).toInt();
            } else if (isDigits(term.value) && term.value.size() == 3 &&
                       term.value.toInt() >= 100 && term.value.toInt() <= 599) {
                term.number = term.value.toInt();
            } else {
                fail(QStringLiteral("not a status code (100–599, or a class such as 4xx)"));
                continue;
            }
            break;
        }
        case Field::Conn:
        case Field::Req: {
            QString digits = term.value;
            if (term.field == Field::Conn && digits.startsWith(QLatin1Char('#')))
                digits.remove(0, 1);
            bool ok = false;
            const uint n = isDigits(digits) ? digits.toUInt(&ok) : 0;
            if (!ok || n == 0) {
                fail(term.field == Field::Conn ? QStringLiteral("not a connection number")
                                               : QStringLiteral("not a request number"));
                continue;
            }
            term.number = int(qMin<uint>(n, uint(INT_MAX)));
            break;
        }
        default:
            break;
        }
        out.terms.append(term);
    }
    out.text = plain.join(QLatin1Char(' '));
    return out;
}

bool ConnectionFilter::hasField(Field f) const
{
    for (const Term &t : terms)
        if (t.field == f)
            return true;
    return false;
}

bool ConnectionFilter::hasExchangeFields() const
{
    for (const Term &t : terms)
        if (t.field != Field::Conn)
            return true;
    return false;
}

bool ConnectionFilter::termHolds(const Term &term, const Row &row) const
{
    switch (term.field) {
    case Field::Conn:
        return row.conn == quint32(term.number);
    case Field::Req:
        return row.isExchange && row.req == quint32(term.number);
    case Field::Status:
        if (!row.isExchange || row.status == 0)
            return false;
        return term.statusClass ? row.status / 100 == term.number : row.status == term.number;
    case Field::Path:
        return row.isExchange && row.path.contains(term.value, Qt::CaseInsensitive);
    case Field::Proto:
        return row.isExchange && protocolIs(row.protocol, term.value);
    case Field::Method:
        return row.isExchange && row.method.compare(term.value, Qt::CaseInsensitive) == 0;
    }
    return false;
}

bool ConnectionFilter::textMatches(const Row &row) const
{
    if (text.isEmpty())
        return true;
    if (!isDigits(text))
        return row.filterText.contains(text, Qt::CaseInsensitive);
    // A number: whole numbers only, and not the row's own number.
    QString haystack = row.filterText;
    if (!row.ownNumber.isEmpty() && haystack.startsWith(row.ownNumber))
        haystack.remove(0, row.ownNumber.size());
    const QRegularExpression whole(QStringLiteral("(?<![0-9])%1(?![0-9])").arg(text));
    return whole.match(haystack).hasMatch();
}

bool ConnectionFilter::matches(const Row &row) const
{
    if (!error.isEmpty())
        return false;
    // Terms of one field are alternatives; every field asked for must hold.
    for (const Term &term : terms) {
        bool fieldHolds = false;
        for (const Term &other : terms)
            if (other.field == term.field && termHolds(other, row))
                fieldHolds = true;
        if (!fieldHolds)
            return false;
    }
    return textMatches(row);
}

} // namespace hopscope
