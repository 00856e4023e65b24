#include "demopresets.h"

#include <QCoreApplication>
#include <QUrl>

#include <algorithm>

namespace hopscope {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("DemoPresets", text);
}

QString modeLabel(const RequestSpec &spec)
{
    if (spec.redirects.follow)
        return tr("follows redirects (-L)");
    if (spec.protocol == ProtocolPolicy::H2cUpgrade)
        return tr("h2c upgrade");
    if (spec.protocol == ProtocolPolicy::H2cPrior)
        return tr("h2c prior knowledge");
    if (!spec.upgrade.isEmpty())
        return tr("Upgrade: %1").arg(QString::fromLatin1(spec.upgrade));
    if (spec.http3 == Http3Mode::Try)
        return tr("HTTP/3 over QUIC, TCP if QUIC fails");
    if (spec.url.path() == QLatin1String("/alt-svc"))
        return tr("TLS, advertises Alt-Svc: h3 (send another request after it)");
    if (spec.url.scheme() == QLatin1String("https")) {
        return spec.tls.alpn == QList<QByteArray>{QByteArrayLiteral("http/1.1")}
                   ? tr("TLS, ALPN http/1.1, follows Upgrade: h2")
                   : tr("TLS, ALPN h2");
    }
    return tr("HTTP/1.1");
}

// What makes the request itself; the composer keeps the user's timeouts, CA file and limits.
RequestSpec requestOnly(const RequestSpec &tour)
{
    RequestSpec s;
    s.url = tour.url;
    s.method = tour.method;
    s.protocol = tour.protocol;
    s.upgrade = tour.upgrade;
    s.tls.alpn = tour.tls.alpn;
    s.redirects.follow = tour.redirects.follow;
    s.http3 = tour.http3;
    return s;
}

} // namespace

QList<DemoPreset> demoPresets(const DemoTourUrls &urls)
{
    QList<RequestSpec> specs;
    auto same = [](const RequestSpec &a, const RequestSpec &b) {
        return a.url == b.url && a.protocol == b.protocol && a.upgrade == b.upgrade &&
               a.tls.alpn == b.tls.alpn;
    };
    for (const DemoTourPhase &phase : demoTourPlan(urls)) {
        for (const RequestSpec &spec : phase.requests) {
            const RequestSpec s = requestOnly(spec);
            if (std::none_of(specs.cbegin(), specs.cend(),
                             [&](const RequestSpec &o) { return same(o, s); }))
                specs.append(s);
        }
    }
    RequestSpec prior;
    prior.url = QUrl(urls.plain + QStringLiteral("/headers"));
    prior.protocol = ProtocolPolicy::H2cPrior;
    specs.append(prior);
    RequestSpec h3;
    h3.url = QUrl(urls.tls + QStringLiteral("/headers"));
    h3.http3 = Http3Mode::Try; // the demo's UDP port has the TLS port's number when it is free
    specs.append(h3);
    RequestSpec redirects;
    redirects.url = QUrl(urls.plain + QStringLiteral("/redirect/3"));
    redirects.redirects.follow = true;
    specs.append(redirects);

    QList<DemoPreset> out;
    for (const RequestSpec &spec : specs) {
        out.append({QStringLiteral("%1 %2 — %3")
                        .arg(QString::fromLatin1(spec.method), spec.url.path(), modeLabel(spec)),
                    spec});
    }
    return out;
}

RequestSpec trustDemoOrigin(RequestSpec spec, const DemoTourUrls &urls)
{
    const QUrl demo(urls.tls);
    const QUrl &url = spec.url;
    const bool tlsScheme =
        url.scheme() == QLatin1String("https") || url.scheme() == QLatin1String("wss");
    const bool demoHost =
        url.host() == QLatin1String("127.0.0.1") || url.host() == QLatin1String("localhost");
    if (tlsScheme && demoHost && demo.port() > 0 && url.port(443) == demo.port() &&
        spec.tls.caFile.isEmpty() && !spec.tls.insecure && !urls.caFile.isEmpty())
        spec.tls.caFile = urls.caFile;
    return spec;
}

} // namespace hopscope
