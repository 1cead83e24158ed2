#!/bin/bash
# blambda local: the project's runtime run here (the layer's bootstrap, the
# JVM stand-in for bb) against the Runtime API blambda serves, with Lambda's
# START/END/REPORT lines, its errors, timeouts and limits; and `local start`
# serving Lambda's Invoke API to the AWS CLI, with --watch and concurrency.
. "$(dirname "$0")/lib.sh"

export BLAMBDA_BB="$BLAMBDA_SOURCE_DIR/tests/support/bb"
export BLAMBDA_CACHE_DIR="$TMP/cache"
cd "$TMP" || exit 1
"$BLAMBDA" new-function hello -q --memory 1024 --timeout 7 || exit 1
cd hello || exit 1
cp "$BLAMBDA_SOURCE_DIR"/tests/fixtures/handlers/examples.clj src/
cp "$BLAMBDA_SOURCE_DIR"/tests/fixtures/handlers/init_fails.clj src/
cp "$BLAMBDA_SOURCE_DIR"/tests/fixtures/handlers/slow_init.clj src/
sed -i '/^  name: hello$/d' blambda.yml
cat >> blambda.yml <<'EOF'
functions:
  hello: {}
  handle:
    handler: examples/handle
    environment: {MY_VAR: "my value"}
  slow:
    handler: examples/handle
    timeout: 2
  small:
    handler: examples/handle
    memory: 256
  tokyo:
    handler: examples/handle
    environment: {TZ: Asia/Tokyo}
  initfail:
    handler: init-fails/handler
  hostile:
    handler: examples/handle
    environment: {HOSTILE_OUT: HOSTILE_FILE}
  retried:
    handler: examples/handle
    async: {max-retries: 2, on-failure: "arn:aws:sqs:us-east-1:000000000000:dead-letters"}
  throttled:
    handler: examples/handle
    reserved-concurrency: 0
  slowinit:
    handler: slow-init/handler
    timeout: 7
    environment: {SLOW_INIT_MARKER: SLOW_INIT_FILE}
EOF
sed -i "s|HOSTILE_FILE|$TMP/hostile.json|; s|SLOW_INIT_FILE|$TMP/slow-init-marker|" blambda.yml
PROJECT="$TMP/hello"
# Lambda's file system needs mount namespaces: where this machine has none, the fallback is what is tested
if (exec -a blambda-local-env "$BLAMBDA" --probe > "$TMP/probe.out"); then
	SANDBOX=1
else
	SANDBOX=0
	echo "note: no sandbox here ($(cat "$TMP/probe.out")): the fallback is tested" >&2
fi
UUID='[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'

# no process of the project's runtime is left (the stand-in's command line names the project)
expect_nothing_running() {
	local left
	sleep 0.2
	left=$(pgrep -f "$PROJECT/src" || true)
	if [ -z "$left" ]; then pass; else fail "processes left running: $(ps -o pid,args -p ${left//$'\n'/,} | tail -n +2)"; pkill -9 -f "$PROJECT/src"; fi
}
expect_err_matches() {
	if printf '%s' "$err" | grep -qE -e "$1"; then pass; else fail "stderr has no line matching '$1'"; fi
}

test_case "local invoke: the answer on stdout; the handler's output and START/END/REPORT on stderr"
blambda local invoke hello --event example
expect_status 0
expect_out '{"greeting":"Hello Lambda!"}'
expect_err_matches "^START RequestId: $UUID Version: \\\$LATEST\$"
expect_err_matches "^Greeting Lambda in request $UUID\$"
expect_err_matches "^END RequestId: $UUID\$"
# Lambda's exact REPORT: tab-separated fields, each followed by a tab; Init Duration on a cold start
expect_err_matches "^REPORT RequestId: $UUID	Duration: [0-9]+\\.[0-9]{2} ms	Billed Duration: [0-9]+ ms	Memory Size: 1024 MB	Max Memory Used: [0-9]+ MB	Init Duration: [0-9]+\\.[0-9]{2} ms	\$"
# the handler's line comes after START and before END, with the same request id
id=$(printf '%s' "$err" | sed -n 's/^START RequestId: \([^ ]*\) .*/\1/p')
order=$(printf '%s\n' "$err" | grep -oE "^(START|Greeting|END|REPORT)" | tr '\n' ' ')
[ "$order" = "START Greeting END REPORT " ] && pass || fail "log lines out of order: $order"
expect_err_has "in request $id"
# measured, not copied from the memory size: the JVM stand-in takes tens of MB, far from 1024
used=$(printf '%s' "$err" | sed -n 's/.*Max Memory Used: \([0-9]*\) MB.*/\1/p')
[ -n "$used" ] && [ "$used" -gt 20 ] && [ "$used" -lt 1024 ] && pass || fail "Max Memory Used '$used' is not a measured figure"
expect_nothing_running
expect_err_matches "^INIT_START Runtime Version: provided:al2023\\.local\$"
[ "$(printf '%s\n' "$err" | head -1)" = "INIT_START Runtime Version: provided:al2023.local" ] && pass || fail "INIT_START is not the first line: $err"

test_case "an init past Lambda's 10 s is reported, and tried again inside the invocation under its timeout"
# (--no-sandbox: the marker that makes the second init quick is in this machine's /tmp)
blambda local invoke slowinit --no-sandbox
expect_status 0
expect_out '{"init":"retried"}'
expect_err_matches "^INIT_REPORT Init Duration: 1[0-9]{4}\\.[0-9]{2} ms	Phase: init	Status: timeout\$"
[ "$(printf '%s\n' "$err" | grep -c '^INIT_START ')" = 2 ] && pass || fail "not two INIT_START lines: $err"
[ "$(printf '%s\n' "$err" | grep -c '^START RequestId')" = 1 ] && pass || fail "not one START line: $err"
# a suppressed init: no Init Duration in REPORT, the init is in the Duration
expect_err_matches "^REPORT RequestId: $UUID	Duration: [0-9]+\\.[0-9]{2} ms	Billed Duration: [0-9]+ ms	Memory Size: 1024 MB	Max Memory Used: [0-9]+ MB	\$"
printf '%s\n' "$err" | grep -E '^(INIT_REPORT|START)' | head -1 | grep -q '^INIT_REPORT' && pass || fail "INIT_REPORT does not come before START: $err"
expect_nothing_running

test_case "local invoke --json: status, version, payload, log and the REPORT figures"
blambda local invoke hello --payload '{"name":"json"}' --json
expect_status 0
expect_json 'd["status_code"] == 200 and d["executed_version"] == "$LATEST" and d["function_error"] is None'
expect_json 'd["payload"] == {"greeting": "Hello json!"} and d["outcome"] == "ok" and d["error_type"] is None'
expect_json '"REPORT RequestId: " + d["request_id"] in d["log"] and "Greeting json" in d["log"]'
expect_json 'd["memory_size_mb"] == 1024 and 0 < d["max_memory_used_mb"] < 1024 and d["init_duration_ms"] > 0'
expect_json 'd["billed_duration_ms"] >= d["duration_ms"] + d["init_duration_ms"] - 1'

test_case "--json holds any bytes the runtime printed as valid UTF-8, the REPORT line included"
blambda local invoke handle --payload '{"op":"binary"}' --json
expect_status 0
expect_json '"A\ufffd\ufffd\ufffdB" in d["log"] and "REPORT RequestId: " in d["log"] and d["payload"] == {"binary": True}'

