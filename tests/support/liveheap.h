#pragma once

#include <QtGlobal>

namespace hopscope::test {

// The bytes the process holds on the heap right now: what it allocated and has not freed, in
// every thread.
//
// A leak or a growth per exchange shows here byte for byte, where the resident set size hides
// it: RSS moves by whole pages, keeps what the allocator does not give back, and under
// AddressSanitizer is mostly the sanitizer's own (shadow memory, redzones, a quarantine of freed
// blocks of up to 256 MB), which is why the RSS budgets apply in the normal tree only
// (rssBudgetsApply(), clirunner.h). Live heap bytes mean the same in both trees:
//   - under ASan, __sanitizer_get_current_allocated_bytes(): ASan's allocator counts what was
//     allocated minus what was freed (a block in its quarantine counts as freed);
//   - with glibc's malloc, mallinfo2(): uordblks (bytes in use in every arena, chunk headers
//     included) plus hblkhd (blocks served by mmap).
// The two differ in bookkeeping, so compare a figure only with another from the same process.
qint64 liveHeapBytes();

// Which of the two liveHeapBytes() reads, for messages: "ASan allocator" or "glibc mallinfo2".
const char *liveHeapSource();

// Call first in main(). glibc keeps up to 7 freed blocks per size class and thread in a cache
// (the tcache) that mallinfo2() counts as in use: up to a few hundred KiB that come and go with
// the order of the frees (measured: 3-4 KiB a round of 100 connections, rising for a dozen
// rounds, none of it live). Without it, glibc's figure is exact. The cache is set at start only
// (GLIBC_TUNABLES=glibc.malloc.tcache_count=0), so the process runs itself again once with it
// set. Nothing to do under ASan, whose figure has no such cache.
void runWithoutMallocCache(char **argv);

} // namespace hopscope::test
