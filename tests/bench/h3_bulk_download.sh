#!/usr/bin/env bash
# Bulk-download throughput over HTTP/3 (QUIC on loopback UDP), hopscope-cli against ngtcp2's own
# example client measured in the same run on the same server (gtlsserver, ngtcp2 with GnuTLS as
# Hopscope uses it). Prints MB/s (best of N runs) and the ratios. Not part of CTest: speed is
# measured here, never asserted in tests. Peers: ngtcp2-server and ngtcp2-client (scripts/setup.sh
# installs both).
#
#   tests/bench/h3_bulk_download.sh [BUILD_DIR] [SIZE_MIB] [RUNS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
SIZE_MIB="${2:-256}"
RUNS="${3:-3}"
CLI="$BUILD/app/cli/hopscope-cli"
for tool in gtlsserver gtlsclient openssl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/setup.sh installs it)" >&2; exit 1; }
done
[ -x "$CLI" ] || { echo "build hopscope-cli first ($CLI)" >&2; exit 1; }

work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom > "$work/bulk.bin"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
port="$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
gtlsserver -q -d "$work" 127.0.0.1 "$port" "$work/key.pem" "$work/cert.pem" >/dev/null 2>&1 &
server=$!
sleep 0.5
url="https://127.0.0.1:$port/bulk.bin"
bytes=$((SIZE_MIB * 1024 * 1024))

best() { # best wall time of RUNS runs of "$@", in seconds
  local best_t=""
  for _ in $(seq "$RUNS"); do
    local s e t
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; e=$(date +%s.%N)
    t=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.6f", b - a }')
    if [ -z "$best_t" ] || awk -v t="$t" -v b="$best_t" 'BEGIN { exit !(t < b) }'; then best_t=$t; fi
  done
  echo "$best_t"
}

declare -A rate
run() { local name=$1; shift; local t; t=$(best "$@"); rate[$name]=$(awk -v n="$bytes" -v t="$t" 'BEGIN { printf "%.3f", n / t / 1e6 }'); printf '%-16s %8.1f MB/s  (%.3f s)\n' "$name" "${rate[$name]}" "$t"; }

echo "HTTP/3 over QUIC, ${SIZE_MIB} MiB from gtlsserver on loopback, best of $RUNS:"
run hopscope "$CLI" --http3-only --cacert "$work/cert.pem" -o /dev/null "$url"
run hopscope+trace "$CLI" --http3-only --cacert "$work/cert.pem" -o /dev/null --trace-json "$work/trace.jsonl" "$url"
# gtlsclient with the same flow-control windows as ours (16 MiB a stream, 64 MiB the
# connection); it reads the body and drops it (-q, no --download).
run gtlsclient gtlsclient -q --exit-on-all-streams-close --max-stream-data-bidi-local=16M \
  --max-data=64M 127.0.0.1 "$port" "$url"
for name in hopscope hopscope+trace; do
  printf '%-14s / gtlsclient %.2f\n' "$name" "$(awk -v a="${rate[$name]}" -v b="${rate[gtlsclient]}" 'BEGIN { printf "%.3f", a / b }')"
done
