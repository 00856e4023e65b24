#!/usr/bin/env bash
# Builds hopscope and hopscope-cli, nothing else (installing what is missing), and opens the
# window on the embedded demo server, running the tour of protocol switches: an h2c upgrade with
# two more requests multiplexed as streams, a TLS `Upgrade: h2` advertisement followed to a new
# HTTP/2 connection, a WebSocket exchange and a `tcp` upgrade. Extra arguments go to the app
# (e.g. a URL for the composer).
#
# Without a display (a plain SSH session, CI) it says so and shows the same tour in the terminal
# with hopscope-cli --demo instead.
set -euo pipefail
HOPSCOPE_TARGETS=(hopscope hopscope-cli) # only what runs here; ./scripts/test.sh builds the rest
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  started=$SECONDS
  set +e
  "$HOPSCOPE_BUILD/app/gui/hopscope" --demo "$@"
  rc=$?
  set -e
  # Qt gives up at once (exit 1) when the display cannot be opened; fall through to the CLI tour.
  if ((rc == 0 || SECONDS - started > 5)); then
    exit "$rc"
  fi
  echo "hopscope: could not open a window on display '${DISPLAY:-$WAYLAND_DISPLAY}'." >&2
else
  echo "hopscope: no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window cannot" >&2
  echo "open. Here is the same demo tour in the terminal (hopscope-cli --demo); on a desktop," >&2
  echo "./scripts/run.sh opens the Hopscope window." >&2
fi
exec "$HOPSCOPE_BUILD/app/cli/hopscope-cli" --demo
