#!/usr/bin/env bash
# Builds everything (installing what is missing) and runs the whole CTest suite. Each test
# starts the peers it needs (Apache, nghttpd, the hostile peer) on free loopback ports.
set -euo pipefail
HOPSCOPE_TARGETS=() # everything: the programs, the test suites, the man pages
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$HOPSCOPE_BUILD"
ctest --output-on-failure --timeout 600 -j "$(nproc)" "$@"
