#!/usr/bin/env bash
# The completions and the man page's own sections follow the programs, so they cannot drift:
#   - every long and short option `--help` lists is offered by the bash and the zsh completion,
#     and the completions offer no option `--help` does not list;
#   - the --limit names hopscope-cli knows are the ones the completions offer;
#   - every exit status in app/cli/exitcodes.h has an entry in the man page's EXIT STATUS;
#   - both parse (bash -n, zsh -n); the bash completion, sourced into bash, completes options,
#     limit names and -w variables.
# Usage: check-completions.sh HOPSCOPE_CLI HOPSCOPE SOURCE_DIR. Run by CTest (test "completions").
set -euo pipefail
cli="$1" gui="$2" src="$3"
dir="$src/packaging/completions"
fail() { echo "completions: $*" >&2; exit 1; }

# The options a --help text lists: its "  -x, --long <VALUE>   description" lines (Qt indents
# them by two spaces, their continuation lines by more).
options_in_help() {
  env -u DISPLAY -u WAYLAND_DISPLAY "$1" --help |
    grep -E '^  -' | sed -E 's/^ +//; s/  +.*//' | tr ',' '\n' | sed -E 's/^ +//; s/ .*//' |
    sort -u
}
# The options a completion offers: in a bash file, the words of its option lists (`local
# with_value="…"`, `flags="…"`, `options="…"`); in a zsh file, the options its _arguments specs
# define, without their [descriptions], (exclusion lists) and :message:actions.
options_in_file() {
  local text
  if [[ $1 == *.bash ]]; then
    text=$(sed -nE '/^ *local (with_value|flags|options)="/,/"$/p' "$1" | sed -E 's/^.*="//')
  else
    text=$(sed -n '/^_arguments/,/^$/{/^_arguments/d;p}' "$1" | sed -E "s/\[[^]]*\]//g; s/\([^)]*\)//g; s/:[^']*//g")
  fi
  # (A short option may be a digit: -4, -6.)
  grep -oE "(^|[ '\"{,*])--?[A-Za-z0-9][A-Za-z0-9.-]*" <<<"$text" | sed -E "s/^[ '\"{,*]//" |
    sort -u
}

check() {
  local prog=$1 file=$2 help_opts file_opts
  help_opts=$(options_in_help "$prog")
  [[ -n $help_opts ]] || fail "$(basename "$prog") --help lists no option"
  file_opts=$(options_in_file "$file")
  local missing extra
  missing=$(comm -23 <(echo "$help_opts") <(echo "$file_opts"))
  extra=$(comm -13 <(echo "$help_opts") <(echo "$file_opts"))
  [[ -z $missing ]] || fail "$(basename "$file") lacks options that $(basename "$prog") --help lists:" $missing
  [[ -z $extra ]] || fail "$(basename "$file") offers options that $(basename "$prog") --help does not list:" $extra
  echo "completions: $(basename "$file"): the $(wc -l <<<"$help_opts") options of $(basename "$prog") --help"
}
check "$cli" "$dir/hopscope-cli.bash"
check "$cli" "$dir/_hopscope-cli"
check "$gui" "$dir/hopscope.bash"
check "$gui" "$dir/_hopscope"

# The limit names: hopscope-cli lists the ones it knows when given an unknown one.
known=$("$cli" --limit nosuchlimit=1 http://127.0.0.1/ 2>&1 >/dev/null || true)
known=$(sed -nE 's/.*\(known: (.*)\).*/\1/p' <<<"$known" | tr -d ' ' | tr ',' '\n' | sort)
[[ -n $known ]] || fail "hopscope-cli --limit nosuchlimit=1 did not list the known limits"
for file in "$dir/hopscope-cli.bash" "$dir/_hopscope-cli"; do
  offered=$(grep -oE '\b((max|lowSpeed)[A-Za-z]+|h2[A-Z][A-Za-z]+|quic[A-Z][A-Za-z]+)' "$file" | sort -u)
  [[ $offered == "$known" ]] ||
    fail "$(basename "$file") offers limits {$(echo $offered)}, hopscope-cli knows {$(echo $known)}"
done

# Exit statuses: each constant in exitcodes.h is a ".B N" entry of the man page's EXIT STATUS.
for code in $(sed -nE 's/^constexpr int [A-Za-z0-9]+ = ([0-9]+);.*/\1/p' "$src/app/cli/exitcodes.h"); do
  grep -qx "\.B $code" "$src/packaging/man/hopscope-cli.h2m" ||
    fail "exit status $code (app/cli/exitcodes.h) is not in packaging/man/hopscope-cli.h2m"
done

for file in "$dir"/*.bash; do bash -n "$file" || fail "$(basename "$file"): bash syntax error"; done
for file in "$dir"/_*; do zsh -n "$file" || fail "$(basename "$file"): zsh syntax error"; done

# The bash completion at work.
complete_words() { # complete_words FILE FUNCTION WORD...: what TAB offers for the last word
  bash -c 'source "$1"; fn=$2; shift 2; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
           COMPREPLY=(); "$fn"; printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}
got=$(complete_words "$dir/hopscope-cli.bash" _hopscope_cli hopscope-cli --ha)
[[ $got == $'--har\n--har-secrets' ]] || fail "hopscope-cli --ha<TAB> gave: $got"
got=$(complete_words "$dir/hopscope-cli.bash" _hopscope_cli hopscope-cli --limit maxHeaderC)
[[ $got == "maxHeaderCount=" ]] || fail "--limit maxHeaderC<TAB> gave: $got"
got=$(complete_words "$dir/hopscope-cli.bash" _hopscope_cli hopscope-cli -w '%{time_to')
[[ $got == "%{time_total}" ]] || fail "-w %{time_to<TAB> gave: $got"
got=$(complete_words "$dir/hopscope.bash" _hopscope hopscope --tr)
[[ $got == "--trace" ]] || fail "hopscope --tr<TAB> gave: $got"
echo "completions: limit names, exit statuses and bash completion at work: ok"
