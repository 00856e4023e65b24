#include "trace/tracefile.h"

#include "trace/jsonlineswriter.h"

#include <QFile>
#include <QSaveFile>
#include <QSemaphore>
#include <QThread>
#include <QThreadPool>

#include <algorithm>
#include <cstring>
#include <vector>

namespace hopscope {

namespace {

// Nesting a trace never needs; a hostile line must not recurse the reader off the stack.
constexpr int kMaxDepth = 64;

// Reads one JSON-lines event straight into the compact trace, in document order (QJsonDocument
// sorts object keys, and a trace's field order, nested `timings` included, is what it shows).
// Two passes over the line: the first checks it and reads the common fields (seq, t, type,
// conn, req, stream, dir: the record, which must exist before the fields are written, and may
// come anywhere on the line); the second writes the event's own fields. No map, no QString per
// value; a line that fails leaves nothing behind.
class LineReader
{
public:
    explicit LineReader(QByteArrayView line) : m_s(line) {}

    // Pass 1. false: not JSON, or not an object with a "type" (error()).
    bool readHead(TraceRecord *head, QByteArray *otherType)
    {
        skipSpace();
        if (m_pos >= m_s.size() || m_s[m_pos] != '{') {
            // Not an object: say why it is not JSON, else that it is no event.
            if (value(nullptr, nullptr, 0))
                atEnd() ? noType() : void(fail("unexpected text after the value"));
            return false;
        }
        ++m_pos;
        bool hasType = false;
        if (!take('}')) {
            do {
                QByteArrayView key;
                if (!readKey(&key))
                    return false;
                const Common which = common(key);
                hasType = hasType || which == Common::Type;
                if (!(which == Common::None ? value(nullptr, nullptr, 1)
                                            : readCommon(which, head, otherType)))
                    return false;
            } while (take(','));
            if (!take('}')) {
                fail("expected '}'");
                return false;
            }
        }
        if (!atEnd()) {
            fail("unexpected text after the object");
            return false;
        }
        if (!hasType)
            noType();
        return hasType;
    }

    // Pass 2, over a line readHead() accepted: every field but the common ones.
    void writeFields(FieldWriter &w)
    {
        m_pos = 0;
        take('{');
        if (take('}'))
            return;
        do {
            QByteArrayView key;
            readKey(&key);
            Field f;
            if (common(key) != Common::None || !fieldFromName(key, &f))
                value(nullptr, nullptr, 1); // skipped; a full string table drops invented keys
            else
                value(&w, &f, 1);
        } while (take(','));
    }

    QString error() const { return m_error; }

private:
    enum class Common { None, Seq, T, Type, Conn, Req, Stream, Dir };
    static Common common(QByteArrayView key)
    {
        if (key.size() > 6)
            return Common::None; // the usual case: an event's own field
        return key == "seq"      ? Common::Seq
               : key == "t"      ? Common::T
               : key == "type"   ? Common::Type
               : key == "conn"   ? Common::Conn
               : key == "req"    ? Common::Req
               : key == "stream" ? Common::Stream
               : key == "dir"    ? Common::Dir
                                 : Common::None;
    }

    // A common field into the record. false: a bad value.
    bool readCommon(Common which, TraceRecord *head, QByteArray *otherType)
    {
        skipSpace();
        QByteArrayView text;
        Number n;
        if (m_pos < m_s.size() && m_s[m_pos] == '"') {
            if (!string(&text))
                return false;
        } else if (m_pos < m_s.size() && (m_s[m_pos] == '-' || isDigit(m_s[m_pos]))) {
            if (!number(&n))
                return false;
        } else if (!value(nullptr, nullptr, 1)) {
            return false;
        }
        const auto integer = [&](qint64 fallback) {
            return n.valid ? (n.isDouble ? saturatingInt64(n.d) : n.i) : fallback;
        };
        switch (which) {
        case Common::Seq:
            // The writer's seq is unsigned and the reader's integers stop at 2^63 - 1: a
            // negative seq would wrap to a number that cannot be read back.
            if (integer(0) < 0)
                return fail("a negative \"seq\"");
            head->seq = quint64(integer(0));
            break;
        case Common::T:
            head->tNs = saturatingInt64((n.isDouble ? n.d : double(n.i)) * 1e9 + 0.5);
            break;
        case Common::Type:
            head->type = eventTypeFromName(text);
            if (head->type == EventType::Other)
                *otherType = text.toByteArray();
            break;
        case Common::Conn:
            head->scope.conn = quint32(integer(0));
            break;
        case Common::Req:
            head->scope.req = quint32(integer(0));
            break;
        case Common::Stream:
            head->scope.stream = qint32(integer(-1));
            break;
        case Common::Dir:
            head->dir = text == "out"  ? Direction::Out
                        : text == "in" ? Direction::In
                                       : Direction::None;
            break;
        case Common::None:
            break;
        }
        return true;
    }

