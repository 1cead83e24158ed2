#!/bin/bash
# bash-complete.sh SCRIPT WORDS: prints the completions bash offers for the
# command line WORDS (a trailing space starts a new word), one per line. Loads
# Debian's bash-completion, then SCRIPT, then calls the function that
# `complete -p blambda` names, the way readline does on TAB.
. /usr/share/bash-completion/bash_completion || exit 2
. "$1" || exit 2
line=$2
read -r -a COMP_WORDS <<< "$line"
[[ $line == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE=$line
COMP_POINT=${#line}
spec=$(complete -p blambda) || exit 2
fn=$(sed -n 's/.*-F \([^ ]*\).*/\1/p' <<< "$spec")
COMPREPLY=()
"$fn" blambda "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}" | sort -u
