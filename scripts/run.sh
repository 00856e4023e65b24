#!/usr/bin/env bash
# Builds Hopscope (installing what is missing) and shows it at work: hopscope-cli --demo starts
# the embedded demo server on loopback ports and runs the tour of protocol switches with the
# readable trace (-v): an h2c upgrade with two more requests multiplexed as streams, a TLS
# `Upgrade: h2` advertisement followed to a new HTTP/2 connection, a WebSocket exchange and a
# `tcp` upgrade. Extra arguments go to hopscope-cli (e.g. --trace-json tour.jsonl).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec "$HOPSCOPE_BUILD/app/cli/hopscope-cli" --demo "$@"
