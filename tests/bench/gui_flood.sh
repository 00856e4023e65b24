#!/usr/bin/env bash
# GUI flood benchmark. Not part of CTest: prints numbers, a table and a verdict line against
# the budgets (stall p99 < 50 ms, worst < 250 ms, every trace-log filter rebuild < 1 s).
#
# Synthetic mode (default): ~1,000,000 generated trace events (100,000 exchanges) fed to a
# SessionStore in batches of 4096 every 16 ms while a window shows the trace log, the
# connection tree, the timeline and the exchange detail. Prints ingest time, events/s,
# event-loop stalls (p99, p99.9, worst), filter rebuild times over every event and peak RSS.
#
# Engine mode (--engine): the real thing. A real MainWindow (1600x1000, shown, no settings
# touched) starts its embedded demo server, then sends N requests (default 100,000) through
# EngineHost to it, by default GET /bytes/64 over HTTP/2 prior knowledge with 100 streams in
# flight on one connection: engine thread -> TraceStore batches -> SessionStore -> every pane.
# Prints the wall time until all N are finished in the store, exchanges/s and events/s, the
# batches, stalls, filter rebuilds, RSS growth, failures (by code) and, once the window is idle,
# h2load against the same demo server as a peer:
#   "Hopscope GUI end-to-end vs h2load: X req/s vs Y req/s (ratio)".
# A hang (nothing finishing for --hang-seconds) or any failed request fails the verdict.
#
#   tests/bench/gui_flood.sh [BUILD_DIR] [-- gui_flood options]
#     synthetic: --exchanges N --batch N --interval MS --views tree,timeline,log,detail
#                --no-follow --profile-filter N
#     engine:    --engine --exchanges N --parallel P --protocol h2c|h1|mixed
#                (h1: HTTP/1.1 keep-alive on the pool's 6 connections; mixed: half each, at
#                once, no peer) --path /bytes/64 --no-peer --hang-seconds S
#                --size WxH (window, default 1600x1000) --screenshot FILE.png (after the run, a
#                stream two thirds of the way selected; HOPSCOPE_THEME=dark|light picks the theme)
#                --hide tree,timeline,detail (diagnosis: those panes hidden, their models live)
#   e.g. tests/bench/gui_flood.sh build -- --engine --exchanges 2000
# Runs offscreen (QT_QPA_PLATFORM=offscreen) unless HOPSCOPE_BENCH_DISPLAY=xvfb asks for
# xvfb-run (real X11 painting) or =native keeps the current display. Engine mode needs h2load
# (nghttp2-client) for the peer figure only.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
shift || true
[ "${1:-}" = "--" ] && shift
BIN="$BUILD/tests/bench/gui_flood"
if [ ! -x "$BIN" ] || [ -n "$(find "$ROOT/ui" "$ROOT/engine" "$ROOT/tests/bench" -newer "$BIN" -name '*.[ch]*' -print -quit)" ]; then
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
