#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace hopscope::test {

// A real proxy from a Debian package as a child process on a free 127.0.0.1 port, killed with
// the test: squid (HTTP forwarding and CONNECT, any port, loopback clients only, no cache) or
// microsocks (SOCKS5, optionally with RFC 1929 user and password).
class ProxyPeer
{
public:
    enum class Kind { Squid, Microsocks };

    explicit ProxyPeer(Kind kind);
    ~ProxyPeer();
    ProxyPeer(const ProxyPeer &) = delete;
    ProxyPeer &operator=(const ProxyPeer &) = delete;

    // Starts the proxy and waits until it accepts connections; false with errorString().
    // user/password: microsocks only, empty for none.
    bool start(const QString &user = {}, const QString &password = {});
    void stop();

    quint16 port() const { return m_port; }
    // "http://127.0.0.1:PORT", "socks5://…" or "socks5h://…" (resolveAtProxy).
    QString url(bool resolveAtProxy = true) const;
    QString errorString() const { return m_error; }
    // squid's access log (one line per request or CONNECT), empty for microsocks.
    QByteArray accessLog() const;

private:
    bool writeSquidConfig();
    bool fail(const QString &message);

    Kind m_kind;
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace hopscope::test
