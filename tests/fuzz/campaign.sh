#!/usr/bin/env bash
# A local fuzzing campaign: tests/fuzz/campaign.sh [SECONDS] [FUZZER...]
#
# Builds the fuzzers (clang, ASan + UBSan, libFuzzer) in the sanitizer tree, ./build-sanitize
# (HOPSCOPE_SANITIZE_BUILD overrides it; the same tree scripts/sanitize.sh uses), then runs each
# fuzzer for SECONDS (default 300) on one core, one after another, over its seeds
# (tests/fuzz/seeds/NAME) and a corpus kept between campaigns in build-sanitize/fuzz-corpus/NAME.
# Prints per fuzzer the executions, executions per second, coverage (edges) and features, and
# the path of every crash, leak, timeout or out-of-memory reproducer it left. Exit status 1 when
# any fuzzer found something.
#
# To replay a reproducer: build-sanitize/tests/fuzz/NAME FILE. Once the bug is fixed, copy the file
# into tests/fuzz/seeds/NAME (CTest then replays it on every run) and add a regression test to
# the normal suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${HOPSCOPE_SANITIZE_BUILD:-$ROOT/build-sanitize}"
SECONDS_EACH="${1:-300}"
shift || true
ALL=(fuzz_http1_response fuzz_upgrade_handover fuzz_h2_driver fuzz_websocket_frames
     fuzz_content_decoder fuzz_trace_reader)
FUZZERS=("$@")
((${#FUZZERS[@]})) || FUZZERS=("${ALL[@]}")

if [ ! -f "$BUILD/build.ninja" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DHOPSCOPE_FUZZ=ON "${launcher[@]}" >&2
fi
cmake --build "$BUILD" --target hopscope_fuzzers >&2

export LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export QT_QPA_PLATFORM=offscreen
found=0
summary=()
for name in "${FUZZERS[@]}"; do
  corpus="$BUILD/fuzz-corpus/$name"
  artifacts="$BUILD/fuzz-artifacts/$name"
  log="$BUILD/fuzz-artifacts/$name.log"
  mkdir -p "$corpus" "$artifacts"
  args=(-max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  dict="$ROOT/tests/fuzz/dict/$name.dict"
  [ -f "$dict" ] && args+=(-dict="$dict")
  echo "== $name: ${SECONDS_EACH}s (log: $log)" >&2
  touch "$artifacts/.started"
  status=0
  "$BUILD/tests/fuzz/$name" "${args[@]}" "$corpus" "$ROOT/tests/fuzz/seeds/$name" >"$log" 2>&1 ||
    status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
  size=$(find "$corpus" -type f | wc -l)
  line="$name: ${runs:-?} runs, ${speed:-?}/s, ${cov:-cov: ?}, corpus $size inputs"
  if ((status != 0)); then
    found=1
    line+=", FAILED (exit $status):"
    while IFS= read -r f; do line+=$'\n'"    reproducer: $f"; done \
      < <(find "$artifacts" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
            -o -name 'timeout-*' -o -name 'oom-*' \) -newer "$artifacts/.started" 2>/dev/null)
    line+=$'\n'"    $(grep -m1 -E 'ERROR|invariant broken|runtime error' "$log" || true)"
  fi
  summary+=("$line")
  echo "$line" >&2
done
echo
echo "Campaign summary (${SECONDS_EACH}s each):"
printf '  %s\n' "${summary[@]}"
exit "$found"
