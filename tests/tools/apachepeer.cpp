// hopscope-apache-peer: starts the same Apache the integration tests use (tests/support's
// ApacheFixture) and keeps it running until stdin closes or a signal arrives, so that scripts
// (the README's run command) and people can point hopscope-cli at a real server.
#include "apachefixture.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <unistd.h>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    hopscope::test::ApacheFixture apache;
    if (!apache.start()) {
        std::fprintf(stderr, "hopscope-apache-peer: %s\n", qPrintable(apache.errorString()));
        return 1;
    }
    std::printf("PLAIN %s\nTLS %s\nCAFILE %s\nREADY\n", qPrintable(apache.baseUrl(false)),
                qPrintable(apache.baseUrl(true)), qPrintable(apache.caFile()));
    std::fflush(stdout);

    // Stop on SIGINT/SIGTERM too, so Apache never outlives this process.
    static int pipeFds[2];
    if (::pipe(pipeFds) != 0)
        return 1;
    auto onSignal = [](int) { [[maybe_unused]] auto n = ::write(pipeFds[1], "x", 1); };
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    QSocketNotifier sig(pipeFds[0], QSocketNotifier::Read);
    QObject::connect(&sig, &QSocketNotifier::activated, &app, &QCoreApplication::quit);
    QSocketNotifier in(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&in, &QSocketNotifier::activated, &app, [&] {
        char buf[256];
        if (::read(STDIN_FILENO, buf, sizeof buf) <= 0)
            QCoreApplication::quit();
    });
    app.exec();
    apache.stop();
    return 0;
}
