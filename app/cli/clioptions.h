#pragma once

#include "cookiejar.h"
#include "demotourplan.h"

#include "core/requestspec.h"

#include <QString>
#include <QStringList>

namespace hopscope {

// Everything hopscope-cli was asked to do, parsed and checked. Parsing never exits the process,
// so tests can drive it.
struct CliOptions
{
    QList<RequestSpec> urls; // one request per URL, in order
    int repeat = 1;          // --repeat: each URL this many times in a row
    QStringList outputs;     // -o, the n-th for the n-th request
    bool verbose = false;
    QString traceJson;       // "" none, "-" stdout, else a file
    QString har;             // --har: HAR 1.2 of the run to this file ("" none)
    bool harSecrets = false; // --har-secrets: keep Authorization and cookie values in the HAR
    QString save;            // --save: a session file of the run ("" none)
    int runTimeoutMs = 0;    // --timeout: the whole run
    // What to send once a request's connection became a session (WebSocket, raw tunnel), in
    // order, and how long the peer may stay quiet before the CLI closes it.
    using SessionSend = SessionMessage;
    QList<SessionSend> sessionSends;
    int lingerMs = 1000;    // --linger
    bool parallel = false;  // --parallel
    int maxConnections = 6; // --max-connections, per origin (HTTP/1.1)

    // curl's output habits.
    bool includeHead = false;     // -i/--include (and -I): the response head before the body
    bool silent = false;          // -s/--silent: no error lines ...
    bool showError = false;       // -S/--show-error: ... unless -S
    bool failOnHttpError = false; // -f/--fail: status >= 400 is a failure (exit 22), no body
    QString writeOut;             // -w/--write-out, the format (an @FILE already read)
    // curl's cookie engine: on with -b or -c. Cookies from -b FILE (Netscape format) and from
    // responses' Set-Cookie go to later requests; -c writes them all at the end.
    bool cookieEngine = false;
    QList<Cookie> cookiesLoaded; // from -b FILE
    QByteArray cookieLiteral;    // -b 'name=value; n2=v2', sent as is
    QString cookieJar;           // -c/--cookie-jar FILE

    enum class Action { Run, Help, Version, UsageError, Demo, ServeDemo };
    Action action = Action::Run;
    QString message; // help text, version text or usage error

    // The run's requests, without a copy per repeat: the n-th (0-based) is URL n / repeat.
    qsizetype requestCount() const { return urls.size() * repeat; }
    const RequestSpec &request(qsizetype n) const { return urls.at(n / repeat); }

    static CliOptions parse(const QStringList &arguments);
    static QString versionText();
};

} // namespace hopscope