test_case "to an HTTP event, a Ring-style response becomes the statusCode/headers/body that function URLs expect"
HTTP2='"requestContext":{"http":{"method":"GET","path":"/"}}'
blambda local invoke handle --payload "{\"op\":\"ring\",$HTTP2}"
expect_json 'd == {"statusCode": 201, "headers": {"Content-Type": "text/plain", "x-multi": "a,b"}, "body": "made"}'
blambda local invoke handle --payload "{\"op\":\"ring-data\",$HTTP2}"
expect_json 'd == {"statusCode": 200, "body": "{\"ok\":true}"}'
blambda local invoke handle --payload "{\"op\":\"not-ring\",$HTTP2}"
expect_json 'd == {"status": "fine", "n": 1}'
blambda local invoke handle --payload "{\"op\":\"ring-cookies\",$HTTP2}"
expect_json 'd == {"statusCode": 302, "headers": {"Location": "/x"}, "cookies": ["a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT", "b=2"], "body": "parts"}'
# API Gateway's REST API and load balancers: payload format 1.0
blambda local invoke handle --payload '{"op":"ring-data","httpMethod":"POST"}'
expect_json 'd == {"statusCode": 200, "body": "{\"ok\":true}"}'

test_case "to any other event, the handler's value goes as its JSON, unchanged"
blambda local invoke handle --payload '{"op":"ring"}'
expect_json 'd == {"status": 201, "headers": {"Content-Type": "text/plain", "x-multi": ["a", "b"]}, "body": "made"}'
blambda local invoke handle --payload '{"op":"status-count"}'
expect_json 'd == {"status": 3, "count": 5}'
blambda local invoke handle --payload '{"op":"ring-by-hand"}'
expect_json 'd == {"statusCode": 204, "body": ""}'

test_case "TZ from function.environment is the function's (Lambda does not reserve it); :UTC otherwise"
blambda local invoke tokyo --payload '{"op":"env"}'
expect_status 0
expect_json 'd["TZ"] == "Asia/Tokyo"'

test_case "the context: a deadline from the configured timeout, the function ARN, Lambda's environment"
before=$(date +%s%3N)
blambda local invoke handle --payload '{"op":"remaining"}'
after=$(date +%s%3N)
expect_status 0
printf '%s' "$out" | python3 -c "
import json, sys
d = json.load(sys.stdin)
assert $before + 7000 <= d['deadline-ms'] <= $after + 7000, d
assert 5000 < d['remaining'] <= 7000, d
assert d['function-arn'] == 'arn:aws:lambda:us-east-1:000000000000:function:handle', d
" && pass || fail "context: $out"
SECRET_OF_HOST=s blambda local invoke handle --payload '{"op":"env"}'
expect_status 0
printf '%s' "$out" | python3 -c "
import json, sys, re
e = json.load(sys.stdin)
want = {'_HANDLER': 'examples/handle', 'AWS_LAMBDA_FUNCTION_NAME': 'handle', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE': '1024',
        'AWS_LAMBDA_FUNCTION_VERSION': '\$LATEST', 'AWS_REGION': 'us-east-1', 'TZ': ':UTC', 'MY_VAR': 'my value',
        'AWS_LAMBDA_LOG_GROUP_NAME': '/aws/lambda/handle'}
if $SANDBOX:
    want.update({'LAMBDA_TASK_ROOT': '/var/task', 'LAMBDA_RUNTIME_DIR': '/var/runtime',
        'LD_LIBRARY_PATH': '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib'})
else:
    assert e['LAMBDA_TASK_ROOT'].startswith('$PROJECT/target/local/task-'), e['LAMBDA_TASK_ROOT']
for k, v in want.items():
    assert e.get(k) == v, (k, e.get(k))
assert re.fullmatch(r'\d{4}/\d\d/\d\d/\[\\\$LATEST\][0-9a-f]{32}', e['AWS_LAMBDA_LOG_STREAM_NAME']), e['AWS_LAMBDA_LOG_STREAM_NAME']
assert re.fullmatch(r'127\.0\.0\.1:\d+', e['AWS_LAMBDA_RUNTIME_API'])
assert 'AWS_ACCESS_KEY_ID' not in e and 'AWS_SECRET_ACCESS_KEY' not in e
# Lambda's, not this machine's: no HOME, TERM or BLAMBDA_* of the host, Lambda's PATH and LANG
assert ':/usr/local/bin:/usr/bin/:/bin:/opt/bin' in e['PATH'] and '/root' not in e['PATH'], e['PATH']  # bootstrap puts its own directory first
assert e['LANG'] == 'en_US.UTF-8', e
assert not {'TERM', 'BLAMBDA_CACHE_DIR', 'SECRET_OF_HOST'} & set(e), sorted(e)
assert e['HOME'] == '/tmp', e['HOME']  # bootstrap's, as in Lambda
" && pass || fail "environment: $(printf '%s' "$out" | head -c 600)"
HOME=/home/someone TERM=xterm SECRET_OF_HOST=s blambda local invoke handle --payload '{"op":"env"}' --inherit-env SECRET_OF_HOST --inherit-env UNSET_ONE
expect_status 0
expect_json 'd["SECRET_OF_HOST"] == "s" and d["HOME"] == "/tmp" and "TERM" not in d and "UNSET_ONE" not in d'
blambda local invoke tokyo --payload '{"op":"env"}' --inherit-env LANG
expect_json 'd["TZ"] == "Asia/Tokyo"'

test_case "Lambda's file system: /var/task and /opt read-only, a private /tmp of the ephemeral storage's size"
marker=$(mktemp /tmp/blambda-host-marker.XXXXXX)
on_exit "rm -f $marker"
check_fs() { # the answer of op fs, as Lambda's file system gives it
	printf '%s' "$out" | python3 -c "
import json, sys
d = json.load(sys.stdin)
assert d['cwd'] == '/var/task', d
assert 'examples.clj' in d['task-root'] and 'bootstrap' in d['opt'] and 'blambda' in d['opt'], d
for k in ('write-task', 'write-src', 'write-opt', 'write-var-tmp', 'write-etc'):
    assert 'Read-only file system' in d[k], (k, d)
assert d['cap-eff'] == '0000000000000000', d  # root's too: nothing could make /var/task writable again
assert d['write-tmp'] == 'mine' and d['host-tmp-seen'] is False, d
assert d['tmp-mb'] == $1, d
" && pass || fail "the file system: $out"
	[ ! -e "$PROJECT/src/written.txt" ] && pass || { fail "the handler wrote into the project's src/"; rm -f "$PROJECT/src/written.txt"; }
}
if [ $SANDBOX = 1 ]; then
	blambda local invoke handle --payload "{\"op\":\"fs\",\"src\":\"$PROJECT/src\",\"marker\":\"$marker\"}"
	expect_status 0
	check_fs 512
	BLAMBDA_EPHEMERAL_STORAGE=700 blambda local invoke handle --payload "{\"op\":\"fs\",\"src\":\"$PROJECT/src\",\"marker\":\"$marker\"}"
	check_fs 700
else
	blambda local invoke handle --payload '{"op":"echo"}'
	expect_status 0
	expect_err_has "warning: Lambda's file system is not emulated here ("
	blambda local invoke handle --sandbox --payload '{"op":"echo"}'
	expect_status 1
	expect_err_has "--sandbox: Lambda's file system cannot be made here: "
