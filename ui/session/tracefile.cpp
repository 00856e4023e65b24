#include "session/tracefile.h"

#include "trace/jsonlineswriter.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QFile>
#include <QMutex>
#include <QSaveFile>

#include <algorithm>
#include <deque>

namespace hopscope {

const char *internTraceType(QByteArrayView type)
{
    static QMutex mutex;
    static std::deque<QByteArray> storage; // a deque never moves what it holds
    QMutexLocker lock(&mutex);
    for (const QByteArray &t : storage)
        if (t == type)
            return t.constData();
    storage.emplace_back(type.toByteArray());
    return storage.back().constData();
}

namespace {

// A small JSON reader that builds QCborValues in document order. QJsonDocument sorts object
// keys, and a trace's field order (nested `timings` included) is part of what it shows.
class OrderedJsonReader
{
public:
    explicit OrderedJsonReader(QByteArrayView text) : m_s(text) {}

    bool readDocument(QCborValue *out)
    {
        *out = value();
        skipSpace();
        return !m_failed && m_pos == m_s.size();
    }
    QString error() const { return m_error; }

private:
    QCborValue fail(const char *what)
    {
        if (!m_failed)
            m_error = QStringLiteral("%1 at column %2").arg(QLatin1String(what)).arg(m_pos + 1);
        m_failed = true;
        return {};
    }
    void skipSpace()
    {
        while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' ||
                                      m_s[m_pos] == '\r' || m_s[m_pos] == '\n'))
            ++m_pos;
    }
    bool take(char c)
    {
        skipSpace();
        if (m_pos < m_s.size() && m_s[m_pos] == c) {
            ++m_pos;
            return true;
        }
        return false;
    }
    bool takeWord(QByteArrayView word)
    {
        if (m_s.sliced(m_pos).startsWith(word)) {
            m_pos += word.size();
            return true;
        }
        return false;
    }

    QCborValue value()
    {
        skipSpace();
        if (m_failed || m_pos >= m_s.size())
            return fail("unexpected end");
        const char c = m_s[m_pos];
        if (c == '{')
            return object();
        if (c == '[')
            return array();
        if (c == '"') {
            QString text;
            return string(&text) ? QCborValue(text) : QCborValue();
        }
        if (takeWord("true"))
            return QCborValue(true);
        if (takeWord("false"))
            return QCborValue(false);
        if (takeWord("null"))
            return QCborValue(nullptr);
        return number();
    }

    QCborValue object()
    {
        ++m_pos; // '{'
        QCborMap map;
        if (take('}'))
            return map;
        do {
            skipSpace();
            QString key;
            if (m_pos >= m_s.size() || m_s[m_pos] != '"' || !string(&key))
                return fail("expected a key");
            if (!take(':'))
                return fail("expected ':'");
            map.insert(key, value());
            if (m_failed)
                return {};
        } while (take(','));
        return take('}') ? QCborValue(map) : fail("expected '}'");
    }

    QCborValue array()
    {
        ++m_pos; // '['
        QCborArray list;
        if (take(']'))
            return list;
        do {
            list.append(value());
            if (m_failed)
                return {};
        } while (take(','));
        return take(']') ? QCborValue(list) : fail("expected ']'");
    }

    bool string(QString *out)
    {
        ++m_pos; // opening quote
        QByteArray utf8;
        while (m_pos < m_s.size()) {
            const char c = m_s[m_pos++];
            if (c == '"') {
                *out += QString::fromUtf8(utf8);
                return true;
            }
            if (c != '\\') {
                utf8 += c;
                continue;
            }
            if (m_pos >= m_s.size())
                break;
            const char e = m_s[m_pos++];
            switch (e) {
            case 'n':
                utf8 += '\n';
                break;
            case 't':
                utf8 += '\t';
                break;
            case 'r':
                utf8 += '\r';
                break;
            case 'b':
                utf8 += '\b';
                break;
            case 'f':
                utf8 += '\f';
                break;
            case 'u': {
                char16_t units[2] = {0, 0};
                int count = 0;
                for (; count < 2; ++count) {
                    bool ok = false;
                    if (m_pos + 4 > m_s.size())
                        break;
                    units[count] = char16_t(m_s.sliced(m_pos, 4).toByteArray().toUShort(&ok, 16));
                    if (!ok)
                        break;
                    m_pos += 4;
                    // A high surrogate is followed by \uDCxx, its other half.
                    if (!QChar::isHighSurrogate(units[count]) || !takeWord("\\u"))
                        break;
                }
                utf8 += QStringView(units, qMin(count + 1, 2)).toUtf8();
                break;
            }
            default:
                utf8 += e;
                break; // \" \\ \/
            }
        }
        fail("unterminated string");
        return false;
    }

