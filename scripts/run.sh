#!/usr/bin/env bash
# Builds Hopscope (installing what is missing) and shows it at work against a real Apache httpd
# (mod_http2) started here on loopback ports: hopscope-cli -v traces HTTP/1.1 keep-alive, an h2c
# upgrade with more requests multiplexed as streams, and a TLS `Upgrade: h2` advertisement
# followed to a new HTTP/2 connection. Extra arguments go to every hopscope-cli run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

CLI="$HOPSCOPE_BUILD/app/cli/hopscope-cli"
coproc PEER { exec "$HOPSCOPE_BUILD/tests/tools/hopscope-apache-peer"; }
trap 'exec {PEER[1]}>&- 2>/dev/null || true; wait "$PEER_PID" 2>/dev/null || true' EXIT
plain="" tls="" ca=""
while read -r key value <&"${PEER[0]}"; do
  case "$key" in
    PLAIN) plain="$value" ;;
    TLS) tls="$value" ;;
    CAFILE) ca="$value" ;;
    READY) break ;;
  esac
done
[ -n "$plain" ] || { echo "hopscope: the local Apache peer did not start" >&2; exit 1; }

banner() { printf '\n\033[1m== %s ==\033[0m\n' "$*" >&2; }
banner "HTTP/1.1: two requests on one keep-alive connection"
"$CLI" -v -o /dev/null -o /dev/null "$plain/small.txt" "$plain/cgi/chunked" "$@"
banner "h2c upgrade: stream 1 answers the upgraded request, two more ride along as streams 3 and 5"
"$CLI" -v --h2c --parallel -o /dev/null -o /dev/null -o /dev/null \
  "$plain/small.txt" "$plain/etag.txt" "$plain/cgi/chunked" "$@"
banner "TLS: HTTP/1.1 by ALPN, Apache advertises Upgrade: h2, the next request opens an HTTP/2 connection"
"$CLI" -v --cacert "$ca" --alpn http/1.1 -o /dev/null -o /dev/null "$tls/small.txt" "$tls/etag.txt" "$@"
