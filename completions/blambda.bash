# bash completion for blambda                             -*- shell-script -*-
# generated from blambda's option tables by 'blambda completion bash'; do not edit

_blambda()
{
    local cur prev cmd sub i w
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    # --opt=value arrives as three words when '=' breaks words
    if [[ $cur == = ]]; then
        cur=
    elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
        prev=${COMP_WORDS[COMP_CWORD-2]}
    fi

    # the command is the first word that is neither an option nor an option's value;
    # a command with subcommands takes the next such word as its subcommand
    cmd= sub=
    for (( i = 1; i < COMP_CWORD; i++ )); do
        w=${COMP_WORDS[i]}
        case $w in
            --directory|-C|--config|-c|--profile|--region|--endpoint-url) [[ ${COMP_WORDS[i+1]} == = ]] && (( i++ )); (( i++ )) ;;
            -*) ;;
            *)
                if [[ -n $cmd ]]; then sub=$w; break; fi
                cmd=$w
                case $cmd in local) ;; *) break ;; esac
                ;;
        esac
    done

    # the value of the option before the cursor
    case $prev in
        -C|--directory) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")) ;;
        -c|--config) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;
        --profile) ;;
        --region) ;;
        --endpoint-url) ;;
    esac
    [[ ${#COMPREPLY[@]} -gt 0 ]] && return 0

    case $cmd in
        local)
            if [[ -z $sub ]]; then
                [[ $cur == -* ]] || COMPREPLY=($(compgen -W "invoke start" -- "$cur"))
                return 0
            fi
            cmd="$cmd $sub" ;;
    esac

    case $cmd in
        "new-function")
            case $prev in
                -d|--dir) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")) ;;
                --ns) ;;
                --arch) COMPREPLY=($(compgen -W "x86_64 arm64" -- "$cur")) ;;
                --bb-version) ;;
                --memory) ;;
                --timeout) ;;
                -t|--template) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")) ;;
                --ci) COMPREPLY=($(compgen -W "github" -- "$cur")) ;;
            esac
            case $prev in --dir|-d|--ns|--arch|--bb-version|--memory|--timeout|--template|-t|--ci) return 0 ;; esac
            ;;
        "build")
            case $prev in
                --arch) COMPREPLY=($(compgen -W "x86_64 arm64" -- "$cur")) ;;
                --bb-version) ;;
                -o|--output-dir) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")) ;;
            esac
            case $prev in --arch|--bb-version|--output-dir|-o) return 0 ;; esac
            ;;
        "deploy")
            case $prev in
                --s3-bucket) ;;
                --alias) ;;
                -j|--jobs) ;;
            esac
            case $prev in --s3-bucket|--alias|--jobs|-j) return 0 ;; esac
            ;;
        "local invoke")
            case $prev in
                -p|--payload) ;;
                --payload-file) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;
                -e|--event) local f; for f in events/*.json; do [[ -e $f ]] || continue; f=${f#events/}; f=${f%.json}; [[ $f == "$cur"* ]] && COMPREPLY+=("$f"); done ;;
                --event-template) ;;
                --inherit-env) ;;
            esac
            case $prev in --payload|-p|--payload-file|--event|-e|--event-template|--inherit-env) return 0 ;; esac
            ;;
        "local start")
            case $prev in
                --port) ;;
                --concurrency) ;;
                --inherit-env) ;;
                --retry-delay) ;;
            esac
            case $prev in --port|--concurrency|--inherit-env|--retry-delay) return 0 ;; esac
            ;;
        "invoke")
            case $prev in
                -p|--payload) ;;
                --payload-file) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;
                -e|--event) local f; for f in events/*.json; do [[ -e $f ]] || continue; f=${f#events/}; f=${f%.json}; [[ $f == "$cur"* ]] && COMPREPLY+=("$f"); done ;;
                --event-template) ;;
                --qualifier) ;;
            esac
            case $prev in --payload|-p|--payload-file|--event|-e|--event-template|--qualifier) return 0 ;; esac
            ;;
        "logs")
            case $prev in
                -s|--since) ;;
            esac
            case $prev in --since|-s) return 0 ;; esac
            ;;
        "rollback")
            case $prev in
                --to) ;;
                --alias) ;;
            esac
            case $prev in --to|--alias) return 0 ;; esac
            ;;
        "prune")
            case $prev in
                --keep) ;;
            esac
            case $prev in --keep) return 0 ;; esac
            ;;
        "terraform")
            case $prev in
                -o|--output) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")) ;;
            esac
            case $prev in --output|-o) return 0 ;; esac
            ;;
    esac
    case $prev in --directory|-C|--config|-c|--profile|--region|--endpoint-url) return 0 ;; esac

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            [[ $cur == --no-* ]] && COMPREPLY=($(compgen -W "--directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-json --no-verbose --no-quiet" -- "$cur")) ||
                COMPREPLY=($(compgen -W "--directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "new-function build deploy local invoke logs destroy import versions rollback prune status diff terraform doctor config completion version help" -- "$cur"))
        fi
        return 0
    fi

    case $cmd in
        "new-function")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--dir -d --ns --arch --bb-version --memory --timeout --force -f --template -t --ci --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-force --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--dir -d --ns --arch --bb-version --memory --timeout --force -f --template -t --ci --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            fi
            ;;
        "build")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--runtime-layer --deps-layer --function --arch --bb-version --output-dir -o --force -f --dry-run -n --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-runtime-layer --no-deps-layer --no-function --no-force --no-dry-run --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--runtime-layer --deps-layer --function --arch --bb-version --output-dir -o --force -f --dry-run -n --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            fi
            ;;
        "deploy")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--layer --dry-run -n --use-s3 --s3-bucket --publish --alias --code-only --jobs -j --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-dry-run --no-use-s3 --no-publish --no-code-only --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--layer --dry-run -n --use-s3 --s3-bucket --publish --alias --code-only --jobs -j --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(blambda config --functions 2>/dev/null)" -- "$cur"))
            fi
            ;;
        "local invoke")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--payload -p --payload-file --event -e --event-template --inherit-env --sandbox --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-sandbox --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--payload -p --payload-file --event -e --event-template --inherit-env --sandbox --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(blambda config --functions 2>/dev/null)" -- "$cur"))
            fi
            ;;
        "local start")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--port --watch -w --concurrency --inherit-env --sandbox --retry-delay --send-records --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-watch --no-sandbox --no-send-records --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--port --watch -w --concurrency --inherit-env --sandbox --retry-delay --send-records --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(blambda config --functions 2>/dev/null)" -- "$cur"))
            fi
            ;;
        "invoke")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--payload -p --payload-file --event -e --event-template --qualifier --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--payload -p --payload-file --event -e --event-template --qualifier --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(blambda config --functions 2>/dev/null)" -- "$cur"))
            fi
            ;;
        "logs")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--since -s --follow -f --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-follow --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--since -s --follow -f --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(blambda config --functions 2>/dev/null)" -- "$cur"))
            fi
            ;;
        "destroy")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--layers --dry-run -n --yes -y --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-dry-run --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--layers --dry-run -n --yes -y --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(blambda config --functions 2>/dev/null)" -- "$cur"))
            fi
            ;;
        "import")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--dry-run -n --yes -y --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-dry-run --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--dry-run -n --yes -y --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            fi
            ;;
        "versions")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(blambda config --functions 2>/dev/null)" -- "$cur"))
            fi
            ;;
        "rollback")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--to --dry-run -n --alias --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-dry-run --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--to --dry-run -n --alias --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(blambda config --functions 2>/dev/null)" -- "$cur"))
            fi
            ;;
        "prune")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--keep --layers --dry-run -n --yes -y --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-dry-run --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--keep --layers --dry-run -n --yes -y --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(blambda config --functions 2>/dev/null)" -- "$cur"))
            fi
            ;;
        "status")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(blambda config --functions 2>/dev/null)" -- "$cur"))
            fi
            ;;
        "diff")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--files --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-files --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--files --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(blambda config --functions 2>/dev/null)" -- "$cur"))
            fi
            ;;
        "terraform")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--output -o --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--output -o --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            fi
            ;;
        "doctor")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            fi
            ;;
        "config")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--functions --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--functions --directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "function.name function.handler function.runtime function.architecture function.memory function.timeout function.environment function.environment-file function.source-paths function.role function.policies function.events function.layers function.description function.tracing function.ephemeral-storage function.reserved-concurrency function.vpc.subnets function.vpc.security-groups function.async.max-retries function.async.max-event-age function.async.on-success function.async.on-failure function.log-retention function.tags function.alias function.url.auth function.url.cors.allow-origins function.url.cors.allow-methods function.url.cors.allow-headers function.url.cors.max-age function.url.cors.allow-credentials babashka.version babashka.mirror layers.runtime layers.deps layers.share http-api.name http-api.cors.allow-origins http-api.cors.allow-methods http-api.cors.allow-headers http-api.cors.max-age http-api.cors.allow-credentials deps-file aws.region aws.regions aws.profile aws.endpoint-url aws.s3-bucket" -- "$cur"))
            fi
            ;;
        "completion")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur"))
            fi
            ;;
        "version")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            fi
            ;;
        "help")
            if [[ $cur == --no-* ]]; then
                COMPREPLY=($(compgen -W "--directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h --no-json --no-verbose --no-quiet" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--directory -C --config -c --profile --region --endpoint-url --json --verbose -v --quiet -q --no-color --version --help -h" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "new-function build deploy local invoke logs destroy import versions rollback prune status diff terraform doctor config completion version help" -- "$cur"))
            fi
            ;;
    esac
    return 0
}
complete -F _blambda blambda
