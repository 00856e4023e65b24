#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace hopscope::test {

// Runs tests/peers/hostile_peer.py with one scenario as a child process and tells its port.
// The peer serves every connection with that scenario until stop() or destruction kills it.
class HostilePeer
{
public:
    struct Tls
    {
        QString certFile; // PEM certificate the peer presents; empty: cleartext
        QString keyFile;  // PEM key of that certificate
        QString alpn;     // comma-separated protocols the peer accepts; empty: no ALPN
    };

    HostilePeer();
    ~HostilePeer();
    HostilePeer(const HostilePeer &) = delete;
    HostilePeer &operator=(const HostilePeer &) = delete;

    // False with errorString() when the peer does not come up within a few seconds.
    bool start(const QString &scenario, const Tls &tls = {});
    void stop();

    quint16 port() const { return m_port; }
    // "http://127.0.0.1:PORT/PATH" (https with TLS).
    QString url(const QString &path = QStringLiteral("/")) const;
    QString errorString() const { return m_error; }
    // What the peer logged on stderr so far: accepted connections, requests, disconnects.
    QByteArray log() const;

    // The directory holding hostile_peer.py: $HOPSCOPE_TEST_PEERS when it holds the script,
    // else the source directory the support library was built from.
    static QString peersDirectory();

private:
    bool fail(const QString &message);

    std::unique_ptr<QProcess> m_process;
    QTemporaryDir m_dir;
    quint16 m_port = 0;
    bool m_tls = false;
    QString m_error;
};

} // namespace hopscope::test
