#include "core/routewords.h"

#include "core/httpheader.h"
#include "core/requestspec.h"

namespace hopscope {

namespace {

QString bracketedHost(const QString &host)
{
    return host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
}

QString portWord(quint16 port)
{
    return port == 0 ? QString() : QString::number(port);
}

// curl's --cert splits FILE:PASSWORD at the first unescaped colon: a colon of the file name is
// written as "\:" so that the whole name survives.
QString certFileWord(const QString &file)
{
    QString out = file;
    return out.replace(QLatin1Char(':'), QLatin1String("\\:"));
}

QString unescapedCertFile(const QString &word)
{
    QString out = word;
    return out.replace(QLatin1String("\\:"), QLatin1String(":"));
}

QString resolveWord(const ResolveOverride &r)
{
    QStringList addresses;
    for (const QHostAddress &a : r.addresses)
        addresses << bracketedHost(a.toString());
    return QStringLiteral("%1:%2:%3")
        .arg(bracketedHost(r.host))
        .arg(r.port)
        .arg(addresses.join(QLatin1Char(',')));
}

QString connectToWord(const ConnectToRule &c)
{
    return QStringLiteral("%1:%2:%3:%4")
        .arg(bracketedHost(c.host), portWord(c.port), bracketedHost(c.toHost), portWord(c.toPort));
}

// The user of --proxy-user (or of the proxy URL's userinfo), with the password redacted.
QString proxyUserWord(const RequestSpec &spec, const ProxyEndpoint &proxy)
{
    QString user = proxy.user;
    if (!spec.route.proxyUser.isEmpty())
        user = spec.route.proxyUser.section(QLatin1Char(':'), 0, 0);
    else if (!proxy.hasCredentials)
        return {};
    return user + QLatin1Char(':') + kRedactedValue;
}

// The NO_PROXY list that belongs in the command: --noproxy as given, or the environment's
// when it is what kept this host off the proxy.
QString noProxyWord(const RequestSpec &spec, const RoutePlan &plan)
{
    if (spec.route.noProxySet)
        return spec.route.noProxy;
    const QString &env = spec.route.environment.noProxy;
    const bool envProxy = !spec.route.environment.httpProxy.isEmpty() ||
                          !spec.route.environment.httpsProxy.isEmpty() ||
                          !spec.route.environment.allProxy.isEmpty();
    if (!plan.proxy && envProxy && !env.isEmpty() && noProxyMatches(env, plan.originHost))
        return env;
    return {};
}

void appendProxyWords(const RequestSpec &spec, QStringList &out)
{
    const RoutePlan plan = planRoute(spec);
    if (plan.proxy) {
        out << QStringLiteral("-x") << plan.proxy->toString();
        if (const QString user = proxyUserWord(spec, *plan.proxy); !user.isEmpty())
            out << QStringLiteral("--proxy-user") << user;
    } else if (spec.route.proxySet && spec.route.proxy.trimmed().isEmpty()) {
        out << QStringLiteral("-x") << QString(); // curl's -x "": not even the environment's
    }
    if (const QString list = noProxyWord(spec, plan); !list.isEmpty())
        out << QStringLiteral("--noproxy") << list;
}

QString takeValue(const QStringList &words, qsizetype *i)
{
    return *i + 1 < words.size() ? words.at(++*i) : QString();
}

} // namespace

QStringList routeWords(const RequestSpec &spec)
{
    QStringList out;
    appendProxyWords(spec, out);
    for (const ResolveOverride &r : spec.route.resolve)
        out << QStringLiteral("--resolve") << resolveWord(r);
    for (const ConnectToRule &c : spec.route.connectTo)
        out << QStringLiteral("--connect-to") << connectToWord(c);
    if (spec.route.family == IpFamily::V4)
        out << QStringLiteral("-4");
    else if (spec.route.family == IpFamily::V6)
        out << QStringLiteral("-6");
    const TlsOptions &tls = spec.tls;
    if (!tls.certFile.isEmpty()) {
        out << QStringLiteral("--cert") << certFileWord(tls.certFile);
        if (!tls.certPassword.isEmpty())
            out << QStringLiteral("--pass") << kRedactedValue;
        if (!tls.keyFile.isEmpty())
            out << QStringLiteral("--key") << tls.keyFile;
    }
    if (!tls.keyLogFile.isEmpty())
        out << QStringLiteral("--keylog") << tls.keyLogFile;
    return out;
}

QString applyRouteWords(const QStringList &words, RequestSpec *spec)
{
    RequestSpec next = *spec;
    RouteOptions &route = next.route;
    for (qsizetype i = 0; i < words.size(); ++i) {
        const QString &flag = words.at(i);
        if (flag == u"-4" || flag == u"-6") {
            route.family = flag == u"-4" ? IpFamily::V4 : IpFamily::V6;
            continue;
        }
        if (i + 1 >= words.size())
            return QStringLiteral("route: %1 without its value").arg(flag);
        const QString value = takeValue(words, &i);
        if (flag == u"-x") {
            ProxyEndpoint endpoint;
            if (!value.isEmpty()) {
                if (const QString error = parseProxyUrl(value, &endpoint); !error.isEmpty())
                    return error;
            }
            route.proxy = value;
            route.proxySet = true;
        } else if (flag == u"--proxy-user") {
            // A redacted password is not the password: keep the user, the password is asked for.
            const QString user = value.section(QLatin1Char(':'), 0, 0);
            const QString password = value.section(QLatin1Char(':'), 1);
            route.proxyUser = password == kRedactedValue ? user : value;
        } else if (flag == u"--noproxy") {
            route.noProxy = value;
            route.noProxySet = true;
        } else if (flag == u"--resolve") {
            ResolveOverride r;
            if (const QString error = parseResolve(value, &r); !error.isEmpty())
                return error;
            route.resolve.append(r);
        } else if (flag == u"--connect-to") {
            ConnectToRule c;
            if (const QString error = parseConnectTo(value, &c); !error.isEmpty())
                return error;
            route.connectTo.append(c);
        } else if (flag == u"--cert") {
            next.tls.certFile = unescapedCertFile(value);
        } else if (flag == u"--pass") {
            next.tls.certPassword = value == kRedactedValue ? QString() : value;
        } else if (flag == u"--key") {
            next.tls.keyFile = value;
        } else if (flag == u"--keylog") {
            next.tls.keyLogFile = value;
        } else {
            return QStringLiteral("route: unknown option %1").arg(flag);
        }
    }
    *spec = next;
    return {};
}

} // namespace hopscope
