#!/usr/bin/env bash
# Bulk-download throughput over cleartext HTTP/2, hopscope-cli against its peers measured in the
# same run on the same server: curl, nghttp and h2load. Prints MB/s (best of N runs) and the
# ratios. Not part of CTest: speed is measured here, never asserted in tests.
#
#   tests/bench/h2_bulk_download.sh [BUILD_DIR] [SIZE_MIB] [RUNS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
SIZE_MIB="${2:-512}"
RUNS="${3:-3}"
CLI="$BUILD/app/cli/hopscope-cli"
for tool in nghttpd nghttp h2load curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install nghttp2-server nghttp2-client curl)" >&2; exit 1; }
done
[ -x "$CLI" ] || { echo "build hopscope-cli first ($CLI)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom > "$work/bulk.bin"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
nghttpd --no-tls -d "$work" "$port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/bulk.bin"
bytes=$((SIZE_MIB * 1024 * 1024))

best() { # best wall time of RUNS runs of "$@", in seconds
  local best_t=""
  for _ in $(seq "$RUNS"); do
    local s e t
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    t=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.6f", b - a }')
    if [ -z "$best_t" ] || awk -v t="$t" -v b="$best_t" 'BEGIN { exit !(t < b) }'; then best_t=$t; fi
  done
  echo "$best_t"
}

declare -A rate
run() { local name=$1; shift; local t; t=$(best "$@"); rate[$name]=$(awk -v n="$bytes" -v t="$t" 'BEGIN { printf "%.3f", n / t / 1e6 }'); printf '%-10s %8.1f MB/s  (%.3f s)\n' "$name" "${rate[$name]}" "$t"; }

echo "HTTP/2 prior knowledge, cleartext, ${SIZE_MIB} MiB from nghttpd on loopback, best of $RUNS:"
run hopscope "$CLI" --h2c-prior -o /dev/null "$url"
run hopscope+trace "$CLI" --h2c-prior -o /dev/null --trace-json "$work/trace.jsonl" "$url"
run curl curl -s --http2-prior-knowledge -o /dev/null "$url"
run nghttp nghttp -n -w 30 -W 30 "$url"
run h2load h2load -n 1 -c 1 -w 30 -W 30 "$url"
printf 'hopscope with --trace-json / curl %.2f\n' "$(awk -v a="${rate[hopscope+trace]}" -v b="${rate[curl]}" 'BEGIN { printf "%.3f", a / b }')"
for peer in curl nghttp h2load; do
  printf 'hopscope / %-7s %.2f\n' "$peer" "$(awk -v a="${rate[hopscope]}" -v b="${rate[$peer]}" 'BEGIN { printf "%.3f", a / b }')"
done