fi
# --no-sandbox: this machine's paths, the task root a read-only copy that goes with the environment
blambda local invoke handle --no-sandbox --payload '{"op":"env"}'
expect_json "d['LAMBDA_TASK_ROOT'].startswith('$PROJECT/target/local/task-')"
blambda local invoke handle --no-sandbox --payload '{"op":"sh","cmd":"echo x > written.txt; ls -l examples.clj"}'
expect_status 0
expect_json "d['out'].startswith('-r--r--r--')"
[ ! -e "$PROJECT/src/written.txt" ] && pass || { fail "the handler wrote into the project's src/"; rm -f "$PROJECT/src/written.txt"; }
[ -z "$(ls -d "$PROJECT"/target/local/task-* 2>/dev/null)" ] && pass || fail "copies of the task root left: $(ls -d "$PROJECT"/target/local/task-*)"
# not root: in a user namespace of its own (when the user nobody can reach blambda and the test's files)
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if [ $SANDBOX = 1 ] && as_nobody test -x "$BLAMBDA" -a -r "$BLAMBDA_BB" 2>/dev/null &&
	(as_nobody bash -c 'exec -a blambda-local-env "$1" --probe' - "$BLAMBDA" > "$TMP/probe.out"); then
	mkdir -p "$TMP/nobody"
	cp -r "$PROJECT/src" "$PROJECT/blambda.yml" "$PROJECT/bb.edn" "$TMP/nobody/"
	chmod o+x "$TMP"
	chown -R 65534:65534 "$TMP/nobody"
	out=$(cd "$TMP/nobody" && setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$TMP/nobody" \
		BLAMBDA_CACHE_DIR="$TMP/nobody/cache" "$BLAMBDA" local invoke handle \
		--payload "{\"op\":\"fs\",\"src\":\"$TMP/nobody/src\",\"marker\":\"$marker\"}" 2>"$TMP/nobody.err")
	PROJECT="$TMP/nobody" check_fs 512
	grep -q "not emulated" "$TMP/nobody.err" && fail "no sandbox for a user: $(cat "$TMP/nobody.err")" || pass
	chmod o-x "$TMP"
else
	echo "note: the user nobody cannot run $BLAMBDA here, or has no user namespaces ($(cat "$TMP/probe.out" 2>/dev/null)): the user-namespace sandbox is not tried" >&2
fi

test_case "a handler error is said once, on stderr: type, message, ex-data, stack trace; status 5"
blambda local invoke handle --payload '{"op":"boom"}'
expect_status 5
expect_out_empty
expect_err_has "blambda: error: 'handle' failed: clojure.lang.ExceptionInfo: kaboom"
expect_err_has '  data: {:op "boom"}'
expect_err_matches "^    .*examples"
expect_err_lacks "blambda.runtime"
expect_err_matches "^REPORT RequestId: $UUID	Duration"
[ "$(printf '%s\n' "$err" | grep -c 'examples\$handle')" -le 2 ] && pass || fail "the stack trace was shown more than once: $err"

test_case "the cause chain: each cause with its ex-data, then the stack trace where it began"
blambda local invoke handle --payload '{"op":"chain"}'
expect_status 5
expect_out_empty
expect_err_has "blambda: error: 'handle' failed: clojure.lang.ExceptionInfo: outer"
expect_err_has '  data: {:id 7, :user "ada"}'
expect_err_has "  caused by: clojure.lang.ExceptionInfo: inner"
expect_err_has '    data: {:step 2}'
expect_err_has "  caused by: java.lang.ArithmeticException: Divide by zero"
expect_err_matches "^    clojure.lang.Numbers.divide"
blambda local invoke handle --payload '{"op":"chain"}' --json
expect_status 5
expect_json 'd["payload"]["errorData"] == "{:id 7, :user \"ada\"}" and d["payload"]["cause"]["errorMessage"] == "inner" and d["payload"]["cause"]["errorData"] == "{:step 2}" and d["payload"]["cause"]["cause"]["errorType"] == "java.lang.ArithmeticException" and "cause" not in d["payload"]["cause"]["cause"]'

blambda local invoke handle --payload '{"op":"boom"}' --json
expect_status 5
expect_json 'd["function_error"] == "Unhandled" and d["error_type"] == "clojure.lang.ExceptionInfo" and d["payload"]["errorMessage"] == "kaboom"'

test_case "an init error is reported as Lambda reports it"
blambda local invoke initfail
expect_status 5
expect_out_empty
expect_err_has "error: 'initfail' failed: "
expect_err_has "init_fails.clj"
# an error type that is not one of Lambda's own kinds is Runtime.Unknown in the log; the caller gets the detail
expect_err_matches "^INIT_REPORT Init Duration: [0-9]+\\.[0-9]{2} ms	Phase: init	Status: error	Error Type: Runtime.Unknown\$"
expect_err_matches "^REPORT RequestId: $UUID	.*	Status: error	Error Type: Runtime.Unknown	\$"
expect_err_lacks "failed: Runtime.Unknown"
blambda local invoke initfail --json
expect_json 'd["error_type"] != "Runtime.Unknown" and not d["error_type"].startswith("Runtime.") and d["payload"]["errorType"] == d["error_type"]'
expect_nothing_running

test_case "past the timeout: Task timed out, the runtime killed, Status: timeout"
blambda local invoke slow --payload '{"op":"sleep","ms":60000}'
expect_status 5
expect_out_empty
expect_err_has "error: 'slow' failed: Sandbox.Timedout: "
expect_err_has "Task timed out after 2.00 seconds"
expect_err_matches "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z $UUID Task timed out after 2\\.00 seconds\$"
expect_err_matches "^REPORT RequestId: $UUID	Duration: 2000\\.00 ms	Billed Duration: [0-9]+ ms	Memory Size: 1024 MB	Max Memory Used: [0-9]+ MB	Init Duration: [0-9.]+ ms	Status: timeout	\$"
expect_nothing_running

test_case "a response over 6 MB fails the invocation (Function.ResponseSizeTooLarge)"
blambda local invoke handle --payload '{"op":"big","n":7340032}' --json
expect_status 5
expect_json 'd["error_type"] == "Function.ResponseSizeTooLarge" and d["payload"]["errorType"] == "Function.ResponseSizeTooLarge"'
expect_err_has "Response payload size (7340034 bytes) exceeded maximum allowed payload size (6291556 bytes)."

test_case "bb dying mid-invocation is Runtime.ExitError"
blambda local invoke handle --payload '{"op":"die"}'
expect_status 5
expect_err_has "error: 'handle' failed: Runtime.ExitError: "
expect_nothing_running

test_case "a run over the memory size is killed: Runtime.OutOfMemory"
blambda local invoke small --payload '{"op":"alloc","mb":600}'
expect_status 5
expect_err_has "error: 'small' failed: Runtime.OutOfMemory: "
expect_err_has "Runtime exited with error: signal: killed"
expect_err_matches "^REPORT RequestId: $UUID	.*Memory Size: 256 MB	Max Memory Used: [0-9]+ MB	.*Status: error	Error Type: Runtime.OutOfMemory	\$"
used=$(printf '%s' "$err" | sed -n 's/.*Max Memory Used: \([0-9]*\) MB.*/\1/p')
[ -n "$used" ] && [ "$used" -ge 256 ] && pass || fail "Max Memory Used '$used' is below the limit it broke"
expect_nothing_running

test_case "bad payloads and names are refused before anything runs"
rm -rf target/local
blambda local invoke hello --payload '{"name":
  "x",}'
expect_status 2
expect_err_has "--payload is not valid JSON: line 2, column 7: expected '\"' to start a member's name (no ',' before '}'), found '}'"
blambda local invoke hello --event nope
expect_status 2
expect_err_has "cannot read 'events/nope.json'"
expect_err_has "hint: --event NAME reads events/NAME.json (or give a path); here there are: example"
blambda local invoke hello --event ../blambda
expect_status 2
expect_err_has "cannot read '../blambda'"
blambda local invoke hello --event events/nope.json
expect_status 2
expect_err_has "cannot read 'events/nope.json'"
expect_err_has "here there are: example"
# the path of an event, as a SAM user types it, reads the same file as its name
for e in events/example.json example.json ./events/example.json; do
	blambda local invoke hello --event "$e"
	expect_status 0
	expect_out '{"greeting":"Hello Lambda!"}'
done
rm -rf target/local
printf '[1, 2' > "$TMP/bad.json"
blambda local invoke hello --payload-file "$TMP/bad.json"
expect_status 2
expect_err_has "'$TMP/bad.json' is not valid JSON: line 1, column 6: expected ',' or ']' after an element, found the end of the input"
blambda local invoke hello --payload '{}' --event example
expect_status 2
expect_no_file target/local
blambda local invoke helo
expect_status 2
expect_err_has "declares no function 'helo' (did you mean 'hello'?)"
blambda local invoke
expect_status 2
expect_err_has "name the one to invoke"
blambda local invoke hello --port 9
expect_status 2
expect_err_has "option '--port' is for 'blambda local start', not 'blambda local invoke'"
expect_err_has "hint: try 'blambda local invoke --help'"
blambda local stop
expect_status 2
expect_err_has "'local' has no subcommand 'stop'"
expect_err_has "hint: try 'blambda local --help'"
blambda local
expect_status 2
expect_err_has "'local' needs a subcommand: invoke, start"
# (run reads stdin from /dev/null: this one is fed directly)
out=$(printf '{"name":"stdin"}' | "$BLAMBDA" local invoke hello --payload-file - 2>/dev/null)
expect_out '{"greeting":"Hello stdin!"}'

