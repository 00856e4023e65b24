#include "tls/tlsmessage.h"

#include <openssl/ssl.h>

namespace hopscope {

QString tlsHandshakeTypeName(int type)
{
    switch (type) {
    case 0:
        return QStringLiteral("HelloRequest");
    case 1:
        return QStringLiteral("ClientHello");
    case 2:
        return QStringLiteral("ServerHello");
    case 4:
        return QStringLiteral("NewSessionTicket");
    case 5:
        return QStringLiteral("EndOfEarlyData");
    case 8:
        return QStringLiteral("EncryptedExtensions");
    case 11:
        return QStringLiteral("Certificate");
    case 12:
        return QStringLiteral("ServerKeyExchange");
    case 13:
        return QStringLiteral("CertificateRequest");
    case 14:
        return QStringLiteral("ServerHelloDone");
    case 15:
        return QStringLiteral("CertificateVerify");
    case 16:
        return QStringLiteral("ClientKeyExchange");
    case 20:
        return QStringLiteral("Finished");
    case 22:
        return QStringLiteral("CertificateStatus");
    case 24:
        return QStringLiteral("KeyUpdate");
    case 254:
        return QStringLiteral("MessageHash");
    default:
        break;
    }
    return QStringLiteral("handshake type %1").arg(type);
}

namespace {

// OpenSSL 3.0 names the alerts TLS 1.2 had; those RFC 8446 added read "unknown" there.
QString alertName(int description)
{
    switch (description) {
    case 109:
        return QStringLiteral("missing extension");
    case 112:
        return QStringLiteral("unrecognized name");
    case 115:
        return QStringLiteral("unknown psk identity");
    case 116:
        return QStringLiteral("certificate required");
    case 120:
        return QStringLiteral("no application protocol");
    default:
        break;
    }
    const QString openssl = QString::fromLatin1(SSL_alert_desc_string_long(description));
    return openssl == QLatin1String("unknown") ? QStringLiteral("alert %1").arg(description)
                                               : openssl;
}

} // namespace

bool TlsMessage::fromCallback(int writeP, int contentType, const void *buf, size_t len,
                              TlsMessage *out)
{
    const auto *bytes = static_cast<const unsigned char *>(buf);
    TlsMessage m;
    m.outgoing = writeP != 0;
    m.size = qint64(len);
    switch (contentType) {
    case SSL3_RT_HANDSHAKE:
        if (len < 1)
            return false;
        m.kind = Kind::Handshake;
        m.type = bytes[0];
        m.name = tlsHandshakeTypeName(m.type);
        break;
    case SSL3_RT_ALERT:
        if (len < 2)
            return false;
        m.kind = Kind::Alert;
        m.alertLevel = bytes[0];
        m.type = bytes[1];
        // RFC 8446's names in words ("bad certificate"); the value is what a capture shows.
        m.name = alertName(m.type);
        break;
    case SSL3_RT_CHANGE_CIPHER_SPEC:
        m.kind = Kind::ChangeCipherSpec;
        m.name = QStringLiteral("ChangeCipherSpec");
        break;
    default:
        return false; // record headers and TLS 1.3 inner content types: not messages
    }
    *out = m;
    return true;
}

} // namespace hopscope
