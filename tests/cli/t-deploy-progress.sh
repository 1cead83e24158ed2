#!/bin/bash
# What deploy shows while it works: each step as it begins and ends (a
# spinner with its time on a terminal, plain lines otherwise), the waits and
# why, and after Ctrl-C what was done and what was not. Calls are slowed by
# a loopback proxy in front of moto; the terminal is a pseudo-terminal.
. "$(dirname "$0")/lib.sh"

deploy_setup --proxy

PTY="$PYTHON $BLAMBDA_SOURCE_DIR/tests/support/pty_run.py"
# pty DEPLOY-ARGS...: deploy on a terminal; what it showed in $TMP/tty.txt (raw) and $shown (escapes made visible)
pty() {
	local ctrl_c=()
	if [ "$1" = --ctrl-c-on ]; then ctrl_c=(--ctrl-c-on "$2"); shift 2; fi
	NO_COLOR=1 $PTY "$TMP/tty.txt" "${ctrl_c[@]}" -- "$BLAMBDA" "$@"
	status=$?
	shown=$(cat -v "$TMP/tty.txt")
}
shown_has() { case "$shown" in *"$1"*) pass ;; *) fail "the terminal did not show '$1': $(printf '%s' "$shown" | tail -c 1500)" ;; esac; }
shown_lacks() { case "$shown" in *"$1"*) fail "the terminal showed '$1'" ;; *) pass ;; esac; }
count() { grep -c -- "$1" "$REQUESTS" || true; }

test_case "Ctrl-C while a layer is published: the call ends, then the deploy stops and says what was not done"
faults '[{"match": "POST /2018-10-31/layers/blambda/versions", "times": 1, "delay": 3}]'
pty --ctrl-c-on "publishing runtime layer 'blambda'" deploy
expect_status 130
shown_has "stopping after the call under way (Ctrl-C again to stop at once)"
shown_has "runtime layer 'blambda': published version 1"
shown_has "blambda: error: interrupted; not done: role 'hello-blambda-role' (create), function 'hello' (create)"
shown_has "hint: what was done (above) is kept; run 'blambda deploy' again to finish"
awsq lambda list-layer-versions --layer-name blambda --endpoint-url "$MOTO_URL"
[ "$(printf '%s' "$out" | jq '.LayerVersions | length')" = 1 ] && pass || fail "the layer was not published once: $out"
awsq lambda get-function --function-name hello --endpoint-url "$MOTO_URL"
[ -z "$out" ] && pass || fail "a function was made after Ctrl-C"

test_case "the rerun finishes: the layer is not published again"
faults '[]'
mark
blambda deploy
expect_status 0
expect_out_has "runtime layer 'blambda': unchanged"
expect_out_has "function 'hello': created"
[ "$(count 'POST /2018-10-31/layers/blambda/versions')" = 0 ] && pass || fail "the layer was published again"

test_case "a slowed update on a terminal: its step and time show while it runs, before the summary"
echo ';; slow' >> src/hello.clj
faults '[{"match": "PUT /2015-03-31/functions/hello/code", "times": 1, "delay": 3}]'
pty deploy
expect_status 0
shown_has "updating function 'hello' (2 s)"
shown_has "reading what eu-west-1 holds"
raw=$(cat "$TMP/tty.txt")
before=${raw%%"function 'hello': updated"*}
case "$before" in *"updating function 'hello' ("*) pass ;; *) fail "the step did not show before the deploy ended" ;; esac
shown_lacks "0.0/0.0 MB"

test_case "Ctrl-C while a call that fails is let finish: AWS's error is said, not hidden behind the stop"
echo ';; storage' >> src/hello.clj
faults '[{"match": "PUT /2015-03-31/functions/hello/code", "times": 1, "delay": 3, "status": 400,
          "headers": {"x-amzn-ErrorType": "CodeStorageExceededException"}, "body": "{\"message\": \"Code storage limit exceeded.\"}"}]'
pty --ctrl-c-on "updating function 'hello'" deploy
expect_status 3
shown_has "CodeStorageExceededException: Code storage limit exceeded."
shown_lacks "interrupted; not done"

test_case "Ctrl-C while Lambda applies an update: the update is said as sent, not as not done"
echo ';; applying' >> src/hello.clj
faults '[{"match": "PUT /2015-03-31/functions/hello/code", "times": 1, "delay": 2}]'
( sleep 1; faults '[{"match": "GET /2015-03-31/functions/hello", "times": 100000, "status": 200,
    "body": "{\"Configuration\": {\"FunctionName\": \"hello\", \"FunctionArn\": \"arn:aws:lambda:eu-west-1:123456789012:function:hello\", \"State\": \"Active\", \"LastUpdateStatus\": \"InProgress\", \"Runtime\": \"provided.al2023\", \"Handler\": \"hello/handler\", \"CodeSha256\": \"x\"}}"}]' ) &
