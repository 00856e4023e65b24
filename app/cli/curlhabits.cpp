#include "curlhabits.h"

#include "clioptions.h"
#include "writeout.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>

namespace hopscope {

namespace {

// A header from a curl option, unless -H already set it (curl: -H wins).
void addHeader(RequestSpec &spec, const QByteArray &name, const QByteArray &value)
{
    if (!hasHeader(spec.headers, name))
        spec.headers.append(HttpHeader{name, value});
}

bool readFile(const QString &path, QByteArray *data, QString *error)
{
    QFile f;
    const bool ok = path == u"-" ? f.open(stdin, QIODevice::ReadOnly)
                                 : (f.setFileName(path), f.open(QIODevice::ReadOnly));
    if (!ok) {
        *error = f.errorString();
        return false;
    }
    *data = f.readAll();
    return true;
}

} // namespace

CurlHabits::CurlHabits(QCommandLineParser &parser)
{
    parser.addOptions({include, head, silent, showError, fail, writeOut, user, userAgent, referer,
                       cookie, cookieJar, get, dataRaw, maxTime, speedLimit, speedTime, location,
                       maxRedirs, locationTrusted});
}

QString CurlHabits::applyToRequest(const QCommandLineParser &p, RequestSpec &base) const
{
    if (p.isSet(user)) {
        const QString credentials = p.value(user);
        if (!credentials.contains(QLatin1Char(':')))
            return QStringLiteral("-u %1: USER:PASSWORD expected (hopscope-cli does not ask "
                                  "for a password)")
                .arg(credentials);
        addHeader(base, "Authorization", "Basic " + credentials.toUtf8().toBase64());
    }
    if (p.isSet(userAgent))
        addHeader(base, "User-Agent", p.value(userAgent).toUtf8());
    if (p.isSet(referer))
        addHeader(base, "Referer", p.value(referer).toUtf8());
    if (p.isSet(head))
        base.method = "HEAD"; // -X, read later, still wins
    if (p.isSet(maxTime)) {
        bool ok = false;
        const double s = p.value(maxTime).toDouble(&ok);
        if (!ok || s < 0)
            return QStringLiteral("-m/--max-time: not a number of seconds");
        base.timeouts.totalMs = int(s * 1000);
    }
    if (p.isSet(speedLimit)) {
        bool ok = false;
        const qint64 bytes = p.value(speedLimit).toLongLong(&ok);
        if (!ok || bytes < 0)
            return QStringLiteral("-Y/--speed-limit: a number of bytes per second expected");
        base.limits.lowSpeedLimit = bytes;
    }
    if (p.isSet(speedTime)) {
        bool ok = false;
        const int s = p.value(speedTime).toInt(&ok);
        if (!ok || s < 0)
            return QStringLiteral("-y/--speed-time: a whole number of seconds expected");
        base.limits.lowSpeedTime = s;
        if (!p.isSet(speedLimit))
            base.limits.lowSpeedLimit = 1; // curl: -y alone means at least 1 byte per second
    }
    base.redirects.follow = p.isSet(location) || p.isSet(locationTrusted);
    base.redirects.trusted = p.isSet(locationTrusted);
    if (p.isSet(maxRedirs)) {
        bool ok = false;
        const int n = p.value(maxRedirs).toInt(&ok);
        if (!ok || n < -1)
            return QStringLiteral("--max-redirs: a number of redirects expected (-1: unlimited)");
        base.redirects.maxRedirects = n;
    }
    return {};
}

QString CurlHabits::applyToRun(const QCommandLineParser &p, CliOptions &opts) const
{
    opts.includeHead = p.isSet(include) || p.isSet(head);
    opts.silent = p.isSet(silent);
    opts.showError = p.isSet(showError);
    opts.failOnHttpError = p.isSet(fail);
    if (p.isSet(writeOut)) {
        QString format = p.value(writeOut);
        if (format.startsWith(QLatin1Char('@'))) {
            QByteArray text;
            QString error;
            if (!readFile(format.mid(1), &text, &error))
                return QStringLiteral("-w %1: %2").arg(format, error);
            format = QString::fromUtf8(text);
        }
        QString error;
        if (!WriteOut::validate(format, &error))
            return error;
        opts.writeOut = format;
    }
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    CookieJar loaded;
    bool fileGiven = false; // as curl: cookie data alone does not turn the engine on
    for (const QString &c : p.values(cookie)) {
        // curl's rule: with a '=' it is cookie data, otherwise a file name. A file that does
        // not exist only turns the engine on (curl -b "" or -b new.txt -c new.txt).
        if (c.contains(QLatin1Char('='))) {
            if (!opts.cookieLiteral.isEmpty())
                opts.cookieLiteral += "; ";
            opts.cookieLiteral += c.trimmed().toUtf8();
            continue;
        }
        fileGiven = true;
        if (c.isEmpty() || !QFile::exists(c))
            continue;
        QByteArray text;
        QString error;
        if (!readFile(c, &text, &error))
            return QStringLiteral("-b %1: %2").arg(c, error);
        loaded.addAll(CookieJar::parseNetscape(text), now);
    }
    opts.cookiesLoaded = loaded.cookies();
    opts.cookieJar = p.value(cookieJar);
    opts.cookieEngine = fileGiven || p.isSet(cookieJar);
    return {};
}

} // namespace hopscope
