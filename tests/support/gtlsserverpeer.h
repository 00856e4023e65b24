#pragma once

#include <QProcess>
#include <QString>

namespace hopscope::test {

// ngtcp2's example HTTP/3 server (Debian's ngtcp2-server, `gtlsserver`: QUIC by ngtcp2 with
// GnuTLS, HTTP/3 by nghttp3) as a child process on a free 127.0.0.1 UDP port, serving a document
// root with the given key and certificate. Killed with the test.
class GtlsServerPeer
{
public:
    struct Options
    {
        QString documentRoot;
        QString keyFile;
        QString certFile;
        QStringList extraArgs; // e.g. {"--timeout=2s"}
    };

    GtlsServerPeer() = default;
    ~GtlsServerPeer();
    GtlsServerPeer(const GtlsServerPeer &) = delete;
    GtlsServerPeer &operator=(const GtlsServerPeer &) = delete;

    // Starts gtlsserver and waits until its UDP socket is bound; false with errorString().
    bool start(const Options &options);
    void stop();
    quint16 port() const { return m_port; }
    QString errorString() const { return m_error; }
    // What the server printed (its errors, with -q only those).
    QByteArray output();

    // A UDP port on 127.0.0.1 that was free a moment ago; 0 when none could be had.
    static quint16 freeUdpPort();

private:
    bool fail(const QString &message);
    bool isBound() const;

    QProcess m_process;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace hopscope::test
