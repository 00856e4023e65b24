#pragma once

#include "net/protocoldriver.h"

#include <QList>
#include <QPointer>

#include <functional>
#include <utility>

namespace hopscope {

// A connection that an upgrade turned into a two-way session (WebSocket, a raw tunnel, a
// handler of the user's): the front end sends through it and is told when the peer speaks or
// the session ends. The exchange whose request offered the upgrade stays in flight for the
// session's whole life and finishes (finished()) when it ends: complete after a clean close,
// failed after a protocol violation or a cut connection.
class SessionDriver : public ProtocolDriver
{
    Q_OBJECT
public:
    using ProtocolDriver::ProtocolDriver;

    bool canSubmit() const override { return false; } // no more requests on this connection
    bool isReusable() const override { return false; }

    // WebSocket: a text message (UTF-8); raw tunnel: these bytes.
    virtual void sendText(const QByteArray &utf8) = 0;
    // WebSocket: a binary message; raw tunnel: these bytes.
    virtual void sendBinary(const QByteArray &data) = 0;
    // WebSocket: a ping with this payload; raw tunnel: nothing to do (returns false).
    virtual bool sendPing(const QByteArray &payload) { return false; }
    // Ends the session politely: WebSocket close handshake with code and reason; raw tunnel:
    // closes our side. finished() follows once the peer answered (or a timeout passed).
    virtual void closeSession(int code = 1000, const QString &reason = {}) = 0;
    // Ends an open session now, because the user stopped it (the window's Stop): the switch
    // happened and the session was used, so the exchange completes, not fails; the peer is told
    // (WebSocket: a close 1000) but not waited for. false when the session is not open and
    // running yet, or the driver cannot (the default): then abort() is the way to end it.
    virtual bool endSessionNow(const QString &reason)
    {
        Q_UNUSED(reason);
        return false;
    }
    virtual bool isSessionOpen() const = 0;

signals:
    // The peer sent something (a message, bytes, a ping): lingering front ends reset their clock.
    void peerActivity();

protected:
    // Client::protocolSwitched() comes before activation, so that front ends connect to the
    // driver before its first bytes (those that came with the 101) are delivered. What a front
    // end sends or closes from there is held and replayed, in order, by runHeldCalls(), which
    // the driver calls once it has taken those bytes: nothing it sends overtakes them.
    bool holdUntilRunning(std::function<void()> call)
    {
        if (m_running)
            return false;
        m_held.append(std::move(call));
        return true;
    }
    bool isRunning() const { return m_running; }
    void runHeldCalls()
    {
        m_running = true;
        const QPointer<SessionDriver> guard(this);
        const QList<std::function<void()>> held = std::exchange(m_held, {});
        for (const auto &call : held) {
            call();
            if (!guard)
                return;
        }
    }

private:
    bool m_running = false;
    QList<std::function<void()>> m_held;
};

} // namespace hopscope
