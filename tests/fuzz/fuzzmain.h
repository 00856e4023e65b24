#pragma once

// The Qt side of a fuzzer: one QCoreApplication for the whole run (made in
// LLVMFuzzerInitialize, before the first input), and the event-loop turns a driver needs between
// reads (queued bytesWritten(), deferred deletes).

#include <QCoreApplication>
#include <QEvent>

#include <cstddef>
#include <cstdint>

namespace hopscope::fuzz {

inline void startQt(int *argc, char ***argv)
{
    if (QCoreApplication::instance())
        return;
    // Lives for the whole process (reachable, so no leak); libFuzzer's own flags are left in argv
    // and Qt ignores what it does not know.
    new QCoreApplication(*argc, *argv);
}

// Runs what the drivers posted (queued signals, deferred deletes) until nothing is left, at most
// `turns` rounds: an input must not make the loop run forever.
inline void turnEventLoop(int turns = 4)
{
    for (int i = 0; i < turns; ++i) {
        QCoreApplication::sendPostedEvents();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
}

} // namespace hopscope::fuzz

// Each fuzzer's LLVMFuzzerInitialize is this.
#define HOPSCOPE_FUZZ_QT_INIT                                                                      \
    extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)                                   \
    {                                                                                              \
        hopscope::fuzz::startQt(argc, argv);                                                       \
        return 0;                                                                                  \
    }
