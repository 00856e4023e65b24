#!/usr/bin/env bash
# Builds the DEB and TGZ installers from a built build directory and checks what a user and
# Debian's tools see: two .debs (hopscope-cli without Qt Widgets, X11 or OpenGL; hopscope
# depending on it), each with its programs, man page, completions and copyright, declaring their
# dependencies, and clean under lintian, desktop-file-validate and appstreamcli. Run by CTest
# (test "packaging").
set -euo pipefail
build="$1"
out="$build/packages"
rm -rf "$out"
fail() { echo "packaging: $*" >&2; exit 1; }
step() { echo "packaging: $*"; }

mkdir -p "$out"
(cd "$build" && cpack -G "DEB;TGZ" -B "$out" >"$out/cpack.log" 2>&1) ||
  fail "cpack failed: $(cat "$out/cpack.log")"
rm -rf "$out/_CPack_Packages" # cpack's staging tree; only the packages are of interest
shopt -s nullglob
cli_debs=("$out"/hopscope-cli_*.deb)
gui_debs=("$out"/hopscope_*.deb)
tgzs=("$out"/*.tar.gz)
((${#cli_debs[@]} == 1 && ${#gui_debs[@]} == 1 && ${#tgzs[@]} == 1)) ||
  fail "expected hopscope-cli_*.deb, hopscope_*.deb and one .tar.gz in $out, got: $(ls "$out")"
cli=${cli_debs[0]} gui=${gui_debs[0]} tgz=${tgzs[0]}
(($(ls "$out"/*.deb | wc -l) == 2)) || fail "more than two .debs: $(ls "$out")"

# Each file in its package, not empty.
has_files() {
  local deb=$1 contents
  shift
  contents=$(dpkg-deb -c "$deb")
  for f in "$@"; do
    local line
    line=$(grep " \./${f#/}\$" <<<"$contents") || fail "$f missing from $(basename "$deb")"
    [[ $(awk '{print $3}' <<<"$line") -gt 0 ]] || fail "$f is empty in $(basename "$deb")"
  done
}
has_files "$cli" /usr/bin/hopscope-cli /usr/share/man/man1/hopscope-cli.1.gz \
  /usr/share/bash-completion/completions/hopscope-cli \
  /usr/share/zsh/vendor-completions/_hopscope-cli \
  /usr/share/doc/hopscope-cli/copyright /usr/share/doc/hopscope-cli/changelog.Debian.gz
has_files "$gui" /usr/bin/hopscope /usr/share/man/man1/hopscope.1.gz \
  /usr/share/bash-completion/completions/hopscope /usr/share/zsh/vendor-completions/_hopscope \
  /usr/share/doc/hopscope/copyright /usr/share/doc/hopscope/changelog.Debian.gz \
  /usr/share/applications/hopscope.desktop /usr/share/icons/hicolor/scalable/apps/hopscope.svg \
  /usr/share/metainfo/io.hopscope.Hopscope.metainfo.xml
! dpkg-deb -c "$cli" | grep -q " ./usr/bin/hopscope\$" || fail "the GUI is in the cli package"
! dpkg-deb -c "$gui" | grep -q " ./usr/bin/hopscope-cli\$" || fail "hopscope-cli is in the GUI package"
step "files: both packages hold their program, man page, completions, copyright and changelog"

# Unpacked, for the checks that read files.
root="$out/root"
mkdir -p "$root/cli" "$root/gui"
dpkg-deb -x "$cli" "$root/cli"
dpkg-deb -x "$gui" "$root/gui"

# The man pages are real pages: a NAME, the options from --help, the include file's sections.
for prog in hopscope-cli hopscope; do
  dir="$root/cli"
  [[ $prog == hopscope ]] && dir="$root/gui"
  page=$(gzip -dc "$dir/usr/share/man/man1/$prog.1.gz")
  for section in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
    grep -q "^\.SH \"\?$section\"\?\$" <<<"$page" || fail "$prog.1 has no $section section"
  done
  grep -q -- '-\\-version' <<<"$page" || fail "$prog.1 does not list --version"
done
step "man pages: NAME, SYNOPSIS, DESCRIPTION, EXIT STATUS, ENVIRONMENT, FILES, EXAMPLES, SEE ALSO"

# copyright: machine-readable (DEP-5), the project's license.
for dir in "$root/cli/usr/share/doc/hopscope-cli" "$root/gui/usr/share/doc/hopscope"; do
  head -1 "$dir/copyright" |
    grep -qx "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" ||
    fail "$dir/copyright is not in DEP-5 format"
  grep -q "^License: Expat" "$dir/copyright" || fail "$dir/copyright names no license"
done

# Dependencies. The CLI needs no display: neither its Depends nor the libraries its installed
# binary loads may bring Qt Widgets/Gui, X11 or OpenGL.
cli_depends=$(dpkg-deb -f "$cli" Depends)
gui_depends=$(dpkg-deb -f "$gui" Depends)
for dep in libssl3 libnghttp2-14 libqt6network6 libqt6core6 libzstd1 libbrotli1 zlib1g; do
  grep -qw "$dep" <<<"$cli_depends" || fail "hopscope-cli does not depend on $dep ($cli_depends)"
done
for dep in libqt6widgets6 libqt6gui6 libqt6opengl6 libx11 libxcb libgl libegl libopengl; do
  ! grep -q "$dep" <<<"$cli_depends" || fail "hopscope-cli depends on $dep ($cli_depends)"
done
libs=$(ldd "$root/cli/usr/bin/hopscope-cli")
! grep -q "not found" <<<"$libs" || fail "hopscope-cli: a library is missing: $libs"
for lib in libQt6Widgets libQt6Gui libX11 libxcb libGL libEGL libOpenGL; do
  ! grep -q "$lib" <<<"$libs" || fail "the installed hopscope-cli loads $lib"
done
version=$(dpkg-deb -f "$cli" Version)
grep -q "hopscope-cli (= $version)" <<<"$gui_depends" ||
  fail "hopscope does not depend on hopscope-cli (= $version) ($gui_depends)"
for dep in libqt6widgets6 libqt6gui6 libqt6svg6 libssl3; do
  grep -qw "$dep" <<<"$gui_depends" || fail "hopscope does not depend on $dep ($gui_depends)"
done
step "hopscope-cli Depends: $cli_depends"
step "hopscope Depends: $gui_depends"

# The desktop entry and the AppStream metadata as installed.
desktop=$(desktop-file-validate "$root/gui/usr/share/applications/hopscope.desktop" 2>&1) ||
  fail "desktop-file-validate: $desktop"
! grep -Eq "error|warning" <<<"$desktop" || fail "desktop-file-validate: $desktop"
appstream=$(appstreamcli validate --no-net \
  "$root/gui/usr/share/metainfo/io.hopscope.Hopscope.metainfo.xml" 2>&1) ||
  fail "appstreamcli validate: $appstream"
step "desktop-file-validate and appstreamcli validate: clean"

# lintian: no error and no warning; what cannot be fixed is overridden, with the reason, in
# packaging/debian/<package>.lintian-overrides.
lintian_out=$(lintian --fail-on error,warning --tag-display-limit 0 "$cli" "$gui" 2>&1) ||
  fail "lintian:
$lintian_out"
lintian_out=$(grep -v "running with root privileges" <<<"$lintian_out" || true) # as on CI
step "lintian: clean${lintian_out:+ (
$lintian_out)}"

listing=$(tar tzf "$tgz") # into a variable: `tar | grep -q` would die of SIGPIPE under pipefail
for f in /bin/hopscope-cli /bin/hopscope /share/applications/hopscope.desktop \
         /share/man/man1/hopscope-cli.1.gz /share/man/man1/hopscope.1.gz; do
  grep -q "$f\$" <<<"$listing" || fail "$f missing from $tgz"
done
rm -rf "$root"
step "$(basename "$cli"), $(basename "$gui") and $(basename "$tgz") checked"
