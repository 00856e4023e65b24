#!/usr/bin/env bash
# GUI flood: ~1,000,000 synthetic trace events (100,000 exchanges) fed to the SessionStore in
# batches of 4096 every 16 ms while a window shows the trace log, the connection tree, the
# timeline model and a frames table. Prints ingest time, events/s, event-loop stalls (p99,
# worst), filter rebuild times over every event and peak RSS, with ratios against the budgets
# (stall p99 < 50 ms, worst < 250 ms, filter < 1 s) and a verdict line. Not part of CTest.
#
#   tests/bench/gui_flood.sh [BUILD_DIR] [-- gui_flood options: --exchanges N --batch N
#                            --interval MS --log-only --no-follow]
# Runs offscreen (QT_QPA_PLATFORM=offscreen) unless HOPSCOPE_BENCH_DISPLAY=xvfb asks for
# xvfb-run (real X11 painting) or =native keeps the current display.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
shift || true
[ "${1:-}" = "--" ] && shift
BIN="$BUILD/tests/bench/gui_flood"
if [ ! -x "$BIN" ] || [ -n "$(find "$ROOT/ui" "$ROOT/tests/bench" -newer "$BIN" -name '*.[ch]*' -print -quit)" ]; then
  [ -f "$BUILD/build.ninja" ] || [ -f "$BUILD/Makefile" ] || cmake -S "$ROOT" -B "$BUILD" -G Ninja
  cmake --build "$BUILD" --target gui_flood -j"${JOBS:-2}"
fi
case "${HOPSCOPE_BENCH_DISPLAY:-offscreen}" in
  xvfb)
    command -v xvfb-run >/dev/null || { echo "xvfb-run missing (apt-get install xvfb)" >&2; exit 1; }
    exec xvfb-run -a -s "-screen 0 1920x1200x24" env QT_QPA_PLATFORM=xcb "$BIN" "$@" ;;
  native)
    exec "$BIN" "$@" ;;
  *)
    exec env QT_QPA_PLATFORM=offscreen "$BIN" "$@" ;;
esac
