#!/bin/bash
# The command line: help, version, mistakes and their exit status, global options.
. "$(dirname "$0")/lib.sh"

test_case "--help lists the commands and the global options"
blambda --help
expect_status 0
expect_out_has "usage: blambda [OPTIONS] COMMAND [ARGS]"
for c in config completion version help; do expect_out_has "  $c "; done
for o in "-C, --directory DIR" "-c, --config FILE" "--profile NAME" "--region NAME" "--endpoint-url URL" \
	"--json" "-v, --verbose" "-q, --quiet" "--no-color" "--version" "-h, --help"; do
	expect_out_has "$o"
done
expect_err_empty

test_case "help output fits 80 columns"
for c in "" config completion version help; do
	blambda $c --help
	if printf '%s\n' "$out" | awk 'length > 80 { bad = 1 } END { exit bad }'; then pass; else fail "'$c --help' has lines over 80 columns"; fi
done

test_case "a command's help: usage and summary, its options, then the description, examples last"
for c in deploy invoke "local invoke" build; do
	blambda $c --help
	order=$(printf '%s\n' "$out" | grep -nE '^(usage:|Options:|Description:|Examples:)' | cut -d: -f2 | tr '\n' ' ')
	[ "$order" = "usage Options Description Examples " ] && pass || fail "'$c --help' sections: $order"
	[ "$(printf '%s\n' "$out" | sed -n 3p | cut -c1)" != "" ] && pass || fail "'$c --help' has no summary line"
done
blambda local --help
order=$(printf '%s\n' "$out" | grep -nE '^(usage:|Subcommands:|Description:)' | cut -d: -f2 | tr '\n' ' ')
[ "$order" = "usage Subcommands Description " ] && pass || fail "'local --help' sections: $order"

test_case "-h is --help"
blambda -h
expect_status 0
expect_out_has "Commands:"

test_case "no command prints the overview on stderr and exits 2"
blambda
expect_status 2
expect_out_empty
expect_err_has "usage: blambda"

test_case "help CMD, CMD --help and CMD -h say the same"
for c in config completion version help; do
	blambda help "$c"; a=$out
	blambda "$c" --help; b=$out
	blambda -h "$c"; c2=$out
	if [ "$a" = "$b" ] && [ "$b" = "$c2" ] && [ -n "$a" ]; then pass; else fail "help for $c differs"; fi
done

test_case "--version and version"
blambda --version
expect_status 0
expect_out_has "blambda "
v=$out
blambda version
expect_out "$v"
blambda version -v
expect_out_has "libcurl "
expect_out_has "libzip "
blambda version --json
expect_json "d['version'] and 'openssl' in d['libraries']"
case "$out" in
*"	"*) fail "the JSON document is indented with tabs" ;;
"{
  \"version\": \""*) pass ;;
*) fail "not indented by two spaces: $out" ;;
esac

test_case "a misspelt command is a usage error with a suggestion"
blambda confg
expect_status 2
expect_err_has "error: unknown command 'confg' (did you mean 'config'?)"
expect_err_has "hint: try 'blambda --help'"
expect_out_empty
blambda completoin bash
expect_status 2
expect_err_has "did you mean 'completion'?"
blambda xyzzy
expect_status 2
expect_err_has "unknown command 'xyzzy'"
expect_err_lacks "did you mean"

test_case "a misspelt option is a usage error with a suggestion"
blambda config --jsno
expect_status 2
expect_err_has "unknown option '--jsno' (did you mean '--json'?)"
expect_err_has "hint: try 'blambda config --help'"
blambda --verbsoe config
expect_status 2
expect_err_has "did you mean '--verbose'?"
blambda config -Z
expect_status 2
expect_err_has "unknown option '-Z'"
blambda config --no-jsno
expect_status 2
expect_err_has "did you mean '--no-json'?"

test_case "options and their values"
blambda config --json=yes
expect_status 2
expect_err_has "option '--json' takes no value"
blambda config --region
expect_status 2
expect_err_has "option '--region' needs a value (NAME)"
blambda config --region=
expect_status 2
expect_err_has "option '--region' needs a non-empty value"
blambda config -c
expect_status 2
expect_err_has "option '-c' needs a value (FILE)"

test_case "--quiet and --verbose exclude each other"
blambda -q -v config
expect_status 2
expect_err_has "'--quiet' and '--verbose' cannot be used together"

