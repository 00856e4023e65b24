#!/usr/bin/env bash
# Every benchmark of docs/performance.md in one run, each against its peers measured in the same
# run on the same servers (best of RUNS wall times), printed as a table of ratios. Starts its
# own peers on loopback (nghttpd, Apache through hopscope-apache-peer) and stops them. Not part
# of CTest: speed is measured here, never asserted in tests.
#
#   tests/bench/run.sh [BUILD_DIR] [--runs N] [--quick] [--gui] [--bulk]
#     --quick  fewer requests (2,000 / 4,000 / 500 / 20,000) for a smoke run
#     --gui    also the window's flood benchmark (gui_flood.sh --engine, 100,000 exchanges) and
#              opening a million-event trace and session file in the window, and saving one
#              (trace_open_bench)
#     --bulk   also 512 MiB over h2c prior knowledge (h2_bulk_download.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="$ROOT/build"
RUNS=3
QUICK=0
GUI=0
BULK=0
while (($#)); do
  case "$1" in
    --runs) RUNS="$2"; shift ;;
    --quick) QUICK=1 ;;
    --gui) GUI=1 ;;
    --bulk) BULK=1 ;;
    *) BUILD="$1" ;;
  esac
  shift
done
CLI="$BUILD/app/cli/hopscope-cli"
APACHE_PEER="$BUILD/tests/tools/hopscope-apache-peer"
STORE_BENCH="$BUILD/tests/bench/trace_store_bench"
for tool in nghttpd nghttp h2load curl /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/setup.sh installs it)" >&2; exit 1; }
done
cmake --build "$BUILD" --target hopscope-cli hopscope-apache-peer trace_store_bench >/dev/null