    struct Number
    {
        bool valid = false;
        bool isDouble = false;
        qint64 i = 0;
        double d = 0;
    };

    static bool isDigit(char c) { return c >= '0' && c <= '9'; }

    void noType() { m_error = QStringLiteral("no \"type\""); }
    bool fail(const char *what)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("%1 at column %2").arg(QLatin1String(what)).arg(m_pos + 1);
        return false;
    }
    void skipSpace()
    {
        while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' ||
                                      m_s[m_pos] == '\r' || m_s[m_pos] == '\n'))
            ++m_pos;
    }
    bool atEnd()
    {
        skipSpace();
        return m_pos == m_s.size();
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
    bool readKey(QByteArrayView *key)
    {
        skipSpace();
        if (m_pos >= m_s.size() || m_s[m_pos] != '"' || !string(key))
            return fail("expected a key");
        if (!take(':'))
            return fail("expected ':'");
        return true;
    }

    // One value; written to w (under *key in a map, as an element when key is null), or only
    // checked when w is null.
    bool value(FieldWriter *w, const Field *key, int depth)
    {
        skipSpace();
        if (m_pos >= m_s.size())
            return fail("unexpected end");
        const char c = m_s[m_pos];
        if (c == '{' || c == '[') {
            if (depth >= kMaxDepth)
                return fail("nested too deeply");
            ++m_pos;
            if (w)
                c == '{' ? (key ? w->beginMap(*key) : w->beginMap())
                         : (key ? w->beginArray(*key) : w->beginArray());
            const bool ok = c == '{' ? members(w, depth + 1) : elements(w, depth + 1);
            if (w)
                w->end();
            return ok;
        }
        if (c == '"') {
            QByteArrayView text;
            if (!string(&text))
                return false;
            if (w)
                key ? w->utf8(*key, text) : w->utf8(text);
            return true;
        }
        if (takeWord("true") || takeWord("false")) {
            const bool b = c == 't';
            if (w)
                key ? w->boolean(*key, b) : w->value(QCborValue(b));
            return true;
        }
        if (takeWord("null")) {
            if (w)
                key ? w->null(*key) : w->value(QCborValue(nullptr));
            return true;
        }
        Number n;
        if (!number(&n))
            return false;
        if (w) {
            if (!n.isDouble)
                key ? w->integer(*key, n.i) : w->integer(n.i);
            else
                key ? w->real(*key, n.d) : w->value(QCborValue(n.d));
        }
        return true;
    }

    bool members(FieldWriter *w, int depth)
    {
        if (take('}'))
            return true;
        do {
            QByteArrayView name;
            if (!readKey(&name))
                return false;
            Field f;
            const bool keep = w && fieldFromName(name, &f);
            if (!value(keep ? w : nullptr, &f, depth))
                return false;
        } while (take(','));
        return take('}') || fail("expected '}'");
    }

    bool elements(FieldWriter *w, int depth)
    {
        if (take(']'))
            return true;
        do {
            if (!value(w, nullptr, depth))
                return false;
        } while (take(','));
        return take(']') || fail("expected ']'");
    }

    static int hexDigit(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }
    bool hex4(char16_t *unit)
    {
        if (m_pos + 4 > m_s.size())
            return false;
        int v = 0;
        for (int i = 0; i < 4; ++i) {
            const int d = hexDigit(m_s[m_pos + i]);
            if (d < 0)
                return false;
            v = v * 16 + d;
        }
        m_pos += 4;
        *unit = char16_t(v);
        return true;
    }

    // A string's UTF-8: a view of the line when it has no escapes (the usual case), else of a
    // buffer that the next string reuses.
    bool string(QByteArrayView *out)
    {
        ++m_pos; // opening quote
        const qsizetype start = m_pos;
        while (m_pos < m_s.size() && m_s[m_pos] != '"' && m_s[m_pos] != '\\')
            ++m_pos;
        if (m_pos >= m_s.size())
            return fail("unterminated string");
        if (m_s[m_pos] == '"') {
            *out = checked(m_s.sliced(start, m_pos - start));
            ++m_pos;
            return true;
        }
        m_buf.resize(0);
        m_buf.append(m_s.data() + start, m_pos - start);
        while (m_pos < m_s.size()) {
            const char c = m_s[m_pos++];
            if (c == '"') {
                *out = checked(m_buf);
                return true;
            }
            if (c != '\\') {
                m_buf += c;
                continue;
            }
            if (m_pos >= m_s.size())
                break;
            const char e = m_s[m_pos++];
            switch (e) {
            case 'n':
                m_buf += '\n';
                break;
            case 't':
                m_buf += '\t';
                break;
            case 'r':
                m_buf += '\r';
                break;
            case 'b':
                m_buf += '\b';
                break;
            case 'f':
                m_buf += '\f';
                break;
            case 'u': {
                char16_t units[2] = {0, 0};
                int count = 0;
                for (; count < 2; ++count) {
                    if (!hex4(&units[count]))
                        break;
                    // A high surrogate is followed by \uDCxx, its other half.
                    if (!QChar::isHighSurrogate(units[count]) || !takeWord("\\u"))
                        break;
                }
                m_buf += QStringView(units, qMin(count + 1, 2)).toUtf8();
                break;
            }
            default:
                m_buf += e;
                break; // \" \\ \/
            }
        }
        return fail("unterminated string");
    }

    // Text is kept as UTF-8; bytes that are not (a hand-edited file) become U+FFFD, as a
    // QString would have them.
    QByteArrayView checked(QByteArrayView utf8)
    {
        if (utf8.isValidUtf8())
            return utf8;
        m_fixed = QString::fromUtf8(utf8).toUtf8();
        return m_fixed;
    }

    bool number(Number *n)
    {
        const qsizetype start = m_pos;
        bool isDouble = false;
        while (m_pos < m_s.size()) {
            const char c = m_s[m_pos];
            if (c == '.' || c == 'e' || c == 'E')
                isDouble = true;
            else if (!(c == '-' || c == '+' || isDigit(c)))
                break;
            ++m_pos;
        }
        const QByteArrayView digits = m_s.sliced(start, m_pos - start);
        bool ok = false;
        if (!isDouble) {
            n->i = digits.toLongLong(&ok);
            if (ok) {
                n->valid = true;
                return true;
            }
        }
        n->d = digits.toDouble(&ok);
        n->isDouble = true;
        n->valid = ok;
        return ok || fail("bad value");
    }

    QByteArrayView m_s;
    qsizetype m_pos = 0;
    QByteArray m_buf;
    QByteArray m_fixed;
    QString m_error;
};