test_case "-q silences everything but errors and data"
mkdir -p "$TMP/empty" && cd "$TMP/empty"
blambda config function.runtime
expect_out "provided.al2023"
blambda config
expect_err_has "no blambda.yml here"
blambda -q config
expect_status 0
expect_err_empty
blambda -q confg
expect_status 2
expect_err_has "unknown command 'confg'"
cd "$TMP"

test_case "positional arguments are checked"
blambda completion
expect_status 2
expect_err_has "'completion' needs SHELL"
blambda completion tcsh
expect_status 2
expect_err_has "SHELL must be one of bash, zsh, fish, got 'tcsh'"
blambda completion bsh
expect_err_has "(did you mean 'bash'?)"
blambda version extra
expect_status 2
expect_err_has "'version' takes no arguments, got 'extra'"
blambda config a b
expect_status 2
expect_err_has "'config' takes at most 1 argument, got 'b'"
blambda help biuld
expect_status 2
expect_err_has "unknown command 'biuld'"

test_case "-- ends the options"
blambda config -- --json
expect_status 2
expect_err_has "unknown key '--json'"

test_case "global options work after the command"
blambda config --json
expect_status 0
expect_json "'values' in d"

test_case "-C changes directory first, repeatedly and relative to the last"
mkdir -p "$TMP/a/b"
printf 'function:\n  name: from-b\n' > "$TMP/a/b/blambda.yml"
blambda -C "$TMP/a" -C b config function.name
expect_status 0
expect_out "from-b"
blambda -C "$TMP/nonexistent" config
expect_status 2
expect_err_has "cannot change to directory '$TMP/nonexistent'"

test_case "colour only on a terminal, never with NO_COLOR or --no-color"
blambda confg
expect_err_lacks $'\033['
if command -v script >/dev/null; then
	script -qec "$BLAMBDA confg" /dev/null > "$TMP/tty.txt" 2>&1
	if grep -q $'\033\\[1;31merror' "$TMP/tty.txt"; then pass; else fail "no colour on a terminal"; fi
	script -qec "$BLAMBDA --no-color confg" /dev/null > "$TMP/tty.txt" 2>&1
	if grep -q $'\033\\[' "$TMP/tty.txt"; then fail "colour despite --no-color"; else pass; fi
	NO_COLOR=1 script -qec "$BLAMBDA confg" /dev/null > "$TMP/tty.txt" 2>&1
	if grep -q $'\033\\[' "$TMP/tty.txt"; then fail "colour despite NO_COLOR"; else pass; fi
fi

test_case "writing to a closed stdout is reported"
if [ -e /dev/full ]; then
	"$BLAMBDA" --help > /dev/full 2> "$TMP/full.err"
	st=$?
	if [ $st -eq 1 ] && grep -q "cannot write to standard output" "$TMP/full.err"; then pass; else fail "status $st on /dev/full"; fi
fi

test_case "doctor names a library loaded on first use that cannot be loaded, with its package, and goes on"
# a libmicrohttpd.so.12 found first that lacks the library's functions
mkdir -p "$TMP/stublib"
echo 'int blambda_stub;' > "$TMP/stublib/stub.c"
cc -shared -fPIC -Wl,-soname,libmicrohttpd.so.12 -o "$TMP/stublib/libmicrohttpd.so.12" "$TMP/stublib/stub.c"
LD_LIBRARY_PATH="$TMP/stublib" blambda doctor
expect_out_has "libraries:    libcurl, libexpat, libarchive, libmicrohttpd (missing)"
expect_err_has "warning: libmicrohttpd (for blambda local): cannot use libmicrohttpd.so.12: it has no MHD_start_daemon"
expect_err_has "hint: install it with 'apt-get install libmicrohttpd12'"
expect_err_has "no AWS credentials found" # the rest is still checked
LD_LIBRARY_PATH="$TMP/stublib" blambda doctor --json
expect_json 'd["libraries"]["libmicrohttpd"]["loaded"] is False and d["libraries"]["libcurl"]["loaded"] is True'
blambda doctor
expect_out_has "libraries:    libcurl, libexpat, libarchive, libmicrohttpd"
expect_out_lacks "(missing)"
# the Logs endpoint, which 'blambda logs' uses, is shown with the others
AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=http://127.0.0.1:9 blambda doctor
expect_out_has "endpoint:     logs    http://127.0.0.1:9 (AWS_ENDPOINT_URL_CLOUDWATCH_LOGS)"

finish
