#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace hopscope::test {

// nghttpd (Debian's nghttp2-server) as a child process on a free 127.0.0.1 port: cleartext
// HTTP/2 by prior knowledge, or TLS with ALPN h2 when given a key and certificate. It serves a
// document root of its own (fill it with put()) or one the test names. Killed with the test.
class NghttpdPeer
{
public:
    struct Options
    {
        QString documentRoot;  // empty: this peer's own scratch directory
        QStringList extraArgs; // nghttpd options, e.g. {"--echo-upload"} or {"-m", "10"}
        QString keyFile;       // both set: TLS; otherwise --no-tls
        QString certFile;
    };

    NghttpdPeer();
    ~NghttpdPeer();
    NghttpdPeer(const NghttpdPeer &) = delete;
    NghttpdPeer &operator=(const NghttpdPeer &) = delete;

    // Writes a file into the peer's own document root; false when it cannot.
    bool put(const QString &name, const QByteArray &data);

    // Starts nghttpd and waits until it accepts connections; false with errorString().
    bool start(const Options &options = {});

    quint16 port() const { return m_port; }
    // "http://127.0.0.1:PORT/NAME" ("https" with TLS); a leading '/' in `path` is optional.
    QString url(const QString &path) const;
    QString errorString() const { return m_error; }

private:
    bool fail(const QString &message);

    QTemporaryDir m_root;
    QProcess m_process;
    quint16 m_port = 0;
    bool m_tls = false;
    QString m_error;
};

} // namespace hopscope::test
