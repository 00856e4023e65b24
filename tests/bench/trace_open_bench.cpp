// Opens a JSON-lines trace or a session file in a real, shown MainWindow (as `hopscope FILE`
// does) and prints how long until it is usable: the file read into the store, every model
// filled, and the event loop idle again (the first paint done); with --save, then how long File ▸
// Save session takes to write it all as a session file. Run by tests/bench/run.sh --gui; never
// part of CTest.
//
//   trace_open_bench FILE [--save OUT]   (QT_QPA_PLATFORM=offscreen works)

#include "mainwindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <cstdio>

using namespace hopscope;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: trace_open_bench FILE\n");
        return 2;
    }
    MainWindow::Options options;
    options.startDemo = false;
    options.restoreSettings = false;
    MainWindow window(options);
    window.resize(1600, 1000);
    window.show();
    QElapsedTimer timer;
    QTimer::singleShot(0, &window, [&] {
        timer.start();
        QString error;
        if (!window.openTrace(QString::fromLocal8Bit(argv[1]), &error)) {
            std::fprintf(stderr, "trace_open_bench: %s\n", qPrintable(error));
            QApplication::exit(1);
            return;
        }
        const qint64 opened = timer.elapsed();
        // Usable once everything the open queued (model updates, layout, paint) has run.
        QTimer::singleShot(0, &window, [&window, &timer, opened, argc, argv] {
            window.repaint();
            std::printf("trace_open: %s: openTrace %lld ms, usable (models filled, painted) "
                        "%lld ms\n",
                        argv[1], qlonglong(opened), qlonglong(timer.elapsed()));
            if (argc >= 4 && qstrcmp(argv[2], "--save") == 0) {
                QElapsedTimer save;
                save.start();
                QString error;
                if (!window.saveSession(QString::fromLocal8Bit(argv[3]), &error)) {
                    std::fprintf(stderr, "trace_open_bench: %s\n", qPrintable(error));
                    QApplication::exit(1);
                    return;
                }
                std::printf("trace_open: saved as a session file in %lld ms\n",
                            qlonglong(save.elapsed()));
            }
            QApplication::exit(0);
        });
    });
    return app.exec();
}
