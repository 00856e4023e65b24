#include "quic/qlogjson.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <charconv>

namespace hopscope {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

qsizetype skipSpace(QByteArrayView s, qsizetype pos)
{
    while (pos < s.size() && isSpace(s[pos]))
        ++pos;
    return pos;
}

// `pos` at a string's opening quote: the index just past its closing quote, or -1.
qsizetype stringEnd(QByteArrayView s, qsizetype pos)
{
    for (++pos; pos < s.size(); ++pos) {
        if (s[pos] == '\\')
            ++pos; // the escaped character, whatever it is
        else if (s[pos] == '"')
            return pos + 1;
    }
    return -1;
}

// `pos` at a value's first character: the index just past the value, or -1. Containers are
// skipped by counting brackets (strings inside them skipped whole), not by recursion, so no
// nesting depth can exhaust the stack.
qsizetype valueEnd(QByteArrayView s, qsizetype pos)
{
    if (pos >= s.size())
        return -1;
    const char c = s[pos];
    if (c == '"')
        return stringEnd(s, pos);
    if (c == '{' || c == '[') {
        qsizetype depth = 0;
        while (pos < s.size()) {
            const char d = s[pos];
            if (d == '"') {
                pos = stringEnd(s, pos);
                if (pos < 0)
                    return -1;
                continue;
            }
            if (d == '{' || d == '[')
                ++depth;
            else if ((d == '}' || d == ']') && --depth == 0)
                return pos + 1;
            ++pos;
        }
        return -1;
    }
    if (c == ',' || c == '}' || c == ']' || c == ':' || isSpace(c))
        return -1;
    while (pos < s.size() && s[pos] != ',' && s[pos] != '}' && s[pos] != ']' && !isSpace(s[pos]))
        ++pos;
    return pos;
}

} // namespace

QlogJson::QlogJson(QByteArrayView text)
{
    const qsizetype start = skipSpace(text, 0);
    const qsizetype end = valueEnd(text, start);
    if (end > start)
        m_text = text.sliced(start, end - start);
}

bool QlogJson::nextItem(qsizetype *pos, QByteArrayView *key, QlogJson *value) const
{
    // The text ends with its closing bracket: items lie before it.
    const QByteArrayView s = m_text.first(m_text.size() - 1);
    qsizetype p = skipSpace(s, *pos);
    if (p < s.size() && s[p] == ',' && p > 1)
        p = skipSpace(s, p + 1);
    if (p >= s.size())
        return false;
    if (key) {
        if (s[p] != '"')
            return false;
        const qsizetype keyEnd = stringEnd(s, p);
        if (keyEnd < 0)
            return false;
        *key = s.sliced(p + 1, keyEnd - p - 2);
        p = skipSpace(s, keyEnd);
        if (p >= s.size() || s[p] != ':')
            return false;
        p = skipSpace(s, p + 1);
    }
    const qsizetype end = valueEnd(s, p);
    if (end < 0)
        return false;
    *value = QlogJson(s.sliced(p, end - p), Exact{});
    *pos = end;
    return true;
}

QlogJson QlogJson::operator[](QByteArrayView key) const
{
    QByteArrayView name;
    QlogJson value;
    for (qsizetype pos = 1; isObject() && nextItem(&pos, &name, &value);) {
        if (name == key)
            return value;
    }
    return {};
}

qint64 QlogJson::toInteger(qint64 fallback) const
{
    if (!isNumber())
        return fallback;
    qint64 value = 0;
    const auto [end, error] = std::from_chars(m_text.data(), m_text.data() + m_text.size(), value);
    return error == std::errc() ? value : fallback;
}

QString QlogJson::toString() const
{
    if (!isString() || m_text.size() < 2)
        return {};
    const QByteArrayView inner = m_text.sliced(1, m_text.size() - 2);
    if (!inner.contains('\\'))
        return QString::fromUtf8(inner);
    // Escapes are rare in qlog: Qt's parser decodes them.
    return QJsonDocument::fromJson("[" + m_text.toByteArray() + "]").array().at(0).toString();
}

} // namespace hopscope
