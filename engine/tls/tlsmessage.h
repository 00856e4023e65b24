#pragma once

#include <QString>

namespace hopscope {

// One TLS protocol message as OpenSSL's message callback reports it (what `curl -v` prints):
// a handshake message, an alert or a ChangeCipherSpec, with its direction and size. TLS 1.3
// messages after ServerHello travel encrypted; OpenSSL reports them decrypted, so they are here
// too (EncryptedExtensions, Certificate, CertificateVerify, Finished, NewSessionTicket).
struct TlsMessage
{
    enum class Kind { Handshake, Alert, ChangeCipherSpec };

    Kind kind = Kind::Handshake;
    bool outgoing = false;
    int type = 0;       // handshake type (RFC 8446 §4) or alert description (§6)
    int alertLevel = 0; // 1 warning, 2 fatal (alerts only)
    qint64 size = 0;    // bytes of the message, its own header included
    QString name;       // "ClientHello", "bad_certificate", "ChangeCipherSpec"

    // Parses what OpenSSL's callback hands over; false for what is not one of the three kinds
    // (record headers, inner content types) or too short to read.
    static bool fromCallback(int writeP, int contentType, const void *buf, size_t len,
                             TlsMessage *out);
};

// RFC 8446 §4 (and RFC 5246 §7.4 for TLS 1.2's) names of handshake message types.
QString tlsHandshakeTypeName(int type);

} // namespace hopscope
