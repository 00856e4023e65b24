#pragma once

#include <QCommandLineOption>
#include <QProcessEnvironment>
#include <QString>

class QCommandLineParser;

namespace hopscope {

struct RequestSpec;

// curl's routing options (issue 13, "Routing"): -x/--proxy, --proxy-user, --noproxy, the proxy
// environment variables, --resolve, --connect-to, -4 and -6. They only fill
// RequestSpec::route; which proxy wins and where a connection goes is decided in the engine
// (core/route.h, planRoute), the same for the GUI's composer.
class RoutingOptions
{
public:
    explicit RoutingOptions(QCommandLineParser &parser);

    // After parsing: the route every URL starts from. The environment is a parameter so that
    // tests choose it. Returns a usage error, or an empty string.
    QString applyToRequest(const QCommandLineParser &parser, const QProcessEnvironment &env,
                           RequestSpec &base) const;

    const QCommandLineOption proxy{
        {QStringLiteral("x"), QStringLiteral("proxy")},
        QStringLiteral("Go through this proxy: http://HOST[:PORT] (absolute-form requests for "
                       "http://, CONNECT tunnels for https://, h2c prior knowledge and "
                       "upgrades), socks5:// (names resolved here) or socks5h:// (resolved by "
                       "the proxy); default port 1080; \"\" for none. Wins over http_proxy, "
                       "HTTPS_PROXY and ALL_PROXY."),
        QStringLiteral("URL")};
    const QCommandLineOption proxyUser{
        {QStringLiteral("U"), QStringLiteral("proxy-user")},
        QStringLiteral("Credentials for the proxy: Basic for an HTTP proxy, RFC 1929 for "
                       "SOCKS5."),
        QStringLiteral("USER:PASSWORD")};
    const QCommandLineOption noProxy{
        QStringLiteral("noproxy"),
        QStringLiteral("Hosts reached without a proxy: names (with their subdomains), "
                       "addresses, CIDR ranges, comma-separated; * for all. Wins over "
                       "NO_PROXY."),
        QStringLiteral("LIST")};
    const QCommandLineOption resolve{
        QStringLiteral("resolve"),
        QStringLiteral("Use ADDRESS for HOST on PORT instead of DNS; more addresses "
                       "comma-separated (repeatable)."),
        QStringLiteral("HOST:PORT:ADDRESS")};
    const QCommandLineOption connectTo{
        QStringLiteral("connect-to"),
        QStringLiteral("Connect to HOST2:PORT2 when the URL says HOST1:PORT1 (empty parts "
                       "match any or keep the original; repeatable, the first match wins)."),
        QStringLiteral("HOST1:PORT1:HOST2:PORT2")};
    const QCommandLineOption ipv4{{QStringLiteral("4"), QStringLiteral("ipv4")},
                                  QStringLiteral("Connect over IPv4 addresses only.")};
    const QCommandLineOption ipv6{{QStringLiteral("6"), QStringLiteral("ipv6")},
                                  QStringLiteral("Connect over IPv6 addresses only.")};
};

} // namespace hopscope
