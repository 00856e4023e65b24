#!/usr/bin/env bash
# Makes the README's screenshot from the real app: builds (as run.sh does), starts hopscope on a
# virtual X display (Xvfb, 1600x1000), runs the demo tour, selects the h2c upgrade and saves the
# window to docs/images/hopscope.png (or the file given).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
out="${1:-$HOPSCOPE_ROOT/docs/images/hopscope.png}"
theme="${HOPSCOPE_THEME:-light}"
HOPSCOPE_THEME="$theme" xvfb-run -a -s "-screen 0 1600x1000x24" \
  "$HOPSCOPE_BUILD/app/gui/hopscope" --screenshot "$out"
