# bash completion for hopscope                                       -*- shell-script -*-
# Installed as /usr/share/bash-completion/completions/hopscope. Self-contained (compgen only).
# The options follow `hopscope --help`; the `completions` test fails when they drift apart.

_hopscope()
{
    local cur prev
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_CWORD:+${COMP_WORDS[COMP_CWORD - 1]}}

    case $prev in
        --trace)
            # A JSON-lines trace written by hopscope-cli --trace-json, or a HAR file.
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
        --screenshot)
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
    esac

    local options="-h --help --help-all -v --version --demo --no-demo-server --screenshot
        --fresh --trace"
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    else
        # A URL, or a trace or HAR file to open.
        COMPREPLY=($(compgen -W "http:// https:// ws:// wss://" -- "$cur") $(compgen -f -- "$cur"))
        compopt -o nospace 2>/dev/null
    fi
}
complete -F _hopscope hopscope

# ex: filetype=sh
