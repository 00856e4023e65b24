#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace hopscope::test {

// Runs one of the python3 peers in tests/peers as a child process and tells its port. A peer
// script listens on a free 127.0.0.1 port, prints "LISTENING <port>" as the first line of its
// stdout, logs to stderr and serves until stop() or destruction kills it. TLS peers take
// --tls-cert CERT --tls-key KEY (and --alpn LIST where they support it).
class ScriptPeer
{
public:
    struct Tls
    {
        QString certFile; // PEM certificate the peer presents; empty: cleartext
        QString keyFile;  // PEM key of that certificate
        QString alpn;     // comma-separated protocols the peer accepts; empty: no --alpn option
    };

    ScriptPeer();
    virtual ~ScriptPeer();
    ScriptPeer(const ScriptPeer &) = delete;
    ScriptPeer &operator=(const ScriptPeer &) = delete;

    // Starts peersDirectory()/scriptName with the arguments (and the TLS options in front of
    // them). False with errorString() when the peer does not come up within a few seconds.
    bool launch(const QString &scriptName, const QStringList &arguments, const Tls &tls = {});
    void stop();

    quint16 port() const { return m_port; }
    // "http://127.0.0.1:PORT/PATH" (https with TLS).
    QString url(const QString &path = QStringLiteral("/")) const;
    QString errorString() const { return m_error; }
    // What the peer logged on stderr so far: accepted connections, requests, disconnects.
    QByteArray log() const;

    // The directory holding the peer scripts: $HOPSCOPE_TEST_PEERS when it holds
    // hostile_peer.py, else the source directory the support library was built from.
    static QString peersDirectory();

protected:
    bool fail(const QString &message);

private:
    std::unique_ptr<QProcess> m_process;
    QTemporaryDir m_dir;
    quint16 m_port = 0;
    bool m_tls = false;
    QString m_error;
};

} // namespace hopscope::test
