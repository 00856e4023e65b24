#include "writeout.h"

#include "core/exchange.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <functional>

namespace hopscope {

namespace {

QByteArray seconds(double s)
{
    return QByteArray::number(s, 'f', 6); // curl: seconds with six decimals
}

// Seconds from the request's start to `at`; 0 when `at` did not happen.
double since(qint64 start, qint64 at)
{
    if (start < 0 || at < 0 || at < start)
        return 0;
    return double(at - start) / 1e9;
}

QByteArray versionNumber(const Exchange &ex)
{
    if (ex.version.startsWith("HTTP/"))
        return ex.version.mid(5);
    if (ex.protocol == "h2")
        return "2";
    if (ex.status > 0)
        return "1.1";
    return "0";
}

struct Variable
{
    const char *name;
    std::function<QByteArray(const TransferInfo &)> text;
    bool number; // written unquoted in %{json}
};

const QList<Variable> &variableTable()
{
    using T = TransferInfo;
    static const QList<Variable> table{
        {"http_code",
         [](const T &t) { return QByteArray::number(t.httpCode).rightJustified(3, '0'); }, true},
        {"response_code",
         [](const T &t) { return QByteArray::number(t.httpCode).rightJustified(3, '0'); }, true},
        {"http_version", [](const T &t) { return t.httpVersion; }, false},
        {"time_namelookup", [](const T &t) { return seconds(t.timeNamelookup); }, true},
        {"time_connect", [](const T &t) { return seconds(t.timeConnect); }, true},
        {"time_appconnect", [](const T &t) { return seconds(t.timeAppconnect); }, true},
        {"time_pretransfer", [](const T &t) { return seconds(t.timePretransfer); }, true},
        {"time_starttransfer", [](const T &t) { return seconds(t.timeStarttransfer); }, true},
        {"time_total", [](const T &t) { return seconds(t.timeTotal); }, true},
        {"size_download", [](const T &t) { return QByteArray::number(t.sizeDownload); }, true},
        {"num_connects", [](const T &t) { return QByteArray::number(t.numConnects); }, true},
        {"remote_ip", [](const T &t) { return t.remoteIp.toUtf8(); }, false},
        {"remote_port",
         [](const T &t) {
             return t.remotePort > 0 ? QByteArray::number(t.remotePort) : QByteArray();
         },
         false},
        {"url", [](const T &t) { return t.url.toUtf8(); }, false},
        {"url_effective", [](const T &t) { return t.urlEffective.toUtf8(); }, false},
        {"num_redirects", [](const T &t) { return QByteArray::number(t.numRedirects); }, true},
        {"redirect_url", [](const T &t) { return t.redirectUrl.toUtf8(); }, false},
        {"time_redirect", [](const T &t) { return seconds(t.timeRedirect); }, true},
        {"method", [](const T &t) { return t.method; }, false},
        {"content_type", [](const T &t) { return t.contentType; }, false},
        {"exitcode", [](const T &t) { return QByteArray::number(t.exitCode); }, true},
        {"errormsg", [](const T &t) { return t.errorMessage.toUtf8(); }, false},
        // Hopscope's own.
        {"upgrade", [](const T &t) { return t.upgrade; }, false},
        {"stream_id",
         [](const T &t) { return t.streamId >= 0 ? QByteArray::number(t.streamId) : QByteArray(); },
         false},
    };
    return table;
}

const Variable *findVariable(QStringView name)
{
    for (const Variable &v : variableTable()) {
        if (name == QLatin1StringView(v.name))
            return &v;
    }
    return nullptr;
}

QByteArray json(const TransferInfo &info)
{
    QJsonObject o;
    for (const Variable &v : variableTable()) {
        const QByteArray text = v.text(info);
        const QString name = QString::fromLatin1(v.name);
        if (v.number)
            o.insert(name, text.contains('.') ? QJsonValue(text.toDouble())
                                              : QJsonValue(text.toLongLong()));
        else
            o.insert(name, QString::fromUtf8(text));
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// Walks the format; `onVariable` gets each %{name} (false stops with an error).
template<typename Text, typename Var>
bool walk(const QString &format, Text onText, Var onVariable, QString *error)
{
    for (qsizetype i = 0; i < format.size(); ++i) {
        const QChar c = format.at(i);
        if (c == u'%' && i + 1 < format.size() && format.at(i + 1) == u'%') {
            onText(QStringLiteral("%"));
            ++i;
        } else if (c == u'%' && i + 1 < format.size() && format.at(i + 1) == u'{') {
            const qsizetype close = format.indexOf(u'}', i + 2);
            if (close < 0) {
                if (error)
                    *error = QStringLiteral("-w: unterminated %{ in \"%1\"").arg(format);
                return false;
            }
            if (!onVariable(QStringView(format).sliced(i + 2, close - i - 2)))
                return false;
            i = close;
        } else if (c == u'\\' && i + 1 < format.size()) {
            const QChar n = format.at(i + 1);
            if (n == u'n')
                onText(QStringLiteral("\n"));
            else if (n == u'r')
                onText(QStringLiteral("\r"));
            else if (n == u't')
                onText(QStringLiteral("\t"));
            else if (n == u'\\')
                onText(QStringLiteral("\\"));
            else {
                onText(QString(c));
                continue; // not an escape: the backslash stays, the next character is read
            }
            ++i;
        } else {
            onText(QString(c));
        }
    }
    return true;
}

} // namespace

TransferInfo TransferInfo::of(const Exchange &ex)
{
    TransferInfo t;
    const ExchangeTimings &tm = ex.timings;
    const qint64 chainStart = ex.chain.hop > 0 ? ex.chain.firstStartNs : tm.start;
    t.url = ex.chain.hop > 0 ? ex.chain.firstUrl.toString() : ex.spec().url.toString();
    t.urlEffective = ex.spec().url.toString();
    t.redirectUrl = ex.nextHop ? QString() : ex.redirectUrl.toString();
    t.numRedirects = ex.chain.hop;
    t.timeRedirect = ex.chain.hop > 0 ? since(chainStart, tm.start) : 0;
    t.method = ex.spec().method;
    t.httpCode = ex.status;
    t.httpVersion = versionNumber(ex);
    t.contentType = headerValue(ex.responseHeaders, "Content-Type");
    t.timeNamelookup = since(tm.start, tm.dnsEnd);
    t.timeConnect = since(tm.start, tm.connectEnd);
    t.timeAppconnect = since(tm.start, tm.tlsEnd);
    t.timePretransfer = since(tm.start, tm.sendStart);
    t.timeStarttransfer = since(tm.start, tm.firstByte);
    t.timeTotal = since(chainStart, tm.end);
    t.sizeDownload = ex.wireBodyBytes();
    t.numConnects = tm.connectStart >= 0 ? 1 : 0;
    t.remoteIp = ex.remoteAddress;
    t.remotePort = ex.remoteAddress.isEmpty()
                       ? 0
                       : ex.spec().url.port(ex.spec().url.scheme() == u"https" ? 443 : 80);
    t.streamId = ex.stream;
    t.errorMessage = ex.error();
    return t;
}

QStringList WriteOut::variables()
{
    QStringList names;
    for (const Variable &v : variableTable())
        names.append(QString::fromLatin1(v.name));
    names.append(QStringLiteral("json"));
    return names;
}

bool WriteOut::validate(const QString &format, QString *error)
{
    return walk(
        format, [](const QString &) {},
        [&](QStringView name) {
            if (name == u"json" || findVariable(name))
                return true;
            *error = QStringLiteral("-w: unknown variable %{%1} (known: %2)")
                         .arg(name.toString(), variables().join(QStringLiteral(", ")));
            return false;
        },
        error);
}

QByteArray WriteOut::expand(const QString &format, const TransferInfo &info)
{
    QByteArray out;
    walk(
        format, [&](const QString &text) { out += text.toUtf8(); },
        [&](QStringView name) {
            if (name == u"json")
                out += json(info);
            else if (const Variable *v = findVariable(name))
                out += v->text(info);
            return true;
        },
        nullptr);
    return out;
}

} // namespace hopscope
