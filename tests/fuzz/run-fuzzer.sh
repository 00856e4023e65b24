#!/usr/bin/env bash
# CTest's run of one fuzzer (label fuzz): run-fuzzer.sh FUZZER WORKDIR SEEDS [libFuzzer flags...]
# Every seed runs first (the regression part: reproducers of fixed bugs live among the seeds),
# then the fuzzer mutates for the bounded time given in the flags. New inputs go to a scratch
# corpus under WORKDIR, never into the repository; a crash leaves WORKDIR/crash-* and fails.
set -euo pipefail
fuzzer="$1" work="$2" seeds="$3"
shift 3
rm -rf "$work"
mkdir -p "$work/corpus"
suppressions="$(cd "$(dirname "${BASH_SOURCE[0]}")/../sanitizers" && pwd)"
export LSAN_OPTIONS="suppressions=$suppressions/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
status=0
"$fuzzer" -artifact_prefix="$work/" "$@" "$work/corpus" "$seeds" || status=$?
if ((status != 0)); then
  echo "run-fuzzer: $(basename "$fuzzer") failed (exit $status); reproducer(s):" >&2
  ls -1 "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null >&2 || true
  echo "run-fuzzer: replay one with: $fuzzer <file>" >&2
fi
exit "$status"
