#include "core/route.h"

#include "core/origin.h"
#include "core/requestspec.h"

#include <QRegularExpression>

namespace hopscope {

namespace {

QString bracketed(const QString &host)
{
    return host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
}

// Splits at ':' outside [...], so "[::1]:443" is two parts.
QStringList splitColons(const QString &text)
{
    QStringList parts;
    QString current;
    bool inBrackets = false;
    for (const QChar c : text) {
        if (c == QLatin1Char('['))
            inBrackets = true;
        else if (c == QLatin1Char(']'))
            inBrackets = false;
        if (c == QLatin1Char(':') && !inBrackets) {
            parts.append(current);
            current.clear();
        } else {
            current.append(c);
        }
    }
    parts.append(current);
    return parts;
}

QString unbracketed(QString host)
{
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    return host.toLower();
}

// A port 1..65535, or (allowEmpty) "" as 0.
bool parsePort(const QString &text, bool allowEmpty, quint16 *port)
{
    if (text.isEmpty()) {
        *port = 0;
        return allowEmpty;
    }
    bool ok = false;
    const uint n = text.toUInt(&ok);
    if (!ok || n < 1 || n > 65535)
        return false;
    *port = quint16(n);
    return true;
}

// Whether this request may not go through a forwarding proxy: TLS, HTTP/2 by prior knowledge
// and every Upgrade (a hop-by-hop header a forwarding proxy drops) need a tunnel.
bool needsTunnel(const RequestSpec &spec)
{
    return Origin::fromUrl(spec.url).isTls() || spec.protocol == ProtocolPolicy::H2cPrior ||
           !spec.upgradeToken().isEmpty();
}

// curl's choice of proxy: -x, else the scheme's variable, else ALL_PROXY; "" when none.
QString chosenProxy(const RouteOptions &r, const QString &scheme, QString *source)
{
    if (r.proxySet) {
        *source = QStringLiteral("-x");
        return r.proxy;
    }
    const ProxyEnvironment &env = r.environment;
    if (scheme == u"https" && !env.httpsProxy.isEmpty()) {
        *source = QStringLiteral("https_proxy");
        return env.httpsProxy;
    }
    if (scheme == u"http" && !env.httpProxy.isEmpty()) {
        *source = QStringLiteral("http_proxy");
        return env.httpProxy;
    }
    *source = QStringLiteral("all_proxy");
    return env.allProxy;
}

} // namespace

QString ProxyEndpoint::toString() const
{
    const char *scheme = kind == Kind::Http ? "http" : kind == Kind::Socks5 ? "socks5" : "socks5h";
    return QStringLiteral("%1://%2:%3").arg(QLatin1String(scheme), bracketed(host)).arg(port);
}

QString RoutePlan::via() const
{
    QStringList why;
    if (proxy) {
        why << QStringLiteral("proxy %1 (from %2)").arg(proxy->toString(), proxy->source);
        if (tunnel)
            why << QStringLiteral("tunnel to %1:%2").arg(bracketed(targetHost)).arg(targetPort);
    }
    if (altSvcApplied) {
        why << QStringLiteral("Alt-Svc %1:%2 → %3:%4")
                   .arg(bracketed(originHost))
                   .arg(originPort)
                   .arg(bracketed(targetHost))
                   .arg(targetPort);
    }
    if (connectToApplied) {
        why << QStringLiteral("--connect-to %1:%2 → %3:%4")
                   .arg(bracketed(originHost))
                   .arg(originPort)
                   .arg(bracketed(targetHost))
                   .arg(targetPort);
    }
    return why.join(QStringLiteral(", "));
}

QString parseProxyUrl(const QString &text, ProxyEndpoint *out)
{
    QString t = text.trimmed();
    if (!t.contains(QStringLiteral("://")))
        t.prepend(QStringLiteral("http://")); // curl: no scheme means an HTTP proxy
    const QUrl url(t, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty())
        return QStringLiteral("proxy \"%1\": not a URL with a host").arg(text);
    ProxyEndpoint p;
    if (scheme == u"http")
        p.kind = ProxyEndpoint::Kind::Http;
    else if (scheme == u"socks5")
        p.kind = ProxyEndpoint::Kind::Socks5;
    else if (scheme == u"socks5h")
        p.kind = ProxyEndpoint::Kind::Socks5h;
    else
        return QStringLiteral("proxy \"%1\": unsupported scheme \"%2\" (http://, socks5:// or "
                              "socks5h://)")
            .arg(text, scheme);
    p.host = url.host().toLower();
    p.port = quint16(url.port(1080));
    if (!url.userName().isEmpty()) {
        p.user = url.userName(QUrl::FullyDecoded);
        p.password = url.password(QUrl::FullyDecoded);
        p.hasCredentials = true;
    }
    *out = p;
    return {};
}

QString parseResolve(const QString &text, ResolveOverride *out)
{
    // HOST:PORT:ADDR[,ADDR]... where an IPv6 ADDR may be bracketed, and may contain colons.
    const qsizetype first = text.startsWith(QLatin1Char('['))
                                ? text.indexOf(QLatin1Char(':'), text.indexOf(QLatin1Char(']')))
                                : text.indexOf(QLatin1Char(':'));
    const qsizetype second = first < 0 ? -1 : text.indexOf(QLatin1Char(':'), first + 1);
    const QString usage = QStringLiteral("--resolve \"%1\": HOST:PORT:ADDRESS[,ADDRESS]… "
                                         "expected")
                              .arg(text);
    if (first <= 0 || second < 0)
        return usage;
    ResolveOverride r;
    r.host = unbracketed(text.left(first));
    if (r.host.isEmpty() || !parsePort(text.mid(first + 1, second - first - 1), false, &r.port))
        return usage;
    for (const QString &a : text.mid(second + 1).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        QHostAddress address;
        if (!address.setAddress(unbracketed(a.trimmed())))
            return QStringLiteral("--resolve \"%1\": \"%2\" is not an IP address").arg(text, a);
        r.addresses.append(address);
    }
    if (r.addresses.isEmpty())
        return usage;
    *out = r;
    return {};
}

QString parseConnectTo(const QString &text, ConnectToRule *out)
{
    const QStringList parts = splitColons(text);
    const QString usage = QStringLiteral("--connect-to \"%1\": HOST1:PORT1:HOST2:PORT2 expected "
                                         "(any part may be empty)")
                              .arg(text);
    if (parts.size() != 4)
        return usage;
    ConnectToRule c;
    c.host = unbracketed(parts.at(0));
    c.toHost = unbracketed(parts.at(2));
    if (!parsePort(parts.at(1), true, &c.port) || !parsePort(parts.at(3), true, &c.toPort))
        return usage;
    *out = c;
    return {};
}

QList<QHostAddress> filterFamily(const QList<QHostAddress> &addresses, IpFamily family)
{
    if (family == IpFamily::Any)
        return addresses;
    const auto wanted =
        family == IpFamily::V4 ? QAbstractSocket::IPv4Protocol : QAbstractSocket::IPv6Protocol;
    QList<QHostAddress> out;
    for (const QHostAddress &a : addresses) {
        if (a.protocol() == wanted)
            out.append(a);
    }
    return out;
}

std::optional<QList<QHostAddress>> resolveOverride(const RouteOptions &route, const QString &host,
                                                   quint16 port)
{
    for (const ResolveOverride &r : route.resolve) {
        if (r.port == port && r.host.compare(host, Qt::CaseInsensitive) == 0)
            return filterFamily(r.addresses, route.family);
    }
    return std::nullopt;
}

bool noProxyMatches(const QString &list, const QString &host)
{
    const QString h = unbracketed(host);
    QHostAddress hostAddress;
    const bool hostIsAddress = hostAddress.setAddress(h);
    const QStringList entries =
        list.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
    for (QString entry : entries) {
        if (entry == u"*")
            return true;
        entry = unbracketed(entry);
        if (hostIsAddress) {
            const auto subnet = QHostAddress::parseSubnet(entry);
            if (subnet.first.isNull())
                continue;
            if (entry.contains(QLatin1Char('/')) ? hostAddress.isInSubnet(subnet)
                                                 : hostAddress.isEqual(subnet.first))
                return true;
            continue;
        }
        while (entry.startsWith(QLatin1Char('.')))
            entry.remove(0, 1);
        if (entry.isEmpty())
            continue;
        if (h == entry || h.endsWith(QLatin1Char('.') + entry))
            return true;
    }
    return false;
}

RoutePlan planRoute(const RequestSpec &spec, QString *error)
{
    const Origin origin = Origin::fromUrl(spec.url);
    const RouteOptions &r = spec.route;
    RoutePlan plan;
    plan.family = r.family;
    plan.originHost = origin.host;
    plan.originPort = origin.port;
    plan.targetHost = origin.host;
    plan.targetPort = origin.port;
    if (r.altSvcPort != 0) {
        plan.targetHost = r.altSvcHost.isEmpty() ? origin.host : r.altSvcHost;
        plan.targetPort = r.altSvcPort;
        plan.altSvcApplied = true;
    }
    for (const ConnectToRule &c : r.connectTo) {
        if (plan.altSvcApplied)
            break;
        if ((!c.host.isEmpty() && c.host != origin.host) || (c.port != 0 && c.port != origin.port))
            continue;
        // curl uses the first rule that matches.
        if (!c.toHost.isEmpty())
            plan.targetHost = c.toHost;
        if (c.toPort != 0)
            plan.targetPort = c.toPort;
        plan.connectToApplied = true;
        break;
    }

    QString source;
    const QString proxyText = chosenProxy(r, origin.scheme, &source);
    const QString noProxy = r.noProxySet ? r.noProxy : r.environment.noProxy;
    if (!proxyText.isEmpty() && !noProxyMatches(noProxy, origin.host)) {
        ProxyEndpoint p;
        const QString problem = parseProxyUrl(proxyText, &p);
        if (!problem.isEmpty()) {
            if (error)
                *error = problem;
        } else {
            p.source = source;
            if (!r.proxyUser.isEmpty()) {
                const qsizetype colon = r.proxyUser.indexOf(QLatin1Char(':'));
                p.user = colon < 0 ? r.proxyUser : r.proxyUser.left(colon);
                p.password = colon < 0 ? QString() : r.proxyUser.mid(colon + 1);
                p.hasCredentials = true;
            }
            plan.proxy = p;
        }
    }
    if (plan.proxy) {
        plan.dialHost = plan.proxy->host;
        plan.dialPort = plan.proxy->port;
        plan.tunnel = plan.proxy->kind != ProxyEndpoint::Kind::Http || needsTunnel(spec);
        plan.httpForward = !plan.tunnel;
    } else {
        plan.dialHost = plan.targetHost;
        plan.dialPort = plan.targetPort;
    }
    return plan;
}

bool forwardsThroughHttpProxy(const RequestSpec &spec)
{
    return planRoute(spec).httpForward;
}

QString routeKey(const RequestSpec &spec)
{
    const RoutePlan plan = planRoute(spec);
    QString k;
    if (plan.proxy) {
        // The credentials are part of what the proxy sees: two users, two connections.
        k += QStringLiteral("|proxy=%1|user=%2:%3|tunnel=%4")
                 .arg(plan.proxy->toString(), plan.proxy->user, plan.proxy->password)
                 .arg(plan.tunnel);
    }
    if (plan.connectToApplied || plan.altSvcApplied)
        k += QStringLiteral("|to=%1:%2").arg(bracketed(plan.targetHost)).arg(plan.targetPort);
    if (plan.family != IpFamily::Any)
        k += QStringLiteral("|family=%1").arg(plan.family == IpFamily::V4 ? 4 : 6);
    // --resolve changes only which address a name has: it matters for the names looked up here.
    for (const auto &[host, port] :
         {std::pair{plan.dialHost, plan.dialPort}, std::pair{plan.targetHost, plan.targetPort}}) {
        if (const auto addresses = resolveOverride(spec.route, host, port)) {
            QStringList a;
            for (const QHostAddress &address : *addresses)
                a << address.toString();
            k += QStringLiteral("|resolve=%1:%2=%3").arg(host).arg(port).arg(a.join(u','));
        }
    }
    return k;
}

} // namespace hopscope