later=$!
pty --ctrl-c-on "waiting for function 'hello' to finish updating" deploy
wait $later
faults '[]'
expect_status 130
shown_has "function 'hello': stopped after updating the code"
shown_has "interrupted; not done: function 'hello' (update: stopped after updating the code)"
blambda deploy
expect_status 0
expect_out_has "function 'hello': unchanged"

test_case "off a terminal: a plain line as each step begins and ends, on stderr"
echo ';; plain' >> src/hello.clj
faults '[]'
blambda deploy
expect_status 0
expect_err_has "reading what eu-west-1 holds"
expect_err_has "updating function 'hello'"
expect_err_has "function 'hello': updated ("
case "$err" in *$'\r'*) fail "a line drawn in place off a terminal" ;; *) pass ;; esac
expect_out_has "function 'hello': updated (code changed)"

test_case "--json and -q: no progress lines"
echo ';; json' >> src/hello.clj
blambda deploy --json
expect_status 0
expect_err_lacks "updating function"
echo ';; quiet' >> src/hello.clj
blambda -q deploy
expect_status 0
expect_err_empty
expect_out_empty

test_case "Ctrl-C during the wait for IAM: it stops at once, the made role is kept and a rerun finishes"
cd "$TMP" || exit 1
"$BLAMBDA" new-function waiter --bb-version 9.9.9 -q > /dev/null || exit 1
cd waiter || exit 1
faults '[{"match": "POST /2015-03-31/functions", "times": 100000, "status": 400,
          "headers": {"x-amzn-ErrorType": "InvalidParameterValueException"},
          "body": "{\"message\": \"The role defined for the function cannot be assumed by Lambda.\"}"}]'
start=$(date +%s)
pty --ctrl-c-on "waiting for IAM to let Lambda assume role 'waiter-blambda-role'" deploy
expect_status 130
[ $(($(date +%s) - start)) -lt 30 ] && pass || fail "the wait was not cut short"
shown_has "role 'waiter-blambda-role': created"
shown_has "interrupted; not done: function 'waiter' (create)"
faults '[]'
blambda deploy
expect_status 0
expect_out_has "role 'waiter-blambda-role': unchanged"
expect_out_has "function 'waiter': created"

test_case "the wait for IAM off a terminal: said once, with what it waits for"
cd "$TMP" || exit 1
"$BLAMBDA" new-function patient --bb-version 9.9.9 -q > /dev/null || exit 1
cd patient || exit 1
faults '[{"match": "POST /2015-03-31/functions", "times": 3, "status": 400,
          "headers": {"x-amzn-ErrorType": "InvalidParameterValueException"},
          "body": "{\"message\": \"The role defined for the function cannot be assumed by Lambda.\"}"}]'
blambda deploy
expect_status 0
expect_err_has "waiting for IAM to let Lambda assume role 'patient-blambda-role'"
[ "$(printf '%s\n' "$err" | grep -c "waiting for IAM")" = 1 ] && pass || fail "the wait was said more than once: $err"

test_case "--dry-run: Ctrl-C ends it at once, with 130 and no plan"
faults '[{"match": "GET /2015-03-31/functions/patient", "times": 1, "delay": 3}]'
pty --ctrl-c-on "reading what eu-west-1 holds" deploy --dry-run
expect_status 130
shown_lacks "would update"

test_case "a second signal of another kind ends deploy at once"
faults '[{"match": "GET /2015-03-31/functions/patient", "times": 1, "delay": 5}]'
echo ';; twice' >> src/patient.clj
"$BLAMBDA" deploy > "$TMP/two.out" 2> "$TMP/two.err" &
pid=$!
for _ in $(seq 1 100); do grep -q "reading what" "$TMP/two.err" && break; sleep 0.1; done
kill -TERM $pid; sleep 0.3; kill -HUP $pid
start=$(date +%s)
wait $pid
status=$?
[ "$status" = 129 ] && pass || fail "expected the status of SIGHUP (129), got $status: $(cat "$TMP/two.err")"
grep -q "a second signal stops at once" "$TMP/two.err" && pass || fail "the first signal's word: $(cat "$TMP/two.err")"
faults '[]'

test_case "Ctrl-C before any write: nothing was changed"
faults '[{"match": "GET /2015-03-31/functions/patient", "times": 1, "delay": 3}]'
echo ';; more' >> src/patient.clj
pty --ctrl-c-on "reading what eu-west-1 holds" deploy
expect_status 130
shown_has "interrupted before any write: nothing was changed"
shown_lacks "hint: what was done"

finish
