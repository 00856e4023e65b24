#!/usr/bin/env bash
# The second run of scripts/test.sh: the whole suite again, built with clang, AddressSanitizer
# (LeakSanitizer included) and UndefinedBehaviorSanitizer in ./build-sanitize, any report or leak
# fatal, then every fuzzer for a bounded time over its seeds (CTest label `fuzz`, part of the same
# tree). Extra arguments go to ctest. docs/testing.md says what runs and why.
#
# Left out here, each run once already by the normal tree: `packaging` (builds the installers,
# which checks packaging, not code, and would package sanitized binaries) and `format` (the
# sources' formatting does not depend on the compiler).
#
set -euo pipefail
# Installs what is missing (clang and libclang-rt-14-dev are in setup.sh's list), no normal build.
HOPSCOPE_SETUP_ONLY=1 source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
SANITIZE_BUILD="${HOPSCOPE_SANITIZE_BUILD:-$HOPSCOPE_ROOT/build-sanitize}"

if [ ! -f "$SANITIZE_BUILD/build.ninja" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$HOPSCOPE_ROOT" -B "$SANITIZE_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DHOPSCOPE_FUZZ=ON "${launcher[@]}" >&2
fi
cmake --build "$SANITIZE_BUILD" --parallel "$(nproc)" >&2

supp="$HOPSCOPE_ROOT/tests/sanitizers"
# Every process a test starts (hopscope-cli, the GUI test executables) inherits these. Leaks are
# errors (detect_leaks is ASan's default on Linux); LeakSanitizer's exit code fails the test.
export ASAN_OPTIONS="detect_leaks=1:check_initialization_order=1:strict_init_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

cd "$SANITIZE_BUILD"
echo "hopscope: the sanitizer suite (ASan + LSan + UBSan) and the fuzzers in $SANITIZE_BUILD" >&2
ctest --output-on-failure --timeout 900 -j "$(nproc)" -E '^(packaging|format)$' "$@"