test_case "a runtime that attacks the Runtime API gets sane answers, and the invocation fails cleanly"
# (--no-sandbox: it writes what it got into a file of this machine's /tmp)
BLAMBDA_BB="$BLAMBDA_SOURCE_DIR/tests/support/hostile_bb.py" blambda local invoke hostile --no-sandbox
expect_status 5
expect_err_has "failed: Runtime.ExitError: bb ("
expect_err_has "bootstrap: Runtime.ExitError: bb ("
expect_err_lacks '{"errorMessage"'
python3 - "$TMP/hostile.json" <<'PY' && pass || fail "Runtime API answers: $(cat "$TMP/hostile.json")"
import json, sys
r = json.load(open(sys.argv[1]))
want = {"wrong-id": 400, "unknown-path": 404, "dot-dot": 404, "get-response": 404, "huge-header": 431,
        "bad-chunks": 400, "from-a-web-page": 403, "rebound-host": 403, "no-such-invocation-error": 400}
assert all(r[k] == v for k, v in want.items()), r
assert 400 <= r["long-id"] < 500, r
PY
expect_nothing_running

test_case "a standard error nobody reads holds up nothing"
mkfifo "$TMP/stuck"
exec 3<>"$TMP/stuck"
start=$(date +%s)
timeout 120 "$BLAMBDA" local invoke handle --payload '{"op":"spam","n":50000}' > "$TMP/spam.out" 2>"$TMP/stuck"
status=$?
exec 3>&-
[ $status -eq 0 ] && pass || fail "local invoke with a stuck stderr exited $status"
[ "$(cat "$TMP/spam.out")" = '{"spammed":50000}' ] && pass || fail "answer: $(cat "$TMP/spam.out")"
expect_nothing_running

test_case "a closed pipe does not leave the runtime behind"
"$BLAMBDA" local invoke handle --payload '{"op":"spam","n":50000}' 2>&1 | head -1 > /dev/null
expect_nothing_running

test_case "a process that leaves the runtime's process group goes with it"
blambda local invoke handle --payload '{"op":"escape","seconds":300}'
expect_status 0
escaped=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["escaped"])')
sleep 0.3
if kill -0 "$escaped" 2>/dev/null; then fail "the escaped process $escaped is still running"; kill -9 "$escaped"; else pass; fi

test_case "a process that left by setsid and a double fork counts against the memory, and goes with the environment"
# a python holding 320 MB, orphaned at once: its parent shell ends before the handler's 3 s are up
blambda local invoke small --payload '{"op":"escape-alloc","mb":320,"ms":3000}'
expect_status 5
expect_err_has "error: 'small' failed: Runtime.OutOfMemory: "
used=$(printf '%s' "$err" | sed -n 's/.*Max Memory Used: \([0-9]*\) MB.*/\1/p')
[ -n "$used" ] && [ "$used" -ge 256 ] && pass || fail "Max Memory Used '$used': the escaped process was not counted"
sleep 0.2
left=$(pgrep -f 'bytes\(\[1\]\)' || true)
[ -z "$left" ] && pass || { fail "the escaped process outlived its environment: $left"; kill -9 $left; }

test_case "a function that stops or kills its environment's keeper leaves nothing behind, and blambda still ends"
# the keeper is bootstrap's parent: bb's parent's parent
keeper='B=$(awk "/^PPid/{print \$2}" /proc/$PPID/status); K=$(awk "/^PPid/{print \$2}" /proc/$B/status)'
start=$(date +%s)
sh_payload() { python3 -c 'import json, sys; print(json.dumps({"op": "sh", "cmd": sys.argv[1]}))' "$1"; }
timeout 60 "$BLAMBDA" local invoke handle --payload "$(sh_payload "$keeper; kill -STOP \$K; echo stopped")" > "$TMP/stop.out" 2> "$TMP/stop.err"
status=$?
[ $status = 0 ] && [ $(( $(date +%s) - start )) -lt 30 ] && pass || fail "local invoke with a stopped keeper: status $status after $(( $(date +%s) - start )) s: $(tail -3 "$TMP/stop.err")"
expect_nothing_running

test_case "more processes than a look follows still count: 70 idle ones do not hide a big one"
blambda local invoke small --payload "$(sh_payload 'for i in $(seq 70); do sleep 600 & done; sleep 0.5; setsid python3 -c "import time; a = bytes([1]) * (320 << 20); time.sleep(60)" </dev/null >/dev/null 2>&1 & sleep 3')"
expect_status 5
expect_err_has "error: 'small' failed: Runtime.OutOfMemory: "
expect_err_matches "Memory Size: 256 MB	Max Memory Used: 256 MB	"
sleep 0.2
left=$(pgrep -f 'sleep 600|bytes\(\[1\]\)' || true)
[ -z "$left" ] && pass || { fail "processes outlived their environment: $left"; kill -9 $left; }

test_case "Ctrl-C during an invocation stops the runtime: nothing is left running"
# a background job of a script starts with SIGINT ignored: this one gets it back, as at a terminal
"$PYTHON" -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
	"$BLAMBDA" local invoke handle --payload '{"op":"sleep","ms":60000}' > "$TMP/int.out" 2> "$TMP/int.err" &
pid=$!
for i in $(seq 100); do grep -q '^START' "$TMP/int.err" && break; sleep 0.1; done
kill -INT $pid
wait $pid
status=$?
[ $status -eq 130 ] && pass || fail "interrupted local invoke exited $status"
grep -q "interrupted" "$TMP/int.err" && pass || fail "no word of the interruption: $(cat "$TMP/int.err")"
expect_nothing_running

test_case "without BLAMBDA_BB or bb on PATH, the Babashka release for this machine is fetched and run"
make_release "$TMP/mirror" 9.9.9 x86_64 || exit 1
start_release_server "$TMP/mirror"
unset_bb() { env -u BLAMBDA_BB BLAMBDA_BABASHKA_URL="$RELEASE_URL" BLAMBDA_BB_VERSION=9.9.9 PATH=/usr/bin:/bin "$@"; }
run unset_bb "$BLAMBDA" local invoke hello
# the release's bb is a stand-in that exits at once: the runtime reports it, naming the cached bb
expect_status 5
expect_err_has "Fetching Babashka 9.9.9 for this machine"
expect_err_has "$BLAMBDA_CACHE_DIR/"
expect_err_has "failed: Runtime.ExitError: "
expect_err_has ".bb"
run unset_bb "$BLAMBDA" local invoke hello
expect_status 5
expect_err_lacks "Fetching Babashka"

test_case "the user's credentials reach the handler, and STS names the account in the function ARN"
start_moto
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK AWS_ENDPOINT_URL=$MOTO_URL AWS_REGION=eu-west-1 \
	blambda local invoke handle --payload '{"op":"env"}'
expect_status 0
expect_json 'd["AWS_ACCESS_KEY_ID"] == "'"$MOTO_AK"'" and d["AWS_SECRET_ACCESS_KEY"] and d["AWS_REGION"] == "eu-west-1"'
expect_json 'd["AWS_ENDPOINT_URL"] == "'"$MOTO_URL"'"'
expect_err_lacks "$MOTO_SK"
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK AWS_ENDPOINT_URL=$MOTO_URL AWS_REGION=eu-west-1 \
	blambda local invoke handle --payload '{"op":"remaining"}' -vv
expect_json 'd["function-arn"] == "arn:aws:lambda:eu-west-1:123456789012:function:handle"'
expect_err_lacks "$MOTO_SK"

# ---- local start ----------------------------------------------------------------------------

