#pragma once

#include "core/requestspec.h"

#include <QString>
#include <QStringList>

namespace hopscope {

// Everything hopscope-cli was asked to do, parsed and checked. Parsing never exits the process,
// so tests can drive it.
struct CliOptions
{
    QList<RequestSpec> requests; // one per URL, in order
    QStringList outputs;         // -o, the n-th for the n-th URL
    bool verbose = false;
    QString traceJson;      // "" none, "-" stdout, else a file
    int runTimeoutMs = 0;   // --timeout: the whole run
    bool parallel = false;  // --parallel
    int maxConnections = 6; // --max-connections, per origin (HTTP/1.1)

    enum class Action { Run, Help, Version, UsageError };
    Action action = Action::Run;
    QString message; // help text, version text or usage error

    static CliOptions parse(const QStringList &arguments);
    static QString versionText();
};

} // namespace hopscope