    QCborValue number()
    {
        const qsizetype start = m_pos;
        bool isDouble = false;
        while (m_pos < m_s.size()) {
            const char c = m_s[m_pos];
            if (c == '.' || c == 'e' || c == 'E')
                isDouble = true;
            else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9')))
                break;
            ++m_pos;
        }
        const QByteArray digits = m_s.sliced(start, m_pos - start).toByteArray();
        bool ok = false;
        if (!isDouble) {
            const qint64 n = digits.toLongLong(&ok);
            if (ok)
                return QCborValue(n);
        }
        const double d = digits.toDouble(&ok);
        return ok ? QCborValue(d) : fail("bad value");
    }

    QByteArrayView m_s;
    qsizetype m_pos = 0;
    bool m_failed = false;
    QString m_error;
};

bool isCommonField(QStringView key)
{
    return key == u"seq" || key == u"t" || key == u"type" || key == u"conn" || key == u"req" ||
           key == u"stream" || key == u"dir";
}

TraceEvent fromObject(const QCborMap &o)
{
    TraceEvent ev;
    ev.seq = quint64(o.value(QLatin1String("seq")).toInteger());
    ev.tNs = qint64(o.value(QLatin1String("t")).toDouble() * 1e9 + 0.5);
    ev.type = internTraceType(o.value(QLatin1String("type")).toString().toUtf8());
    ev.scope.conn = quint32(o.value(QLatin1String("conn")).toInteger(0));
    ev.scope.req = quint32(o.value(QLatin1String("req")).toInteger(0));
    ev.scope.stream = int(o.value(QLatin1String("stream")).toInteger(-1));
    const QString dir = o.value(QLatin1String("dir")).toString();
    ev.dir = dir == QLatin1String("out")  ? Direction::Out
             : dir == QLatin1String("in") ? Direction::In
                                          : Direction::None;
    for (auto it = o.cbegin(); it != o.cend(); ++it) {
        const QString key = it.key().toString();
        if (!isCommonField(key))
            ev.fields.insert(key, it.value());
    }
    return ev;
}

} // namespace

bool readTraceFile(const QString &path, TraceBatch *events, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return false;
    }
    int lineNo = 0;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        ++lineNo;
        if (line.isEmpty())
            continue;
        OrderedJsonReader reader(line);
        QCborValue doc;
        const bool parsed = reader.readDocument(&doc);
        if (!parsed || !doc.isMap() || !doc.toMap().contains(QLatin1String("type"))) {
            *error = QStringLiteral("%1, line %2: not a trace event (%3)")
                         .arg(path)
                         .arg(lineNo)
                         .arg(!parsed ? reader.error() : QStringLiteral("no \"type\""));
            return false;
        }
        events->append(fromObject(doc.toMap()));
    }
    return true;
}

bool writeTraceFile(const QString &path, const TraceBatch &events, QString *error)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return false;
    }
    QByteArray buffer;
    for (const TraceEvent &ev : events) {
        buffer += JsonLinesWriter::toJson(ev);
        buffer += '\n';
        if (buffer.size() > (1 << 20)) {
            f.write(buffer);
            buffer.clear();
        }
    }
    f.write(buffer);
    if (!f.commit()) {
        *error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

} // namespace hopscope
