#!/bin/zsh -f
# zsh-complete.zsh FPATH_DIR WORDS: prints the completions zsh offers for the
# command line WORDS (typed, then TAB), one per line. It drives a real
# interactive zsh with compinit through zsh/zpty and records every match
# handed to compadd. (The markers are split in the commands sent, so the
# terminal's echo of those commands cannot be mistaken for output.)
zmodload zsh/zpty || exit 2
dir=$1 line=$2
zpty z zsh -f -i
zpty -w z "PROMPT='> '; RPROMPT=''; unsetopt zle_bracketed_paste 2>/dev/null"
zpty -w z "fpath=($dir \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "zstyle ':completion:*' list-grouped false; zstyle ':completion:*' insert-tab false"
zpty -w z 'compadd () {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  local -a __hits; builtin compadd -A __hits "$@"; local h
  for h in $__hits; do print -r -- "HI""T:$h"; done
  builtin compadd "$@"
}'
zpty -w z 'finish () { print -r -- "END-OF-""COMPLETION"; zle send-break }'
zpty -w z 'zle -C finish .complete-word finish'
zpty -w z 'comppostfuncs=(finish)'
zpty -w -n z "$line"$'\t'
integer deadline=$(( SECONDS + 20 ))
while (( SECONDS < deadline )); do
  zpty -r -t z chunk 2>/dev/null || { sleep 0.05; continue }
  out+=$chunk
  [[ $out == *END-OF-COMPLETION* ]] && break
done
zpty -d z
print -r -- "$out" | tr -d '\r' | sed -n 's/^.*HIT://p' | sort -u
[[ $out == *END-OF-COMPLETION* ]]
