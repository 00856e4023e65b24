#pragma once

#include <QDateTime>
#include <QString>

typedef struct ssl_st SSL;

namespace hopscope {

// What the server stapled to its certificate (the status_request extension, RFC 6066): an OCSP
// response about its own certificate, read after the handshake. It is a fact for the trace
// (`tls` event, `ocsp` and `ocspDetail`); only --cert-status makes anything but `Good` fail a
// connection, and that decision is Connection's.
struct OcspStaple
{
    enum class Status {
        None,    // nothing stapled
        Good,    // the responder says the certificate is good, and the response checks out
        Revoked, // the responder says it is revoked
        Unknown, // the responder does not know the certificate
        Invalid, // a response that cannot be used: unparsable, an error status, a signature
                 // that does not verify, outside its validity, or about another certificate
    };

    Status status = Status::None;
    QString detail;           // the same in plain words, for people (never empty)
    QString revocationReason; // "keyCompromise", …; empty unless revoked with a reason
    QDateTime thisUpdate;     // invalid when the response does not say
    QDateTime nextUpdate;
    QDateTime revokedAt;

    // The trace's spelling: none, good, revoked, unknown, invalid.
    static const char *statusName(Status status);
};

// Reads and checks the response stapled on `ssl` after its handshake: parses it, takes the
// single response for the leaf certificate (its issuer from the verified or the sent chain),
// verifies the responder's signature against the chain and the context's trust store, and
// checks thisUpdate/nextUpdate with five minutes' leeway, as curl does.
OcspStaple readOcspStaple(SSL *ssl);

} // namespace hopscope
