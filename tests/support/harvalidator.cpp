#include "harvalidator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QSet>

#include <cmath>

using namespace Qt::StringLiterals;

namespace hopscope::test {

namespace {

enum class Type { String, Number, Integer, Bool, Object, Array };

const char *typeName(Type t)
{
    switch (t) {
    case Type::String:
        return "a string";
    case Type::Number:
        return "a number";
    case Type::Integer:
        return "an integer";
    case Type::Bool:
        return "a boolean";
    case Type::Object:
        return "an object";
    case Type::Array:
        return "an array";
    }
    return "";
}

bool hasType(const QJsonValue &v, Type t)
{
    switch (t) {
    case Type::String:
        return v.isString();
    case Type::Number:
        return v.isDouble();
    case Type::Integer:
        return v.isDouble() && v.toDouble() == std::floor(v.toDouble());
    case Type::Bool:
        return v.isBool();
    case Type::Object:
        return v.isObject();
    case Type::Array:
        return v.isArray();
    }
    return false;
}

struct Field
{
    const char *name;
    Type type;
    bool required;
};

class Validator
{
public:
    QStringList problems;

    void problem(const QString &path, const QString &what) { problems << path + u": "_s + what; }

    // Checks the listed fields and that every other field is a custom one ("_…").
    bool object(const QJsonValue &v, const QString &path, std::initializer_list<Field> fields)
    {
        if (!v.isObject()) {
            problem(path, QStringLiteral("must be an object"));
            return false;
        }
        const QJsonObject o = v.toObject();
        QSet<QString> known;
        for (const Field &f : fields) {
            const QString name = QString::fromLatin1(f.name);
            known.insert(name);
            if (!o.contains(name)) {
                if (f.required)
                    problem(path + u'.' + name, QStringLiteral("missing"));
                continue;
            }
            if (!hasType(o.value(name), f.type))
                problem(path + u'.' + name,
                        QStringLiteral("must be %1").arg(QString::fromLatin1(typeName(f.type))));
        }
        known.insert(QStringLiteral("comment"));
        if (o.contains(u"comment"_s) && !o.value(u"comment"_s).isString())
            problem(path + u".comment"_s, QStringLiteral("must be a string"));
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!known.contains(it.key()) && !it.key().startsWith(u'_'))
                problem(path + u'.' + it.key(),
                        QStringLiteral("not a HAR 1.2 field (custom fields start with _)"));
        }
        return true;
    }

