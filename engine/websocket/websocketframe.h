#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <array>

namespace hopscope {

// WebSocket (RFC 6455) pieces the inspector needs to see for itself, apart from libwslay: the
// opening-handshake key check, the frame header, UTF-8 validation, close codes, and a streaming
// frame inspector. Pure functions and plain classes, so they are unit-tested on their own.

namespace ws {

enum Opcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

// RSV bits as they sit in the first header byte, shifted down: RSV1 = 4, RSV2 = 2, RSV3 = 1
// (the same encoding as wslay's WSLAY_RSV*_BIT).
constexpr quint8 kRsv1 = 0x4;
constexpr int kMaxControlPayload = 125;
constexpr int kMaxHeaderBytes = 14;
constexpr qsizetype kMaxCloseReasonBytes = kMaxControlPayload - 2;
constexpr int kNoStatusReceived = 1005; // RFC 6455 §7.1.5: a close frame without a code

// base64(SHA-1(key + the RFC 6455 GUID)): the Sec-WebSocket-Accept a server must answer.
QByteArray acceptFor(QByteArrayView key);
// "continuation", "text", "binary", "close", "ping", "pong" or "reserved(0xN)".
QString opcodeName(quint8 opcode);
inline bool isControl(quint8 opcode)
{
    return (opcode & 0x8) != 0;
}
bool isKnownOpcode(quint8 opcode);
// Whether a peer may send this code in a close frame: 1000-1003, 1007-1014 (RFC 6455 and the
// IANA registry: 1012-1014 are service restart, try again later, bad gateway) and 3000-4999.
// 1004, 1005, 1006 and 1015 are reserved and must never be on the wire.
bool isValidCloseCode(int code);
// The longest prefix of `utf8` of at most maxBytes that does not cut a UTF-8 sequence.
QByteArrayView utf8Prefix(QByteArrayView utf8, qsizetype maxBytes);

// Header bytes of a frame (2..14), as its second byte announces them: the payload length form
// (7-bit, 16-bit or 64-bit) and the MASK bit. A reader collecting a header byte by byte knows
// from the first two how many more to wait for.
int frameHeaderSize(quint8 secondByte);

// The RFC 6455 rules on a frame's place in the stream (§5.4 fragmentation, §5.5 control frames),
// which hold in both directions. Both the client's FrameInspector and the demo server's codec
// check them here and word the error their own way.
enum class SequenceError : quint8 {
    None,
    FragmentedControl,          // a control frame without FIN
    ControlTooLong,             // a control payload over kMaxControlPayload bytes
    CloseCodeCut,               // a close payload of 1 byte: half a close code
    ContinuationWithoutMessage, // a continuation frame while no message is open
    MessageInsideMessage,       // a Text/Binary frame while a fragmented message is unfinished
};
// `opcode` must be known (isKnownOpcode); `messageOpcode` is the opcode of the fragmented message
// still open (Text or Binary), or 0.
SequenceError frameSequenceError(bool fin, quint8 opcode, quint64 length, quint8 messageOpcode);

struct FrameHeader
{
    bool fin = false;
    quint8 rsv = 0; // RSV1..3, see kRsv1
    quint8 opcode = 0;
    bool masked = false;
    quint64 length = 0;
    std::array<quint8, 4> mask{};
    int size = 0; // header bytes on the wire, 2..14
};

// Parses the header at the front of `data`. Returns its size, or 0 when more bytes are needed.
// It never fails: every bit pattern is some header; whether it is allowed is for the inspector.
int parseFrameHeader(QByteArrayView data, FrameHeader *out);

// A strict incremental UTF-8 validator (Unicode Table 3-7): no overlong forms, no surrogates,
// nothing above U+10FFFF, sequences may be split across feed() calls (frames of one message).
class Utf8Validator
{
public:
    // false at the first byte that cannot be UTF-8; offset() then tells where it was.
    bool feed(QByteArrayView data);
    // No sequence is left unfinished: the text may end here.
    bool isComplete() const { return m_need == 0; }
    // Bytes accepted so far (the offset of the bad byte after feed() returned false).
    qint64 offset() const { return m_offset; }
    void reset() { *this = Utf8Validator(); }

