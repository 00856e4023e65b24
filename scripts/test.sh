#!/usr/bin/env bash
# Builds everything (installing what is missing) and runs the whole CTest suite. Each test
# starts the peers it needs (Apache, nghttpd, the hostile peer) on free loopback ports.
# Then the same suite again under ASan + LSan + UBSan, with every fuzzer for a bounded time
# (scripts/sanitize.sh, ./build-sanitize); HOPSCOPE_TEST_SANITIZERS=0 skips that second run.
# Extra arguments go to both ctest runs (e.g. -R tst_websocket). docs/testing.md has the details.
set -euo pipefail
HOPSCOPE_TARGETS=() # everything: the programs, the test suites, the man pages
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$HOPSCOPE_BUILD"
status=0
ctest --output-on-failure --timeout 600 -j "$(nproc)" "$@" || status=$?
if [ "${HOPSCOPE_TEST_SANITIZERS:-1}" != 0 ]; then
  "$HOPSCOPE_ROOT/scripts/sanitize.sh" "$@" || status=$?
fi
exit "$status"
