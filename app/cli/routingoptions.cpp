#include "routingoptions.h"

#include "core/requestspec.h"
#include "core/route.h"

#include <QCommandLineParser>

namespace hopscope {

namespace {

// curl reads the lower-case name first, then the upper-case one, except for http_proxy: its
// upper-case form is ignored (a CGI program would otherwise take a request's "Proxy:" header
// as its proxy, "httpoxy").
QString variable(const QProcessEnvironment &env, const QString &lower, bool upperToo = true)
{
    const QString value = env.value(lower);
    if (!value.isEmpty() || !upperToo)
        return value;
    return env.value(lower.toUpper());
}

} // namespace

RoutingOptions::RoutingOptions(QCommandLineParser &parser)
{
    parser.addOptions({proxy, proxyUser, noProxy, resolve, connectTo, ipv4, ipv6});
}

QString RoutingOptions::applyToRequest(const QCommandLineParser &p, const QProcessEnvironment &env,
                                       RequestSpec &base) const
{
    RouteOptions &route = base.route;
    route.environment.httpProxy = variable(env, QStringLiteral("http_proxy"), false);
    route.environment.httpsProxy = variable(env, QStringLiteral("https_proxy"));
    route.environment.allProxy = variable(env, QStringLiteral("all_proxy"));
    route.environment.noProxy = variable(env, QStringLiteral("no_proxy"));
    if (p.isSet(proxy)) {
        route.proxySet = true;
        route.proxy = p.value(proxy).trimmed();
        ProxyEndpoint endpoint;
        if (!route.proxy.isEmpty()) {
            if (QString error = parseProxyUrl(route.proxy, &endpoint); !error.isEmpty())
                return QStringLiteral("-x: %1").arg(error);
        }
    }
    if (p.isSet(proxyUser)) {
        route.proxyUser = p.value(proxyUser);
        if (!route.proxyUser.contains(QLatin1Char(':')))
            return QStringLiteral("--proxy-user %1: USER:PASSWORD expected (hopscope-cli does "
                                  "not ask for a password)")
                .arg(route.proxyUser);
    }
    if (p.isSet(noProxy)) {
        route.noProxySet = true;
        route.noProxy = p.value(noProxy);
    }
    for (const QString &r : p.values(resolve)) {
        ResolveOverride entry;
        if (QString error = parseResolve(r, &entry); !error.isEmpty())
            return error;
        route.resolve.append(entry);
    }
    for (const QString &c : p.values(connectTo)) {
        ConnectToRule rule;
        if (QString error = parseConnectTo(c, &rule); !error.isEmpty())
            return error;
        route.connectTo.append(rule);
    }
    if (p.isSet(ipv4) && p.isSet(ipv6))
        return QStringLiteral("-4 and -6 exclude each other");
    if (p.isSet(ipv4))
        route.family = IpFamily::V4;
    if (p.isSet(ipv6))
        route.family = IpFamily::V6;
    return {};
}

} // namespace hopscope
