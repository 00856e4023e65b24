#pragma once

// What every fuzzer shares: how an input is cut into the reads a socket would deliver, and how a
// broken invariant is reported (a crash libFuzzer keeps as a reproducer, with the reason).

#include <QByteArrayView>
#include <QList>

#include <cstdio>
#include <cstdlib>

namespace hopscope::fuzz {

// Cuts `data` into pieces the way a socket might deliver it. `seed` 0 gives one piece; otherwise
// the piece lengths come from a small generator seeded by it: mostly short (1-16 bytes, where a
// parser's resumption points are), some long, so that every byte boundary gets its turn.
inline QList<QByteArrayView> slices(QByteArrayView data, quint8 seed)
{
    QList<QByteArrayView> out;
    if (seed == 0) {
        if (!data.isEmpty())
            out.append(data);
        return out;
    }
    quint32 state = 0x9e3779b9u * seed;
    qsizetype pos = 0;
    while (pos < data.size()) {
        state = state * 1664525u + 1013904223u;
        const quint32 r = state >> 16;
        const qsizetype len =
            (r & 0x300) == 0 ? qsizetype(64 + (r & 0xff)) : qsizetype(1 + (r & 15));
        const qsizetype n = qMin(len, data.size() - pos);
        out.append(data.sliced(pos, n));
        pos += n;
    }
    return out;
}

// An invariant the code under test promises did not hold: say which, and crash so that libFuzzer
// saves the input.
[[noreturn]] inline void broken(const char *what)
{
    std::fprintf(stderr, "\nfuzz invariant broken: %s\n", what);
    std::abort();
}

inline void check(bool ok, const char *what)
{
    if (!ok)
        broken(what);
}

} // namespace hopscope::fuzz
