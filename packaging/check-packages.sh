#!/usr/bin/env bash
# Builds the DEB and TGZ installers from a configured build directory and checks that they hold
# the programs and declare their dependencies. Run by CTest (test "packaging").
set -euo pipefail
build="$1"
out="$build/packages"
rm -rf "$out"
(cd "$build" && cpack -G "DEB;TGZ" -B "$out" >/dev/null)
deb=$(ls "$out"/*.deb)
tgz=$(ls "$out"/*.tar.gz)
fail() { echo "packaging: $*" >&2; exit 1; }
dpkg-deb -c "$deb" | grep -q './usr/bin/hopscope-cli$' || fail "hopscope-cli missing from $deb"
depends=$(dpkg-deb -f "$deb" Depends)
for dep in libssl3 libnghttp2-14 libqt6network6 libqt6core6 libzstd1 libbrotli1 zlib1g; do
  grep -q "$dep" <<<"$depends" || fail "$deb does not depend on $dep (Depends: $depends)"
done
tar tzf "$tgz" | grep -q '/bin/hopscope-cli$' || fail "hopscope-cli missing from $tgz"
echo "packaging: $(basename "$deb") and $(basename "$tgz") hold hopscope-cli; Depends: $depends"
