#pragma once

#include <QtEndian>
#include <QtGlobal>

#include <cstring>
#include <limits>

namespace hopscope::sessionformat {

// The layout of a session file (docs/session-format.md is the reference; this is its code).
//
//   header  := magic[16] major:u16 minor:u16 headerBytes:u32 traceStartMs:i64      (32 bytes)
//   chunk*  := tag[4] flags:u32 length:u64 payload[length]
//
// All integers little-endian. Chunks, in the order a writer makes them:
//   TYPS  the event type names, index = the type number event records use (once, first)
//   META  a small JSON object: who wrote the file, when, from what
//   STRS  strings appended to the file's string table (ids continue from the previous STRS);
//         every string an EVTS chunk names comes in a STRS chunk before it
//   EVTS  count:u32 reserved:u32, count event records (kRecordBytes each), then their fields
//   BODY  one exchange's bodies (kBodyHeadBytes of head, then the byte strings)
//   END   eventCount:u64 bodyCount:u64: the file is complete (always the last chunk)
// A reader skips chunk tags it does not know (a newer minor version may add some).

inline constexpr char kMagic[17] = "HOPSCOPE-SESSION";
inline constexpr quint16 kMajor = 1;
inline constexpr quint16 kMinor = 0;
inline constexpr quint32 kHeaderBytes = 32;
inline constexpr quint32 kChunkHeadBytes = 16;
// seq:u64 t:i64 conn:u32 req:u32 stream:i32 type:u16 dir:u8 reserved:u8 fieldBytes:u32
inline constexpr quint32 kRecordBytes = 36;
// req:u32 flags:u32, then five lengths (u32): content type, content encoding, wire, decoded,
// request; the byte strings follow in that order.
inline constexpr quint32 kBodyHeadBytes = 28;
inline constexpr qint64 kNoTraceStart = std::numeric_limits<qint64>::min();

enum BodyFlag : quint32 {
    WireTruncated = 1,
    DecodedTruncated = 2,
    DecodedIsWire = 4, // no separate decoded bytes: the decoded body is the wire body
};

constexpr quint32 tag(const char (&t)[5])
{
    return quint32(quint8(t[0])) | quint32(quint8(t[1])) << 8 | quint32(quint8(t[2])) << 16 |
           quint32(quint8(t[3])) << 24;
}
inline constexpr quint32 kTypes = tag("TYPS");
inline constexpr quint32 kMeta = tag("META");
inline constexpr quint32 kStrings = tag("STRS");
inline constexpr quint32 kEvents = tag("EVTS");
inline constexpr quint32 kBody = tag("BODY");
inline constexpr quint32 kEnd = tag("END ");

// Little-endian loads and stores (the format's byte order on any host).
template<typename T> T load(const char *p)
{
    T v;
    std::memcpy(&v, p, sizeof v);
    return qFromLittleEndian(v);
}
template<typename T> void store(char *p, T v)
{
    v = qToLittleEndian(v);
    std::memcpy(p, &v, sizeof v);
}

} // namespace hopscope::sessionformat
