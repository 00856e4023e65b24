#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace hopscope {

// One alternative service from an `Alt-Svc` response header (RFC 7838 §3): the protocol
// (ALPN id, percent-decoded: "h3"), where it is (host empty = the origin's host), and for how
// long it may be used.
struct AltService
{
    QByteArray protocol;
    QString host;
    quint16 port = 0;
    qint64 maxAgeSeconds = 86400; // `ma`, RFC 7838's default of 24 hours
    bool persist = false;

    QString authority() const; // "host:port" or ":port", as the header wrote it
};

// What an `Alt-Svc` header says: `clear` (forget every alternative of the origin), or a list.
// Entries that do not parse are skipped, each with its reason in `skipped`; at most
// kMaxAlternatives are kept (a header a server chose must not size our memory).
struct AltSvcHeader
{
    bool clear = false;
    QList<AltService> services;
    QStringList skipped;

    static constexpr int kMaxAlternatives = 16;
    static AltSvcHeader parse(QByteArrayView value);
};

} // namespace hopscope
