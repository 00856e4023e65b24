# bash completion for hopscope-cli                                   -*- shell-script -*-
# Installed as /usr/share/bash-completion/completions/hopscope-cli. Self-contained (compgen only,
# no bash-completion helpers), so it also works when sourced by hand. The option lists follow
# `hopscope-cli --help`; the `completions` test fails when they drift apart.

_hopscope_cli()
{
    local cur prev
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_CWORD:+${COMP_WORDS[COMP_CWORD - 1]}}

    # Options that take a value, then those that do not.
    local with_value="-X --request -H --header -d --data --data-binary --data-raw -o --output
        --trace-json --alpn --cacert --timeout --connect-timeout --idle-timeout --limit
        --upgrade --max-connections --repeat --ws-send --ws-send-binary --send --linger --har --save
        -w --write-out -u --user -A --user-agent -e --referer -b --cookie -c --cookie-jar
        -m --max-time -Y --speed-limit -y --speed-time --max-redirs -E --cert --key --pass
        --keylog -x --proxy -U --proxy-user --noproxy --resolve --connect-to"
    local flags="-h --help --version -v --verbose --http1.1 --http2 -k --insecure --compressed
        --h2c --h2c-prior --http2-prior-knowledge --h2c-options --no-upgrade-h2 --parallel
        --demo --serve-demo --har-secrets -i --include -I --head -s --silent -S --show-error
        -f --fail -G --get -L --location --location-trusted -4 --ipv4 -6 --ipv6
        --http3 --http3-only --no-alt-svc --cert-status"

    case $prev in
        -o | --output | --trace-json | --har | -c | --cookie-jar)
            # A file, or - for stdout.
            COMPREPLY=($(compgen -f -- "$cur"))
            if [[ -z $cur || $cur == - ]]; then
                COMPREPLY+=(-)
            fi
            return
            ;;
        --cacert | --save | -E | --cert | --key | --keylog)
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
        -d | --data | --data-binary | --ws-send-binary | -b | --cookie)
            # @FILE reads a file; anything else is taken as is.
            if [[ $cur == @* ]]; then
                COMPREPLY=($(compgen -P @ -f -- "${cur#@}"))
            elif [[ $prev == -b || $prev == --cookie ]]; then
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
            return
            ;;
        -X | --request)
            COMPREPLY=($(compgen -W "GET HEAD POST PUT PATCH DELETE OPTIONS TRACE CONNECT" -- "$cur"))
            return
            ;;
        --upgrade)
            COMPREPLY=($(compgen -W "h2c websocket tcp" -- "$cur"))
            return
            ;;
        -x | --proxy)
            COMPREPLY=($(compgen -W "http:// socks5:// socks5h://" -- "$cur"))
            compopt -o nospace 2>/dev/null
            return
            ;;
        --alpn)
            COMPREPLY=($(compgen -W "h2,http/1.1 h2 http/1.1" -- "$cur"))
            return
            ;;
        --limit)
            local limits="maxStatusLineBytes maxHeaderLineBytes maxHeaderBytes maxHeaderCount
                maxInterimResponses maxChunkSizeDigits maxBodyInMemory maxHarBodyBytes
                maxContentEncodings maxDecodedGraceBytes maxDecodeRatio maxWebSocketFrameBytes
                maxWebSocketMessageBytes maxWebSocketFragments maxContinuations maxEmptyDataFrames
                maxIdleControlFrames h2StreamWindow quicStreamWindow quicConnectionWindow quicFallbackMs
                lowSpeedLimit lowSpeedTime"
            COMPREPLY=($(compgen -S = -W "$limits" -- "$cur"))
            compopt -o nospace 2>/dev/null
            return
            ;;
        -w | --write-out)
            local vars="http_code response_code http_version time_namelookup time_connect
                time_appconnect time_pretransfer time_starttransfer time_total size_download
                num_connects remote_ip remote_port url url_effective num_redirects redirect_url
                time_redirect method content_type
                exitcode errormsg upgrade stream_id json"
            if [[ $cur == *'%{'* ]]; then
                local head=${cur%'%{'*}
                COMPREPLY=($(compgen -P "$head%{" -S '}' -W "$vars" -- "${cur##*'%{'}"))
                compopt -o nospace 2>/dev/null
            fi
            return
            ;;
    esac
    # Any other option that takes a value: nothing sensible to offer.
    if [[ $prev == -* && " ${with_value//$'\n'/ } " == *" $prev "* ]]; then
        return
    fi

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$with_value $flags" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "http:// https:// ws:// wss://" -- "$cur"))
        compopt -o nospace 2>/dev/null
    fi
}
complete -F _hopscope_cli hopscope-cli

# ex: filetype=sh
