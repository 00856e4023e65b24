#include "quic/quicerrortext.h"

namespace hopscope::QuicErrorText {

QString transportErrorName(uint64_t code)
{
    static const char *const names[] = {"NO_ERROR",
                                        "INTERNAL_ERROR",
                                        "CONNECTION_REFUSED",
                                        "FLOW_CONTROL_ERROR",
                                        "STREAM_LIMIT_ERROR",
                                        "STREAM_STATE_ERROR",
                                        "FINAL_SIZE_ERROR",
                                        "FRAME_ENCODING_ERROR",
                                        "TRANSPORT_PARAMETER_ERROR",
                                        "CONNECTION_ID_LIMIT_ERROR",
                                        "PROTOCOL_VIOLATION",
                                        "INVALID_TOKEN",
                                        "APPLICATION_ERROR",
                                        "CRYPTO_BUFFER_EXCEEDED",
                                        "KEY_UPDATE_ERROR",
                                        "AEAD_LIMIT_REACHED",
                                        "NO_VIABLE_PATH"};
    if (code < std::size(names))
        return QString::fromLatin1(names[code]);
    if (code >= 0x100 && code <= 0x1ff)
        return QStringLiteral("CRYPTO_ERROR (TLS alert %1)").arg(code - 0x100);
    return QStringLiteral("0x%1").arg(code, 0, 16);
}

QString applicationErrorName(uint64_t code)
{
    static const char *const h3[] = {"H3_NO_ERROR",
                                     "H3_GENERAL_PROTOCOL_ERROR",
                                     "H3_INTERNAL_ERROR",
                                     "H3_STREAM_CREATION_ERROR",
                                     "H3_CLOSED_CRITICAL_STREAM",
                                     "H3_FRAME_UNEXPECTED",
                                     "H3_FRAME_ERROR",
                                     "H3_EXCESSIVE_LOAD",
                                     "H3_ID_ERROR",
                                     "H3_SETTINGS_ERROR",
                                     "H3_MISSING_SETTINGS",
                                     "H3_REQUEST_REJECTED",
                                     "H3_REQUEST_CANCELLED",
                                     "H3_REQUEST_INCOMPLETE",
                                     "H3_MESSAGE_ERROR",
                                     "H3_CONNECT_ERROR",
                                     "H3_VERSION_FALLBACK"};
    if (code >= 0x100 && code - 0x100 < std::size(h3))
        return QString::fromLatin1(h3[code - 0x100]);
    static const char *const qpack[] = {"QPACK_DECOMPRESSION_FAILED", "QPACK_ENCODER_STREAM_ERROR",
                                        "QPACK_DECODER_STREAM_ERROR"};
    if (code >= 0x200 && code - 0x200 < std::size(qpack))
        return QString::fromLatin1(qpack[code - 0x200]);
    return QStringLiteral("0x%1").arg(code, 0, 16);
}

} // namespace hopscope::QuicErrorText
