#!/usr/bin/env bash
# Installs what Hopscope needs on Debian 12 (only what is missing), then configures and builds
# with all cores into ./build: the targets named as arguments (`./scripts/setup.sh hopscope`), or
# those in the array HOPSCOPE_TARGETS when sourced (scripts/run.sh: the two programs only, so
# that a first run is quick), else everything (scripts/test.sh). scripts/sanitize.sh sources it
# with HOPSCOPE_SETUP_ONLY=1: install, do not build.
set -euo pipefail
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  HOPSCOPE_TARGETS=("$@")
fi

HOPSCOPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOPSCOPE_BUILD="${HOPSCOPE_BUILD:-$HOPSCOPE_ROOT/build}"

# Build tools and libraries, then the real peers the tests start (Apache with mod_http2,
# nghttp2's server and client, Python h2 and websockets), then what headless GUI runs need.
PACKAGES=(
  build-essential cmake ninja-build pkg-config git clang-format
  # The sanitizer tree and the fuzzers (scripts/sanitize.sh, tests/fuzz): clang, libFuzzer and
  # the sanitizer runtimes.
  clang libclang-rt-14-dev
  qt6-base-dev qt6-base-dev-tools libgl-dev libqt6opengl6-dev libqt6svg6 fonts-dejavu-core
  libnghttp2-dev zlib1g-dev libbrotli-dev libzstd-dev libwslay-dev libssl3 libssl-dev openssl
  ca-certificates
  # HTTP/3: ngtcp2 (QUIC, with its GnuTLS crypto helper) and nghttp3 (HTTP/3, QPACK); the tests'
  # HTTP/3 peer is ngtcp2's own example server, gtlsserver; its client, gtlsclient, is the peer
  # tests/bench/h3_bulk_download.sh measures against.
  libngtcp2-dev libngtcp2-crypto-gnutls-dev libnghttp3-dev libgnutls28-dev ngtcp2-server
  ngtcp2-client
  apache2 nghttp2-server nghttp2-client curl python3 python3-h2 python3-websockets
  # tst_cli_proxy's real proxies: squid (HTTP forwarding and CONNECT) and microsocks (SOCKS5).
  squid microsocks
  xvfb xauth imagemagick file
  # tshark: tst_wire_fidelity's loopback capture. It needs capture rights (root, as on CI);
  # noninteractive answers Debian's question about non-root capture with its default, no.
  tshark
  # Packaging: help2man writes the man pages at build time (configuring fails without it); the
  # packaging test checks the .debs with lintian, desktop-file-validate and appstreamcli, and
  # the completions test checks the zsh completion's syntax.
  help2man lintian desktop-file-utils appstream zsh
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "hopscope: installing missing Debian packages: ${missing[*]}" >&2
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "hopscope: need root or sudo to install packages" >&2; exit 1; }
    SUDO=(sudo)
  fi
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  # Debian starts a system Apache on port 80 when it is installed; Hopscope's tests run their
  # own instances and need none.
  if pgrep -x apache2 >/dev/null && [ -x /usr/sbin/apache2ctl ]; then
    "${SUDO[@]}" apache2ctl -k stop >/dev/null 2>&1 || true
  fi
fi

# scripts/sanitize.sh wants the packages only: it builds a tree of its own.
if [ -n "${HOPSCOPE_SETUP_ONLY:-}" ]; then
  return 0 2>/dev/null || exit 0
fi

if [ ! -f "$HOPSCOPE_BUILD/build.ninja" ]; then
  cmake -S "$HOPSCOPE_ROOT" -B "$HOPSCOPE_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
fi
cmake --build "$HOPSCOPE_BUILD" --parallel "$(nproc)" \
  ${HOPSCOPE_TARGETS[@]:+--target "${HOPSCOPE_TARGETS[@]}"} >&2
