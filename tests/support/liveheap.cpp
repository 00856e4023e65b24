#include "liveheap.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOPSCOPE_LIVEHEAP_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) // g++ -fsanitize=address
#define HOPSCOPE_LIVEHEAP_ASAN 1
#endif

#ifdef HOPSCOPE_LIVEHEAP_ASAN
#include <sanitizer/allocator_interface.h>
#else
#include <malloc.h>
#endif

#include <QByteArray>

#include <cstdio>
#include <cstdlib>

#include <unistd.h>

namespace hopscope::test {

qint64 liveHeapBytes()
{
#ifdef HOPSCOPE_LIVEHEAP_ASAN
    return qint64(__sanitizer_get_current_allocated_bytes());
#else
    const struct mallinfo2 info = mallinfo2();
    return qint64(info.uordblks + info.hblkhd);
#endif
}

const char *liveHeapSource()
{
#ifdef HOPSCOPE_LIVEHEAP_ASAN
    return "ASan allocator";
#else
    return "glibc mallinfo2";
#endif
}

void runWithoutMallocCache(char **argv)
{
#ifndef HOPSCOPE_LIVEHEAP_ASAN
    constexpr char kNoCache[] = "glibc.malloc.tcache_count=0";
    QByteArray tunables = qgetenv("GLIBC_TUNABLES");
    if (tunables.contains(kNoCache))
        return;
    tunables = tunables.isEmpty() ? QByteArray(kNoCache) : tunables + ':' + kNoCache;
    ::setenv("GLIBC_TUNABLES", tunables.constData(), 1);
    ::execv("/proc/self/exe", argv);
    // Still here: the figures keep the cache's noise, which the test's bounds then have to hold.
    std::perror("liveheap: could not run again without glibc's tcache");
#else
    Q_UNUSED(argv);
#endif
}

} // namespace hopscope::test
