#!/usr/bin/env bash
# Builds Hopscope (installing what is missing) and shows it at work: a real Apache httpd started
# here on loopback ports, and hopscope-cli -v tracing two keep-alive requests over HTTP/1.1 and
# one over TLS. Extra arguments go to hopscope-cli.
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

echo "== hopscope-cli -v: two requests on one keep-alive connection, then TLS ==" >&2
"$CLI" -v -o /dev/null -o /dev/null "$plain/small.txt" "$plain/cgi/chunked" "$@"
"$CLI" -v --cacert "$ca" "$tls/small.txt" "$@"