// What one share of the file became.
struct Part
{
    TraceBatch events;
    int lines = 0; // lines read, a failing one included
    QString error; // the failing line's reader error; empty when every line was an event
};

qsizetype countLines(QByteArrayView text)
{
    qsizetype n = 1;
    if (text.isEmpty())
        return n; // an empty file's view has no data pointer, and memchr must not see null
    for (const char *p = text.data(), *end = p + text.size();
         (p = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)))); ++p)
        ++n;
    return n;
}

// Reads whole lines up to the first that is not an event.
void readLines(QByteArrayView text, Part *part)
{
    part->events.reserve(countLines(text), text.size() / 2);
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    for (qsizetype pos = 0; pos < text.size();) {
        qsizetype end = text.indexOf('\n', pos);
        if (end < 0)
            end = text.size();
        QByteArrayView line = text.sliced(pos, end - pos);
        pos = end + 1;
        ++part->lines;
        while (!line.isEmpty() && isSpace(line.front()))
            line = line.sliced(1);
        while (!line.isEmpty() && isSpace(line.back()))
            line.chop(1);
        if (line.isEmpty())
            continue;
        LineReader reader(line);
        TraceRecord head;
        QByteArray otherType;
        if (!reader.readHead(&head, &otherType)) {
            part->error = reader.error();
            return;
        }
        FieldWriter w = part->events.append(head);
        if (head.type == EventType::Other)
            w.atom(Field::TypeName, otherType); // first: the writer turns it back into "type"
        reader.writeFields(w);
    }
}

} // namespace

