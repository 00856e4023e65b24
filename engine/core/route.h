#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QUrl>

#include <optional>

namespace hopscope {

// How a request reaches its origin, as curl's routing options say it (-x/--proxy, --noproxy,
// --proxy-user, the proxy environment variables, --resolve, --connect-to, -4, -6). The values
// live in RequestSpec::route, so the CLI and the GUI composer set them alike; planRoute() is the
// one place that turns them into where a connection goes (docs/architecture.md, "Where each
// decision lives").

enum class IpFamily { Any, V4, V6 }; // -4 / -6

// --resolve HOST:PORT:ADDR[,ADDR]...: these addresses instead of DNS for HOST on PORT.
struct ResolveOverride
{
    QString host; // lower-case, without brackets
    quint16 port = 0;
    QList<QHostAddress> addresses;
};

// --connect-to HOST1:PORT1:HOST2:PORT2: a connection to HOST1:PORT1 goes to HOST2:PORT2
// instead (the URL, Host, SNI and certificate check stay HOST1's). An empty HOST1 or PORT1
// matches any; an empty HOST2 or PORT2 keeps the original.
struct ConnectToRule
{
    QString host;       // "" = any
    quint16 port = 0;   // 0 = any
    QString toHost;     // "" = the same host
    quint16 toPort = 0; // 0 = the same port
};

// The proxy variables curl honours, as the CLI found them in its environment (empty: unset).
// The GUI leaves them empty: a window's requests go where its composer says.
struct ProxyEnvironment
{
    QString httpProxy;  // http_proxy (lower case only, as curl: HTTP_PROXY is ignored)
    QString httpsProxy; // https_proxy, else HTTPS_PROXY
    QString allProxy;   // all_proxy, else ALL_PROXY
    QString noProxy;    // no_proxy, else NO_PROXY
};

struct RouteOptions
{
    // -x/--proxy URL: http://, socks5:// or socks5h://; no scheme means http://, no port 1080
    // (curl's defaults). proxySet with an empty proxy is curl's `-x ""`: no proxy, not even one
    // from the environment.
    QString proxy;
    bool proxySet = false;
    QString proxyUser; // --proxy-user USER:PASSWORD (wins over the proxy URL's own)
    QString noProxy;   // --noproxy LIST (wins over NO_PROXY)
    bool noProxySet = false;
    ProxyEnvironment environment;
    QList<ResolveOverride> resolve;
    QList<ConnectToRule> connectTo;
    IpFamily family = IpFamily::Any;
    // An `Alt-Svc` alternative being followed (RFC 7838): the origin is reached at this host
    // (empty: the origin's) and port instead. Set by AltProtocols, never by a user; --connect-to
    // still applies to the origin when no alternative is followed.
    QString altSvcHost;
    quint16 altSvcPort = 0;
};

// The proxy a request uses, parsed.
struct ProxyEndpoint
{
    enum class Kind { Http, Socks5, Socks5h };
    Kind kind = Kind::Http;
    QString host;
    quint16 port = 1080;
    QString user, password;
    bool hasCredentials = false;
    QString source; // "-x", "http_proxy", "HTTPS_PROXY", …: where it came from, for the trace

    QString toString() const; // scheme://host:port, never the credentials
};

// Where one connection goes, decided once from the URL and RouteOptions.
struct RoutePlan
{
    QString originHost; // the URL's host (Host, SNI, certificate)
    quint16 originPort = 0;
    // The origin after --connect-to: what a tunnel asks for, or what TCP connects to directly.
    QString targetHost;
    quint16 targetPort = 0;
    bool connectToApplied = false;
    bool altSvcApplied = false; // the target is an Alt-Svc alternative
    std::optional<ProxyEndpoint> proxy;
    // Through an HTTP proxy: absolute-form requests on the proxy connection (http:// over
    // HTTP/1.1), or a CONNECT tunnel (https://, h2c prior knowledge, WebSocket and other
    // upgrades, which a forwarding proxy would not pass on).
    bool httpForward = false;
    bool tunnel = false; // CONNECT or SOCKS5: a handshake after TCP connects
    // What TCP connects to: the proxy, or the target.
    QString dialHost;
    quint16 dialPort = 0;
    IpFamily family = IpFamily::Any;

    bool dialsProxy() const { return proxy.has_value(); }
    // Why the connection goes where it goes, for the trace's `via` ("" when direct).
    QString via() const;
};

struct RequestSpec;

// The one decision: proxy or not (curl's precedence: -x, else the scheme's variable, else
// ALL_PROXY; --noproxy, else NO_PROXY, exempts a host from any of them), then --connect-to.
// A proxy URL that cannot be used gives an error message in *error.
RoutePlan planRoute(const RequestSpec &spec, QString *error = nullptr);
// What tells connections that route differently apart in the pool ("" when direct).
QString routeKey(const RequestSpec &spec);
// Whether an HTTP/1.1 request goes out in absolute-form to a forwarding proxy.
bool forwardsThroughHttpProxy(const RequestSpec &spec);

// The --resolve addresses for host:port, if any, filtered by family.
std::optional<QList<QHostAddress>> resolveOverride(const RouteOptions &route, const QString &host,
                                                   quint16 port);
// Only the addresses of this family (all for Any).
QList<QHostAddress> filterFamily(const QList<QHostAddress> &addresses, IpFamily family);

// curl's --noproxy / NO_PROXY list: comma- or space-separated host names (a name matches itself
// and its subdomains; a leading dot is ignored), IP addresses and CIDR ranges; "*" alone
// matches every host.
bool noProxyMatches(const QString &list, const QString &host);

// Parsers for the command-line forms; each returns an error message, empty when it parsed.
QString parseResolve(const QString &text, ResolveOverride *out);
QString parseConnectTo(const QString &text, ConnectToRule *out);
QString parseProxyUrl(const QString &text, ProxyEndpoint *out);

} // namespace hopscope