# start_local_int ARGS...: start_local, with SIGINT as at a terminal (a script's background job ignores it)
start_local_int() {
	rm -f "$TMP/start.out"
	"$PYTHON" -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
		"$BLAMBDA" local start --port 0 --json "$@" > "$TMP/start.out" 2> "$TMP/start.err" &
	LOCAL_PID=$!
	on_exit "kill $LOCAL_PID 2>/dev/null"
	wait_for_file "$TMP/start.out" 60 || { cat "$TMP/start.err" >&2; return 1; }
}
# the AWS CLI needs credentials to sign; blambda's STS lookup for them must stay on loopback (a closed port)
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL=http://127.0.0.1:9
# lambda_invoke ARGS...: aws lambda invoke against it, as `run` does (the AWS CLI exits 255 on an AWS error)
lambda_invoke() {
	aws lambda invoke --endpoint-url "$LOCAL_URL" "$@" > "$TMP/.out" 2> "$TMP/.err" < /dev/null
	status=$?
	out=$(cat "$TMP/.out")
	err=$(cat "$TMP/.err")
}

test_case "local start: the AWS CLI invokes each function by name, with the log tail"
start_local || exit 1
lambda_invoke --function-name hello --payload '{"name":"cli"}' --log-type Tail "$TMP/answer.json"
expect_status 0
expect_json 'd["StatusCode"] == 200 and d["ExecutedVersion"] == "$LATEST" and "FunctionError" not in d'
[ "$(cat "$TMP/answer.json")" = '{"greeting":"Hello cli!"}' ] && pass || fail "answer: $(cat "$TMP/answer.json")"
tail=$(printf '%s' "$out" | python3 -c 'import json,sys,base64; print(base64.b64decode(json.load(sys.stdin)["LogResult"]).decode())')
printf '%s' "$tail" | grep -qE "^REPORT RequestId: $UUID	Duration: .*Init Duration" && pass || fail "log tail: $tail"
printf '%s' "$tail" | grep -q "Greeting cli" && pass || fail "log tail lacks the handler's line: $tail"
lambda_invoke --function-name handle --payload '{"op":"boom"}' "$TMP/answer.json"
expect_status 0
expect_json 'd["FunctionError"] == "Unhandled"'
grep -q kaboom "$TMP/answer.json" && pass || fail "error answer: $(cat "$TMP/answer.json")"
lambda_invoke --function-name arn:aws:lambda:us-east-1:000000000000:function:hello "$TMP/answer.json"
expect_status 0
lambda_invoke --function-name nope "$TMP/answer.json"
expect_status 255
expect_err_has "ResourceNotFoundException"
expect_err_has "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"
# an ARN of another region names another function, in that region's partition
lambda_invoke --function-name arn:aws-cn:lambda:cn-north-1:000000000000:function:hello "$TMP/answer.json"
expect_err_has "Function not found: arn:aws-cn:lambda:cn-north-1:000000000000:function:hello"
# another partition with the function's own region, and empty parts, name no function here
for name in arn:aws-cn:lambda:us-east-1:000000000000:function:hello hello: ::hello 000000000000:function:hello:; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -d '{}' "$LOCAL_URL/2015-03-31/functions/$name/invocations")
	[ "$code" = 404 ] && pass || fail "'$name' got $code, not 404"
done
lambda_invoke --function-name hello --qualifier 3 "$TMP/answer.json"
expect_err_has "ResourceNotFoundException"
# what a runtime leaves behind comes to blambda when its parent ends, and is reaped when it ends
for i in 1 2 3 4 5 6 7 8; do
	curl -s -o /dev/null -d '{"op":"orphan"}' "$LOCAL_URL/2015-03-31/functions/handle/invocations"
done
sleep 1
zombies=$(ps --ppid "$LOCAL_PID" -o stat= | grep -c '^Z' || true)
[ "$zombies" = 0 ] && pass || fail "$zombies zombie children of blambda local start: $(ps --ppid "$LOCAL_PID" -o pid,stat,args)"
lambda_invoke --function-name hello --payload 'not json' "$TMP/answer.json"
expect_err_has "InvalidRequestContentException"
# web pages may not reach it: a cross-site POST carries an Origin, a rebound name a foreign Host
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Origin: http://evil.example' -d '{}' "$LOCAL_URL/2015-03-31/functions/hello/invocations")
[ "$code" = 403 ] && pass || fail "a request with an Origin got $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: evil.example:${LOCAL_URL##*:}" -d '{}' "$LOCAL_URL/2015-03-31/functions/hello/invocations")
[ "$code" = 403 ] && pass || fail "a request for another host got $code"
head -c 7000000 /dev/zero | tr '\0' ' ' > "$TMP/big.json"
code=$(curl -s -o "$TMP/big.out" -w '%{http_code}' --data-binary @"$TMP/big.json" "$LOCAL_URL/2015-03-31/functions/hello/invocations")
[ "$code" = 413 ] && grep -q "Request must be smaller than 6291456 bytes for the InvokeFunction operation" "$TMP/big.out" && pass || fail "a 7 MB request got $code: $(cat "$TMP/big.out")"
curl -s -D "$TMP/big.h" -o /dev/null --data-binary @"$TMP/big.json" "$LOCAL_URL/2015-03-31/functions/hello/invocations"
grep -qi "^x-amzn-errortype: RequestEntityTooLargeException" "$TMP/big.h" && pass || fail "the 413's type: $(cat "$TMP/big.h")"
# every answer carries a request id, as Lambda's do: errors, 202 and 204 too
for h in "-d {} $LOCAL_URL/2015-03-31/functions/nosuch/invocations" "-H X-Amz-Invocation-Type:Event -d {} $LOCAL_URL/2015-03-31/functions/hello/invocations" \
	"-H X-Amz-Invocation-Type:DryRun -d {} $LOCAL_URL/2015-03-31/functions/hello/invocations" "-d {} $LOCAL_URL/2015-03-31/functions/hello/invocations"; do
	# shellcheck disable=SC2086
	curl -s -D "$TMP/h.txt" -o /dev/null $h
	grep -qiE "^x-amzn-requestid: [0-9a-f-]{36}" "$TMP/h.txt" && pass || fail "no request id in the answer to '$h': $(cat "$TMP/h.txt")"
done
big_ctx=$(head -c 2700 /dev/zero | tr '\0' 'a' | base64 -w0)
code=$(curl -s -o "$TMP/cc.out" -w '%{http_code}' -H "X-Amz-Client-Context: $big_ctx" -d '{}' "$LOCAL_URL/2015-03-31/functions/hello/invocations")
[ "$code" = 400 ] && grep -q "at most 3583 bytes" "$TMP/cc.out" && pass || fail "a client context of ${#big_ctx} bytes got $code: $(cat "$TMP/cc.out")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Amz-Client-Context: %%%' -d '{}' "$LOCAL_URL/2015-03-31/functions/hello/invocations")
[ "$code" = 400 ] && pass || fail "a client context that is not base64 got $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$LOCAL_URL/2015-03-31/functions/")
[ "$code" = 404 ] && pass || fail "GET of the function list got $code"
code=$(curl -s -o "$TMP/bad.out" -w '%{http_code}' -d '{} garbage' "$LOCAL_URL/2015-03-31/functions/hello/invocations")
[ "$code" = 400 ] && grep -q "Could not parse request body into json: a mistake at line 1, column 4" "$TMP/bad.out" && pass || fail "trailing data after the JSON got $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Amz-Client-Context: $(printf 'not json' | base64 -w0)" -d '{}' "$LOCAL_URL/2015-03-31/functions/hello/invocations")
[ "$code" = 400 ] && pass || fail "a client context that is not JSON got $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -d '{}' "$LOCAL_URL/2015-03-31/functions/arn:aws:lambda:us-east-1:999999999999:function:hello/invocations")
[ "$code" = 404 ] && pass || fail "another account's ARN got $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -d '{}' "$LOCAL_URL/2015-03-31/functions/xfunction:hello/invocations")
[ "$code" = 404 ] && pass || fail "a mangled name got $code"
ctx=$(printf '{\n  "custom": {"k": "v"}}' | base64 -w0)
out=$(curl -s -H "X-Amz-Client-Context: $ctx" -d '{"op":"context"}' "$LOCAL_URL/2015-03-31/functions/handle/invocations")
expect_json 'd["client-context"] == {"custom": {"k": "v"}}'
lambda_invoke --function-name hello --invocation-type DryRun "$TMP/answer.json"
expect_json 'd["StatusCode"] == 204'
lambda_invoke --function-name hello --invocation-type Event --payload '{"name":"async"}' "$TMP/answer.json"
expect_json 'd["StatusCode"] == 202'
for i in $(seq 50); do grep -q "Greeting async" "$TMP/start.err" && break; sleep 0.1; done
grep -q "Greeting async" "$TMP/start.err" && pass || fail "the Event invocation did not run"
grep -q "^hello | " "$TMP/start.err" && pass || fail "several functions: lines are not prefixed with the function's name"