    void nameValues(const QJsonValue &v, const QString &path)
    {
        if (!v.isArray())
            return; // the type was reported by object()
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i)
            object(a.at(i), path + QStringLiteral("[%1]").arg(i),
                   {{"name", Type::String, true}, {"value", Type::String, true}});
    }

    void cookies(const QJsonValue &v, const QString &path)
    {
        if (!v.isArray())
            return;
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i)
            object(a.at(i), path + QStringLiteral("[%1]").arg(i),
                   {{"name", Type::String, true},
                    {"value", Type::String, true},
                    {"path", Type::String, false},
                    {"domain", Type::String, false},
                    {"expires", Type::String, false},
                    {"httpOnly", Type::Bool, false},
                    {"secure", Type::Bool, false},
                    {"sameSite", Type::String, false}});
    }

    void size(const QJsonObject &o, const char *name, const QString &path)
    {
        const QJsonValue v = o.value(QLatin1String(name));
        if (hasType(v, Type::Integer) && v.toDouble() < -1)
            problem(path + u'.' + QLatin1String(name), QStringLiteral("must be -1 or >= 0"));
    }

    void dateTime(const QJsonValue &v, const QString &path)
    {
        static const QRegularExpression iso(QStringLiteral(
            "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:\\d\\d)$"));
        if (v.isString() && !iso.match(v.toString()).hasMatch())
            problem(path, QStringLiteral("\"%1\" is not an ISO 8601 date and time with an offset")
                              .arg(v.toString()));
    }

    void request(const QJsonValue &v, const QString &path)
    {
        if (!object(v, path,
                    {{"method", Type::String, true},
                     {"url", Type::String, true},
                     {"httpVersion", Type::String, true},
                     {"cookies", Type::Array, true},
                     {"headers", Type::Array, true},
                     {"queryString", Type::Array, true},
                     {"postData", Type::Object, false},
                     {"headersSize", Type::Integer, true},
                     {"bodySize", Type::Integer, true}}))
            return;
        const QJsonObject r = v.toObject();
        cookies(r.value(u"cookies"_s), path + u".cookies"_s);
        nameValues(r.value(u"headers"_s), path + u".headers"_s);
        nameValues(r.value(u"queryString"_s), path + u".queryString"_s);
        size(r, "headersSize", path);
        size(r, "bodySize", path);
        if (r.contains(u"postData"_s)) {
            const QString pp = path + u".postData"_s;
            object(r.value(u"postData"_s), pp,
                   {{"mimeType", Type::String, true},
                    {"params", Type::Array, false},
                    {"text", Type::String, false}});
            const QJsonArray params =
                r.value(u"postData"_s).toObject().value(u"params"_s).toArray();
            for (qsizetype i = 0; i < params.size(); ++i)
                object(params.at(i), pp + QStringLiteral(".params[%1]").arg(i),
                       {{"name", Type::String, true},
                        {"value", Type::String, false},
                        {"fileName", Type::String, false},
                        {"contentType", Type::String, false}});
        }
    }

    void response(const QJsonValue &v, const QString &path)
    {
        if (!object(v, path,
                    {{"status", Type::Integer, true},
                     {"statusText", Type::String, true},
                     {"httpVersion", Type::String, true},
                     {"cookies", Type::Array, true},
                     {"headers", Type::Array, true},
                     {"content", Type::Object, true},
                     {"redirectURL", Type::String, true},
                     {"headersSize", Type::Integer, true},
                     {"bodySize", Type::Integer, true}}))
            return;
        const QJsonObject r = v.toObject();
        cookies(r.value(u"cookies"_s), path + u".cookies"_s);
        nameValues(r.value(u"headers"_s), path + u".headers"_s);
        size(r, "headersSize", path);
        size(r, "bodySize", path);
        const QString cp = path + u".content"_s;
        if (object(r.value(u"content"_s), cp,
                   {{"size", Type::Integer, true},
                    {"compression", Type::Integer, false},
                    {"mimeType", Type::String, true},
                    {"text", Type::String, false},
                    {"encoding", Type::String, false}})) {
            const QJsonObject c = r.value(u"content"_s).toObject();
            if (c.value(u"size"_s).toDouble() < 0)
                problem(cp + u".size"_s, QStringLiteral("must be >= 0"));
            if (c.contains(u"encoding"_s)) {
                const QByteArray text = c.value(u"text"_s).toString().toLatin1();
                if (c.value(u"encoding"_s).toString() == u"base64"_s &&
                    !QByteArray::fromBase64Encoding(text, QByteArray::AbortOnBase64DecodingErrors))
                    problem(cp + u".text"_s, QStringLiteral("is not valid base64"));
            }
        }
    }

    void timings(const QJsonValue &v, const QString &path, const QJsonValue &time)
    {
        if (!object(v, path,
                    {{"blocked", Type::Number, false},
                     {"dns", Type::Number, false},
                     {"connect", Type::Number, false},
                     {"send", Type::Number, true},
                     {"wait", Type::Number, true},
                     {"receive", Type::Number, true},
                     {"ssl", Type::Number, false}}))
            return;
        const QJsonObject t = v.toObject();
        double sum = 0;
        for (const char *name : {"blocked", "dns", "connect", "send", "wait", "receive", "ssl"}) {
            const QJsonValue x = t.value(QLatin1String(name));
            if (!x.isDouble())
                continue;
            const double ms = x.toDouble();
            const bool optional = qstrcmp(name, "send") != 0 && qstrcmp(name, "wait") != 0 &&
                                  qstrcmp(name, "receive") != 0;
            if (ms < 0 && !(optional && ms == -1))
                problem(path + u'.' + QLatin1String(name),
                        optional ? QStringLiteral("%1: must be -1 or >= 0").arg(ms)
                                 : QStringLiteral("%1: must be >= 0").arg(ms));
            if (ms > 0 && qstrcmp(name, "ssl") != 0)
                sum += ms;
        }
        const double ssl = t.value(u"ssl"_s).toDouble(-1);
        const double connect = t.value(u"connect"_s).toDouble(-1);
        if (ssl > 0 && ssl > connect + 1e-6)
            problem(path + u".ssl"_s, QStringLiteral("%1 is not included in connect (%2), as HAR "
                                                     "1.2 requires")
                                          .arg(ssl)
                                          .arg(connect));
        if (time.isDouble() && std::abs(time.toDouble() - sum) > 0.01)
            problem(path, QStringLiteral("add up to %1 ms, but the entry's time is %2 ms")
                              .arg(sum)
                              .arg(time.toDouble()));
    }

    void webSocketMessages(const QJsonValue &v, const QString &path)
    {
        if (!v.isArray()) {
            problem(path, QStringLiteral("must be an array"));
            return;
        }
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            const QString mp = path + QStringLiteral("[%1]").arg(i);
            if (!object(a.at(i), mp,
                        {{"type", Type::String, true},
                         {"time", Type::Number, true},
                         {"opcode", Type::Integer, true},
                         {"data", Type::String, true}}))
                continue;
            const QJsonObject m = a.at(i).toObject();
            const QString type = m.value(u"type"_s).toString();
            if (type != u"send"_s && type != u"receive"_s)
                problem(mp + u".type"_s,
                        QStringLiteral("\"%1\" is neither send nor receive").arg(type));
        }
    }

    void entry(const QJsonValue &v, const QString &path)
    {
        if (!object(v, path,
                    {{"pageref", Type::String, false},
                     {"startedDateTime", Type::String, true},
                     {"time", Type::Number, true},
                     {"request", Type::Object, true},
                     {"response", Type::Object, true},
                     {"cache", Type::Object, true},
                     {"timings", Type::Object, true},
                     {"serverIPAddress", Type::String, false},
                     {"connection", Type::String, false}}))
            return;
        const QJsonObject e = v.toObject();
        dateTime(e.value(u"startedDateTime"_s), path + u".startedDateTime"_s);
        if (e.value(u"time"_s).toDouble() < 0)
            problem(path + u".time"_s, QStringLiteral("must be >= 0"));
        request(e.value(u"request"_s), path + u".request"_s);
        response(e.value(u"response"_s), path + u".response"_s);
        object(e.value(u"cache"_s), path + u".cache"_s,
               {{"beforeRequest", Type::Object, false}, {"afterRequest", Type::Object, false}});
        timings(e.value(u"timings"_s), path + u".timings"_s, e.value(u"time"_s));
        if (e.contains(u"_webSocketMessages"_s))
            webSocketMessages(e.value(u"_webSocketMessages"_s), path + u"._webSocketMessages"_s);
    }

    void document(const QJsonObject &doc)
    {
        if (!object(doc, QStringLiteral("(root)"), {{"log", Type::Object, true}}))
            return;
        const QJsonValue logValue = doc.value(u"log"_s);
        if (!object(logValue, QStringLiteral("log"),
                    {{"version", Type::String, true},
                     {"creator", Type::Object, true},
                     {"browser", Type::Object, false},
                     {"pages", Type::Array, false},
                     {"entries", Type::Array, true}}))
            return;
        const QJsonObject log = logValue.toObject();
        for (const char *who : {"creator", "browser"}) {
            if (log.contains(QLatin1String(who)))
                object(log.value(QLatin1String(who)), u"log."_s + QLatin1String(who),
                       {{"name", Type::String, true}, {"version", Type::String, true}});
        }
        const QJsonArray pages = log.value(u"pages"_s).toArray();
        for (qsizetype i = 0; i < pages.size(); ++i) {
            const QString pp = QStringLiteral("log.pages[%1]").arg(i);
            object(pages.at(i), pp,
                   {{"startedDateTime", Type::String, true},
                    {"id", Type::String, true},
                    {"title", Type::String, true},
                    {"pageTimings", Type::Object, true}});
            dateTime(pages.at(i).toObject().value(u"startedDateTime"_s),
                     pp + u".startedDateTime"_s);
        }
        const QJsonArray entries = log.value(u"entries"_s).toArray();
        for (qsizetype i = 0; i < entries.size(); ++i)
            entry(entries.at(i), QStringLiteral("log.entries[%1]").arg(i));
    }
};

} // namespace

QStringList validateHar(const QJsonObject &document)
{
    Validator v;
    v.document(document);
    return v.problems;
}

QStringList validateHar(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return {
            QStringLiteral("not JSON: %1 at offset %2").arg(error.errorString()).arg(error.offset)};
    if (!doc.isObject())
        return {QStringLiteral("(root): must be an object")};
    return validateHar(doc.object());
}

} // namespace hopscope::test
