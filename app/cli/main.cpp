// hopscope-cli: the command-line twin of Hopscope. A thin shell over the engine: it parses the
// options, enqueues the requests, attaches the trace writers and turns the outcome into an exit
// status and error lines.
#include "clioptions.h"
#include "cookiejar.h"
#include "demotour.h"
#include "exitcodes.h"
#include "harrecorder.h"
#include "requestfeeder.h"
#include "responsesink.h"
#include "sessionrunner.h"
#include "sessionsaver.h"
#include "writeout.h"

#include "client.h"
#include "core/exchange.h"
#include "core/redirectpolicy.h"
#include "demoserver.h"
#include "demoserverthread.h"
#include "trace/jsonlineswriter.h"
#include "trace/textwriter.h"
#include "trace/tracestore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSocketNotifier>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <memory>
#include <unistd.h>

using namespace hopscope;

namespace {

void printOut(const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

void printErr(const QString &text)
{
    const QByteArray b = text.toUtf8();
    std::fwrite(b.constData(), 1, size_t(b.size()), stderr);
    std::fflush(stderr);
}

// SIGINT/SIGTERM end the event loop (through a pipe: only async-signal-safe work in the handler),
// so --serve-demo stops its server cleanly.
void quitOnSignals(QCoreApplication *app)
{
    static int fds[2];
    if (::pipe(fds) != 0)
        return;
    auto handler = [](int) { [[maybe_unused]] auto n = ::write(fds[1], "x", 1); };
    std::signal(SIGINT, handler);
    std::signal(SIGTERM, handler);
    auto *notifier = new QSocketNotifier(fds[0], QSocketNotifier::Read, app);
    QObject::connect(notifier, &QSocketNotifier::activated, app, &QCoreApplication::quit);
}

int serveDemo(QCoreApplication &app)
{
    DemoServer server;
    QString error;
    if (!server.start(&error)) {
        printErr(
            QStringLiteral("hopscope-cli: error: the demo server did not start: %1\n").arg(error));
        return 1;
    }
    std::printf("Hopscope demo server (Ctrl+C stops it)\n");
    for (const QString &line : server.describe())
        std::printf("  %s\n", qPrintable(line));
    std::printf("CA certificate for https: %s\n", qPrintable(server.caFile()));
    std::fflush(stdout);
    quitOnSignals(&app);
    app.exec();
    server.stop();
    return 0;
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
        return exitcode::Usage;
    case CliOptions::Action::ServeDemo:
        return serveDemo(app);
    case CliOptions::Action::Run:
    case CliOptions::Action::Demo:
        break;
    }
    const bool demo = opts.action == CliOptions::Action::Demo;

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
    CookieJar cookies;
    cookies.addAll(opts.cookiesLoaded, QDateTime::currentSecsSinceEpoch());
    // Failures are counted and told as they happen: the client keeps no finished exchange. The
    // exit status is the first failure's (exitcodes.h).
    int failures = 0;
    int exitStatus = exitcode::Ok;
    QHash<quint32, QByteArray> upgrades; // request -> the token a 101 switched to (%{upgrade})
    // How the request ended, as an exit status and a message (Ok and empty when it succeeded).
    auto outcome = [&](const Exchange &ex) -> std::pair<int, QString> {
        if (ex.state() != Exchange::State::Complete) {
            QString message = ex.error().isEmpty() ? QStringLiteral("not completed") : ex.error();
            const QString hint = cliErrorHint(ex.errorCode(), !ex.spec().tls.caFile.isEmpty());
            if (!hint.isEmpty())
                message += QStringLiteral(" (%1)").arg(hint);
            return {exitCodeForError(ex.errorCode()), message};
        }
        if (opts.failOnHttpError && ex.status >= 400) {
            QString status = QString::number(ex.status);
            if (!ex.reason.isEmpty())
                status += QLatin1Char(' ') + QString::fromLatin1(ex.reason);
            return {exitcode::HttpError,
                    QStringLiteral("the server answered %1 (-f/--fail: a status of 400 or more "
                                   "fails)")
                        .arg(status)};
        }
        return {exitcode::Ok, QString()};
    };
    auto finished = [&](const Exchange &ex) {
        if (opts.cookieEngine && ex.status > 0)
            cookies.takeFromResponse(ex.spec().url, ex.responseHeaders,
                                     QDateTime::currentSecsSinceEpoch());
        if (ex.nextHop)
            return; // a redirect that was followed (-L): the chain's last exchange tells
        const auto [code, message] = outcome(ex);
        if (code != exitcode::Ok) {
            ++failures;
            if (exitStatus == exitcode::Ok)
                exitStatus = code;
            if (!opts.silent || opts.showError) {
                trace.flush(); // the trace of the request (-v) comes before its error line
                printErr(QStringLiteral("hopscope-cli: error: %1 %2: %3\n")
                             .arg(QString::fromLatin1(ex.spec().method), ex.spec().url.toString(),
                                  message));
            }
        }
        const QByteArray upgrade = upgrades.take(ex.id());
        if (!opts.writeOut.isEmpty()) {
            TransferInfo info = TransferInfo::of(ex);
            info.exitCode = code;
            info.errorMessage = message;
            info.upgrade = upgrade;
            printOut(WriteOut::expand(opts.writeOut, info));
        }
    };
    QObject::connect(&client, &Client::exchangeFinished, &client,
                     [&](Exchange *ex) { finished(*ex); });
    // A 101: %{upgrade} names the token, and -i writes the 101's head before what follows.
    QObject::connect(&client, &Client::protocolSwitched, &client, [&](Exchange *ex) {
        upgrades.insert(ex->id(), ex->spec().upgradeToken());
        if (auto *sink = dynamic_cast<ResponseSink *>(ex->sink()))
            sink->writeSwitchHead(*ex);
    });
    // -L with the cookie engine: the next hop gets the cookies held for its URL, those the
    // redirect itself set included (as curl).
    if (opts.cookieEngine) {
        client.setRedirectHook([&](const Exchange &from, RequestSpec &next) {
            const qint64 now = QDateTime::currentSecsSinceEpoch();
            cookies.takeFromResponse(from.spec().url, from.responseHeaders, now);
            if (!opts.urls.isEmpty() && hasHeader(opts.urls.first().headers, "Cookie"))
                return; // -H Cookie replaces the engine's, as for the first request
            next.headers.removeIf([](const HttpHeader &h) {
                return h.name.compare("Cookie", Qt::CaseInsensitive) == 0;
            });
            QByteArray cookie =
                sameOrigin(from.chain.hop > 0 ? from.chain.firstUrl : from.spec().url, next.url) ||
                        next.redirects.trusted
                    ? opts.cookieLiteral
                    : QByteArray();
            const QByteArray held = cookies.cookieHeader(next.url, now);
            if (!held.isEmpty())
                cookie += (cookie.isEmpty() ? "" : "; ") + held;
            if (!cookie.isEmpty())
                next.headers.append(HttpHeader{"Cookie", cookie});
        });
    }
    client.setParallel(opts.parallel);
    client.setMaxConnectionsPerOrigin(opts.maxConnections);
    SessionRunner sessions(opts.sessionSends, opts.lingerMs);
    QObject::connect(&client, &Client::protocolSwitched, &sessions,
                     &SessionRunner::onProtocolSwitched);
    RequestFeeder feeder(&client, opts, opts.cookieEngine ? &cookies : nullptr);
    std::unique_ptr<HarRecorder> har;
    if (!opts.har.isEmpty()) {
        const QFileInfo dir(QFileInfo(opts.har).absolutePath());
        if (!dir.isDir() || !dir.isWritable()) {
            printErr(QStringLiteral("hopscope-cli: error: cannot write HAR %1: no writable "
                                    "directory %2\n")
                         .arg(opts.har, dir.filePath()));
            return 1;
        }
        har = std::make_unique<HarRecorder>(&trace, &client, opts.har, opts.harSecrets);
        feeder.setHarRecorder(har.get());
    }
    std::unique_ptr<SessionSaver> saver;
    if (!opts.save.isEmpty()) {
        saver = std::make_unique<SessionSaver>(&trace, &client, opts.save);
        QString error;
        if (!saver->open(&error)) {
            printErr(QStringLiteral("hopscope-cli: error: %1\n").arg(error));
            return 1;
        }
    }
    if (!demo)
        feeder.start();

    QTimer runTimer;
    runTimer.setSingleShot(true);
    runTimer.setTimerType(Qt::PreciseTimer); // coarse timers may fire 5% early
    std::unique_ptr<DemoTour> tour;
    QObject::connect(&runTimer, &QTimer::timeout, &client, [&] {
        if (tour)
            tour->stop();
        feeder.enqueueRest(); // each request not sent gets its `not sent` error
        client.abortAll(
            "timeout",
            QStringLiteral("run timed out after %1 s (--timeout)").arg(opts.runTimeoutMs / 1000.0));
    });
    auto finishRun = [&] {
        client.shutdown(QStringLiteral("run finished"));
        QTimer::singleShot(0, &app, [] { QCoreApplication::exit(0); });
    };
    DemoServerThread demoServer;
    if (demo) {
        QString error;
        if (!demoServer.start(&error)) {
            printErr(QStringLiteral("hopscope-cli: error: the demo server did not start: %1\n")
                         .arg(error));
            return 1;
        }
        const DemoServer *server = demoServer.server();
        tour = std::make_unique<DemoTour>(
            &client, &sessions, &trace,
            DemoTour::Urls{server->baseUrl(false), server->baseUrl(true), server->caFile()});
        QObject::connect(tour.get(), &DemoTour::finished, &app, finishRun);
        QTimer::singleShot(0, tour.get(), &DemoTour::start);
    } else {
        QObject::connect(&client, &Client::allFinished, &app, finishRun);
        QTimer::singleShot(0, &client, &Client::start);
    }
    if (opts.runTimeoutMs > 0)
        runTimer.start(opts.runTimeoutMs);
    app.exec();
    trace.flush();

    // Whatever never finished (nothing should, once the loop ended) counts as a failure too.
    for (const Exchange *ex : client.unfinished())
        finished(*ex);
    if (!opts.cookieJar.isEmpty()) {
        const QByteArray jar = cookies.toNetscape();
        if (opts.cookieJar == u"-") {
            printOut(jar);
        } else {
            QFile file(opts.cookieJar);
            if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
                file.write(jar) != jar.size()) {
                printErr(QStringLiteral("hopscope-cli: error: cannot write the cookie jar %1: %2\n")
                             .arg(opts.cookieJar, file.errorString()));
                if (exitStatus == exitcode::Ok)
                    exitStatus = exitcode::WriteError;
            }
        }
    }
    if (har) {
        QString error;
        if (!har->write(&error)) {
            printErr(QStringLiteral("hopscope-cli: error: %1\n").arg(error));
            if (exitStatus == exitcode::Ok)
                exitStatus = exitcode::WriteError;
        }
    }
    if (saver) {
        QString error;
        if (!saver->finish(&error)) {
            printErr(QStringLiteral("hopscope-cli: error: %1\n").arg(error));
            if (exitStatus == exitcode::Ok)
                exitStatus = exitcode::WriteError;
        }
    }
    if (failures > 0 && exitStatus == exitcode::Ok)
        exitStatus = exitcode::Failure;
    return exitStatus;
}