test_case "blambda invoke against local start: the log tail on stderr, errors with and without a stack trace"
blambda --endpoint-url "$LOCAL_URL" invoke hello --payload '{"name":"remote"}'
expect_status 0
expect_out '{"greeting":"Hello remote!"}'
expect_err_matches "^REPORT RequestId: $UUID	Duration: "
expect_err_has "Greeting remote in request"
blambda --endpoint-url "$LOCAL_URL" invoke handle --payload '{"op":"boom"}'
expect_status 5
expect_err_has "blambda: error: 'handle' failed: clojure.lang.ExceptionInfo: kaboom"
expect_err_matches "^    .*examples"
blambda --endpoint-url "$LOCAL_URL" invoke handle --payload '{"op":"die"}'
expect_status 5
expect_err_has "'handle' failed: Runtime.ExitError: bb exited with exit status 3 during the invocation"
blambda --endpoint-url "$LOCAL_URL" invoke handle --payload '{"op":"boom"}' --json
expect_status 5
expect_json 'd["function_error"] == "Unhandled" and d["payload"]["errorMessage"] == "kaboom" and d["executed_version"] == "$LATEST"'
expect_json '"REPORT RequestId: " in d["log"] and d["request_id"]'
blambda --endpoint-url "$LOCAL_URL" invoke handle --qualifier 4
expect_status 3
expect_err_has "ResourceNotFoundException"
expect_err_has "hint: deploy it first with 'blambda deploy', and check the qualifier"
cd "$TMP" || exit 1
blambda --endpoint-url "$LOCAL_URL" invoke not-deployed
cd "$PROJECT" || exit 1
expect_status 3
expect_err_has "cannot invoke 'not-deployed'"
expect_err_has "Function not found: arn:aws:lambda:us-east-1:000000000000:function:not-deployed"
stop_local
expect_status 143
expect_nothing_running

# the cgroups (v2) of blambda's environments under the cgroup of process $1, one a line
env_cgroups() {
	python3 - "$1" <<'PY'
import glob, sys
mount = None
for line in open("/proc/self/mountinfo"):
    left, _, right = line.partition(" - ")
    f = left.split()
    if right.split()[0] == "cgroup2" and f[3] == "/":
        mount = f[4]
        break
path = [l[3:].strip() for l in open("/proc/%s/cgroup" % sys.argv[1]) if l.startswith("0::")]
if mount and path:
    for d in sorted(glob.glob(mount + path[0].rstrip("/") + "/blambda-local-%s-*" % sys.argv[1])):
        print(d)
PY
}

test_case "local start: the environment is frozen between invocations, as Lambda freezes it"
start_local handle || exit 1
curl -s -o /dev/null -d '{"op":"background","ms":200}' "$LOCAL_URL/2015-03-31/functions/handle/invocations"
sleep 1.5
grep -q "background work ran" "$TMP/start.err" && fail "background work ran with no invocation under way" || pass
# where this machine gives blambda a cgroup v2, the environment has one, frozen by its freezer, and the keeper is outside it
cg=$(env_cgroups $LOCAL_PID)
if [ -n "$cg" ]; then
	[ "$(echo "$cg" | wc -l)" = 1 ] && pass || fail "not one cgroup for one environment: $cg"
	[ "$(cat "$cg/env/cgroup.freeze")" = 1 ] && grep -q "^frozen 1" "$cg/env/cgroup.events" && pass || fail "the environment's cgroup is not frozen"
	[ "$(wc -l < "$cg/env/cgroup.procs")" -ge 2 ] && [ "$(wc -l < "$cg/cgroup.procs")" = 1 ] && pass ||
		fail "bootstrap and bb in env/, the keeper beside it: $(cat "$cg/env/cgroup.procs") / $(cat "$cg/cgroup.procs")"
else
	echo "note: no cgroup v2 for blambda here: the freeze by signals is tested" >&2
fi
out=$(curl -s -d '{"op":"sleep","ms":1000}' "$LOCAL_URL/2015-03-31/functions/handle/invocations")
expect_out '{"slept":1000}'
grep -q "background work ran" "$TMP/start.err" && pass || fail "background work did not go on during the next invocation"
stop_local
expect_nothing_running
if [ -n "$cg" ]; then
	[ ! -e "$cg" ] && pass || fail "the environment's cgroup outlived it: $cg"
fi

