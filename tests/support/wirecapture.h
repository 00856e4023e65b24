#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

namespace hopscope::test {

// A loopback capture with Debian's tshark (dumpcap underneath) of the TCP connections to one
// server port, and what Wireshark's dissectors make of it: TCP payload bytes per connection and
// direction, and the HTTP/2 frames. How the fidelity test (tests/integration/
// tst_wire_fidelity.cpp) holds the trace against the wire.
//
// Capturing needs tshark and the right to capture (root, or CAP_NET_RAW for dumpcap): without
// them start() fails with a message that says which is missing, never silently.
class WireCapture
{
public:
    // One HTTP/2 frame as Wireshark dissected it.
    struct H2Frame
    {
        quint16 clientPort = 0; // the connection
        bool toServer = false;
        int type = -1; // 0 DATA … 9 CONTINUATION
        qint64 stream = -1;
    };
    // Payload bytes of one TCP connection, keyed by its client port.
    struct Flow
    {
        qint64 toServer = 0;
        qint64 fromServer = 0;
        // What the server sent after our FIN or RST: no reader was left to take it (a GOAWAY
        // answering our close), so no trace can count it.
        qint64 fromServerAfterClose = 0;
    };

    WireCapture();
    ~WireCapture();
    WireCapture(const WireCapture &) = delete;
    WireCapture &operator=(const WireCapture &) = delete;

    enum class Transport { Tcp, Udp };
    // Starts capturing `tcp port serverPort` (or udp, for QUIC) on lo and returns once packets
    // are being written.
    bool start(quint16 serverPort, Transport transport = Transport::Tcp);
    // Stops the capture (SIGINT, as Ctrl-C) and waits until the file is complete.
    bool stop();
    QString errorString() const { return m_error; }
    QString file() const;

    // One TLS handshake message as Wireshark dissected it (decrypted with the key log).
    struct TlsHandshake
    {
        quint16 clientPort = 0;
        bool toServer = false;
        int type = -1; // 1 ClientHello, 2 ServerHello, 8 EncryptedExtensions, …
    };

    // The NSS key-log file (--keylog) that lets Wireshark decrypt TLS; decodeAs "tls" then
    // reads the port as TLS and the HTTP/2 inside it (by ALPN).
    void setKeyLogFile(const QString &path) { m_keyLog = path; }

    // TCP payload per connection (client port), retransmissions left out.
    bool flows(QMap<quint16, Flow> *out);
    // Every HTTP/2 frame in wire order, but none the server sent after our close (call flows()
    // first: it finds the closes). decodeAs is "http2" for prior knowledge, "http" for an h2c
    // upgrade (Wireshark follows the 101 into HTTP/2 itself).
    bool h2Frames(const QString &decodeAs, QList<H2Frame> *out);

    // Every TLS handshake message on the port (decoded as TLS), in wire order.
    bool tlsHandshakes(QList<TlsHandshake> *out);

    // QUIC (a Udp capture): UDP payload bytes per client port, and every QUIC packet Wireshark
    // read in each datagram (coalesced ones apart; their headers decrypted with the key log):
    // "initial", "handshake", "0RTT" or "1RTT", and the packet number. What the server sent
    // after the client's last datagram (its CONNECTION_CLOSE) counts as after close.
    struct QuicPacket
    {
        quint16 clientPort = 0;
        bool toServer = false;
        QString kind;
        qint64 number = -1;
        // The UDP payload of the datagram that carried it, on its first packet (0 on the
        // packets coalesced after it): what a reader of the datagram counts.
        qint64 datagramBytes = 0;
    };
    bool quicFlows(QMap<quint16, Flow> *out);
    bool quicPackets(QList<QuicPacket> *out);

    static QString frameTypeName(int type);

private:
    bool readFields(const QStringList &args, QList<QList<QByteArray>> *rows);
    bool fail(const QString &message);

    QString m_tshark;
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    Transport m_transport = Transport::Tcp;
    QMap<quint16, qint64> m_clientClosedAt; // client port -> frame number of our FIN or RST
    QString m_error;
    QString m_keyLog;
};

} // namespace hopscope::test