bool readTraceFile(const QString &path, TraceBatch *events, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return false;
    }
    // The whole file at once, mapped when it can be: lines are views, never copies.
    QByteArray contents;
    QByteArrayView all;
    if (const qint64 size = f.size(); size > 0) {
        if (uchar *mapped = f.map(0, size))
            all = QByteArrayView(reinterpret_cast<const char *>(mapped), size);
    }
    if (all.isNull() && f.size() > 0) {
        contents = f.readAll();
        all = contents;
    }
    return readTraceData(all, path, events, error);
}

bool readTraceData(QByteArrayView all, const QString &path, TraceBatch *events, QString *error)
{

    // A big file is read in shares on the global thread pool (split at line ends; the calling
    // thread reads the first), then joined in order: a million events in about a second.
    constexpr qsizetype kParallelFrom = 8 << 20;
    QThreadPool *pool = QThreadPool::globalInstance();
    const int shares = all.size() < kParallelFrom
                           ? 1
                           : std::min(QThread::idealThreadCount(), pool->maxThreadCount() + 1);
    std::vector<Part> parts(size_t(std::max(shares, 1)));
    std::vector<QByteArrayView> texts;
    for (qsizetype from = 0, s = 1; s <= qsizetype(parts.size()); ++s) {
        qsizetype to = all.size();
        if (s < qsizetype(parts.size())) {
            to = all.indexOf('\n', std::max(from, all.size() * s / qsizetype(parts.size())));
            to = to < 0 ? all.size() : to + 1;
        }
        texts.push_back(all.sliced(from, to - from));
        from = to;
    }
    QSemaphore done;
    for (size_t s = 1; s < parts.size(); ++s) {
        pool->start([&, s] {
            readLines(texts[s], &parts[s]);
            done.release();
        });
    }
    readLines(texts[0], &parts[0]);
    done.acquire(int(parts.size()) - 1);

    qsizetype records = events->size(), bytes = events->arena().size();
    for (const Part &p : parts) {
        records += p.events.size();
        bytes += p.events.arena().size();
    }
    int lines = 0;
    for (Part &p : parts) {
        if (events->isEmpty()) {
            *events = p.events;
            events->reserve(records, bytes); // one exact copy; the shares' slack goes with them
        } else {
            events->append(p.events);
        }
        p.events.clear();
        lines += p.lines;
        if (!p.error.isEmpty()) {
            *error = QStringLiteral("%1, line %2: not a trace event (%3)")
                         .arg(path)
                         .arg(lines)
                         .arg(p.error);
            return false;
        }
    }
    return true;
}

namespace {

template<typename Events>
bool writeEvents(const QString &path, const Events &events, QString *error)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return false;
    }
    QByteArray buffer;
    buffer.reserve((1 << 20) + 4096);
    for (const TraceEvent ev : events) {
        JsonLinesWriter::appendJson(buffer, ev);
        buffer += '\n';
        if (buffer.size() > (1 << 20)) {
            f.write(buffer);
            buffer.resize(0);
        }
    }
    f.write(buffer);
    if (!f.commit()) {
        *error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

} // namespace

bool writeTraceFile(const QString &path, const TraceBatch &events, QString *error)
{
    return writeEvents(path, events, error);
}

bool writeTraceFile(const QString &path, const TraceLog &events, QString *error)
{
    return writeEvents(path, events, error);
}

} // namespace hopscope