test_case "local start: an Event invocation that fails is tried again as Lambda tries it, then its on-failure record"
start_local retried --retry-delay 1 || exit 1
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Amz-Invocation-Type: Event' -d '{"op":"boom"}' "$LOCAL_URL/2015-03-31/functions/retried/invocations")
[ "$code" = 202 ] && pass || fail "Event invocation: $code"
for i in $(seq 100); do grep -q "on-failure" "$TMP/start.err" && break; sleep 0.1; done
err=$(cat "$TMP/start.err")
[ "$(grep -c '^START RequestId' "$TMP/start.err")" = 3 ] && pass || fail "not three attempts: $err"
[ "$(sed -n 's/^START RequestId: \([^ ]*\) .*/\1/p' "$TMP/start.err" | sort -u | wc -l)" = 1 ] && pass || fail "the attempts have different request ids: $err"
expect_err_matches "^blambda: Event invocation $UUID failed \\(clojure.lang.ExceptionInfo\\): it is tried again in 1 s, as Lambda retries it\$"
expect_err_matches "^blambda: Event invocation $UUID failed .*: it is tried again in 2 s"
grep -E "^blambda: Event invocation $UUID: its record for function.async.on-failure arn:aws:sqs:us-east-1:000000000000:dead-letters \\(Lambda sends it; 'local start --send-records' does\\): \\{" "$TMP/start.err" | sed 's/^[^{]*//' | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["requestContext"]["condition"] == "RetriesExhausted" and r["requestContext"]["approximateInvokeCount"] == 3, r
assert r["requestPayload"] == {"op": "boom"} and r["responsePayload"]["errorMessage"] == "kaboom", r
assert r["requestContext"]["functionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:retried:$LATEST", r
' && pass || fail "the on-failure record: $err"
stop_local
expect_nothing_running

test_case "local start: a function that kills its keeper leaves nothing behind; the next call starts afresh"
start_local handle || exit 1
out=$(curl -s -d "$(sh_payload "setsid sleep 777 </dev/null >/dev/null 2>&1 & $keeper; sleep 0.3; kill -9 \$K")" "$LOCAL_URL/2015-03-31/functions/handle/invocations")
sleep 0.5
left=$(pgrep -f 'sleep 777' || true)
[ -z "$left" ] && pass || { fail "a process of an environment whose keeper was killed lives on: $left"; kill -9 $left; }
out=$(curl -s -d '{"op":"echo","again":true}' "$LOCAL_URL/2015-03-31/functions/handle/invocations")
expect_json 'd["again"] is True'
stop_local
expect_nothing_running

test_case "a runtime's answer: its Content-Type passed on; a second answer to it refused (403 InvalidStateTransition)"
BLAMBDA_BB="$BLAMBDA_SOURCE_DIR/tests/support/twice_bb.py" start_local hostile --no-sandbox || exit 1
curl -s -D "$TMP/twice.h" -o "$TMP/twice.out" -d '{}' "$LOCAL_URL/2015-03-31/functions/hostile/invocations"
[ "$(cat "$TMP/twice.out")" = "plain words" ] && pass || fail "the answer: $(cat "$TMP/twice.out")"
grep -qi "^content-type: text/plain; charset=utf-8" "$TMP/twice.h" && pass || fail "the Content-Type: $(cat "$TMP/twice.h")"
python3 -c 'import json,sys; r = json.load(open(sys.argv[1])); sys.exit(0 if r["first"] == 202 and r["second"] == 403 and "InvalidStateTransition" in r["second_body"] else 1)' \
	"$TMP/hostile.json" && pass || fail "the second answer: $(cat "$TMP/hostile.json")"
stop_local
expect_nothing_running

test_case "Ctrl-C ends local start with status 130, as every command"
start_local_int handle || exit 1
kill -INT $LOCAL_PID
wait $LOCAL_PID
status=$?
expect_status 130
expect_nothing_running

test_case "local start: a call past --concurrency gets 429 at once, as Lambda throttles it, never a queue"
start_local handle --concurrency 1 || exit 1
curl -s -o "$TMP/slow.out" -d '{"op":"sleep","ms":3000}' "$LOCAL_URL/2015-03-31/functions/handle/invocations" &
slow=$!
for _ in $(seq 1 100); do grep -q "^START" "$TMP/start.err" && break; sleep 0.1; done
t0=$(date +%s%N)
code=$(curl -s -D "$TMP/busy.h" -o "$TMP/busy.out" -w '%{http_code}' -d '{}' "$LOCAL_URL/2015-03-31/functions/handle/invocations")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$code" = 429 ] && grep -qi "^x-amzn-errortype: TooManyRequestsException" "$TMP/busy.h" && pass || fail "a call past the concurrency got $code: $(cat "$TMP/busy.out")"
[ "$ms" -lt 1500 ] && pass || fail "the 429 took $ms ms: it waited"
wait $slow
grep -q '"slept":3000' "$TMP/slow.out" && pass || fail "the call under way: $(cat "$TMP/slow.out")"
# an Event invocation is queued all the same
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Amz-Invocation-Type: Event' -d '{}' "$LOCAL_URL/2015-03-31/functions/handle/invocations")
[ "$code" = 202 ] && pass || fail "an Event invocation got $code"
stop_local
expect_nothing_running

test_case "local start: function.reserved-concurrency holds a function to it, as Lambda does (0: all throttled)"
start_local throttled --concurrency 2 || exit 1
code=$(curl -s -D "$TMP/thr.h" -o "$TMP/thr.out" -w '%{http_code}' -d '{}' "$LOCAL_URL/2015-03-31/functions/throttled/invocations")
[ "$code" = 429 ] && grep -qi "^x-amzn-errortype: TooManyRequestsException" "$TMP/thr.h" && pass || fail "a function with no reserved concurrency answered $code: $(cat "$TMP/thr.out")"
# an Event invocation is not run either: with no on-failure destination, Lambda drops it at once
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Amz-Invocation-Type: Event' -d '{}' "$LOCAL_URL/2015-03-31/functions/throttled/invocations")
[ "$code" = 202 ] && pass || fail "an Event invocation got $code"
for _ in $(seq 50); do grep -q "does not run" "$TMP/start.err" && break; sleep 0.1; done
grep -qE "^blambda: Event invocation $UUID does not run: function.reserved-concurrency is 0, and Lambda drops it, as no function.async.on-failure is set\$" "$TMP/start.err" &&
	pass || fail "the dropped event is not said: $(cat "$TMP/start.err")"
grep -q "INIT_START" "$TMP/start.err" && fail "a runtime was started for it" || pass
stop_local
expect_nothing_running

test_case "local start: two concurrent invokes run on two instances (the AWS CLI retries a 429 on one)"
for conc in 1 2; do
	start_local handle --concurrency $conc || exit 1
	aws lambda invoke --endpoint-url "$LOCAL_URL" --function-name handle --payload '{"op":"id"}' "$TMP/a1.json" > /dev/null 2>&1 &
	p1=$!
	aws lambda invoke --endpoint-url "$LOCAL_URL" --function-name handle --payload '{"op":"id"}' "$TMP/a2.json" > /dev/null 2>&1 &
	p2=$!
	wait $p1 && wait $p2 && pass || fail "a concurrent invoke failed"
	python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["id"]; b=json.load(open(sys.argv[2]))["id"]; sys.exit(0 if a != b else 1)' "$TMP/a1.json" "$TMP/a2.json" &&
		pass || fail "answers: $(cat "$TMP/a1.json") $(cat "$TMP/a2.json")"
	starts=$(grep -c "Loading babashka lambda handler" "$TMP/start.err")
	[ "$starts" = "$conc" ] && pass || fail "--concurrency $conc started $starts runtimes"
	stop_local
	expect_nothing_running
done

test_case "--watch: an edit restarts the runtime between invocations, never during one"
start_local hello --watch || exit 1
lambda_invoke --function-name hello "$TMP/answer.json"
[ "$(cat "$TMP/answer.json")" = '{"greeting":"Hello Blambda!"}' ] && pass || fail "before the edit: $(cat "$TMP/answer.json")"
sed -i 's/(str "Hello "/(str "Howdy "/' src/hello.clj
for i in $(seq 50); do grep -q "Reloaded" "$TMP/start.err" && break; sleep 0.1; done
lambda_invoke --function-name hello "$TMP/answer.json"
[ "$(cat "$TMP/answer.json")" = '{"greeting":"Howdy Blambda!"}' ] && pass || fail "after the edit: $(cat "$TMP/answer.json")"
# an editor's scratch file is no change
reloads=$(grep -c "Reloaded" "$TMP/start.err")
touch src/.hello.clj.swp src/4913 src/hello.clj~
sleep 0.6
[ "$(grep -c "Reloaded" "$TMP/start.err")" = "$reloads" ] && pass || fail "scratch files made it reload"
rm -f src/.hello.clj.swp src/4913 src/hello.clj~
# a source directory replaced (a checkout) is watched again
mv src "$TMP/src.old" && cp -r "$TMP/src.old" src
sleep 0.8
reloads=$(grep -c "Reloaded" "$TMP/start.err")
sed -i 's/(str "Howdy "/(str "Hiya "/' src/hello.clj
for i in $(seq 50); do [ "$(grep -c "Reloaded" "$TMP/start.err")" -gt "$reloads" ] && break; sleep 0.1; done
lambda_invoke --function-name hello "$TMP/answer.json"
[ "$(cat "$TMP/answer.json")" = '{"greeting":"Hiya Blambda!"}' ] && pass || fail "after replacing src: $(cat "$TMP/answer.json")"
sed -i 's/(str "Hiya "/(str "Howdy "/' src/hello.clj
for i in $(seq 50); do [ "$(grep -c "Reloaded" "$TMP/start.err")" -gt "$((reloads + 1))" ] && break; sleep 0.1; done
# a mistake in blambda.yml keeps the code running
cp blambda.yml "$TMP/blambda.yml.good"
printf 'function:\n  memory: lots\n' >> blambda.yml
for i in $(seq 50); do grep -q "keeping the code that was running" "$TMP/start.err" && break; sleep 0.1; done
grep -q "keeping the code that was running" "$TMP/start.err" && pass || fail "a bad blambda.yml was not reported"
lambda_invoke --function-name hello "$TMP/answer.json"
[ "$(cat "$TMP/answer.json")" = '{"greeting":"Howdy Blambda!"}' ] && pass || fail "after a bad blambda.yml: $(cat "$TMP/answer.json")"
cp "$TMP/blambda.yml.good" blambda.yml
stop_local
expect_status 143
sed -i 's/(str "Howdy "/(str "Hello "/' src/hello.clj

test_case "--watch never drops an invocation in flight"
start_local handle --watch || exit 1
aws lambda invoke --endpoint-url "$LOCAL_URL" --function-name handle --payload '{"op":"sleep","ms":2500}' "$TMP/slow.json" > "$TMP/slow.out" 2>&1 &
slow=$!
for i in $(seq 100); do grep -q '^START' "$TMP/start.err" && break; sleep 0.1; done
echo ';; edited' >> src/examples.clj
wait $slow && pass || fail "the invocation in flight failed: $(cat "$TMP/slow.out")"
[ "$(cat "$TMP/slow.json")" = '{"slept":2500}' ] && pass || fail "in flight: $(cat "$TMP/slow.json")"
lambda_invoke --function-name handle --payload '{"op":"id"}' "$TMP/answer.json"
expect_status 0
starts=$(grep -c "Loading babashka lambda handler" "$TMP/start.err")
[ "$starts" = 2 ] && pass || fail "the edit did not restart the runtime once ($starts starts)"
# the environment started after the edit is in Lambda's file system too
out=$(curl -s -d '{"op":"env"}' "$LOCAL_URL/2015-03-31/functions/handle/invocations")
expect_json "d['LAMBDA_TASK_ROOT'] == '/var/task' if $SANDBOX else d['LAMBDA_TASK_ROOT'].startswith('$PROJECT/target/local/task-')"
stop_local
expect_nothing_running

test_case "local start refuses a port in use"
start_local hello || exit 1
port=${LOCAL_URL##*:}
blambda local start --port "$port"
expect_status 1
expect_err_has "port $port on 127.0.0.1 is in use"
stop_local

test_case "local start serves the http routes as API Gateway's HTTP API: payload format 2.0 in, the answer out"
cp blambda.yml "$TMP/before-web.yml"
cat >> blambda.yml <<'EOF'
  web:
    handler: examples/web
    events:
      - http: GET /echo/{what}
      - http: POST /echo/{what}
      - http: ANY /{proxy+}
http-api:
  name: local-test
  cors: {allow-origins: ["http://localhost:3000"], allow-methods: [GET, POST], max-age: 60}
EOF
start_local web hello || exit 1
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if {"route": "GET /echo/{what}", "function": "web"} in d["routes"] else 1)' "$TMP/start.out" && pass || fail "routes said: $(cat "$TMP/start.out")"
# curl_local ARGS...: curl against it; the body in $out, the status line and headers in $TMP/headers
curl_local() {
	out=$(curl -sS -D "$TMP/headers" "$@" 2> "$TMP/curl.err") || out="curl failed: $(cat "$TMP/curl.err")"
}
curl_local "$LOCAL_URL/echo/ada?x=1&y=two%20words&x=3" -H 'Cookie: sid=abc; theme=dark' -H 'X-Custom: one'
head -1 "$TMP/headers" | grep -q " 200" && pass || fail "status: $(head -1 "$TMP/headers")"
expect_json "d['version'] == '2.0' and d['routeKey'] == 'GET /echo/{what}' and d['rawPath'] == '/echo/ada' and d['pathParameters'] == {'what': 'ada'}"
expect_json "d['queryStringParameters'] == {'x': '1,3', 'y': 'two words'} and d['rawQueryString'] == 'x=1&y=two%20words&x=3'"
expect_json "d['cookies'] == ['sid=abc', 'theme=dark'] and d['headers']['x-custom'] == 'one' and 'cookie' not in d['headers']"
expect_json "d['requestContext']['http']['method'] == 'GET' and d['requestContext']['http']['sourceIp'] == '127.0.0.1' and d['requestContext']['stage'] == '\$default' and d['isBase64Encoded'] is False"
curl_local "$LOCAL_URL/echo/a%2Fb%20c?flag&q=a+b"
expect_json "d['routeKey'] == 'GET /echo/{what}' and d['rawPath'] == '/echo/a%2Fb%20c' and d['pathParameters'] == {'what': 'a/b c'} and d['rawQueryString'] == 'flag&q=a+b'"
curl_local "$LOCAL_URL/echo/text" -H 'Content-Type: application/json' --data-binary '{"a":1}'
expect_json "d['requestContext']['http']['method'] == 'POST' and d['body'] == '{\"a\":1}' and d['isBase64Encoded'] is False"
printf 'A\000\377B' > "$TMP/binary.bin"
curl_local "$LOCAL_URL/echo/bin" -H 'Content-Type: application/octet-stream' --data-binary @"$TMP/binary.bin"
expect_json "d['isBase64Encoded'] is True and __import__('base64').b64decode(d['body']) == b'A\\x00\\xffB'"
curl_local "$LOCAL_URL/plain"
head -1 "$TMP/headers" | grep -q " 200" && pass || fail "status: $(head -1 "$TMP/headers")"
grep -qi '^content-type: application/json' "$TMP/headers" && pass || fail "headers: $(cat "$TMP/headers")"
expect_out '{"hello":"world"}'
curl_local "$LOCAL_URL/cookies"
head -1 "$TMP/headers" | grep -q " 302" && pass || fail "status: $(head -1 "$TMP/headers")"
grep -qi '^location: /x' "$TMP/headers" && grep -qi '^set-cookie: a=1; Path=/' "$TMP/headers" && grep -qi '^set-cookie: b=2' "$TMP/headers" && pass || fail "headers: $(cat "$TMP/headers")"
curl -sS "$LOCAL_URL/bin" -o "$TMP/got.bin" && [ "$(od -An -tx1 "$TMP/got.bin" | tr -d ' \n')" = "0001feff" ] && pass || fail "binary answer: $(od -An -tx1 "$TMP/got.bin")"
curl_local "$LOCAL_URL/boom"
head -1 "$TMP/headers" | grep -q " 500" && pass || fail "status: $(head -1 "$TMP/headers")"
expect_out '{"message":"Internal Server Error"}'
curl_local -X DELETE "$LOCAL_URL/echo/x"
expect_json "d['routeKey'] == 'ANY /{proxy+}' and d['pathParameters'] == {'proxy': 'echo/x'}"
curl_local "$LOCAL_URL/"
head -1 "$TMP/headers" | grep -q " 404" && pass || fail "a path no route takes: $(head -1 "$TMP/headers")"
expect_out '{"message":"Not Found"}'
curl_local -X OPTIONS "$LOCAL_URL/echo/x" -H 'Origin: http://localhost:3000' -H 'Access-Control-Request-Method: POST'
head -1 "$TMP/headers" | grep -q " 204" && pass || fail "preflight: $(head -1 "$TMP/headers")"
grep -qi '^access-control-allow-origin: http://localhost:3000' "$TMP/headers" && grep -qi '^access-control-allow-methods: GET,POST' "$TMP/headers" && grep -qi '^access-control-max-age: 60' "$TMP/headers" && pass || fail "preflight headers: $(cat "$TMP/headers")"
curl_local "$LOCAL_URL/echo/x" -H 'Origin: http://localhost:3000'
expect_json "d['headers']['origin'] == 'http://localhost:3000'"
grep -qi '^access-control-allow-origin: http://localhost:3000' "$TMP/headers" && pass || fail "CORS headers: $(cat "$TMP/headers")"
curl_local "$LOCAL_URL/echo/x" -H 'Origin: http://evil.example'
head -1 "$TMP/headers" | grep -q " 403" && pass || fail "an origin http-api.cors does not name: $(head -1 "$TMP/headers")"
curl_local -X POST "$LOCAL_URL/2015-03-31/functions/hello/invocations" -H 'Origin: http://localhost:3000' -d '{}'
head -1 "$TMP/headers" | grep -q " 403" && pass || fail "the Invoke API from a web page: $(head -1 "$TMP/headers")"
lambda_invoke --function-name hello --payload '{"name":"still"}' "$TMP/answer.json"
expect_status 0
stop_local
cp "$TMP/before-web.yml" blambda.yml

finish
