#!/bin/bash
# The runtime in action: bootstrap from a built runtime layer, with the JVM
# stand-in for bb, against a loopback Runtime API that behaves like AWS's
# Runtime Interface Emulator. Then the arm64 bootstrap under qemu, and the
# x86_64 one under valgrind.
. "$(dirname "$0")/lib.sh"

export BLAMBDA_CACHE_DIR="$TMP/cache"
make_release "$TMP/mirror" 9.9.9 x86_64 arm64 || exit 1
start_release_server "$TMP/mirror"
cd "$TMP" || exit 1
for arch in x86_64 arm64; do
	BLAMBDA_BABASHKA_URL=$RELEASE_URL "$BLAMBDA" build --runtime-layer -q --bb-version 9.9.9 --arch $arch || exit 1
	mkdir -p "opt-$arch" && unzip -q "target/runtime-layer-$arch.zip" -d "opt-$arch"
done
mkdir -p task && cp "$BLAMBDA_SOURCE_DIR"/tests/fixtures/handlers/*.clj task/
STAND_IN="$BLAMBDA_SOURCE_DIR/tests/support/bb"

# invoke OPT HANDLER [RUNNER...] -- EVENT...: runs OPT/bootstrap (through RUNNER)
# for the events until the Runtime API has none left; posted results land in $TMP/results
invoke() {
	local opt=$1 handler=$2 port
	shift 2
	local runner=()
	while [ "$1" != "--" ]; do runner+=("$1"); shift; done
	shift
	"$PYTHON" -c 'import json, sys; [print(json.dumps(a)) for a in sys.argv[1:]]' "$@" > "$TMP/events"
	rm -f "$TMP/results" "$TMP/api.port"
	"$PYTHON" "$SERVERS/runtime_api.py" "$TMP/api.port" "$TMP/events" "$TMP/results" > "$TMP/api.log" 2>&1 &
	local api=$!
	wait_for_file "$TMP/api.port" 30 || { cat "$TMP/api.log" >&2; return 1; }
	port=$(cat "$TMP/api.port")
	AWS_LAMBDA_RUNTIME_API=127.0.0.1:$port _HANDLER=$handler LAMBDA_TASK_ROOT="$TMP/task" BLAMBDA_BB="${BB_OVERRIDE:-$STAND_IN}" \
		AWS_LAMBDA_FUNCTION_NAME=hello AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512 \
		run timeout 300 "${runner[@]}" "$TMP/$opt/bootstrap"
	kill $api 2>/dev/null
	wait $api 2>/dev/null
	touch "$TMP/results"
}
# expect_results PYTHON-EXPR: with `r` the list of posted results, `body(i)` the parsed body of the i-th
expect_results() {
	if "$PYTHON" - "$TMP/results" "$1" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def body(i): return json.loads(r[i]["body"])
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
	then pass; else fail "results check failed: $1; results: $(cut -c1-300 "$TMP/results")"; fi
}

test_case "the seed handler serves several invocations in one process"
invoke opt-x86_64 examples/hello -- '{"name":"jmglov"}' '{}' '{"name":"again"}'
expect_results "[x['kind'] for x in r] == ['response'] * 3"
expect_results "body(0) == {'greeting': 'Hello jmglov!'} and body(1) == {'greeting': 'Hello Blambda!'} and body(2) == {'greeting': 'Hello again!'}"
expect_err_has "Loading babashka lambda handler: examples/hello"
expect_err_has "Starting babashka lambda event loop"
[ "$(grep -c 'Starting babashka' <<< "$err")" = 1 ] && pass || fail "bb was started more than once"

test_case "throws, prints, dies mid-invocation, returns 7 MB, and keeps serving"
invoke opt-x86_64 examples/handle -- '{"op":"boom"}' '{"op":"divide"}' '{"op":"print"}' '{"op":"die"}' \
	'{"name":"after death"}' '{"op":"big","n":7340032}' '{"name":"after big"}' "$(printf '{\n  "op": "echo",\r\n  "text": "line\\nbreak"\n}')"
expect_results "len(r) == 8 and [x['kind'] for x in r] == ['error', 'error', 'response', 'error', 'response', 'too-large', 'response', 'response']"
expect_results "body(0)['errorMessage'] == 'kaboom' and body(0)['errorType'] == 'clojure.lang.ExceptionInfo' and len(body(0)['stackTrace']) > 0 and r[0]['error_type'] == 'clojure.lang.ExceptionInfo'"
expect_results "body(1)['errorType'] == 'java.lang.ArithmeticException' and r[1]['error_type'] == 'java.lang.ArithmeticException'"
expect_results "body(2) == {'printed': True}"
expect_out_has "printed by the handler"
expect_results "body(3) == {'errorMessage': 'bb exited with exit status 3 during the invocation', 'errorType': 'Runtime.ExitError', 'stackTrace': []} and r[3]['error_type'] == 'Runtime.ExitError'"
expect_results "body(4) == {'greeting': 'Hello after death!'}"
expect_results "r[5]['error_type'] == 'Function.ResponseSizeTooLarge'"
expect_err_has "Response payload size (7340034 bytes) exceeded maximum allowed payload size (6291556 bytes)."
expect_results "body(6) == {'greeting': 'Hello after big!'}"
expect_results "body(7) == {'op': 'echo', 'text': 'line\\nbreak'}"

test_case "the context: Blambda!'s header keys and the keyword keys"
invoke opt-x86_64 examples/handle -- '{"op":"context"}'
expect_results "r[0]['kind'] == 'response'"
expect_results "body(0)['request-id'] == r[0]['id'] == body(0)['raw-request-id']"
expect_results "body(0)['remaining-positive'] and body(0)['deadline-ms'] > 0"
expect_results "body(0)['function-arn'] == 'arn:aws:lambda:eu-west-1:123456789012:function:test'"
expect_results "body(0)['function-name'] == 'hello' and body(0)['memory'] == 512"
expect_results "body(0)['trace-id'].startswith('Root=1-') and body(0)['trace-property'] == body(0)['trace-id']"
expect_results "body(0)['client-context'] == {'custom': {'k': 'v'}} and body(0)['identity'] == {'cognitoIdentityId': 'id-1'}"

test_case "the context is plain data: a handler can JSON-encode it; the time left is a function of it"
invoke opt-x86_64 examples/handle -- '{"op":"json-context"}' '{"op":"context"}'
expect_results "[x['kind'] for x in r] == ['response', 'response']"
expect_results "json.loads(body(0)['encoded'])['request-id'] == r[0]['id'] and json.loads(body(0)['encoded'])['lambda-runtime-aws-request-id'] == r[0]['id']"
expect_results "body(1)['remaining-positive'] and body(1)['remaining-below-deadline']"

test_case "bb dying between invocations is restarted before the next one, which succeeds"
RUNTIME_API_NEXT_DELAY=1.5 invoke opt-x86_64 examples/handle -- '{"op":"exit-later"}' '{"name":"after"}'
expect_results "[x['kind'] for x in r] == ['response', 'response'] and body(1) == {'greeting': 'Hello after!'}"
expect_err_has "bb exited with exit status 5 between invocations; starting it again"

test_case "the layer's top is first on PATH (local pods load by name from there)"
invoke opt-x86_64 examples/handle -- '{"op":"path"}'
expect_results "body(0)['path'].split(':')[0] == '$TMP/opt-x86_64'"

test_case "an error type with a line break cannot put the answers out of step"
invoke opt-x86_64 examples/handle -- '{"op":"weird-type"}' '{"op":"id"}' '{"op":"id"}'
expect_results "[x['kind'] for x in r] == ['error', 'response', 'response']"
expect_results "r[0]['error_type'] == 'Custom_{\"stolen\":true}_end' and body(0)['errorType'] == r[0]['error_type']"
expect_results "body(1)['id'] == r[1]['id'] and body(2)['id'] == r[2]['id']"

test_case "the handler's Var is called: alter-var-root takes effect"
invoke opt-x86_64 examples/handle -- '{"op":"redefine"}' '{"op":"anything"}'
expect_results "body(0) == {'redefined-next': True} and body(1) == {'redefined': 'anything'}"

test_case "an event that is not JSON fails that invocation only"
invoke opt-x86_64 examples/hello -- '{"name":"ok"}' 'not json {' '{"name":"still up"}'
expect_results "[x['kind'] for x in r] == ['response', 'error', 'response']"
expect_results "r[1]['error_type'] == 'Runtime.InvalidEvent' and body(1)['errorMessage'].startswith('The event is not JSON')"
expect_results "body(2) == {'greeting': 'Hello still up!'}"
[ "$(grep -c 'Starting babashka' <<< "$err")" = 1 ] && pass || fail "bb was restarted"

test_case "the deps layer's deps-classpath follows LAMBDA_TASK_ROOT on the classpath"
printf '%s\n' "$BLAMBDA_SOURCE_DIR/tests/fixtures/deplib" > "$TMP/opt-x86_64/deps-classpath"
invoke opt-x86_64 uses-dep/handler -- '{"name":"layer"}'
expect_results "r[0]['kind'] == 'response' and body(0) == {'greeting': 'Greetings, layer!'}"
rm "$TMP/opt-x86_64/deps-classpath"
invoke opt-x86_64 uses-dep/handler -- '{}'
expect_results "r[0]['kind'] == 'init-error'"

test_case "a handler that cannot be loaded: exactly one init error, then exit"
for h in nope/handler examples/missing broken/handler; do
	invoke opt-x86_64 $h -- '{}'
	expect_status 1
	expect_results "len(r) == 1 and r[0]['kind'] == 'init-error'"
done
invoke opt-x86_64 nope/handler -- '{}'
expect_results "r[0]['error_type'] == 'Runtime.NoSuchHandler' and body(0)['errorMessage'].startswith(\"handler 'nope/handler': namespace nope is not on the classpath (no nope.clj in the function or its layers)\")"
invoke opt-x86_64 examples/missing -- '{}'
expect_results "r[0]['error_type'] == 'Runtime.NoSuchHandler' and body(0)['errorMessage'] == \"handler 'examples/missing': namespace examples defines no 'missing'\""
invoke opt-x86_64 broken/handler -- '{}'
expect_results "r[0]['error_type'] not in ('Runtime.NoSuchHandler', None) and body(0)['errorType'] == r[0]['error_type']"
invoke opt-x86_64 nohandler -- '{}'
expect_results "r[0]['error_type'] == 'Runtime.NoSuchHandler'"

test_case "bb that cannot start is an init error"
BB_OVERRIDE=/nonexistent/bb invoke opt-x86_64 examples/hello -- '{}'
expect_status 1
expect_results "r[0]['kind'] == 'init-error' and r[0]['error_type'] == 'Runtime.ExitError' and 'exit status 127' in body(0)['errorMessage']"

# hostile MODE: bootstrap against hostile_runtime_api.py in MODE; posts land in $TMP/hostile
hostile() {
	rm -f "$TMP/hostile" "$TMP/hostile.port"
	"$PYTHON" "$SERVERS/hostile_runtime_api.py" "$TMP/hostile.port" "$TMP/hostile" "$1" > "$TMP/hostile.log" 2>&1 &
	local api=$!
	wait_for_file "$TMP/hostile.port" 30 || { cat "$TMP/hostile.log" >&2; return 1; }
	AWS_LAMBDA_RUNTIME_API=127.0.0.1:$(cat "$TMP/hostile.port") _HANDLER=examples/hello LAMBDA_TASK_ROOT="$TMP/task" \
		BLAMBDA_BB="$STAND_IN" run timeout 120 "$TMP/opt-x86_64/bootstrap"
	kill $api 2>/dev/null
	wait $api 2>/dev/null
	touch "$TMP/hostile"
}

test_case "Runtime API edge cases: many headers, 100 Continue, 204, a bad request id"
for mode in many-headers continue no-content; do
	hostile $mode
	expect_status 1 # the Runtime API ended it with 410
	grep -q '"path": "/2018-06-01/runtime/invocation/c0ffee00-0000-4000-8000-000000000001/response"' "$TMP/hostile" &&
		grep -q 'Hello hostile' "$TMP/hostile" && pass || fail "$mode: the response was not posted: $(cat "$TMP/hostile")"
done
hostile bad-id
expect_status 1
expect_err_has "the Runtime API gave an invalid request id; the invocation is left unanswered"
[ "$(wc -l < "$TMP/hostile")" = 1 ] && grep -q 'c0ffee00' "$TMP/hostile" && pass || fail "bad-id: posted: $(cat "$TMP/hostile")"

test_case "a Runtime API that cannot be reached: bootstrap says so and exits, no crash"
port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
AWS_LAMBDA_RUNTIME_API=127.0.0.1:$port _HANDLER=examples/hello LAMBDA_TASK_ROOT="$TMP/task" BLAMBDA_BB="$STAND_IN" \
	run timeout 120 "$TMP/opt-x86_64/bootstrap"
expect_status 1
expect_err_has "cannot connect to the Runtime API at 127.0.0.1:$port"
AWS_LAMBDA_RUNTIME_API=127.0.0.1:$port _HANDLER=nope LAMBDA_TASK_ROOT="$TMP/task" BLAMBDA_BB="$STAND_IN" \
	run timeout 120 "$TMP/opt-x86_64/bootstrap"
expect_status 1
expect_err_has "cannot post an error report"

test_case "SIGTERM: bb gets it and bootstrap waits for its shutdown hooks"
rm -f "$TMP/hook" "$TMP/events" "$TMP/results"
"$PYTHON" -c 'import json; print(json.dumps("{\"op\":\"hook\"}"))' > "$TMP/events"
rm -f "$TMP/api.port"
RUNTIME_API_NEXT_DELAY=60 "$PYTHON" "$SERVERS/runtime_api.py" "$TMP/api.port" "$TMP/events" "$TMP/results" > "$TMP/api.log" 2>&1 &
api=$!
wait_for_file "$TMP/api.port" 30
HOOK_FILE="$TMP/hook" AWS_LAMBDA_RUNTIME_API=127.0.0.1:$(cat "$TMP/api.port") _HANDLER=examples/handle \
	LAMBDA_TASK_ROOT="$TMP/task" BLAMBDA_BB="$STAND_IN" "$TMP/opt-x86_64/bootstrap" > /dev/null 2>&1 &
boot=$!
wait_for_file "$TMP/results" 60
kill -TERM $boot
wait $boot
[ -f "$TMP/hook" ] && pass || fail "bootstrap ended before bb's shutdown hook ran"
kill $api 2>/dev/null

test_case "bootstrap outside Lambda says what is wrong"
run "$TMP/opt-x86_64/bootstrap"
expect_status 1
expect_err_has "AWS_LAMBDA_RUNTIME_API must be HOST:PORT"

test_case "the arm64 bootstrap runs the same loop under qemu"
if command -v qemu-aarch64-static >/dev/null; then
	invoke opt-arm64 examples/handle qemu-aarch64-static -- '{"name":"arm"}' '{"op":"boom"}' '{"op":"die"}' '{"name":"again"}'
	expect_results "[x['kind'] for x in r] == ['response', 'error', 'error', 'response']"
	expect_results "body(0) == {'greeting': 'Hello arm!'} and body(3) == {'greeting': 'Hello again!'}"
	file_machine=$(od -An -tx1 -j18 -N2 "$TMP/opt-arm64/bootstrap" | tr -d ' ')
	[ "$file_machine" = "b700" ] && pass || fail "the arm64 bootstrap is not an aarch64 binary"
else
	fail "qemu-aarch64-static is not installed"
fi

test_case "valgrind finds nothing in the x86_64 bootstrap"
if command -v valgrind >/dev/null; then
	invoke opt-x86_64 examples/handle valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect -- \
		'{"name":"v"}' '{"op":"boom"}' '{"op":"die"}' '{"op":"big","n":7340032}' '{"name":"w"}'
	[ "$status" -ne 99 ] && pass || fail "valgrind reported errors: $(grep '==' <<< "$err" | head -20)"
	expect_results "[x['kind'] for x in r] == ['response', 'error', 'error', 'too-large', 'response']"
else
	fail "valgrind is not installed"
fi

finish
