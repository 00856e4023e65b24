#pragma once

// What the HTTP/2 driver suites (tst_http2_nghttpd, tst_http2_scripted) share: the driver as the
// Client uses it, without the Client (H2Client), and readers of the frames it traced.

#include "traceevents.h"

#include "core/bodysink.h"
#include "core/exchange.h"
#include "core/origin.h"
#include "http2/http2driver.h"
#include "net/connection.h"
#include "trace/tracestore.h"

#include <QCborArray>
#include <QList>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <optional>
#include <vector>

namespace hopscope::test::h2 {

constexpr int kTimeoutMs = 30000;

class CollectSink : public BodySink
{
public:
    explicit CollectSink(QByteArray *out) : m_out(out) {}
    bool write(QByteArrayView data) override
    {
        m_out->append(data);
        return true;
    }

private:
    QByteArray *m_out;
};

// The driver as the Client uses it, with nothing of the Client: one Connection, one
// Http2Driver, requests submitted as soon as canSubmit() allows and the rest on
// capacityAvailable().
class H2Client
{
public:
    explicit H2Client(QString baseUrl, QString caFile = {}, Http2Options options = {})
        : m_baseUrl(std::move(baseUrl)), m_caFile(std::move(caFile)), m_options(options)
    {
    }

    Exchange *add(const QByteArray &method, const QString &path, const QByteArray &body = {},
                  const QString &bodyFile = {}, const HeaderList &headers = {})
    {
        RequestSpec spec;
        spec.method = method;
        spec.url = QUrl(m_baseUrl + path);
        spec.body = body;
        spec.bodyFile = bodyFile;
        spec.headers = headers;
        spec.tls.caFile = m_caFile;
        spec.tls.alpn = {QByteArrayLiteral("h2")};
        bodies.push_back(std::make_unique<QByteArray>());
        exchanges.push_back(
            std::make_unique<Exchange>(quint32(exchanges.size() + 1), spec,
                                       std::make_unique<CollectSink>(bodies.back().get())));
        Exchange *ex = exchanges.back().get();
        pending.append(ex);
        return ex;
    }

    QByteArray &body(const Exchange *ex) { return *bodies.at(ex->id() - 1); }

    // waitForSettings: submit nothing before the server's SETTINGS arrived, so that its
    // MAX_CONCURRENT_STREAMS decides how many go at once. upgradeLeftover: start as after a 101
    // to h2c instead, the first exchange being stream 1 and these bytes having come with the 101.
    void start(bool waitForSettings = false, std::optional<QByteArray> upgradeLeftover = {})
    {
        Exchange *first = exchanges.front().get();
        conn = std::make_unique<Connection>(1, Origin::fromUrl(first->spec().url), first->spec(),
                                            &trace);
        QObject::connect(
            conn.get(), &Connection::ready, conn.get(), [this, waitForSettings, upgradeLeftover] {
                // As the Client does: the opening request gets the connection's phases.
                exchanges.front()->timings.setConnectionPhases(conn->timings());
                driver = new Http2Driver(conn.get(), m_options, conn.get());
                QObject::connect(driver, &ProtocolDriver::finished, conn.get(),
                                 [this](Exchange *ex, bool retryable) {
                                     finished.append({ex, retryable});
                                 });
                QObject::connect(driver, &ProtocolDriver::capacityAvailable, conn.get(),
                                 [this] { pump(); });
                QObject::connect(driver, &ProtocolDriver::closed, conn.get(),
                                 [this] { closedCount++; });
                if (upgradeLeftover) {
                    Exchange *upgraded = pending.takeFirst();
                    upgraded->timings.sendStart = upgraded->timings.sendEnd = trace.elapsedNs();
                    driver->startAfterUpgrade(upgraded, Http2Driver::settingsPayload(m_options),
                                              *upgradeLeftover);
                } else {
                    driver->startPriorKnowledge();
                }
                if (!waitForSettings)
                    pump();
            });
        QObject::connect(
            conn.get(), &Connection::failed, conn.get(),
            [this](const QByteArray &, const QString &message) { connectError = message; });
        for (const auto &ex : exchanges)
            ex->timings.start = trace.elapsedNs();
        conn->open(first->id());
    }

    void pump()
    {
        while (!pending.isEmpty() && driver->canSubmit()) {
            driver->submit(pending.takeFirst());
            maxInFlight = qMax(maxInFlight, driver->inFlight());
        }
    }

    bool allFinished() const { return finished.size() == qsizetype(exchanges.size()); }

    TraceStore trace;
    std::vector<std::unique_ptr<QByteArray>> bodies;
    std::vector<std::unique_ptr<Exchange>> exchanges;
    std::unique_ptr<Connection> conn; // declared last: goes first, with the driver it owns
    Http2Driver *driver = nullptr;
    QList<Exchange *> pending;
    QList<std::pair<Exchange *, bool>> finished;
    int maxInFlight = 0;
    int closedCount = 0;
    QString connectError;

private:
    QString m_baseUrl;
    QString m_caFile;
    Http2Options m_options;
};

inline QStringList flagsOf(const TraceEvent &ev)
{
    QStringList out;
    for (const QCborValue &v : ev.field(Field::Flags).toArray())
        out << v.toString();
    return out;
}

inline TraceBatch frames(const TraceStore &trace, Direction dir, const QString &type,
                         qint32 stream = -1)
{
    TraceBatch out;
    for (const TraceEvent &ev : eventsOf(trace, EventType::H2Frame)) {
        if (ev.dir == dir && ev.field(Field::Frame).toString() == type &&
            (stream < 0 || ev.scope.stream == stream))
            out.append(ev);
    }
    return out;
}

inline qint64 settingValue(const TraceEvent &ev, const QString &name)
{
    for (const QCborValue &s : ev.field(Field::Settings).toArray()) {
        if (s.toArray().at(0).toString() == name)
            return s.toArray().at(1).toInteger();
    }
    return -1;
}

// Header fields are traced as text (wireText); these tests compare bytes.
inline QByteArray headerIn(const QCborArray &headers, const QByteArray &name)
{
    for (const QCborValue &h : headers) {
        if (h.toArray().at(0).toString().toUtf8() == name)
            return h.toArray().at(1).toString().toUtf8();
    }
    return {};
}

inline bool hasHeaderNamed(const QCborArray &headers, const QByteArray &name)
{
    for (const QCborValue &h : headers) {
        if (h.toArray().at(0).toString().toUtf8() == name)
            return true;
    }
    return false;
}

} // namespace hopscope::test::h2
