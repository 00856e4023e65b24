#include "httpheader.h"

namespace hopscope {

static bool sameName(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

QByteArray headerValue(const HeaderList &headers, QByteArrayView name)
{
    for (const HttpHeader &h : headers) {
        if (sameName(h.name, name))
            return h.value;
    }
    return {};
}

QList<QByteArray> headerValues(const HeaderList &headers, QByteArrayView name)
{
    QList<QByteArray> out;
    for (const HttpHeader &h : headers) {
        if (sameName(h.name, name))
            out.append(h.value);
    }
    return out;
}

bool hasHeader(const HeaderList &headers, QByteArrayView name)
{
    for (const HttpHeader &h : headers) {
        if (sameName(h.name, name))
            return true;
    }
    return false;
}

QList<QByteArray> headerTokens(const HeaderList &headers, QByteArrayView name)
{
    QList<QByteArray> out;
    for (const HttpHeader &h : headers) {
        if (!sameName(h.name, name))
            continue;
        for (const QByteArray &part : h.value.split(',')) {
            QByteArray t = part.trimmed();
            if (!t.isEmpty())
                out.append(t);
        }
    }
    return out;
}

bool headerHasToken(const HeaderList &headers, QByteArrayView name, QByteArrayView token)
{
    for (const QByteArray &t : headerTokens(headers, name)) {
        if (sameName(t, token))
            return true;
    }
    return false;
}

bool isSecretHeader(QByteArrayView name)
{
    for (const char *secret : {"authorization", "proxy-authorization", "cookie", "set-cookie"})
        if (name.compare(secret, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

} // namespace hopscope