    static bool isValid(QByteArrayView data)
    {
        Utf8Validator v;
        return v.feed(data) && v.isComplete();
    }

private:
    qint64 m_offset = 0;
    int m_need = 0; // continuation bytes still expected
    quint8 m_lower = 0x80;
    quint8 m_upper = 0xBF;
};

// Why a connection is failed, with the close code RFC 6455 prescribes.
struct Violation
{
    int closeCode = 0;     // 1002 protocol error, 1007 invalid data, 1009 too big
    const char *code = ""; // error code for the trace: ws-protocol, ws-utf8, ws-too-big
    QString message;
    bool isValid() const { return closeCode != 0; }
};

// Walks a byte stream frame by frame. Inbound (server to client) it checks every rule of RFC 6455
// §5 that a client must enforce; outbound it only observes, so that the frames libwslay writes
// (automatic pongs included) are traced too.
//
// Why not rely on libwslay for this: wslay's client does reject masked frames, reserved opcodes,
// RSV bits, bad close codes and invalid UTF-8, but it does so silently (it queues a close frame
// and stops reading; wslay_event_recv() still returns 0), so the inspector could not say which
// rule was broken. It also never shows frame headers (FIN, RSV, MASK, length) of data frames,
// accepts a 1-byte close payload, rejects the IANA codes 1012-1014, and checks its size limit per
// message only. So every inbound byte passes through here first, and wslay is only fed bytes
// that were found valid; close frames are handled here entirely.
class FrameInspector
{
public:
    struct Options
    {
        bool validate = true;        // false: observe only (our own outbound frames)
        bool expectMasked = false;   // frames from a server must not be masked
        quint8 allowedRsv = 0;       // RSV bits a negotiated extension allows (none: we offer none)
        qint64 maxFrameBytes = -1;   // payload bytes per frame; -1 = no limit
        qint64 maxMessageBytes = -1; // payload bytes per message (all its frames); -1 = no limit
        qint64 maxMessageFrames = -1; // frames per message (empty ones too); -1 = no limit
    };

    enum class Step {
        NeedMore, // every byte given was used; give more
        Header,   // a frame header was complete (and valid): header(), headerBytes()
        Payload,  // `consumed` payload bytes of the current frame, validated
        FrameEnd, // the current frame is complete (for a close frame: closeCode(), closeReason())
        Violation // the stream breaks a rule: violation(); stop feeding
    };

    FrameInspector() = default;
    explicit FrameInspector(Options options) : m_options(options) {}

    // Looks at the front of `data` and reports the next step; *consumed bytes of `data` belong to
    // it (the Payload step's bytes are data.first(*consumed)). Call again with the rest; FrameEnd
    // may come with no data left.
    Step next(QByteArrayView data, qsizetype *consumed);

    const FrameHeader &header() const { return m_header; }
    // The current frame's header exactly as on the wire (it may have arrived in pieces).
    QByteArrayView headerBytes() const
    {
        return QByteArrayView(reinterpret_cast<const char *>(m_headerBuf.data()), m_header.size);
    }
    // Opcode of the message the current data frame belongs to (Text/Binary, also for
    // continuations); 0 for control frames.
    quint8 messageOpcode() const
    {
        return isControl(m_header.opcode) ? quint8(0) : m_messageOpcode;
    }
    // Whether the current frame is the last of its message (a FIN data frame).
    bool endsMessage() const { return m_header.fin && !isControl(m_header.opcode); }
    const Violation &violation() const { return m_violation; }
    // The violation is in the frame header: header() is that (rejected) frame's header.
    bool violationInHeader() const { return m_violationInHeader; }
    // After FrameEnd of a close frame: the code (1005 when the payload was empty) and reason.
    int closeCode() const { return m_closeCode; }
    QByteArray closeReason() const { return m_closeReason; }
    // After FrameEnd of a ping or pong: its payload.
    QByteArrayView controlPayload() const
    {
        return QByteArrayView(reinterpret_cast<const char *>(m_control.data()), m_controlSize);
    }

private:
    Step fail(int closeCode, const char *code, QString message);
    Step checkHeader();
    Step checkPayload(QByteArrayView slice, bool last);
    Step finishFrame();

    Options m_options;
    FrameHeader m_header;
    std::array<quint8, kMaxHeaderBytes> m_headerBuf{};
    int m_headerHave = 0;
    bool m_inPayload = false;
    quint64 m_remaining = 0;
    quint8 m_messageOpcode = 0; // Text/Binary while a message is in progress, else 0
    qint64 m_messageBytes = 0;
    qint64 m_messageFrames = 0;
    Utf8Validator m_utf8;
    std::array<quint8, kMaxControlPayload> m_control{};
    int m_controlSize = 0;
    int m_closeCode = 0;
    QByteArray m_closeReason;
    Violation m_violation;
    bool m_violationInHeader = false;
};

} // namespace ws

} // namespace hopscope
