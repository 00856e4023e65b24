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
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/hopscope-cli ./usr/bin/hopscope ./usr/share/applications/hopscope.desktop \
         ./usr/share/icons/hicolor/scalable/apps/hopscope.svg \
         ./usr/share/metainfo/io.hopscope.Hopscope.metainfo.xml; do
  grep -q " $f\$" <<<"$contents" || fail "$f missing from $deb"
done
depends=$(dpkg-deb -f "$deb" Depends)
for dep in libssl3 libnghttp2-14 libqt6network6 libqt6core6 libqt6widgets6 libqt6gui6 libqt6svg6 \
           libzstd1 libbrotli1 zlib1g; do
  grep -q "$dep" <<<"$depends" || fail "$deb does not depend on $dep (Depends: $depends)"
done
listing=$(tar tzf "$tgz") # into a variable: `tar | grep -q` would die of SIGPIPE under pipefail
for f in /bin/hopscope-cli /bin/hopscope /share/applications/hopscope.desktop; do
  grep -q "$f\$" <<<"$listing" || fail "$f missing from $tgz"
done
echo "packaging: $(basename "$deb") and $(basename "$tgz") hold hopscope and hopscope-cli; Depends: $depends"
