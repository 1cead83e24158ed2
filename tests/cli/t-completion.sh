#!/bin/bash
# Shell completion, loaded into the real shells: bash with Debian's
# bash-completion, zsh with compinit (driven through zsh/zpty), and fish.
. "$(dirname "$0")/lib.sh"

SUPPORT="$BLAMBDA_SOURCE_DIR/tests/support"
mkdir -p "$TMP/zfunc" "$TMP/work"
"$BLAMBDA" completion bash > "$TMP/blambda.bash"
"$BLAMBDA" completion zsh > "$TMP/zfunc/_blambda"
"$BLAMBDA" completion fish > "$TMP/blambda.fish"
cd "$TMP/work" || exit 1
touch blambda.yml other.yml

# offers SHELL LINE: the completions SHELL offers for LINE, one per line, in $out
offers() {
	case $1 in
	bash) run bash "$SUPPORT/bash-complete.sh" "$TMP/blambda.bash" "$2" ;;
	zsh) run zsh -f "$SUPPORT/zsh-complete.zsh" "$TMP/zfunc" "$2" ;;
	fish) run fish --no-config -c "source '$TMP/blambda.fish'; complete -C '$2'"
	      out=$(printf '%s\n' "$out" | cut -f1 | sort -u) ;;
	esac
	[ "$status" -eq 0 ] || fail "$1 completion of '$2' failed with status $status"
}
# expect_offer WORD: WORD is among the completions
expect_offer() {
	if printf '%s\n' "$out" | grep -qFx -e "$1"; then pass; else fail "'$1' not offered; got: $(echo $out)"; fi
}
expect_no_offer() {
	if printf '%s\n' "$out" | grep -qFx -e "$1"; then fail "'$1' offered"; else pass; fi
}

test_case "every script parses"
run bash -n "$TMP/blambda.bash"
expect_status 0
run zsh -n "$TMP/zfunc/_blambda"
expect_status 0
run fish --no-config -n "$TMP/blambda.fish"
expect_status 0

for sh in bash zsh fish; do
	if ! command -v $sh >/dev/null; then fail "$sh is not installed"; continue; fi

	test_case "$sh: a command prefix offers the commands that start with it"
	offers $sh "blambda co"
	expect_offer config
	expect_offer completion
	expect_no_offer version
	expect_no_offer help
	offers $sh "blambda de"
	expect_offer deploy
	expect_no_offer doctor

	test_case "$sh: every command is offered after 'blambda '"
	offers $sh "blambda "
	for c in new-function build deploy local doctor config completion version help; do expect_offer $c; done

	test_case "$sh: an action first, then no action again"
	offers $sh "blambda local "
	expect_offer invoke
	expect_offer start
	offers $sh "blambda local st"
	expect_offer start
	expect_no_offer invoke
	offers $sh "blambda local start --wa"
	expect_offer --watch
	offers $sh "blambda local invoke "
	expect_no_offer start

	test_case "$sh: positional values: shells, commands, config keys"
	offers $sh "blambda completion "
	expect_offer bash
	expect_offer zsh
	expect_offer fish
	offers $sh "blambda help v"
	expect_offer version
	offers $sh "blambda config function.m"
	expect_offer function.memory

	test_case "$sh: function names from blambda.yml, for every command that takes one"
	printf 'function:\n  handler: a/b\nfunctions:\n  alpha: {}\n  beta-fn: {}\n' > blambda.yml
	for cmd in deploy destroy invoke logs "local invoke" "local start"; do
		PATH="$(dirname "$BLAMBDA"):$PATH" offers $sh "blambda $cmd "
		expect_offer alpha
		expect_offer beta-fn
	done
	PATH="$(dirname "$BLAMBDA"):$PATH" offers $sh "blambda deploy b"
	expect_offer beta-fn
	expect_no_offer alpha
	: > blambda.yml

	test_case "$sh: options complete after the command"
	offers $sh "blambda config --j"
	expect_offer --json
	offers $sh "blambda config --no-j"
	expect_offer --no-json
	offers $sh "blambda deploy --l"
	expect_offer --layer
	offers $sh "blambda deploy --s3"
	expect_offer --s3-bucket
	offers $sh "blambda --ver"
	expect_offer --verbose
	expect_offer --version

	test_case "$sh: a command's own options and their values"
	offers $sh "blambda build --ar"
	expect_offer --arch
	offers $sh "blambda build --dry"
	expect_offer --dry-run
	expect_no_offer --json
	offers $sh "blambda build --arch "
	expect_offer x86_64
	expect_offer arm64
	offers $sh "blambda build --no-f"
	expect_offer --no-force

	test_case "$sh: option values: files for --config"
	offers $sh "blambda -c oth"
	expect_offer other.yml
	offers $sh "blambda config --config oth"
	expect_offer other.yml
done

for sh in bash zsh fish; do
	test_case "$sh: --no- negations only once --no- is typed"
	offers $sh "blambda build --"
	expect_offer --force
	expect_no_offer --no-force
	expect_no_offer --no-json
	offers $sh "blambda build --no-"
	expect_offer --no-force
	expect_offer --no-json
	offers $sh "blambda --"
	expect_offer --no-color
	expect_no_offer --no-json

	test_case "$sh: --event offers the names of the project's events"
	mkdir -p events
	printf '{}' > events/order-paid.json
	printf '{}' > events/ping.json
	offers $sh "blambda local invoke --event "
	expect_offer order-paid
	expect_offer ping
	offers $sh "blambda invoke -e o"
	expect_offer order-paid
	expect_no_offer ping
	# a file name is offered as it is, never run: a cloned project may hold anything
	printf '{}' > 'events/$(touch pwned).json'
	offers $sh "blambda invoke --event "
	if [ $sh = zsh ]; then expect_offer '\$\(touch\ pwned\)'; else expect_offer '$(touch pwned)'; fi # zsh quotes it to insert it
	expect_no_file pwned
	rm -rf events
	offers $sh "blambda invoke --event "
	[ -z "$out" ] && pass || fail "$sh offered without events/: $out"
done

finish
