#pragma once

#include <QString>

#include <cstdint>

namespace hopscope {

// The names of QUIC's and HTTP/3's error codes, as the RFCs spell them, for the trace and for
// messages: a CONNECTION_CLOSE or RESET_STREAM says a number, a person wants the word.
namespace QuicErrorText {
// RFC 9000 §20.1 ("PROTOCOL_VIOLATION"); 0x100-0x1ff are TLS alerts ("CRYPTO_ERROR (alert 42)").
QString transportErrorName(uint64_t code);
// RFC 9114 §8.1 and RFC 9204 §6 ("H3_REQUEST_REJECTED", "QPACK_DECOMPRESSION_FAILED").
QString applicationErrorName(uint64_t code);
} // namespace QuicErrorText

} // namespace hopscope
