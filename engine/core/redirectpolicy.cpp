#include "core/redirectpolicy.h"

#include "core/origin.h"

namespace hopscope {

namespace {

bool sameName(const QByteArray &a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

// Headers that belong to the user's origin only (curl: Authorization and Cookie since 7.58 and
// 7.83, a custom Host since long before).
bool isOriginBound(const QByteArray &name)
{
    return sameName(name, "Authorization") || sameName(name, "Cookie") || sameName(name, "Host");
}

bool describesBody(const QByteArray &name)
{
    return sameName(name, "Content-Type") || sameName(name, "Content-Length") ||
           sameName(name, "Transfer-Encoding");
}

} // namespace

bool isFollowedRedirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

ResolvedLocation resolveLocation(const QUrl &base, QByteArrayView location)
{
    ResolvedLocation out;
    const QByteArray text = location.trimmed().toByteArray();
    // Servers send raw UTF-8 and spaces now and then; curl percent-encodes them, the tolerant
    // parser does the same. What is still invalid (a bad port, a broken IPv6 literal) is not a
    // URL.
    const QUrl relative(QString::fromUtf8(text), QUrl::TolerantMode);
    if (text.isEmpty() || !relative.isValid()) {
        out.errorCode = redirect::kBadUrl;
        out.error = QStringLiteral("the Location \"%1\" is not a valid URL%2")
                        .arg(QString::fromUtf8(text),
                             relative.errorString().isEmpty()
                                 ? QString()
                                 : QStringLiteral(" (%1)").arg(relative.errorString()));
        return out;
    }
    QUrl url = base.resolved(relative);
    url.setFragment(QString()); // never sent; keeping it would only make the URLs differ
    const QString scheme = url.scheme().toLower();
    if (scheme != u"http" && scheme != u"https") {
        out.errorCode = redirect::kBadScheme;
        out.error = QStringLiteral("the Location \"%1\" uses the unsupported scheme \"%2\" (only "
                                   "http and https are followed)")
                        .arg(QString::fromUtf8(text), url.scheme());
        return out;
    }
    if (!url.isValid() || url.host().isEmpty()) {
        out.errorCode = redirect::kBadUrl;
        out.error =
            QStringLiteral("the Location \"%1\" names no host").arg(QString::fromUtf8(text));
        return out;
    }
    out.url = url;
    return out;
}

QByteArray redirectMethod(QByteArrayView method, int status)
{
    const QByteArray m = method.toByteArray();
    if (status == 303)
        return m == "HEAD" ? m : QByteArrayLiteral("GET");
    if ((status == 301 || status == 302) && m == "POST")
        return QByteArrayLiteral("GET");
    return m;
}

bool sameOrigin(const QUrl &first, const QUrl &to)
{
    return Origin::fromUrl(first) == Origin::fromUrl(to);
}

RedirectStep nextRedirect(const RequestSpec &current, int hop, const QUrl &firstUrl,
                          const HeaderList &userHeaders, int status, QByteArrayView location)
{
    RedirectStep step;
    const int max = current.redirects.maxRedirects;
    const ResolvedLocation resolved = resolveLocation(current.url, location);
    step.to = resolved.url;
    if (max >= 0 && hop >= max) {
        step.errorCode = redirect::kTooMany;
        const QString target = resolved.url.isValid()
                                   ? resolved.url.toString()
                                   : QString::fromUtf8(location.trimmed().toByteArray());
        step.error = QStringLiteral("maximum (%1) redirects followed: the %2 to %3 was not "
                                    "(--max-redirs %1)")
                         .arg(max)
                         .arg(status)
                         .arg(target);
        return step;
    }
    if (!resolved.errorCode.isEmpty()) {
        step.errorCode = resolved.errorCode;
        step.error = resolved.error;
        return step;
    }

    RequestSpec next = current;
    next.url = resolved.url;
    next.targetOverride.clear();
    next.h2cViaOptions = false;
    next.method = redirectMethod(current.method, status);
    step.bodyDropped = next.method != current.method || (status == 303 && current.hasBody());
    if (step.bodyDropped) {
        next.body.clear();
        next.bodyFile.clear();
    }
    const bool tls = next.url.scheme().compare(u"https", Qt::CaseInsensitive) == 0;
    step.downgrade = !tls && current.url.scheme().compare(u"https", Qt::CaseInsensitive) == 0;
    // A scheme change keeps the user's protocol wish where it still means something: h2c has
    // no meaning over TLS, an h2-only ALPN list none on cleartext.
    if (tls &&
        (next.protocol == ProtocolPolicy::H2cUpgrade || next.protocol == ProtocolPolicy::H2cPrior))
        next.protocol = ProtocolPolicy::Auto;
    if (!tls)
        next.tls.alpn.clear();

    const bool keepOriginBound = current.redirects.trusted || sameOrigin(firstUrl, next.url);
    next.headers.clear();
    for (const HttpHeader &h : userHeaders) {
        // A body header stays away once its body was dropped by an earlier hop.
        const bool bodyGone =
            describesBody(h.name) && (step.bodyDropped || !hasHeader(current.headers, h.name));
        if ((!keepOriginBound && isOriginBound(h.name)) || bodyGone) {
            step.dropped.append(h.name);
            continue;
        }
        next.headers.append(h);
    }
    step.spec = std::move(next);
    return step;
}

} // namespace hopscope
