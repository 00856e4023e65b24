#pragma once

#include <QHashFunctions>
#include <QString>
#include <QUrl>

namespace hopscope {

// scheme, host, port: what a connection can be reused for (RFC 6454 in spirit).
struct Origin
{
    QString scheme; // "http" or "https"
    QString host;   // as given, lower-case
    quint16 port = 0;

    static Origin fromUrl(const QUrl &url);
    bool isTls() const { return scheme == u"https"; }
    QString toString() const;
    friend bool operator==(const Origin &, const Origin &) = default;
};

inline size_t qHash(const Origin &o, size_t seed = 0)
{
    return qHashMulti(seed, o.scheme, o.host, o.port);
}

} // namespace hopscope
