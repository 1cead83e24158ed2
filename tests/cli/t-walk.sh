#!/bin/bash
# A new user's first hour, as the READMEs write it: the top README's quick
# start and every command of a generated project's README, run as written,
# one after the other, against moto (every SigV4 signature checked), with
# Debian's clojure standing in for bb. Each must succeed and do what its
# prose says.
. "$(dirname "$0")/lib.sh"

deploy_setup
cd "$TMP" || exit 1
rm -rf hello
# what a user has on PATH: blambda, and bb (the stand-in); the release is the
# mirror's 9.9.9, as the test's Babashka
mkdir -p "$TMP/bin"
ln -s "$BLAMBDA" "$TMP/bin/blambda"
ln -s "$BLAMBDA_SOURCE_DIR/tests/support/bb" "$TMP/bin/bb"
export PATH="$TMP/bin:$PATH" BLAMBDA_BB="$BLAMBDA_SOURCE_DIR/tests/support/bb" BLAMBDA_BB_VERSION=9.9.9

# commands FILE [SECTION]: the commands of FILE's indented code lines (of
# SECTION only, when given), their trailing comments dropped
commands() {
	python3 - "$@" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
if len(sys.argv) > 2:
    text = text.split("## " + sys.argv[2] + "\n", 1)[1].split("\n## ", 1)[0]
for line in text.splitlines():
    if line.startswith("    ") and line.strip():
        print(re.sub(r"\s+#.*$", "", line.strip()))
PY
}

# Lambda writes a function's log; moto's Invoke does not, so the test does,
# before the README asks for it
lambda_logs() {
	aws logs create-log-group --log-group-name /aws/lambda/hello 2> /dev/null
	aws logs create-log-stream --log-group-name /aws/lambda/hello --log-stream-name 2026/12/03/live 2> /dev/null
	aws logs put-log-events --log-group-name /aws/lambda/hello --log-stream-name 2026/12/03/live \
		--log-events "timestamp=$(($(date +%s) * 1000)),message=Greeting Lambda in request 1" > /dev/null
}

# walk LIST: each command of LIST run as a shell would, in the directory the
# commands before it left; its outcome checked by what it is
walk() {
	local cmd
	while IFS= read -r cmd; do
		test_case "as written: $cmd"
		case "$cmd" in "blambda logs"*) lambda_logs ;; esac
		case "$cmd" in
		"cd "*) cd "${cmd#cd }" && pass || fail "cannot cd" ; continue ;;
		esac
		run bash -c "$cmd"
		expect_status 0
		case "$cmd" in
		"blambda new-function hello") expect_file hello/blambda.yml ;;
		"bb test") expect_out_has "0 failures, 0 errors." ;;
		"blambda local invoke"*) expect_out '{"greeting":"Hello Lambda!"}' ;;
		"blambda build") expect_file target/function.zip ;;
		"blambda deploy")
			awsq lambda get-function --function-name hello
			expect_json "d['Configuration']['State'] == 'Active'" ;;
		"blambda invoke"*) expect_out_has '"name"' ;;
		"blambda logs"*) expect_out_has "Greeting Lambda in request 1" ;;
		"blambda destroy"*)
			awsq lambda get-function --function-name hello
			[ -z "$out" ] && pass || fail "the function is still there" ;;
		esac
	done
}

commands "$BLAMBDA_SOURCE_DIR/README.md" "Quick start" > "$TMP/quick.txt"
[ "$(head -1 "$TMP/quick.txt")" = "blambda new-function hello" ] && [ "$(wc -l < "$TMP/quick.txt")" -ge 7 ] && pass ||
	fail "the quick start is not where it was: $(cat "$TMP/quick.txt")"
walk < "$TMP/quick.txt"

cd "$TMP" || exit 1
rm -rf hello
"$BLAMBDA" new-function hello -q || exit 1
cd hello || exit 1
commands README.md > "$TMP/project.txt"
grep -qx "blambda deploy" "$TMP/project.txt" && ! grep -q -- "--layer" "$TMP/project.txt" && pass ||
	fail "the project's README does not deploy with plain 'blambda deploy': $(cat "$TMP/project.txt")"
walk < "$TMP/project.txt"

finish
