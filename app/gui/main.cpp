// hopscope: the GUI. With no arguments it opens on the embedded demo server with the tour's
// requests ready to send; --demo also runs the tour; a URL fills the composer.

#include "mainwindow.h"
#include "models/timelinemodel.h"
#include "style/apptheme.h"
#include "views/timelineview.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QScreen>
#include <QTimer>

#include <cstdio>

using namespace hopscope;

namespace {

struct GuiOptions
{
    QCommandLineOption demo{QStringLiteral("demo"),
                            QStringLiteral("Run the demo tour against the embedded demo server "
                                           "at start.")};
    QCommandLineOption noDemo{QStringLiteral("no-demo-server"),
                              QStringLiteral("Do not start the embedded demo server.")};
    QCommandLineOption screenshot{
        QStringLiteral("screenshot"),
        QStringLiteral("With --demo: when the tour has finished, show the h2c upgrade, save a "
                       "screenshot of the window to FILE and quit."),
        QStringLiteral("FILE")};
    QCommandLineOption fresh{QStringLiteral("fresh"),
                             QStringLiteral("Ignore and keep the saved window layout and options "
                                            "(for screenshots and demos).")};
    QCommandLineOption trace{
        QStringLiteral("trace"),
        QStringLiteral("Open a session file (hopscope-cli --save, File ▸ Save session), a "
                       "JSON-lines trace (hopscope-cli --trace-json) or a HAR file read-only."),
        QStringLiteral("FILE")};
};

void setIdentity()
{
    QCoreApplication::setApplicationName(QStringLiteral("hopscope"));
    QCoreApplication::setOrganizationName(QStringLiteral("Hopscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HOPSCOPE_VERSION));
}

void describe(QCommandLineParser &parser, const GuiOptions &o)
{
    parser.setApplicationDescription(
        QStringLiteral("Watch HTTP connections change protocol, frame by frame."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("url|file"),
                                 QStringLiteral("A URL to put in the request composer, or a "
                                                "session file, JSON-lines trace or HAR file to "
                                                "open read-only."),
                                 QStringLiteral("[url | file]"));
    parser.addOptions({o.demo, o.noDemo, o.screenshot, o.fresh, o.trace});
}

// --help and --version print text: they must work over ssh and in a package build, where there is
// no display and QApplication would abort in the platform plug-in before any option is read.
bool onlyWantsText(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const QByteArrayView arg(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-v" ||
            arg == "--version" || arg == "-?")
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    const GuiOptions o;
    if (onlyWantsText(argc, argv)) {
        QCoreApplication core(argc, argv);
        setIdentity();
        QCommandLineParser parser;
        describe(parser, o);
        parser.process(core); // prints and exits
        return 0;
    }

    QApplication app(argc, argv);
    setIdentity();
    QApplication::setApplicationDisplayName(QStringLiteral("Hopscope"));
    QApplication::setDesktopFileName(QStringLiteral("hopscope"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/hopscope/hopscope.svg")));

    QCommandLineParser parser;
    describe(parser, o);
    const QCommandLineOption &demo = o.demo, &noDemo = o.noDemo, &screenshot = o.screenshot,
                             &fresh = o.fresh, &trace = o.trace;
    parser.process(app);

    applySystemTheme(app);

    MainWindow::Options options;
    options.startDemo = !parser.isSet(noDemo);
    options.runTour = parser.isSet(demo) || parser.isSet(screenshot);
    options.restoreSettings = !parser.isSet(fresh) && !parser.isSet(screenshot);
    QString traceFile = parser.value(trace);
    if (!parser.positionalArguments().isEmpty()) {
        // `hopscope FILE`: a file that exists (a session, a trace, a HAR) is opened, anything
        // else is a URL for the composer.
        const QString arg = parser.positionalArguments().constFirst();
        if (traceFile.isEmpty() && !arg.contains(QLatin1String("://")) && QFileInfo(arg).isFile())
            traceFile = arg;
        else
            options.url = arg;
    }
    if (!traceFile.isEmpty()) {
        options.traceFile = traceFile;
        options.startDemo = false;
        // Nothing to show: say so where the command was typed, and no empty window.
        if (const QString problem = MainWindow::unreadableTrace(options.traceFile);
            !problem.isEmpty()) {
            std::fprintf(stderr, "hopscope: %s\n", qPrintable(problem));
            return 1;
        }
    }
    if (options.runTour && !options.startDemo) {
        std::fprintf(stderr, "hopscope: --demo needs the embedded demo server\n");
        return 2;
    }

    MainWindow window(options);
    if (!options.restoreSettings) {
        // The screenshot is always 1600x1000 (the README's image); otherwise the window must fit
        // the screen it opens on, or its right side and the timeline's end fall off a small one.
        QSize size(1600, 1000);
        if (!parser.isSet(screenshot))
            if (const QScreen *screen = window.screen())
                size = size.boundedTo(screen->availableGeometry().size());
        window.resize(size);
    }
    window.show();

    if (parser.isSet(screenshot)) {
        const QString path = QFileInfo(parser.value(screenshot)).absoluteFilePath();
        QObject::connect(&window, &MainWindow::tourFinished, &window, [&window, path] {
            // The window already shows the h2c upgrade; let the views settle.
            QTimer::singleShot(400, &window, [&window, path] {
                QDir().mkpath(QFileInfo(path).absolutePath());
                const bool ok = window.grab().save(path);
                std::fprintf(ok ? stdout : stderr, "%s %s\n",
                             ok ? "screenshot saved to" : "hopscope: could not save",
                             qPrintable(path));
                QApplication::exit(ok ? 0 : 1);
            });
        });
        QTimer::singleShot(60'000, &app, [] {
            std::fprintf(stderr, "hopscope: the tour did not finish within 60 s\n");
            QApplication::exit(1);
        });
    }
    return app.exec();
}
