// hopscope-cli: the command-line twin of Hopscope. A thin shell over the engine: it parses the
// options, enqueues the requests, attaches the trace writers and turns the outcome into an exit
// status and error lines.
#include "clioptions.h"
#include "sessionrunner.h"

#include "client.h"
#include "core/exchange.h"
#include "trace/jsonlineswriter.h"
#include "trace/textwriter.h"
#include "trace/tracestore.h"

#include <QCoreApplication>
#include <QFile>
#include <QTimer>

#include <cstdio>
#include <memory>

using namespace hopscope;

namespace {

void printErr(const QString &text)
{
    const QByteArray b = text.toUtf8();
    std::fwrite(b.constData(), 1, size_t(b.size()), stderr);
    std::fflush(stderr);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hopscope-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HOPSCOPE_VERSION));

    const CliOptions opts = CliOptions::parse(QCoreApplication::arguments());
    switch (opts.action) {
    case CliOptions::Action::Help:
        std::fputs(opts.message.toUtf8().constData(), stdout);
        return 0;
    case CliOptions::Action::Version:
        std::fputs(opts.message.toUtf8().constData(), stdout);
        return 0;
    case CliOptions::Action::UsageError:
        printErr(QStringLiteral("hopscope-cli: usage error: %1\n").arg(opts.message));
        return 2;
    case CliOptions::Action::Run:
        break;
    }

    TraceStore trace;
    trace.setRetainEvents(false); // writers stream; memory stays flat on long runs

    QFile stdoutFile;
    stdoutFile.open(stdout, QIODevice::WriteOnly);
    QFile stderrFile;
    stderrFile.open(stderr, QIODevice::WriteOnly);
    std::unique_ptr<QFile> jsonFile;
    std::unique_ptr<JsonLinesWriter> json;
    if (!opts.traceJson.isEmpty()) {
        QIODevice *dev = &stdoutFile;
        if (opts.traceJson != u"-") {
            jsonFile = std::make_unique<QFile>(opts.traceJson);
            if (!jsonFile->open(QIODevice::WriteOnly | QIODevice::Truncate)) {
                printErr(QStringLiteral("hopscope-cli: error: cannot write trace %1: %2\n")
                             .arg(opts.traceJson, jsonFile->errorString()));
                return 1;
            }
            dev = jsonFile.get();
        }
        json = std::make_unique<JsonLinesWriter>(dev);
        json->attach(&trace);
    }
    std::unique_ptr<TextWriter> text;
    if (opts.verbose) {
        text = std::make_unique<TextWriter>(&stderrFile);
        text->attach(&trace);
    }

    Client client(&trace);
    client.setParallel(opts.parallel);
    client.setMaxConnectionsPerOrigin(opts.maxConnections);
    SessionRunner sessions(opts.sessionSends, opts.lingerMs);
    QObject::connect(&client, &Client::protocolSwitched, &sessions,
                     &SessionRunner::onProtocolSwitched);
    const bool stdoutTaken = opts.traceJson == u"-";
    for (qsizetype i = 0; i < opts.requests.size(); ++i) {
        std::unique_ptr<BodySink> sink;
        if (i < opts.outputs.size())
            sink = std::make_unique<FileSink>(opts.outputs.at(i));
        else if (!stdoutTaken)
            sink = std::make_unique<FileSink>(QStringLiteral("-"));
        client.enqueue(opts.requests.at(i), std::move(sink));
    }

    QTimer runTimer;
    runTimer.setSingleShot(true);
    runTimer.setTimerType(Qt::PreciseTimer); // coarse timers may fire 5% early
    QObject::connect(&runTimer, &QTimer::timeout, &client, [&] {
        client.abortAll(
            "timeout",
            QStringLiteral("run timed out after %1 s (--timeout)").arg(opts.runTimeoutMs / 1000.0));
    });
    QObject::connect(&client, &Client::allFinished, &app, [&] {
        client.shutdown(QStringLiteral("run finished"));
        QTimer::singleShot(0, &app, [] { QCoreApplication::exit(0); });
    });
    if (opts.runTimeoutMs > 0)
        runTimer.start(opts.runTimeoutMs);
    QTimer::singleShot(0, &client, &Client::start);
    app.exec();
    trace.flush();

    int failures = 0;
    for (Exchange *ex : client.exchanges()) {
        if (ex->state() == Exchange::State::Complete)
            continue;
        ++failures;
        printErr(QStringLiteral("hopscope-cli: error: %1 %2: %3\n")
                     .arg(QString::fromLatin1(ex->spec().method), ex->spec().url.toString(),
                          ex->error().isEmpty() ? QStringLiteral("not completed") : ex->error()));
    }
    return failures == 0 ? 0 : 1;
}
