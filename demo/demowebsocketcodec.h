#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace hopscope {

// The server side of RFC 6455 framing, written out rather than taken from libwslay so the
// demo server has no dependency the client does not need. Reassembles fragmented messages,
// unmasks, and refuses what §5 forbids a client to send, with the close code the RFC names
// (1002 protocol, 1007 bad UTF-8, 1009 size). The rules themselves (header size, opcodes, frame
// sequence, close codes, UTF-8) are the engine's, from websocket/websocketframe.h; this class
// words the server's error for each and keeps the server's state.
class DemoWebSocketCodec
{
public:
    enum class Result {
        NeedMore, // all input consumed
        Message,  // *out holds a whole data message or a control frame
        Error     // errorCode() / errorReason() go into the closing frame
    };
    struct Message
    {
        quint8 opcode = 0; // ws::Text, Binary, Close, Ping or Pong
        QByteArray payload;
    };

    static constexpr qint64 maxMessageBytes = 16 * 1024 * 1024;

    // Consumes a prefix of data; stops after each complete message or control frame.
    Result feed(QByteArrayView data, qsizetype *consumed, Message *out);
    quint16 errorCode() const { return m_errorCode; }
    QByteArray errorReason() const { return m_errorReason; }

    // One unfragmented, unmasked frame (servers never mask, §5.1).
    static QByteArray encode(quint8 opcode, QByteArrayView payload);
    // The code, then as much of the reason as a control frame holds, cut between characters.
    static QByteArray closePayload(quint16 code, QByteArrayView reason);

private:
    Result fail(quint16 code, const QByteArray &reason);
    bool headerComplete() const;
    // The rules the first two header bytes already decide; Result::NeedMore when none is broken.
    Result checkFrameStart();
    Result finishFrame(Message *out);

    enum class State : quint8 { Header, Payload, Failed };
    State m_state = State::Header;
    quint8 m_head[14] = {};
    int m_headHave = 0;
    bool m_fin = false;
    quint8 m_opcode = 0;
    quint8 m_mask[4] = {};
    qint64 m_remaining = 0;
    qint64 m_maskOffset = 0;
    quint8 m_messageOpcode = 0; // Text or Binary while a fragmented message is open, else 0
    QByteArray m_message;
    QByteArray m_control;
    quint16 m_errorCode = 0;
    QByteArray m_errorReason;
};

} // namespace hopscope