N=20000; N2=40000; H1=5000; BIG=200000
if ((QUICK)); then N=2000; N2=4000; H1=500; BIG=20000; fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
waitport() { for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

# nghttpd: cleartext HTTP/2 (prior knowledge), a 6-byte body.
mkdir -p "$work/www"; printf 'hello\n' >"$work/www/f"
h2port=$(freeport)
nghttpd --no-tls -d "$work/www" "$h2port" >/dev/null 2>&1 &
pids+=($!)
waitport "$h2port"
H2URL="http://127.0.0.1:$h2port/f"

# Apache (the integration tests' configuration): HTTP/1.1 keep-alive.
coproc APACHE { "$APACHE_PEER"; }
pids+=("$APACHE_PID")
H1BASE=""
while read -r key value <&"${APACHE[0]}"; do
  [ "$key" = PLAIN ] && H1BASE="$value"
  [ "$key" = READY ] && break
done
[ -n "$H1BASE" ] || { echo "Apache did not start" >&2; exit 1; }
H1URL="${H1BASE%/}/small.txt"
curl -sf -o /dev/null "$H1URL" || H1URL="${H1BASE%/}/"

best() { # best wall time in seconds of RUNS runs of "$@" (output discarded)
  local best_t="" s e t
  for _ in $(seq "$RUNS"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }; e=$(date +%s%N)
    t=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    if [ -z "$best_t" ] || awk -v t="$t" -v b="$best_t" 'BEGIN { exit !(t < b) }'; then best_t=$t; fi
  done
  echo "$best_t"
}
peak_rss_mb() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{ printf "%.0f", $1 / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() { printf '| %s | %s | %s | %s | %s |\n' "$@"; }

curl_config() { # a curl config that fetches URL N times to /dev/null
  local n=$1 url=$2 f="$work/curl-$1.cfg"
  : >"$f"
  for _ in $(seq "$n"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url" >>"$f"; done
  echo "$f"
}

echo "Measuring (best of $RUNS); peers on loopback: nghttpd $H2URL, Apache $H1URL" >&2
t_trace=$(best "$CLI" --h2c-prior --parallel --repeat "$N" "$H2URL" -o /dev/null --trace-json "$work/t.jsonl")
t_plain=$(best "$CLI" --h2c-prior --parallel --repeat "$N" "$H2URL" -o /dev/null)
t_plain2=$(best "$CLI" --h2c-prior --parallel --repeat "$N2" "$H2URL" -o /dev/null)
t_nghttp=$(best nghttp -n -m "$N" "$H2URL")
t_nghttpv=$(best sh -c "nghttp -nv -m $N '$H2URL' >'$work/nghttp.txt'")
t_h2load=$(best h2load -n "$N" -c 1 -m 100 "$H2URL")
t_h1par=$(best "$CLI" --http1.1 --parallel --max-connections 6 --repeat "$H1" "$H1URL" -o /dev/null)
t_h1seq=$(best "$CLI" --http1.1 --repeat "$H1" "$H1URL" -o /dev/null)
cfg=$(curl_config "$H1" "$H1URL")
t_curlpar=$(best curl -s --parallel --parallel-max 6 -K "$cfg")
t_curlseq=$(best curl -s -K "$cfg")
rss_big=$(peak_rss_mb "$CLI" --h2c-prior --parallel --repeat "$BIG" "$H2URL" -o /dev/null --trace-json "$work/big.jsonl")
rss_nghttp=$(peak_rss_mb nghttp -n -m "$N" "$H2URL")
store_line=$("$STORE_BENCH" 1000000 --no-keep)
store_keep_line=$("$STORE_BENCH" 1000000)

echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), $(date -u +%F)"
echo
row "work" "Hopscope" "peer (same run)" "ratio" "goal"
row "---" "---" "---" "---" "---"
row "$N multiplexed requests, JSON trace to a file" "${t_trace} s" "nghttp -n ${t_nghttp} s" "$(ratio "$t_trace" "$t_nghttp")" "≤ 1.5"
row "$N multiplexed requests, no trace" "${t_plain} s" "nghttp -n ${t_nghttp} s" "$(ratio "$t_plain" "$t_nghttp")" "≤ 1.2"
row "$N multiplexed requests, JSON trace vs a tracing peer" "${t_trace} s" "nghttp -nv ${t_nghttpv} s" "$(ratio "$t_trace" "$t_nghttpv")" "(context)"
row "$N multiplexed requests, no trace vs h2load" "${t_plain} s" "h2load -m 100 ${t_h2load} s" "$(ratio "$t_plain" "$t_h2load")" "(context)"
row "linear: $N2 vs $N requests, no trace" "${t_plain2} s" "${t_plain} s ($N)" "$(ratio "$t_plain2" "$t_plain")" "≤ 2.2"
row "$H1 HTTP/1.1 requests to Apache, --parallel, 6 conns" "${t_h1par} s" "curl --parallel-max 6 ${t_curlpar} s" "$(ratio "$t_h1par" "$t_curlpar")" "≤ 1.0"
row "the same, vs our own sequential run" "${t_h1par} s" "hopscope seq ${t_h1seq} s" "$(ratio "$t_h1par" "$t_h1seq")" "< 1.0"
row "$H1 HTTP/1.1 requests, sequential" "${t_h1seq} s" "curl sequential ${t_curlseq} s" "$(ratio "$t_h1seq" "$t_curlseq")" "(context)"
row "peak RSS, $BIG requests with --trace-json" "${rss_big} MB" "nghttp -n $N: ${rss_nghttp} MB" "" "≤ 100 MB"
echo
echo "$store_line (goal: 1,000,000 appends < 0.3 s, record ≤ 64 bytes)"
echo "$store_keep_line"

if ((BULK)); then
  echo
  "$ROOT/tests/bench/h2_bulk_download.sh" "$BUILD" 512 "$RUNS"
fi
if ((GUI)); then
  echo
  "$ROOT/tests/bench/gui_flood.sh" "$BUILD" -- --engine --exchanges 100000
  # A trace of about a million events (112,000 multiplexed requests), opened in the window.
  cmake --build "$BUILD" --target trace_open_bench >/dev/null
  # The same run also as a session file (--save): saved by the window, then opened.
  "$CLI" --h2c-prior --parallel --repeat 112000 "$H2URL" -o /dev/null --trace-json "$work/million.jsonl" \
    --save "$work/million.hopscope" >/dev/null
  echo "$(wc -l <"$work/million.jsonl") events in $(du -m "$work/million.jsonl" | cut -f1) MB of JSON lines," \
    "$(du -m "$work/million.hopscope" | cut -f1) MB as a session file:"
  QT_QPA_PLATFORM=offscreen "$BUILD/tests/bench/trace_open_bench" "$work/million.jsonl" \
    --save "$work/saved.hopscope" 2>/dev/null
  QT_QPA_PLATFORM=offscreen "$BUILD/tests/bench/trace_open_bench" "$work/million.hopscope" 2>/dev/null
fi
